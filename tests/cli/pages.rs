//! What members and funders read: the pages and mails in French and Dutch,
//! read back as text (pdftotext, the .eml text parts). The organiser and
//! the network in the reader's language, French elision and articles, no
//! "réunion(s)", labelled references, the coordination's contact block,
//! the seal key's fingerprint, the annual report in each language.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::*;

/// The PDF's text with runs of white space made one space (pdftotext
/// breaks lines where the page does).
fn text_of(path: &Path) -> String {
    let out = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed on {}", path.display());
    // A word hyphenated at a line's end comes out as "intercom\u{ad} munal".
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ").replace("\u{ad} ", "")
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path, ext));
        } else if path.extension().is_some_and(|x| x == ext) {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Woluwe-Saint-Lambert's roster imported, its key made; the key's
/// fingerprint as `charte keys init` printed it.
fn wsl() -> (Test, String) {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    let keys = t.run(["keys", "init"]).success();
    let fingerprint = keys
        .stdout
        .split_whitespace()
        .skip_while(|w| *w != "fingerprint")
        .nth(1)
        .expect("keys init prints the fingerprint")
        .to_owned();
    (t, fingerprint)
}

/// A whole year of a fixture, replayed by `charte demo`: every document,
/// report, letter and mail of that year.
fn demo(fixture: &str) -> (Test, PathBuf) {
    let t = Test::empty();
    let out = t.root.join(fixture);
    let mut cmd = Command::new(BIN);
    cmd.args(["demo", fixture, "--out", out.to_str().unwrap()]).current_dir(repo());
    Run::of(cmd).success();
    (t, out)
}

#[test]
fn a_dutch_reader_reads_the_organiser_and_the_network_in_dutch() {
    let (t, _) = wsl();
    t.run(["issue", "--all"]).success();
    // Taalpunt Woluwe vzw reads Dutch (roster.csv).
    let nl = text_of(&t.path("out/adherence/0580868068-taalpunt-woluwe-vzw-2022-02.pdf"));
    assert!(nl.contains("OCMW VAN SINT-LAMBRECHTS-WOLUWE"), "{nl}");
    assert!(nl.contains("het charter van de Sociale coördinatie Sint-Lambrechts-Woluwe"), "{nl}");
    assert!(!nl.contains("CPAS de Woluwe") && !nl.contains("Woluwe-Saint-Lambert,"), "{nl}");
    assert!(nl.contains("Documentreferentie CSWSL-2022-02-0580868068"), "{nl}");
    assert!(nl.contains("Sint-Lambertusstraat 168, 1200 Sint-Lambrechts-Woluwe"), "the Dutch address: {nl}");
}

#[test]
fn french_names_take_their_article_and_elide() {
    let (t, _) = wsl();
    t.run(["issue", "--all"]).success();
    let fr = text_of(&t.path("out/adherence/0250616524-cpas-de-woluwe-saint-lambert-2022-02.pdf"));
    assert!(fr.contains("la charte de la Coordination sociale de Woluwe-Saint-Lambert, version 2022-02"), "{fr}");
    assert!(!fr.contains("charte de Coordination"), "{fr}");
    assert!(fr.contains("Référence du document CSWSL-2022-02-0250616524"), "{fr}");

    // The Relais social is masculine: "du Relais social".
    let t = Test::fixture("relais-social-luxembourg").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["issue", "--all"]).success();
    let any = files(&t.path("out/adherence"), "pdf").into_iter().next().expect("a document");
    let fr = text_of(&any);
    assert!(fr.contains("la charte du Relais social intercommunal de la province de Luxembourg"), "{fr}");
}

#[test]
fn every_sealed_document_prints_the_fingerprint_of_the_key_that_sealed_it() {
    let (t, fingerprint) = wsl();
    assert_eq!(fingerprint.len(), 16, "{fingerprint}");
    t.run(["issue", "--all"]).success();
    for pdf in files(&t.path("out/adherence"), "pdf") {
        let text = text_of(&pdf);
        assert!(text.contains(&fingerprint), "{}: {text}", pdf.display());
        assert!(text.contains("verify.html"), "how to verify without charte: {text}");
    }
    t.run(["report", "annual", "--year", "2026"]).success();
    for name in ["annual-2026.pdf", "annual-2026.nl.pdf"] {
        let text = text_of(&t.path(&format!("out/reports/{name}")));
        assert!(text.contains(&fingerprint), "{name}: {text}");
        assert!(text.contains("verify.html"), "{name}: {text}");
        // The technical reader's way stays, in second place.
        assert!(text.contains("verify_seal.py"), "{name}: {text}");
    }
}

/// The fingerprint of the workspace's public key, computed as docs/seal.md
/// §1 says (the first 16 hexadecimal digits of the SHA-256 of the 32 key
/// bytes), not by charte.
fn fingerprint_of_public_key(t: &Test) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let file = std::fs::read_to_string(t.path("keys/coordination.pub")).unwrap();
    let line = file.lines().nth(1).expect("the key is the file's second line");
    let key = base64::engine::general_purpose::STANDARD.decode(line).unwrap();
    assert_eq!(key.len(), 32, "an ed25519 public key");
    hex::encode(sha2::Sha256::digest(&key))[..16].to_owned()
}

/// The sentence that tells a reader in `lang` how to check a sealed PDF with
/// the coordination's verification page: the page (the file that comes with
/// `with`, or /verify on its site) opened in a browser, the PDF dropped on
/// it, nothing sent, and `fingerprint` to compare with the one the
/// coordination gave through another channel.
fn how_to_check(lang: &str, with: &str, fingerprint: &str) -> String {
    match lang {
        "fr" => format!(
            "ouvrez dans votre navigateur web la page de vérification de la coordination (le fichier verify.html \
             joint à {with}, ou la page /verify de son site charte) et faites-y glisser ce PDF : il ne quitte pas \
             votre ordinateur ; la page doit indiquer l'empreinte de clé {fingerprint}, que vous comparerez aussi \
             avec celle que la coordination vous a communiquée par un autre canal."
        ),
        _ => format!(
            "opent u de verificatiepagina van de coördinatie in uw webbrowser (het bestand verify.html dat bij \
             {with} gevoegd is, of de pagina /verify van haar charte-website) en sleept u deze pdf naar die pagina: \
             het bestand verlaat uw computer niet; de pagina moet de vingerafdruk {fingerprint} van de sleutel \
             tonen, en die vergelijkt u ook met de vingerafdruk die de coördinatie u via een ander kanaal heeft \
             meegedeeld."
        ),
    }
}

/// Issue 17: an association reads, at the foot of its document's first
/// page and in its own language, the key's fingerprint and how to check the
/// document with the verification page.
#[test]
fn the_adherence_document_says_how_to_check_it_with_the_verification_page() {
    let (t, printed) = wsl();
    let fingerprint = fingerprint_of_public_key(&t);
    assert_eq!(fingerprint, printed, "keys init printed the fingerprint of keys/coordination.pub");
    t.run(["issue", "--all"]).success();
    let fr = text_of(&t.path("out/adherence/0250616524-cpas-de-woluwe-saint-lambert-2022-02.pdf"));
    let sentence = how_to_check("fr", "ses rapports", &fingerprint);
    assert_eq!(fr.matches(&sentence).count(), 1, "{sentence}\nin: {fr}");
    assert!(fr.contains("Ce document porte le sceau électronique de la coordination. Pour vérifier"), "{fr}");
    assert!(!fr.contains("verify_seal.py"), "no script for a social worker: {fr}");
    // Taalpunt Woluwe vzw reads Dutch.
    let nl = text_of(&t.path("out/adherence/0580868068-taalpunt-woluwe-vzw-2022-02.pdf"));
    let zin = how_to_check("nl", "haar verslagen", &fingerprint);
    assert_eq!(nl.matches(&zin).count(), 1, "{zin}\nin: {nl}");
    assert!(nl.contains("Dit document is elektronisch verzegeld door de coördinatie. Om na te gaan"), "{nl}");
    assert!(!nl.contains("navigateur") && !nl.contains("verify_seal.py"), "{nl}");
}

/// Issue 17: the annual report says it on its cover and leads its last
/// page with it, in each language of the network; the script and the
/// command follow as the technical reader's way, and the facts that reader
/// needs (the fingerprint, the journal's head) stay on the page.
#[test]
fn the_annual_report_says_how_to_check_it_with_the_verification_page() {
    let (t, _) = wsl();
    let fingerprint = fingerprint_of_public_key(&t);
    t.run(["report", "annual", "--year", "2026"]).success();
    for (name, lang, with, technical) in [
        ("annual-2026", "fr", "ce rapport", "charte verify FICHIER.pdf --key coordination.pub"),
        ("annual-2026.nl", "nl", "dit verslag", "charte verify BESTAND.pdf --key coordination.pub"),
    ] {
        let text = text_of(&t.path(&format!("out/reports/{name}.pdf")));
        let sentence = how_to_check(lang, with, &fingerprint);
        assert_eq!(text.matches(&sentence).count(), 2, "on the cover and the last page: {sentence}\nin: {text}");
        let seal: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(t.path(&format!("out/reports/{name}.seal.json"))).unwrap())
                .unwrap();
        let head = seal["manifest"]["extra"]["journal_head"].as_str().unwrap();
        let last_page = text.rfind(&sentence).unwrap();
        let after = |needle: &str| text[last_page..].find(needle).unwrap_or_else(|| panic!("{needle} in {text}"));
        assert!(after(head) < after("verify_seal.py"), "the page first, the journal's head, then the script");
        assert!(after("verify_seal.py") < after(technical), "{text}");
    }
}

/// Issue 17: the funder's report ends with how to check it with the
/// verification page, in the network's main language: French, then Dutch
/// once charte.toml puts Dutch first.
#[test]
fn the_subsidy_report_says_how_to_check_it_with_the_verification_page() {
    let (t, _) = wsl();
    let fingerprint = fingerprint_of_public_key(&t);
    let t = t.at("2026-12-15");
    t.run(["report", "subsidy", "--year", "2026", "--no-expenses"]).success();
    let pdf = t.path("out/reports/subsidy-2026.pdf");
    let fr = text_of(&pdf);
    let sentence = how_to_check("fr", "ce rapport", &fingerprint);
    assert_eq!(fr.matches(&sentence).count(), 1, "{sentence}\nin: {fr}");
    assert!(fr.find(&sentence) < fr.find("verify_seal.py"), "the page first: {fr}");

    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    assert!(toml.contains("languages = [\"fr\", \"nl\"]"));
    std::fs::write(t.path("charte.toml"), toml.replace("languages = [\"fr\", \"nl\"]", "languages = [\"nl\", \"fr\"]"))
        .unwrap();
    t.run(["report", "subsidy", "--year", "2026", "--no-expenses"]).success();
    let nl = text_of(&pdf);
    let zin = how_to_check("nl", "dit verslag", &fingerprint);
    assert_eq!(nl.matches(&zin).count(), 1, "{zin}\nin: {nl}");
    assert!(nl.find(&zin) < nl.find("verify_seal.py"), "the page first: {nl}");
    assert!(nl.contains("Verslag aan de subsidiërende overheid 2026"), "{nl}");
    t.run(["verify", pdf.to_str().unwrap()]).success();
}

#[test]
fn the_annual_report_is_made_in_each_language_of_the_network() {
    let (t, _) = wsl();
    t.run(["report", "annual", "--year", "2026"]).success().stdout_has("annual-2026.nl.pdf");
    let fr = t.path("out/reports/annual-2026.pdf");
    let nl = t.path("out/reports/annual-2026.nl.pdf");
    let fr_text = text_of(&fr);
    let nl_text = text_of(&nl);
    assert!(fr_text.contains("Les organisations du réseau") && fr_text.contains("Signalements"), "{fr_text}");
    assert!(nl_text.contains("De organisaties van het netwerk") && nl_text.contains("Signaleringen"), "{nl_text}");
    assert!(nl_text.contains("Documentreferentie CSWSL-jaarverslag-2026-"), "{nl_text}");
    assert!(!nl_text.contains("annual-report"), "no English id on a Dutch page");
    // Each is sealed and verifies on its own; the figures stay one file.
    for pdf in [&fr, &nl] {
        t.run(["verify", pdf.to_str().unwrap()]).success();
    }
    assert!(t.path("out/reports/annual-2026.nl.seal.json").exists());
    assert!(!t.path("out/reports/annual-2026.nl.csv").exists());

    // A network that writes in French only makes one report.
    let t = Test::fixture("ans").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    assert!(t.path("out/reports/annual-2026.pdf").exists());
    assert!(!t.path("out/reports/annual-2026.nl.pdf").exists());
}

#[test]
fn the_contact_block_is_checked() {
    let t = Test::new();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(t.path("charte.toml"), toml.replace("phone = \"02 000 00 00\"", "phone = \"call us\"")).unwrap();
    t.run(["members", "list"]).code(2).stderr_has("coordination.contact.phone");
    std::fs::write(
        t.path("charte.toml"),
        toml.replace("email = \"coordination@cpas.example.be\"\n\n[charter]", "email = \"nobody\"\n\n[charter]"),
    )
    .unwrap();
    t.run(["members", "list"]).code(2).stderr_has("coordination.contact.email");
}

/// One demo year read whole: letters give the contact block, no
/// "réunion(s)" or unelided name anywhere, in the PDFs or in the mails.
#[test]
fn a_year_of_pages_and_mails_reads_as_written_by_hand() {
    let (_t, out) = demo("woluwe-saint-lambert");

    let letters = files(&out.join("out/letters"), "pdf");
    assert!(!letters.is_empty(), "the demo drafts letters");
    for letter in &letters {
        let text = text_of(letter);
        assert!(text.contains("02 774 36 40"), "{}: the phone: {text}", letter.display());
        assert!(text.contains("coordination.sociale@cpas-woluwe-saint-lambert.example.be"), "{text}");
        assert!(
            text.contains("Rue Saint-Lambert 168") || text.contains("Sint-Lambertusstraat 168"),
            "the postal address: {text}"
        );
        assert!(!text.contains("attention de A") && !text.contains("attention de E"), "elided: {text}");
    }

    let unelided = regex_lite(&["de A", "de E", "de I", "de O", "de U", "de É", "de Le ", "de Les "]);
    for pdf in files(&out.join("out"), "pdf") {
        let text = text_of(&pdf);
        assert!(!text.contains("(s)") && !text.contains("(en)"), "{}: {text}", pdf.display());
        if let Some(bad) = unelided(&text) {
            panic!("{}: \"{bad}\" in {text}", pdf.display());
        }
    }

    let mut parts = 0;
    for eml in files(&out.join("out/outbox"), "eml") {
        for part in text_parts(&std::fs::read(&eml).unwrap()) {
            parts += 1;
            assert!(!part.contains("(s)"), "{}: {part}", eml.display());
            if let Some(bad) = unelided(&part) {
                panic!("{}: \"{bad}\" in {part}", eml.display());
            }
            assert!(!part.contains("Coordination sociale de Woluwe-Saint-Lambert convoque CPAS"), "{part}");
        }
    }
    assert!(parts > 0, "mails were read");
}

/// A finder of "de " + a vowel (or an article) that starts a word: the
/// forms French elides or contracts. Returns the first one found.
fn regex_lite(needles: &'static [&'static str]) -> impl Fn(&str) -> Option<String> {
    move |text: &str| {
        for needle in needles {
            let mut from = 0;
            while let Some(i) = text[from..].find(needle) {
                let at = from + i;
                // A word boundary before "de" ("prolonge Emre" is not it).
                let before = text[..at].chars().next_back();
                let after_first_letter = text[at + needle.len()..].chars().next();
                // "de A" followed by a lower-case letter (a word), not an
                // initial or an acronym such as "de ASBL" (also wrong, but
                // rare) or a figure's label.
                let word = after_first_letter.is_some_and(char::is_lowercase) || needle.ends_with(' ');
                if before.is_none_or(|c| !c.is_alphanumeric()) && word {
                    return Some(text[at..(at + needle.len() + 12).min(text.len())].to_owned());
                }
                from = at + needle.len();
            }
        }
        None
    }
}

/// The text/plain and text/html parts of a message, decoded (quoted-
/// printable or base64), as one string each.
fn text_parts(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut out = Vec::new();
    for section in text.split("\nContent-Type: ").skip(1) {
        if !(section.starts_with("text/plain") || section.starts_with("text/html")) {
            continue;
        }
        let Some((headers, body)) = section.split_once("\r\n\r\n").or_else(|| section.split_once("\n\n")) else {
            continue;
        };
        let body = body.split("\n--").next().unwrap_or(body);
        let decoded = if headers.to_ascii_lowercase().contains("quoted-printable") {
            quoted_printable(body)
        } else if headers.to_ascii_lowercase().contains("base64") {
            use base64::Engine as _;
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8_lossy(&base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default())
                .into_owned()
        } else {
            body.to_owned()
        };
        out.push(decoded.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Some(b) = joined.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The organisation with the longest name a roster may hold: the cover,
/// the declaration and the signature boxes keep the whole name, and the
/// document still verifies.
#[test]
fn a_two_hundred_character_name_is_printed_whole() {
    let (t, _) = wsl();
    let name = "Association intercommunale d'entraide, d'hébergement d'urgence et d'accompagnement \
                psycho-médico-social des familles monoparentales et des personnes âgées isolées de \
                Woluwe-Saint-Lambert";
    let name = format!("{name} {}", "x".repeat(200 - name.chars().count() - 1));
    assert_eq!(name.chars().count(), 200);
    std::fs::write(
        t.path("long.csv"),
        format!(
            "name,enterprise_number,email,language,status,representative,address\n\"{name}\",0250.616.524,\
             info@long.example.be,fr,member,Marie-Christine Vandenberghe-Dupont,\"Boulevard de la Woluwe 2, \
             1200 Woluwe-Saint-Lambert\"\n"
        ),
    )
    .unwrap();
    t.run(["members", "import", "long.csv"]).success();
    t.run(["issue", "--all"]).success();
    let pdf = files(&t.path("out/adherence"), "pdf")
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("0250616524-association-intercommunale"))
        .expect("the long name's document");
    let text = text_of(&pdf).replace("- ", "-");
    assert!(text.matches(&name[..60]).count() >= 3, "cover, identity, declaration: {text}");
    assert!(text.contains("xxxxx"), "the end of the name: {text}");
    t.run(["verify", pdf.to_str().unwrap()]).success();
}
