//! Personal data beside the journal, and `charte erase` (issue 16, part 6):
//! the journal of a workspace that wrote to its organisations holds no
//! address, only commitments (read straight from charte.db); the outbox
//! is listed and sent on through them; an erased address leaves the chain
//! and the audit intact, and its message is refused alone; a value
//! changed behind charte's back fails the audit.

use rusqlite::Connection;

use crate::harness::*;
use crate::outbox::{ADDRESSES, ROSTER, convoke_into_the_outbox, listed, outbox, received_by, workspace};
use crate::smtp::{ServerOptions, TestServer};

const MARIE: &str = "marie@lepont.example.be";

fn db(t: &Test) -> Connection {
    Connection::open(t.path("charte.db")).unwrap()
}

/// Every entry's subject and payload that names one of `addresses`, ignoring case.
fn entries_naming(t: &Test, addresses: &[&str]) -> Vec<String> {
    let conn = db(t);
    let mut stmt = conn.prepare("SELECT seq, kind, subject, payload FROM journal ORDER BY seq").unwrap();
    let entries: Vec<(i64, String, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect();
    assert!(entries.len() > 10, "a journal: {entries:?}");
    entries
        .into_iter()
        .filter(|(_, _, subject, payload)| {
            let text = format!("{subject}\n{payload}").to_lowercase();
            addresses.iter().any(|a| text.contains(&a.to_lowercase()))
        })
        .map(|(seq, kind, _, payload)| format!("{seq} {kind}: {payload}"))
        .collect()
}

/// The values the table beside the journal holds equal to `address`.
fn held(t: &Test, address: &str) -> i64 {
    db(t).query_row("SELECT count(*) FROM personal WHERE lower(value) = lower(?1)", [address], |r| r.get(0)).unwrap()
}

/// The personal-data-erased entries' payloads.
fn erasures(t: &Test) -> Vec<String> {
    let conn = db(t);
    let mut stmt =
        conn.prepare("SELECT subject || '|' || payload FROM journal WHERE kind = 'personal-data-erased'").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn the_journal_of_a_convoked_workspace_holds_no_recipient_address() {
    let t = Test::new().at("2026-02-01");
    std::fs::write(t.path("roster.csv"), ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    convoke_into_the_outbox(&t);
    assert_eq!(entries_naming(&t, &ADDRESSES), Vec::<String>::new(), "no address in the chain");
    let intended: Vec<String> = {
        let conn = db(&t);
        let mut stmt = conn
            .prepare("SELECT json_extract(payload, '$.address') FROM journal WHERE kind = 'message-intended'")
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(intended.len(), 4);
    for c in &intended {
        assert!(c.starts_with("sha256:") && c.len() == 71, "a commitment: {c}");
    }
    // Read back through the commitments: the roster, the outbox.
    for a in ADDRESSES {
        assert!(held(&t, a) >= 2, "{a}: once for the roster, once for its message");
    }
    let members = t.members();
    assert!(members.iter().any(|m| m["email"] == "info@lepont.example.be"), "{members:?}");
    t.run(["members", "show", "0606.997.096"]).success().stdout_has("Marie Dupont <marie@lepont.example.be>");
    let list = listed(&t);
    assert_eq!(list.len(), 4);
    assert_eq!(list[MARIE]["relay"], "waiting");
    t.run(["audit"]).success().stdout_has("personal data intact: 8 value(s) held");
}

#[test]
fn an_erased_address_leaves_the_audit_intact_and_its_message_alone_is_not_sent_on() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    convoke_into_the_outbox(&t);
    let file = listed(&t)[MARIE]["file"].as_str().unwrap().to_owned();
    let before = t.journal_len();

    let out = t
        .run(["erase", "Marie@LePont.example.be", "--reason", "demande d'effacement du 2026-02-01"])
        .success()
        .stdout_has("erased 2 personal value(s) equal to the subject: 2 email addresses")
        .stdout_has("where they were used: 2 journal entries (1 message-intended, 1 organisation-added)")
        .stdout_has(&format!("journaled as entry {}", before + 1))
        .stdout_has("`charte audit` still holds")
        .stdout_has("the roster no longer holds it for ASBL Le Pont (representative_email)")
        .stdout_has(&file);
    assert!(!out.stdout.to_lowercase().contains(MARIE), "the output does not repeat it:\n{}", out.stdout);
    assert_eq!(held(&t, MARIE), 0, "no value left for it");
    assert_eq!(held(&t, "info@lepont.example.be"), 2, "the organisation's own address stays");
    let erased = erasures(&t);
    assert_eq!(erased.len(), 1, "journaled once: {erased:?}");
    assert!(erased[0].starts_with("|{\"type\":\"personal-data-erased\""), "no subject: {}", erased[0]);
    assert!(erased[0].contains("demande d'effacement du 2026-02-01"), "{}", erased[0]);
    assert_eq!(t.journal_len(), before + 1);
    t.run(["audit"]).success().stdout_has("journal intact").stdout_has("6 value(s) held").stdout_has("2 erased");

    // The members' file no longer names it; the outbox refuses its message only.
    t.run(["members", "show", "0606.997.096"]).success().stdout_has("representative     Marie Dupont\n");
    let list = outbox(&t, &["list", "--json"]).success().json();
    let marie: Vec<_> = list.as_array().unwrap().iter().filter(|e| e["file"] == file.as_str()).collect();
    assert_eq!(marie[0]["relay"], "refused");
    assert!(marie[0]["message"]["address"].is_null(), "{}", marie[0]);
    outbox(&t, &["send"])
        .code(4)
        .stdout_has("2 message(s) sent on")
        .stdout_has("1 bounced")
        .stderr_has(&format!("{file}: its recipient's address was erased (charte erase)"));
    assert_eq!(received_by(&server), ["hold-buurtwerk@buurtwerk.example.be", "info@lepont.example.be"]);
    // The server's refusal quoted the address it refused: the journal keeps it without.
    assert_eq!(entries_naming(&t, &ADDRESSES), Vec::<String>::new());
    let bounce: String =
        db(&t).query_row("SELECT payload FROM journal WHERE kind = 'message-relay-bounced'", [], |r| r.get(0)).unwrap();
    assert!(bounce.contains("550") && bounce.contains("[address]"), "{bounce}");
    t.run(["audit"]).success();

    // Erased once: asked again, nothing is held (exit 2), nothing journaled.
    let len = t.journal_len();
    t.run(["erase", MARIE, "--reason", "second request"]).code(2).stderr_has("holds no personal value equal to");
    assert_eq!(t.journal_len(), len);
    assert_eq!(erasures(&t).len(), 1);
}

#[test]
fn an_erased_roster_address_is_written_to_no_more_until_an_import_names_it_again() {
    let t = Test::new().at("2026-02-01");
    std::fs::write(t.path("roster.csv"), ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    // A roster uploaded on the desk, waiting for its confirmation: it names the address too.
    std::fs::create_dir_all(t.path("out/staging")).unwrap();
    let staged = t.path("out/staging/roster-0123456789abcdef0123456789abcdef.csv");
    std::fs::write(&staged, ROSTER).unwrap();
    std::fs::write(t.path("out/staging/notes.txt"), "not an upload").unwrap();
    let before = t.journal_len();
    let json = t.run(["erase", "info@lepont.example.be", "--reason", "request 12", "--json"]).success().json();
    assert_eq!(json["staged_removed"], 1);
    assert!(!staged.exists(), "a waiting upload could bring the address back: removed");
    assert!(t.path("out/staging/notes.txt").exists(), "only uploads are removed");
    assert_eq!(json["erased"], 1);
    assert_eq!(json["entry"], before + 1);
    assert_eq!(json["kinds"], serde_json::json!({"email": 1}));
    assert_eq!(json["used_by"], serde_json::json!({"organisation-added": 1}));
    assert_eq!(json["in_the_clear"], serde_json::json!({}));
    assert_eq!(json["roster"], serde_json::json!([{"name": "ASBL Le Pont", "field": "email"}]));
    assert_eq!(json["files"], serde_json::json!([]));
    let pont = t.members().into_iter().find(|m| m["name"] == "ASBL Le Pont").unwrap();
    assert_eq!(pont["email"], "", "{pont}");
    t.run(["members", "list"]).success().stdout_has("(erased)");
    // Its representative is still written to, under the same Message-ID rank as before.
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12T14:00"]).success().stdout;
    t.run(["convoke", id.trim()]).success().stdout_has("3 convocations sent");
    let addresses: Vec<String> = listed(&t).keys().filter(|a| a.contains("lepont")).cloned().collect();
    assert_eq!(addresses, [MARIE]);
    let marie = &listed(&t)[MARIE];
    assert!(marie["message"]["message_id"].as_str().unwrap().contains(".0606997096.1@"), "{marie}");
    t.run(["audit"]).success();
    // The roster file still names it: the next import records it again, as a change.
    t.run(["members", "import", "roster.csv"]).success().stdout_has("0606.997.096");
    let pont = t.members().into_iter().find(|m| m["name"] == "ASBL Le Pont").unwrap();
    assert_eq!(pont["email"], "info@lepont.example.be");
    t.run(["audit"]).success();
}

#[test]
fn a_value_changed_behind_charte_s_back_fails_the_audit_naming_it() {
    let t = Test::new().at("2026-02-01");
    std::fs::write(t.path("roster.csv"), ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    let commitment: String =
        db(&t).query_row("SELECT commitment FROM personal WHERE value = ?1", [MARIE], |r| r.get(0)).unwrap();
    db(&t).execute("UPDATE personal SET value = 'eve@example.be' WHERE commitment = ?1", [&commitment]).unwrap();
    t.run(["audit"])
        .code(1)
        .stderr_has(&format!("the personal value {commitment} (email, used by entry 2) does not match its commitment"))
        .stderr_has("changed outside charte");
    let json = t.run(["audit", "--json"]).code(1).json();
    assert_eq!(json["intact"], false);
    assert!(json["personal"].as_str().unwrap().contains(&commitment), "{json}");

    // Cleared by hand, without `charte erase`: named too.
    db(&t).execute("UPDATE personal SET value = NULL, salt = NULL WHERE commitment = ?1", [&commitment]).unwrap();
    t.run(["audit"]).code(1).stderr_has("no personal-data-erased entry records it");
}

#[test]
fn an_unknown_subject_or_a_missing_reason_changes_nothing() {
    let t = Test::new().at("2026-02-01");
    std::fs::write(t.path("roster.csv"), ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    let before = (t.snapshot(), held(&t, MARIE));

    t.run(["erase", "nobody@example.be", "--reason", "request 7"])
        .code(2)
        .stderr_has("charte holds no personal value equal to nobody@example.be: nothing was changed");
    t.run(["erase", MARIE]).code(2).stderr_has("--reason");
    t.run(["erase", MARIE, "--reason", "  "]).code(2).stderr_has("--reason is empty").stderr_has("nothing was changed");
    t.run(["erase", MARIE, "--reason", "asked by Marie@LePont.example.be"])
        .code(2)
        .stderr_has("the reason names the value to erase");
    t.run(["erase", " ", "--reason", "request"]).code(2).stderr_has("give the value to erase");
    assert_eq!((t.snapshot(), held(&t, MARIE)), before, "nothing changed");
    assert!(erasures(&t).is_empty());
    t.run(["erase", "--help"]).success().stdout_has("salted commitment").stdout_has("Exit 2 when nothing is held");
}
