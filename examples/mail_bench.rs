//! Mail throughput: N convocations (each with a ~40 KB PDF and an .ics)
//! sent to the local aiosmtpd test server with STARTTLS and AUTH, over one
//! reused connection, then with one connection per message.
//!
//!     cargo run --example mail_bench -- [MESSAGES]      (default 1000)
//!
//! Needs python3 with aiosmtpd (see tests/cli/smtp.rs). The server
//! writes every message to disk, as a real one would queue it.

#[path = "../tests/cli/smtp.rs"]
mod smtp_support;

use std::time::Instant;

use charte::mail::{Attachment, Contact, Invite, Outgoing, Smtp, SmtpOptions, Transport, invite};
use chrono::{DateTime, NaiveDate};
use smtp_support::{ServerOptions, TestServer, test_env};

fn pdf(seed: u32) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut x = seed | 1;
    while bytes.len() < 40_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x & 0xff) as u8);
    }
    bytes
}

fn message(n: usize) -> Outgoing {
    let day = NaiveDate::from_ymd_opt(2026, 3, 12).expect("date");
    let stamp = DateTime::from_timestamp(1_772_000_000, 0).expect("stamp");
    let org = format!("org{n}@example.be");
    let ics = invite(&Invite {
        uid: "meeting-12@bench.example.be".into(),
        sequence: 0,
        summary: "Assemblée plénière".into(),
        description: "Ordre du jour: accueil, budget, divers".into(),
        location: Some("Salle du conseil".into()),
        start: day.and_hms_opt(14, 0, 0).expect("time"),
        end: day.and_hms_opt(16, 0, 0).expect("time"),
        stamp,
        organizer: Contact::new("coordination@bench.example.be"),
        attendees: vec![Contact::new(org.clone())],
        cancelled: false,
    })
    .expect("ics");
    Outgoing {
        message_id: format!("bench.{n}@bench.example.be"),
        date: stamp,
        from: Contact::named("Coordination sociale", "coordination@bench.example.be"),
        reply_to: None,
        to: vec![Contact::named(format!("Organisation {n}"), org)],
        subject: format!("Convocation : Assemblée plénière ({n})"),
        text: "Madame, Monsieur,\n\nVous êtes convoqué·e à l'assemblée plénière.\n".repeat(10),
        html: Some("<p>Madame, Monsieur,</p><p>Vous êtes convoqué·e.</p>".repeat(10)),
        attachments: vec![Attachment {
            filename: format!("adhesion-{n}.pdf"),
            content_type: "application/pdf".into(),
            bytes: pdf(n as u32),
        }],
        calendar: Some(ics),
    }
}

fn run(label: &str, messages: &[Outgoing], reuse: bool) {
    let server = TestServer::start(ServerOptions::default());
    let options = SmtpOptions { reuse_connection: reuse, ..server.client_options() };
    let mut transport = Smtp::with_env(&server.settings(), options, test_env).expect("transport");
    let start = Instant::now();
    for m in messages {
        transport.send(m).expect("sent");
    }
    transport.close();
    let secs = start.elapsed().as_secs_f64();
    let server_cpu = server.cpu_seconds().unwrap_or(f64::NAN);
    assert_eq!(server.messages().len(), messages.len());
    println!(
        "{label:<32} {:>5} messages in {secs:>7.2} s = {:>7.1} messages/s \
         ({} connections; server CPU {server_cpu:.1} s)",
        messages.len(),
        messages.len() as f64 / secs,
        server.connections()
    );
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let messages: Vec<Outgoing> = (0..n).map(message).collect();

    let start = Instant::now();
    let bytes: usize = messages.iter().map(|m| m.to_bytes().expect("bytes").len()).sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{:<32} {n:>5} messages in {secs:>7.2} s = {:>7.1} messages/s ({} KB each)",
        "building only (no network)",
        n as f64 / secs,
        bytes / n / 1024
    );

    run("one connection, STARTTLS+AUTH", &messages, true);
    run("a connection per message", &messages, false);
}
