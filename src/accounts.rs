//! Accounts of the web application (DESIGN.md "The web application"):
//! who may sign in to the coordinator's desk, with which role, and how a
//! password and a session are kept.
//!
//! A password is kept only as its argon2id hash (the `argon2` crate, with
//! its default parameters: 19 MiB, 2 passes, the OWASP recommendation),
//! beside the journal, never in it. A session is 128 random bits in an
//! HttpOnly cookie; the store keeps only their sha256.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything the command line does by hand.
    Coordinator,
    /// Reads the flags with their evidence, the letters and the reports;
    /// changes nothing.
    Committee,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Committee => "committee",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "coordinator" => Some(Role::Coordinator),
            "committee" => Some(Role::Committee),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The shortest password accepted (NIST SP 800-63B asks for at least 8;
/// a desk that holds a network's year asks for more).
pub const MIN_PASSWORD: usize = 12;
/// The longest: argon2 takes any length, but a megabyte of "password" is
/// an attack on the server's time, not a password.
pub const MAX_PASSWORD: usize = 1024;

/// Refuses a password too short or too long (counted in characters), or
/// one that is only spaces.
pub fn check_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(Error::usage(format!(
            "the password has {n} characters: it needs at least {MIN_PASSWORD} (a few words make a good one); \
             nothing was changed"
        )));
    }
    if n > MAX_PASSWORD || password.trim().is_empty() {
        return Err(Error::usage(format!(
            "the password must be at most {MAX_PASSWORD} characters and not only spaces; nothing was changed"
        )));
    }
    Ok(())
}

/// The argon2id hash of `password` (a PHC string, its salt inside).
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::internal(format!("no randomness from the system: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::internal(format!("a password's salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("a password could not be hashed: {e}")))
}

/// Whether `password` is the one `hash` was made from. A hash that does
/// not read is a mismatch (never an error a visitor could tell apart).
pub fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to verify against when no account has the address typed, so
/// that a login for an unknown address takes as long as a wrong password
/// (an attacker does not learn which addresses have an account).
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("charte decoy password").unwrap_or_default());
    &DECOY
}

/// 128 random bits, base64url without padding (22 characters): a
/// session's token, a form's.
pub fn random_token() -> Result<String> {
    use base64::Engine as _;
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no randomness from the system: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `typed` is `expected`, compared in constant time.
pub fn same_token(typed: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    typed.len() == expected.len() && bool::from(typed.as_bytes().ct_eq(expected.as_bytes()))
}

/// Whether `token` is one [`random_token`] makes (what a cookie may hold).
pub fn well_formed(token: &str) -> bool {
    token.len() == 22 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The hex sha256 of a session's token: what the store keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// How long a session lasts from sign-in, whatever its use: a working day.
pub const SESSION_SECONDS: i64 = 10 * 3600;
/// How long a session lasts unused.
pub const IDLE_SECONDS: i64 = 2 * 3600;
/// A session's last use is written at most this often (a write per page
/// would make every page a writer).
pub const SEEN_EVERY: i64 = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_only_its_own_hash() {
        let h = hash_password("correct horse battery").expect("a hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(password_matches("correct horse battery", &h));
        assert!(!password_matches("correct horse batterY", &h));
        assert!(!password_matches("correct horse battery", "not a hash"));
        assert_ne!(hash_password("correct horse battery").expect("a hash"), h, "salted");
        assert!(!password_matches("anything", decoy_hash()));
    }

    #[test]
    fn short_and_blank_passwords_are_refused() {
        assert!(check_password("eleven char").is_err());
        assert!(check_password("twelve chars").is_ok());
        assert!(check_password(&" ".repeat(20)).is_err());
        assert!(check_password(&"x".repeat(MAX_PASSWORD + 1)).is_err());
        assert_eq!(Role::parse(" Committee"), Some(Role::Committee));
        assert_eq!(Role::parse("admin"), None);
    }
}
