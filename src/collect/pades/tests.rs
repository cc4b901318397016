//! PAdES tests on the pyhanko-signed fixtures of tests/data/pades/: every
//! way a returned signature can fail is refused, and says why.

use chrono::SecondsFormat;
use lopdf::{Document, Object};
use sha2::Digest;

use super::update::{check_update, parse_pdf_date};
use super::*;
use crate::pdf::find;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/pades/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn issued_len() -> usize {
    fixture("base.pdf").len()
}

fn root() -> Vec<Vec<u8>> {
    vec![fixture("root.der")]
}

#[test]
fn valid_rsa_signature_with_the_root_validates_the_chain() {
    let verdict = verify(&fixture("signed-rsa.pdf"), issued_len(), &root()).expect("valid");
    assert_eq!(verdict.signer_name, "Marie Dupont (Signature)");
    assert_eq!(verdict.signer_serial.as_deref(), Some("85073100123"));
    assert_eq!(verdict.digest_algorithm, "SHA-256");
    assert_eq!(verdict.certificate_sha256, hex::encode(sha2::Sha256::digest(fixture("signer-rsa.der"))));
    assert!(verdict.signing_time.is_some());
    assert!(verdict.chain_validated, "{}", verdict.chain_note);
    assert!(verdict.chain_note.contains("Charte Test Citizen CA"), "{}", verdict.chain_note);
    assert!(verdict.chain_note.contains("Revocation was not checked"), "{}", verdict.chain_note);
}

#[test]
fn valid_rsa_signature_without_roots_is_not_chain_validated() {
    let verdict = verify(&fixture("signed-rsa.pdf"), issued_len(), &[]).expect("valid");
    assert_eq!(verdict.signer_name, "Marie Dupont (Signature)");
    assert!(!verdict.chain_validated);
    assert!(verdict.chain_note.contains("no trusted root"), "{}", verdict.chain_note);
}

#[test]
fn valid_ecdsa_p256_signature() {
    let verdict = verify(&fixture("signed-p256.pdf"), issued_len(), &root()).expect("valid");
    assert_eq!(verdict.signer_name, "Luc Peeters (Signature)");
    assert_eq!(verdict.signer_serial.as_deref(), Some("90020200246"));
    assert!(verdict.chain_validated, "{}", verdict.chain_note);
}

#[test]
fn valid_ecdsa_p384_signature_with_sha384() {
    let verdict = verify(&fixture("signed-p384.pdf"), issued_len(), &root()).expect("valid");
    assert_eq!(verdict.signer_name, "Ana Lopez (Signature)");
    assert_eq!(verdict.digest_algorithm, "SHA-384");
    assert!(verdict.chain_validated, "{}", verdict.chain_note);
}

#[test]
fn altered_cms_is_a_bad_signature() {
    let err = verify(&fixture("altered-cms.pdf"), issued_len(), &root()).expect_err("altered");
    assert!(matches!(err, PadesError::BadSignature(_)), "{err}");
}

#[test]
fn altered_issued_part_is_a_digest_mismatch() {
    let err = verify(&fixture("altered-issued.pdf"), issued_len(), &root()).expect_err("altered");
    assert!(matches!(&err, PadesError::BadSignature(why) if why.contains("changed after it was signed")), "{err}");
}

#[test]
fn bytes_appended_after_the_signature_are_refused() {
    let err = verify(&fixture("appended.pdf"), issued_len(), &root()).expect_err("appended");
    assert!(matches!(&err, PadesError::NotCovered(why) if why.contains("added after the signature")), "{err}");
}

#[test]
fn a_signature_left_unfinished_is_malformed() {
    let mut file = fixture("signed-rsa.pdf");
    let start = find(&file, b"/Contents <").expect("contents") + b"/Contents <".len();
    let end = start + file[start..].iter().position(|&b| b == b'>').expect("end");
    file[start..end].fill(b'0');
    let err = verify(&file, issued_len(), &root()).expect_err("empty");
    assert!(matches!(&err, PadesError::Malformed(why) if why.contains("did not finish")), "{err}");
}

#[test]
fn a_plain_pdf_has_no_signature() {
    let base = fixture("base.pdf");
    let err = verify(&base, base.len(), &root()).expect_err("unsigned");
    assert_eq!(err, PadesError::NoSignature);
}

#[test]
fn a_wrong_root_leaves_the_chain_unvalidated() {
    let verdict = verify(&fixture("signed-rsa.pdf"), issued_len(), &[fixture("other-root.der")]).expect("valid");
    assert!(!verdict.chain_validated);
    assert!(verdict.chain_note.contains("not validated"), "{}", verdict.chain_note);
    assert!(verdict.chain_note.contains("Revocation was not checked"), "{}", verdict.chain_note);
}

#[test]
fn a_root_with_the_right_name_but_another_key_is_not_trusted() {
    let verdict = verify(&fixture("signed-p256.pdf"), issued_len(), &[fixture("other-root.der")]).expect("valid");
    assert!(!verdict.chain_validated);
    assert!(verdict.chain_note.contains("same name"), "{}", verdict.chain_note);
}

#[test]
fn a_signer_who_rewrites_the_page_while_signing_is_refused() {
    let err = verify(&fixture("changed-page.pdf"), issued_len(), &root()).expect_err("changed");
    assert!(matches!(&err, PadesError::DocumentChanged(why) if why.contains("/Contents")), "{err}");
}

#[test]
fn a_document_sealed_by_charte_and_signed_in_a_pdf_reader() {
    let file = fixture("signed-sealed.pdf");
    let issued_len = crate::seal::sealed_prefix_len(&file).expect("a sealed document");
    let verdict = verify(&file, issued_len, &root()).expect("valid");
    assert_eq!(verdict.signer_name, "Marie Dupont (Signature)");
    assert!(verdict.chain_validated, "{}", verdict.chain_note);
}

#[test]
fn a_signature_inside_the_issued_part_is_not_a_returned_signature() {
    let signed = fixture("signed-rsa.pdf");
    let err = verify(&signed, signed.len(), &root()).expect_err("nothing appended");
    assert_eq!(err, PadesError::NoSignature);
}

#[test]
fn a_file_shorter_than_the_issued_document_is_refused() {
    let base = fixture("base.pdf");
    assert!(matches!(verify(&base, base.len() + 1, &[]), Err(PadesError::NotPdf(_))));
}

#[test]
fn a_second_signature_is_refused() {
    let mut file = fixture("signed-rsa.pdf");
    file.extend_from_slice(b"\n9 0 obj << /ByteRange [0 1 2 3] >> endobj\n");
    let err = verify(&file, issued_len(), &root()).expect_err("two");
    assert_eq!(err, PadesError::SeveralSignatures(2));
}

#[test]
fn the_update_may_not_change_the_page() {
    let before = Document::load_mem(&fixture("base.pdf")).expect("base");
    let mut after = before.clone();
    let page = *after.get_pages().values().next().expect("a page");
    after.get_dictionary_mut(page).expect("page").set("Contents", Object::Reference((5, 0)));
    let why = check_update(&before, &after).expect_err("changed");
    assert!(why.contains("Contents"), "{why}");
}

#[test]
fn pdf_dates_are_read_with_their_offset() {
    let t = parse_pdf_date(b"D:20260115143000+01'00'").expect("date");
    assert_eq!(t.to_rfc3339_opts(SecondsFormat::Secs, true), "2026-01-15T14:30:00+01:00");
    let t = parse_pdf_date(b"D:20260115143000Z").expect("date");
    assert_eq!(t.to_rfc3339_opts(SecondsFormat::Secs, true), "2026-01-15T14:30:00Z");
    assert!(parse_pdf_date(b"D:2026011").is_none());
}
