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
