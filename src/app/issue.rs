//! Issuing the adherence documents: each selected organisation's document
//! rendered from the charter and its roster entry, sealed with the
//! coordination's key, written into out/adherence/ and journaled.
//!
//! Only documents whose inputs changed are made (adherence::plan decides);
//! one the journal knows but whose file is missing or altered is made again
//! byte for byte. An organisation whose document cannot be made is named in
//! the outcome and the batch goes on: one organisation's bad data must not
//! hold back the others' documents.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use super::{App, Bar, Progress};
use crate::adherence;
use crate::documents::IssuedDocument;
use crate::error::{Error, Failed, Result};
use crate::journal::{Event, Tx};
use crate::render::{ADHERENCE_TEMPLATE, load_template};
use crate::roster::{self, Member, Status};
use crate::seal::{self, Manifest};
use crate::workspace::Workspace;

/// Documents rendered between two journal commits: bounds memory (each
/// document is held until sealed and written) and the work an interruption
/// can lose.
const CHUNK: usize = 64;

/// Whose documents to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// Every organisation on the roster but former ones.
    All,
    /// These organisations: enterprise numbers (any spelling) or unique names.
    Ids(Vec<String>),
}

/// What an issue did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub issued: usize,
    pub unchanged: usize,
    /// Documents already issued whose file was missing or altered, made
    /// again byte for byte from the journal's record.
    pub restored: usize,
    /// The organisations whose document could not be made, and why:
    /// nothing was issued for them, the others were.
    pub failed: Vec<Failed>,
    /// Where the documents are (out/adherence/).
    pub folder: PathBuf,
}

impl App {
    /// Issues the documents of the organisations `which` names (the
    /// action `charte issue`).
    pub fn issue(&mut self, which: &Which) -> Result<Outcome> {
        let members = self.ws.store.members()?;
        let selected: Vec<&Member> = match which {
            Which::All => members.iter().filter(|m| m.organisation.status != Status::Former).collect(),
            Which::Ids(ids) if ids.is_empty() => {
                return Err(Error::usage("say which organisations: --all, or their enterprise numbers or names"));
            }
            Which::Ids(ids) => {
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    out.push(roster::resolve(&members, id)?);
                }
                out
            }
        };
        self.issue_for(&selected)
    }

    /// Issues the documents of `members` whose inputs changed; the others
    /// keep their document (the workflow runner's issue step).
    pub fn issue_for(&mut self, members: &[&Member]) -> Result<Outcome> {
        issue_members(&mut self.ws, self.today, self.progress.as_ref(), members)
    }
}

/// Renders, seals, writes and journals the documents of `selected` whose
/// inputs changed, in parallel, a chunk at a time.
fn issue_members(ws: &mut Workspace, now: NaiveDate, progress: &dyn Progress, selected: &[&Member]) -> Result<Outcome> {
    // A date the journal would refuse is refused before anything is
    // rendered, whoever opened the App (the transaction decides again
    // under the lock before any file is put in place).
    ws.check_date(now)?;
    let sealer = super::keys::sealer(ws)?;
    let template = load_template(Some(&ws.templates_dir()), ADHERENCE_TEMPLATE)
        .map_err(|e| Error::usage(format!("adherence template: {e}")))?;
    let override_path = ws.templates_dir().join(ADHERENCE_TEMPLATE);
    let origin = if override_path.is_file() {
        override_path.display().to_string()
    } else {
        format!("the built-in template {ADHERENCE_TEMPLATE}")
    };
    let issued = ws.store.documents()?;
    let plan = adherence::plan(&ws.config, &ws.root, selected, &issued, &template)?;
    // A document made again byte for byte is sealed with the key that
    // sealed it: after a rotation, the former key in force on its day.
    let former = if plan.jobs.iter().any(|j| j.restore.is_some()) {
        super::keys::former_sealers(ws, sealer.chain())
    } else {
        Vec::new()
    };
    let folder = ws.out_folder("adherence")?;
    let engine = App::engine()?;
    let bar = Bar::start(progress, plan.jobs.len() as u64, "documents");
    let mut tally = Tally { unchanged: plan.unchanged, ..Tally::default() };
    let (root, config) = (&ws.root, &ws.config);
    for chunk in plan.jobs.chunks(CHUNK) {
        // Each document is rendered, sealed and staged (written to a
        // temporary file of this run's own) on a worker; nothing is in
        // place yet, and another run's files are never touched.
        let documents: Vec<Result<Prepared>> = chunk
            .par_iter()
            .map(|job| {
                // A document made again from the journal's record keeps its
                // date, and its key: the one (or, on the day of a rotation,
                // either one) that sealed on that day.
                let day = job.restore.as_ref().map_or(now, |(issued, _)| *issued);
                let candidates: Vec<&seal::Sealer> = match job.restore {
                    None => vec![&sealer],
                    Some(_) => sealer
                        .chain()
                        .keys_on(day)
                        .iter()
                        .rev()
                        .filter_map(|k| std::iter::once(&sealer).chain(&former).find(|s| s.verifying_key() == *k))
                        .collect(),
                };
                let _done = Done(&bar);
                for s in candidates {
                    let data = plan.data.data_sealed_by(&job.member, &job.document_id, day, &s.fingerprint());
                    let pdf = engine.pdf(&template, &data, day, &job.document_id);
                    let pdf =
                        pdf.map_err(|e| Error::usage(format!("its document does not render: {e} (in {origin})")))?;
                    if let Some(prepared) = prepare(root, config, job, &pdf, s, day)? {
                        return Ok(prepared);
                    }
                }
                Err(not_identical(job, day))
            })
            .collect();
        let mut ready = Vec::with_capacity(documents.len());
        for (job, d) in chunk.iter().zip(documents) {
            match d {
                Ok(d) => ready.push((job, d)),
                // Only this organisation's data or file is at fault; a
                // failure that would hit every document stops the batch.
                Err(e) if e.kind() == crate::error::Kind::Invalid => tally.failed.push(failure(job, e.to_string())),
                Err(e) => return Err(e),
            }
        }
        // Under the journal's write lock, what was planned from an earlier
        // read is decided again as the journal is now: a document another
        // run issued meanwhile is not issued twice, and a file goes into
        // place (a rename) in the same transaction that journals it, so no
        // two runs can leave a journaled hash over other bytes.
        let mut placed = Vec::new();
        let journaled = ws.store.transaction(now, |tx| {
            let mut chunk_tally = Tally::default();
            for (job, d) in ready {
                put_in_place(tx, root, job, d, &mut placed, &mut chunk_tally)?;
            }
            Ok(chunk_tally)
        });
        match journaled {
            Ok(t) => tally.add(t),
            Err(e) => {
                // Files the journal does not know would block the next run (a
                // file charte did not write for its document is never
                // replaced): those this run put in place go with the failed
                // transaction.
                for path in &placed {
                    let _ = std::fs::remove_file(path);
                }
                return Err(e);
            }
        }
    }
    drop(bar);
    // Not one document could be made: the cause is common to all (a broken
    // template, say), not one organisation's data, and nothing changed.
    let Tally { issued, unchanged, restored, failed } = tally;
    if issued == 0
        && restored == 0
        && unchanged == 0
        && let Some(first) = failed.first()
    {
        return Err(Error::Usage(format!(
            "{}: {}; nothing was issued{}",
            first.item,
            first.reason,
            match failed.len() {
                1 => String::new(),
                n => format!(" (nor for the {} others)", n - 1),
            }
        )));
    }
    Ok(Outcome { issued, unchanged, restored, failed, folder })
}

/// What the transactions did, added up.
#[derive(Debug, Default)]
struct Tally {
    issued: usize,
    unchanged: usize,
    restored: usize,
    failed: Vec<Failed>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.issued += other.issued;
        self.unchanged += other.unchanged;
        self.restored += other.restored;
        self.failed.extend(other.failed);
    }
}

/// A document sealed and staged beside its file, with what to journal.
struct Prepared {
    document: IssuedDocument,
    staged: seal::StagedSeal,
}

fn failure(job: &adherence::Job, reason: String) -> Failed {
    Failed {
        item: format!("{} ({})", job.member.organisation.name, job.member.organisation.enterprise_number.formatted()),
        reason,
    }
}

/// Under the write lock: puts one staged document in place and journals
/// it, or drops it when the journal, as it is now, says another run got
/// there first.
fn put_in_place(
    tx: &mut Tx<'_>,
    root: &Path,
    job: &adherence::Job,
    d: Prepared,
    placed: &mut Vec<PathBuf>,
    tally: &mut Tally,
) -> Result<()> {
    let Prepared { document, staged } = d;
    let path = root.join(&job.file);
    if job.restore.is_some() {
        // The journal's own bytes (checked when sealed): put back unless
        // another run already did.
        if !staged.in_place(&path)? {
            staged.replace(&path)?;
        }
        tally.restored += 1;
        return Ok(());
    }
    let issued = tx.documents_of(&document.enterprise_number, &document.charter_version)?;
    if issued.last().is_some_and(|last| last.inputs_sha256 == document.inputs_sha256) {
        // Another run issued this very document since this one planned.
        tally.unchanged += 1;
        return Ok(());
    }
    if issued.iter().any(|i| i.document_id == document.document_id) || tx.document_at(&document.file)?.is_some() {
        tally.failed.push(failure(
            job,
            format!(
                "another charte command issued a different document {} for it meanwhile; nothing was issued for it \
                 by this one: run `charte issue` again",
                document.document_id
            ),
        ));
        return Ok(());
    }
    match staged.place_new(&path) {
        Ok(files) => placed.extend(files),
        // A file charte did not write there: this organisation only.
        Err(e) if e.kind() == crate::error::Kind::Invalid => {
            tally.failed.push(failure(job, e.to_string()));
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    tx.append(&Event::DocumentIssued { document })?;
    tally.issued += 1;
    Ok(())
}

/// Counts one document done on the bar, however its work ends.
struct Done<'a, 'b>(&'a Bar<'b>);

impl Drop for Done<'_, '_> {
    fn drop(&mut self) {
        self.0.inc(1);
    }
}

/// The refusal to make again a document journaled on `issued` whose file
/// is missing or altered, when no key gives back its bytes.
fn not_identical(job: &adherence::Job, issued: NaiveDate) -> Error {
    Error::usage(format!(
        "its document of {issued} ({}) is missing or altered in {} and cannot be made again identically (was it \
         sealed with a key of which keys/retired/ holds no copy?); issue it anew after moving the file away",
        job.document_id,
        job.file.display()
    ))
}

/// Seals a rendered document, stages it and its detached seal beside its
/// file, and says what to journal; `None` when the document is one to make
/// again (`job.restore`) and these are not the bytes journaled.
fn prepare(
    root: &Path,
    config: &crate::config::Config,
    job: &adherence::Job,
    pdf: &[u8],
    sealer: &seal::Sealer,
    now: NaiveDate,
) -> Result<Option<Prepared>> {
    let version = &config.charter.version;
    let o = &job.member.organisation;
    let manifest = Manifest::new(&job.document_id, "adherence", config.coordination.name(o.language), now)
        .organisation(&o.name, Some(&o.enterprise_number.formatted()))
        .charter_version(version);
    let sealed =
        sealer.seal(pdf, &manifest).map_err(|e| Error::internal(format!("sealing {}: {e}", job.document_id)))?;
    let path = root.join(&job.file);
    // The journal's own file for this document, missing or altered: only
    // the very bytes it recorded are written back.
    if let Some((_, expected)) = &job.restore
        && sealed.sealed_sha256() != *expected
    {
        return Ok(None);
    }
    let staged = sealed.stage(&path)?;
    let document = IssuedDocument {
        document_id: job.document_id.clone(),
        kind: crate::documents::DocumentKind::Adherence,
        enterprise_number: o.enterprise_number.digits().to_owned(),
        charter_version: version.to_owned(),
        inputs_sha256: job.inputs_sha256.clone(),
        sha256: sealed.manifest.sha256.clone(),
        sealed_sha256: sealed.sealed_sha256(),
        length: sealed.pdf.len() as i64,
        file: job.file.to_string_lossy().into_owned(),
        issued: now,
        seq: 0,
    };
    Ok(Some(Prepared { document, staged }))
}
