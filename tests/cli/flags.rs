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
fn a_body_below_its_minimum_is_a_warning_during_the_year_and_a_flag_once_it_is_over() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["meeting", "add", "--body", "committee", "--date", "2026-03-01"]).success();
    let run = t.run(["flags", "--json"]).success();
    let below = |flags: &serde_json::Value| -> Vec<serde_json::Value> {
        flags.as_array().unwrap().iter().filter(|f| f["rule"] == "meetings-below-minimum").cloned().collect()
    };
    assert!(below(&run.json()).is_empty(), "the year has just begun: not a flag");
    assert!(
        run.stderr.contains("warning: the committee requires 3 meetings in 2026: 0 held and 1 scheduled"),
        "{}",
        run.stderr
    );
    // Once 2026 is over, it is a flag of 2026, at coordination level, dated 31 December.
    let run = t.run_at("2027-01-05", ["flags", "--year", "2026", "--json"]).success();
    let flags = below(&run.json());
    let committee: Vec<_> =
        flags.iter().filter(|f| f["evidence"][0]["text"].as_str().unwrap().starts_with("committee ")).collect();
    assert_eq!(committee.len(), 1, "{flags:?}");
    assert!(committee[0]["enterprise_number"].is_null());
    assert_eq!(committee[0]["since"], "2026-12-31");
    assert!(
        committee[0]["evidence"][0]["text"].as_str().unwrap().contains("committee requires 3 meetings in 2026; 1 held")
    );
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
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["run", "adhesion"]).success();
    // 55 days later: past the fixture's 45 days for returning the document.
    let t = t.at("2026-03-01");
    t.run(["breach", "report", "Wolu-Entraide", "--about", "n'a pas respecté le secret professionnel"]).success();
    let nl = t.members().into_iter().find(|m| m["language"] == "nl" && m["status"] == "member").unwrap();
    t.run(["flags", "letters"]).success().stdout_has("draft letters");
    let letters: Vec<_> = std::fs::read_dir(t.path("out/letters")).unwrap().map(|e| e.unwrap().path()).collect();
    let text = |p: &std::path::Path| {
        let out = std::process::Command::new("pdftotext").arg(p).arg("-").output().unwrap();
        String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let breach = letters.iter().find(|p| p.to_string_lossy().contains("0631119315")).unwrap();
    assert!(text(breach).contains("n'a pas respecté le secret professionnel"), "the evidence is in the letter");
    let nl_name = nl["name"].as_str().unwrap();
    let nl_letter = letters.iter().find(|p| text(p).contains(nl_name)).expect("a letter to the Dutch-speaking member");
    let nl_text = text(nl_letter);
    assert!(!nl_text.contains("Madame, Monsieur"), "written in Dutch");
    // The evidence too is in the organisation's language, not the command line's English.
    assert!(nl_text.contains("er is geen handtekening van charter 2022-02"), "{nl_text}");
    assert!(!nl_text.contains("no signature of charter"), "{nl_text}");
    let fr_letter = letters
        .iter()
        .find(|p| text(p).contains("Madame, Monsieur") && text(p).contains("aucune signature de la charte 2022-02"))
        .expect("a French letter about a missing signature");
    assert!(text(fr_letter).contains("inscrite comme membre au répertoire le"));
}

/// The flags' dates and journal entries, and the delay before any letter
/// (DESIGN.md "A flag is dated from the day its facts began").
#[test]
fn an_adherence_flag_is_dated_from_its_facts_and_waits_for_the_delay_before_a_letter() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let flags = t.run(["flags", "--json"]).success().json();
    let cpas = flags
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "adherence-missing:0250.616.524")
        .expect("the CPAS, a declared member without signature")
        .clone();
    // The charter dates from 2022; the CPAS was declared member on the roster on 5 January 2026.
    assert_eq!(cpas["since"], "2026-01-05");
    assert!(cpas["evidence"][0]["seq"].is_i64(), "cites the journal entry that declared it: {cpas}");
    assert!(cpas["evidence"].to_string().contains("never sent"), "{cpas}");
    // Never mailed: no letter.
    t.run(["flags", "letters"]).success().stdout_has("0 draft letters");
    // Mailed today by the adhesion workflow: the interpellation workflow drafts nothing, puts nothing to the committee.
    t.run(["run", "adhesion"]).success();
    t.run(["run", "interpellation"]).success();
    assert!(!t.path("out/letters").exists() || std::fs::read_dir(t.path("out/letters")).unwrap().count() == 0);
    let flags = t.run(["flags", "--json"]).success().json();
    assert!(flags.as_array().unwrap().iter().all(|f| f["status"] == "open"), "only the committee moves a flag");
    // 44 days later, still waiting; 45 days later, one letter per organisation.
    t.run_at("2026-02-18", ["flags", "letters"]).success().stdout_has("0 draft letters");
    t.run_at("2026-02-19", ["breach", "report", "0250.616.524", "--about", "a refusé une orientation"]).success();
    t.run_at("2026-02-19", ["run", "interpellation"]).success();
    let letters: Vec<String> = std::fs::read_dir(t.path("out/letters"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let cpas_letters: Vec<&String> = letters.iter().filter(|n| n.contains("0250616524")).collect();
    assert_eq!(cpas_letters.len(), 1, "one letter for its two flags: {letters:?}");
    let text = std::process::Command::new("pdftotext")
        .arg(t.path(&format!("out/letters/{}", cpas_letters[0])))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("a refusé une orientation"), "{text}");
    assert!(text.contains("aucune signature de la charte 2022-02"), "{text}");
    let flags = t.run_at("2026-02-19", ["flags", "--json"]).success().json();
    assert!(flags.as_array().unwrap().iter().all(|f| f["status"] == "open"), "still only the committee moves a flag");
}

#[test]
fn flags_prints_the_key_that_mark_takes_in_any_spelling() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-03-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["breach", "report", "Wolu-Entraide", "--about", "x"]).success();
    t.run(["flags"]).success().stdout_has("breach-reported:0631.119.315 — Wolu-Entraide ASBL");
    t.run(["flags", "mark", "breach-reported:BE0631119315", "put-to-committee"]).success();
    t.run(["flags", "mark", "breach-reported:0631 119 315", "resolved"]).success();
    let flags = t.run(["flags", "--json"]).success().json();
    let b = flags.as_array().unwrap().iter().find(|f| f["rule"] == "breach-reported").unwrap().clone();
    assert_eq!(b["status"], "resolved");
}

/// A new charter version: members have the delay to sign it again before
/// any letter, counted from the new document's mail, not the old one's.
#[test]
fn after_a_new_charter_version_no_letter_before_the_new_document_was_mailed_and_waited_for() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    t.sign(&["0250.616.524"]);
    t.run(["run", "adhesion"]).success();
    let t = t.at("2026-09-01");
    for lang in ["fr", "nl"] {
        let path = t.path(&format!("charter/{lang}.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\nNouvel article.\n")).unwrap();
    }
    t.run(["charter", "adopt", "2026-09", "--date", "2026-09-01"]).success();
    let flags = t.run(["flags", "--json"]).success().json();
    let cpas =
        flags.as_array().unwrap().iter().find(|f| f["key"] == "adherence-outdated:0250.616.524").unwrap().clone();
    assert!(cpas["evidence"].to_string().contains("never sent"), "the old version's mail does not count: {cpas}");
    t.run(["flags", "letters"]).success();
    let letters: Vec<String> = std::fs::read_dir(t.path("out/letters"))
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(!letters.iter().any(|n| n.contains("0250616524")), "{letters:?}");
}
