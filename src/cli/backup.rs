//! `charte backup FILE [--passphrase-env VAR]`: reads the passphrase from
//! the environment, has [`App::backup`](crate::app::App::backup) write the
//! file, and says what it holds and how to keep it.

use std::path::PathBuf;

use age::secrecy::SecretString;
use serde_json::json;

use super::Ctx;
use crate::app::backup::{Input, MIN_PASSPHRASE_CHARS};
use crate::error::{Error, Result};

pub const LONG_ABOUT: &str = "Save the whole workspace in one new file: the journal (a snapshot of charte.db \
    taken at one moment, while other commands may go on writing), charte.toml, keys/ (the private seal key \
    included), charter/, templates/, workflows/ and out/. The file is readable by its owner only, never \
    replaces a file, and is refused inside the workspace itself. With --passphrase-env it is encrypted (age, \
    with a passphrase): keep the passphrase apart from the file. `charte restore FILE DIR` puts it back.\n\n\
    Exit codes: 0 saved; 2 unusable input (FILE exists, VAR not set, passphrase too short): nothing was \
    written; 3 the workspace stayed busy: run again.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The backup file to write (it must not exist), e.g.
    /// /media/usb/woluwe-2026-12-31.tar, or .tar.age when encrypted.
    file: PathBuf,
    /// Encrypt the backup with the passphrase held by this environment
    /// variable (at least 12 characters); the passphrase itself is never
    /// given on the command line.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let passphrase = passphrase(args.passphrase_env.as_deref())?;
    let saved = ctx.app()?.backup(&Input { file: args.file, passphrase })?;
    if ctx.json {
        let skipped: Vec<_> = saved.skipped.iter().map(|s| json!({"path": s.name, "reason": s.reason})).collect();
        super::print_json(&json!({
            "file": saved.file, "files": saved.files, "bytes": saved.bytes,
            "journal": {"entries": saved.journal.entries, "head": saved.journal.head},
            "encrypted": saved.encrypted, "skipped": skipped, "not_saved": saved.left_out,
        }))?;
        return Ok(0);
    }
    let how = if saved.encrypted { "encrypted with the passphrase" } else { "not encrypted" };
    say!("backup written: {} ({how})", saved.file.display());
    say!("  {} files, {} bytes", saved.files, saved.bytes);
    say!("  the journal: {} entries, head {}", saved.journal.entries, saved.journal.head);
    for s in &saved.skipped {
        say!("  skipped {}: {}", s.name, s.reason);
    }
    if !saved.left_out.is_empty() {
        say!("  not saved, not part of a workspace: {}", saved.left_out.join(", "));
    }
    say!("The private seal key is inside: keep this file as safe as the key itself, away from this computer");
    say!("(another disk, a USB key in a locked drawer), and try `charte restore` on it now and then.");
    if !saved.encrypted {
        say!("It is not encrypted: whoever holds it can seal in your name. --passphrase-env VAR encrypts it.");
    }
    Ok(0)
}

/// The passphrase in the environment variable `var`, when one is named:
/// refused when the variable is not set, not text, or empty.
pub(super) fn passphrase(var: Option<&str>) -> Result<Option<SecretString>> {
    let Some(var) = var else { return Ok(None) };
    let refused = |what: &str| {
        Error::usage(format!(
            "--passphrase-env {var}: {what}; set it to the passphrase (at least {MIN_PASSPHRASE_CHARS} \
             characters for a new backup), e.g. `read -rs {var}; export {var}`, then run again; nothing was changed"
        ))
    };
    match std::env::var(var) {
        Err(std::env::VarError::NotPresent) => Err(refused("the environment variable is not set")),
        Err(std::env::VarError::NotUnicode(_)) => Err(refused("the environment variable does not hold text")),
        Ok(p) if p.is_empty() => Err(refused("the environment variable is empty")),
        Ok(p) => Ok(Some(SecretString::from(p))),
    }
}
