//! Checking the journal's hash chain (every entry's hash recomputed and
//! linked to the one before, so an entry changed or removed behind
//! charte's back is named), the Merkle tree over it, every checkpoint
//! known (a signed tree head: the journal must still begin with the tree
//! it signed, so entries removed at the end or a history rewritten are
//! named), then the tables derived from it (the journal replayed in memory
//! and compared with them, so a row changed behind charte's back is named
//! too).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ed25519_dalek::VerifyingKey;

use super::App;
use crate::error::{Error, Result};
use crate::journal::checkpoint::{self, Checkpoint, CheckpointError};
use crate::journal::merkle::Hash;
use crate::journal::store::Audit;
use crate::seal::VerifyError;

/// What the audit found, and how many checkpoints it held the journal to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub audit: Audit,
    /// Checkpoints checked (those of out/checkpoints/, of the sealed
    /// reports in out/reports/, and those given).
    pub checkpoints: usize,
    /// The largest tree a checkpoint vouched for.
    pub latest: Option<u64>,
}

/// A checkpoint and where it was found, as the messages name it.
#[derive(Debug)]
pub(super) struct Found {
    pub source: String,
    pub checkpoint: Checkpoint,
}

impl App {
    /// The journal's chain, its tree, every checkpoint known and those
    /// `given` (a funder's copy: a checkpoint file, or a sealed report that
    /// embeds one), then the derived tables.
    pub fn audit(&self, given: &[PathBuf]) -> Result<Report> {
        let mut found = Vec::new();
        for path in given {
            found.push(self.given_checkpoint(path)?);
        }
        let (known, problems) = self.known_checkpoints()?;
        found.extend(known);
        // Whose checkpoints they are is judged once the chain and the tree
        // hold (the order docs/journal.md gives): without the coordination's
        // key, the chain is still checked.
        let keys = if found.is_empty() { Ok(Vec::new()) } else { self.coordination_keys() };
        let sizes: BTreeSet<u64> = found.iter().map(|f| f.checkpoint.statement.tree_size).collect();
        let audit = self.ws.store.audit(&sizes, |entries, roots| {
            if let Some(problem) = problems.first() {
                return Some(problem.clone());
            }
            let keys = match &keys {
                Ok(keys) => keys,
                Err(e) => return Some(format!("the {} checkpoint(s) cannot be checked: {e}", found.len())),
            };
            found
                .iter()
                .find_map(|f| trusted(f, keys).err().map(|e| e.to_string()))
                .or_else(|| contradiction(&found, entries, roots))
        })?;
        let latest = found.iter().map(|f| f.checkpoint.statement.tree_size).max();
        Ok(Report { audit, checkpoints: found.len(), latest })
    }

    /// Every key the coordination has sealed with, and the day each former
    /// one retired: the chain its journal knows (after a rotation), else
    /// keys/coordination.pub.
    pub(super) fn coordination_keys(&self) -> Result<Vec<(VerifyingKey, Option<NaiveDate>)>> {
        if let Some(chain) = super::keys::journaled_chain(&self.ws)? {
            return Ok(chain.keys().into_iter().map(|k| (k, chain.retirement(&k).map(|r| r.date))).collect());
        }
        let path = self.ws.keys_dir().join(super::keys::COORDINATION_PUB);
        if !path.exists() {
            return Err(Error::usage(format!(
                "{} does not exist: the checkpoints cannot be checked without the coordination's key",
                path.display()
            )));
        }
        Ok(vec![(super::keys::read_public_key(&path)?, None)])
    }

    /// out/checkpoints/*.json, each checked in itself, in name order.
    pub(super) fn checkpoint_files(&self) -> Result<Vec<Found>> {
        let (found, problems) = self.read_checkpoint_files()?;
        match problems.into_iter().next() {
            Some(problem) => Err(Error::CheckFailed(problem)),
            None => Ok(found),
        }
    }

    /// out/checkpoints/checkpoint-*.json, in name order, and what is wrong
    /// with those that are not checkpoints.
    fn read_checkpoint_files(&self) -> Result<(Vec<Found>, Vec<String>)> {
        let (mut found, mut problems) = (Vec::new(), Vec::new());
        for path in files(&self.ws.out_dir().join("checkpoints"), ".json")?
            .into_iter()
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("checkpoint-")))
        {
            let bytes = crate::error::read_bounded(&path, MAX_BYTES, "a checkpoint")?;
            match checkpoint::read(&bytes) {
                Ok(checkpoint) => found.push(Found { source: self.shown(&path), checkpoint }),
                Err(e) => problems.push(format!("{}: {e}", self.shown(&path))),
            }
        }
        Ok((found, problems))
    }

    /// out/checkpoints/checkpoint-*.json, then the checkpoints the sealed
    /// reports of out/reports/ embed (those the journal records), in name
    /// order; and what is wrong with those that do not read, reported by
    /// the audit once the chain and the tree hold.
    fn known_checkpoints(&self) -> Result<(Vec<Found>, Vec<String>)> {
        let (mut found, mut problems) = self.read_checkpoint_files()?;
        // Each report's seal: its detached copy, or the PDF's own when the
        // copy is gone; only the reports the journal records (any other PDF
        // left in the folder is not charte's).
        let reports = self.ws.out_dir().join("reports");
        let journaled: std::collections::HashSet<PathBuf> =
            self.ws.store.documents()?.into_iter().map(|d| self.ws.root.join(d.file)).collect();
        let mut seals: Vec<PathBuf> = files(&reports, ".seal.json")?
            .into_iter()
            .filter(|p| journaled.contains(&p.with_extension("").with_extension("pdf")))
            .collect();
        for pdf in files(&reports, ".pdf")? {
            if journaled.contains(&pdf) && !pdf.with_extension("seal.json").exists() {
                seals.push(pdf);
            }
        }
        for path in seals {
            let bytes = crate::error::read_bounded(&path, crate::error::MAX_DOCUMENT_BYTES, "a seal")?;
            let manifest = match crate::seal::read_manifest(&bytes) {
                Ok(manifest) => manifest,
                Err(e) => {
                    problems.push(format!("{}: {e}", self.shown(&path)));
                    continue;
                }
            };
            if let Some(value) = manifest.extra.get(checkpoint::FIELD) {
                match checkpoint::from_value(value) {
                    Ok(checkpoint) => found.push(Found { source: self.shown(&path), checkpoint }),
                    Err(e) => problems.push(format!("{}: {e}", self.shown(&path))),
                }
            }
        }
        Ok((found, problems))
    }

    /// A checkpoint given on the command line: its file, or the sealed
    /// report (PDF or .seal.json) that embeds one.
    fn given_checkpoint(&self, path: &Path) -> Result<Found> {
        let source = path.display().to_string();
        let bytes = crate::error::read_bounded(path, crate::error::MAX_DOCUMENT_BYTES, "a checkpoint")?;
        let checkpoint = if bytes.starts_with(b"%PDF-") || bytes.starts_with(b"{\"manifest\"") {
            // A seal that reads but was altered is a failed check; a file
            // whose seal cannot be read at all (none, cut, damaged) is not
            // one that can be checked.
            let manifest = crate::seal::read_manifest(&bytes).map_err(|e| match e {
                VerifyError::SealAltered => Error::CheckFailed(format!("{source}: {e}")),
                e => Error::usage(format!("{source}: {e}: not a checkpoint, nor a sealed report embedding one")),
            })?;
            let value = manifest.extra.get(checkpoint::FIELD).ok_or_else(|| {
                Error::usage(format!("{source}: this sealed document embeds no checkpoint (only reports do)"))
            })?;
            checkpoint::from_value(value)
        } else {
            checkpoint::read(&bytes)
        };
        match checkpoint {
            Ok(checkpoint) => Ok(Found { source, checkpoint }),
            Err(e @ CheckpointError::Malformed(_)) => Err(Error::usage(format!("{source}: {e}"))),
            Err(e) => Err(failed(&source, &e)),
        }
    }

    /// A path inside the workspace, as the messages show it.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.ws.root).unwrap_or(path).display().to_string()
    }
}

/// A checkpoint file is at most a few hundred bytes; a seal a few kB.
const MAX_BYTES: u64 = 1 << 20;

/// The files of `dir` whose names end with `suffix`, in name order (none
/// when the folder does not exist).
fn files(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(suffix) && !n.starts_with('.')) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn failed(source: &str, e: &CheckpointError) -> Error {
    Error::CheckFailed(format!("{source}: {e}"))
}

/// A checkpoint is the coordination's: signed with one of its keys (a
/// former one only up to the day it retired). The key is the
/// coordination's identity; the name a checkpoint carries is the one it had
/// that day (charte.toml may have renamed it since).
pub(super) fn trusted(f: &Found, keys: &[(VerifyingKey, Option<NaiveDate>)]) -> Result<()> {
    let s = &f.checkpoint.statement;
    let Some((_, retired)) = keys.iter().find(|(k, _)| k == &f.checkpoint.key) else {
        let known = keys.iter().map(|(k, _)| crate::seal::fingerprint(k)).collect::<Vec<_>>().join(", ");
        return Err(Error::CheckFailed(format!(
            "{}: this checkpoint is signed with the key {}, not with the coordination's key ({known})",
            f.source, s.key_fingerprint
        )));
    };
    if let (Some(retired), Some(date)) = (retired, f.checkpoint.date())
        && date > *retired
    {
        return Err(Error::CheckFailed(format!(
            "{}: this checkpoint is signed on {date} with the key {}, which the coordination retired on {retired}: a \
             retired key signs nothing, so it is not the coordination's",
            f.source, s.key_fingerprint
        )));
    }
    Ok(())
}

/// The first checkpoint the journal contradicts, in words: it covers more
/// entries than the journal has, or its root is not the journal's.
pub(super) fn contradiction(found: &[Found], entries: u64, roots: &BTreeMap<u64, Hash>) -> Option<String> {
    found.iter().find_map(|f| {
        let s = &f.checkpoint.statement;
        if s.tree_size > entries {
            return Some(format!(
                "{} (signed on {}) covers {} journal entries, the journal has only {entries}: entries were removed \
                 after it; restore the workspace from a backup",
                f.source, s.date, s.tree_size
            ));
        }
        let root = if s.tree_size == 0 {
            Some(crate::journal::merkle::empty_root())
        } else {
            roots.get(&s.tree_size).copied()
        };
        (root != Some(f.checkpoint.root)).then(|| {
            format!(
                "the journal's first {} entries are not those {} signed on {}: the history was rewritten or entries \
                 were removed; restore the workspace from a backup",
                s.tree_size, f.source, s.date
            )
        })
    })
}
