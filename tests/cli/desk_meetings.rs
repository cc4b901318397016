//! The desk's meetings, over TCP against the real server: a plenary added
//! from the form, a convocation too late refused with its last valid day
//! then sent with a reason (and flagged), the attendance checklist
//! recorded as `charte attendance import` records it, votes by counts and
//! by ballots with the casting vote on a tie, and a committee account
//! refused every change.

use crate::harness::{Response, Test};

const COORDINATOR: (&str, &str) = ("marie@cpas-saint-gilles.example.be", "un mot de passe solide");
const COMMITTEE: (&str, &str) = ("comite@cpas-saint-gilles.example.be", "le comité lit seulement");

/// The CPAS, whose seat (Jean-Marc Lefèvre, its president) holds the casting vote.
const CPAS: &str = "0241029459";
const COMMUNE: &str = "0205893980";
const BETHLEEM: &str = "0501992024";
const INFOR_LOGEMENT: &str = "1009513246";
const MIDI_MIGRANTS: &str = "0767892580";

/// Saint-Gilles on 2 March 2026, its roster imported, a coordinator and a committee account.
fn desk() -> Test {
    let t = Test::fixture("saint-gilles").at("2026-03-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    t.user(COMMITTEE.0, "committee", COMMITTEE.1);
    t
}

fn outbox_files(t: &Test) -> usize {
    std::fs::read_dir(t.path("out/outbox")).map(|d| d.count()).unwrap_or(0)
}

fn location(r: &Response) -> &str {
    r.header("location").unwrap_or_else(|| panic!("no Location in {} {}", r.status, r.body))
}

/// A committee meeting on 10 March added on 2 March, the desk opened on the 11th.
fn committee_held() -> (Test, String) {
    let t = desk();
    let id =
        t.run(["meeting", "add", "--body", "committee", "--date", "2026-03-10"]).success().stdout.trim().to_owned();
    (t.at("2026-03-11"), id)
}

#[test]
fn a_plenary_is_added_from_the_form_and_its_page_shows_the_notice_rule() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let list = me.get("/meetings");
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Ajouter une réunion") && list.body.contains("Assemblée générale"), "{}", list.body);
    // Refused by field, nothing journaled: no date, then a day past.
    let before = t.journal_len();
    let none = me.post_form("/meetings", &[("body", "plenary"), ("date", ""), ("place", "Salle Fabry")]);
    assert_eq!(none.status, 422, "{}", none.body);
    assert!(none.body.contains("id=\"date-error\">Indiquez la date de la réunion."), "{}", none.body);
    assert!(none.body.contains("value=\"Salle Fabry\""), "what was typed is given back: {}", none.body);
    let past = me.post_form("/meetings", &[("body", "plenary"), ("date", "2026-02-27")]);
    assert_eq!(past.status, 422, "{}", past.body);
    assert!(past.body.contains("Le 27/02/2026 est passé (nous sommes le 02/03/2026)"), "{}", past.body);
    assert_eq!(t.journal_len(), before, "nothing recorded");
    // Added: on to its page, which says the rule before any click.
    let added = me.post_form(
        "/meetings",
        &[
            ("body", "plenary"),
            ("date", "2026-04-20"),
            ("time", "14:00"),
            ("place", "Salle Fabry"),
            ("title", "Assemblée de printemps"),
            ("agenda", "- Accueil\n- Bilan 2025\n"),
        ],
    );
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(location(&added), "/meetings/plenary-2026-04-20?added=1");
    let page = me.get(location(&added));
    let b = &page.body;
    assert_eq!(page.status, 200, "{b}");
    assert!(b.contains("La réunion est ajoutée (plenary-2026-04-20)"), "{b}");
    assert!(b.contains("lundi 20 avril 2026 à 14h00") && b.contains("<li>Bilan 2025</li>"), "{b}");
    assert!(b.contains("au moins 15 jours francs avant la réunion"), "{b}");
    assert!(
        b.contains("Dernier jour pour envoyer les convocations : <strong>samedi 4 avril 2026</strong>"),
        "the last valid day, 15 clear days before: {b}"
    );
    assert!(b.contains("id=\"in-time\"") && !b.contains("id=\"late\""), "in time: a plain button: {b}");
    let listed = t.run(["meeting", "list", "--json"]).success().json();
    let m = &listed.as_array().unwrap()[0];
    assert_eq!(
        (m["id"].as_str(), m["place"].as_str(), m["time"].as_str()),
        (Some("plenary-2026-04-20"), Some("Salle Fabry"), Some("14:00"))
    );
    assert_eq!(m["agenda"], serde_json::json!(["Accueil", "Bilan 2025"]));
    // The list shows it, filtered by body; the year's page links there.
    let plenaries = me.get("/meetings?body=plenary");
    assert!(plenaries.body.contains("href=\"/meetings/plenary-2026-04-20\""), "{}", plenaries.body);
    assert!(!me.get("/meetings?body=committee").body.contains("plenary-2026-04-20"), "filtered");
    assert!(me.get("/").body.contains("href=\"/meetings?body=plenary\""), "the year's figures link to the meetings");
    // In Dutch.
    let nl = me.get("/meetings/plenary-2026-04-20?lang=nl");
    assert!(
        nl.body.contains("Laatste dag om de oproepingen te versturen: <strong>zaterdag 4 april 2026</strong>"),
        "{}",
        nl.body
    );
}

#[test]
fn a_late_convocation_is_refused_with_its_last_valid_day_then_sent_with_a_reason_and_flagged() {
    let t = desk();
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-10"]).success().stdout.trim().to_owned();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = me.get(&format!("/meetings/{id}"));
    assert!(page.body.contains("id=\"too-late\""), "{}", page.body);
    assert!(page.body.contains("<strong>dimanche 22 février 2026</strong>"), "{}", page.body);
    let before = t.journal_len();
    let refused = me.post_form(&format!("/meetings/{id}/convoke"), &[("late", "  ")]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("le dernier jour pour envoyer était le dimanche 22 février 2026"),
        "{}",
        refused.body
    );
    assert_eq!(t.journal_len(), before, "nothing recorded");
    assert_eq!(outbox_files(&t), 0, "nothing sent");
    let sent = me.post_form(&format!("/meetings/{id}/convoke"), &[("late", "La salle n'était libre que ce jour-là")]);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let after = me.get(location(&sent));
    assert!(after.body.contains("organisation(s) convoquée(s)"), "{}", after.body);
    assert!(after.body.contains("dans la boîte d&#39;envoi (out/outbox/)"), "where the mail went: {}", after.body);
    assert!(after.body.contains("La salle n&#39;était libre que ce jour-là"), "{}", after.body);
    assert!(outbox_files(&t) > 100, "every organisation of the roster is convoked");
    let flags = t.run(["flags", "--json"]).success().json();
    assert!(
        flags.as_array().unwrap().iter().any(|f| f["rule"] == "notice-too-short"),
        "a late convocation raises its flag: {flags}"
    );
}

#[test]
fn the_attendance_checklist_is_recorded_and_a_second_time_says_what_changed() {
    let (t, id) = committee_held();
    t.run(["keys", "init"]).success();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = me.get(&format!("/meetings/{id}"));
    assert_eq!(page.body.matches("<fieldset id=\"att-").count(), 10, "one row per seat's organisation: {}", page.body);
    let path = format!("/meetings/{id}/attendance");
    let nothing = me.post_form(&path, &[]);
    assert_eq!(nothing.status, 422, "{}", nothing.body);
    assert!(
        nothing.body.contains("Cochez présent, excusé ou absent pour au moins une organisation"),
        "{}",
        nothing.body
    );
    let first = me.post_form(
        &path,
        &[
            (&format!("status-{CPAS}"), "present"),
            (&format!("person-{CPAS}"), "Jean-Marc  Lefèvre"),
            (&format!("status-{COMMUNE}"), "excused"),
            (&format!("status-{BETHLEEM}"), "absent"),
            (&format!("person-{INFOR_LOGEMENT}"), "nobody ticked"),
        ],
    );
    assert_eq!(first.status, 303, "{}", first.body);
    assert_eq!(location(&first), format!("/meetings/{id}?recorded=3&changed=0&known=0"));
    let shown = me.get(location(&first));
    assert!(shown.body.contains(&format!("name=\"status-{CPAS}\" value=\"present\" checked")), "{}", shown.body);
    assert!(shown.body.contains(&format!("name=\"status-{COMMUNE}\" value=\"excused\" checked")), "{}", shown.body);
    assert!(shown.body.contains("value=\"Jean-Marc Lefèvre\""), "who came, spaces tidied: {}", shown.body);
    let report = t.run(["report", "annual", "--year", "2026", "--json"]).success().json();
    let rate = report["bodies"]["committee"]["attendance_rate"].as_f64().unwrap();
    assert!((rate - 0.333).abs() < 1e-9, "1 present of 3 recorded: {report}");
    // Again, one status changed: the same rule as the import's.
    let again = me.post_form(
        &path,
        &[
            (&format!("status-{CPAS}"), "present"),
            (&format!("person-{CPAS}"), "Jean-Marc Lefèvre"),
            (&format!("status-{COMMUNE}"), "excused"),
            (&format!("status-{BETHLEEM}"), "present"),
        ],
    );
    assert_eq!(location(&again), format!("/meetings/{id}?recorded=1&changed=1&known=2"));
    assert!(me.get(location(&again)).body.contains("dont 1 modifiée(s) ; 2 déjà connue(s)"));
    let report = t.run(["report", "annual", "--year", "2026", "--json"]).success().json();
    let rate = report["bodies"]["committee"]["attendance_rate"].as_f64().unwrap();
    assert!((rate - 0.667).abs() < 1e-9, "2 present of 3 recorded: {report}");
    // Who came, corrected: the organisation's line is replaced, not doubled.
    let corrected =
        me.post_form(&path, &[(&format!("status-{CPAS}"), "absent"), (&format!("person-{CPAS}"), "Anne Dubois")]);
    assert_eq!(location(&corrected), format!("/meetings/{id}?recorded=1&changed=1&known=0"));
    let shown = me.get(location(&corrected));
    assert!(shown.body.contains("value=\"Anne Dubois\""), "{}", shown.body);
    assert!(!shown.body.contains("value=\"Jean-Marc Lefèvre\""), "the former name is gone: {}", shown.body);
    let report = t.run(["report", "annual", "--year", "2026", "--json"]).success().json();
    let rate = report["bodies"]["committee"]["attendance_rate"].as_f64().unwrap();
    assert!((rate - 0.333).abs() < 1e-9, "1 present of 3 recorded, not of 4: {report}");
    t.run(["audit"]).success();
}

#[test]
fn an_attendance_before_the_meeting_is_refused_on_its_page() {
    let t = desk();
    let id =
        t.run(["meeting", "add", "--body", "committee", "--date", "2026-03-10"]).success().stdout.trim().to_owned();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let before = t.journal_len();
    let r = me.post_form(&format!("/meetings/{id}/attendance"), &[(&format!("status-{CPAS}"), "present")]);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Les présences s&#39;enregistrent le jour de la réunion ou après"), "{}", r.body);
    assert_eq!(t.journal_len(), before);
}

/// The committee held with four seats present.
fn four_present() -> (Test, String) {
    let (t, id) = committee_held();
    std::fs::write(
        t.path("att.csv"),
        format!(
            "meeting,enterprise_number,status,person\n{id},{CPAS},present,Jean-Marc Lefèvre\n{id},{COMMUNE},present,\n\
             {id},{BETHLEEM},present,\n{id},{INFOR_LOGEMENT},present,\n{id},{MIDI_MIGRANTS},absent,\n"
        ),
    )
    .unwrap();
    t.run(["attendance", "import", "att.csv"]).success();
    (t, id)
}

#[test]
fn votes_by_counts_and_a_tie_decided_by_the_casting_vote() {
    let (t, id) = four_present();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let path = format!("/meetings/{id}/vote");
    let page = me.get(&format!("/meetings/{id}"));
    assert!(page.body.contains("4 votant(s) enregistré(s) présent(s)"), "{}", page.body);
    assert!(page.body.contains("la voix de Jean-Marc Lefèvre (Président·e du CPAS) départage"), "{}", page.body);
    let adopted = me.post_form(&path, &[("decision", "Budget 2026"), ("yes", "3"), ("no", "1"), ("abstain", "")]);
    assert_eq!(adopted.status, 303, "{}", adopted.body);
    let shown = me.get(location(&adopted));
    assert!(shown.body.contains("Décision enregistrée : « Budget 2026 » : adoptée."), "{}", shown.body);
    assert!(shown.body.contains("3 pour, 1 contre, 0 abstention(s) ; 4 votant(s) présent(s)"), "{}", shown.body);
    // More votes than voters present: refused, nothing recorded.
    let before = t.journal_len();
    let too_many = me.post_form(&path, &[("decision", "Pique-nique"), ("yes", "3"), ("no", "2")]);
    assert_eq!(too_many.status, 422, "{}", too_many.body);
    assert!(too_many.body.contains("5 voix comptées, mais 4 votant(s) seulement"), "{}", too_many.body);
    // A tie: the form asks how the holder of the casting vote voted.
    let tie = me.post_form(&path, &[("decision", "Pique-nique"), ("yes", "2"), ("no", "2")]);
    assert_eq!(tie.status, 422, "{}", tie.body);
    assert!(
        tie.body.contains("Égalité (2 pour, 2 contre) : le règlement donne une voix prépondérante à Jean-Marc Lefèvre (Président·e du CPAS)"),
        "{}",
        tie.body
    );
    assert!(tie.body.contains("Égalité : comment a voté Jean-Marc Lefèvre"), "{}", tie.body);
    assert!(tie.body.contains("value=\"Pique-nique\""), "{}", tie.body);
    assert_eq!(t.journal_len(), before, "nothing recorded");
    let decided = me.post_form(&path, &[("decision", "Pique-nique"), ("yes", "2"), ("no", "2"), ("casting", "yes")]);
    assert_eq!(decided.status, 303, "{}", decided.body);
    let shown = me.get(location(&decided));
    assert!(shown.body.contains("« Pique-nique » : adoptée"), "{}", shown.body);
    assert!(
        shown.body.contains("égalité départagée par la voix de Jean-Marc Lefèvre (Président·e du CPAS)"),
        "{}",
        shown.body
    );
}

#[test]
fn the_same_vote_sent_twice_records_one_decision_and_other_votes_for_it_are_refused() {
    let (t, id) = four_present();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let path = format!("/meetings/{id}/vote");
    let form = [("decision", "Budget 2026"), ("yes", "3"), ("no", "1"), ("abstain", "")];
    let before = t.journal_len();
    let first = me.post_form(&path, &form);
    assert_eq!(first.status, 303, "{}", first.body);
    // A double click: the same form again is the decision recorded.
    let again = me.post_form(&path, &form);
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(t.journal_len(), before + 1, "one decision recorded");
    let shown = me.get(location(&again));
    assert_eq!(shown.body.matches("« Budget 2026 » : adoptée").count(), 1, "{}", shown.body);
    // The same decision with other votes: refused, nothing recorded.
    let other = me.post_form(&path, &[("decision", "Budget 2026"), ("yes", "1"), ("no", "3")]);
    assert_eq!(other.status, 422, "{}", other.body);
    assert!(
        other.body.contains("« Budget 2026 » est déjà enregistrée à cette réunion, avec d&#39;autres voix"),
        "{}",
        other.body
    );
    assert_eq!(t.journal_len(), before + 1, "nothing recorded");
    // The command line: the same ballots twice record one decision.
    std::fs::write(
        t.path("ballots.csv"),
        format!("enterprise_number,vote,person\n{CPAS},yes,Jean-Marc Lefèvre\n{COMMUNE},no,Amira Chahid\n"),
    )
    .unwrap();
    let vote = ["vote", &id, "--decision", "Charte révisée", "--ballots", "ballots.csv"];
    t.run(vote).success();
    let twice = t.run(vote).success();
    assert!(twice.stdout.contains("nothing was changed"), "{}", twice.stdout);
    assert_eq!(t.journal_len(), before + 2);
}

#[test]
fn ballots_per_organisation_go_through_the_same_counting_as_charte_vote() {
    let (t, id) = four_present();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = me.get(&format!("/meetings/{id}"));
    assert_eq!(page.body.matches("<select id=\"ballot-").count(), 4, "one ballot per voter present: {}", page.body);
    assert!(!page.body.contains(&format!("ballot-{MIDI_MIGRANTS}")), "the absent seat has no ballot");
    let r = me.post_form(
        &format!("/meetings/{id}/vote"),
        &[
            ("mode", "ballots"),
            ("decision", "Charte révisée"),
            (&format!("ballot-{CPAS}"), "yes"),
            (&format!("person-{CPAS}"), "Jean-Marc Lefèvre"),
            (&format!("ballot-{COMMUNE}"), "no"),
            (&format!("person-{COMMUNE}"), "Amira Chahid"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let shown = me.get(location(&r));
    assert!(
        shown.body.contains("« Charte révisée » : adoptée"),
        "the president's ballot breaks the tie: {}",
        shown.body
    );
    assert!(shown.body.contains("2 bulletin(s) nominatif(s)"), "{}", shown.body);
}

#[test]
fn a_committee_account_reads_no_meeting_and_changes_nothing() {
    let (t, id) = committee_held();
    let s = t.serve();
    let me = s.login(COMMITTEE.0, COMMITTEE.1);
    let before = t.journal_len();
    assert_eq!(me.get("/meetings").status, 403);
    for (path, fields) in [
        ("/meetings".to_owned(), vec![("body", "plenary"), ("date", "2026-05-01")]),
        (format!("/meetings/{id}/convoke"), vec![]),
        (format!("/meetings/{id}/attendance"), vec![("status-0241029459", "present")]),
        (format!("/meetings/{id}/vote"), vec![("decision", "x"), ("yes", "1")]),
    ] {
        assert_eq!(me.post_form(&path, &fields).status, 403, "{path}");
    }
    assert_eq!(t.journal_len(), before, "nothing recorded");
}
