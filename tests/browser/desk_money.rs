//! Issue 20: expenses and reports on the coordinator's desk through a real
//! browser: the year's expenses file chosen in the file dialog, previewed
//! with its totals, confirmed; the year's events likewise; the annual report made, approved by the
//! plenary held, its PDF downloaded (as the page's link fetches it) and
//! read; the reports page in Dutch; the report sent to the funder from the
//! page. Every page checked by axe-core and shot.

use crate::browser_tests;
use crate::harness::*;
use crate::support::Browser;

browser_tests![expenses_are_imported_and_the_annual_report_is_made_approved_and_downloaded];

const COORDINATOR: &str = "sophie@cswsl.example.be";
const PASSWORD: &str = "un mot de passe solide";

/// Woluwe-Saint-Lambert in mid-December 2026: its roster, a plenary held
/// in November, a coordinator.
fn year() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-11-02");
    t.run(["keys", "init"]).success();
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-11-19T18:00"]).success();
    t.user(COORDINATOR, "coordinator", PASSWORD);
    t.at("2026-12-15")
}

fn expenses_are_imported_and_the_annual_report_is_made_approved_and_downloaded(browser: &Browser) {
    let t = year();
    // The fixture's lines up to mid-December (the later ones are not spent yet).
    let text = std::fs::read_to_string(t.path("year/expenses.csv")).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("2026-12-2")).collect();
    let file = t.root.join("dépenses 2026.csv");
    std::fs::write(&file, kept.join("\n")).unwrap();
    let server = t.serve();
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);

    page.visit(&format!("http://{}/expenses", server.addr), "#expenses-file");
    page.check_accessibility().screenshot("desk-expenses-empty");
    let before = t.journal_len();
    page.choose("#expenses-file", &file);
    page.submit("form[action='/expenses/import'] button", "#total");
    let preview = page.body_text();
    assert!(preview.contains("Les dépenses 2026 du fichier") && preview.contains("Frais de personnel"), "{preview}");
    assert_eq!(t.journal_len(), before, "the preview changed nothing");
    let total = page.text("#total");
    page.check_accessibility().screenshot("desk-expenses-preview");
    page.submit(".confirm button", ".done");
    assert!(page.text(".done").contains("sont enregistrées"), "{}", page.text(".done"));
    assert_eq!(page.text("#total"), total, "the list's total is the preview's");
    page.check_accessibility().screenshot("desk-expenses");
    let listed = t.run(["expenses", "list", "--json"]).success().json();
    assert_eq!(listed["lines"].as_array().unwrap().len(), kept.len() - 1);

    // The year's events, likewise.
    page.choose("#events-file", &t.path("year/events.csv"));
    page.submit("form[action='/expenses/events'] button", "#summary");
    assert!(page.text("#summary").contains("4 activité(s) à enregistrer"), "{}", page.body_text());
    page.check_accessibility().screenshot("desk-events-preview");
    page.submit(".confirm button", ".done");
    assert!(page.text(".done").contains("4 activité(s) enregistrée(s)"), "{}", page.text(".done"));
    assert!(page.text("#events-caption").contains("4 activité(s)"));

    // The annual report, made from the page, approved by the plenary.
    page.visit(&format!("http://{}/reports", server.addr), "#annual");
    page.check_accessibility().screenshot("desk-reports-none");
    page.submit("form[action='/reports/annual'] button", ".done");
    assert!(page.text("#annual-made").contains("Produit le 15/12/2026"), "{}", page.body_text());
    page.check_accessibility().screenshot("desk-reports-made");
    page.submit("form.approve button", "#annual-approved.approved");
    assert!(page.text("#annual-approved").contains("Assemblée plénière du jeudi 19 novembre 2026"));
    page.check_accessibility().screenshot("desk-reports-approved");
    // The page's link, downloaded as that link asks (the browser's own
    // download lands where a test cannot read it, and the desk's CSP
    // forbids a script's fetch).
    let href = page.attr("#annual a[download][href$='annual-2026.pdf']", "href").expect("the PDF's link");
    let me = server.login(COORDINATOR, PASSWORD);
    let (status, pdf) = me.download(&href);
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let path = t.root.join("downloaded.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext runs");
    let read = String::from_utf8_lossy(&out.stdout);
    assert!(read.contains("Woluwe-Saint-Lambert") && read.contains("2026"), "{read}");

    // In Dutch.
    page.visit(&format!("http://{}/reports?lang=nl", server.addr), "#annual");
    let nl = page.body_text();
    assert!(nl.contains("Goedgekeurd door de vergadering") && nl.contains("Verslagen 2026"), "{nl}");
    assert!(nl.contains("Het verslag is klaar om te vertrekken naar rapports-coordinations@cocom.example.be"), "{nl}");
    page.check_accessibility().screenshot("desk-reports-nl");

    // Sent to the funder from the page (the fixture's outbox): the page
    // says when and to whom, and offers no second sending.
    page.visit(&format!("http://{}/reports?lang=fr", server.addr), "#annual-send-button");
    page.submit("#annual-send-button", "#annual-sent");
    let sent = page.text("#annual-sent");
    assert!(
        sent.contains("Déposé dans la boîte d'envoi le 15/12/2026, pour rapports-coordinations@cocom.example.be"),
        "{sent}"
    );
    assert!(page.text(".done").contains("est déposé dans la boîte d'envoi"), "{}", page.body_text());
    page.check_accessibility().screenshot("desk-reports-sent");
    let eml = std::fs::read_dir(t.path("out/outbox"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "eml"))
        .count();
    assert_eq!(eml, 1, "one mail in the outbox");
    t.run(["audit"]).success();
}
