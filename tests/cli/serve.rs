//! `charte serve`: the web application's ground (issue 18 builds on it):
//! the verification page served with its script as an asset, /healthz, the
//! security headers on every response, neutral error pages, request logs
//! without tokens, and a graceful stop.

use crate::harness::*;

fn served() -> (Test, Served) {
    let t = Test::fixture("ans").at("2026-11-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let s = t.serve();
    (t, s)
}

#[test]
fn the_verification_page_is_served_with_its_script_as_an_asset() {
    let (t, s) = served();
    let page = s.get("/verify");
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.header("content-type").unwrap_or("").starts_with("text/html"));
    assert!(page.body.contains("<script src=\"/verify.js\"></script>"), "{}", page.body);
    assert!(page.body.contains("<input type=\"file\" id=\"file\""));
    // The key it holds is the workspace's.
    let key = std::fs::read_to_string(t.path("keys/coordination.pub")).unwrap();
    let held = key.lines().nth(1).unwrap();
    assert!(page.body.contains(held), "the page holds the coordination's key");
    // No inline script: only the JSON data block, which no browser runs.
    assert_eq!(page.body.matches("<script>").count(), 0);
    let script = s.get("/verify.js");
    assert_eq!(script.status, 200);
    assert!(script.header("content-type").unwrap_or("").starts_with("text/javascript"));
    assert!(script.body.contains("crypto"), "the page's own script");
    let style = s.get("/verify.css");
    assert!(style.header("content-type").unwrap_or("").starts_with("text/css"));
}

#[test]
fn every_response_carries_the_security_headers() {
    let (_t, s) = served();
    for path in ["/verify", "/verify.js", "/healthz", "/no-such-page"] {
        let r = s.get(path);
        let csp = r.header("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP: {r:?}"));
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
    }
}

#[test]
fn healthz_gives_the_journals_head() {
    let (t, s) = served();
    let r = s.get("/healthz");
    assert_eq!(r.status, 200);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
    let conn = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let (seq, hash): (i64, String) = conn
        .query_row("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(v["journal"]["entries"], seq);
    assert_eq!(v["journal"]["head"], hash.as_str());
    // It follows the journal: a command run beside the server shows.
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-12-10"]).success();
    let later: serde_json::Value = serde_json::from_str(&s.get("/healthz").body).unwrap();
    assert_eq!(later["journal"]["entries"], seq + 1);
}

#[test]
fn an_unknown_page_is_neutral_and_the_log_keeps_no_token() {
    let (_t, s) = served();
    let r = s.get("/nothing/here/SECRETTOKEN?email=someone@example.be");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Cette page n'existe pas.") && r.body.contains("Deze pagina bestaat niet."), "{}", r.body);
    // An unknown signing link: the one neutral page, in the language asked.
    let r = s.get("/s/0123456789abcdefSECRETTOKEN");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Ce lien ne peut pas être utilisé"), "{}", r.body);
    assert!(!r.body.contains("/tmp") && !r.body.contains("src/"), "no internal path: {}", r.body);
    let run = s.stop();
    assert_eq!(run.code, 0, "SIGTERM stops it cleanly: {}", run.stderr);
    assert!(run.stdout.contains("stopped"), "{}", run.stdout);
    // One JSON line per request, with the route and never the token.
    assert!(!run.stderr.contains("SECRETTOKEN") && !run.stderr.contains("someone@"), "{}", run.stderr);
    let line = run.stderr.lines().find(|l| l.contains("\"status\":404")).expect("the request is logged");
    let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
    assert_eq!(v["method"], "GET");
}

#[test]
fn a_folder_that_is_not_a_workspace_is_said_before_listening() {
    let t = Test::empty();
    let r = t.run(["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stdout.contains("serves"), "it never listened: {}", r.stdout);
}

#[test]
fn pages_speak_the_visitors_language_and_remember_the_choice() {
    let (_t, s) = served();
    // Ans's main language is French.
    assert!(s.get("/privacy").body.contains("Vos données et vos droits"));
    let nl = s.request_with("GET", "/privacy", &[("Accept-Language", "nl-BE,nl;q=0.9")], b"");
    assert!(nl.body.contains("Uw gegevens en uw rechten"), "Accept-Language: {}", nl.body);
    assert!(nl.body.contains("<html lang=\"nl\">"));
    let chosen = s.get("/privacy?lang=nl");
    assert!(chosen.body.contains("Uw gegevens"));
    let cookie = chosen.header("set-cookie").expect("the choice is remembered");
    assert!(cookie.starts_with("charte_lang=nl") && cookie.contains("HttpOnly"), "{cookie}");
    let remembered =
        s.request_with("GET", "/s/unknown", &[("Cookie", "charte_lang=nl"), ("Accept-Language", "fr")], b"");
    assert!(remembered.body.contains("Deze link kan niet gebruikt worden"), "{}", remembered.body);
}

#[test]
fn a_request_announcing_too_large_a_body_is_refused_before_it_is_read() {
    use std::io::{Read, Write};
    let (_t, s) = served();
    let mut stream = std::net::TcpStream::connect(&s.addr).unwrap();
    // 30 MB announced, none sent: the answer comes at once.
    write!(stream, "POST /s/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 31457280\r\nConnection: close\r\n\r\n").unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw);
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    assert!(raw.contains("20 Mo") && raw.contains("20 MB"), "{raw}");
}

/// Woluwe-Saint-Lambert with `[serve] public_url`, its adherence mails sent
/// (each with its link), served; and the link of Wolu-Entraide's mail.
fn signing() -> (Test, Served, String) {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-02");
    let config = t.path("charte.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}\n[serve]\npublic_url = \"http://127.0.0.1\"\n")).unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let t = t.at("2026-01-05");
    t.run(["run", "adhesion"]).success();
    let sent = mails(&t, ".send.1.");
    let mail = sent.iter().find(|(text, _)| text.contains("Wolu-Entraide")).expect("Wolu-Entraide's mail");
    let token = link_token("http://127.0.0.1", mail);
    let s = t.serve();
    (t, s, token)
}

/// The CSRF cookie a page set, as a Cookie header, and the token of its forms.
fn csrf_of(page: &Response) -> (String, String) {
    let cookie = page.header("set-cookie").expect("a CSRF cookie").split(';').next().unwrap().to_owned();
    assert!(page.header("set-cookie").unwrap().contains("SameSite=Strict"));
    let at = page.body.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    let token = page.body[at..].split('"').next().unwrap().to_owned();
    (cookie, token)
}

#[test]
fn a_post_without_its_csrf_token_is_refused_and_codes_are_rate_limited() {
    let (t, s, token) = signing();
    let page = s.get(&format!("/s/{token}"));
    assert_eq!(page.status, 200, "{}", page.body);
    let (cookie, csrf) = csrf_of(&page);
    let form = |csrf: &str| format!("csrf={csrf}&signer=Anne+Lambert&capacity=pr%C3%A9sidente&mandate=yes");
    let post = |headers: &[(&str, &str)], body: &str| {
        let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
        all.extend_from_slice(headers);
        s.request_with("POST", &format!("/s/{token}/code"), &all, body.as_bytes())
    };
    // No cookie, a wrong token, no token: 403, and no code mailed.
    let codes = || {
        std::fs::read_dir(t.path("out/outbox"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("code."))
            .count()
    };
    assert_eq!(post(&[], &form(&csrf)).status, 403);
    assert_eq!(post(&[("Cookie", &cookie)], &form("AAAAAAAAAAAAAAAAAAAAAA")).status, 403);
    assert_eq!(post(&[("Cookie", &cookie)], "signer=A&capacity=B&mandate=yes").status, 403);
    assert_eq!(codes(), 0, "nothing was mailed");
    // With it: a code mailed each time, up to 5 in a quarter of an hour for
    // one link; the 6th is 429 and mails nothing.
    for n in 1..=5 {
        let r = post(&[("Cookie", &cookie)], &form(&csrf));
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(codes(), n);
    }
    let r = post(&[("Cookie", &cookie)], &form(&csrf));
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("Trop de tentatives"), "{}", r.body);
    assert_eq!(codes(), 5);
    assert!(!r.body.contains("/tmp") && !r.body.contains("src/"), "no internal path");
}

#[test]
fn a_request_that_does_not_read_gets_the_sites_own_page() {
    let (_t, s) = served();
    for (method, path, headers, body) in [
        ("GET", "/privacy?lang=fr&lang=nl", vec![], ""),
        ("POST", "/s/abc/code", vec![], "csrf=a"),
        ("POST", "/s/abc/code", vec![("Content-Type", "application/x-www-form-urlencoded")], "csrf=a&csrf=b"),
        ("GET", "/s/%ff%fe", vec![], ""),
    ] {
        let r = s.request_with(method, path, &headers, body.as_bytes());
        assert!(r.status >= 400 && r.status < 500, "{method} {path}: {r:?}");
        assert!(r.header("content-type").unwrap_or("").starts_with("text/html"), "{method} {path}: {r:?}");
        assert!(
            !r.body.contains("Failed to") && !r.body.contains("deserialize") && !r.body.contains("`"),
            "{method} {path}: {}",
            r.body
        );
        assert!(r.header("content-security-policy").is_some());
    }
}

#[test]
fn an_organisation_that_signed_cannot_sign_again_through_another_of_its_links() {
    let (t, s, _) = signing();
    // Taalpunt's adherence mail went to two addresses: two links.
    let sent = mails(&t, ".send.1.");
    let tokens: Vec<String> =
        sent.iter().filter(|(text, _)| text.contains("Taalpunt")).map(|m| link_token("http://127.0.0.1", m)).collect();
    assert_eq!(tokens.len(), 2, "one link per address");
    let form = "Content-Type";
    let post = |token: &str, step: &str, cookie: &str, body: String| {
        s.request_with(
            "POST",
            &format!("/s/{token}/{step}"),
            &[(form, "application/x-www-form-urlencoded"), ("Cookie", cookie)],
            body.as_bytes(),
        )
    };
    let page = s.get(&format!("/s/{}", tokens[0]));
    let (cookie, csrf) = csrf_of(&page);
    let details = format!("csrf={csrf}&signer=Koen+Claes&capacity=co%C3%B6rdinator&mandate=yes");
    assert_eq!(post(&tokens[0], "code", &cookie, details.clone()).status, 200);
    let (code, _) = mailed_code(&t);
    let done = post(&tokens[0], "sign", &cookie, format!("{details}&code={code}"));
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("heeft het charter ondertekend"), "{}", done.body);
    // The confirmation, in Dutch, to the registered address, with the
    // signed PDF attached: the very file written.
    let confirmation = std::fs::read_dir(t.path("out/outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("signed."))
        .expect("a confirmation mail");
    let eml = std::fs::read(&confirmation).unwrap();
    let m = mail_parser::MessageParser::default().parse(&eml).unwrap();
    assert_eq!(m.to().unwrap().first().unwrap().address().unwrap(), "onthaal@taalpunt-woluwe.example.be");
    assert!(m.body_text(0).unwrap().contains("Koen Claes (coördinator) heeft op"), "{}", m.body_text(0).unwrap());
    let attached = m.attachment(0).expect("the signed PDF").contents().to_vec();
    let signed = std::fs::read_dir(t.path("out/signed")).unwrap().next().unwrap().unwrap().path();
    assert_eq!(attached, std::fs::read(&signed).unwrap(), "the signed PDF as written");
    // The other link: the organisation signed already; no code is mailed.
    let other = s.get(&format!("/s/{}", tokens[1]));
    assert!(other.body.contains("heeft het charter al ondertekend"), "{}", other.body);
    let codes = || {
        std::fs::read_dir(t.path("out/outbox"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("code."))
            .count()
    };
    let before = codes();
    let again = post(&tokens[1], "code", &cookie, details);
    assert!(again.body.contains("heeft het charter al ondertekend"), "{}", again.body);
    assert_eq!(codes(), before, "no code for a signature already given");
    assert_eq!(std::fs::read_dir(t.path("out/signed")).unwrap().count(), 1, "one signed PDF");
}
