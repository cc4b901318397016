//! Files charte writes: names that cannot collide, never a file it did not
//! write replaced, never a write through a link, and what the journal
//! recorded made again when it is missing or altered on disk.

use crate::harness::*;

const ROSTER: &str = "name,enterprise_number,email,status\n\
ASBL X,0300.000.016,x@x.example.be,member\n\
ASBL X 0300000016,0437.843.647,y@y.example.be,member\n\
ASBL X!,0606.997.096,z@z.example.be,member\n";

fn workspace() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-02");
    std::fs::write(t.path("small.csv"), ROSTER).unwrap();
    t.run(["members", "import", "small.csv"]).success();
    t.run(["keys", "init"]).success();
    t
}

fn file_of(t: &Test, number: &str) -> String {
    let m = t.run(["members", "show", number, "--json"]).success().json();
    m["documents"].as_array().and_then(|d| d.last()).expect("a document")["file"].as_str().unwrap().to_owned()
}

fn text(path: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext").arg(path).arg("-").output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn organisations_with_look_alike_names_get_their_own_files() {
    let t = workspace();
    t.run(["issue", "--all"]).success().stdout_has("3 adherence documents issued");
    let files: Vec<String> = ["0300.000.016", "0437.843.647", "0606.997.096"].iter().map(|n| file_of(&t, n)).collect();
    let mut unique = files.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "{files:?}");
    // Each file holds its own organisation's document.
    assert!(text(&t.path(&files[0])).contains("0300.000.016"));
    assert!(text(&t.path(&files[1])).contains("0437.843.647"));
    t.run(["issue", "--all"]).success().stdout_has("0 adherence documents issued (charter 2022-02), 3 unchanged");
    // "ASBL X" and "ASBL X!" are both flagged: two letters, not one.
    t.run(["run", "adhesion"]).success();
    t.run_at("2026-04-01", ["flags", "letters"]).success().stdout_has("3 draft letters");
    assert_eq!(std::fs::read_dir(t.path("out/letters")).unwrap().count(), 3);
}

#[test]
fn a_document_deleted_or_altered_on_disk_is_made_again_from_the_journal() {
    let t = workspace();
    t.run(["issue", "--all"]).success();
    let file = file_of(&t, "0300.000.016");
    let original = std::fs::read(t.path(&file)).unwrap();
    std::fs::remove_dir_all(t.path("out/adherence")).unwrap();
    let len = t.journal_len();
    t.run(["issue", "--all"]).success().stdout_has("3 missing or altered on disk made again from the journal");
    assert_eq!(std::fs::read(t.path(&file)).unwrap(), original, "the very bytes the journal recorded");
    assert_eq!(t.journal_len(), len, "not a new document: nothing journaled");
    let mut altered = original.clone();
    let i = altered.len() / 3;
    altered[i] ^= 0x20;
    std::fs::write(t.path(&file), &altered).unwrap();
    t.run(["issue", "--all"]).success().stdout_has("2 unchanged, 1 missing or altered");
    assert_eq!(std::fs::read(t.path(&file)).unwrap(), original);
    t.run(["verify", &file]).success();
}

#[test]
fn a_file_charte_did_not_write_is_never_replaced() {
    let t = workspace();
    // The coordinator's own file, where the first document would go.
    std::fs::create_dir_all(t.path("out/adherence")).unwrap();
    let planted = t.path("out/adherence/0300000016-asbl-x-2022-02.pdf");
    std::fs::write(&planted, "le brouillon de la coordinatrice").unwrap();
    t.run(["issue", "--all"])
        .code(4)
        .stderr_has("ASBL X (0300.000.016)")
        .stderr_has("already exists and is not the file charte is writing");
    assert_eq!(std::fs::read_to_string(&planted).unwrap(), "le brouillon de la coordinatrice");
    let m = t.run(["members", "show", "0300.000.016", "--json"]).success().json();
    assert_eq!(m["documents"].as_array().map(Vec::len), Some(0), "nothing issued for it");
}

#[test]
fn nothing_is_written_through_a_link() {
    let t = workspace();
    let outside = t.root.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    // A link where a document goes, pointing outside the workspace.
    std::fs::create_dir_all(t.path("out/adherence")).unwrap();
    let target = outside.join("victim.pdf");
    std::fs::write(&target, "precious").unwrap();
    std::os::unix::fs::symlink(&target, t.path("out/adherence/0300000016-asbl-x-2022-02.pdf")).unwrap();
    t.run(["issue", "--all"]).code(4).stderr_has("ASBL X (0300.000.016)");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    // The folder itself a link: refused before anything is written.
    std::fs::remove_dir_all(t.path("out/adherence")).unwrap();
    std::os::unix::fs::symlink(&outside, t.path("out/adherence")).unwrap();
    t.run(["issue", "--all"]).code(2).stderr_has("is a link, not a folder");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1, "nothing written outside");
}

#[test]
fn a_report_that_fails_leaves_no_file_and_its_csv_runs_no_formula() {
    let t = Test::fixture("ans").at("2026-03-01");
    // A sector written as a formula, with a separator and a line break.
    std::fs::write(
        t.path("roster.csv"),
        "name,enterprise_number,email,status,sectors\n\
         ASBL Le Pont,0606.997.096,a@b.be,member,\"=HYPERLINK(\"\"http://x.example\"\");a\"\n",
    )
    .unwrap();
    t.run(["members", "import", "roster.csv"]).success();
    // No seal key yet: the report cannot be sealed, and nothing is left behind.
    let before = t.out_files();
    t.run(["report", "annual", "--year", "2026"]).code(2).stderr_has("keys init");
    assert_eq!(t.out_files(), before, "no CSV without its sealed report");
    t.run(["keys", "init"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    let csv = std::fs::read_to_string(t.path("out/reports/annual-2026.csv")).unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x.example\"\");a\""), "neutralised and quoted: {csv}");
    // A working group's key that is not a plain word is refused in charte.toml.
    let toml = std::fs::read_to_string(t.path("charte.toml")).unwrap();
    std::fs::write(
        t.path("charte.toml"),
        format!("{toml}\n[working_groups.\"a,b\"]\nname_fr = \"A\"\nname_nl = \"A\"\n"),
    )
    .unwrap();
    t.run(["members", "list"]).code(2).stderr_has("working group's key");
}

#[test]
fn a_control_character_in_any_list_and_an_empty_scan_are_refused() {
    let t = workspace();
    let id = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-02-20"]).success().stdout.trim().to_owned();
    std::fs::write(
        t.path("att.csv"),
        format!("meeting,enterprise_number,status,person\n{id},0300.000.016,present,Ma\u{0}rie\n"),
    )
    .unwrap();
    let len = t.journal_len();
    t.run_at("2026-02-21", ["attendance", "import", "att.csv"])
        .code(2)
        .stderr_has("line 2, column person: contains the control character U+0000");
    assert_eq!(t.journal_len(), len);
    t.run(["issue", "0300.000.016"]).success();
    std::fs::write(t.path("empty.pdf"), "").unwrap();
    t.run_at("2026-02-21", ["collect", "empty.pdf", "--scan", "0300.000.016"]).code(1).stderr_has("empty file");
    let m = t.run(["members", "show", "0300.000.016", "--json"]).success().json();
    assert!(m["signed_version"].is_null());
}
