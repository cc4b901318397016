//! `charte attendance import FILE.csv`

use std::path::PathBuf;

use super::Ctx;
use crate::error::{Error, Result};
use crate::governance::attendance;
use crate::journal::Event;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record attendance: columns meeting, enterprise_number (or name),
    /// status (present, excused, absent) and optionally person. All lines are
    /// checked first; one bad line and nothing is recorded. Importing the
    /// same list again changes nothing.
    Import { file: PathBuf },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    let Command::Import { file } = cmd;
    let mut ws = ctx.writer()?;
    let table = crate::tabular::read(&file, 64 * 1024 * 1024, "an attendance list")?;
    let meetings: Vec<_> = ws.store.meetings()?.into_iter().map(|r| r.meeting).collect();
    let members = ws.store.members()?;
    let rows = attendance::parse(&table, &meetings, &members, ctx.now)
        .map_err(|problems| Error::Input { file: file.clone(), problems })?;
    let known = ws.store.attendance()?;
    let new: Vec<_> = rows.into_iter().filter(|a| !known.contains(a)).collect();
    ws.store.transaction(ctx.now, |tx| {
        for a in &new {
            tx.append(&Event::AttendanceRecorded { attendance: a.clone() })?;
        }
        Ok(())
    })?;
    say!("{}: {} lines recorded, {} already known", file.display(), new.len(), table.rows.len() - new.len());
    Ok(0)
}
