//! The documents charte issues, as the journal records them: every sealed
//! file (an adherence document, a report) gets one [`IssuedDocument`] when
//! it is written to out/. The record is what later commands check a file
//! against: `collect` finds the document a return answers, `issue` and the
//! reports restore a missing or altered file byte for byte, `run` knows
//! which organisation already has its document.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a sealed document is. The code is the text the journal and the
/// database hold, and what `--json` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// One organisation's adherence to a charter version (`charte issue`).
    Adherence,
    /// A year's evaluation, one per language (`charte report annual`).
    AnnualReport,
    /// A funder's report (`charte report subsidy`).
    SubsidyReport,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] =
        [DocumentKind::Adherence, DocumentKind::AnnualReport, DocumentKind::SubsidyReport];

    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Adherence => "adherence",
            DocumentKind::AnnualReport => "annual-report",
            DocumentKind::SubsidyReport => "subsidy-report",
        }
    }
}

impl FromStr for DocumentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        DocumentKind::ALL.into_iter().find(|k| k.code() == s).ok_or_else(|| {
            format!("'{s}' is not a kind of document (expected adherence, annual-report or subsidy-report)")
        })
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A sealed document as the journal recorded its issue. Its serialized
/// form is part of the `document-issued` event, whose bytes the hash
/// chain covers: its fields and their order do not change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedDocument {
    pub document_id: String,
    pub kind: DocumentKind,
    /// The organisation's 10 digits ('' for a report).
    pub enterprise_number: String,
    pub charter_version: String,
    /// What was rendered: the same inputs make no new document.
    pub inputs_sha256: String,
    /// Of the rendered bytes (the sealed prefix).
    pub sha256: String,
    /// Of the whole sealed file.
    pub sealed_sha256: String,
    pub length: i64,
    /// Relative to the workspace.
    pub file: String,
    pub issued: NaiveDate,
    /// Filled in by the store (0 in a new event).
    #[serde(default)]
    pub seq: i64,
}
