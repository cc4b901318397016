//! Issue 20: flags, mail and the daily run on the coordinator's desk
//! through a real browser: a flag put to the committee with a note and its
//! letter drafted, downloaded and mailed; the outbox read, one message opened, then
//! sent through a real SMTP server; the daily run started from its page and
//! what it did; the daily run's page in Dutch. Every page checked by
//! axe-core and shot.

use crate::browser_tests;
use crate::harness::*;
use crate::smtp::{PASSWORD as SMTP_PASSWORD, PASSWORD_ENV, ServerOptions, TestServer, ca_pem};
use crate::support::Browser;

browser_tests![flags_mail_and_the_daily_run_from_the_desk];

const COORDINATOR: &str = "coordination@cpas.example.be";
const PASSWORD: &str = "un mot de passe solide";

const ROSTER: &str = "name,enterprise_number,email,language,status,representative,representative_email\n\
ASBL Le Pont,0606.997.096,info@lepont.example.be,fr,member,Marie Dupont,marie@lepont.example.be\n\
Buurtwerk Elsene,0750.200.572,info@buurtwerk.example.be,fr,member,,\n\
Maison Fermée,0560.136.594,bounce-gone@fermee.example.be,fr,participant,,\n";

/// A workspace whose mail waits in the outbox, with `[mail.smtp]` for the
/// test server on `port`, a plenary convoked and a breach reported.
fn workspace(port: u16) -> Test {
    let t = Test::new().at("2026-02-02");
    std::fs::write(t.path("roster.csv"), ROSTER).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    let smtp = format!(
        "[mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"starttls\"\nusername = \"coordination\"\npassword_env = \"{PASSWORD_ENV}\"\n\n[flags]"
    );
    std::fs::write(t.path("charte.toml"), toml.replace("[flags]", &smtp)).unwrap();
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-12T14:00"]).success().stdout;
    t.run(["convoke", id.trim()]).success();
    t.run(["breach", "report", "0606.997.096", "--about", "a refusé une orientation"]).success();
    t.user(COORDINATOR, "coordinator", PASSWORD);
    t
}

fn flags_mail_and_the_daily_run_from_the_desk(browser: &Browser) {
    let smtp = TestServer::start(ServerOptions::default());
    let t = workspace(smtp.port);
    let ca = ca_pem();
    let server = t.serve_with(
        &["--no-daily-run"],
        &[(PASSWORD_ENV, SMTP_PASSWORD), ("CHARTE_SMTP_CA", ca.to_str().unwrap()), ("CHARTE_RETRY_BASE_MS", "5")],
    );
    let base = format!("http://{}", server.addr);
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);

    // A flag put to the committee, with a note; its letter.
    page.visit(&format!("{base}/flags?rule=breach-reported"), "form.mark");
    page.check_accessibility().screenshot("desk-flags-mark");
    let key = page.attr("form.mark input[name='key']", "value").unwrap();
    page.script("document.querySelector('form.mark select').value = 'committee';", vec![]);
    page.fill("form.mark input[name='note']", "Au comité du 12 mars");
    page.submit("form.mark button", "#marked");
    assert!(page.text("#marked").contains("soumis au comité"), "{}", page.text("#marked"));
    let flags = t.run(["flags", "--json"]).success().json();
    let flag = flags.as_array().unwrap().iter().find(|f| f["key"] == key.as_str()).unwrap().clone();
    assert_eq!(flag["status"], "put-to-committee");
    page.visit(&format!("{base}/flags?status=committee"), "ul.history");
    assert!(page.text("ul.history").contains("« Au comité du 12 mars »"), "{}", page.text("ul.history"));
    page.submit("form[action='/flags/letters'] button", "#letters p.done");
    let letter = page.attr("#letters a[download]", "href").expect("the letter is listed");
    page.submit("form[action='/letters/send'] button", "#letter-sent");
    assert!(page.text("#letters").contains("envoyée le 02/02/2026"), "{}", page.text("#letters"));
    page.check_accessibility().screenshot("desk-flags-marked");
    let me = server.login(COORDINATOR, PASSWORD);
    let pdf = me.get(&letter);
    assert_eq!((pdf.status, pdf.header("content-type")), (200, Some("application/pdf")));

    // The outbox: one message read, then all sent on.
    page.visit(&format!("{base}/mail"), "#send-outbox");
    assert!(page.text("#outbox-count").contains("5 message(s) en attente"), "{}", page.text("#outbox-count"));
    assert!(!page.body_text().contains(SMTP_PASSWORD));
    page.check_accessibility().screenshot("desk-mail");
    page.click("table.outbox a");
    page.wait_text("#message-state", "en attente d'envoi");
    assert!(page.text("#attachments").contains(".ics"), "{}", page.text("#attachments"));
    page.check_accessibility().screenshot("desk-mail-message");
    page.visit(&format!("{base}/mail"), "#send-outbox");
    page.submit("#send-outbox", "#outbox-title");
    page.visit_until(&format!("{base}/mail"), "#job[data-state='done']", "#outbox-title");
    assert!(page.text("#job").contains("4 messages sont partis"), "{}", page.text("#job"));
    assert_eq!(smtp.messages().len(), 4, "the convocations and the letter");
    assert!(page.text("#bounces").contains("bounce-gone@fermee.example.be"), "{}", page.text("#bounces"));
    page.check_accessibility().screenshot("desk-mail-sent");

    // The daily run, on demand, and what it did.
    page.visit(&format!("{base}/runs"), "#run-now");
    page.check_accessibility().screenshot("desk-runs");
    page.submit("#run-now", "#history-title");
    page.visit_until(&format!("{base}/runs"), "#run-state[data-state='done']", "#history-title");
    let history = page.text("#history");
    assert!(history.contains("Adhésion à la charte") && history.contains("courriels envoyés"), "{}", page.body_text());
    t.run(["run", "adhesion"]).success().stdout_has(", 0 steps");
    page.check_accessibility().screenshot("desk-runs-done");
    page.visit(&format!("{base}/runs?lang=nl"), "#run-now");
    assert!(page.body_text().contains("Wat de opvolging deed"), "{}", page.body_text());
    page.check_accessibility().screenshot("desk-runs-nl");
    page.submit("#logout", "#sign-in");
}
