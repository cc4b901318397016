//! The mail module against a real SMTP server (aiosmtpd over loopback, see
//! tests/support/smtp_server.py): STARTTLS, AUTH, scripted refusals.

use std::fs;
use std::net::TcpListener;
use std::time::Duration;

use crate::smtp::{ServerOptions, TestServer, TlsMode, test_env};
use charte::mail::{
    Attachment, Contact, Invite, MailSettings, Outgoing, RetryPolicy, SendError, Smtp, SmtpOptions, Transport, invite,
    send_with_retry, transport_for,
};
use chrono::{DateTime, NaiveDate};
use mail_parser::{MessageParser, MimeHeaders};

const QUICK: RetryPolicy = RetryPolicy { attempts: 3, base_delay: Duration::from_millis(20) };

/// A stand-in for an adherence PDF: ~40 KB holding every byte value.
fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut x: u32 = 0x1234_5678;
    while bytes.len() < 40_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x & 0xff) as u8);
    }
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

fn calendar() -> String {
    let day = NaiveDate::from_ymd_opt(2026, 3, 12).expect("date");
    invite(&Invite {
        uid: "meeting-12@ixelles.example.be".into(),
        sequence: 0,
        summary: "Assemblée plénière".into(),
        description: "Ordre du jour: accueil, budget; divers".into(),
        location: Some("Salle du conseil, chaussée d'Ixelles 1".into()),
        start: day.and_hms_opt(14, 0, 0).expect("time"),
        end: day.and_hms_opt(16, 0, 0).expect("time"),
        stamp: DateTime::from_timestamp(1_772_000_000, 0).expect("stamp"),
        organizer: Contact::named("Coordination sociale d'Ixelles", "coordination@ixelles.example.be"),
        attendees: vec![Contact::named("ASBL Le Pivot", "info@pivot.example.be")],
        cancelled: false,
    })
    .expect("invite")
}

fn message(n: usize, to: &[&str]) -> Outgoing {
    Outgoing {
        message_id: format!("convocation.12.{n}@ixelles.example.be"),
        date: DateTime::from_timestamp(1_772_000_000, 0).expect("date"),
        from: Contact::named("Coordination sociale d'Ixelles", "coordination@ixelles.example.be"),
        reply_to: Some(Contact::new("secretariat@ixelles.example.be")),
        to: to.iter().map(|a| Contact::named("Organisation", *a)).collect(),
        subject: format!("Convocation : Assemblée plénière n°{n}"),
        text: "Madame, Monsieur,\n\nVous êtes convoqué·e à l'assemblée plénière.\n".into(),
        html: Some("<p>Madame, Monsieur,</p><p>Vous êtes convoqué·e.</p>".into()),
        attachments: vec![Attachment {
            filename: "adhesion-0212345678.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: pdf(),
        }],
        calendar: Some(calendar()),
    }
}

fn smtp(server: &TestServer) -> Smtp {
    Smtp::with_env(&server.settings(), server.client_options(), test_env).expect("transport")
}

#[test]
fn a_convocation_arrives_whole_through_starttls_and_auth() {
    let server = TestServer::start(ServerOptions::default());
    let mut transport = smtp(&server);
    let sent = message(1, &["info@pivot.example.be", "marie.dupont@pivot.example.be"]);
    transport.send(&sent).expect("sent");
    assert!(!format!("{transport:?}").contains(crate::smtp::PASSWORD));
    transport.close();

    let received = server.messages();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.mail_from, "coordination@ixelles.example.be");
    assert_eq!(r.rcpt_tos, ["info@pivot.example.be", "marie.dupont@pivot.example.be"]);
    assert!(server.log().iter().any(|l| l == "AUTH 1 ok"), "{:?}", server.log());

    let parsed = MessageParser::default().parse(&r.eml).expect("parses");
    assert_eq!(parsed.subject(), Some(sent.subject.as_str()));
    assert_eq!(parsed.message_id(), Some("convocation.12.1@ixelles.example.be"));
    let to: Vec<_> = parsed.to().expect("to").iter().filter_map(|a| a.address()).collect();
    assert_eq!(to, ["info@pivot.example.be", "marie.dupont@pivot.example.be"]);
    assert_eq!(parsed.body_text(0).expect("text").replace("\r\n", "\n"), sent.text);
    assert_eq!(parsed.body_html(0).expect("html").as_ref(), sent.html.as_deref().expect("html"));

    let pdf_part =
        parsed.attachments().find(|a| a.attachment_name() == Some("adhesion-0212345678.pdf")).expect("pdf attached");
    assert!(pdf_part.is_content_type("application", "pdf"));
    assert_eq!(pdf_part.contents(), pdf().as_slice(), "PDF bytes intact");

    let ics_file =
        parsed.attachments().find(|a| a.attachment_name() == Some("invite.ics")).expect("invite.ics attached");
    let ics = String::from_utf8(ics_file.contents().to_vec()).expect("utf-8");
    let alternative = parsed.parts.iter().find(|p| p.is_content_type("text", "calendar")).expect("text/calendar part");
    assert_eq!(alternative.content_type().and_then(|c| c.attribute("method")), Some("REQUEST"));
    assert_eq!(alternative.text_contents(), Some(ics.as_str()));

    let unfolded = icalendar::parser::unfold(&ics);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("the .ics parses");
    let method = cal.properties.iter().find(|p| p.name == "METHOD").expect("METHOD");
    assert_eq!(method.val.as_str(), "REQUEST");
    let event = cal.components.iter().find(|c| c.name == "VEVENT").expect("VEVENT");
    assert_eq!(event.find_prop("UID").expect("UID").val.as_str(), "meeting-12@ixelles.example.be");
    let start = event.find_prop("DTSTART").expect("DTSTART");
    assert_eq!(start.val.as_str(), "20260312T140000");
    assert!(
        start
            .params
            .iter()
            .any(|p| { p.key == "TZID" && p.val.as_ref().is_some_and(|v| v.as_str() == "Europe/Brussels") })
    );
    assert!(cal.components.iter().any(|c| c.name == "VTIMEZONE"), "time zone included");
}

#[test]
fn a_wrong_password_stops_the_batch_and_sends_nothing() {
    let server = TestServer::start(ServerOptions::default());
    let mut transport =
        Smtp::with_env(&server.settings(), server.client_options(), |_| Some("not the password".into()))
            .expect("transport");
    match transport.send(&message(1, &["info@pivot.example.be"])) {
        Err(SendError::Config(text)) => {
            assert!(text.contains("535"), "{text}");
            assert!(!text.contains("not the password"), "{text}");
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(server.messages().is_empty());
}

#[test]
fn a_missing_password_variable_is_named() {
    let server = TestServer::start(ServerOptions::default());
    let mut settings = server.settings();
    settings.password_env = Some("CHARTE_TEST_VARIABLE_THAT_IS_NEVER_SET".into());
    match Smtp::from_env(&settings, server.client_options()) {
        Err(SendError::Config(text)) => {
            assert!(text.contains("CHARTE_TEST_VARIABLE_THAT_IS_NEVER_SET"), "{text}");
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn a_server_that_is_down_is_a_transient_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let settings = charte::mail::SmtpSettings::new("127.0.0.1", port, charte::mail::Security::None);
    let mut transport = Smtp::with_env(&settings, SmtpOptions::default(), |_| None).expect("transport");
    match transport.send(&message(1, &["info@pivot.example.be"])) {
        Err(SendError::Transient(text)) => assert!(text.contains(&port.to_string()), "{text}"),
        other => panic!("expected a transient error, got {other:?}"),
    }
}

#[test]
fn a_451_is_retried_and_delivered_once() {
    let server = TestServer::start(ServerOptions::default());
    let mut transport = smtp(&server);
    let msg = message(1, &["tempfail.pivot@pivot.example.be"]);
    assert!(matches!(transport.send(&msg), Err(SendError::Transient(_))));
    assert!(server.messages().is_empty());

    let server = TestServer::start(ServerOptions::default());
    let mut transport = smtp(&server);
    send_with_retry(&mut transport, &msg, QUICK).expect("delivered on the second attempt");
    let received = server.messages();
    assert_eq!(received.len(), 1, "delivered once");
    assert_eq!(received[0].rcpt_tos, ["tempfail.pivot@pivot.example.be"]);
    let rcpts: Vec<_> = server.log().into_iter().filter(|l| l.starts_with("RCPT")).collect();
    assert_eq!(rcpts, ["RCPT 1 tempfail.pivot@pivot.example.be 451", "RCPT 1 tempfail.pivot@pivot.example.be 250"]);

    let mut transport = smtp(&server);
    let stubborn = message(2, &["alwaysfail@pivot.example.be"]);
    assert!(matches!(send_with_retry(&mut transport, &stubborn, QUICK), Err(SendError::Transient(_))));
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn a_bounce_is_permanent_and_the_batch_goes_on() {
    let server = TestServer::start(ServerOptions::default());
    let mut transport = smtp(&server);
    let batch = [
        message(1, &["info@pivot.example.be"]),
        message(2, &["bounce@gone.example.be"]),
        // One refused recipient: nobody receives the message.
        message(3, &["info@abri.example.be", "bounce.rep@abri.example.be"]),
        message(4, &["info@escale.example.be"]),
    ];
    let results: Vec<_> = batch.iter().map(|m| send_with_retry(&mut transport, m, QUICK)).collect();
    assert_eq!(results[0], Ok(()));
    match &results[1] {
        Err(SendError::Permanent(text)) => {
            assert!(text.contains("bounce@gone.example.be") && text.contains("550"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&results[2], Err(SendError::Permanent(t)) if t.contains("bounce.rep@")));
    assert_eq!(results[3], Ok(()));
    transport.close();

    let to: Vec<_> = server.messages().into_iter().map(|r| r.rcpt_tos).collect();
    assert_eq!(to, [["info@pivot.example.be"], ["info@escale.example.be"]]);
    assert_eq!(server.connections(), 1, "{:?}", server.log());
}

#[test]
fn a_batch_of_20_uses_one_connection() {
    let server = TestServer::start(ServerOptions::default());
    let mut transport = smtp(&server);
    for n in 0..20 {
        transport.send(&message(n, &[&format!("org{n}@example.be")])).expect("sent");
    }
    transport.close();
    let received = server.messages();
    assert_eq!(received.len(), 20);
    assert!(received.iter().all(|r| r.connection == 1));
    assert_eq!(server.connections(), 1, "{:?}", server.log());
    assert_eq!(transport.connections_opened(), 1);
    assert_eq!(server.log().iter().filter(|l| l.starts_with("AUTH")).count(), 1, "authenticated once");
}

#[test]
fn one_connection_per_message_when_asked() {
    let server = TestServer::start(ServerOptions::default());
    let options = SmtpOptions { reuse_connection: false, ..server.client_options() };
    let mut transport = Smtp::with_env(&server.settings(), options, test_env).expect("transport");
    for n in 0..3 {
        transport.send(&message(n, &["info@pivot.example.be"])).expect("sent");
    }
    assert_eq!(server.messages().len(), 3);
    assert_eq!(server.connections(), 3);
}

#[test]
fn a_server_that_hangs_up_is_reconnected_to() {
    let server = TestServer::start(ServerOptions { max_messages_per_connection: Some(5), ..ServerOptions::default() });
    let mut transport = smtp(&server);
    for n in 0..12 {
        transport.send(&message(n, &[&format!("org{n}@example.be")])).unwrap_or_else(|e| panic!("message {n}: {e}"));
    }
    assert_eq!(server.messages().len(), 12);
    assert_eq!(server.connections(), 3, "{:?}", server.log());
}

#[test]
fn implicit_tls_works_too() {
    let server = TestServer::start(ServerOptions { tls: TlsMode::Implicit, ..ServerOptions::default() });
    let mut transport = smtp(&server);
    transport.send(&message(1, &["info@pivot.example.be"])).expect("sent");
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn an_untrusted_certificate_is_a_configuration_error() {
    let server = TestServer::start(ServerOptions::default());
    let options = SmtpOptions { extra_root_pem: None, ..server.client_options() };
    let mut transport = Smtp::with_env(&server.settings(), options, test_env).expect("transport");
    match transport.send(&message(1, &["info@pivot.example.be"])) {
        Err(SendError::Config(text)) => assert!(text.contains("certificate"), "{text}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(server.messages().is_empty());

    let trusting = SmtpOptions { extra_root_pem: None, accept_invalid_certs: true, ..server.client_options() };
    let mut transport = Smtp::with_env(&server.settings(), trusting, test_env).expect("transport");
    transport.send(&message(1, &["info@pivot.example.be"])).expect("sent when told to trust anything");
}

#[test]
fn starttls_required_but_not_offered_is_refused() {
    let server =
        TestServer::start(ServerOptions { tls: TlsMode::Plain, auth: None, max_messages_per_connection: None });
    let mut settings = server.settings();
    settings.security = charte::mail::Security::Starttls;
    let mut transport = Smtp::with_env(&settings, server.client_options(), test_env).expect("transport");
    match transport.send(&message(1, &["info@pivot.example.be"])) {
        Err(SendError::Config(text)) => assert!(text.contains("STARTTLS"), "{text}"),
        other => panic!("{other:?}"),
    }
    // Plain SMTP to a local relay without AUTH is allowed.
    let mut plain = Smtp::with_env(&server.settings(), server.client_options(), test_env).expect("transport");
    plain.send(&message(2, &["info@pivot.example.be"])).expect("sent");
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn header_injection_is_neutralised() {
    let mut msg = message(1, &[]);
    msg.to = vec![Contact::named("ASBL Le Pivot\r\nBcc: spy1@evil.example", "info@pivot.example.be")];
    msg.subject = "Convocation\r\nBcc: spy2@evil.example\r\n\r\nfake body".into();
    msg.attachments[0].filename = "a.pdf\"\r\nBcc: spy3@evil.example".into();
    msg.from.name = Some("Coordination\nBcc: spy4@evil.example".into());

    let bytes = msg.to_bytes().expect("built");
    let text = String::from_utf8(bytes.clone()).expect("ascii");
    for line in text.split("\r\n") {
        assert!(!line.to_ascii_lowercase().starts_with("bcc:"), "{line}");
        assert!(!line.contains('\n') && !line.contains('\r'));
    }
    let parsed = MessageParser::default().parse(&bytes).expect("parses");
    assert!(parsed.bcc().is_none());
    assert_eq!(
        parsed.subject(),
        Some("Convocation Bcc: spy2@evil.example fake body"),
        "the subject keeps its text, on one line"
    );
    let to = parsed.to().expect("to").first().expect("one");
    assert_eq!(to.address(), Some("info@pivot.example.be"));

    let server = TestServer::start(ServerOptions::default());
    let mut transport = smtp(&server);
    transport.send(&msg).expect("sent");
    let received = server.messages();
    assert_eq!(received[0].rcpt_tos, ["info@pivot.example.be"]);

    let mut evil_address = message(2, &[]);
    evil_address.to = vec![Contact::new("info@pivot.example.be\r\nBcc: spy@evil.example")];
    assert!(matches!(
        transport.send(&evil_address),
        Err(SendError::Permanent(t)) if t.contains("to[0]")
    ));
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn the_outbox_writes_eml_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox_dir = dir.path().join("out/outbox");
    let settings = MailSettings::from_charte_toml(
        "[mail]\ntransport = \"outbox\"\nfrom = \"Coordination <coordination@ixelles.example.be>\"\n",
    )
    .expect("settings");
    let mut outbox = transport_for(&settings, &outbox_dir, SmtpOptions::default(), |_| None).expect("outbox");
    let mut msg = message(7, &["info@pivot.example.be"]);
    msg.from = settings.sender().expect("sender");
    outbox.send(&msg).expect("written");
    outbox.send(&msg).expect("written again, harmlessly");
    outbox.send(&message(8, &["info@abri.example.be"])).expect("written");

    let mut files: Vec<_> = fs::read_dir(&outbox_dir)
        .expect("outbox")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect();
    files.sort();
    assert_eq!(files, ["convocation.12.7@ixelles.example.be.eml", "convocation.12.8@ixelles.example.be.eml"]);
    let bytes = fs::read(outbox_dir.join(&files[0])).expect("read");
    assert_eq!(bytes, msg.to_bytes().expect("bytes"));
    let parsed = MessageParser::default().parse(&bytes).expect("parses");
    assert_eq!(parsed.subject(), Some(msg.subject.as_str()));
}
