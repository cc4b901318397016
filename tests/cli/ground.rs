//! The ground rules every command keeps (DESIGN.md "Exit codes", "Time does
//! not go back"): a change dated before the journal's last entry is
//! refused and changes nothing; a date after today only in a replay
//! workspace; the kind of a failure decides the exit code (3 temporary,
//! 4 done for all but the items named, 70 a bug), and no raw database
//! message reaches the user.

use crate::harness::*;
use crate::smtp::{PASSWORD, PASSWORD_ENV, ServerOptions, TestServer, ca_pem};

const WOLU: &str = "0631.119.315";

/// The file of an organisation's latest adherence document, from `members show --json`.
fn document_of(t: &Test, number: &str) -> String {
    let m = t.run(["members", "show", number, "--json"]).success().json();
    m["documents"].as_array().and_then(|d| d.last()).expect("a document")["file"].as_str().unwrap().to_owned()
}

#[test]
fn backdated_writes_are_refused_and_change_nothing() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-03-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["issue", "--all"]).success();
    t.run(["keys", "member", "--out", "wolu.key"]).success();
    t.run(["members", "set-key", WOLU, "wolu.key.pub"]).success();
    t.run(["sign", &document_of(&t, WOLU), "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12"]).success().stdout.trim().to_owned();
    std::fs::write(t.path("present.csv"), format!("meeting,enterprise_number,status\n{id},0250.616.524,present\n"))
        .unwrap();
    std::fs::write(t.path("absent.csv"), format!("meeting,enterprise_number,status\n{id},0296.116.650,absent\n"))
        .unwrap();
    t.run_at("2026-03-20", ["attendance", "import", "present.csv"]).success();

    let before = (t.snapshot(), t.out_files());
    for args in [
        &["collect", "signed.pdf"][..],
        &["meeting", "add", "--body", "plenary", "--date", "2026-06-12"],
        &["attendance", "import", "absent.csv"],
        &["report", "annual", "--year", "2026"],
        &["issue", "--all"],
    ] {
        t.run_at("2026-03-15", args)
            .code(2)
            .stderr_has("before the journal's last entry (2026-03-20)")
            .stderr_has("nothing was changed");
        assert_eq!((t.snapshot(), t.out_files()), before, "{args:?} on 2026-03-15 changed something");
    }
    // The same commands on the journal's last day or later go through.
    t.run_at("2026-03-20", ["collect", "signed.pdf"]).success().stdout_has("1 accepted");
    t.run_at("2026-03-21", ["attendance", "import", "absent.csv"]).success();
    // Reading as of an earlier day stays possible.
    t.run_at("2026-03-01", ["members", "list"]).success();
}

#[test]
fn a_future_date_is_a_replay_and_only_a_replay_workspace_accepts_it() {
    let t = Test::empty();
    let today = charte::time::today().to_string();
    t.run_at(&today, ["init", t.ws.to_str().unwrap()]).success();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    assert!(toml.contains("replay = false"), "a real workspace by default");
    let len = t.journal_len();
    t.run_at("2099-01-05", ["meeting", "add", "--body", "plenary", "--date", "2099-02-01"])
        .code(2)
        .stderr_has("after today")
        .stderr_has("[workspace] replay = true");
    assert_eq!(t.journal_len(), len, "nothing recorded");
    // Today itself is not the future.
    t.run_at(&today, ["meeting", "add", "--body", "committee", "--date", "2099-02-01"]).success();
    std::fs::write(t.path("charte.toml"), toml.replace("replay = false", "replay = true")).unwrap();
    t.run_at("2099-01-05", ["meeting", "add", "--body", "plenary", "--date", "2099-02-01"]).success();
    // And now 2099 is the journal's last day: going back is refused, even in a replay workspace.
    t.run_at(&today, ["meeting", "add", "--body", "plenary", "--date", "2099-03-01"])
        .code(2)
        .stderr_has("time does not go back");
}

#[test]
fn init_in_the_future_is_refused_unless_replay_and_leaves_nothing() {
    let t = Test::empty();
    t.run_at("2099-01-05", ["init", t.ws.to_str().unwrap()]).code(2).stderr_has("--replay");
    assert!(!t.ws.exists(), "no folder left behind");
    t.run_at("2099-01-05", ["init", "--replay", t.ws.to_str().unwrap()]).success().stdout_has("replay workspace");
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    assert!(toml.contains("\nreplay = true\n"), "{toml}");
}

const ROSTER: &str = "name,enterprise_number,email,language,status,address\n\
ASBL Le Pont,0606.997.096,info@lepont.example.be,fr,member,\"Rue Haute 2, 1000 Bruxelles\"\n\
Buurtwerk Elsene vzw,0750.200.572,hold-buurtwerk@buurtwerk.example.be,nl,member,\"Elsensesteenweg 4, 1050 Elsene\"\n\
Maison Sans Virgule,0560.136.594,info@msv.example.be,fr,participant,Place communale\n\
Zonnebloem vzw,0437.843.647,info@zonnebloem.example.be,nl,member,\"Zonnestraat 1, 1050 Elsene\"\n";

#[test]
fn a_mail_server_that_refuses_for_a_while_stops_the_batch_with_exit_3_and_a_rerun_sends_each_message_once() {
    let server = TestServer::start(ServerOptions::default());
    let t = Test::new().at("2026-02-01");
    std::fs::write(t.path("roster.csv"), ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    let smtp = format!(
        "[mail.smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"starttls\"\nusername = \"coordination\"\npassword_env = \"{PASSWORD_ENV}\"\n\n[flags]",
        server.port
    );
    std::fs::write(
        t.path("charte.toml"),
        toml.replace("transport = \"outbox\"", "transport = \"smtp\"").replace("[flags]", &smtp),
    )
    .unwrap();
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12"]).success().stdout.trim().to_owned();
    let ca = ca_pem();
    let env = [(PASSWORD_ENV, PASSWORD), ("CHARTE_SMTP_CA", ca.to_str().unwrap()), ("CHARTE_RETRY_BASE_MS", "5")];
    // The server answers 451 to Buurtwerk's address while the hold lasts.
    std::fs::write(server.maildir().join("hold"), "").unwrap();
    t.run_env(["convoke", &id], &env)
        .code(3)
        .stderr_has("1 of 4 messages sent")
        .stderr_has("run the same command again");
    assert_eq!(server.messages().len(), 1, "ASBL Le Pont, before Buurtwerk");
    std::fs::remove_file(server.maildir().join("hold")).unwrap();
    t.run_env(["convoke", &id], &env).success().stdout_has("3 convocations sent, 1 already sent before");
    let mut rcpts: Vec<String> = server.messages().iter().flat_map(|r| r.rcpt_tos.clone()).collect();
    rcpts.sort();
    assert_eq!(
        rcpts,
        [
            "hold-buurtwerk@buurtwerk.example.be",
            "info@lepont.example.be",
            "info@msv.example.be",
            "info@zonnebloem.example.be"
        ],
        "each address once"
    );
}

/// A coordinator's template that takes the town from the address after
/// its comma: it cannot print an organisation whose address has none.
fn template_needing_a_comma(t: &Test) {
    let builtin = std::fs::read_to_string(repo().join("templates/adherence/adherence.typ")).unwrap();
    let line = "#let data = json(\"/data.json\")";
    assert!(builtin.contains(line));
    let custom =
        builtin.replacen(line, &format!("{line}\n#let town = data.organisation.address.split(\", \").at(1)"), 1);
    std::fs::create_dir_all(t.path("templates/adherence")).unwrap();
    std::fs::write(t.path("templates/adherence/adherence.typ"), custom).unwrap();
}

#[test]
fn one_unprintable_organisation_gives_exit_4_naming_it_and_the_others_are_done() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-02");
    std::fs::write(t.path("small.csv"), ROSTER).unwrap();
    t.run(["members", "import", "small.csv"]).success();
    t.run(["keys", "init"]).success();
    template_needing_a_comma(&t);
    t.run(["issue", "--all"])
        .code(4)
        .stderr_has("3 adherence documents issued")
        .stderr_has("Maison Sans Virgule (0560.136.594)")
        .stderr_has("does not render");
    for number in ["0606.997.096", "0750.200.572", "0437.843.647"] {
        assert!(t.path(&document_of(&t, number)).is_file(), "{number}'s document");
    }
    let msv = t.run(["members", "show", "0560.136.594", "--json"]).success().json();
    assert_eq!(msv["documents"].as_array().map(Vec::len), Some(0), "nothing issued for it");

    // The workflow runner: the others' documents are sent, the one that
    // cannot be printed is named, and exit 4.
    t.run(["run", "adhesion"]).code(4).stderr_has("Maison Sans Virgule");
    let sent = std::fs::read_dir(t.path("out/outbox")).unwrap().count();
    assert_eq!(sent, 3, "one adherence mail to each of the three others");

    // Once the address is fixed, the same commands finish the work.
    std::fs::write(t.path("small.csv"), ROSTER.replace("Place communale", "\"Place communale 1, 1200 Woluwe\""))
        .unwrap();
    t.run(["members", "import", "small.csv"]).success();
    t.run(["run", "adhesion"]).success();
    assert_eq!(std::fs::read_dir(t.path("out/outbox")).unwrap().count(), 4);
}

#[test]
fn a_workspace_busy_with_another_writer_gives_exit_3_in_words() {
    let t = Test::new();
    let len = t.journal_len();
    let db = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    db.execute_batch("BEGIN IMMEDIATE").unwrap();
    let run = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12"]).code(3);
    assert!(run.stderr.contains("another charte command is writing"), "{}", run.stderr);
    assert!(!run.stderr.contains("database is locked"), "no raw SQLite text: {}", run.stderr);
    db.execute_batch("ROLLBACK").unwrap();
    assert_eq!(t.journal_len(), len);
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12"]).success();
}

#[test]
fn a_damaged_database_is_named_in_words_not_in_sqlite_s() {
    let t = Test::new();
    std::fs::write(t.path("charte.db"), vec![0x42u8; 8192]).unwrap();
    let run = t.run(["members", "list"]);
    assert_eq!(run.code, 70, "{run:?}");
    assert!(run.stderr.contains("charte.db"), "{}", run.stderr);
    assert!(run.stderr.contains("restore it from a backup"), "{}", run.stderr);
    assert!(!run.stderr.contains("file is not a database"), "no raw SQLite text: {}", run.stderr);
}

#[test]
fn an_older_charte_toml_keeps_working_and_says_what_to_rename() {
    let t = Test::fixture("ixelles").at("2026-02-02");
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    let old = toml
        .replace("organiser_fr = ", "organiser = ")
        .replace("organiser_nl = \"OCMW van Elsene\"\n", "")
        .replace("territory_fr = ", "territory = ")
        .replace("territory_nl = \"Elsene\"\n", "");
    assert_ne!(old, toml);
    std::fs::write(t.path("charte.toml"), old).unwrap();
    t.run(["members", "import", "roster.csv"])
        .success()
        .stderr_has("note: charte.toml: coordination.organiser is read as organiser_fr")
        .stderr_has("coordination.territory is read as territory_fr");
}

#[test]
fn a_convocation_that_cannot_be_written_for_one_organisation_holds_back_no_other() {
    let t = Test::new().at("2026-02-01");
    let roster = "name,enterprise_number,email,language,representative\n\
        ASBL Le Pont,0606.997.096,info@lepont.example.be,fr,Marie Dupont\n\
        Maison Sans Virgule,0560.136.594,info@msv.example.be,fr,\n\
        ASBL Zénith,0437.843.647,info@zenith.example.be,fr,\n";
    std::fs::write(t.path("roster.csv"), roster).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    // The coordinator's template names a field that does not exist, in a
    // part read only for organisations that have a representative.
    let builtin = std::fs::read_to_string(repo().join("templates/mail/convocation.fr.txt.hbs")).unwrap();
    let custom = builtin.replacen("{{of representative}} ({{recipient}})", "{{of representative}}, {{fonction}}", 1);
    assert_ne!(custom, builtin);
    std::fs::create_dir_all(t.path("templates/mail")).unwrap();
    std::fs::write(t.path("templates/mail/convocation.fr.txt.hbs"), custom).unwrap();
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12"]).success().stdout.trim().to_owned();
    t.run(["convoke", &id]).code(4).stderr_has("ASBL Le Pont (0606.997.096)").stderr_has("fonction");
    let sent = std::fs::read_dir(t.path("out/outbox")).unwrap().count();
    assert_eq!(sent, 2, "the two others are convoked");
    // The template mended, the same command convokes the last one only.
    std::fs::remove_file(t.path("templates/mail/convocation.fr.txt.hbs")).unwrap();
    t.run(["convoke", &id]).success().stdout_has("1 convocations sent, 2 already sent before");
    assert_eq!(std::fs::read_dir(t.path("out/outbox")).unwrap().count(), 3);
}

#[test]
fn a_late_convocation_that_sends_nothing_records_nothing() {
    let t = Test::new().at("2026-03-05");
    std::fs::write(t.path("roster.csv"), "name,enterprise_number,email\nASBL Le Pont,0606.997.096,a@b.be\n").unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    std::fs::create_dir_all(t.path("templates/mail")).unwrap();
    std::fs::write(t.path("templates/mail/convocation.fr.txt.hbs"), "{{inconnu}}").unwrap();
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-10"]).success().stdout.trim().to_owned();
    let len = t.journal_len();
    t.run(["convoke", &id, "--late", "salle confirmée tardivement"]).code(2).stderr_has("nothing was sent");
    assert_eq!(t.journal_len(), len, "no notice-too-short flag for a convocation never sent");
    assert!(!t.run(["flags", "--json"]).success().stdout.contains("notice-too-short"));
}
