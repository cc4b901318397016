//! `charte verify FILE [--key coordination.pub]`: needs nothing but the file
//! and the public key; works outside any workspace.

use std::path::PathBuf;

use super::Ctx;
use crate::error::{Error, Result};
use crate::seal;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A sealed document (PDF).
    file: PathBuf,
    /// The coordination's public key; default: keys/coordination.pub of
    /// the workspace (--dir).
    #[arg(long, value_name = "FILE.pub")]
    key: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let key_path = args.key.unwrap_or_else(|| ctx.dir.join("keys").join("coordination.pub"));
    let key = seal::load_verifying_key(&key_path)
        .map_err(|e| Error::usage(format!("{e} (give the coordination's public key with --key FILE.pub)")))?;
    let bytes = crate::error::read_file(&args.file)?;
    match seal::verify(&bytes, &key) {
        Ok(verdict) => {
            if ctx.json {
                super::print_json(&serde_json::json!({"authentic": true, "manifest": verdict.manifest}))?;
            } else {
                say!("{}: authentic — {}", args.file.display(), verdict.summary);
            }
            Ok(0)
        }
        Err(e) => {
            if ctx.json {
                super::print_json(&serde_json::json!({"authentic": false, "reason": e.to_string()}))?;
            }
            Err(Error::CheckFailed(format!("{}: NOT authentic: {e}", args.file.display())))
        }
    }
}
