//! `charte outbox list` and `charte outbox send`: convocations written into
//! out/outbox/ (transport = "outbox"), listed with what the journal knows
//! of them, then sent on through a real SMTP server (aiosmtpd on loopback,
//! STARTTLS and AUTH) byte for byte, each once, a temporary refusal
//! finished by a rerun, and files charte did not write left alone.

use std::collections::BTreeMap;

use mail_parser::MessageParser;

use crate::harness::*;
use crate::smtp::{PASSWORD, PASSWORD_ENV, ServerOptions, TestServer, ca_pem};

pub const ROSTER: &str = "name,enterprise_number,email,language,status,representative,representative_email\n\
ASBL Le Pont,0606.997.096,info@lepont.example.be,fr,member,Marie Dupont,marie@lepont.example.be\n\
Buurtwerk Elsene vzw,0750.200.572,hold-buurtwerk@buurtwerk.example.be,nl,member,,\n\
Maison Fermée,0560.136.594,bounce-gone@fermee.example.be,fr,participant,,\n";

/// The four addresses a plenary convokes, in the roster's order.
pub const ADDRESSES: [&str; 4] = [
    "info@lepont.example.be",
    "marie@lepont.example.be",
    "hold-buurtwerk@buurtwerk.example.be",
    "bounce-gone@fermee.example.be",
];

/// A workspace whose mail goes to the outbox, with a `[mail.smtp]` table
/// for the server on `port` (STARTTLS, AUTH) that `outbox send` uses.
pub fn workspace(port: u16) -> Test {
    let t = Test::new().at("2026-02-01");
    std::fs::write(t.path("roster.csv"), ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    assert!(toml.contains("transport = \"outbox\""));
    let smtp = format!(
        "[mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"starttls\"\nusername = \"coordination\"\npassword_env = \"{PASSWORD_ENV}\"\n\n[flags]"
    );
    std::fs::write(t.path("charte.toml"), toml.replace("[flags]", &smtp)).unwrap();
    t
}

/// Convokes a plenary: its convocations land in out/outbox/.
pub fn convoke_into_the_outbox(t: &Test) {
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12T14:00"]).success().stdout;
    t.run(["convoke", id.trim()]).success().stdout_has("4 convocations sent").stdout_has("out/outbox");
}

pub fn outbox(t: &Test, args: &[&str]) -> Run {
    let ca = ca_pem();
    let env = [(PASSWORD_ENV, PASSWORD), ("CHARTE_SMTP_CA", ca.to_str().unwrap()), ("CHARTE_RETRY_BASE_MS", "5")];
    t.run_env([&["outbox"][..], args].concat(), &env)
}

/// `outbox list --json`, by address.
pub fn listed(t: &Test) -> BTreeMap<String, serde_json::Value> {
    let list = outbox(t, &["list", "--json"]).success().json();
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| (e["message"]["address"].as_str().unwrap_or("?").to_owned(), e.clone()))
        .collect()
}

/// The recipients of every message the server accepted, sorted.
pub fn received_by(server: &TestServer) -> Vec<String> {
    let mut rcpts: Vec<String> = server.messages().iter().flat_map(|r| r.rcpt_tos.clone()).collect();
    rcpts.sort();
    rcpts
}

#[test]
fn the_outbox_is_listed_then_sent_on_as_written_each_message_once() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    outbox(&t, &["list"]).success().stdout_has("out/outbox/ holds no message.");
    convoke_into_the_outbox(&t);
    assert!(server.messages().is_empty(), "the outbox transport sends nothing");

    let list = listed(&t);
    assert_eq!(list.keys().map(String::as_str).collect::<Vec<_>>(), {
        let mut a = ADDRESSES.to_vec();
        a.sort();
        a
    });
    let pont = &list["marie@lepont.example.be"];
    assert_eq!(pont["relay"], "waiting");
    assert_eq!(pont["message"]["purpose"], "convocation");
    assert_eq!(pont["message"]["about"], "plenary-2026-03-12");
    assert_eq!(pont["message"]["organisation"], "ASBL Le Pont");
    assert_eq!(pont["message"]["enterprise_number"], "0606.997.096");
    assert_eq!(pont["message"]["date"], "2026-02-01");
    assert!(pont["file"].as_str().unwrap().starts_with("out/outbox/convocation."), "{pont}");
    outbox(&t, &["list"])
        .success()
        .stdout_has("4 message(s): 4 to send on (charte outbox send), 0 sent on")
        .stdout_has("Maison Fermée (0560.136.594)  bounce-gone@fermee.example.be");

    let written: BTreeMap<String, Vec<u8>> =
        list.iter().map(|(a, e)| (a.clone(), std::fs::read(t.path(e["file"].as_str().unwrap())).unwrap())).collect();
    t.run(["outbox", "send"]).code(2).stderr_has("CHARTE_TEST_SMTP_PASSWORD").stderr_has("is not set");
    assert!(server.messages().is_empty());
    outbox(&t, &["send"])
        .success()
        .stdout_has(&format!(
            "3 message(s) sent on through 127.0.0.1:{}, 0 already sent on before, 1 bounced",
            server.port
        ))
        .stdout_has("bounced: bounce-gone@fermee.example.be: RCPT TO");

    // Each message as the outbox wrote it, to the address the journal recorded, from the coordination.
    let received = server.messages();
    assert_eq!(received.len(), 3);
    for r in &received {
        assert_eq!(r.mail_from, "coordination@cpas.example.be");
        let [to] = &r.rcpt_tos[..] else { panic!("one recipient: {:?}", r.rcpt_tos) };
        assert_eq!(r.eml, written[to], "{to}: byte for byte as written");
        let id = MessageParser::default().parse(&r.eml).unwrap().message_id().unwrap().to_owned();
        assert_eq!(list[to]["message"]["message_id"], id.as_str());
    }
    assert_eq!(server.connections(), 1, "one connection for the batch");

    let after = listed(&t);
    for address in &ADDRESSES[..3] {
        assert_eq!(after[*address]["relay"], "relayed", "{address}");
        assert_eq!(after[*address]["relayed_on"], "2026-02-01", "{address}");
    }
    let fermee = &after["bounce-gone@fermee.example.be"];
    assert_eq!(fermee["relay"], "bounced");
    assert!(fermee["reason"].as_str().unwrap().contains("550"), "{fermee}");

    // A second run sends nothing.
    let len = t.journal_len();
    outbox(&t, &["send"]).success().stdout_has("nothing to send").stdout_has("(4)");
    assert_eq!(server.messages().len(), 3);
    assert_eq!(t.journal_len(), len, "nothing journaled");
    t.run(["audit"]).success();
}

#[test]
fn a_server_refusing_for_a_while_stops_the_run_with_exit_3_and_the_rerun_sends_the_rest_once() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    convoke_into_the_outbox(&t);
    // The server answers 451 to Buurtwerk's address while the hold lasts.
    std::fs::write(server.maildir().join("hold"), "").unwrap();
    outbox(&t, &["send"])
        .code(3)
        .stderr_has("2 of 4 messages sent")
        .stderr_has("451")
        .stderr_has("run the same command again");
    assert_eq!(received_by(&server), ["info@lepont.example.be", "marie@lepont.example.be"]);
    let list = listed(&t);
    assert_eq!(list["hold-buurtwerk@buurtwerk.example.be"]["relay"], "intended");
    assert_eq!(list["bounce-gone@fermee.example.be"]["relay"], "waiting");

    std::fs::remove_file(server.maildir().join("hold")).unwrap();
    outbox(&t, &["send"])
        .success()
        .stdout_has("1 message(s) sent on")
        .stdout_has("2 already sent on before, 1 bounced");
    assert_eq!(
        received_by(&server),
        ["hold-buurtwerk@buurtwerk.example.be", "info@lepont.example.be", "marie@lepont.example.be"],
        "each address once"
    );
    outbox(&t, &["send"]).success().stdout_has("nothing to send");
    assert_eq!(server.messages().len(), 3);
}

#[test]
fn a_file_charte_did_not_write_is_named_and_never_sent() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    convoke_into_the_outbox(&t);
    // A stranger's message, and a convocation whose Message-ID was changed.
    let stranger = "Message-ID: <stranger@example.be>\r\nFrom: a@example.be\r\nTo: b@example.be\r\n\r\nHello\r\n";
    std::fs::write(t.path("out/outbox/stranger@example.be.eml"), stranger).unwrap();
    let marie = listed(&t)["marie@lepont.example.be"]["file"].as_str().unwrap().to_owned();
    let bytes = String::from_utf8(std::fs::read(t.path(&marie)).unwrap()).unwrap();
    std::fs::write(t.path(&marie), bytes.replacen("Message-ID: <", "Message-ID: <other.", 1)).unwrap();

    let list = outbox(&t, &["list", "--json"]).success().json();
    let refused: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["relay"] == "refused")
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert_eq!(refused, [marie.as_str(), "out/outbox/stranger@example.be.eml"]);

    outbox(&t, &["send"])
        .code(4)
        .stdout_has("2 message(s) sent on")
        .stderr_has("2 not done")
        .stderr_has("out/outbox/stranger@example.be.eml: the journal knows no message written under this name")
        .stderr_has(&format!("{marie}: its Message-ID <other."));
    assert_eq!(received_by(&server), ["hold-buurtwerk@buurtwerk.example.be", "info@lepont.example.be"]);
    // Still refused on a rerun, and the rest is not sent again.
    outbox(&t, &["send"]).code(4).stdout_has("0 message(s) sent on").stdout_has("3 already sent on before");
    assert_eq!(server.messages().len(), 2);
}

#[test]
fn without_an_smtp_table_nothing_is_sent_and_the_error_says_what_to_add() {
    let t = Test::new().at("2026-02-01");
    std::fs::write(t.path("roster.csv"), ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    convoke_into_the_outbox(&t);
    let len = t.journal_len();
    t.run(["outbox", "send"])
        .code(2)
        .stderr_has("there is no [mail.smtp] table")
        .stderr_has("transport may stay \"outbox\"");
    assert_eq!(t.journal_len(), len, "nothing journaled");
    t.run(["outbox", "list"]).success().stdout_has("4 to send on");
}

#[test]
fn help_explains_the_outbox_and_sending_it_on() {
    let t = Test::empty();
    t.run(["outbox", "--help"]).success().stdout_has("list").stdout_has("send");
    let help = t.run(["outbox", "send", "--help"]).success();
    for words in ["out/outbox/", "[mail.smtp]", "byte for byte", "never sent on twice", "exit 3", "exit 4"] {
        assert!(help.stdout.contains(words), "`outbox send --help` lacks {words:?}:\n{}", help.stdout);
    }
    t.run(["outbox", "list", "--help"]).success().stdout_has("sent on through SMTP");
}

#[test]
fn an_address_refused_when_sending_on_raises_the_mail_bounced_flag_on_that_day() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    convoke_into_the_outbox(&t);
    let bounced = |t: &Test| {
        let flags = t.run(["flags", "--json"]).success().json();
        flags.as_array().unwrap().iter().filter(|f| f["rule"] == "mail-bounced").cloned().collect::<Vec<_>>()
    };
    assert!(bounced(&t).is_empty(), "written into the outbox, nothing was refused yet");
    // Sent on two days later: the server refuses one address for good.
    let t = t.at("2026-02-03");
    outbox(&t, &["send"]).success().stdout_has("1 bounced");
    let flags = bounced(&t);
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0]["enterprise_number"], "0560.136.594");
    assert_eq!(flags[0]["since"], "2026-02-03", "the day the server refused it");
    assert!(flags[0]["evidence"][0]["text"].as_str().unwrap().contains("550"), "{}", flags[0]);
}
