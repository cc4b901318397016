//! Issue 17: every report writes out/verify.html, the page on which a
//! funder checks it in its own browser (the page's checks themselves run in
//! a real browser: tests/browser/). Here: what the page holds.

use crate::harness::*;

/// The JSON data block the page's script reads: the keys it trusts.
fn held(t: &Test) -> serde_json::Value {
    let html = std::fs::read_to_string(t.path("out/verify.html")).expect("out/verify.html is written");
    let open = "<script type=\"application/json\" id=\"charte-keys\">";
    let start = html.find(open).expect("the data block") + open.len();
    let end = start + html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..end]).expect("JSON")
}

fn fingerprint(t: &Test, rel: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let text = std::fs::read_to_string(t.path(rel)).unwrap();
    let key = base64::engine::general_purpose::STANDARD.decode(text.lines().nth(1).unwrap()).unwrap();
    hex::encode(sha2::Sha256::digest(&key))[..16].to_owned()
}

#[test]
fn a_report_writes_the_verification_page_with_the_keys_it_trusts() {
    let t = Test::fixture("ans").at("2026-11-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["keys", "member", "--out", "org.key"]).success();
    t.run(["members", "set-key", "0251.839.219", "org.key.pub"]).success();
    assert!(!t.path("out/verify.html").exists(), "written with the reports");
    t.run(["report", "annual", "--year", "2025"]).success().stdout_has("out/verify.html");
    let first = fingerprint(&t, "keys/coordination.pub");
    let page = std::fs::read_to_string(t.path("out/verify.html")).unwrap();
    assert!(page.contains(&first), "the page shows the key's fingerprint");
    assert!(page.contains("<input type=\"file\" id=\"file\""), "DESIGN.md: the file input");
    assert!(page.contains("id=\"verdict\""), "DESIGN.md: the verdict element");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(t.path("out/verify.html")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "a page to hand out");
    }
    let v = held(&t);
    assert_eq!(v["keys"][0]["fingerprint"], first.as_str());
    assert_eq!(v["keys"].as_array().unwrap().len(), 1);
    assert_eq!(v["members"][0]["enterprise_number"], "0251.839.219");
    assert_eq!(v["members"][0]["organisation"], "CPAS d'Ans");

    // After a rotation, the page holds the new key first and the former
    // one with the day it retired.
    let t = t.at("2026-11-20");
    t.run(["keys", "rotate"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    let v = held(&t);
    let keys = v["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{v}");
    assert_eq!(keys[0]["fingerprint"], fingerprint(&t, "keys/coordination.pub").as_str());
    assert_eq!(keys[0]["retired"], serde_json::Value::Null);
    assert_eq!(keys[1]["fingerprint"], first.as_str());
    assert_eq!(keys[1]["retired"], "2026-11-20");
}
