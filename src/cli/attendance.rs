//! `charte attendance import FILE.csv`: reads the list, prints what
//! crate::app::attendance recorded.

use std::path::PathBuf;

use super::Ctx;
use crate::app::{TableFile, attendance};
use crate::error::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record attendance: columns meeting, enterprise_number (or name),
    /// status (present, excused, absent) and optionally person. All lines are
    /// checked first; one bad line and nothing is recorded. Importing the
    /// same list again changes nothing.
    Import {
        /// The attendance list (CSV from Excel, comma, semicolon or tab
        /// separated), one line per organisation (or person) and meeting.
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    let Command::Import { file } = cmd;
    let mut app = ctx.app_writer()?;
    let list = TableFile::read(&file, attendance::MAX_BYTES, "an attendance list")?;
    let done = app.import_attendance(&list)?;
    say!("{}: {} lines recorded, {} already known", file.display(), done.recorded, done.known);
    Ok(0)
}
