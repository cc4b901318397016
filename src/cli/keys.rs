//! `charte keys init`, `charte keys rotate` and `charte keys member --out FILE`

use std::path::PathBuf;

use super::Ctx;
use crate::app::keys::{KeyPair, Rotated};
use crate::error::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the coordination's ed25519 key pair in keys/ (the private key
    /// readable by its owner only). The public key, keys/coordination.pub,
    /// is what anyone needs to verify a sealed document.
    Init,
    /// Replace the coordination's key with a new one: the old key signs a
    /// statement naming its successor (keys/rotations/), then retires
    /// (keys/retired/). Everything it sealed stays verifiable. Then publish
    /// the new keys/coordination.pub and send the statement to whoever
    /// verifies your documents (the funder).
    Rotate,
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
        Command::Rotate => rotated(&ctx.app_writer()?.keys_rotate()?, ctx.json)?,
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

/// Says what the rotation did and what to tell those who verify.
fn rotated(r: &Rotated, json: bool) -> Result<()> {
    if json {
        return super::print_json(&serde_json::json!({
            "previous_fingerprint": r.previous,
            "next_fingerprint": r.next,
            "date": r.date.to_string(),
            "statement": r.statement,
            "public_key": r.public,
            "retired_public_key": r.retired_public,
            "finished_earlier": r.finished_earlier,
        }));
    }
    if r.finished_earlier {
        say!(
            "the rotation of {} journaled on {} had stopped before the new key was in place: finished, no other key made",
            r.previous,
            r.date
        );
    } else {
        say!("coordination key rotated");
    }
    say!("  new key {}: {} (public) and its private key beside it", r.next, r.public.display());
    say!(
        "  former key {} retired on {}: {} (public) and {} (private: keep it offline)",
        r.previous,
        r.date,
        r.retired_public.display(),
        r.retired_private.display()
    );
    say!("  rotation statement, signed by the former key: {}", r.statement.display());
    say!("tell whoever verifies your documents (the funder):");
    say!(
        "  - publish the new public key {} (fingerprint {}) where you published the former one",
        r.public.display(),
        r.next
    );
    say!(
        "  - send them the statement {}: with it, whoever trusts key {} can trust key {} (charte verify and \
         verify_seal.py check it; every document sealed from now on carries it too)",
        r.statement.display(),
        r.previous,
        r.next
    );
    say!("  - documents sealed before stay valid with the former key {} ({})", r.previous, r.retired_public.display());
    Ok(())
}
