//! Issue 20: a committee election through a real browser, round by round,
//! as the facilitator runs it at Woluwe-Saint-Lambert's autumn plenary:
//! opened from the list, the naming round typed row by row, a proposal of
//! too many persons checked and said so, the proposal, an objection and
//! its resolution, the vote and its result; one page in Dutch. Every page
//! checked by axe-core and shot.

use crate::browser_tests;
use crate::harness::*;
use crate::support::{Browser, Page};

browser_tests![a_facilitator_runs_an_election_round_by_round_to_its_result];

const COORDINATOR: &str = "coordination@cpas-woluwe.example.be";
const PASSWORD: &str = "un mot de passe solide";

/// Chooses the option of value `value` in the select at `selector`.
fn select(page: &Page<'_>, selector: &str, value: &str) {
    let chosen = page.script(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1]; return s.value;",
        vec![selector.into(), value.into()],
    );
    assert_eq!(chosen.as_str(), Some(value), "{selector} has no option {value}");
}

/// The row number of voter `digits` in the naming round's form.
fn row(page: &Page<'_>, digits: &str) -> String {
    let name = page.script(
        "return document.querySelector(`#naming-title ~ form input[value='${arguments[0]}']`).name;",
        vec![digits.into()],
    );
    name.as_str().and_then(|n| n.strip_prefix("voter-")).unwrap_or_else(|| panic!("no row for {digits}")).to_owned()
}

fn a_facilitator_runs_an_election_round_by_round_to_its_result(browser: &Browser) {
    let t = woluwe_plenary_held();
    t.user(COORDINATOR, "coordinator", PASSWORD);
    let server = t.serve();
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);
    let base = format!("http://{}", server.addr);

    // The list, from the plenary's link; the election opened.
    page.visit(&format!("{base}/elections?meeting=plenary-2026-10-13"), "#open");
    assert!(page.body_text().contains("Aucune élection pour l'instant."), "{}", page.body_text());
    page.check_accessibility().screenshot("desk-elections");
    page.fill("#since", "01012027");
    page.submit("#open", "#naming-title");
    assert!(page.text("#said").contains("L'élection est ouverte."));
    page.check_accessibility().screenshot("desk-election-naming");

    // The naming round, row by row, as the fixture's plenary named.
    let text = std::fs::read_to_string(t.path("year/election-naming.csv")).unwrap();
    for record in csv::Reader::from_reader(text.as_bytes()).records() {
        let r = record.unwrap();
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        let n = row(&page, &digits(&r[0]));
        page.fill(&format!("#person-{n}"), &r[1]);
        select(&page, &format!("#org-{n}"), &digits(&r[2]));
        page.fill(&format!("#reason-{n}"), &r[3]);
    }
    page.submit("#record-round", "#tally");
    assert!(page.text("#said").contains("Le tour de nomination est enregistré"));
    let tally = page.text("#tally");
    let julien = tally.lines().find(|l| l.starts_with("Julien Van Damme (Restaurant social La Marmite)"));
    assert!(julien.is_some_and(|l| l.trim_end().ends_with('3')), "named by 3: {tally}");
    assert!(tally.contains("Youssef Delvaux"), "{tally}");
    // The most named are checked against the committee's rules.
    assert!(page.text("#checks").contains("Aucune règle n'est enfreinte."), "{}", page.text("#checks"));
    page.check_accessibility().screenshot("desk-election-tally");

    // In Dutch, the same step.
    page.visit(&format!("{base}/elections/election-2026-10-13?lang=nl"), "#propose");
    assert!(page.text("#propose-title").contains("Volgende stap: het voorstel"));
    assert!(page.text("#checks").contains("Geen enkele regel wordt overtreden."), "{}", page.text("#checks"));
    page.check_accessibility().screenshot("desk-election-nl");
    page.visit(&format!("{base}/elections/election-2026-10-13?lang=fr"), "#propose");

    // Five persons for four seats: checked, said; nothing recorded.
    let before = t.journal_len();
    page.click("#propose-5");
    page.submit("#check", "#breaches");
    assert_eq!(page.text("#breaches"), "✗ 5 personnes proposées pour 4 sièges à pourvoir : il y en a trop.");
    assert_eq!(t.journal_len(), before);
    page.check_accessibility().screenshot("desk-election-check");
    page.click("#propose-5");
    page.submit("#propose", "#proposal");
    assert!(page.text("#said").contains("La proposition est enregistrée."));

    // An objection, then its resolution.
    page.click("#object-details summary");
    select(&page, "#object-by", "0250616524");
    select(&page, "#object-against", "Tom De Backer");
    page.fill("#object-reason", "Il ne pourra pas se libérer à midi");
    page.submit("#object", "#objection-1");
    assert!(page.text("#objections-first").contains("Levez d'abord chaque objection"));
    page.check_accessibility().screenshot("desk-election-objection");
    page.fill("#how-1", "réunions avancées au matin ; objection retirée");
    page.submit("#resolve-1", "#yes");

    // The formal vote, and the result.
    page.fill("#yes", "10").fill("#no", "1").fill("#abstain", "1");
    page.check_accessibility().screenshot("desk-election-vote");
    page.submit("#vote", "#elected");
    assert!(page.text("#result-title").contains("4 siège(s) pourvu(s) sur 4"));
    let elected = page.text("#elected");
    for who in ["Julien Van Damme", "Marie Lemaire", "Koen Claes", "Tom De Backer"] {
        assert!(elected.contains(who), "{who}: {elected}");
    }
    assert!(elected.contains("du 01/01/2027 au 31/12/2028"), "{elected}");
    page.check_accessibility().screenshot("desk-election-result");
    let shown = t.run(["election", "show", "election-2026-10-13", "--json"]).success().json();
    assert_eq!(shown["elected"].as_array().unwrap().len(), 4);
    t.run(["audit"]).success();
}
