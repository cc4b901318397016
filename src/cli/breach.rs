//! `charte breach report ID --about TEXT`: prints what
//! crate::app::breach recorded.

use super::Ctx;
use crate::error::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The committee notes that an organisation did not practise the
    /// charter's principles; raises a breach-reported flag.
    Report {
        /// Enterprise number (any spelling) or a unique name.
        id: String,
        /// What happened, in the committee's words.
        #[arg(long)]
        about: String,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    let Command::Report { id, about } = cmd;
    let done = ctx.app_writer()?.report_breach(&id, &about)?;
    say!("breach recorded for {}: the committee will see a breach-reported flag", done.organisation);
    Ok(0)
}
