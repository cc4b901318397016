//! Issue 20: a coordinator's year through a real browser, on one fixture
//! (Woluwe-Saint-Lambert), every step from the desk and none from the
//! terminal: a plenary added too late for its notice and refused with its
//! last valid day, convoked with a reason; after it, the attendance ticked
//! from the sheet, a vote recorded, the committee's naming round; the
//! year's expenses imported; the annual report made and approved by that
//! plenary; a flag put to the committee and its letter downloaded; the
//! outbox sent through a real SMTP server. Then every page of the desk
//! once in Dutch. Every page is checked by axe-core and shot.

use crate::browser_tests;
use crate::harness::*;
use crate::smtp::{PASSWORD as SMTP_PASSWORD, PASSWORD_ENV, ServerOptions, TestServer, ca_pem};
use crate::support::{Browser, Page};

browser_tests![a_coordinators_year_from_the_desk, every_page_of_the_desk_in_dutch];

const COORDINATOR: &str = "coordination@cpas-woluwe.example.be";
const PASSWORD: &str = "un mot de passe solide";

/// Woluwe-Saint-Lambert on 5 October 2026: its roster imported, the
/// declared members signed, a breach of the charter reported, a
/// coordinator, and [mail.smtp] pointing at
/// the test server on `port` (the mail waits in the outbox until sent on).
fn woluwe(port: u16) -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-10-05");
    t.run(["members", "import", "roster.csv"]).success();
    t.sign_declared_members();
    // What a member told the coordinator in September: the committee will hear of it.
    t.run(["breach", "report", "0296.116.650", "--about", "a refusé d'orienter une famille vers le réseau"]).success();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    let smtp = format!(
        "[mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"starttls\"\nusername = \"coordination\"\n\
         password_env = \"{PASSWORD_ENV}\"\n\n[flags]"
    );
    assert!(toml.contains("\n[flags]"), "the fixture's charte.toml has a [flags] table");
    std::fs::write(t.path("charte.toml"), toml.replacen("\n[flags]", &format!("\n{smtp}"), 1)).unwrap();
    t.user(COORDINATOR, "coordinator", PASSWORD);
    t
}

/// Chooses the option of value `value` in the select at `selector`.
fn select(page: &Page<'_>, selector: &str, value: &str) {
    let chosen = page.script(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1]; return s.value;",
        vec![selector.into(), value.into()],
    );
    assert_eq!(chosen.as_str(), Some(value), "{selector} has no option {value}");
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn a_coordinators_year_from_the_desk(browser: &Browser) {
    let smtp = TestServer::start(ServerOptions::default());
    let t = woluwe(smtp.port);
    let ca = ca_pem();
    let env = [(PASSWORD_ENV, SMTP_PASSWORD), ("CHARTE_SMTP_CA", ca.to_str().unwrap()), ("CHARTE_RETRY_BASE_MS", "5")];

    // 5 October: the autumn plenary on the 13th is too close for its ten
    // clear days: the page says so before the click, and the last valid day.
    let server = t.serve_with(&["--no-daily-run"], &env);
    let base = format!("http://{}", server.addr);
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);
    page.visit(&format!("{base}/meetings"), "#add-meeting");
    page.script("document.querySelector('#date').value = '2026-10-13';", vec![]);
    page.script("document.querySelector('#time').value = '09:30';", vec![]);
    page.fill("#place", "Salle du conseil, Hôtel communal");
    page.fill("#title", "Assemblée plénière d'automne");
    page.fill("#agenda", "Accueil\nÉlection du comité\nBudget 2027");
    page.submit("#add-meeting", "#too-late");
    assert!(page.text("#last-day").contains("vendredi 2 octobre 2026"), "{}", page.text("#last-day"));
    page.check_accessibility().screenshot("year-plenary-late");
    let before = t.journal_len();
    page.submit("#convoke", "#convoke-error");
    assert!(page.text("#convoke-error").contains("vendredi 2 octobre 2026"), "{}", page.text("#convoke-error"));
    assert_eq!(t.journal_len(), before, "refused: nothing recorded");
    page.fill("#late", "La salle du conseil n'était libre que ce jour-là");
    page.submit("#convoke", "#convoked");
    page.check_accessibility().screenshot("year-plenary-convoked");
    drop(server);

    // 14 October, the day after: the attendance sheet ticked, a vote, the
    // committee's naming round.
    let t = t.at("2026-10-14");
    let server = t.serve_with(&["--no-daily-run"], &env);
    let base = format!("http://{}", server.addr);
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);
    page.visit(&format!("{base}/meetings/plenary-2026-10-13"), "#record-attendance");
    let sheet = std::fs::read_to_string(t.path("year/attendance.csv")).unwrap();
    let lines: Vec<Vec<String>> = sheet
        .lines()
        .filter(|l| l.starts_with("plenary-2026-10-13,"))
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    for line in &lines {
        let n = digits(&line[1]);
        page.click(&format!("input[name='status-{n}'][value='{}']", line[2]));
        if let Some(person) = line.get(3).filter(|p| !p.is_empty()) {
            page.fill(&format!("#person-{n}"), person);
        }
    }
    page.submit("#record-attendance", "#said");
    assert!(page.text("#said").contains(&format!("{} ligne(s) nouvelle(s)", lines.len())), "{}", page.text("#said"));
    // Twelve of those present are members who signed: they vote.
    page.fill("#decision", "Budget 2027 du réseau");
    page.fill("#yes", "10");
    page.fill("#no", "1");
    page.fill("#abstain", "1");
    page.submit("#record-counts", "#said");
    assert!(page.text("#said").contains("« Budget 2027 du réseau » : adoptée"), "{}", page.text("#said"));
    page.check_accessibility().screenshot("year-plenary-voted");

    page.visit(&format!("{base}/elections?meeting=plenary-2026-10-13"), "#open");
    page.fill("#since", "01012027");
    page.submit("#open", "#naming-title");
    let named = std::fs::read_to_string(t.path("year/election-naming.csv")).unwrap();
    for record in csv::Reader::from_reader(named.as_bytes()).records() {
        let r = record.unwrap();
        let row = page.script(
            "return document.querySelector(`#naming-title ~ form input[value='${arguments[0]}']`).name;",
            vec![digits(&r[0]).into()],
        );
        let n = row.as_str().and_then(|n| n.strip_prefix("voter-")).expect("a row for each organisation").to_owned();
        page.fill(&format!("#person-{n}"), &r[1]);
        select(&page, &format!("#org-{n}"), &digits(&r[2]));
        page.fill(&format!("#reason-{n}"), &r[3]);
    }
    page.submit("#record-round", "#tally");
    assert!(page.text("#said").contains("Le tour de nomination est enregistré"), "{}", page.text("#said"));
    page.check_accessibility().screenshot("year-election-round");

    // The year's expenses, spent by the 14th.
    let text = std::fs::read_to_string(t.path("year/expenses.csv")).unwrap();
    let kept: Vec<&str> =
        text.lines().filter(|l| l.starts_with("date,") || l.as_bytes() < b"2026-10-15".as_slice()).collect();
    let file = t.root.join("dépenses 2026.csv");
    std::fs::write(&file, kept.join("\n")).unwrap();
    page.visit(&format!("{base}/expenses"), "#expenses-file");
    page.choose("#expenses-file", &file);
    page.submit("form[action='/expenses/import'] button", "#total");
    let total = page.text("#total");
    page.submit(".confirm button", ".done");
    assert_eq!(page.text("#total"), total, "the list's total is the preview's");
    page.check_accessibility().screenshot("year-expenses");
    assert_eq!(
        t.run(["expenses", "list", "--json"]).success().json()["lines"].as_array().unwrap().len(),
        kept.len() - 1
    );

    // The annual report, made and approved by the plenary of the 13th.
    page.visit(&format!("{base}/reports"), "#annual");
    page.submit("form[action='/reports/annual'] button", ".done");
    page.submit("form.approve button", "#annual-approved.approved");
    assert!(page.text("#annual-approved").contains("mardi 13 octobre 2026"), "{}", page.text("#annual-approved"));
    page.check_accessibility().screenshot("year-report-approved");
    let made = t.run(["report", "annual", "--year", "2026", "--json"]).success().json();
    assert_eq!(made["bodies"]["plenary"]["held"], 1, "{made}");

    // A flag put to the committee, and its letter.
    page.visit(&format!("{base}/flags?rule=breach-reported"), "form.mark");
    page.script("document.querySelector('form.mark select').value = 'committee';", vec![]);
    page.fill("form.mark input[name='note']", "À l'ordre du jour du comité de novembre");
    page.submit("form.mark button", "#marked");
    page.submit("form[action='/flags/letters'] button", "#letters p.done");
    let letter = page.attr("#letters a[download]", "href").expect("the letter is listed");
    page.check_accessibility().screenshot("year-flag-letter");
    let me = server.login(COORDINATOR, PASSWORD);
    let (status, pdf) = me.download(&letter);
    assert_eq!(status, 200);
    let path = t.root.join("lettre.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Woluwe"), "the letter reads");

    // The outbox: the convocations sent on through the SMTP server.
    page.visit(&format!("{base}/mail"), "#send-outbox");
    page.submit("#send-outbox", "#outbox-title");
    page.visit_until(&format!("{base}/mail"), "#job[data-state='done']", "#outbox-title");
    assert!(!smtp.messages().is_empty(), "the outbox went out");
    assert!(page.text("#job").contains("sont partis"), "{}", page.text("#job"));
    page.check_accessibility().screenshot("year-mail-sent");
    t.run(["audit"]).success();
}

/// Every page of the desk, once in Dutch: its language, no French
/// navigation, and axe-core's verdict.
fn every_page_of_the_desk_in_dutch(browser: &Browser) {
    let t = crate::harness::woluwe_plenary_held();
    t.user(COORDINATOR, "coordinator", PASSWORD);
    let server = t.serve_with(&["--no-daily-run"], &[]);
    let base = format!("http://{}", server.addr);
    let page = browser.login(&server.addr, COORDINATOR, PASSWORD);
    let member = t.members()[0]["enterprise_number"].as_str().unwrap().to_owned();
    let pages = [
        ("/", "Het jaar"),
        ("/roster", "Leden"),
        (&format!("/roster/{}", digits(&member)), "Leden"),
        ("/charter", "Charter"),
        ("/documents", "Documenten"),
        ("/returns", "Terugzendingen"),
        ("/meetings", "Vergaderingen"),
        ("/meetings/plenary-2026-10-13", "Vergaderingen"),
        ("/elections", "Vergaderingen"),
        ("/expenses", "Activiteiten en uitgaven"),
        ("/flags", "Signalen"),
        ("/reports", "Verslagen"),
        ("/mail", "Post"),
        ("/runs", "Dagelijkse opvolging"),
    ];
    for (path, section) in pages {
        page.visit(&format!("{base}{path}?lang=nl"), "main");
        assert_eq!(page.attr("html", "lang").as_deref(), Some("nl"), "{path}");
        let current = page.text("nav.sections a[aria-current='page']");
        assert_eq!(current, section, "{path}: the navigation marks its section");
        let body = page.body_text();
        for french in ["Se déconnecter", "Aller au contenu", "Rapports", "Réunions"] {
            assert!(!body.contains(french), "{path}: French on a Dutch page: {french}");
        }
        let name = format!("year-nl{}", path.replace('/', "-").trim_end_matches('-'));
        page.check_accessibility().screenshot(&name);
    }
}
