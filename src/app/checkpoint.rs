//! Signed tree heads (docs/journal.md "Checkpoints"): `charte checkpoint`,
//! the one a report embeds, the one a workflow run writes at its end.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::App;
use crate::error::{Error, Result};
use crate::journal::checkpoint;
use crate::journal::store::{TreeHead, Tx};

/// A checkpoint written to out/checkpoints/.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    pub path: PathBuf,
    pub head: TreeHead,
    /// The signing key's fingerprint.
    pub fingerprint: String,
}

/// The file of the checkpoint over the journal's first `size` entries: the
/// entry that records it is the last it covers, so no two share a name.
pub fn file_name(size: u64) -> String {
    format!("checkpoint-{size:08}.json")
}

impl App {
    /// Journals that a checkpoint is made and signs the tree over the whole
    /// journal, that entry included (so removing it is caught), into
    /// out/checkpoints/checkpoint-SIZE.json.
    pub fn checkpoint(&mut self) -> Result<Made> {
        self.ws.check_date(self.today)?;
        let signer = self.signer()?;
        let dir = self.ws.out_folder("checkpoints")?;
        let pending = self.ws.store.transaction(self.today, |tx| signer.sign(tx))?;
        pending.place(&dir)
    }

    /// What signs checkpoints for this workspace: its seal key, its name, the
    /// app's day.
    pub(crate) fn signer(&self) -> Result<Signer> {
        Ok(Signer { sealer: self.sealer()?, coordination: self.coordination_name().to_owned(), date: self.today })
    }

    /// The coordination's name as its checkpoints carry it: in the
    /// network's main language.
    pub fn coordination_name(&self) -> &str {
        let c = &self.ws.config.coordination;
        c.name(c.main_language())
    }
}

/// Signs checkpoints ([`App::signer`]).
#[derive(Debug)]
pub(crate) struct Signer {
    /// The coordination's current key (after a rotation, the one the
    /// journal's chain ends with).
    sealer: crate::seal::Sealer,
    coordination: String,
    date: NaiveDate,
}

impl Signer {
    /// The checkpoint of the tree `head`, without journaling anything (a
    /// report's: the tree its figures were read from).
    pub fn head(&self, head: TreeHead) -> Vec<u8> {
        let statement = checkpoint::statement(&self.coordination, head, self.date, &self.sealer.verifying_key());
        self.sealer.sign_object(checkpoint::FIELD, &statement)
    }

    /// Inside a write transaction, as its last change: journals that a
    /// checkpoint is made, and signs the tree that entry completes.
    pub fn sign(&self, tx: &mut Tx<'_>) -> Result<Pending> {
        let fingerprint = self.sealer.fingerprint();
        tx.append(&crate::journal::Event::CheckpointMade { key_fingerprint: fingerprint.clone() })?;
        let head = tx.verified_tree_head()?;
        Ok(Pending { head, bytes: self.head(head), fingerprint })
    }
}

/// A checkpoint signed in a transaction, to write once it is committed.
#[derive(Debug)]
#[must_use = "a checkpoint journaled is placed in out/checkpoints/ once committed"]
pub(crate) struct Pending {
    head: TreeHead,
    bytes: Vec<u8>,
    fingerprint: String,
}

impl Pending {
    /// Writes the file into `dir` (out/checkpoints/), once the entry is
    /// committed: a file never vouches for a tree the journal does not
    /// hold. Should writing fail, the entry stays without its file, and
    /// the next checkpoint covers it.
    pub fn place(self, dir: &Path) -> Result<Made> {
        let path = dir.join(file_name(self.head.size));
        crate::error::write_new(&path, &self.bytes).map_err(|e| {
            Error::internal(format!(
                "the checkpoint of entry {} was journaled but its file could not be written ({e}); run `charte \
                 checkpoint` again",
                self.head.size
            ))
        })?;
        Ok(Made { path, head: self.head, fingerprint: self.fingerprint })
    }
}
