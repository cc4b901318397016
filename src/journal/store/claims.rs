//! The claims on messages being sent (migration 0013): read and written
//! under the write lock only, so that two runs never both take one.
//! Whether a claim's owner is still alive is crate::delivery's to judge.

use rusqlite::{OptionalExtension, params};

use super::Tx;
use crate::error::Result;

/// A run's claim on a message at one stage (`send`, `relay`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The run that holds it.
    pub owner: String,
    /// Its process, on this machine.
    pub pid: u32,
    /// When its lease ends, in unix seconds.
    pub expires: i64,
}

impl Tx<'_> {
    /// The claim on `message_id` at `stage`, if one is held.
    pub fn claim(&self, stage: &str, message_id: &str) -> Result<Option<Claim>> {
        self.tx
            .prepare_cached("SELECT owner, pid, expires FROM claims WHERE stage = ?1 AND message_id = ?2")
            .and_then(|mut s| {
                s.query_row(params![stage, message_id], |r| {
                    Ok(Claim { owner: r.get(0)?, pid: r.get(1)?, expires: r.get(2)? })
                })
                .optional()
            })
            .map_err(self.sql_err())
    }

    /// Takes (or takes over) the claim on `message_id` at `stage`.
    pub fn set_claim(&self, stage: &str, message_id: &str, claim: &Claim) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO claims (stage, message_id, owner, pid, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| s.execute(params![stage, message_id, claim.owner, claim.pid, claim.expires]))
            .map(|_| ())
            .map_err(self.sql_err())
    }

    /// Drops `owner`'s claim on `message_id` at `stage` (another's stays).
    pub fn drop_claim(&self, stage: &str, message_id: &str, owner: &str) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM claims WHERE stage = ?1 AND message_id = ?2 AND owner = ?3")
            .and_then(|mut s| s.execute(params![stage, message_id, owner]))
            .map(|_| ())
            .map_err(self.sql_err())
    }
}
