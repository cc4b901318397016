//! `charte events import FILE.csv [--dry-run]` / `charte events list`

use std::path::PathBuf;

use super::Ctx;
use crate::actions;
use crate::error::{Error, Result};
use crate::journal::Event;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record the network's events and actions: columns date (YYYY-MM-DD or
    /// DD/MM/YYYY), kind (colloquium, network-day, campaign, bourse, other;
    /// French and Dutch names too), title, participants (optional). All lines
    /// are checked first; one bad line and nothing is recorded. An event is
    /// known by its date and title: importing the same file again changes
    /// nothing.
    Import {
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
    let mut ws = ctx.writer()?;
    match cmd {
        Command::Import { file, dry_run } => {
            let table = crate::tabular::read(&file, 16 * 1024 * 1024, "an events file")?;
            let incoming = actions::parse(&table).map_err(|problems| Error::Input { file: file.clone(), problems })?;
            let total = incoming.len();
            let known = ws.store.actions()?;
            let new = actions::changes(incoming, &known);
            if !dry_run {
                ws.store.transaction(ctx.now, |tx| {
                    for a in &new {
                        tx.append(&Event::ActionRecorded { action: a.clone() })?;
                    }
                    Ok(())
                })?;
            }
            say!(
                "{}: {} events {}, {} already known{}",
                file.display(),
                new.len(),
                if dry_run { "would be recorded" } else { "recorded" },
                total - new.len(),
                if dry_run { " (dry run: nothing was changed)" } else { "" }
            );
            Ok(0)
        }
        Command::List => {
            let all = ws.store.actions()?;
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
