//! The web signature (issue 18; docs/seal.md, "The web signature"): the
//! action the signing page calls ([`charte::app::App::sign_on_the_web`],
//! driven here through the library, as the server will), then the real
//! binary: `charte verify` and docs/verify_seal.py say who signed, the
//! journal counts it once, `charte collect` of a copy mailed back is
//! already known, and every forgery is refused naming what does not hold.

use charte::app::App;
use charte::app::collect::What;
use charte::app::web_sign::{WebSigned, WebSigning};

use crate::collect::{WOLU_DOC, issued, member};
use crate::harness::*;
use crate::verify::verify_seal_py_with;

const KEY: &str = "keys/coordination.pub";
const DOC_ID: &str = "CSWSL-2022-02-0631119315";
const WOLU: &str = "0631.119.315";
const EMAIL: &str = "accueil@wolu-entraide.example.be";

pub(crate) fn signing(signer: &str, at: &str) -> WebSigning {
    WebSigning {
        enterprise_number: WOLU.into(),
        document_id: DOC_ID.into(),
        signer: signer.into(),
        capacity: "présidente".into(),
        mandate: true,
        email: EMAIL.into(),
        ip_address: "203.0.113.7".into(),
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0".into(),
        at: chrono::DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&chrono::Utc),
    }
}

pub(crate) fn sign_on_the_web(t: &Test, input: &WebSigning) -> charte::Result<WebSigned> {
    sign_on_the_web_on(t, "2026-02-01", input)
}

fn sign_on_the_web_on(t: &Test, day: &str, input: &WebSigning) -> charte::Result<WebSigned> {
    App::writer(&t.ws, day.parse().unwrap())?.sign_on_the_web(input)
}

/// The signed PDF's path, relative to the workspace.
fn rel(t: &Test, signed: &WebSigned) -> String {
    signed.path.strip_prefix(&t.ws).unwrap().display().to_string()
}

#[test]
fn a_web_signature_makes_the_participant_a_member_and_verifies_anywhere() {
    let t = issued();
    assert_eq!(member(&t, WOLU)["status"], "participant");
    let signed = sign_on_the_web(&t, &signing("Anne Lambert", "2026-02-01T10:15:00Z")).unwrap();
    assert!(matches!(signed.what, What::Accepted { .. }), "{:?}", signed.what);
    assert_eq!(signed.new_status(), Some(charte::roster::Status::Member));
    assert_eq!(member(&t, WOLU)["status"], "member");
    let file = rel(&t, &signed);
    assert!(file.starts_with("out/signed/CSWSL-2022-02-0631119315-web-"), "{file}");
    let (issued_bytes, signed_bytes) = (std::fs::read(t.path(WOLU_DOC)).unwrap(), std::fs::read(&signed.path).unwrap());
    assert!(signed_bytes.starts_with(&issued_bytes), "the issued bytes unchanged, then the signature");
    let qpdf = std::process::Command::new("qpdf").arg("--check").arg(&signed.path).output().unwrap();
    assert!(qpdf.status.success(), "qpdf --check: {}", String::from_utf8_lossy(&qpdf.stdout));
    // The journal holds commitments, never the address, the IP address or
    // the user agent; `charte erase` clears them and the chain holds.
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let payload: String =
        conn.query_row("SELECT payload FROM journal WHERE kind = 'adherence-collected'", [], |r| r.get(0)).unwrap();
    drop(conn);
    for personal in [EMAIL, "203.0.113.7", "Firefox/140.0"] {
        assert!(!payload.contains(personal), "{personal} in the clear: {payload}");
    }
    let details: serde_json::Value = serde_json::from_str(&payload).unwrap();
    let details = &details["adherence"]["details"];
    assert_eq!(details["capacity"], "présidente", "{payload}");
    for field in ["email", "ip_address", "user_agent"] {
        assert!(details[field].as_str().is_some_and(|c| c.starts_with("sha256:")), "{field}: {payload}");
    }
    t.run(["erase", "203.0.113.7", "--reason", "request 3"])
        .success()
        .stdout_has("1 IP address")
        .stdout_has("1 adherence-collected");
    t.run(["audit"]).success();

    t.run(["verify", &file, "--key", KEY])
        .success()
        .stdout_has("authentic — sealed by Coordination sociale de Woluwe-Saint-Lambert on 2026-02-01")
        .stdout_has("then signed by Anne Lambert (présidente) on the signing page on 2026-02-01T10:15:00Z")
        .stdout_has(&format!("the code mailed to {EMAIL}; the coordination vouches for it"));
    let json = t.run(["verify", &file, "--key", KEY, "--json"]).success().json();
    assert_eq!(json["signature"]["method"], "web");
    assert_eq!(json["signature"]["signer"], "Anne Lambert");
    assert_eq!(json["signature"]["capacity"], "présidente");
    assert_eq!(json["signature"]["email"], EMAIL);
    assert_eq!(json["signature"]["signed_at"], "2026-02-01T10:15:00Z");
    let (code, out) = verify_seal_py_with(&signed.path, &t.path(KEY), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("then signed by Anne Lambert (présidente) on the signing page"), "{out}");

    // The copy mailed back is the very file recorded: nothing changes.
    t.run(["collect", &file]).success().stdout_has("already");
    // A second signature on the page: valid, recorded, counted nowhere.
    let again = sign_on_the_web(&t, &signing("Paul Lambert", "2026-02-01T11:00:00Z")).unwrap();
    assert!(matches!(again.what, What::Duplicate { .. }), "{:?}", again.what);
    assert_eq!(again.new_status(), None);
    assert_ne!(again.path, signed.path, "a name of its own");
}

#[test]
fn a_web_signature_collected_elsewhere_counts_like_any_return() {
    // Signed in one copy of the workspace, collected in another that never
    // recorded it (a workspace restored from an older backup).
    let t = issued();
    let other = Test::empty();
    copy_dir(&t.ws, &other.ws);
    let signed = sign_on_the_web(&other, &signing("Anne Lambert", "2026-02-01T10:15:00Z")).unwrap();
    std::fs::copy(&signed.path, t.path("returned.pdf")).unwrap();
    t.run(["collect", "returned.pdf"]).success();
    assert_eq!(member(&t, WOLU)["status"], "member");
}

#[test]
fn forged_web_signatures_are_refused_naming_what_does_not_hold() {
    let t = issued();
    let signed = sign_on_the_web(&t, &signing("Anne Lambert", "2026-02-01T10:15:00Z")).unwrap();
    let bytes = std::fs::read(&signed.path).unwrap();
    let issued_len = std::fs::read(t.path(WOLU_DOC)).unwrap().len();
    let check = |name: &str, forged: &[u8], says: &str| {
        std::fs::write(t.path(name), forged).unwrap();
        t.run(["verify", name, "--key", KEY]).code(1).stderr_has(says);
        let (code, out) = verify_seal_py_with(&t.path(name), &t.path(KEY), &[]);
        assert_eq!(code, 1, "verify_seal.py accepted {name}: {out}");
        t.run(["collect", name]).code(1).stderr_has(says);
    };
    // The signer's name changed, same length.
    let at = bytes.windows(12).position(|w| w == b"Anne Lambert").unwrap();
    let mut renamed = bytes.clone();
    renamed[at..at + 12].copy_from_slice(b"Jean Lambert");
    check("renamed.pdf", &renamed, "altered or forged");
    // Bytes appended after the signature.
    let mut appended = bytes.clone();
    appended.extend_from_slice(b"\n% later\n");
    check("appended.pdf", &appended, "modified after it was signed");
    // The same record, signed by another key than the coordination's.
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let manifest = charte::seal::read_manifest(&bytes).unwrap();
    let record = charte::seal::WebRecord::new(
        &manifest,
        "Anne Lambert",
        "présidente",
        EMAIL,
        chrono::DateTime::parse_from_rfc3339("2026-02-01T10:15:00Z").unwrap().with_timezone(&chrono::Utc),
    );
    let (by_stranger, _) = charte::seal::sign_web(&bytes[..issued_len], &record, &stranger).unwrap();
    check("stranger.pdf", &by_stranger, "not by the coordination's key");
    // Another document's record after this one's seal.
    let other_doc = "out/adherence/0250616524-cpas-de-woluwe-saint-lambert-2022-02.pdf";
    let other = std::fs::read(t.path(other_doc)).unwrap();
    let mut grafted = other.clone();
    grafted.extend_from_slice(&bytes[issued_len..]);
    std::fs::write(t.path("grafted.pdf"), &grafted).unwrap();
    t.run(["verify", "grafted.pdf", "--key", KEY]).code(1).stderr_has("NOT authentic");
}

#[test]
fn only_the_current_document_is_signed_and_only_with_the_registered_address() {
    let t = issued();
    let mut wrong_address = signing("Anne Lambert", "2026-02-01T10:15:00Z");
    wrong_address.email = "someone@elsewhere.example".into();
    let err = sign_on_the_web(&t, &wrong_address).unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    let mut other_doc = signing("Anne Lambert", "2026-02-01T10:15:00Z");
    other_doc.document_id = "CSWSL-2022-02-0250616524".into();
    let err = sign_on_the_web(&t, &other_doc).unwrap_err();
    assert!(err.to_string().contains("not this organisation's adherence document"), "{err}");
    let mut no_mandate = signing("Anne Lambert", "2026-02-01T10:15:00Z");
    no_mandate.mandate = false;
    assert!(sign_on_the_web(&t, &no_mandate).is_err());
    assert_eq!(member(&t, WOLU)["status"], "participant", "nothing recorded");
    assert!(!t.path("out/signed").exists() || std::fs::read_dir(t.path("out/signed")).unwrap().next().is_none());
}

#[test]
fn a_document_superseded_by_a_new_charter_version_is_not_signed() {
    let t = issued().at("2026-09-01");
    for lang in ["fr", "nl"] {
        let path = t.path(&format!("charter/{lang}.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\nNouvel article.\n")).unwrap();
    }
    t.run(["charter", "adopt", "2026-09", "--date", "2026-09-01"]).success();
    let err = sign_on_the_web_on(&t, "2026-09-01", &signing("Anne Lambert", "2026-09-01T08:00:00Z")).unwrap_err();
    assert!(err.to_string().contains("superseded by charter 2026-09"), "{err}");
    assert_eq!(err.exit_code(), 2);
    assert!(!t.path("out/signed").exists(), "no signed file written");
}
