use crate::harness::*;

/// Ans: four plenaries in 2026 (one cancelled, one after --now), attendance
/// at two; the figures are counted by hand below.
#[test]
fn annual_figures_match_a_hand_count() {
    let t = Test::fixture("ans").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let members = t.members();
    let declared = members.iter().filter(|m| m["status"] == "member" || m["status"] == "partner").count();
    let others = members.len() - declared;
    let add =
        |date: &str| t.run(["meeting", "add", "--body", "plenary", "--date", date]).success().stdout.trim().to_owned();
    let m1 = add("2026-03-10");
    let m2 = add("2026-06-10");
    let m3 = add("2026-09-10");
    let _m4 = add("2026-12-10");
    t.run(["meeting", "cancel", &m3, "--reason", "grève"]).success();
    let n = |i: usize| members[i]["enterprise_number"].as_str().unwrap().to_owned();
    let csv = format!(
        "meeting,enterprise_number,status\n{m1},{},present\n{m1},{},present\n{m1},{},excused\n{m2},{},present\n{m2},{},absent\n",
        n(0),
        n(1),
        n(2),
        n(0),
        n(1)
    );
    std::fs::write(t.path("att.csv"), csv).unwrap();
    let t = t.at("2026-11-01");
    t.run(["attendance", "import", "att.csv"]).success();
    let r = t.run(["report", "annual", "--year", "2026", "--json"]).success().json();
    assert_eq!(r["year"], 2026);
    assert_eq!(r["organisations"]["members"], declared);
    assert_eq!(r["organisations"]["participants"], others);
    assert_eq!(r["organisations"]["new_adherences"], 0);
    // Held: m1 and m2 (m3 cancelled, m4 after --now).
    assert_eq!(r["bodies"]["plenary"]["held"], 2);
    assert_eq!(r["bodies"]["plenary"]["required_min"], 4);
    // 3 present of 5 recorded lines.
    assert_eq!(r["bodies"]["plenary"]["attendance_rate"], 0.6);
    assert!(r["bodies"]["committee"]["attendance_rate"].is_null());
    assert!(r["flags"].is_array());
    let csv = std::fs::read_to_string(t.path("out/reports/annual-2026.csv")).unwrap();
    assert!(csv.contains("2026,bodies,plenary,held,2\n"), "{csv}");
    assert!(csv.contains("2026,bodies,plenary,attendance_rate,0.600\n"), "{csv}");
    let pdf = t.path("out/reports/annual-2026.pdf");
    t.run(["verify", pdf.to_str().unwrap()]).success().stdout_has("annual-report");
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("2026"));
}

#[test]
fn a_year_without_data_is_an_honest_empty_report() {
    let t = Test::new();
    t.run(["keys", "init"]).success();
    let r = t.run(["report", "annual", "--year", "2019", "--json"]).success().json();
    assert_eq!(r["organisations"]["members"], 0);
    assert_eq!(r["bodies"]["plenary"]["held"], 0);
    assert!(r["bodies"]["plenary"]["attendance_rate"].is_null());
}

#[test]
fn cocom_subsidy_report_adds_up_the_lines_and_splits_the_grant() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-12-15");
    t.run(["keys", "init"]).success();
    std::fs::write(
        t.path("expenses.csv"),
        "date;category;description;amount;document;person;fte\n\
         2026-01-31;staff;Salaire janvier;3 250,00;FICHE-2026-01;Anne Coordinatrice;1\n\
         2026-02-28;staff;Salaire février;3 250,00;FICHE-2026-02;Anne Coordinatrice;1\n\
         2026-02-28;personnel;Salaire février;1 400,50;FICHE-2026-02B;Marc Assistant;0,5\n\
         2026-03-12;running;Traiteur plénière;412.30;FACT-2026-014;;\n\
         2026-05-02;fonctionnement;Impression;87.20;FACT-2026-031;;\n",
    )
    .unwrap();
    let r = t.run(["report", "subsidy", "--year", "2026", "--expenses", "expenses.csv", "--json"]).success().json();
    assert_eq!(r["funder"], "cocom");
    assert_eq!(r["envelopes"]["staff"], 7900.5);
    assert_eq!(r["envelopes"]["running"], 499.5);
    assert_eq!(r["eligible_total"], 8400.0);
    let grant = r["grant"].as_f64().unwrap();
    assert_eq!(r["tranches"][0]["amount"].as_f64().unwrap(), grant / 2.0);
    assert_eq!(r["tranches"][0]["due"], "2026-06-30");
    assert_eq!(r["staff"][0]["person"], "Anne Coordinatrice");
    assert_eq!(r["staff"][0]["months"], 2);
    assert_eq!(r["staff"][1]["fte"], 0.5);
    assert!(t.path("out/reports/subsidy-2026.json").exists());
    let pdf = t.path("out/reports/subsidy-2026.pdf");
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Anne Coordinatrice"), "{text}");
    // The funder verifies it offline with the public key alone.
    let key = t.path("keys/coordination.pub");
    t.run(["verify", pdf.to_str().unwrap(), "--key", key.to_str().unwrap()]).success().stdout_has("subsidy-report");
    let seal: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path("out/reports/subsidy-2026.seal.json")).unwrap()).unwrap();
    let head = seal["manifest"]["extra"]["journal_head"].as_str().unwrap().to_owned();
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let found: i64 = conn.query_row("SELECT count(*) FROM journal WHERE hash = ?1", [&head], |r| r.get(0)).unwrap();
    assert_eq!(found, 1, "the sealed journal head is an entry of this journal");
}

#[test]
fn bad_expense_lines_are_all_reported_and_nothing_is_written() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-12-15");
    std::fs::write(
        t.path("expenses.csv"),
        "date,category,description,amount,document,person,fte\n\
         2026-01-31,staff,Salaire,-3250.00,FICHE-1,Anne,1\n\
         2026-13-01,running,Imprimante,120.00,FACT-1,,\n\
         2026-02-01,travel,Train,12.00,TICKET-1,,\n\
         2026-02-01,project,Projet,12.00,P-1,,\n\
         2025-12-31,running,Loyer,500.00,FACT-2,,\n",
    )
    .unwrap();
    t.run(["report", "subsidy", "--year", "2026", "--expenses", "expenses.csv"])
        .code(2)
        .stderr_has("5 problems")
        .stderr_has("line 2, column amount: '-3250.00' is negative")
        .stderr_has("line 3, column date: '2026-13-01' is not a date")
        .stderr_has("line 4, column category: unknown category 'travel'")
        .stderr_has("line 5, column category: this funder has no project envelope")
        .stderr_has("line 6, column date: 2025-12-31 is not in 2026");
    assert!(!t.path("out/reports/subsidy-2026.json").exists());
}

#[test]
fn a_network_without_funder_is_told_so() {
    let t = Test::fixture("ans");
    t.run(["report", "subsidy", "--year", "2026"]).success().stdout_has("no funder");
}
