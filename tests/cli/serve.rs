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

/// The link of `organisation`'s adherence mail in the workspace [`signing`] made.
fn link_of(t: &Test, organisation: &str) -> String {
    let sent = mails(t, ".send.1.");
    let mail = sent.iter().find(|(text, _)| text.contains(organisation)).expect("its adherence mail");
    link_token("http://127.0.0.1", mail)
}

/// Uploads `file` on the signing page of `token` as a browser does
/// (multipart: `csrf`, then `file`), with the page's own CSRF token.
fn upload(s: &Served, token: &str, name: &str, file: &[u8]) -> Response {
    let page = s.get(&format!("/s/{token}"));
    assert!(page.body.contains(&format!("action=\"/s/{token}/upload\"")), "the page offers the upload: {}", page.body);
    let (cookie, csrf) = csrf_of(&page);
    let (content_type, body) = multipart(&csrf, name, file);
    s.request_with(
        "POST",
        &format!("/s/{token}/upload"),
        &[("Content-Type", &content_type), ("Cookie", &cookie)],
        &body,
    )
}

const BOUNDARY: &str = "----charte-test-7d9f";

/// A multipart/form-data body with `csrf` and `file`, and its Content-Type.
fn multipart(csrf: &str, name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{BOUNDARY}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// The files kept under out/returned/.
fn returned(t: &Test) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(t.path("out/returned")) else { return Vec::new() };
    let mut names: Vec<String> = dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A small, well-formed PDF of one blank page with no seal (a scanner's),
/// with `extra` added to its catalog.
fn plain_pdf(extra: &str) -> Vec<u8> {
    let objects = [
        format!("<< /Type /Catalog /Pages 2 0 R {extra}>>"),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for at in offsets {
        pdf.extend_from_slice(format!("{at:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    pdf
}

/// A PDF signed in a reader comes back through the page and is decided as
/// `charte collect` decides: not chained to a trusted root, it waits for
/// the coordinator and leaves the link open; by the representative, under
/// a trusted root, it counts at once and uses the link.
#[test]
fn a_pdf_signed_in_a_reader_is_uploaded_and_decided_as_collect_decides() {
    use crate::collect::{WOLU_DOC, pades_sign, pades_sign_with};
    let (t, s, token) = signing();
    pades_sign(&t, WOLU_DOC, "wolu-pades.pdf", "chain-a", false);
    let r = upload(&s, &token, "wolu-pades.pdf", &std::fs::read(t.path("wolu-pades.pdf")).unwrap());
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("attend la confirmation de la coordination"), "{}", r.body);
    let listed = t.run(["returns", "--json"]).success().json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(returned(&t).len(), 1, "the waiting return is kept");
    assert!(returned(&t)[0].contains("-pades-"), "{:?}", returned(&t));
    assert_eq!(s.get(&format!("/s/{token}")).status, 200, "a return that waits leaves the link open");
    // The representative's own certificate under a trusted root: counted.
    let tomberg = link_of(&t, "Tomberg");
    let doc = "out/adherence/0845285318-maison-medicale-tomberg-roodebeek-2022-02.pdf";
    pades_sign_with(&t, doc, "tomberg-pades.pdf", "chain-b", &["--name", "Céline Bouzid (Signature)"]);
    std::fs::create_dir_all(t.path("keys/trusted-roots")).unwrap();
    std::fs::copy(t.path("chain-b/root.der"), t.path("keys/trusted-roots/test-root.der")).unwrap();
    let r = upload(&s, &tomberg, "signé.pdf", &std::fs::read(t.path("tomberg-pades.pdf")).unwrap());
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("a signé la charte"), "{}", r.body);
    let m = crate::collect::member(&t, "0845.285.318");
    assert_eq!(m["signed_version"], "2022-02", "{m}");
    assert_eq!(m["adherences"][0]["method"], "pades");
    assert_eq!(returned(&t).len(), 2);
    assert_eq!(s.get(&format!("/s/{tomberg}")).status, 404, "a proven signature uses the link");
}

/// A scan (a PDF without seal, or an image) waits for the coordinator; a
/// PDF with a script, another organisation's document, an altered file
/// are refused with the reason and leave nothing under out/.
#[test]
fn a_scan_waits_and_a_hostile_foreign_or_altered_file_is_refused_leaving_nothing() {
    use crate::collect::pades_sign;
    let (t, s, token) = signing();
    let refused = |name: &str, file: &[u8], words: &str| {
        let len = t.journal_len();
        let r = upload(&s, &token, name, file);
        assert_eq!(r.status, 422, "{name}: {}", r.body);
        assert!(r.body.contains(words), "{name}: {}", r.body);
        assert!(r.body.contains("pas été conservé"), "{name}: {}", r.body);
        assert_eq!(returned(&t), Vec::<String>::new(), "{name}: nothing written");
        assert_eq!(t.journal_len(), len + 1, "{name}: the refusal is journaled, as collect does");
    };
    refused("script.pdf", &plain_pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "), "éléments actifs");
    refused("hidden.pdf", &plain_pdf("/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >> "), "éléments actifs");
    refused("notes.txt", b"just some text", "ni un PDF ni une image");
    let cpas = "out/adherence/0250616524-cpas-de-woluwe-saint-lambert-2022-02.pdf";
    pades_sign(&t, cpas, "cpas-pades.pdf", "chain-c", false);
    refused("cpas.pdf", &std::fs::read(t.path("cpas-pades.pdf")).unwrap(), "une autre organisation");
    pades_sign(&t, crate::collect::WOLU_DOC, "altered.pdf", "chain-d", true);
    refused("altered.pdf", &std::fs::read(t.path("altered.pdf")).unwrap(), "sa signature ne se vérifie pas");
    assert_eq!(t.run(["returns", "--json"]).success().json(), serde_json::json!([]));
    // A scan of the paper signature: kept, waiting for the coordinator.
    let r = upload(&s, &token, "scan.pdf", &plain_pdf(""));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("signature sur papier scannée"), "{}", r.body);
    let listed = t.run(["returns"]).success();
    assert!(listed.stdout.contains("Wolu-Entraide"), "{}", listed.stdout);
    let kept = returned(&t);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].contains("-scan-") && kept[0].ends_with(".pdf"), "{kept:?}");
    let r = upload(&s, &token, "scan.jpg", b"\xff\xd8\xff\xe0 a scanned page");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(returned(&t).iter().any(|n| n.ends_with(".jpg")), "{:?}", returned(&t));
}

/// An upload without its CSRF token is 403; one over 20 MB, sent in chunks
/// without announcing its length, is refused (413) as it passes the limit.
#[test]
fn an_upload_without_its_token_or_over_20_mb_is_refused() {
    use std::io::{Read, Write};
    let (t, s, token) = signing();
    let (content_type, body) = multipart("AAAAAAAAAAAAAAAAAAAAAA", "scan.pdf", &plain_pdf(""));
    let r = s.request_with("POST", &format!("/s/{token}/upload"), &[("Content-Type", &content_type)], &body);
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(returned(&t).is_empty());
    let page = s.get(&format!("/s/{token}"));
    let (cookie, csrf) = csrf_of(&page);
    let (content_type, head) = multipart(&csrf, "big.pdf", b"%PDF-1.4\n");
    let head = &head[..head.len() - format!("\r\n--{BOUNDARY}--\r\n").len()];
    let mut stream = std::net::TcpStream::connect(&s.addr).unwrap();
    write!(
        stream,
        "POST /s/{token}/upload HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\nCookie: {cookie}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let head = head.to_vec();
    // 30 MB in chunks of 1 MB, until the server stops reading.
    let sender = std::thread::spawn(move || {
        let chunk = vec![b'x'; 1024 * 1024];
        let mut sent = 0usize;
        let mut send = |bytes: &[u8]| -> std::io::Result<()> {
            write!(writer, "{:x}\r\n", bytes.len())?;
            writer.write_all(bytes)?;
            writer.write_all(b"\r\n")
        };
        if send(&head).is_err() {
            return sent;
        }
        for _ in 0..30 {
            if send(&chunk).is_err() {
                return sent;
            }
            sent += chunk.len();
        }
        let _ = writer.write_all(b"0\r\n\r\n");
        sent
    });
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    assert!(raw.contains("20 Mo"), "{raw}");
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let sent = sender.join().unwrap();
    assert!(sent < 30 * 1024 * 1024, "the server stopped reading at the limit ({sent} bytes sent)");
    assert!(returned(&t).is_empty(), "nothing written");
}
