//! The adherence documents as the coordinator's desk shows them: per
//! organisation, its document of the charter in force (issued when, which
//! version), when the adhesion workflow mailed and reminded it, whether a
//! signature counts or a return waits; the mailing itself (the adhesion
//! workflow's issue and send steps, run as `charte run adhesion` runs them,
//! journaled under the same keys so the daily run does not mail again);
//! and the files behind them, found by their id in the journal (never a
//! path taken from a request).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;

use super::App;
use crate::collect::ReturnState;
use crate::documents::{DocumentKind, IssuedDocument};
use crate::error::{Error, Failed, MAX_DOCUMENT_BYTES, Result};
use crate::roster::{Language, Status};
use crate::workflow;

/// The built-in workflow that mails the adherence documents.
pub const ADHESION: &str = "adhesion";

/// The adherence documents of the charter in force, one row per
/// organisation on the roster (former ones aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// The charter version in force.
    pub version: String,
    pub rows: Vec<Row>,
}

impl Overview {
    /// Organisations without a document of the charter in force.
    pub fn without_document(&self) -> usize {
        self.rows.iter().filter(|r| r.document.is_none()).count()
    }

    /// Organisations with a document not yet mailed, nor signed.
    pub fn not_mailed(&self) -> usize {
        self.rows.iter().filter(|r| r.document.is_some() && r.mailed.is_none() && r.signed.is_none()).count()
    }
}

/// One organisation's adherence document and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    /// As people write it (0123.456.749).
    pub enterprise_number: String,
    pub language: Language,
    pub status: Status,
    /// Its latest document of the charter in force.
    pub document: Option<IssuedDocument>,
    /// The day the adhesion workflow first mailed it.
    pub mailed: Option<NaiveDate>,
    /// The days it was reminded.
    pub reminded: Vec<NaiveDate>,
    /// The signature that counts for the charter in force: when it was
    /// collected, and how it came (own-key, pades, web, scan).
    pub signed: Option<(String, String)>,
    /// A return of it waits for the coordinator's confirmation.
    pub waiting: bool,
}

/// What a mailing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailed {
    /// Organisations whose document the issue step made ready (issued
    /// now, or already issued and unchanged).
    pub ready: usize,
    /// Organisations whose document was mailed.
    pub mailed: usize,
    /// Organisations whose document could not be made or mailed, and why:
    /// their step stays to do, the others were done.
    pub failed: Vec<Failed>,
}

/// A file to hand to the coordinator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// The name to give it (its document id, never a name a visitor chose).
    pub name: String,
    pub bytes: Vec<u8>,
    /// A PDF (else an image, for a scan).
    pub pdf: bool,
}

impl App {
    /// The adherence documents of the charter in force, per organisation.
    pub fn adherence_documents(&self) -> Result<Overview> {
        let ws = &self.ws;
        let version = ws.config.charter.version.clone();
        let mut documents: HashMap<String, IssuedDocument> = HashMap::new();
        for d in ws.store.documents()? {
            if d.kind == DocumentKind::Adherence && d.charter_version == version {
                documents.insert(d.enterprise_number.clone(), d); // the latest wins
            }
        }
        let signed: HashMap<String, (String, String)> = ws
            .store
            .adherences()?
            .into_iter()
            .filter(|a| a.charter_version == version)
            .map(|a| (a.enterprise_number, (a.collected, a.method)))
            .collect();
        let waiting: HashSet<String> = ws
            .store
            .returns()?
            .into_iter()
            .filter(|r| r.state == ReturnState::Waiting && r.adherence.charter_version == version)
            .map(|r| r.adherence.enterprise_number)
            .collect();
        let wf = workflow::load(&ws.root, ADHESION, &ws.config.flags)?;
        let done = workflow::done_by_subject(&ws.store, &wf)?;
        let days_of = |subject: &str, kind: &str| -> Vec<NaiveDate> {
            let mut days: Vec<NaiveDate> = done
                .get(subject)
                .into_iter()
                .flatten()
                .filter(|((i, _), _)| wf.steps[*i].kind.code() == kind)
                .map(|(_, on)| *on)
                .collect();
            days.sort();
            days
        };
        let mut rows = Vec::new();
        for m in ws.store.members()? {
            let o = m.organisation;
            if o.status == Status::Former {
                continue;
            }
            let digits = o.enterprise_number.digits().to_owned();
            // The adhesion workflow's subject: the organisation and version.
            let subject = format!("{digits}@{version}");
            rows.push(Row {
                enterprise_number: o.enterprise_number.formatted(),
                language: o.language,
                status: o.status,
                document: documents.remove(&digits),
                mailed: days_of(&subject, "send").first().copied(),
                reminded: days_of(&subject, "remind"),
                signed: signed.get(&digits).cloned(),
                waiting: waiting.contains(&digits),
                name: o.name,
            });
        }
        rows.sort_by_cached_key(|r| crate::roster::fold(&r.name));
        Ok(Overview { version, rows })
    }

    /// Mails the adherence documents that are due, as the adhesion
    /// workflow's first steps do (issue, then send), through the transport
    /// charte.toml configures: the same code, the same keys, so `charte run
    /// adhesion` then neither issues nor mails them again, and only
    /// reminds and escalates when their days come.
    pub fn mail_documents(&mut self) -> Result<Mailed> {
        let wf = workflow::load(&self.ws.root, ADHESION, &self.ws.config.flags)?;
        let outcome = self.run_steps(ADHESION, false, Some(&["issue", "send"]))?;
        let count = |kind: &str| -> usize {
            outcome
                .ran
                .iter()
                .filter(|(step, _)| wf.steps.iter().any(|s| &s.name == step && s.kind.code() == kind))
                .map(|(_, n)| n)
                .sum()
        };
        Ok(Mailed { ready: count("issue"), mailed: count("send"), failed: outcome.failed })
    }

    /// The sealed PDF of issued document `id` (an id the journal holds;
    /// anything else is not found).
    pub fn document_file(&self, id: &str) -> Result<File> {
        let document = self
            .ws
            .store
            .documents()?
            .into_iter()
            .rfind(|d| d.document_id == id)
            .ok_or_else(|| Error::not_found(format!("there is no document {id}")))?;
        let path = self.ws.root.join(&document.file);
        let missing = || {
            Error::not_found(format!("the file of document {id}, {}, is missing or not a plain file", document.file))
        };
        let bytes = download(&path, "an issued document", missing)?;
        Ok(File { name: format!("{}.pdf", document.document_id), bytes, pdf: true })
    }

    /// The file of return `id` (a scan or a signed PDF), as it was kept
    /// in out/returned/.
    pub fn return_file(&self, id: i64) -> Result<File> {
        let r = self
            .ws
            .store
            .returns()?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| Error::not_found(format!("there is no return #{id}")))?;
        let path = self.ws.root.join(&r.file);
        let missing =
            || Error::not_found(format!("the file of return #{id}, {}, is missing or not a plain file", r.file));
        let bytes = download(&path, "a returned document", missing)?;
        let pdf = bytes.starts_with(b"%PDF");
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or(if pdf { "pdf" } else { "bin" });
        Ok(File { name: format!("{}-{id}.{extension}", r.adherence.document_id), bytes, pdf })
    }
}

/// The bytes of a file the desk downloads (a report, a letter, an issued
/// document, a returned file), the one reader of all four: a plain file
/// only, never through a link (one planted where the journal or the
/// listing names the file is `missing`, as a missing file is), at most
/// [`MAX_DOCUMENT_BYTES`] (`what` names it in the refusal).
pub(crate) fn download(path: &Path, what: &str, missing: impl FnOnce() -> Error) -> Result<Vec<u8>> {
    match crate::error::read_plain_at_most(path, MAX_DOCUMENT_BYTES) {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(crate::error::too_big(path, MAX_DOCUMENT_BYTES, what)),
        Err(_) => Err(missing()),
    }
}
