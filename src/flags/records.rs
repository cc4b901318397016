//! What the journal keeps about flags. Flags themselves are computed, not
//! stored; what is stored is what the committee did with them
//! ([`FlagStatus`]), the breaches it reported ([`Breach`]) and the flags
//! workflows' escalations raised ([`RaisedFlag`]): the rules' evidence.

use chrono::NaiveDate;

use super::Status;

/// How the committee handles a flag, as last marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagStatus {
    pub status: Status,
    pub note: Option<String>,
    /// The day it was marked.
    pub at: NaiveDate,
}

/// One marking of a flag, as the journal holds it (a flag's history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagMark {
    pub key: String,
    pub status: Status,
    pub note: Option<String>,
    /// The day it was marked.
    pub at: NaiveDate,
    /// Its journal entry.
    pub seq: i64,
}

/// A flag a workflow's escalation raised (e.g. adherence-overdue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaisedFlag {
    pub seq: i64,
    pub rule: String,
    /// The organisation's 10 digits.
    pub enterprise_number: String,
    /// The workflow subject, e.g. 0123456749@2022-02.
    pub subject: String,
    /// In English, for the coordinator; in French and Dutch, for the
    /// organisation's letter.
    pub evidence: String,
    pub evidence_fr: String,
    pub evidence_nl: String,
    pub at: NaiveDate,
}

/// A breach of the charter the committee reported (`charte breach report`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// Its journal entry: the flag's evidence.
    pub seq: i64,
    /// The organisation's 10 digits.
    pub enterprise_number: String,
    /// What the committee noted, in its own words.
    pub about: String,
    pub at: NaiveDate,
}

impl RaisedFlag {
    /// What the workflow that raised it wrote, as a flag's evidence.
    pub fn evidence(&self) -> super::Evidence {
        super::Evidence::new(
            Some(self.seq),
            Some(self.at),
            self.evidence.clone(),
            self.evidence_fr.clone(),
            self.evidence_nl.clone(),
        )
    }
}
