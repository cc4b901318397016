use crate::harness::*;

fn rules(t: &Test) -> Vec<(String, Option<String>)> {
    let flags = t.run(["flags", "--json"]).success().json();
    flags
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["enterprise_number"].as_str().map(str::to_owned)))
        .collect()
}

#[test]
fn declared_members_without_signature_are_flagged_and_participants_are_not() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    let members = t.members();
    let declared = members.iter().filter(|m| m["status"] == "member").count();
    let flags = t.run(["flags", "--json"]).success().json();
    let missing: Vec<_> = flags.as_array().unwrap().iter().filter(|f| f["rule"] == "adherence-missing").collect();
    assert_eq!(missing.len(), declared);
    for f in &missing {
        for key in ["rule", "enterprise_number", "name", "evidence", "since"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
        let m = members.iter().find(|m| m["enterprise_number"] == f["enterprise_number"]).unwrap();
        assert_eq!(m["status"], "member");
    }
}

#[test]
fn three_unexcused_absences_in_a_row_raise_a_flag_with_their_evidence() {
    let t = Test::fixture("ans").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    let org = t.members()[0]["enterprise_number"].as_str().unwrap().to_owned();
    let other = t.members()[1]["enterprise_number"].as_str().unwrap().to_owned();
    let mut csv = String::from("meeting,enterprise_number,status\n");
    for (date, a, b) in [
        ("2026-01-20", "absent", "absent"),
        ("2026-04-20", "excused", "present"),
        ("2026-07-20", "absent", "absent"),
        ("2026-10-20", "absent", "absent"),
    ] {
        let id = t.run(["meeting", "add", "--body", "plenary", "--date", date]).success().stdout.trim().to_owned();
        csv.push_str(&format!("{id},{org},{a}\n{id},{other},{b}\n"));
    }
    std::fs::write(t.path("att.csv"), csv).unwrap();
    let t = t.at("2026-11-01");
    t.run(["attendance", "import", "att.csv"]).success();
    let flags = t.run(["flags", "--json"]).success().json();
    let absences: Vec<_> = flags.as_array().unwrap().iter().filter(|f| f["rule"] == "absences").collect();
    assert_eq!(absences.len(), 1, "the excused absence does not break the run, a presence does: {absences:?}");
    assert_eq!(absences[0]["enterprise_number"], org.as_str());
    assert_eq!(absences[0]["evidence"].as_array().unwrap().len(), 3);
    assert_eq!(absences[0]["since"], "2026-10-20");
    assert!(absences[0]["evidence"][0]["seq"].is_i64(), "evidence points at journal entries");
}

#[test]
fn committee_composition_rules() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    assert!(!rules(&t).iter().any(|(r, _)| r.starts_with("committee-")), "the fixture's committee is in order");
    // Two elected seats from one institution, and a mandate that has ended.
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    let toml = toml.replacen("until = \"2026-12-31\"", "until = \"2025-12-31\"", 1);
    let extra = "\n[[bodies.committee.seats]]\nperson = \"Seconde Personne\"\nkind = \"elected\"\nenterprise_number = \"0845.285.318\"\nsince = \"2025-01-01\"\nuntil = \"2026-12-31\"\n";
    let toml = toml.replace("\n[working_groups", &format!("{extra}\n[working_groups"));
    std::fs::write(t.path("charte.toml"), toml).unwrap();
    let found = rules(&t);
    assert!(found.contains(&("committee-one-per-institution".into(), Some("0845.285.318".into()))), "{found:?}");
    assert!(found.iter().any(|(r, _)| r == "committee-mandate-expired"), "{found:?}");
}

#[test]
fn a_body_below_its_minimum_is_flagged_at_coordination_level() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["meeting", "add", "--body", "committee", "--date", "2026-03-01"]).success();
    let flags = t.run(["flags", "--json"]).success().json();
    let below: Vec<_> = flags.as_array().unwrap().iter().filter(|f| f["rule"] == "meetings-below-minimum").collect();
    assert!(below.iter().all(|f| f["enterprise_number"].is_null()));
    assert!(below.iter().any(|f| {
        f["evidence"][0]["text"]
            .as_str()
            .unwrap()
            .contains("committee requires 3 meetings in 2026; 0 held, 1 scheduled")
    }));
}

#[test]
fn a_reported_breach_is_flagged_and_the_committee_tracks_its_status() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-03-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["breach", "report", "Wolu-Entraide", "--about", "a refusé d'orienter un usager vers un service membre"])
        .success();
    let flags = t.run(["flags", "--json"]).success().json();
    let breach = flags.as_array().unwrap().iter().find(|f| f["rule"] == "breach-reported").unwrap().clone();
    assert_eq!(breach["enterprise_number"], "0631.119.315");
    assert_eq!(breach["status"], "open");
    assert!(breach["evidence"][0]["text"].as_str().unwrap().contains("refusé d'orienter"));
    let key = breach["key"].as_str().unwrap().to_owned();
    t.run(["flags", "mark", &key, "put-to-committee", "--note", "comité du 12 mars"]).success();
    let flags = t.run(["flags", "--json"]).success().json();
    let breach = flags.as_array().unwrap().iter().find(|f| f["rule"] == "breach-reported").unwrap().clone();
    assert_eq!(breach["status"], "put-to-committee");
    t.run(["flags", "mark", "nothing:here", "resolved"]).code(2).stderr_has("no flag 'nothing:here'");
    t.run(["breach", "report", "Nobody", "--about", "x"]).code(2).stderr_has("no organisation named");
}

#[test]
fn letters_are_drafted_in_each_organisations_language() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-03-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["breach", "report", "Wolu-Entraide", "--about", "n'a pas respecté le secret professionnel"]).success();
    let nl = t.members().into_iter().find(|m| m["language"] == "nl" && m["status"] == "member").unwrap();
    t.run(["flags", "letters"]).success().stdout_has("draft letters");
    let letters: Vec<_> = std::fs::read_dir(t.path("out/letters")).unwrap().map(|e| e.unwrap().path()).collect();
    let text = |p: &std::path::Path| {
        let out = std::process::Command::new("pdftotext").arg(p).arg("-").output().unwrap();
        String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let breach = letters.iter().find(|p| p.to_string_lossy().contains("wolu-entraide-asbl-breach-reported")).unwrap();
    assert!(text(breach).contains("n'a pas respecté le secret professionnel"), "the evidence is in the letter");
    let nl_name = nl["name"].as_str().unwrap();
    let nl_letter = letters.iter().find(|p| text(p).contains(nl_name)).expect("a letter to the Dutch-speaking member");
    let nl_text = text(nl_letter);
    assert!(!nl_text.contains("Madame, Monsieur"), "written in Dutch");
    // The evidence too is in the organisation's language, not the command line's English.
    assert!(nl_text.contains("ingeschreven als lid; er is geen handtekening van charter 2022-02"), "{nl_text}");
    assert!(!nl_text.contains("declared member on the roster"), "{nl_text}");
    let fr_letter = letters
        .iter()
        .find(|p| p.to_string_lossy().contains("adherence-missing") && text(p).contains("Madame, Monsieur"))
        .expect("a French letter about a missing signature");
    assert!(text(fr_letter).contains("inscrite comme membre ; aucune signature de la charte 2022-02"));
}
