//! Evidence files (format `charte-evidence/1`, docs/journal.md "Proofs"):
//! one journal entry, the checkpoint it is proved against, and its
//! inclusion proof in that checkpoint's tree. A funder asking where a
//! figure comes from checks each fact given, offline, without seeing the
//! rest of the journal: the entry's hash recomputed from its columns, the
//! proof from that hash up to the signed root, the checkpoint's signature
//! (docs/verify_journal.py does all three).
//!
//! The file is the canonical JSON (docs/seal.md §2) of
//!
//! ```text
//! {"checkpoint": {the checkpoint file's object, as signed},
//!  "entry": {"at", "hash", "kind", "payload", "prev_hash", "seq", "subject"},
//!  "format": "charte-evidence/1",
//!  "inclusion": {"leaf_index": seq - 1, "proof": [hex, …], "tree_size": n}}
//! ```
//!
//! and a line feed. It carries no signature of its own: the entry is bound
//! to the signed root by the proof.

use serde_json::{Value, json};

use super::Entry;
use super::merkle::Hash;

pub const FORMAT: &str = "charte-evidence/1";

/// The evidence file of entry `seq` against the checkpoint over `size`
/// entries: its name says both, so two never collide.
pub fn file_name(seq: u64, size: u64) -> String {
    format!("evidence-{seq:08}-at-{size:08}.json")
}

/// The evidence file's bytes: `entry`, proved by `proof` to be leaf
/// `entry.seq - 1` of the tree of `size` entries that `checkpoint` (the
/// checkpoint file's JSON object) signs.
pub fn build(entry: &Entry, checkpoint: &Value, size: u64, proof: &[Hash], key_chain: &[Value]) -> Vec<u8> {
    let mut value = json!({
        "format": FORMAT,
        "entry": {
            "seq": entry.seq,
            "at": entry.at,
            "kind": entry.kind,
            "subject": entry.subject,
            "payload": entry.payload,
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        },
        "checkpoint": checkpoint,
        "inclusion": {
            "leaf_index": entry.seq - 1,
            "tree_size": size,
            "proof": proof.iter().map(hex::encode).collect::<Vec<_>>(),
        },
    });
    // A checkpoint signed after a key rotation carries the statements that
    // lead to its key, as a sealed document does (docs/seal.md section 8):
    // whoever holds an earlier key follows them forward.
    if !key_chain.is_empty()
        && let Some(object) = value.as_object_mut()
    {
        object.insert(crate::seal::KEY_CHAIN_EXTRA.to_owned(), Value::Array(key_chain.to_vec()));
    }
    let mut bytes = crate::seal::canonical(&value);
    bytes.push(b'\n');
    bytes
}

/// An evidence file checked in itself: the entry's hash recomputed from
/// its columns, the proof from it up to the root of the checkpoint, whose
/// signature holds for the key it carries. Whether that key is the
/// coordination's is for the reader to decide ([`Checkpoint::key`]).
#[derive(Debug, Clone)]
pub struct Proved {
    pub entry: Entry,
    pub checkpoint: super::checkpoint::Checkpoint,
    pub proof_len: usize,
    /// The key rotation statements the file carries (after a rotation),
    /// each checked in itself, as one chain.
    pub key_chain: Option<crate::seal::KeyChain>,
}

/// Why an evidence file is refused: it cannot be read as one (unusable
/// input), or a check fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Unusable(String),
    Failed(String),
}

/// Reads and checks an evidence file (what docs/verify_journal.py's
/// `evidence` does, but the key), with the script's exit rules: a file
/// that does not read as one (its fields, its hashes not 64 lowercase
/// hexadecimal digits) is unusable; a check that fails is named.
pub fn verify(bytes: &[u8]) -> Result<Proved, Refusal> {
    let unusable = |m: &str| Refusal::Unusable(format!("this is not a charte evidence file ({FORMAT}): {m}"));
    let value: Value = serde_json::from_slice(bytes).map_err(|_| unusable("not JSON"))?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(unusable("no such format"));
    }
    // (Its form is not checked: the file carries no signature of its own,
    // the entry is bound to the signed root by the proof.)
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| unusable(k));
    let hash = |h: &str| super::merkle::parse_hash(h).filter(|b| hex::encode(b) == h);
    let e = value.get("entry").ok_or_else(|| unusable("no entry"))?;
    let seq = e.get("seq").and_then(Value::as_i64).filter(|&s| s >= 1).ok_or_else(|| unusable("entry seq"))?;
    let entry = Entry {
        seq,
        at: text(e, "at")?,
        kind: text(e, "kind")?,
        subject: text(e, "subject")?,
        payload: text(e, "payload")?,
        prev_hash: text(e, "prev_hash")?,
        hash: text(e, "hash")?,
    };
    let leaf = hash(&entry.hash).ok_or_else(|| unusable("the entry's hash is not 64 lowercase hexadecimal digits"))?;
    let inclusion = value.get("inclusion").ok_or_else(|| unusable("no inclusion proof"))?;
    let index = inclusion.get("leaf_index").and_then(Value::as_u64).ok_or_else(|| unusable("leaf_index"))?;
    let size = inclusion.get("tree_size").and_then(Value::as_u64).ok_or_else(|| unusable("tree_size"))?;
    let proof: Vec<Hash> = inclusion
        .get("proof")
        .and_then(Value::as_array)
        .ok_or_else(|| unusable("no proof"))?
        .iter()
        .map(|h| h.as_str().and_then(hash))
        .collect::<Option<_>>()
        .ok_or_else(|| unusable("its proof is not a list of 64 lowercase hexadecimal digits"))?;
    let cp = value.get("checkpoint").ok_or_else(|| unusable("no checkpoint"))?;
    let failed = Refusal::Failed;
    let recomputed = super::entry_hash(&entry.prev_hash, seq, &entry.at, &entry.kind, &entry.subject, &entry.payload);
    if recomputed != entry.hash {
        return Err(failed(format!("entry {seq} was altered: its columns do not give its hash")));
    }
    let checkpoint = super::checkpoint::from_value(cp).map_err(|e| match e {
        super::checkpoint::CheckpointError::Malformed(m) => Refusal::Unusable(format!("its checkpoint: {m}")),
        e => failed(format!("its checkpoint: {e}")),
    })?;
    if index != (seq - 1) as u64 {
        return Err(failed(format!("the proof is for leaf {index}, entry {seq} is leaf {}", seq - 1)));
    }
    if size != checkpoint.statement.tree_size {
        return Err(failed(format!(
            "the proof is for a tree of {size} entries, the checkpoint signs {}",
            checkpoint.statement.tree_size
        )));
    }
    if !super::merkle::verify_inclusion(index, size, &leaf, &proof, &checkpoint.root) {
        return Err(failed(format!(
            "the inclusion proof does not lead from entry {seq} to the checkpoint's root (altered, truncated, \
             reordered, or for another entry)"
        )));
    }
    // An empty list is no chain (the script reads it so too).
    let key_chain = match value.get(crate::seal::KEY_CHAIN_EXTRA).and_then(Value::as_array).filter(|a| !a.is_empty()) {
        None => None,
        Some(items) => {
            let rotations = items
                .iter()
                .enumerate()
                .map(|(i, v)| crate::seal::Rotation::from_value(&format!("key_chain[{i}] of the file"), v.clone()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| failed(e.to_string()))?;
            Some(crate::seal::KeyChain::from_rotations(rotations).map_err(|e| failed(e.to_string()))?)
        }
    };
    Ok(Proved { entry, checkpoint, proof_len: proof.len(), key_chain })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::merkle::{self, Frontier, Subtrees};

    /// A journal of `n` notes, chained as the store chains them.
    fn journal(n: i64) -> Vec<Entry> {
        let mut prev = crate::journal::GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let payload = format!("{{\"text\":\"note {seq}\",\"type\":\"note\"}}");
                let hash = crate::journal::entry_hash(&prev, seq, "2026-11-30", "note", "", &payload);
                let entry = Entry {
                    seq,
                    at: "2026-11-30".into(),
                    kind: "note".into(),
                    subject: String::new(),
                    payload,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                entry
            })
            .collect()
    }

    struct Leaves(Vec<Hash>);

    impl Subtrees for Leaves {
        type Error = std::convert::Infallible;
        fn full(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error> {
            let mut f = Frontier::default();
            let start = (index << level) as usize;
            for leaf in &self.0[start..start + (1 << level)] {
                f.push(leaf);
            }
            Ok(f.root())
        }
    }

    /// What docs/verify_journal.py checks of the proof, in Rust: the file
    /// reads back, and its proof verifies against the root of the size it
    /// names; a proof cut short, reordered, or given for another size does
    /// not.
    #[test]
    fn an_evidence_files_proof_verifies_and_a_bent_one_does_not() {
        let entries = journal(45);
        let leaves: Vec<Hash> =
            entries.iter().map(|e| merkle::parse_hash(&e.hash).expect("a hash")).collect::<Vec<_>>();
        let mut tree = Leaves(leaves.clone());
        let root_at = |n: usize| {
            let mut f = Frontier::default();
            leaves[..n].iter().for_each(|l| {
                f.push(l);
            });
            f.root()
        };
        let (seq, size) = (13u64, 45u64);
        let proof = merkle::inclusion_proof(&mut tree, seq - 1, size).expect("in memory");
        let bytes = build(&entries[seq as usize - 1], &json!({"checkpoint": {}}), size, &proof, &[]);
        assert_eq!(bytes.last(), Some(&b'\n'));
        let read: Value = serde_json::from_slice(&bytes).expect("JSON");
        assert_eq!(crate::seal::canonical(&read), bytes[..bytes.len() - 1], "canonical");
        assert_eq!(read["format"], FORMAT);
        assert_eq!(read["entry"]["seq"], 13);
        assert_eq!(read["inclusion"]["leaf_index"], 12);
        let hashes: Vec<Hash> = read["inclusion"]["proof"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|h| merkle::parse_hash(h.as_str().expect("hex")).expect("a hash"))
            .collect();
        assert_eq!(hashes, proof);
        let entry = &read["entry"];
        let recomputed = crate::journal::entry_hash(
            entry["prev_hash"].as_str().expect("text"),
            entry["seq"].as_i64().expect("a number"),
            entry["at"].as_str().expect("text"),
            entry["kind"].as_str().expect("text"),
            entry["subject"].as_str().expect("text"),
            entry["payload"].as_str().expect("text"),
        );
        assert_eq!(recomputed, entries[12].hash);
        let leaf = leaves[12];
        let root = root_at(45);
        assert!(merkle::verify_inclusion(12, 45, &leaf, &proof, &root));
        assert!(proof.len() >= 3, "a proof worth bending: {}", proof.len());
        assert!(!merkle::verify_inclusion(12, 45, &leaf, &proof[..proof.len() - 1], &root), "truncated");
        let mut reordered = proof.clone();
        reordered.swap(0, 1);
        assert!(!merkle::verify_inclusion(12, 45, &leaf, &reordered, &root), "reordered");
        let other = merkle::inclusion_proof(&mut tree, 12, 40).expect("in memory");
        assert!(!merkle::verify_inclusion(12, 45, &leaf, &other, &root), "a proof for 40 entries against 45");
        assert!(merkle::verify_inclusion(12, 40, &leaf, &other, &root_at(40)));
        assert!(!merkle::verify_inclusion(13, 45, &leaf, &proof, &root), "another position");
    }
}
