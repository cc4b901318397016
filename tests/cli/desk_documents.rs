//! Issue 19: the coordinator's desk, documents and returns, over HTTP on
//! a running `charte serve`: issuing and mailing run as a background job
//! whose page says how far it got and then what it did, the same work as
//! `charte issue --all` and the adhesion workflow's mailing; the returns
//! waiting for confirmation are confirmed, rejected (with a reason) and
//! revoked from their page; a committee account changes nothing.

use crate::collect::{WOLU_DOC, issued, member};
use crate::harness::*;

const COORDINATOR: (&str, &str) = ("coordination@cpas-woluwe-saint-lambert.example.be", "un mot de passe assez long");
const COMMITTEE: (&str, &str) = ("comite@cpas-woluwe-saint-lambert.example.be", "un autre mot de passe long");

/// Woluwe-Saint-Lambert's roster imported and its seal key made, on
/// 2026-02-01, with a coordinator's and a committee member's accounts.
fn woluwe() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    accounts(&t);
    t
}

fn accounts(t: &Test) {
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    t.user(COMMITTEE.0, "committee", COMMITTEE.1);
}

/// The organisations on the roster (none former in the fixture).
fn organisations(t: &Test) -> usize {
    t.members().len()
}

fn files_in(t: &Test, folder: &str, extension: &str) -> usize {
    std::fs::read_dir(t.path(folder))
        .map(|d| d.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == extension)).count())
        .unwrap_or(0)
}

/// Follows a job's page until it ends; its last body.
#[track_caller]
fn job_ended(desk: &Session<'_>, location: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let page = desk.get(location);
        assert_eq!(page.status, 200, "{}", page.body);
        if !page.body.contains("data-state=\"running\"") {
            assert_eq!(page.header("refresh"), None, "an ended job's page stops reloading");
            return page.body;
        }
        assert_eq!(page.header("refresh"), Some("2"), "a running job's page reloads itself");
        assert!(page.body.contains("<progress"), "{}", page.body);
        // Unless asked not to: then a link to look again.
        let still = desk.get(&format!("{location}?auto=off"));
        if still.body.contains("data-state=\"running\"") {
            assert_eq!(still.header("refresh"), None);
            assert!(still.body.contains("id=\"look-again\""), "{}", still.body);
        }
        assert!(started.elapsed().as_secs() < 120, "the job ends: {}", page.body);
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[track_caller]
fn redirected(r: &Response) -> String {
    assert_eq!(r.status, 303, "{}", r.body);
    r.header("location").expect("a Location").to_owned()
}

#[test]
fn issuing_from_the_desk_runs_as_a_job_and_journals_each_document() {
    let t = woluwe();
    let n = organisations(&t);
    let server = t.serve();
    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let page = desk.get("/documents");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&format!("{n} organisations n'ont pas encore leur document")), "{}", page.body);
    let job = redirected(&desk.post_form("/documents/issue", &[]));
    assert!(job.starts_with("/jobs/"), "{job}");
    let done = job_ended(&desk, &job);
    assert!(done.contains("data-state=\"done\""), "{done}");
    assert!(done.contains(&format!("{n} documents établis")), "{done}");
    drop(server);
    assert_eq!(files_in(&t, "out/adherence", "pdf"), n);
    // Journaled: the command line finds every document issued and unchanged.
    t.run(["issue", "--all"])
        .success()
        .stdout_has(&format!("0 adherence documents issued (charter 2022-02), {n} unchanged"));
    t.run(["audit"]).success();
    // The page lists each document, its PDF served by its id only.
    let server = t.serve();
    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let page = desk.get("/documents");
    assert!(page.body.contains("/documents/CSWSL-2022-02-0631119315.pdf"), "{}", page.body);
    let pdf = desk.get("/documents/CSWSL-2022-02-0631119315.pdf");
    assert_eq!((pdf.status, pdf.header("content-type")), (200, Some("application/pdf")));
    assert!(pdf.body.starts_with("%PDF"));
    assert_eq!(desk.get("/documents/CSWSL-2022-02-0000000000.pdf").status, 404);
    assert_eq!(desk.get("/documents/..%2Fcharte.toml").status, 404);
}

/// The desk mails through the adhesion workflow's own steps: the same
/// messages a `charte run adhesion` writes, and the daily run then mails
/// nothing again.
#[test]
fn mailing_from_the_desk_sends_what_the_workflow_would_and_only_once() {
    let t = woluwe();
    let twin = woluwe();
    twin.run(["run", "adhesion"]).success();
    let expected = files_in(&twin, "out/outbox", "eml");
    assert!(expected >= organisations(&t), "one message per organisation at least: {expected}");

    let server = t.serve();
    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let done = job_ended(&desk, &redirected(&desk.post_form("/documents/mail", &[])));
    let n = organisations(&t);
    assert!(done.contains(&format!("Les courriels de {n} organisations sont prêts dans la boîte d'envoi")), "{done}");
    assert_eq!(files_in(&t, "out/outbox", "eml"), expected, "the messages the workflow writes");
    let page = desk.get("/documents");
    assert!(page.body.contains("Aucun document établi n'attend d'être envoyé"), "{}", page.body);
    // Again: nothing more leaves.
    let again = job_ended(&desk, &redirected(&desk.post_form("/documents/mail", &[])));
    assert!(again.contains("Aucun document n'était à envoyer"), "{again}");
    drop(server);
    assert_eq!(files_in(&t, "out/outbox", "eml"), expected);
    let len = t.journal_len();
    t.run(["run", "adhesion"]).success();
    assert_eq!(files_in(&t, "out/outbox", "eml"), expected, "the daily run does not mail them again");
    assert!(t.journal_len() <= len + 1, "at most the run itself is recorded");

    // Three weeks later the reminders are due: the desk's mailing sends
    // none (it is the first mailing only); the daily run sends them.
    let t = t.at("2026-02-22");
    let server = t.serve();
    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let later = job_ended(&desk, &redirected(&desk.post_form("/documents/mail", &[])));
    assert!(later.contains("Aucun document n'était à envoyer"), "{later}");
    drop(server);
    assert_eq!(files_in(&t, "out/outbox", "eml"), expected, "no reminder from the desk's mailing");
    t.run(["run", "adhesion"]).success();
    assert!(files_in(&t, "out/outbox", "eml") > expected, "the daily run reminds");
    t.run(["audit"]).success();
}

/// A second click while a job runs shows the running job; it does not
/// start another.
#[test]
fn a_second_click_while_a_job_runs_shows_the_running_one() {
    let t = Test::fixture("saint-gilles").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    accounts(&t);
    let server = t.serve();
    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let first = redirected(&desk.post_form("/documents/issue", &[]));
    let second = redirected(&desk.post_form("/documents/mail", &[]));
    assert_eq!(second, format!("{first}?asked=mail"), "the running job's page, not a second job");
    // It says the mailing was not started, and why, in French and Dutch.
    let page = desk.get(&second);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("L'envoi des documents n'a pas été lancé : un autre travail était déjà en cours"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<h1>Établissement des documents</h1>"), "the issuing job is shown: {}", page.body);
    if page.body.contains("id=\"auto-off\"") {
        // Stopping the page's refresh keeps what it says.
        assert!(page.body.contains("?auto=off&#38;asked=mail\" id=\"auto-off\""), "{}", page.body);
        let still = desk.get(&format!("{first}?auto=off&asked=mail"));
        assert!(still.body.contains("id=\"not-started\""), "{}", still.body);
    }
    let dutch = desk.get(&format!("{second}&lang=nl"));
    assert!(dutch.body.contains("Het versturen van de documenten werd niet gestart"), "{}", dutch.body);
    // The same work asked again is the running job itself: nothing to say.
    let third = redirected(&desk.post_form("/documents/issue", &[]));
    assert_eq!(third, format!("{first}?asked=issue"));
    assert!(!desk.get(&third).body.contains("id=\"not-started\""));
    let done = job_ended(&desk, &first);
    assert!(done.contains("documents établis"), "{done}");
    assert!(!done.contains("reçu leur document"), "no mailing was started: {done}");
    drop(server);
    assert_eq!(files_in(&t, "out/outbox", "eml"), 0, "nothing mailed");
}

fn returns_of(desk: &Session<'_>) -> String {
    let page = desk.get("/returns");
    assert_eq!(page.status, 200, "{}", page.body);
    page.body
}

/// Woluwe's documents issued, the accounts made, and Wolu-Entraide's
/// scanned paper signature collected: it waits; and its id.
fn scan_waiting() -> (Test, String) {
    let t = issued();
    accounts(&t);
    std::fs::write(t.path("scan.pdf"), b"%PDF-1.4 a scanned page").unwrap();
    t.run(["collect", "scan.pdf", "--scan", "Wolu-Entraide"]).success();
    let listed = t.run(["returns", "--json"]).success().json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let id = listed[0]["id"].to_string();
    (t, id)
}

#[test]
fn a_scan_waiting_is_confirmed_from_the_desk_and_then_counts() {
    let (t, id) = scan_waiting();
    let server = t.serve();
    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let page = returns_of(&desk);
    assert!(page.contains("Wolu-Entraide"), "{page}");
    assert!(page.contains("Un scan ne prouve pas la signature à lui seul"), "{page}");
    let file = desk.get(&format!("/returns/{id}/file"));
    assert_eq!((file.status, file.header("content-type")), (200, Some("application/pdf")));
    assert!(file.header("content-disposition").is_some_and(|d| d.starts_with("inline")), "{:?}", file.headers);
    assert_eq!(desk.get("/returns/99999/file").status, 404);

    let after = redirected(&desk.post_form(&format!("/returns/{id}/confirm"), &[]));
    assert_eq!(after, format!("/returns?decided={id}"));
    let page = desk.get(&after).body;
    assert!(page.contains("confirmé"), "{page}");
    assert!(page.contains("Aucun retour n'attend votre confirmation"), "{page}");
    // Twice: refused by the form, nothing changed.
    let len = t.journal_len();
    let again = desk.post_form(&format!("/returns/{id}/confirm"), &[]);
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.body.contains("applique plus. Rien n"), "{}", again.body);
    assert_eq!(t.journal_len(), len);
    let m = member(&t, "0631.119.315");
    assert_eq!(m["signed_version"], "2022-02", "{m}");
    assert_eq!(m["adherences"][0]["method"], "scan", "{m}");

    // A confirmation given by mistake is revoked, with its reason.
    let after = redirected(&desk.post_form(&format!("/returns/{id}/revoke"), &[("reason", "mauvais papier")]));
    assert!(desk.get(&after).body.contains("confirmation retirée"));
    drop(server);
    assert!(member(&t, "0631.119.315")["signed_version"].is_null());
    t.run(["audit"]).success();
}

#[test]
fn rejecting_needs_a_reason_and_a_committee_account_decides_nothing() {
    let (t, id) = scan_waiting();
    let server = t.serve();
    let committee = server.login(COMMITTEE.0, COMMITTEE.1);
    let len = t.journal_len();
    assert_eq!(committee.post_form(&format!("/returns/{id}/confirm"), &[]).status, 403);
    assert_eq!(committee.post_form("/documents/issue", &[]).status, 403);
    assert_eq!(committee.get("/returns").status, 403);
    assert_eq!(t.journal_len(), len, "a committee account changes nothing");

    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let refused = desk.post_form(&format!("/returns/{id}/reject"), &[("reason", "   ")]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Indiquez la raison en quelques mots"), "{}", refused.body);
    assert!(refused.body.contains(&format!("id=\"return-{id}-error\"")), "said by its form: {}", refused.body);
    assert_eq!(t.journal_len(), len, "nothing was changed");
    let after = redirected(&desk.post_form(&format!("/returns/{id}/reject"), &[("reason", "signature illisible")]));
    let page = desk.get(&after).body;
    assert!(page.contains("rejeté"), "{page}");
    assert!(page.contains("signature illisible"), "{page}");
    drop(server);
    let listed = t.run(["returns", "--all", "--json"]).success().json();
    assert_eq!(listed[0]["state"], "rejected", "{listed}");
    assert_eq!(listed[0]["note"], "signature illisible", "{listed}");
    assert!(member(&t, "0631.119.315")["signed_version"].is_null());
}

/// A signature made on an association's signing page (part 1) shows on
/// the documents page, in French and in Dutch.
#[test]
fn a_signature_made_on_the_signing_page_shows_on_the_documents_page() {
    let t = issued();
    accounts(&t);
    crate::web_sign::sign_on_the_web(&t, &crate::web_sign::signing("Anne Dupont", "2026-02-01T10:00:00Z")).unwrap();
    let server = t.serve();
    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let page = desk.get("/documents").body;
    let row = page.split("<tr>").find(|r| r.contains("Wolu-Entraide")).expect("its row");
    assert!(row.contains("oui, le 01/02/2026") && row.contains("signature en ligne"), "{row}");
    let dutch = desk.get("/documents?lang=nl");
    assert_eq!(dutch.status, 200);
    assert!(dutch.body.contains("<h1>Toetredingsdocumenten</h1>"), "{}", dutch.body);
    let row = dutch.body.split("<tr>").find(|r| r.contains("Wolu-Entraide")).expect("its row");
    assert!(row.contains("ja, op 01/02/2026") && row.contains("online handtekening"), "{row}");
    // The choice is remembered: the returns page speaks Dutch too.
    let cookie = dutch.header("set-cookie").unwrap_or_default().split(';').next().unwrap_or_default().to_owned();
    let returns = server.request_with("GET", "/returns", &[("Cookie", &format!("{}; {cookie}", desk.cookie))], b"");
    assert!(returns.body.contains("Geen enkele terugzending wacht op uw bevestiging"), "{}", returns.body);
}

/// Stopping the server (SIGTERM, systemd's stop) lets the job under way
/// finish: every document issued and journaled, the journal whole.
#[test]
fn stopping_the_server_lets_the_job_under_way_finish() {
    let t = Test::fixture("saint-gilles").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    accounts(&t);
    let n = organisations(&t);
    let server = t.serve();
    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let job = redirected(&desk.post_form("/documents/issue", &[]));
    let running = desk.get(&job).body.contains("data-state=\"running\"");
    let stopped = server.stop();
    assert_eq!(stopped.code, 0, "{}", stopped.stderr);
    if running {
        assert!(stopped.stderr.contains("waiting for the job under way to finish"), "{}", stopped.stderr);
    }
    assert_eq!(files_in(&t, "out/adherence", "pdf"), n);
    t.run(["issue", "--all"])
        .success()
        .stdout_has(&format!("0 adherence documents issued (charter 2024-01), {n} unchanged"));
    t.run(["audit"]).success();
}

/// A link planted in place of an issued document's PDF or of a returned
/// file is not followed: the site's 404 page, never the link's target
/// (the reports' and letters' downloads refuse links the same way).
#[test]
fn a_link_planted_in_place_of_a_document_or_a_returned_file_is_not_followed() {
    let (t, id) = scan_waiting();
    let listed = t.run(["returns", "--json"]).success().json();
    let returned = listed[0]["file"].as_str().expect("the return's file").to_owned();
    let server = t.serve();
    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let document = "/documents/CSWSL-2022-02-0631119315.pdf";
    assert_eq!(desk.get(document).status, 200, "served while it is the file");
    assert_eq!(desk.get(&format!("/returns/{id}/file")).status, 200);
    let secret = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    for planted in [WOLU_DOC, returned.as_str()] {
        std::fs::remove_file(t.path(planted)).unwrap();
        std::os::unix::fs::symlink(t.path("charte.toml"), t.path(planted)).unwrap();
    }
    for path in [document.to_owned(), format!("/returns/{id}/file")] {
        let r = desk.get(&path);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert!(r.body.contains("Cette page n'existe pas."), "{path}: {}", r.body);
        assert!(!r.body.contains(secret.lines().next().unwrap_or("[")), "{path}: {}", r.body);
    }
}

/// A URL whose id is not a number is the site's own 404 page in French
/// and Dutch, as an id nothing holds is (not axum's plain-text 400); a
/// POST is still checked for its account first.
#[test]
fn an_id_that_is_not_a_number_is_the_sites_404_page() {
    let (t, id) = scan_waiting();
    let server = t.serve();
    let desk = server.login(COORDINATOR.0, COORDINATOR.1);
    let len = t.journal_len();
    for r in [
        desk.get("/returns/abc/file"),
        desk.get("/jobs/abc"),
        desk.get("/jobs/-1"),
        desk.post_form("/returns/abc/confirm", &[]),
        desk.post_form("/returns/1e3/reject", &[("reason", "illisible")]),
    ] {
        assert_eq!(r.status, 404, "{}", r.body);
        assert!(
            r.body.contains("Cette page n'existe pas.") && r.body.contains("Deze pagina bestaat niet."),
            "{}",
            r.body
        );
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    }
    let committee = server.login(COMMITTEE.0, COMMITTEE.1);
    assert_eq!(committee.post_form("/returns/abc/confirm", &[]).status, 403, "the account is checked first");
    assert_eq!(desk.get(&format!("/returns/{id}/file")).status, 200);
    assert_eq!(t.journal_len(), len, "nothing was changed");
}
