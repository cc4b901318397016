//! Signed documents come back: own-key signatures, scans, and every way a
//! return can be wrong. Real keys, real PDFs, real signatures.

use crate::harness::*;

/// A workspace with every document issued, and Wolu-Entraide's key made and registered.
pub(crate) fn issued() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["issue", "--all"]).success();
    t.run(["keys", "member", "--out", "wolu.key"]).success();
    t.run(["members", "set-key", "0631.119.315", "wolu.key.pub"]).success().stdout_has("registered");
    t
}

pub(crate) const WOLU_DOC: &str = "out/adherence/0631119315-wolu-entraide-asbl-2022-02.pdf";

pub(crate) fn member(t: &Test, number: &str) -> serde_json::Value {
    t.run(["members", "show", number, "--json"]).success().json()
}

#[test]
fn a_document_signed_with_the_registered_key_makes_the_participant_a_member() {
    let t = issued();
    assert_eq!(member(&t, "0631.119.315")["status"], "participant");
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"])
        .success()
        .stdout_has("signed CSWSL-2022-02-0631119315");
    assert!(t.path("signed.sig.json").exists(), "a detached signature too");
    let issued_bytes = std::fs::read(t.path(WOLU_DOC)).unwrap();
    let signed_bytes = std::fs::read(t.path("signed.pdf")).unwrap();
    assert!(signed_bytes.starts_with(&issued_bytes), "the issued bytes are an exact prefix");
    let qpdf = std::process::Command::new("qpdf").arg("--check").arg(t.path("signed.pdf")).output().unwrap();
    assert!(qpdf.status.success(), "qpdf --check: {}", String::from_utf8_lossy(&qpdf.stdout));
    t.run(["collect", "signed.pdf"]).success().stdout_has("1 accepted").stdout_has("now member");
    let m = member(&t, "0631.119.315");
    assert_eq!(m["status"], "member");
    assert_eq!(m["signed_version"], "2022-02");
    assert_eq!(m["adherences"][0]["method"], "own-key");
    let listed = t.members().into_iter().find(|m| m["enterprise_number"] == "0631.119.315").unwrap();
    assert_eq!(listed["signed_version"], "2022-02");
    let len = t.journal_len();
    t.run(["collect", "signed.pdf"]).success().stdout_has("0 accepted, 1 already known");
    assert_eq!(t.journal_len(), len, "collecting the same file twice changes nothing");
    assert!(!t.run(["flags", "--json"]).success().stdout.contains("0631.119.315"));
}

fn refused(t: &Test, file: &str, reason: &str) {
    refused_with(t, &[file], reason);
}

fn refused_with(t: &Test, args: &[&str], reason: &str) {
    let before = t.members();
    let len = t.journal_len();
    t.run([&["collect"][..], args].concat()).code(1).stderr_has("refused").stderr_has(reason);
    assert_eq!(t.members(), before, "the register is unchanged");
    assert_eq!(t.journal_len(), len + 1, "the refusal itself is journaled");
}

#[test]
fn every_wrong_return_is_refused_with_its_reason() {
    let t = issued();
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let signed = std::fs::read(t.path("signed.pdf")).unwrap();
    let issued_len = std::fs::read(t.path(WOLU_DOC)).unwrap().len();

    // One byte of the issued part altered.
    let mut altered = signed.clone();
    altered[issued_len / 2] ^= 0x20;
    std::fs::write(t.path("altered.pdf"), &altered).unwrap();
    refused(&t, "altered.pdf", "not authentic");

    // Signed by a key nobody registered.
    t.run(["keys", "member", "--out", "stranger.key"]).success();
    t.run(["sign", WOLU_DOC, "--key", "stranger.key", "--out", "stranger.pdf"]).success();
    refused(&t, "stranger.pdf", "not the key registered for Wolu-Entraide ASBL");

    // Signed with another organisation's registered key.
    t.run(["keys", "member", "--out", "cpas.key"]).success();
    t.run(["members", "set-key", "0250.616.524", "cpas.key.pub"]).success();
    t.run(["sign", WOLU_DOC, "--key", "cpas.key", "--out", "borrowed.pdf"]).success();
    refused(&t, "borrowed.pdf", "signed with the key registered for CPAS de Woluwe-Saint-Lambert");

    // Garbage appended instead of a signature.
    let mut garbage = std::fs::read(t.path(WOLU_DOC)).unwrap();
    garbage.extend_from_slice(b"\nthis is not a signature at all\n");
    std::fs::write(t.path("garbage.pdf"), &garbage).unwrap();
    refused(&t, "garbage.pdf", "not a charte signature");

    // The signature JSON altered inside the file.
    let needle = b"\"signed\":\"2026-02-01\"";
    let at = signed.windows(needle.len()).rposition(|w| w == needle).expect("the signing date is in the file");
    let mut forged = signed.clone();
    forged[at + 17] = b'1'; // 2026-02-01 -> 2026-01-01
    std::fs::write(t.path("forged.pdf"), &forged).unwrap();
    refused(&t, "forged.pdf", "signature");

    // A scan for an organisation that is not on the roster.
    std::fs::write(t.path("scan.jpg"), b"\xff\xd8\xff scanned paper").unwrap();
    refused_with(&t, &["scan.jpg", "--scan", "Nobody"], "no organisation named 'Nobody'");
}

#[test]
fn a_document_never_issued_by_this_journal_is_refused() {
    let t = issued();
    // Another workspace sealing with the same key: authentic seal, unknown document.
    let other = Test::fixture("woluwe-saint-lambert").at("2026-03-01");
    other.run(["members", "import", "roster.csv"]).success();
    std::fs::create_dir_all(other.path("keys")).unwrap();
    for f in ["coordination.key", "coordination.pub"] {
        std::fs::copy(t.path(&format!("keys/{f}")), other.path(&format!("keys/{f}"))).unwrap();
    }
    let roster = std::fs::read_to_string(other.path("roster.csv")).unwrap();
    std::fs::write(other.path("roster.csv"), roster.replace("Wolu-Entraide ASBL", "Wolu-Entraide ASBL (nouveau nom)"))
        .unwrap();
    other.run(["members", "import", "roster.csv"]).success();
    other.run(["issue", "0631.119.315"]).success();
    let mut doc = other.path("out/adherence");
    doc.push("0631119315-wolu-entraide-asbl-nouveau-nom-2022-02.pdf");
    std::fs::copy(&doc, t.path("elsewhere.pdf")).unwrap();
    t.run(["sign", "elsewhere.pdf", "--key", "wolu.key", "--out", "elsewhere-signed.pdf"]).success();
    refused(&t, "elsewhere-signed.pdf", "does not begin with the bytes issued");
}

/// A scan is not proof enough by itself: it waits for the coordinator's
/// confirmation, and counts once confirmed.
#[test]
fn a_scanned_paper_signature_waits_for_confirmation_then_is_recorded_as_attested() {
    let t = issued();
    std::fs::write(t.path("scan.pdf"), b"%PDF-1.4 a scanned page").unwrap();
    let run = t
        .run(["collect", "scan.pdf", "--scan", "Wolu-Entraide"])
        .success()
        .stdout_has("scan")
        .stdout_has("attested")
        .stdout_has("waiting for your confirmation: charte returns confirm");
    let m = member(&t, "0631.119.315");
    assert!(m["signed_version"].is_null(), "a waiting scan counts for nothing: {m}");
    assert_eq!(m["status"], "participant");
    assert_eq!(m["returns"][0]["state"], "waiting");
    t.run(["returns", "confirm", &pending_id(&run.stdout)]).success().stdout_has("now member");
    let m = member(&t, "0631.119.315");
    assert_eq!(m["adherences"][0]["method"], "scan");
    assert_eq!(m["signed_version"], "2022-02");
}

#[test]
fn a_new_charter_version_keeps_old_signatures_and_asks_for_a_new_one() {
    let t = issued();
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    t.run(["collect", "signed.pdf"]).success();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(t.path("charte.toml"), toml.replace("version = \"2022-02\"", "version = \"2026-09\"")).unwrap();
    let m = member(&t, "0631.119.315");
    assert_eq!(m["signed_version"], "2022-02", "the old signature stays valid for its version");
    let flags = t.run(["flags", "--json"]).success().json();
    let outdated = flags.as_array().unwrap().iter().find(|f| f["enterprise_number"] == "0631.119.315").unwrap();
    assert_eq!(outdated["rule"], "adherence-outdated");
}

/// The property: whatever single byte of the issued part changes, collect
/// refuses. Exercised through the library on 300 positions spread over
/// the whole issued part, each with a pseudo-random flip.
#[test]
fn any_single_byte_change_in_the_issued_part_is_refused() {
    use charte::collect::{Outcome, Register, examine};
    let t = issued();
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let signed = std::fs::read(t.path("signed.pdf")).unwrap();
    let issued_len = std::fs::read(t.path(WOLU_DOC)).unwrap().len();
    let store = charte::journal::Store::open(&t.path("charte.db"), charte::journal::Clock::new(true)).unwrap();
    let issued = store.documents().unwrap();
    let members = store.members().unwrap();
    let key = charte::seal::load_verifying_key(&t.path("keys/coordination.pub")).unwrap();
    let known = std::collections::HashMap::new();
    let reg = Register::new(&key, &issued, &members, &known, &[]);
    let hash = |b: &[u8]| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b));
    assert!(matches!(examine(&signed, &hash(&signed), &reg), Outcome::Accepted(_)), "the untouched file is accepted");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..300 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let pos = (i * issued_len / 300 + (x as usize % 97)) % issued_len;
        let flip = (x >> 32) as u8 | 1;
        let mut bytes = signed.clone();
        bytes[pos] ^= flip;
        assert!(
            matches!(examine(&bytes, &hash(&bytes), &reg), Outcome::Refused { .. }),
            "byte {pos} changed (xor {flip:#04x}) and the file was not refused"
        );
    }
}

/// Signs `document` of the workspace in a PDF reader's way (PAdES, a test
/// chain shaped like a Belgian eID card's), with pyHanko, into `out`; the
/// chain's root is written to `certs`/root.der.
pub(crate) fn pades_sign(t: &Test, document: &str, out: &str, certs: &str, alter_cms: bool) {
    pades_sign_with(t, document, out, certs, if alter_cms { &["--alter-cms"] } else { &[] });
}

/// [`pades_sign`] with pades_sign.py's options: `--name CN` (the signer
/// certificate's name), `--self-signed`, `--alter-cms`.
pub(crate) fn pades_sign_with(t: &Test, document: &str, out: &str, certs: &str, options: &[&str]) {
    let python = std::env::var("CHARTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut cmd = std::process::Command::new(python);
    cmd.arg(repo().join("tests/support/pades_sign.py")).arg(t.path(document)).arg(t.path(out)).arg(t.path(certs));
    cmd.args(options);
    let run = cmd.output().unwrap();
    assert!(
        run.status.success(),
        "pades_sign.py (needs `python3 -m pip install pyhanko==0.38.0`): {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn a_document_signed_in_a_pdf_reader_is_collected_with_the_signers_name() {
    let t = issued();
    let brussels = "out/adherence/0845285318-maison-medicale-tomberg-roodebeek-2022-02.pdf";
    pades_sign(&t, WOLU_DOC, "wolu-pades.pdf", "chain-a", false);
    // No trusted root in the workspace: received, said plainly not
    // validated, and waiting for the coordinator's confirmation.
    let run = t
        .run(["collect", "wolu-pades.pdf"])
        .success()
        .stdout_has("0 accepted, 1 waiting for your confirmation")
        .stdout_has("Luc Peeters (Signature)")
        .stdout_has("not validated");
    assert!(member(&t, "0631.119.315")["signed_version"].is_null());
    t.run(["returns", "confirm", &pending_id(&run.stdout)]).success();
    let m = member(&t, "0631.119.315");
    assert_eq!(m["signed_version"], "2022-02");
    assert_eq!(m["adherences"][0]["method"], "pades");
    assert_eq!(m["adherences"][0]["signer"], "Luc Peeters (Signature)");
    // With the chain's root among the trusted roots, the chain is
    // validated, and the representative's own certificate counts at once.
    pades_sign_with(&t, brussels, "tomberg-pades.pdf", "chain-b", &["--name", "Céline Bouzid (Signature)"]);
    std::fs::create_dir_all(t.path("keys/trusted-roots")).unwrap();
    std::fs::copy(t.path("chain-b/root.der"), t.path("keys/trusted-roots/test-root.der")).unwrap();
    let run = t.run(["collect", "tomberg-pades.pdf"]).success().stdout_has("1 accepted");
    assert!(!run.stdout.contains("not validated"), "{}", run.stdout);
    // One hex digit of the CMS signature changed: refused, nothing recorded.
    let other = "out/adherence/0250616524-cpas-de-woluwe-saint-lambert-2022-02.pdf";
    pades_sign(&t, other, "altered.pdf", "chain-c", true);
    refused(&t, "altered.pdf", "the signature is not valid");
    assert!(member(&t, "0250.616.524")["signed_version"].is_null());
}

/// One adherence per organisation and charter version: a second valid
/// return of the same document (here signed in a PDF reader after it was
/// signed with the organisation's key) is a duplicate, journaled and
/// counted nowhere; the same file again is already known.
#[test]
fn a_second_valid_return_of_a_collected_document_is_a_duplicate_counted_nowhere() {
    let t = issued();
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    t.run(["collect", "signed.pdf"]).success().stdout_has("1 accepted");
    pades_sign(&t, WOLU_DOC, "wolu-pades.pdf", "chain-a", false);
    let len = t.journal_len();
    t.run(["collect", "wolu-pades.pdf"])
        .success()
        .stdout_has("duplicate wolu-pades.pdf")
        .stdout_has("already collected")
        .stdout_has("0 accepted, 1 duplicate");
    assert_eq!(t.journal_len(), len + 1, "the duplicate is journaled");
    let m = member(&t, "0631.119.315");
    assert_eq!(m["adherences"].as_array().unwrap().len(), 1, "one adherence: {m}");
    assert_eq!(m["adherences"][0]["method"], "own-key", "the first return is the one that counts");
    let history: Vec<&str> = m["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(history.iter().filter(|k| **k == "duplicate").count(), 1, "{history:?}");
    assert_eq!(history.iter().filter(|k| **k == "adherence-collected").count(), 1, "{history:?}");
    // The same duplicate file again, and the counted one again: already known.
    let len = t.journal_len();
    t.run(["collect", "wolu-pades.pdf", "signed.pdf"]).success().stdout_has("0 accepted, 2 already known");
    assert_eq!(t.journal_len(), len, "nothing journaled for files already known");
    // Signed twice with its own key on two days: other bytes, still one adherence.
    t.run_at("2026-02-02", ["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed-again.pdf"]).success();
    t.run_at("2026-02-02", ["collect", "signed-again.pdf"]).success().stdout_has("1 duplicate");
    let report = t.run_at("2026-02-02", ["report", "annual", "--year", "2026", "--json"]).success().json();
    assert_eq!(report["organisations"]["new_adherences"], 1, "{}", report["organisations"]);
    assert_eq!(member(&t, "0631.119.315")["adherences"].as_array().unwrap().len(), 1);
}

/// Two valid returns of one document in a single run: the first counts,
/// the second is a duplicate.
#[test]
fn two_returns_of_one_document_in_one_run_count_once() {
    let t = issued();
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    pades_sign(&t, WOLU_DOC, "wolu-pades.pdf", "chain-a", false);
    t.run(["collect", "signed.pdf", "wolu-pades.pdf"]).success().stdout_has("1 accepted, 1 duplicate");
    assert_eq!(member(&t, "0631.119.315")["adherences"].as_array().unwrap().len(), 1);
}
