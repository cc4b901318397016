//! Two writers at once (issue #15), through the binary and the real SMTP
//! server: two `convoke` of one meeting share its messages out, each
//! address reached once; two `meeting add` get two ids; two `run
//! convocation` send nothing twice and neither dies; two `run adhesion`
//! issue each document once, as journaled, and mail it once. Each is repeated:
//! none may pass by luck of the timing.

use std::collections::HashMap;

use crate::harness::*;
use crate::smtp::{ServerOptions, TestServer};

const REPEAT: usize = 5;
const ORGANISATIONS: u64 = 50;

/// A workspace of [`ORGANISATIONS`] organisations (one address each) whose
/// mail goes to `port`.
fn workspace(port: u16, now: &str) -> Test {
    let t = Test::new().at(now);
    let mut roster = String::from("name,enterprise_number,email\n");
    for i in 0..ORGANISATIONS {
        let body = 5_000_000 + i * 17;
        roster.push_str(&format!("Org {i},{body:08}{:02},org{i}@example.be\n", 97 - body % 97));
    }
    std::fs::write(t.path("roster.csv"), roster).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    crate::smtp::point_at(&t.path("charte.toml"), port);
    t
}

fn env() -> Vec<(&'static str, String)> {
    crate::smtp::client_env()
}

/// How many messages each address received.
fn per_address(server: &TestServer) -> HashMap<String, usize> {
    let mut per = HashMap::new();
    for r in server.messages() {
        for to in r.rcpt_tos {
            *per.entry(to).or_insert(0) += 1;
        }
    }
    per
}

/// The number before `what` in a summary line ("12 convocations sent").
fn count_of(stdout: &str, what: &str) -> usize {
    let Some(at) = stdout.find(what) else { return 0 };
    stdout[..at].split_whitespace().last().and_then(|n| n.parse().ok()).unwrap_or(0)
}

#[test]
fn two_convocations_of_one_meeting_at_once_reach_every_address_once() {
    let env = env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for round in 0..REPEAT {
        let server = TestServer::start(ServerOptions::default());
        let t = workspace(server.port, "2026-02-01");
        let id = t
            .run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12T14:00"])
            .success()
            .stdout
            .trim()
            .to_owned();
        let (a, b) = t.twice_at_once(&["convoke", &id], &env);
        let (a, b) = (a.success(), b.success());
        let per = per_address(&server);
        assert_eq!(per.len(), ORGANISATIONS as usize, "round {round}: every address reached");
        let twice: Vec<_> = per.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "round {round}: sent twice: {twice:?}\n{}\n{}", a.stdout, b.stdout);
        let sent = count_of(&a.stdout, "convocations sent") + count_of(&b.stdout, "convocations sent");
        assert_eq!(
            sent, ORGANISATIONS as usize,
            "round {round}: each run says what it sent\n{}\n{}",
            a.stdout, b.stdout
        );
        for run in [&a, &b] {
            let elsewhere = count_of(&run.stdout, "being sent by another run at the same time");
            let already = count_of(&run.stdout, "already sent before");
            let own = count_of(&run.stdout, "convocations sent");
            assert_eq!(own + elsewhere + already, ORGANISATIONS as usize, "round {round}: {}", run.stdout);
        }
        t.run_env(["convoke", &id], &env).success().stdout_has(": 0 convocations sent");
        assert_eq!(server.messages().len(), ORGANISATIONS as usize);
        t.run(["audit"]).success();
    }
}

#[test]
fn two_meetings_added_at_once_get_two_ids() {
    let t = Test::new().at("2026-02-01");
    let mut ids = Vec::new();
    for round in 0..REPEAT {
        let (a, b) = t.twice_at_once(&["meeting", "add", "--body", "plenary", "--date", "2026-03-12T14:00"], &[]);
        let (a, b) = (a.success(), b.success());
        assert_ne!(a.stdout.trim(), b.stdout.trim(), "round {round}: two ids");
        ids.extend([a.stdout.trim().to_owned(), b.stdout.trim().to_owned()]);
    }
    let list = t.run(["meeting", "list"]).success().stdout;
    for id in &ids {
        assert!(list.contains(id.as_str()), "{id} listed:\n{list}");
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2 * REPEAT, "every meeting its own id: {ids:?}");
    t.run(["audit"]).success();
}

#[test]
fn two_convocation_runs_at_once_send_nothing_twice() {
    let env = env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for round in 0..REPEAT {
        let server = TestServer::start(ServerOptions::default());
        let t = workspace(server.port, "2026-02-27");
        t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12T14:00"]).success();
        let (a, b) = t.twice_at_once(&["run", "convocation"], &env);
        a.success();
        b.success();
        let per = per_address(&server);
        assert_eq!(per.len(), ORGANISATIONS as usize, "round {round}: every address reached");
        assert!(per.values().all(|n| *n == 1), "round {round}: nothing sent twice: {per:?}");
        // A run that shared the sending out with another leaves its step to
        // do (the other might not finish): the next run records it, sending
        // nothing again; the one after has nothing left.
        t.run_env(["run", "convocation"], &env).success();
        assert_eq!(server.messages().len(), ORGANISATIONS as usize, "round {round}: nothing sent again");
        t.run_env(["run", "convocation"], &env).success().stdout_has("), 0 steps");
        t.run(["audit"]).success();
    }
}

#[test]
fn two_adhesion_runs_at_once_issue_and_mail_each_document_once() {
    let env = env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for round in 0..3 {
        let server = TestServer::start(ServerOptions::default());
        let t = workspace(server.port, "2026-02-02");
        t.run(["keys", "init"]).success();
        let (a, b) = t.twice_at_once(&["run", "adhesion"], &env);
        a.success();
        b.success();
        let documents = crate::concurrency_documents::check(&t, 10);
        assert_eq!(documents, ORGANISATIONS as usize, "round {round}: one document per organisation");
        let per = per_address(&server);
        assert_eq!(per.len(), ORGANISATIONS as usize, "round {round}: every address reached");
        assert!(per.values().all(|n| *n == 1), "round {round}: nothing mailed twice: {per:?}");
        t.run_env(["run", "adhesion"], &env).success().stdout_has("), 0 steps");
        assert_eq!(server.messages().len(), ORGANISATIONS as usize);
    }
}

#[test]
fn two_imports_of_one_events_file_at_once_record_each_event_once() {
    for round in 0..REPEAT {
        let t = Test::fixture("ixelles").at("2026-03-01");
        let len = t.journal_len();
        let (a, b) = t.twice_at_once(&["events", "import", "year/events.csv"], &[]);
        let (a, b) = (a.success().stdout, b.success().stdout);
        let recorded = count_of(&a, "events recorded") + count_of(&b, "events recorded");
        assert_eq!(recorded, 4, "round {round}: each event counted once:\n{a}\n{b}");
        assert_eq!(t.journal_len(), len + 4, "round {round}: each event journaled once");
        t.run(["audit"]).success();
    }
}

#[test]
fn a_meeting_cancelled_twice_at_once_keeps_one_reason() {
    let t = Test::new().at("2026-02-01");
    for round in 0..REPEAT {
        let id =
            t.run(["meeting", "add", "--body", "plenary", "--date", "2026-04-02"]).success().stdout.trim().to_owned();
        let len = t.journal_len();
        let (a, b) = t.twice_at_once(&["meeting", "cancel", &id, "--reason", "salle indisponible"], &[]);
        let codes = [a.code, b.code];
        assert!(codes.contains(&0) && codes.contains(&2), "round {round}: one cancels, one is refused: {codes:?}");
        let refused = if a.code == 2 { a } else { b };
        refused.stderr_has("already cancelled");
        assert_eq!(t.journal_len(), len + 1, "round {round}: cancelled once");
    }
    t.run(["audit"]).success();
}
