//! A return uploaded on the signing page (DESIGN.md "The web application":
//! the same page accepts a PDF signed in a reader, or a scan, "both
//! handled as `charte collect` handles them").
//!
//! The file is examined by collect's own rules ([`crate::collect::examine_upload`]:
//! a sealed PDF as any signed return, else a scan of the link's
//! organisation) and recorded through collect's one recording path
//! ([`super::collect::record`]). On top, the link's binding: a return of
//! another document, or of another organisation, is refused. A file kept
//! (counted, a duplicate, or waiting for the coordinator's confirmation)
//! is written to out/returned/ under a name made of its document and its
//! hash (two different files never share one), staged before the
//! transaction and put in place once recorded; a file refused or already
//! known leaves nothing on disk.
//!
//! A proven signature (counted, or a duplicate) uses the link, as a web
//! signature does; a return that waits for the coordinator leaves it open,
//! since it counts for nothing yet and the coordinator may reject it (the
//! association can then still sign on the page). The file's own name, which
//! the visitor chose and may be personal, is never kept: the journal is
//! append-only.

use sha2::{Digest, Sha256};

use super::App;
use super::collect::{Held, What, record};
use crate::collect::{self, Outcome};
use crate::error::{Error, Kind, MAX_DOCUMENT_BYTES, Result};

/// A file uploaded through a signing link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The link's token, as its URL carries it.
    pub token: String,
    /// The file's bytes (at most [`MAX_DOCUMENT_BYTES`]).
    pub bytes: Vec<u8>,
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The organisation the link is for.
    pub organisation: String,
    /// The document the link is for.
    pub document_id: String,
    /// Where the file was kept (`out/returned/NAME`), if it was.
    pub kept: Option<String>,
    /// What it proved, as `charte collect` says it.
    pub what: What,
}

impl App {
    /// Examines and records a file uploaded through signing link `token`,
    /// as `charte collect` would for that organisation and document. A
    /// link that opens nothing is [`Error::LinkNotValid`].
    pub fn upload_return(&mut self, input: &Upload) -> Result<Uploaded> {
        if input.bytes.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(Error::refused(Kind::TooLarge, "a returned document is at most 20 MB"));
        }
        let view = self.link(&input.token)?;
        let version = self.ws.config.charter.version.clone();
        let held = Held::read(self)?;
        let register = held.register();
        let file_sha256 = hex::encode(Sha256::digest(&input.bytes));
        let outcome = collect::examine_upload(
            &input.bytes,
            &file_sha256,
            &register,
            &view.member,
            &view.link.charter_version,
            &held.issued,
        );
        let outcome = bound_to(outcome, &view.document.document_id);
        // Kept files are staged before the lock, put in place once recorded.
        let staged = match &outcome {
            Outcome::Accepted(a) | Outcome::Pending { adherence: a, .. } => {
                let name = format!("{}-{}-{}.{}", a.document_id, a.method, &file_sha256[..16], extension(&input.bytes));
                let path = self.ws.out_folder("returned")?.join(&name);
                let staged = crate::error::stage(&path, &input.bytes)?;
                Some((format!("out/returned/{name}"), path, staged))
            }
            Outcome::AlreadyKnown { .. } | Outcome::Refused { .. } => None,
        };
        let (today, token) = (self.today, input.token.clone());
        let name_of = view.member.organisation.name.clone();
        let (kept, what) = self.ws.store.transaction(today, |tx| {
            let link = super::links::open_link_of(tx, &token, today, &version)?;
            let file =
                staged.as_ref().map_or_else(|| format!("upload through signing link #{}", link.id), |s| s.0.clone());
            let what = record(tx, &version, |_| Some(name_of.clone()), &file, file_sha256, outcome)?;
            if matches!(what, What::Accepted { .. } | What::Duplicate { .. }) {
                super::links::use_link(tx, link.id, today, &version)?;
            }
            let kept = match (staged, &what) {
                (
                    Some((relative, path, staged)),
                    What::Accepted { .. } | What::Duplicate { .. } | What::Waiting { .. },
                ) => {
                    staged.place_new(&path)?;
                    Some(relative)
                }
                _ => None,
            };
            Ok((kept, what))
        })?;
        Ok(Uploaded { organisation: view.member.organisation.name, document_id: view.document.document_id, kept, what })
    }
}

/// `outcome`, unless it is about another document than the link's
/// (`document_id`): a link answers for one organisation's one document.
fn bound_to(outcome: Outcome, document_id: &str) -> Outcome {
    let other = match &outcome {
        Outcome::Accepted(a) | Outcome::Pending { adherence: a, .. } => a.document_id != document_id,
        Outcome::AlreadyKnown { document_id: d } => d != document_id,
        Outcome::Refused { .. } => false,
    };
    if other {
        return Outcome::Refused {
            why: crate::collect::Why::NotOurs,
            reason: format!(
                "the file is not the document {document_id} this link is for (another document, or another organisation's)"
            ),
        };
    }
    outcome
}

/// The kept file's extension, by its first bytes.
fn extension(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\xff\xd8\xff") {
        "jpg"
    } else if bytes.starts_with(b"\x89PNG") {
        "png"
    } else {
        "pdf"
    }
}
