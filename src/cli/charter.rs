//! `charte charter adopt VERSION --date D` / `charte charter list`: the
//! rules of a new version are [`crate::app::charter`]'s.

use super::Ctx;
use crate::error::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record a new version of the charter, adopted on DATE, whose text is
    /// now in charter/ (one file per language). Every organisation signs
    /// it again; signatures of the previous version still count for
    /// `[charter] grace_days` after DATE.
    Adopt {
        /// The version's label, e.g. 2027-01 (letters, digits, '-' and '.').
        version: String,
        /// The day the body adopted it (YYYY-MM-DD), not after --now.
        #[arg(long, value_name = "DATE")]
        date: String,
    },
    /// The charter's versions, with the day each was adopted and the one in force.
    List,
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Adopt { version, date } => adopt(&version, &date, ctx),
        Command::List => list(ctx),
    }
}

fn adopt(version: &str, date: &str, ctx: &Ctx) -> Result<u8> {
    let adopted = super::parse_date("--date", date)?;
    let a = ctx.app_writer()?.adopt_charter(version, adopted)?;
    say!("charter {} adopted on {}: every organisation signs it again (charte issue --all).", a.version, a.adopted);
    if let Some((previous, last_day)) = &a.previous {
        say!("  signatures of {previous} still count until {last_day} ({} days of grace)", a.grace_days);
    }
    for (lang, sha) in &a.texts {
        say!("  charter/{lang}.md  sha256 {sha}");
    }
    Ok(0)
}

fn list(ctx: &Ctx) -> Result<u8> {
    let listed = ctx.app()?.charter_versions();
    if ctx.json {
        return super::print_json(&listed).map(|_| 0);
    }
    for v in &listed {
        say!("{}  adopted {}{}", v.version, v.adopted, if v.in_force { "  (in force)" } else { "" });
    }
    Ok(0)
}
