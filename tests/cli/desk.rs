//! The coordinator's desk: accounts (`charte users`), signing in and out,
//! sessions, roles and the forms' token, over TCP against the real server.

use crate::harness::Test;

const PASSWORD: &str = "un mot de passe solide";

/// Saint-Gilles's year, with a coordinator and a committee account.
fn desk() -> Test {
    let t = Test::fixture("saint-gilles").at("2026-03-02");
    t.user("marie@cpas-saint-gilles.example.be", "coordinator", PASSWORD);
    t.user("comite@cpas-saint-gilles.example.be", "committee", "le comité lit seulement");
    t
}

#[test]
fn accounts_are_journaled_and_their_passwords_never_are() {
    let t = desk();
    let listed = t.run(["users", "list", "--json"]).success().json();
    let roles: Vec<_> = listed.as_array().unwrap().iter().map(|a| (a["email"].clone(), a["role"].clone())).collect();
    assert_eq!(
        roles,
        [
            ("marie@cpas-saint-gilles.example.be".into(), "coordinator".into()),
            ("comite@cpas-saint-gilles.example.be".into(), "committee".into())
        ]
    );
    // The same address again (any case), a short password, an unknown role: refused, nothing changed.
    let before = t.journal_len();
    let again = t.run(["users", "add", "MARIE@cpas-saint-gilles.example.be", "--role", "committee"]);
    assert_ne!(again.code, 0);
    t.run(["users", "add", "x@y.be", "--role", "admin"]).code(2);
    assert_eq!(t.journal_len(), before);
    // The journal says who was added, never the password nor its hash;
    // the audit replays the accounts.
    let db = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let payloads: Vec<String> = db
        .prepare("SELECT kind || ' ' || payload FROM journal WHERE kind LIKE 'account-%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(payloads.len(), 2, "{payloads:?}");
    for p in &payloads {
        assert!(!p.contains("argon2") && !p.contains(PASSWORD) && !p.contains("marie@"), "{p}");
    }
    let hash: String = db.query_row("SELECT hash FROM passwords LIMIT 1", [], |r| r.get(0)).unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    t.run(["audit"]).success();
    // Removed: it cannot sign in any more, and the audit still holds.
    t.run(["users", "remove", "comite@cpas-saint-gilles.example.be"]).success().stdout_has("can no longer sign in");
    t.run(["users", "remove", "comite@cpas-saint-gilles.example.be"]).code(2);
    assert_eq!(t.run(["users", "list", "--json"]).success().json().as_array().unwrap().len(), 1);
    t.run(["audit"]).success();
    // A person's address erased (GDPR): their account goes with it.
    t.run(["erase", "marie@cpas-saint-gilles.example.be", "--reason", "demande d'effacement"]).success();
    assert_eq!(t.run(["users", "list", "--json"]).success().json(), serde_json::json!([]));
    t.run(["audit"]).success();
}

#[test]
fn signing_in_opens_a_session_that_signing_out_or_removing_the_account_ends() {
    let t = desk();
    let s = t.serve();
    // Without a session, a page leads to the sign-in form, and back.
    let bounced = s.get("/?lang=nl");
    assert_eq!(bounced.status, 303);
    assert_eq!(bounced.header("location"), Some("/login?next=/%3Flang%3Dnl"));
    let (status, none) = s.try_login("marie@cpas-saint-gilles.example.be", "not the password at all");
    assert_eq!((status, none.is_none()), (401, true));
    let me = s.login("Marie@cpas-saint-gilles.example.be", PASSWORD);
    let home = me.get("/");
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("marie@cpas-saint-gilles.example.be"));
    // Signing out needs the session's token; then the session is over.
    assert_eq!(me.post_raw("/logout", "").status, 403);
    assert_eq!(me.post_raw("/logout", "csrf=0000000000000000000000").status, 403);
    let out = me.post_form("/logout", &[]);
    assert_eq!(out.status, 303);
    assert!(out.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")));
    assert_eq!(me.get("/").status, 303, "signed out");
    // Removing an account ends its sessions at once.
    let committee = s.login("comite@cpas-saint-gilles.example.be", "le comité lit seulement");
    assert_eq!(committee.get("/").status, 200);
    t.run(["users", "remove", "comite@cpas-saint-gilles.example.be"]).success();
    assert_eq!(committee.get("/").status, 303);
}

#[test]
fn ten_wrong_passwords_then_signing_in_is_refused_for_a_while() {
    let t = desk();
    let s = t.serve();
    for i in 0..10 {
        let (status, _) = s.try_login("marie@cpas-saint-gilles.example.be", &format!("wrong password {i}"));
        assert_eq!(status, 401, "attempt {i}");
    }
    // The eleventh, even with the right password: 429, in words.
    let (status, session) = s.try_login("marie@cpas-saint-gilles.example.be", PASSWORD);
    assert_eq!((status, session.is_none()), (429, true));
    // Another account is not blocked by the first one's failures.
    s.login("comite@cpas-saint-gilles.example.be", "le comité lit seulement");
}

#[test]
fn a_committee_account_reads_and_a_form_without_its_token_is_refused() {
    let t = desk();
    let s = t.serve();
    let committee = s.login("comite@cpas-saint-gilles.example.be", "le comité lit seulement");
    let home = committee.get("/");
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("href=\"/roster\""), "a committee account is not shown the roster's actions");
    assert!(home.body.contains("href=\"/flags\"") && home.body.contains("href=\"/reports\""));
    // The committee signs out like anyone.
    assert_eq!(committee.post_form("/logout", &[]).status, 303);
}

#[test]
fn wrong_passwords_sent_at_once_are_all_counted() {
    let t = desk();
    let s = t.serve();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let tries: Vec<_> = (0..16)
            .map(|i| {
                let s = &s;
                scope.spawn(move || s.try_login("marie@cpas-saint-gilles.example.be", &format!("guess number {i}")).0)
            })
            .collect();
        tries.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(wrong, 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 6, "{statuses:?}");
}

#[test]
fn after_signing_in_the_browser_goes_only_to_a_page_of_this_site() {
    let t = desk();
    let s = t.serve();
    for (next, expected) in
        [("/%3Flang%3Dnl", "/?lang=nl"), ("/%09/evil.example", "/"), ("//evil.example", "/"), ("/%5Cevil.example", "/")]
    {
        let page = s.get(&format!("/login?next={next}"));
        let cookie = page.cookies_set().join("; ");
        let csrf = page.form_token().unwrap();
        let at = page.body.find("name=\"next\" value=\"").unwrap() + "name=\"next\" value=\"".len();
        let kept = page.body[at..]
            .split('"')
            .next()
            .unwrap()
            .replace("&#x2f;", "/")
            .replace("&#x3f;", "?")
            .replace("&#x3d;", "=");
        let body = serde_urlencoded::to_string([
            ("csrf", csrf.as_str()),
            ("email", "marie@cpas-saint-gilles.example.be"),
            ("password", PASSWORD),
            ("next", &urlencoding_decode(next)),
        ])
        .unwrap();
        let headers = [("Cookie", cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
        let signed = s.request_with("POST", "/login", &headers, body.as_bytes());
        assert_eq!(signed.status, 303, "{next}");
        assert_eq!(signed.header("location"), Some(expected), "{next} (the form kept {kept})");
    }
}

/// `s` with its %XX escapes decoded.
fn urlencoding_decode(s: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}")).unwrap().remove(0).1
}

#[test]
fn a_change_to_charte_toml_is_seen_by_the_next_page() {
    let t = desk();
    let s = t.serve();
    let me = s.login("marie@cpas-saint-gilles.example.be", PASSWORD);
    assert!(me.get("/").body.contains("action sociale de Saint-Gilles"));
    let config = t.path("charte.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let renamed = text.replacen(
        "name_fr = \"Coordination de l'action sociale de Saint-Gilles\"",
        "name_fr = \"Réseau social de Saint-Gilles\"",
        1,
    );
    assert_ne!(renamed, text);
    std::fs::write(&config, renamed).unwrap();
    let page = me.get("/");
    assert!(
        page.body.contains("Réseau social de Saint-Gilles"),
        "the server keeps charte.toml only while it is the same"
    );
}

#[test]
fn signing_in_rightly_adds_up_to_nothing_and_pages_say_what_they_refuse() {
    let t = desk();
    let s = t.serve();
    // Eleven right sign-ins in a row: only wrong ones count.
    for _ in 0..11 {
        s.login("marie@cpas-saint-gilles.example.be", PASSWORD);
    }
    // A committee account asking for a coordinator's page is told why.
    let committee = s.login("comite@cpas-saint-gilles.example.be", "le comité lit seulement");
    let refused = committee.get("/roster");
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("celui du comité"), "{}", refused.body);
    // A form's address opened as a page: the site's own page, in words.
    let me = s.login("marie@cpas-saint-gilles.example.be", PASSWORD);
    let opened = me.get("/roster/import/confirm");
    assert_eq!(opened.status, 405);
    assert!(opened.body.contains("ne s'ouvre pas ainsi"), "{}", opened.body);
    // The language links keep the page and its filter.
    let page = me.get("/roster?state=signed");
    assert!(
        page.body.contains("href=\"/roster?state=signed&#38;lang=nl\""),
        "{}",
        &page.body[..2000.min(page.body.len())]
    );
}
