//! `charte expenses import FILE.csv [--year Y] [--dry-run]` / `charte
//! expenses list [--year Y] [--json]`: reads the file, prints what
//! crate::app::expenses did or holds.

use std::path::PathBuf;

use super::Ctx;
use crate::app::{TableFile, expenses};
use crate::error::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record the year's expense and staff lines, which `charte report
    /// subsidy --year Y` then reads: columns date, category (staff, running,
    /// project), description, amount (1350,00 or 1.350,00 or 1,350.00),
    /// document (the supporting document's reference), person and fte (staff
    /// lines). All lines are checked first; one bad line and nothing is
    /// recorded. A file holds all the lines of one year: importing another
    /// file for the same year REPLACES the lines recorded before (the journal
    /// keeps both files' sha256), never adds to them; the same file again
    /// changes nothing.
    Import {
        /// The expense and staff lines (CSV from Excel, comma, semicolon or tab separated).
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
        /// The year of the lines; default: the year of the first line's date.
        #[arg(long)]
        year: Option<i32>,
        /// Say what would change, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The lines recorded for a year, with the totals per category.
    List {
        /// The year; default: the latest year with lines recorded.
        #[arg(long)]
        year: Option<i32>,
    },
}

/// Plain spaces between thousands: a terminal may not show the page's
/// narrow no-break space.
fn euros(cents: i64) -> String {
    crate::report::amount::format(cents).replace('\u{202f}', " ")
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Import { file, year, dry_run } => {
            let mut app = ctx.app_writer()?;
            let table = TableFile::read(&file, expenses::MAX_BYTES, "an expenses file")?;
            let done = app.import_expenses(&table, year, dry_run)?;
            let lines = &done.lines;
            let verb = match (done.unchanged, done.dry_run) {
                (true, _) => "already recorded as they are",
                (false, true) => "would be recorded",
                (false, false) => "recorded",
            };
            say!("{}: {} expense lines of {} {verb}", file.display(), lines.lines.len(), lines.year);
            for (category, cents) in &lines.totals {
                say!("  {:<10} {:>16} EUR", category.code(), euros(*cents));
            }
            say!("  {:<10} {:>16} EUR", "total", euros(lines.total));
            if let Some(before) = done.replaces.as_ref().filter(|_| !done.unchanged) {
                say!(
                    "they {} the {} lines of {} imported on {} (sha256 {})",
                    if done.dry_run { "would replace" } else { "replace" },
                    before.lines,
                    before.file,
                    &before.at[..before.at.len().min(10)],
                    &before.sha256[..12]
                );
            }
            if done.dry_run {
                say!("(dry run: nothing was changed)");
            }
            Ok(0)
        }
        Command::List { year } => {
            let listed = ctx.app()?.expenses(year)?;
            let lines = &listed.lines;
            if ctx.json {
                let import = listed.import.as_ref();
                return super::print_json(&serde_json::json!({
                    "year": lines.year,
                    "file": import.map(|i| &i.file),
                    "sha256": import.map(|i| &i.sha256),
                    "imported": import.map(|i| &i.at),
                    "lines": lines.lines,
                    "totals_cents": lines.totals,
                    "total_cents": lines.total,
                }))
                .map(|_| 0);
            }
            let Some(import) = &listed.import else {
                say!("no expense lines recorded for {}: charte expenses import FILE.csv", lines.year);
                return Ok(0);
            };
            say!("{}: {} lines from {} (imported on {})", lines.year, lines.lines.len(), import.file, import.at);
            for e in &lines.lines {
                let who = e.person.as_deref().map(|p| format!("  [{p}]")).unwrap_or_default();
                say!(
                    "{}  {:<8} {:>14} EUR  {}  ({}){who}",
                    e.date,
                    e.category.code(),
                    euros(e.cents),
                    e.description,
                    e.document
                );
            }
            for (category, cents) in &lines.totals {
                say!("  {:<10} {:>16} EUR", category.code(), euros(*cents));
            }
            say!("  {:<10} {:>16} EUR", "total", euros(lines.total));
            Ok(0)
        }
    }
}
