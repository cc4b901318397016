//! `charte sign FILE.pdf --key FILE.key [--out SIGNED.pdf]`: the
//! organisation's side, outside any workspace ([`crate::app::sign`]).

use std::path::PathBuf;

use super::Ctx;
use crate::app::sign::Input;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The adherence document as issued (sealed PDF).
    file: PathBuf,
    /// The organisation's private key (made by `charte keys member`).
    #[arg(long, value_name = "FILE.key")]
    key: PathBuf,
    /// Where to write the signed document (default: FILE-signed.pdf).
    #[arg(long, value_name = "SIGNED.pdf")]
    out: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let signed = crate::app::sign::sign(&Input { file: args.file, key: args.key, out: args.out }, ctx.now)?;
    say!(
        "signed {} ({}) with key {}",
        signed.document_id,
        signed.organisation.as_deref().unwrap_or("-"),
        signed.fingerprint
    );
    say!("  {}  send this file back to the coordination", signed.out.display());
    say!("  {}  the same signature, detached", signed.detached.display());
    Ok(0)
}
