//! The desk's expenses page (`/expenses`), over TCP against the real
//! server: a file previewed with its lines and totals, then recorded
//! exactly as previewed; a broken file's lines shown with nothing changed;
//! a second file of the year said to replace the first.

use crate::harness::Test;

const COORDINATOR: (&str, &str) = ("sophie@cswsl.example.be", "un mot de passe solide");

fn desk() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-12-31");
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    t
}

const TWO_LINES: &str = "date;category;description;amount;document;person;fte\n\
     2026-01-31;staff;Salaire janvier;3 250,00;FICHE-2026-01;Anne Coordinatrice;1\n\
     2026-03-12;running;Traiteur plénière;412,30;FACT-2026-014;;\n";

fn staged_files(t: &Test) -> usize {
    std::fs::read_dir(t.path("out/staging")).map(|d| d.count()).unwrap_or(0)
}

#[test]
fn expenses_are_previewed_with_their_totals_then_recorded_as_previewed() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let before = t.journal_len();
    let preview = me.post_multipart("/expenses/import", &[], Some(("file", "dépenses 2026.csv", TWO_LINES.as_bytes())));
    assert_eq!(preview.status, 200, "{}", preview.body);
    let b = &preview.body;
    assert!(b.contains("Les dépenses 2026 du fichier"), "{b}");
    assert!(b.contains("Frais de personnel</th><td class=\"num\">3\u{202f}250,00\u{a0}€"), "{b}");
    assert!(b.contains("Frais de fonctionnement</th><td class=\"num\">412,30\u{a0}€"), "{b}");
    assert!(b.contains("id=\"total\">3\u{202f}662,30\u{a0}€"), "{b}");
    assert!(b.contains("Anne Coordinatrice (1 ETP)"), "{b}");
    assert!(!b.contains("id=\"replaces\""), "nothing to replace yet");
    assert_eq!(t.journal_len(), before, "a preview changes nothing");
    assert_eq!(staged_files(&t), 1, "the upload waits for its confirmation");
    let fields = ["id", "sha256", "year", "name", "replaces"].map(|k| (k, preview.hidden(k)));
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = me.post_form("/expenses/import/confirm", &form);
    assert_eq!(done.status, 303, "{}", done.body);
    let to = done.header("location").unwrap().to_owned();
    assert_eq!(to, "/expenses?year=2026&imported=2");
    assert_eq!(t.journal_len(), before + 1);
    assert_eq!(staged_files(&t), 0, "the recorded upload is not kept");
    let list = me.get(&to);
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Les 2 lignes du fichier sont enregistrées"), "{}", list.body);
    assert!(list.body.contains("depuis le fichier dépenses 2026.csv"), "{}", list.body);
    assert!(list.body.contains("id=\"total\">3\u{202f}662,30\u{a0}€"), "{}", list.body);
    let listed = t.run(["expenses", "list", "--json"]).success().json();
    assert_eq!(listed["total_cents"], 366230, "the command line lists what the page recorded");
    // The same confirmation again: nothing waits, nothing changes.
    let again = me.post_form("/expenses/import/confirm", &form);
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.body.contains("rien n&#39;a été modifié"), "{}", again.body);
    assert_eq!(t.journal_len(), before + 1);
    // The fixture's whole year: the preview says it replaces the two lines.
    let whole = std::fs::read(t.path("year/expenses.csv")).unwrap();
    let second = me.post_multipart("/expenses/import", &[], Some(("file", "expenses.csv", &whole)));
    assert_eq!(second.status, 200, "{}", second.body);
    assert!(second.body.contains("id=\"replaces\""), "{}", second.body);
    assert!(second.body.contains("les 2 lignes de dépenses 2026.csv"), "{}", second.body);
    assert!(second.body.contains("39 ligne(s)"), "{}", second.body);
    // In Dutch too.
    let nl = me.get("/expenses?lang=nl");
    assert!(nl.body.contains("Uitgaven 2026") && nl.body.contains("Personeelskosten"), "{}", nl.body);
}

#[test]
fn a_broken_file_shows_its_lines_and_changes_nothing() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let before = t.journal_len();
    let broken = "date,category,description,amount,document,person,fte\n\
                  2026-01-31,staff,Salaire,3250.00,FICHE-1,Anne,1\n\
                  2026-02-01,travel,Train,12.00,TICKET-1,,\n\
                  31/02/2026,running,Taxi,\"1,350\",TICKET-2,,\n";
    let page = me.post_multipart("/expenses/import", &[], Some(("file", "frais.csv", broken.as_bytes())));
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("Le fichier frais.csv ne peut pas être importé tel quel ; rien n&#39;a été modifié"));
    assert!(
        page.body.contains(
            "<li>ligne 3, colonne « category » : « travel » n&#39;est pas une catégorie : écrivez personnel, \
             fonctionnement ou projet (staff, running, project)</li>"
        ),
        "the line, its column and why, in French: {}",
        page.body
    );
    // A date and an amount that do not read: said in French too, never in English.
    assert!(
        page.body.contains("<li>ligne 4, colonne « date » : « 31/02/2026 » n&#39;est pas une date"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<li>ligne 4, colonne « amount » : « 1,350 » se lit de deux façons"), "{}", page.body);
    assert!(!page.body.contains("lang=\"en\""), "no English: {}", page.body);
    let nl = me.post_multipart("/expenses/import?lang=nl", &[], Some(("file", "frais.csv", broken.as_bytes())));
    assert!(nl.body.contains("“travel” is geen categorie"), "in Dutch: {}", nl.body);
    assert!(nl.body.contains("“1,350” kan op twee manieren gelezen worden"), "in Dutch: {}", nl.body);
    assert_eq!(t.journal_len(), before);
    assert_eq!(staged_files(&t), 0, "a refused file is not kept");
}

#[test]
fn events_are_previewed_then_recorded_and_the_same_file_changes_nothing() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let file = std::fs::read(t.path("year/events.csv")).unwrap();
    let rows = String::from_utf8_lossy(&file).lines().count() - 1;
    let before = t.journal_len();
    let preview = me.post_multipart("/expenses/events", &[], Some(("file", "activités.csv", &file)));
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains(&format!("{rows} activité(s) à enregistrer")), "{}", preview.body);
    assert_eq!(t.journal_len(), before, "a preview changes nothing");
    let fields = ["id", "sha256", "name"].map(|k| (k, preview.hidden(k)));
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = me.post_form("/expenses/events/confirm", &form);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), Some(format!("/expenses?events={rows}#events").as_str()));
    assert_eq!(t.journal_len(), before + rows as u64, "one entry per event, as `charte events import` records them");
    let listed = t.run(["events", "list", "--json"]).success().json();
    assert_eq!(listed.as_array().unwrap().len(), rows);
    let page = me.get("/expenses");
    assert!(page.body.contains(&format!("{rows} activité(s)")), "{}", page.body);
    // The same file again: nothing to record, no confirmation offered.
    let same = me.post_multipart("/expenses/events", &[], Some(("file", "activités.csv", &file)));
    assert!(same.body.contains("Ce fichier ne change rien"), "{}", same.body);
    assert!(!same.body.contains("/expenses/events/confirm"));
    assert_eq!(staged_files(&t), 1, "only the unconfirmed upload waits");
    // A broken one: its line, by the events' form, nothing changed.
    let broken = "date,kind,title\n2026-13-01,colloque,Colloque\n";
    let refused = me.post_multipart("/expenses/events", &[], Some(("file", "activités.csv", broken.as_bytes())));
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("ligne 2"), "{}", refused.body);
    assert!(refused.body.contains("« 2026-13-01 » n&#39;est pas une date"), "in French: {}", refused.body);
    assert!(!refused.body.contains("lang=\"en\""), "no English: {}", refused.body);
    assert_eq!(t.journal_len(), before + rows as u64);
}
