//! Key rotation: the coordination's keys over time, as one chain of signed
//! statements (docs/seal.md, "Key rotation").
//!
//! When the coordination changes its key (`charte keys rotate`), the old
//! key signs a *rotation statement* naming its successor, then retires.
//! The statement is signed exactly as a seal's manifest is (canonical JSON,
//! plain ed25519, strict verification) and kept as a file of the same shape
//! as an organisation's signature file:
//!
//! ```text
//! {"public_key": base64(previous key), "signature": base64(…),
//!  "statement": {"coordination", "date", "format": "charte-key-rotation/1",
//!                "next_fingerprint", "next_key", "previous_fingerprint", "previous_key"}}
//! ```
//!
//! The statements of one coordination form one line, from its first key to
//! its current one: each statement's previous key is the one before's next
//! key, no key appears twice, and their dates never go back. A
//! [`KeyChain`] is that line, every statement checked; anything else (an
//! altered or forged statement, two successors of one key, statements that
//! do not link) is refused, naming the statement.
//!
//! **Trust goes forward only.** Someone who trusts a key can trust its
//! successor through the statement that key signed ([`KeyChain::path`]),
//! and so on down the line. A statement proves nothing to someone who
//! trusts only its *next* key: anyone can make a key and sign a statement
//! naming someone else's key as its successor. The coordination's own
//! workspace trusts all its former keys, but it knows them from its
//! journal, not from the statements alone.
//!
//! For anyone outside the workspace, the old key's signature is the whole
//! of the statement's authority. The workspace itself also journals the
//! *next* key's acceptance (`RotationRecord::next_signature`, over
//! [`ACCEPTANCE_LABEL`] and the statement's canonical bytes): it trusts a
//! former key because the key after it, and so link by link the key it
//! holds now, accepted it as its predecessor; a `key-rotated` entry forged
//! behind charte's back, naming a forger's key as "former", lacks it. This
//! is the workspace trusting backwards from a key it holds, never a
//! funder's rule.

use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::NaiveDate;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::keys::{fingerprint, public_key_from_bytes};
use super::manifest::canonical;

/// The rotation statement's format tag.
pub const ROTATION_FORMAT: &str = "charte-key-rotation/1";

/// The key in a sealed document's manifest (`extra`) under which the
/// statements leading to its sealing key are carried, oldest first.
pub const KEY_CHAIN_EXTRA: &str = "key_chain";

/// What the previous key signs: it names its successor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Always [`ROTATION_FORMAT`].
    pub format: String,
    /// The coordination whose key this is.
    pub coordination: String,
    /// The retiring key: base64 of its 32 bytes.
    pub previous_key: String,
    /// Its fingerprint.
    pub previous_fingerprint: String,
    /// The successor: base64 of its 32 bytes.
    pub next_key: String,
    /// Its fingerprint.
    pub next_fingerprint: String,
    /// The day of the rotation, YYYY-MM-DD: from it on, only the next key seals.
    pub date: String,
}

/// One rotation statement, checked: well formed, canonical, and signed by
/// the key it retires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Where the statement came from (a file name, or its place in a
    /// document's manifest), to name it in a refusal.
    pub name: String,
    pub statement: Statement,
    pub previous: VerifyingKey,
    pub next: VerifyingKey,
    pub date: NaiveDate,
    /// The statement file: its canonical JSON and a final newline.
    pub bytes: Vec<u8>,
    /// The file as a JSON object, as a manifest carries it.
    value: Value,
}

/// A statement that cannot be trusted, or a set of statements that is not
/// one chain: which statement, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key rotation statement {statement}: {reason}")]
pub struct ChainError {
    /// The statement's name (a file, or its place in a document).
    pub statement: String,
    pub reason: String,
}

impl ChainError {
    fn new(statement: &str, reason: impl Into<String>) -> ChainError {
        ChainError { statement: statement.to_owned(), reason: reason.into() }
    }
}

impl Rotation {
    /// The statement `previous` signs to name `next` its successor on `date`.
    pub fn sign(
        previous: &SigningKey,
        next: &VerifyingKey,
        coordination: &str,
        date: NaiveDate,
        name: &str,
    ) -> Rotation {
        let statement = Statement {
            format: ROTATION_FORMAT.to_owned(),
            coordination: coordination.to_owned(),
            previous_key: BASE64.encode(previous.verifying_key().as_bytes()),
            previous_fingerprint: fingerprint(&previous.verifying_key()),
            next_key: BASE64.encode(next.as_bytes()),
            next_fingerprint: fingerprint(next),
            date: date.format("%Y-%m-%d").to_string(),
        };
        let statement_value = serde_json::to_value(&statement).unwrap_or(Value::Null);
        // The statement file is a signed object as seals are (docs/seal.md §3).
        let bytes = super::sign_object("statement", &statement_value, previous);
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Rotation {
            name: name.to_owned(),
            statement,
            previous: previous.verifying_key(),
            next: *next,
            date,
            bytes,
            value,
        }
    }

    /// Reads and checks a statement file (`name` says where it is).
    pub fn read(name: &str, bytes: &[u8]) -> Result<Rotation, ChainError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| ChainError::new(name, format!("not a statement file (not JSON: {e})")))?;
        let mut expected = canonical(&value);
        expected.push(b'\n');
        if expected != bytes {
            return Err(ChainError::new(
                name,
                "the file was edited (it is not in canonical form): restore the statement as charte wrote it",
            ));
        }
        Rotation::from_value(name, value)
    }

    /// Checks a statement carried as a JSON object (in a manifest's
    /// `extra.key_chain`): canonical by construction.
    pub fn from_value(name: &str, value: Value) -> Result<Rotation, ChainError> {
        let err = |reason: &str| ChainError::new(name, reason);
        // Its shape, keys and signature bytes read as every signed object's
        // (seal::parse_object), over its canonical bytes.
        let mut bytes = canonical(&value);
        bytes.push(b'\n');
        let signed = super::parse_object(&bytes, "statement").map_err(|e| err(&e.to_string()))?;
        let statement: Statement = serde_json::from_value(signed.value.clone())
            .map_err(|e| ChainError::new(name, format!("the statement does not read: {e}")))?;
        if statement.format != ROTATION_FORMAT {
            return Err(ChainError::new(
                name,
                format!("unknown format {:?} (this version reads {ROTATION_FORMAT:?})", statement.format),
            ));
        }
        let key = |field: &str, text: &str| -> Result<VerifyingKey, ChainError> {
            let bytes: [u8; 32] = BASE64
                .decode(text)
                .map_err(|_| ChainError::new(name, format!("{field} is not base64")))?
                .try_into()
                .map_err(|_| ChainError::new(name, format!("{field} is not 32 bytes")))?;
            public_key_from_bytes(&bytes).map_err(|reason| ChainError::new(name, format!("{field}: {reason}")))
        };
        let previous = key("previous_key", &statement.previous_key)?;
        let next = key("next_key", &statement.next_key)?;
        if fingerprint(&previous) != statement.previous_fingerprint || fingerprint(&next) != statement.next_fingerprint
        {
            return Err(err("a fingerprint is not the one of the key beside it"));
        }
        if previous == next {
            return Err(err("the key names itself as its successor"));
        }
        if !signed.is_from(&previous) {
            return Err(err("it is not signed by the key it retires (public_key is not previous_key)"));
        }
        if !signed.signature_valid(&previous) {
            return Err(err(&format!(
                "the signature of key {} does not verify: the statement was altered or forged",
                statement.previous_fingerprint
            )));
        }
        let date = NaiveDate::parse_from_str(&statement.date, "%Y-%m-%d")
            .map_err(|_| ChainError::new(name, format!("date {:?} is not YYYY-MM-DD", statement.date)))?;
        Ok(Rotation { name: name.to_owned(), statement, previous, next, date, bytes, value })
    }

    /// The statement's canonical bytes: what its previous key signs.
    pub fn statement_bytes(&self) -> Vec<u8> {
        canonical(&serde_json::to_value(&self.statement).unwrap_or(Value::Null))
    }

    /// What the next key signs to accept the statement: [`ACCEPTANCE_LABEL`]
    /// then the statement's canonical bytes (a label of its own, so that
    /// neither signature can stand for the other).
    pub fn acceptance_bytes(&self) -> Vec<u8> {
        [ACCEPTANCE_LABEL.as_bytes(), &self.statement_bytes()].concat()
    }

    /// The sha256 (lowercase hex) of the statement file, as the journal records it.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }

    /// The statement file as a JSON object, as a manifest carries it.
    pub fn to_value(&self) -> Value {
        self.value.clone()
    }

    pub fn previous_fingerprint(&self) -> &str {
        &self.statement.previous_fingerprint
    }

    pub fn next_fingerprint(&self) -> &str {
        &self.statement.next_fingerprint
    }
}

/// What precedes a statement's canonical bytes in the next key's
/// acceptance ([`RotationRecord::next_signature`]).
pub const ACCEPTANCE_LABEL: &str = "charte-key-rotation-acceptance/1\n";

/// A rotation as the journal records it (`key-rotated`): what the
/// workspace checks its statement files against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationRecord {
    /// The retired key, base64 of its 32 bytes.
    pub previous_key: String,
    pub previous_fingerprint: String,
    /// Its successor, base64 of its 32 bytes.
    pub next_key: String,
    pub next_fingerprint: String,
    /// The statement's file name in keys/rotations/.
    pub statement: String,
    /// The sha256 (lowercase hex) of that file's bytes.
    pub statement_sha256: String,
    /// The successor's own signature (base64) over the statement's
    /// canonical bytes: the key the workspace trusts now accepts the key
    /// it names as its predecessor. Without it, an entry appended to the
    /// journal behind charte's back, naming a key of the forger's as
    /// "former", would make the workspace trust that key.
    #[serde(default)]
    pub next_signature: String,
}

impl RotationRecord {
    /// Whether the successor signed `rotation`'s statement (the acceptance
    /// the workspace requires before it trusts the predecessor).
    pub fn accepted_by_next(&self, rotation: &Rotation) -> bool {
        let Ok(bytes) = BASE64.decode(&self.next_signature) else {
            return false;
        };
        let Ok(signature) = <[u8; 64]>::try_from(bytes.as_slice()) else { return false };
        rotation.next.verify_strict(&rotation.acceptance_bytes(), &Signature::from_bytes(&signature)).is_ok()
    }
}

/// The coordination's keys, from the first to the current one, each
/// linked to the next by a checked [`Rotation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyChain {
    first: VerifyingKey,
    links: Vec<Rotation>,
}

impl KeyChain {
    /// A chain of one key: no rotation yet.
    pub fn new(key: VerifyingKey) -> KeyChain {
        KeyChain { first: key, links: Vec::new() }
    }

    /// The chain the statements form, in whatever order they are given:
    /// they must link into one line (each statement's previous key is the
    /// one before's next key), with no key twice and dates that never go
    /// back. Refused otherwise, naming a statement at fault.
    pub fn from_rotations(rotations: Vec<Rotation>) -> Result<KeyChain, ChainError> {
        let Some(any) = rotations.first() else {
            return Err(ChainError::new("(none)", "no statement: a chain needs at least one"));
        };
        let mut by_previous: HashMap<[u8; 32], usize> = HashMap::new();
        for (i, r) in rotations.iter().enumerate() {
            if let Some(&j) = by_previous.get(r.previous.as_bytes()) {
                return Err(ChainError::new(
                    &r.name,
                    format!(
                        "key {} already named another successor in {}: one key has one successor",
                        r.previous_fingerprint(),
                        rotations[j].name
                    ),
                ));
            }
            by_previous.insert(*r.previous.as_bytes(), i);
        }
        let nexts: HashSet<[u8; 32]> = rotations.iter().map(|r| *r.next.as_bytes()).collect();
        let heads: Vec<&Rotation> = rotations.iter().filter(|r| !nexts.contains(r.previous.as_bytes())).collect();
        let head = match heads.as_slice() {
            [head] => *head,
            [] => return Err(ChainError::new(&any.name, "the statements go round in a circle: no first key")),
            [_, second, ..] => {
                return Err(ChainError::new(
                    &second.name,
                    format!(
                        "it does not link to the other statements ({} starts another chain): the statements \
                         do not form one line from the first key to the current one",
                        heads[0].name
                    ),
                ));
            }
        };
        let mut order = Vec::with_capacity(rotations.len());
        let mut seen: HashSet<[u8; 32]> = HashSet::from([*head.previous.as_bytes()]);
        let mut at = by_previous.get(head.previous.as_bytes()).copied();
        while let Some(i) = at {
            let r = &rotations[i];
            if !seen.insert(*r.next.as_bytes()) {
                return Err(ChainError::new(
                    &r.name,
                    format!("key {} appears twice in the chain: a retired key never comes back", r.next_fingerprint()),
                ));
            }
            order.push(i);
            at = by_previous.get(r.next.as_bytes()).copied();
        }
        if order.len() != rotations.len() {
            let stray = rotations.iter().enumerate().find(|(i, _)| !order.contains(i)).map(|(_, r)| r);
            let name = stray.map_or(any.name.as_str(), |r| r.name.as_str());
            return Err(ChainError::new(name, "it does not link into the chain of the other statements"));
        }
        let first = head.previous;
        let mut slots: Vec<Option<Rotation>> = rotations.into_iter().map(Some).collect();
        let links: Vec<Rotation> = order.into_iter().filter_map(|i| slots[i].take()).collect();
        for pair in links.windows(2) {
            if pair[1].date < pair[0].date {
                return Err(ChainError::new(
                    &pair[1].name,
                    format!(
                        "dated {}, before the rotation it follows ({}, {}): dates never go back",
                        pair[1].date, pair[0].name, pair[0].date
                    ),
                ));
            }
        }
        Ok(KeyChain { first, links })
    }

    /// The chain a sealed document carries in its manifest's
    /// `extra.key_chain` (None when it carries none), every statement checked.
    pub fn from_manifest(manifest: &super::Manifest) -> Result<Option<KeyChain>, ChainError> {
        let Some(carried) = manifest.extra.get(KEY_CHAIN_EXTRA) else { return Ok(None) };
        let items = carried.as_array().ok_or_else(|| ChainError::new(KEY_CHAIN_EXTRA, "not a list of statements"))?;
        let rotations = items
            .iter()
            .enumerate()
            .map(|(i, v)| Rotation::from_value(&format!("{KEY_CHAIN_EXTRA}[{i}] of the document"), v.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        if rotations.is_empty() {
            return Ok(None);
        }
        KeyChain::from_rotations(rotations).map(Some)
    }

    /// Adds the next rotation: it must retire the current key, on the day
    /// of the last rotation or later.
    pub fn push(&mut self, rotation: Rotation) -> Result<(), ChainError> {
        if rotation.previous != self.current() {
            return Err(ChainError::new(
                &rotation.name,
                format!(
                    "it retires key {}, but the current key is {}",
                    rotation.previous_fingerprint(),
                    fingerprint(&self.current())
                ),
            ));
        }
        if self.contains(&rotation.next) {
            return Err(ChainError::new(&rotation.name, "its next key is already in the chain"));
        }
        if let Some(last) = self.links.last()
            && rotation.date < last.date
        {
            return Err(ChainError::new(&rotation.name, format!("dated before the last rotation ({})", last.date)));
        }
        self.links.push(rotation);
        Ok(())
    }

    /// The first key.
    pub fn first(&self) -> VerifyingKey {
        self.first
    }

    /// The current key: the last one named.
    pub fn current(&self) -> VerifyingKey {
        self.links.last().map_or(self.first, |r| r.next)
    }

    /// The rotations, oldest first.
    pub fn links(&self) -> &[Rotation] {
        &self.links
    }

    /// Every key, the first first.
    pub fn keys(&self) -> Vec<VerifyingKey> {
        std::iter::once(self.first).chain(self.links.iter().map(|r| r.next)).collect()
    }

    /// Whether `key` is one of the chain's keys, former or current.
    pub fn contains(&self, key: &VerifyingKey) -> bool {
        self.position(key).is_some()
    }

    fn position(&self, key: &VerifyingKey) -> Option<usize> {
        self.keys().iter().position(|k| k == key)
    }

    /// The rotation that retired `key`, if it was retired.
    pub fn retirement(&self, key: &VerifyingKey) -> Option<&Rotation> {
        self.links.iter().find(|r| &r.previous == key)
    }

    /// The keys that sealed on `day`, oldest first: the one current then,
    /// or both on the day of a rotation.
    pub fn keys_on(&self, day: NaiveDate) -> Vec<VerifyingKey> {
        let keys = self.keys();
        keys.into_iter()
            .enumerate()
            .filter(|&(i, _)| {
                let from = if i == 0 { NaiveDate::MIN } else { self.links[i - 1].date };
                let until = self.links.get(i).map_or(NaiveDate::MAX, |r| r.date);
                from <= day && day <= until
            })
            .map(|(_, k)| k)
            .collect()
    }

    /// Whether someone who trusts `anchor` can trust `key` through this
    /// chain, and through which rotations: `Some(&[])` when `key` is
    /// `anchor`, `Some(links)` when the chain leads forward from `anchor`
    /// to `key` (each statement signed by the key before), `None`
    /// otherwise, in particular when `key` is older than `anchor`: trust
    /// goes forward only.
    pub fn path(&self, anchor: &VerifyingKey, key: &VerifyingKey) -> Option<&[Rotation]> {
        let (from, to) = (self.position(anchor)?, self.position(key)?);
        (from <= to).then(|| &self.links[from..to])
    }

    /// The statements a document sealed with `key` carries, from the first
    /// key to `key` (empty for the first key, or a key not in the chain):
    /// the same for every document that key seals, whenever it is sealed.
    pub fn carried_by(&self, key: &VerifyingKey) -> Vec<Value> {
        let upto = self.position(key).unwrap_or(0);
        self.links[..upto].iter().map(Rotation::to_value).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::Signer;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("a date")
    }

    fn rotate(from: u8, to: u8, d: u32) -> Rotation {
        Rotation::sign(&key(from), &key(to).verifying_key(), "Coordination", day(d), &format!("r{from}-{to}"))
    }

    #[test]
    fn a_statement_reads_back_and_one_changed_byte_is_refused() {
        let r = rotate(1, 2, 1);
        assert_eq!(Rotation::read("r", &r.bytes).expect("reads").next, key(2).verifying_key());
        let text = String::from_utf8(r.bytes.clone()).expect("utf8");
        let altered = text.replace("\"date\":\"2026-03-01\"", "\"date\":\"2026-03-02\"");
        let err = Rotation::read("keys/rotations/x.json", altered.as_bytes()).expect_err("altered");
        assert!(err.to_string().contains("keys/rotations/x.json"), "{err}");
        assert!(err.reason.contains("does not verify"), "{err}");
        let spaced = text.replacen(',', ", ", 1);
        assert!(Rotation::read("r", spaced.as_bytes()).expect_err("not canonical").reason.contains("edited"));
    }

    #[test]
    fn statements_in_any_order_make_one_line_and_trust_goes_forward_only() {
        let chain = KeyChain::from_rotations(vec![rotate(2, 3, 5), rotate(1, 2, 1)]).expect("one line");
        let [k1, k2, k3] = [1, 2, 3].map(|s| key(s).verifying_key());
        assert_eq!(chain.keys(), vec![k1, k2, k3]);
        assert_eq!(chain.current(), k3);
        assert_eq!(chain.path(&k1, &k3).map(<[Rotation]>::len), Some(2));
        assert_eq!(chain.path(&k2, &k2).map(<[Rotation]>::len), Some(0));
        assert!(chain.path(&k3, &k1).is_none(), "no trust backwards");
        assert!(chain.path(&key(9).verifying_key(), &k3).is_none(), "an unknown anchor");
        assert_eq!(chain.retirement(&k1).map(|r| r.date), Some(day(1)));
        assert_eq!(chain.carried_by(&k3).len(), 2);
        assert_eq!(chain.carried_by(&k1).len(), 0);
        assert_eq!(chain.keys_on(day(1)), vec![k1, k2], "both on the day of the rotation");
        assert_eq!(chain.keys_on(day(3)), vec![k2]);
        assert_eq!(chain.keys_on(NaiveDate::MIN), vec![k1]);
        assert_eq!(chain.keys_on(day(9)), vec![k3]);
    }

    #[test]
    fn forks_gaps_circles_and_dates_going_back_are_refused_by_name() {
        let fork = KeyChain::from_rotations(vec![rotate(1, 2, 1), rotate(1, 3, 2)]).expect_err("a fork");
        assert_eq!(fork.statement, "r1-3");
        let gap = KeyChain::from_rotations(vec![rotate(1, 2, 1), rotate(3, 4, 2)]).expect_err("a gap");
        assert!(gap.reason.contains("one line"), "{gap}");
        let circle = KeyChain::from_rotations(vec![rotate(1, 2, 1), rotate(2, 1, 2)]).expect_err("a circle");
        assert!(circle.reason.contains("circle"), "{circle}");
        let back = KeyChain::from_rotations(vec![rotate(1, 2, 5), rotate(2, 3, 1)]).expect_err("back in time");
        assert_eq!(back.statement, "r2-3");
        let mut chain = KeyChain::new(key(1).verifying_key());
        assert!(chain.push(rotate(2, 3, 1)).is_err(), "it must retire the current key");
        chain.push(rotate(1, 2, 1)).expect("links");
        assert_eq!(chain.current(), key(2).verifying_key());
    }

    #[test]
    fn a_statement_signed_by_another_key_than_the_one_it_retires_is_refused() {
        // A forger signs, with their own key, a statement retiring key 1.
        let genuine = rotate(1, 2, 1);
        let mut value = genuine.to_value();
        let forger = key(7);
        let statement = value["statement"].clone();
        value["signature"] = Value::String(BASE64.encode(forger.sign(&canonical(&statement)).to_bytes()));
        let err = Rotation::from_value("forged", value.clone()).expect_err("forged");
        assert!(err.reason.contains("does not verify"), "{err}");
        value["public_key"] = Value::String(BASE64.encode(forger.verifying_key().as_bytes()));
        let err = Rotation::from_value("forged", value).expect_err("forged");
        assert!(err.reason.contains("not signed by the key it retires"), "{err}");
    }
}
