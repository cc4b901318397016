//! Issue 19: the year at a glance, the flags and the reports through a
//! real browser, checked by axe-core (WCAG 2.1 AA), with screenshots on a
//! desktop and a phone.

use crate::browser_tests;
use crate::harness::*;
use crate::support::Browser;

browser_tests![the_coordinator_reads_the_year_drafts_the_letters_and_the_committee_reads_them,];

const COORDINATOR: &str = "marie@cpas-ans.example.be";
const PASSWORD: &str = "un mot de passe solide";
const COMMITTEE: &str = "comite@cpas-ans.example.be";
const COMMITTEE_PASSWORD: &str = "le comité lit seulement";

/// Ans's year: every organisation mailed its adherence document on 15
/// September and reminded on 6 October, two signed since, the others past
/// their 60 days on 20 November; a plenary on 14 December; the annual
/// report of 2026 made.
fn year() -> Test {
    let t = Test::fixture("ans").at("2026-09-15");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["run", "adhesion"]).success();
    t.run_at("2026-10-06", ["run", "adhesion"]).success();
    let t = t.at("2026-11-20");
    t.sign(&["0251.839.219", "0205.136.489"]);
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-12-14"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    t.user(COORDINATOR, "coordinator", PASSWORD);
    t.user(COMMITTEE, "committee", COMMITTEE_PASSWORD);
    t
}

fn the_coordinator_reads_the_year_drafts_the_letters_and_the_committee_reads_them(browser: &Browser) {
    let t = year();
    let server = t.serve();
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);
    assert_eq!(page.text("#stage-signed td"), "2");
    assert_eq!(page.text("#stage-overdue td"), "24", "{}", page.body_text());
    assert!(page.body_text().contains("Dernier jour pour convoquer : Assemblée plénière du lundi 14 décembre 2026"));
    page.check_accessibility().screenshot("desk-year");
    page.visit(&format!("http://{}/?lang=nl", server.addr), "#stage-signed");
    assert!(page.body_text().contains("Het jaar 2026 in één oogopslag"));
    page.check_accessibility().screenshot("desk-year-nl");
    page.visit(&format!("http://{}/?lang=fr", server.addr), "#stage-signed");
    // From a figure to its detail: the flags of a rule.
    page.click("a[href='/flags#adherence-missing']");
    page.wait_text("h1", "Signalements");
    page.check_accessibility().screenshot("desk-flags");
    page.submit("form[action='/flags/letters'] button", "#letters p.done");
    assert!(page.text("#letters p.done").contains("lettre(s) rédigée(s)"), "{}", page.text("#letters"));
    page.check_accessibility().screenshot("desk-flags-drafted");
    page.visit(&format!("http://{}/reports", server.addr), "table.files");
    assert!(page.body_text().contains("Rapport annuel 2026 — PDF"));
    page.check_accessibility().screenshot("desk-reports");
    page.submit("#logout", "#sign-in");
    // The committee's home: the flags, the letters just drafted, the reports; no form.
    let committee = browser.login(&server.addr, COMMITTEE, COMMITTEE_PASSWORD);
    assert!(committee.body_text().contains("Projets de lettres d'interpellation"));
    assert!(committee.attr("a[href^='/letters/']", "href").is_some(), "the drafted letters are listed");
    assert!(committee.attr("form[action='/flags/letters']", "action").is_none());
    committee.check_accessibility().screenshot("desk-committee-home");
    committee.submit("#logout", "#sign-in");
}
