//! Reports: the annual evaluation and the funder's subsidy report, computed
//! from the journal's projections as of a date, and the files they are
//! given as (the sealed PDFs are made by `app::report`).

pub mod amount;
pub mod annual;
pub mod expenses;
pub mod export;
pub mod subsidy;

use serde::Serialize;

use crate::roster::Language;

/// The purpose the journal records a report's mail to the funder under
/// (`charte report send`).
pub const MAIL_PURPOSE: &str = "report";

/// `charte report approve`: a body's meeting approved a report's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    pub year: i32,
    /// The meeting's id.
    pub meeting: String,
    /// The report approved, and the sha256 of its sealed file.
    pub document_id: String,
    pub sealed_sha256: String,
    /// The day it was journaled.
    pub at: String,
    pub seq: i64,
}

/// Which report a sealed document is: the kind journaled with it and
/// written in its manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The annual evaluation, for every member, in each language of the network.
    Annual,
    /// The funder's report, in the network's main language.
    Subsidy,
}

impl Kind {
    /// The document kind the journal and the seal's manifest carry.
    pub fn document(self) -> crate::documents::DocumentKind {
        match self {
            Kind::Annual => crate::documents::DocumentKind::AnnualReport,
            Kind::Subsidy => crate::documents::DocumentKind::SubsidyReport,
        }
    }

    /// The document kind's word ("annual-report").
    pub fn code(self) -> &'static str {
        self.document().code()
    }

    /// The name its files share in out/reports/ (`annual-2026.pdf`,
    /// `annual-2026.csv`, `subsidy-2026.json`): the names scripts and
    /// workflows know.
    pub fn stem(self, year: i32) -> String {
        match self {
            Kind::Annual => format!("annual-{year}"),
            Kind::Subsidy => format!("subsidy-{year}"),
        }
    }

    /// The words of the report's document id in `lang`: an id is printed
    /// on the page, so it reads in the page's language
    /// ("CSI-rapport-annuel-2026-…").
    pub fn id_words(self, lang: Language) -> &'static str {
        match (self, lang) {
            (Kind::Annual, Language::Fr) => "rapport-annuel",
            (Kind::Annual, Language::Nl) => "jaarverslag",
            (Kind::Subsidy, Language::Fr) => "rapport-subvention",
            (Kind::Subsidy, Language::Nl) => "subsidieverslag",
        }
    }
}
