//! The SQLite store: the journal table and its projections. This is the only
//! module that speaks SQL; domain types go in and out, database types never
//! leave it.
//!
//! Schema migrations are SQL files embedded at compile time, tracked with
//! `PRAGMA user_version` and applied in one transaction; a database written
//! by a newer charte is refused rather than misread.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Break, ChainVerifier, Entry, Event, GENESIS, entry_hash};
use crate::error::{Error, Kind, Result};
use crate::governance::attendance::{Attendance, Presence};
use crate::governance::meeting::Meeting;
use crate::roster::{EnterpriseNumber, Member, Organisation};

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_meetings.sql"),
    include_str!("migrations/0003_messages.sql"),
    include_str!("migrations/0004_documents.sql"),
    include_str!("migrations/0005_adherences.sql"),
    include_str!("migrations/0006_flags.sql"),
    include_str!("migrations/0007_workflows.sql"),
    include_str!("migrations/0008_elections_events.sql"),
    include_str!("migrations/0009_returns.sql"),
    include_str!("migrations/0010_revoked.sql"),
    include_str!("migrations/0011_relays.sql"),
];

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

/// What `charte audit` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audit {
    Intact { entries: i64, head: String },
    Broken(Break),
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
        let last = self.date_span()?.map(|(_, last)| last);
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
        let mut t = Tx { tx, seq, hash, at: at.format("%Y-%m-%d").to_string(), path: self.path.clone() };
        let value = f(&mut t)?;
        t.tx.commit().map_err(&err)?;
        Ok(value)
    }

    /// Walks the whole chain; names the first broken entry.
    pub fn audit(&self) -> Result<Audit> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, kind, subject, payload, prev_hash, hash FROM journal ORDER BY seq")
            .map_err(self.sql_err())?;
        let mut rows = stmt.query([]).map_err(self.sql_err())?;
        let mut chain = ChainVerifier::default();
        while let Some(r) = rows.next().map_err(self.sql_err())? {
            let entry = Entry {
                seq: r.get(0).map_err(self.sql_err())?,
                at: r.get(1).map_err(self.sql_err())?,
                kind: r.get(2).map_err(self.sql_err())?,
                subject: r.get(3).map_err(self.sql_err())?,
                payload: r.get(4).map_err(self.sql_err())?,
                prev_hash: r.get(5).map_err(self.sql_err())?,
                hash: r.get(6).map_err(self.sql_err())?,
            };
            if let Err(b) = chain.check(&entry) {
                return Ok(Audit::Broken(b));
            }
        }
        Ok(Audit::Intact { entries: chain.count(), head: chain.head().to_owned() })
    }

    /// The last entry's sequence number and hash.
    pub fn head(&self) -> Result<(i64, String)> {
        Ok(self
            .conn
            .query_row("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(self.sql_err())?
            .unwrap_or((0, GENESIS.to_owned())))
    }

    /// The roster, ordered by name.
    pub fn members(&self) -> Result<Vec<Member>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {MEMBER_COLUMNS} FROM organisations ORDER BY name COLLATE NOCASE, enterprise_number"
            ))
            .map_err(self.sql_err())?;
        let rows = stmt.query_map([], member_from_row).map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }

    pub fn member(&self, number: &EnterpriseNumber) -> Result<Option<Member>> {
        self.conn
            .query_row(
                &format!("SELECT {MEMBER_COLUMNS} FROM organisations WHERE enterprise_number = ?1"),
                [number.digits()],
                member_from_row,
            )
            .optional()
            .map_err(self.sql_err())
    }

    /// Every meeting, by date; with the cancellation reason of cancelled ones.
    pub fn meetings(&self) -> Result<Vec<(Meeting, Option<String>)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, body, date, time, place, title, agenda, cancelled FROM meetings ORDER BY date, time, id",
            )
            .map_err(self.sql_err())?;
        let rows = stmt
            .query_map([], |r| {
                let conv = |i: usize, e: String| {
                    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
                };
                let date: String = r.get(2)?;
                let time: Option<String> = r.get(3)?;
                let agenda: String = r.get(6)?;
                Ok((
                    Meeting {
                        id: r.get(0)?,
                        body: r.get(1)?,
                        date: date.parse().map_err(|e: chrono::ParseError| conv(2, e.to_string()))?,
                        time: time
                            .map(|t| chrono::NaiveTime::parse_from_str(&t, "%H:%M"))
                            .transpose()
                            .map_err(|e| conv(3, e.to_string()))?,
                        place: r.get(4)?,
                        title: r.get(5)?,
                        agenda: serde_json::from_str(&agenda).map_err(|e| conv(6, e.to_string()))?,
                    },
                    r.get(7)?,
                ))
            })
            .map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }

    /// Every attendance line recorded.
    pub fn attendance(&self) -> Result<Vec<Attendance>> {
        Ok(self.attendance_entries()?.into_iter().map(|(a, _)| a).collect())
    }

    /// Every attendance line with the journal entry that recorded it last.
    pub fn attendance_entries(&self) -> Result<Vec<(Attendance, i64)>> {
        self.attendance_where("1", rusqlite::params![])
    }

    /// The attendance lines of one meeting.
    pub fn attendance_at(&self, meeting: &str) -> Result<Vec<Attendance>> {
        Ok(self.attendance_where("meeting = ?1", rusqlite::params![meeting])?.into_iter().map(|(a, _)| a).collect())
    }

    /// The attendance lines (with their journal entry) at the meetings of
    /// `bodies`, of any date, and at every meeting dated from `from` to
    /// `to`: what a year's figures and the absences rule read.
    pub fn attendance_entries_of(
        &self,
        bodies: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(Attendance, i64)>> {
        let bodies = serde_json::to_string(bodies).unwrap_or_else(|_| "[]".into());
        self.attendance_where(
            "meeting IN (SELECT id FROM meetings WHERE body IN (SELECT value FROM json_each(?1)) \
             OR date BETWEEN ?2 AND ?3)",
            rusqlite::params![bodies, from.to_string(), to.to_string()],
        )
    }

    fn attendance_where(&self, condition: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<(Attendance, i64)>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT meeting, enterprise_number, person, status, seq FROM attendance WHERE {condition} \
                 ORDER BY meeting, enterprise_number, person"
            ))
            .map_err(self.sql_err())?;
        let rows = stmt
            .query_map(params, |r| {
                let number: String = r.get(1)?;
                let status: String = r.get(3)?;
                Ok((
                    Attendance {
                        meeting: r.get(0)?,
                        enterprise_number: EnterpriseNumber::parse(&number).map_err(|e| text_err(1, e))?,
                        person: r.get(2)?,
                        status: status.parse::<Presence>().map_err(|e| text_err(3, e))?,
                    },
                    r.get(4)?,
                ))
            })
            .map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }

    /// The charter versions adopted with `charte charter adopt`, in journal order.
    pub fn charter_versions(&self) -> Result<Vec<crate::charter::Version>> {
        let payloads: Vec<String> =
            self.query("SELECT payload FROM journal WHERE kind = 'charter-adopted' ORDER BY seq", [], |r| r.get(0))?;
        let mut out = Vec::new();
        for payload in payloads {
            match serde_json::from_str::<Event>(&payload) {
                Ok(Event::CharterAdopted { version, adopted, .. }) => {
                    out.push(crate::charter::Version { label: version, adopted })
                }
                Ok(_) => {}
                Err(e) => return Err(corrupt(&self.path, format!("a charter-adopted entry does not read ({e})"))),
            }
        }
        Ok(out)
    }

    /// The dates on which an organisation's status became `former`.
    pub fn departures(&self) -> Result<Vec<NaiveDate>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at FROM journal WHERE kind = 'organisation-changed' \
                 AND json_extract(payload, '$.organisation.status') = 'former' \
                 AND EXISTS (SELECT 1 FROM json_each(payload, '$.changed') WHERE value = 'status') ORDER BY seq",
            )
            .map_err(self.sql_err())?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(self.sql_err())?;
        let mut out = Vec::new();
        for at in rows {
            let at = at.map_err(self.sql_err())?;
            out.push(at.parse().map_err(|e| corrupt(&self.path, format!("a journal date reads {at:?} ({e})")))?);
        }
        Ok(out)
    }

    /// The messages recorded for a purpose (e.g. "convocation"), with their state.
    pub fn messages(&self, purpose: &str) -> Result<Vec<MessageRecord>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT m.message_id, m.subject, m.enterprise_number, m.address, m.state, m.reason, m.seq, j.at \
                 FROM messages m JOIN journal j ON j.seq = m.seq WHERE m.purpose = ?1 ORDER BY m.seq",
            )
            .map_err(self.sql_err())?;
        let rows = stmt.query_map([purpose], message_row).map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }

    /// The state (intended, sent, bounced) of each message about `about`
    /// (a meeting or document id) for `purpose`, by Message-ID.
    pub fn message_states(&self, purpose: &str, about: &str) -> Result<std::collections::HashMap<String, String>> {
        self.query(
            "SELECT message_id, state FROM messages WHERE purpose = ?1 AND subject = ?2",
            [purpose, about],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Convocations sent with less notice than the rule.
    pub fn late_convocations(&self) -> Result<Vec<LateConvocation>> {
        let mut stmt = self
            .conn
            .prepare("SELECT meeting, reason, clear_days, required, at, seq FROM late_convocations ORDER BY seq")
            .map_err(self.sql_err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(LateConvocation {
                    meeting: r.get(0)?,
                    reason: r.get(1)?,
                    clear_days: r.get(2)?,
                    required: r.get(3)?,
                    at: r.get(4)?,
                    seq: r.get(5)?,
                })
            })
            .map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }

    /// Every document issued, oldest first.
    pub fn documents(&self) -> Result<Vec<IssuedDocument>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT document_id, kind, enterprise_number, charter_version, inputs_sha256, sha256, sealed_sha256, \
                 length, file, issued, seq FROM documents ORDER BY seq",
            )
            .map_err(self.sql_err())?;
        let rows = stmt
            .query_map([], |r| {
                let issued: String = r.get(9)?;
                Ok(IssuedDocument {
                    document_id: r.get(0)?,
                    kind: r.get(1)?,
                    enterprise_number: r.get(2)?,
                    charter_version: r.get(3)?,
                    inputs_sha256: r.get(4)?,
                    sha256: r.get(5)?,
                    sealed_sha256: r.get(6)?,
                    length: r.get(7)?,
                    file: r.get(8)?,
                    issued: issued.parse().map_err(|e: chrono::ParseError| {
                        rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, e.to_string().into())
                    })?,
                    seq: r.get(10)?,
                })
            })
            .map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }

    /// Every adherence that counts, oldest first: one per organisation and
    /// charter version, the first collected. (A journal written before
    /// duplicates were recognised may hold several `adherence-collected`
    /// for one organisation and version: the later ones count nowhere.)
    pub fn adherences(&self) -> Result<Vec<Adherence>> {
        Ok(self.adherence_history()?.into_iter().filter(|a| a.revoked.is_none()).collect())
    }

    /// Every adherence that counts or counted, oldest first, each with the
    /// day it stopped counting if its confirmation was revoked: what a
    /// day's figures read (it counted from `collected` to `revoked`).
    pub fn adherence_history(&self) -> Result<Vec<Adherence>> {
        let sql = format!(
            "SELECT {ADHERENCE_COLUMNS} FROM adherences a WHERE seq = (SELECT min(seq) FROM adherences b \
             WHERE b.enterprise_number = a.enterprise_number AND b.charter_version = a.charter_version \
             AND (b.revoked IS NULL) = (a.revoked IS NULL)) ORDER BY seq"
        );
        self.query(&sql, [], adherence_row)
    }

    /// Every return that waited for the coordinator's confirmation, by id
    /// (the waiting ones and those decided).
    pub fn returns(&self) -> Result<Vec<PendingReturn>> {
        self.query(&format!("SELECT {RETURN_COLUMNS} FROM returns ORDER BY id"), [], return_row)
    }

    /// Every returned file recorded as valid proof, counted or duplicate:
    /// its sha256 → its document id. Collecting one of them again is
    /// "already known".
    pub fn known_returns(&self) -> Result<HashMap<String, String>> {
        self.query(KNOWN_RETURNS, [], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    /// Breaches reported: (seq, enterprise number digits, about, date).
    pub fn breaches(&self) -> Result<Vec<(i64, String, String, String)>> {
        self.query("SELECT seq, enterprise_number, about, at FROM breaches ORDER BY seq", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
    }

    /// The committee's status of each flag, by key.
    pub fn flag_statuses(&self) -> Result<std::collections::HashMap<String, FlagStatus>> {
        self.query("SELECT key, status, note, at FROM flag_status", [], |r| {
            Ok((r.get(0)?, FlagStatus { status: r.get(1)?, note: r.get(2)?, at: r.get(3)? }))
        })
    }

    /// Runs a read query and maps each row (into a Vec, a HashMap…).
    fn query<T, C: FromIterator<T>>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<C> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.sql_err())?;
        let rows = stmt.query_map(params, f).map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<C>>().map_err(self.sql_err())
    }

    /// The dates of the journal's first and last entries (None for an empty journal).
    pub fn date_span(&self) -> Result<Option<(NaiveDate, NaiveDate)>> {
        let span: Vec<(NaiveDate, NaiveDate)> = self.query(
            "SELECT (SELECT at FROM journal ORDER BY seq LIMIT 1), (SELECT at FROM journal ORDER BY seq DESC LIMIT 1) \
             WHERE EXISTS (SELECT 1 FROM journal)",
            [],
            |r| Ok((day(r, 0)?, day(r, 1)?)),
        )?;
        Ok(span.into_iter().next())
    }

    /// The subjects of a workflow: id → (label, entered).
    pub fn workflow_subjects(&self, workflow: &str) -> Result<HashMap<String, (String, NaiveDate)>> {
        self.query("SELECT subject, label, entered FROM workflow_subjects WHERE workflow = ?1", [workflow], |r| {
            Ok((r.get(0)?, (r.get(1)?, day(r, 2)?)))
        })
    }

    /// The steps a workflow did, in journal order.
    pub fn workflow_steps(&self, workflow: &str) -> Result<Vec<StepRecord>> {
        self.query(
            "SELECT subject, step, attempt, at, outcome FROM workflow_steps WHERE workflow = ?1 ORDER BY seq",
            [workflow],
            |r| {
                Ok(StepRecord {
                    subject: r.get(0)?,
                    step: r.get(1)?,
                    attempt: r.get(2)?,
                    at: day(r, 3)?,
                    outcome: r.get(4)?,
                })
            },
        )
    }

    /// The last run of each workflow: name → (day, steps run).
    pub fn workflow_runs(&self) -> Result<HashMap<String, (NaiveDate, i64)>> {
        // In journal order: a later run replaces an earlier one in the map.
        self.query("SELECT workflow, at, steps FROM workflow_runs ORDER BY seq", [], |r| {
            Ok((r.get(0)?, (day(r, 1)?, r.get(2)?)))
        })
    }

    /// Flags raised by workflows' escalations, in journal order.
    pub fn raised_flags(&self) -> Result<Vec<RaisedFlag>> {
        self.query(
            "SELECT seq, rule, enterprise_number, subject, evidence, evidence_fr, evidence_nl, at \
             FROM raised_flags ORDER BY seq",
            [],
            |r| {
                Ok(RaisedFlag {
                    seq: r.get(0)?,
                    rule: r.get(1)?,
                    enterprise_number: r.get(2)?,
                    subject: r.get(3)?,
                    evidence: r.get(4)?,
                    evidence_fr: r.get(5)?,
                    evidence_nl: r.get(6)?,
                    at: day(r, 7)?,
                })
            },
        )
    }

    /// The steps of an election, in order; `None` when there is no such election.
    pub fn election_steps(&self, id: &str) -> Result<Option<Vec<crate::governance::election::Step>>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT payload FROM journal WHERE kind = 'election-recorded' AND subject = ?1 ORDER BY seq",
            )
            .map_err(self.sql_err())?;
        let rows = stmt.query_map([id], |r| r.get::<_, String>(0)).map_err(self.sql_err())?;
        let mut steps = Vec::new();
        for payload in rows {
            let payload = payload.map_err(self.sql_err())?;
            match serde_json::from_str::<Event>(&payload) {
                Ok(Event::ElectionRecorded { step, .. }) => steps.push(step),
                Ok(_) => {}
                Err(e) => {
                    return Err(corrupt(&self.path, format!("election {id}'s record does not read ({e})")));
                }
            }
        }
        Ok((!steps.is_empty()).then_some(steps))
    }

    /// The ids of the elections, oldest first.
    pub fn elections(&self) -> Result<Vec<String>> {
        self.query("SELECT id FROM elections ORDER BY seq", [], |r| r.get(0))
    }

    /// The seats filled by the latest election whose mandates have begun on `today`.
    pub fn elected_seats(&self, today: NaiveDate) -> Result<Vec<crate::config::Seat>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT person, enterprise_number, since, until, seq FROM elected_seats WHERE election = \
                 (SELECT election FROM elected_seats WHERE since <= ?1 ORDER BY seq DESC LIMIT 1) ORDER BY rowid",
            )
            .map_err(self.sql_err())?;
        let rows = stmt
            .query_map([today.to_string()], |r| {
                let number: String = r.get(1)?;
                let since: String = r.get(2)?;
                let until: Option<String> = r.get(3)?;
                Ok(crate::config::Seat {
                    person: r.get(0)?,
                    role: None,
                    kind: crate::config::SeatKind::Elected,
                    enterprise_number: EnterpriseNumber::parse(&number).map_err(|e| text_err(1, e))?,
                    since: Some(since.parse().map_err(|e| text_err(2, e))?),
                    until: until.map(|u| u.parse::<NaiveDate>()).transpose().map_err(|e| text_err(3, e))?,
                    recorded: Some(r.get(4)?),
                })
            })
            .map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }

    /// Every status an organisation was given (roster imports, signatures
    /// that made a participant a member, and revoked confirmations that
    /// undid it), by date then journal
    /// order: (date, enterprise number digits, status).
    pub fn status_history(&self) -> Result<Vec<(NaiveDate, String, crate::roster::Status)>> {
        Ok(self.status_entries()?.into_iter().map(|e| (e.at, e.enterprise_number, e.status)).collect())
    }

    /// Every status an organisation was given (declared in the roster, or
    /// given by a collected signature), with its journal entry, in order.
    pub fn status_entries(&self) -> Result<Vec<StatusEntry>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at, replace(en, '.', ''), status, seq FROM ( \
                   SELECT seq, at, json_extract(payload, '$.organisation.enterprise_number') AS en, \
                          json_extract(payload, '$.organisation.status') AS status \
                   FROM journal WHERE kind IN ('organisation-added', 'organisation-changed') \
                   UNION ALL \
                   SELECT seq, at, json_extract(payload, '$.adherence.enterprise_number'), \
                          json_extract(payload, '$.new_status') \
                   FROM journal WHERE kind IN ('adherence-collected', 'return-confirmed') \
                     AND json_extract(payload, '$.new_status') IS NOT NULL \
                   UNION ALL \
                   SELECT seq, at, json_extract(payload, '$.enterprise_number'), \
                          json_extract(payload, '$.restored_status') \
                   FROM journal WHERE kind = 'return-revoked' AND json_extract(payload, '$.restored_status') IS NOT NULL \
                 ) ORDER BY at, seq",
            )
            .map_err(self.sql_err())?;
        let rows = stmt
            .query_map([], |r| {
                let at: String = r.get(0)?;
                let status: String = r.get(2)?;
                Ok(StatusEntry {
                    at: at.parse().map_err(|e| text_err(0, e))?,
                    enterprise_number: r.get(1)?,
                    status: status.parse().map_err(|e| text_err(2, e))?,
                    seq: r.get(3)?,
                })
            })
            .map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }

    /// The network's events and actions, by date.
    pub fn actions(&self) -> Result<Vec<crate::actions::Action>> {
        let mut stmt = self
            .conn
            .prepare("SELECT date, kind, title, participants FROM actions ORDER BY date, key")
            .map_err(self.sql_err())?;
        let rows = stmt
            .query_map([], |r| {
                let date: String = r.get(0)?;
                let kind: String = r.get(1)?;
                Ok(crate::actions::Action {
                    date: date.parse().map_err(|e| text_err(0, e))?,
                    kind: kind.parse().map_err(|e| text_err(1, e))?,
                    title: r.get(2)?,
                    participants: r.get(3)?,
                })
            })
            .map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }

    /// The journal entries about one subject, oldest first.
    pub fn entries_about(&self, subject: &str) -> Result<Vec<Entry>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, at, kind, subject, payload, prev_hash, hash FROM journal WHERE subject = ?1 ORDER BY seq",
            )
            .map_err(self.sql_err())?;
        let rows = stmt
            .query_map([subject], |r| {
                Ok(Entry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    kind: r.get(2)?,
                    subject: r.get(3)?,
                    payload: r.get(4)?,
                    prev_hash: r.get(5)?,
                    hash: r.get(6)?,
                })
            })
            .map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }
}

/// A YYYY-MM-DD column.
fn day(r: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<NaiveDate> {
    let text: String = r.get(column)?;
    text.parse().map_err(|e| text_err(column, e))
}

/// One step a workflow did for a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub subject: String,
    pub step: String,
    pub attempt: u32,
    pub at: NaiveDate,
    pub outcome: String,
}

/// A flag a workflow raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaisedFlag {
    pub seq: i64,
    pub rule: String,
    pub enterprise_number: String,
    pub subject: String,
    pub evidence: String,
    pub evidence_fr: String,
    pub evidence_nl: String,
    pub at: NaiveDate,
}

/// A status an organisation was given, and the journal entry that gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub at: NaiveDate,
    /// 10 digits.
    pub enterprise_number: String,
    pub status: crate::roster::Status,
    pub seq: i64,
}

/// A message as the journal knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub message_id: String,
    /// What it is about: a meeting id, a document id.
    pub about: String,
    pub enterprise_number: String,
    pub address: String,
    /// intended, sent or bounced.
    pub state: String,
    pub reason: Option<String>,
    pub seq: i64,
    /// The date of its last state change.
    pub at: String,
}

/// A sealed document as the journal recorded its issue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IssuedDocument {
    pub document_id: String,
    pub kind: String,
    /// The organisation's 10 digits.
    pub enterprise_number: String,
    pub charter_version: String,
    pub inputs_sha256: String,
    pub sha256: String,
    pub sealed_sha256: String,
    pub length: i64,
    /// Relative to the workspace.
    pub file: String,
    pub issued: NaiveDate,
    /// Filled in by the store (0 in a new event).
    #[serde(default)]
    pub seq: i64,
}

/// How the committee handles a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagStatus {
    /// open, put-to-committee or resolved.
    pub status: String,
    pub note: Option<String>,
    pub at: String,
}

/// The columns [`adherence_row`] reads, in its order.
const ADHERENCE_COLUMNS: &str = "file_sha256, document_id, enterprise_number, charter_version, method, signer, signed, \
                                 sealed_sha256, details, at, revoked";

fn adherence_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Adherence> {
    let details: String = r.get(8)?;
    Ok(Adherence {
        file_sha256: r.get(0)?,
        document_id: r.get(1)?,
        enterprise_number: r.get(2)?,
        charter_version: r.get(3)?,
        method: r.get(4)?,
        signer: r.get(5)?,
        signed: r.get(6)?,
        sealed_sha256: r.get(7)?,
        details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
        collected: r.get(9)?,
        revoked: r.get(10)?,
    })
}

/// The returned files recorded: those collected (the `adherences` table),
/// those that waited for the coordinator's confirmation (`returns`, whatever
/// was decided) and the duplicates, which have no table of their own: they
/// change no projection, so the journal is where they are read.
const KNOWN_RETURNS: &str = "SELECT file_sha256, document_id FROM adherences UNION ALL \
     SELECT file_sha256, document_id FROM returns UNION ALL \
     SELECT json_extract(payload, '$.adherence.file_sha256'), json_extract(payload, '$.adherence.document_id') \
     FROM journal WHERE kind = 'duplicate'";

/// A return that waited (or waits) for the coordinator's confirmation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PendingReturn {
    /// `charte returns confirm ID`: the seq of its return-pending entry.
    pub id: i64,
    pub file: String,
    pub adherence: Adherence,
    /// Why it waits.
    pub reason: String,
    /// waiting, confirmed, rejected or revoked.
    pub state: String,
    pub received: String,
    /// The day of the last decision, if any.
    pub decided: Option<String>,
    /// The reason given for a rejection or a revocation.
    pub note: Option<String>,
    /// The status the confirmation gave, if any.
    pub new_status: Option<crate::roster::Status>,
}

const RETURN_COLUMNS: &str = "id, file, adherence, reason, state, received, decided, note, new_status";

fn return_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PendingReturn> {
    let adherence: String = r.get(2)?;
    let new_status: Option<String> = r.get(8)?;
    Ok(PendingReturn {
        id: r.get(0)?,
        file: r.get(1)?,
        adherence: serde_json::from_str(&adherence).map_err(|e| text_err(2, e))?,
        reason: r.get(3)?,
        state: r.get(4)?,
        received: r.get(5)?,
        decided: r.get(6)?,
        note: r.get(7)?,
        new_status: new_status.map(|s| s.parse()).transpose().map_err(|e: String| text_err(8, e))?,
    })
}

/// A signed adherence, as collected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Adherence {
    pub file_sha256: String,
    pub document_id: String,
    /// The organisation's 10 digits.
    pub enterprise_number: String,
    pub charter_version: String,
    /// own-key, pades or scan.
    pub method: String,
    pub signer: String,
    pub signed: Option<String>,
    pub sealed_sha256: String,
    pub details: serde_json::Value,
    /// The day it was collected (filled in by the store).
    #[serde(default)]
    pub collected: String,
    /// The day its confirmation was revoked, after which it counts no more
    /// (filled in by the store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
}

/// A convocation sent with less notice than the body's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateConvocation {
    pub meeting: String,
    pub reason: String,
    pub clear_days: i64,
    pub required: i64,
    pub at: String,
    pub seq: i64,
}

/// A text column that does not hold what it should (a date, a status…).
fn text_err(column: usize, message: impl ToString) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.to_string().into())
}

const MEMBER_COLUMNS: &str = "enterprise_number, name, email, language, status, representative, \
     representative_email, address, sectors, public_key, signed_version";

fn member_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Member> {
    let number: String = r.get(0)?;
    let sectors: String = r.get(8)?;
    let language: String = r.get(3)?;
    let status: String = r.get(4)?;
    Ok(Member {
        organisation: Organisation {
            enterprise_number: EnterpriseNumber::parse(&number).map_err(|e| text_err(0, e))?,
            name: r.get(1)?,
            email: r.get(2)?,
            language: language.parse().map_err(|e| text_err(3, e))?,
            status: status.parse().map_err(|e| text_err(4, e))?,
            representative: r.get(5)?,
            representative_email: r.get(6)?,
            address: r.get(7)?,
            sectors: serde_json::from_str(&sectors).map_err(|e| text_err(8, e))?,
        },
        public_key: r.get(9)?,
        signed_version: r.get(10)?,
    })
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

/// A transaction: appends events and updates the projections with them.
#[derive(Debug)]
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
    seq: i64,
    hash: String,
    at: String,
    path: PathBuf,
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
        self.apply(seq, event)?;
        self.seq = seq;
        self.hash = hash;
        Ok(seq)
    }

    /// The document id of a returned file already recorded (collected or
    /// duplicate), read under the write lock so that two collections of
    /// the same file never both record it.
    pub fn known_return(&self, file_sha256: &str) -> Result<Option<String>> {
        let sql = format!("SELECT document_id FROM ({KNOWN_RETURNS}) WHERE file_sha256 = ?1 LIMIT 1");
        self.tx.query_row(&sql, [file_sha256], |r| r.get(0)).optional().map_err(self.sql_err())
    }

    /// The adherence that counts for this organisation (10 digits) and
    /// charter version, if one was collected; read under the write lock.
    pub fn counted_adherence(&self, enterprise_number: &str, charter_version: &str) -> Result<Option<Adherence>> {
        let sql = format!(
            "SELECT {ADHERENCE_COLUMNS} FROM adherences WHERE enterprise_number = ?1 AND charter_version = ?2 \
             AND revoked IS NULL ORDER BY seq LIMIT 1"
        );
        self.tx.query_row(&sql, [enterprise_number, charter_version], adherence_row).optional().map_err(self.sql_err())
    }

    /// An organisation's status (10 digits), read under the write lock.
    pub fn status_of(&self, enterprise_number: &str) -> Result<Option<crate::roster::Status>> {
        let status: Option<String> = self
            .tx
            .query_row("SELECT status FROM organisations WHERE enterprise_number = ?1", [enterprise_number], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.sql_err())?;
        status.map(|s| s.parse().map_err(|e: String| Error::internal(e))).transpose()
    }

    /// A return that waited for confirmation, by id; read under the write
    /// lock, so that two decisions on it are never both taken.
    pub fn pending_return(&self, id: i64) -> Result<Option<PendingReturn>> {
        let sql = format!("SELECT {RETURN_COLUMNS} FROM returns WHERE id = ?1");
        self.tx.query_row(&sql, [id], return_row).optional().map_err(self.sql_err())
    }

    /// Records an adherence that counts from entry `seq` (collected, or a
    /// pending return confirmed), and what it changes on the roster.
    fn insert_adherence(&self, seq: i64, a: &Adherence, new_status: Option<crate::roster::Status>) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO adherences (file_sha256, document_id, enterprise_number, charter_version, method, \
                 signer, signed, sealed_sha256, details, at, seq) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    a.file_sha256,
                    a.document_id,
                    a.enterprise_number,
                    a.charter_version,
                    a.method,
                    a.signer,
                    a.signed,
                    a.sealed_sha256,
                    a.details.to_string(),
                    self.at,
                    seq
                ],
            )
            .map_err(self.sql_err())?;
        // The latest version signed; versions are labels that sort by date ("2022-02").
        self.tx
            .execute(
                "UPDATE organisations SET signed_version = ?2, last_seq = ?3 WHERE enterprise_number = ?1 \
                 AND (signed_version IS NULL OR signed_version < ?2)",
                params![a.enterprise_number, a.charter_version, seq],
            )
            .map_err(self.sql_err())?;
        if let Some(status) = new_status {
            self.tx
                .execute(
                    "UPDATE organisations SET status = ?2 WHERE enterprise_number = ?1",
                    params![a.enterprise_number, status.code()],
                )
                .map_err(self.sql_err())?;
        }
        Ok(())
    }

    /// The projection: how each event changes the derived tables.
    fn apply(&self, seq: i64, event: &Event) -> Result<()> {
        match event {
            Event::OrganisationAdded { organisation: o } | Event::OrganisationChanged { organisation: o, .. } => {
                let sectors = serde_json::to_string(&o.sectors).unwrap_or_else(|_| "[]".into());
                self.tx
                    .prepare_cached(
                        "INSERT INTO organisations (enterprise_number, name, email, language, status, representative, \
                         representative_email, address, sectors, first_seq, last_seq) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) \
                         ON CONFLICT (enterprise_number) DO UPDATE SET name = excluded.name, email = excluded.email, \
                         language = excluded.language, status = excluded.status, \
                         representative = excluded.representative, representative_email = excluded.representative_email, \
                         address = excluded.address, sectors = excluded.sectors, last_seq = excluded.last_seq",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            o.enterprise_number.digits(),
                            o.name,
                            o.email,
                            o.language.code(),
                            o.status.code(),
                            o.representative,
                            o.representative_email,
                            o.address,
                            sectors,
                            seq
                        ])
                    })
                    .map_err(self.sql_err())?;
            }
            Event::MeetingAdded { meeting: m } => {
                let agenda = serde_json::to_string(&m.agenda).unwrap_or_else(|_| "[]".into());
                self.tx
                    .prepare_cached(
                        "INSERT INTO meetings (id, body, date, time, place, title, agenda, seq) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            m.id,
                            m.body,
                            m.date.to_string(),
                            m.time.map(|t| t.format("%H:%M").to_string()),
                            m.place,
                            m.title,
                            agenda,
                            seq
                        ])
                    })
                    .map_err(self.sql_err())?;
            }
            Event::MeetingCancelled { meeting, reason } => {
                self.tx
                    .execute(
                        "UPDATE meetings SET cancelled = ?2, seq = ?3 WHERE id = ?1",
                        params![meeting, reason, seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::AttendanceRecorded { attendance: a } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO attendance (meeting, enterprise_number, person, status, seq) \
                         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (meeting, enterprise_number, person) \
                         DO UPDATE SET status = excluded.status, seq = excluded.seq",
                    )
                    .and_then(|mut s| {
                        s.execute(params![a.meeting, a.enterprise_number.digits(), a.person, a.status.code(), seq])
                    })
                    .map_err(self.sql_err())?;
            }
            Event::ConvocationLate { meeting, reason, clear_days, required } => {
                self.tx
                    .execute(
                        "INSERT OR REPLACE INTO late_convocations (meeting, reason, clear_days, required, at, seq) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![meeting, reason, clear_days, required, self.at, seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::MessageIntended { message_id, purpose, about, enterprise_number, address } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO messages (message_id, purpose, subject, enterprise_number, address, state, seq) \
                         VALUES (?1, ?2, ?3, ?4, ?5, 'intended', ?6) \
                         ON CONFLICT (message_id) DO UPDATE SET seq = excluded.seq",
                    )
                    .and_then(|mut s| s.execute(params![message_id, purpose, about, enterprise_number, address, seq]))
                    .map_err(self.sql_err())?;
            }
            Event::MessageSent { message_id } => {
                self.tx
                    .prepare_cached("UPDATE messages SET state = 'sent', seq = ?2 WHERE message_id = ?1")
                    .and_then(|mut s| s.execute(params![message_id, seq]))
                    .map_err(self.sql_err())?;
            }
            Event::MessageBounced { message_id, reason } => {
                self.tx
                    .prepare_cached(
                        "UPDATE messages SET state = 'bounced', reason = ?2, seq = ?3 WHERE message_id = ?1",
                    )
                    .and_then(|mut s| s.execute(params![message_id, reason, seq]))
                    .map_err(self.sql_err())?;
            }
            Event::MessageRelayIntended { .. } | Event::MessageRelayed { .. } | Event::MessageRelayBounced { .. } => {
                self.apply_relay(seq, event)?;
            }
            Event::DocumentIssued { document } => {
                let d = document;
                self.tx
                    .prepare_cached(
                        "INSERT INTO documents (document_id, kind, enterprise_number, charter_version, inputs_sha256, \
                         sha256, sealed_sha256, length, file, issued, seq) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            d.document_id,
                            d.kind,
                            d.enterprise_number,
                            d.charter_version,
                            d.inputs_sha256,
                            d.sha256,
                            d.sealed_sha256,
                            d.length,
                            d.file,
                            d.issued.to_string(),
                            seq
                        ])
                    })
                    .map_err(self.sql_err())?;
            }
            Event::KeyRegistered { enterprise_number, public_key, .. } => {
                self.tx
                    .execute(
                        "UPDATE organisations SET public_key = ?2, last_seq = ?3 WHERE enterprise_number = ?1",
                        params![enterprise_number, public_key, seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::AdherenceCollected { adherence: a, new_status } => self.insert_adherence(seq, a, *new_status)?,
            Event::ReturnPending { file, adherence: a, reason } => {
                let adherence = serde_json::to_string(a)
                    .map_err(|e| Error::internal(format!("cannot encode a pending return: {e}")))?;
                self.tx
                    .execute(
                        "INSERT INTO returns (id, file, file_sha256, document_id, enterprise_number, charter_version, \
                         adherence, reason, state, received, seq) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'waiting', ?9, ?1)",
                        params![
                            seq,
                            file,
                            a.file_sha256,
                            a.document_id,
                            a.enterprise_number,
                            a.charter_version,
                            adherence,
                            reason,
                            self.at
                        ],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::ReturnConfirmed { id, adherence: a, new_status } => {
                self.insert_adherence(seq, a, *new_status)?;
                self.tx
                    .execute(
                        "UPDATE returns SET state = 'confirmed', decided = ?2, new_status = ?3, seq = ?4 WHERE id = ?1",
                        params![id, self.at, new_status.map(|s| s.code()), seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::ReturnRejected { id, reason, .. } => {
                self.tx
                    .execute(
                        "UPDATE returns SET state = 'rejected', decided = ?2, note = ?3, seq = ?4 WHERE id = ?1",
                        params![id, self.at, reason, seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::ReturnRevoked { id, enterprise_number, file_sha256, reason, restored_status, .. } => {
                // The adherence stops counting from this day on; the days it
                // counted stay as they were (a past year's figures too).
                self.tx
                    .execute(
                        "UPDATE adherences SET revoked = ?2 WHERE file_sha256 = ?1",
                        params![file_sha256, self.at],
                    )
                    .map_err(self.sql_err())?;
                self.tx
                    .execute(
                        "UPDATE organisations SET signed_version = (SELECT max(charter_version) FROM adherences \
                         WHERE enterprise_number = ?1 AND revoked IS NULL), status = coalesce(?2, status), last_seq = ?3 \
                         WHERE enterprise_number = ?1",
                        params![enterprise_number, restored_status.map(|s| s.code()), seq],
                    )
                    .map_err(self.sql_err())?;
                self.tx
                    .execute(
                        "UPDATE returns SET state = 'revoked', decided = ?2, note = ?3, seq = ?4 WHERE id = ?1",
                        params![id, self.at, reason, seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::BreachReported { enterprise_number, about } => {
                self.tx
                    .execute(
                        "INSERT INTO breaches (seq, enterprise_number, about, at) VALUES (?1, ?2, ?3, ?4)",
                        params![seq, enterprise_number, about, self.at],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::FlagStatusChanged { key, status, note } => {
                self.tx
                    .execute(
                        "INSERT OR REPLACE INTO flag_status (key, status, note, at, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![key, status, note, self.at, seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::SubjectEntered { workflow, subject, label } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO workflow_subjects (workflow, subject, label, entered, seq) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .and_then(|mut s| s.execute(params![workflow, subject, label, self.at, seq]))
                    .map_err(self.sql_err())?;
            }
            Event::StepDone { workflow, subject, step, attempt, outcome, .. } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO workflow_steps (workflow, subject, step, attempt, outcome, at, seq) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )
                    .and_then(|mut s| s.execute(params![workflow, subject, step, attempt, outcome, self.at, seq]))
                    .map_err(self.sql_err())?;
            }
            Event::FlagRaised { rule, enterprise_number, subject, evidence, evidence_fr, evidence_nl } => {
                self.tx
                    .execute(
                        "INSERT INTO raised_flags (seq, rule, enterprise_number, subject, evidence, evidence_fr, \
                         evidence_nl, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![seq, rule, enterprise_number, subject, evidence, evidence_fr, evidence_nl, self.at],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::WorkflowRun { workflow, steps } => {
                self.tx
                    .execute(
                        "INSERT INTO workflow_runs (seq, workflow, steps, at) VALUES (?1, ?2, ?3, ?4)",
                        params![seq, workflow, *steps as i64, self.at],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::ElectionRecorded { election, step } => self.apply_election(seq, election, step)?,
            Event::ActionRecorded { action: a } => {
                self.tx
                    .execute(
                        "INSERT INTO actions (date, key, title, kind, participants, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                         ON CONFLICT (date, key) DO UPDATE SET title = excluded.title, kind = excluded.kind, \
                         participants = excluded.participants, seq = excluded.seq",
                        params![a.date.to_string(), a.key().1, a.title, a.kind.code(), a.participants, seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::WorkspaceCreated { .. }
            | Event::ReturnRefused { .. }
            | Event::RosterImported { .. }
            | Event::DecisionRecorded { .. }
            | Event::CharterAdopted { .. }
            // A duplicate changes no table: the file is known through the
            // journal (KNOWN_RETURNS), and it counts nowhere.
            | Event::Duplicate { .. }
            | Event::Note { .. } => {}
        }
        Ok(())
    }

    fn apply_election(&self, seq: i64, id: &str, step: &crate::governance::election::Step) -> Result<()> {
        use crate::governance::election::Step;
        match step {
            Step::Opened { meeting, date, seats, .. } => {
                self.tx
                    .execute(
                        "INSERT INTO elections (id, meeting, date, seats, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![id, meeting, date.to_string(), seats, seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Step::Voted { elected, .. } => {
                for s in elected {
                    self.tx
                        .execute(
                            "INSERT INTO elected_seats (election, person, enterprise_number, since, until, seq) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                            params![
                                id,
                                s.person,
                                s.enterprise_number.digits(),
                                s.since.to_string(),
                                s.until.map(|u| u.to_string()),
                                seq
                            ],
                        )
                        .map_err(self.sql_err())?;
                }
            }
            Step::Round { .. } | Step::Proposed { .. } | Step::Objected { .. } | Step::Resolved { .. } => {}
        }
        Ok(())
    }
}

// Messages sent on from the outbox (`charte outbox send`): the relays
// table of migration 0011, and the reads the send loop decides on.

/// A message the journal knows, with its purpose and, once it was sent on
/// from the outbox, that relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMessage {
    pub purpose: String,
    pub message: MessageRecord,
    pub relay: Option<RelayRecord>,
}

/// A message's relay through `[mail.smtp]`, as the journal knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayRecord {
    /// intended, relayed or bounced.
    pub state: String,
    pub reason: Option<String>,
    /// The date of its last state change.
    pub at: String,
}

impl Store {
    /// Every message the journal knows, in the order they were last
    /// recorded, each with its relay if it was sent on.
    pub fn known_messages(&self) -> Result<Vec<KnownMessage>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT m.message_id, m.subject, m.enterprise_number, m.address, m.state, m.reason, m.seq, j.at, \
                 m.purpose, r.state, r.reason, rj.at \
                 FROM messages m JOIN journal j ON j.seq = m.seq \
                 LEFT JOIN relays r ON r.message_id = m.message_id LEFT JOIN journal rj ON rj.seq = r.seq \
                 ORDER BY m.seq",
            )
            .map_err(self.sql_err())?;
        let rows = stmt
            .query_map([], |r| {
                let relay = match r.get::<_, Option<String>>(9)? {
                    Some(state) => Some(RelayRecord { state, reason: r.get(10)?, at: r.get(11)? }),
                    None => None,
                };
                Ok(KnownMessage { purpose: r.get(8)?, message: message_row(r)?, relay })
            })
            .map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(self.sql_err())
    }

    /// The relay state (intended, relayed, bounced) of each of `ids` that
    /// has one.
    pub fn relay_states(&self, ids: &[&str]) -> Result<HashMap<String, String>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT state FROM relays WHERE message_id = ?1").map_err(self.sql_err())?;
        let mut out = HashMap::new();
        for id in ids {
            if let Some(state) = stmt.query_row([id], |r| r.get::<_, String>(0)).optional().map_err(self.sql_err())? {
                out.insert((*id).to_owned(), state);
            }
        }
        Ok(out)
    }
}

/// A [`MessageRecord`] from columns 0 to 7: message_id, subject, enterprise_number,
/// address, state, reason, seq, and the journal's `at` of that seq.
fn message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRecord> {
    Ok(MessageRecord {
        message_id: r.get(0)?,
        about: r.get(1)?,
        enterprise_number: r.get(2)?,
        address: r.get(3)?,
        state: r.get(4)?,
        reason: r.get(5)?,
        seq: r.get(6)?,
        at: r.get(7)?,
    })
}

impl Tx<'_> {
    /// A message's state (intended, sent, bounced), read under the write
    /// lock: whether to hand it over is decided here, so two runs never
    /// both send it.
    pub fn message_state(&self, message_id: &str) -> Result<Option<String>> {
        self.tx
            .query_row("SELECT state FROM messages WHERE message_id = ?1", [message_id], |r| r.get(0))
            .optional()
            .map_err(self.sql_err())
    }

    /// A message's relay state (intended, relayed, bounced), read under the
    /// write lock, as [`Tx::message_state`].
    pub fn relay_state(&self, message_id: &str) -> Result<Option<String>> {
        self.tx
            .query_row("SELECT state FROM relays WHERE message_id = ?1", [message_id], |r| r.get(0))
            .optional()
            .map_err(self.sql_err())
    }

    /// The projection of the relay events.
    fn apply_relay(&self, seq: i64, event: &Event) -> Result<()> {
        let result = match event {
            Event::MessageRelayIntended { message_id, sha256 } => self.tx.execute(
                "INSERT INTO relays (message_id, state, sha256, seq) VALUES (?1, 'intended', ?2, ?3)",
                params![message_id, sha256, seq],
            ),
            Event::MessageRelayed { message_id } => self.tx.execute(
                "UPDATE relays SET state = 'relayed', seq = ?2 WHERE message_id = ?1",
                params![message_id, seq],
            ),
            Event::MessageRelayBounced { message_id, reason } => self.tx.execute(
                "UPDATE relays SET state = 'bounced', reason = ?2, seq = ?3 WHERE message_id = ?1",
                params![message_id, reason, seq],
            ),
            _ => Ok(0),
        };
        result.map(|_| ()).map_err(self.sql_err())
    }
}
