//! `charte convoke` through a real SMTP server (aiosmtpd on loopback, with
//! STARTTLS and AUTH): recipients, languages, calendar invitations, the
//! notice period, bounces, an unreachable server, and re-runs.

use mail_parser::{MessageParser, MimeHeaders};

use crate::harness::*;
use crate::smtp::{PASSWORD_ENV, ServerOptions, TestServer, ca_pem};

const ROSTER: &str = "name,enterprise_number,email,language,status,representative,representative_email\n\
ASBL Le Pont,0606.997.096,info@lepont.example.be,fr,member,Marie Dupont,marie@lepont.example.be\n\
Buurtwerk Elsene vzw,0750.200.572,info@buurtwerk.example.be,nl,member,,\n\
Maison Fermée,0560.136.594,bounce-gone@fermee.example.be,fr,participant,,\n";

/// A workspace whose mail goes to `port` over STARTTLS with AUTH.
fn workspace(port: u16) -> Test {
    let t = Test::new().at("2026-02-01");
    std::fs::write(t.path("roster.csv"), ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    crate::smtp::point_at(&t.path("charte.toml"), port);
    t
}

fn env() -> Vec<(&'static str, String)> {
    crate::smtp::client_env()
}

fn convoke(t: &Test, args: &[&str]) -> Run {
    let env = env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t.run_env([&["convoke"][..], args].concat(), &env)
}

fn add_plenary(t: &Test) -> String {
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12T14:00", "--place", "Salle Fabry"])
        .success()
        .stdout
        .trim()
        .to_owned()
}

#[test]
fn every_address_gets_one_convocation_in_its_language_with_an_invitation() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    let id = add_plenary(&t);
    convoke(&t, &[&id]).success().stdout_has("3 convocations sent, 0 already sent before, 1 bounced");
    let received = server.messages();
    let mut rcpts: Vec<String> = received.iter().flat_map(|r| r.rcpt_tos.clone()).collect();
    rcpts.sort();
    assert_eq!(rcpts, ["info@buurtwerk.example.be", "info@lepont.example.be", "marie@lepont.example.be"]);
    assert_eq!(server.connections(), 1, "one connection for the batch");
    for r in &received {
        let msg = MessageParser::default().parse(&r.eml).unwrap();
        let subject = msg.subject().unwrap().to_owned();
        let dutch = r.rcpt_tos[0].contains("buurtwerk");
        assert!(subject.starts_with(if dutch { "Oproeping" } else { "Convocation" }), "{subject}");
        let pdf = msg
            .attachments()
            .find(|a| a.attachment_name().is_some_and(|n| n.starts_with("convocation-") && n.ends_with(".pdf")))
            .expect("the PDF convocation is attached");
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), pdf.contents()).unwrap();
        let text = std::process::Command::new("pdftotext").arg(file.path()).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("Salle Fabry"), "{text}");
        assert!(text.contains(if dutch { "maart" } else { "mars" }), "the PDF is in the recipient's language: {text}");
        let ics = msg.attachments().find(|a| a.attachment_name() == Some("invite.ics")).expect("invite.ics attached");
        let ics = icalendar::parser::unfold(&String::from_utf8_lossy(ics.contents()));
        assert!(ics.contains("METHOD:REQUEST"), "{ics}");
        assert!(ics.contains(&format!("UID:{id}@")), "a stable UID per meeting: {ics}");
        assert!(ics.contains("DTSTART;TZID=Europe/Brussels:20260312T140000"), "{ics}");
    }
    // The bounce is flagged; a second run sends nothing.
    let flags = t.run(["flags", "--json"]).success().json();
    let bounced: Vec<_> = flags.as_array().unwrap().iter().filter(|f| f["rule"] == "mail-bounced").collect();
    assert_eq!(bounced.len(), 1);
    assert_eq!(bounced[0]["enterprise_number"], "0560.136.594");
    let len = t.journal_len();
    convoke(&t, &[&id]).success().stdout_has("0 convocations sent, 4 already sent before");
    assert_eq!(server.messages().len(), 3, "nothing is sent twice");
    assert_eq!(t.journal_len(), len);
}

#[test]
fn a_short_notice_is_refused_with_the_last_day_unless_late_which_is_flagged() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    let id = add_plenary(&t);
    let t = t.at("2026-03-05");
    let len = t.journal_len();
    convoke(&t, &[&id])
        .code(2)
        .stderr_has("needs 10 clear days")
        .stderr_has("the last day to send for plenary-2026-03-12 was 2026-03-01")
        .stderr_has("Nothing was sent");
    assert_eq!(server.messages().len(), 0);
    assert_eq!(t.journal_len(), len, "a refusal records nothing");
    convoke(&t, &[&id, "--late", "salle confirmée tardivement"]).success().stdout_has("short: flagged");
    let flags = t.run(["flags", "--json"]).success().json();
    let late: Vec<_> = flags.as_array().unwrap().iter().filter(|f| f["rule"] == "notice-too-short").collect();
    assert_eq!(late.len(), 1);
    assert!(late[0]["enterprise_number"].is_null());
    assert!(late[0]["evidence"][0]["text"].as_str().unwrap().contains("6 clear days instead of 10"));
}

#[test]
fn a_server_that_is_down_marks_nothing_sent_and_a_rerun_finishes_the_job() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let t = workspace(port);
    let id = add_plenary(&t);
    convoke(&t, &[&id]).code(3).stderr_has("for now").stderr_has("run the same command again");
    // Now a server listens on another port: point the workspace at it.
    let server = TestServer::start(ServerOptions::default());
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(t.path("charte.toml"), toml.replace(&format!("port = {port}"), &format!("port = {}", server.port)))
        .unwrap();
    // "0 already sent before": the failed run marked nothing sent.
    convoke(&t, &[&id]).success().stdout_has("3 convocations sent, 0 already sent before, 1 bounced");
    assert_eq!(server.messages().len(), 3);
}

#[test]
fn a_wrong_password_is_a_clear_error_and_nothing_is_sent() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    let id = add_plenary(&t);
    let ca = ca_pem();
    let ca = ca.to_str().unwrap();
    let env = [(PASSWORD_ENV, "wrong"), ("CHARTE_SMTP_CA", ca)];
    t.run_env(["convoke", &id], &env).code(2).stderr_has("[mail]");
    assert_eq!(server.messages().len(), 0);
    let env = [("CHARTE_SMTP_CA", ca)];
    t.run_env(["convoke", &id], &env).code(2).stderr_has(PASSWORD_ENV);
}

#[test]
fn a_temporary_refusal_is_retried_and_delivered_once() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    std::fs::write(
        t.path("roster.csv"),
        "name,enterprise_number,email\nASBL Lente,0437.843.647,tempfail-once@lente.example.be\n",
    )
    .unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    let id = add_plenary(&t);
    convoke(&t, &[&id]).success();
    let to_lente = server.messages().iter().filter(|r| r.rcpt_tos[0].starts_with("tempfail")).count();
    assert_eq!(to_lente, 1);
}

#[test]
fn the_outbox_transport_writes_eml_files_once() {
    let t = Test::new().at("2026-02-01");
    std::fs::write(t.path("roster.csv"), ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    let id = add_plenary(&t);
    t.run(["convoke", &id]).success().stdout_has("4 convocations sent");
    let files = std::fs::read_dir(t.path("out/outbox")).unwrap().count();
    assert_eq!(files, 4);
    t.run(["convoke", &id]).success().stdout_has("0 convocations sent, 4 already sent before");
}

#[test]
fn bad_convocations_are_refused() {
    let t = Test::new().at("2026-02-01");
    t.run(["convoke", "plenary-2030-01-01"]).code(2).stderr_has("no meeting 'plenary-2030-01-01'");
    let id = add_plenary(&t);
    t.run(["convoke", &id]).code(2).stderr_has("has no one to convoke");
}

#[test]
fn a_batch_killed_midway_resumes_without_sending_twice() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    // 80 organisations, valid enterprise numbers built with the mod-97 rule.
    let mut roster = String::from("name,enterprise_number,email\n");
    for i in 0..80u64 {
        let body = 3_000_000 + i * 11;
        roster.push_str(&format!("Org {i},{body:08}{:02},org{i}@example.be\n", 97 - body % 97));
    }
    std::fs::write(t.path("big.csv"), roster).unwrap();
    t.run(["members", "import", "big.csv"]).success();
    let id = add_plenary(&t);
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(["--dir", t.ws.to_str().unwrap(), "--now", "2026-02-01", "convoke", &id])
        .envs(env())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let start = std::time::Instant::now();
    while server.messages().len() < 10 && start.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no cleanup, as a power cut
    child.wait().unwrap();
    let before = server.messages().len();
    assert!(before < 83, "the batch was interrupted midway ({before} messages)");
    // The killed run's claim on its message in flight is no history: the
    // audit of the derived tables passes over it.
    t.run(["audit"]).success().stdout_has("derived tables intact");
    convoke(&t, &[&id]).success();
    let mut per_address = std::collections::HashMap::new();
    for r in server.messages() {
        *per_address.entry(r.rcpt_tos[0].clone()).or_insert(0) += 1;
    }
    assert_eq!(per_address.len(), 83, "every address reached");
    let twice = per_address.values().filter(|&&n| n > 1).count();
    assert!(twice <= 1, "at most the one message in flight at the kill is sent again, {twice} were");
    convoke(&t, &[&id]).success().stdout_has(": 0 convocations sent");
}
