//! `charte expenses import|list` (issue 20): the year's expense and staff
//! lines journaled all-or-nothing through the subsidy report's own parser;
//! a second import of the year replaces the first, never adds to it; the
//! subsidy report without --expenses reads the journaled lines and comes
//! to the same totals as with the file; the audit replays the table.

use crate::harness::*;

/// Woluwe-Saint-Lambert at the end of 2026, with its key.
fn woluwe() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-12-31");
    t.run(["keys", "init"]).success();
    t
}

fn sha256(path: &std::path::Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

fn count(t: &Test, sql: &str) -> i64 {
    let db = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn imported_expenses_are_what_the_subsidy_report_reads_with_the_files_totals() {
    let t = woluwe();
    let before = t.journal_len();
    t.run(["expenses", "import", "year/expenses.csv", "--dry-run"])
        .success()
        .stdout_has("39 expense lines of 2026 would be recorded")
        .stdout_has("dry run: nothing was changed");
    assert_eq!(t.journal_len(), before, "a dry run journals nothing");
    t.run(["expenses", "import", "year/expenses.csv"]).success().stdout_has("39 expense lines of 2026 recorded");
    assert_eq!(t.journal_len(), before + 1, "one entry for the whole file");
    let listed = t.run(["expenses", "list", "--json"]).success().json();
    assert_eq!(listed["year"], 2026);
    assert_eq!(listed["file"], "expenses.csv");
    assert_eq!(listed["lines"].as_array().unwrap().len(), 39);
    assert_eq!(listed["lines"][0]["document"], "LOYER-2026-T1");
    assert_eq!(listed["lines"][0]["cents"], 72000);

    let with_file =
        t.run(["report", "subsidy", "--year", "2026", "--expenses", "year/expenses.csv", "--json"]).success().json();
    let journaled = t.run(["report", "subsidy", "--year", "2026", "--json"]).success().json();
    assert_eq!(journaled["envelopes_cents"], with_file["envelopes_cents"]);
    assert_eq!(journaled["eligible_total_cents"], with_file["eligible_total_cents"]);
    assert_eq!(journaled["staff"], with_file["staff"]);
    assert_eq!(journaled["no_expenses"], false);
    assert_eq!(listed["totals_cents"], with_file["envelopes_cents"], "the list's totals are the report's");
    assert_eq!(listed["total_cents"], with_file["eligible_total_cents"]);
    t.run(["audit"]).success().stdout_has("journal intact");
}

#[test]
fn a_second_import_of_the_year_replaces_the_first_and_the_same_file_changes_nothing() {
    let t = woluwe();
    t.run(["expenses", "import", "year/expenses.csv"]).success();
    let entries = t.journal_len();
    t.run(["expenses", "import", "year/expenses.csv"]).success().stdout_has("already recorded as they are");
    assert_eq!(t.journal_len(), entries, "the same file again journals nothing");
    std::fs::write(
        t.path("corrected.csv"),
        "date;category;description;amount;document;person;fte\n\
         2026-01-31;staff;Salaire janvier;3 250,00;FICHE-2026-01;Anne Coordinatrice;1\n\
         2026-03-12;running;Traiteur plénière;412,30;FACT-2026-014;;\n",
    )
    .unwrap();
    t.run(["expenses", "import", "corrected.csv", "--dry-run"])
        .success()
        .stdout_has("would replace the 39 lines of expenses.csv");
    t.run(["expenses", "import", "corrected.csv"]).success().stdout_has("replace the 39 lines of expenses.csv");
    let listed = t.run(["expenses", "list", "--year", "2026", "--json"]).success().json();
    assert_eq!(listed["lines"].as_array().unwrap().len(), 2, "replaced, not added: {listed}");
    assert_eq!(listed["total_cents"], 366230);
    assert_eq!(listed["totals_cents"]["staff"], 325000);
    assert_eq!(count(&t, "SELECT count(*) FROM expenses"), 2);
    let payload: String = rusqlite::Connection::open(t.path("charte.db"))
        .unwrap()
        .query_row("SELECT payload FROM journal WHERE kind = 'expenses-imported' ORDER BY seq DESC", [], |r| r.get(0))
        .unwrap();
    let event: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(event["replaced"], sha256(&t.path("year/expenses.csv")), "both files' sha256 are journaled");
    assert_eq!(event["sha256"], sha256(&t.path("corrected.csv")));
    let r = t.run(["report", "subsidy", "--year", "2026", "--json"]).success().json();
    assert_eq!(r["eligible_total_cents"], 366230, "the report counts each line once");
    t.run(["audit"]).success().stdout_has("journal intact");
}

#[test]
fn a_file_with_a_bad_line_records_nothing_and_names_the_line() {
    let t = woluwe();
    std::fs::write(
        t.path("broken.csv"),
        "date,category,description,amount,document,person,fte\n\
         2026-01-31,staff,Salaire,3250.00,FICHE-1,Anne,1\n\
         2026-02-01,travel,Train,12.00,TICKET-1,,\n",
    )
    .unwrap();
    let entries = t.journal_len();
    t.run(["expenses", "import", "broken.csv"])
        .code(2)
        .stderr_has("broken.csv")
        .stderr_has("line 3, column category: unknown category 'travel'");
    assert_eq!(t.journal_len(), entries, "nothing journaled");
    t.run(["expenses", "list"]).success().stdout_has("no expense lines recorded");
    // Without lines recorded nor a file, the report still says what to do.
    t.run(["report", "subsidy", "--year", "2026"])
        .code(2)
        .stderr_has("charte expenses import FILE.csv")
        .stderr_has("or --no-expenses");
}
