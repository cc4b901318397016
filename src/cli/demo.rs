//! `charte demo [FIXTURE] [--out DIR]`: copies a fixture into a fresh
//! folder and replays its year, day by day with `--now`, through the same
//! commands a coordinator runs: the roster, the keys, the adherence
//! documents and some returns signed with the organisations' own keys,
//! every meeting convoked into the outbox with its notice period, the
//! attendance, the reports and the flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};

use super::Ctx;
use crate::error::{Error, Result};

const FIXTURES: &[&str] = &["woluwe-saint-lambert", "ixelles", "ans", "saint-gilles", "relais-social-luxembourg"];
const YEAR: i32 = 2026;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A fixture's name (see fixtures/) or the path of a fixture folder.
    #[arg(default_value = "woluwe-saint-lambert")]
    fixture: String,
    /// The folder to create (must not exist, or be empty); default: a new
    /// folder in the system's temporary directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Finds a fixture by path, or by name under ./fixtures or next to the
/// binary's repository.
fn locate(fixture: &str) -> Result<PathBuf> {
    let direct = PathBuf::from(fixture);
    if direct.join("charte.toml").is_file() {
        return Ok(direct);
    }
    let mut roots = vec![PathBuf::from("fixtures"), PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    if let Ok(exe) = std::env::current_exe()
        && let Some(repo) = exe.ancestors().nth(3)
    {
        roots.push(repo.join("fixtures"));
    }
    roots
        .into_iter()
        .map(|r| r.join(fixture))
        .find(|p| p.join("charte.toml").is_file())
        .ok_or_else(|| Error::not_found(format!("no fixture '{fixture}' (the fixtures are: {})", FIXTURES.join(", "))))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| Error::io(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(|e| Error::io(&target, e))?;
        }
    }
    Ok(())
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| Error::internal("a date of the demo's year does not exist"))
}

pub fn run(args: Args, _ctx: &Ctx) -> Result<u8> {
    let fixture = locate(&args.fixture)?;
    let out = match args.out {
        Some(dir) => dir,
        None => std::env::temp_dir().join(format!(
            "charte-demo-{}-{}",
            fixture.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id()
        )),
    };
    if out.exists() && std::fs::read_dir(&out).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(Error::usage(format!("{} exists and is not empty: give a new folder with --out", out.display())));
    }
    copy_dir(&fixture, &out)?;
    let dir = out.as_path();
    say!("charte demo: the year {YEAR} of {} in {}", fixture.display(), dir.display());

    // New Year's day: the roster, the seal key, the year's meetings; then
    // the adherence documents. Everything after runs in date order.
    let jan1 = date(YEAR, 1, 1)?;
    say!("\n== {jan1}: roster, keys, the year's meetings");
    super::replay(dir, jan1, &["members", "import", &dir.join("roster.csv").display().to_string()])?;
    super::replay(dir, jan1, &["keys", "init"])?;
    let meetings = crate::tabular::read(&dir.join("year/meetings.csv"), 16 << 20, "a meetings file")?;
    let attendance = crate::tabular::read(&dir.join("year/attendance.csv"), 64 << 20, "an attendance file")?;
    let config = crate::config::Config::load(&dir.join("charte.toml"))?;
    let work = dir.join("out/demo");
    std::fs::create_dir_all(&work).map_err(|e| Error::io(&work, e))?;
    let mut timeline: BTreeMap<NaiveDate, Vec<Vec<String>>> = BTreeMap::new();
    let mut ids = Vec::new();
    for (_, row) in &meetings.rows {
        let [body, when, place, title, agenda] = &row[..] else { continue };
        let (day, _) = crate::governance::meeting::parse_when(when).map_err(Error::Usage)?;
        let b = crate::governance::body(&config, body).map_err(Error::Usage)?;
        let id = format!("{body}-{day}");
        let file = work.join(format!("{id}.md"));
        let items: String = agenda.split(" | ").map(|i| format!("- {i}\n")).collect();
        crate::error::write_atomic(&file, items.as_bytes())?;
        let agenda = file.display().to_string();
        super::with_quiet(|| {
            super::replay(
                dir,
                jan1,
                &[
                    "meeting", "add", "--body", body, "--date", when, "--place", place, "--title", title, "--agenda",
                    &agenda,
                ],
            )
        })?;
        let convoke_on = crate::governance::notice::last_sending_day(day, b.notice_clear_days, b.receipt_days)
            .unwrap_or(day)
            .max(jan1);
        timeline.entry(convoke_on).or_default().push(vec!["convoke".into(), id.clone()]);
        ids.push((id, day));
    }
    say!("{} meetings scheduled", ids.len());
    for (id, day) in &ids {
        let rows: Vec<&Vec<String>> =
            attendance.rows.iter().map(|(_, r)| r).filter(|r| r.first() == Some(id)).collect();
        if rows.is_empty() {
            continue;
        }
        let mut csv = attendance.header.join(",") + "\n";
        for r in rows {
            csv.push_str(&r.iter().map(|c| crate::cli::report::csv_field(c)).collect::<Vec<_>>().join(","));
            csv.push('\n');
        }
        let file = work.join(format!("{id}-attendance.csv"));
        crate::error::write_atomic(&file, csv.as_bytes())?;
        let after = day.checked_add_days(Days::new(1)).unwrap_or(*day);
        timeline.entry(after).or_default().push(vec!["attendance".into(), "import".into(), file.display().to_string()]);
    }
    let events = dir.join("year/events.csv");
    if events.is_file() {
        super::replay(dir, jan1, &["events", "import", &events.display().to_string()])?;
    }
    let commands = other_commands(dir)?;
    let elections = commands.iter().filter(|(_, c)| c.first().is_some_and(|w| w == "election")).count();
    for (day, command) in commands {
        timeline.entry(day).or_default().push(command);
    }

    // The adhesion workflow starts on the first working Monday; two
    // organisations in three sign with their own key and send it back
    // within six weeks, the others are reminded, then escalated.
    let issue_day = date(YEAR, 1, 5)?;
    let dec = date(YEAR, 12, 31)?;
    let keys = dir.join("organisation-keys");
    std::fs::create_dir_all(&keys).map_err(|e| Error::io(&keys, e))?;
    let mut returned = 0;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut day = jan1;
    loop {
        for s in timeline.remove(&day).unwrap_or_default() {
            let argv: Vec<&str> = s.iter().map(String::as_str).collect();
            super::with_quiet(|| super::replay(dir, day, &argv).map(|_| ()))?;
        }
        let mut workflows = vec!["convocation"];
        if day >= issue_day {
            workflows.push("adhesion");
        }
        if day == dec {
            workflows.extend(["annual-report", "interpellation"]);
        }
        for w in &workflows {
            super::with_quiet(|| super::replay(dir, day, &["run", w]))?;
            *counts.entry(w).or_default() += 1;
        }
        if day == issue_day {
            say!("\n== {issue_day}: the adhesion workflow issues and mails the adherence documents");
            let store =
                crate::journal::Store::open(&dir.join(crate::workspace::DB_FILE), crate::journal::Clock::new(true))?;
            let documents = store.documents()?;
            // Membership is proof: the organisations that take part in the
            // year's committee election all sign; of the others, one in
            // three does not, and is reminded, then flagged.
            let electors = election_organisations(dir)?;
            for (i, d) in documents.iter().enumerate() {
                if i % 3 == 2 && !electors.contains(&d.enterprise_number) {
                    continue;
                }
                let on = day.checked_add_days(Days::new(2 + (i % 40) as u64)).unwrap_or(day);
                let key = keys.join(format!("{}.key", d.enterprise_number)).display().to_string();
                let signed = keys.join(format!("{}-signed.pdf", d.enterprise_number)).display().to_string();
                let steps = timeline.entry(on).or_default();
                steps.push(vec!["keys".into(), "member".into(), "--out".into(), key.clone()]);
                steps.push(vec!["members".into(), "set-key".into(), d.enterprise_number.clone(), format!("{key}.pub")]);
                steps.push(vec![
                    "sign".into(),
                    dir.join(&d.file).display().to_string(),
                    "--key".into(),
                    key,
                    "--out".into(),
                    signed.clone(),
                ]);
                let back = on.checked_add_days(Days::new(3)).unwrap_or(on);
                timeline.entry(back).or_default().push(vec!["collect".into(), signed]);
                returned += 1;
            }
            say!(
                "{} documents; {returned} organisations will sign with their own key and return them, \
                 the others are reminded after 14 days and flagged adherence-overdue after 45",
                documents.len()
            );
        }
        if day >= dec {
            break;
        }
        // The next day anything happens: a scheduled command, or a step a
        // workflow has due.
        let mut next = timeline.keys().next().copied().unwrap_or(dec).min(dec);
        if day < issue_day {
            next = next.min(issue_day);
        }
        for w in ["convocation", "adhesion"] {
            if let Some(d) = next_due(dir, w, day)? {
                next = next.min(d);
            }
        }
        day = next.max(day.succ_opt().unwrap_or(dec));
    }
    say!(
        "\n== {jan1}..{dec}: {} meetings convoked into the outbox by the convocation workflow, each with its notice \
         period; attendance recorded; {} runs of the workflows",
        ids.len(),
        counts.values().sum::<usize>()
    );
    if elections > 0 {
        say!("\n== the committee election, round by round (charte election list / show)");
        super::replay(dir, dec, &["election", "list"])?;
    }
    say!("\n== {dec}: the annual-report workflow sealed the reports; the interpellation workflow drafted the letters");
    super::replay(dir, dec, &["status", "annual-report"])?;
    say!("\n== {dec}: flags for the committee");
    super::replay(dir, dec, &["flags", "--year", &YEAR.to_string()])?;
    super::replay(dir, dec, &["audit"])?;
    say!("\nWhere to look:");
    say!("  {}  the signed adherence documents and their seals", dir.join("out/adherence").display());
    say!("  {}  every convocation as an .eml file", dir.join("out/outbox").display());
    say!(
        "  {}  the reports (PDF sealed: charte verify FILE --key keys/coordination.pub)",
        dir.join("out/reports").display()
    );
    say!("  {}  draft interpellation letters", dir.join("out/letters").display());
    say!("  charte --dir {} members list | flags | meeting list | audit", dir.display());
    Ok(0)
}

/// The organisations (10 digits) named in the fixture's election files and
/// commands: voters, persons' organisations, objectors.
fn election_organisations(dir: &Path) -> Result<std::collections::HashSet<String>> {
    let mut out = std::collections::HashSet::new();
    let year = dir.join("year");
    let Ok(entries) = std::fs::read_dir(&year) else { return Ok(out) };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with("election") || name == "commands.csv") {
            continue;
        }
        let path = entry.path();
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        for token in text.split([',', '\n', '=']) {
            if let Ok(n) = crate::roster::EnterpriseNumber::parse(token.trim()) {
                out.insert(n.digits().to_owned());
            }
        }
    }
    Ok(out)
}

/// The next day workflow `name` has a step due in workspace `dir`, after `today`.
fn next_due(dir: &Path, name: &str, today: NaiveDate) -> Result<Option<NaiveDate>> {
    let ws = crate::workspace::Workspace::open(dir, today)?;
    let wf = crate::workflow::load(dir, name, &ws.config.flags)?;
    crate::workflow::next_due(&ws.store, &ws.config, &wf, today)
}

/// The fixture's other commands (year/commands.csv: a date, then the words
/// of the command, one per field), with the files they name made absolute.
fn other_commands(dir: &Path) -> Result<Vec<(NaiveDate, Vec<String>)>> {
    let path = dir.join("year/commands.csv");
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&path)
        .map_err(|e| Error::Input { file: path.clone(), problems: vec![crate::error::Problem::file(e.to_string())] })?;
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let bad = |message: String| Error::Input {
            file: path.clone(),
            problems: vec![crate::error::Problem::at(line, Some("date"), message)],
        };
        let record = record.map_err(|e| bad(e.to_string()))?;
        let day = super::parse_date("date", record.get(0).unwrap_or_default()).map_err(|e| bad(e.to_string()))?;
        let words = record
            .iter()
            .skip(1)
            .map(|w| if dir.join(w).is_file() { dir.join(w).display().to_string() } else { w.to_owned() })
            .collect();
        out.push((day, words));
    }
    Ok(out)
}
