use crate::harness::*;

fn roster(name: &str) -> String {
    data(&format!("roster/{name}")).to_str().unwrap().to_owned()
}

#[test]
fn windows_1252_semicolons_and_french_headers_import_cleanly() {
    let t = Test::new();
    t.run(["members", "import", &roster("cp1252-semicolon-fr.csv")])
        .success()
        .stdout_has("Windows-1252, ';' separated")
        .stdout_has("8 added");
    let names: Vec<String> = t.members().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect();
    assert!(names.contains(&"Œuvre des crèches Saint-Gérard".to_owned()), "{names:?}");
    assert!(names.iter().any(|n| n.contains('€')), "{names:?}");
}

#[test]
fn utf8_bom_tabs_and_dutch_headers_import_cleanly() {
    let t = Test::new();
    t.run(["members", "import", &roster("utf8-bom-tab-nl.csv")]).success().stdout_has("UTF-8 (BOM), tab separated");
    let members = t.members();
    assert!(!members.is_empty());
    assert!(members.iter().all(|m| m["language"] == "nl"));
}

#[test]
fn every_error_of_a_file_is_reported_at_once_and_nothing_is_written() {
    let t = Test::new();
    let before = t.snapshot();
    t.run(["members", "import", &roster("errors-4-7-9.csv")])
        .code(2)
        .stderr_has("3 problems, nothing was changed")
        .stderr_has("line 4, column enterprise_number")
        .stderr_has("mod-97")
        .stderr_has("line 7, column email")
        .stderr_has("line 9, column enterprise_number")
        .stderr_has("already on line 2");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn malformed_files_are_refused_with_the_reason() {
    for (file, message) in [
        ("empty.csv", "the file is empty"),
        ("header-only.csv", "no organisation"),
        ("ragged.csv", "line 3: 8 fields, but the header has 9 columns"),
    ] {
        let t = Test::new();
        let before = t.snapshot();
        t.run(["members", "import", &roster(file)]).code(2).stderr_has(message);
        assert_eq!(t.snapshot(), before, "{file} changed something");
    }
}

#[test]
fn an_unknown_column_is_ignored_and_named() {
    let t = Test::new();
    t.run(["members", "import", &roster("unknown-column.csv")])
        .success()
        .stdout_has("6 added")
        .stdout_has("ignored columns (charte does not use them): fax");
}

#[test]
fn a_missing_file_is_named() {
    let t = Test::new();
    t.run(["members", "import", "nowhere.csv"]).code(2).stderr_has("nowhere.csv");
}

#[test]
fn a_50_mb_file_is_refused_without_reading_it_all() {
    let t = Test::new();
    let big = t.root.join("big.csv");
    let mut text = String::from("name,enterprise_number,email\n");
    let row = "ASBL Exemple,0123.456.749,info@exemple.example.be\n";
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(row);
    }
    std::fs::write(&big, text).unwrap();
    let before = t.snapshot();
    t.run(["members", "import", big.to_str().unwrap()]).code(2).stderr_has("a roster is at most 16 MB");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn hostile_names_are_kept_literally() {
    let t = Test::new();
    t.run(["members", "import", &roster("hostile-names.csv")]).success();
    let names: Vec<String> = t.members().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect();
    for hostile in
        [r#"Asbl "L'Étoile" #1 *test* [x] $y$ <z> @w \"#, r#"#read("charte.toml")"#, "<script>alert(1)</script>"]
    {
        assert!(names.contains(&hostile.to_owned()), "{hostile} not kept as is in {names:?}");
    }
    assert!(names.iter().all(|n| !n.contains('\n')), "a line break in a name is folded to a space");
}

#[test]
fn a_reimport_says_what_changed_and_journals_it() {
    let t = Test::new();
    t.run(["members", "import", &roster("utf8-comma-en.csv")]).success().stdout_has("8 added");
    let len = t.journal_len();
    t.run(["members", "import", &roster("update.csv"), "--dry-run"])
        .success()
        .stdout_has("1 added, 1 changed, 7 unchanged")
        .stdout_has("email")
        .stdout_has("dry run: nothing was written");
    assert_eq!(t.journal_len(), len, "a dry run writes nothing");
    t.run(["members", "import", &roster("update.csv")]).success().stdout_has("1 added, 1 changed, 7 unchanged");
    assert_eq!(t.journal_len(), len + 3, "one added, one changed, one import event");
    assert_eq!(t.members().len(), 9);
    t.run(["members", "import", &roster("update.csv")]).success().stdout_has("0 added, 0 changed, 9 unchanged");
    assert_eq!(t.journal_len(), len + 3, "an identical re-import journals nothing");
}

#[test]
fn members_list_json_has_the_contract_keys() {
    let t = Test::fixture("woluwe-saint-lambert");
    t.run(["members", "import", "roster.csv"]).success();
    let members = t.members();
    assert_eq!(members.len(), 31);
    for m in &members {
        for key in ["name", "enterprise_number", "email", "language", "status", "signed_version"] {
            assert!(m.get(key).is_some(), "{key} missing in {m}");
        }
        let n = m["enterprise_number"].as_str().unwrap();
        assert!(n.len() == 12 && &n[4..5] == "." && &n[8..9] == ".", "{n} not formatted 0123.456.749");
        assert!(m["signed_version"].is_null());
    }
    assert!(members.iter().any(|m| m["language"] == "nl"));
}

#[test]
fn members_show_finds_by_any_spelling_or_unique_name() {
    let t = Test::new();
    t.run(["members", "import", &roster("utf8-comma-en.csv")]).success();
    let first = &t.members()[0];
    let number = first["enterprise_number"].as_str().unwrap().to_owned();
    let name = first["name"].as_str().unwrap().to_owned();
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    for id in [number.clone(), format!("BE{digits}"), digits.clone(), name.to_uppercase()] {
        let out = t.run(["members", "show", &id, "--json"]).success().json();
        assert_eq!(out["enterprise_number"], number.as_str(), "{id}");
        assert_eq!(out["history"][0]["kind"], "organisation-added");
    }
    t.run(["members", "show", "Nobody at all"]).code(2).stderr_has("no organisation named");
    t.run(["members", "show", "0123.456.748"]).code(2).stderr_has("mod-97");
}

#[test]
fn members_show_refuses_an_ambiguous_name() {
    let t = Test::new();
    t.run(["members", "import", &roster("utf8-comma-en.csv")]).success();
    t.run(["members", "show", "Forest"]).code(2).stderr_has("matches 2 organisations");
}
