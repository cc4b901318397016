use crate::harness::*;

/// Ans: four plenaries in 2026 (one cancelled, one after --now), attendance
/// at two; the figures are counted by hand below.
#[test]
fn annual_figures_match_a_hand_count() {
    let t = Test::fixture("ans").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let members = t.members();
    let declared: Vec<&str> = members
        .iter()
        .filter(|m| m["status"] == "member" || m["status"] == "partner")
        .map(|m| m["enterprise_number"].as_str().unwrap())
        .collect();
    let others = members.len() - declared.len();
    // Membership is proof: three of the declared members have signed.
    t.sign(&declared[..3]);
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
    assert_eq!(r["organisations"]["members"], 3, "the three that signed");
    assert_eq!(r["organisations"]["declared_not_signed"], declared.len() - 3);
    assert_eq!(r["organisations"]["participants"], others);
    assert_eq!(r["organisations"]["new_adherences"], 3);
    // Held: m1 and m2 (m3 cancelled, m4 after --now).
    assert_eq!(r["bodies"]["plenary"]["held"], 2);
    assert_eq!(r["bodies"]["plenary"]["required_min"], 4);
    // 3 present of 5 recorded lines.
    assert_eq!(r["bodies"]["plenary"]["attendance_rate"], 0.6);
    assert!(r["bodies"]["committee"]["attendance_rate"].is_null());
    assert!(r["flags"].is_array());
    let csv = std::fs::read_to_string(t.path("out/reports/annual-2026.csv")).unwrap();
    // The CSV a Belgian spreadsheet opens as it is: BOM, ';', decimal comma.
    assert!(csv.starts_with('\u{feff}'), "UTF-8 with a BOM");
    assert!(csv.contains("2026;bodies;plenary;held;2\n"), "{csv}");
    assert!(csv.contains("2026;bodies;plenary;attendance_rate;0,600\n"), "{csv}");
    // Per organisation: n(0) present twice (100 %), n(1) present then
    // absent (50 %), n(2) excused (0 %); lowest rate first.
    let by_org = r["attendance_by_organisation"].as_array().unwrap();
    assert_eq!(by_org.len(), 3);
    assert_eq!(by_org[0]["enterprise_number"], n(2).as_str());
    assert_eq!((by_org[0]["excused"].as_u64(), by_org[0]["attendance_rate"].as_f64()), (Some(1), Some(0.0)));
    assert_eq!(by_org[1]["enterprise_number"], n(1).as_str());
    assert_eq!((by_org[1]["present"].as_u64(), by_org[1]["absent"].as_u64()), (Some(1), Some(1)));
    assert_eq!(by_org[1]["attendance_rate"], 0.5);
    assert_eq!(by_org[2]["attendance_rate"], 1.0);
    assert!(csv.contains(&format!("2026;attendance;{};attendance_rate;0,500\n", n(1))), "{csv}");
    // Every flag of the year is open: none was put to the committee.
    let flags = r["flags"].as_array().unwrap().len();
    assert_eq!(r["flags_by_status"]["open"], flags);
    assert_eq!(r["flags_by_status"]["resolved"], 0);
    let pdf = t.path("out/reports/annual-2026.pdf");
    t.run(["verify", pdf.to_str().unwrap()]).success().stdout_has("annual-report");
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("2026"));
    assert!(text.contains("Les organisations les moins présentes"), "{text}");
    let name = members[2]["name"].as_str().unwrap();
    assert!(text.contains(name), "the least present organisation is named: {name}");
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
    // No tranche date is invented: COCOM's come from its circular.
    assert!(r["tranches"][0]["due"].is_null());
    // The fixture's charte.toml: subsidy_due = "03-31", in the next year.
    assert_eq!(r["due"], "2027-03-31");
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
         2025-12-31,running,Loyer,500.00,FACT-2,,\n\
         2026-12-20,running,Chauffage,80.00,FACT-3,,\n",
    )
    .unwrap();
    t.run(["report", "subsidy", "--year", "2026", "--expenses", "expenses.csv"])
        .code(2)
        .stderr_has("6 problems")
        .stderr_has("line 2, column amount: '-3250.00' is negative")
        .stderr_has("line 3, column date: '2026-13-01' is not a date")
        .stderr_has("line 4, column category: unknown category 'travel'")
        .stderr_has("line 5, column category: this funder has no project envelope")
        .stderr_has("line 6, column date: 2025-12-31 is not in 2026")
        .stderr_has("line 7, column date: 2026-12-20 is after today (2026-12-15)");
    assert!(!t.path("out/reports/subsidy-2026.json").exists());
}

#[test]
fn a_network_without_funder_is_told_so() {
    let t = Test::fixture("ans");
    t.run(["report", "subsidy", "--year", "2026"]).success().stdout_has("no funder");
}

/// Woluwe-Saint-Lambert: the fixture's events, two meetings of the housing
/// working group (one cancelled) and one of the health group, a member
/// leaving in May and a participant declared member in August; every figure
/// below is counted by hand from the files.
#[test]
fn events_working_groups_and_membership_match_a_hand_count() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let declared = t.members().iter().filter(|m| m["status"] == "member" || m["status"] == "partner").count();
    t.sign_declared_members();
    // The fixture's events: 230 + 88 + 170 + 96 participants, one event of each kind but bourse.
    t.run(["events", "import", "year/events.csv"]).success().stdout_has("4 events recorded, 0 already known");
    let add = |body: &str, date: &str| {
        t.run(["meeting", "add", "--body", body, "--date", date]).success().stdout.trim().to_owned()
    };
    let l1 = add("logement", "2026-02-10");
    let l2 = add("logement", "2026-03-10");
    let l3 = add("logement", "2026-04-10");
    let s1 = add("sante", "2026-02-12");
    t.run(["meeting", "cancel", &l3, "--reason", "salle indisponible"]).success();
    std::fs::write(
        t.path("att.csv"),
        format!(
            "meeting,enterprise_number,status\n\
             {l1},0250.616.524,present\n{l1},0805.427.325,present\n{l1},0595.872.780,absent\n{l1},0884.396.213,excused\n\
             {l2},0250.616.524,present\n{l2},0805.427.325,absent\n\
             {s1},0845.285.318,present\n{s1},0492.566.394,present\n"
        ),
    )
    .unwrap();
    let t = t.at("2026-05-03");
    t.run(["attendance", "import", "att.csv"]).success();
    // Alpha Woluwe (a member) leaves on 3 May.
    let roster = std::fs::read_to_string(t.path("roster.csv")).unwrap();
    let alpha = roster.lines().find(|l| l.starts_with("Alpha Woluwe ASBL,")).unwrap();
    let leaving = roster.replace(alpha, &alpha.replace(",member,", ",former,"));
    std::fs::write(t.path("roster-may.csv"), &leaving).unwrap();
    t.run(["members", "import", "roster-may.csv"]).success();
    // Wolu-Entraide (a participant) signs on 1 August: a member from then on.
    let t = t.at("2026-08-01");
    t.sign(&["0631.119.315"]);
    // Résidence Les Primevères is declared member on 1 August, but has not signed: not a member.
    let primeveres = leaving.lines().find(|l| l.starts_with("Résidence Les Primevères,")).unwrap();
    let august = leaving.replace(primeveres, &primeveres.replace(",participant,", ",member,"));
    std::fs::write(t.path("roster-aug.csv"), august).unwrap();
    t.run(["members", "import", "roster-aug.csv"]).success();

    let t = t.at("2026-10-15");
    let r = t.run(["report", "annual", "--year", "2026", "--json"]).success().json();
    // Existing keys stay.
    for key in ["year", "organisations", "bodies", "flags"] {
        assert!(r.get(key).is_some(), "{key}");
    }
    let e = &r["events"];
    assert_eq!(e["count"], 3, "the colloquium of 12 November is after --now");
    assert_eq!(e["participants"], 230 + 88 + 170);
    assert_eq!(e["by_kind"]["campaign"]["participants"], 230);
    assert_eq!(e["by_kind"]["network-day"]["count"], 1);
    assert!(e["by_kind"].get("colloquium").is_none());
    assert_eq!(e["list"][0]["title"], "Campagne canicule pour les seniors / Hittecampagne voor senioren");

    let wg = &r["working_groups"];
    assert_eq!(wg["logement"]["held"], 2, "the cancelled meeting does not count");
    assert_eq!(wg["logement"]["required_min"], 4);
    assert_eq!(wg["logement"]["members"], 4);
    // 3 present of 6 recorded lines.
    assert_eq!(wg["logement"]["attendance_rate"], 0.5);
    assert_eq!(wg["sante"]["held"], 1);
    assert_eq!(wg["sante"]["attendance_rate"], 1.0);
    assert_eq!(wg["seniors"]["held"], 0);
    assert!(wg["seniors"]["attendance_rate"].is_null());
    assert_eq!(wg["logement"]["name_nl"], "Huisvesting");

    let months: Vec<(String, u64)> = r["membership"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["month"].as_str().unwrap().to_owned(), m["members"].as_u64().unwrap()))
        .collect();
    assert_eq!(months.len(), 10, "January to October, the months begun by --now");
    let d = declared as u64;
    assert_eq!(months[0], ("2026-01".to_owned(), d));
    assert_eq!(months[3].1, d, "April");
    assert_eq!(months[4].1, d - 1, "May: Alpha Woluwe left");
    assert_eq!(months[6].1, d - 1, "July");
    assert_eq!(months[7].1, d, "August: Wolu-Entraide signed");
    assert_eq!(months[9].1, r["organisations"]["members"].as_u64().unwrap(), "the last point is today's count");
    assert_eq!(r["organisations"]["declared_not_signed"], 1, "Résidence Les Primevères");

    let csv = std::fs::read_to_string(t.path("out/reports/annual-2026.csv")).unwrap();
    assert!(csv.contains("2026;events;all;participants;488\n"), "{csv}");
    assert!(csv.contains(&format!("2026;membership;2026-05;members;{}\n", d - 1)), "{csv}");
    let pdf = t.path("out/reports/annual-2026.pdf");
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in [
        "Nombre de membres à la fin de chaque mois",
        "Les groupes de travail",
        "Santé et santé mentale",
        "Événements et actions",
        "Journée du réseau",
        "pour un total de 488 participants",
        "Pique-nique de la coordination",
    ] {
        assert!(text.contains(needle), "the PDF lacks {needle:?}");
    }
}

#[test]
fn an_events_file_with_errors_records_nothing_and_an_unchanged_import_changes_nothing() {
    let t = Test::fixture("ixelles").at("2026-03-01");
    t.run(["events", "import", "year/events.csv"]).success().stdout_has("4 events recorded");
    let len = t.journal_len();
    t.run(["events", "import", "year/events.csv"]).success().stdout_has("0 events recorded, 4 already known");
    assert_eq!(t.journal_len(), len, "re-importing the same file changes nothing");
    std::fs::write(
        t.path("bad.csv"),
        "datum;soort;titel;deelnemers\n2026-04-31;campagne;Campagne A;12\n2026-05-02;fête;Fête B;x\n;autre;;\n2026-05-09;beurs;Bourse aux associations;140\n",
    )
    .unwrap();
    t.run(["events", "import", "bad.csv"])
        .code(2)
        .stderr_has("bad.csv: 5 problems, nothing was changed")
        .stderr_has("line 2, column datum: '2026-04-31' is not a date")
        .stderr_has("line 3, column soort: 'fête' is not a kind of event")
        .stderr_has("line 3, column deelnemers: 'x' is not a number of participants")
        .stderr_has("line 4, column titel: the title is empty");
    assert_eq!(t.journal_len(), len);
    // A changed number of participants updates the event.
    let csv = std::fs::read_to_string(t.path("year/events.csv")).unwrap().replace(",340", ",355");
    std::fs::write(t.path("changed.csv"), csv).unwrap();
    t.run(["events", "import", "changed.csv"]).success().stdout_has("1 events recorded, 3 already known");
    let list = t.run(["events", "list", "--json"]).success().json();
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert_eq!(list[1]["participants"], 355);
}

/// A large network's report lists the first 15 flags of a rule and says how
/// many more the committee's list holds.
#[test]
fn a_long_list_of_flags_is_cut_in_the_report_and_counted() {
    let t = Test::new().at("2026-12-31");
    let mut roster = String::from("name,enterprise_number,email,status\n");
    for i in 0..20u64 {
        let body = 5_000_000 + i * 17;
        roster.push_str(&format!("Membre {i},{body:08}{:02},m{i}@example.be,member\n", 97 - body % 97));
    }
    std::fs::write(t.path("roster.csv"), roster).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let r = t.run(["report", "annual", "--year", "2026", "--json"]).success().json();
    let missing = r["flags"].as_array().unwrap().iter().filter(|f| f["rule"] == "adherence-missing").count();
    assert_eq!(missing, 20);
    let out =
        std::process::Command::new("pdftotext").arg(t.path("out/reports/annual-2026.pdf")).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("… et 5 autres,"), "{text}");
    // Listed by name: Membre 0, 1, 10 to 19, 2, 3, 4; not 5 to 9.
    assert!(text.contains("Membre 4") && !text.contains("Membre 9"), "the first 15 rows only");
}

/// A past year's figures are those of its last day: an organisation added
/// after it is not counted in it.
#[test]
fn a_past_years_organisations_are_counted_as_they_stood_on_its_last_day() {
    let t = Test::fixture("ans").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let r2026 = t.run_at("2026-12-31", ["report", "annual", "--year", "2026", "--json"]).success().json();
    let roster = std::fs::read_to_string(t.path("roster.csv")).unwrap();
    let header = roster.lines().next().unwrap();
    let columns = header.split(',').count();
    let mut line = vec![String::new(); columns];
    for (i, c) in header.split(',').enumerate() {
        line[i] = match c {
            "name" => "ASBL Nouvelle en 2027".into(),
            "enterprise_number" => "0606.997.096".into(),
            "email" => "info@nouvelle.example.be".into(),
            "status" => "member".into(),
            _ => String::new(),
        };
    }
    std::fs::write(t.path("roster-2027.csv"), format!("{}{}\n", roster, line.join(","))).unwrap();
    t.run_at("2027-01-10", ["members", "import", "roster-2027.csv"]).success();
    let again = t.run_at("2027-01-10", ["report", "annual", "--year", "2026", "--json"]).success().json();
    assert_eq!(again["organisations"], r2026["organisations"], "2026 as it stood on 31 December");
}
