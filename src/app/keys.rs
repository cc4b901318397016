//! Key pairs: the coordination's seal (`charte keys init`, `charte keys
//! rotate`) and an organisation's own signing key (`charte keys member`).
//! The coordination's private key never leaves keys/; an organisation's is
//! made for it to keep, and only its public half is registered
//! (App::set_key).
//!
//! The coordination's keys over time (docs/seal.md, "Key rotation"):
//!
//! ```text
//! keys/coordination.key, .pub          the current key: the one that seals
//! keys/retired/FP.key (0600), FP.pub   each former key, kept
//! keys/rotations/DATE-OLD-NEW.json     each rotation statement, signed by OLD
//! keys/next/FP.key, FP.pub             only between a rotation's journal entry and its end
//! ```
//!
//! The workspace trusts a former key because its journal says so (a
//! `key-rotated` entry names both keys and the statement's sha256): a
//! statement file alone would let anyone who can write in keys/ add a key
//! of their own before the first one ([`journaled_chain`]).

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::NaiveDate;
use ed25519_dalek::{SigningKey, VerifyingKey};

use super::App;
use crate::error::{Error, Result};
use crate::journal::Event;
use crate::seal::{self, KeyChain, Rotation, Sealer};
use crate::workspace::Workspace;

/// The coordination's private key, in keys/.
pub const COORDINATION_KEY: &str = "coordination.key";
/// The coordination's public key, in keys/.
pub const COORDINATION_PUB: &str = "coordination.pub";
/// The former keys, in keys/.
const RETIRED: &str = "retired";
/// The rotation statements, in keys/.
const ROTATIONS: &str = "rotations";
/// A new key journaled but not yet in place, in keys/.
const NEXT: &str = "next";

/// A key pair written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// The private key (mode 0600): its owner keeps it.
    pub private: PathBuf,
    /// The public key: what others need to check its signatures.
    pub public: PathBuf,
    /// The public key's fingerprint, as people compare it.
    pub fingerprint: String,
}

/// What `charte keys rotate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The retired key's fingerprint.
    pub previous: String,
    /// The new key's fingerprint.
    pub next: String,
    /// The day of the rotation.
    pub date: NaiveDate,
    /// The rotation statement the retired key signed: to send to whoever
    /// verifies the coordination's documents.
    pub statement: PathBuf,
    /// The retired pair, kept (keys/retired/FP.key and FP.pub).
    pub retired_private: PathBuf,
    pub retired_public: PathBuf,
    /// The new public key (keys/coordination.pub): to publish.
    pub public: PathBuf,
    /// No new key was made: a rotation journaled by an earlier run, stopped
    /// before its new key was in place, was finished.
    pub finished_earlier: bool,
}

impl App {
    /// Creates the coordination's ed25519 key pair in keys/
    /// (coordination.key and coordination.pub).
    pub fn keys_init(&self) -> Result<KeyPair> {
        let dir = self.ws.keys_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        write_pair(dir.join(COORDINATION_KEY), dir.join(COORDINATION_PUB))
    }

    /// Rotates the coordination's key (the action `charte keys rotate`): a
    /// new pair becomes keys/coordination.key and .pub; the old key signs a
    /// statement naming its successor (keys/rotations/) and is kept in
    /// keys/retired/; the rotation is journaled.
    ///
    /// The order, so that no stop leaves keys/ and the journal telling two
    /// stories:
    /// 1. before the lock, the new pair and the statement are made, and
    ///    every file is staged (written and synced under a temporary name in
    ///    the folder it goes to);
    /// 2. under the write lock, the journal is read again (a rotation
    ///    journaled meanwhile refuses this one), then the files are put in
    ///    place as *new* files: the old pair's copy in keys/retired/, the
    ///    statement, the new pair in keys/next/. None of them changes what
    ///    seals or what is trusted: keys/coordination.key is still the old
    ///    key, and a former key is trusted only through the journal. Then
    ///    the `key-rotated` entry; its commit *is* the rotation;
    /// 3. after the commit, keys/next/FP.pub and FP.key are renamed over
    ///    keys/coordination.pub and .key.
    ///
    /// Stopped before the commit: only files nothing trusts are left (the
    /// next rotation removes them); the old key still seals. Stopped after
    /// it: the journal names a key that keys/next/ holds, and whatever
    /// seals or collects next finishes step 3 first ([`sealer`],
    /// [`trusted_keys`]), as does running `charte keys rotate` again
    /// (which then makes no other key).
    pub fn keys_rotate(&mut self) -> Result<Rotated> {
        let dir = self.ws.keys_dir();
        if !dir.join(COORDINATION_KEY).exists() {
            return Err(Error::usage(format!(
                "there is no coordination key to rotate: {} does not exist (the first key is made with `charte keys \
                 init`); nothing was changed",
                dir.join(COORDINATION_KEY).display()
            )));
        }
        let journaled = journaled_chain(&self.ws)?;
        if let Some(last) = journaled.as_ref().and_then(|c| c.links().last())
            && pending(&dir, last.next_fingerprint())
        {
            finish_rotation(&dir, last.next_fingerprint())?;
            return Ok(rotated(&self.ws.root, last, true));
        }
        let old = super::coordination_key(&self.ws)?;
        if let Some(chain) = &journaled {
            check_current(&dir.join(COORDINATION_KEY), chain, &old.verifying_key())?;
        }
        for sub in [RETIRED, ROTATIONS, NEXT] {
            crate::error::create_dir(&dir.join(sub))?;
        }
        let next = seal::generate().map_err(|e| Error::usage(e.to_string()))?;
        let (old_fp, new_fp) = (seal::fingerprint(&old.verifying_key()), seal::fingerprint(&next.verifying_key()));
        // The names hold both fingerprints: a key is retired once, so two
        // statements can never want one name.
        let name = format!("{}-{old_fp}-{new_fp}.json", self.today);
        let c = &self.ws.config.coordination;
        let coordination = c.name(c.main_language());
        let rotation =
            Rotation::sign(&old, &next.verifying_key(), coordination, self.today, &format!("keys/{ROTATIONS}/{name}"));

        let files: [(PathBuf, Vec<u8>, u32); 5] = [
            (dir.join(RETIRED).join(format!("{old_fp}.key")), seal::private_key_text(&old).into_bytes(), 0o600),
            (dir.join(RETIRED).join(format!("{old_fp}.pub")), public_text(&old), 0o644),
            (dir.join(ROTATIONS).join(&name), rotation.bytes.clone(), 0o644),
            (dir.join(NEXT).join(format!("{new_fp}.key")), seal::private_key_text(&next).into_bytes(), 0o600),
            (dir.join(NEXT).join(format!("{new_fp}.pub")), public_text(&next), 0o644),
        ];
        let mut staged = Vec::with_capacity(files.len());
        for (path, bytes, mode) in files {
            staged.push((crate::error::stage_with_mode(&path, &bytes, mode)?, path));
        }
        let event = Event::KeyRotated(seal::RotationRecord {
            previous_key: BASE64.encode(old.verifying_key().as_bytes()),
            previous_fingerprint: old_fp.clone(),
            next_key: BASE64.encode(next.verifying_key().as_bytes()),
            next_fingerprint: new_fp.clone(),
            statement: name,
            statement_sha256: rotation.sha256(),
            next_signature: BASE64.encode(ed25519_dalek::Signer::sign(&next, &rotation.acceptance_bytes()).to_bytes()),
        });
        let mut placed = Vec::new();
        let journaled = self.ws.store.transaction(self.today, |tx| {
            let records = tx.key_rotations()?;
            if let Some(last) = records.last()
                && last.next_fingerprint != old_fp
            {
                return Err(Error::usage(format!(
                    "another `charte keys rotate` retired key {old_fp} meanwhile (its successor is {}): nothing was \
                     changed by this one",
                    last.next_fingerprint
                )));
            }
            let names: Vec<String> = records.into_iter().map(|r| r.next_fingerprint).collect();
            discard_unjournaled(&dir, &names)?;
            for (file, path) in staged {
                if file.place_new(&path)? {
                    placed.push(path);
                }
            }
            tx.append(&event)?;
            Ok(())
        });
        if let Err(e) = journaled {
            for path in &placed {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
        finish_rotation(&dir, &new_fp).map_err(|e| {
            Error::temporary(format!(
                "the rotation to key {new_fp} is journaled, but the new key could not be put in place ({e}): run \
                 `charte keys rotate` again to finish it (it makes no other key)"
            ))
        })?;
        Ok(rotated(&self.ws.root, &rotation, false))
    }
}

/// What a rotation did, said from its statement.
fn rotated(root: &Path, r: &Rotation, finished_earlier: bool) -> Rotated {
    let dir = root.join("keys");
    let previous = r.previous_fingerprint().to_owned();
    Rotated {
        next: r.next_fingerprint().to_owned(),
        date: r.date,
        statement: root.join(&r.name),
        retired_private: dir.join(RETIRED).join(format!("{previous}.key")),
        retired_public: dir.join(RETIRED).join(format!("{previous}.pub")),
        public: dir.join(COORDINATION_PUB),
        previous,
        finished_earlier,
    }
}

fn public_text(key: &SigningKey) -> Vec<u8> {
    seal::public_key_text(&key.verifying_key()).into_bytes()
}

/// Whether keys/next/ holds a part of the key `fp`.
fn pending(dir: &Path, fp: &str) -> bool {
    ["key", "pub"].iter().any(|ext| dir.join(NEXT).join(format!("{fp}.{ext}")).symlink_metadata().is_ok())
}

/// Step 3 of a rotation (see [`App::keys_rotate`]): the journaled key `fp`,
/// waiting in keys/next/, renamed over keys/coordination.pub and .key. Each
/// rename is done once, by whoever comes first: a part already moved is
/// skipped, so two processes finishing at once end in the same state.
fn finish_rotation(dir: &Path, fp: &str) -> Result<()> {
    for (ext, target) in [("pub", COORDINATION_PUB), ("key", COORDINATION_KEY)] {
        let from = dir.join(NEXT).join(format!("{fp}.{ext}"));
        match std::fs::rename(&from, dir.join(target)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&from, e)),
        }
    }
    // Emptied, the folder goes; another rotation under way may hold it.
    let _ = std::fs::remove_dir(dir.join(NEXT));
    Ok(())
}

/// What a rotation stopped before its commit left: its new pair in
/// keys/next/ and its statement, which nothing trusts (the journal, read
/// under the lock, names neither; `journaled` are the fingerprints it
/// names). Temporary files (another run's staging) are left alone.
fn discard_unjournaled(dir: &Path, journaled: &[String]) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir.join(NEXT)) else { return Ok(()) };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(fp) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        if fp.starts_with('.') || journaled.iter().any(|j| j == fp) {
            continue;
        }
        let suffix = format!("-{fp}.json");
        if let Ok(statements) = std::fs::read_dir(dir.join(ROTATIONS)) {
            for s in statements.flatten() {
                if s.file_name().to_string_lossy().ends_with(&suffix) {
                    std::fs::remove_file(s.path()).map_err(|e| Error::io(s.path(), e))?;
                }
            }
        }
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// The coordination's chain of keys as the workspace knows it: each
/// `key-rotated` entry of the journal, in order, with its statement file in
/// keys/rotations/ (checked, and the very bytes journaled). `None` before
/// the first rotation. A statement missing, altered or not the one
/// journaled is refused, naming it (exit 1).
pub(crate) fn journaled_chain(ws: &Workspace) -> Result<Option<KeyChain>> {
    let records = ws.store.key_rotations()?;
    let mut chain: Option<KeyChain> = None;
    for record in records {
        let name = format!("keys/{ROTATIONS}/{}", record.statement);
        let path = ws.root.join(&name);
        let refused = |reason: String| {
            Error::CheckFailed(format!(
                "key rotation statement {name}: {reason}. The journal recorded it when key {} was retired for key {}; \
                 restore the file from a backup",
                record.previous_fingerprint, record.next_fingerprint
            ))
        };
        let bytes = crate::error::read_at_most(&path, 64 * 1024)
            .map_err(|e| refused(format!("it cannot be read ({e})")))?
            .ok_or_else(|| refused("it is larger than 64 KB, which no statement is".into()))?;
        let rotation = Rotation::read(&name, &bytes).map_err(|e| Error::CheckFailed(format!("{e}")))?;
        if rotation.sha256() != record.statement_sha256
            || rotation.statement.previous_key != record.previous_key
            || rotation.statement.next_key != record.next_key
        {
            return Err(refused("it is not the statement the journal recorded (another sha256)".into()));
        }
        // The successor's acceptance, journaled with the rotation: the
        // workspace trusts a former key only because the key after it (and
        // so, link by link, the key it holds now) says it was its
        // predecessor. A rotation entry forged behind charte's back lacks it.
        if !record.accepted_by_next(&rotation) {
            return Err(Error::CheckFailed(format!(
                "the journal's key rotation of key {} to key {} does not carry key {}'s acceptance: it was not made by \
                 charte keys rotate (an entry added to the journal behind charte's back?); no key before {} is \
                 trusted. Run `charte audit` and restore the workspace from a backup",
                record.previous_fingerprint, record.next_fingerprint, record.next_fingerprint, record.next_fingerprint
            )));
        }
        match &mut chain {
            None => {
                let mut first = KeyChain::new(rotation.previous);
                first.push(rotation).map_err(|e| Error::CheckFailed(e.to_string()))?;
                chain = Some(first);
            }
            Some(chain) => chain.push(rotation).map_err(|e| Error::CheckFailed(e.to_string()))?,
        }
    }
    Ok(chain)
}

/// Refuses a key on disk that is not the one the journal's last rotation
/// names: sealing with it would seal with a key nobody can trust.
fn check_current(path: &Path, chain: &KeyChain, key: &VerifyingKey) -> Result<()> {
    if chain.current() == *key {
        return Ok(());
    }
    let since = chain.links().last().map(|r| format!(" since its rotation on {}", r.date)).unwrap_or_default();
    let retired = if chain.contains(key) { " (a former key, retired)" } else { " (a key the journal does not know)" };
    Err(Error::usage(format!(
        "{} is key {}{retired}, but the journal says the coordination's key is {}{since}: put back keys/{COORDINATION_KEY} \
         and keys/{COORDINATION_PUB} of key {} (from a backup); nothing was changed",
        path.display(),
        seal::fingerprint(key),
        seal::fingerprint(&chain.current()),
        seal::fingerprint(&chain.current()),
    )))
}

/// A rotation journaled but stopped before its new key was in place is
/// finished (see [`App::keys_rotate`]); returns the journaled chain.
fn settled_chain(ws: &Workspace) -> Result<Option<KeyChain>> {
    let chain = journaled_chain(ws)?;
    if let Some(last) = chain.as_ref().and_then(|c| c.links().last())
        && pending(&ws.keys_dir(), last.next_fingerprint())
    {
        finish_rotation(&ws.keys_dir(), last.next_fingerprint())?;
    }
    Ok(chain)
}

/// What seals the coordination's documents: keys/coordination.key, with a
/// message saying how to make one, and the chain of keys the journal
/// knows, whose statements each document it seals carries. A key on disk
/// that is not the journal's current one is refused.
pub(crate) fn sealer(ws: &Workspace) -> Result<Sealer> {
    let chain = settled_chain(ws)?;
    let key = super::coordination_key(ws)?;
    match chain {
        None => Ok(Sealer::single(key)),
        Some(chain) => {
            check_current(&ws.keys_dir().join(COORDINATION_KEY), &chain, &key.verifying_key())?;
            Sealer::new(key, chain).map_err(|e| Error::internal(e.to_string()))
        }
    }
}

/// The former keys of `chain` whose private half keys/retired/ still holds
/// (a key that cannot be read is left out): to make again, byte for byte,
/// a document one of them sealed before it retired.
pub(crate) fn former_sealers(ws: &Workspace, chain: &KeyChain) -> Vec<Sealer> {
    chain
        .links()
        .iter()
        .filter_map(|r| {
            let path = ws.keys_dir().join(RETIRED).join(format!("{}.key", r.previous_fingerprint()));
            let key = seal::load_signing_key(&path).ok().filter(|k| k.verifying_key() == r.previous)?;
            Sealer::former(key, chain.clone()).ok()
        })
        .collect()
}

/// The keys a document this coordination issued may be sealed with: the
/// current one (keys/coordination.pub, checked against the private key
/// beside it) and, after a rotation, every former one the journal knows.
pub(crate) fn trusted_keys(ws: &Workspace) -> Result<(VerifyingKey, Vec<VerifyingKey>)> {
    let (current, chain) = trusted_chain(ws)?;
    let former = chain.map(|c| c.keys().into_iter().filter(|k| *k != current).collect()).unwrap_or_default();
    Ok((current, former))
}

/// The current key, checked as [`trusted_keys`] checks it, and the
/// journal's chain of keys that leads to it (None before a rotation).
pub(crate) fn trusted_chain(ws: &Workspace) -> Result<(VerifyingKey, Option<KeyChain>)> {
    let chain = settled_chain(ws)?;
    let path = ws.keys_dir().join(COORDINATION_PUB);
    let current = seal::load_verifying_key(&path).map_err(|e| match e {
        seal::KeyError::Mismatch { .. } => Error::usage(e.to_string()),
        e => Error::usage(format!("{e} (the coordination's key: charte keys init)")),
    })?;
    if let Some(chain) = &chain {
        check_current(&path, chain, &current)?;
    }
    Ok((current, chain))
}

/// Creates a key pair for an organisation: `out` (private) and `out`.pub.
/// Needs no workspace: the organisation may make its own.
pub fn member_keys(out: &Path) -> Result<KeyPair> {
    write_pair(out.to_owned(), PathBuf::from(format!("{}.pub", out.display())))
}

/// Generates a key pair and writes it at `private` and `public`.
fn write_pair(private: PathBuf, public: PathBuf) -> Result<KeyPair> {
    let key_error = |e: seal::KeyError| Error::usage(e.to_string());
    let key = seal::generate().map_err(key_error)?;
    seal::write_keypair(&key, &private, &public).map_err(key_error)?;
    Ok(KeyPair { private, public, fingerprint: seal::fingerprint(&key.verifying_key()) })
}

/// Reads a public key file a user named (made by `charte keys init` or
/// `charte keys member`): bounded (a key path may name anything, /dev/zero
/// included), a weak key refused, and checked against the private key
/// beside it when there is one (seal::load_verifying_key).
pub(crate) fn read_public_key(path: &Path) -> Result<ed25519_dalek::VerifyingKey> {
    seal::load_verifying_key(path).map_err(|e| Error::usage(e.to_string()))
}
