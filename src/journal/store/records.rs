//! The answers that belong to the journal itself rather than to a domain:
//! where the chain ends, which days it spans, whether it and the tables
//! derived from it are intact.

use chrono::NaiveDate;

use super::{Difference, PersonalFault, PersonalTally, TreeHead};
use crate::journal::Break;

/// The journal's last entry. Its hash stands for the whole journal: a
/// report's seal carries it, so a funder can ask for proof that the
/// figures come from that journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// 0 for an empty journal.
    pub seq: i64,
    /// [`crate::journal::GENESIS`] for an empty journal.
    pub hash: String,
}

/// The dates of the journal's first and last entries: what charte.toml
/// says holds since the first, and no change may be dated before the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// What `charte audit` found: the chain first, then the Merkle tree, the
/// checkpoints, the derived tables, then the personal values kept beside
/// the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audit {
    /// The chain holds, the stored tree is the chain's, every checkpoint
    /// checked holds, the journal, replayed, gives every projection table
    /// (`tables` of them) as it is stored, and every personal value agrees
    /// with the journal's commitments and erasures.
    Intact {
        entries: i64,
        head: String,
        /// The tree over the whole journal.
        tree: TreeHead,
        tables: usize,
        personal: PersonalTally,
    },
    Broken(Break),
    /// The Merkle tree stored beside the journal is not the chain's.
    Tree(String),
    /// A checkpoint contradicts the journal (its message names it).
    Checkpoint(String),
    /// The chain holds but a projection table differs from the journal.
    Differs(Difference),
    /// The chain and the projections hold, but a personal value does not
    /// agree with the journal.
    Personal(PersonalFault),
}
