//! `charte verify NEW.pdf --since OLD.pdf`: the history behind a report
//! extends the one behind an earlier report. Each sealed report embeds the
//! checkpoint of the journal its figures were read from, and the
//! consistency proof from the tree the previous report of its kind embeds
//! (docs/journal.md "Proofs"); a funder holding both reports checks,
//! offline and with the coordination's public key alone, that nothing
//! behind the old report was removed or rewritten since.

use std::path::Path;

use chrono::NaiveDate;

use super::verify::{self, Input, Verdict};
use crate::error::{Error, Result};
use crate::journal::checkpoint::{self, Checkpoint};
use crate::journal::merkle;
use crate::seal::{self, Manifest};

/// What `--since` established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extends {
    pub old_id: String,
    pub new_id: String,
    pub old_size: u64,
    pub new_size: u64,
    /// Hashes in the proof (0 when both trees are the same).
    pub proof_len: usize,
}

/// A report, sealed and unaltered, and the checkpoint it embeds.
struct Report {
    name: String,
    manifest: Manifest,
    checkpoint: Checkpoint,
}

/// Whether the history behind `new` extends the one behind `old`, both
/// reports authentic as `charte verify` run in `dir` on `today` says
/// (with the coordination's public key `key`, else the workspace's: a
/// report sealed after a key rotation is trusted through the chain).
pub fn extends(dir: &Path, today: NaiveDate, new: &Path, old: &Path, key: Option<&Path>) -> Result<Extends> {
    let new = report(dir, today, new, key)?;
    let old = report(dir, today, old, key)?;
    // Both reports are authenticated by their keys: the coordination's name
    // they carry may differ (renamed in charte.toml) and is not compared.
    let (n, m) = (new.checkpoint.head(), old.checkpoint.head());
    let outcome = |proof_len| Extends {
        old_id: old.manifest.document_id.clone(),
        new_id: new.manifest.document_id.clone(),
        old_size: m.size,
        new_size: n.size,
        proof_len,
    };
    if m.size > n.size {
        // A report dated after the other's that vouches for fewer
        // entries: the history was rolled back (a workspace restored from
        // an older copy, entries removed). Otherwise, given the wrong way
        // round.
        if new.manifest.issued > old.manifest.issued {
            return Err(Error::CheckFailed(format!(
                "the history behind {} does NOT extend the one behind {}: dated {}, it vouches for {} journal entries, \
                 fewer than the {} behind {} (dated {}): the history was rolled back",
                new.name, old.name, new.manifest.issued, n.size, m.size, old.name, old.manifest.issued
            )));
        }
        return Err(Error::usage(format!(
            "{} vouches for {} journal entries, more than {} ({}): give the later report first",
            old.name, m.size, new.name, n.size
        )));
    }
    if m.size == n.size {
        if m.root == n.root {
            return Ok(outcome(0));
        }
        return Err(Error::CheckFailed(format!(
            "the history behind {} does NOT extend the one behind {}: both vouch for {} journal entries, but not the \
             same ones (two different histories)",
            new.name, old.name, n.size
        )));
    }
    let Some(consistency) = new.manifest.extra.get(crate::app::report::CONSISTENCY) else {
        return Err(Error::usage(format!(
            "{} carries no proof that its history extends an earlier report's (it is the first of its kind, or \
             made before charte gave one)",
            new.name
        )));
    };
    let (from, proof) = read_consistency(consistency)
        .ok_or_else(|| Error::CheckFailed(format!("{}: its consistency proof is malformed", new.name)))?;
    if from.0 == m.size && from.1 != m.root {
        // Two trees of the same size, both signed by the coordination, with
        // other roots: two histories. No report made in between explains it.
        return Err(Error::CheckFailed(format!(
            "the history behind {} does NOT extend the one behind {}: it continues another history of the same {} entries (root {} where {} signed {}); the journal was rewritten",
            new.name,
            old.name,
            m.size,
            hex::encode(from.1),
            old.name,
            hex::encode(m.root)
        )));
    }
    if from.0 != m.size || from.1 != m.root {
        // Not a verdict on the history: NEW proves it extends another
        // report (one made in between), which the funder can ask for.
        return Err(Error::usage(format!(
            "the history behind {} cannot be shown to extend the one behind {} with this proof: it starts from \
             report {} ({} entries), made in between, not from {} ({} entries); check {} against that report, and \
             that report against {}",
            new.name, old.name, from.2, from.0, old.name, m.size, new.name, old.name
        )));
    }
    if !merkle::verify_consistency(m.size, n.size, &m.root, &n.root, &proof) {
        return Err(Error::CheckFailed(format!(
            "the history behind {} does NOT extend the one behind {}: journal entries before {} were removed or \
             rewritten between the two reports",
            new.name, old.name, old.name
        )));
    }
    Ok(outcome(proof.len()))
}

/// Reads and checks a sealed report: its seal, as `charte verify` does,
/// and the checkpoint it embeds, signed with the key that sealed it.
fn report(dir: &Path, today: NaiveDate, path: &Path, key: Option<&Path>) -> Result<Report> {
    let name = path.display().to_string();
    let input = Input { file: path.to_owned(), key: key.map(Path::to_owned), signer_key: None };
    let manifest = match verify::verify(dir, today, &input)?.verdict {
        Verdict::AsIssued(sealed) => sealed.manifest,
        Verdict::NotAuthentic { reason } => return Err(Error::CheckFailed(format!("{name}: NOT authentic: {reason}"))),
        Verdict::Signed { .. } | Verdict::Rotation(_) => {
            return Err(Error::usage(format!("{name}: this is not a sealed report as issued")));
        }
    };
    let bytes = crate::error::read_bounded(path, crate::error::MAX_DOCUMENT_BYTES, "a sealed report")?;
    let key = seal::embedded_key(&bytes).map_err(|e| Error::CheckFailed(format!("{name}: {e}")))?;
    let key = &key;
    let value = manifest.extra.get(checkpoint::FIELD).ok_or_else(|| {
        Error::usage(format!("{name}: this sealed document embeds no checkpoint (reports made by this charte do)"))
    })?;
    let checkpoint = checkpoint::from_value(value).map_err(|e| Error::CheckFailed(format!("{name}: {e}")))?;
    if &checkpoint.key != key {
        return Err(Error::CheckFailed(format!(
            "{name}: its checkpoint is signed with the key {}, not with the key that sealed the report ({})",
            checkpoint.statement.key_fingerprint,
            seal::fingerprint(key)
        )));
    }
    Ok(Report { name, manifest, checkpoint })
}

/// `{"from": {"tree_size", "root", "document_id"}, "proof": [hex…]}`.
fn read_consistency(value: &serde_json::Value) -> Option<((u64, merkle::Hash, String), Vec<merkle::Hash>)> {
    let from = value.get("from")?;
    let size = from.get("tree_size")?.as_u64()?;
    let root = merkle::parse_hash(from.get("root")?.as_str()?)?;
    let id = from.get("document_id").and_then(|v| v.as_str()).unwrap_or("?").to_owned();
    let proof =
        value.get("proof")?.as_array()?.iter().map(|h| merkle::parse_hash(h.as_str()?)).collect::<Option<_>>()?;
    Some(((size, root, id), proof))
}
