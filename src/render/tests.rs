//! Render tests: data stays data, output is reproducible, errors are located.

use std::process::Command;

use chrono::NaiveDate;
use serde_json::json;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

const CHARTER: &str = "# Préambule\n\nLes organisations du réseau **s'engagent** à collaborer.\n\n## Article 1 — Objet\n\nLa coordination sociale favorise la concertation entre les acteurs.\n\n- échanger les informations utiles ;\n- orienter les personnes ;\n- **évaluer** ensemble.\n";

pub(crate) fn sample(name: &str) -> serde_json::Value {
    let data = AdherenceData::new(
        None,
        "fr",
        CoordinationData {
            name: "Coordination sociale d'Ixelles".into(),
            short: Some("CSI".into()),
            organiser: "CPAS d'Ixelles".into(),
            territory: Some("Ixelles".into()),
            of_name: "de la Coordination sociale d'Ixelles".into(),
            the_name: "la Coordination sociale d'Ixelles".into(),
            of_organiser: "du CPAS d'Ixelles".into(),
            the_organiser: "le CPAS d'Ixelles".into(),
            contact: None,
        },
        OrganisationData {
            name: name.into(),
            enterprise_number: "0123.456.749".into(),
            address: Some("Rue de la Croix 12, 1050 Ixelles".into()),
            sectors: vec!["Logement".into(), "Aide alimentaire".into()],
            representative: Some("Jeanne Dupont".into()),
            email: Some("info@etoile.be".into()),
            of_name: crate::render::of(name, crate::roster::Language::Fr),
        },
        CharterData::from_markdown("2022-02", Some(date(2022, 2, 15)), CHARTER),
        DocumentData { id: "ADH-2022-02-0123456749".into(), issued: date(2025, 3, 1), seal_key: None },
    )
    .expect("built-in strings load");
    data.to_value()
}

fn template() -> String {
    load_template(None, ADHERENCE_TEMPLATE).expect("built-in template")
}

fn render(engine: &Engine, name: &str) -> Vec<u8> {
    engine
        .pdf(&template(), &sample(name), date(2025, 3, 1), "ADH-2022-02-0123456749")
        .unwrap_or_else(|e| panic!("render failed: {e}"))
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).expect("pdftotext prints UTF-8")
}

#[test]
fn names_print_literally_never_as_markup() {
    let engine = Engine::new().expect("engine");
    for name in [r#"Asbl "L'Étoile" #1 *test* [x] $y$ <z> @w \"#, r#"#read("/data.json")"#] {
        let pdf = render(&engine, name);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = pdftotext(&pdf);
        // pdftotext may turn ' into a typographic quote if the font did.
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(name), "{name:?} not printed literally in:\n{text}");
        assert!(!flat.contains("Aide alimentaire\",\""), "data file leaked");
        assert!(flat.contains("0123.456.749"));
        assert!(flat.contains("Préambule"));
        assert!(flat.contains("1er mars 2025"));
    }
}

#[test]
fn same_inputs_same_bytes_other_name_other_bytes() {
    let engine = Engine::new().expect("engine");
    let a = render(&engine, "Asbl Alpha");
    let b = render(&engine, "Asbl Alpha");
    let c = render(&engine, "Asbl Beta");
    assert!(a == b, "two renders of the same inputs differ");
    assert!(a != c, "a different name gave the same bytes");
    // A fresh engine (after a cache eviction) gives the same bytes too.
    engine.evict(0);
    assert!(render(&Engine::new().expect("engine"), "Asbl Alpha") == a);
}

#[test]
fn engine_is_shared_between_threads() {
    fn assert_sync<T: Sync + Send>() {}
    assert_sync::<Engine>();
    let engine = Engine::new().expect("engine").with_evict_every(2);
    let pdfs: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|i| {
                let engine = &engine;
                scope.spawn(move || render(engine, &format!("Asbl {i}")))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("render thread")).collect()
    });
    assert_eq!(pdfs.len(), 3);
    assert_eq!(engine.rendered(), 3);
}

#[test]
fn output_is_pdf_a_3b() {
    let pdf = render(&Engine::new().expect("engine"), "Asbl Alpha");
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("pdfaid:part>3<") || text.contains("pdfaid:part=\"3\""));
    assert!(text.contains("pdfaid:conformance>B<") || text.contains("pdfaid:conformance=\"B\""));
}

#[test]
fn template_errors_carry_the_line() {
    let engine = Engine::new().expect("engine");
    let template = "#let data = json(\"/data.json\")\nHello\n#data.missing\n";
    let err = engine.pdf(template, &json!({"a": 1}), date(2025, 1, 1), "x").expect_err("missing key must fail");
    let first = &err.diagnostics()[0];
    assert_eq!(first.file.as_deref(), Some("template"));
    assert_eq!(first.line, Some(3));
    assert!(err.to_string().contains("template:3:"), "{err}");
}

#[test]
fn templates_cannot_read_anything_else() {
    let engine = Engine::new().expect("engine");
    for template in ["#read(\"/etc/passwd\")", "#include \"/data.json\""] {
        assert!(engine.pdf(template, &json!({}), date(2025, 1, 1), "x").is_err());
    }
}

#[test]
fn today_is_the_document_date() {
    let engine = Engine::new().expect("engine");
    let pdf = engine.pdf("#datetime.today().display()", &json!({}), date(2024, 2, 29), "x").expect("renders");
    assert!(pdftotext(&pdf).contains("2024-02-29"));
}

#[test]
fn workspace_templates_override_builtins() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A missing directory is fine.
    let missing = dir.path().join("nope");
    assert_eq!(load_template(Some(&missing), ADHERENCE_TEMPLATE).expect("builtin"), template());
    // An override wins.
    std::fs::create_dir_all(dir.path().join("adherence")).expect("mkdir");
    std::fs::write(dir.path().join(ADHERENCE_TEMPLATE), "custom").expect("write");
    assert_eq!(load_template(Some(dir.path()), ADHERENCE_TEMPLATE).expect("override"), "custom");
    // An unreadable override is an error naming the path.
    std::fs::write(dir.path().join("adherence/fr.json"), [0xff, 0xfe]).expect("write");
    let err = load_template(Some(dir.path()), "adherence/fr.json").expect_err("not UTF-8");
    assert!(err.to_string().contains("adherence/fr.json"), "{err}");
    // Unknown names and escapes are refused.
    assert!(load_template(None, "nope.typ").is_err());
    assert!(load_template(Some(dir.path()), "../x.typ").is_err());
    // Strings exist for both languages.
    for lang in ["fr", "nl"] {
        let strings = adherence_strings(None, lang).expect("strings");
        assert!(strings["title"].is_string());
    }
}

#[test]
fn dutch_document_renders() {
    let mut data = sample("vzw De Ster");
    data["lang"] = json!("nl");
    data["strings"] = adherence_strings(None, "nl").expect("nl strings");
    let pdf = Engine::new().expect("engine").pdf(&template(), &data, date(2025, 3, 14), "x").expect("renders");
    let text = pdftotext(&pdf);
    assert!(text.contains("1\u{a0}maart 2025") || text.contains("1 maart 2025"), "{text}");
    assert!(text.contains("Ondernemingsnummer"));
}

/// Typst parallelises with rayon; documents rendered from a caller's rayon
/// pool must not nest on the caller's stack (regression: a stack overflow
/// after ~140 nested documents with a plain `par_iter`). Small stacks and
/// a cheap multi-page document make the old failure quick to reach.
#[test]
fn many_documents_from_a_rayon_pool_do_not_nest() {
    use rayon::prelude::*;
    let engine = Engine::with_threads(2).expect("engine");
    let template =
        "#let d = json(\"/data.json\")\n#for i in range(6) { page(width: 200pt + i * 1pt, height: 200pt)[#d.n #i] }";
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).stack_size(256 << 10).build().expect("pool");
    let ok = pool.install(|| {
        (0..300)
            .into_par_iter()
            .filter(|i| engine.pdf(template, &json!({"n": i}), date(2025, 1, 1), "x").is_ok())
            .count()
    });
    assert_eq!(ok, 300);
}
