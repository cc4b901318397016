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

/// The left part all mails of the report of kind `code` and `year` to the
/// funder begin their Message-ID with (`report.annual-report.2026`): the
/// `report-not-sent` flag reads it.
pub fn mail_key(code: &str, year: i32) -> String {
    format!("report.{code}.{year}")
}

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

/// Why a report was not sent to the funder (`App::send_report`): said in
/// English ([`std::fmt::Display`], the command line) and in the desk's
/// French and Dutch ([`NotSent::say`]). Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSent {
    /// The report of that year is not made yet.
    NotMade { kind: Kind, year: i32 },
    /// No approval holds for its file as it is now; `lapsed`: an earlier
    /// file of it was approved. `body`: "plenary" or "committee".
    NotApproved { kind: Kind, year: i32, document_id: String, body: &'static str, lapsed: bool },
    /// charte.toml's `[funder]` has no email.
    NoEmail,
    /// Its file on disk is missing or not the one journaled last.
    FileChanged { file: String, document_id: String },
    /// The subsidy report's expense lines (`file`) are missing or are not
    /// the ones its sealed PDF was made from.
    ExpensesChanged { file: String, document_id: String },
    /// The funder's mail server refused this report's mail for good at
    /// `address` (still charte.toml's `[funder] email`) on `on`.
    RefusedBefore { address: String, on: chrono::NaiveDate, why: String },
}

impl Kind {
    /// "annual" or "subsidy", as the command line names it.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Annual => "annual",
            Kind::Subsidy => "subsidy",
        }
    }

    /// The report's name as a title, without an article: "Rapport annuel
    /// d'évaluation", "Jaarlijks evaluatieverslag".
    pub fn title(self, lang: Language) -> &'static str {
        match (self, lang) {
            (Kind::Annual, Language::Fr) => "Rapport annuel d'évaluation",
            (Kind::Annual, Language::Nl) => "Jaarlijks evaluatieverslag",
            (Kind::Subsidy, Language::Fr) => "Rapport au pouvoir subsidiant",
            (Kind::Subsidy, Language::Nl) => "Verslag voor de subsidiënt",
        }
    }

    /// The report's name in a sentence: "le rapport annuel d'évaluation".
    pub fn words(self, lang: Language) -> &'static str {
        match (self, lang) {
            (Kind::Annual, Language::Fr) => "rapport annuel d'évaluation",
            (Kind::Annual, Language::Nl) => "jaarlijkse evaluatieverslag",
            (Kind::Subsidy, Language::Fr) => "rapport au pouvoir subsidiant",
            (Kind::Subsidy, Language::Nl) => "verslag voor de subsidiënt",
        }
    }
}

impl std::fmt::Display for NotSent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotSent::NotMade { kind, year } => write!(
                f,
                "the {} report {year} has not been made yet (charte report {} --year {year}), nor approved: nothing \
                 was sent",
                kind.word(),
                kind.word()
            ),
            NotSent::NotApproved { kind, year, document_id, body, lapsed } => write!(
                f,
                "the {} report {year} ({document_id}) is not approved{}: a meeting of the {body} approves it first \
                 (charte report approve {} --year {year} --meeting ID); nothing was sent",
                kind.word(),
                if *lapsed {
                    " (an earlier file of it was approved; it was made again since, so it needs a new approval)"
                } else {
                    ""
                },
                kind.word()
            ),
            NotSent::NoEmail => write!(
                f,
                "charte.toml's [funder] has no email: say where the funder receives its reports (email = \
                 \"rapports@funder.example.be\"), then send again; nothing was sent"
            ),
            NotSent::FileChanged { file, document_id } => write!(
                f,
                "{file} is missing or is not the report journaled last ({document_id}): put it back (charte \
                 restore) or make the report again and have it approved; nothing was sent"
            ),
            NotSent::ExpensesChanged { file, document_id } => write!(
                f,
                "{file} is missing or is not the expense lines the report {document_id} was made from: make the \
                 report again (charte report subsidy) and have it approved; nothing was sent"
            ),
            NotSent::RefusedBefore { address, on, why } => write!(
                f,
                "charte.toml's [funder] email {address} was refused for good by the mail server on {on} ({why}): \
                 correct it, then send again; nothing was sent"
            ),
        }
    }
}

impl NotSent {
    /// The refusal in French or Dutch, for the coordinator.
    pub fn say(&self, lang: Language) -> String {
        match (self, lang) {
            (NotSent::NotMade { kind, year }, Language::Fr) => {
                format!("le {} {year} n'est pas encore produit ni approuvé : rien n'a été envoyé", kind.words(lang))
            }
            (NotSent::NotMade { kind, year }, Language::Nl) => {
                format!("het {} {year} is nog niet gemaakt of goedgekeurd: er werd niets verzonden", kind.words(lang))
            }
            (NotSent::NotApproved { kind, year, lapsed, .. }, Language::Fr) => format!(
                "le {} {year} n'est pas approuvé{} : enregistrez d'abord la réunion qui l'a approuvé ; rien n'a été \
                 envoyé",
                kind.words(lang),
                if *lapsed {
                    " dans sa version actuelle (il a été produit à nouveau depuis l'approbation)"
                } else {
                    ""
                }
            ),
            (NotSent::NotApproved { kind, year, lapsed, .. }, Language::Nl) => format!(
                "het {} {year} is niet goedgekeurd{}: leg eerst de vergadering vast die het goedkeurde; er werd niets \
                 verzonden",
                kind.words(lang),
                if *lapsed { " in zijn huidige versie (het werd opnieuw gemaakt na de goedkeuring)" } else { "" }
            ),
            (NotSent::NoEmail, Language::Fr) => "l'adresse du pouvoir subsidiant n'est pas indiquée (charte.toml, \
                [funder] email) : rien n'a été envoyé"
                .to_owned(),
            (NotSent::NoEmail, Language::Nl) => "het adres van de subsidiënt is niet opgegeven (charte.toml, \
                [funder] email): er werd niets verzonden"
                .to_owned(),
            (NotSent::FileChanged { file, .. }, Language::Fr) => format!(
                "le fichier {file} manque ou a été modifié depuis qu'il a été produit : produisez le rapport à \
                 nouveau et faites-le approuver ; rien n'a été envoyé"
            ),
            (NotSent::FileChanged { file, .. }, Language::Nl) => format!(
                "het bestand {file} ontbreekt of werd gewijzigd sinds het gemaakt werd: maak het verslag opnieuw en \
                 laat het goedkeuren; er werd niets verzonden"
            ),
            (NotSent::ExpensesChanged { file, .. }, Language::Fr) => format!(
                "le fichier {file} manque ou n'est pas celui des dépenses avec lesquelles le rapport a été produit : \
                 produisez le rapport à nouveau et faites-le approuver ; rien n'a été envoyé"
            ),
            (NotSent::ExpensesChanged { file, .. }, Language::Nl) => format!(
                "het bestand {file} ontbreekt of bevat niet de uitgaven waarmee het verslag gemaakt werd: maak het \
                 verslag opnieuw en laat het goedkeuren; er werd niets verzonden"
            ),
            (NotSent::RefusedBefore { address, on, why }, Language::Fr) => format!(
                "le serveur de courrier a refusé l'adresse du pouvoir subsidiant {address} le {} ({why}) : \
                 corrigez-la dans charte.toml ([funder] email), puis envoyez à nouveau ; rien n'a été envoyé",
                crate::mail::long_date(*on, lang)
            ),
            (NotSent::RefusedBefore { address, on, why }, Language::Nl) => format!(
                "de mailserver weigerde het adres van de subsidiënt {address} op {} ({why}): verbeter het in \
                 charte.toml ([funder] email) en verzend dan opnieuw; er werd niets verzonden",
                crate::mail::long_date(*on, lang)
            ),
        }
    }
}
