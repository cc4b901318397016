//! One writer at a time, for the documents: two `charte issue --all` at
//! once, or one while `members import` changes the roster, never leave a
//! journaled hash over other bytes, a file the journal does not know, or a
//! document issued twice. Each race is run several times.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use sha2::Digest;

use crate::harness::*;

const REPETITIONS: usize = 5;
const ORGANISATIONS: u64 = 60;

/// A roster of 60 organisations with valid enterprise numbers (mod 97);
/// those whose index is in `renamed` carry another name.
fn roster(renamed: &[u64]) -> String {
    let mut roster = String::from("name,enterprise_number,email,language,status\n");
    for i in 0..ORGANISATIONS {
        let body = 4_000_000 + i * 13;
        let name = if renamed.contains(&i) { format!("Réseau {i} renommé") } else { format!("Association {i}") };
        roster.push_str(&format!("{name},{body:08}{:02},org{i}@example.be,fr,member\n", 97 - body % 97));
    }
    roster
}

fn workspace() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    std::fs::write(t.path("sixty.csv"), roster(&[])).unwrap();
    t.run(["members", "import", "sixty.csv"]).success();
    t.run(["keys", "init"]).success();
    t
}

/// A journaled document: (document id, organisation, inputs, file, sealed sha256).
struct Journaled {
    id: String,
    organisation: String,
    file: String,
    sealed_sha256: String,
}

fn journaled(t: &Test) -> Vec<Journaled> {
    let db = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let mut stmt = db
        .prepare(
            "SELECT document_id, enterprise_number, file, sealed_sha256 FROM documents \
             WHERE kind = 'adherence' ORDER BY seq",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok(Journaled { id: r.get(0)?, organisation: r.get(1)?, file: r.get(2)?, sealed_sha256: r.get(3)? })
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn sha256(path: &Path) -> String {
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap_or_default()))
}

/// Every journaled document's file holds the bytes the journal recorded,
/// each with its seal; every file in out/adherence is one of them (no
/// stray or temporary file); every PDF verifies with `charte verify`; no
/// document was issued twice; the journal's chain is intact. Returns the
/// number of documents journaled.
#[track_caller]
pub(crate) fn check(t: &Test, verify_every: usize) -> usize {
    let documents = journaled(t);
    let mut files = HashSet::new();
    for d in &documents {
        let path = t.path(&d.file);
        assert!(path.is_file(), "{} (journaled as {}) is missing", d.file, d.id);
        assert_eq!(sha256(&path), d.sealed_sha256, "{} does not hold the bytes journaled for {}", d.file, d.id);
        assert!(path.with_extension("seal.json").is_file(), "{}: its seal is missing", d.file);
        assert!(files.insert(d.file.clone()), "{} journaled twice", d.file);
    }
    let ids: HashSet<&str> = documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), documents.len(), "a document id journaled twice");
    let mut on_disk = 0;
    for entry in std::fs::read_dir(t.path("out/adherence")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let pdf = name.strip_suffix(".seal.json").map_or(name.clone(), |stem| format!("{stem}.pdf"));
        assert!(files.contains(&format!("out/adherence/{pdf}")), "{name} is in out/adherence but not journaled");
        if name.ends_with(".pdf") {
            on_disk += 1;
        }
    }
    assert_eq!(on_disk, documents.len());
    let key = t.path("keys/coordination.pub");
    for d in documents.iter().step_by(verify_every) {
        t.run(["verify", t.path(&d.file).to_str().unwrap(), "--key", key.to_str().unwrap()])
            .success()
            .stdout_has("authentic")
            .stdout_has(&d.id);
    }
    t.run(["audit"]).success().stdout_has("intact");
    documents.len()
}

/// "N adherence documents issued": N.
fn issued(run: &Run) -> usize {
    let line = run.stdout.lines().find(|l| l.contains("adherence documents issued")).unwrap_or_else(|| {
        panic!("no count in\n{}\n{}", run.stdout, run.stderr);
    });
    line.split_whitespace().find_map(|w| w.parse().ok()).unwrap()
}

#[test]
fn two_issues_on_the_same_day_issue_each_document_once() {
    for _ in 0..REPETITIONS {
        let t = workspace();
        let a = t.spawn_at("2026-02-02", ["issue", "--all"]);
        let b = t.spawn_at("2026-02-02", ["issue", "--all"]);
        let (a, b) = (a.wait().success(), b.wait().success());
        assert_eq!(
            issued(&a) + issued(&b),
            ORGANISATIONS as usize,
            "each document issued once\n{}\n{}",
            a.stdout,
            b.stdout
        );
        assert_eq!(check(&t, 1), ORGANISATIONS as usize);
        let again = t.run_at("2026-02-02", ["issue", "--all"]).success().stdout;
        assert!(again.starts_with("0 adherence documents issued"), "nothing issued again: {again}");
    }
}

#[test]
fn two_issues_on_different_days_never_leave_a_hash_over_other_bytes() {
    for round in 0..REPETITIONS {
        let t = workspace();
        // Either may start first; the earlier day runs only if it journals
        // first, otherwise time would go back and it is refused.
        let (later, earlier) = if round % 2 == 0 {
            let later = t.spawn_at("2026-02-03", ["issue", "--all"]);
            (later, t.spawn_at("2026-02-02", ["issue", "--all"]))
        } else {
            let earlier = t.spawn_at("2026-02-02", ["issue", "--all"]);
            (t.spawn_at("2026-02-03", ["issue", "--all"]), earlier)
        };
        let (later, earlier) = (later.wait().success(), earlier.wait());
        let earlier_issued = match earlier.code {
            0 => issued(&earlier),
            2 => {
                let earlier = earlier.stderr_has("time does not go back");
                assert!(earlier.stdout.is_empty() || !earlier.stdout.contains("issued"), "{}", earlier.stdout);
                0
            }
            code => panic!("the earlier issue ended with {code}\n{}\n{}", earlier.stdout, earlier.stderr),
        };
        assert_eq!(issued(&later) + earlier_issued, ORGANISATIONS as usize);
        assert_eq!(check(&t, if round == 0 { 1 } else { 7 }), ORGANISATIONS as usize);
        // An issue dated before what was journaled is refused before
        // anything is written.
        let files = t.out_files();
        t.run_at("2026-02-01", ["issue", "--all"]).code(2).stderr_has("time does not go back");
        assert_eq!(t.out_files(), files);
    }
}

#[test]
fn members_import_while_issue_runs_leaves_every_document_as_journaled() {
    let renamed = [3, 17, 42];
    for round in 0..REPETITIONS {
        let t = workspace();
        std::fs::write(t.path("renamed.csv"), roster(&renamed)).unwrap();
        let (issue, import) = if round % 2 == 0 {
            let issue = t.spawn_at("2026-02-02", ["issue", "--all"]);
            (issue, t.spawn_at("2026-02-02", ["members", "import", "renamed.csv"]))
        } else {
            let import = t.spawn_at("2026-02-02", ["members", "import", "renamed.csv"]);
            (t.spawn_at("2026-02-02", ["issue", "--all"]), import)
        };
        let (issue, import) = (issue.wait(), import.wait());
        for run in [&issue, &import] {
            match run.code {
                0 => {}
                3 => assert!(run.stderr.contains("another charte command is writing"), "{}", run.stderr),
                code => panic!("ended with {code}\n{}\n{}", run.stdout, run.stderr),
            }
        }
        let imported = import.code == 0;
        check(&t, 7);
        if !imported {
            t.run_at("2026-02-02", ["members", "import", "renamed.csv"]).success();
        }
        // The next issue brings every document up to date with the roster,
        // the renamed organisations' under their new names.
        t.run_at("2026-02-02", ["issue", "--all"]).success();
        let documents = journaled(&t);
        assert!(check(&t, 7) >= ORGANISATIONS as usize);
        let mut latest: HashMap<&str, &str> = HashMap::new();
        for d in &documents {
            latest.insert(&d.organisation, &d.file);
        }
        assert_eq!(latest.len(), ORGANISATIONS as usize);
        for i in renamed {
            let body = 4_000_000 + i * 13;
            let digits = format!("{body:08}{:02}", 97 - body % 97);
            assert!(latest[digits.as_str()].contains(&format!("reseau-{i}-renomme")), "{}", latest[digits.as_str()]);
        }
        let again = t.run_at("2026-02-02", ["issue", "--all"]).success().stdout;
        assert!(again.starts_with("0 adherence documents issued"), "nothing issued again: {again}");
    }
}

/// Each report file holds the bytes of the document journaled last for it,
/// and verifies.
#[track_caller]
fn check_reports(t: &Test) {
    let db = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT file, sealed_sha256, document_id FROM documents WHERE file LIKE 'out/reports/%' ORDER BY seq")
        .unwrap();
    let mut latest: HashMap<String, (String, String)> = HashMap::new();
    for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap() {
        let (file, sha, id): (String, String, String) = row.unwrap();
        latest.insert(file, (sha, id));
    }
    assert!(!latest.is_empty(), "no report journaled");
    let key = t.path("keys/coordination.pub");
    for (file, (sha, id)) in &latest {
        assert_eq!(sha256(&t.path(file)), *sha, "{file} does not hold the bytes journaled last for it ({id})");
        t.run(["verify", t.path(file).to_str().unwrap(), "--key", key.to_str().unwrap()]).success().stdout_has(id);
    }
    for entry in std::fs::read_dir(t.path("out/reports")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(!name.starts_with(".charte-"), "a temporary file was left: {name}");
    }
    t.run(["audit"]).success().stdout_has("intact");
}

#[test]
fn two_reports_at_once_leave_each_file_as_journaled_last() {
    for round in 0..REPETITIONS {
        let t = workspace();
        let days = if round % 2 == 0 { ["2026-02-02", "2026-02-02"] } else { ["2026-02-03", "2026-02-02"] };
        let runs: Vec<_> = days.iter().map(|day| t.spawn_at(day, ["report", "annual", "--year", "2026"])).collect();
        let runs: Vec<Run> = runs.into_iter().map(Running::wait).collect();
        for run in &runs {
            match run.code {
                0 => {}
                2 => assert!(run.stderr.contains("time does not go back"), "{}", run.stderr),
                3 => assert!(run.stderr.contains("another charte command"), "{}", run.stderr),
                code => panic!("ended with {code}\n{}\n{}", run.stdout, run.stderr),
            }
        }
        assert!(runs.iter().any(|r| r.code == 0), "one of them made the report");
        check_reports(&t);
    }
}
