//! What the journal keeps of returned documents: the [`Adherence`] a valid
//! return proves, the returns that wait for the coordinator's
//! confirmation ([`PendingReturn`]) and where each stands
//! ([`ReturnState`]), and every file already recorded ([`KnownReturn`]),
//! so that collecting one again changes nothing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A signed adherence, as collected. Its serialized form is part of the
/// `adherence-collected`, `duplicate`, `return-pending` and
/// `return-confirmed` events, whose bytes the hash chain covers: its
/// fields and their order do not change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adherence {
    pub file_sha256: String,
    pub document_id: String,
    /// The organisation's 10 digits.
    pub enterprise_number: String,
    pub charter_version: String,
    /// own-key, pades, web or scan.
    pub method: String,
    pub signer: String,
    pub signed: Option<String>,
    pub sealed_sha256: String,
    pub details: serde_json::Value,
    /// The day it was collected (filled in by the store).
    #[serde(default)]
    pub collected: String,
    /// The day its confirmation was revoked, after which it counts no more
    /// (filled in by the store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
}

/// Where a return that waited for the coordinator stands. The code is the
/// text the database holds and what `--json` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReturnState {
    /// Counts for nothing until the coordinator confirms it.
    Waiting,
    /// Counts from the day of its confirmation.
    Confirmed,
    /// Counts nowhere, ever.
    Rejected,
    /// A confirmation withdrawn: counted until that day, nowhere since.
    Revoked,
}

impl ReturnState {
    pub const ALL: [ReturnState; 4] =
        [ReturnState::Waiting, ReturnState::Confirmed, ReturnState::Rejected, ReturnState::Revoked];

    pub fn code(self) -> &'static str {
        match self {
            ReturnState::Waiting => "waiting",
            ReturnState::Confirmed => "confirmed",
            ReturnState::Rejected => "rejected",
            ReturnState::Revoked => "revoked",
        }
    }
}

impl FromStr for ReturnState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ReturnState::ALL.into_iter().find(|r| r.code() == s).ok_or_else(|| {
            format!("'{s}' is not the state of a return (expected waiting, confirmed, rejected or revoked)")
        })
    }
}

impl fmt::Display for ReturnState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A return that waited (or waits) for the coordinator's confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingReturn {
    /// `charte returns confirm ID`: the seq of its return-pending entry.
    pub id: i64,
    pub file: String,
    pub adherence: Adherence,
    /// Why it waits.
    pub reason: String,
    pub state: ReturnState,
    pub received: String,
    /// The day of the last decision, if any.
    pub decided: Option<String>,
    /// The reason given for a rejection or a revocation.
    pub note: Option<String>,
    /// The status the confirmation gave, if any.
    pub new_status: Option<crate::roster::Status>,
}

/// A returned file recorded as valid proof (counted, waiting or decided,
/// or a duplicate): collecting the same bytes again is "already known".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownReturn {
    pub file_sha256: String,
    /// The document it answers.
    pub document_id: String,
}
