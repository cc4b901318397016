//! The desk's year at a glance (`/`), its flags and reports pages and the
//! downloads, over TCP against the real server: the figures a coordinator
//! sees are the command line's, a committee account reads and changes
//! nothing, and only the files listed can be downloaded.

use crate::harness::Test;

const COORDINATOR: (&str, &str) = ("marie@cpas-ans.example.be", "un mot de passe solide");
const COMMITTEE: (&str, &str) = ("comite@cpas-ans.example.be", "le comité lit seulement");

/// Ans's roster: two members signed (scans confirmed), one more document
/// issued; a plenary on 30 November; the annual report of 2026 made.
fn year() -> Test {
    let t = Test::fixture("ans").at("2026-11-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.sign(&["0251.839.219", "0205.136.489"]);
    t.run(["issue", "0516.604.875"]).success();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-11-30"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    t.user(COMMITTEE.0, "committee", COMMITTEE.1);
    t
}

/// The count shown on the year's row of `stage` (its `<td class="num">`).
fn count(body: &str, stage: &str) -> usize {
    let row = body.find(&format!("id=\"stage-{stage}\"")).unwrap_or_else(|| panic!("no row {stage}: {body}"));
    let cell = &body[row..];
    let at = cell.find("<td class=\"num\">").expect("its count") + "<td class=\"num\">".len();
    cell[at..].split('<').next().unwrap().trim().parse().expect("a number")
}

#[test]
fn the_coordinator_sees_the_command_lines_figures_and_each_links_to_its_detail() {
    let t = year();
    let members = t.members();
    let signed = members.iter().filter(|m| !m["signed_version"].is_null()).count();
    let roster = members.iter().filter(|m| m["status"] != "former").count();
    let flags = t.run(["flags", "--json"]).success().json();
    let missing = flags.as_array().unwrap().iter().filter(|f| f["rule"] == "adherence-missing").count();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let home = me.get("/");
    assert_eq!(home.status, 200, "{}", home.body);
    let b = &home.body;
    assert_eq!((signed, count(b, "signed")), (2, 2));
    assert_eq!(count(b, "issued"), 1);
    assert_eq!(count(b, "declared"), roster - 3);
    assert!(b.contains(&format!("{roster} organisations au répertoire")), "{b}");
    assert!(b.contains("href=\"/roster?state=signed\"") && b.contains("href=\"/returns\""));
    // The roster's page the figure links to lists those organisations.
    let signed_page = me.get("/roster?state=signed");
    assert_eq!(signed_page.status, 200);
    assert!(
        signed_page.body.contains("CPAS d&#39;Ans") || signed_page.body.contains("CPAS d'Ans"),
        "{}",
        signed_page.body
    );
    // The flags the command line lists, by rule, each linked to its place on /flags.
    assert!(b.contains(&format!("<a href=\"/flags#adherence-missing\">Charte non signée</a> : {missing}")), "{b}");
    // The plenary of 30 November owes 10 clear days: convoke by 19 November.
    assert!(
        b.contains("19/11/2026")
            && b.contains("Dernier jour pour convoquer : Assemblée plénière du lundi 30 novembre 2026"),
        "{b}"
    );
    // The report made, dated, downloadable; the journal's length.
    assert!(b.contains("href=\"/reports/annual-2026.pdf\""), "{b}");
    let entries = t.journal_len();
    assert!(b.contains(&format!("{entries} inscriptions")), "{entries}: {b}");
    // In Dutch on asking, the figures the same.
    let nl = me.get("/?lang=nl");
    assert!(nl.body.contains("Het jaar 2026 in één oogopslag") && count(&nl.body, "signed") == 2, "{}", nl.body);
    // One more signature is seen at once (the figures kept are the journal's head's).
    t.sign(&["0516.604.875"]);
    assert_eq!(count(&me.get("/").body, "signed"), 3);
}

#[test]
fn each_stage_of_the_year_links_to_a_roster_listing_exactly_the_organisations_it_counts() {
    let t = year();
    // The issued one signs too: the figures move, and their lists with them.
    t.sign(&["0516.604.875"]);
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let home = me.get("/");
    let mut total = 0;
    for stage in ["declared", "issued", "mailed", "reminded", "signed", "overdue", "waiting"] {
        let link = format!("href=\"/roster?state={stage}\"");
        assert!(home.body.contains(&link), "{stage} links to its list: {}", home.body);
        let listed = me.get(&format!("/roster?state={stage}"));
        assert_eq!(listed.status, 200);
        let rows = listed.body.matches("<tr data-number=").count();
        assert_eq!(rows, count(&home.body, stage), "{stage}: the figure and its list: {}", listed.body);
        total += rows;
    }
    let roster = t.members().iter().filter(|m| m["status"] != "former").count();
    assert_eq!(total, roster, "each organisation is listed at one stage");
    assert_eq!(count(&home.body, "signed"), 3);
    assert_eq!(count(&home.body, "issued"), 0);
    // The former links still list: signed an older version only, or none.
    let unsigned = me.get("/roster?state=unsigned").body.matches("<tr data-number=").count();
    assert_eq!(unsigned, t.members().iter().filter(|m| m["signed_version"].is_null()).count());
    assert_eq!(me.get("/roster?state=outdated").body.matches("<tr data-number=").count(), 0);
}

#[test]
fn a_committee_account_reads_the_flags_letters_and_reports_and_drafts_nothing() {
    let t = year();
    let s = t.serve();
    let committee = s.login(COMMITTEE.0, COMMITTEE.1);
    let home = committee.get("/");
    assert_eq!(home.status, 200, "{}", home.body);
    // Its home: the flags with their evidence, the letters, the reports; no figures of the year.
    assert!(home.body.contains("id=\"adherence-missing\"") && home.body.contains("aucune signature de la charte"));
    assert!(home.body.contains("Projets de lettres") && home.body.contains("href=\"/reports/annual-2026.pdf\""));
    assert!(!home.body.contains("stage-signed") && !home.body.contains("/flags/letters"), "{}", home.body);
    // The roster is a coordinator's page; drafting letters a coordinator's
    // action: 403, nothing written.
    assert_eq!(committee.get("/roster").status, 403);
    assert_eq!(committee.post_form("/flags/letters", &[]).status, 403);
    assert!(!t.path("out/letters").exists());
    assert_eq!(committee.get("/flags").status, 200);
    // The coordinator drafts them: back to the letters, with how many.
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let drafted = me.post_form("/flags/letters", &[]);
    assert_eq!(drafted.status, 303, "{}", drafted.body);
    assert!(drafted.header("location").is_some_and(|l| l.starts_with("/flags?drafted=")));
}

#[test]
fn only_the_files_listed_download_and_no_path_leaves_their_folder() {
    let t = year();
    // A link planted in out/reports/ is neither listed nor served.
    std::os::unix::fs::symlink(t.path("charte.toml"), t.path("out/reports/planted.csv")).unwrap();
    let s = t.serve();
    let committee = s.login(COMMITTEE.0, COMMITTEE.1);
    let page = committee.get("/reports");
    assert_eq!(page.status, 200);
    for f in ["annual-2026.pdf", "annual-2026.csv", "annual-2026.seal.json"] {
        assert!(page.body.contains(&format!("href=\"/reports/{f}\"")), "{f}: {}", page.body);
    }
    assert!(page.body.contains("02/11/2026") && page.body.contains("href=\"/verify\""));
    assert!(!page.body.contains("planted"));
    let csv = committee.get("/reports/annual-2026.csv");
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(csv.header("content-disposition"), Some("attachment; filename=\"annual-2026.csv\""));
    assert_eq!(csv.body, std::fs::read_to_string(t.path("out/reports/annual-2026.csv")).unwrap());
    let pdf = committee.get("/reports/annual-2026.pdf");
    assert_eq!((pdf.status, pdf.header("content-type")), (200, Some("application/pdf")));
    for path in [
        "/reports/../charte.toml",
        "/reports/..%2Fcharte.toml",
        "/reports/%2E%2E%2Fcharte.toml",
        "/reports/planted.csv",
        "/reports/.",
        "/letters/..%2F..%2Fkeys%2Fcoordination.key",
        "/reports/annual-2026.csv%00",
    ] {
        let r = committee.get(path);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert!(!r.body.contains("[coordination]") && !r.body.contains("PRIVATE"), "{path}");
    }
    // Without a session, nothing downloads.
    assert_eq!(s.get("/reports/annual-2026.csv").status, 303);
}
