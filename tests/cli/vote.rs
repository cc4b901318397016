use crate::harness::*;

/// Woluwe-Saint-Lambert's plenary: only members vote, simple majority of
/// those present, the CPAS president breaks a tie.
pub(crate) fn plenary_held() -> (Test, String, Vec<String>) {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.sign_declared_members();
    let members = t.members();
    let ids: Vec<String> = members
        .iter()
        .filter(|m| m["status"] == "member" && m["enterprise_number"] != "0250.616.524")
        .take(3)
        .map(|m| m["enterprise_number"].as_str().unwrap().to_owned())
        .collect();
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12"]).success().stdout.trim().to_owned();
    let t = t.at("2026-03-13");
    std::fs::write(
        t.path("att.csv"),
        format!(
            "meeting,enterprise_number,status,person\n{id},0250.616.524,present,Olivier Vandermeulen\n{id},{},present,\n{id},{},present,\n{id},{},absent,\n{id},0631.119.315,present,\n",
            ids[0], ids[1], ids[2]
        ),
    )
    .unwrap();
    t.run(["attendance", "import", "att.csv"]).success();
    (t, id, ids)
}

#[test]
fn a_tie_is_broken_by_the_casting_vote_of_the_cpas_president() {
    let (t, id, ids) = plenary_held();
    std::fs::write(
        t.path("ballots.csv"),
        format!(
            "enterprise_number,person,vote\n0250.616.524,Olivier Vandermeulen,oui\n{},,non\n{},,abstention\n",
            ids[0], ids[1]
        ),
    )
    .unwrap();
    let out = t
        .run(["vote", &id, "--decision", "Pique-nique du réseau en juin", "--ballots", "ballots.csv", "--json"])
        .success()
        .json();
    assert_eq!(out["yes"], 1);
    assert_eq!(out["no"], 1);
    assert_eq!(out["abstain"], 1);
    assert_eq!(out["present_voters"], 3, "the participant present does not count");
    assert_eq!(out["adopted"], true);
    assert!(out["casting_vote"].as_str().unwrap().contains("Olivier Vandermeulen"));
}

#[test]
fn a_majority_without_tie_needs_no_casting_vote() {
    let (t, id, ids) = plenary_held();
    std::fs::write(
        t.path("ballots.csv"),
        format!("enterprise_number,vote\n0250.616.524,yes\n{},no\n{},no\n", ids[0], ids[1]),
    )
    .unwrap();
    let out = t.run(["vote", &id, "--decision", "Budget", "--ballots", "ballots.csv", "--json"]).success().json();
    assert_eq!(out["adopted"], false);
    assert!(out["casting_vote"].is_null());
}

#[test]
fn ballots_of_non_voters_absentees_and_doubles_are_refused_and_nothing_recorded() {
    let (t, id, ids) = plenary_held();
    let len = t.journal_len();
    std::fs::write(
        t.path("ballots.csv"),
        format!(
            "enterprise_number,vote\n0631.119.315,yes\n{},yes\n{},no\n{},yes\n{},peut-être\n",
            ids[2], ids[0], ids[0], ids[1]
        ),
    )
    .unwrap();
    t.run(["vote", &id, "--decision", "Budget", "--ballots", "ballots.csv"])
        .code(2)
        .stderr_has("4 problems")
        .stderr_has("line 2, column enterprise_number: Wolu-Entraide ASBL is a participant with no recorded signature")
        .stderr_has("line 3, column enterprise_number")
        .stderr_has("was not recorded present")
        .stderr_has("line 5, column enterprise_number")
        .stderr_has("already voted on line 4")
        .stderr_has("line 6, column vote: 'peut-être' is not a vote");
    assert_eq!(t.journal_len(), len);
}

const CPAS: &str = "0250.616.524";
const COMMUNE: &str = "0296.116.650";
const TOMBERG: &str = "0845.285.318";

/// Woluwe-Saint-Lambert, where members vote: the CPAS and the Commune
/// signed; the Maison médicale Tomberg is declared member but never
/// signed. All three attend the plenary of 12 March.
fn plenary_with_an_unsigned_member() -> (Test, String) {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.sign(&[CPAS, COMMUNE]);
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12"]).success().stdout.trim().to_owned();
    let t = t.at("2026-03-13");
    std::fs::write(
        t.path("att.csv"),
        format!(
            "meeting,enterprise_number,status\n{id},{CPAS},present\n{id},{COMMUNE},present\n{id},{TOMBERG},present\n"
        ),
    )
    .unwrap();
    t.run(["attendance", "import", "att.csv"]).success();
    (t, id)
}

#[test]
fn a_declared_member_that_never_signed_attends_but_does_not_vote() {
    let (t, id) = plenary_with_an_unsigned_member();
    let len = t.journal_len();
    std::fs::write(t.path("ballots.csv"), format!("enterprise_number,vote\n{CPAS},yes\n{COMMUNE},no\n{TOMBERG},yes\n"))
        .unwrap();
    t.run(["vote", &id, "--decision", "Budget", "--ballots", "ballots.csv"])
        .code(2)
        .stderr_has("line 4, column enterprise_number: Maison médicale Tomberg-Roodebeek is declared member but has no recorded signature of the charter in force on 2026-03-12 (version 2022-02)");
    assert_eq!(t.journal_len(), len, "nothing recorded");
    // Without its ballot: two voters present, one yes and one no, no
    // majority (the casting vote is the CPAS president's, who voted yes).
    std::fs::write(t.path("ballots.csv"), format!("enterprise_number,vote\n{CPAS},yes\n{COMMUNE},no\n")).unwrap();
    let out = t.run(["vote", &id, "--decision", "Budget", "--ballots", "ballots.csv", "--json"]).success().json();
    assert_eq!(out["present_voters"], 2, "the unsigned member is present, not a voter");

    // A signature collected after the meeting gives no vote at that meeting.
    let t = t.at("2026-03-20");
    t.sign(&[TOMBERG]);
    std::fs::write(t.path("late.csv"), format!("enterprise_number,vote\n{TOMBERG},yes\n")).unwrap();
    t.run(["vote", &id, "--decision", "Pique-nique", "--ballots", "late.csv"])
        .code(2)
        .stderr_has("no recorded signature of the charter in force on 2026-03-12");
    // The annual report counts it apart until it signed: on 20 March it has.
    let r = t.run(["report", "annual", "--year", "2026", "--json"]).success().json();
    assert_eq!(r["organisations"]["members"], 3);
}

#[test]
fn counted_votes_cannot_outnumber_the_signatories_present() {
    let (t, _) = plenary_with_an_unsigned_member();
    let election = t.run(["election", "open", "--meeting", "plenary-2026-03-12"]).success().stdout.trim().to_owned();
    std::fs::write(
        t.path("naming.csv"),
        format!("voter,person,person_organisation,reason\n{CPAS},Sophie De Smet,{CPAS},présidence\n{COMMUNE},Sophie De Smet,{CPAS},continuité\n"),
    )
    .unwrap();
    t.run(["election", "round", &election, "naming.csv"]).success();
    // The unsigned member cannot name anyone, nor be named.
    std::fs::write(
        t.path("more.csv"),
        format!("voter,person,person_organisation,reason\n{TOMBERG},Sophie De Smet,{CPAS},x\n"),
    )
    .unwrap();
    t.run(["election", "round", &election, "more.csv", "--change"])
        .code(2)
        .stderr_has("declared member but has no recorded signature");
    t.run(["election", "propose", &election, "--person", &format!("Sophie De Smet={CPAS}")]).success();
    // Three votes for two signatories present: refused.
    t.run(["election", "vote", &election, "--for", "2", "--against", "1"])
        .code(2)
        .stderr_has("3 votes counted")
        .stderr_has("only 2 members were present");
}

#[test]
fn a_new_charter_version_needs_new_signatures_after_its_grace_period() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.sign(&[CPAS, COMMUNE]);
    let t = t.at("2026-09-01");
    // The plenary adopts a new text on 1 September.
    for lang in ["fr", "nl"] {
        let path = t.path(&format!("charter/{lang}.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\n\nArticle ajouté en 2026 / Artikel toegevoegd in 2026.\n")).unwrap();
    }
    t.run(["charter", "adopt", "2026-09", "--date", "2026-09-01"])
        .success()
        .stdout_has("signatures of 2022-02 still count until 2026-10-15 (45 days of grace)");
    t.run(["charter", "adopt", "2026-09", "--date", "2026-09-01"]).code(2).stderr_has("already adopted");
    t.run(["charter", "adopt", "2026-08", "--date", "2026-08-01"]).code(2).stderr_has("comes after it");
    let versions = t.run(["charter", "list", "--json"]).success().json();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[1]["version"], "2026-09");
    assert_eq!(versions[1]["in_force"], true);
    // New documents are of the new version.
    t.run(["issue", CPAS]).success().stdout_has("charter 2026-09");

    let add =
        |date: &str| t.run(["meeting", "add", "--body", "plenary", "--date", date]).success().stdout.trim().to_owned();
    let (within, after) = (add("2026-10-01"), add("2026-11-20"));
    let t = t.at("2026-11-21");
    for id in [&within, &after] {
        std::fs::write(
            t.path("att.csv"),
            format!("meeting,enterprise_number,status\n{id},{CPAS},present\n{id},{COMMUNE},present\n"),
        )
        .unwrap();
        t.run(["attendance", "import", "att.csv"]).success();
    }
    std::fs::write(t.path("ballots.csv"), format!("enterprise_number,vote\n{CPAS},yes\n{COMMUNE},yes\n")).unwrap();
    // Within the grace period, the 2022-02 signatures still count.
    t.run(["vote", &within, "--decision", "Budget", "--ballots", "ballots.csv"]).success();
    // After it, they no longer do.
    t.run(["vote", &after, "--decision", "Budget", "--ballots", "ballots.csv"])
        .code(2)
        .stderr_has("in force on 2026-11-20 (version 2026-09)");
    let r = t.run(["report", "annual", "--year", "2026", "--json"]).success().json();
    assert_eq!(r["organisations"]["members"], 0, "no signature of 2026-09 yet");
}

#[test]
fn a_version_is_adopted_after_the_last_one_in_label_and_after_the_meetings_recorded() {
    let (t, _) = plenary_with_an_unsigned_member();
    for lang in ["fr", "nl"] {
        let path = t.path(&format!("charter/{lang}.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\nNouvel article.\n")).unwrap();
    }
    // The plenary of 12 March has its attendance: its voters were decided by 2022-02.
    t.run(["charter", "adopt", "2026-03", "--date", "2026-03-01"])
        .code(2)
        .stderr_has("the meeting plenary-2026-03-12 of 2026-03-12 has its attendance recorded");
    t.run(["charter", "adopt", "2021-12", "--date", "2026-03-13"]).code(2).stderr_has("does not sort after");
    t.run(["charter", "adopt", "2026-03", "--date", "2026-03-13"]).success();
}
