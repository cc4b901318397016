//! The coordination's (and organisations') ed25519 keys, as small text files.
//!
//! ```text
//! charte-ed25519-private-v1       charte-ed25519-public-v1
//! <base64 of the 32-byte seed>    <base64 of the 32-byte public key>
//! ```
//!
//! Two lines each, standard base64 with padding, a final newline. The
//! private file is created with mode 0600 and never overwritten; loading
//! it refuses a file that group or others could read (as ssh does).
//! Error messages never contain key material.
//!
//! A public key of small order (a "weak" key, for which a forger can make
//! signatures that verify without any private key) is refused wherever a
//! public key is read. A key file is checked against its other half when
//! both lie side by side (`coordination.key` and `coordination.pub`, or
//! `FILE` and `FILE.pub` as `charte keys member` writes them): a public key
//! that does not match the private one would make every seal look forged.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// First line of a private key file.
pub const PRIVATE_HEADER: &str = "charte-ed25519-private-v1";
/// First line of a public key file.
pub const PUBLIC_HEADER: &str = "charte-ed25519-public-v1";

/// Why a key could not be made, written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The operating system gave no random bytes.
    #[error("no randomness available to generate a key: {0}")]
    Random(String),
    /// Refusing to replace an existing key file.
    #[error("{} already exists; refusing to overwrite a key", .0.display())]
    Exists(PathBuf),
    /// Reading or writing a key file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The key file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A private key file readable by group or others.
    #[error(
        "{} is accessible by other users (mode {mode:03o}); run: chmod 600 {}",
        path.display(),
        path.display()
    )]
    Permissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Not a key file of the expected kind.
    #[error("{} is not a charte {kind} key file: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// "private" or "public".
        kind: &'static str,
        /// What is wrong (never the key itself).
        reason: &'static str,
    },
    /// The public key beside a private key is not its other half.
    #[error(
        "{} does not match {}: the public key is not the other half of the private key, so every document \
         sealed or signed with it would be refused as forged. Put back the public key that was made with \
         this private key (from a backup), or give the private key's own public key",
        public.display(),
        private.display()
    )]
    Mismatch {
        /// The private key file.
        private: PathBuf,
        /// The public key file beside it.
        public: PathBuf,
    },
}

/// A new signing key from the operating system's random generator.
pub fn generate() -> Result<SigningKey, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    Ok(key)
}

/// Short, stable name of a public key: the first 16 hex digits of the
/// SHA-256 of its 32 bytes.
pub fn fingerprint(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    hex::encode(&digest[..8])
}

/// The text of a public key file.
pub fn public_key_text(key: &VerifyingKey) -> String {
    format!("{PUBLIC_HEADER}\n{}\n", BASE64.encode(key.as_bytes()))
}

/// The text of a private key file: to be written with mode 0600 only.
pub fn private_key_text(key: &SigningKey) -> String {
    format!("{PRIVATE_HEADER}\n{}\n", BASE64.encode(key.as_bytes()))
}

/// Writes `key` to `private_path` (mode 0600) and its public half to
/// `public_path`. Neither file may exist already; on failure after the
/// private file was created, the private file is removed again.
pub fn write_keypair(key: &SigningKey, private_path: &Path, public_path: &Path) -> Result<(), KeyError> {
    for path in [private_path, public_path] {
        if path.exists() {
            return Err(KeyError::Exists(path.to_path_buf()));
        }
    }
    write_new(private_path, private_key_text(key).as_bytes(), 0o600)?;
    if let Err(err) = write_new(public_path, public_key_text(&key.verifying_key()).as_bytes(), 0o644) {
        let _ = std::fs::remove_file(private_path);
        return Err(err);
    }
    Ok(())
}

fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<(), KeyError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => KeyError::Exists(path.to_path_buf()),
        _ => KeyError::Io { path: path.to_path_buf(), source },
    })?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|source| KeyError::Io { path: path.to_path_buf(), source })
}

/// Reads a private key file, refusing one that group or others may access.
pub fn load_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    let io = |source| KeyError::Io { path: path.to_path_buf(), source };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Permissions { path: path.to_path_buf(), mode });
        }
    }
    let text = read_key_file(path, "private")?;
    let bytes = parse_key_file(&text, PRIVATE_HEADER).map_err(|reason| KeyError::Format {
        path: path.to_path_buf(),
        kind: "private",
        reason,
    })?;
    let key = SigningKey::from_bytes(&bytes);
    // The public half beside it must be this key's: it is what everyone
    // verifies with, so a stale or swapped one would make every new seal
    // look forged.
    if let Some(public) = public_beside(path) {
        let beside = read_public_key(&public)?;
        if beside != key.verifying_key() {
            return Err(KeyError::Mismatch { private: path.to_path_buf(), public });
        }
    }
    Ok(key)
}

/// Reads a public key file; refuses a weak key, and a key that is not the
/// other half of the private key lying beside it (when there is one this
/// process can read: a verifier elsewhere has only the public file).
pub fn load_verifying_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    let key = read_public_key(path)?;
    if let Some(private) = private_beside(path)
        && let Ok(text) = read_key_file(&private, "private")
        && let Ok(bytes) = parse_key_file(&text, PRIVATE_HEADER)
        && SigningKey::from_bytes(&bytes).verifying_key() != key
    {
        return Err(KeyError::Mismatch { private, public: path.to_path_buf() });
    }
    Ok(key)
}

/// A key file's bytes, read with a bound: a key path may name anything,
/// /dev/zero included, and a key file is a few lines.
fn read_key_file(path: &Path, kind: &'static str) -> Result<Vec<u8>, KeyError> {
    crate::error::read_at_most(path, 4096)
        .map_err(|source| KeyError::Io { path: path.to_path_buf(), source })?
        .ok_or_else(|| KeyError::Format {
            path: path.to_path_buf(),
            kind,
            reason: "it is larger than 4 KB, and a key file is at most 4 KB (is this the right file?)",
        })
}

fn read_public_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    let text = read_key_file(path, "public")?;
    let format = |reason| KeyError::Format { path: path.to_path_buf(), kind: "public", reason };
    let bytes = parse_key_file(&text, PUBLIC_HEADER).map_err(format)?;
    public_key_from_bytes(&bytes).map_err(format)
}

/// An ed25519 public key from its 32 bytes, refusing a point that is not
/// on the curve and a weak (small-order) one: with such a key, signatures
/// that verify can be made without any private key.
pub fn public_key_from_bytes(bytes: &[u8; 32]) -> Result<VerifyingKey, &'static str> {
    let key = VerifyingKey::from_bytes(bytes).map_err(|_| "not a valid ed25519 public key")?;
    if key.is_weak() {
        return Err("it is a weak ed25519 key (of small order), with which anyone can forge signatures: \
                    make a new key pair");
    }
    Ok(key)
}

/// The public key file that goes with a private key file: `FILE.pub`, or
/// `NAME.pub` beside `NAME.key`, whichever exists.
fn public_beside(private: &Path) -> Option<PathBuf> {
    let appended = PathBuf::from(format!("{}.pub", private.display()));
    let replaced = (private.extension()? == "key").then(|| private.with_extension("pub"));
    [Some(appended), replaced].into_iter().flatten().find(|p| p.is_file())
}

/// The private key file that goes with a public key file: `FILE` beside
/// `FILE.pub`, or `NAME.key` beside `NAME.pub`, whichever exists.
fn private_beside(public: &Path) -> Option<PathBuf> {
    if public.extension()? != "pub" {
        return None;
    }
    let stripped = public.with_extension("");
    let replaced = public.with_extension("key");
    [stripped, replaced].into_iter().find(|p| p.is_file())
}

/// Parses the public key text written by [`public_key_text`] (a weak key
/// is no key).
pub fn parse_public_key(text: &str) -> Option<VerifyingKey> {
    let bytes = parse_key_file(text.as_bytes(), PUBLIC_HEADER).ok()?;
    public_key_from_bytes(&bytes).ok()
}

fn parse_key_file(text: &[u8], header: &str) -> Result<[u8; 32], &'static str> {
    let text = std::str::from_utf8(text).map_err(|_| "not text")?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if lines.next() != Some(header) {
        return Err(if header == PRIVATE_HEADER && text.starts_with(PUBLIC_HEADER) {
            "this is a public key"
        } else if header == PUBLIC_HEADER && text.starts_with(PRIVATE_HEADER) {
            "this is a private key"
        } else {
            "unexpected first line"
        });
    }
    let body = lines.next().ok_or("missing key line")?;
    if lines.next().is_some() {
        return Err("unexpected extra lines");
    }
    let decoded = BASE64.decode(body).map_err(|_| "key line is not base64")?;
    decoded.try_into().map_err(|_| "key is not 32 bytes")
}
