//! The desk's mail over TCP against the real server: the outbox listed and
//! one message read back, the outbox sent on through a real SMTP server
//! (aiosmtpd, STARTTLS and AUTH) as a job, each message once, its bounce
//! listed; the settings' state, the password's variable said set or not
//! and its value never on a page; sending refused on the page, saying what
//! is missing, when `[mail.smtp]` or the password is.

use crate::harness::{Response, Served, Session, Test};
use crate::outbox::{convoke_into_the_outbox, received_by, workspace};
use crate::smtp::{PASSWORD, PASSWORD_ENV, ServerOptions, TestServer, ca_pem};

const COORDINATOR: (&str, &str) = ("coordination@cpas.example.be", "un mot de passe solide");

/// The server, with the SMTP password's variable (and the test CA) in its environment.
fn serve_with_password(t: &Test) -> Served {
    let ca = ca_pem();
    t.serve_with(
        &["--no-daily-run"],
        &[(PASSWORD_ENV, PASSWORD), ("CHARTE_SMTP_CA", ca.to_str().unwrap()), ("CHARTE_RETRY_BASE_MS", "5")],
    )
}

/// The mail page once the sending job ended.
fn after_sending(me: &Session<'_>) -> Response {
    for _ in 0..200 {
        let page = me.get("/mail");
        if !page.body.contains("data-state=\"running\"") {
            return page;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the sending did not end");
}

#[test]
fn the_outbox_is_read_then_sent_on_each_message_once_and_the_bounce_listed() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    convoke_into_the_outbox(&t);
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    let s = serve_with_password(&t);
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = me.get("/mail");
    assert_eq!(page.status, 200, "{}", page.body);
    let b = &page.body;
    assert!(b.contains("4 message(s) en attente"), "{b}");
    assert!(b.contains("marie@lepont.example.be") && b.contains("ASBL Le Pont") && b.contains("convocation"), "{b}");
    assert!(b.contains("✓ défini dans la variable d'environnement CHARTE_TEST_SMTP_PASSWORD"), "{b}");
    assert!(b.contains(&format!("127.0.0.1:{}", server.port)) && b.contains("id=\"settings-ready\""), "{b}");
    assert!(!b.contains(PASSWORD), "the password's value is never on the page");

    // One message, read back: its subject, its text, its attachments.
    let at = b.find("href=\"/mail/outbox/").unwrap() + "href=\"".len();
    let link = b[at..].split('"').next().unwrap().to_owned();
    let one = me.get(&link);
    assert_eq!(one.status, 200, "{}", one.body);
    assert!(one.body.contains("id=\"message-text\"") && one.body.contains("en attente d&#39;envoi"), "{}", one.body);
    assert!(one.body.contains(".ics"), "the convocation's calendar file is named: {}", one.body);
    assert_eq!(me.get("/mail/outbox/..%2F..%2Fcharte.toml").status, 404);
    assert_eq!(me.get("/mail/outbox/nothing.eml").status, 404);

    // A file charte did not write: named, never sent, said in French.
    std::fs::write(t.path("out/outbox/stray.eml"), "Subject: hello\r\n\r\nnot charte's\r\n").unwrap();
    let sent = me.post_form("/mail/send", &[]);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let done = after_sending(&me);
    assert!(
        done.body.contains(
            "<li>out/outbox/stray.eml — le journal ne connaît aucun message écrit sous ce nom : charte n&#39;envoie \
             que ce qu&#39;il a écrit</li>"
        ),
        "{}",
        done.body
    );
    assert!(done.body.contains("data-state=\"done\"") && done.body.contains("3 messages sont partis"), "{}", done.body);
    assert_eq!(received_by(&server).len(), 3);
    assert!(done.body.contains("Aucun message n'attend"), "{}", done.body);
    // The bounce: which address, when, why.
    let bounces = &done.body[done.body.find("id=\"bounces\"").unwrap()..];
    assert!(bounces.contains("bounce-gone@fermee.example.be") && bounces.contains("550"), "{bounces}");
    assert!(!done.body.contains(PASSWORD));
    // Again: nothing is sent twice.
    assert_eq!(me.post_form("/mail/send", &[]).status, 303);
    let again = after_sending(&me);
    assert!(again.body.contains("Aucun message n'était à envoyer"), "{}", again.body);
    assert_eq!(received_by(&server).len(), 3);
    t.run(["audit"]).success();
}

#[test]
fn without_the_password_in_the_environment_sending_is_refused_saying_what_to_do() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    convoke_into_the_outbox(&t);
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = me.get("/mail");
    assert!(page.body.contains("✗ la variable d'environnement CHARTE_TEST_SMTP_PASSWORD n'est pas définie"));
    let before = t.journal_len();
    let refused = me.post_form("/mail/send", &[]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("id=\"send-error\"") && refused.body.contains("Environment=CHARTE_TEST_SMTP_PASSWORD")
    );
    assert!(server.messages().is_empty());
    assert_eq!(t.journal_len(), before);
    // In Dutch too.
    let nl = me.get("/mail?lang=nl");
    assert!(nl.body.contains("de omgevingsvariabele CHARTE_TEST_SMTP_PASSWORD is niet ingesteld"), "{}", nl.body);
}

#[test]
fn without_an_smtp_table_sending_is_refused_saying_what_to_add() {
    let t = Test::new().at("2026-02-01");
    std::fs::write(t.path("roster.csv"), crate::outbox::ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    convoke_into_the_outbox(&t);
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = me.get("/mail");
    assert!(page.body.contains("id=\"settings-missing\"") && page.body.contains("[mail.smtp]"), "{}", page.body);
    let refused = me.post_form("/mail/send", &[]);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("L'envoi n'a pas été lancé") && refused.body.contains("[mail.smtp]"));
    // The committee does not read the mail.
    t.user("comite@cpas.example.be", "committee", "le comité lit seulement");
    let committee = s.login("comite@cpas.example.be", "le comité lit seulement");
    assert_eq!(committee.get("/mail").status, 403);
    assert_eq!(committee.post_form("/mail/send", &[]).status, 403);
}
