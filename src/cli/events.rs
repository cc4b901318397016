//! `charte events import FILE.csv [--dry-run]` / `charte events list`:
//! reads the file, prints what crate::app::events did or holds.

use std::path::PathBuf;

use super::Ctx;
use crate::app::{TableFile, events};
use crate::error::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record the network's events and actions: columns date (YYYY-MM-DD or
    /// DD/MM/YYYY), kind (colloquium, network-day, campaign, bourse, other;
    /// French and Dutch names too), title, participants (optional). All lines
    /// are checked first; one bad line and nothing is recorded. An event is
    /// known by its date and title: importing the same file again changes
    /// nothing.
    Import {
        /// The events, one per line (CSV from Excel, comma, semicolon or tab separated).
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
        /// Say what would change, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The events and actions recorded, by date.
    List,
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Import { file, dry_run } => {
            let mut app = ctx.app_writer()?;
            let events = TableFile::read(&file, events::MAX_BYTES, "an events file")?;
            imported(&file, &app.import_events(&events, dry_run)?);
            Ok(0)
        }
        Command::List => {
            let all = ctx.app()?.events()?;
            if ctx.json {
                return super::print_json(&all).map(|_| 0);
            }
            for a in &all {
                let n = a.participants.map(|n| format!("{n} participants")).unwrap_or_else(|| "—".into());
                say!("{}  {:<12} {}  ({n})", a.date, a.kind.code(), a.title);
            }
            Ok(0)
        }
    }
}

/// Says what importing the events of `file` did (or would do).
pub(super) fn imported(file: &std::path::Path, done: &events::Imported) {
    say!(
        "{}: {} events {}, {} already known{}",
        file.display(),
        done.new,
        if done.dry_run { "would be recorded" } else { "recorded" },
        done.known,
        if done.dry_run { " (dry run: nothing was changed)" } else { "" }
    );
}
