use crate::harness::*;

#[test]
fn init_creates_a_workspace_with_every_part() {
    let t = Test::new();
    for part in ["charte.toml", "charter/fr.md", "charte.db", "keys", "out", "templates", "workflows"] {
        assert!(t.path(part).exists(), "{part} missing");
    }
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    assert!(toml.contains("# "), "charte.toml explains its settings");
    assert_eq!(t.journal_len(), 1, "the creation is the first journal entry");
    assert!(t.members().is_empty());
}

#[test]
fn init_refuses_an_existing_workspace_and_changes_nothing() {
    let t = Test::new();
    std::fs::write(t.path("charte.toml"), "# mine\n").unwrap();
    t.run(["init", t.ws.to_str().unwrap()]).code(2).stderr_has("already holds a charte workspace");
    assert_eq!(std::fs::read_to_string(t.path("charte.toml")).unwrap(), "# mine\n");
}

#[test]
fn a_folder_without_workspace_is_a_clear_usage_error() {
    let t = Test::empty();
    std::fs::create_dir_all(&t.ws).unwrap();
    t.run(["members", "list"]).code(2).stderr_has("is not a charte workspace");
}

#[test]
fn a_bad_now_date_is_refused() {
    let t = Test::new().at("2026-13-01");
    t.run(["members", "list"]).code(2).stderr_has("--now: '2026-13-01' is not a date");
}

#[test]
fn a_typo_in_charte_toml_names_the_key_and_line() {
    let t = Test::new();
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(t.path("charte.toml"), toml.replace("min_meetings_per_year = 3", "min_meeting_per_year = 3"))
        .unwrap();
    t.run(["members", "list"]).code(2).stderr_has("min_meeting_per_year").stderr_has("line");
}

#[test]
fn every_fixture_is_a_valid_workspace_whose_roster_imports() {
    for (name, expected) in [
        ("ixelles", 36),
        ("woluwe-saint-lambert", 31),
        ("ans", 26),
        ("saint-gilles", 110),
        ("relais-social-luxembourg", 42),
    ] {
        let t = Test::fixture(name);
        t.run(["members", "import", "roster.csv"]).success().stdout_has(&format!("{expected} added"));
        assert_eq!(t.members().len(), expected, "{name}");
        t.run(["audit"]).success().stdout_has("journal intact");
    }
}
