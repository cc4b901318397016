//! Issue 19: the coordinator's desk through a real browser: signing in and
//! out, wrong passwords refused for a while, a form without its token
//! refused, the pages checked by axe-core (WCAG 2.1 AA).

use crate::browser_tests;
use crate::harness::*;
use crate::support::Browser;

browser_tests![
    a_coordinator_signs_in_reads_the_year_and_signs_out,
    ten_wrong_passwords_and_signing_in_waits,
    a_form_without_its_token_is_refused,
];

pub const COORDINATOR: &str = "marie@cpas-saint-gilles.example.be";
pub const PASSWORD: &str = "un mot de passe solide";
pub const COMMITTEE: &str = "comite@cpas-saint-gilles.example.be";
pub const COMMITTEE_PASSWORD: &str = "le comité lit seulement";

/// Saint-Gilles's year up to March, with a coordinator and a committee account.
pub fn desk() -> Test {
    let t = Test::fixture("saint-gilles").at("2026-03-02");
    t.user(COORDINATOR, "coordinator", PASSWORD);
    t.user(COMMITTEE, "committee", COMMITTEE_PASSWORD);
    t
}

fn a_coordinator_signs_in_reads_the_year_and_signs_out(browser: &Browser) {
    let t = desk();
    let server = t.serve();
    let login = browser.open_url(&format!("http://{}/login", server.addr));
    login.check_accessibility().screenshot("desk-login");
    // A wrong password: said next to the form, which keeps the address.
    login.fill("#email", COORDINATOR).fill("#password", "pas le bon mot de passe");
    login.submit("#sign-in", "#login-error");
    assert!(login.text("#login-error").contains("n'est pas correct"), "{}", login.text("#login-error"));
    assert_eq!(login.attr("#email", "value").as_deref(), Some(COORDINATOR));
    login.check_accessibility().screenshot("desk-login-wrong");
    login.fill("#password", PASSWORD);
    login.submit("#sign-in", "#logout");
    assert!(login.body_text().contains(COORDINATOR));
    login.check_accessibility().screenshot("desk-home");
    // In Dutch, remembered.
    login.visit(&format!("http://{}/?lang=nl", server.addr), "#logout");
    assert_eq!(login.attr("html", "lang").as_deref(), Some("nl"));
    login.check_accessibility();
    login.submit("#logout", "#sign-in");
    assert_eq!(login.attr("html", "lang").as_deref(), Some("nl"), "signing out keeps the language");
    assert!(login.body_text().contains("Aanmelden"));
    // Signed out: the desk leads back to the sign-in form.
    login.visit(&format!("http://{}/", server.addr), "#sign-in");
}

fn ten_wrong_passwords_and_signing_in_waits(browser: &Browser) {
    let t = desk();
    let server = t.serve();
    let page = browser.open_url(&format!("http://{}/login", server.addr));
    for i in 0..10 {
        page.fill("#email", COORDINATOR).fill("#password", &format!("mauvais mot de passe {i}"));
        page.submit("#sign-in", "#login-error");
        assert!(page.text("#login-error").contains("n'est pas correct"), "attempt {i}");
    }
    // The eleventh, with the right password: refused for a quarter of an hour.
    page.fill("#password", PASSWORD);
    page.submit("#sign-in", "#login-error");
    assert!(page.text("#login-error").contains("Trop d'essais"), "{}", page.text("#login-error"));
    page.check_accessibility().screenshot("desk-login-too-many");
}

fn a_form_without_its_token_is_refused(browser: &Browser) {
    let t = desk();
    let server = t.serve();
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);
    // The sign-out form, its token taken out as a forged form would lack it.
    page.script("document.querySelector('form.logout input[name=csrf]').remove();", vec![]);
    page.submit("#logout", "main");
    assert!(page.body_text().contains("n'a pas été envoyé depuis sa page"), "{}", page.body_text());
    // The session is still open: the forged form changed nothing.
    page.visit(&format!("http://{}/", server.addr), "#logout");
    // The checker does find what it should: an input without a label.
    page.script("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>');", vec![]);
    // (Its panic is expected: not printed.)
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        page.check_accessibility();
    }));
    std::panic::set_hook(hook);
    let message = caught.expect_err("axe-core names the unlabelled input");
    let text = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("label"), "{text}");
}
