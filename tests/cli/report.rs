use crate::harness::*;

/// Ans: four plenaries in 2026 (one cancelled, one after --now), attendance
/// at two; the figures are counted by hand below.
#[test]
fn annual_figures_match_a_hand_count() {
    let t = Test::fixture("ans").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
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
}

#[test]
fn a_year_without_data_is_an_honest_empty_report() {
    let t = Test::new();
    let r = t.run(["report", "annual", "--year", "2019", "--json"]).success().json();
    assert_eq!(r["organisations"]["members"], 0);
    assert_eq!(r["bodies"]["plenary"]["held"], 0);
    assert!(r["bodies"]["plenary"]["attendance_rate"].is_null());
}
