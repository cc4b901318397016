use crate::harness::*;

const YEAR: &str = "year/";

/// Woluwe-Saint-Lambert's autumn plenary of 2026-10-13, held (see
/// [`woluwe_plenary_held`]).
pub(crate) fn plenary_held() -> Test {
    woluwe_plenary_held()
}

/// [`plenary_held`], and an election opened there for the mandates of
/// 2027-2028.
fn plenary_with_election() -> (Test, String) {
    let t = plenary_held();
    let id = t
        .run(["election", "open", "--meeting", "plenary-2026-10-13", "--since", "2027-01-01"])
        .success()
        .stdout
        .trim()
        .to_owned();
    assert_eq!(id, "election-2026-10-13", "the id alone on stdout");
    (t, id)
}

fn rounds(t: &Test, id: &str) {
    t.run(["election", "round", id, &format!("{YEAR}election-naming.csv")]).success();
    t.run(["election", "round", id, &format!("{YEAR}election-change.csv"), "--change"]).success();
}

const PROPOSAL: [&str; 8] = [
    "--person",
    "Julien Van Damme=0595.872.780",
    "--person",
    "Marie Lemaire=Agence immobilière sociale",
    "--person",
    "Tom De Backer=0840761257",
    "--person",
    "Koen Claes=Taalpunt",
];

fn propose(t: &Test, id: &str) -> Run {
    t.run(["election", "propose", id].into_iter().chain(PROPOSAL))
}

#[test]
fn the_fixture_election_runs_end_to_end_and_its_seats_make_the_committee() {
    let (t, id) = plenary_with_election();
    rounds(&t, &id);
    let shown = t.run(["election", "show", &id, "--json"]).success().json();
    assert_eq!(shown["first_round"].as_array().unwrap().len(), 12);
    assert_eq!(shown["change_round"].as_array().unwrap().len(), 2);
    // Hand count after the two changes (Les Lutins to Julien, Le Cartable to Marie):
    // Julien 3+1, Marie 3+1, Koen 2, Tom 2, Youssef 2-2.
    let tally: Vec<(String, u64)> = shown["tally"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["person"].as_str().unwrap().to_owned(), v["named"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        tally,
        vec![
            ("Julien Van Damme".to_owned(), 4),
            ("Marie Lemaire".to_owned(), 4),
            ("Koen Claes".to_owned(), 2),
            ("Tom De Backer".to_owned(), 2)
        ]
    );
    propose(&t, &id).success();
    let n = t
        .run([
            "election",
            "object",
            &id,
            "--by",
            "Alpha Woluwe",
            "--against",
            "Tom De Backer",
            "--reason",
            "Il ne pourra pas se libérer à midi",
        ])
        .success()
        .stdout;
    assert_eq!(n.trim(), "1");
    t.run(["election", "vote", &id, "--for", "10", "--against", "1", "--abstain", "1"])
        .code(2)
        .stderr_has("objections still open: 1 (against Tom De Backer)");
    t.run(["election", "resolve", &id, "1", "--how", "réunions avancées au matin ; objection retirée"]).success();
    let out = t.run(["election", "vote", &id, "--for", "10", "--against", "1", "--abstain", "1", "--json"]).success();
    let v = out.json();
    assert_eq!(v["outcome"]["adopted"], true);
    assert_eq!(v["outcome"]["present_voters"], 12, "the 12 members present; the 4 participants present do not vote");
    let elected = v["elected"].as_array().unwrap();
    assert_eq!(elected.len(), 4);
    assert_eq!(elected[0]["person"], "Julien Van Damme");
    assert_eq!(elected[0]["enterprise_number"], "0595.872.780");
    assert_eq!(elected[0]["since"], "2027-01-01");
    assert_eq!(elected[0]["until"], "2028-12-31", "a 2-year mandate");
    t.run(["election", "list"]).success().stdout_has("election-2026-10-13").stdout_has("elected");
    t.run(["election", "vote", &id, "--for", "10", "--against", "1"]).code(2).stderr_has("is over");

    // In 2027 the committee is the ex-officio seats and the elected ones:
    // charte.toml's elected seats (ended 2026-12-31) no longer count, so no
    // mandate has expired; the committee convokes the new seats.
    let t = t.at("2027-01-05");
    let flags = t.run(["flags", "--json"]).success().json();
    let committee: Vec<_> =
        flags.as_array().unwrap().iter().filter(|f| f["rule"].as_str().unwrap().starts_with("committee-")).collect();
    assert!(committee.is_empty(), "{committee:?}");
    let c = t.run(["meeting", "add", "--body", "committee", "--date", "2027-02-01"]).success().stdout;
    t.run(["convoke", c.trim()]).success();
    let outbox: Vec<String> = std::fs::read_dir(t.path("out/outbox"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let to = |who: &str| outbox.iter().any(|m| m.contains(who));
    assert!(to("ais-est-bruxellois.example.be"), "Marie Lemaire's agency is convoked");
    assert!(!to("mm-tomberg-roodebeek"), "the Maison médicale lost its elected seat");
    assert!(to("cpas-woluwe-saint-lambert"), "ex-officio seats stay");
}

#[test]
fn without_an_election_the_seats_of_charte_toml_expire() {
    let t = Test::fixture("woluwe-saint-lambert").at("2027-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    let flags = t.run(["flags", "--json"]).success().json();
    let expired = flags.as_array().unwrap().iter().filter(|f| f["rule"] == "committee-mandate-expired").count();
    assert_eq!(expired, 4);
}

#[test]
fn choices_of_non_members_absentees_and_for_non_members_are_refused_and_nothing_recorded() {
    let (t, id) = plenary_with_election();
    let len = t.journal_len();
    std::fs::write(
        t.path("round.csv"),
        "votant;personne;organisation de la personne;raison\n\
         Wolu-Entraide;Marie Lemaire;0805.427.325;Elle connaît le terrain\n\
         0483.428.501;Marie Lemaire;0805.427.325;Elle connaît le terrain\n\
         0250.616.524;David Gillet;0763.999.417;Il connaît les aînés\n\
         0492.566.394;Tom De Backer;0840.761.257;\n\
         0645.759.187;Koen Claes;0580.868.068;Il connaît les langues\n\
         0645.759.187;Tom De Backer;0840.761.257;Deuxième choix\n",
    )
    .unwrap();
    t.run(["election", "round", &id, "round.csv"])
        .code(2)
        .stderr_has("5 problems, nothing was changed")
        .stderr_has("line 2, column votant: Wolu-Entraide ASBL is a participant with no recorded signature")
        .stderr_has("line 3, column votant: Épicerie sociale Le Panier woluwéen was not recorded present")
        .stderr_has(
            "line 4, column organisation de la personne: Résidence Les Primevères is a participant with no recorded signature",
        )
        .stderr_has("line 5, column raison: the naming round records why")
        .stderr_has("line 7, column votant: this voter already chose on line 6");
    assert_eq!(t.journal_len(), len);
    t.run(["election", "show", &id]).success().stdout_has("opened");
}

#[test]
fn a_proposal_breaking_the_committee_rules_is_refused_and_nothing_recorded() {
    let (t, id) = plenary_with_election();
    rounds(&t, &id);
    let len = t.journal_len();
    // Two seats from one institution, and a person proposed twice.
    t.run([
        "election",
        "propose",
        &id,
        "--person",
        "Julien Van Damme=0595.872.780",
        "--person",
        "Aline Dubois=0595.872.780",
        "--person",
        "Marie Lemaire=0805.427.325",
        "--person",
        "Marie  Lemaire=0805.427.325",
    ])
    .code(2)
    .stderr_has("Julien Van Damme and Aline Dubois both come from Restaurant social La Marmite: one elected seat per institution")
    .stderr_has("Aline Dubois (Restaurant social La Marmite) was not named in the rounds")
    .stderr_has("Marie Lemaire is proposed twice");
    // More persons than seats.
    t.run(["election", "propose", &id].into_iter().chain(PROPOSAL).chain(["--person", "Youssef Delvaux=0427.388.136"]))
        .code(2)
        .stderr_has("5 persons proposed for 4 open seats");
    assert_eq!(t.journal_len(), len);
}

#[test]
fn an_elected_member_must_sit_in_a_working_group_checked_again_before_the_result() {
    let (t, id) = plenary_with_election();
    rounds(&t, &id);
    propose(&t, &id).success();
    // Taalpunt leaves its only working group between the proposal and the vote.
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    let toml = toml.replace("    \"0580.868.068\",  # Taalpunt Woluwe vzw\n", "");
    std::fs::write(t.path("charte.toml"), toml).unwrap();
    let len = t.journal_len();
    t.run(["election", "vote", &id, "--for", "9", "--against", "3"])
        .code(2)
        .stderr_has("Koen Claes: Taalpunt Woluwe vzw sits in no working group");
    assert_eq!(t.journal_len(), len);
    let shown = t.run(["election", "show", &id, "--json"]).success().json();
    assert_eq!(shown["elected"].as_array().unwrap().len(), 0);
    assert_eq!(shown["stage"], "proposed");
}

#[test]
fn the_order_of_the_procedure_and_unknown_elections_are_refused() {
    let (t, id) = plenary_with_election();
    let len = t.journal_len();
    t.run(["election", "vote", &id, "--for", "3", "--against", "1"]).code(2).stderr_has("no proposal to vote on");
    t.run(["election", "round", &id, "year/election-change.csv", "--change"]).code(2).stderr_has("no naming round yet");
    t.run(["election", "show", "election-1999-01-01"]).code(2).stderr_has("no election 'election-1999-01-01'");
    t.run(["election", "object", &id, "--by", "0250.616.524", "--against", "X", "--reason", "r"])
        .code(2)
        .stderr_has("nothing is proposed yet");
    t.run(["election", "open", "--meeting", "plenary-2026-10-13", "--seats", "5"])
        .code(2)
        .stderr_has("the committee has 4 elected seats");
    assert_eq!(t.journal_len(), len);
    rounds(&t, &id);
    t.run(["election", "round", &id, "year/election-naming.csv"]).code(2).stderr_has("already recorded");
    propose(&t, &id).success();
    // More votes than members present.
    t.run(["election", "vote", &id, "--for", "10", "--against", "3"])
        .code(2)
        .stderr_has("only 12 members were present");
    // A tie needs the casting vote of the CPAS president.
    t.run(["election", "vote", &id, "--for", "5", "--against", "5"]).code(2).stderr_has("--casting-vote");
    let v = t
        .run(["election", "vote", &id, "--for", "5", "--against", "5", "--casting-vote", "non", "--json"])
        .success()
        .json();
    assert_eq!(v["outcome"]["adopted"], false);
    assert!(v["outcome"]["casting_vote"].as_str().unwrap().contains("Olivier Vandermeulen"));
    // A rejected proposal may be amended and put to the vote again, here with ballots.
    t.run(["election", "vote", &id, "--for", "5", "--against", "1"]).code(2).stderr_has("no proposal");
    propose(&t, &id).success();
    std::fs::write(
        t.path("ballots.csv"),
        "enterprise_number,vote\n0250.616.524,oui\n0492.566.394,ja\n0645.759.187,non\n0631.119.315,oui\n",
    )
    .unwrap();
    t.run(["election", "vote", &id, "--ballots", "ballots.csv"])
        .code(2)
        .stderr_has("line 5, column enterprise_number: Wolu-Entraide ASBL is a participant with no recorded signature");
    std::fs::write(
        t.path("ballots.csv"),
        "enterprise_number,vote\n0250.616.524,oui\n0492.566.394,ja\n0645.759.187,non\n",
    )
    .unwrap();
    let v = t.run(["election", "vote", &id, "--ballots", "ballots.csv", "--json"]).success().json();
    assert_eq!(v["outcome"]["yes"], 2);
    assert_eq!(v["elected"].as_array().unwrap().len(), 4);
}

#[test]
fn election_help_explains_the_procedure() {
    let t = Test::new();
    t.run(["election", "--help"]).success().stdout_has("without candidates").stdout_has("change round");
    t.run(["election", "vote", "--help"]).success().stdout_has("--casting-vote");
}
