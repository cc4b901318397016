//! `charte init DIR`

use std::path::PathBuf;

use super::Ctx;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to create the workspace in (created if missing; must not hold a workspace).
    dir: PathBuf,
    /// A replay workspace (training, a fixture, tests): it may act on dates
    /// after today's (--now). Never for a real network's year: a mistyped
    /// date would be accepted.
    #[arg(long)]
    replay: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    crate::workspace::init(&args.dir, ctx.now, args.replay)?;
    say!("New {}workspace in {}", if args.replay { "replay " } else { "" }, args.dir.display());
    say!("  charte.toml   the network's identity and rules: edit it first");
    say!("  charter/      the charter text (fr.md, nl.md)");
    say!("  charte.db     the journal");
    say!("  keys/         run `charte keys init` to create the coordination's seal");
    say!("  out/          generated documents");
    say!("Next: charte --dir {} members import roster.csv", args.dir.display());
    Ok(0)
}
