//! The Merkle tree over the journal (RFC 9162 §2.1, the tree of Certificate
//! Transparency): one leaf per entry, in order, the leaf's data being the
//! entry's 32-byte hash as docs/journal.md defines it. Its root stands for
//! the whole journal up to a size; a *consistency proof* shows that a
//! larger tree extends a smaller one (nothing before was removed or
//! changed), an *inclusion proof* that one entry is in a tree, each with
//! about log2(size) hashes.
//!
//! - leaf hash `MTH({d}) = SHA-256(0x00 || d)`;
//! - node hash `SHA-256(0x01 || left || right)`;
//! - the tree of `n > 1` leaves splits at `k`, the largest power of two
//!   below `n`: `MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n]))`;
//! - the empty tree's root is `SHA-256("")`.
//!
//! Written by hand rather than taken from ct-merkle: ct-merkle keeps its
//! tree in memory, and charte's lives in SQLite beside the journal (a
//! stored frontier, and the roots of every full subtree of
//! [`STORED_LEVEL`] levels and more), so it needs the algorithms over
//! subtrees it reads on demand, not over a tree it holds. The proof
//! *verifiers* below are those of RFC 9162 §2.1.3.2 and §2.1.4.2, step by
//! step; the unit tests check the proofs against ct-merkle's own verifiers
//! and against the trees' definitions.

use sha2::{Digest, Sha256};

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// Full subtrees of `2^STORED_LEVEL` leaves or more have their roots
/// stored (table `merkle_nodes`); smaller ones are hashed again from the
/// journal's entries when a proof needs them. 16 leaves: one stored row
/// per 16 entries appended, and no proof reads more than 15 entries per
/// level it needs.
pub const STORED_LEVEL: u32 = 4;

/// The hash of a leaf: the entry's hash, prefixed with 0x00.
pub fn leaf_hash(entry_hash: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry_hash);
    h.finalize().into()
}

/// The hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree.
pub fn empty_root() -> Hash {
    Sha256::digest(b"").into()
}

/// An entry's hash (lowercase hex, as the journal stores it) as bytes.
pub fn parse_hash(hex_text: &str) -> Option<Hash> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text, &mut out).ok()?;
    Some(out)
}

/// The largest power of two strictly below `n` (`n > 1`).
fn split(n: u64) -> u64 {
    debug_assert!(n > 1);
    1 << (63 - (n - 1).leading_zeros())
}

/// A full subtree that a new leaf completed: `2^level` leaves starting at
/// leaf `index * 2^level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FullSubtree {
    pub level: u32,
    pub index: u64,
    pub hash: Hash,
}

/// The roots of the full subtrees that make a tree of `size` leaves, left
/// to right (one per bit set in `size`, largest first): all that is needed
/// to append a leaf and to compute the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// (level, root), levels decreasing.
    nodes: Vec<(u32, Hash)>,
}

impl Frontier {
    /// The frontier of a tree of `size` leaves, from the roots of its full
    /// subtrees, largest first.
    pub fn new(size: u64, roots: Vec<Hash>) -> Option<Frontier> {
        let levels: Vec<u32> = (0..64).rev().filter(|l| size >> l & 1 == 1).collect();
        (levels.len() == roots.len()).then(|| Frontier { size, nodes: levels.into_iter().zip(roots).collect() })
    }

    /// The full subtrees that make a tree of `size` leaves: (level, index),
    /// largest first.
    pub fn shape(size: u64) -> Vec<(u32, u64)> {
        let mut start = 0;
        let mut out = Vec::new();
        for level in (0..64).rev() {
            if size >> level & 1 == 1 {
                out.push((level, start >> level));
                start += 1 << level;
            }
        }
        out
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf (an entry's hash); returns the full subtrees of one
    /// level or more that it completed, smallest first.
    pub fn push(&mut self, entry_hash: &Hash) -> Vec<FullSubtree> {
        let mut level = 0;
        let mut hash = leaf_hash(entry_hash);
        let mut completed = Vec::new();
        while let Some(&(l, left)) = self.nodes.last() {
            if l != level {
                break;
            }
            self.nodes.pop();
            hash = node_hash(&left, &hash);
            level += 1;
            completed.push(FullSubtree { level, index: self.size >> level, hash });
        }
        self.nodes.push((level, hash));
        self.size += 1;
        completed
    }

    /// The tree's root.
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        let Some(&(_, mut root)) = nodes.next() else {
            return empty_root();
        };
        for (_, left) in nodes {
            root = node_hash(left, &root);
        }
        root
    }
}

/// Where proofs read the roots of full subtrees: the store (stored nodes,
/// and the journal's entries for the small ones), or a list of leaves.
pub trait Subtrees {
    type Error;
    /// The root of the full subtree of `2^level` leaves starting at leaf
    /// `index * 2^level`.
    fn full(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

/// The root of the leaves `start..end` (`start` a multiple of the largest
/// power of two below `end - start`, as every subtree a proof names is).
pub fn range_root<S: Subtrees>(s: &mut S, start: u64, end: u64) -> Result<Hash, S::Error> {
    let n = end - start;
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() && start.is_multiple_of(n) {
        let level = n.trailing_zeros();
        return s.full(level, start >> level);
    }
    let k = split(n);
    let left = range_root(s, start, start + k)?;
    let right = range_root(s, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves
/// (RFC 9162 §2.1.3.1, `PATH(m, D[n])`), nearest the leaf first.
pub fn inclusion_proof<S: Subtrees>(s: &mut S, index: u64, size: u64) -> Result<Vec<Hash>, S::Error> {
    fn path<S: Subtrees>(s: &mut S, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) -> Result<(), S::Error> {
        let n = end - start;
        if n <= 1 {
            return Ok(());
        }
        let k = split(n);
        if m < k {
            path(s, m, start, start + k, out)?;
            out.push(range_root(s, start + k, end)?);
        } else {
            path(s, m - k, start + k, end, out)?;
            out.push(range_root(s, start, start + k)?);
        }
        Ok(())
    }
    let mut out = Vec::new();
    if index < size {
        path(s, index, 0, size, &mut out)?;
    }
    Ok(out)
}

/// The consistency proof between the trees of `old` and `new` leaves
/// (RFC 9162 §2.1.4.1, `PROOF(m, D[n])`); empty when `old` is 0 or equals
/// `new`.
pub fn consistency_proof<S: Subtrees>(s: &mut S, old: u64, new: u64) -> Result<Vec<Hash>, S::Error> {
    fn subproof<S: Subtrees>(
        s: &mut S,
        m: u64,
        start: u64,
        end: u64,
        whole: bool,
        out: &mut Vec<Hash>,
    ) -> Result<(), S::Error> {
        let n = end - start;
        if m == n {
            if !whole {
                out.push(range_root(s, start, end)?);
            }
            return Ok(());
        }
        let k = split(n);
        if m <= k {
            subproof(s, m, start, start + k, whole, out)?;
            out.push(range_root(s, start + k, end)?);
        } else {
            subproof(s, m - k, start + k, end, false, out)?;
            out.push(range_root(s, start, start + k)?);
        }
        Ok(())
    }
    let mut out = Vec::new();
    if 0 < old && old < new {
        subproof(s, old, 0, new, true, &mut out)?;
    }
    Ok(out)
}

/// RFC 9162 §2.1.3.2: whether `proof` shows the leaf whose data is
/// `entry_hash` at `index` in the tree of `size` leaves whose root is
/// `root`.
pub fn verify_inclusion(index: u64, size: u64, entry_hash: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = leaf_hash(entry_hash);
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && &r == root
}

/// RFC 9162 §2.1.4.2: whether `proof` shows that the tree of `new` leaves
/// whose root is `new_root` extends the tree of `old` leaves whose root is
/// `old_root`. Two equal sizes need an empty proof and equal roots; the
/// empty tree is extended by every tree.
pub fn verify_consistency(old: u64, new: u64, old_root: &Hash, new_root: &Hash, proof: &[Hash]) -> bool {
    if old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    if old == 0 {
        return proof.is_empty() && old_root == &empty_root();
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    &fr == old_root && &sr == new_root && snode == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Leaves held in memory, every subtree hashed from them.
    struct Leaves(Vec<Hash>);

    impl Subtrees for Leaves {
        type Error = std::convert::Infallible;
        fn full(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error> {
            let start = (index << level) as usize;
            Ok(mth(&self.0[start..start + (1 << level)]))
        }
    }

    /// The tree's definition (RFC 9162 §2.1.1), recursively.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaf_hash(&leaves[0]),
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| Sha256::digest(i.to_string().as_bytes()).into()).collect()
    }

    #[test]
    fn the_frontier_gives_the_roots_the_definition_gives_and_the_subtrees_it_completes() {
        let all = leaves(70);
        let mut f = Frontier::default();
        assert_eq!(f.root(), empty_root());
        let mut completed = Vec::new();
        for (i, leaf) in all.iter().enumerate() {
            completed.extend(f.push(leaf));
            assert_eq!(f.root(), mth(&all[..=i]), "size {}", i + 1);
        }
        // 70 leaves complete 35 + 17 + 8 + 4 + 2 + 1 subtrees of 2, 4, … 64.
        assert_eq!(completed.len(), 35 + 17 + 8 + 4 + 2 + 1);
        for c in completed {
            let start = (c.index << c.level) as usize;
            assert_eq!(c.hash, mth(&all[start..start + (1 << c.level)]));
        }
        let shape = Frontier::shape(70);
        assert_eq!(shape, vec![(6, 0), (2, 16), (1, 34)]);
        let roots = shape.iter().map(|&(l, i)| Leaves(all.clone()).full(l, i).expect("in memory")).collect();
        assert_eq!(Frontier::new(70, roots), Some(f));
    }

    #[test]
    fn every_inclusion_and_consistency_proof_verifies_and_a_changed_one_does_not() {
        let all = leaves(40);
        let mut tree = Leaves(all.clone());
        for n in 1..=all.len() as u64 {
            let root = mth(&all[..n as usize]);
            for m in 0..n {
                let proof = inclusion_proof(&mut tree, m, n).expect("in memory");
                assert!(verify_inclusion(m, n, &all[m as usize], &proof, &root), "leaf {m} of {n}");
                assert!(!verify_inclusion(m, n, &all[(m as usize + 1) % 40], &proof, &root) || n == 1);
                if let Some(first) = proof.first() {
                    let mut bent = proof.clone();
                    bent[0][0] ^= 1;
                    assert_ne!(&bent[0], first);
                    assert!(!verify_inclusion(m, n, &all[m as usize], &bent, &root));
                    assert!(!verify_inclusion(m, n, &all[m as usize], &proof[1..], &root), "a truncated proof");
                }
            }
            for m in 0..=n {
                let old = mth(&all[..m as usize]);
                let proof = consistency_proof(&mut tree, m, n).expect("in memory");
                assert!(verify_consistency(m, n, &old, &root, &proof), "{m} → {n}");
                if m > 0 && m < n {
                    let mut other = old;
                    other[3] ^= 0x80;
                    assert!(!verify_consistency(m, n, &other, &root, &proof), "another old root {m} → {n}");
                    if proof.len() > 1 {
                        let mut swapped = proof.clone();
                        swapped.swap(0, 1);
                        assert!(!verify_consistency(m, n, &old, &root, &swapped), "reordered {m} → {n}");
                        assert!(!verify_consistency(m, n, &old, &root, &proof[..proof.len() - 1]), "cut {m} → {n}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_proofs_are_those_ct_merkle_verifies() {
        use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
        let all = leaves(37);
        let mut tree = Leaves(all.clone());
        // ct-merkle hashes a leaf as 0x00 followed by what the leaf feeds
        // into the hasher: here the entry's 32 bytes, as charte does.
        struct EntryHash(Hash);
        impl ct_merkle::HashableLeaf for EntryHash {
            fn hash<H: digest::Update>(&self, h: &mut H) {
                h.update(&self.0);
            }
        }
        for n in 1..=37u64 {
            let root = RootHash::<Sha256>::new(mth(&all[..n as usize]).into(), n);
            for m in [0, n / 2, n - 1] {
                let proof = inclusion_proof(&mut tree, m, n).expect("in memory");
                let digests: Vec<digest::Output<Sha256>> = proof.into_iter().map(Into::into).collect();
                let proof = InclusionProof::<Sha256>::from_digests(&digests);
                assert!(root.verify_inclusion(&EntryHash(all[m as usize]), m, &proof).is_ok(), "leaf {m} of {n}");
            }
            for m in 1..n {
                let old = RootHash::<Sha256>::new(mth(&all[..m as usize]).into(), m);
                let proof = consistency_proof(&mut tree, m, n).expect("in memory");
                let digests: Vec<digest::Output<Sha256>> = proof.into_iter().map(Into::into).collect();
                let proof = ConsistencyProof::<Sha256>::from_digests(&digests);
                assert!(root.verify_consistency(&old, &proof).is_ok(), "{m} → {n}");
            }
        }
    }
}
