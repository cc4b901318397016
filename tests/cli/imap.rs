//! `charte collect --imap` against a real IMAP server: Debian's Dovecot,
//! started for each test on a free loopback port from a minimal
//! configuration in a temporary folder (no TLS, plain login on loopback).
//! Messages go in by IMAP APPEND; the tests read the folders back.
//! A machine without Dovecot fails these tests, saying what to install.

use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::collect::{WOLU_DOC, issued};
use crate::harness::*;

const USER: &str = "coordination";
const PASSWORD: &str = "mot-de-passe";
/// The processed folder as charte.toml names it, and as this server
/// (hierarchy delimiter ".") holds it in modified UTF-7.
const PROCESSED: &str = "charte/traité";
const PROCESSED_ON_SERVER: &str = "charte.trait&AOk-";

/// A Dovecot of its own, stopped when dropped.
pub struct Dovecot {
    dir: tempfile::TempDir,
    pub port: u16,
}

impl Dovecot {
    pub fn start() -> Dovecot {
        let dovecot = Path::new("/usr/sbin/dovecot");
        assert!(dovecot.exists(), "the IMAP tests need Dovecot: apt-get install dovecot-imapd (.ci/run installs it)");
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        // Dovecot's own processes (auth, login) run as other users: they
        // must reach the folder.
        set_mode(root, 0o755);
        let mail = root.join("mail");
        std::fs::create_dir(&mail).expect("mail dir");
        set_mode(&mail, 0o777);
        std::fs::write(root.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).expect("passwd");
        set_mode(&root.join("passwd"), 0o644);
        let port = free_port();
        let uid = id(&["-u"]);
        // As root, Dovecot refuses to run mail as root and wants its own
        // unprivileged users; as anyone else, everything runs as that user.
        let (users, mail_uid) = if uid == "0" {
            (
                "default_login_user = dovenull\ndefault_internal_user = dovecot\n".to_owned(),
                "uid=nobody gid=nogroup".to_owned(),
            )
        } else {
            let name = id(&["-un"]);
            (
                format!("default_login_user = {name}\ndefault_internal_user = {name}\n"),
                format!("uid={uid} gid={}", id(&["-g"])),
            )
        };
        let r = root.display();
        let conf = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {r}/run\nstate_dir = {r}/state\n\
             log_path = {r}/dovecot.log\ninfo_log_path = {r}/dovecot.log\nssl = no\n\
             disable_plaintext_auth = no\nauth_mechanisms = plain login\n{users}\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = {mail_uid} home={r}/mail/%u\n}}\n\
             mail_location = maildir:{r}/mail/%u\n\
             namespace inbox {{\n  inbox = yes\n  separator = .\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  chroot =\n}}\n\
             service anvil {{\n  chroot =\n}}\n\
             service stats {{\n  unix_listener stats-reader {{\n    mode = 0666\n  }}\n  \
             unix_listener stats-writer {{\n    mode = 0666\n  }}\n}}\n"
        );
        std::fs::write(root.join("dovecot.conf"), conf).expect("dovecot.conf");
        // Dovecot forks into the background: its output goes to a file
        // (a pipe would stay open as long as the server runs).
        let errors = std::fs::File::create(root.join("start.txt")).expect("start.txt");
        let status = Command::new(dovecot)
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .stdout(errors.try_clone().expect("file"))
            .stderr(errors)
            .status()
            .expect("dovecot runs");
        let server = Dovecot { dir, port };
        let started = std::fs::read_to_string(server.dir.path().join("start.txt")).unwrap_or_default();
        assert!(status.success(), "Dovecot did not start: {started}{}", server.log());
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "Dovecot does not listen on port {port}: {}", server.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    fn session(&self) -> imap::Session<TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let mut client = imap::Client::new(tcp);
        client.read_greeting().expect("greeting");
        client.login(USER, PASSWORD).map_err(|(e, _)| e).expect("login")
    }

    /// Adds messages to the INBOX (IMAP APPEND).
    pub fn append(&self, messages: &[Vec<u8>]) {
        let mut session = self.session();
        for m in messages {
            session.append("INBOX", m).finish().expect("APPEND");
        }
        let _ = session.logout();
    }

    /// The messages of `folder` (its name on the server), oldest first;
    /// None when there is no such folder.
    pub fn folder(&self, folder: &str) -> Option<Vec<Vec<u8>>> {
        let mut session = self.session();
        let mailbox = session.examine(folder).ok()?;
        let mut out = Vec::new();
        if mailbox.exists > 0 {
            let fetches = session.fetch("1:*", "BODY.PEEK[]").expect("FETCH");
            out = fetches.iter().map(|f| f.body().unwrap_or_default().to_vec()).collect();
        }
        let _ = session.logout();
        Some(out)
    }

    /// Points the workspace's charte.toml at this server.
    pub fn point(&self, t: &Test) {
        let path = t.path("charte.toml");
        let mut text = std::fs::read_to_string(&path).expect("charte.toml");
        text.push_str(&format!(
            "\n[mail.imap]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nusername = \"{USER}\"\n\
             password_env = \"CHARTE_IMAP_PASSWORD\"\nfolder = \"INBOX\"\nprocessed_folder = \"{PROCESSED}\"\n",
            self.port
        ));
        std::fs::write(&path, text).expect("charte.toml");
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ =
            Command::new("/usr/bin/doveadm").arg("-c").arg(self.dir.path().join("dovecot.conf")).arg("stop").output();
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn id(args: &[&str]) -> String {
    let out = Command::new("id").args(args).output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port()
}

/// A message from `from` with attachments (name, content type, bytes).
pub fn message(from: &str, subject: &str, id: Option<&str>, attachments: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut m = format!(
        "From: {from}\r\nTo: coordination@cpas-woluwe-saint-lambert.example.be\r\nSubject: {subject}\r\n\
         Date: Mon, 2 Feb 2026 10:00:00 +0100\r\n"
    );
    if let Some(id) = id {
        m.push_str(&format!("Message-ID: <{id}>\r\n"));
    }
    m.push_str("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
    m.push_str("--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour, voici notre document.\r\n");
    for (name, ctype, bytes) in attachments {
        m.push_str(&format!(
            "--b0\r\nContent-Type: {ctype}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n"
        ));
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        for line in encoded.as_bytes().chunks(76) {
            m.push_str(std::str::from_utf8(line).expect("ascii"));
            m.push_str("\r\n");
        }
    }
    m.push_str("--b0--\r\n");
    m.into_bytes()
}

const PASSWORD_ENV: (&str, &str) = ("CHARTE_IMAP_PASSWORD", PASSWORD);

fn collect_imap(t: &Test) -> Run {
    t.run_env(["collect", "--imap"], &[PASSWORD_ENV])
}

/// The Message-IDs of messages, in order.
fn ids(messages: &[Vec<u8>]) -> Vec<String> {
    messages
        .iter()
        .map(|m| {
            let text = String::from_utf8_lossy(m);
            text.lines()
                .find_map(|l| l.strip_prefix("Message-ID: <").map(|r| r.trim_end_matches('>').to_owned()))
                .unwrap_or_default()
        })
        .collect()
}

fn db(t: &Test) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(t.path("charte.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("charte.db")
}

fn count(t: &Test, sql: &str) -> i64 {
    db(t).query_row(sql, [], |r| r.get(0)).expect(sql)
}

fn email_of(t: &Test, number: &str) -> String {
    t.members()
        .into_iter()
        .find(|m| m["enterprise_number"] == number)
        .and_then(|m| m["email"].as_str().map(str::to_owned))
        .expect("on the roster")
}

/// The mailbox the issue describes: a reply with an own-key signed PDF, a
/// scan from an organisation's address, a tampered PDF, a newsletter, a
/// 30 MB attachment from an organisation's address and one from a
/// stranger. Read twice: nothing examined twice, nothing answered twice.
#[test]
fn replies_in_the_mailbox_are_collected_once_and_moved() {
    let t = issued();
    let server = Dovecot::start();
    server.point(&t);
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let signed = std::fs::read(t.path("signed.pdf")).unwrap();
    let mut tampered = signed.clone();
    let issued_len = std::fs::read(t.path(WOLU_DOC)).unwrap().len();
    tampered[issued_len / 2] ^= 0x20;
    let scanner = email_of(&t, "0250.616.524");
    let png = b"\x89PNG\r\n\x1a\n a scan of the signed paper".to_vec();
    let big = vec![b'%'; 30 * 1024 * 1024];
    server.append(&[
        message(
            "direction@wolu-entraide.example.be",
            "Charte signée",
            Some("signed@wolu"),
            &[("charte.pdf", "application/pdf", &signed)],
        ),
        message(&scanner, "Charte signée (scan)", Some("scan@cpas"), &[("scan.png", "image/png", &png)]),
        message(
            "someone@example.org",
            "Charte",
            Some("tampered@example"),
            &[("charte.pdf", "application/pdf", &tampered)],
        ),
        message("news@federation.example.be", "Lettre d'information", Some("news@federation"), &[]),
        message(
            &email_of(&t, "0631.119.315"),
            "Gros fichier",
            Some("big@wolu"),
            &[("charte.pdf", "application/pdf", &big)],
        ),
        message("promo@example.org", "Catalogue", Some("big@stranger"), &[("catalogue.pdf", "application/pdf", &big)]),
    ]);

    let run = collect_imap(&t).code(1);
    run.stdout_has("collected message signed@wolu")
        .stdout_has("accepted  signed@wolu: charte.pdf")
        .stdout_has("waiting   message scan@cpas")
        .stdout_has("not a return news@federation")
        .stderr_has("refused   message tampered@example")
        .stderr_has("not authentic")
        .stderr_has("refused   message big@wolu")
        .stderr_has("over 20 MB")
        .stdout_has("not a return big@stranger")
        .stdout_has("6 message(s) read: 1 collected, 1 waiting for your confirmation")
        .stdout_has("4 moved to \"charte/traité\"")
        .stdout_has("2 answer(s) sent to the organisations whose return was refused");
    assert_eq!(crate::collect::member(&t, "0631.119.315")["status"], "member", "the own-key return counts");
    // The scan waits, with where it came from; the sender as a commitment.
    let returns = t.run(["returns", "--json"]).success().json();
    let waiting: Vec<_> = returns.as_array().unwrap().iter().filter(|r| r["state"] == "waiting").collect();
    assert_eq!(waiting.len(), 1, "{returns}");
    assert_eq!(
        (waiting[0]["method"].as_str(), waiting[0]["file"].as_str()),
        (Some("scan"), Some("scan@cpas: scan.png"))
    );
    let details: String = db(&t)
        .query_row("SELECT adherence FROM returns ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .unwrap_or_default();
    assert!(details.contains("scan@cpas") && details.contains("Charte signée (scan)"), "{details}");
    assert!(!details.contains(&scanner), "the sender is a commitment, never in the journal: {details}");
    // What moved where: the newsletter and the stranger's large message
    // stay; the rest is processed.
    let inbox = server.folder("INBOX").expect("INBOX");
    assert_eq!(ids(&inbox), ["news@federation", "big@stranger"]);
    let processed = server.folder(PROCESSED_ON_SERVER).expect("the processed folder was created");
    assert_eq!(ids(&processed), ["signed@wolu", "scan@cpas", "tampered@example", "big@wolu"]);
    assert_eq!(count(&t, "SELECT count(*) FROM journal WHERE kind = 'mail-read'"), 6);
    // The two refusals are answered at Wolu-Entraide's registered address
    // (the tampered document is its own, whoever sent it), in French, each
    // saying why and what to do; never to the stranger who sent one.
    let written = answers(&t);
    assert_eq!((written.len(), answered(&t)), (2, 2), "{written:?}");
    for a in &written {
        assert!(a.contains("To: accueil@wolu-entraide.example.be"), "{a}");
        assert!(!a.contains("someone@example.org"), "never to the sender: {a}");
        assert!(a.contains("votre document d'adhésion n'a pas pu être enregistré"), "{a}");
        assert!(a.contains("Pourquoi :") && a.contains("Que faire :"), "{a}");
    }
    let text = written.join("\n");
    assert!(text.contains("modifi") && text.contains("20 Mo"), "why, for each: {text}");

    // Run again: nothing examined twice, nothing changed, nothing answered twice.
    let before = t.snapshot();
    collect_imap(&t).success().stdout_has("0 message(s) read").stdout_has("2 read before and left where they were");
    assert_eq!(t.snapshot(), before, "journal and register unchanged");
    assert_eq!(ids(&server.folder("INBOX").unwrap()), ["news@federation", "big@stranger"]);
    assert_eq!(server.folder(PROCESSED_ON_SERVER).unwrap().len(), 4);
    assert_eq!(answered(&t), 2, "each answer handed over once");
    t.run(["audit"]).success();
}

/// How many answers to refused returns the journal records as handed over
/// (the outbox's file names are the Message-IDs: a second hand-over would
/// overwrite the first file, not add one).
fn answered(t: &Test) -> i64 {
    count(t, "SELECT count(*) FROM journal WHERE kind = 'message-intended' AND payload LIKE '%\"return-refused\"%'")
}

/// The answers to refused returns in the outbox: each one's recipient
/// and plain text (parsed with mail-parser, as any mail reader would).
fn answers(t: &Test) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(t.path("out/outbox")).into_iter().flatten() {
        let raw = std::fs::read(entry.expect("entry").path()).unwrap_or_default();
        let m = mail_parser::MessageParser::default().parse(&raw).expect("a message");
        if m.message_id().is_some_and(|id| id.starts_with("return-refused.")) {
            let to = m.to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned();
            out.push(format!("To: {to}\n{}\n{}", m.subject().unwrap_or_default(), m.body_text(0).unwrap_or_default()));
        }
    }
    out
}

/// Delivery reports (RFC 3464) in the mailbox: the one about a message
/// charte sent, naming the address it went to, marks it bounced
/// (`mail-bounced`); a forged one naming another address, and one about a
/// message charte never sent, stay where they were; a second report of
/// the same failure changes nothing.
#[test]
fn a_delivery_report_marks_the_message_it_names_bounced() {
    let t = issued();
    t.run(["run", "adhesion"]).success();
    let wolu = email_of(&t, "0631.119.315");
    let sent: String = db(&t)
        .query_row(
            "SELECT message_id FROM messages WHERE enterprise_number = '0631119315' AND purpose = 'adherence'",
            [],
            |r| r.get(0),
        )
        .expect("the adherence mail to Wolu-Entraide was sent");
    let server = Dovecot::start();
    server.point(&t);
    let report = |id: &str, about: &str, to: &str| {
        format!(
            "From: MAILER-DAEMON@mx.example.be\r\nTo: coordination@cpas.example.be\r\n\
             Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n\
             --r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
             --r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.be\r\n\r\n\
             Final-Recipient: rfc822; {to}\r\nAction: failed\r\nStatus: 5.1.1\r\n\
             Diagnostic-Code: smtp; 550 5.1.1 <{to}>: User unknown\r\n\r\n\
             --r\r\nContent-Type: text/rfc822-headers\r\n\r\nTo: {to}\r\nMessage-ID: <{about}>\r\n\
             Subject: Charte\r\n\r\n--r--\r\n"
        )
        .into_bytes()
    };
    server.append(&[
        report("dsn1@mx", &sent, &wolu),
        report("forged@mx", &sent, "someone@else.example.org"),
        report("unknown@mx", "never-sent@cpas.example.be", &wolu),
    ]);
    collect_imap(&t)
        .success()
        .stdout_has("bounced   message dsn1@mx")
        .stdout_has(&format!("the message {sent} did not arrive"))
        .stdout_has("1 delivery report(s)");
    let flags = t.run(["flags", "--json"]).success().json();
    let bounced: Vec<_> = flags.as_array().unwrap().iter().filter(|f| f["rule"] == "mail-bounced").collect();
    assert_eq!(bounced.len(), 1, "{flags}");
    assert_eq!(bounced[0]["enterprise_number"], "0631.119.315");
    assert!(bounced[0]["evidence"].to_string().contains("5.1.1"), "{flags}");
    assert!(
        bounced[0]["evidence"][0]["fr"].as_str().unwrap().starts_with("un avis de non-distribution reçu"),
        "the flag says it is a report, which anyone can write: {flags}"
    );
    assert_eq!(ids(&server.folder(PROCESSED_ON_SERVER).unwrap()), ["dsn1@mx"]);
    assert_eq!(ids(&server.folder("INBOX").unwrap()), ["forged@mx", "unknown@mx"]);
    // The same failure reported again: read and moved; still one flag.
    server.append(&[report("dsn2@mx", &sent, &wolu)]);
    collect_imap(&t).success().stdout_has("bounced   message dsn2@mx");
    let flags = t.run(["flags", "--json"]).success().json();
    assert_eq!(flags.as_array().unwrap().iter().filter(|f| f["rule"] == "mail-bounced").count(), 1, "{flags}");
    // A report can be forged: the mail it names stays sent (the
    // organisation's adherence mail still counts as mailed), and only the
    // status code is kept, never the report's own words.
    assert_eq!(count(&t, "SELECT count(*) FROM journal WHERE kind = 'message-bounced'"), 0);
    let state: String =
        db(&t).query_row("SELECT state FROM messages WHERE message_id = ?1", [&sent], |r| r.get(0)).unwrap();
    assert_eq!(state, "sent");
    let reasons = count(&t, "SELECT count(*) FROM mail_read WHERE undelivered IS NOT NULL AND reason = 'DSN 5.1.1'");
    assert_eq!(reasons, 1, "the second report flags nothing more");
    assert_eq!(count(&t, "SELECT count(*) FROM journal WHERE payload LIKE '%User unknown%'"), 0);
    t.run(["audit"]).success();
}

#[test]
fn clear_errors_name_the_setting() {
    let t = issued();
    let server = Dovecot::start();
    server.point(&t);
    let before = t.snapshot();
    t.run(["collect", "--imap"]).code(2).stderr_has("CHARTE_IMAP_PASSWORD (mail.imap.password_env) is not set");
    t.run_env(["collect", "--imap"], &[("CHARTE_IMAP_PASSWORD", "wrong")])
        .code(2)
        .stderr_has("refused the login")
        .stderr_has("mail.imap.username");
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(t.path("charte.toml"), toml.replace("folder = \"INBOX\"", "folder = \"Réponses\"")).unwrap();
    collect_imap(&t).code(2).stderr_has("the folder \"Réponses\" (mail.imap.folder) does not exist");
    let port = server.port;
    drop(server);
    std::fs::write(t.path("charte.toml"), toml).unwrap();
    collect_imap(&t).code(3).stderr_has(&format!("127.0.0.1:{port}")).stderr_has("cannot be reached");
    assert_eq!(t.snapshot(), before, "nothing was changed");
}

/// A run killed part-way (kill -9), then run again: every message is
/// journaled once, and all end up moved.
#[test]
fn a_run_killed_part_way_is_finished_by_the_next_without_a_second_record() {
    let t = issued();
    let server = Dovecot::start();
    server.point(&t);
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let mut tampered = std::fs::read(t.path("signed.pdf")).unwrap();
    let at = tampered.len() / 3;
    tampered[at] ^= 0x20;
    const N: usize = 150;
    let messages: Vec<Vec<u8>> = (0..N)
        .map(|i| {
            message(
                "x@example.org",
                "Charte",
                Some(&format!("m{i}@example")),
                &[("c.pdf", "application/pdf", &tampered)],
            )
        })
        .collect();
    server.append(&messages);

    let mut child = Command::new(BIN)
        .arg("--dir")
        .arg(&t.ws)
        .args(["--now", "2026-02-01", "collect", "--imap"])
        .env("CHARTE_IMAP_PASSWORD", PASSWORD)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("charte starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let read = db(&t)
            .query_row("SELECT count(*) FROM journal WHERE kind = 'mail-read'", [], |r| r.get::<_, i64>(0))
            .unwrap_or(0);
        if read >= 10 {
            break;
        }
        assert!(Instant::now() < deadline, "the run read nothing in 60 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.try_wait().expect("wait").is_none(), "still running when killed");
    child.kill().expect("kill -9");
    let _ = child.wait();
    let read = count(&t, "SELECT count(*) FROM journal WHERE kind = 'mail-read'") as usize;
    assert!(read < N, "killed part-way ({read} of {N} read)");

    collect_imap(&t).code(1).stdout_has(&format!("{} message(s) read", N - read));
    assert_eq!(count(&t, "SELECT count(*) FROM journal WHERE kind = 'mail-read'") as usize, N);
    assert_eq!(count(&t, "SELECT count(DISTINCT subject) FROM journal WHERE kind = 'mail-read'") as usize, N);
    assert_eq!(count(&t, "SELECT count(*) FROM journal WHERE kind = 'return-refused'") as usize, N, "one record each");
    assert_eq!(server.folder("INBOX").unwrap().len(), 0);
    let mut moved = ids(&server.folder(PROCESSED_ON_SERVER).unwrap());
    moved.sort();
    let mut all = ids(&messages);
    all.sort();
    assert_eq!(moved, all, "every message moved, none twice");
    // 150 forged messages about Wolu-Entraide's document, from another
    // address: its mailbox gets the day's one answer, not 150.
    assert_eq!(answered(&t), 1);
    t.run(["audit"]).success();
}

/// A PDF signed in a reader (PAdES) by the representative, its chain to a
/// trusted root: by mail as from a file, it counts at once.
#[test]
fn a_pdf_signed_in_a_reader_by_the_representative_counts_when_it_arrives_by_mail() {
    let t = issued();
    let server = Dovecot::start();
    server.point(&t);
    let tomberg = "out/adherence/0845285318-maison-medicale-tomberg-roodebeek-2022-02.pdf";
    crate::collect::pades_sign_with(
        &t,
        tomberg,
        "tomberg-pades.pdf",
        "chain",
        &["--name", "Céline Bouzid (Signature)"],
    );
    std::fs::create_dir_all(t.path("keys/trusted-roots")).unwrap();
    std::fs::copy(t.path("chain/root.der"), t.path("keys/trusted-roots/test-root.der")).unwrap();
    let signed = std::fs::read(t.path("tomberg-pades.pdf")).unwrap();
    server.append(&[message(
        "anyone@example.org",
        "Charte",
        Some("pades@tomberg"),
        &[("charte.pdf", "application/pdf", &signed)],
    )]);
    collect_imap(&t).success().stdout_has("collected message pades@tomberg").stdout_has("1 collected");
    let m = crate::collect::member(&t, "0845.285.318");
    assert_eq!(m["signed_version"], "2022-02");
    assert_eq!(m["adherences"][0]["method"], "pades");
    assert_eq!(ids(&server.folder(PROCESSED_ON_SERVER).unwrap()), ["pades@tomberg"]);
}

/// The adhesion workflow's `fetch` step: skipped with a note without
/// [mail.imap]; with it, a return that arrived by mail is collected before
/// the reminders are decided, and no reminder goes to its organisation.
#[test]
fn a_fetch_step_reads_the_mailbox_before_the_reminders() {
    let t = issued();
    // The built-in adhesion workflow reads the mailbox first.
    t.run(["run", "adhesion"]).success().stdout_has("fetch skipped: there is no [mail.imap] table");
    let server = Dovecot::start();
    server.point(&t);
    t.run(["sign", WOLU_DOC, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let signed = std::fs::read(t.path("signed.pdf")).unwrap();
    server.append(&[message(
        "x@wolu.example.be",
        "Charte",
        Some("run@wolu"),
        &[("charte.pdf", "application/pdf", &signed)],
    )]);
    // Past the reminder's delay: every unsigned organisation is reminded, but
    // Wolu-Entraide's return was read first.
    let t = t.at("2026-02-20");
    t.run_env(["run", "adhesion"], &[PASSWORD_ENV]).success().stdout_has("collected message run@wolu");
    assert_eq!(crate::collect::member(&t, "0631.119.315")["status"], "member");
    let reminded = count(
        &t,
        "SELECT count(*) FROM journal WHERE kind = 'step-done' AND subject LIKE 'adhesion/%0631119315/remind%'",
    );
    assert_eq!(reminded, 0, "no reminder for a document returned by mail");
    let others =
        count(&t, "SELECT count(*) FROM journal WHERE kind = 'step-done' AND subject LIKE 'adhesion/%/remind%'");
    assert!(others > 0, "the others are reminded");
}
