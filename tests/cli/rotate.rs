//! `charte keys rotate`: a new coordination key, the old one retired after
//! signing a statement that names its successor. What the old key sealed
//! stays verifiable and usable (verify, collect, reminders); what the new
//! key seals carries the chain, so that whoever holds the old key verifies
//! it offline (charte verify and docs/verify_seal.py alike); trust goes
//! forward only; an altered statement, an interrupted rotation and a
//! rotation without a usable key are each handled by name.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use mail_parser::{MessageParser, MimeHeaders};

use crate::collect::{WOLU_DOC, issued, member};
use crate::harness::*;
use crate::verify::verify_seal_py_with;

const KEY: &str = "keys/coordination.pub";

/// The workspace's current key: its fingerprint, and a copy of its public
/// file outside the workspace (`NAME.pub` in the test's folder), as a
/// funder keeps it.
fn keep_key(t: &Test, name: &str) -> (String, PathBuf) {
    let copy = t.root.join(format!("{name}.pub"));
    std::fs::copy(t.path(KEY), &copy).unwrap();
    (fingerprint(&copy), copy)
}

/// The files of keys/`sub`/, sorted.
fn files(t: &Test, sub: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(t.path(&format!("keys/{sub}")))
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// Woluwe with its documents issued on 2026-02-01, then its key rotated on
/// 2026-03-01: the former key's fingerprint and public file (kept outside
/// the workspace), and the new key's fingerprint.
fn rotated() -> (Test, String, PathBuf, String) {
    let t = issued().at("2026-03-01");
    let (old, old_pub) = keep_key(&t, "old");
    t.run(["keys", "rotate"]).success();
    let new = fingerprint(&t.path(KEY));
    (t, old, old_pub, new)
}

/// A folder with nothing but what a funder has (no workspace).
fn elsewhere() -> Test {
    let t = Test::empty();
    std::fs::create_dir_all(&t.ws).unwrap();
    t
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn after_a_rotation_a_document_issued_before_verifies_in_the_workspace_and_with_the_former_key_only() {
    let t = issued().at("2026-03-01");
    let (old, _) = keep_key(&t, "old");
    let len = t.journal_len();
    let run = t.run(["keys", "rotate"]).success();
    let new = fingerprint(&t.path(KEY));
    assert_ne!(old, new);
    run.stdout_has(&format!("new key {new}"))
        .stdout_has(&format!("former key {old} retired on 2026-03-01"))
        .stdout_has("publish the new public key")
        .stdout_has("send them the statement");
    assert_eq!(t.journal_len(), len + 1, "one key-rotated entry");
    // The old pair kept as retired, the private half readable by its owner only.
    let retired = t.path(&format!("keys/retired/{old}.key"));
    assert_eq!(std::fs::metadata(&retired).unwrap().permissions().mode() & 0o777, 0o600);
    let loaded = charte::seal::load_signing_key(&retired).unwrap();
    assert_eq!(charte::seal::fingerprint(&loaded.verifying_key()), old, "the retired key is the old one, whole");
    assert_eq!(fingerprint(&t.path(&format!("keys/retired/{old}.pub"))), old);
    assert_eq!(files(&t, "rotations"), vec![format!("2026-03-01-{old}-{new}.json")]);
    assert!(!t.path("keys/next").exists(), "nothing left half-way");
    let private = std::fs::metadata(t.path("keys/coordination.key")).unwrap().permissions().mode() & 0o777;
    assert_eq!(private, 0o600);

    // In the workspace: valid, sealed with the former key, which is said.
    t.run(["verify", WOLU_DOC]).success().stdout_has("authentic").stdout_has(&format!(
        "sealed with the coordination's former key {old}, retired on 2026-03-01; the current key is {new}"
    ));
    let json = t.run(["verify", WOLU_DOC, "--json"]).success().json();
    assert_eq!(json["key"]["trusted_as"], "former");
    assert_eq!(json["key"]["fingerprint"], old.as_str());
    // With the new key alone: not valid, and why.
    t.run(["verify", WOLU_DOC, "--key", KEY])
        .code(1)
        .stderr_has("NOT authentic")
        .stderr_has("trust goes forward only")
        .stderr_has(&format!("keys/retired/{old}.pub"));
    // With the old key: valid, in the workspace and anywhere.
    let old_pub = t.path(&format!("keys/retired/{old}.pub"));
    t.run(["verify", WOLU_DOC, "--key", s(&old_pub)]).success().stdout_has("authentic");
    let doc = t.path(WOLU_DOC);
    elsewhere().run(["verify", s(&doc), "--key", s(&old_pub)]).success();
    elsewhere().run(["verify", s(&doc), "--key", s(&t.path(KEY))]).code(1).stderr_has("not with the given key");
    // verify_seal.py agrees.
    let (code, out) = verify_seal_py_with(&doc, &old_pub, &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = verify_seal_py_with(&doc, &t.path(KEY), &[]);
    assert_eq!(code, 1, "{out}");
    // A seal made with the retired key after its retirement (a stolen
    // key, say) is not the coordination's: its workspace knows the date.
    let seal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path(&WOLU_DOC.replace(".pdf", ".seal.json"))).unwrap()).unwrap();
    let mut manifest: charte::seal::Manifest = serde_json::from_value(seal["manifest"].clone()).unwrap();
    manifest.issued = "2026-03-02".into();
    let rendered = &std::fs::read(&doc).unwrap()[..manifest.length as usize];
    std::fs::write(t.path("late.pdf"), charte::seal::seal(rendered, &manifest, &loaded).unwrap().pdf).unwrap();
    for args in [&["verify", "late.pdf"][..], &["verify", "late.pdf", "--key", s(&old_pub)][..]] {
        t.run(args).code(1).stderr_has("after the coordination retired that key on 2026-03-01");
    }
    // The journal still audits: the rotation is an entry like any other.
    t.run(["audit"]).success();
}

#[test]
fn a_report_sealed_after_the_rotation_verifies_offline_with_the_former_key_through_the_chain_it_carries() {
    let (t, old, old_pub, new) = rotated();
    t.run(["report", "annual", "--year", "2025"]).success();
    let report = t.path("out/reports/annual-2025.pdf");
    let funder = elsewhere();
    funder
        .run(["verify", s(&report), "--key", s(&old_pub)])
        .success()
        .stdout_has(&format!("sealed with key {new}, the successor of the key given ({old})"))
        .stdout_has("carried in the document");
    let json = funder.run(["verify", s(&report), "--key", s(&old_pub), "--json"]).success().json();
    assert_eq!(json["key"]["trusted_as"], "successor");
    assert_eq!(json["manifest"]["extra"]["key_chain"].as_array().unwrap().len(), 1);
    let (code, out) = verify_seal_py_with(&report, &old_pub, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("the successor of the given key {old}")), "{out}");

    // A forger's key, the carried statement edited to name it: the old key
    // never signed that, and both verifiers say which statement fails.
    let seal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path("out/reports/annual-2025.seal.json")).unwrap()).unwrap();
    let mut manifest: charte::seal::Manifest = serde_json::from_value(seal["manifest"].clone()).unwrap();
    let forger = charte::seal::generate().unwrap();
    let statement = &mut manifest.extra.get_mut("key_chain").unwrap()[0]["statement"];
    statement["next_key"] = base64_of(forger.verifying_key().as_bytes()).into();
    statement["next_fingerprint"] = charte::seal::fingerprint(&forger.verifying_key()).into();
    let rendered = &std::fs::read(&report).unwrap()[..manifest.length as usize];
    let forged = charte::seal::seal(rendered, &manifest, &forger).unwrap();
    let file = funder.root.join("forged.pdf");
    std::fs::write(&file, &forged.pdf).unwrap();
    funder
        .run(["verify", s(&file), "--key", s(&old_pub)])
        .code(1)
        .stderr_has("key rotation statement key_chain[0] of the document")
        .stderr_has("does not verify");
    let (code, out) = verify_seal_py_with(&file, &old_pub, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("key_chain[0] of the document") && out.contains("does not verify"), "{out}");
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn a_return_signed_on_a_document_issued_before_the_rotation_is_collected_after_it() {
    let t = issued();
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let t = t.at("2026-03-01");
    let (old, _) = keep_key(&t, "old");
    t.run(["keys", "rotate"]).success();
    t.run(["verify", "signed.pdf"])
        .success()
        .stdout_has("then signed by Wolu-Entraide ASBL (own key")
        .stdout_has(&format!("former key {old}"));
    t.run(["collect", "signed.pdf"]).success().stdout_has("1 accepted");
    let m = member(&t, "0631.119.315");
    assert_eq!(m["signed_version"], "2022-02");
    // A document sealed by a stranger's key is still refused.
    t.run(["keys", "member", "--out", "stranger.key"]).success();
    let signed = std::fs::read(t.path("signed.pdf")).unwrap();
    let seal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path(&WOLU_DOC.replace(".pdf", ".seal.json"))).unwrap()).unwrap();
    let manifest: charte::seal::Manifest = serde_json::from_value(seal["manifest"].clone()).unwrap();
    let stranger = charte::seal::load_signing_key(&t.path("stranger.key")).unwrap();
    let resealed = charte::seal::seal(&signed[..manifest.length as usize], &manifest, &stranger).unwrap();
    std::fs::write(t.path("resealed.pdf"), &resealed.pdf).unwrap();
    t.run(["verify", "resealed.pdf"]).code(1).stderr_has("not with the given key");
}

#[test]
fn a_reminder_after_the_rotation_sends_the_document_sealed_before_it() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let (old, _) = keep_key(&t, "old");
    let t = t.at("2026-01-05");
    t.run(["run", "adhesion"]).success();
    t.run_at("2026-01-10", ["keys", "rotate"]).success();
    let t = t.at("2026-01-19");
    t.run(["run", "adhesion"]).success().stdout_has("remind");
    let reminder = std::fs::read_dir(t.path("out/outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(".remind.1."))
        .expect("a reminder");
    let eml = std::fs::read(reminder).unwrap();
    let message = MessageParser::default().parse(&eml).unwrap();
    let pdf = message.attachments().find(|a| a.content_type().is_some_and(|c| c.subtype() == Some("pdf"))).unwrap();
    std::fs::write(t.path("attached.pdf"), pdf.contents()).unwrap();
    t.run(["verify", "attached.pdf"]).success().stdout_has(&format!("former key {old}, retired on 2026-01-10"));
}

#[test]
fn two_rotations_make_a_chain_of_three_keys_each_trusting_only_those_after_it() {
    let t = issued().at("2026-03-01");
    let (k0, k0_pub) = keep_key(&t, "k0");
    t.run(["keys", "rotate"]).success();
    let (k1, k1_pub) = keep_key(&t, "k1");
    let t = t.at("2026-04-01");
    t.run(["keys", "rotate"]).success();
    let (k2, k2_pub) = keep_key(&t, "k2");
    let mut retired = vec![format!("{k0}.key"), format!("{k0}.pub"), format!("{k1}.key"), format!("{k1}.pub")];
    retired.sort();
    assert_eq!(files(&t, "retired"), retired);
    assert_eq!(files(&t, "rotations").len(), 2);
    t.run(["verify", WOLU_DOC])
        .success()
        .stdout_has(&format!("former key {k0}, retired on 2026-03-01; the current key is {k2}"));
    t.run(["report", "annual", "--year", "2025"]).success();
    let report = t.path("out/reports/annual-2025.pdf");
    let funder = elsewhere();
    funder
        .run(["verify", s(&report), "--key", s(&k0_pub)])
        .success()
        .stdout_has(&format!("sealed with key {k2}, the successor of the key given ({k0})"))
        .stdout_has("statements of 2026-03-01, 2026-04-01");
    funder.run(["verify", s(&report), "--key", s(&k1_pub)]).success().stdout_has("statement of 2026-04-01");
    funder.run(["verify", s(&report), "--key", s(&k2_pub)]).success();
    for key in [&k0_pub, &k1_pub, &k2_pub] {
        let (code, out) = verify_seal_py_with(&report, key, &[]);
        assert_eq!(code, 0, "{}: {out}", key.display());
    }
    // The document of February: the middle key does not vouch for the first.
    t.run(["verify", WOLU_DOC, "--key", s(&k1_pub)]).code(1).stderr_has("trust goes forward only");
    assert_eq!(verify_seal_py_with(&t.path(WOLU_DOC), &k1_pub, &[]).0, 1);
    // A document sealed with the middle key: its own statement only.
    let seal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path("out/reports/annual-2025.seal.json")).unwrap()).unwrap();
    assert_eq!(seal["manifest"]["extra"]["key_chain"].as_array().unwrap().len(), 2);
    assert_eq!(seal["manifest"]["key_fingerprint"], k2.as_str());
    t.run(["audit"]).success();
}

#[test]
fn a_rotation_statement_edited_by_one_byte_is_refused_by_name_and_nothing_is_sealed() {
    let (t, old, old_pub, new) = rotated();
    let name = files(&t, "rotations").remove(0);
    let path = t.path(&format!("keys/rotations/{name}"));
    // The statement as sent to the funder: checked with the key it retires, by both verifiers.
    elsewhere()
        .run(["verify", s(&path), "--key", s(&old_pub)])
        .success()
        .stdout_has(&format!("key {old} retired on 2026-03-01, succeeded by key {new}"));
    assert_eq!(verify_seal_py_with(&path, &old_pub, &[]).0, 0);
    // Never with the key it names: trust goes forward only.
    elsewhere().run(["verify", s(&path), "--key", s(&t.path(KEY))]).code(1).stderr_has("the key it retires");
    assert_eq!(verify_seal_py_with(&path, &t.path(KEY), &[]).0, 1);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(12).position(|w| w == b"Coordination").unwrap();
    bytes[at] = b'K';
    std::fs::write(&path, &bytes).unwrap();
    let before = (t.snapshot(), t.out_files());
    t.run(["verify", WOLU_DOC])
        .code(1)
        .stderr_has(&format!("key rotation statement keys/rotations/{name}"))
        .stderr_has("does not verify");
    for args in [&["report", "annual", "--year", "2025"][..], &["keys", "rotate"][..], &["issue", "--all"][..]] {
        t.run(args).code(1).stderr_has(&format!("keys/rotations/{name}"));
    }
    assert_eq!((t.snapshot(), t.out_files()), before, "nothing was changed");
    elsewhere().run(["verify", s(&path), "--key", s(&old_pub)]).code(1).stderr_has("does not verify");
    let (code, out) = verify_seal_py_with(&path, &old_pub, &[]);
    assert!(code == 1 && out.contains("does not verify"), "{out}");
    // Gone altogether: named too.
    std::fs::remove_file(&path).unwrap();
    t.run(["verify", WOLU_DOC]).code(1).stderr_has(&format!("keys/rotations/{name}: it cannot be read"));
}

#[test]
fn rotate_without_a_usable_key_is_refused_and_changes_nothing() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    let before = t.snapshot();
    t.run(["keys", "rotate"]).code(2).stderr_has("charte keys init").stderr_has("nothing was changed");
    t.run(["keys", "init"]).success();
    let key = t.path("keys/coordination.key");
    let original = std::fs::read(&key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    t.run(["keys", "rotate"]).code(2).stderr_has("accessible by other users");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(&key, b"not a key\n").unwrap();
    t.run(["keys", "rotate"]).code(2).stderr_has("not a charte private key file");
    std::fs::write(&key, &original).unwrap();
    t.run(["keys", "member", "--out", "other.key"]).success();
    let public = std::fs::read(t.path(KEY)).unwrap();
    std::fs::copy(t.path("other.key.pub"), t.path(KEY)).unwrap();
    t.run(["keys", "rotate"]).code(2).stderr_has("does not match");
    std::fs::write(t.path(KEY), public).unwrap();
    assert_eq!(t.snapshot(), before, "nothing journaled");
    assert_eq!(files(&t, ""), vec!["coordination.key", "coordination.pub"], "nothing written in keys/");
}

/// The journal's commit is the rotation: stopped after it, the new key is
/// put in place by whatever seals next, or by `charte keys rotate` again
/// (which makes no other key); stopped before it, what was left is
/// removed by the next rotation and trusted by nothing meanwhile.
#[test]
fn an_interrupted_rotation_is_finished_or_forgotten_according_to_the_journal() {
    let t = issued().at("2026-03-01");
    let old_key = std::fs::read(t.path("keys/coordination.key")).unwrap();
    let old_pub = std::fs::read(t.path(KEY)).unwrap();
    t.run(["keys", "rotate"]).success();
    let new = fingerprint(&t.path(KEY));
    // As if stopped right after the commit: the new pair still in keys/next/.
    let stopped_after_commit = || {
        std::fs::create_dir_all(t.path("keys/next")).unwrap();
        for ext in ["key", "pub"] {
            std::fs::rename(t.path(&format!("keys/coordination.{ext}")), t.path(&format!("keys/next/{new}.{ext}")))
                .unwrap();
        }
        std::fs::write(t.path("keys/coordination.key"), &old_key).unwrap();
        std::fs::set_permissions(t.path("keys/coordination.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(t.path(KEY), &old_pub).unwrap();
    };
    stopped_after_commit();
    t.run(["report", "annual", "--year", "2025"]).success();
    assert_eq!(fingerprint(&t.path(KEY)), new, "the report finished the rotation first");
    assert!(!t.path("keys/next").exists());
    let json = t.run(["verify", "out/reports/annual-2025.pdf", "--json"]).success().json();
    assert_eq!(json["manifest"]["key_fingerprint"], new.as_str(), "sealed with the new key");

    stopped_after_commit();
    let len = t.journal_len();
    t.run(["keys", "rotate"]).success().stdout_has("finished, no other key made");
    assert_eq!(fingerprint(&t.path(KEY)), new);
    assert_eq!(t.journal_len(), len, "no other rotation");

    // As if stopped before the commit: a new pair and a statement nobody journaled.
    t.run(["keys", "member", "--out", "stray.key"]).success();
    let stray = fingerprint(&t.path("stray.key.pub"));
    std::fs::create_dir_all(t.path("keys/next")).unwrap();
    std::fs::copy(t.path("stray.key"), t.path(&format!("keys/next/{stray}.key"))).unwrap();
    std::fs::copy(t.path("stray.key.pub"), t.path(&format!("keys/next/{stray}.pub"))).unwrap();
    let leftover = format!("2026-03-01-{new}-{stray}.json");
    std::fs::write(t.path(&format!("keys/rotations/{leftover}")), b"{}\n").unwrap();
    t.run(["verify", WOLU_DOC]).success();
    t.run(["keys", "rotate"]).success().stdout_has("coordination key rotated");
    let newest = fingerprint(&t.path(KEY));
    assert!(newest != stray && newest != new);
    assert!(!files(&t, "rotations").contains(&leftover), "the unjournaled statement is gone");
    assert_eq!(files(&t, "rotations").len(), 2);
    assert!(!t.path("keys/next").exists());
    t.run(["verify", WOLU_DOC]).success().stdout_has(&format!("the current key is {newest}"));
}

#[test]
fn a_document_sealed_before_the_rotation_and_lost_is_made_again_byte_for_byte_with_its_former_key() {
    let (t, old, _, _) = rotated();
    let doc = t.path(WOLU_DOC);
    let original = std::fs::read(&doc).unwrap();
    std::fs::remove_file(&doc).unwrap();
    t.run(["issue", "--all"]).success().stdout_has("1 missing or altered on disk made again from the journal");
    assert!(std::fs::read(&doc).unwrap() == original, "the very bytes issued, sealed with the former key");
    // Without the former key's private half, it cannot be: said, nothing else done.
    std::fs::rename(t.path(&format!("keys/retired/{old}.key")), t.root.join("away.key")).unwrap();
    std::fs::remove_file(&doc).unwrap();
    t.run(["issue", "--all"]).code(4).stderr_has("cannot be made again identically").stderr_has("keys/retired/");
    assert!(!doc.exists());
}

/// Issue 16's review: a `key-rotated` entry appended behind charte's back
/// (its hash computed as docs/journal.md says), with a statement in which
/// a forger's key names the coordination's real key as its successor,
/// would make the workspace trust the forger's key as a "former" one. The
/// successor's acceptance, journaled by `charte keys rotate` alone, is
/// missing from it: nothing sealed with the forger's key verifies, and the
/// workspace says why.
#[test]
fn a_forged_rotation_entry_makes_no_key_of_the_forgers_trusted() {
    use sha2::{Digest, Sha256};
    let t = issued().at("2026-03-01");
    let real = charte::seal::load_verifying_key(&t.path(KEY)).unwrap();
    let forger = charte::seal::generate().unwrap();
    let (ffp, rfp) = (charte::seal::fingerprint(&forger.verifying_key()), charte::seal::fingerprint(&real));
    let name = format!("2026-03-01-{ffp}-{rfp}.json");
    let day = chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap();
    let rotation = charte::seal::Rotation::sign(&forger, &real, "Woluwe", day, &format!("keys/rotations/{name}"));
    std::fs::create_dir_all(t.path("keys/rotations")).unwrap();
    std::fs::write(t.path(&format!("keys/rotations/{name}")), &rotation.bytes).unwrap();
    let payload = serde_json::json!({
        "type": "key-rotated", "previous_key": base64_of(forger.verifying_key().as_bytes()),
        "previous_fingerprint": ffp, "next_key": base64_of(real.as_bytes()), "next_fingerprint": rfp,
        "statement": name, "statement_sha256": rotation.sha256(),
    })
    .to_string();
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let (seq, prev, at): (i64, String, String) = conn
        .query_row("SELECT seq, hash, at FROM journal ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    let seq = seq + 1;
    let data = format!("charte-journal/1\n{prev}\n{seq}\n{at}\nkey-rotated\n{ffp}\n{payload}");
    let hash = hex::encode(Sha256::digest(data.as_bytes()));
    conn.execute(
        "INSERT INTO journal (seq, at, kind, subject, payload, prev_hash, hash) VALUES (?1, ?2, 'key-rotated', ?3, ?4, ?5, ?6)",
        rusqlite::params![seq, at, ffp, payload, prev, hash],
    )
    .unwrap();
    drop(conn);
    // A document the forger sealed: not the coordination's.
    let document = t.path(WOLU_DOC);
    let rendered = std::fs::read(&document).unwrap();
    let mut manifest = charte::seal::read_manifest(&rendered).unwrap();
    manifest.issued = "2026-03-01".into();
    let forged = charte::seal::seal(&rendered[..manifest.length as usize], &manifest, &forger).unwrap();
    std::fs::write(t.path("forged.pdf"), &forged.pdf).unwrap();
    t.run(["verify", "forged.pdf"]).code(1).stderr_has("acceptance");
    // Nothing is sealed on the strength of that chain either.
    t.run(["report", "annual", "--year", "2025"]).code(1).stderr_has("acceptance");
}

/// Issue 16's review: in the coordination's own workspace, `charte verify`
/// of its own rotation statement (signed by the key it retired, which the
/// journal knows) says it holds; an edited copy does not.
#[test]
fn the_workspace_verifies_its_own_rotation_statement() {
    let (t, old, _, new) = rotated();
    let name = files(&t, "rotations").into_iter().next().unwrap();
    let statement = format!("keys/rotations/{name}");
    t.run(["verify", &statement]).success().stdout_has(&old).stdout_has(&new);
    let text = std::fs::read_to_string(t.path(&statement))
        .unwrap()
        .replace("\"date\":\"2026-03-01\"", "\"date\":\"2026-03-02\"");
    std::fs::write(t.path("edited.json"), text).unwrap();
    t.run(["verify", "edited.json"]).code(1);
}
