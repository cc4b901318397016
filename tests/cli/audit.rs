use crate::harness::*;

fn tamper(t: &Test, sql: &str) {
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn imported() -> Test {
    let t = Test::fixture("ans");
    t.run(["members", "import", "roster.csv"]).success();
    t
}

#[test]
fn an_intact_journal_passes() {
    imported().run(["audit"]).success().stdout_has("journal intact: 28 entries");
}

#[test]
fn an_altered_payload_is_named() {
    let t = imported();
    tamper(&t, r#"UPDATE journal SET payload = replace(payload, '"name":"', '"name":"X') WHERE seq = 5"#);
    t.run(["audit"]).code(1).stderr_has("journal broken at entry 5").stderr_has("altered");
}

#[test]
fn an_altered_date_is_named() {
    let t = imported();
    tamper(&t, "UPDATE journal SET at = '2020-01-01' WHERE seq = 7");
    t.run(["audit"]).code(1).stderr_has("entry 7");
}

#[test]
fn a_recomputed_hash_still_breaks_the_next_link() {
    let t = imported();
    // A forger who rewrites entry 3's hash to match its new content breaks
    // the link from entry 4.
    tamper(&t, "UPDATE journal SET hash = '00' || substr(hash, 3) WHERE seq = 3");
    t.run(["audit"]).code(1).stderr_has("entry 3");
}

#[test]
fn a_removed_entry_is_named() {
    let t = imported();
    tamper(&t, "DELETE FROM journal WHERE seq = 10");
    t.run(["audit", "--json"]).code(1).stderr_has("entry 11").stderr_has("removed");
}

#[test]
fn a_newer_schema_is_refused_clearly() {
    let t = imported();
    tamper(&t, "PRAGMA user_version = 99");
    t.run(["members", "list"]).code(2).stderr_has("schema version is 99").stderr_has("newer charte");
}
