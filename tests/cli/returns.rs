//! Returns that are not proof enough by themselves (DESIGN.md): a PAdES
//! signature whose certificate does not lead to a trusted root, or is not
//! the representative's, waits for the coordinator's confirmation and
//! counts for nothing until then; `charte returns` confirms, rejects and
//! revokes, each journaled. Real certificates, signed by pyHanko.

use crate::collect::{WOLU_DOC, issued, member, pades_sign_with};
use crate::harness::*;

/// Résidence Les Primevères: a participant whose representative is David Gillet.
const PRIMEVERES: &str = "0763.999.417";
const PRIMEVERES_DOC: &str = "out/adherence/0763999417-residence-les-primeveres-2022-02.pdf";

fn members_counted(t: &Test) -> serde_json::Value {
    t.run(["report", "annual", "--year", "2026", "--json"]).success().json()["organisations"]["members"].clone()
}

fn trust(t: &Test, certs: &str) {
    std::fs::create_dir_all(t.path("keys/trusted-roots")).unwrap();
    std::fs::copy(t.path(&format!("{certs}/root.der")), t.path(&format!("keys/trusted-roots/{certs}.der"))).unwrap();
}

/// Issue 13, point 3: a self-signed certificate named "Roi Philippe
/// (Signature)" made an organisation a member, though it has a registered
/// key of its own.
#[test]
fn a_self_signed_certificate_in_the_kings_name_waits_and_counts_for_nothing_until_confirmed() {
    let t = issued();
    pades_sign_with(&t, WOLU_DOC, "roi.pdf", "roi", &["--name", "Roi Philippe (Signature)", "--self-signed"]);
    let members_before = members_counted(&t);
    let run = t
        .run(["collect", "roi.pdf"])
        .success()
        .stdout_has("Roi Philippe (Signature)")
        .stdout_has("keys/trusted-roots")
        .stdout_has("waiting for your confirmation: charte returns confirm");
    let id = pending_id(&run.stdout);
    let m = member(&t, "0631.119.315");
    assert_eq!(m["status"], "participant", "{m}");
    assert!(m["signed_version"].is_null(), "{m}");
    assert_eq!(m["adherences"].as_array().unwrap().len(), 0, "{m}");
    assert_eq!(m["returns"][0]["state"], "waiting");
    t.run(["members", "show", "0631.119.315"]).success().stdout_has("waiting for your confirmation");
    assert_eq!(members_counted(&t), members_before, "a waiting return counts nowhere");
    // The list of returns waiting.
    let listed = t.run(["returns", "--json"]).success().json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["id"].to_string(), id);
    assert_eq!(listed[0]["enterprise_number"], "0631.119.315");
    assert_eq!(listed[0]["signer"], "Roi Philippe (Signature)");
    assert_eq!(listed[0]["state"], "waiting");
    t.run(["returns"]).success().stdout_has("1 return(s) waiting").stdout_has(&format!("charte returns confirm {id}"));
    // The same file again changes nothing.
    let len = t.journal_len();
    t.run(["collect", "roi.pdf"]).success().stdout_has("1 already known");
    assert_eq!(t.journal_len(), len);

    // Confirmed: it counts, and the participant is a member.
    t.run(["returns", "confirm", &id]).success().stdout_has("now member");
    let m = member(&t, "0631.119.315");
    assert_eq!((m["status"].as_str(), m["signed_version"].as_str()), (Some("member"), Some("2022-02")));
    assert_eq!(m["adherences"][0]["method"], "pades");
    assert_ne!(members_counted(&t), members_before);
    t.run(["returns", "confirm", &id]).code(2).stderr_has("is confirmed").stderr_has("nothing was changed");
    assert_eq!(t.run(["returns", "--json"]).success().json().as_array().unwrap().len(), 0);

    // Revoked: a confirmation given by mistake, journaled, never erased.
    let len = t.journal_len();
    t.run(["returns", "revoke", &id, "--reason", "certificat auto-signé, pas une eID"])
        .success()
        .stdout_has("participant again");
    assert_eq!(t.journal_len(), len + 1);
    let m = member(&t, "0631.119.315");
    assert_eq!(m["status"], "participant", "{m}");
    assert!(m["signed_version"].is_null(), "{m}");
    assert_eq!(m["adherences"].as_array().unwrap().len(), 0, "{m}");
    assert_eq!(members_counted(&t), members_before);
    let history: Vec<&str> = m["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in ["return-pending", "return-confirmed", "return-revoked"] {
        assert!(history.contains(&kind), "{kind} in {history:?}");
    }
    let all = t.run(["returns", "--all", "--json"]).success().json();
    assert_eq!(all[0]["state"], "revoked");
    assert_eq!(all[0]["note"], "certificat auto-signé, pas une eID");
    t.run(["returns", "revoke", &id, "--reason", "again"]).code(2).stderr_has("is revoked");
    t.run(["returns", "confirm", "999"]).code(2).stderr_has("no return #999");
    t.run(["audit"]).success();
}

#[test]
fn a_rejected_return_is_journaled_and_never_counts() {
    let t = issued();
    pades_sign_with(&t, WOLU_DOC, "roi.pdf", "roi", &["--name", "Roi Philippe (Signature)", "--self-signed"]);
    let id = pending_id(&t.run(["collect", "roi.pdf"]).success().stdout);
    t.run(["returns", "reject", &id, "--reason", "  "]).code(2).stderr_has("--reason");
    let len = t.journal_len();
    t.run(["returns", "reject", &id, "--reason", "not signed by the association"]).success().stdout_has("rejected");
    assert_eq!(t.journal_len(), len + 1, "the refusal is journaled");
    let all = t.run(["returns", "--all", "--json"]).success().json();
    assert_eq!(
        (all[0]["state"].as_str(), all[0]["note"].as_str()),
        (Some("rejected"), Some("not signed by the association"))
    );
    t.run(["returns", "confirm", &id]).code(2).stderr_has("is rejected");
    assert!(member(&t, "0631.119.315")["signed_version"].is_null());
    let len = t.journal_len();
    t.run(["collect", "roi.pdf"]).success().stdout_has("1 already known");
    assert_eq!(t.journal_len(), len);
}

/// A chain to a trusted root proves who the signer is; it must still be
/// the organisation's representative.
#[test]
fn a_trusted_chain_waits_unless_the_signer_is_the_representative() {
    let t = issued();
    pades_sign_with(&t, PRIMEVERES_DOC, "other.pdf", "chain-a", &["--name", "Luc Peeters (Signature)"]);
    trust(&t, "chain-a");
    t.run(["collect", "other.pdf"])
        .success()
        .stdout_has("representative on the roster is David Gillet")
        .stdout_has("waiting for your confirmation");
    assert_eq!(member(&t, PRIMEVERES)["status"], "participant");
    // The representative, names in another order, in capitals, with the
    // eID's "(Signature)": counts at once.
    pades_sign_with(&t, PRIMEVERES_DOC, "gillet.pdf", "chain-b", &["--name", "GILLET David (Signature)"]);
    trust(&t, "chain-b");
    t.run(["collect", "gillet.pdf"]).success().stdout_has("1 accepted").stdout_has("now member");
    let m = member(&t, PRIMEVERES);
    assert_eq!((m["status"].as_str(), m["signed_version"].as_str()), (Some("member"), Some("2022-02")));
    // Accents are ignored too: Céline Bouzid of Tomberg-Roodebeek.
    let tomberg = "out/adherence/0845285318-maison-medicale-tomberg-roodebeek-2022-02.pdf";
    pades_sign_with(&t, tomberg, "bouzid.pdf", "chain-c", &["--name", "Bouzid Celine (Authentication)"]);
    trust(&t, "chain-c");
    t.run(["collect", "bouzid.pdf"]).success().stdout_has("1 accepted");
    assert_eq!(member(&t, "0845.285.318")["signed_version"], "2022-02");
}

/// A broken keys/trusted-roots/ is an error naming it, never "no chain check".
#[test]
fn an_unreadable_trusted_roots_folder_is_an_error_naming_it() {
    let t = issued();
    pades_sign_with(&t, PRIMEVERES_DOC, "gillet.pdf", "chain", &["--name", "David Gillet (Signature)"]);
    let before = t.snapshot();
    let roots = t.path("keys/trusted-roots");
    // A file where the folder should be.
    std::fs::write(&roots, b"not a folder").unwrap();
    t.run(["collect", "gillet.pdf"]).code(2).stderr_has("keys/trusted-roots").stderr_has("nothing was changed");
    std::fs::remove_file(&roots).unwrap();
    // A symbolic link that loops.
    std::os::unix::fs::symlink(&roots, &roots).unwrap();
    t.run(["collect", "gillet.pdf"]).code(2).stderr_has("keys/trusted-roots");
    std::fs::remove_file(&roots).unwrap();
    // A PEM file that does not parse, and a file that is no certificate.
    std::fs::create_dir_all(&roots).unwrap();
    std::fs::write(
        roots.join("belgiumrca4.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    t.run(["collect", "gillet.pdf"]).code(2).stderr_has("belgiumrca4.pem");
    t.run(["verify", "gillet.pdf"]).code(2).stderr_has("belgiumrca4.pem");
    std::fs::write(roots.join("belgiumrca4.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        .unwrap();
    t.run(["collect", "gillet.pdf"]).code(2).stderr_has("belgiumrca4.pem");
    std::fs::remove_file(roots.join("belgiumrca4.pem")).unwrap();
    std::fs::write(roots.join("notes.txt"), "the eID roots").unwrap();
    t.run(["collect", "gillet.pdf"]).code(2).stderr_has("notes.txt");
    assert_eq!(t.snapshot(), before, "nothing was changed");
    // Fixed: the chain is checked and the representative's signature counts.
    std::fs::remove_file(roots.join("notes.txt")).unwrap();
    trust(&t, "chain");
    t.run(["collect", "gillet.pdf"]).success().stdout_has("1 accepted");
}

/// A confirmation revoked stops counting from that day: the days it
/// counted stay as they were, a past year's figures too.
#[test]
fn a_revoked_confirmation_counted_until_its_revocation() {
    let t = Test::fixture("ans").at("2026-03-01");
    t.run(["members", "import", "roster.csv"]).success();
    let number = t.members()[0]["enterprise_number"].as_str().unwrap().to_owned();
    t.run(["keys", "init"]).success();
    t.run(["issue", &number]).success();
    std::fs::write(t.path("scan.pdf"), "paper").unwrap();
    let run = t.run(["collect", "scan.pdf", "--scan", &number]).success();
    let id = pending_id(&run.stdout);
    t.run(["returns", "confirm", &id]).success();
    let year_end = t.run_at("2026-12-31", ["report", "annual", "--year", "2026", "--json"]).success().json();
    assert_eq!(year_end["organisations"]["members"], 1);
    assert_eq!(year_end["organisations"]["new_adherences"], 1);
    t.run_at("2027-01-10", ["returns", "revoke", &id, "--reason", "signature d'une autre personne"]).success();
    let again = t.run_at("2027-01-10", ["report", "annual", "--year", "2026", "--json"]).success().json();
    assert_eq!(again["organisations"], year_end["organisations"], "2026 stays as it was");
    assert_eq!(again["membership"], year_end["membership"]);
    let m = t.run_at("2027-01-10", ["members", "show", &number, "--json"]).success().json();
    assert!(m["signed_version"].is_null(), "it no longer counts: {m}");
    let r2027 = t.run_at("2027-01-10", ["report", "annual", "--year", "2027", "--json"]).success().json();
    assert_eq!(r2027["organisations"]["members"], 0);
}
