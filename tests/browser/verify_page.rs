//! Issue 17: out/verify.html, the page a report writes beside it, opened
//! from disk as a funder opens it, checks in the browser (WebCrypto
//! Ed25519) what charte verify checks: a report, a sealed document, a
//! signed return; the previous report's consistency proof; the chain of
//! keys after a rotation; in French and in Dutch. Each test ends with
//! screenshots of what the visitor sees (desktop and phone).

use std::path::{Path, PathBuf};

use crate::browser_tests;
use crate::harness::*;
use crate::support::{Browser, Page};

browser_tests![
    an_authentic_report_is_valid_and_shows_its_key_and_tree,
    a_report_with_a_byte_changed_in_its_rendered_part_is_not_valid,
    a_report_with_a_byte_changed_in_its_seal_revision_is_not_valid,
    another_coordinations_report_is_not_valid_on_this_page,
    a_signed_return_is_valid_and_names_the_organisation_that_signed,
    the_previous_years_report_proves_the_history_was_extended,
    a_report_from_a_rewritten_history_fails_against_the_previous_report,
    the_page_written_before_a_key_rotation_follows_the_chain_to_the_new_key,
    the_page_speaks_dutch,
    a_key_the_visitor_gives_replaces_the_one_the_page_holds,
    a_return_signed_with_another_key_than_the_registered_one_is_not_valid,
    nothing_may_follow_the_seal_of_a_report,
    a_return_signed_in_a_pdf_reader_is_only_partly_confirmed,
    a_forged_successor_of_a_retired_key_is_refused,
];

const PAGE: &str = "out/verify.html";
const REPORT_2025: &str = "out/reports/annual-2025.pdf";
const REPORT_2026: &str = "out/reports/annual-2026.pdf";

/// Ans with its roster and seal key, and its annual report for 2025
/// (which writes the page).
fn reported() -> Test {
    reported_in("ans")
}

/// The coordination of fixtures/`fixture` with its roster and seal key,
/// and its annual report for 2025, on 2026-11-02.
fn reported_in(fixture: &str) -> Test {
    let t = Test::fixture(fixture).at("2026-11-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["report", "annual", "--year", "2025"]).success();
    t
}

/// [`reported`], then a meeting and the report for 2026 three weeks later.
fn reported_twice() -> Test {
    let t = reported().at("2026-11-20");
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-12-10"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    t
}

/// The manifest of the report `rel` (read from its detached seal).
fn manifest(t: &Test, rel: &str) -> serde_json::Value {
    let seal = std::fs::read(t.path(&rel.replace(".pdf", ".seal.json"))).unwrap();
    serde_json::from_slice::<serde_json::Value>(&seal).unwrap()["manifest"].clone()
}

/// A copy of `file` in the test's folder, named `name`, with the byte at
/// `at` changed.
fn with_byte_changed(t: &Test, file: &Path, at: usize, name: &str) -> PathBuf {
    let mut bytes = std::fs::read(file).unwrap();
    bytes[at] ^= 0x20;
    let copy = t.root.join(name);
    std::fs::write(&copy, bytes).unwrap();
    copy
}

/// Waits for the verdict and returns it: `true` or `false`.
#[track_caller]
fn verdict(page: &Page<'_>) -> bool {
    match page.wait_attr("#verdict", "data-valid").as_str() {
        "true" => true,
        "false" => false,
        other => panic!("#verdict has data-valid={other:?}, neither true nor false\n{}", page.body_text()),
    }
}

fn an_authentic_report_is_valid_and_shows_its_key_and_tree(browser: &Browser) {
    let t = reported();
    let key = fingerprint(&t.path("keys/coordination.pub"));
    let checkpoint = &manifest(&t, REPORT_2025)["extra"]["checkpoint"]["checkpoint"];
    let (size, root) = (checkpoint["tree_size"].as_u64().unwrap(), checkpoint["root"].as_str().unwrap());

    let page = browser.open(&t.path(PAGE));
    assert_eq!(page.text("#held-fingerprint").trim(), key, "the page holds the workspace's key");
    page.choose("#file", &t.path(REPORT_2025));
    assert!(verdict(&page), "an authentic report\n{}", page.body_text());
    assert_eq!(page.text("#fingerprint").trim(), key);
    let tree = page.text("#tree");
    assert!(
        tree.split(|c: char| !c.is_ascii_digit()).any(|n| n == size.to_string()),
        "#tree names the size {size}: {tree:?}"
    );
    assert!(tree.contains(root), "#tree shows the root {root}: {tree:?}");
    assert!(!page.text("#verdict").trim().is_empty(), "the verdict is said in words");
    page.screenshot("verify-authentic-report");
}

fn a_report_with_a_byte_changed_in_its_rendered_part_is_not_valid(browser: &Browser) {
    let t = reported();
    let length = manifest(&t, REPORT_2025)["length"].as_u64().unwrap() as usize;
    let changed = with_byte_changed(&t, &t.path(REPORT_2025), length / 2, "annual-2025-changed.pdf");
    let said = refused(browser, &t, &changed, "verify-rendered-part-changed");
    assert!(said.contains("Le contenu de ce document a été modifié"), "the content's hash: {said:?}");
}

fn a_report_with_a_byte_changed_in_its_seal_revision_is_not_valid(browser: &Browser) {
    let t = reported();
    let length = manifest(&t, REPORT_2025)["length"].as_u64().unwrap() as usize;
    let bytes = std::fs::read(t.path(REPORT_2025)).unwrap();
    // A letter of the attachment's description, in the seal revision
    // (docs/seal.md §4): no signature covers it, only its rebuilding byte
    // for byte tells it changed.
    let desc = b"/Desc(charte seal: manifest";
    let at = length + bytes[length..].windows(desc.len()).position(|w| w == desc).expect("the seal revision") + 19;
    assert_eq!(bytes[at], b'm');
    let changed = with_byte_changed(&t, &t.path(REPORT_2025), at, "annual-2025-seal-changed.pdf");
    let said = refused(browser, &t, &changed, "verify-seal-revision-changed");
    assert!(said.contains("modifié après avoir été scellé"), "the seal revision rebuilt: {said:?}");
}

/// `file` on `t`'s page: not valid; what the verdict says, after the
/// screenshots `shot`.
#[track_caller]
fn refused(browser: &Browser, t: &Test, file: &Path, shot: &str) -> String {
    let page = browser.open(&t.path(PAGE));
    page.choose("#file", file);
    assert!(!verdict(&page), "{} is not as issued\n{}", file.display(), page.body_text());
    page.screenshot(shot);
    page.text("#verdict")
}

fn another_coordinations_report_is_not_valid_on_this_page(browser: &Browser) {
    let t = reported();
    let other = reported_in("ixelles");
    let (ours, theirs) =
        (fingerprint(&t.path("keys/coordination.pub")), fingerprint(&other.path("keys/coordination.pub")));
    assert_ne!(ours, theirs);

    let page = browser.open(&t.path(PAGE));
    page.choose("#file", &other.path(REPORT_2025));
    assert!(!verdict(&page), "Ixelles's report on Ans's page\n{}", page.body_text());
    // The key that sealed it is named, beside the one the page trusts.
    let said = page.text("#verdict");
    assert!(said.contains(&theirs) && said.contains(&ours), "#verdict names {theirs} and {ours}: {said:?}");
    assert_eq!(page.text("#held-fingerprint").trim(), ours);
    assert_eq!(page.text("#fingerprint").trim(), theirs, "the key that sealed it, to compare");
    page.screenshot("verify-another-coordination");
}

fn a_signed_return_is_valid_and_names_the_organisation_that_signed(browser: &Browser) {
    // The page was written by a report after the key was registered: its
    // register of the members' keys names Wolu-Entraide's.
    let t = registered();
    t.run(["sign", WOLU, "--key", "wolu.key", "--out", "signed.pdf"]).success();
    let signer = fingerprint(&t.path("wolu.key.pub"));

    let page = browser.open(&t.path(PAGE));
    page.choose("#file", &t.path("signed.pdf"));
    assert!(verdict(&page), "a return signed with the registered key\n{}", page.body_text());
    assert_eq!(page.text("#fingerprint").trim(), fingerprint(&t.path("keys/coordination.pub")));
    let said = page.text("#signer");
    assert!(said.contains("Wolu-Entraide ASBL"), "#signer names the organisation: {said:?}");
    assert!(said.contains(&signer), "#signer shows the signing key's fingerprint {signer}: {said:?}");
    page.screenshot("verify-signed-return");
}

fn the_previous_years_report_proves_the_history_was_extended(browser: &Browser) {
    let t = reported_twice();
    let size = manifest(&t, REPORT_2026)["extra"]["checkpoint"]["checkpoint"]["tree_size"].as_u64().unwrap();

    let page = browser.open(&t.path(PAGE));
    page.choose("#previous", &t.path(REPORT_2025));
    page.choose("#file", &t.path(REPORT_2026));
    assert!(verdict(&page), "this year's report after last year's\n{}", page.body_text());
    assert_eq!(page.wait_attr("#consistency", "data-valid"), "true", "{}", page.body_text());
    let tree = page.text("#tree");
    assert!(tree.contains(&size.to_string()), "#tree is this year's report's ({size}): {tree:?}");
    page.screenshot("verify-consistency");
}

fn a_report_from_a_rewritten_history_fails_against_the_previous_report(browser: &Browser) {
    // One workspace copied (same keys); each copy then records a different
    // meeting before its 2025 report: two histories of the same length,
    // signed by the same key. The funder holds the first one's report.
    let (t, rewritten) = diverged_histories();
    // Each report is authentic on its own: the same key sealed both.
    rewritten.run(["verify", REPORT_2026]).success();
    t.run(["verify", REPORT_2025]).success();

    let page = browser.open(&t.path(PAGE));
    page.choose("#previous", &t.path(REPORT_2025));
    page.choose("#file", &rewritten.path(REPORT_2026));
    assert!(!verdict(&page), "a report whose history does not extend the previous one's\n{}", page.body_text());
    assert_eq!(page.wait_attr("#consistency", "data-valid"), "false", "{}", page.body_text());
    // Two histories of the same length: rewritten, not a report made in between.
    let said = page.text("#verdict");
    assert!(said.contains("réécrites") && !said.contains("entre les deux, vérifiez"), "{said:?}");
    page.screenshot("verify-rewritten-history");
}

fn the_page_written_before_a_key_rotation_follows_the_chain_to_the_new_key(browser: &Browser) {
    let t = reported();
    let former_page = t.root.join("verify-before-rotation.html");
    std::fs::copy(t.path(PAGE), &former_page).unwrap();
    let old = fingerprint(&t.path("keys/coordination.pub"));
    let t = t.at("2026-11-20");
    t.run(["keys", "rotate"]).success();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-12-10"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    let new = fingerprint(&t.path("keys/coordination.pub"));
    assert_ne!(old, new);

    let page = browser.open(&former_page);
    assert_eq!(page.text("#held-fingerprint").trim(), old, "the page written before the rotation holds the old key");
    page.choose("#file", &t.path(REPORT_2026));
    assert!(verdict(&page), "sealed by the successor of the key the page holds\n{}", page.body_text());
    assert_eq!(page.text("#fingerprint").trim(), new);
    let chain = page.text("#chain");
    assert!(chain.contains(&old) && chain.contains(&new), "#chain lists {old} and {new}: {chain:?}");
    assert!(chain.find(&old) < chain.find(&new), "oldest first: {chain:?}");
    page.screenshot("verify-key-rotation");
}

fn the_page_speaks_dutch(browser: &Browser) {
    let t = reported();
    let page = browser.open(&t.path(PAGE));
    page.choose("#file", &t.path(REPORT_2025));
    assert!(verdict(&page), "{}", page.body_text());
    assert_eq!(page.attr("html", "lang").as_deref(), Some("fr"), "Ans's page opens in French");
    let french = page.text("#verdict");
    page.click("#lang-nl");
    assert_eq!(page.attr("html", "lang").as_deref(), Some("nl"));
    let dutch = page.text("#verdict");
    assert!(dutch.contains("Echt") && dutch.contains("niet gewijzigd"), "a Dutch verdict: {dutch:?}");
    assert!(!dutch.contains("Authentique") && french.contains("Authentique"), "{french:?} became {dutch:?}");
    assert_eq!(page.text("h1"), "Een document van de coördinatie nagaan");
    assert!(verdict(&page), "the language changes the words, not the verdict");
    page.screenshot("verify-dutch");
}

fn a_key_the_visitor_gives_replaces_the_one_the_page_holds(browser: &Browser) {
    let t = reported();
    let other = reported_in("ixelles");
    let theirs = fingerprint(&other.path("keys/coordination.pub"));

    // Ans's page, given Ixelles's public key: Ixelles's report holds, and
    // Ans's own no longer does.
    let page = browser.open(&t.path(PAGE));
    page.click("details.more summary"); // "Vérifier avec une autre clé"
    page.choose("#key", &other.path("keys/coordination.pub")).wait_text("#given", &theirs);
    assert_eq!(page.text("#held-fingerprint").trim(), theirs, "the key the page now checks with");
    page.choose("#file", &other.path(REPORT_2025));
    assert!(verdict(&page), "Ixelles's report with Ixelles's key\n{}", page.body_text());
    assert_eq!(page.text("#fingerprint").trim(), theirs);
    page.screenshot("verify-given-key");
    page.choose("#file", &t.path(REPORT_2025));
    assert!(!verdict(&page), "Ans's report with Ixelles's key\n{}", page.body_text());
}

/// Woluwe-Saint-Lambert with Wolu-Entraide's adherence document issued and
/// its key registered; the page written afterwards by a report.
fn registered() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["issue", "0631.119.315"]).success();
    t.run(["keys", "member", "--out", "wolu.key"]).success();
    t.run(["members", "set-key", "0631.119.315", "wolu.key.pub"]).success();
    t.run(["report", "annual", "--year", "2025"]).success();
    t
}

const WOLU: &str = "out/adherence/0631119315-wolu-entraide-asbl-2022-02.pdf";

fn a_return_signed_with_another_key_than_the_registered_one_is_not_valid(browser: &Browser) {
    // Anyone holding the issued document can sign it with a key of their
    // own: the page holds Wolu-Entraide's registered key and refuses it.
    let t = registered();
    t.run(["keys", "member", "--out", "someone.key"]).success();
    t.run(["sign", WOLU, "--key", "someone.key", "--out", "forged.pdf"]).success();
    let said = refused(browser, &t, &t.path("forged.pdf"), "verify-unregistered-signer");
    let registered = fingerprint(&t.path("wolu.key.pub"));
    assert!(said.contains("quelqu'un d'autre") && said.contains(&registered), "{said:?}");
}

fn nothing_may_follow_the_seal_of_a_report(browser: &Browser) {
    // A report is addressed to no organisation: a signature appended to it
    // (which charte sign makes on any sealed file) is a modification.
    let t = registered();
    t.run(["sign", "out/reports/annual-2025.pdf", "--key", "wolu.key", "--out", "report-signed.pdf"]).success();
    let said = refused(browser, &t, &t.path("report-signed.pdf"), "verify-report-signed");
    assert!(said.contains("ajoutées à ce document après son scellement"), "{said:?}");
}

fn a_return_signed_in_a_pdf_reader_is_only_partly_confirmed(browser: &Browser) {
    let t = registered();
    let certs = t.root.join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    let signed = t.root.join("pades.pdf");
    let py = std::process::Command::new("python3")
        .arg(repo().join("tests/support/pades_sign.py"))
        .args([t.path(WOLU).as_os_str(), signed.as_os_str(), certs.as_os_str()])
        .output()
        .unwrap();
    assert!(py.status.success(), "{}", String::from_utf8_lossy(&py.stderr));
    let page = browser.open(&t.path(PAGE));
    page.choose("#file", &signed);
    assert!(verdict(&page), "the sealed part is authentic\n{}", page.body_text());
    let said = page.text("#verdict");
    assert!(said.contains("Sceau authentique") && said.contains("ne vérifie ni cette signature"), "{said:?}");
    assert!(!said.contains("pas été modifié"), "never 'not modified' over an update the page does not check: {said:?}");
    // The document as issued, to read without what the update displays.
    let href = page.attr("#sealed-part", "href").unwrap_or_default();
    assert!(href.starts_with("blob:"), "{href:?}");
    page.screenshot("verify-pades-return");
}

fn a_forged_successor_of_a_retired_key_is_refused(browser: &Browser) {
    // A former key that leaked: a statement made with it names a key of the
    // forger's as its successor, and seals a report with that key. The page
    // knows whom the former key was succeeded by, and when.
    let t = reported();
    let old_pub = t.root.join("former.pub");
    std::fs::copy(t.path("keys/coordination.pub"), &old_pub).unwrap();
    // The forger's workspace: a copy taken before the rotation, with the
    // former key.
    let forger = Test::empty().at("2026-11-02");
    copy_dir(&t.ws, &forger.ws);
    let t = t.at("2026-11-20");
    t.run(["keys", "rotate"]).success();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-12-10"]).success();
    t.run(["report", "annual", "--year", "2026"]).success(); // the page now knows the rotation
    // The forger rotates the former key to a key of its own and seals.
    let forger = forger.at("2026-11-21");
    forger.run(["keys", "rotate"]).success();
    forger.run(["report", "annual", "--year", "2026"]).success();
    let said = refused(browser, &t, &forger.path(REPORT_2026), "verify-forged-successor");
    assert!(said.contains("contrefaçon"), "{said:?}");
    // With the former key given instead of the page's, the same.
    let page = browser.open(&t.path(PAGE));
    page.click("details.more summary");
    page.choose("#key", &old_pub).wait_text("#given", &fingerprint(&old_pub));
    page.choose("#file", &forger.path(REPORT_2026));
    assert!(!verdict(&page), "the page's knowledge of the chain holds whichever key is given\n{}", page.body_text());
}
