//! `charte backup` and `charte restore`: a year's workspace saved and put
//! back reads the same and audits; a backup taken while `issue --all`
//! writes restores and audits; encrypted round trip; every bad input (a
//! backup cut short, one byte changed, a wrong or missing passphrase, a
//! file that is not a backup, a member with a hostile path) refused with
//! its exit code and nothing restored.

use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::harness::*;

const PASSPHRASE: &str = "le réseau se retrouve le jeudi";

/// charte run on the workspace in `dir` (a restored one) on `now`.
fn charte_in(dir: &Path, now: &str, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg("--dir").arg(dir).arg("--now").arg(now).args(args).env_remove("CHARTE_NOW");
    Run::of(cmd)
}

/// `charte restore FILE DIR` with `env`, from the test's root.
fn restore(t: &Test, file: &Path, dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg("restore").arg(file).arg(dir).args(extra).envs(env.iter().copied()).current_dir(&t.root);
    cmd.env_remove("CHARTE_NOW");
    Run::of(cmd)
}

/// Every file under `dir` but the database (its pages differ once
/// reopened), with the sha256 of its bytes and its permission bits.
fn tree(dir: &Path) -> Vec<(String, String, u32)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String, u32)>) {
        use std::os::unix::fs::PermissionsExt;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(base).unwrap().display().to_string();
            if path.is_dir() {
                walk(&path, base, out);
            } else if !name.starts_with("charte.db") {
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                out.push((name, hex::encode(sha2::Sha256::digest(std::fs::read(&path).unwrap())), mode));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The number of `document-issued` entries in a workspace's journal.
fn issued(ws: &Path) -> i64 {
    let db = rusqlite::Connection::open(ws.join("charte.db")).unwrap();
    db.query_row("SELECT count(*) FROM journal WHERE kind = 'document-issued'", [], |r| r.get(0)).unwrap()
}

/// What restoring `file` into a fresh folder must not leave behind:
/// the folder, or a staging folder beside it.
#[track_caller]
fn nothing_restored(t: &Test, dir: &Path) {
    assert!(!dir.exists(), "{} was not created", dir.display());
    let staging: Vec<_> = std::fs::read_dir(&t.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".charte-"))
        .collect();
    assert!(staging.is_empty(), "no staging left: {staging:?}");
}

/// A small workspace with a key pair, a roster, one document issued, a
/// retired key in a sub-folder (as a key rotation leaves it).
fn small() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-01-05");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    t.run(["issue", "0250.616.524"]).success();
    std::fs::create_dir_all(t.path("keys/retired")).unwrap();
    std::fs::copy(t.path("keys/coordination.key"), t.path("keys/retired/2025.key")).unwrap();
    t
}

#[test]
fn a_year_restored_from_its_backup_reads_and_audits_as_the_original() {
    let t = Test::empty().at("2026-12-31");
    let mut demo = std::process::Command::new(BIN);
    demo.args(["demo", "woluwe-saint-lambert", "--out", t.ws.to_str().unwrap()]).current_dir(repo());
    Run::of(demo).success();
    let file = t.root.join("woluwe-2026-12-31.tar");
    let saved = t.run(["backup".as_ref(), file.as_os_str(), "--json".as_ref()]).success().json();
    assert_eq!(mode(&file), 0o600, "the backup is its owner's only");
    assert_eq!(saved["encrypted"], false);
    assert_eq!(saved["journal"]["entries"].as_u64(), Some(t.journal_len()));
    assert!(saved["not_saved"].as_array().unwrap().iter().any(|n| n == "roster.csv"), "{saved}");

    let dir = t.root.join("restored");
    let run = restore(&t, &file, &dir, &[], &[]).success();
    let run = run.stdout_has("journal intact").stdout_has("derived tables intact").stdout_has("done");
    assert!(run.stdout.contains(&format!("{} entries", t.journal_len())), "{}", run.stdout);
    charte_in(&dir, "2026-12-31", &["audit"]).success();
    for args in [&["members", "list", "--json"][..], &["status", "--json"], &["flags", "--year", "2026", "--json"]] {
        assert_eq!(charte_in(&dir, "2026-12-31", args).success().stdout, t.run(args).success().stdout, "{args:?}");
    }
    // Every file of the workspace, byte for byte; the roster kept beside it is not part of it.
    let original: Vec<_> = tree(&t.ws)
        .into_iter()
        .filter(|(n, _, _)| {
            ["charte.toml", "keys/", "charter/", "templates/", "workflows/", "out/"].iter().any(|p| n.starts_with(p))
        })
        .map(|(n, h, _)| (n, h))
        .collect();
    let restored: Vec<_> = tree(&dir).into_iter().map(|(n, h, _)| (n, h)).collect();
    assert_eq!(restored, original);
    assert!(restored.iter().any(|(n, _)| n.starts_with("out/reports/")), "the reports travel");
    assert_eq!(mode(&dir.join("keys/coordination.key")), 0o600);
    assert_eq!(mode(&dir), 0o700, "the restored workspace holds the private key");
    // The restored workspace works on as the original does: the report made again is the same file.
    charte_in(&dir, "2026-12-31", &["report", "annual", "--year", "2026"]).success();
    t.run(["report", "annual", "--year", "2026"]).success();
    assert_eq!(tree(&dir.join("out/reports")), tree(&t.path("out/reports")));
}

/// A roster of `n` organisations with valid enterprise numbers.
fn roster(n: u64) -> String {
    let mut roster = String::from("name,enterprise_number,email,language,status\n");
    for i in 0..n {
        let body = 6_000_000 + i * 11;
        roster.push_str(&format!("Association {i},{body:08}{:02},org{i}@example.be,fr,member\n", 97 - body % 97));
    }
    roster
}

#[test]
fn a_backup_taken_while_issue_all_runs_restores_and_audits() {
    const ORGANISATIONS: i64 = 400;
    let t = Test::fixture("woluwe-saint-lambert").at("2026-02-01");
    std::fs::write(t.path("many.csv"), roster(ORGANISATIONS as u64)).unwrap();
    t.run(["members", "import", "many.csv"]).success();
    t.run(["keys", "init"]).success();
    let mut issuing = t.spawn_at("2026-02-01", ["issue", "--all"]);
    // Once the first chunk of documents is journaled, and while the rest is being issued.
    let started = std::time::Instant::now();
    while issued(&t.ws) == 0 {
        assert!(issuing.running(), "issue --all ended before the backup could start");
        assert!(started.elapsed().as_secs() < 120, "no document journaled after 2 minutes");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let file = t.root.join("during.tar");
    t.run(["backup".as_ref(), file.as_os_str()]).success();
    assert!(issuing.running(), "the backup was taken while issue --all was still running");
    issuing.wait().success();
    assert_eq!(issued(&t.ws), ORGANISATIONS);

    let dir = t.root.join("restored");
    restore(&t, &file, &dir, &[], &[]).success().stdout_has("journal intact");
    let saved = issued(&dir);
    assert!(saved > 0 && saved < ORGANISATIONS, "the snapshot is of a moment of the run: {saved} documents");
    charte_in(&dir, "2026-02-01", &["audit"]).success();
    // The restored workspace finishes the run: every document, once.
    charte_in(&dir, "2026-02-01", &["issue", "--all"]).success();
    assert_eq!(issued(&dir), ORGANISATIONS);
    charte_in(&dir, "2026-02-01", &["audit"]).success();
}

#[test]
fn an_encrypted_backup_round_trips_with_its_passphrase_only() {
    let t = small();
    let file = t.root.join("small.tar.age");
    let run =
        t.run_env(["backup", file.to_str().unwrap(), "--passphrase-env", "PASS"], &[("PASS", PASSPHRASE)]).success();
    run.stdout_has("encrypted with the passphrase");
    assert_eq!(mode(&file), 0o600);
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    let key = std::fs::read(t.path("keys/coordination.key")).unwrap();
    assert!(!bytes.windows(key.len()).any(|w| w == key), "the private key is not in clear");

    let dir = t.root.join("restored");
    restore(&t, &file, &dir, &[], &[]).code(2).stderr_has("is encrypted: give its passphrase with --passphrase-env");
    nothing_restored(&t, &dir);
    let wrong = [("PASS", "le réseau se retrouve le vendredi")];
    restore(&t, &file, &dir, &["--passphrase-env", "PASS"], &wrong).code(2).stderr_has("passphrase does not open");
    nothing_restored(&t, &dir);
    restore(&t, &file, &dir, &["--passphrase-env", "UNSET_VAR"], &[]).code(2).stderr_has("is not set");
    nothing_restored(&t, &dir);
    let restored = restore(&t, &file, &dir, &["--passphrase-env", "PASS", "--json"], &[("PASS", PASSPHRASE)]).success();
    let restored = restored.json();
    assert_eq!(restored["encrypted"], true);
    assert_eq!(restored["audit"]["intact"], true);
    assert_eq!(restored["audit"]["entries"].as_u64(), Some(t.journal_len()));
    assert_eq!(restored["created"], "2026-01-05");
    let files = |dir: &Path| -> Vec<(String, String)> {
        let outside = |n: &str| n == "roster.csv" || n.starts_with("year/");
        tree(dir).into_iter().filter(|(n, _, _)| !outside(n)).map(|(n, h, _)| (n, h)).collect()
    };
    assert_eq!(files(&dir), files(&t.ws));
    assert_eq!(mode(&dir.join("keys/coordination.key")), 0o600);
    assert_eq!(mode(&dir.join("keys/retired/2025.key")), 0o600, "a rotation's keys travel too");
    charte_in(&dir, "2026-01-05", &["audit"]).success();
}

#[test]
fn a_backup_is_new_private_and_never_written_through_a_link() {
    let t = small();
    let file = t.root.join("b.tar");
    std::fs::write(&file, "my notes").unwrap();
    t.run(["backup", file.to_str().unwrap()]).code(2).stderr_has("already exists");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "my notes");
    let link = t.root.join("link.tar");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    t.run(["backup", link.to_str().unwrap()]).code(2).stderr_has("already exists");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "my notes");
    t.run(["backup", t.path("out/b.tar").to_str().unwrap()]).code(2).stderr_has("inside the workspace");
    t.run_env(["backup", "../c.tar", "--passphrase-env", "P"], &[("P", "short")]).code(2).stderr_has("shorter than 12");
    t.run(["backup", "../c.tar", "--passphrase-env", "UNSET_VAR"]).code(2).stderr_has("is not set");
    let left: Vec<_> = std::fs::read_dir(&t.root).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 3, "nothing written beside them: {left:?}");

    // What must not travel is skipped and said.
    std::fs::write(t.path("out/.charte-abc123.tmp"), "half a file").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", t.path("out/passwd")).unwrap();
    let good = t.root.join("good.tar");
    t.run(["backup", good.to_str().unwrap()]).success().stdout_has("skipped out/passwd: a link");
    let dir = t.root.join("restored");
    restore(&t, &good, &dir, &[], &[]).success();
    assert!(!dir.join("out/passwd").exists() && !dir.join("out/.charte-abc123.tmp").exists());
    assert!(dir.join("out/adherence").read_dir().unwrap().count() > 0, "the document travels");
}

/// The bytes of a plain backup of [`small`], and the test.
fn plain() -> (Test, Vec<u8>) {
    let t = small();
    let file = t.root.join("plain.tar");
    t.run(["backup", file.to_str().unwrap()]).success();
    let bytes = std::fs::read(&file).unwrap();
    (t, bytes)
}

#[test]
fn a_backup_cut_short_or_with_one_byte_changed_is_refused() {
    let (t, bytes) = plain();
    let dir = t.root.join("restored");
    let damaged = t.root.join("damaged.tar");
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for len in [600, bytes.len() / 2, bytes.len() - 2048, bytes.len() - 1] {
        cases.push((format!("cut at {len}"), bytes[..len].to_vec()));
    }
    // A header, the label's data, file data, a header's padding, the trailer's hash, the archive's end.
    for at in [130, 520, bytes.len() / 2, 1500, bytes.len() - 1500, bytes.len() - 10] {
        let mut b = bytes.clone();
        b[at] ^= 0x01;
        cases.push((format!("byte {at} changed"), b));
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 512]);
    cases.push(("512 bytes more".into(), longer));
    for (case, b) in cases {
        std::fs::write(&damaged, &b).unwrap();
        let run = restore(&t, &damaged, &dir, &[], &[]);
        assert_eq!(run.code, 1, "{case}: exit 1\n{}", run.stderr);
        assert!(
            run.stderr.contains("damaged.tar") && run.stderr.contains("Nothing was restored"),
            "{case}: {}",
            run.stderr
        );
        nothing_restored(&t, &dir);
    }
    // The intact one restores, into an empty folder made beforehand too.
    std::fs::write(&damaged, &bytes).unwrap();
    std::fs::create_dir(&dir).unwrap();
    restore(&t, &damaged, &dir, &[], &[]).success();
}

#[test]
fn an_encrypted_backup_cut_short_or_changed_is_refused() {
    let t = small();
    let file = t.root.join("e.tar.age");
    t.run_env(["backup", file.to_str().unwrap(), "--passphrase-env", "PASS"], &[("PASS", PASSPHRASE)]).success();
    let bytes = std::fs::read(&file).unwrap();
    let dir = t.root.join("restored");
    let mut changed = bytes.clone();
    changed[bytes.len() / 2] ^= 0x80;
    for (case, b) in [("cut short", bytes[..bytes.len() - 100].to_vec()), ("a byte changed", changed)] {
        std::fs::write(&file, &b).unwrap();
        let run = restore(&t, &file, &dir, &["--passphrase-env", "PASS"], &[("PASS", PASSPHRASE)]);
        assert_eq!(run.code, 1, "{case}\n{}", run.stderr);
        assert!(run.stderr.contains("is damaged"), "{case}: {}", run.stderr);
        nothing_restored(&t, &dir);
    }
}

#[test]
fn a_file_that_is_not_a_backup_or_a_busy_folder_is_refused() {
    let (t, bytes) = plain();
    let dir = t.root.join("restored");
    let file = t.root.join("plain.tar");
    for other in [t.path("charte.toml"), t.path("charte.db"), t.path("keys"), PathBuf::from("/dev/zero")] {
        restore(&t, &other, &dir, &[], &[]).code(2).stderr_has("is not a charte backup");
        nothing_restored(&t, &dir);
    }
    restore(&t, &t.root.join("missing.tar"), &dir, &[], &[]).code(2);
    restore(&t, &file, &dir, &["--passphrase-env", "PASS"], &[("PASS", PASSPHRASE)])
        .code(2)
        .stderr_has("is not encrypted, yet a passphrase was given");
    nothing_restored(&t, &dir);
    // A folder that holds something is left as it was.
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    restore(&t, &file, &dir, &[], &[]).code(2).stderr_has("is not an empty folder");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
}

/// A member of a forged archive: its header and its data.
type Forged<'a> = (tar::Header, &'a [u8]);

/// A backup made by hand around `members`: a valid label, sums and
/// trailer, so that only the members themselves are wrong.
fn forged(members: &[Forged<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let files = members.iter().filter(|(h, _)| h.entry_type().is_file()).count();
    let label = serde_json::json!({
        "format": "charte-backup", "version": 1, "coordination": "x", "created": "2026-01-05",
        "charte": "0.1.0", "journal": {"entries": 1, "head": "0"}, "files": files,
    })
    .to_string();
    // As charte writes its own members (the trailer's header must be byte for byte its).
    let file_header = |name: &str, len: usize| {
        let mut h = tar::Header::new_gnu();
        h.set_path(name).unwrap();
        h.set_size(len as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        h
    };
    b.append(&file_header("charte-backup.json", label.len()), label.as_bytes()).unwrap();
    let mut sums = String::new();
    for (h, data) in members {
        b.append(h, *data).unwrap();
        if h.entry_type().is_file() {
            let name = String::from_utf8_lossy(&h.path_bytes()).into_owned();
            sums.push_str(&format!("{}  {name}\n", hex::encode(sha2::Sha256::digest(data))));
        }
    }
    b.append(&file_header("charte-backup.sha256sums", sums.len()), sums.as_bytes()).unwrap();
    let mut bytes = b.into_inner().unwrap();
    bytes.truncate(bytes.len() - 1024);
    let hash = format!("{}\n", hex::encode(sha2::Sha256::digest(&bytes)));
    let mut b = tar::Builder::new(bytes);
    b.append(&file_header("charte-backup.sha256", 65), hash.as_bytes()).unwrap();
    b.into_inner().unwrap()
}

/// A member header with `name` written as is (the tar crate refuses `..`).
fn member(name: &str, kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    if matches!(kind, tar::EntryType::Symlink | tar::EntryType::Link) {
        h.set_link_name_literal("/etc/passwd").unwrap();
    }
    h.set_cksum();
    h
}

#[test]
fn a_backup_with_a_hostile_member_is_refused_before_anything_is_written() {
    use tar::EntryType as E;
    let t = small();
    let dir = t.root.join("sub").join("restored");
    let file = t.root.join("forged.tar");
    let toml = std::fs::read(t.path("charte.toml")).unwrap();
    let db = std::fs::read(t.path("charte.db")).unwrap();
    let out = member("out/", E::Directory, 0);
    let cases: Vec<(&str, Vec<Forged<'_>>)> = vec![
        ("../escaped", vec![(member("../escaped", E::Regular, 4), b"evil")]),
        ("out/../../escaped", vec![(out.clone(), b""), (member("out/../../escaped", E::Regular, 4), b"evil")]),
        ("/tmp/charte-absolute", vec![(member("/tmp/charte-absolute", E::Regular, 4), b"evil")]),
        ("out/link", vec![(out.clone(), b""), (member("out/link", E::Symlink, 0), b"")]),
        ("out/hard", vec![(out.clone(), b""), (member("out/hard", E::Link, 0), b"")]),
        ("out/zero", vec![(out.clone(), b""), (member("out/zero", E::Char, 0), b"")]),
        ("out/pipe", vec![(out.clone(), b""), (member("out/pipe", E::Fifo, 0), b"")]),
        ("roster.csv", vec![(member("roster.csv", E::Regular, 4), b"evil")]),
        ("out/a.pdf", vec![(member("out/a.pdf", E::Regular, 4), b"evil")]),
        (
            "charte.toml",
            vec![(member("charte.toml", E::Regular, 4), b"evil"), (member("charte.toml", E::Regular, 4), b"evil")],
        ),
    ];
    for (name, members) in cases {
        let mut all = vec![(member("charte.toml", E::Regular, toml.len() as u64), &toml[..])];
        all.push((member("charte.db", E::Regular, db.len() as u64), &db[..]));
        if name == "charte.toml" {
            all.remove(0);
        }
        all.extend(members);
        std::fs::write(&file, forged(&all)).unwrap();
        let run = restore(&t, &file, &dir, &[], &[]);
        assert_eq!(run.code, 1, "{name}: exit 1\n{}", run.stderr);
        assert!(
            run.stderr.contains(&format!("({name}:")) && run.stderr.contains("charte never writes"),
            "{name}: {}",
            run.stderr
        );
        assert!(!dir.exists() && !t.root.join("escaped").exists() && !Path::new("/tmp/charte-absolute").exists());
        assert!(!t.root.join("sub").exists(), "{name}: nothing written, not even DIR's parent");
    }
    // The same forgery with only workspace members restores: the refusals above are the members'.
    let all = vec![
        (member("charte.toml", E::Regular, toml.len() as u64), &toml[..]),
        (member("charte.db", E::Regular, db.len() as u64), &db[..]),
    ];
    std::fs::write(&file, forged(&all)).unwrap();
    let run = restore(&t, &file, &dir, &[], &[]);
    // Its label announces another journal than the one it holds: refused after the audit.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("its label announces a journal of 1 entries"), "{}", run.stderr);
    assert!(!dir.exists());
}
