//! Proofs a funder checks offline (docs/journal.md "Proofs"): `charte
//! evidence`, and docs/verify_journal.py on checkpoints, evidence files,
//! two reports (`since`) and a whole journal, agreeing with charte on valid
//! and on tampered inputs.

use crate::harness::*;

pub const KEY: &str = "keys/coordination.pub";

/// docs/verify_journal.py with `args` (paths relative to the workspace):
/// (exit code, stdout and stderr).
pub fn verify_journal_py(t: &Test, args: &[&str]) -> (i32, String) {
    let python = std::env::var("CHARTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .arg(repo().join("docs/verify_journal.py"))
        .args(args)
        .current_dir(&t.ws)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// The script's exit code is `code` and its output says `needle`.
#[track_caller]
pub fn py_says(t: &Test, args: &[&str], code: i32, needle: &str) {
    let (got, out) = verify_journal_py(t, args);
    assert_eq!(got, code, "verify_journal.py {args:?}:\n{out}");
    assert!(out.contains(needle), "verify_journal.py {args:?} lacks {needle:?}:\n{out}");
}

/// A small real workspace (Ans's roster imported, a seal key), on 2026-03-01.
pub fn workspace() -> Test {
    let t = Test::fixture("ans").at("2026-03-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t
}

/// `n` notes appended through the store, as any command appends (the tree
/// kept with them).
pub fn notes(t: &Test, n: usize) {
    let mut store = charte::journal::Store::open(&t.path("charte.db"), charte::journal::Clock::new(true)).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    store
        .transaction(day, |tx| {
            for i in 0..n {
                tx.append(&charte::journal::Event::Note { text: format!("note {i}") })?;
            }
            Ok(())
        })
        .unwrap();
}

/// `charte checkpoint`: the file it wrote, relative to the workspace.
pub fn checkpoint(t: &Test) -> String {
    let json = t.run(["checkpoint", "--json"]).success().json();
    let file = std::path::PathBuf::from(json["file"].as_str().unwrap());
    file.strip_prefix(&t.ws).unwrap().display().to_string()
}

/// A JSON file of the workspace, parsed.
pub fn read_json(t: &Test, rel: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(t.path(rel)).unwrap()).unwrap()
}

/// The canonical bytes of a value and a line feed, as charte writes its files.
pub fn canonical_file(value: &serde_json::Value) -> Vec<u8> {
    let mut bytes = charte::seal::canonical(value);
    bytes.push(b'\n');
    bytes
}

/// The script and `charte verify` agree on an evidence file: the script
/// says `needle`, both exit `code`.
fn both_say(t: &Test, file: &str, code: i32, needle: &str) {
    py_says(t, &["evidence", file, KEY], code, needle);
    let r = t.run(["verify", file, "--key", KEY]);
    assert_eq!(r.code, code, "charte verify {file}: {}{}", r.stdout, r.stderr);
    if code == 2 {
        assert!(r.stderr.contains("not a charte evidence file"), "{}", r.stderr);
    } else if code == 0 {
        assert!(r.stdout.contains("verified — journal entry"), "{}", r.stdout);
    } else {
        assert!(r.stderr.contains("NOT verified"), "{}", r.stderr);
    }
}

#[test]
fn evidence_proves_one_entry_against_the_latest_checkpoint_and_the_script_checks_it() {
    let t = workspace();
    // Before any checkpoint: nothing to prove against.
    t.run(["evidence", "5"]).code(2).stderr_has("run `charte checkpoint` first");
    assert!(!t.path("out/evidence").exists(), "nothing written");
    let first = checkpoint(&t);
    assert_eq!(first, "out/checkpoints/checkpoint-00000029.json");
    notes(&t, 3);
    // An entry after the latest checkpoint is not covered yet.
    t.run(["evidence", "30"]).code(2).stderr_has("no checkpoint in out/checkpoints/ covers entry 30");
    t.run(["evidence", "33"]).code(2).stderr_has("the journal has no entry 33: its entries are numbered 1 to 32");
    t.run(["evidence", "0"]).code(2).stderr_has("the journal has no entry 0");
    let second = checkpoint(&t);
    assert_eq!(second, "out/checkpoints/checkpoint-00000033.json");
    let run = t
        .run(["evidence", "5"])
        .success()
        .stdout_has("evidence written: ")
        .stdout_has("entry 5 (organisation-added, 2026-03-01)")
        .stdout_has("against out/checkpoints/checkpoint-00000033.json: the journal's first 33 entries")
        .stdout_has("python3 docs/verify_journal.py evidence FILE coordination.pub");
    assert!(run.stdout.contains("out/evidence/evidence-00000005-at-00000033.json"), "{}", run.stdout);
    let file = "out/evidence/evidence-00000005-at-00000033.json";
    let ev = read_json(&t, file);
    assert_eq!(ev["format"], "charte-evidence/1");
    assert_eq!(ev["entry"]["seq"], 5);
    assert_eq!(ev["inclusion"]["leaf_index"], 4);
    assert_eq!(ev["inclusion"]["tree_size"], 33);
    assert_eq!(ev["inclusion"]["proof"].as_array().unwrap().len(), 6, "5 hashes in the first 32 leaves, then the 33rd");
    assert_eq!(ev["checkpoint"], read_json(&t, &second), "the checkpoint as signed");
    assert_eq!(std::fs::read(t.path(file)).unwrap(), canonical_file(&ev), "canonical JSON");
    both_say(&t, file, 0, "VERIFIED: entry 5 (organisation-added, 2026-03-01");
    // Written again: the same bytes, kept; --out never over another file.
    t.run(["evidence", "5"]).success();
    std::fs::write(t.path("mine.json"), "mine").unwrap();
    t.run(["evidence", "5", "--out", "mine.json"]).code(2).stderr_has("already exists");
    assert_eq!(std::fs::read_to_string(t.path("mine.json")).unwrap(), "mine");
    let json = t.run(["evidence", "33", "--out", "last.json", "--json"]).success().json();
    assert_eq!(json["kind"], "checkpoint-made");
    assert_eq!(json["tree_size"], 33);
    both_say(&t, "last.json", 0, "VERIFIED: entry 33 (checkpoint-made");
}

/// A copy of the evidence file `from` with `change` applied, written to `to`.
fn bent(t: &Test, from: &str, to: &str, change: impl FnOnce(&mut serde_json::Value)) {
    let mut ev = read_json(t, from);
    change(&mut ev);
    std::fs::write(t.path(to), canonical_file(&ev)).unwrap();
}

#[test]
fn an_evidence_file_altered_or_with_a_bent_proof_is_refused_by_the_script() {
    let t = workspace();
    checkpoint(&t);
    t.run(["evidence", "5", "--out", "at29.json"]).success();
    notes(&t, 40);
    checkpoint(&t);
    t.run(["evidence", "5", "--out", "at70.json"]).success();
    both_say(&t, "at70.json", 0, "VERIFIED");
    let proof = |ev: &serde_json::Value| ev["inclusion"]["proof"].as_array().unwrap().clone();
    // Truncated: the last hash dropped.
    bent(&t, "at70.json", "truncated.json", |ev| {
        let mut p = proof(ev);
        p.pop();
        ev["inclusion"]["proof"] = p.into();
    });
    both_say(&t, "truncated.json", 1, "the inclusion proof does not lead from entry 5");
    // Reordered: the first two hashes swapped.
    bent(&t, "at70.json", "reordered.json", |ev| {
        let mut p = proof(ev);
        p.swap(0, 1);
        ev["inclusion"]["proof"] = p.into();
    });
    both_say(&t, "reordered.json", 1, "the inclusion proof does not lead from entry 5");
    // The proof of the tree of 29 entries given against the tree of 70.
    let small = read_json(&t, "at29.json");
    bent(&t, "at70.json", "other-size.json", |ev| ev["inclusion"]["proof"] = small["inclusion"]["proof"].clone());
    both_say(&t, "other-size.json", 1, "the inclusion proof does not lead from entry 5");
    // ... or saying so: the size is not the checkpoint's.
    bent(&t, "at70.json", "says-other-size.json", |ev| {
        ev["inclusion"] = small["inclusion"].clone();
    });
    py_says(
        &t,
        &["evidence", "says-other-size.json", KEY],
        1,
        "the proof is for a tree of 29 entries, the checkpoint signs 70",
    );
    // Another entry's position.
    bent(&t, "at70.json", "other-leaf.json", |ev| ev["inclusion"]["leaf_index"] = 5.into());
    both_say(&t, "other-leaf.json", 1, "the proof is for leaf 5, entry 5 is leaf 4");
    // The entry's payload altered: its hash no longer follows.
    bent(&t, "at70.json", "payload.json", |ev| {
        let p = ev["entry"]["payload"].as_str().unwrap().replace("\"name\":\"", "\"name\":\"X");
        ev["entry"]["payload"] = p.into();
    });
    both_say(&t, "payload.json", 1, "entry 5 was altered: its columns do not give its hash");
    // The payload altered and the hash recomputed: the proof fails.
    bent(&t, "at70.json", "rehashed.json", |ev| {
        let e = &ev["entry"];
        let payload = e["payload"].as_str().unwrap().replace("\"name\":\"", "\"name\":\"X");
        let hash = charte::journal::entry_hash(
            e["prev_hash"].as_str().unwrap(),
            5,
            e["at"].as_str().unwrap(),
            e["kind"].as_str().unwrap(),
            e["subject"].as_str().unwrap(),
            &payload,
        );
        ev["entry"]["payload"] = payload.into();
        ev["entry"]["hash"] = hash.into();
    });
    both_say(&t, "rehashed.json", 1, "the inclusion proof does not lead from entry 5");
    // The checkpoint's root changed to fit: its signature fails.
    bent(&t, "at70.json", "root.json", |ev| ev["checkpoint"]["checkpoint"]["root"] = "00".repeat(32).into());
    both_say(&t, "root.json", 1, "the checkpoint was altered (its signature does not hold)");
    // Not an evidence file at all.
    py_says(&t, &["evidence", "roster.csv", KEY], 2, "not a charte evidence file");
    bent(&t, "at70.json", "bad-hex.json", |ev| ev["inclusion"]["proof"][0] = "zz".into());
    both_say(&t, "bad-hex.json", 2, "its proof is not a list of 64 lowercase hexadecimal digits");
    // Hashes in uppercase are not the format's (both refuse the file as
    // unusable); an empty list of key statements is no chain; an entry 0
    // does not exist.
    bent(&t, "at70.json", "upper.json", |ev| {
        let up = ev["inclusion"]["proof"][0].as_str().unwrap().to_uppercase();
        ev["inclusion"]["proof"][0] = up.into();
    });
    both_say(&t, "upper.json", 2, "its proof is not a list of 64 lowercase hexadecimal digits");
    bent(&t, "at70.json", "empty-chain.json", |ev| ev["key_chain"] = serde_json::json!([]));
    both_say(&t, "empty-chain.json", 0, "VERIFIED");
    bent(&t, "at70.json", "seq0.json", |ev| {
        ev["entry"]["seq"] = 0.into();
        ev["inclusion"]["leaf_index"] = u64::MAX.into();
    });
    both_say(&t, "seq0.json", 2, "not a charte evidence file");
}

#[test]
fn the_script_checks_a_checkpoint_as_charte_audit_does() {
    let t = workspace();
    let file = checkpoint(&t);
    t.run(["audit", "--checkpoint", &file])
        .success()
        .stdout_has("checkpoints: 2 checked, the latest covering 29 entries");
    py_says(&t, &["checkpoint", &file, KEY], 0, "VERIFIED: a checkpoint of Coordination sociale d'Ans's journal");
    py_says(&t, &["journal", "charte.db", "--key", KEY, &file], 0, "VERIFIED: journal intact, 29 entries");
    // A journal that is not one.
    py_says(&t, &["journal", "roster.csv", &file], 2, "not a charte journal");
    py_says(&t, &["checkpoint", &file, "roster.csv"], 2, "not a charte public key file");
    // An entry changed in place: both name it.
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    conn.execute("UPDATE journal SET at = '2020-01-01' WHERE seq = 7", []).unwrap();
    drop(conn);
    t.run(["audit"]).code(1).stderr_has("journal broken at entry 7");
    py_says(&t, &["journal", "charte.db", &file], 1, "journal broken at entry 7: it was altered");
}

/// A report sealed as main seals them (issue 16, part 4): its manifest's
/// `extra` holds the checkpoint of its journal state and, after an earlier
/// report of its kind, the consistency proof from that report's tree. The
/// rendered PDF is a real annual report's; the manifest is built here,
/// signed with the coordination's key, so the script's `since` is tested
/// on that shape before the reports carry it themselves.
fn report_sealed(t: &Test, checkpoint: &serde_json::Value, consistency: Option<serde_json::Value>, out: &str) {
    let sealed = std::fs::read(t.path("out/reports/annual-2026.pdf")).unwrap();
    let mut manifest = charte::seal::read_manifest(&sealed).unwrap();
    let rendered = &sealed[..manifest.length as usize];
    manifest.document_id = format!("ANS-{}", out.trim_end_matches(".pdf"));
    manifest.extra.insert("checkpoint".into(), checkpoint.clone());
    if let Some(c) = consistency {
        manifest.extra.insert("consistency".into(), c);
    }
    let key = charte::seal::load_signing_key(&t.path("keys/coordination.key")).unwrap();
    let made = charte::seal::seal(rendered, &manifest, &key).unwrap();
    std::fs::write(t.path(out), made.pdf).unwrap();
}

/// The consistency proof from the tree of `old` entries to that of `new`, as hex.
fn consistency(t: &Test, old: u64, new: u64) -> Vec<String> {
    let store = charte::journal::Store::open(&t.path("charte.db"), charte::journal::Clock::new(true)).unwrap();
    store.consistency_proof(old, new).unwrap().iter().map(hex::encode).collect()
}

#[test]
fn the_script_checks_that_a_reports_history_extends_the_one_behind_an_earlier_report() {
    let t = workspace();
    t.run(["report", "annual", "--year", "2026"]).success();
    let old_file = checkpoint(&t);
    let old_cp = read_json(&t, &old_file);
    let m = old_cp["checkpoint"]["tree_size"].as_u64().unwrap();
    report_sealed(&t, &old_cp, None, "old.pdf");
    notes(&t, 37);
    let new_file = checkpoint(&t);
    let new_cp = read_json(&t, &new_file);
    let n = new_cp["checkpoint"]["tree_size"].as_u64().unwrap();
    let proof = consistency(&t, m, n);
    assert!(proof.len() >= 3, "{proof:?}");
    let from = serde_json::json!({"document_id": "ANS-old", "tree_size": m, "root": old_cp["checkpoint"]["root"]});
    report_sealed(&t, &new_cp, Some(serde_json::json!({"from": from, "proof": proof})), "new.pdf");
    py_says(&t, &["since", "new.pdf", "old.pdf", KEY], 0, "VERIFIED: the history behind ANS-new (");
    // charte holds the journal to both reports' checkpoints too.
    t.run(["audit", "--checkpoint", "old.pdf", "--checkpoint", "new.pdf"]).success();
    py_says(
        &t,
        &["journal", "charte.db", "--key", KEY, "old.pdf", "new.pdf"],
        0,
        "new.pdf: the journal begins with the tree",
    );

    // The proof cut short, or reordered: refused.
    let mut cut = proof.clone();
    cut.pop();
    report_sealed(&t, &new_cp, Some(serde_json::json!({"from": from, "proof": cut})), "cut.pdf");
    py_says(&t, &["since", "cut.pdf", "old.pdf", KEY], 1, "does not extend the one behind old.pdf");
    let mut swapped = proof.clone();
    swapped.swap(0, 1);
    report_sealed(&t, &new_cp, Some(serde_json::json!({"from": from, "proof": swapped})), "swapped.pdf");
    py_says(&t, &["since", "swapped.pdf", "old.pdf", KEY], 1, "does not extend the one behind old.pdf");
    // A proof from another tree size than OLD's.
    let other = serde_json::json!({"document_id": "ANS-old", "tree_size": m - 1, "root": old_cp["checkpoint"]["root"]});
    let proof_other = consistency(&t, m - 1, n);
    report_sealed(&t, &new_cp, Some(serde_json::json!({"from": other, "proof": proof_other})), "other.pdf");
    py_says(&t, &["since", "other.pdf", "old.pdf", KEY], 2, "not from the tree old.pdf signed");
    // The two reports given the wrong way round: an older tree cannot extend a newer one.
    py_says(&t, &["since", "old.pdf", "new.pdf", KEY], 2, "give the later report first");
    // A report without a checkpoint (made before charte signed its tree heads).
    let sealed = std::fs::read(t.path("out/reports/annual-2026.pdf")).unwrap();
    let mut manifest = charte::seal::read_manifest(&sealed).unwrap();
    manifest.extra.remove("checkpoint");
    manifest.extra.remove("consistency");
    let key = charte::seal::load_signing_key(&t.path("keys/coordination.key")).unwrap();
    let plain = charte::seal::seal(&sealed[..manifest.length as usize], &manifest, &key).unwrap();
    std::fs::write(t.path("plain.pdf"), plain.pdf).unwrap();
    py_says(&t, &["since", "new.pdf", "plain.pdf", KEY], 2, "embeds no checkpoint");
    // One byte of NEW flipped: its seal fails first.
    let mut bytes = std::fs::read(t.path("new.pdf")).unwrap();
    bytes[1000] ^= 0x20;
    std::fs::write(t.path("flipped.pdf"), bytes).unwrap();
    py_says(&t, &["since", "flipped.pdf", "old.pdf", KEY], 1, "NOT AUTHENTIC: content altered");
}
