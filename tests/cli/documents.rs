//! Adherence documents: keys, issue, verify — real PDFs read back with
//! pdftotext, real ed25519 seals.

use std::process::Command;

use crate::harness::*;

fn pdftotext(path: &std::path::Path) -> String {
    let out = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed on {}", path.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wsl() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t
}

/// An adherence document of charter 2022-02, by its file name without the
/// version: the organisation's 10 digits, then its name as a slug.
fn pdf_of(t: &Test, stem: &str) -> std::path::PathBuf {
    t.path(&format!("out/adherence/{stem}-2022-02.pdf"))
}

#[test]
fn keys_init_makes_a_private_key_only_its_owner_reads() {
    use std::os::unix::fs::PermissionsExt;
    let t = Test::new();
    t.run(["keys", "init"]).success().stdout_has("fingerprint");
    let mode = std::fs::metadata(t.path("keys/coordination.key")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(t.path("keys/coordination.pub").exists());
    t.run(["keys", "init"]).code(2).stderr_has("refusing to overwrite");
    let private = std::fs::read_to_string(t.path("keys/coordination.key")).unwrap();
    let line = private.lines().nth(1).unwrap();
    let out = t.run(["keys", "init"]);
    assert!(!out.stdout.contains(line) && !out.stderr.contains(line), "the key is never printed");
}

#[test]
fn a_private_key_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let t = wsl();
    std::fs::set_permissions(t.path("keys/coordination.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    t.run(["issue", "--all"]).code(2).stderr_has("accessible by other users").stderr_has("chmod 600");
    assert!(!t.path("out/adherence").exists() || std::fs::read_dir(t.path("out/adherence")).unwrap().count() == 0);
}

#[test]
fn every_organisation_gets_its_document_in_its_language_and_reissue_skips_unchanged() {
    let t = wsl();
    let members = t.members();
    t.run(["issue", "--all"]).success().stdout_has(&format!("{} adherence documents issued", members.len()));
    let fr = pdftotext(&pdf_of(&t, "0250616524-cpas-de-woluwe-saint-lambert"));
    assert!(fr.contains("Acte d'adhésion à la charte"), "{fr}");
    assert!(fr.contains("0250.616.524"));
    let nl_member = members.iter().find(|m| m["language"] == "nl").unwrap();
    let nl_file = std::fs::read_dir(t.path("out/adherence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "pdf")
                && pdftotext(p).contains(nl_member["enterprise_number"].as_str().unwrap())
        })
        .unwrap();
    let nl = pdftotext(&nl_file);
    assert!(!nl.contains("Acte d'adhésion"), "the Dutch document is in Dutch: {nl}");
    let len = t.journal_len();
    t.run(["issue", "--all"])
        .success()
        .stdout_has(&format!("0 adherence documents issued (charter 2022-02), {} unchanged", members.len()));
    assert_eq!(t.journal_len(), len, "nothing re-rendered, nothing journaled");
}

#[test]
fn a_changed_organisation_gets_a_new_revision_and_a_new_charter_version_new_documents() {
    let t = wsl();
    t.run(["issue", "0250.616.524"]).success().stdout_has("1 adherence documents issued");
    let roster = std::fs::read_to_string(t.path("roster.csv")).unwrap();
    std::fs::write(t.path("roster2.csv"), roster.replace("Rue Saint-Lambert 168", "Rue Saint-Lambert 170")).unwrap();
    t.run(["members", "import", "roster2.csv"]).success().stdout_has("1 changed");
    t.run(["issue", "0250.616.524"]).success().stdout_has("1 adherence documents issued");
    assert!(t.path("out/adherence/0250616524-cpas-de-woluwe-saint-lambert-2022-02-r2.pdf").exists());
    assert!(
        pdftotext(&t.path("out/adherence/0250616524-cpas-de-woluwe-saint-lambert-2022-02-r2.pdf"))
            .contains("Rue Saint-Lambert 170")
    );
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(t.path("charte.toml"), toml.replace("version = \"2022-02\"", "version = \"2026-06\"")).unwrap();
    t.run(["issue", "0250.616.524"]).success().stdout_has("charter 2026-06");
    assert!(t.path("out/adherence/0250616524-cpas-de-woluwe-saint-lambert-2026-06.pdf").exists());
}

#[test]
fn hostile_names_print_literally() {
    let t = Test::new().at("2026-02-01");
    t.run(["members", "import", data("roster/hostile-names.csv").to_str().unwrap()]).success();
    t.run(["keys", "init"]).success();
    t.run(["issue", "--all"]).success();
    let texts: Vec<String> = std::fs::read_dir(t.path("out/adherence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .map(|p| pdftotext(&p).split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for name in
        [r#"Asbl "L'Étoile" #1 *test* [x] $y$ <z> @w \"#, r#"#read("charte.toml")"#, "<script>alert(1)</script>"]
    {
        assert!(texts.iter().any(|t| t.contains(name)), "{name} is not printed literally");
    }
    assert!(!texts.iter().any(|t| t.contains("[coordination]")), "a name never reads a file");
}

#[test]
fn issuing_needs_a_selection_and_the_charter_in_each_language() {
    let t = wsl();
    t.run(["issue"]).code(2).stderr_has("--all");
    std::fs::remove_file(t.path("charter/nl.md")).unwrap();
    let nl = t.members().into_iter().find(|m| m["language"] == "nl").unwrap();
    t.run(["issue", nl["enterprise_number"].as_str().unwrap()]).code(2).stderr_has("nl.md").stderr_has("Dutch");
}

#[test]
fn verify_says_authentic_or_what_is_wrong() {
    let t = wsl();
    t.run(["issue", "0250.616.524"]).success();
    let pdf = pdf_of(&t, "0250616524-cpas-de-woluwe-saint-lambert");
    let key = t.path("keys/coordination.pub");
    let elsewhere = Test::empty();
    std::fs::create_dir_all(&elsewhere.ws).unwrap();
    let verify =
        |file: &std::path::Path| elsewhere.run(["verify", file.to_str().unwrap(), "--key", key.to_str().unwrap()]);
    verify(&pdf).success().stdout_has("authentic").stdout_has("CSWSL-2022-02-0250616524");
    let bytes = std::fs::read(&pdf).unwrap();
    let altered = t.root.join("altered.pdf");
    let mut changed = bytes.clone();
    changed[bytes.len() / 3] ^= 0x01;
    std::fs::write(&altered, &changed).unwrap();
    verify(&altered).code(1).stderr_has("NOT authentic");
    let truncated = t.root.join("truncated.pdf");
    std::fs::write(&truncated, &bytes[..bytes.len() - 200]).unwrap();
    verify(&truncated).code(1).stderr_has("NOT authentic");
    let appended = t.root.join("appended.pdf");
    let mut more = bytes.clone();
    more.extend_from_slice(b"\n1 0 obj\n<< /Type /Page >>\nendobj\n");
    std::fs::write(&appended, &more).unwrap();
    verify(&appended).code(1).stderr_has("follow the seal");
    let garbage = t.root.join("garbage.pdf");
    std::fs::write(&garbage, b"this is not a pdf at all").unwrap();
    verify(&garbage).code(1).stderr_has("not a PDF");
    let other = Test::new();
    other.run(["keys", "init"]).success();
    elsewhere
        .run(["verify", pdf.to_str().unwrap(), "--key", other.path("keys/coordination.pub").to_str().unwrap()])
        .code(1)
        .stderr_has("not with the given key");
}

#[test]
fn the_same_inputs_render_the_same_bytes() {
    let a = wsl();
    let b = wsl();
    // The seal key's fingerprint is printed on the page: the same key is
    // one of the same inputs.
    for file in ["coordination.key", "coordination.pub"] {
        std::fs::copy(a.path(&format!("keys/{file}")), b.path(&format!("keys/{file}"))).unwrap();
    }
    a.run(["issue", "0250.616.524"]).success();
    b.run(["issue", "0250.616.524"]).success();
    let seal = |t: &Test| -> serde_json::Value {
        let text =
            std::fs::read_to_string(t.path("out/adherence/0250616524-cpas-de-woluwe-saint-lambert-2022-02.seal.json"))
                .unwrap();
        serde_json::from_str(&text).unwrap()
    };
    assert_eq!(seal(&a)["manifest"]["sha256"], seal(&b)["manifest"]["sha256"], "same inputs, same rendered bytes");
}

#[test]
fn a_broken_template_override_is_named_and_nothing_half_written() {
    let t = wsl();
    std::fs::create_dir_all(t.path("templates/adherence")).unwrap();
    let builtin = std::fs::read_to_string(repo().join("templates/adherence/adherence.typ")).unwrap();
    assert!(builtin.contains("org.enterprise_number)"));
    std::fs::write(
        t.path("templates/adherence/adherence.typ"),
        builtin.replace("org.enterprise_number)", "org.numero_bce)"),
    )
    .unwrap();
    let len = t.journal_len();
    t.run(["issue", "0250.616.524"])
        .code(2)
        .stderr_has("does not contain key \"numero_bce\"")
        .stderr_has("templates/adherence/adherence.typ");
    assert_eq!(t.journal_len(), len);
    let files: Vec<_> = std::fs::read_dir(t.path("out/adherence")).map(|d| d.collect()).unwrap_or_default();
    assert!(files.is_empty(), "nothing half-written in out/: {files:?}");
    std::fs::write(t.path("templates/adherence/adherence.typ"), "#let x = (").unwrap();
    t.run(["issue", "0250.616.524"]).code(2).stderr_has("unclosed delimiter");
}

#[test]
fn the_placeholder_charter_and_missing_languages_are_refused_before_anything() {
    // A new workspace in both languages: a placeholder charter for each.
    let t = Test::empty();
    t.run(["init", "--replay", "--languages", "fr,nl", t.ws.to_str().unwrap()]).success().stdout_has("fr.md, nl.md");
    assert!(t.path("charter/nl.md").is_file());
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    assert!(toml.contains("\nlanguages = [\"fr\", \"nl\"]\n"), "{toml}");
    std::fs::write(
        t.path("roster.csv"),
        "name,enterprise_number,email,language\nASBL Le Pont,0606.997.096,a@b.be,fr\nBuurtwerk vzw,0750.200.572,c@d.be,nl\nTaalhuis vzw,0437.843.647,e@f.be,nl\n",
    )
    .unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["issue", "--all"]).code(2).stderr_has("still the example text").stderr_has("fr.md");
    std::fs::write(t.path("charter/fr.md"), "# Charte\n\nNotre texte.\n").unwrap();
    std::fs::remove_file(t.path("charter/nl.md")).unwrap();
    let before = t.out_files();
    t.run(["issue", "--all"])
        .code(2)
        .stderr_has("nl.md is missing: 2 organisations (Buurtwerk vzw, Taalhuis vzw) read Dutch");
    assert_eq!(t.out_files(), before, "nothing issued, not even for the French reader");
    // A version label that cannot go into file names is refused on load.
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(t.path("charte.toml"), toml.replacen("version = \"2026-01\"", "version = \"../2026\"", 1)).unwrap();
    t.run(["members", "list"]).code(2).stderr_has("charter.version");
}
