//! The funder's report (issue 12, point 3): deadlines from charte.toml and
//! said to be past when they are, amounts read strictly into cents, a grant
//! that is an amount, and a report without expenses only when asked for.

use crate::harness::*;

/// The text of a PDF, its whitespace (and the narrow no-break spaces of
/// amounts) made single spaces.
fn pdf_text(path: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext runs");
    String::from_utf8_lossy(&out.stdout)
        .replace(['\u{a0}', '\u{202f}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fixture with its key, on `date`.
fn fixture_at(name: &str, date: &str) -> Test {
    let t = Test::fixture(name).at(date);
    t.run(["keys", "init"]).success();
    t
}

/// Replaces `from` by `to` in the workspace's charte.toml.
fn edit_config(t: &Test, from: &str, to: &str) {
    let path = t.path("charte.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "charte.toml lacks {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The Walloon Region's reports are due by 1 March of the next year (the
/// default: the fixture names no date). Made on 15 February 2027, the 2026
/// report is in time; made on 5 March 2027, it says on the page and on the
/// command line that the day is past.
#[test]
fn a_report_made_after_its_deadline_says_the_deadline_is_past() {
    let t = fixture_at("relais-social-luxembourg", "2027-02-15");
    let args = ["report", "subsidy", "--year", "2026", "--expenses", "year/expenses.csv", "--json"];
    let r = t.run(args).success().json();
    assert_eq!(r["due"], "2027-03-01");
    assert_eq!(r["due_past"], false);
    let text = pdf_text(&t.path("out/reports/subsidy-2026.pdf"));
    assert!(text.contains("À remettre au plus tard le 1er mars 2027"), "{text}");
    assert!(!text.contains("dépassée"), "{text}");

    let t = t.at("2027-03-05");
    let run = t.run(args).success().stderr_has("due by 2027-03-01: that day is already past on 2027-03-05");
    let r = run.json();
    assert_eq!(r["due"], "2027-03-01");
    assert_eq!(r["due_past"], true);
    let text = pdf_text(&t.path("out/reports/subsidy-2026.pdf"));
    assert!(text.contains("1er mars 2027 — échéance déjà dépassée à la date d'émission"), "{text}");
    assert!(text.contains("cette échéance était déjà dépassée"), "the sworn statement says it too: {text}");
    t.run(["report", "subsidy", "--year", "2026", "--expenses", "year/expenses.csv"])
        .success()
        .stdout_has("was due by 2027-03-01: already past");
}

/// COCOM's dates come from its circular: Ixelles wrote none, so no deadline
/// is printed (before, "30 juin 2026" was, on a report of 31 December
/// 2026); Woluwe-Saint-Lambert wrote subsidy_due = "03-31", so its 2026
/// report is due by 31 March 2027, in French and in Dutch.
#[test]
fn a_cocom_deadline_comes_from_charte_toml_or_is_not_printed() {
    let t = fixture_at("ixelles", "2026-12-31");
    let args = ["report", "subsidy", "--year", "2026", "--expenses", "year/expenses.csv"];
    t.run(args).success().stdout_has("no deadline printed");
    let r = t.run(args.iter().chain(&["--json"])).success().json();
    assert!(r["due"].is_null(), "{}", r["due"]);
    assert_eq!(r["due_past"], false);
    assert!(r["tranches"][0]["due"].is_null() && r["tranches"][1]["due"].is_null());
    let text = pdf_text(&t.path("out/reports/subsidy-2026.pdf"));
    for absent in ["À remettre", "30 juin", "dépassée"] {
        assert!(!text.contains(absent), "{absent:?} is printed: {text}");
    }
    // The first tranche (half of 71 500 €) has no date of its own.
    assert!(text.contains("1 50 % 35 750,00 € selon la circulaire"), "{text}");

    let t = fixture_at("woluwe-saint-lambert", "2026-12-31");
    let r = t.run(args.iter().chain(&["--json"])).success().json();
    assert_eq!(r["due"], "2027-03-31");
    assert_eq!(r["due_past"], false);
    let text = pdf_text(&t.path("out/reports/subsidy-2026.pdf"));
    assert!(text.contains("À remettre au plus tard le 31 mars 2027"), "{text}");
    assert!(!text.contains("30 juin"), "{text}");

    edit_config(&t, "languages = [\"fr\", \"nl\"]", "languages = [\"nl\", \"fr\"]");
    t.run(args).success().stdout_has("due by 2027-03-31");
    let text = pdf_text(&t.path("out/reports/subsidy-2026.pdf"));
    assert!(text.contains("In te dienen uiterlijk op 31 maart 2027"), "{text}");
    assert!(text.contains("volgens omzendbrief"), "{text}");
}

/// Each amount a lax reading got wrong (1350.000 read as 1 350 000 €,
/// 12.3456 as 123 456 €, 0.001 as 1 €, 1.2.3 as 12,30 €) is refused with its
/// line and column, as is "1,350" (1 350 € or 1,35 €?); nothing is written
/// and nothing journaled.
#[test]
fn amounts_that_could_be_misread_are_refused_with_line_and_column() {
    let t = fixture_at("woluwe-saint-lambert", "2026-12-15");
    // A first, good report: the refused one must leave it as it is.
    t.run(["report", "subsidy", "--year", "2026", "--no-expenses"]).success();
    std::fs::write(
        t.path("expenses.csv"),
        "date;category;description;montant;document\n\
         2026-03-01;running;Loyer;1350.000;F-1\n\
         2026-03-02;running;Traiteur;12.3456;F-2\n\
         2026-03-03;running;Timbres;0.001;F-3\n\
         2026-03-04;running;Imprimante;1.2.3;F-4\n\
         2026-03-05;running;Salle;1,350;F-5\n\
         2026-03-06;running;Affiches;1,35;F-6\n",
    )
    .unwrap();
    let (files, entries) = (t.out_files(), t.journal_len());
    t.run(["report", "subsidy", "--year", "2026", "--expenses", "expenses.csv"])
        .code(2)
        .stderr_has("expenses.csv: 5 problems, nothing was changed")
        .stderr_has("line 2, column montant: '1350.000' has more than two decimals")
        .stderr_has("line 3, column montant: '12.3456' has more than two decimals")
        .stderr_has("line 4, column montant: '0.001' has more than two decimals")
        .stderr_has("line 5, column montant: '1.2.3' is not an amount in euros")
        .stderr_has("line 6, column montant: '1,350' is ambiguous")
        .stderr_has("Write 1350,00 or 1.350,00");
    assert_eq!(t.out_files(), files, "no file written");
    assert_eq!(t.journal_len(), entries, "nothing journaled");
}

/// The same amount as Belgian and English spreadsheets write it reads as
/// the same cents. Lines: 1.350,00 + 1,350.00 + 1 350,00 (no-break space)
/// + € 12,30 = 3 × 135 000 + 1 230 = 406 230 cents, 4 062,30 €.
#[test]
fn belgian_and_english_thousands_read_as_the_same_cents() {
    let t = fixture_at("woluwe-saint-lambert", "2026-12-15");
    std::fs::write(
        t.path("expenses.csv"),
        "date;category;description;amount;document\n\
         2026-03-01;running;Loyer T1;1.350,00;F-1\n\
         2026-06-01;running;Loyer T2;1,350.00;F-2\n\
         2026-09-01;running;Loyer T3;1\u{a0}350,00;F-3\n\
         2026-09-02;running;Timbres;€ 12,30;F-4\n",
    )
    .unwrap();
    let r = t.run(["report", "subsidy", "--year", "2026", "--expenses", "expenses.csv", "--json"]).success().json();
    let cents: Vec<i64> = r["costs"].as_array().unwrap().iter().map(|c| c["amount_cents"].as_i64().unwrap()).collect();
    assert_eq!(cents, [135_000, 135_000, 135_000, 1_230]);
    assert_eq!(r["costs"][0]["amount"], 1350.0, "the euro key keeps its meaning");
    assert_eq!(r["eligible_total_cents"], 406_230);
    assert_eq!(r["eligible_total"], 4062.3);
    assert_eq!(r["envelopes_cents"]["running"], 406_230);
    // Woluwe's grant, 58 400 €, in two halves; balance 5 840 000 − 406 230.
    assert_eq!(r["grant_cents"], 5_840_000);
    assert_eq!(r["tranches"][0]["amount_cents"], 2_920_000);
    assert_eq!(r["balance_cents"], 5_433_770);
    assert_eq!(r["balance"], 54337.7);
    let text = pdf_text(&t.path("out/reports/subsidy-2026.pdf"));
    assert!(text.contains("4 062,30 €"), "{text}");
    assert!(text.contains("54 337,70 €"), "{text}");
    assert!(text.contains("1 350,00 €"), "{text}");
}

/// `grant = nan` printed "NaN EUR"; a negative grant made a nonsense
/// balance. Both are refused when charte.toml is read, naming the key.
#[test]
fn a_grant_that_is_not_an_amount_is_refused() {
    for (grant, why) in [("nan", "not an amount"), ("-5", "cannot be negative"), ("inf", "not an amount")] {
        let t = fixture_at("ixelles", "2026-12-31");
        edit_config(&t, "grant = 71500.0", &format!("grant = {grant}"));
        t.run(["report", "subsidy", "--year", "2026", "--no-expenses"])
            .code(2)
            .stderr_has("charte.toml")
            .stderr_has("funder.grant")
            .stderr_has(why);
        assert!(!t.path("out/reports/subsidy-2026.pdf").exists());
    }
}

/// A due date that is not a day of the year is refused, naming the key.
#[test]
fn a_due_date_that_is_not_a_day_is_refused() {
    let t = fixture_at("ixelles", "2026-12-31");
    edit_config(&t, "grant = 71500.0", "grant = 71500.0\nsubsidy_due = \"02-30\"");
    t.run(["report", "subsidy", "--year", "2026", "--no-expenses"])
        .code(2)
        .stderr_has("funder.subsidy_due: '02-30' is not a day of the year");
}

/// Without --expenses nor --no-expenses, a 0,00 € report was sealed without
/// a word; now the command says which to give and changes nothing. With
/// --no-expenses, the report says so on its page, in its language.
#[test]
fn a_report_without_expenses_must_be_asked_for_and_says_so() {
    let t = fixture_at("ixelles", "2026-12-31");
    let (files, entries) = (t.out_files(), t.journal_len());
    t.run(["report", "subsidy", "--year", "2026"])
        .code(2)
        .stderr_has("give --expenses FILE.csv")
        .stderr_has("or --no-expenses");
    t.run(["report", "subsidy", "--year", "2026", "--expenses", "year/expenses.csv", "--no-expenses"]).code(2);
    assert_eq!(t.out_files(), files, "no file written");
    assert_eq!(t.journal_len(), entries, "nothing journaled");

    let r = t.run(["report", "subsidy", "--year", "2026", "--no-expenses", "--json"]).success().json();
    assert_eq!(r["no_expenses"], true);
    assert_eq!(r["eligible_total_cents"], 0);
    let text = pdf_text(&t.path("out/reports/subsidy-2026.pdf"));
    assert!(text.contains("Rapport établi sans relevé des dépenses"), "{text}");
    let r =
        t.run(["report", "subsidy", "--year", "2026", "--expenses", "year/expenses.csv", "--json"]).success().json();
    assert_eq!(r["no_expenses"], false);
    assert!(!pdf_text(&t.path("out/reports/subsidy-2026.pdf")).contains("sans relevé"));

    let t = fixture_at("woluwe-saint-lambert", "2026-12-31");
    edit_config(&t, "languages = [\"fr\", \"nl\"]", "languages = [\"nl\", \"fr\"]");
    t.run(["report", "subsidy", "--year", "2026", "--no-expenses"]).success().stdout_has("made without expenses");
    let text = pdf_text(&t.path("out/reports/subsidy-2026.pdf"));
    assert!(text.contains("Verslag opgesteld zonder overzicht van de uitgaven"), "{text}");
}

/// The annual-report workflow reads year/expenses.csv: when it is missing,
/// the subsidy step is not done for that year (exit 4, saying why and what
/// to do), the annual report is; once the file is there, the next run makes
/// the subsidy report. A workspace's workflow may say no_expenses = true
/// instead; both keys in one step are refused with the file and the line.
#[test]
fn the_annual_report_workflow_waits_for_the_expenses_file() {
    let t = fixture_at("ixelles", "2026-12-31");
    let expenses = std::fs::read(t.path("year/expenses.csv")).unwrap();
    std::fs::remove_file(t.path("year/expenses.csv")).unwrap();
    t.run(["run", "annual-report"])
        .code(4)
        .stderr_has("the subsidy report 2026: year/expenses.csv is not in the workspace")
        .stderr_has("no_expenses = true");
    assert!(t.path("out/reports/annual-2026.pdf").exists(), "the annual report is made");
    assert!(!t.path("out/reports/subsidy-2026.pdf").exists(), "no 0,00 € report sealed");

    let t = t.at("2027-01-04");
    std::fs::write(t.path("year/expenses.csv"), expenses).unwrap();
    t.run(["run", "annual-report"]).success();
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path("out/reports/subsidy-2026.json")).unwrap()).unwrap();
    assert_eq!(r["no_expenses"], false);
    assert!(r["eligible_total_cents"].as_i64().unwrap() > 0);

    // A workspace that reports without expenses, on purpose.
    let t = fixture_at("saint-gilles", "2026-12-31");
    std::fs::remove_file(t.path("year/expenses.csv")).unwrap();
    std::fs::create_dir_all(t.path("workflows")).unwrap();
    let builtin = std::fs::read_to_string(repo().join("workflows/annual-report.toml")).unwrap();
    let both =
        builtin.replace("expenses = \"year/expenses.csv\"", "expenses = \"year/expenses.csv\"\nno_expenses = true");
    std::fs::write(t.path("workflows/annual-report.toml"), &both).unwrap();
    let line = both.lines().position(|l| l == "no_expenses = true").unwrap() + 1;
    t.run(["run", "annual-report"])
        .code(2)
        .stderr_has("workflows/annual-report.toml")
        .stderr_has(&format!("line {line}"))
        .stderr_has("no_expenses = true together");
    let without = builtin.replace("expenses = \"year/expenses.csv\"", "no_expenses = true");
    std::fs::write(t.path("workflows/annual-report.toml"), without).unwrap();
    t.run(["run", "annual-report"]).success();
    let text = pdf_text(&t.path("out/reports/subsidy-2026.pdf"));
    assert!(text.contains("Rapport établi sans relevé des dépenses"), "{text}");
}
