//! `charte demo [FIXTURE] [--out DIR]`: finds the fixture, has
//! [`crate::app::demo::replay_year`] copy it into a fresh folder and replay
//! its year there, then says what happened: the roster, the keys, the
//! adherence documents and the returns signed with the organisations' own
//! keys, the meetings convoked, and, as their own commands print them, the
//! committee election, the annual report's workflow, the flags and the
//! journal's audit on the year's last day.

use std::path::PathBuf;

use super::Ctx;
use crate::app::demo::replay_year;
use crate::error::{Error, Result};

const FIXTURES: &[&str] = &["woluwe-saint-lambert", "ixelles", "ans", "saint-gilles", "relais-social-luxembourg"];

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
    let year = replay_year(&fixture, &out, &super::Terminal::default())?;
    let dir = year.folder.as_path();
    // The closing sections are the commands' own, run on the demo's
    // folder on its last day.
    let at_end = Ctx { dir: dir.to_owned(), now: year.last_day, json: false };
    let (jan1, dec) = (year.first_day, year.last_day);
    say!("charte demo: the year {} of {} in {}", year.year, fixture.display(), dir.display());

    say!("\n== {jan1}: roster, keys, the year's meetings");
    super::members::imported(&year.roster_file, &year.roster, false, &at_end)?;
    super::keys::created(&year.keys);
    say!("{} meetings scheduled", year.meetings);
    if let Some((file, done)) = &year.events {
        super::events::imported(file, done);
    }
    say!("\n== {}: the adhesion workflow issues and mails the adherence documents", year.issue_day);
    say!(
        "{} documents; {} organisations will sign with their own key and return them, \
         the others are reminded after 14 days and flagged adherence-overdue after 45",
        year.documents,
        year.signers
    );
    say!(
        "\n== {jan1}..{dec}: {} meetings convoked into the outbox by the convocation workflow, each with its notice \
         period; attendance recorded; {} runs of the workflows",
        year.meetings,
        year.total_runs()
    );
    if !year.elections.is_empty() {
        say!("\n== the committee election, round by round (charte election list / show)");
        super::election::list(&at_end)?;
    }
    say!("\n== {dec}: the annual-report workflow sealed the reports; the interpellation workflow drafted the letters");
    super::status::show(Some("annual-report"), &at_end)?;
    say!("\n== {dec}: flags for the committee");
    super::flags::list(Some(year.year), &at_end)?;
    super::audit::run(super::audit::Args { checkpoint: Vec::new() }, &at_end)?;
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
