//! Issue 16: every sealed report embeds the checkpoint of the journal its
//! figures were read from and the consistency proof from the previous
//! report of its kind; `charte verify NEW --since OLD` checks, with the
//! coordination's public key alone, that the history behind NEW extends the
//! one behind OLD. A workflow run that changed something ends with a
//! checkpoint.

use crate::harness::*;

/// Ans with its roster and seal key, and a first annual report kept aside
/// as the funder keeps it.
fn reported() -> Test {
    let t = Test::fixture("ans").at("2026-11-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["report", "annual", "--year", "2025"]).success();
    std::fs::copy(t.path("out/reports/annual-2025.pdf"), t.path("funder-2025.pdf")).unwrap();
    t
}

fn manifest(t: &Test, rel: &str) -> serde_json::Value {
    let seal = std::fs::read(t.path(rel)).unwrap();
    serde_json::from_slice::<serde_json::Value>(&seal).unwrap()["manifest"].clone()
}

#[test]
fn a_report_embeds_its_checkpoint_and_the_proof_from_the_previous_one() {
    let t = reported();
    let first = manifest(&t, "out/reports/annual-2025.seal.json");
    let checkpoint = &first["extra"]["checkpoint"]["checkpoint"];
    // The tree its figures were read from: the journal up to the head the
    // report names.
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let size = checkpoint["tree_size"].as_i64().unwrap();
    let hash: String = conn.query_row("SELECT hash FROM journal WHERE seq = ?1", [size], |r| r.get(0)).unwrap();
    assert_eq!(first["extra"]["journal_head"], hash.as_str(), "{first}");
    assert_eq!(checkpoint["format"], "charte-checkpoint/1");
    assert!(first["extra"].get("consistency").is_none(), "the first report of its kind has no earlier one");
    // The report's own entry is covered by the checkpoint written after it.
    let after = format!("out/checkpoints/checkpoint-{:08}.json", t.journal_len());
    assert!(t.path(&after).exists(), "{after}");

    let t = t.at("2026-11-20");
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-12-10"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    let second = manifest(&t, "out/reports/annual-2026.seal.json");
    let from = &second["extra"]["consistency"]["from"];
    assert_eq!(from["tree_size"], checkpoint["tree_size"]);
    assert_eq!(from["root"], checkpoint["root"]);
    assert!(from["document_id"].as_str().unwrap().contains("2025"), "{from}");

    t.run(["verify", "out/reports/annual-2026.pdf", "--since", "funder-2025.pdf"])
        .success()
        .stdout_has("extends the one behind funder-2025.pdf");
    // The funder's side: outside the workspace, with the public key alone.
    let elsewhere = Test::empty();
    let key = t.path("keys/coordination.pub");
    let r = elsewhere.run([
        "verify",
        t.path("out/reports/annual-2026.pdf").to_str().unwrap(),
        "--since",
        t.path("funder-2025.pdf").to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--json",
    ]);
    let v = r.success().json();
    assert_eq!(v["extends"], true);
    assert!(v["proof_hashes"].as_u64().unwrap() > 0);
    // The script beside docs/seal.md agrees, on the same two real reports.
    let py = std::process::Command::new("python3")
        .arg(repo().join("docs/verify_journal.py"))
        .args(["since", "out/reports/annual-2026.pdf", "funder-2025.pdf", "keys/coordination.pub"])
        .current_dir(&t.ws)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&py.stdout);
    assert!(
        py.status.success() && said.contains("VERIFIED: the history behind"),
        "{said}{}",
        String::from_utf8_lossy(&py.stderr)
    );
    // Given the wrong way round: a usage error, not a verdict.
    t.run(["verify", "funder-2025.pdf", "--since", "out/reports/annual-2026.pdf"])
        .code(2)
        .stderr_has("later report first");
    t.run(["audit"]).success().stdout_has("checkpoints: ");
}

#[test]
fn a_report_from_a_rewritten_history_does_not_extend_the_old_one() {
    let t = reported();
    // The history behind the funder's report is rewritten: an early entry
    // changed, and every later hash recomputed (a forger who read
    // docs/journal.md), the tree rebuilt to match, the checkpoints removed.
    t.run(["checkpoint"]).success();
    rewrite_from(&t, 3);
    std::fs::remove_dir_all(t.path("out/checkpoints")).unwrap();
    std::fs::remove_file(t.path("out/reports/annual-2025.pdf")).unwrap();
    std::fs::remove_file(t.path("out/reports/annual-2025.seal.json")).unwrap();
    t.run(["audit"]).success(); // nothing left in the workspace contradicts it…
    // …but the funder's copy does.
    t.run(["audit", "--checkpoint", "funder-2025.pdf"])
        .code(1)
        .stderr_has("funder-2025.pdf")
        .stderr_has("history was rewritten");
    // No new report chains past the missing one (it would chain from an
    // older report, or from nothing, and hide the rewriting).
    let t = t.at("2026-11-20");
    t.run(["report", "annual", "--year", "2026"])
        .code(2)
        .stderr_has("is missing or was changed, and so is its seal beside it: put one of them back");
}

#[test]
fn nothing_is_signed_over_a_stored_tree_changed_behind_charte_s_back() {
    let t = reported();
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    conn.execute("UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 4 AND idx = 0", []).unwrap();
    let entries = || -> i64 { conn.query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap() };
    let before = entries();
    t.run(["checkpoint"]).code(1).stderr_has("does not match the journal's entries: nothing was signed");
    let t = t.at("2026-11-20");
    t.run(["report", "annual", "--year", "2026"]).code(1).stderr_has("nothing was signed");
    assert_eq!(entries(), before, "nothing journaled");
    t.run(["audit"]).code(1).stderr_has("Merkle tree stored beside the journal differs");
}

#[test]
fn a_report_refuses_to_vouch_when_the_previous_ones_history_was_rewritten() {
    let t = reported();
    rewrite_from(&t, 3);
    t.at("2026-11-20")
        .run(["report", "annual", "--year", "2026"])
        .code(1)
        .stderr_has("previous report")
        .stderr_has("charte audit");
}

#[test]
fn another_coordinations_report_is_not_authentic_here() {
    let t = reported();
    let t = t.at("2026-11-20");
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-12-10"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    // Another workspace's report (another coordination's key): not authentic for this key.
    let other = reported();
    let r =
        t.run(["verify", "out/reports/annual-2026.pdf", "--since", other.path("funder-2025.pdf").to_str().unwrap()]);
    r.code(1).stderr_has("NOT authentic");
}

#[test]
fn a_workflow_run_that_changed_something_ends_with_a_checkpoint() {
    let t = Test::fixture("ans").at("2026-11-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let before = t.journal_len();
    t.run(["run", "adhesion"]).success();
    let after = t.journal_len();
    assert!(after > before);
    let last = format!("out/checkpoints/checkpoint-{after:08}.json");
    assert!(t.path(&last).exists(), "{last}");
    // A second run the same day with nothing to do writes nothing.
    t.run(["run", "adhesion"]).success();
    assert_eq!(t.journal_len(), after);
    t.run(["audit"]).success().stdout_has("checkpoints: 1 checked");
}

/// Rewrites the chain from entry `seq` on: the roster import's payload
/// changed (a change no derived table shows), every hash from there
/// recomputed as docs/journal.md says, and the Merkle tree's stored
/// subtrees rebuilt to match.
fn rewrite_from(t: &Test, seq: i64) {
    use sha2::{Digest, Sha256};
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let changed = conn
        .execute(
            "UPDATE journal SET payload = replace(payload, 'roster.csv', 'roster-v2.csv') \
             WHERE kind = 'roster-imported' AND seq >= ?1",
            [seq],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let rows: Vec<(i64, String, String, String, String, String)> = conn
        .prepare("SELECT seq, at, kind, subject, payload, prev_hash FROM journal ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = "0".repeat(64);
    for (s, at, kind, subject, payload, _) in rows {
        let data = format!("charte-journal/1\n{prev}\n{s}\n{at}\n{kind}\n{subject}\n{payload}");
        let hash = hex::encode(Sha256::digest(data.as_bytes()));
        conn.execute("UPDATE journal SET prev_hash = ?1, hash = ?2 WHERE seq = ?3", rusqlite::params![prev, hash, s])
            .unwrap();
        prev = hash;
    }
    // The stored tree rebuilt to match (docs/journal.md "The Merkle tree":
    // the roots of the full subtrees of 16 leaves and more).
    let hashes: Vec<[u8; 32]> = conn
        .prepare("SELECT hash FROM journal ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|h| hex::decode(h.unwrap()).unwrap().try_into().unwrap())
        .collect();
    conn.execute("DELETE FROM merkle_nodes", []).unwrap();
    let mut level: Vec<[u8; 32]> =
        hashes.iter().map(|h| Sha256::digest([&[0u8][..], &h[..]].concat()).into()).collect();
    for l in 1.. {
        if level.len() < 2 {
            break;
        }
        level = level.chunks_exact(2).map(|p| Sha256::digest([&[1u8][..], &p[0], &p[1]].concat()).into()).collect();
        if l >= 4 {
            for (i, h) in level.iter().enumerate() {
                conn.execute(
                    "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?1, ?2, ?3)",
                    rusqlite::params![l, i as i64, &h[..]],
                )
                .unwrap();
            }
        }
    }
    drop(conn);
    t.run(["members", "list"]).success();
}

#[test]
fn after_a_key_rotation_the_former_keys_checkpoints_hold_and_a_funder_with_the_old_key_follows_the_chain() {
    let t = reported();
    std::fs::copy(t.path("keys/coordination.pub"), t.path("former.pub")).unwrap();
    let t = t.at("2026-11-20");
    t.run(["keys", "rotate"]).success();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-12-10"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    // Checkpoints signed with the former key (before the rotation) and the
    // new one (after) all hold.
    let audit = t.run(["audit"]).success();
    assert!(audit.stdout.contains("checkpoints: 4 checked"), "{}", audit.stdout);
    // The funder holds the former key only: the new report carries the
    // statement by which it named its successor.
    let elsewhere = Test::empty();
    elsewhere
        .run([
            "verify",
            t.path("out/reports/annual-2026.pdf").to_str().unwrap(),
            "--since",
            t.path("funder-2025.pdf").to_str().unwrap(),
            "--key",
            t.path("former.pub").to_str().unwrap(),
        ])
        .success()
        .stdout_has("extends the one behind");
    // An entry proved against a checkpoint signed with the new key: the
    // evidence file carries the statement, and a funder holding the former
    // key follows it, in charte and in the script.
    let written = t.run(["evidence", "3", "--json"]).success().json();
    let file = t.ws.join(written["file"].as_str().unwrap());
    elsewhere
        .run(["verify", file.to_str().unwrap(), "--key", t.path("former.pub").to_str().unwrap()])
        .success()
        .stdout_has("verified — journal entry 3");
    let py = std::process::Command::new("python3")
        .arg(repo().join("docs/verify_journal.py"))
        .args(["evidence", file.to_str().unwrap(), t.path("former.pub").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(py.status.success(), "{}{}", String::from_utf8_lossy(&py.stdout), String::from_utf8_lossy(&py.stderr));
}

#[test]
fn the_audit_reads_only_checkpoints_and_says_what_it_cannot_check() {
    let t = reported();
    // A note left in out/checkpoints/ is not a checkpoint: not read.
    std::fs::write(t.path("out/checkpoints/README.json"), "{\"note\": \"copies for the funder\"}\n").unwrap();
    t.run(["audit"]).success();
    // A report whose detached seal was removed still has its checkpoint read from the PDF.
    std::fs::remove_file(t.path("out/reports/annual-2025.seal.json")).unwrap();
    let checked = t.run(["audit"]).success();
    assert!(checked.stdout.contains("checkpoints: 2 checked"), "{}", checked.stdout);
    // A PDF with no seal given as the funder's copy: unusable input.
    std::fs::write(t.path("plain.pdf"), "%PDF-1.4\nnothing\n").unwrap();
    t.run(["audit", "--checkpoint", "plain.pdf"]).code(2).stderr_has("not a checkpoint, nor a sealed report");
    // Without the coordination's public key the chain and the tree are
    // still checked; the checkpoints cannot be, and the audit says so.
    std::fs::remove_file(t.path("keys/coordination.pub")).unwrap();
    t.run(["audit"]).code(1).stderr_has("checkpoint(s) cannot be checked");
}

/// Issue 16's second review: the previous report's PDF gone, its seal
/// beside it still names the checkpoint: the next report chains from it.
/// Both gone: refused, saying to put one back.
#[test]
fn a_report_chains_from_the_previous_ones_seal_when_its_pdf_is_gone() {
    let t = reported();
    std::fs::remove_file(t.path("out/reports/annual-2025.pdf")).unwrap();
    let t = t.at("2026-11-20");
    t.run(["report", "annual", "--year", "2026"]).success();
    t.run(["verify", "out/reports/annual-2026.pdf", "--since", "funder-2025.pdf"]).success();
    std::fs::remove_file(t.path("out/reports/annual-2026.pdf")).unwrap();
    std::fs::remove_file(t.path("out/reports/annual-2026.seal.json")).unwrap();
    t.run(["report", "annual", "--year", "2027"]).code(2).stderr_has("put one of them back");
}

/// Two copies of one workspace (same keys) that each record a different
/// meeting before their 2025 report: two histories of the same length,
/// both signed. A 2026 report of the second, checked against the first's
/// 2025 report, continues another history: rewritten (exit 1), not a
/// report made in between (which would be no verdict).
#[test]
fn a_report_continuing_another_history_of_the_same_size_was_rewritten() {
    let (t, other) = diverged_histories();
    let new = other.path("out/reports/annual-2026.pdf");
    let old = t.path("out/reports/annual-2025.pdf");
    t.run(["verify", new.to_str().unwrap(), "--since", old.to_str().unwrap()])
        .code(1)
        .stderr_has("the journal was rewritten");
    let py = std::process::Command::new("python3")
        .arg(repo().join("docs/verify_journal.py"))
        .args(["since", new.to_str().unwrap(), old.to_str().unwrap(), "keys/coordination.pub"])
        .current_dir(&t.ws)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&py.stdout);
    assert_eq!(py.status.code(), Some(1), "{said}{}", String::from_utf8_lossy(&py.stderr));
    assert!(said.contains("the journal was rewritten"), "{said}");
}
