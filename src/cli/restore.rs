//! `charte restore FILE DIR [--passphrase-env VAR]`: has
//! [`crate::app::backup::restore`] check, extract and audit the backup,
//! and says what was restored and the audit's result.

use std::path::PathBuf;

use serde_json::json;

use super::Ctx;
use crate::app::backup::{RestoreInput, restore};
use crate::error::Result;

pub const LONG_ABOUT: &str = "Restore a backup made by `charte backup` into a new folder DIR (which must not \
    exist, or be empty). The whole file is checked before anything is written (every byte against the \
    sha256 it ends with, every file against its own, every path: nothing outside DIR, no link, no device); it \
    is extracted into a staging folder beside DIR, opened as a workspace and audited as `charte audit` does \
    (the journal's chain and the tables derived from it); only then is it put in place as DIR. DIR is \
    readable by its owner only (the private key is in it).\n\n\
    Exit codes: 0 restored and audited; 1 the backup does not hold: cut short, a byte changed, a member \
    charte never writes, or a journal that fails its audit (restore another copy); 2 unusable input: FILE \
    missing or not a charte backup, the passphrase wrong, missing (an encrypted backup) or given for a \
    backup that is not encrypted, VAR not set, DIR not empty. Whatever fails, nothing is restored.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The backup file (written by `charte backup`).
    file: PathBuf,
    /// The folder to restore the workspace into (must not exist, or be empty).
    dir: PathBuf,
    /// The backup is encrypted: its passphrase is in this environment variable.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let passphrase = super::backup::passphrase(args.passphrase_env.as_deref())?;
    let input = RestoreInput { file: args.file, dir: args.dir, passphrase };
    let restored = restore(&input, ctx.now, &super::Terminal::default())?;
    let label = &restored.label;
    if ctx.json {
        super::print_json(&json!({
            "dir": restored.dir, "files": restored.files, "folders": restored.folders, "bytes": restored.bytes,
            "encrypted": restored.encrypted, "coordination": label.coordination, "created": label.created,
            "audit": {"intact": true, "entries": restored.entries, "head": restored.head, "tables": restored.tables},
        }))?;
        return Ok(0);
    }
    say!(
        "restored {} into {}: {} files, {} bytes (the backup of {} made on {})",
        input.file.display(),
        restored.dir.display(),
        restored.files,
        restored.bytes,
        label.coordination,
        label.created
    );
    say!("journal intact: {} entries, head {}", restored.entries, restored.head);
    say!("derived tables intact: {} tables as the journal gives them", restored.tables);
    say!("done: work in it with `charte --dir {}`", restored.dir.display());
    Ok(0)
}
