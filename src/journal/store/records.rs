//! The answers that belong to the journal itself rather than to a domain:
//! where the chain ends, which days it spans, whether it is intact.

use chrono::NaiveDate;

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

/// What `charte audit` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audit {
    Intact { entries: i64, head: String },
    Broken(Break),
}
