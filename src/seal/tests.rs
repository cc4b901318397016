//! Seal tests: every way a document can be forged or damaged is refused.

use std::sync::OnceLock;

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use lopdf::{Document, IncrementalDocument, Object, Stream, dictionary};

use super::*;
use crate::render::{self, Engine};

fn rendered() -> &'static [u8] {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| {
        let template = render::load_template(None, render::ADHERENCE_TEMPLATE).expect("template");
        Engine::new()
            .expect("engine")
            .pdf(&template, &render::tests::sample("Asbl L'Étoile"), day(), "ADH-2022-02-0123456749")
            .expect("renders")
    })
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 1).expect("date")
}

pub(super) fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn manifest() -> Manifest {
    Manifest::new("ADH-2022-02-0123456749", "adherence", "Coordination sociale d'Ixelles", day())
        .organisation("Asbl L'Étoile", Some("0123.456.749"))
        .charter_version("2022-02")
}

pub(super) fn sealed() -> Sealed {
    seal(rendered(), &manifest(), &key(1)).expect("seals")
}

pub(super) fn replace_once(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = crate::pdf::find(haystack, from).expect("pattern present");
    let mut out = haystack.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    out
}

/// Appends an incremental update that replaces page 1's content stream.
fn append_page_change(file: &[u8]) -> Vec<u8> {
    let doc = Document::load_mem(file).expect("loads");
    let page = *doc.get_pages().get(&1).expect("page 1");
    let mut inc = IncrementalDocument::create_from(file.to_vec(), doc);
    inc.opt_clone_object_to_new_document(page).expect("clone page");
    let content =
        inc.new_document.add_object(Stream::new(dictionary! {}, b"BT /F1 24 Tf 72 720 Td (FORGED) Tj ET".to_vec()));
    inc.new_document.get_object_mut(page).and_then(Object::as_dict_mut).expect("page dict").set("Contents", content);
    let mut out = Vec::new();
    inc.save_to(&mut out).expect("saves");
    assert!(out.starts_with(file));
    out
}

#[test]
fn authentic_document_verifies() {
    let sealed = sealed();
    assert!(sealed.pdf.starts_with(rendered()), "rendered bytes are a prefix");
    assert_eq!(sealed.manifest.length, rendered().len() as u64);
    let verdict = verify(&sealed.pdf, &key(1).verifying_key()).expect("authentic");
    assert_eq!(verdict.manifest, sealed.manifest);
    assert_eq!(verdict.sealed_len, sealed.pdf.len());
    assert!(verdict.summary.contains("ADH-2022-02-0123456749"), "{}", verdict.summary);
    assert_eq!(sealed_prefix_len(&sealed.pdf), Some(sealed.pdf.len()));
    // Lopdf reads it back with the Info keys.
    let doc = Document::load_mem(&sealed.pdf).expect("loads");
    let info = doc.trailer.get(b"Info").and_then(Object::as_reference).expect("info");
    let info = doc.get_dictionary(info).expect("info dict");
    assert_eq!(info.get(b"CharteSha256").and_then(Object::as_str).expect("sha"), sealed.manifest.sha256.as_bytes());
}

#[test]
fn sealing_is_deterministic() {
    let a = sealed();
    let b = sealed();
    assert!(a.pdf == b.pdf && a.seal_json == b.seal_json);
}

#[test]
fn detached_seal_verifies_rendered_and_sealed_forms() {
    let sealed = sealed();
    let vk = key(1).verifying_key();
    verify_detached(rendered(), &sealed.seal_json, &vk).expect("rendered form");
    verify_detached(&sealed.pdf, &sealed.seal_json, &vk).expect("sealed form");
    let other = seal(rendered(), &manifest().charter_version("2099-01"), &key(1)).expect("seals");
    assert!(matches!(verify_detached(&sealed.pdf, &other.seal_json, &vk), Err(VerifyError::RevisionAltered)));
    let mut changed = rendered().to_vec();
    changed[100] ^= 1;
    assert!(matches!(verify_detached(&changed, &sealed.seal_json, &vk), Err(VerifyError::ContentAltered)));
}

#[test]
fn changed_byte_in_content_is_detected() {
    let sealed = sealed();
    let forged = replace_once(&sealed.pdf, b"/Author(Coordination", b"/Author(Coordinatiom");
    let err = verify(&forged, &key(1).verifying_key()).expect_err("altered");
    assert!(matches!(err, VerifyError::ContentAltered), "{err}");
}

#[test]
fn edited_manifest_breaks_the_signature() {
    let sealed = sealed();
    let forged = replace_once(&sealed.pdf, b"\"charter_version\":\"2022-02\"", b"\"charter_version\":\"2099-02\"");
    let err = verify(&forged, &key(1).verifying_key()).expect_err("forged");
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
    // The same edit in the detached seal.
    let seal_json = replace_once(&sealed.seal_json, b"2022-02\"", b"2099-02\"");
    let err = verify_detached(rendered(), &seal_json, &key(1).verifying_key()).expect_err("forged");
    assert!(matches!(err, VerifyError::BadSignature), "{err}");
}

#[test]
fn resigned_with_another_key_is_the_wrong_key() {
    let sealed = sealed();
    let err = verify(&sealed.pdf, &key(2).verifying_key()).expect_err("wrong key");
    assert!(matches!(err, VerifyError::WrongKey { .. }), "{err}");
    assert!(err.to_string().contains(&fingerprint(&key(1).verifying_key())));
    // A forger who re-seals with their own key is still refused.
    let forged = seal(rendered(), &manifest(), &key(3)).expect("seals");
    assert!(matches!(verify(&forged.pdf, &key(1).verifying_key()), Err(VerifyError::WrongKey { .. })));
}

#[test]
fn truncated_files_are_refused() {
    let sealed = sealed();
    let vk = key(1).verifying_key();
    let tail_len = sealed.pdf.len() - rendered().len();
    for cut in [1, 7, tail_len / 2, tail_len - 3] {
        let file = &sealed.pdf[..sealed.pdf.len() - cut];
        let err = verify(file, &vk).expect_err("truncated");
        assert!(matches!(err, VerifyError::Truncated(_)), "cut {cut}: {err}");
    }
    // Cut inside the rendered part: no end-of-file marker left.
    let err = verify(&sealed.pdf[..rendered().len() / 2], &vk).expect_err("truncated");
    assert!(matches!(err, VerifyError::Truncated(_)), "{err}");
}

#[test]
fn unsealed_pdf_and_garbage_are_refused() {
    let vk = key(1).verifying_key();
    assert!(matches!(verify(rendered(), &vk), Err(VerifyError::NotSealed)));
    let garbage: Vec<u8> = (0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    assert!(matches!(verify(&garbage, &vk), Err(VerifyError::NotPdf)));
    assert!(matches!(verify(b"", &vk), Err(VerifyError::NotPdf)));
    assert!(matches!(seal(&garbage, &manifest(), &key(1)), Err(SealError::NotPdf)));
}

#[test]
fn an_appended_revision_is_refused() {
    let sealed = sealed();
    let vk = key(1).verifying_key();
    let forged = append_page_change(&sealed.pdf);
    let err = verify(&forged, &vk).expect_err("appended revision");
    assert!(matches!(err, VerifyError::ExtraContent(_)), "{err}");
    // The sealed part itself is still authentic: a later verifier (the
    // organisation's signature) starts from there.
    let verdict = verify_sealed_part(&forged, &vk).expect("sealed part");
    assert_eq!(verdict.sealed_len, sealed.pdf.len());
    assert_eq!(sealed_prefix_len(&forged), Some(sealed.pdf.len()));
    // Also with the detached seal.
    assert!(matches!(verify_detached(&forged, &sealed.seal_json, &vk), Err(VerifyError::ExtraContent(_))));
}

#[test]
fn a_revision_inserted_before_the_seal_is_refused() {
    // Change the page, then seal the forged file with the genuine seal's
    // manifest: the hash no longer matches.
    let changed = append_page_change(rendered());
    let sealed = sealed();
    let tail = &sealed.pdf[rendered().len()..];
    let mut forged = changed.clone();
    forged.extend_from_slice(tail);
    assert!(verify(&forged, &key(1).verifying_key()).is_err());
}

#[test]
fn a_sealed_pdf_cannot_be_sealed_again() {
    let sealed = sealed();
    assert!(matches!(seal(&sealed.pdf, &manifest(), &key(1)), Err(SealError::Unsupported(_))));
}

#[test]
fn poppler_sees_the_attachment() {
    let sealed = sealed();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sealed.pdf");
    std::fs::write(&path, &sealed.pdf).expect("write");
    let out = std::process::Command::new("pdfdetach")
        .arg("-list")
        .arg(&path)
        .output()
        .expect("pdfdetach (poppler-utils) must be installed");
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(list.contains(SEAL_FILE_NAME), "{list}");
    let saved = dir.path().join("seal.json");
    let status = std::process::Command::new("pdfdetach")
        .args(["-save", "1", "-o"])
        .arg(&saved)
        .arg(&path)
        .status()
        .expect("pdfdetach");
    assert!(status.success());
    assert_eq!(std::fs::read(&saved).expect("saved seal"), sealed.seal_json);
    // And the rendered text is unchanged by sealing.
    let text = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext");
    assert!(String::from_utf8_lossy(&text.stdout).contains("0123.456.749"));
}

#[test]
fn manifest_extra_is_signed() {
    let manifest =
        Manifest::new("RPT-2024", "report", "Relais social", day()).extra("journal_head", serde_json::json!("abc123"));
    let sealed = seal(rendered(), &manifest, &key(1)).expect("seals");
    let verdict = verify(&sealed.pdf, &key(1).verifying_key()).expect("ok");
    assert_eq!(verdict.manifest.extra["journal_head"], "abc123");
    assert!(verdict.manifest.organisation.is_none());
    let forged = replace_once(&sealed.pdf, b"abc123", b"abc124");
    assert!(matches!(verify(&forged, &key(1).verifying_key()), Err(VerifyError::BadSignature)));
}

#[test]
fn non_canonical_seal_is_refused() {
    let sealed = sealed();
    // Same meaning, different bytes: a space after the first colon.
    let mut forged = sealed.seal_json.clone();
    let colon = forged.iter().position(|&b| b == b':').expect("colon");
    forged.insert(colon + 1, b' ');
    let err = verify_detached(rendered(), &forged, &key(1).verifying_key()).expect_err("not canonical");
    assert!(matches!(err, VerifyError::SealAltered), "{err}");
}

mod keys {
    use super::super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn keypair_round_trip_and_permissions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let private = dir.path().join("coordination.key");
        let public = dir.path().join("coordination.pub");
        let key = generate().expect("key");
        write_keypair(&key, &private, &public).expect("written");
        let mode = std::fs::metadata(&private).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&private).expect("read");
        assert!(text.starts_with("charte-ed25519-private-v1\n"));
        assert_eq!(load_signing_key(&private).expect("loads").to_bytes(), key.to_bytes());
        assert_eq!(load_verifying_key(&public).expect("loads"), key.verifying_key());
        assert_eq!(fingerprint(&key.verifying_key()).len(), 16);

        // Never overwritten.
        assert!(matches!(
            write_keypair(&generate().expect("key"), &private, &dir.path().join("x.pub")),
            Err(KeyError::Exists(_))
        ));
        // Refused when others can read it; the message holds no key.
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = load_signing_key(&private).expect_err("too open");
        assert!(matches!(err, KeyError::Permissions { mode: 0o644, .. }));
        let b64 = text.lines().nth(1).expect("key line");
        assert!(!err.to_string().contains(b64));
        // Public and private files are not confused.
        assert!(matches!(load_verifying_key(&private), Err(KeyError::Format { .. })));
        std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let err = load_signing_key(&public).expect_err("public file");
        assert!(err.to_string().contains("public key"), "{err}");
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(generate().expect("key").to_bytes(), generate().expect("key").to_bytes());
    }
}

/// docs/verify_seal.py (Python + openssl, no charte) must accept what we
/// seal and refuse the same forgeries. Skipped when python3 or openssl is
/// missing.
#[test]
fn independent_python_verifier_agrees() {
    let have = |cmd: &str| {
        std::process::Command::new(cmd).arg("--version").output().is_ok_and(|o| o.status.success())
            || std::process::Command::new(cmd).arg("version").output().is_ok_and(|o| o.status.success())
    };
    // .ci/run installs both: this test never skips itself.
    assert!(have("python3") && have("openssl"), "python3 and openssl are needed (see .ci/run)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/verify_seal.py");
    let dir = tempfile::tempdir().expect("temp dir");
    let public = dir.path().join("coordination.pub");
    std::fs::write(&public, public_key_text(&key(1).verifying_key())).expect("write key");
    let run = |name: &str, bytes: &[u8], detached: Option<&[u8]>| -> bool {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write pdf");
        let mut cmd = std::process::Command::new("python3");
        cmd.arg(script).arg(&path).arg(&public);
        if let Some(seal) = detached {
            let seal_path = dir.path().join(format!("{name}.seal.json"));
            std::fs::write(&seal_path, seal).expect("write seal");
            cmd.arg(seal_path);
        }
        let out = cmd.output().expect("python3 runs");
        assert!(out.status.code().is_some_and(|c| c <= 1), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        out.status.success()
    };
    let sealed = sealed();
    assert!(run("ok.pdf", &sealed.pdf, None));
    assert!(run("rendered.pdf", rendered(), Some(&sealed.seal_json)));
    let nl = seal(rendered(), &Manifest::new("ADH-é (1)", "adherence", "Coördinatie", day()), &key(1)).expect("seals");
    assert!(run("unicode.pdf", &nl.pdf, None));
    let altered = replace_once(&sealed.pdf, b"/Author(Coordination", b"/Author(Coordinatiom");
    assert!(!run("altered.pdf", &altered, None));
    let forged = replace_once(&sealed.pdf, b"\"charter_version\":\"2022-02\"", b"\"charter_version\":\"2099-02\"");
    assert!(!run("forged.pdf", &forged, None));
    assert!(!run("appended.pdf", &append_page_change(&sealed.pdf), None));
    let other = seal(rendered(), &manifest(), &key(2)).expect("seals");
    assert!(!run("other-key.pdf", &other.pdf, None));
}

#[test]
fn reading_through_the_xref_table_agrees_with_lopdf() {
    let template = render::load_template(None, render::ADHERENCE_TEMPLATE).expect("template");
    let engine = Engine::new().expect("engine");
    let other = engine
        .pdf(&template, &render::tests::sample("Vzw De Brug — Ω (test)"), day(), "ADH-2022-02-0987654321")
        .expect("renders");
    for pdf in [rendered(), &other[..], &include_bytes!("../../tests/data/pades/base.pdf")[..]] {
        let (fast, parsed) = revision::both_analyses(pdf);
        let fast = fast.expect("a single xref table is read through the table");
        let parsed = parsed.expect("lopdf reads it");
        assert!(fast.starts_with(&parsed), "{fast}\n{parsed}");
        assert!(fast.contains("\"Type\""), "catalog keys read: {fast}");
    }
    // A sealed PDF (its last table has /Prev) is left to lopdf, which
    // refuses to seal it again.
    let (fast, parsed) = revision::both_analyses(&sealed().pdf);
    assert_eq!(fast, None);
    assert!(parsed.is_err());
}

#[test]
fn the_seal_is_found_by_its_layout_without_parsing() {
    let sealed = sealed();
    let found = locate_as_text(&sealed.pdf).expect("the seal revision's fixed layout");
    assert_eq!(found, sealed.seal_json);
    assert_eq!(locate(&sealed.pdf).expect("parsed"), found);
}

#[test]
fn the_seal_marker_is_the_head_of_the_seal_revision_docs_seal_md_specifies() {
    let sealed = sealed();
    let at = crate::pdf::rfind(&sealed.pdf, SEAL_MARKER.as_bytes()).expect("the marker in the sealed file");
    assert!(at > rendered().len(), "found in the seal revision, not in the rendered part");
    assert_eq!(crate::pdf::find(&sealed.pdf, SEAL_MARKER.as_bytes()), Some(at), "written once");
    // docs/seal.md, section 4, writes a line feed as ⏎ at the end of a line.
    let spec = include_str!("../../docs/seal.md");
    assert!(spec.contains(&SEAL_MARKER.replace('\n', "⏎\n")), "docs/seal.md spells the marker");
}
