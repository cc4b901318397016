//! `charte audit`: says whether [`App::audit`](crate::app::App::audit)
//! found the journal's chain, its Merkle tree and every checkpoint intact
//! and the tables derived from it as the journal gives them; exit 1
//! naming the first broken entry, the checkpoint the journal contradicts,
//! or the first difference. `charte checkpoint`: writes a signed tree head.

use std::path::PathBuf;

use super::Ctx;
use crate::error::{Error, Result};
use crate::journal::store::{Audit, Mismatch};

pub const LONG_ABOUT: &str = "Verify the journal.

1. The hash chain: every entry's hash recomputed and linked to the one before.
2. The Merkle tree kept beside it (the one checkpoints sign).
3. Every checkpoint: those in out/checkpoints/, those the sealed reports in out/reports/ embed, and any \
given with --checkpoint (a funder's copy: a checkpoint file or a sealed report). The journal must still \
begin with the very tree each one signed: entries removed at the end, or a history rewritten, are named here.
4. The tables derived from the journal, replayed and compared row by row.

Exit 0 when everything holds; 1 naming the first thing that does not; 2 when a file given is not a \
checkpoint.";

pub const CHECKPOINT_ABOUT: &str = "Sign the journal's tree head into out/checkpoints/.

A checkpoint is the size and root of the journal's Merkle tree, signed with the coordination's seal key. \
It covers every entry so far, including the one recording it. Give it to whoever must be able to check \
later that nothing was removed or rewritten (a funder, the committee): `charte audit --checkpoint FILE` \
then proves the journal still extends it. Reports embed one, and every workflow run that changed \
something writes one at its end.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A checkpoint to hold the journal to (a checkpoint file, or a sealed report embedding one); repeatable.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Vec<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let report = ctx.app()?.audit(&args.checkpoint)?;
    let checked = match report.latest {
        Some(latest) => format!("{} checked, the latest covering {latest} entries", report.checkpoints),
        None => "none yet (charte checkpoint writes one)".to_owned(),
    };
    match report.audit {
        Audit::Intact { entries, head, tree, tables, personal } => {
            let root = hex::encode(tree.root);
            if ctx.json {
                super::print_json(&serde_json::json!({
                    "intact": true, "entries": entries, "head": head, "root": root,
                    "checkpoints": report.checkpoints, "tables": tables,
                    "personal": {"held": personal.held, "erased": personal.erased},
                }))?;
            } else {
                say!("journal intact: {entries} entries, head {head}");
                say!("Merkle tree intact: root {root}");
                say!("checkpoints: {checked}");
                say!("derived tables intact: {tables} tables as the journal gives them");
                say!(
                    "personal data intact: {} value(s) held, each matching its commitment; {} erased, each recorded in the journal",
                    personal.held,
                    personal.erased
                );
            }
            Ok(0)
        }
        Audit::Personal(fault) => {
            if ctx.json {
                super::print_json(&serde_json::json!({"intact": false, "personal": fault.to_string()}))?;
            }
            Err(Error::CheckFailed(format!(
                "{fault}; restore charte.db from a backup (the journal itself and the tables derived from it are intact)"
            )))
        }
        Audit::Broken(b) => {
            if ctx.json {
                super::print_json(&serde_json::json!({"intact": false, "broken_at": b.seq, "reason": b.reason}))?;
            }
            Err(Error::CheckFailed(format!("journal broken at entry {}: {}", b.seq, b.reason)))
        }
        Audit::Tree(reason) | Audit::Checkpoint(reason) => {
            if ctx.json {
                super::print_json(&serde_json::json!({"intact": false, "reason": reason}))?;
            }
            Err(Error::CheckFailed(reason))
        }
        Audit::Differs(d) => {
            if ctx.json {
                let (difference, column, stored, journal) = match &d.what {
                    Mismatch::Column { column, stored, journal } => {
                        ("column", Some(column), stored.clone(), journal.clone())
                    }
                    Mismatch::Extra => ("extra-row", None, None, None),
                    Mismatch::Missing => ("missing-row", None, None, None),
                };
                super::print_json(&serde_json::json!({
                    "intact": false, "table": d.table, "key": d.key, "difference": difference,
                    "column": column, "stored": stored, "journal": journal, "reason": d.to_string(),
                }))?;
            }
            Err(Error::CheckFailed(format!(
                "{d}: the database was changed outside charte; restore it from a backup (the journal itself is intact)"
            )))
        }
    }
}

pub fn checkpoint(ctx: &Ctx) -> Result<u8> {
    let made = ctx.app_writer()?.checkpoint()?;
    let root = hex::encode(made.head.root);
    if ctx.json {
        super::print_json(&serde_json::json!({
            "file": made.path, "tree_size": made.head.size, "root": root, "key_fingerprint": made.fingerprint,
        }))?;
    } else {
        say!("checkpoint written: {}", made.path.display());
        say!("  covers the journal's {} entries, root {root}", made.head.size);
        say!("  signed with the coordination's key {}", made.fingerprint);
        say!(
            "Keep a copy elsewhere (or give it to the funder): `charte audit --checkpoint FILE` proves the journal still extends it."
        );
    }
    Ok(0)
}
