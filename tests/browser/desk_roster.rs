//! Issue 19: the roster and the charter on the coordinator's desk through
//! a real browser: a corrected roster chosen in the file dialog, its
//! preview, its confirmation; a broken one, whose lines are shown and
//! which changes nothing; an organisation's page and a field refused by
//! it; the charter's page. Every page checked by axe-core and shot.

use crate::browser_tests;
use crate::desk::{COORDINATOR, PASSWORD, desk};
use crate::harness::*;
use crate::support::Browser;

browser_tests![
    a_corrected_roster_is_previewed_then_confirmed,
    a_broken_roster_shows_its_lines_and_a_bad_field_is_refused_by_its_form,
];

/// Saint-Gilles with its roster imported, the accounts of the desk, and
/// `name` written beside the workspace from its roster.csv edited by `edit`.
fn with_file(name: &str, edit: impl Fn(String) -> String) -> (Test, std::path::PathBuf) {
    let t = desk();
    t.run(["members", "import", "roster.csv"]).success();
    let file = t.root.join(name);
    std::fs::write(&file, edit(std::fs::read_to_string(t.path("roster.csv")).unwrap())).unwrap();
    (t, file)
}

fn a_corrected_roster_is_previewed_then_confirmed(browser: &Browser) {
    let (t, file) = with_file("membres-corrigés.csv", |text| {
        text.replace("secretariat@cpas-saint-gilles.example.be,", "accueil@cpas-saint-gilles.example.be,")
            .replace(",0205.893.980,", ",205893980,")
    });
    let server = t.serve();
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);
    page.visit(&format!("http://{}/roster", server.addr), "#roster-file");
    assert!(page.body_text().contains("CPAS de Saint-Gilles"), "{}", page.body_text());
    page.check_accessibility().screenshot("desk-roster");
    let before = t.journal_len();
    page.choose("#roster-file", &file);
    page.submit("form[action='/roster/import'] button", "#summary");
    let preview = page.body_text();
    assert!(preview.contains("1 modifiée(s)") && preview.contains("accueil@cpas-saint-gilles.example.be"), "{preview}");
    assert!(
        preview.contains(
            "ligne 3, colonne « numéro d'entreprise » : 205893980 n'a que 9 chiffres : le 0 du début, qu'Excel avait \
             supprimé, a été remis (0205.893.980"
        ),
        "the restored 0, in French: {preview}"
    );
    assert_eq!(t.journal_len(), before, "the preview changed nothing");
    page.check_accessibility().screenshot("desk-roster-preview");
    page.submit(".confirm button", ".done");
    assert!(page.text(".done").contains("La liste est importée"), "{}", page.text(".done"));
    page.check_accessibility().screenshot("desk-roster-imported");
    let cpas = t.members().into_iter().find(|m| m["enterprise_number"] == "0241.029.459").unwrap();
    assert_eq!(cpas["email"], "accueil@cpas-saint-gilles.example.be");
    t.run(["audit"]).success();
}

fn a_broken_roster_shows_its_lines_and_a_bad_field_is_refused_by_its_form(browser: &Browser) {
    let (t, file) = with_file("membres.csv", |text| text.replace(",0241.029.459,", ",0241.029.458,"));
    let server = t.serve();
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);
    page.visit(&format!("http://{}/roster?lang=nl", server.addr), "#roster-file");
    let before = t.snapshot();
    page.choose("#roster-file", &file);
    page.submit("form[action='/roster/import'] button", ".error");
    let said = page.text(".error");
    assert!(said.contains("er werd niets gewijzigd"), "{said}");
    assert!(
        said.contains(
            "regel 2, kolom “ondernemingsnummer”: “0241.029.458” is geen geldig ondernemingsnummer: de laatste twee \
             cijfers (de controle) zouden 59 moeten zijn. Een tikfout?"
        ),
        "the line in Dutch, its column in words: {said}"
    );
    assert!(!said.contains("mod-97"), "nothing in English: {said}");
    assert_eq!(t.snapshot(), before, "a broken file changes nothing");
    page.check_accessibility().screenshot("desk-roster-broken");
    // An organisation's page, its form, a field refused next to it.
    page.visit(&format!("http://{}/roster/0205893980?lang=fr", server.addr), "#email");
    page.check_accessibility().screenshot("desk-member");
    page.fill("#email", "secretariat de la commune");
    page.submit("form[action='/roster/0205893980'] button", "#email-error");
    assert_eq!(
        page.text("#email-error"),
        "« secretariat de la commune » n'est pas une simple adresse : écrivez l'adresse seule (comme info@asbl.be), \
         sans nom, sans espace ni <>"
    );
    assert_eq!(t.snapshot(), before);
    page.check_accessibility().screenshot("desk-member-refused");
    page.fill("#email", "cohesion@commune-saint-gilles.example.be");
    page.submit("form[action='/roster/0205893980'] button", ".done");
    let shown = t.run(["members", "show", "0205893980", "--json"]).success().json();
    assert_eq!(shown["email"], "cohesion@commune-saint-gilles.example.be");
    // The charter's page.
    page.visit(&format!("http://{}/charter", server.addr), "#text-fr");
    page.check_accessibility().screenshot("desk-charter");
}
