//! Signing links (`[serve] public_url`): the adherence mail and each
//! reminder carry a new personal link, journaled by the sha256 of its
//! token and never the token; earlier links stay valid; a new charter
//! version supersedes them; `charte links list` and `links reopen`; the
//! mails are unchanged without `public_url`. (The codes, which only the
//! signing page asks for, are tested in src/app/links.rs.)

use base64::Engine as _;
use sha2::Digest as _;

use crate::harness::*;

const PUBLIC_URL: &str = "https://charte.cpas-exemple.be";

/// The Woluwe-Saint-Lambert fixture with its roster and seal key; with
/// `[serve] public_url` when `links`.
fn wsl(links: bool) -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-02");
    if links {
        let config = t.path("charte.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(&config, format!("{text}\n[serve]\npublic_url = \"{PUBLIC_URL}/\"\n")).unwrap();
    }
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t
}

fn sha256_of(token: &str) -> String {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).unwrap();
    assert_eq!(bytes.len(), 16, "128 random bits");
    hex::encode(sha2::Sha256::digest(&bytes))
}

/// Every link's sha256 and state, as the database holds them.
fn stored(t: &Test) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let mut stmt = db.prepare("SELECT token_sha256, state FROM links ORDER BY id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

fn listed(t: &Test) -> Vec<serde_json::Value> {
    t.run(["links", "list", "--json"]).success().json().as_array().unwrap().clone()
}

#[test]
fn each_adherence_mail_and_reminder_carries_a_new_link_known_only_by_its_hash() {
    let t = wsl(true).at("2026-01-05");
    t.run(["run", "adhesion"]).success();
    let sent = mails(&t, ".send.1.");
    assert!(!sent.is_empty());
    let first: Vec<String> = sent.iter().map(|m| link_token(PUBLIC_URL, m)).collect();
    let (text, _) = &sent[0];
    assert!(
        text.contains("6 mars 2026 inclus") || text.contains("geldig tot en met vrijdag 6 maart 2026"),
        "60 days by default: {text}"
    );
    assert!(text.contains("(charte sign)") || text.contains("charte sign"), "replying with the PDF stays: {text}");
    let links = stored(&t);
    assert_eq!(links.len(), sent.len(), "one link per mail");
    for token in &first {
        assert!(links.contains(&(sha256_of(token), "open".into())), "its sha256 is stored");
        for file in ["charte.db", "charte.db-wal"] {
            let bytes = std::fs::read(t.path(file)).unwrap_or_default();
            assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "the token is in {file}");
        }
    }
    let list = listed(&t);
    assert_eq!(list.len(), sent.len());
    assert_eq!(list[0]["state"], "open");
    assert_eq!(list[0]["valid_until"], "2026-03-06");
    assert_eq!(list[0]["wrong_codes"], 0);
    assert!(!list.iter().any(|l| first.iter().any(|tk| l.to_string().contains(tk.as_str()))), "never a token");

    // The reminder, 14 days later: new links; the first ones stay open.
    let t = t.at("2026-01-19");
    t.run(["run", "adhesion"]).success().stdout_has("remind");
    let reminded = mails(&t, ".remind.1.");
    assert!(!reminded.is_empty());
    let second: Vec<String> = reminded.iter().map(|m| link_token(PUBLIC_URL, m)).collect();
    assert!(second.iter().all(|tk| !first.contains(tk)), "a new link per mail");
    let links = stored(&t);
    assert_eq!(links.len(), sent.len() + reminded.len());
    assert!(links.iter().all(|(_, state)| state == "open"), "earlier links stay valid: {links:?}");
    t.run(["links", "list"]).success().stdout_has("open").stdout_has("2026-03-20");

    // The signing page's code (through the library, as the server calls
    // it): mailed to the organisation's registered address; 5 wrong codes
    // lock the link, `links reopen` opens it again, the right code then holds.
    codes_lock_and_reopen(&t, &first[0], &sent[0].0);

    // The first ones expire after their 60 days, the reminder's later.
    let states = |t: &Test| listed(t).iter().map(|l| l["state"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let t = t.at("2026-03-07");
    let s = states(&t);
    assert_eq!(s.iter().filter(|s| *s == "expired").count(), sent.len(), "{s:?}");
    assert_eq!(s.iter().filter(|s| *s == "open").count(), reminded.len(), "{s:?}");

    // Nothing to reopen: not locked, or no such link.
    let id = listed(&t)[0]["id"].as_i64().unwrap().to_string();
    t.run(["links", "reopen", &id]).code(2).stderr_has("not locked").stderr_has("nothing was changed");
    t.run(["links", "reopen", "999999"]).code(2).stderr_has("no signing link #999999");

    // A new charter version supersedes every link to the old documents.
    let t = t.at("2026-02-01");
    for lang in ["fr", "nl"] {
        let path = t.path(&format!("charter/{lang}.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\nNouvel article.\n")).unwrap();
    }
    t.run(["charter", "adopt", "2026-02", "--date", "2026-02-01"]).success();
    assert!(stored(&t).iter().all(|(_, state)| state == "superseded"), "{:?}", stored(&t));
    assert!(states(&t).iter().all(|s| s == "superseded"));
    t.run(["audit"]).success();
}

fn codes_lock_and_reopen(t: &Test, token: &str, mail: &str) {
    use charte::app::App;
    use charte::app::links::CodeChecked;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 19).unwrap();
    let mut app = App::writer(&t.ws, day).unwrap();
    let view = app.link(token).unwrap();
    assert!(mail.contains(&view.member.organisation.name), "the link is the mail's organisation's");
    let registered = view.member.organisation.email.clone();
    let now = chrono::Utc::now();
    app.send_code(token, now).unwrap();
    let (code, to) = mailed_code(t);
    assert_eq!(to, registered, "to the registered address");
    let wrong = if code == "000000" { "999999" } else { "000000" };
    for left in (1..5).rev() {
        assert_eq!(app.check_code(token, wrong, now).unwrap(), CodeChecked::Wrong { left });
    }
    assert_eq!(app.check_code(token, wrong, now).unwrap(), CodeChecked::Locked);
    let locked = listed(t).into_iter().find(|l| l["state"] == "locked").expect("the link is locked");
    assert_eq!(locked["wrong_codes"], 5);
    assert_eq!(locked["codes_sent"], 1);
    let number = locked["id"].as_i64().unwrap();
    let id = number.to_string();
    t.run(["links", "reopen", &id]).success().stdout_has(&format!("reopened #{id}"));
    let reopened = listed(t).into_iter().find(|l| l["id"] == number).unwrap();
    assert_eq!((reopened["state"].as_str(), reopened["wrong_codes"].as_i64()), (Some("open"), Some(0)));
    let mut app = App::writer(&t.ws, day).unwrap();
    app.send_code(token, now).unwrap();
    let (code, _) = mailed_code(t);
    assert!(matches!(app.check_code(token, &code, now).unwrap(), CodeChecked::Right(_)));
    t.run(["audit"]).success();
}

#[test]
fn without_a_public_url_the_mails_carry_no_link() {
    let t = wsl(false).at("2026-01-05");
    t.run(["run", "adhesion"]).success();
    let sent = mails(&t, ".send.1.");
    assert!(!sent.is_empty());
    for (text, html) in &sent {
        assert!(!text.contains("/s/") && !html.contains("/s/"), "{text}");
        assert!(!text.contains("signer en ligne") && !text.contains("online ondertekenen"), "{text}");
    }
    assert!(stored(&t).is_empty());
    t.run(["links", "list"]).success().stdout_has("No signing link yet");
}

#[test]
fn a_public_url_in_clear_is_refused_with_the_file_and_line() {
    let t = Test::new();
    let config = t.path("charte.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replacen("[serve]\n", "[serve]\npublic_url = \"http://charte.example.be\"\n", 1))
        .unwrap();
    t.run(["links", "list"])
        .code(2)
        .stderr_has("charte.toml")
        .stderr_has("line")
        .stderr_has("serve.public_url")
        .stderr_has("https://");
}
