//! `charte evidence ENTRY [--out FILE]`: writes one journal entry with its
//! inclusion proof against the latest checkpoint
//! ([`App::evidence`](crate::app::App::evidence)) and says how the funder
//! checks it.

use std::path::PathBuf;

use super::Ctx;
use crate::app::evidence::Input;
use crate::error::Result;

pub const LONG_ABOUT: &str = "Write one journal entry with its inclusion proof, for a funder who asks where a \
figure comes from.

The file (out/evidence/evidence-ENTRY-at-SIZE.json, or --out FILE) holds the entry's columns, the latest \
checkpoint of out/checkpoints/ as it was signed, and the proof that the entry is entry ENTRY of the tree that \
checkpoint signs. Whoever holds the coordination's public key checks it offline, without the rest of the \
journal: `python3 docs/verify_journal.py evidence FILE coordination.pub` (docs/journal.md, \"Proofs\").

Exit 2 when the journal has no such entry, or no checkpoint covers it yet (run `charte checkpoint` first); \
1 when the latest checkpoint is not the coordination's or the journal contradicts it.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The journal entry's sequence number (`seq`, as `charte audit` and the flags' evidence number them).
    #[arg(value_name = "ENTRY")]
    pub entry: u64,
    /// Where to write the evidence file (never over another file).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let written = ctx.app()?.evidence(&Input { seq: args.entry, out: args.out })?;
    if ctx.json {
        super::print_json(&serde_json::json!({
            "file": written.path, "entry": written.seq, "kind": written.kind, "at": written.at,
            "tree_size": written.tree_size, "checkpoint": written.checkpoint, "proof_hashes": written.proof_len,
        }))?;
    } else {
        say!("evidence written: {}", written.path.display());
        say!("  entry {} ({}, {}), proved with {} hashes", written.seq, written.kind, written.at, written.proof_len);
        say!("  against {}: the journal's first {} entries, signed", written.checkpoint, written.tree_size);
        say!(
            "The funder checks it offline with the coordination's public key: python3 docs/verify_journal.py evidence FILE coordination.pub (docs/journal.md, \"Proofs\")."
        );
    }
    Ok(0)
}
