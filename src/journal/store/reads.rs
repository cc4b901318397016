//! The read API: every query the store answers, each with the domain's own
//! types (a [`MeetingRecord`], a [`MessageRecord`] with its
//! [`MessageState`], a [`FlagStatus`]), never a database row or a tuple,
//! and always from a projection, never by picking fields out of the
//! events' JSON with SQL. (An election's steps and the charter's versions
//! are read as their own events, whole: the events are their record.)
//! Together they are what a second backend would implement, behind one
//! trait, for the rest of charte to run on it unchanged.
//!
//! The reads are grouped by the domain they serve; the last group reads
//! inside a writing transaction ([`Tx`]), under its lock, what a decision
//! must see as it is (a return already recorded, an adherence that counts).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::personal::resolved;
use super::{Audit, DateSpan, Head, Store, TreeHead, Tx, corrupt, day, text_err};
use crate::collect::{Adherence, KnownReturn, PendingReturn};
use crate::delivery::{KnownMessage, MessageRecord, MessageState, RelayRecord, RelayState};
use crate::documents::IssuedDocument;
use crate::error::{Error, Result};
use crate::flags::{Breach, FlagMark, FlagStatus, RaisedFlag};
use crate::governance::attendance::{Attendance, AttendanceRecord};
use crate::governance::convoke::LateConvocation;
use crate::governance::meeting::{Meeting, MeetingRecord};
use crate::journal::merkle::{self, Frontier, Hash, STORED_LEVEL};
use crate::journal::{ChainVerifier, Entry, Event, GENESIS};
use crate::links::Link;
use crate::report::Approval;
use crate::report::expenses::{Expense, ExpenseImport};
use crate::roster::{EnterpriseNumber, Member, Organisation, StatusEntry};
use crate::workflow::{LastRun, RunRecord, StepRecord, SubjectRecord};

/// A stored subtree that is not the one the chain gives.
fn tree_difference(level: u32, index: u64, seq: i64) -> String {
    let first = (index << level) + 1;
    format!(
        "the Merkle tree stored beside the journal differs from the chain at the subtree of entries {first} to {seq}: \
         the database was changed outside charte; restore it from a backup"
    )
}

/// The journal itself.
impl Store {
    /// Walks the whole chain; names the first broken entry. Along the
    /// way, recomputes the Merkle tree and compares the subtrees stored
    /// with it, and notes its root at each of `sizes`; `checkpoints` then
    /// judges those roots (the tree's size and the roots at `sizes` that
    /// the journal reaches) and names the first checkpoint they
    /// contradict. Then replays the journal and compares the derived
    /// tables ([`Store::check_projections`]); names the first difference.
    pub fn audit(
        &self,
        sizes: &BTreeSet<u64>,
        checkpoints: impl FnOnce(u64, &BTreeMap<u64, Hash>) -> Option<String>,
    ) -> Result<Audit> {
        // One read transaction for the chain, the replay and every table
        // compared: they all see the same state, even while another
        // command writes (WAL), so a write committed meanwhile is never
        // taken for a change made outside charte. Rolled back when dropped
        // (it reads only).
        let _snapshot = self.conn.unchecked_transaction().map_err(self.sql_err())?;
        let mut stored = self.stored_subtrees()?;
        let mut stmt =
            self.conn.prepare(&format!("SELECT {ENTRY_COLUMNS} FROM journal ORDER BY seq")).map_err(self.sql_err())?;
        let mut rows = stmt.query([]).map_err(self.sql_err())?;
        let mut chain = ChainVerifier::default();
        let mut tree = Frontier::default();
        let mut roots = BTreeMap::new();
        // One entry at a time: a journal of millions of entries is never
        // held in memory.
        while let Some(r) = rows.next().map_err(self.sql_err())? {
            let entry = entry_row(r).map_err(self.sql_err())?;
            if let Err(b) = chain.check(&entry) {
                return Ok(Audit::Broken(b));
            }
            let leaf = merkle::parse_hash(&entry.hash)
                .ok_or_else(|| corrupt(&self.path, format!("journal entry {}'s hash does not read", entry.seq)))?;
            for node in tree.push(&leaf).into_iter().filter(|n| n.level >= STORED_LEVEL) {
                if stored.remove(&(node.level, node.index)) != Some(node.hash) {
                    return Ok(Audit::Tree(tree_difference(node.level, node.index, entry.seq)));
                }
            }
            if sizes.contains(&tree.size()) {
                roots.insert(tree.size(), tree.root());
            }
        }
        if let Some(&(level, index)) = stored.keys().next() {
            return Ok(Audit::Tree(format!(
                "the Merkle tree stored beside the journal holds subtree {level}/{index}, which no entry of the \
                 journal makes: the database was changed outside charte; restore it from a backup"
            )));
        }
        if let Some(contradiction) = checkpoints(tree.size(), &roots) {
            return Ok(Audit::Checkpoint(contradiction));
        }
        let tables = match self.check_projections()? {
            (_, Some(d)) => return Ok(Audit::Differs(d)),
            (tables, None) => tables,
        };
        Ok(match self.check_personal()? {
            Err(fault) => Audit::Personal(fault),
            Ok(personal) => Audit::Intact {
                entries: chain.count(),
                head: chain.head().to_owned(),
                tree: TreeHead { size: tree.size(), root: tree.root() },
                tables,
                personal,
            },
        })
    }

    /// Every subtree stored in `merkle_nodes`, by (level, index).
    fn stored_subtrees(&self) -> Result<HashMap<(u32, u64), Hash>> {
        let rows: Vec<((u32, u64), Vec<u8>)> = self.query("SELECT level, idx, hash FROM merkle_nodes", [], |r| {
            Ok(((r.get::<_, i64>(0)? as u32, r.get::<_, i64>(1)? as u64), r.get(2)?))
        })?;
        Ok(rows.into_iter().map(|(k, h)| (k, Hash::try_from(h).unwrap_or([0; 32]))).collect())
    }

    /// The last entry (for an empty journal, seq 0 and [`GENESIS`]).
    pub fn head(&self) -> Result<Head> {
        head_of(&self.conn, &self.path)
    }

    /// The dates of the journal's first and last entries (None for an empty journal).
    pub fn date_span(&self) -> Result<Option<DateSpan>> {
        let span: Vec<DateSpan> = self.query(
            "SELECT (SELECT at FROM journal ORDER BY seq LIMIT 1), (SELECT at FROM journal ORDER BY seq DESC LIMIT 1) \
             WHERE EXISTS (SELECT 1 FROM journal)",
            [],
            |r| Ok(DateSpan { first: day(r, 0)?, last: day(r, 1)? }),
        )?;
        Ok(span.into_iter().next())
    }

    /// The last checkpoint the journal records (`checkpoint-made`): its
    /// entry, which is the last the checkpoint covers (so its seq is the
    /// checkpoint's tree size), and its day. Read through the index on
    /// the entries' kind: one row, however long the journal.
    pub fn last_checkpoint(&self) -> Result<Option<(i64, NaiveDate)>> {
        let found: Vec<(i64, NaiveDate)> = self.query(
            "SELECT seq, at FROM journal WHERE kind = 'checkpoint-made' ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, day(r, 1)?)),
        )?;
        Ok(found.into_iter().next())
    }

    /// Entry `seq` as stored (None when the journal has no such entry).
    pub fn entry(&self, seq: u64) -> Result<Option<Entry>> {
        let found: Vec<Entry> =
            self.query(&format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE seq = ?1"), [seq as i64], entry_row)?;
        Ok(found.into_iter().next())
    }

    /// The journal entries about one subject, oldest first.
    pub fn entries_about(&self, subject: &str) -> Result<Vec<Entry>> {
        self.query(
            &format!("SELECT {ENTRY_COLUMNS} FROM journal WHERE subject = ?1 ORDER BY seq"),
            [subject],
            entry_row,
        )
    }
}

/// The roster.
impl Store {
    /// The roster, ordered by name.
    pub fn members(&self) -> Result<Vec<Member>> {
        self.query(&members_sql(), [], member_row)
    }

    pub fn member(&self, number: &EnterpriseNumber) -> Result<Option<Member>> {
        let found: Vec<Member> = self.query(&member_sql(), [number.digits()], member_row)?;
        Ok(found.into_iter().next())
    }

    /// Every status an organisation was given (declared in the roster,
    /// given by a collected signature, restored by a revoked confirmation),
    /// with its journal entry, by date then journal order.
    pub fn status_entries(&self) -> Result<Vec<StatusEntry>> {
        self.query("SELECT at, enterprise_number, status, seq FROM status_history ORDER BY at, seq", [], |r| {
            let status: String = r.get(2)?;
            Ok(StatusEntry {
                at: day(r, 0)?,
                enterprise_number: r.get(1)?,
                status: status.parse().map_err(|e| text_err(2, e))?,
                seq: r.get(3)?,
            })
        })
    }

    /// The dates on which a roster import made an organisation former.
    pub fn departures(&self) -> Result<Vec<NaiveDate>> {
        self.query(
            "SELECT at FROM status_history WHERE roster_change = 1 AND status = ?1 ORDER BY seq",
            [crate::roster::Status::Former.code()],
            |r| day(r, 0),
        )
    }
}

/// Governance: meetings, attendance, elections, the charter's versions.
impl Store {
    /// Every meeting, by date; with the cancellation reason of cancelled ones.
    pub fn meetings(&self) -> Result<Vec<MeetingRecord>> {
        self.query(&format!("{MEETINGS} ORDER BY date, time, id"), [], meeting_row)
    }

    /// Convocations sent with less notice than the rule.
    pub fn late_convocations(&self) -> Result<Vec<LateConvocation>> {
        self.query(
            "SELECT meeting, reason, clear_days, required, at, seq FROM late_convocations ORDER BY seq",
            [],
            |r| {
                Ok(LateConvocation {
                    meeting: r.get(0)?,
                    reason: r.get(1)?,
                    clear_days: r.get(2)?,
                    required: r.get(3)?,
                    at: day(r, 4)?,
                    seq: r.get(5)?,
                })
            },
        )
    }

    /// Every attendance line recorded.
    pub fn attendance(&self) -> Result<Vec<Attendance>> {
        Ok(self.attendance_entries()?.into_iter().map(|r| r.attendance).collect())
    }

    /// Every attendance line with the journal entry that recorded it last.
    pub fn attendance_entries(&self) -> Result<Vec<AttendanceRecord>> {
        self.attendance_where("1", rusqlite::params![])
    }

    /// The attendance lines of one meeting.
    pub fn attendance_at(&self, meeting: &str) -> Result<Vec<Attendance>> {
        Ok(self
            .attendance_where("meeting = ?1", rusqlite::params![meeting])?
            .into_iter()
            .map(|r| r.attendance)
            .collect())
    }

    /// The attendance lines (with their journal entry) at the meetings of
    /// `bodies`, of any date, and at every meeting dated from `from` to
    /// `to`: what a year's figures and the absences rule read.
    pub fn attendance_entries_of(
        &self,
        bodies: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<AttendanceRecord>> {
        let bodies = serde_json::to_string(bodies).unwrap_or_else(|_| "[]".into());
        self.attendance_where(
            "meeting IN (SELECT id FROM meetings WHERE body IN (SELECT value FROM json_each(?1)) \
             OR date BETWEEN ?2 AND ?3)",
            rusqlite::params![bodies, from.to_string(), to.to_string()],
        )
    }

    fn attendance_where(&self, condition: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<AttendanceRecord>> {
        self.query(&attendance_sql(condition), params, attendance_row)
    }

    /// The organisations written to about `about` for `purpose` (at least
    /// one message handed over, sent or bounced), by enterprise number.
    pub fn messaged_organisations(&self, purpose: &str, about: &str) -> Result<usize> {
        let n: Vec<i64> = self.query(
            "SELECT COUNT(DISTINCT enterprise_number) FROM messages WHERE purpose = ?1 AND subject = ?2",
            [purpose, about],
            |r| r.get(0),
        )?;
        Ok(n.into_iter().next().unwrap_or(0) as usize)
    }

    /// The decisions voted at `meeting`, oldest first, as their entries recorded them.
    pub fn decisions(&self, meeting: &str) -> Result<Vec<crate::governance::vote::RecordedDecision>> {
        decisions(&self.path, self.query(DECISIONS, [meeting], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    /// The ids of the elections, oldest first.
    pub fn elections(&self) -> Result<Vec<String>> {
        self.query("SELECT id FROM elections ORDER BY seq", [], |r| r.get(0))
    }

    /// The steps of an election, in order; `None` when there is no such
    /// election. An election is its steps: they are read from its own
    /// entries, as recorded.
    pub fn election_steps(&self, id: &str) -> Result<Option<Vec<crate::governance::election::Step>>> {
        let payloads: Vec<String> = self.query(ELECTION_STEPS, [id], |r| r.get(0))?;
        election_steps(&self.path, id, payloads)
    }

    /// The seats filled by the latest election whose mandates have begun on `today`.
    pub fn elected_seats(&self, today: NaiveDate) -> Result<Vec<crate::config::Seat>> {
        self.query(
            "SELECT person, enterprise_number, since, until, seq FROM elected_seats WHERE election = \
             (SELECT election FROM elected_seats WHERE since <= ?1 ORDER BY seq DESC LIMIT 1) ORDER BY rowid",
            [today.to_string()],
            |r| {
                let number: String = r.get(1)?;
                let until: Option<String> = r.get(3)?;
                Ok(crate::config::Seat {
                    person: r.get(0)?,
                    role: None,
                    kind: crate::config::SeatKind::Elected,
                    enterprise_number: EnterpriseNumber::parse(&number).map_err(|e| text_err(1, e))?,
                    since: Some(day(r, 2)?),
                    until: until.map(|u| u.parse::<NaiveDate>()).transpose().map_err(|e| text_err(3, e))?,
                    recorded: Some(r.get(4)?),
                })
            },
        )
    }

    /// The charter versions adopted with `charte charter adopt`, in journal
    /// order, read from their own entries as recorded.
    pub fn charter_versions(&self) -> Result<Vec<crate::charter::Version>> {
        let payloads: Vec<String> =
            self.query("SELECT payload FROM journal WHERE kind = 'charter-adopted' ORDER BY seq", [], |r| r.get(0))?;
        charter_versions(&self.path, payloads)
    }

    /// The network's events and actions, by date.
    pub fn actions(&self) -> Result<Vec<crate::actions::Action>> {
        self.query(ACTIONS, [], action_row)
    }

    /// The expense and staff lines journaled for `year` (`charte expenses
    /// import`), by their line in the file.
    pub fn expenses(&self, year: i32) -> Result<Vec<Expense>> {
        self.query(EXPENSES, [year], expense_row)
    }

    /// The import whose lines hold for `year`, if any.
    pub fn expense_import(&self, year: i32) -> Result<Option<ExpenseImport>> {
        Ok(self.query::<_, Vec<_>>(EXPENSE_IMPORT, [year], expense_import_row)?.into_iter().next())
    }

    /// The years with journaled expense lines, the latest first.
    pub fn expense_years(&self) -> Result<Vec<i32>> {
        self.query("SELECT year FROM expense_imports ORDER BY year DESC", [], |r| r.get(0))
    }

    /// The approvals of the report `kind` of `year`, in journal order.
    pub fn approvals(&self, kind: crate::documents::DocumentKind, year: i32) -> Result<Vec<Approval>> {
        self.query(APPROVALS, rusqlite::params![kind.code(), year], approval_row)
    }

    /// The coordination's key rotations (`charte keys rotate`), in journal
    /// order, read from their own entries as recorded.
    pub fn key_rotations(&self) -> Result<Vec<crate::seal::RotationRecord>> {
        key_rotations(&self.path, self.query(KEY_ROTATIONS, [], |r| r.get(0))?)
    }
}

/// Mail.
impl Store {
    /// The messages recorded for a purpose (e.g. "convocation"), with their state.
    ///
    /// A message the outbox wrote and `charte outbox send` sent on is as
    /// its relay left it: sent on the day it was relayed, or bounced then
    /// with the server's reason; that is when it reached (or failed to
    /// reach) the organisation.
    pub fn messages(&self, purpose: &str) -> Result<Vec<MessageRecord>> {
        self.query(
            &format!(
                "SELECT m.message_id, m.subject, m.enterprise_number, {}, \
                 CASE WHEN r.state = ?3 THEN ?3 ELSE m.state END, \
                 CASE WHEN r.state = ?3 THEN r.reason ELSE m.reason END, \
                 CASE WHEN r.state IN (?2, ?3) THEN r.seq ELSE m.seq END, \
                 CASE WHEN r.state IN (?2, ?3) THEN rj.at ELSE j.at END, r.state \
                 FROM messages m JOIN journal j ON j.seq = m.seq {ADDRESS_JOIN} \
                 LEFT JOIN relays r ON r.message_id = m.message_id LEFT JOIN journal rj ON rj.seq = r.seq \
                 WHERE m.purpose = ?1 ORDER BY m.seq",
                resolved("m.address", "pa")
            ),
            [purpose, RelayState::Relayed.code(), RelayState::Bounced.code()],
            |r| {
                let relay = match r.get::<_, Option<String>>(8)? {
                    Some(state) => Some(state.parse().map_err(|e| text_err(8, e))?),
                    None => None,
                };
                Ok(MessageRecord { relay, ..message_row(r)? })
            },
        )
    }

    /// The messages a delivery report read from the mailbox says did not
    /// arrive (`charte collect --imap`), each as bounced on the day the
    /// report was read, with its status code for reason: what the
    /// `mail-bounced` flag reads beside the servers' own refusals. The
    /// message's own record stays as it was (a report can be forged).
    pub fn reported_undelivered(&self) -> Result<Vec<MessageRecord>> {
        self.query(
            &format!(
                "SELECT m.message_id, m.subject, m.enterprise_number, {}, ?1, r.reason, r.seq, j.at \
                 FROM mail_read r JOIN messages m ON m.message_id = r.undelivered \
                 JOIN journal j ON j.seq = r.seq {ADDRESS_JOIN} ORDER BY r.seq",
                resolved("m.address", "pa")
            ),
            [MessageState::Bounced.code()],
            message_row,
        )
    }

    /// The state of each message about `about` (a meeting or document id)
    /// for `purpose`, by Message-ID.
    pub fn message_states(&self, purpose: &str, about: &str) -> Result<HashMap<String, MessageState>> {
        self.query(
            "SELECT message_id, state FROM messages WHERE purpose = ?1 AND subject = ?2",
            [purpose, about],
            |r| Ok((r.get(0)?, message_state(r, 1)?)),
        )
    }
}

/// Messages sent on from the outbox (`charte outbox send`).
impl Store {
    /// Every message the journal knows, in the order they were last
    /// recorded, each with its relay if it was sent on.
    pub fn known_messages(&self) -> Result<Vec<KnownMessage>> {
        self.query(
            &format!(
                "SELECT m.message_id, m.subject, m.enterprise_number, {}, m.state, m.reason, m.seq, j.at, \
                 m.purpose, r.state, r.reason, rj.at \
                 FROM messages m JOIN journal j ON j.seq = m.seq {ADDRESS_JOIN} \
                 LEFT JOIN relays r ON r.message_id = m.message_id LEFT JOIN journal rj ON rj.seq = r.seq \
                 ORDER BY m.seq",
                resolved("m.address", "pa")
            ),
            [],
            |r| {
                let relay = match r.get::<_, Option<String>>(9)? {
                    Some(state) => Some(RelayRecord {
                        state: state.parse().map_err(|e| text_err(9, e))?,
                        reason: r.get(10)?,
                        at: day(r, 11)?,
                    }),
                    None => None,
                };
                Ok(KnownMessage { purpose: r.get(8)?, message: message_row(r)?, relay })
            },
        )
    }

    /// The relay state of each of `ids` that has one.
    pub fn relay_states(&self, ids: &[&str]) -> Result<HashMap<String, RelayState>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT state FROM relays WHERE message_id = ?1").map_err(self.sql_err())?;
        let mut out = HashMap::new();
        for id in ids {
            if let Some(state) = stmt.query_row([id], |r| r.get::<_, String>(0)).optional().map_err(self.sql_err())? {
                out.insert((*id).to_owned(), state.parse().map_err(|e: String| Error::internal(e))?);
            }
        }
        Ok(out)
    }
}

/// Documents issued, and the returns that answer them.
impl Store {
    /// Every document issued, oldest first.
    pub fn documents(&self) -> Result<Vec<IssuedDocument>> {
        self.query(&format!("SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY seq"), [], document_row)
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
        self.query(&adherence_history_sql(), [], adherence_row)
    }

    /// Every return that waited for the coordinator's confirmation, by id
    /// (the waiting ones and those decided).
    pub fn returns(&self) -> Result<Vec<PendingReturn>> {
        self.query(&format!("SELECT {RETURN_COLUMNS} FROM returns ORDER BY id"), [], return_row)
    }

    /// Every returned file recorded as valid proof, counted, waiting,
    /// decided or duplicate: collecting one of them again is "already
    /// known".
    pub fn known_returns(&self) -> Result<Vec<KnownReturn>> {
        self.query(KNOWN_RETURNS, [], |r| Ok(KnownReturn { file_sha256: r.get(0)?, document_id: r.get(1)? }))
    }

    /// Every message of the mailbox read before (`charte collect --imap`):
    /// its key and outcome (the transaction decides for good: Tx::mail_read).
    pub fn mail_read(&self) -> Result<Vec<(String, String)>> {
        self.query("SELECT message_id, outcome FROM mail_read", [], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    /// The refused messages whose organisation is answered: (message key,
    /// 10 digits, why's code), in the order they were read.
    pub fn mail_answers(&self) -> Result<Vec<(String, String, String)>> {
        self.query(
            "SELECT message_id, answer_to, why FROM mail_read WHERE answer_to IS NOT NULL ORDER BY seq",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }
}

/// Flags: what the committee did with them, and their evidence.
impl Store {
    /// Breaches reported, in journal order.
    pub fn breaches(&self) -> Result<Vec<Breach>> {
        self.query("SELECT seq, enterprise_number, about, at FROM breaches ORDER BY seq", [], |r| {
            Ok(Breach { seq: r.get(0)?, enterprise_number: r.get(1)?, about: r.get(2)?, at: day(r, 3)? })
        })
    }

    /// The committee's status of each flag, by key (a flag absent is open).
    pub fn flag_statuses(&self) -> Result<HashMap<String, FlagStatus>> {
        self.query("SELECT key, status, note, at FROM flag_status", [], |r| {
            let status: String = r.get(1)?;
            Ok((
                r.get(0)?,
                FlagStatus { status: status.parse().map_err(|e| text_err(1, e))?, note: r.get(2)?, at: day(r, 3)? },
            ))
        })
    }

    /// Every marking of a flag (`flags mark`, the desk, a workflow's
    /// `mark` step), oldest first: each flag's history.
    pub fn flag_marks(&self) -> Result<Vec<FlagMark>> {
        let rows: Vec<(i64, NaiveDate, String)> = self.query(
            "SELECT seq, at, payload FROM journal WHERE kind = 'flag-status-changed' ORDER BY seq",
            [],
            |r| Ok((r.get(0)?, day(r, 1)?, r.get(2)?)),
        )?;
        let mut marks = Vec::with_capacity(rows.len());
        for (seq, at, payload) in rows {
            let mark = picked(&self.path, "a flag-status-changed entry", vec![payload], |e| match e {
                Event::FlagStatusChanged { key, status, note } => {
                    crate::flags::Status::parse(&status).map(|status| FlagMark { key, status, note, at, seq })
                }
                _ => None,
            })?;
            marks.extend(mark);
        }
        Ok(marks)
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
}

/// Workflows.
impl Store {
    /// The subjects that entered a workflow, by subject id.
    pub fn workflow_subjects(&self, workflow: &str) -> Result<HashMap<String, SubjectRecord>> {
        self.query("SELECT subject, label, entered FROM workflow_subjects WHERE workflow = ?1", [workflow], |r| {
            Ok((r.get(0)?, SubjectRecord { label: r.get(1)?, entered: day(r, 2)? }))
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

    /// The workflow runs recorded on or after `from`, latest first.
    pub fn workflow_runs_since(&self, from: NaiveDate) -> Result<Vec<RunRecord>> {
        self.query(
            "SELECT workflow, at, steps, seq FROM workflow_runs WHERE at >= ?1 ORDER BY seq DESC",
            [from.to_string()],
            |r| Ok(RunRecord { workflow: r.get(0)?, at: day(r, 1)?, steps: r.get(2)?, seq: r.get(3)? }),
        )
    }

    /// How many subjects each step of each workflow did, by day, on or
    /// after `from`: (workflow, step, day, count).
    pub fn steps_by_day(&self, from: NaiveDate) -> Result<Vec<(String, String, NaiveDate, i64)>> {
        self.query(
            "SELECT workflow, step, at, COUNT(*) FROM workflow_steps WHERE at >= ?1 \
             GROUP BY workflow, step, at ORDER BY at DESC, MIN(seq)",
            [from.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, day(r, 2)?, r.get(3)?)),
        )
    }

    /// The last run of each workflow, by name.
    pub fn workflow_runs(&self) -> Result<HashMap<String, LastRun>> {
        // In journal order: a later run replaces an earlier one in the map.
        self.query("SELECT workflow, at, steps FROM workflow_runs ORDER BY seq", [], |r| {
            Ok((r.get(0)?, LastRun { at: day(r, 1)?, steps: r.get(2)? }))
        })
    }
}

impl Store {
    /// Runs a read query and maps each row (into a Vec, a HashMap…).
    fn query<T, C: FromIterator<T>>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<C> {
        rows(&self.conn, &self.path, sql, params, f)
    }
}

/// The decisions voted at a meeting (?1): each entry's day and payload.
const DECISIONS: &str =
    "SELECT at, payload FROM journal WHERE kind = 'decision-recorded' AND subject = ?1 ORDER BY seq";

/// The decisions of [`DECISIONS`]' entries, as they recorded them.
fn decisions(
    path: &std::path::Path,
    found: Vec<(String, String)>,
) -> Result<Vec<crate::governance::vote::RecordedDecision>> {
    let mut out = Vec::new();
    for (at, payload) in found {
        out.extend(picked(path, "a decision-recorded entry", vec![payload], |e| match e {
            Event::DecisionRecorded { decision, ballots, outcome, .. } => {
                Some(crate::governance::vote::RecordedDecision { decision, ballots, outcome, at: at.clone() })
            }
            _ => None,
        })?);
    }
    Ok(out)
}

const ELECTION_STEPS: &str =
    "SELECT payload FROM journal WHERE kind = 'election-recorded' AND subject = ?1 ORDER BY seq";

/// The events of one kind picked out of their entries' payloads by
/// `pick`; `what` names them when one does not read.
fn picked<T>(
    path: &std::path::Path,
    what: &str,
    payloads: Vec<String>,
    pick: impl Fn(Event) -> Option<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for payload in payloads {
        let event = serde_json::from_str::<Event>(&payload)
            .map_err(|e| corrupt(path, format!("{what} does not read ({e})")))?;
        out.extend(pick(event));
    }
    Ok(out)
}

/// An election's steps from its entries' payloads (None: no entry).
fn election_steps(
    path: &std::path::Path,
    id: &str,
    payloads: Vec<String>,
) -> Result<Option<Vec<crate::governance::election::Step>>> {
    let steps = picked(path, &format!("election {id}'s record"), payloads, |e| match e {
        Event::ElectionRecorded { step, .. } => Some(step),
        _ => None,
    })?;
    Ok((!steps.is_empty()).then_some(steps))
}

/// The charter versions from their charter-adopted entries' payloads.
fn charter_versions(path: &std::path::Path, payloads: Vec<String>) -> Result<Vec<crate::charter::Version>> {
    picked(path, "a charter-adopted entry", payloads, |e| match e {
        Event::CharterAdopted { version, adopted, .. } => Some(crate::charter::Version { label: version, adopted }),
        _ => None,
    })
}

const KEY_ROTATIONS: &str = "SELECT payload FROM journal WHERE kind = 'key-rotated' ORDER BY seq";

/// The key rotations from their key-rotated entries' payloads.
fn key_rotations(path: &std::path::Path, payloads: Vec<String>) -> Result<Vec<crate::seal::RotationRecord>> {
    picked(path, "a key-rotated entry", payloads, |e| match e {
        Event::KeyRotated(record) => Some(record),
        _ => None,
    })
}

/// Reads under the write lock: what a decision taken in the transaction
/// must see as it is, including what the transaction appended so far.
impl Tx<'_> {
    /// A column of every row `sql` selects, with `params`.
    fn texts(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<String>> {
        self.rows(sql, params, |r| r.get(0))
    }

    /// Every row `sql` selects, with `params`, mapped by `f`.
    fn rows<T, C: FromIterator<T>>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<C> {
        rows(&self.tx, &self.path, sql, params, f)
    }

    /// The network's events and actions, as [`Store::actions`], read under
    /// the write lock: two imports at once never both record a line.
    pub fn actions(&self) -> Result<Vec<crate::actions::Action>> {
        self.rows(ACTIONS, [], action_row)
    }

    /// The import whose lines hold for `year`, as [`Store::expense_import`],
    /// read under the write lock: what a new import replaces.
    pub fn expense_import(&self, year: i32) -> Result<Option<ExpenseImport>> {
        Ok(self.rows::<_, Vec<_>>(EXPENSE_IMPORT, [year], expense_import_row)?.into_iter().next())
    }

    /// The approvals of a report, as [`Store::approvals`], read under the
    /// write lock: the same approval is never journaled twice.
    pub fn approvals(&self, kind: crate::documents::DocumentKind, year: i32) -> Result<Vec<Approval>> {
        self.rows(APPROVALS, rusqlite::params![kind.code(), year], approval_row)
    }

    /// Whether a flag of `rule` about `subject` was raised, read under the
    /// write lock: two runs at once never raise it twice.
    pub fn flag_raised(&self, rule: &str, subject: &str) -> Result<bool> {
        let found: Vec<i64> =
            self.rows("SELECT seq FROM raised_flags WHERE rule = ?1 AND subject = ?2 LIMIT 1", [rule, subject], |r| {
                r.get(0)
            })?;
        Ok(!found.is_empty())
    }

    /// A meeting by its id, read under the write lock.
    pub fn meeting(&self, id: &str) -> Result<Option<MeetingRecord>> {
        Ok(self.rows::<_, Vec<_>>(&format!("{MEETINGS} WHERE id = ?1"), [id], meeting_row)?.into_iter().next())
    }

    /// Every attendance line recorded, as [`Store::attendance`], read under
    /// the write lock: two imports at once never both record a line.
    pub fn attendance(&self) -> Result<Vec<Attendance>> {
        let records: Vec<AttendanceRecord> = self.rows(&attendance_sql("1"), [], attendance_row)?;
        Ok(records.into_iter().map(|r| r.attendance).collect())
    }

    /// The attendance lines of one meeting, as [`Store::attendance_at`],
    /// read under the write lock: a vote counts those present as they are.
    pub fn attendance_at(&self, meeting: &str) -> Result<Vec<Attendance>> {
        let records: Vec<AttendanceRecord> = self.rows(&attendance_sql("meeting = ?1"), [meeting], attendance_row)?;
        Ok(records.into_iter().map(|r| r.attendance).collect())
    }

    /// The decisions voted at `meeting`, as [`Store::decisions`], read
    /// under the write lock: the same decision is never recorded twice.
    pub fn decisions(&self, meeting: &str) -> Result<Vec<crate::governance::vote::RecordedDecision>> {
        decisions(&self.path, self.rows(DECISIONS, [meeting], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    /// Every adherence's history, as [`Store::adherence_history`], read
    /// under the write lock: who holds a member's rights as it is.
    pub fn adherence_history(&self) -> Result<Vec<Adherence>> {
        self.rows(&adherence_history_sql(), [], adherence_row)
    }

    /// Why `meeting` was cancelled, if it was (None too for no such meeting).
    pub fn meeting_cancelled(&self, meeting: &str) -> Result<Option<String>> {
        let found: Vec<Option<String>> =
            self.rows("SELECT cancelled FROM meetings WHERE id = ?1", [meeting], |r| r.get(0))?;
        Ok(found.into_iter().next().flatten())
    }

    /// Whether the committee marked the flag `key` (whatever its status).
    pub fn flag_marked(&self, key: &str) -> Result<bool> {
        self.tx
            .prepare_cached("SELECT 1 FROM flag_status WHERE key = ?1")
            .and_then(|mut s| s.exists([key]))
            .map_err(self.sql_err())
    }

    /// The day of `workflow`'s last recorded run, if it ran.
    pub fn last_workflow_run(&self, workflow: &str) -> Result<Option<NaiveDate>> {
        let found: Vec<NaiveDate> =
            self.rows("SELECT at FROM workflow_runs WHERE workflow = ?1 ORDER BY seq DESC LIMIT 1", [workflow], |r| {
                day(r, 0)
            })?;
        Ok(found.into_iter().next())
    }

    /// The ids of every meeting (cancelled ones too): a new meeting's id
    /// is allocated from them.
    pub fn meeting_ids(&self) -> Result<Vec<String>> {
        self.texts("SELECT id FROM meetings", [])
    }

    /// Whether `meeting`'s convocations are recorded as late already.
    pub fn convocation_late(&self, meeting: &str) -> Result<bool> {
        Ok(!self.texts("SELECT meeting FROM late_convocations WHERE meeting = ?1", [meeting])?.is_empty())
    }

    /// The ids of the elections, as [`Store::elections`].
    pub fn election_ids(&self) -> Result<Vec<String>> {
        self.texts("SELECT id FROM elections ORDER BY seq", [])
    }

    /// The steps of an election, as [`Store::election_steps`].
    pub fn election_steps(&self, id: &str) -> Result<Option<Vec<crate::governance::election::Step>>> {
        election_steps(&self.path, id, self.texts(ELECTION_STEPS, [id])?)
    }

    /// A message's state, read under the write lock: a message another run
    /// sent or bounced since this one read its batch is not handed over
    /// again. (One "intended" is either being sent by another run right
    /// now or left by one that was interrupted: its claim, [`Tx::claim`],
    /// tells which.)
    pub fn message_state(&self, message_id: &str) -> Result<Option<MessageState>> {
        let state: Option<String> = self
            .tx
            .query_row("SELECT state FROM messages WHERE message_id = ?1", [message_id], |r| r.get(0))
            .optional()
            .map_err(self.sql_err())?;
        state.map(|s| s.parse().map_err(|e: String| Error::internal(e))).transpose()
    }

    /// The address a message was written to, read through its personal
    /// value under the write lock: `None` once erased (or for a message
    /// the journal does not know).
    pub fn message_address(&self, message_id: &str) -> Result<Option<String>> {
        let sql =
            format!("SELECT {} FROM messages m {ADDRESS_JOIN} WHERE m.message_id = ?1", resolved("m.address", "pa"));
        let found: Vec<Option<String>> = self.rows(&sql, [message_id], |r| r.get(0))?;
        Ok(found.into_iter().next().flatten())
    }

    /// Whether `subject` has entered `workflow`, read under the write lock.
    pub fn subject_entered(&self, workflow: &str, subject: &str) -> Result<bool> {
        self.tx
            .prepare_cached("SELECT 1 FROM workflow_subjects WHERE workflow = ?1 AND subject = ?2")
            .and_then(|mut s| s.exists(rusqlite::params![workflow, subject]))
            .map_err(self.sql_err())
    }

    /// Whether that attempt of a workflow's step is recorded as done for
    /// `subject`, read under the write lock: another run may have done it.
    pub fn step_recorded(&self, workflow: &str, subject: &str, step: &str, attempt: u32) -> Result<bool> {
        self.tx
            .prepare_cached(
                "SELECT 1 FROM workflow_steps WHERE workflow = ?1 AND subject = ?2 AND step = ?3 AND attempt = ?4",
            )
            .and_then(|mut s| s.exists(rusqlite::params![workflow, subject, step, attempt]))
            .map_err(self.sql_err())
    }

    /// A message's relay state, read under the write lock, as
    /// [`Tx::message_state`].
    pub fn relay_state(&self, message_id: &str) -> Result<Option<RelayState>> {
        let state: Option<String> = self
            .tx
            .query_row("SELECT state FROM relays WHERE message_id = ?1", [message_id], |r| r.get(0))
            .optional()
            .map_err(self.sql_err())?;
        state.map(|s| s.parse().map_err(|e: String| Error::internal(e))).transpose()
    }

    /// The document id of a returned file already recorded (collected,
    /// waiting, decided or duplicate), so that two collections of the same
    /// file never both record it.
    pub fn known_return(&self, file_sha256: &str) -> Result<Option<String>> {
        let sql = format!("SELECT document_id FROM ({KNOWN_RETURNS}) WHERE file_sha256 = ?1 LIMIT 1");
        self.tx.query_row(&sql, [file_sha256], |r| r.get(0)).optional().map_err(self.sql_err())
    }

    /// The outcome of the mailbox's message `message_id` if it was read
    /// before, under the write lock: two runs never both record it.
    pub fn mail_read(&self, message_id: &str) -> Result<Option<String>> {
        self.tx
            .query_row("SELECT outcome FROM mail_read WHERE message_id = ?1", [message_id], |r| r.get(0))
            .optional()
            .map_err(self.sql_err())
    }

    /// Whether a delivery report read before said the message
    /// `message_id` did not arrive, under the write lock.
    pub fn reported_undelivered(&self, message_id: &str) -> Result<bool> {
        self.tx
            .query_row("SELECT count(*) FROM mail_read WHERE undelivered = ?1", [message_id], |r| r.get::<_, i64>(0))
            .map(|n| n > 0)
            .map_err(self.sql_err())
    }

    /// How many refused messages read on `day` answer the organisation
    /// (10 digits), under the write lock.
    pub fn mail_answers_on(&self, enterprise_number: &str, day: NaiveDate) -> Result<i64> {
        self.tx
            .query_row(
                "SELECT COUNT(*) FROM mail_read m JOIN journal j ON j.seq = m.seq \
                 WHERE m.answer_to = ?1 AND j.at = ?2",
                params![enterprise_number, day.to_string()],
                |r| r.get(0),
            )
            .map_err(self.sql_err())
    }

    /// The adherence that counts for this organisation (10 digits) and
    /// charter version, if one was collected.
    pub fn counted_adherence(&self, enterprise_number: &str, charter_version: &str) -> Result<Option<Adherence>> {
        let sql = format!(
            "SELECT {ADHERENCE_COLUMNS} FROM adherences WHERE enterprise_number = ?1 AND charter_version = ?2 \
             AND revoked IS NULL ORDER BY seq LIMIT 1"
        );
        self.tx.query_row(&sql, [enterprise_number, charter_version], adherence_row).optional().map_err(self.sql_err())
    }

    /// The documents issued to an organisation (10 digits) for a charter
    /// version, oldest first, read under the write lock: a document another
    /// run issued since this one planned is seen, and never issued twice.
    pub fn documents_of(&self, enterprise_number: &str, charter_version: &str) -> Result<Vec<IssuedDocument>> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE enterprise_number = ?1 AND charter_version = ?2 ORDER BY seq"
        );
        let mut stmt = self.tx.prepare_cached(&sql).map_err(self.sql_err())?;
        let rows = stmt.query_map([enterprise_number, charter_version], document_row).map_err(self.sql_err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.sql_err())
    }

    /// A document by its id, read under the write lock.
    pub fn document(&self, document_id: &str) -> Result<Option<IssuedDocument>> {
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE document_id = ?1");
        self.tx.query_row(&sql, [document_id], document_row).optional().map_err(self.sql_err())
    }

    /// The document journaled last for this file (relative to the
    /// workspace), read under the write lock.
    pub fn document_at(&self, file: &str) -> Result<Option<IssuedDocument>> {
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE file = ?1 ORDER BY seq DESC LIMIT 1");
        self.tx.query_row(&sql, [file], document_row).optional().map_err(self.sql_err())
    }

    /// An organisation's status (10 digits).
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

    /// The roster, as [`Store::members`], read under the write lock: an
    /// import plans against it as it is.
    pub fn members(&self) -> Result<Vec<Member>> {
        self.rows(&members_sql(), [], member_row)
    }

    /// An organisation (10 digits), as [`Store::member`].
    pub fn member(&self, enterprise_number: &str) -> Result<Option<Member>> {
        self.tx.query_row(&member_sql(), [enterprise_number], member_row).optional().map_err(self.sql_err())
    }

    /// The organisation this public key (base64) is registered for, if
    /// any, so that one key is never registered for two.
    pub fn key_owner(&self, public_key: &str) -> Result<Option<Member>> {
        let sql = format!(
            "{} WHERE o.public_key = ?1 ORDER BY o.name COLLATE NOCASE, o.enterprise_number LIMIT 1",
            members()
        );
        self.tx.query_row(&sql, [public_key], member_row).optional().map_err(self.sql_err())
    }

    /// The charter versions adopted, as [`Store::charter_versions`].
    pub fn charter_versions(&self) -> Result<Vec<crate::charter::Version>> {
        let payloads = self.texts("SELECT payload FROM journal WHERE kind = 'charter-adopted' ORDER BY seq", [])?;
        charter_versions(&self.path, payloads)
    }

    /// The key rotations, as [`Store::key_rotations`], read under the write
    /// lock: two rotations at once never both retire the same key.
    pub fn key_rotations(&self) -> Result<Vec<crate::seal::RotationRecord>> {
        key_rotations(&self.path, self.texts(KEY_ROTATIONS, [])?)
    }

    /// The latest meeting, not cancelled, dated `from` or later, whose
    /// attendance is recorded: a charter version adopted on `from` would
    /// change who voted there.
    pub fn attended_meeting_from(&self, from: NaiveDate) -> Result<Option<(String, NaiveDate)>> {
        self.tx
            .query_row(
                "SELECT id, date FROM meetings WHERE cancelled IS NULL AND date >= ?1 \
                 AND id IN (SELECT meeting FROM attendance) ORDER BY date DESC, time DESC, id DESC LIMIT 1",
                [from.to_string()],
                |r| Ok((r.get(0)?, day(r, 1)?)),
            )
            .optional()
            .map_err(self.sql_err())
    }

    /// A return that waited for confirmation, by id, so that two decisions
    /// on it are never both taken.
    pub fn pending_return(&self, id: i64) -> Result<Option<PendingReturn>> {
        let sql = format!("SELECT {RETURN_COLUMNS} FROM returns WHERE id = ?1");
        self.tx.query_row(&sql, [id], return_row).optional().map_err(self.sql_err())
    }
}

/// The returned files recorded: those collected (`adherences`), those that
/// waited for the coordinator's confirmation (`returns`, whatever was
/// decided) and the duplicates (`duplicates`).
const KNOWN_RETURNS: &str = "SELECT file_sha256, document_id FROM adherences UNION ALL \
     SELECT file_sha256, document_id FROM returns UNION ALL \
     SELECT file_sha256, document_id FROM duplicates";

/// The meetings, as [`meeting_row`] reads them.
const MEETINGS: &str = "SELECT id, body, date, time, place, title, agenda, cancelled FROM meetings";

fn meeting_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MeetingRecord> {
    let time: Option<String> = r.get(3)?;
    let agenda: String = r.get(6)?;
    Ok(MeetingRecord {
        meeting: Meeting {
            id: r.get(0)?,
            body: r.get(1)?,
            date: day(r, 2)?,
            time: time
                .map(|t| chrono::NaiveTime::parse_from_str(&t, "%H:%M"))
                .transpose()
                .map_err(|e| text_err(3, e))?,
            place: r.get(4)?,
            title: r.get(5)?,
            agenda: serde_json::from_str(&agenda).map_err(|e| text_err(6, e))?,
        },
        cancelled: r.get(7)?,
    })
}

/// A year's expense lines, as [`expense_row`] reads them.
const EXPENSES: &str = "SELECT line, date, category, description, cents, document, person, fte FROM expenses WHERE year = ?1 ORDER BY line";

fn expense_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Expense> {
    let category: String = r.get(2)?;
    Ok(Expense {
        line: r.get::<_, i64>(0)? as u64,
        date: day(r, 1)?,
        category: category.parse().map_err(|e| text_err(2, e))?,
        description: r.get(3)?,
        cents: r.get(4)?,
        document: r.get(5)?,
        person: r.get(6)?,
        fte: r.get(7)?,
    })
}

/// The import that holds a year's lines, as [`expense_import_row`] reads it.
const EXPENSE_IMPORT: &str = "SELECT year, file, sha256, replaced, lines, at, seq FROM expense_imports WHERE year = ?1";

fn expense_import_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExpenseImport> {
    Ok(ExpenseImport {
        year: r.get(0)?,
        file: r.get(1)?,
        sha256: r.get(2)?,
        replaced: r.get(3)?,
        lines: r.get::<_, i64>(4)? as usize,
        at: r.get(5)?,
        seq: r.get(6)?,
    })
}

/// A report's approvals, as [`approval_row`] reads them.
const APPROVALS: &str = "SELECT year, meeting, document_id, sealed_sha256, at, seq FROM report_approvals \
     WHERE report = ?1 AND year = ?2 ORDER BY seq";

fn approval_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Approval> {
    Ok(Approval {
        year: r.get(0)?,
        meeting: r.get(1)?,
        document_id: r.get(2)?,
        sealed_sha256: r.get(3)?,
        at: r.get(4)?,
        seq: r.get(5)?,
    })
}

/// The network's events and actions, by date, as [`action_row`] reads them.
const ACTIONS: &str = "SELECT date, kind, title, participants FROM actions ORDER BY date, key";

fn action_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<crate::actions::Action> {
    let kind: String = r.get(1)?;
    Ok(crate::actions::Action {
        date: day(r, 0)?,
        kind: kind.parse().map_err(|e| text_err(1, e))?,
        title: r.get(2)?,
        participants: r.get(3)?,
    })
}

/// An attendance line from columns meeting, enterprise_number, person,
/// status, seq.
fn attendance_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttendanceRecord> {
    let number: String = r.get(1)?;
    let status: String = r.get(3)?;
    Ok(AttendanceRecord {
        attendance: Attendance {
            meeting: r.get(0)?,
            enterprise_number: EnterpriseNumber::parse(&number).map_err(|e| text_err(1, e))?,
            person: r.get(2)?,
            status: status.parse().map_err(|e| text_err(3, e))?,
        },
        seq: r.get(4)?,
    })
}

/// The columns [`entry_row`] reads, in its order.
const ENTRY_COLUMNS: &str = "seq, at, kind, subject, payload, prev_hash, hash";

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        kind: r.get(2)?,
        subject: r.get(3)?,
        payload: r.get(4)?,
        prev_hash: r.get(5)?,
        hash: r.get(6)?,
    })
}

/// The columns [`document_row`] reads, in its order.
const DOCUMENT_COLUMNS: &str = "document_id, kind, enterprise_number, charter_version, inputs_sha256, sha256, \
     sealed_sha256, length, file, issued, seq";

fn document_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IssuedDocument> {
    let kind: String = r.get(1)?;
    Ok(IssuedDocument {
        document_id: r.get(0)?,
        kind: kind.parse().map_err(|e| text_err(1, e))?,
        enterprise_number: r.get(2)?,
        charter_version: r.get(3)?,
        inputs_sha256: r.get(4)?,
        sha256: r.get(5)?,
        sealed_sha256: r.get(6)?,
        length: r.get(7)?,
        file: r.get(8)?,
        issued: day(r, 9)?,
        seq: r.get(10)?,
    })
}

/// The organisations, with the columns [`member_row`] reads, in its
/// order: their addresses read through the personal values
/// ([`resolved`]: NULL once erased).
fn members() -> String {
    format!(
        "SELECT o.enterprise_number, o.name, {}, o.language, o.status, o.representative, {}, o.address, \
         o.sectors, o.public_key, o.signed_version FROM organisations o \
         LEFT JOIN personal pe ON pe.commitment = o.email \
         LEFT JOIN personal pr ON pr.commitment = o.representative_email",
        resolved("o.email", "pe"),
        resolved("o.representative_email", "pr")
    )
}

/// Signing links (crate::links).
impl Store {
    /// Every link, the latest minted first.
    pub fn links(&self) -> Result<Vec<Link>> {
        self.query(&format!("SELECT {LINK_COLUMNS} FROM links ORDER BY id DESC"), [], link_row)
    }

    /// The link whose token hashes to `token_sha256` (hex).
    pub fn link_by_hash(&self, token_sha256: &str) -> Result<Option<Link>> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM links WHERE token_sha256 = ?1");
        self.conn.query_row(&sql, [token_sha256], link_row).optional().map_err(self.sql_err())
    }
}

/// Signing links, read under the write lock: what a code, a signature or a
/// reopening decides on.
impl Tx<'_> {
    /// The link whose token hashes to `token_sha256` (hex).
    pub fn link_by_hash(&self, token_sha256: &str) -> Result<Option<Link>> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM links WHERE token_sha256 = ?1");
        self.tx.query_row(&sql, [token_sha256], link_row).optional().map_err(self.sql_err())
    }

    /// Link `id`.
    pub fn link(&self, id: i64) -> Result<Option<Link>> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM links WHERE id = ?1");
        self.tx.query_row(&sql, [id], link_row).optional().map_err(self.sql_err())
    }
}

const LINK_COLUMNS: &str = "id, token_sha256, enterprise_number, document_id, charter_version, message_id, minted, \
                            valid_until, state, wrong_codes, codes_sent";

fn link_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Link> {
    let state: String = r.get(8)?;
    Ok(Link {
        id: r.get(0)?,
        token_sha256: r.get(1)?,
        enterprise_number: r.get(2)?,
        document_id: r.get(3)?,
        charter_version: r.get(4)?,
        message_id: r.get(5)?,
        minted: day(r, 6)?,
        valid_until: day(r, 7)?,
        state: state.parse().map_err(|e: String| text_err(8, e))?,
        wrong_codes: r.get(9)?,
        codes_sent: r.get(10)?,
    })
}

/// The join that reads a message's `address` (alias `m`) through its
/// personal value, alias `pa`.
const ADDRESS_JOIN: &str = "LEFT JOIN personal pa ON pa.commitment = m.address";

/// Every row `sql` selects on `conn` (the store's connection, or a write
/// transaction's: the same reads before and under the lock), mapped by `f`.
pub(super) fn rows<T, C: FromIterator<T>>(
    conn: &rusqlite::Connection,
    path: &std::path::Path,
    sql: &str,
    params: impl rusqlite::Params,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<C> {
    let err = |e| super::db_error(path, e);
    let mut stmt = conn.prepare_cached(sql).map_err(err)?;
    let rows = stmt.query_map(params, f).map_err(err)?;
    rows.collect::<rusqlite::Result<C>>().map_err(err)
}

/// The journal's last entry in the database `conn` opens (the store's, or
/// a snapshot of it): seq 0 and [`GENESIS`] for an empty journal.
pub(super) fn head_of(conn: &rusqlite::Connection, path: &std::path::Path) -> Result<Head> {
    let head: Vec<Head> = rows(conn, path, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", [], |r| {
        Ok(Head { seq: r.get(0)?, hash: r.get(1)? })
    })?;
    Ok(head.into_iter().next().unwrap_or_else(|| Head { seq: 0, hash: GENESIS.to_owned() }))
}

/// The roster, ordered by name.
fn members_sql() -> String {
    format!("{} ORDER BY o.name COLLATE NOCASE, o.enterprise_number", members())
}

/// One organisation, by its 10 digits.
fn member_sql() -> String {
    format!("{} WHERE o.enterprise_number = ?1", members())
}

/// The attendance lines meeting `condition`, with the entry that recorded each.
fn attendance_sql(condition: &str) -> String {
    format!(
        "SELECT meeting, enterprise_number, person, status, seq FROM attendance WHERE {condition} \
         ORDER BY meeting, enterprise_number, person"
    )
}

fn member_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Member> {
    let number: String = r.get(0)?;
    let sectors: String = r.get(8)?;
    let language: String = r.get(3)?;
    let status: String = r.get(4)?;
    Ok(Member {
        organisation: Organisation {
            enterprise_number: EnterpriseNumber::parse(&number).map_err(|e| text_err(0, e))?,
            name: r.get(1)?,
            // Erased (charte erase): no address to write to.
            email: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
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

/// Every adherence's first entry per organisation, version and state
/// (counted or revoked), in journal order.
fn adherence_history_sql() -> String {
    format!(
        "SELECT {ADHERENCE_COLUMNS} FROM adherences a WHERE seq = (SELECT min(seq) FROM adherences b \
         WHERE b.enterprise_number = a.enterprise_number AND b.charter_version = a.charter_version \
         AND (b.revoked IS NULL) = (a.revoked IS NULL)) ORDER BY seq"
    )
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

/// The columns [`return_row`] reads, in its order.
const RETURN_COLUMNS: &str = "id, file, adherence, reason, state, received, decided, note, new_status";

fn return_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PendingReturn> {
    let adherence: String = r.get(2)?;
    let state: String = r.get(4)?;
    let new_status: Option<String> = r.get(8)?;
    Ok(PendingReturn {
        id: r.get(0)?,
        file: r.get(1)?,
        adherence: serde_json::from_str(&adherence).map_err(|e| text_err(2, e))?,
        reason: r.get(3)?,
        state: state.parse().map_err(|e| text_err(4, e))?,
        received: r.get(5)?,
        decided: r.get(6)?,
        note: r.get(7)?,
        new_status: new_status.map(|s| s.parse()).transpose().map_err(|e: String| text_err(8, e))?,
    })
}

/// A message's state column.
/// A [`MessageRecord`] from columns 0 to 7: message_id, subject,
/// enterprise_number, address, state, reason, seq, and the journal's `at`
/// of that seq.
fn message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRecord> {
    Ok(MessageRecord {
        message_id: r.get(0)?,
        about: r.get(1)?,
        enterprise_number: r.get(2)?,
        address: r.get(3)?,
        state: message_state(r, 4)?,
        reason: r.get(5)?,
        seq: r.get(6)?,
        at: day(r, 7)?,
        relay: None,
    })
}

fn message_state(r: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<MessageState> {
    let text: String = r.get(column)?;
    text.parse().map_err(|e| text_err(column, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Clock;

    fn store(dir: &std::path::Path) -> Store {
        Store::create(&dir.join("charte.db"), Clock { today: day_of("2030-01-01"), replay: true }).expect("creates")
    }

    fn day_of(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn an_empty_journal_has_the_genesis_head_and_no_span() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = store(dir.path());
        assert_eq!(s.head().expect("reads"), Head { seq: 0, hash: GENESIS.to_owned() });
        assert_eq!(s.date_span().expect("reads"), None);
    }

    #[test]
    fn the_span_and_head_follow_the_appends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = store(dir.path());
        s.transaction(day_of("2024-01-02"), |tx| tx.append(&Event::Note { text: "a".into() }).map(|_| ()))
            .expect("appends");
        let seq =
            s.transaction(day_of("2024-03-04"), |tx| tx.append(&Event::Note { text: "b".into() })).expect("appends");
        assert_eq!(
            s.date_span().expect("reads"),
            Some(DateSpan { first: day_of("2024-01-02"), last: day_of("2024-03-04") })
        );
        let head = s.head().expect("reads");
        assert_eq!(head.seq, seq);
        assert_eq!(s.entries_about("").expect("reads").last().map(|e| e.hash.clone()), Some(head.hash));
    }
}
