//! Issue 19: the coordinator's desk in a real browser, documents and
//! returns. The coordinator issues the documents and mails them, each as
//! a job whose page refreshes itself (no script) until it says what it
//! did; then confirms a scanned paper signature and rejects a PDF signed
//! with a certificate that vouches for itself, with a reason. The
//! workspace then says so through the command line.

use crate::browser_tests;
use crate::harness::*;
use crate::support::Browser;

browser_tests![
    the_coordinator_issues_and_mails_the_documents,
    the_coordinator_confirms_a_scan_and_rejects_a_forged_pades,
];

const EMAIL: &str = "coordinatrice@cpas.example.be";
const PASSWORD: &str = "un mot de passe assez long";

fn woluwe() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.user(EMAIL, "coordinator", PASSWORD);
    t
}

fn emls(t: &Test) -> usize {
    std::fs::read_dir(t.path("out/outbox"))
        .map(|d| d.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "eml")).count())
        .unwrap_or(0)
}

/// Saint-Gilles: 110 organisations, enough for the job's page to be seen
/// while it runs.
fn the_coordinator_issues_and_mails_the_documents(browser: &Browser) {
    let t = Test::fixture("saint-gilles").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.user(EMAIL, "coordinator", PASSWORD);
    let n = t.members().len();
    let server = t.serve();
    let page = browser.login(&server.addr, EMAIL, PASSWORD);
    page.visit(&format!("http://{}/documents", server.addr), "table.documents");
    page.wait_text("h1", "Documents d'adhésion");
    page.check_accessibility().screenshot("desk-documents-before");
    page.submit("form[action='/documents/issue'] button", "#job");
    if page.attr("#job", "data-state").as_deref() == Some("running") {
        // Caught while it runs (it takes about 2 s here): its bar, and in
        // words how far it got ("N sur M faits", or "En préparation").
        let said = page.text("label[for=job-progress]");
        assert!(said.contains(" sur ") || said.contains("En préparation"), "{}", page.body_text());
        page.check_accessibility().screenshot("desk-job-running");
    }
    // The job's page reloads itself every 2 seconds until the job ends.
    page.wait_text("#job[data-state=done]", &format!("{n} documents établis"));
    page.check_accessibility().screenshot("desk-job-issued");
    page.submit("a[href='/documents']", "form[action='/documents/mail']");
    page.submit("form[action='/documents/mail'] button", "#job");
    page.wait_text(
        "#job[data-state=done]",
        &format!("Les courriels de {n} organisations sont prêts dans la boîte d'envoi"),
    );
    page.screenshot("desk-job-mailed");
    page.submit("a[href='/documents']", "table.documents");
    assert!(page.text("table.documents").contains("01/02/2026"), "the day mailed: {}", page.body_text());
    page.check_accessibility().screenshot("desk-documents-after");
    drop(server);
    assert!(emls(&t) >= n, "the adherence mails in the outbox");
    t.run(["audit"]).success();
}

fn the_coordinator_confirms_a_scan_and_rejects_a_forged_pades(browser: &Browser) {
    let t = woluwe();
    t.run(["issue", "--all"]).success();
    std::fs::write(t.path("scan.pdf"), b"%PDF-1.4 a scanned page").unwrap();
    t.run(["collect", "scan.pdf", "--scan", "Wolu-Entraide"]).success();
    let doc = t.path("out/adherence/0845285318-maison-medicale-tomberg-roodebeek-2022-02.pdf");
    let python = std::env::var("CHARTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let run = std::process::Command::new(python)
        .arg(repo().join("tests/support/pades_sign.py"))
        .args([doc, t.path("forged.pdf"), t.path("chain")])
        .args(["--name", "Roi Philippe (Signature)", "--self-signed"])
        .output()
        .unwrap();
    assert!(run.status.success(), "pades_sign.py: {}", String::from_utf8_lossy(&run.stderr));
    t.run(["collect", "forged.pdf"]).success().stdout_has("waiting for your confirmation");
    let listed = t.run(["returns", "--json"]).success().json();
    let id_of = |number: &str| {
        let all = listed.as_array().unwrap();
        all.iter().find(|r| r["enterprise_number"] == number).unwrap()["id"].to_string()
    };
    let (scan, forged) = (id_of("0631.119.315"), id_of("0845.285.318"));

    let server = t.serve();
    let page = browser.login(&server.addr, EMAIL, PASSWORD);
    page.visit(&format!("http://{}/returns", server.addr), "h1");
    page.wait_text(&format!("#return-{forged}"), "aucune autorité de confiance");
    page.wait_text(&format!("#return-{scan}"), "Un scan ne prouve pas");
    page.check_accessibility().screenshot("desk-returns-waiting");
    // The returned PDF opens in the browser's own viewer, under the site's CSP.
    page.visit(&format!("http://{}/returns/{forged}/file", server.addr), "body");
    std::thread::sleep(std::time::Duration::from_secs(2));
    page.screenshot("desk-returns-file");
    page.visit(&format!("http://{}/returns", server.addr), "h1");
    page.submit(&format!("#confirm-{scan}"), "#said");
    assert!(page.text("#said").contains("confirmé"), "{}", page.body_text());
    // A rejection without a reason: the browser asks for it (required);
    // the reason typed, the return is rejected.
    page.fill(&format!("#reason-{forged}"), "certificat auto-signé, pas une eID");
    page.submit(&format!("#reject-{forged}"), "#said");
    assert!(page.text("#said").contains("rejeté"), "{}", page.body_text());
    page.check_accessibility().screenshot("desk-returns-decided");
    drop(server);
    let all = t.run(["returns", "--all", "--json"]).success().json();
    let state = |id: &str| {
        let id: i64 = id.parse().unwrap();
        all.as_array().unwrap().iter().find(|r| r["id"].as_i64() == Some(id)).unwrap()["state"].clone()
    };
    assert_eq!((state(&scan), state(&forged)), ("confirmed".into(), "rejected".into()));
    let wolu = t.members().into_iter().find(|m| m["enterprise_number"] == "0631.119.315").unwrap();
    assert_eq!(wolu["signed_version"], "2022-02", "{wolu}");
    t.run(["audit"]).success();
}
