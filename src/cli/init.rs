//! `charte init DIR`

use std::path::PathBuf;

use super::Ctx;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to create the workspace in (created if missing; must not hold a workspace).
    dir: PathBuf,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    crate::workspace::init(&args.dir, ctx.now)?;
    println!("New workspace in {}", args.dir.display());
    println!("  charte.toml   the network's identity and rules: edit it first");
    println!("  charter/      the charter text (fr.md, nl.md)");
    println!("  charte.db     the journal");
    println!("  keys/         run `charte keys init` to create the coordination's seal");
    println!("  out/          generated documents");
    println!("Next: charte --dir {} members import roster.csv", args.dir.display());
    Ok(0)
}
