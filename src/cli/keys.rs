//! `charte keys init` and `charte keys member --out FILE`

use std::path::PathBuf;

use super::Ctx;
use crate::app::keys::KeyPair;
use crate::error::Result;

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
        /// Where to write the private key; the public key goes beside it,
        /// in FILE.pub.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Init => created(&ctx.app()?.keys_init()?),
        Command::Member { out } => {
            let pair = crate::app::keys::member_keys(&out)?;
            say!("organisation key pair created");
            say!("  {}  private: the organisation keeps it to sign (charte sign)", pair.private.display());
            say!("  {}  public: the coordination registers it (charte members set-key)", pair.public.display());
        }
    }
    Ok(0)
}

/// Says where the coordination's key pair was created.
pub(super) fn created(pair: &KeyPair) {
    say!("coordination key pair created");
    say!("  {}  private: keep it here, back it up offline, never send it", pair.private.display());
    say!("  {}  public: give it to anyone who verifies your documents", pair.public.display());
    say!("  fingerprint {}", pair.fingerprint);
}
