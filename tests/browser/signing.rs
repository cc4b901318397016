//! Issue 18: an association signs on its own page (`/s/TOKEN`, served by
//! `charte serve`), through a real browser, as its representative does:
//! the link taken from the adherence mail in the outbox, the form filled,
//! the code read from the code mail, the signature done; then the
//! workspace says so, `charte verify` accepts the signed PDF, `audit`
//! holds, and the served verification page (/verify, its script an
//! asset under the server's CSP) says who signed.

use crate::browser_tests;
use crate::harness::*;
use crate::support::{Browser, Page};

browser_tests![
    an_association_signs_on_its_own_page_with_a_mailed_code,
    a_dutch_speaking_organisation_gets_the_dutch_page,
    five_wrong_codes_lock_the_link,
    a_pdf_signed_in_a_reader_is_uploaded_on_the_page,
    a_signature_made_on_the_page_arrives_on_the_coordinators_desk,
];

const PUBLIC_URL: &str = "http://127.0.0.1";
const WOLU: &str = "0631.119.315";

/// Woluwe-Saint-Lambert with `[serve] public_url`, its roster and key, and
/// the adherence mails of 2026-01-05 in the outbox, each with its link.
fn mailed() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-02");
    let config = t.path("charte.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[serve]\npublic_url = \"{PUBLIC_URL}\"\n")).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let t = t.at("2026-01-05");
    t.run(["run", "adhesion"]).success();
    t
}

/// The link token in the adherence mail whose text names `organisation`.
fn token_for(t: &Test, organisation: &str) -> String {
    let sent = mails(t, ".send.1.");
    let mail = sent
        .iter()
        .find(|(text, _)| text.contains(organisation))
        .unwrap_or_else(|| panic!("no mail for {organisation}"));
    link_token(PUBLIC_URL, mail)
}

/// Asks for a code on the page (first step filled), and returns the code
/// mailed and the address it went to.
#[track_caller]
fn ask_code(t: &Test, page: &Page<'_>, signer: &str) -> (String, String) {
    page.fill("#signer", signer).fill("#capacity", "présidente").click("input[name=mandate]");
    page.submit("form[action$='/code'] button", "#code");
    mailed_code(t)
}

fn an_association_signs_on_its_own_page_with_a_mailed_code(browser: &Browser) {
    let t = mailed();
    let token = token_for(&t, "Wolu-Entraide");
    let server = t.serve();
    let link = format!("http://{}/s/{token}", server.addr);

    let page = browser.open_url(&link);
    assert!(page.text("h1").contains("Wolu-Entraide ASBL"), "{}", page.body_text());
    assert_eq!(page.attr("html", "lang").as_deref(), Some("fr"));
    page.screenshot("sign-page");
    // The document itself, to download.
    let pdf = server.get(&format!("/s/{token}/document.pdf"));
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with("%PDF-"), "the issued PDF");

    let (code, to) = ask_code(&t, &page, "Anne Lambert");
    assert_eq!(to, "accueil@wolu-entraide.example.be", "the organisation's registered address");
    assert!(
        page.body_text().contains("a…@wolu-entraide.example.be") || page.body_text().contains("@wolu-entraide"),
        "{}",
        page.body_text()
    );
    page.screenshot("sign-code");
    page.fill("#code", &code);
    page.submit("form[action$='/sign'] button", ".done");
    let done = page.text(".done");
    assert!(done.contains("Wolu-Entraide ASBL a signé la charte") && done.contains("Anne Lambert"), "{done}");
    page.screenshot("sign-done");

    // The same link again: the one neutral page.
    let again = browser.open_url(&link);
    assert!(again.text("h1").contains("Ce lien ne peut pas être utilisé"), "{}", again.body_text());

    // The served verification page says who signed the PDF written.
    let signed: Vec<_> = std::fs::read_dir(t.path("out/signed")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(signed.len(), 1, "{signed:?}");
    let verify = browser.open_url(&format!("http://{}/verify", server.addr));
    verify.choose("#file", &signed[0]);
    assert_eq!(verify.wait_attr("#verdict", "data-valid"), "true", "{}", verify.body_text());
    let signer = verify.text("#signer");
    assert!(signer.contains("Anne Lambert") && signer.contains("présidente"), "{signer}");
    verify.screenshot("sign-verified");
    let run = server.stop();
    assert!(!run.stderr.contains(&token), "no token in the server's log");

    // The workspace: a member now, the PDF verified, the journal intact.
    let wolu = t.members().into_iter().find(|m| m["enterprise_number"] == WOLU).unwrap();
    assert_eq!(wolu["status"], "member", "{wolu}");
    t.run(["verify", signed[0].to_str().unwrap()]).success().stdout_has("Anne Lambert");
    t.run(["audit"]).success();
}

fn a_dutch_speaking_organisation_gets_the_dutch_page(browser: &Browser) {
    let t = mailed();
    let token = token_for(&t, "Taalpunt Woluwe");
    let server = t.serve();
    let page = browser.open_url(&format!("http://{}/s/{token}", server.addr));
    assert_eq!(page.attr("html", "lang").as_deref(), Some("nl"), "the organisation's language");
    assert!(page.text("h1").contains("Toetreding van Taalpunt Woluwe vzw"), "{}", page.body_text());
    assert_eq!(page.attr("#signer", "value").as_deref(), Some("Koen Claes"), "prefilled from the roster");
    page.screenshot("sign-page-dutch");
    // The visitor's choice comes first.
    page.click("a[hreflang=fr]");
    page.wait_text("h1", "Adhésion de Taalpunt Woluwe vzw");
}

fn five_wrong_codes_lock_the_link(browser: &Browser) {
    let t = mailed();
    let token = token_for(&t, "Wolu-Entraide");
    let server = t.serve();
    let link = format!("http://{}/s/{token}", server.addr);
    let page = browser.open_url(&link);
    let (code, _) = ask_code(&t, &page, "Anne Lambert");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..=4).rev() {
        page.fill("#code", wrong);
        page.submit("form[action$='/sign'] button", ".error");
        let said = page.text(".error");
        assert!(said.contains(&format!("Encore {left} essai")), "{said}");
    }
    page.fill("#code", wrong);
    page.submit("form[action$='/sign'] button", ".done");
    assert!(page.text("h1").contains("Ce lien est bloqué"), "{}", page.body_text());
    page.screenshot("sign-locked");
    // Locked: the right code no longer helps, the link opens nothing.
    let again = browser.open_url(&link);
    assert!(again.text("h1").contains("Ce lien ne peut pas être utilisé"), "{}", again.body_text());
    drop(server);
    let listed = t.run(["links", "list", "--json"]).success().json();
    let id = listed.as_array().unwrap().iter().find(|l| l["state"] == "locked").expect("a locked link")["id"].clone();
    t.run(["links", "reopen", &id.to_string()]).success();
    let server = t.serve();
    let reopened = browser.open_url(&format!("http://{}/s/{token}", server.addr));
    assert!(reopened.text("h1").contains("Wolu-Entraide"), "reopened by the coordinator\n{}", reopened.body_text());
}

/// The representative signs the downloaded PDF in a PDF reader (PAdES,
/// her certificate under a root the coordination trusts) and sends it
/// back through the page: counted at once, as `charte collect` would.
fn a_pdf_signed_in_a_reader_is_uploaded_on_the_page(browser: &Browser) {
    let t = mailed();
    let token = token_for(&t, "Tomberg");
    let doc = t.path("out/adherence/0845285318-maison-medicale-tomberg-roodebeek-2022-02.pdf");
    let python = std::env::var("CHARTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let run = std::process::Command::new(python)
        .arg(repo().join("tests/support/pades_sign.py"))
        .args([doc, t.path("signed-in-reader.pdf"), t.path("chain")])
        .args(["--name", "Céline Bouzid (Signature)"])
        .output()
        .unwrap();
    assert!(run.status.success(), "pades_sign.py: {}", String::from_utf8_lossy(&run.stderr));
    std::fs::create_dir_all(t.path("keys/trusted-roots")).unwrap();
    std::fs::copy(t.path("chain/root.der"), t.path("keys/trusted-roots/test-root.der")).unwrap();
    let server = t.serve();
    let page = browser.open_url(&format!("http://{}/s/{token}", server.addr));
    assert!(page.text("#upload-title").contains("Ou renvoyer le document signé"), "{}", page.body_text());
    page.choose("#file", &t.path("signed-in-reader.pdf"));
    page.screenshot("sign-upload");
    page.submit("form[action$='/upload'] button", ".done");
    let done = page.text(".done");
    assert!(done.contains("Maison médicale Tomberg-Roodebeek a signé la charte"), "{done}");
    assert!(done.contains("Céline Bouzid"), "{done}");
    page.screenshot("sign-upload-done");
    drop(server);
    let tomberg = t.members().into_iter().find(|m| m["enterprise_number"] == "0845.285.318").unwrap();
    assert_eq!(tomberg["signed_version"], "2022-02", "{tomberg}");
    assert_eq!(std::fs::read_dir(t.path("out/returned")).unwrap().count(), 1, "the signed PDF kept");
    t.run(["audit"]).success();
}

/// The row of the desk's documents table naming `organisation`, as read.
fn document_row(page: &Page<'_>, organisation: &str) -> String {
    let row = page.script(
        "const r = [...document.querySelectorAll('tr')].find(r => r.innerText.includes(arguments[0])); \
         return r ? r.innerText : null;",
        vec![serde_json::json!(organisation)],
    );
    row.as_str().unwrap_or_else(|| panic!("no row for {organisation}: {}", page.body_text())).to_owned()
}

/// Issue 19: what an association signs on its page, the coordinator sees
/// on the desk: the documents' table and the year's count.
fn a_signature_made_on_the_page_arrives_on_the_coordinators_desk(browser: &Browser) {
    let t = mailed();
    t.user("coordinatrice@cpas.example.be", "coordinator", "un mot de passe assez long");
    let token = token_for(&t, "Wolu-Entraide");
    let server = t.serve();
    let desk = browser.login(&server.addr, "coordinatrice@cpas.example.be", "un mot de passe assez long");
    let signed_count = |page: &Page<'_>| -> String {
        page.visit(&format!("http://{}/", server.addr), "main h1");
        page.script(
            "const a = [...document.querySelectorAll('main a')].find(a => a.innerText.trim() === 'Charte signée'); \
             return a ? a.closest('tr').innerText : '';",
            vec![],
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    };
    let before = signed_count(&desk);
    desk.visit(&format!("http://{}/documents", server.addr), "table");
    let row = document_row(&desk, "Wolu-Entraide ASBL");
    assert!(!row.contains("oui, le"), "not signed yet: {row}");

    // The association signs on its own page (another visit: its own cookies).
    let page = browser.open_url(&format!("http://{}/s/{token}", server.addr));
    let (code, _) = ask_code(&t, &page, "Anne Lambert");
    page.fill("#code", &code);
    page.submit("form[action$='/sign'] button", ".done");

    // The coordinator, back on the desk, sees it arrive.
    let desk = browser.login(&server.addr, "coordinatrice@cpas.example.be", "un mot de passe assez long");
    desk.visit(&format!("http://{}/documents", server.addr), "table");
    let row = document_row(&desk, "Wolu-Entraide ASBL");
    assert!(row.contains("oui, le"), "signed on its page: {row}");
    desk.check_accessibility().screenshot("desk-documents-signed-on-the-page");
    let after = signed_count(&desk);
    assert_ne!(before, after, "the year counts the new signature ({before} then {after})");
}
