//! The desk's reports page (`/reports`), over TCP against the real server:
//! the annual report made from the page and downloaded, approved by a
//! plenary held, the command line refusing a committee meeting for it, and
//! the approval said to lapse once the report is made again with other
//! figures; sending to the funder explained, never a dead button.

use crate::harness::Test;

const COORDINATOR: (&str, &str) = ("sophie@cswsl.example.be", "un mot de passe solide");

/// Woluwe-Saint-Lambert in mid-December 2026: its roster, a plenary and a
/// committee held in November, a plenary to come, a coordinator.
fn desk() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-11-02");
    t.run(["keys", "init"]).success();
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-11-19T18:00"]).success();
    t.run(["meeting", "add", "--body", "committee", "--date", "2026-11-26T14:00"]).success();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-12-22T18:00"]).success();
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    t.at("2026-12-15")
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext runs");
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_annual_report_is_made_downloaded_approved_and_its_approval_lapses_when_made_again() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = me.get("/reports?year=2026");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"annual-made\">Pas encore produit."), "{}", page.body);
    // Sending waits for the report, said so; no button posts it yet.
    assert!(page.body.contains("Ce qui manque encore avant l'envoi"));
    assert!(page.body.contains("le rapport doit d&#39;abord être produit"));
    assert!(!page.body.contains("action=\"/reports/send"), "no button that does nothing");

    let made = me.post_form("/reports/annual", &[("year", "2026")]);
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.header("location"), Some("/reports?year=2026&made=annual"));
    let page = me.get("/reports?year=2026&made=annual");
    let b = &page.body;
    assert!(b.contains("Le rapport annuel d&#39;évaluation 2026 est produit et scellé"), "{b}");
    let nl = me.get("/reports?year=2026&made=annual&lang=nl").body;
    assert!(nl.contains("Het jaarlijkse evaluatieverslag 2026 is gemaakt en verzegeld."), "{nl}");
    assert!(b.contains("id=\"annual-made\">Produit le 15/12/2026"), "{b}");
    assert!(b.contains("Membres (charte en vigueur signée)"), "its figures: {b}");
    assert!(b.contains("href=\"/reports/annual-2026.pdf\""), "{b}");
    assert!(b.contains("Pas encore approuvé"), "{b}");
    let (status, pdf) = me.download("/reports/annual-2026.pdf");
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    assert!(text.contains("2026") && text.contains("Woluwe-Saint-Lambert"), "{text}");
    // The verification page the funder opens offline, downloaded to send
    // with the report: out/verify.html as it is, never shown on this site.
    assert!(b.contains("href=\"/verify.html\" download"), "{b}");
    let page_file = me.get("/verify.html");
    assert_eq!(page_file.status, 200);
    assert_eq!(page_file.header("content-disposition"), Some("attachment; filename=\"verify.html\""));
    assert_eq!(page_file.body, std::fs::read_to_string(t.path("out/verify.html")).unwrap());
    assert_eq!(me.get("/reports/..%2Fverify.html").status, 404, "out/ is not a folder of reports");

    // Approved by the plenary held on 19 November, chosen in the list.
    assert!(b.contains("<option value=\"plenary-2026-11-19\">"), "the plenary is offered: {b}");
    assert!(!b.contains("<option value=\"committee-2026-11-26\">"), "the committee does not approve it: {b}");
    let approved =
        me.post_form("/reports/approve", &[("report", "annual"), ("year", "2026"), ("meeting", "plenary-2026-11-19")]);
    assert_eq!(approved.status, 303, "{}", approved.body);
    let page = me.get("/reports?year=2026");
    assert!(
        page.body.contains("id=\"annual-approved\"><span aria-hidden=\"true\">✔</span> Approuvé par la réunion"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Assemblée plénière du jeudi 19 novembre 2026"), "{}", page.body);
    assert!(!page.body.contains("il doit être approuvé"), "{}", page.body);

    // The command line: the committee does not approve the annual report.
    t.run(["report", "approve", "annual", "--year", "2026", "--meeting", "committee-2026-11-26"])
        .code(2)
        .stderr_has("approved by the plenary")
        .stderr_has("nothing was changed");
    t.run(["report", "approve", "annual", "--year", "2026", "--meeting", "plenary-2026-12-22"])
        .code(2)
        .stderr_has("after today");
    assert!(!b.contains("<option value=\"plenary-2026-12-22\">"), "a meeting not yet held is not offered");

    // Other figures (the year's events recorded), the report made again:
    // the approval no longer holds.
    t.run(["events", "import", "year/events.csv"]).success();
    let again = me.post_form("/reports/annual", &[("year", "2026")]);
    assert_eq!(again.status, 303, "{}", again.body);
    let page = me.get("/reports?year=2026");
    assert!(page.body.contains("id=\"annual-lapsed\""), "{}", page.body);
    assert!(page.body.contains("Cette approbation ne vaut plus"), "{}", page.body);
    assert!(page.body.contains("il doit être approuvé par la réunion compétente"), "{}", page.body);
    let nl = me.get("/reports?year=2026&lang=nl");
    assert!(nl.body.contains("Deze goedkeuring geldt niet meer"), "{}", nl.body);
    t.run(["audit"]).success();
}

#[test]
fn a_report_not_made_cannot_be_approved_and_the_page_says_why() {
    let t = desk();
    t.run(["report", "approve", "annual", "--year", "2026", "--meeting", "plenary-2026-11-19"])
        .code(2)
        .stderr_has("has not been made yet");
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let entries = t.journal_len();
    let refused =
        me.post_form("/reports/approve", &[("report", "annual"), ("year", "2026"), ("meeting", "plenary-2026-11-19")]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Rien n&#39;a été fait"), "{}", refused.body);
    assert_eq!(t.journal_len(), entries);
}

/// Made and approved, the report is sent from the page: one mail in the
/// outbox, the page says when and to whom and offers no second sending;
/// a form sent again sends nothing; a report not made is refused on the
/// page in French and in Dutch, nothing sent.
#[test]
fn an_approved_report_is_sent_to_the_funder_from_the_page_once() {
    let t = desk();
    t.run(["report", "annual", "--year", "2026"]).success();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = me.get("/reports?year=2026");
    assert!(page.body.contains("il doit être approuvé"), "{}", page.body);
    assert!(!page.body.contains("action=\"/reports/send\""), "no button before the approval: {}", page.body);

    let entries = t.journal_len();
    let refused = me.post_form("/reports/send", &[("report", "annual"), ("year", "2026")]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("n&#39;est pas approuvé"), "{}", refused.body);
    assert!(refused.body.contains("rien n&#39;a été envoyé"), "{}", refused.body);
    let nl = me.post_form("/reports/send?lang=nl", &[("report", "subsidy"), ("year", "2026")]);
    assert_eq!(nl.status, 422, "{}", nl.body);
    assert!(nl.body.contains("is nog niet gemaakt of goedgekeurd: er werd niets verzonden"), "{}", nl.body);
    assert_eq!(me.get("/reports?year=2026&lang=fr").status, 200);
    assert_eq!(t.journal_len(), entries, "nothing journaled");
    assert!(!t.path("out/outbox").exists(), "nothing sent");

    let approved =
        me.post_form("/reports/approve", &[("report", "annual"), ("year", "2026"), ("meeting", "plenary-2026-11-19")]);
    assert_eq!(approved.status, 303, "{}", approved.body);
    let page = me.get("/reports?year=2026");
    assert!(
        page.body.contains("Le rapport est prêt à partir vers rapports-coordinations@cocom.example.be"),
        "{}",
        page.body
    );
    assert!(page.body.contains("action=\"/reports/send\""), "{}", page.body);
    let sent = me.post_form("/reports/send", &[("report", "annual"), ("year", "2026")]);
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(sent.header("location"), Some("/reports?year=2026&sent=annual&outcome=sent"));
    let page = me.get("/reports?year=2026&sent=annual&outcome=sent");
    let b = &page.body;
    // The outbox transport: written there, not yet gone; never said "sent".
    assert!(
        b.contains(
            "Le rapport annuel d&#39;évaluation 2026 est déposé dans la boîte d&#39;envoi : il part quand le courrier \
             est envoyé (page Courrier)."
        ),
        "{b}"
    );
    assert!(
        b.contains("id=\"annual-sent\"><span aria-hidden=\"true\">✉</span> Déposé dans la boîte d&#39;envoi le 15/12/2026, pour rapports-coordinations@cocom.example.be"),
        "{b}"
    );
    assert!(!b.contains("est envoyé au pouvoir subsidiant"), "{b}");
    assert!(!b.contains("id=\"annual-send-button\""), "no second sending: {b}");
    let nl = me.get("/reports?year=2026&lang=nl");
    assert!(nl.body.contains("Op 15/12/2026 in de uitgaande post gezet"), "{}", nl.body);
    // The mails journaled, not the outbox's files (the same Message-ID
    // written again is the same file).
    let outbox = || {
        let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
        let count = |kind: &str| -> i64 {
            conn.query_row("SELECT count(*) FROM journal WHERE kind = ?1", [kind], |r| r.get(0)).unwrap()
        };
        (count("message-intended"), count("message-sent"))
    };
    assert_eq!(outbox(), (1, 1), "one mail");
    // The same form again (a second tab): nothing more.
    let again = me.post_form("/reports/send", &[("report", "annual"), ("year", "2026")]);
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(again.header("location"), Some("/reports?year=2026&sent=annual&outcome=already"));
    let page = me.get("/reports?year=2026&sent=annual&outcome=already");
    assert!(page.body.contains("est déjà dans la boîte d&#39;envoi : rien n&#39;a été ajouté"), "{}", page.body);
    assert!(!page.body.contains("est envoyé au pouvoir subsidiant."), "{}", page.body);
    assert_eq!(outbox(), (1, 1), "never twice");
    t.run(["audit"]).success();
}

#[test]
fn a_subsidy_report_without_expenses_is_refused_in_the_pages_words_not_the_command_lines() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let before = t.journal_len();
    let refused = me.post_form("/reports/subsidy", &[("year", "2026")]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("aucune n&#39;est enregistrée pour 2026")
            && refused.body.contains("cochez « Sans dépenses, volontairement »"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("--expenses") && !refused.body.contains("lang=\"en\""), "{}", refused.body);
    assert_eq!(t.journal_len(), before);
    // The command line still says its options.
    t.run(["report", "subsidy", "--year", "2026"]).code(2).stderr_has("or --no-expenses");
}

/// The funder's server refuses its address: the page says nothing went
/// and what to correct, never "sent", and offers no button that would
/// send nothing while the address is the one refused.
#[test]
fn a_refused_funder_address_is_said_on_the_page_and_the_button_waits_for_a_correction() {
    let server = crate::smtp::TestServer::start(crate::smtp::ServerOptions::default());
    let t = desk();
    let path = t.path("charte.toml");
    crate::smtp::point_at(&path, server.port);
    let toml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, toml.replace("rapports-coordinations@cocom.example.be", "bounce-gone@cocom.example.be"))
        .unwrap();
    t.run(["report", "annual", "--year", "2026"]).success();
    t.run(["report", "approve", "annual", "--year", "2026", "--meeting", "plenary-2026-11-19"]).success();
    let env = crate::smtp::client_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let s = t.serve_with(&["--no-daily-run"], &env);
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let sent = me.post_form("/reports/send", &[("report", "annual"), ("year", "2026")]);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let after = sent.header("location").unwrap().to_owned();
    assert_eq!(after, "/reports?year=2026&sent=annual&outcome=bounced");
    let b = me.get(&after).body;
    assert!(
        b.contains("n&#39;est pas parti : le serveur de courrier a refusé l&#39;adresse du pouvoir subsidiant"),
        "{b}"
    );
    assert!(!b.contains("est envoyé au pouvoir subsidiant"), "never said sent: {b}");
    assert!(b.contains("id=\"annual-bounced\""), "{b}");
    // Its words in one piece (no run of spaces left by a broken line continuation).
    assert!(b.contains("Corrigez l&#39;adresse du pouvoir subsidiant dans charte.toml ([funder] email)"), "{b}");
    let bounced = b.split("id=\"annual-bounced\"").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(!bounced.contains("  "), "{bounced}");
    assert!(!b.contains("id=\"annual-send-button\""), "no button while the address is the one refused: {b}");
    // Again (a second tab): nothing sent, said the same way.
    let again = me.post_form("/reports/send", &[("report", "annual"), ("year", "2026")]);
    assert_eq!(again.header("location"), Some(after.as_str()));
    let nl = me.get(&format!("{after}&lang=nl")).body;
    assert!(nl.contains("is niet vertrokken: de mailserver weigerde het adres van de subsidiënt"), "{nl}");
    assert!(server.messages().is_empty());
}
