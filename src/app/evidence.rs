//! `charte evidence ENTRY`: one journal entry with its inclusion proof
//! against the latest checkpoint (docs/journal.md "Proofs"), for a funder
//! who asks where a figure comes from. The file holds the entry, the
//! checkpoint as signed and the proof; docs/verify_journal.py checks it
//! without charte and without the rest of the journal.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::App;
use super::audit::{Found, contradiction, trusted};
use crate::error::{Error, Result};
use crate::journal::evidence;

/// What `charte evidence` is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The entry's sequence number.
    pub seq: u64,
    /// Where to write the file; default out/evidence/evidence-SEQ-at-SIZE.json.
    pub out: Option<PathBuf>,
}

/// An evidence file written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub seq: u64,
    /// The entry's kind and date, to say what was proved.
    pub kind: String,
    pub at: String,
    /// The size of the checkpoint's tree the entry is proved in.
    pub tree_size: u64,
    /// The checkpoint file, as the workspace names it.
    pub checkpoint: String,
    /// The proof's length, in hashes.
    pub proof_len: usize,
}

impl App {
    /// Writes entry `input.seq` with its inclusion proof against the
    /// largest checkpoint of out/checkpoints/ (signed with the
    /// coordination's key, for this coordination, and still the journal's
    /// tree), exclusively: a file already there with other bytes is refused.
    pub fn evidence(&self, input: &Input) -> Result<Written> {
        let seq = input.seq;
        let entries = self.ws.store.head()?.seq as u64;
        if seq == 0 || seq > entries {
            return Err(Error::usage(format!(
                "the journal has no entry {seq}: its entries are numbered 1 to {entries}; nothing was written"
            )));
        }
        let latest = self.checkpoint_files()?.into_iter().max_by_key(|f| f.checkpoint.statement.tree_size);
        let Some(found) = latest.filter(|f| f.checkpoint.statement.tree_size >= seq) else {
            return Err(Error::usage(format!(
                "no checkpoint in out/checkpoints/ covers entry {seq} yet: run `charte checkpoint` first, then \
                 `charte evidence {seq}` again; nothing was written"
            )));
        };
        trusted(&found, &self.coordination_keys()?)?;
        self.holds_to(&found, entries)?;
        let size = found.checkpoint.statement.tree_size;
        let entry = self
            .ws
            .store
            .entry(seq)?
            .ok_or_else(|| Error::internal(format!("journal entry {seq} vanished while it was read")))?;
        let proof = self.ws.store.inclusion_proof(seq, size)?;
        let carried = super::keys::journaled_chain(&self.ws)?
            .map(|chain| chain.carried_by(&found.checkpoint.key))
            .unwrap_or_default();
        let bytes = evidence::build(&entry, &found.checkpoint.to_value(), size, &proof, &carried);
        let path = match &input.out {
            Some(path) => path.clone(),
            None => self.ws.out_folder("evidence")?.join(evidence::file_name(seq, size)),
        };
        crate::error::write_new(&path, &bytes)?;
        Ok(Written {
            path,
            seq,
            kind: entry.kind,
            at: entry.at,
            tree_size: size,
            checkpoint: found.source,
            proof_len: proof.len(),
        })
    }

    /// The journal still holds the tree `found` signed: a proof against a
    /// checkpoint the journal contradicts would prove nothing.
    fn holds_to(&self, found: &Found, entries: u64) -> Result<()> {
        let size = found.checkpoint.statement.tree_size;
        let mut roots = BTreeMap::new();
        if size <= entries {
            roots.insert(size, self.ws.store.tree_head_at(size)?.root);
        }
        match contradiction(std::slice::from_ref(found), entries, &roots) {
            Some(reason) => {
                Err(Error::CheckFailed(format!("{reason} (`charte audit` says more); nothing was written")))
            }
            None => Ok(()),
        }
    }
}

/// An evidence file checked by `charte verify`: the entry, the checkpoint
/// it is proved in, and the key that signed that checkpoint.
#[derive(Debug, Clone)]
pub struct Checked {
    pub proved: evidence::Proved,
    /// The signing key's fingerprint, and whether it is the key given (else
    /// a former key of the workspace's chain).
    pub fingerprint: String,
}

/// Whether `bytes` are an evidence file (format `charte-evidence/1`).
pub fn is_evidence(bytes: &[u8]) -> bool {
    bytes.starts_with(b"{")
        && serde_json::from_slice::<serde_json::Value>(bytes)
            .is_ok_and(|v| v.get("format").and_then(|f| f.as_str()) == Some(evidence::FORMAT))
}

/// `charte verify EVIDENCE.json [--key coordination.pub]`, run in `dir` on
/// `today`: the checks docs/verify_journal.py's `evidence` makes, the
/// checkpoint signed with the key given (default: the workspace's), or, in
/// the coordination's workspace, with a former key of its chain.
pub fn check(
    dir: &std::path::Path,
    today: chrono::NaiveDate,
    bytes: &[u8],
    key: Option<&std::path::Path>,
) -> Result<Checked> {
    let proved = evidence::verify(bytes).map_err(|r| match r {
        evidence::Refusal::Unusable(m) => Error::usage(m),
        evidence::Refusal::Failed(m) => Error::CheckFailed(m),
    })?;
    let key_path = key.map_or_else(|| dir.join("keys").join(super::keys::COORDINATION_PUB), std::path::Path::to_owned);
    let given = super::keys::read_public_key(&key_path)
        .map_err(|e| Error::usage(format!("{e} (give the coordination's public key with --key FILE.pub)")))?;
    let signer = proved.checkpoint.key;
    let fingerprint = crate::seal::fingerprint(&signer);
    // Forward from the key given, through the statements the file carries.
    let successor = proved.key_chain.as_ref().is_some_and(|chain| chain.path(&given, &signer).is_some());
    if signer != given && !successor {
        let former = (key.is_none() && dir.join(crate::workspace::DB_FILE).is_file())
            .then(|| crate::workspace::Workspace::open(dir, today).ok())
            .flatten()
            .and_then(|ws| super::keys::journaled_chain(&ws).ok().flatten())
            .is_some_and(|chain| chain.contains(&signer));
        if !former {
            return Err(Error::CheckFailed(format!(
                "its checkpoint is signed with the key {fingerprint}, not with the key given ({})",
                crate::seal::fingerprint(&given)
            )));
        }
    }
    Ok(Checked { proved, fingerprint })
}
