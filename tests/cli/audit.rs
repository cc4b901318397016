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

// The derived tables (issue 15): the journal replayed in memory gives
// every projection table as it is stored, or the first difference is named.

#[test]
fn a_workspace_after_a_year_of_work_has_its_tables_as_the_journal_gives_them() {
    let t = crate::election::plenary_held();
    t.run(["audit"]).success().stdout_has("journal intact").stdout_has("derived tables intact");
    let json = t.run(["audit", "--json"]).success().json();
    assert_eq!(json["intact"], true);
    assert!(json["tables"].as_u64().unwrap() >= 20, "every projection table compared: {json}");
}

#[test]
fn a_public_key_written_straight_into_the_organisations_table_is_named() {
    let t = imported();
    tamper(&t, "UPDATE organisations SET public_key = 'ab12forged' WHERE enterprise_number = '0251839219'");
    t.run(["audit"])
        .code(1)
        .stderr_has("the table organisations differs from the journal")
        .stderr_has("0251.839.219's public_key is 'ab12forged' in the database, the journal gives none")
        .stderr_has("changed outside charte");
    let json = t.run(["audit", "--json"]).code(1).json();
    assert_eq!(json["intact"], false);
    assert_eq!(json["table"], "organisations");
    assert_eq!(json["key"], "0251.839.219");
    assert_eq!(json["column"], "public_key");
    assert_eq!(json["stored"], "'ab12forged'");
    assert!(json["journal"].is_null());
}

#[test]
fn a_deleted_projection_row_is_named() {
    let t = imported();
    tamper(&t, "DELETE FROM status_history WHERE seq = 5");
    t.run(["audit"]).code(1).stderr_has("the table status_history").stderr_has("seq 5").stderr_has("is missing");
}

#[test]
fn an_extra_projection_row_is_named() {
    let t = imported();
    // A flag marked resolved that nobody resolved.
    tamper(
        &t,
        "INSERT INTO flag_status (key, status, note, at, seq) VALUES ('unsigned:x', 'resolved', NULL, '2026-01-01', 3)",
    );
    t.run(["audit"]).code(1).stderr_has(
        "the table flag_status differs from the journal: it has a row for unsigned:x that the journal does not give",
    );
}

#[test]
fn the_chain_is_checked_before_the_tables() {
    let t = imported();
    tamper(&t, "UPDATE organisations SET name = 'X'; UPDATE journal SET at = '2020-01-01' WHERE seq = 7");
    t.run(["audit"]).code(1).stderr_has("journal broken at entry 7");
}
