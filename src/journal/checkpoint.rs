//! Checkpoints: signed tree heads (format `charte-checkpoint/1`,
//! docs/journal.md "Checkpoints"). The coordination signs, with the key
//! that seals its documents and exactly as seals are signed (docs/seal.md
//! §2–3), the size and root of the journal's Merkle tree on a date. Whoever
//! holds one (a funder, with the report that embeds it) can later demand
//! that the journal still begins with that very tree: entries removed,
//! rewritten or reordered after it no longer give its root.

use chrono::NaiveDate;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::merkle::{self, Hash};
use super::store::TreeHead;
use crate::seal;

pub const FORMAT: &str = "charte-checkpoint/1";

/// The name of the signed object in a checkpoint file.
pub const FIELD: &str = "checkpoint";

/// What a checkpoint signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub format: String,
    /// The coordination's name, as on its documents.
    pub coordination: String,
    /// How many entries the tree covers: entries 1 to `tree_size`.
    pub tree_size: u64,
    /// The tree's root, lowercase hex.
    pub root: String,
    /// The day it was signed, `YYYY-MM-DD`.
    pub date: String,
    /// The signing key's fingerprint (docs/seal.md §1).
    pub key_fingerprint: String,
}

/// A checkpoint read and checked in itself: canonical, well formed, and
/// signed by the key it names. Whether that key is the coordination's is
/// for the reader to decide ([`Checkpoint::key`]).
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub statement: Statement,
    pub root: Hash,
    pub key: VerifyingKey,
    /// The file's bytes, as signed.
    pub bytes: Vec<u8>,
}

impl Checkpoint {
    /// The tree it vouches for.
    pub fn head(&self) -> TreeHead {
        TreeHead { size: self.statement.tree_size, root: self.root }
    }

    /// The file as a JSON value (to embed in a report's manifest).
    pub fn to_value(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    pub fn date(&self) -> Option<NaiveDate> {
        self.statement.date.parse().ok()
    }
}

/// Why a checkpoint cannot be taken as one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("this is not a charte checkpoint: {0}")]
    Malformed(String),
    #[error("the checkpoint was altered: {0}")]
    Altered(String),
}

/// What a checkpoint of the tree head `head` for `coordination` on `date`
/// signs with the key `key`.
pub fn statement(coordination: &str, head: TreeHead, date: NaiveDate, key: &VerifyingKey) -> Value {
    let statement = Statement {
        format: FORMAT.to_owned(),
        coordination: coordination.to_owned(),
        tree_size: head.size,
        root: hex::encode(head.root),
        date: date.format("%Y-%m-%d").to_string(),
        key_fingerprint: seal::fingerprint(key),
    };
    serde_json::to_value(&statement).unwrap_or(Value::Null)
}

/// Signs the tree head `head` for `coordination` on `date`: the
/// checkpoint file's bytes.
pub fn sign(coordination: &str, head: TreeHead, date: NaiveDate, key: &SigningKey) -> Vec<u8> {
    seal::sign_object(FIELD, &statement(coordination, head, date, &key.verifying_key()), key)
}

/// Reads a checkpoint file and checks it in itself.
pub fn read(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
    let signed = seal::parse_object(bytes, FIELD).map_err(|e| match e {
        seal::ParseError::NotCanonical => CheckpointError::Altered(e.to_string()),
        seal::ParseError::Shape(reason) => CheckpointError::Malformed(reason),
    })?;
    let statement: Statement =
        serde_json::from_value(signed.value.clone()).map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    if statement.format != FORMAT {
        return Err(CheckpointError::Malformed(format!(
            "unknown format {:?} (this version reads {FORMAT:?})",
            statement.format
        )));
    }
    let root = merkle::parse_hash(&statement.root)
        .filter(|r| hex::encode(r) == statement.root)
        .ok_or_else(|| CheckpointError::Malformed("its root is not 64 lowercase hexadecimal digits".into()))?;
    if statement.date.parse::<NaiveDate>().is_err() {
        return Err(CheckpointError::Malformed(format!("its date {:?} is not YYYY-MM-DD", statement.date)));
    }
    let key = signed.key().ok_or_else(|| CheckpointError::Malformed("its public key is not a valid key".into()))?;
    if seal::fingerprint(&key) != statement.key_fingerprint {
        return Err(CheckpointError::Altered("the key it names is not the key it carries".into()));
    }
    if !signed.signature_valid(&key) {
        return Err(CheckpointError::Altered("its signature does not hold".into()));
    }
    Ok(Checkpoint { statement, root, key, bytes: bytes.to_vec() })
}

/// Reads a checkpoint embedded as a JSON value (in a report's manifest).
pub fn from_value(value: &Value) -> Result<Checkpoint, CheckpointError> {
    let mut bytes = seal::canonical(value);
    bytes.push(b'\n');
    read(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    #[test]
    fn a_checkpoint_reads_back_and_a_changed_byte_does_not() {
        let head = TreeHead { size: 42, root: [9; 32] };
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        let bytes = sign("Coordination sociale d'Ixelles", head, day, &key());
        let read_back = read(&bytes).expect("reads");
        assert_eq!(read_back.head(), head);
        assert_eq!(read_back.key, key().verifying_key());
        assert_eq!(from_value(&read_back.to_value()).expect("reads").bytes, bytes);
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        let forged = text.replace("\"tree_size\":42", "\"tree_size\":41");
        assert!(matches!(read(forged.as_bytes()), Err(CheckpointError::Altered(_))), "{forged}");
        let spaced = text.replace(",\"date\"", ", \"date\"");
        assert!(matches!(read(spaced.as_bytes()), Err(CheckpointError::Altered(_))));
        assert!(matches!(read(b"{}\n"), Err(CheckpointError::Malformed(_))));
    }
}
