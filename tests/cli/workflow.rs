//! `charte run` and `charte status`: the adhesion workflow end to end
//! (documents mailed on day 0, a reminder after 14 days, an escalation to
//! `adherence-overdue` after 45, nothing more for an organisation that
//! signed), re-runs that do nothing, a run killed midway that resumes
//! without sending twice, the convocation workflow's timing, and malformed
//! workflows refused with their file and line.

use mail_parser::{MessageParser, MimeHeaders};

use crate::harness::*;
use crate::smtp::{PASSWORD, PASSWORD_ENV, ServerOptions, TestServer, ca_pem};

/// The files of out/outbox/, sorted.
pub fn outbox(t: &Test) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(t.path("out/outbox"))
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The Woluwe-Saint-Lambert fixture (French and Dutch organisations) with
/// its roster and seal key.
fn wsl() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t
}

fn status(t: &Test) -> Vec<serde_json::Value> {
    t.run(["status", "adhesion", "--json"]).success().json().as_array().unwrap().clone()
}

fn step_state<'a>(subject: &'a serde_json::Value, step: &str) -> &'a serde_json::Value {
    subject["steps"].as_array().unwrap().iter().find(|s| s["step"] == step).unwrap()
}

#[test]
fn adhesion_mails_reminds_escalates_and_stops_at_the_signature() {
    let t = wsl().at("2026-01-05");
    let members = t.members();
    let roster = members.len();
    let mut reader = csv::Reader::from_path(t.path("roster.csv")).unwrap();
    let addresses: usize = reader
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| {
            let r = r.unwrap();
            let extra = r.get("representative_email").is_some_and(|e| !e.is_empty() && e != &r["email"]);
            1 + usize::from(extra)
        })
        .sum();

    // Day 0: every organisation's document issued and mailed.
    t.run(["run", "adhesion"]).success().stdout_has(&format!("{roster} subjects ({roster} new)"));
    let day0 = outbox(&t);
    assert_eq!(day0.len(), addresses, "one message per address");
    assert!(day0.iter().all(|n| n.starts_with("adhesion.") && n.contains(".send.1.")));
    let pdfs = std::fs::read_dir(t.path("out/adherence"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "pdf"));
    assert_eq!(pdfs.count(), roster);
    // In the organisation's language, with the document attached.
    let dutch = members.iter().find(|m| m["language"] == "nl").expect("a Dutch organisation in the fixture");
    let digits: String = dutch["enterprise_number"].as_str().unwrap().chars().filter(char::is_ascii_digit).collect();
    let eml = std::fs::read(t.path("out/outbox").join(day0.iter().find(|n| n.contains(&digits)).unwrap())).unwrap();
    let message = MessageParser::default().parse(&eml).unwrap();
    assert!(message.subject().unwrap().contains("toetredingsdocument"), "{:?}", message.subject());
    let pdf = message.attachments().find(|a| a.content_type().is_some_and(|c| c.subtype() == Some("pdf"))).unwrap();
    assert!(pdf.contents().starts_with(b"%PDF-"), "the sealed document is attached");

    // The same day again: nothing new, not one journal entry.
    let before = t.journal_len();
    t.run(["run", "adhesion"]).success().stdout_has("), 0 steps");
    assert_eq!(t.journal_len(), before);
    assert_eq!(outbox(&t).len(), addresses);

    // One organisation signs with its own key on day 3.
    let signer = members.iter().find(|m| m["language"] == "fr").unwrap();
    let number = signer["enterprise_number"].as_str().unwrap();
    let signer_digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let t = t.at("2026-01-08");
    let doc = std::fs::read_dir(t.path("out/adherence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json") && std::fs::read_to_string(p).unwrap().contains(number))
        .unwrap()
        .with_extension("")
        .with_extension("pdf");
    t.run(["keys", "member", "--out", "org.key"]).success();
    t.run(["members", "set-key", number, "org.key.pub"]).success();
    t.run(["sign", doc.to_str().unwrap(), "--key", "org.key", "--out", "signed.pdf"]).success();
    t.run(["collect", "signed.pdf"]).success();
    // Another sends a scan: it waits for the coordinator's confirmation,
    // so its own wait goes on (and it is reminded) until confirmed.
    let waiter = members.iter().find(|m| m["enterprise_number"] != number).unwrap();
    let waiter_number = waiter["enterprise_number"].as_str().unwrap();
    let waiter_digits: String = waiter_number.chars().filter(char::is_ascii_digit).collect();
    std::fs::write(t.path("scan.pdf"), b"%PDF-1.4 a scanned page").unwrap();
    let scan =
        t.run(["collect", "scan.pdf", "--scan", waiter_number]).success().stdout_has("waiting for your confirmation");

    // Day 13: nothing due yet; status says when the reminder comes.
    let t = t.at("2026-01-18");
    t.run(["run", "adhesion"]).success().stdout_has("), 0 steps").stdout_has("next step due on 2026-01-19");
    // Day 14: a reminder to everyone but the signer.
    let t = t.at("2026-01-19");
    t.run(["run", "adhesion"]).success().stdout_has(&format!("remind       {}", roster - 1));
    let reminders: Vec<String> = outbox(&t).into_iter().filter(|n| n.contains(".remind.1.")).collect();
    assert!(!reminders.is_empty());
    assert!(!reminders.iter().any(|n| n.contains(&signer_digits)), "no reminder to the organisation that signed");
    let subjects = status(&t);
    let signed = subjects.iter().find(|s| s["enterprise_number"] == signer_digits.as_str()).unwrap();
    assert_eq!(signed["finished"], true);
    assert_eq!(step_state(signed, "return")["state"], "met");
    assert_eq!(step_state(signed, "return")["on"], "2026-01-08");
    assert_eq!(step_state(signed, "remind")["state"], "skipped");
    let other = subjects.iter().find(|s| s["enterprise_number"] != signer_digits.as_str()).unwrap();
    assert_eq!(step_state(other, "return")["state"], "waiting");
    let waiting = subjects.iter().find(|s| s["enterprise_number"] == waiter_digits.as_str()).unwrap();
    assert_eq!(step_state(waiting, "return")["state"], "waiting", "a return waiting for confirmation meets nothing");
    assert!(reminders.iter().any(|n| n.contains(&waiter_digits)), "its reminder went");
    assert_eq!(step_state(other, "remind")["on"], "2026-01-19");
    assert_eq!(step_state(other, "escalate")["state"], "pending");
    assert_eq!(step_state(other, "escalate")["on"], "2026-02-19");
    t.run(["status", "adhesion"])
        .success()
        .stdout_has("waiting for a signature since 2026-01-05")
        .stdout_has("remind on 2026-01-19");

    // Day 45: escalated, as adherence-overdue flags with their evidence.
    let t = t.at("2026-02-19");
    t.run(["run", "adhesion"]).success().stdout_has(&format!("escalate     {}", roster - 1));
    let flags = t.run(["flags", "--json"]).success().json();
    let overdue: Vec<&serde_json::Value> =
        flags.as_array().unwrap().iter().filter(|f| f["rule"] == "adherence-overdue").collect();
    assert_eq!(overdue.len(), roster - 1);
    assert!(!overdue.iter().any(|f| f["enterprise_number"] == number));
    let evidence = overdue[0]["evidence"][0]["text"].as_str().unwrap();
    assert!(evidence.contains("sent on 2026-01-05") && evidence.contains("reminded on 2026-01-19"), "{evidence}");
    let waits =
        overdue.iter().find(|f| f["enterprise_number"] == waiter_number).expect("the scan still waits: overdue");
    let text = waits["evidence"][0]["text"].as_str().unwrap();
    assert!(text.contains("came back and waits for your confirmation"), "not \"nothing came back\": {text}");
    // Confirmed, the scan ends its wait.
    t.run(["returns", "confirm", &pending_id(&scan.stdout)]).success();
    let subjects = status(&t);
    let confirmed = subjects.iter().find(|s| s["enterprise_number"] == waiter_digits.as_str()).unwrap();
    assert_eq!(step_state(confirmed, "return")["state"], "met");
    // Later runs: nothing more to do, whatever the day (the first run of a
    // day records that it ran, and only that).
    let t = t.at("2026-06-01");
    let before = t.journal_len();
    t.run(["run", "adhesion"]).success().stdout_has("), 0 steps");
    assert_eq!(t.journal_len(), before + 1);
    t.run(["run", "adhesion"]).success().stdout_has("), 0 steps");
    assert_eq!(t.journal_len(), before + 1);
}

#[test]
fn a_dry_run_prints_the_plan_and_changes_nothing() {
    let t = wsl().at("2026-01-05");
    let before = t.snapshot();
    let run = t.run(["run", "adhesion", "--dry-run"]).success().stdout_has("dry run: nothing changed");
    assert!(run.stdout.contains("2026-01-05 issue: ") && run.stdout.contains("2026-01-05 send: "));
    assert_eq!(t.snapshot(), before);
    assert!(!t.path("out/adherence").exists() || std::fs::read_dir(t.path("out/adherence")).unwrap().count() == 0);
    assert!(outbox(&t).is_empty());
}

#[test]
fn time_does_not_go_back() {
    let t = wsl().at("2026-03-01");
    t.run(["run", "convocation"]).success();
    let before = t.snapshot();
    let t = t.at("2026-01-05");
    t.run(["run", "adhesion"]).code(2).stderr_has("time does not go back").stderr_has("2026-03-01");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn a_workspace_workflow_replaces_the_built_in_one() {
    let t = wsl().at("2026-01-05");
    std::fs::create_dir_all(t.path("workflows")).unwrap();
    let built_in = std::fs::read_to_string(repo().join("workflows/adhesion.toml")).unwrap();
    let mine = built_in.replace("delay_days = \"adherence_reminder_days\"", "delay_days = 7");
    std::fs::write(t.path("workflows/adhesion.toml"), mine).unwrap();
    t.run(["run", "adhesion"]).success().stdout_has("next step due on 2026-01-12");
}

#[test]
fn the_adhesion_delays_come_from_charte_toml() {
    // Ans: reminder after 21 days, adherence-overdue after 60.
    let t = Test::fixture("ans").at("2026-01-02");
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    assert!(toml.contains("adherence_reminder_days = 21") && toml.contains("adherence_overdue_days = 60"));
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let t = t.at("2026-01-05");
    t.run(["run", "adhesion"]).success().stdout_has("next step due on 2026-01-26");
    let t = t.at("2026-01-26");
    t.run(["run", "adhesion"]).success().stdout_has("remind").stdout_has("next step due on 2026-03-06");
}

fn refused(file: &str, text: &str, expect: &[&str]) {
    let t = wsl().at("2026-01-05");
    std::fs::create_dir_all(t.path("workflows")).unwrap();
    std::fs::write(t.path("workflows").join(format!("{file}.toml")), text).unwrap();
    let before = t.snapshot();
    let mut run = t.run(["run", file]).code(2).stderr_has(&format!("workflows/{file}.toml"));
    for e in expect {
        run = run.stderr_has(e);
    }
    assert_eq!(t.snapshot(), before, "nothing changed");
}

#[test]
fn malformed_workflows_are_refused_with_their_file_and_line() {
    refused(
        "unknown-kind",
        "subjects = \"unsigned-organisations\"\n\n[[steps]]\nname = \"fax\"\nkind = \"fax\"\n",
        &["line 5", "unknown step kind 'fax'"],
    );
    refused(
        "cycle",
        "subjects = \"unsigned-organisations\"\n[[steps]]\nname = \"a\"\nkind = \"issue\"\nafter = \"b\"\n\
         [[steps]]\nname = \"b\"\nkind = \"send\"\nmessage = \"adherence\"\n",
        &["cycle", "a → b → a"],
    );
    refused(
        "delay",
        "subjects = \"unsigned-organisations\"\n[[steps]]\nname = \"a\"\nkind = \"issue\"\n[[steps]]\n\
         name = \"b\"\nkind = \"send\"\nmessage = \"adherence\"\ndelay_days = \"two weeks\"\n",
        &["line 9", "delay_days: \"two weeks\" is not a number of days", "adherence_reminder_days"],
    );
    let t = wsl();
    t.run(["run", "payroll"]).code(2).stderr_has("no workflow 'payroll'").stderr_has("adhesion");
    t.run(["status", "payroll"]).code(2).stderr_has("no workflow 'payroll'");
}

#[test]
fn a_run_that_cannot_go_through_changes_nothing() {
    // No seal key yet.
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    let before = t.snapshot();
    t.run(["run", "adhesion"]).code(2).stderr_has("charte keys init");
    assert_eq!(t.snapshot(), before);
    // A mail template the workflow names does not exist.
    t.run(["keys", "init"]).success();
    std::fs::create_dir_all(t.path("workflows")).unwrap();
    let built_in = std::fs::read_to_string(repo().join("workflows/adhesion.toml")).unwrap();
    std::fs::write(t.path("workflows/adhesion.toml"), built_in.replace("\"adherence-reminder\"", "\"rappel\""))
        .unwrap();
    let before = t.snapshot();
    t.run(["run", "adhesion"]).code(2).stderr_has("no mail template 'rappel'");
    assert_eq!(t.snapshot(), before);
    assert!(!t.path("out/adherence").exists() || std::fs::read_dir(t.path("out/adherence")).unwrap().count() == 0);
}

#[test]
fn the_convocation_workflow_convokes_in_time_and_says_when_it_is_too_late() {
    let t = wsl().at("2026-01-05");
    // The plenary needs 10 clear days: the last day to send for 12 March is 1 March.
    let id =
        t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12T14:00"]).success().stdout.trim().to_owned();
    let late =
        t.run(["meeting", "add", "--body", "plenary", "--date", "2026-01-10"]).success().stdout.trim().to_owned();
    t.run(["run", "convocation"]).success().stdout_has("next step due on 2026-02-27");
    t.run(["status", "convocation"]).success().stdout_has("convoke missed: its last valid day was 2025-12-30");
    assert!(outbox(&t).is_empty());
    let t = t.at("2026-02-27");
    t.run(["run", "convocation"]).success().stdout_has("convoke      1");
    let sent = outbox(&t).len();
    assert!(sent >= t.members().len(), "every organisation convoked ({sent} messages)");
    assert!(outbox(&t).iter().all(|n| n.contains(&id)));
    assert!(!outbox(&t).iter().any(|n| n.contains(&late)));
    let t = t.at("2026-02-28");
    t.run(["run", "convocation"]).success().stdout_has("), 0 steps");
    assert_eq!(outbox(&t).len(), sent);
}

#[test]
fn a_run_killed_midway_resumes_without_sending_twice() {
    let server = TestServer::start(ServerOptions::default());
    let t = Test::new().at("2026-02-01");
    let mut roster = String::from("name,enterprise_number,email\n");
    for i in 0..60u64 {
        let body = 4_000_000 + i * 13;
        roster.push_str(&format!("Org {i},{body:08}{:02},org{i}@example.be\n", 97 - body % 97));
    }
    std::fs::write(t.path("roster.csv"), roster).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    let smtp = format!(
        "[mail.smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"starttls\"\nusername = \"coordination\"\npassword_env = \"{PASSWORD_ENV}\"\n\n[flags]",
        server.port
    );
    let toml = toml.replace("transport = \"outbox\"", "transport = \"smtp\"").replace("[flags]", &smtp);
    std::fs::write(t.path("charte.toml"), toml).unwrap();
    let env = [
        (PASSWORD_ENV, PASSWORD.to_owned()),
        ("CHARTE_SMTP_CA", ca_pem().to_str().unwrap().to_owned()),
        ("CHARTE_RETRY_BASE_MS", "10".to_owned()),
    ];
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(["--dir", t.ws.to_str().unwrap(), "--now", "2026-02-01", "run", "adhesion"])
        .envs(env.iter().cloned())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let start = std::time::Instant::now();
    while server.messages().len() < 5 && start.elapsed() < std::time::Duration::from_secs(120) {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL: no cleanup, as a power cut
    child.wait().unwrap();
    let before = server.messages().len();
    assert!((5..60).contains(&before), "the run was interrupted while sending ({before} messages)");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t.run_env(["run", "adhesion"], &env).success();
    let mut per_address = std::collections::HashMap::new();
    for r in server.messages() {
        *per_address.entry(r.rcpt_tos[0].clone()).or_insert(0) += 1;
    }
    assert_eq!(per_address.len(), 60, "every organisation reached");
    let twice = per_address.values().filter(|&&n| n > 1).count();
    assert!(twice <= 1, "at most the message in flight at the kill is sent again; {twice} were");
    t.run_env(["run", "adhesion"], &env).success().stdout_has("), 0 steps");
    assert_eq!(server.messages().len(), 60 + twice);
    // Each document was issued once.
    let issued = std::fs::read_dir(t.path("out/adherence"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "pdf"))
        .count();
    assert_eq!(issued, 60);
    t.run(["audit"]).success();
}

#[test]
fn the_interpellation_workflow_drafts_and_waits_for_the_committees_resolution() {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-03-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["breach", "report", "Wolu-Entraide", "--about", "n'a pas respecté le secret professionnel"]).success();
    let key = "breach-reported:0631.119.315";
    let out = t.run(["run", "interpellation"]).success().stdout_has("letter");
    assert!(!out.stdout.contains("agenda"), "the workflow puts nothing on the committee's agenda: {}", out.stdout);
    let letter = t.path("out/letters/CSWSL-lettre-0631119315-2026-03-01.pdf");
    assert!(letter.exists(), "a draft letter to the organisation");
    let flags = t.run(["flags", "--json"]).success().json();
    let breach = flags.as_array().unwrap().iter().find(|f| f["key"] == key).unwrap().clone();
    assert_eq!(breach["status"], "open", "only the committee moves a flag to the committee");
    t.run(["flags", "mark", key, "put-to-committee"]).success();
    let status = t.run(["status", "interpellation", "--json"]).success().json();
    let subject = status.as_array().unwrap().iter().find(|s| s["subject"] == key).unwrap().clone();
    assert_eq!(step_state(&subject, "resolution")["state"], "waiting");
    // The committee settles it: the workflow is finished for that flag.
    let t = t.at("2026-03-20");
    t.run(["flags", "mark", key, "resolved", "--note", "explications reçues"]).success();
    t.run(["run", "interpellation"]).success();
    let status = t.run(["status", "interpellation", "--json"]).success().json();
    let subject = status.as_array().unwrap().iter().find(|s| s["subject"] == key).unwrap().clone();
    assert_eq!(subject["finished"], true);
    assert_eq!(step_state(&subject, "resolution")["on"], "2026-03-20");
    let before = t.journal_len();
    t.run(["run", "interpellation"]).success().stdout_has("), 0 steps");
    assert_eq!(t.journal_len(), before);
}

#[test]
fn the_annual_report_workflow_reports_on_the_last_day_of_the_year() {
    let t = Test::fixture("ans").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let t = t.at("2026-12-30");
    t.run(["run", "annual-report"]).success().stdout_has("), 0 steps");
    assert!(!t.path("out/reports/annual-2026.pdf").exists());
    let t = t.at("2026-12-31");
    t.run(["run", "annual-report"]).success().stdout_has("annual").stdout_has("subsidy");
    let pdf = t.path("out/reports/annual-2026.pdf");
    t.run(["verify", pdf.to_str().unwrap()]).success();
    // Ans has no funder: the step is done, and says so.
    let status = t.run(["status", "annual-report", "--json"]).success().json();
    assert_eq!(status[0]["subject"], "2026");
    assert_eq!(status[0]["finished"], true);
    assert!(!t.path("out/reports/subsidy-2026.pdf").exists());
    let t = t.at("2027-01-04");
    t.run(["run", "annual-report"]).success().stdout_has("), 0 steps");
}

/// Issue 16's review: a run that changed something but whose key cannot
/// sign (here a private key others can read, which charte refuses to use)
/// is still recorded, and says plainly that it wrote no checkpoint.
#[test]
fn a_run_whose_key_cannot_sign_is_recorded_and_says_it_wrote_no_checkpoint() {
    use std::os::unix::fs::PermissionsExt;
    let t = wsl().at("2026-03-01");
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-20"]).success();
    let key = t.path("keys/coordination.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run =
        t.run(["run", "convocation"]).success().stderr_has("warning: no checkpoint was written at the end of this run");
    assert!(run.stdout.contains("(1 new)"), "the run was recorded: {}", run.stdout);
    assert!(!t.path("out/checkpoints").exists() || std::fs::read_dir(t.path("out/checkpoints")).unwrap().count() == 0);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    t.run(["audit"]).success();
}
