//! The daily run over TCP against the real server: run on demand from the
//! page, it does what `charte run NAME` does for each workflow; two asks
//! at once start one run; the server runs it by itself at its start when
//! the day's run is missing and its hour passed; the page says what each
//! day's run did, from the journal, and when the next is due.

use crate::harness::{Response, Session, Test};
use crate::workflow::outbox;

const COORDINATOR: (&str, &str) = ("coordination@wsl.example.be", "un mot de passe solide");

/// Woluwe-Saint-Lambert with its roster and seal key, on its first Monday.
fn wsl() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    t
}

const WORKFLOWS: [&str; 4] = ["adhesion", "convocation", "annual-report", "interpellation"];

/// The runs page once no run is under way.
fn after_run(me: &Session<'_>) -> Response {
    for _ in 0..600 {
        let page = me.get("/runs");
        if page.body.contains("data-state=\"done\"") || page.body.contains("data-state=\"stopped\"") {
            return page;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the run did not end");
}

fn status(t: &Test) -> serde_json::Value {
    t.run(["status", "--json"]).success().json()
}

#[test]
fn a_run_on_demand_does_what_charte_run_does_and_the_page_says_what() {
    let by_hand = wsl();
    for w in WORKFLOWS {
        by_hand.run(["run", w]).success();
    }
    let t = wsl();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let before = me.get("/runs");
    assert_eq!(before.status, 200, "{}", before.body);
    assert!(before.body.contains("id=\"no-runs\""), "{}", before.body);
    let asked = me.post_form("/runs", &[]);
    assert_eq!(asked.status, 303, "{}", asked.body);
    let page = after_run(&me);
    assert!(page.body.contains("data-state=\"done\""), "{}", page.body);
    assert_eq!(outbox(&t), outbox(&by_hand), "the same messages");
    assert_eq!(status(&t), status(&by_hand), "every subject where the command line leaves it");
    // What it did, from the journal: today's date, each workflow, the mails sent.
    assert!(page.body.contains("lundi 5 janvier 2026"), "{}", page.body);
    for w in ["Adhésion à la charte", "Convocation des réunions", "Rapport annuel", "Interpellations"] {
        assert!(page.body.contains(&format!("<strong>{w}</strong>")), "{w}: {}", page.body);
    }
    assert!(page.body.contains("courriels envoyés"), "{}", page.body);
    // This server was started with --no-daily-run: it says so.
    assert!(page.body.contains("--no-daily-run"), "{}", page.body);
    // A terminal's run meanwhile finds nothing left to do.
    t.run(["run", "adhesion"]).success().stdout_has(", 0 steps");
    // In Dutch.
    let nl = me.get("/runs?lang=nl");
    assert!(nl.body.contains("Dagelijkse opvolging") && nl.body.contains("e-mails verstuurd"), "{}", nl.body);
    t.run(["audit"]).success();
}

#[test]
fn two_runs_asked_at_once_run_once() {
    let t = wsl();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| me.post_form("/runs", &[]));
        let b = scope.spawn(|| me.post_form("/runs", &[]));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!((a.status, b.status), (303, 303));
    after_run(&me);
    // One job: the second ask was given the first.
    assert_eq!(me.get("/jobs/1").status, 200);
    assert_eq!(me.get("/jobs/2").status, 404, "a second run was started");
    let runs = t.run(["status", "--json"]).success().json();
    assert!(runs.as_array().is_some_and(|a| !a.is_empty()));
}

#[test]
fn the_server_runs_the_days_run_at_its_start_when_it_is_missing() {
    let t = wsl();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(t.path("charte.toml"), format!("{toml}\n[serve]\ndaily_run = \"00:00\"\n")).unwrap();
    let s = t.serve_with(&[], &[]);
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = after_run(&me);
    assert!(page.body.contains("data-state=\"done\""), "{}", page.body);
    assert!(!outbox(&t).is_empty(), "the adherence documents were mailed");
    // The day's run done: the next one is tomorrow's.
    assert!(page.body.contains("Prochain suivi automatique : le mardi 6 janvier 2026 à 00:00"), "{}", page.body);
    t.run(["run", "adhesion"]).success().stdout_has(", 0 steps");
    // `off`: a server that does not run it by itself says so.
    drop(s);
    let t = wsl();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(t.path("charte.toml"), format!("{toml}\n[serve]\ndaily_run = \"off\"\n")).unwrap();
    let s = t.serve_with(&[], &[]);
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let page = me.get("/runs");
    assert!(page.body.contains("automatique est désactivé") && page.body.contains("id=\"no-runs\""), "{}", page.body);
    assert!(outbox(&t).is_empty());
}

/// A mailbox out of reach (the adhesion workflow's `fetch` step, the IMAP
/// server down) stops that workflow's reminders, not the day: documents
/// due are still issued and sent, the convocations and the others still
/// run, and the page says which one stopped.
#[test]
fn a_mail_server_down_stops_one_workflow_not_the_days_run() {
    let t = wsl();
    // The built-in adhesion workflow reads the mailbox first.
    assert!(!t.path("workflows/adhesion.toml").exists());
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    toml.push_str(&format!(
        "\n[mail.imap]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nusername = \"coordination\"\n\
         password_env = \"CHARTE_IMAP_PASSWORD\"\nfolder = \"INBOX\"\nprocessed_folder = \"charte/traité\"\n"
    ));
    std::fs::write(t.path("charte.toml"), toml).unwrap();
    // The password not set: documents due are issued and sent, the
    // mailbox named as what needs a fix (exit 4).
    t.run(["run", "adhesion"])
        .code(4)
        .stderr_has("the mailbox ([mail.imap])")
        .stderr_has("CHARTE_IMAP_PASSWORD")
        .stderr_has("no reminder or escalation was decided");
    // The server down: exit 3, run it again.
    t.run_env(["run", "adhesion"], &[("CHARTE_IMAP_PASSWORD", "secret")])
        .code(3)
        .stderr_has("cannot be reached")
        .stderr_has("no reminder or escalation was decided");
    let db = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let step = |name: &str| -> i64 {
        db.query_row(
            "SELECT count(*) FROM journal WHERE kind = 'step-done' AND subject LIKE ?1",
            [format!("adhesion/%/{name}/%")],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(step("issue") > 0 && step("send") > 0, "documents due are issued and sent all the same");
    assert_eq!(step("remind") + step("escalate"), 0, "nothing decided without the mailbox");
    let recorded: i64 = db
        .query_row("SELECT count(*) FROM journal WHERE kind = 'workflow-run' AND subject = 'adhesion'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(recorded, 0, "not the day's run: the server tries again");
    let s = t.serve_with(&["--no-daily-run"], &[("CHARTE_IMAP_PASSWORD", "secret")]);
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    assert_eq!(me.post_form("/runs", &[]).status, 303);
    let page = after_run(&me);
    assert!(page.body.contains("data-state=\"done\""), "the day's run went on: {}", page.body);
    for w in ["Convocation des réunions", "Rapport annuel", "Interpellations"] {
        assert!(page.body.contains(&format!("<strong>{w}</strong>")), "{w} ran: {}", page.body);
    }
    assert!(page.body.contains("adhesion"), "the workflow that stopped is named: {}", page.body);
    assert!(!page.body.contains("secret"), "never the password");
}
