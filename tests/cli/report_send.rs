//! `charte report send` through a real SMTP server (aiosmtpd on loopback,
//! STARTTLS and AUTH; issue 21 item 4): refused before the report is
//! approved, with nothing sent or journaled; once approved, one mail to the
//! funder in its language carrying the sealed PDFs, the verification page
//! and the signed tree head, whose PDF `charte verify` finds authentic;
//! sent again, nothing; a report made again and approved again is a new
//! mail; a funder's address that bounces is flagged for the coordination.

use mail_parser::{MessageParser, MimeHeaders};

use crate::harness::*;
use crate::smtp::{ServerOptions, TestServer};

/// Woluwe-Saint-Lambert (COCOM, reports approved by the plenary, the
/// funder at rapports-coordinations@cocom.example.be in French), its
/// roster and a plenary held on 19 November 2026, its mail going to
/// `port`; on 15 December 2026.
fn workspace(port: u16) -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-11-02");
    t.run(["keys", "init"]).success();
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-11-19T18:00"]).success();
    crate::smtp::point_at(&t.path("charte.toml"), port);
    t.at("2026-12-15")
}

fn send(t: &Test, args: &[&str]) -> Run {
    let env = crate::smtp::client_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t.run_env([&["report", "send"][..], args].concat(), &env)
}

fn approve(t: &Test, report: &str) {
    t.run(["report", "approve", report, "--year", "2026", "--meeting", "plenary-2026-11-19"]).success();
}

/// The attachment `name` of the message, its bytes.
fn attachment(eml: &[u8], name: &str) -> Option<Vec<u8>> {
    let msg = MessageParser::default().parse(eml).expect("a message");
    msg.attachments().find(|a| a.attachment_name() == Some(name)).map(|a| a.contents().to_vec())
}

fn names(eml: &[u8]) -> Vec<String> {
    let msg = MessageParser::default().parse(eml).expect("a message");
    msg.attachments().filter_map(|a| a.attachment_name().map(str::to_owned)).collect()
}

#[test]
fn a_report_goes_to_the_funder_once_approved_and_once_only_and_its_pdf_verifies() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    // Not made: refused.
    send(&t, &["annual", "--year", "2026"]).code(2).stderr_has("has not been made yet").stderr_has("nothing was sent");
    t.run(["report", "annual", "--year", "2026"]).success();
    // Made, not approved: refused, nothing journaled, nothing sent or written.
    let entries = t.journal_len();
    send(&t, &["annual", "--year", "2026"])
        .code(2)
        .stderr_has("is not approved")
        .stderr_has("charte report approve annual --year 2026 --meeting ID")
        .stderr_has("nothing was sent");
    assert_eq!(t.journal_len(), entries, "nothing journaled");
    assert!(server.messages().is_empty(), "nothing sent");
    assert!(!t.path("out/outbox").exists(), "nothing written to an outbox");

    approve(&t, "annual");
    let run = send(&t, &["annual", "--year", "2026"]).success();
    run.stdout_has("was sent to rapports-coordinations@cocom.example.be (fr)");
    let received = server.messages();
    assert_eq!(received.len(), 1, "one mail");
    assert_eq!(received[0].rcpt_tos, ["rapports-coordinations@cocom.example.be"]);
    let eml = &received[0].eml;
    let msg = MessageParser::default().parse(eml).unwrap();
    let subject = msg.subject().unwrap().to_owned();
    assert!(subject.contains(": Rapport annuel d'évaluation 2026"), "{subject}");
    let message_id = msg.message_id().unwrap().to_owned();
    assert!(message_id.starts_with("report.annual-report.2026."), "{message_id}");
    let mut attached = names(eml);
    attached.sort();
    assert_eq!(attached.len(), 4, "{attached:?}");
    assert_eq!(&attached[..2], ["annual-2026.nl.pdf", "annual-2026.pdf"], "{attached:?}");
    assert!(attached[2].starts_with("checkpoint-") && attached[2].ends_with(".json"), "{attached:?}");
    assert_eq!(attached[3], "verify.html");
    // The body: the meeting, the fingerprint, the offline steps, no /verify
    // link (the fixture sets no public_url).
    let text = msg.body_text(0).unwrap().into_owned();
    let fingerprint = fingerprint(&t.path("keys/coordination.pub"));
    assert!(text.contains(&fingerprint), "{text}");
    assert!(text.contains("approuvé par la réunion « Assemblée plénière du jeudi 19 novembre 2026 »."), "{text}");
    assert_eq!(text.matches("19 novembre 2026").count(), 1, "the meeting's date once: {text}");
    // The fingerprint confirmed by phone: the coordination's number.
    assert!(text.contains("la coordination peut vous la confirmer par téléphone, au 02 774 36 40"), "{text}");
    // The tree head said in plain words.
    assert!(text.contains("l'empreinte signée du registre de la coordination"), "{text}");
    assert!(!text.contains("arbre"), "{text}");
    assert!(text.contains("Ouvrez le fichier verify.html dans votre navigateur"), "{text}");
    assert!(text.contains("demandez-le à la coordination"), "{text}");
    assert!(!text.contains("/verify"), "no link without public_url: {text}");
    // The PDF as received is the report, sealed: charte verify says so.
    let pdf = attachment(eml, "annual-2026.pdf").unwrap();
    assert_eq!(pdf, std::fs::read(t.path("out/reports/annual-2026.pdf")).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let received_pdf = dir.path().join("annual-2026.pdf");
    std::fs::write(&received_pdf, &pdf).unwrap();
    let key = t.path("keys/coordination.pub");
    t.run(["verify", received_pdf.to_str().unwrap(), "--key", key.to_str().unwrap()]).success();
    // The tree head as charte checkpoint wrote it, and the page as out/ holds it.
    let checkpoint = attachment(eml, &attached[2]).unwrap();
    assert_eq!(checkpoint, std::fs::read(t.path(&format!("out/checkpoints/{}", attached[2]))).unwrap());
    assert_eq!(attachment(eml, "verify.html").unwrap(), std::fs::read(t.path("out/verify.html")).unwrap());

    // Again: nothing sent, nothing journaled.
    let entries = t.journal_len();
    send(&t, &["annual", "--year", "2026"]).success().stdout_has("was already sent").stdout_has("nothing was sent");
    assert_eq!(server.messages().len(), 1, "never twice");
    assert_eq!(t.journal_len(), entries);

    // Made again with other figures, approved again: a new mail.
    t.run(["events", "import", "year/events.csv"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    send(&t, &["annual", "--year", "2026"]).code(2).stderr_has("made again since");
    approve(&t, "annual");
    send(&t, &["annual", "--year", "2026", "--json"]).success();
    let received = server.messages();
    assert_eq!(received.len(), 2, "the new report is a new mail");
    let second = MessageParser::default().parse(&received[1].eml).unwrap().message_id().unwrap().to_owned();
    assert_ne!(second, message_id);
    t.run(["audit"]).success();
}

#[test]
fn the_subsidy_report_carries_its_expense_lines_in_dutch_with_the_verify_link() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    let path = t.path("charte.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    let toml = toml.replacen("language = \"fr\"\napproved_by", "language = \"nl\"\napproved_by", 1);
    let toml = format!("{toml}\n[serve]\npublic_url = \"https://charte.cswsl.example.be\"\n");
    std::fs::write(&path, toml).unwrap();
    // In January, every line of the year spent.
    let t = t.at("2027-01-11");
    t.run(["report", "subsidy", "--year", "2026", "--expenses", "year/expenses.csv"]).success();
    approve(&t, "subsidy");
    let sent = send(&t, &["subsidy", "--year", "2026", "--json"]).success().json();
    assert_eq!(sent["outcome"], "sent");
    assert_eq!(sent["language"], "nl");
    let received = server.messages();
    assert_eq!(received.len(), 1);
    let eml = &received[0].eml;
    let msg = MessageParser::default().parse(eml).unwrap();
    let text = msg.body_text(0).unwrap().into_owned();
    assert!(text.contains("verslag voor de subsidiënt 2026"), "{text}");
    assert!(text.contains("https://charte.cswsl.example.be/verify"), "{text}");
    assert!(text.contains("Open het bestand verify.html in uw browser"), "{text}");
    assert!(text.contains("het elektronisch zegel van de coördinatie"), "{text}");
    assert!(text.contains("of het zegel geldig is en met welke sleutel het gezet werd"), "{text}");
    assert!(text.contains("de ondertekende vingerafdruk van het register van de coördinatie"), "{text}");
    assert!(!text.contains("boomkop") && !text.contains("de elektronische zegel"), "{text}");
    assert!(text.contains("telefonisch bevestigen, op 02 774 36 40"), "{text}");
    assert_eq!(text.matches("19 november 2026").count(), 1, "the meeting's date once: {text}");
    let csv = String::from_utf8(attachment(eml, "subsidy-2026.expenses.csv").expect("the expense lines")).unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    assert!(csv.starts_with("date;category;description;amount;document;person;fte"), "{csv}");
    let lines_in = std::fs::read_to_string(t.path("year/expenses.csv")).unwrap().lines().count();
    assert_eq!(csv.lines().count(), lines_in, "one line per expense line given: {csv}");
    assert!(attachment(eml, "subsidy-2026.pdf").is_some());
    // The lines sent read back as the same report's totals.
    let again = Test::fixture("woluwe-saint-lambert").at("2027-01-11");
    again.run(["keys", "init"]).success();
    std::fs::write(again.path("sent.csv"), csv).unwrap();
    let a = again.run(["report", "subsidy", "--year", "2026", "--expenses", "sent.csv", "--json"]).success().json();
    let b: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path("out/reports/subsidy-2026.json")).unwrap()).unwrap();
    assert_eq!(a["envelopes_cents"], b["envelopes_cents"]);
    assert_eq!(a["eligible_total_cents"], b["eligible_total_cents"]);
}

#[test]
fn a_funder_address_that_bounces_is_flagged_for_the_coordination() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port);
    let path = t.path("charte.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, toml.replace("rapports-coordinations@cocom.example.be", "bounce-gone@cocom.example.be"))
        .unwrap();
    t.run(["report", "annual", "--year", "2026"]).success();
    approve(&t, "annual");
    // Refused now: done (journaled, flagged) but for the address, which needs a fix: exit 4.
    send(&t, &["annual", "--year", "2026"])
        .code(4)
        .stdout_has("refused bounce-gone@cocom.example.be for good")
        .stderr_has("correct charte.toml's [funder] email");
    let flags = t.run(["flags", "--json"]).success().json();
    let bounced: Vec<_> = flags.as_array().unwrap().iter().filter(|f| f["rule"] == "mail-bounced").collect();
    assert_eq!(bounced.len(), 1, "{flags}");
    assert!(bounced[0]["enterprise_number"].is_null(), "a coordination-level flag: {}", bounced[0]);
    assert!(!bounced[0]["name"].as_str().unwrap().is_empty(), "it names what bounced: {}", bounced[0]);
    // Refused for good: not sent again, nothing changed, exit 2 saying when and what to correct.
    let entries = t.journal_len();
    send(&t, &["annual", "--year", "2026"])
        .code(2)
        .stderr_has("[funder] email bounce-gone@cocom.example.be was refused for good by the mail server on 2026-12-15")
        .stderr_has("nothing was sent");
    let json = send(&t, &["annual", "--year", "2026", "--json"]).code(2).json();
    assert!(json["outcome"]["bounced_before"].is_string(), "{json}");
    assert_eq!(t.journal_len(), entries);
    assert!(server.messages().is_empty());
}

/// The report mails handed over: journaled intended, and sent. (Not the
/// outbox's files: a mail written again has the same Message-ID, so the
/// same file, and a count of files could not see it.)
fn mails(t: &Test) -> (i64, i64) {
    (kind_entries(t, "message-intended"), kind_entries(t, "message-sent"))
}

/// The journal entries (kind: payload) whose subject or payload names `needle`, ignoring case.
fn entries_naming(t: &Test, needle: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let mut stmt = conn.prepare("SELECT kind, subject, payload FROM journal ORDER BY seq").unwrap();
    let rows: Vec<(String, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    assert!(rows.len() > 10, "a journal: {rows:?}");
    rows.into_iter()
        .filter(|(_, subject, payload)| format!("{subject}\n{payload}").to_lowercase().contains(&needle.to_lowercase()))
        .map(|(kind, _, payload)| format!("{kind}: {payload}"))
        .collect()
}

/// The number of journal entries of `kind`.
fn kind_entries(t: &Test, kind: &str) -> i64 {
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    conn.query_row("SELECT count(*) FROM journal WHERE kind = ?1", [kind], |r| r.get(0)).unwrap()
}

fn not_sent_flags(t: &Test) -> Vec<serde_json::Value> {
    let flags = t.run(["flags", "--json"]).success().json();
    flags.as_array().unwrap().iter().filter(|f| f["rule"] == "report-not-sent").cloned().collect()
}

/// The annual-report workflow sends each report once it is approved (the
/// outbox here, as the fixture says), waits without failing before, and
/// past [funder] subsidy_due (31 March) flags the report still unsent,
/// once, until it goes.
#[test]
fn the_annual_report_workflow_sends_each_approved_report_and_flags_one_late() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-11-02");
    t.run(["keys", "init"]).success();
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2027-01-20T18:00"]).success();
    let t = t.at("2026-12-31");
    t.run(["run", "annual-report"]).success();
    assert!(t.path("out/reports/annual-2026.pdf").exists() && t.path("out/reports/subsidy-2026.pdf").exists());
    assert_eq!(mails(&t), (0, 0), "not approved: nothing sent");
    let status = t.run(["status", "annual-report", "--json"]).success().json();
    assert_eq!(status[0]["finished"], false, "{status}");

    let t = t.at("2027-01-25");
    approve_at(&t, "annual", "plenary-2027-01-20");
    t.run(["run", "annual-report"]).success().stdout_has("send-annual");
    assert_eq!(mails(&t), (1, 1), "the annual report went");
    // The journal keeps no address (charte erase could not remove it).
    assert_eq!(entries_naming(&t, "rapports-coordinations@cocom.example.be"), Vec::<String>::new());
    assert!(!entries_naming(&t, "written to the outbox for the funder").is_empty(), "the step says where it went");
    t.run(["run", "annual-report"]).success();
    assert_eq!(mails(&t), (1, 1), "once");
    assert!(not_sent_flags(&t).is_empty());

    // 31 March passed, the subsidy report not approved: flagged, once,
    // even by two runs at once (the journal's entries, not the flags
    // listed, which show one per subject whatever the journal holds).
    let t = t.at("2027-04-01");
    let (a, b) = t.twice_at_once(&["run", "annual-report"], &[]);
    assert!(a.code == 0 || b.code == 0, "{} {}", a.stderr, b.stderr);
    assert_eq!(kind_entries(&t, "flag-raised"), 1, "raised once");
    let flags = not_sent_flags(&t);
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0]["name"], "Rapport au pouvoir subsidiant 2026");
    assert!(flags[0]["enterprise_number"].is_null());
    let evidence = flags[0]["evidence"][0]["text"].as_str().unwrap();
    assert!(evidence.contains("due to the funder by 2027-03-31") && evidence.contains("not approved"), "{evidence}");
    let t = t.at("2027-04-02");
    t.run(["run", "annual-report"]).success();
    assert_eq!(not_sent_flags(&t).len(), 1);
    assert_eq!(kind_entries(&t, "flag-raised"), 1, "raised once");

    // Approved and written to the outbox, late: not gone yet, the flag stays.
    approve_at(&t, "subsidy", "plenary-2027-01-20");
    t.run(["run", "annual-report"]).success();
    assert_eq!(mails(&t), (2, 2));
    assert_eq!(not_sent_flags(&t).len(), 1, "in the outbox only, it has not left");
    // Sent on from the outbox (the transport stays the outbox): the flag goes.
    let server = TestServer::start(ServerOptions::default());
    crate::smtp::point_at(&t.path("charte.toml"), server.port);
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(t.path("charte.toml"), toml.replace("transport = \"smtp\"", "transport = \"outbox\"")).unwrap();
    let env = crate::smtp::client_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t.run_env(["outbox", "send"], &env).success();
    assert_eq!(server.messages().len(), 2, "both reports went on");
    assert!(not_sent_flags(&t).is_empty());
    let status = t.run(["status", "annual-report", "--json"]).success().json();
    assert_eq!(status[0]["finished"], true, "{status}");
    t.run(["audit"]).success();
}

/// COCOM's Ixelles writes no due date and no funder email: its reports
/// wait, and no flag is ever raised.
#[test]
fn without_a_due_date_an_unsent_report_is_not_flagged() {
    let t = Test::fixture("ixelles").at("2026-11-02");
    t.run(["keys", "init"]).success();
    let t = t.at("2026-12-31");
    t.run(["run", "annual-report"]).success();
    let t = t.at("2027-09-01");
    t.run(["run", "annual-report"]).success();
    assert!(not_sent_flags(&t).is_empty());
    assert_eq!(mails(&t), (0, 0));
}

fn approve_at(t: &Test, report: &str, meeting: &str) {
    t.run(["report", "approve", report, "--year", "2026", "--meeting", meeting]).success();
}

/// The year's expense file without its last `drop` lines: other figures.
fn fewer_lines(t: &Test, name: &str, drop: usize) {
    let text = std::fs::read_to_string(t.path("year/expenses.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(t.path(name), lines[..lines.len() - drop].join("\n") + "\n").unwrap();
}

/// The expense lines go only with the sealed report they were made with:
/// missing, or another run's beside this PDF, the report is not sent.
#[test]
fn the_expense_lines_sent_are_the_ones_the_sealed_report_was_made_from() {
    let server = TestServer::start(ServerOptions::default());
    let t = workspace(server.port).at("2027-01-11");
    fewer_lines(&t, "other.csv", 3);
    t.run(["report", "subsidy", "--year", "2026", "--expenses", "year/expenses.csv"]).success();
    approve(&t, "subsidy");
    let csv = t.path("out/reports/subsidy-2026.expenses.csv");
    let made = std::fs::read(&csv).unwrap();
    // Other lines beside the PDF: refused, in words, nothing sent.
    let mut other = made.clone();
    other.extend_from_slice(b"2026-12-30;running;Une ligne de trop;10,00;X;;\n");
    std::fs::write(&csv, &other).unwrap();
    send(&t, &["subsidy", "--year", "2026"])
        .code(2)
        .stderr_has("subsidy-2026.expenses.csv is missing or is not the expense lines")
        .stderr_has("make the report again")
        .stderr_has("nothing was sent");
    std::fs::remove_file(&csv).unwrap();
    send(&t, &["subsidy", "--year", "2026"]).code(2).stderr_has("make the report again");
    assert!(server.messages().is_empty(), "nothing sent");
    std::fs::write(&csv, &made).unwrap();
    send(&t, &["subsidy", "--year", "2026"]).success();
    assert_eq!(attachment(&server.messages()[0].eml, "subsidy-2026.expenses.csv").unwrap(), made);

    // Two runs at once with other lines: whichever report is in place,
    // its own lines are beside it, and they are what is sent.
    let a = t.spawn_at("2027-01-11", ["report", "subsidy", "--year", "2026", "--expenses", "other.csv"]);
    let b = t.spawn_at("2027-01-11", ["report", "subsidy", "--year", "2026", "--expenses", "year/expenses.csv"]);
    let (a, b) = (a.wait(), b.wait());
    assert!(a.code == 0 || b.code == 0, "{} {}", a.stderr, b.stderr);
    approve(&t, "subsidy");
    send(&t, &["subsidy", "--year", "2026"]).success();
    let received = server.messages();
    let sent = attachment(&received.last().unwrap().eml, "subsidy-2026.expenses.csv").unwrap();
    assert_eq!(sent, std::fs::read(&csv).unwrap());
}
