//! `charte verify` and docs/verify_seal.py on documents returned signed:
//! the sealed part and the signature after it both hold (exit 0, saying who
//! sealed and who signed), or the output names what does not (exit 1).

use crate::collect::{WOLU_DOC, issued, pades_sign};
use crate::harness::*;

const KEY: &str = "keys/coordination.pub";

/// docs/verify_seal.py on `file` with the coordination's key: (exit code, stdout).
fn verify_seal_py(t: &Test, file: &str, extra: &[&str]) -> (i32, String) {
    verify_seal_py_with(&t.path(file), &t.path(KEY), extra)
}

/// docs/verify_seal.py on `file` with the public key `key`: (exit code, stdout).
pub(crate) fn verify_seal_py_with(file: &std::path::Path, key: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let python = std::env::var("CHARTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .arg(repo().join("docs/verify_seal.py"))
        .arg(file)
        .arg(key)
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), stdout)
}

/// `bytes` with one byte changed at `at`.
fn flipped(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at] ^= 0x20;
    out
}

#[test]
fn a_document_signed_with_the_organisations_key_verifies_as_sealed_then_signed() {
    let t = issued();
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    // In the coordination's workspace, the signer's key is checked against the register.
    t.run(["verify", "signed.pdf", "--key", KEY])
        .success()
        .stdout_has("authentic — sealed by Coordination sociale de Woluwe-Saint-Lambert on 2026-02-01")
        .stdout_has("then signed by Wolu-Entraide ASBL (own key")
        .stdout_has("the key registered for Wolu-Entraide ASBL");
    // Elsewhere, with the file and the key alone: what was not checked is said.
    let elsewhere = Test::empty();
    std::fs::create_dir_all(&elsewhere.ws).unwrap();
    let (signed, key) = (t.path("signed.pdf"), t.path(KEY));
    let (signed, key) = (signed.to_str().unwrap(), key.to_str().unwrap());
    elsewhere
        .run(["verify", signed, "--key", key])
        .success()
        .stdout_has("then signed by the holder of key")
        .stdout_has("not checked: whether key");
    elsewhere
        .run(["verify", signed, "--key", key, "--signer-key", t.path("wolu.key.pub").to_str().unwrap()])
        .success()
        .stdout_has("then signed by Wolu-Entraide ASBL (own key");
    // Someone else's key given as the organisation's: refused.
    elsewhere.run(["verify", signed, "--key", key, "--signer-key", key]).code(1).stderr_has("someone else signed it");
    let json = t.run(["verify", "signed.pdf", "--key", KEY, "--json"]).success().json();
    assert_eq!(json["authentic"], true);
    assert_eq!(json["signature"]["method"], "own-key");
    assert_eq!(json["signature"]["key_checked"], true);
}

#[test]
fn a_document_signed_in_a_pdf_reader_verifies_as_sealed_then_signed() {
    let t = issued();
    pades_sign(&t, WOLU_DOC, "pades.pdf", "chain", false);
    t.run(["verify", "pades.pdf", "--key", KEY])
        .success()
        .stdout_has("sealed by Coordination sociale de Woluwe-Saint-Lambert on 2026-02-01")
        .stdout_has("then signed by Luc Peeters (Signature) (PAdES, certificate of Luc Peeters (Signature)")
        .stdout_has("not checked: revocation")
        .stdout_has("chain was not validated");
    let (code, out) = verify_seal_py(&t, "pades.pdf", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("then signed by Luc Peeters (Signature) (PAdES"), "{out}");
    assert!(out.contains("not checked: the certificate chain"), "{out}");
    // The CMS altered: the signature does not hold.
    pades_sign(&t, WOLU_DOC, "pades-altered.pdf", "chain-2", true);
    t.run(["verify", "pades-altered.pdf", "--key", KEY]).code(1).stderr_has("NOT authentic").stderr_has("not valid");
    assert_eq!(verify_seal_py(&t, "pades-altered.pdf", &[]).0, 1);
}

#[test]
fn a_byte_changed_in_a_signed_return_is_named_and_fails() {
    let t = issued();
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let signed = std::fs::read(t.path("signed.pdf")).unwrap();
    let issued_len = std::fs::read(t.path(WOLU_DOC)).unwrap().len();
    // In the issued document.
    std::fs::write(t.path("content.pdf"), flipped(&signed, issued_len / 2)).unwrap();
    t.run(["verify", "content.pdf", "--key", KEY]).code(1).stderr_has("NOT authentic").stderr_has("content altered");
    // In the organisation's signed statement (its signing date, still a date).
    let needle = b"\"signed\":\"2026-02-01\"";
    let at = signed.windows(needle.len()).rposition(|w| w == needle).unwrap();
    let mut forged = signed.clone();
    forged[at + 17] = b'1'; // 2026-02-01 -> 2026-01-01
    std::fs::write(t.path("statement.pdf"), forged).unwrap();
    t.run(["verify", "statement.pdf", "--key", KEY])
        .code(1)
        .stderr_has("the sealed part is authentic")
        .stderr_has("the organisation's signature does not verify");
    // Bytes added after the signature.
    let mut more = signed.clone();
    more.extend_from_slice(b"\n1 0 obj\n<< /Type /Page >>\nendobj\n");
    std::fs::write(t.path("appended.pdf"), more).unwrap();
    t.run(["verify", "appended.pdf", "--key", KEY]).code(1).stderr_has("something was added after it");
    for file in ["content.pdf", "statement.pdf", "appended.pdf"] {
        let (code, out) = verify_seal_py(&t, file, &[]);
        assert_eq!(code, 1, "{file}: {out}");
        assert!(out.contains("NOT AUTHENTIC"), "{file}: {out}");
    }
}

#[test]
fn verify_seal_py_accepts_a_return_signed_with_the_organisations_key() {
    let t = issued();
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let (code, out) = verify_seal_py(&t, "signed.pdf", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("AUTHENTIC: sealed by Coordination sociale de Woluwe-Saint-Lambert on 2026-02-01"), "{out}");
    assert!(out.contains("then signed by the holder of key"), "{out}");
    assert!(out.contains("not checked: whether key"), "{out}");
    let org_key = t.path("wolu.key.pub");
    let (code, out) = verify_seal_py(&t, "signed.pdf", &["--signer-key", org_key.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("then signed by Wolu-Entraide ASBL (own key"), "{out}");
    let (code, out) = verify_seal_py(&t, "signed.pdf", &["--signer-key", t.path(KEY).to_str().unwrap()]);
    assert_eq!(code, 1, "another key given as the organisation's: {out}");
}
