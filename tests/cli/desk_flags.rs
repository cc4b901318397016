//! The desk's flags over TCP against the real server: a flag marked with a
//! note (then `charte flags --json` and its history on the page show it),
//! a refusal said by the form with nothing changed, the filters and pages
//! of a year with many flags, a letter drafted, mailed once and downloaded, and a
//! committee account that reads but cannot mark (403).

use mail_parser::MimeHeaders;

use crate::harness::Test;

const COORDINATOR: (&str, &str) = ("coordination@ans.example.be", "un mot de passe solide");
const COMMITTEE: (&str, &str) = ("comite@ans.example.be", "le comité lit seulement");

/// Ans in November, its roster imported, two signatures: many flags.
fn year() -> Test {
    let t = Test::fixture("ans").at("2026-11-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.sign(&["0251.839.219", "0205.136.489"]);
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    t.user(COMMITTEE.0, "committee", COMMITTEE.1);
    t
}

fn flags_json(t: &Test) -> Vec<serde_json::Value> {
    t.run(["flags", "--json"]).success().json().as_array().unwrap().clone()
}

#[test]
fn a_flag_marked_with_a_note_is_journaled_and_shown_in_its_history() {
    let t = year();
    let flags = flags_json(&t);
    let key = flags[0]["key"].as_str().unwrap().to_owned();
    assert_eq!(flags[0]["status"], "open");
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let marked = me.post_form(
        "/flags/mark",
        &[
            ("key", &key),
            ("status", "committee"),
            ("note", "À l'ordre du jour du 30 novembre"),
            ("back", "status=current"),
        ],
    );
    assert_eq!(marked.status, 303, "{}", marked.body);
    let to = marked.header("location").unwrap().to_owned();
    assert!(to.starts_with("/flags?marked="), "{to}");
    let page = me.get(&to);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"marked\"") && page.body.contains("soumis au comité"), "{}", page.body);
    let after = flags_json(&t);
    let flag = after.iter().find(|f| f["key"] == key.as_str()).unwrap();
    assert_eq!(flag["status"], "put-to-committee");
    // Its history on the page of the flags put to the committee, with the note.
    let put = me.get("/flags?status=committee");
    let history = &put.body[put.body.find("Historique").expect("a history")..];
    assert!(history.contains("ordre du jour du 30 novembre"), "{history}");
    assert!(put.body.contains("Soumis au comité (1)"), "{}", put.body);
    // Resolved: it leaves the list to handle, and its history has both marks.
    let resolved = me.post_form("/flags/mark", &[("key", &key), ("status", "resolved"), ("note", "")]);
    assert_eq!(resolved.status, 303);
    let done = me.get("/flags?status=resolved");
    assert!(done.body.contains("Réglés (1)"), "{}", done.body);
    let history = &done.body[done.body.find("<ul class=\"history\">").expect("a history")..];
    let history = &history[..history.find("</ul>").unwrap()];
    assert_eq!(history.matches("<li>02/11/2026 : ").count(), 2, "two marks in its history: {history}");
    assert!(history.contains("soumis au comité — « À l&#39;ordre du jour du 30 novembre »</li><li>02/11/2026 : réglé"));
    t.run(["audit"]).success();
}

#[test]
fn a_mark_refused_says_why_by_its_form_and_changes_nothing() {
    let t = year();
    let key = flags_json(&t)[0]["key"].as_str().unwrap().to_owned();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let before = t.journal_len();
    let no_status = me.post_form("/flags/mark", &[("key", &key), ("status", "maybe"), ("note", "gardée")]);
    assert_eq!(no_status.status, 422, "{}", no_status.body);
    assert!(
        no_status.body.contains("Choisissez ce qu") && no_status.body.contains("value=\"gardée\""),
        "{}",
        no_status.body
    );
    let unknown = me.post_form("/flags/mark", &[("key", "absences:0000.000.000"), ("status", "resolved")]);
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert!(
        unknown.body.contains("y a pas de signalement") && unknown.body.contains("id=\"error\""),
        "{}",
        unknown.body
    );
    assert_eq!(t.journal_len(), before, "nothing journaled");
}

#[test]
fn many_flags_read_a_page_at_a_time_filtered_by_rule() {
    // Saint-Gilles: about a hundred flags.
    let t = Test::fixture("saint-gilles").at("2026-11-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    let flags = flags_json(&t);
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let first = me.get("/flags");
    assert_eq!(first.status, 200);
    let pages = flags.len().div_ceil(25);
    assert!(pages > 1, "the fixture has more flags than a page: {}", flags.len());
    assert!(first.body.contains(&format!("{} signalement(s), page 1 sur {pages}", flags.len())), "{}", first.body);
    assert_eq!(first.body.matches("<article class=\"box flag\"").count(), 25);
    let second = me.get("/flags?page=2");
    assert!(second.body.contains("page 2 sur") && second.body.contains("rel=\"prev\""), "{}", second.body);
    // One rule: its flags only.
    let missing = flags.iter().filter(|f| f["rule"] == "adherence-missing").count();
    let rule = me.get("/flags?rule=adherence-missing");
    assert!(rule.body.contains(&format!("{missing} signalement(s)")), "{}", rule.body);
    // A page number out of range is the last page, not an error.
    assert_eq!(me.get("/flags?page=999").status, 200);
}

#[test]
fn a_committee_account_reads_the_flags_and_letters_but_cannot_mark() {
    let t = year();
    let key = flags_json(&t)[0]["key"].as_str().unwrap().to_owned();
    // A breach reported: a flag a letter is written about at once.
    t.run(["breach", "report", "0251.839.219", "--about", "a refusé une orientation"]).success();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    assert_eq!(me.post_form("/flags/letters", &[]).status, 303);
    let letters: Vec<String> = std::fs::read_dir(t.path("out/letters"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!letters.is_empty());
    let committee = s.login(COMMITTEE.0, COMMITTEE.1);
    let page = committee.get("/flags");
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("action=\"/flags/mark\""), "no form to mark");
    let before = t.journal_len();
    assert_eq!(committee.post_form("/flags/mark", &[("key", &key), ("status", "resolved")]).status, 403);
    assert_eq!(t.journal_len(), before);
    // The coordinator mails it, once: its organisation's registered address, the PDF attached.
    assert_eq!(committee.post_form("/letters/send", &[("file", &letters[0])]).status, 403);
    let sent = me.post_form("/letters/send", &[("file", &letters[0])]);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let page = me.get(sent.header("location").unwrap());
    assert!(page.body.contains("id=\"letter-sent\"") && page.body.contains("envoyée le 02/11/2026"), "{}", page.body);
    let mailed = || -> Vec<String> {
        std::fs::read_dir(t.path("out/outbox"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("letter."))
            .collect()
    };
    assert_eq!(mailed().len(), 1, "{:?}", mailed());
    let eml = std::fs::read(t.path(&format!("out/outbox/{}", mailed()[0]))).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&eml).unwrap();
    assert!(parsed.subject().unwrap().contains("lettre d'interpellation"), "{:?}", parsed.subject());
    let names: Vec<String> = parsed.attachments().filter_map(|a| a.attachment_name().map(str::to_owned)).collect();
    assert_eq!(names, vec![letters[0].clone()]);
    assert_eq!(me.post_form("/letters/send", &[("file", &letters[0])]).status, 303);
    assert_eq!(mailed().len(), 1, "never twice");
    let gone = me.post_form("/letters/send", &[("file", "nothing.pdf")]);
    assert_eq!(gone.status, 422);
    assert!(gone.body.contains("id=\"letter-error\""), "{}", gone.body);
    // The letter downloads, for both.
    for who in [&me, &committee] {
        let pdf = who.get(&format!("/letters/{}", letters[0]));
        assert_eq!(pdf.status, 200);
        assert_eq!(pdf.header("content-type"), Some("application/pdf"));
        assert!(pdf.body.starts_with("%PDF"));
    }
}
