use crate::harness::*;

fn wsl() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t
}

#[test]
fn a_meeting_prints_its_id_alone_and_is_listed() {
    let t = wsl();
    std::fs::write(t.path("agenda.md"), "# Ordre du jour\n- Accueil\n- Bilan des groupes de travail\n").unwrap();
    let out = t
        .run([
            "meeting",
            "add",
            "--body",
            "plenary",
            "--date",
            "2026-03-12T14:00",
            "--place",
            "Salle Fabry",
            "--agenda",
            "agenda.md",
        ])
        .success();
    assert_eq!(out.stdout, "plenary-2026-03-12\n");
    let list = t.run(["meeting", "list", "--json"]).success().json();
    assert_eq!(list[0]["id"], "plenary-2026-03-12");
    assert_eq!(list[0]["time"], "14:00");
    assert_eq!(list[0]["agenda"][1], "Bilan des groupes de travail");
    // 10 clear days before the 12th: sent on the 1st at the latest.
    assert_eq!(list[0]["convoke_by"], "2026-03-01");
    let second = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12"]).success();
    assert_eq!(second.stdout.trim(), "plenary-2026-03-12-2");
}

#[test]
fn bad_meetings_are_refused_and_nothing_is_recorded() {
    let t = wsl();
    let before = t.journal_len();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-01-15"]).code(2).stderr_has("is in the past");
    t.run(["meeting", "add", "--body", "board", "--date", "2026-03-15"])
        .code(2)
        .stderr_has("unknown body 'board'")
        .stderr_has("plenary, committee");
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-02-30"]).code(2).stderr_has("is not a date");
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-15", "--agenda", "missing.md"])
        .code(2)
        .stderr_has("missing.md");
    assert_eq!(t.journal_len(), before);
}

#[test]
fn attendance_is_recorded_once_and_checked_line_by_line() {
    let t = wsl();
    let id =
        t.run(["meeting", "add", "--body", "committee", "--date", "2026-02-10"]).success().stdout.trim().to_owned();
    let later =
        t.run(["meeting", "add", "--body", "committee", "--date", "2026-06-10"]).success().stdout.trim().to_owned();
    std::fs::write(
        t.path("att.csv"),
        format!(
            "meeting;enterprise_number;status;person\n{id};0250.616.524;present;Olivier Vandermeulen\n{id};BE0845285318;excusé;\n{id};Commune de Woluwe-Saint-Lambert;absent;\n"
        ),
    )
    .unwrap();
    let t = t.at("2026-02-11");
    t.run(["attendance", "import", "att.csv"]).success().stdout_has("3 lines recorded, 0 already known");
    let len = t.journal_len();
    t.run(["attendance", "import", "att.csv"]).success().stdout_has("0 lines recorded, 3 already known");
    assert_eq!(t.journal_len(), len);

    std::fs::write(
        t.path("bad.csv"),
        format!(
            "meeting,enterprise_number,status\nnope-2026-01-01,0250.616.524,present\n{id},0123.456.749,present\n{id},0250.616.524,maybe\n{later},0250.616.524,present\n"
        ),
    )
    .unwrap();
    t.run(["attendance", "import", "bad.csv"])
        .code(2)
        .stderr_has("4 problems")
        .stderr_has("line 2, column meeting: no meeting 'nope-2026-01-01'")
        .stderr_has("line 3, column enterprise_number: no organisation with enterprise number 0123.456.749")
        .stderr_has("line 4, column status: 'maybe' is not a status")
        .stderr_has("line 5, column meeting")
        .stderr_has("after today");
    assert_eq!(t.journal_len(), len);
}

#[test]
fn a_cancelled_meeting_says_so() {
    let t = wsl();
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-04-02"]).success().stdout.trim().to_owned();
    t.run(["meeting", "cancel", &id, "--reason", "salle indisponible"]).success();
    let list = t.run(["meeting", "list", "--json"]).success().json();
    assert_eq!(list[0]["cancelled"], "salle indisponible");
    t.run(["meeting", "cancel", &id, "--reason", "encore"]).code(2).stderr_has("already cancelled");
}
