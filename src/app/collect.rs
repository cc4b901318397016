//! Collecting returned documents: each file examined against the register
//! (issued documents, roster, registered keys, trusted roots), then what
//! it proves journaled, in one transaction.
//!
//! A return that is not proof enough by itself (a scan; a PAdES signature
//! not chained to a trusted root, or not by the representative) is
//! received, journaled as `return-pending` and counts for nothing until
//! the coordinator confirms it (App::confirm_return). A refused file is
//! journaled too, and changes nothing else.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::App;
use crate::collect::Adherence;
use crate::collect::{self, Outcome, Register};
use crate::error::{Error, MAX_DOCUMENT_BYTES, Result};
use crate::journal::{Event, Tx};
use crate::roster::{self, Status};

/// The most returned files examined at once, each at most
/// [`MAX_DOCUMENT_BYTES`] read: bounds collect's peak memory (4 × 20 MB of
/// files, plus what examining them takes) however many cores and files.
const READERS: usize = 4;

/// The returned files, and what they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Returned documents: signed with the organisation's registered key,
    /// or signed in a PDF reader (PAdES); or scans, with `scan`.
    pub files: Vec<PathBuf>,
    /// The files are scans of a paper signature by this organisation
    /// (enterprise number or unique name), which the coordinator attests.
    pub scan: Option<String>,
}

/// What became of one returned file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The file as it was named.
    pub file: String,
    pub what: What,
}

/// What a returned file proved, decided against the journal as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A valid adherence, counted from today.
    Accepted {
        adherence: Box<Adherence>,
        /// The organisation's name (its number when not on the roster).
        who: String,
        /// The status the signature gave, if it changed one.
        new_status: Option<Status>,
        /// What the PAdES chain's check says, when there was one.
        chain_note: Option<String>,
    },
    /// A valid return of an adherence already counted (`first`): recorded,
    /// it counts nothing.
    Duplicate { adherence: Box<Adherence>, who: String, first: Box<Adherence> },
    /// Valid but not proof enough by itself (`reason`): journaled as
    /// return `id`, it counts for nothing until the coordinator confirms it.
    Waiting { adherence: Box<Adherence>, who: String, reason: String, id: i64 },
    /// This very file was collected before (for `document_id`): nothing changed.
    Known { document_id: String },
    /// Not a valid return: journaled as refused, nothing else changed.
    Refused { why: crate::collect::Why, reason: String },
}

/// What a collection did, file by file, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Collected {
    pub lines: Vec<Line>,
}

impl Collected {
    fn count(&self, f: impl Fn(&What) -> bool) -> usize {
        self.lines.iter().filter(|l| f(&l.what)).count()
    }
    pub fn accepted(&self) -> usize {
        self.count(|w| matches!(w, What::Accepted { .. }))
    }
    pub fn duplicates(&self) -> usize {
        self.count(|w| matches!(w, What::Duplicate { .. }))
    }
    pub fn waiting(&self) -> usize {
        self.count(|w| matches!(w, What::Waiting { .. }))
    }
    pub fn known(&self) -> usize {
        self.count(|w| matches!(w, What::Known { .. }))
    }
    pub fn refused(&self) -> usize {
        self.count(|w| matches!(w, What::Refused { .. }))
    }
}

impl App {
    /// Collects returned files (the action `charte collect`): every file is
    /// examined in parallel against the register as it was, then the
    /// outcomes are journaled in order, in one transaction.
    pub fn collect(&mut self, input: &Input) -> Result<Collected> {
        let held = Held::read(self)?;
        let (members, issued, known) = (&held.members, &held.issued, &held.known);
        // An unknown organisation for a scan is a refusal like any other:
        // journaled, and the register unchanged.
        let scan_member = input.scan.as_deref().map(|id| roster::resolve(members, id));
        let version = self.ws.config.charter.version.clone();
        let register = held.register();
        let bar = self.bar(input.files.len() as u64, "returned files");
        let examine_all = || {
            input
                .files
                .par_iter()
                .map(|path| {
                    // A returned document is at most 20 MB (DESIGN.md): the read
                    // stops one byte past that, whatever the file is.
                    // One file too large is refused like any bad return; the
                    // others of the run are collected.
                    let bytes = match crate::error::read_bounded(path, MAX_DOCUMENT_BYTES, "a returned document") {
                        Ok(bytes) => bytes,
                        Err(Error::Input { problems, .. }) => {
                            bar.inc(1);
                            let reason = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                            // Not read, so not hashed: the refusal names the file instead.
                            return Ok((
                                format!("unread:{}", path.display()),
                                Outcome::Refused { why: collect::Why::TooLarge, reason },
                            ));
                        }
                        Err(e) => return Err(e),
                    };
                    let file_sha256 = hex::encode(Sha256::digest(&bytes));
                    let outcome = match &scan_member {
                        Some(Ok(m)) => collect::attest_scan(&bytes, &file_sha256, m, &version, issued, known),
                        Some(Err(e)) => Outcome::Refused { why: collect::Why::Other, reason: format!("--scan: {e}") },
                        None => collect::examine(&bytes, &file_sha256, &register),
                    };
                    bar.inc(1);
                    Ok((file_sha256, outcome))
                })
                .collect::<Vec<Result<(String, Outcome)>>>()
        };
        // Each worker holds one file at a time (examining a file runs no
        // parallel work of its own, so a worker never picks up a second file
        // while holding one): at most READERS files are in memory at once,
        // whatever the number of cores or files.
        let examined = match rayon::ThreadPoolBuilder::new().num_threads(readers()).build() {
            Ok(pool) => pool.install(examine_all),
            Err(e) => return Err(Error::internal(format!("no thread for the returned files: {e}"))),
        };
        drop(bar);
        // Whether a valid return is new, the same file again, or another
        // return of an adherence already counted is decided here, under the
        // write lock, against the journal as it is (files of this run
        // included): one adherence per organisation and charter version.
        let lines = self.ws.store.transaction(self.today, |tx| {
            let mut lines = Vec::with_capacity(examined.len());
            for (path, result) in input.files.iter().zip(examined) {
                let (file_sha256, outcome) = result?;
                let file = path.display().to_string();
                let what = record(
                    tx,
                    &version,
                    |n| register.member(n).map(|m| m.organisation.name.clone()),
                    &file,
                    file_sha256,
                    outcome,
                )?;
                lines.push(Line { file, what });
            }
            Ok(lines)
        })?;
        Ok(Collected { lines })
    }
}

/// What returned files are examined against, read once from the
/// workspace: the roster, the issued documents, the files recorded before,
/// the coordination's keys and the trusted roots.
pub(super) struct Held {
    pub members: Vec<roster::Member>,
    pub issued: Vec<crate::documents::IssuedDocument>,
    /// Every file recorded before, counted or duplicate: a quick answer for
    /// the same file again (the transaction decides for good).
    pub known: HashMap<String, String>,
    coordination_key: ed25519_dalek::VerifyingKey,
    /// A document issued before a rotation is sealed with a former key,
    /// which the journal vouches for.
    former_keys: Vec<ed25519_dalek::VerifyingKey>,
    roots: Vec<Vec<u8>>,
}

impl Held {
    pub(super) fn read(app: &App) -> Result<Held> {
        let known = app.ws.store.known_returns()?.into_iter().map(|k| (k.file_sha256, k.document_id)).collect();
        let (coordination_key, former_keys) = super::keys::trusted_keys(&app.ws)?;
        Ok(Held {
            members: app.ws.store.members()?,
            issued: app.ws.store.documents()?,
            known,
            coordination_key,
            former_keys,
            roots: collect::trusted_roots(&app.ws.root)?,
        })
    }

    pub(super) fn register(&self) -> Register<'_> {
        Register::new(&self.coordination_key, &self.issued, &self.members, &self.known, &self.roots)
            .with_former_keys(&self.former_keys)
    }
}

/// Journals what one examined return proves, inside the write transaction
/// `tx`, against the journal as it is (returns of the same run included):
/// the same file again is known; one adherence per organisation and
/// charter version (`version`: the current one), another valid return a
/// `duplicate`; a return not proof enough by itself waits; a valid one is
/// counted, and a signature of the current charter changes the status
/// (collect::status_after_signing). `name_of` names an organisation by
/// its 10 digits. Every way back (`charte collect`, the signing page)
/// records through here: one rule, written once.
pub(super) fn record(
    tx: &mut Tx<'_>,
    version: &str,
    name_of: impl Fn(&str) -> Option<String>,
    file: &str,
    file_sha256: String,
    outcome: Outcome,
) -> Result<What> {
    let file = file.to_owned();
    let known = match &outcome {
        Outcome::Accepted(a) | Outcome::Pending { adherence: a, .. } => tx.known_return(&a.file_sha256)?,
        Outcome::AlreadyKnown { document_id } => Some(document_id.clone()),
        Outcome::Refused { .. } => None,
    };
    if let Some(document_id) = known {
        return Ok(What::Known { document_id });
    }
    let (adherence, waits) = match outcome {
        Outcome::Accepted(adherence) => (adherence, None),
        Outcome::Pending { adherence, reason } => (adherence, Some(reason)),
        Outcome::AlreadyKnown { document_id } => return Ok(What::Known { document_id }),
        Outcome::Refused { why, reason } => {
            tx.append(&Event::ReturnRefused { file, file_sha256, reason: reason.clone() })?;
            return Ok(What::Refused { why, reason });
        }
    };
    let who = name_of(&adherence.enterprise_number).unwrap_or_else(|| adherence.enterprise_number.clone());
    if let Some(first) = tx.counted_adherence(&adherence.enterprise_number, &adherence.charter_version)? {
        tx.append(&Event::Duplicate {
            file,
            adherence: (*adherence).clone(),
            duplicate_of: first.file_sha256.clone(),
        })?;
        return Ok(What::Duplicate { adherence, who, first: Box::new(first) });
    }
    // Not proof enough by itself: received and journaled, counted nowhere
    // until the coordinator confirms it.
    if let Some(reason) = waits {
        let id = tx.append(&Event::ReturnPending { file, adherence: (*adherence).clone(), reason: reason.clone() })?;
        return Ok(What::Waiting { adherence, who, reason, id });
    }
    // The status as it is under the lock, not as it was read before: a
    // change journaled meanwhile is seen.
    let new_status = if adherence.charter_version == version {
        tx.status_of(&adherence.enterprise_number)?.and_then(collect::status_after_signing)
    } else {
        None
    };
    let chain_note = adherence.details.get("chain_note").and_then(|n| n.as_str()).map(str::to_owned);
    tx.append(&Event::AdherenceCollected { adherence: (*adherence).clone(), new_status })?;
    Ok(What::Accepted { adherence, who, new_status, chain_note })
}

fn readers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(READERS)
}
