//! The SQLite store: the journal table and its projections. This is the only
//! module that speaks SQL; domain types go in and out, database types never
//! leave it.
//!
//! - this file: the connection, the schema's migrations, the writing
//!   transaction and the append of an event to the hash chain;
//! - `projections.rs`: how each appended event changes the derived tables,
//!   in the same transaction as the append;
//! - `reads.rs`: the read API, every query, each answering with the
//!   domain's own types (a meeting, a message, a flag's status), never a
//!   row or a tuple: what a second backend would have to implement;
//! - `personal.rs`: the personal values kept beside the journal under
//!   their commitments (not derived from it: checked by the audit);
//! - `records.rs`: the few answers that belong to the journal itself (its
//!   head, its span of dates, an audit);
//! - `replay.rs`: the audit of the derived tables, the journal replayed
//!   into a fresh database in memory and compared with them;
//! - `snapshot.rs`: a consistent copy of the whole database while others
//!   write (`charte backup`).
//!
//! Schema migrations are SQL files embedded at compile time, tracked with
//! `PRAGMA user_version` and applied in one transaction; a database written
//! by a newer charte is refused rather than misread. A migration that adds
//! a projection also fills it from the events already journaled, so an
//! upgraded workspace reads the same as a new one.

mod accounts;
mod claims;
mod codes;
mod personal;
mod projections;
mod reads;
mod records;
mod replay;
mod snapshot;
mod tree;

pub use accounts::{Account, StoredSession};
pub use claims::Claim;
pub use codes::StoredCode;
pub use personal::{HeldValue, JournalUses, PersonalFault, PersonalTally};
pub use records::{Audit, DateSpan, Head};
pub use replay::{Difference, Mismatch};
pub use tree::TreeHead;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Event, GENESIS, entry_hash};
use crate::error::{Error, Kind, Result};

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_meetings.sql"),
    include_str!("../migrations/0003_messages.sql"),
    include_str!("../migrations/0004_documents.sql"),
    include_str!("../migrations/0005_adherences.sql"),
    include_str!("../migrations/0006_flags.sql"),
    include_str!("../migrations/0007_workflows.sql"),
    include_str!("../migrations/0008_elections_events.sql"),
    include_str!("../migrations/0009_returns.sql"),
    include_str!("../migrations/0010_revoked.sql"),
    include_str!("../migrations/0011_statuses_duplicates.sql"),
    include_str!("../migrations/0012_relays.sql"),
    include_str!("../migrations/0013_claims.sql"),
    include_str!("../migrations/0014_merkle.sql"),
    include_str!("../migrations/0015_personal.sql"),
    include_str!("../migrations/0016_links.sql"),
    include_str!("../migrations/0017_accounts.sql"),
    include_str!("../migrations/0018_expenses.sql"),
    include_str!("../migrations/0019_report_approvals.sql"),
    include_str!("../migrations/0020_mail_read.sql"),
    include_str!("../migrations/0021_mail_answers.sql"),
];

/// One workspace's database: the one connection every read and every
/// transaction goes through.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: Clock,
}

/// What dates a writing transaction may carry (DESIGN.md "Time does not go
/// back"): never one before the journal's last entry; one after `today`
/// only in a replay workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// The machine's date in Brussels.
    pub today: NaiveDate,
    /// `[workspace] replay = true`: dates after `today` are allowed.
    pub replay: bool,
}

impl Clock {
    /// The machine's own date; `replay` as charte.toml says.
    pub fn new(replay: bool) -> Clock {
        Clock { today: crate::time::today(), replay }
    }

    /// Whether a change dated `at` may follow the journal's last entry,
    /// dated `last`; the refusal says what to do instead.
    pub fn check(&self, at: NaiveDate, last: Option<NaiveDate>) -> Result<()> {
        if let Some(last) = last
            && at < last
        {
            return Err(Error::Usage(format!(
                "the date {at} is before the journal's last entry ({last}): time does not go back, \
                 nothing was changed. Act on {last} or later (--now)."
            )));
        }
        if at > self.today && !self.replay {
            return Err(Error::Usage(format!(
                "the date {at} is after today ({}): nothing was changed. Only a replay workspace acts on a \
                 future date (charte.toml: [workspace] replay = true, written by `charte init --replay`); check --now or CHARTE_NOW.",
                self.today
            )));
        }
        Ok(())
    }
}

impl Store {
    /// Creates a new database file (refuses an existing one).
    pub fn create(path: &Path, clock: Clock) -> Result<Store> {
        if path.exists() {
            return Err(Error::usage(format!("{} already exists", path.display())));
        }
        Self::open_inner(path, true, clock)
    }

    /// Opens an existing database, applying the migrations it lacks.
    pub fn open(path: &Path, clock: Clock) -> Result<Store> {
        if !path.exists() {
            return Err(Error::usage(format!(
                "{} is missing: this folder is not a charte workspace (see `charte init`)",
                path.display()
            )));
        }
        Self::open_inner(path, false, clock)
    }

    fn open_inner(path: &Path, create: bool, clock: Clock) -> Result<Store> {
        let err = |e: rusqlite::Error| db_error(path, e);
        let flags = if create {
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
        } else {
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        let conn = Connection::open_with_flags(path, flags).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(err)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
            .map_err(err)?;
        let mut store = Store { conn, path: path.to_owned(), clock };
        store.migrate()?;
        Ok(store)
    }

    fn sql_err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |e| db_error(&self.path, e)
    }

    fn migrate(&mut self) -> Result<()> {
        let version: usize =
            self.conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).map_err(self.sql_err())? as usize;
        if version > MIGRATIONS.len() {
            return Err(Error::Usage(format!(
                "{}: its schema version is {version}, this charte knows versions up to {}: use a newer charte",
                self.path.display(),
                MIGRATIONS.len()
            )));
        }
        if version == MIGRATIONS.len() {
            return Ok(());
        }
        let path = self.path.clone();
        let err = |e: rusqlite::Error| db_error(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        for sql in &MIGRATIONS[version..] {
            tx.execute_batch(sql).map_err(err)?;
        }
        // Schema version 14 adds the Merkle tree: built here over the
        // entries already journaled (SQL cannot hash).
        if version < 14 {
            tree::build(&tx, &path)?;
        }
        tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64).map_err(err)?;
        tx.commit().map_err(err)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The dates this store's transactions may carry.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Refuses, before any work, what [`Store::transaction`] would refuse
    /// for a change dated `at` (so a command that writes files before its
    /// transaction changes nothing either).
    pub fn check_date(&self, at: NaiveDate) -> Result<()> {
        let last = self.date_span()?.map(|span| span.last);
        self.clock.check(at, last)
    }

    /// Runs `f` in one transaction dated `at`: the events it appends and the
    /// projections they update are committed together, or not at all. The
    /// date is checked against the journal's last entry under the write
    /// lock ([`Clock::check`]).
    pub fn transaction<T>(&mut self, at: NaiveDate, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let path = self.path.clone();
        let err = move |e: rusqlite::Error| db_error(&path, e);
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(&err)?;
        let (seq, hash, last) = tx
            .query_row("SELECT seq, hash, at FROM journal ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, Some(day(r, 2)?)))
            })
            .optional()
            .map_err(&err)?
            .unwrap_or((0, GENESIS.to_owned(), None));
        self.clock.check(at, last)?;
        let mut t = Tx { tx, seq, hash, at: at.format("%Y-%m-%d").to_string(), path: self.path.clone(), tree: None };
        let value = f(&mut t)?;
        t.tx.commit().map_err(&err)?;
        Ok(value)
    }
}

/// A transaction: appends events and updates the projections with them.
#[derive(Debug)]
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
    seq: i64,
    hash: String,
    at: String,
    path: PathBuf,
    /// The Merkle tree's frontier, read at the first append.
    tree: Option<crate::journal::merkle::Frontier>,
}

impl Tx<'_> {
    fn sql_err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |e| db_error(&self.path, e)
    }

    /// Appends one event to the journal and applies it to the projections.
    /// Returns its sequence number.
    pub fn append(&mut self, event: &Event) -> Result<i64> {
        let payload = serde_json::to_string(event)
            .map_err(|e| Error::internal(format!("cannot encode event {}: {e}", event.kind())))?;
        let seq = self.seq + 1;
        let kind = event.kind();
        let subject = event.subject();
        let hash = entry_hash(&self.hash, seq, &self.at, kind, &subject, &payload);
        self.tx
            .prepare_cached(
                "INSERT INTO journal (seq, at, kind, subject, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| s.execute(params![seq, self.at, kind, subject, payload, self.hash, hash]))
            .map_err(self.sql_err())?;
        let leaf = crate::journal::merkle::parse_hash(&hash)
            .ok_or_else(|| Error::internal(format!("entry {seq}'s hash is not 32 bytes")))?;
        let completed = self.frontier()?.push(&leaf);
        tree::store(&self.tx, &self.path, &completed)?;
        self.apply(seq, event)?;
        self.seq = seq;
        self.hash = hash;
        Ok(seq)
    }
}

/// SQLite's error in words a coordinator can act on: the workspace busy
/// with another writer past the wait is temporary (run again); anything
/// else is charte's own bug or a damaged file, named but never shown as
/// SQLite's raw text.
fn db_error(path: &Path, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode as C;
    let code = match &e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
        _ => None,
    };
    let (kind, message) = match code {
        Some(C::DatabaseBusy | C::DatabaseLocked) => (
            Kind::Temporary,
            "another charte command is writing to this workspace and did not finish in time; \
             nothing was changed by this one: run it again in a moment"
                .to_owned(),
        ),
        Some(C::DiskFull) => {
            (Kind::Temporary, "the disk is full: nothing was changed; free some space and run again".to_owned())
        }
        Some(C::ReadOnly | C::PermissionDenied | C::CannotOpen) => (
            Kind::Invalid,
            "the workspace's database cannot be opened for writing (check the folder's permissions)".to_owned(),
        ),
        Some(C::DatabaseCorrupt | C::NotADatabase) => (
            Kind::Internal,
            "this file is not a readable charte database (damaged?): restore it from a backup".to_owned(),
        ),
        Some(C::ConstraintViolation) => (
            Kind::Internal,
            format!("charte tried to record something twice or out of order; nothing was changed ({})", error_name(&e)),
        ),
        _ => (Kind::Internal, format!("charte could not use its database; nothing was changed ({})", error_name(&e))),
    };
    Error::Store { path: path.to_owned(), message, kind }
}

/// A short, stable name for a database error (for a bug report), not
/// SQLite's sentence (which names tables and columns).
fn error_name(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => format!("SQLite code {}", f.extended_code),
        rusqlite::Error::QueryReturnedNoRows => "no row".into(),
        rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..) => {
            "a stored value does not read".into()
        }
        _ => "database error".into(),
    }
}

/// A stored value that charte wrote and can no longer read.
fn corrupt(path: &Path, what: String) -> Error {
    Error::Store {
        path: path.to_owned(),
        message: format!("{what}: the database was changed outside charte?"),
        kind: Kind::Internal,
    }
}

/// A YYYY-MM-DD column.
fn day(r: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<NaiveDate> {
    let text: String = r.get(column)?;
    text.parse().map_err(|e| text_err(column, e))
}

/// A text column that does not hold what it should (a date, a status…).
fn text_err(column: usize, message: impl ToString) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.to_string().into())
}
