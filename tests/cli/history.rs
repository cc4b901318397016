//! The attacks of issue 16, tried as an attacker would on a real workspace
//! with a checkpoint made first: rows deleted or rewritten with SQL behind
//! charte's back. Each asserts what `charte audit` and
//! docs/verify_journal.py really say, and what catches it.

use sha2::{Digest, Sha256};

use crate::harness::*;
use crate::proofs::{KEY, checkpoint, notes, py_says, read_json, workspace};

fn sql(t: &Test, statements: &str) {
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    conn.execute_batch(statements).unwrap();
}

fn entries(t: &Test) -> i64 {
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    conn.query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap()
}

/// Deletes the entries after the first `keep`, and the stored subtrees
/// that reach past it: the tree stored then matches the shorter journal,
/// so that only a checkpoint can tell.
fn truncate(t: &Test, keep: i64) {
    sql(
        t,
        &format!(
            "DELETE FROM journal WHERE seq > {keep}; DELETE FROM merkle_nodes WHERE ((idx + 1) << level) > {keep};"
        ),
    );
}

/// An entry's hash as docs/journal.md defines it, computed here from the
/// page, not by charte.
fn doc_hash(prev: &str, seq: i64, at: &str, kind: &str, subject: &str, payload: &str) -> String {
    let data = format!("charte-journal/1\n{prev}\n{seq}\n{at}\n{kind}\n{subject}\n{payload}");
    hex::encode(Sha256::digest(data.as_bytes()))
}

/// Appends a forged entry after the head, its hash computed from the page.
fn forge(t: &Test, kind: &str, subject: &str, payload: &str) {
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let (seq, prev): (i64, String) = conn
        .query_row("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let (seq, at) = (seq + 1, "2026-03-01");
    let hash = doc_hash(&prev, seq, at, kind, subject, payload);
    conn.execute(
        "INSERT INTO journal (seq, at, kind, subject, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![seq, at, kind, subject, payload, prev, hash],
    )
    .unwrap();
}

#[test]
fn deleting_the_last_entry_after_a_checkpoint_is_named_by_the_checkpoint() {
    let t = workspace();
    let file = checkpoint(&t);
    let n = entries(&t);
    assert_eq!(file, format!("out/checkpoints/checkpoint-{n:08}.json"), "it covers the entry recording it");
    // The last entry is the checkpoint-made one: without it, the chain,
    // the tree and the tables all hold; the checkpoint does not.
    truncate(&t, n - 1);
    t.run(["audit"])
        .code(1)
        .stderr_has(&format!(
            "{file} (signed on 2026-03-01) covers {n} journal entries, the journal has only {}",
            n - 1
        ))
        .stderr_has("entries were removed after it");
    py_says(
        &t,
        &["journal", "charte.db", "--key", KEY, &file],
        1,
        &format!("{file} (signed on 2026-03-01) covers {n}"),
    );
}

#[test]
fn deleting_the_last_200_entries_of_a_years_journal_is_named_by_the_checkpoint() {
    let t = Test::empty().at("2026-12-31");
    let out = std::process::Command::new(BIN)
        .args(["--now", "2026-12-31", "demo", "woluwe-saint-lambert", "--out"])
        .arg(&t.ws)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file = checkpoint(&t);
    let n = entries(&t);
    assert!(n > 1000, "a year's journal: {n}");
    truncate(&t, n - 200);
    // The demo's workflow runs wrote checkpoints through the year: the
    // first one (in name order) the shortened journal no longer reaches
    // is named.
    assert!(t.path(&file).exists());
    t.run(["audit"])
        .code(1)
        .stderr_has("out/checkpoints/checkpoint-")
        .stderr_has(&format!("journal entries, the journal has only {}: entries were removed after it", n - 200));
    py_says(&t, &["journal", "charte.db", &file], 1, "entries were removed after it");
    // The checkpoint file removed too: the funder's copy still names it.
    let copy = t.root.join("funder-copy.json");
    std::fs::copy(t.path(&file), &copy).unwrap();
    std::fs::remove_dir_all(t.path("out/checkpoints")).unwrap();
    t.run(["audit", "--checkpoint", copy.to_str().unwrap()])
        .code(1)
        .stderr_has(&format!("{} (signed on 2026-12-31) covers {n} journal entries", copy.display()));
}

#[test]
fn deleting_the_whole_journal_is_caught_by_the_checkpoint_and_only_by_it_once_the_tables_are_emptied_too() {
    let t = workspace();
    let file = checkpoint(&t);
    let n = entries(&t);
    let copy = t.root.join("funder-copy.json");
    std::fs::copy(t.path(&file), &copy).unwrap();
    truncate(&t, 0);
    t.run(["audit"])
        .code(1)
        .stderr_has(&format!("{file} (signed on 2026-03-01) covers {n} journal entries, the journal has only 0"));
    py_says(&t, &["journal", "charte.db", &file], 1, "the journal has only 0");
    // Every trace removed: the checkpoints, and every row of every table.
    // The workspace then reads as a new, empty one, which audit cannot
    // tell from a real new one (exit 0): only a checkpoint kept elsewhere
    // (the funder's copy) can.
    std::fs::remove_dir_all(t.path("out/checkpoints")).unwrap();
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in tables {
        conn.execute(&format!("DELETE FROM \"{table}\""), []).unwrap();
    }
    drop(conn);
    t.run(["audit"]).success().stdout_has("journal intact: 0 entries");
    t.run(["audit", "--checkpoint", copy.to_str().unwrap()]).code(1).stderr_has(&format!(
        "{} (signed on 2026-03-01) covers {n} journal entries, the journal has only 0",
        copy.display()
    ));
}

#[test]
fn a_forged_event_appended_with_a_correct_hash_is_caught_by_the_tables_it_changes() {
    let t = workspace();
    checkpoint(&t);
    // A key registered for an organisation, the hash computed from
    // docs/journal.md. The chain holds (the hash is right, the link too),
    // the tree stored holds (the entry completes no subtree of 16), and
    // the checkpoint holds (the journal still begins with its tree: an
    // append is what checkpoints allow). What catches it is the replay of
    // the derived tables: the journal now gives a key the organisations
    // table does not hold.
    let n = entries(&t);
    assert_ne!((n + 1) % 16, 0, "the forged entry completes no stored subtree");
    let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let payload = format!(
        "{{\"type\":\"key-registered\",\"enterprise_number\":\"0251839219\",\"public_key\":\"{key}\",\"fingerprint\":\"0123456789abcdef\"}}"
    );
    forge(&t, "key-registered", "0251839219", &payload);
    t.run(["audit"])
        .code(1)
        .stderr_has("the table organisations differs from the journal")
        .stderr_has("0251.839.219's public_key is none in the database");
    // The script reads the chain and the checkpoints only: for it the
    // journal holds, and the forged entry is the last.
    py_says(&t, &["journal", "charte.db"], 0, &format!("VERIFIED: journal intact, {} entries", n + 1));
}

#[test]
fn a_forged_event_that_changes_no_table_is_caught_by_nothing_until_it_is_signed() {
    let t = workspace();
    let file = checkpoint(&t);
    let n = entries(&t);
    // A note: it changes no derived table, its hash is right, and an
    // append is what a checkpoint allows. Nothing in the workspace can
    // tell it from a note charte appended (exit 0): the chain and the tree
    // are recomputable by anyone, only signatures are not. What protects
    // the funder is that no checkpoint signs it: evidence and reports are
    // proved against signed trees, and `charte evidence` refuses an entry
    // no checkpoint covers.
    forge(&t, "note", "", "{\"type\":\"note\",\"text\":\"forged\"}");
    t.run(["audit"]).success().stdout_has(&format!("journal intact: {} entries", n + 1));
    t.run(["evidence", &(n + 1).to_string()]).code(2).stderr_has(&format!("covers entry {}", n + 1));
    t.run(["evidence", &n.to_string()]).success();
    py_says(&t, &["journal", "charte.db", "--key", KEY, &file], 0, "VERIFIED");
    // Forged entries up to a subtree of 16 entries: the tree stored beside
    // the journal lacks that subtree's root, and audit names it.
    let missing = 16 - (n + 1) % 16;
    for i in 0..missing {
        forge(&t, "note", "", &format!("{{\"type\":\"note\",\"text\":\"forged {i}\"}}"));
    }
    assert_eq!(entries(&t) % 16, 0);
    t.run(["audit"]).code(1).stderr_has("the Merkle tree stored beside the journal differs from the chain");
}

#[test]
fn a_chain_rewritten_after_an_edit_with_its_tree_rebuilt_is_named_by_the_checkpoint() {
    let t = workspace();
    notes(&t, 20);
    let file = checkpoint(&t);
    // Entry 5 edited (an organisation's name), then every hash from it on
    // recomputed from docs/journal.md and the stored tree rebuilt from the
    // new hashes: the chain and the tree hold again.
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    conn.execute(r#"UPDATE journal SET payload = replace(payload, '"name":"', '"name":"Faux ') WHERE seq = 5"#, [])
        .unwrap();
    let rows: Vec<(i64, String, String, String, String)> = conn
        .prepare("SELECT seq, at, kind, subject, payload FROM journal ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = "0".repeat(64);
    let mut tree = charte::journal::merkle::Frontier::default();
    conn.execute("DELETE FROM merkle_nodes", []).unwrap();
    for (seq, at, kind, subject, payload) in rows {
        let hash = doc_hash(&prev, seq, &at, &kind, &subject, &payload);
        conn.execute("UPDATE journal SET prev_hash = ?1, hash = ?2 WHERE seq = ?3", rusqlite::params![prev, hash, seq])
            .unwrap();
        let leaf = charte::journal::merkle::parse_hash(&hash).unwrap();
        for node in tree.push(&leaf).into_iter().filter(|n| n.level >= charte::journal::merkle::STORED_LEVEL) {
            conn.execute(
                "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?1, ?2, ?3)",
                rusqlite::params![node.level, node.index as i64, &node.hash[..]],
            )
            .unwrap();
        }
        prev = hash;
    }
    drop(conn);
    let n = entries(&t);
    t.run(["audit"])
        .code(1)
        .stderr_has(&format!("the journal's first {n} entries are not those {file} signed on 2026-03-01"))
        .stderr_has("the history was rewritten");
    py_says(&t, &["journal", "charte.db", &file], 1, &format!("the journal's first {n} entries are not those {file}"));
}

#[test]
fn a_checkpoint_given_that_is_not_the_coordinations_or_was_altered_is_refused() {
    let t = workspace();
    let file = checkpoint(&t);
    let cp = read_json(&t, &file);
    let head = charte::journal::store::TreeHead {
        size: cp["checkpoint"]["tree_size"].as_u64().unwrap(),
        root: charte::journal::merkle::parse_hash(cp["checkpoint"]["root"].as_str().unwrap()).unwrap(),
    };
    let coordination = cp["checkpoint"]["coordination"].as_str().unwrap().to_owned();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    // The very tree, signed by another key.
    t.run(["keys", "member", "--out", "other.key"]).success();
    let other = charte::seal::load_signing_key(&t.path("other.key")).unwrap();
    let other_fp = charte::seal::fingerprint(&other.verifying_key());
    std::fs::write(t.path("other-key.json"), charte::journal::checkpoint::sign(&coordination, head, day, &other))
        .unwrap();
    t.run(["audit", "--checkpoint", "other-key.json"]).code(1).stderr_has(&format!(
        "other-key.json: this checkpoint is signed with the key {other_fp}, not with the coordination's key"
    ));
    py_says(&t, &["checkpoint", "other-key.json", KEY], 1, &format!("signed with the key {other_fp}"));
    // Signed with the coordination's key, for another coordination.
    let key = charte::seal::load_signing_key(&t.path("keys/coordination.key")).unwrap();
    let ixelles = "Coordination sociale d'Ixelles";
    std::fs::write(t.path("ixelles.json"), charte::journal::checkpoint::sign(ixelles, head, day, &key)).unwrap();
    // The key is the coordination's identity; the name is the one it had
    // that day (a coordination renamed in charte.toml keeps its checkpoints).
    t.run(["audit", "--checkpoint", "ixelles.json"]).success();
    // The script knows no workspace: it checks the key and shows whose
    // journal the checkpoint claims, for the reader to compare.
    py_says(&t, &["checkpoint", "ixelles.json", KEY], 0, "a checkpoint of Coordination sociale d'Ixelles's journal");
    // One byte altered: the tree size, 29 → 19.
    let text = std::fs::read_to_string(t.path(&file)).unwrap();
    let size = format!("\"tree_size\":{}", head.size);
    assert!(text.contains(&size));
    let altered = text.replacen(&size, &format!("\"tree_size\":{}", head.size - 10), 1);
    assert_eq!(altered.len(), text.len(), "one byte");
    std::fs::write(t.path("altered.json"), altered).unwrap();
    t.run(["audit", "--checkpoint", "altered.json"])
        .code(1)
        .stderr_has("altered.json: the checkpoint was altered: its signature does not hold");
    py_says(&t, &["checkpoint", "altered.json", KEY], 1, "the checkpoint was altered (its signature does not hold)");
    // Not a checkpoint at all: unusable input.
    t.run(["audit", "--checkpoint", "roster.csv"]).code(2).stderr_has("roster.csv: this is not a charte checkpoint");
    py_says(&t, &["checkpoint", "roster.csv", KEY], 2, "this is not a charte checkpoint");
    std::fs::write(t.path("empty.json"), "{}\n").unwrap();
    t.run(["audit", "--checkpoint", "empty.json"]).code(2).stderr_has("empty.json: this is not a charte checkpoint");
    py_says(&t, &["checkpoint", "empty.json", KEY], 2, "this is not a charte checkpoint");
    // The genuine one still holds, in both.
    t.run(["audit", "--checkpoint", &file]).success();
    py_says(&t, &["checkpoint", &file, KEY], 0, "VERIFIED");
}
