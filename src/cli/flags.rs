//! `charte flags [--year Y] [--json]`

use super::Ctx;
use crate::error::Result;
use crate::flags;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only the flags whose evidence falls in this year.
    #[arg(long)]
    year: Option<i32>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let ws = ctx.workspace()?;
    let loaded = flags::Loaded::load(&ws.store)?;
    let flags = flags::evaluate(&loaded.facts(&ws.config, ctx.now, args.year));
    if ctx.json {
        return super::print_json(&flags).map(|_| 0);
    }
    if flags.is_empty() {
        say!("No flag: nothing for the committee to look at.");
    }
    for f in &flags {
        say!("{:<32} {:<14} {} (since {})", f.rule, f.enterprise_number.as_deref().unwrap_or("-"), f.name, f.since);
        for e in &f.evidence {
            match e.seq {
                Some(seq) => say!("    #{seq}: {}", e.text),
                None => say!("    {}", e.text),
            }
        }
    }
    Ok(0)
}
