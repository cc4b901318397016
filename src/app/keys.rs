//! Key pairs: the coordination's seal (`charte keys init`) and an
//! organisation's own signing key (`charte keys member`). The coordination's
//! private key never leaves keys/; an organisation's is made for it to keep,
//! and only its public half is registered (App::set_key).

use std::path::{Path, PathBuf};

use super::App;
use crate::error::{Error, Result};
use crate::seal;

/// A key pair written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// The private key (mode 0600): its owner keeps it.
    pub private: PathBuf,
    /// The public key: what others need to check its signatures.
    pub public: PathBuf,
    /// The public key's fingerprint, as people compare it.
    pub fingerprint: String,
}

impl App {
    /// Creates the coordination's ed25519 key pair in keys/
    /// (coordination.key and coordination.pub).
    pub fn keys_init(&self) -> Result<KeyPair> {
        let dir = self.ws.keys_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        write_pair(dir.join("coordination.key"), dir.join("coordination.pub"))
    }
}

/// Creates a key pair for an organisation: `out` (private) and `out`.pub.
/// Needs no workspace: the organisation may make its own.
pub fn member_keys(out: &Path) -> Result<KeyPair> {
    write_pair(out.to_owned(), PathBuf::from(format!("{}.pub", out.display())))
}

/// Generates a key pair and writes it at `private` and `public`.
fn write_pair(private: PathBuf, public: PathBuf) -> Result<KeyPair> {
    let key_error = |e: seal::KeyError| Error::usage(e.to_string());
    let key = seal::generate().map_err(key_error)?;
    seal::write_keypair(&key, &private, &public).map_err(key_error)?;
    Ok(KeyPair { private, public, fingerprint: seal::fingerprint(&key.verifying_key()) })
}

/// Reads a public key file a user named (made by `charte keys init` or
/// `charte keys member`): bounded (a key path may name anything, /dev/zero
/// included), a weak key refused, and checked against the private key
/// beside it when there is one (seal::load_verifying_key).
pub(crate) fn read_public_key(path: &Path) -> Result<ed25519_dalek::VerifyingKey> {
    seal::load_verifying_key(path).map_err(|e| Error::usage(e.to_string()))
}
