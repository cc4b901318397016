//! Keys that cannot be trusted: a weak (small-order) ed25519 key, a
//! signature that only verifies under the lenient rules, and a
//! coordination.pub that is not coordination.key's other half.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::collect::{WOLU_DOC, issued, member};

/// The identity point: a public key of small order.
const IDENTITY: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 1;
    b
};

#[test]
fn a_small_order_key_is_refused_at_registration() {
    let t = issued();
    std::fs::write(t.path("weak.pub"), format!("charte-ed25519-public-v1\n{}\n", BASE64.encode(IDENTITY))).unwrap();
    let before = t.snapshot();
    t.run(["members", "set-key", "0763.999.417", "weak.pub"]).code(2).stderr_has("weak");
    assert_eq!(t.snapshot(), before);
}

/// Issue 13, point 4: R = identity and S = 0 "verify" for a small-order
/// key under the lenient rules: a return forged with no private key.
#[test]
fn a_signature_forged_with_a_small_order_key_is_refused() {
    let t = issued();
    // The weak key registered as an older charte let it be (set-key now
    // refuses it), written through the journal like any registration.
    let weak = ed25519_dalek::VerifyingKey::from_bytes(&IDENTITY).unwrap();
    let fingerprint = charte::seal::fingerprint(&weak);
    {
        let mut store = charte::journal::Store::open(&t.path("charte.db"), charte::journal::Clock::new(true)).unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        store
            .transaction(day, |tx| {
                tx.append(&charte::journal::Event::KeyRegistered {
                    enterprise_number: "0631119315".into(),
                    public_key: BASE64.encode(IDENTITY),
                    fingerprint: fingerprint.clone(),
                })
                .map(|_| ())
            })
            .unwrap();
    }
    // A genuine signature's layout, its key and signature replaced: the
    // fields have fixed lengths, so the forged update has the same shape.
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let signed = std::fs::read(t.path("signed.pdf")).unwrap();
    let issued_len = std::fs::read(t.path(WOLU_DOC)).unwrap().len();
    let genuine = charte::collect::signature::extract(&signed, issued_len).unwrap();
    let mut forged = genuine.clone();
    forged.public_key = BASE64.encode(IDENTITY);
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&IDENTITY); // R = identity, S = 0
    forged.signature = BASE64.encode(signature);
    forged.statement.key_fingerprint = fingerprint;
    let (old, new) = (genuine.to_bytes(), forged.to_bytes());
    assert_eq!(old.len(), new.len());
    let at = signed.windows(old.len()).position(|w| w == old).unwrap();
    let mut file = signed.clone();
    file[at..at + old.len()].copy_from_slice(&new);
    std::fs::write(t.path("forged.pdf"), &file).unwrap();
    let len = t.journal_len();
    t.run(["collect", "forged.pdf"]).code(1).stderr_has("refused").stderr_has("does not verify");
    assert_eq!(t.journal_len(), len + 1, "the refusal is journaled");
    let m = member(&t, "0631.119.315");
    assert!(m["signed_version"].is_null(), "{m}");
    t.run(["verify", "forged.pdf"]).code(1).stderr_has("NOT authentic");
}

/// Issue 13, point 5: a coordination.pub that does not match
/// coordination.key is named on load, before anything is sealed or refused.
#[test]
fn a_coordination_pub_that_does_not_match_the_private_key_is_named() {
    let t = issued();
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    t.run(["keys", "member", "--out", "other.key"]).success();
    std::fs::copy(t.path("other.key.pub"), t.path("keys/coordination.pub")).unwrap();
    let before = (t.snapshot(), t.out_files());
    for args in [
        &["issue", "--all"][..],
        &["issue", "0631.119.315"][..],
        &["collect", "signed.pdf"][..],
        &["verify", "signed.pdf"][..],
        &["verify", WOLU_DOC][..],
    ] {
        t.run(args).code(2).stderr_has("coordination.pub does not match").stderr_has("coordination.key");
    }
    assert_eq!((t.snapshot(), t.out_files()), before, "nothing was changed");
}
