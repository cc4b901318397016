//! `charte breach report ID --about TEXT`

use super::Ctx;
use crate::error::{Error, Result};
use crate::journal::Event;
use crate::roster;

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
    let mut ws = ctx.writer()?;
    let members = ws.store.members()?;
    let m = roster::resolve(&members, &id)?;
    let about = about.split_whitespace().collect::<Vec<_>>().join(" ");
    if about.is_empty() {
        return Err(Error::usage("--about: say what the breach is"));
    }
    ws.store.transaction(ctx.now, |tx| {
        tx.append(&Event::BreachReported {
            enterprise_number: m.organisation.enterprise_number.digits().to_owned(),
            about: about.clone(),
        })
        .map(|_| ())
    })?;
    say!("breach recorded for {}: the committee will see a breach-reported flag", m.organisation.name);
    Ok(0)
}
