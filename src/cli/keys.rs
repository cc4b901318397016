//! `charte keys init` and `charte keys member --out FILE`

use std::path::PathBuf;

use super::Ctx;
use crate::error::{Error, Result};
use crate::seal;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the coordination's ed25519 key pair in keys/ (the private key
    /// readable by its owner only). The public key, keys/coordination.pub,
    /// is what anyone needs to verify a sealed document.
    Init,
    /// Create a key pair for an organisation: FILE (private, mode 0600; the
    /// organisation keeps it) and FILE.pub (to register with
    /// `charte members set-key`).
    Member {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    let key_error = |e: seal::KeyError| Error::usage(e.to_string());
    match cmd {
        Command::Init => {
            let ws = ctx.workspace()?;
            let dir = ws.keys_dir();
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            let (private, public) = (dir.join("coordination.key"), dir.join("coordination.pub"));
            let key = seal::generate().map_err(key_error)?;
            seal::write_keypair(&key, &private, &public).map_err(key_error)?;
            say!("coordination key pair created");
            say!("  {}  private: keep it here, back it up offline, never send it", private.display());
            say!("  {}  public: give it to anyone who verifies your documents", public.display());
            say!("  fingerprint {}", seal::fingerprint(&key.verifying_key()));
        }
        Command::Member { out } => {
            let public = PathBuf::from(format!("{}.pub", out.display()));
            let key = seal::generate().map_err(key_error)?;
            seal::write_keypair(&key, &out, &public).map_err(key_error)?;
            say!("organisation key pair created");
            say!("  {}  private: the organisation keeps it to sign (charte sign)", out.display());
            say!("  {}  public: the coordination registers it (charte members set-key)", public.display());
        }
    }
    Ok(0)
}

/// The coordination's signing key, with a message saying how to make one.
pub fn coordination_key(ws: &crate::workspace::Workspace) -> Result<ed25519_dalek::SigningKey> {
    let path = ws.keys_dir().join("coordination.key");
    if !path.exists() {
        return Err(Error::usage(format!(
            "{} does not exist: create the seal key with `charte keys init`",
            path.display()
        )));
    }
    seal::load_signing_key(&path).map_err(|e| Error::usage(e.to_string()))
}
