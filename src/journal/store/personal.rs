//! The personal values beside the journal (migration 0015, the `personal`
//! table; crate::journal::personal says why and how): stored under a
//! commitment inside a write transaction, read back through it, erased,
//! and checked by the audit against the commitments, since the journal,
//! which never holds them, cannot replay them.

use std::collections::{BTreeMap, HashSet};

use rusqlite::{OptionalExtension, params};

use super::reads::rows;
use super::{Store, Tx};
use crate::error::{Error, Result};
use crate::journal::Event;
use crate::journal::personal::{Commitment, Kind, Personal, SALT_LEN};

/// The projection columns that hold a commitment (or, for an entry written
/// before schema version 15, the value itself): what [`resolved`] reads
/// through, and where the audit looks for commitments without a value row.
/// A new event holding a personal datum adds its column here.
const HOLDERS: &[(&str, &str)] = &[
    ("messages", "address"),
    ("organisations", "email"),
    ("organisations", "representative_email"),
    ("accounts", "email"),
];

/// The SQL expression reading `column` (of a projection, holding a
/// commitment or an older entry's value in the clear) through `alias`, the
/// `personal` row it joins on: the value, NULL once erased, the column
/// itself when it holds a value in the clear.
pub(super) fn resolved(column: &str, alias: &str) -> String {
    format!(
        "CASE WHEN {alias}.commitment IS NOT NULL THEN {alias}.value \
         WHEN substr({column}, 1, 7) = 'sha256:' THEN NULL ELSE {column} END"
    )
}

/// One value held equal to a subject, read under the write lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldValue {
    pub commitment: Commitment,
    pub kind: Kind,
}

/// What the audit found in the personal values: how many are held and
/// erased, or the first that does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PersonalTally {
    /// Values held, each matching its commitment.
    pub held: u64,
    /// Values erased, each recorded by a personal-data-erased entry.
    pub erased: u64,
}

/// A personal value that does not agree with the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonalFault {
    /// The value (or its salt) held for a commitment does not give it: it
    /// was changed outside charte. `entry`: the first entry using it.
    Altered { commitment: String, kind: String, entry: Option<i64> },
    /// A value cleared outside charte: no personal-data-erased entry
    /// records its erasure.
    ErasedUnrecorded { commitment: String, kind: String, entry: Option<i64> },
    /// A value the journal records erased (entry `seq`) that is held again,
    /// or whose row is gone.
    NotErased { commitment: String, seq: i64, row: bool },
    /// A commitment a table holds with no row at all (deleted outside charte).
    Missing { commitment: String, table: String, column: String },
}

impl std::fmt::Display for PersonalFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let used = |entry: &Option<i64>| entry.map(|s| format!(", used by entry {s}")).unwrap_or_default();
        match self {
            PersonalFault::Altered { commitment, kind, entry } => write!(
                f,
                "the personal value {commitment} ({kind}{}) does not match its commitment: it was changed outside charte",
                used(entry)
            ),
            PersonalFault::ErasedUnrecorded { commitment, kind, entry } => write!(
                f,
                "the personal value {commitment} ({kind}{}) was cleared, but no personal-data-erased entry records it: \
                 it was erased outside charte (use `charte erase`)",
                used(entry)
            ),
            PersonalFault::NotErased { commitment, seq, row: true } => write!(
                f,
                "the personal value {commitment} is held, yet entry {seq} records it erased: \
                 it was written back outside charte"
            ),
            PersonalFault::NotErased { commitment, seq, row: false } => write!(
                f,
                "the personal value {commitment}, erased by entry {seq}, has no row in the table personal: \
                 it was deleted outside charte"
            ),
            PersonalFault::Missing { commitment, table, column } => write!(
                f,
                "the table {table} holds the commitment {commitment} in {column}, and the table personal has no row \
                 for it: it was deleted outside charte"
            ),
        }
    }
}

/// Where the journal mentions an erased subject: the entries that used
/// the erased commitments, and the older ones holding the value itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JournalUses {
    /// The entries holding one of the commitments (but the erasures
    /// listing them), by kind of entry.
    pub committed: BTreeMap<String, u64>,
    /// The entries holding the subject itself, in the chain for good, by
    /// kind of entry.
    pub plain: BTreeMap<String, u64>,
}

impl Tx<'_> {
    /// Stores `value`, a personal datum of `kind`, under a fresh salt, and
    /// returns its commitment: what the event appended in this transaction
    /// holds instead of the value. Each use gets its own salt and
    /// commitment (crate::journal::personal says why).
    pub fn personal(&self, kind: Kind, value: &str) -> Result<Commitment> {
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt)
            .map_err(|e| Error::internal(format!("no randomness for a personal value's salt: {e}")))?;
        let commitment = Commitment::of(&salt, value);
        self.tx
            .prepare_cached("INSERT INTO personal (commitment, kind, salt, value) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut s| s.execute(params![commitment.as_str(), kind.code(), &salt[..], value]))
            .map_err(self.sql_err())?;
        Ok(commitment)
    }

    /// The value behind `personal`, read under the write lock; `None` once
    /// erased.
    pub fn personal_value(&self, personal: &Personal) -> Result<Option<String>> {
        value_of(&self.tx, &self.path, personal)
    }

    /// Every value held that `subject` names, as its kind compares
    /// ([`Kind::matches`]), read under the write lock.
    pub fn personal_matching(&self, subject: &str) -> Result<Vec<HeldValue>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT commitment, kind, value FROM personal WHERE value IS NOT NULL ORDER BY commitment")
            .map_err(self.sql_err())?;
        let mut found = Vec::new();
        let mut rows = stmt.query([]).map_err(self.sql_err())?;
        // One row at a time: only the matches are kept.
        while let Some(r) = rows.next().map_err(self.sql_err())? {
            let kind: Kind = {
                let code = r.get_ref(1).and_then(|v| v.as_str().map_err(Into::into)).map_err(self.sql_err())?;
                code.parse().map_err(|e| super::corrupt(&self.path, e))?
            };
            let value = r.get_ref(2).and_then(|v| v.as_str().map_err(Into::into)).map_err(self.sql_err())?;
            if kind.matches(value, subject) {
                let text: String = r.get(0).map_err(self.sql_err())?;
                let commitment = Commitment::parse(&text)
                    .ok_or_else(|| super::corrupt(&self.path, format!("{text:?} is not a commitment")))?;
                found.push(HeldValue { commitment, kind });
            }
        }
        Ok(found)
    }

    /// Erases the values behind `commitments` (their value and salt
    /// cleared, the row kept with the entry that erased it) and journals
    /// it, together: one `personal-data-erased` entry, whose sequence
    /// number is returned.
    pub fn erase_personal(&mut self, commitments: &[Commitment], reason: &str) -> Result<i64> {
        let seq =
            self.append(&Event::PersonalDataErased { commitments: commitments.to_vec(), reason: reason.to_owned() })?;
        let mut stmt = self
            .tx
            .prepare_cached(
                "UPDATE personal SET salt = NULL, value = NULL, erased_seq = ?2 \
                 WHERE commitment = ?1 AND value IS NOT NULL",
            )
            .map_err(self.sql_err())?;
        for c in commitments {
            if stmt.execute(params![c.as_str(), seq]).map_err(self.sql_err())? != 1 {
                return Err(Error::internal(format!("the personal value {c} was not held when erased")));
            }
        }
        Ok(seq)
    }
}

impl Store {
    /// The value behind `personal`; `None` once erased.
    pub fn personal_value(&self, personal: &Personal) -> Result<Option<String>> {
        value_of(&self.conn, &self.path, personal)
    }

    /// The Message-IDs of the messages sent to one of `commitments`.
    pub fn messages_to(&self, commitments: &[Commitment]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for c in commitments {
            out.extend(rows::<String, Vec<_>>(
                &self.conn,
                &self.path,
                "SELECT message_id FROM messages WHERE address = ?1 ORDER BY seq",
                [c.as_str()],
                |r| r.get(0),
            )?);
        }
        Ok(out)
    }

    /// Where the journal mentions `subject`: the entries holding one of
    /// `commitments`, and the entries holding `subject` itself (written
    /// before schema version 15, or a text that quotes it), each counted
    /// once, by kind of entry. Reads every payload once.
    pub fn journal_uses(&self, subject: &str, commitments: &[Commitment]) -> Result<JournalUses> {
        let wanted: HashSet<&str> = commitments.iter().map(Commitment::as_str).collect();
        let err = self.sql_err();
        let mut stmt = self.conn.prepare("SELECT kind, payload FROM journal ORDER BY seq").map_err(&err)?;
        let mut rows = stmt.query([]).map_err(&err)?;
        let mut uses = JournalUses::default();
        while let Some(r) = rows.next().map_err(&err)? {
            let (kind, payload): (String, String) = (r.get(0).map_err(&err)?, r.get(1).map_err(&err)?);
            // An erasure's own entry lists them: it is no use of them.
            if kind != "personal-data-erased" && commitments_in(&payload).any(|c| wanted.contains(c)) {
                *uses.committed.entry(kind.clone()).or_default() += 1;
            }
            if crate::journal::personal::mentions(&payload, subject) {
                *uses.plain.entry(kind).or_default() += 1;
            }
        }
        Ok(uses)
    }

    /// The audit of the personal values (after the chain and the
    /// projections, `erasures` included, are found intact): each value
    /// held gives its commitment with its salt; each one cleared is
    /// recorded erased by the journal, and each one the journal records
    /// erased is cleared; each commitment a projection holds has its row.
    pub(super) fn check_personal(&self) -> Result<std::result::Result<PersonalTally, PersonalFault>> {
        let err = self.sql_err();
        let mut tally = PersonalTally::default();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT p.commitment, p.kind, p.salt, p.value, e.commitment IS NOT NULL \
                 FROM personal p LEFT JOIN erasures e ON e.commitment = p.commitment ORDER BY p.commitment",
            )
            .map_err(&err)?;
        let mut rows = stmt.query([]).map_err(&err)?;
        while let Some(r) = rows.next().map_err(&err)? {
            let commitment: String = r.get(0).map_err(&err)?;
            let kind: String = r.get(1).map_err(&err)?;
            let salt: Option<Vec<u8>> = r.get(2).map_err(&err)?;
            let value: Option<String> = r.get(3).map_err(&err)?;
            let recorded: bool = r.get(4).map_err(&err)?;
            match (value, recorded) {
                (Some(value), false) => {
                    let holds =
                        Commitment::parse(&commitment).zip(salt).is_some_and(|(c, salt)| c.holds(&salt, &value));
                    if !holds {
                        let entry = self.first_use(&commitment)?;
                        return Ok(Err(PersonalFault::Altered { commitment, kind, entry }));
                    }
                    tally.held += 1;
                }
                (None, true) => tally.erased += 1,
                (None, false) => {
                    let entry = self.first_use(&commitment)?;
                    return Ok(Err(PersonalFault::ErasedUnrecorded { commitment, kind, entry }));
                }
                // Held although recorded erased: the next query names it.
                (Some(_), true) => {}
            }
        }
        drop(rows);
        let not_erased: Option<(String, i64, bool)> = self
            .conn
            .query_row(
                "SELECT e.commitment, e.seq, p.commitment IS NOT NULL FROM erasures e \
                 LEFT JOIN personal p ON p.commitment = e.commitment WHERE p.value IS NOT NULL OR p.commitment IS NULL \
                 ORDER BY e.seq, e.commitment LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(&err)?;
        if let Some((commitment, seq, row)) = not_erased {
            return Ok(Err(PersonalFault::NotErased { commitment, seq, row }));
        }
        for (table, column) in HOLDERS {
            let missing: Option<String> = self
                .conn
                .query_row(
                    &format!(
                        "SELECT t.{column} FROM {table} t WHERE substr(t.{column}, 1, 7) = 'sha256:' \
                         AND NOT EXISTS (SELECT 1 FROM personal p WHERE p.commitment = t.{column}) LIMIT 1"
                    ),
                    [],
                    |r| r.get(0),
                )
                .optional()
                .map_err(&err)?;
            if let Some(commitment) = missing {
                return Ok(Err(PersonalFault::Missing {
                    commitment,
                    table: (*table).to_owned(),
                    column: (*column).to_owned(),
                }));
            }
        }
        Ok(Ok(tally))
    }

    /// The first journal entry holding `commitment` (to name in an audit's
    /// finding; reads the whole journal, once).
    fn first_use(&self, commitment: &str) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT seq FROM journal WHERE instr(payload, ?1) > 0 ORDER BY seq LIMIT 1", [commitment], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.sql_err())
    }
}

/// The value behind `personal` on `conn`.
fn value_of(conn: &rusqlite::Connection, path: &std::path::Path, personal: &Personal) -> Result<Option<String>> {
    match personal {
        Personal::Plain(v) => Ok(Some(v.clone())),
        Personal::Committed(c) => {
            let found: Vec<Option<String>> =
                rows(conn, path, "SELECT value FROM personal WHERE commitment = ?1", [c.as_str()], |r| r.get(0))?;
            Ok(found.into_iter().next().flatten())
        }
    }
}

/// The commitments a payload holds: each `sha256:` followed by 64 hex digits.
fn commitments_in(payload: &str) -> impl Iterator<Item = &str> {
    payload.match_indices(crate::journal::personal::PREFIX).filter_map(move |(i, _)| {
        let end = i + crate::journal::personal::PREFIX.len() + 64;
        payload.get(i..end).filter(|c| Commitment::parse(c).is_some())
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::journal::Clock;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 2, 1).expect("a date")
    }

    fn store(dir: &tempfile::TempDir) -> Store {
        Store::create(&dir.path().join("charte.db"), Clock { today: day(), replay: true }).expect("creates")
    }

    /// Journals a message to `address` as delivery does: its address
    /// beside the journal, the entry holding the commitment.
    fn message(store: &mut Store, n: u32, address: &str) -> Commitment {
        store
            .transaction(day(), |tx| {
                let c = tx.personal(Kind::Email, address)?;
                tx.append(&Event::MessageIntended {
                    message_id: format!("m{n}@example.be"),
                    purpose: "convocation".into(),
                    about: "plenary".into(),
                    enterprise_number: "0123456749".into(),
                    address: c.clone().into(),
                })?;
                Ok(c)
            })
            .expect("journals")
    }

    fn audit(store: &Store) -> std::result::Result<PersonalTally, PersonalFault> {
        store.check_personal().expect("reads")
    }

    fn tamper(store: &Store, sql: &str) {
        store.conn.execute_batch(sql).expect("tampers");
    }

    #[test]
    fn a_value_is_stored_under_its_commitment_read_back_and_erased_with_its_salt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = store(&dir);
        let first = message(&mut store, 1, "Marie@lepont.example.be");
        let second = message(&mut store, 2, "marie@lepont.example.be");
        let other = message(&mut store, 3, "info@lepont.example.be");
        assert_ne!(first, second, "one commitment per use");
        let payloads: Vec<String> =
            rows(&store.conn, &store.path, "SELECT payload FROM journal", [], |r| r.get(0)).expect("reads");
        assert!(payloads.iter().all(|p| !p.contains("lepont")), "{payloads:?}");
        assert_eq!(
            store.personal_value(&first.clone().into()).expect("reads").as_deref(),
            Some("Marie@lepont.example.be")
        );
        assert_eq!(audit(&store), Ok(PersonalTally { held: 3, erased: 0 }));

        let seq = store
            .transaction(day(), |tx| {
                let held = tx.personal_matching("MARIE@lepont.example.be ")?;
                let commitments: Vec<Commitment> = held.iter().map(|h| h.commitment.clone()).collect();
                assert_eq!(held.len(), 2, "compared as addresses are");
                tx.erase_personal(&commitments, "request")
            })
            .expect("erases");
        assert_eq!(store.personal_value(&first.clone().into()).expect("reads"), None);
        assert_eq!(
            store.personal_value(&other.clone().into()).expect("reads").as_deref(),
            Some("info@lepont.example.be")
        );
        type Row = (Option<Vec<u8>>, Option<String>, Option<i64>);
        let left: Vec<Row> = rows(
            &store.conn,
            &store.path,
            "SELECT salt, value, erased_seq FROM personal WHERE commitment = ?1",
            [second.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("reads");
        assert_eq!(left, vec![(None, None, Some(seq))], "the salt goes with the value");
        assert_eq!(audit(&store), Ok(PersonalTally { held: 1, erased: 2 }));
        assert_eq!(store.check_projections().expect("replays").1, None, "erasures are replayed");
        let uses = store.journal_uses("marie@lepont.example.be", &[first, second]).expect("reads");
        assert_eq!(uses.committed, BTreeMap::from([("message-intended".to_owned(), 2)]));
        assert!(uses.plain.is_empty(), "{uses:?}");
    }

    #[test]
    fn the_audit_names_a_value_changed_cleared_or_written_back_outside_charte() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = store(&dir);
        let c = message(&mut store, 1, "marie@lepont.example.be");
        let key = c.as_str();

        tamper(&store, &format!("UPDATE personal SET value = 'eve@example.be' WHERE commitment = '{key}'"));
        let fault = audit(&store).expect_err("a value changed");
        assert_eq!(fault, PersonalFault::Altered { commitment: key.into(), kind: "email".into(), entry: Some(1) });
        assert!(fault.to_string().contains("used by entry 1"), "{fault}");
        tamper(
            &store,
            &format!("UPDATE personal SET value = 'marie@lepont.example.be', salt = x'00' WHERE commitment = '{key}'"),
        );
        assert!(matches!(audit(&store), Err(PersonalFault::Altered { .. })), "a salt changed");

        tamper(&store, &format!("UPDATE personal SET value = NULL, salt = NULL WHERE commitment = '{key}'"));
        assert!(matches!(audit(&store), Err(PersonalFault::ErasedUnrecorded { .. })), "cleared without an erasure");

        tamper(&store, &format!("DELETE FROM personal WHERE commitment = '{key}'"));
        assert_eq!(
            audit(&store),
            Err(PersonalFault::Missing { commitment: key.into(), table: "messages".into(), column: "address".into() })
        );

        let c = message(&mut store, 2, "info@lepont.example.be");
        let seq =
            store.transaction(day(), |tx| tx.erase_personal(std::slice::from_ref(&c), "request")).expect("erases");
        // (After the erasure: a journal with an entry removed takes no
        // more entries, its Merkle tree no longer adding up.)
        tamper(&store, "DELETE FROM messages WHERE message_id = 'm1@example.be'; DELETE FROM journal WHERE seq = 1");
        tamper(&store, &format!("UPDATE personal SET value = 'info@lepont.example.be' WHERE commitment = '{}'", c));
        assert_eq!(audit(&store), Err(PersonalFault::NotErased { commitment: c.to_string(), seq, row: true }));
        tamper(&store, &format!("DELETE FROM personal WHERE commitment = '{c}'"));
        assert_eq!(audit(&store), Err(PersonalFault::NotErased { commitment: c.to_string(), seq, row: false }));
    }

    #[test]
    fn an_entry_written_before_personal_values_reads_its_address_in_the_clear() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = store(&dir);
        store
            .transaction(day(), |tx| {
                tx.append(&Event::MessageIntended {
                    message_id: "old@example.be".into(),
                    purpose: "convocation".into(),
                    about: "plenary".into(),
                    enterprise_number: "0123456749".into(),
                    address: Personal::Plain("marie@lepont.example.be".into()),
                })
            })
            .expect("journals");
        let address = store.transaction(day(), |tx| tx.message_address("old@example.be")).expect("reads");
        assert_eq!(address.as_deref(), Some("marie@lepont.example.be"));
        assert_eq!(audit(&store), Ok(PersonalTally::default()), "nothing held, nothing missing");
        let held = store.transaction(day(), |tx| tx.personal_matching("marie@lepont.example.be")).expect("reads");
        assert!(held.is_empty());
        let uses = store.journal_uses("Marie@LePont.example.be", &[]).expect("reads");
        assert_eq!(uses.plain, BTreeMap::from([("message-intended".to_owned(), 1)]));
    }

    #[test]
    fn the_commitments_of_a_payload_are_found_whole() {
        let a = Commitment::of(&[1; SALT_LEN], "a");
        let payload = format!(r#"{{"x":"{a}","y":"sha256:abc","z":"{}"}}"#, &a.as_str()[..40]);
        assert_eq!(commitments_in(&payload).collect::<Vec<_>>(), vec![a.as_str()]);
    }
}
