//! The journal: every change to a workspace is an [`Event`] appended to an
//! append-only, hash-chained log, in the same SQLite transaction as the
//! tables derived from it (the projections). Only [`store`] speaks SQL.
//!
//! Chain format (docs/journal.md): each entry's hash is
//! `sha256("charte-journal/1\n" prev_hash "\n" seq "\n" at "\n" kind "\n" subject "\n" payload)`
//! in lowercase hex; the first entry's `prev_hash` is 64 zeros. Altering any
//! stored column of an entry, or removing or reordering entries, breaks the
//! chain at that entry, which `charte audit` reports.

pub mod checkpoint;
pub mod event;
pub mod evidence;
pub mod merkle;
pub mod personal;
pub mod store;

pub use event::{Event, RosterEntry};
pub use store::{Account, Clock, Store, StoredSession, Tx};

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored entry, as the chain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub subject: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry from its fields (see the module documentation).
pub fn entry_hash(prev_hash: &str, seq: i64, at: &str, kind: &str, subject: &str, payload: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"charte-journal/1\n");
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(at.as_bytes());
    h.update(b"\n");
    h.update(kind.as_bytes());
    h.update(b"\n");
    h.update(subject.as_bytes());
    h.update(b"\n");
    h.update(payload.as_bytes());
    hex::encode(h.finalize())
}

/// Where the chain breaks, if it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub reason: String,
}

/// Checks entries one by one, in order: each link and each hash.
#[derive(Debug)]
pub struct ChainVerifier {
    prev: String,
    next_seq: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier { prev: GENESIS.to_owned(), next_seq: 1 }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, e: &Entry) -> Result<(), Break> {
        if e.seq != self.next_seq {
            return Err(Break {
                seq: e.seq,
                reason: format!(
                    "the sequence jumps from {} to {} (an entry was removed or renumbered)",
                    self.next_seq - 1,
                    e.seq
                ),
            });
        }
        if e.prev_hash != self.prev {
            return Err(Break { seq: e.seq, reason: "its link to the previous entry does not match".into() });
        }
        if entry_hash(&e.prev_hash, e.seq, &e.at, &e.kind, &e.subject, &e.payload) != e.hash {
            return Err(Break { seq: e.seq, reason: "its content does not match its hash (it was altered)".into() });
        }
        self.prev.clone_from(&e.hash);
        self.next_seq += 1;
        Ok(())
    }

    /// Entries checked so far.
    pub fn count(&self) -> i64 {
        self.next_seq - 1
    }

    /// The hash of the last entry checked (the head).
    pub fn head(&self) -> &str {
        &self.prev
    }
}
