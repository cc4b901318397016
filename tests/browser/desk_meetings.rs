//! Issue 20: a coordinator's meetings through a real browser: a plenary
//! added from the form, its late date refused with the last valid day,
//! convoked with a reason; after the meeting, the attendance ticked and a
//! vote recorded; the meeting's page in Dutch. Every page checked by
//! axe-core and shot.

use crate::browser_tests;
use crate::desk::{COORDINATOR, PASSWORD, desk};
use crate::support::Browser;

browser_tests![a_plenary_is_added_convoked_late_with_a_reason_then_attended_and_voted];

/// Three organisations that signed the charter (they vote at the plenary).
const SIGNED: [&str; 3] = ["0241029459", "0205893980", "0501992024"];

fn a_plenary_is_added_convoked_late_with_a_reason_then_attended_and_voted(browser: &Browser) {
    let t = desk();
    t.run(["members", "import", "roster.csv"]).success();
    t.sign(&SIGNED);
    let server = t.serve();
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);
    page.visit(&format!("http://{}/meetings", server.addr), "#add-meeting");
    page.check_accessibility().screenshot("desk-meetings");
    // A plenary on 10 March: too close for its 15 clear days.
    page.script("document.querySelector('#date').value = '2026-03-10';", vec![]);
    page.script("document.querySelector('#time').value = '18:30';", vec![]);
    page.fill("#place", "Maison du peuple, salle du 1er étage");
    page.fill("#title", "Assemblée extraordinaire");
    page.fill("#agenda", "Accueil\nBudget 2026\nDivers");
    page.submit("#add-meeting", "#too-late");
    assert!(page.text("#said").contains("La réunion est ajoutée (plenary-2026-03-10)"), "{}", page.text("#said"));
    assert!(page.text("#last-day").contains("dimanche 22 février 2026"), "{}", page.text("#last-day"));
    page.check_accessibility().screenshot("desk-meeting-late");
    // Sent without a reason: refused, with the last valid day.
    let before = t.journal_len();
    page.submit("#convoke", "#convoke-error");
    assert!(
        page.text("#convoke-error").contains("le dernier jour pour envoyer était le dimanche 22 février 2026"),
        "{}",
        page.text("#convoke-error")
    );
    assert_eq!(t.journal_len(), before, "nothing recorded");
    page.check_accessibility().screenshot("desk-meeting-refused");
    page.fill("#late", "La salle n'était libre que ce soir-là");
    page.submit("#convoke", "#convoked");
    assert!(page.text("#convoked").contains("boîte d'envoi"), "{}", page.text("#convoked"));
    page.check_accessibility().screenshot("desk-meeting-convoked");
    drop(server);

    // The day after the meeting: attendance, then a vote.
    let t = t.at("2026-03-11");
    let server = t.serve();
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);
    page.visit(&format!("http://{}/meetings/plenary-2026-03-10", server.addr), "#record-attendance");
    for n in SIGNED {
        page.click(&format!("input[name='status-{n}'][value='present']"));
    }
    page.fill("#person-0241029459", "Jean-Marc Lefèvre");
    page.click("input[name='status-0767892580'][value='excused']");
    page.submit("#record-attendance", "#said");
    assert!(page.text("#said").contains("4 ligne(s) nouvelle(s)"), "{}", page.text("#said"));
    page.check_accessibility().screenshot("desk-meeting-attendance");
    page.fill("#decision", "Budget 2026 du réseau");
    page.fill("#yes", "2");
    page.fill("#no", "1");
    page.submit("#record-counts", "#said");
    assert!(page.text("#said").contains("« Budget 2026 du réseau » : adoptée"), "{}", page.text("#said"));
    assert!(page.text(".decisions").contains("2 pour, 1 contre, 0 abstention(s) ; 3 votant(s) présent(s)"));
    page.check_accessibility().screenshot("desk-meeting-voted");
    // In Dutch.
    page.visit(&format!("http://{}/meetings/plenary-2026-03-10?lang=nl", server.addr), "#votes");
    assert!(page.body_text().contains("Beslissingen en stemmingen"), "{}", page.body_text());
    assert!(page.text(".decisions").contains("aangenomen"), "{}", page.text(".decisions"));
    page.check_accessibility().screenshot("desk-meeting-nl");
    page.visit(&format!("http://{}/meetings?lang=nl", server.addr), "#add-meeting");
    page.check_accessibility().screenshot("desk-meetings-nl");
    t.run(["audit"]).success();
}
