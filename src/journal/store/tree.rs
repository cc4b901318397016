//! The Merkle tree over the journal, as stored (migration 0014): the
//! roots of full subtrees of [`STORED_LEVEL`] levels and more in
//! `merkle_nodes`, smaller subtrees hashed again from the journal's
//! entries. See [`crate::journal::merkle`] for the tree and its proofs.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, Tx, corrupt, db_error};
use crate::error::Result;
use crate::journal::merkle::{self, Frontier, FullSubtree, Hash, STORED_LEVEL, Subtrees};

/// A tree's size and root: what a checkpoint signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

/// The subtrees of the tree stored in one connection.
pub(super) struct Stored<'c> {
    pub conn: &'c Connection,
    pub path: &'c Path,
}

impl Subtrees for Stored<'_> {
    type Error = crate::Error;

    fn full(&mut self, level: u32, index: u64) -> Result<Hash> {
        let err = |e| db_error(self.path, e);
        if level >= STORED_LEVEL {
            let hash: Option<Vec<u8>> = self
                .conn
                .prepare_cached("SELECT hash FROM merkle_nodes WHERE level = ?1 AND idx = ?2")
                .and_then(|mut s| s.query_row(params![level, index as i64], |r| r.get(0)).optional())
                .map_err(err)?;
            return hash.and_then(|h| Hash::try_from(h).ok()).ok_or_else(|| {
                corrupt(self.path, format!("the Merkle tree lacks its subtree {level}/{index} (run `charte audit`)"))
            });
        }
        // Entries are numbered from 1, leaves from 0.
        let first = (index << level) + 1;
        let count = 1u64 << level;
        let mut frontier = Frontier::default();
        entry_hashes(self.conn, self.path, first, first + count, |h| {
            frontier.push(h);
            Ok(())
        })?;
        if frontier.size() != count {
            return Err(corrupt(self.path, format!("the journal lacks entries {first} to {}", first + count - 1)));
        }
        Ok(frontier.root())
    }
}

/// The frontier of the stored tree of `size` leaves.
pub(super) fn frontier(conn: &Connection, path: &Path, size: u64) -> Result<Frontier> {
    let mut stored = Stored { conn, path };
    let roots = Frontier::shape(size).into_iter().map(|(l, i)| stored.full(l, i)).collect::<Result<Vec<_>>>()?;
    Frontier::new(size, roots).ok_or_else(|| crate::Error::internal("the tree's frontier does not fit its size"))
}

/// Stores the subtrees an append completed (those worth storing).
pub(super) fn store(conn: &Connection, path: &Path, completed: &[FullSubtree]) -> Result<()> {
    for c in completed.iter().filter(|c| c.level >= STORED_LEVEL) {
        conn.prepare_cached("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?1, ?2, ?3)")
            .and_then(|mut s| s.execute(params![c.level, c.index as i64, &c.hash[..]]))
            .map_err(|e| db_error(path, e))?;
    }
    Ok(())
}

/// Builds the stored tree over every entry already journaled (a workspace
/// upgraded to schema version 14), in the migration's transaction.
pub(super) fn build(conn: &Connection, path: &Path) -> Result<()> {
    let mut frontier = Frontier::default();
    entry_hashes(conn, path, 1, u64::MAX >> 1, |h| store(conn, path, &frontier.push(h)))
}

/// Calls `f` with the hash of each entry from `first` up to (not
/// including) `end`, in order.
fn entry_hashes(
    conn: &Connection,
    path: &Path,
    first: u64,
    end: u64,
    mut f: impl FnMut(&Hash) -> Result<()>,
) -> Result<()> {
    let err = |e| db_error(path, e);
    let mut stmt =
        conn.prepare_cached("SELECT seq, hash FROM journal WHERE seq >= ?1 AND seq < ?2 ORDER BY seq").map_err(err)?;
    let mut rows = stmt.query(params![first as i64, end as i64]).map_err(err)?;
    while let Some(r) = rows.next().map_err(err)? {
        let seq: i64 = r.get(0).map_err(err)?;
        let text: String = r.get(1).map_err(err)?;
        let hash = merkle::parse_hash(&text)
            .ok_or_else(|| corrupt(path, format!("journal entry {seq}'s hash does not read")))?;
        f(&hash)?;
    }
    Ok(())
}

/// The head of the tree of `size` entries read from the stored subtrees,
/// checked against the tree hashed again from the journal's entries
/// themselves: what is signed (a checkpoint) must be the journal's own
/// tree, never a stored subtree changed behind charte's back, which would
/// make the signed head contradict the journal for good.
fn verified_head(conn: &Connection, path: &Path, size: u64) -> Result<TreeHead> {
    let stored = merkle::range_root(&mut Stored { conn, path }, 0, size)?;
    let mut frontier = Frontier::default();
    entry_hashes(conn, path, 1, size + 1, |h| {
        frontier.push(h);
        Ok(())
    })?;
    if frontier.size() != size || frontier.root() != stored {
        return Err(crate::Error::CheckFailed(
            "the Merkle tree stored beside the journal does not match the journal's entries: nothing was signed; run \
             `charte audit`, and restore the workspace from a backup"
                .into(),
        ));
    }
    Ok(TreeHead { size, root: stored })
}

impl Store {
    /// The tree over the whole journal.
    pub fn tree_head(&self) -> Result<TreeHead> {
        let size = self.head()?.seq as u64;
        self.tree_head_at(size)
    }

    /// The tree over the journal's first `size` entries.
    pub fn tree_head_at(&self, size: u64) -> Result<TreeHead> {
        let root = merkle::range_root(&mut self.stored(), 0, size)?;
        Ok(TreeHead { size, root })
    }

    /// [`Store::tree_head_at`], checked against the journal's entries
    /// hashed again: the head to sign.
    pub fn verified_tree_head_at(&self, size: u64) -> Result<TreeHead> {
        verified_head(&self.conn, &self.path, size)
    }

    /// The consistency proof from the tree of `old` entries to that of `new`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>> {
        merkle::consistency_proof(&mut self.stored(), old, new)
    }

    /// The inclusion proof of entry `seq` in the tree of `size` entries.
    pub fn inclusion_proof(&self, seq: u64, size: u64) -> Result<Vec<Hash>> {
        merkle::inclusion_proof(&mut self.stored(), seq - 1, size)
    }

    fn stored(&self) -> Stored<'_> {
        Stored { conn: &self.conn, path: &self.path }
    }
}

impl Tx<'_> {
    /// The tree over the journal as this transaction leaves it so far.
    pub fn tree_head(&mut self) -> Result<TreeHead> {
        let frontier = self.frontier()?;
        Ok(TreeHead { size: frontier.size(), root: frontier.root() })
    }

    /// [`Tx::tree_head`], checked against the journal's entries hashed
    /// again: the head to sign.
    pub fn verified_tree_head(&mut self) -> Result<TreeHead> {
        let head = self.tree_head()?;
        let verified = verified_head(&self.tx, &self.path, head.size)?;
        if verified != head {
            return Err(crate::Error::CheckFailed(
                "the Merkle tree's frontier does not match the journal's entries: nothing was signed; run `charte audit`"
                    .into(),
            ));
        }
        Ok(head)
    }

    /// The frontier of the tree, read once per transaction.
    pub(super) fn frontier(&mut self) -> Result<&mut Frontier> {
        if self.tree.is_none() {
            self.tree = Some(frontier(&self.tx, &self.path, self.seq as u64)?);
        }
        self.tree.as_mut().ok_or_else(|| crate::Error::internal("the tree's frontier was not read"))
    }
}
