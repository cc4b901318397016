//! The desk's committee elections (issue 20), over TCP against the real
//! server, on Woluwe-Saint-Lambert's autumn plenary: an election opened,
//! its naming round typed in the form (a line refused next to its row,
//! nothing recorded), the change round, a proposal breaking the
//! one-per-institution rule shown as such (checked, then refused), an
//! objection and its resolution, counts refused then the vote, and the
//! result the command line shows; a committee account refused.

use crate::harness::{Response, Session, Test};

const COORDINATOR: (&str, &str) = ("coordination@cpas-woluwe.example.be", "un mot de passe solide");
const COMMITTEE: (&str, &str) = ("comite@cpas-woluwe.example.be", "le comité lit seulement");
const ID: &str = "election-2026-10-13";

/// The plenary of 2026-10-13 held (12 members present), with the desk's accounts.
fn desk() -> Test {
    let t = crate::election::plenary_held();
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    t.user(COMMITTEE.0, "committee", COMMITTEE.1);
    t
}

/// The row number of the voter `digits` in the round's form of `page`.
fn row_of(page: &Response, digits: &str, from: usize) -> String {
    let value = format!("\" value=\"{digits}\">");
    let at = page.body[from..].find(&value).unwrap_or_else(|| panic!("no row for {digits}")) + from;
    let start = page.body[..at].rfind("name=\"voter-").expect("the row's field") + "name=\"voter-".len();
    page.body[start..at].to_owned()
}

/// The naming round of the fixture (year/election-naming.csv), as the
/// facilitator types it in the form, with one change: the Maison
/// d'enfants (0427.388.136) names a second person of the AIS.
fn naming_fields(t: &Test, page: &Response) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(t.path("year/election-naming.csv")).unwrap();
    let mut fields = Vec::new();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.records() {
        let r = record.unwrap();
        let digits: String = r[0].chars().filter(char::is_ascii_digit).collect();
        let n = row_of(page, &digits, 0);
        let (person, org) = if digits == "0427388136" { ("Sophie Dubois", "0805427325") } else { (&r[1], &r[2]) };
        fields.push((format!("voter-{n}"), digits.clone()));
        fields.push((format!("person-{n}"), person.to_owned()));
        fields.push((format!("org-{n}"), org.chars().filter(char::is_ascii_digit).collect()));
        fields.push((format!("reason-{n}"), r[3].to_owned()));
    }
    fields
}

fn post(me: &Session, path: &str, fields: &[(String, String)]) -> Response {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    me.post_form(path, &borrowed)
}

/// The page a form's 303 leads to.
fn follow(me: &Session, done: &Response) -> Response {
    assert_eq!(done.status, 303, "{}", done.body);
    let page = me.get(done.header("location").expect("where to"));
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

fn page(me: &Session) -> Response {
    let page = me.get(&format!("/elections/{ID}"));
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

#[test]
fn an_election_runs_round_by_round_on_the_desk_to_the_result_the_command_line_shows() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);

    // The list, narrowed to the plenary, which the opening form chooses.
    let list = me.get("/elections?meeting=plenary-2026-10-13");
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("<option value=\"plenary-2026-10-13\" selected>"), "{}", list.body);
    assert!(list.body.contains("Aucune élection pour l"), "{}", list.body);
    let opened =
        me.post_form("/elections", &[("meeting", "plenary-2026-10-13"), ("seats", "4"), ("since", "2027-01-01")]);
    assert_eq!(opened.status, 303, "{}", opened.body);
    assert_eq!(opened.header("location"), Some("/elections/election-2026-10-13?done=opened"));
    let list = me.get("/elections");
    assert!(list.body.contains("ouverte, tour de nomination à venir"), "{}", list.body);

    // The naming round: one row per member present who votes.
    let form = page(&me);
    assert!(form.body.contains("Étape suivante : le tour de nomination"), "{}", form.body);
    assert_eq!(form.body.matches("<fieldset class=\"choice\"").count(), 12, "the 12 members present");
    let mut fields = naming_fields(&t, &form);
    // A reason left out: refused by its row, nothing recorded, what was typed kept.
    let cpas = row_of(&form, "0250616524", 0);
    let reason = fields.iter_mut().find(|(k, _)| *k == format!("reason-{cpas}")).unwrap();
    let kept = std::mem::take(&mut reason.1);
    let before = t.journal_len();
    let refused = post(&me, &format!("/elections/{ID}/round"), &fields);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains(&format!(
            "<p class=\"field-error\" id=\"row-{cpas}-error\">Au tour de nomination, dites pourquoi cette personne est nommée.</p>"
        )),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Rien n&#39;a été enregistré."), "{}", refused.body);
    assert!(refused.body.contains("value=\"Julien Van Damme\""), "what was typed is kept");
    assert_eq!(t.journal_len(), before);
    fields.iter_mut().find(|(k, _)| *k == format!("reason-{cpas}")).unwrap().1 = kept;
    let after = follow(&me, &post(&me, &format!("/elections/{ID}/round"), &fields));
    assert!(after.body.contains("Le tour de nomination est enregistré. C&#39;est enregistré dans le journal."));
    assert!(after.body.contains("Tour de changement (facultatif)"), "the next step: {}", after.body);

    // The change round: the Crèche (0749.630.549) now names Marie Lemaire.
    let from = after.body.find("id=\"change-details\"").unwrap();
    let n = row_of(&after, "0749630549", from);
    let change = [
        ("change".to_owned(), "1".to_owned()),
        (format!("voter-{n}"), "0749630549".to_owned()),
        (format!("person-{n}"), "Marie Lemaire".to_owned()),
        (format!("org-{n}"), "0805427325".to_owned()),
    ];
    assert_eq!(post(&me, &format!("/elections/{ID}/round"), &change).status, 303);
    let shown = t.run(["election", "show", ID, "--json"]).success().json();
    assert_eq!(shown["change_round"].as_array().unwrap().len(), 1);
    let after = page(&me);
    for v in shown["tally"].as_array().unwrap() {
        let row = format!("<th scope=\"row\">{} (", v["person"].as_str().unwrap());
        let at = after.body.find(&row).unwrap_or_else(|| panic!("{row} in the tally"));
        let count = format!("<td class=\"num\">{}</td>", v["named"]);
        assert!(after.body[at..].split("</tr>").next().unwrap().contains(&count), "{row}: {count}");
    }

    // Two persons of the AIS: the rule shown when checked, then the proposal refused.
    let two = [
        ("person".to_owned(), "Marie Lemaire=0805427325".to_owned()),
        ("person".to_owned(), "Sophie Dubois=0805427325".to_owned()),
    ];
    let before = t.journal_len();
    let mut check = two.to_vec();
    check.push(("check".to_owned(), "1".to_owned()));
    let checked = post(&me, &format!("/elections/{ID}/propose"), &check);
    assert_eq!(checked.status, 200, "{}", checked.body);
    let breach = "✗ Marie Lemaire et Sophie Dubois viennent tous deux de Agence immobilière sociale de l&#39;Est \
                  bruxellois : un seul siège élu par institution.";
    assert!(checked.body.contains(breach), "{}", checked.body);
    assert!(checked.body.contains("Vérifiées sur les personnes cochées"));
    assert_eq!(t.journal_len(), before, "a check records nothing");
    let refused = post(&me, &format!("/elections/{ID}/propose"), &two);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains(breach), "{}", refused.body);
    assert!(refused.body.contains("Cette proposition enfreint les règles du comité"), "{}", refused.body);
    assert_eq!(t.journal_len(), before);

    // The proposal of the four most named.
    let four: Vec<(String, String)> = [
        "Julien Van Damme=0595872780",
        "Marie Lemaire=0805427325",
        "Tom De Backer=0840761257",
        "Koen Claes=0580868068",
    ]
    .iter()
    .map(|p| ("person".to_owned(), (*p).to_owned()))
    .collect();
    assert_eq!(post(&me, &format!("/elections/{ID}/propose"), &four).status, 303);
    let proposed = page(&me);
    assert!(proposed.body.contains("Vérifiées sur la proposition"), "{}", proposed.body);
    assert!(proposed.body.contains("✓ Aucune règle n'est enfreinte."), "{}", proposed.body);
    assert!(proposed.body.contains("Mandats du 01/01/2027 au 31/12/2028."), "{}", proposed.body);

    // An objection; the vote waits for its resolution.
    let objection = me.post_form(
        &format!("/elections/{ID}/object"),
        &[("by", "0250616524"), ("against", "Tom De Backer"), ("reason", "Il ne pourra pas se libérer à midi")],
    );
    assert_eq!(objection.status, 303, "{}", objection.body);
    let waiting = page(&me);
    assert!(waiting.body.contains("Levez d'abord chaque objection : le vote vient ensuite."), "{}", waiting.body);
    assert!(!waiting.body.contains("action=\"/elections/election-2026-10-13/vote\""), "no vote form yet");
    let early = me.post_form(&format!("/elections/{ID}/vote"), &[("yes", "10"), ("no", "1"), ("abstain", "1")]);
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(early.body.contains("Levez d&#39;abord chaque objection. Rien n&#39;a été enregistré."), "{}", early.body);
    let blank = me.post_form(&format!("/elections/{ID}/objections/1/resolve"), &[("how", " ")]);
    assert_eq!(blank.status, 422);
    assert!(
        blank.body.contains("id=\"objection-1-error\">Dites comment l&#39;objection a été levée"),
        "{}",
        blank.body
    );
    let resolved =
        me.post_form(&format!("/elections/{ID}/objections/1/resolve"), &[("how", "réunions avancées au matin")]);
    assert_eq!(resolved.status, 303, "{}", resolved.body);

    // Counts beyond those present are refused; then the vote.
    let before = t.journal_len();
    let many = me.post_form(&format!("/elections/{ID}/vote"), &[("yes", "20"), ("no", "0")]);
    assert_eq!(many.status, 422, "{}", many.body);
    assert!(
        many.body.contains("20 voix comptées, mais 12 votant(s) seulement sont enregistré(s) présent(s)"),
        "the meeting page's words, from the one reason: {}",
        many.body
    );
    assert!(many.body.contains("id=\"yes\" name=\"yes\" min=\"0\" value=\"20\""), "the counts typed are kept");
    let tie = me.post_form(&format!("/elections/{ID}/vote"), &[("yes", "5"), ("no", "5"), ("abstain", "2")]);
    assert_eq!(tie.status, 422, "{}", tie.body);
    assert!(
        tie.body
            .contains("Égalité (5 pour, 5 contre) : le règlement donne une voix prépondérante à Olivier Vandermeulen"),
        "the casting vote asked for: {}",
        tie.body
    );
    assert_eq!(t.journal_len(), before);
    let voted = me.post_form(&format!("/elections/{ID}/vote"), &[("yes", "10"), ("no", "1"), ("abstain", "1")]);
    assert_eq!(voted.status, 303, "{}", voted.body);
    let result = page(&me);
    assert!(result.body.contains("Résultat : 4 siège(s) pourvu(s) sur 4"), "{}", result.body);
    assert!(result.body.contains("Proposition adoptée : 10 pour, 1 contre, 1 abstention(s), 12 membres présents."));

    // The result is the one the command line shows.
    let shown = t.run(["election", "show", ID, "--json"]).success().json();
    assert_eq!(shown["stage"], "elected");
    let elected = shown["elected"].as_array().unwrap();
    assert_eq!(elected.len(), 4);
    let table = &result.body[result.body.find("id=\"elected\"").unwrap()..];
    for (s, expected) in elected.iter().zip(["Julien Van Damme", "Marie Lemaire", "Tom De Backer", "Koen Claes"]) {
        assert_eq!(s["person"], expected);
        assert_eq!((s["since"].as_str(), s["until"].as_str()), (Some("2027-01-01"), Some("2028-12-31")));
        assert!(table.contains(&format!("<th scope=\"row\">{expected}</th>")), "{expected}");
    }
    assert_eq!(table.matches("du 01/01/2027 au 31/12/2028").count(), 4);
    t.run(["audit"]).success();
}

#[test]
fn an_opening_refused_is_said_by_its_field_and_a_committee_account_changes_nothing() {
    let t = desk();
    t.run(["meeting", "add", "--body", "committee", "--date", "2026-10-20"]).success();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let before = t.journal_len();
    let seats = me.post_form("/elections", &[("meeting", "plenary-2026-10-13"), ("seats", "9")]);
    assert_eq!(seats.status, 422, "{}", seats.body);
    assert!(
        seats
            .body
            .contains("id=\"seats-error\">Indiquez un nombre de sièges de 1 à 4 (les sièges élus du comité).</span>"),
        "{}",
        seats.body
    );
    let committee = me.post_form("/elections?lang=nl", &[("meeting", "committee-2026-10-20")]);
    assert_eq!(committee.status, 422, "{}", committee.body);
    assert!(
        committee.body.contains("id=\"meeting-error\">Kies een plenaire vergadering: zij verkiest het comité."),
        "{}",
        committee.body
    );
    let since = me.post_form("/elections", &[("meeting", "plenary-2026-10-13"), ("since", "2026-01-01")]);
    assert_eq!(since.status, 422);
    assert!(since.body.contains("id=\"since-error\">Les mandats ne peuvent pas commencer avant la plénière"));
    let unknown = me.post_form("/elections", &[("meeting", "plenary-2030-01-01")]);
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert!(unknown.body.contains("id=\"meeting-error\">Choisissez dans la liste l&#39;assemblée plénière"));
    let typed = me.post_form("/elections", &[("meeting", "plenary-2026-10-13"), ("seats", "quatre")]);
    assert_eq!(typed.status, 422, "{}", typed.body);
    assert!(typed.body.contains("id=\"seats-error\">Indiquez un nombre de sièges de 1 à 4"), "{}", typed.body);
    assert_eq!(t.journal_len(), before);
    t.run(["meeting", "cancel", "plenary-2026-10-13", "--reason", "salle indisponible"]).success();
    let before = t.journal_len();
    let cancelled = me.post_form("/elections", &[("meeting", "plenary-2026-10-13"), ("seats", "9")]);
    assert_eq!(cancelled.status, 422, "{}", cancelled.body);
    assert!(
        cancelled.body.contains("id=\"meeting-error\">Cette assemblée plénière a été annulée"),
        "the meeting is named, not the seats: {}",
        cancelled.body
    );
    assert!(!cancelled.body.contains("id=\"seats-error\""), "{}", cancelled.body);
    assert_eq!(t.journal_len(), before);

    // A committee account: its POST is refused (403), nothing changes.
    let committee = s.login(COMMITTEE.0, COMMITTEE.1);
    let refused = committee.post_form("/elections", &[("meeting", "plenary-2026-10-13")]);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(committee.get("/elections").status, 403);
    assert_eq!(t.journal_len(), before);
    assert_eq!(t.run(["election", "list", "--json"]).success().json(), serde_json::json!([]));
}
