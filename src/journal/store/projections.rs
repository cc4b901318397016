//! The projections: how each event appended to the journal changes the
//! tables derived from it. [`Tx::append`] calls `Tx::apply` in the same
//! transaction as the append, so a table never says what the journal does
//! not (and replaying the journal rebuilds them all). The reads
//! (`reads.rs`) query these tables, never the events' JSON with SQL: a
//! migration that adds one fills it from the events already there.

use rusqlite::params;

use super::Tx;
use crate::collect::{Adherence, ReturnState};
use crate::delivery::{MessageState, RelayState};
use crate::error::{Error, Result};
use crate::journal::Event;
use crate::roster::Status;

impl Tx<'_> {
    /// Records an adherence that counts from entry `seq` (collected, or a
    /// pending return confirmed), and what it changes on the roster.
    fn insert_adherence(&self, seq: i64, a: &Adherence, new_status: Option<Status>) -> Result<()> {
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
            self.insert_status(seq, &a.enterprise_number, status, false)?;
        }
        Ok(())
    }

    /// Records a status an organisation (10 digits) was given by entry
    /// `seq`; `roster_change` when a roster import changed it to this one.
    fn insert_status(&self, seq: i64, enterprise_number: &str, status: Status, roster_change: bool) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO status_history (seq, at, enterprise_number, status, roster_change) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| s.execute(params![seq, self.at, enterprise_number, status.code(), roster_change]))
            .map_err(self.sql_err())?;
        Ok(())
    }

    /// The projection: how each event changes the derived tables.
    pub(super) fn apply(&self, seq: i64, event: &Event) -> Result<()> {
        match event {
            Event::LinkMinted { .. }
            | Event::LinkCodeSent { .. }
            | Event::LinkCodeRefused { .. }
            | Event::LinkLocked { .. }
            | Event::LinkReopened { .. }
            | Event::LinkUsed { .. } => self.apply_link(seq, event)?,
            Event::AccountAdded { email, role, .. } => {
                self.tx
                    .execute(
                        "INSERT INTO accounts (id, email, role, added, removed_seq) VALUES (?1, ?2, ?3, ?4, NULL)",
                        params![seq, email.as_str(), role, self.at],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::AccountRemoved { account, .. } => {
                self.tx
                    .execute("UPDATE accounts SET removed_seq = ?2 WHERE id = ?1", params![account, seq])
                    .map_err(self.sql_err())?;
            }
            // A new charter version supersedes the links to documents of
            // every other one (adoptions only go forward: crate::app::charter).
            Event::CharterAdopted { version, .. } => {
                self.tx
                    .execute(
                        "UPDATE links SET state = 'superseded', changed_seq = ?2 \
                         WHERE state IN ('open', 'locked') AND charter_version <> ?1",
                        params![version, seq],
                    )
                    .map_err(self.sql_err())?;
            }
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
                            o.email.as_str(),
                            o.language.code(),
                            o.status.code(),
                            o.representative,
                            o.representative_email.as_ref().map(|e| e.as_str()),
                            o.address,
                            sectors,
                            seq
                        ])
                    })
                    .map_err(self.sql_err())?;
                // Every import states the status again; only one that names
                // it among the changed fields changed it (a departure, when
                // it is now former).
                let roster_change = matches!(event,
                    Event::OrganisationChanged { changed, .. } if changed.iter().any(|c| c == "status"));
                self.insert_status(seq, o.enterprise_number.digits(), o.status, roster_change)?;
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
            Event::AttendanceRecorded { attendance: a, replaces } => {
                if let Some(person) = replaces {
                    self.tx
                        .prepare_cached(
                            "DELETE FROM attendance WHERE meeting = ?1 AND enterprise_number = ?2 AND person = ?3",
                        )
                        .and_then(|mut s| s.execute(params![a.meeting, a.enterprise_number.digits(), person]))
                        .map_err(self.sql_err())?;
                }
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
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                         ON CONFLICT (message_id) DO UPDATE SET seq = excluded.seq",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            message_id,
                            purpose,
                            about,
                            enterprise_number,
                            address.as_str(),
                            MessageState::Intended.code(),
                            seq
                        ])
                    })
                    .map_err(self.sql_err())?;
            }
            Event::MessageSent { message_id } => {
                self.tx
                    .prepare_cached("UPDATE messages SET state = ?2, seq = ?3 WHERE message_id = ?1")
                    .and_then(|mut s| s.execute(params![message_id, MessageState::Sent.code(), seq]))
                    .map_err(self.sql_err())?;
            }
            Event::MessageBounced { message_id, reason } => {
                self.tx
                    .prepare_cached("UPDATE messages SET state = ?2, reason = ?3, seq = ?4 WHERE message_id = ?1")
                    .and_then(|mut s| s.execute(params![message_id, MessageState::Bounced.code(), reason, seq]))
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
                            d.kind.code(),
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
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?1)",
                        params![
                            seq,
                            file,
                            a.file_sha256,
                            a.document_id,
                            a.enterprise_number,
                            a.charter_version,
                            adherence,
                            reason,
                            ReturnState::Waiting.code(),
                            self.at
                        ],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::ReturnConfirmed { id, adherence: a, new_status } => {
                self.insert_adherence(seq, a, *new_status)?;
                self.tx
                    .execute(
                        "UPDATE returns SET state = ?2, decided = ?3, new_status = ?4, seq = ?5 WHERE id = ?1",
                        params![id, ReturnState::Confirmed.code(), self.at, new_status.map(|s| s.code()), seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::ReturnRejected { id, reason, .. } => {
                self.tx
                    .execute(
                        "UPDATE returns SET state = ?2, decided = ?3, note = ?4, seq = ?5 WHERE id = ?1",
                        params![id, ReturnState::Rejected.code(), self.at, reason, seq],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::ReturnRevoked { id, enterprise_number, file_sha256, reason, restored_status, .. } => {
                // The adherence stops counting from this day on; the days it
                // counted stay as they were (a past year's figures too).
                self.tx
                    .execute("UPDATE adherences SET revoked = ?2 WHERE file_sha256 = ?1", params![file_sha256, self.at])
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
                        "UPDATE returns SET state = ?2, decided = ?3, note = ?4, seq = ?5 WHERE id = ?1",
                        params![id, ReturnState::Revoked.code(), self.at, reason, seq],
                    )
                    .map_err(self.sql_err())?;
                if let Some(status) = restored_status {
                    self.insert_status(seq, enterprise_number, *status, false)?;
                }
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
            // Known, so that collecting the file again changes nothing; it
            // counts nowhere.
            Event::Duplicate { file, adherence: a, duplicate_of } => {
                self.tx
                    .execute(
                        "INSERT INTO duplicates (seq, file, file_sha256, document_id, enterprise_number, \
                         charter_version, duplicate_of, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            seq,
                            file,
                            a.file_sha256,
                            a.document_id,
                            a.enterprise_number,
                            a.charter_version,
                            duplicate_of,
                            self.at
                        ],
                    )
                    .map_err(self.sql_err())?;
            }
            // The values themselves were cleared beside the journal, in
            // this transaction (Tx::erase_personal): this table is what
            // the journal says was erased, for the audit to hold them to.
            Event::PersonalDataErased { commitments, .. } => {
                for c in commitments {
                    self.tx
                        .prepare_cached("INSERT INTO erasures (commitment, seq, at) VALUES (?1, ?2, ?3)")
                        .and_then(|mut s| s.execute(params![c.as_str(), seq, self.at]))
                        .map_err(self.sql_err())?;
                }
            }
            Event::ExpensesImported { year, file, sha256, replaced, lines } => {
                self.apply_expenses(seq, *year, file, sha256, replaced.as_deref(), lines)?;
            }
            Event::ReportApproved { report, year, meeting, document_id, sealed_sha256 } => {
                self.tx
                    .execute(
                        "INSERT INTO report_approvals (seq, report, year, meeting, document_id, sealed_sha256, at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![seq, report, year, meeting, document_id, sealed_sha256, self.at],
                    )
                    .map_err(self.sql_err())?;
            }
            Event::MailRead { message_id, outcome, reason, answer_to, why, undelivered, .. } => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO mail_read (message_id, seq, outcome, reason, answer_to, why, undelivered) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )
                    .and_then(|mut s| s.execute(params![message_id, seq, outcome, reason, answer_to, why, undelivered]))
                    .map_err(self.sql_err())?;
            }
            Event::WorkspaceCreated { .. }
            | Event::ReturnRefused { .. }
            | Event::RosterImported { .. }
            | Event::DecisionRecorded { .. }
            | Event::KeyRotated(_)
            | Event::Note { .. }
            | Event::CheckpointMade { .. } => {}
        }
        Ok(())
    }

    /// A year's expense lines: those of an earlier import of the year go,
    /// the new ones come in their place.
    fn apply_expenses(
        &self,
        seq: i64,
        year: i32,
        file: &str,
        sha256: &str,
        replaced: Option<&str>,
        lines: &[crate::report::expenses::Expense],
    ) -> Result<()> {
        self.tx.execute("DELETE FROM expenses WHERE year = ?1", [year]).map_err(self.sql_err())?;
        self.tx
            .execute(
                "INSERT INTO expense_imports (year, file, sha256, replaced, lines, at, seq) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (year) DO UPDATE SET file = excluded.file, \
                 sha256 = excluded.sha256, replaced = excluded.replaced, lines = excluded.lines, at = excluded.at, \
                 seq = excluded.seq",
                params![year, file, sha256, replaced, lines.len() as i64, self.at, seq],
            )
            .map_err(self.sql_err())?;
        for e in lines {
            self.tx
                .prepare_cached(
                    "INSERT INTO expenses (year, line, date, category, description, cents, document, person, fte, \
                     seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        year,
                        e.line as i64,
                        e.date.to_string(),
                        e.category.code(),
                        e.description,
                        e.cents,
                        e.document,
                        e.person,
                        e.fte,
                        seq
                    ])
                })
                .map_err(self.sql_err())?;
        }
        Ok(())
    }

    /// A signing link's event (crate::links).
    fn apply_link(&self, seq: i64, event: &Event) -> Result<()> {
        let (sql, id): (&str, i64) = match event {
            Event::LinkMinted { link: l } => {
                self.tx
                    .execute(
                        "INSERT INTO links (id, token_sha256, enterprise_number, document_id, charter_version, \
                         message_id, minted, valid_until, state, wrong_codes, codes_sent, changed_seq) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', 0, 0, ?1)",
                        params![
                            seq,
                            l.token_sha256,
                            l.enterprise_number,
                            l.document_id,
                            l.charter_version,
                            l.message_id,
                            self.at,
                            l.valid_until.to_string()
                        ],
                    )
                    .map_err(self.sql_err())?;
                return Ok(());
            }
            Event::LinkCodeSent { link, .. } => ("UPDATE links SET codes_sent = codes_sent + 1", *link),
            Event::LinkCodeRefused { link, .. } => ("UPDATE links SET wrong_codes = wrong_codes + 1", *link),
            Event::LinkLocked { link } => ("UPDATE links SET state = 'locked'", *link),
            Event::LinkReopened { link } => ("UPDATE links SET state = 'open', wrong_codes = 0", *link),
            Event::LinkUsed { link } => ("UPDATE links SET state = 'used'", *link),
            _ => return Ok(()),
        };
        self.tx.execute(&format!("{sql}, changed_seq = ?2 WHERE id = ?1"), params![id, seq]).map_err(self.sql_err())?;
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

/// Messages sent on from the outbox (`charte outbox send`): the relays
/// table of migration 0012.
impl Tx<'_> {
    fn apply_relay(&self, seq: i64, event: &Event) -> Result<()> {
        let result = match event {
            Event::MessageRelayIntended { message_id, sha256 } => self.tx.execute(
                "INSERT INTO relays (message_id, state, sha256, seq) VALUES (?1, ?2, ?3, ?4)",
                params![message_id, RelayState::Intended.code(), sha256, seq],
            ),
            Event::MessageRelayed { message_id } => self.tx.execute(
                "UPDATE relays SET state = ?2, seq = ?3 WHERE message_id = ?1",
                params![message_id, RelayState::Relayed.code(), seq],
            ),
            Event::MessageRelayBounced { message_id, reason } => self.tx.execute(
                "UPDATE relays SET state = ?2, reason = ?3, seq = ?4 WHERE message_id = ?1",
                params![message_id, RelayState::Bounced.code(), reason, seq],
            ),
            _ => Ok(0),
        };
        result.map(|_| ()).map_err(self.sql_err())
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::super::{Clock, Store, Tx};
    use crate::collect::Adherence;
    use crate::journal::personal::Kind;
    use crate::journal::{Event, RosterEntry};
    use crate::roster::{EnterpriseNumber, Language, Organisation, Status};

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    fn organisation(number: &str, status: Status) -> Organisation {
        Organisation {
            name: format!("ASBL {number}"),
            enterprise_number: EnterpriseNumber::parse(number).expect("a number"),
            email: "info@example.be".into(),
            language: Language::Fr,
            status,
            representative: None,
            representative_email: None,
            address: None,
            sectors: Vec::new(),
        }
    }

    /// `o` as a roster import journals it, its address committed.
    fn entry(tx: &Tx<'_>, o: &Organisation) -> crate::error::Result<RosterEntry> {
        RosterEntry::committed(o, |v| tx.personal(Kind::Email, v))
    }

    fn adherence(digits: &str, file: &str) -> Adherence {
        Adherence {
            file_sha256: file.into(),
            document_id: format!("ADH-{digits}"),
            enterprise_number: digits.into(),
            charter_version: "2022-02".into(),
            method: "scan".into(),
            signer: "coordination".into(),
            signed: None,
            sealed_sha256: "s".into(),
            details: serde_json::Value::Null,
            collected: String::new(),
            revoked: None,
        }
    }

    /// A journal with every event the two projections of migration 0011
    /// follow: statuses declared, changed, given by a signature, restored
    /// by a revocation; a departure; a duplicate return.
    fn journal(store: &mut Store) {
        let (a, b) = ("0123456749", "0883405625");
        store
            .transaction(day("2024-01-10"), |tx| {
                let (first, second) =
                    (entry(tx, &organisation(a, Status::Participant))?, entry(tx, &organisation(b, Status::Member))?);
                tx.append(&Event::OrganisationAdded { organisation: first })?;
                tx.append(&Event::OrganisationAdded { organisation: second })?;
                tx.append(&Event::AdherenceCollected {
                    adherence: adherence(a, "f1"),
                    new_status: Some(Status::Member),
                })?;
                tx.append(&Event::Duplicate {
                    file: "again.pdf".into(),
                    adherence: adherence(a, "f2"),
                    duplicate_of: "f1".into(),
                })?;
                Ok(())
            })
            .expect("appends");
        store
            .transaction(day("2024-03-01"), |tx| {
                let mut renamed = organisation(b, Status::Member);
                renamed.name = "Renamed".into();
                let renamed = entry(tx, &renamed)?;
                tx.append(&Event::OrganisationChanged { organisation: renamed, changed: vec!["name".into()] })?;
                let former = entry(tx, &organisation(b, Status::Former))?;
                tx.append(&Event::OrganisationChanged { organisation: former, changed: vec!["status".into()] })?;
                let id = tx.append(&Event::ReturnPending {
                    file: "scan.pdf".into(),
                    adherence: adherence(b, "f3"),
                    reason: "a scan".into(),
                })?;
                tx.append(&Event::ReturnConfirmed {
                    id,
                    adherence: adherence(b, "f3"),
                    new_status: Some(Status::Partner),
                })?;
                tx.append(&Event::ReturnRevoked {
                    id,
                    enterprise_number: b.into(),
                    file_sha256: "f3".into(),
                    charter_version: "2022-02".into(),
                    reason: "a mistake".into(),
                    restored_status: Some(Status::Associate),
                })?;
                Ok(())
            })
            .expect("appends");
    }

    type Reads = (Vec<crate::roster::StatusEntry>, Vec<NaiveDate>, Vec<(String, String)>);

    fn reads(store: &Store) -> Reads {
        let known = store.known_returns().expect("reads").into_iter().map(|k| (k.file_sha256, k.document_id));
        (store.status_entries().expect("reads"), store.departures().expect("reads"), known.collect())
    }

    #[test]
    fn a_workspace_upgraded_to_0011_reads_what_the_projections_would_have_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("charte.db");
        let clock = Clock { today: day("2030-01-01"), replay: true };
        let mut store = Store::create(&path, clock).expect("creates");
        journal(&mut store);
        let projected = reads(&store);
        let (statuses, departures, known) = &projected;
        assert_eq!(statuses.len(), 7, "two added, two changed, one signed, one confirmed, one restored");
        assert_eq!(statuses.last().map(|e| e.status), Some(Status::Associate));
        assert_eq!(departures, &vec![day("2024-03-01")], "a rename is no departure");
        assert!(known.contains(&("f2".to_owned(), "ADH-0123456749".to_owned())), "the duplicate is known");
        // The workspace as schema version 10 left it: neither table (nor
        // the later relays, claims, personal values, erasures, links,
        // accounts, expenses, approvals and messages read from the mailbox).
        store
            .conn
            .execute_batch(
                "DROP TABLE status_history; DROP TABLE duplicates; DROP TABLE relays; DROP TABLE claims; \
                 DROP TABLE merkle_nodes; DROP TABLE personal; DROP TABLE erasures; \
                 DROP TABLE links; DROP TABLE link_codes; DROP TABLE accounts; DROP TABLE passwords; \
                 DROP TABLE sessions; DROP TABLE expenses; DROP TABLE expense_imports; \
                 DROP TABLE report_approvals; DROP TABLE mail_read; PRAGMA user_version = 10;",
            )
            .expect("downgrades");
        drop(store);
        let upgraded = Store::open(&path, clock).expect("upgrades");
        assert_eq!(reads(&upgraded), projected);
        let (_, difference) = upgraded.check_projections().expect("replays");
        assert_eq!(difference, None, "the tables the migration filled are those the journal gives");
    }

    #[test]
    fn the_journal_replayed_gives_every_table_as_stored_and_names_a_change() {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Clock { today: day("2030-01-01"), replay: true };
        let mut store = Store::create(&dir.path().join("charte.db"), clock).expect("creates");
        journal(&mut store);
        let (tables, difference) = store.check_projections().expect("replays");
        assert_eq!(difference, None);
        assert!(tables >= 20, "{tables} tables");
        store.conn.execute_batch("UPDATE returns SET note = NULL WHERE state = 'revoked'").expect("changes");
        let (_, difference) = store.check_projections().expect("replays");
        assert_eq!(
            difference.map(|d| d.to_string()).as_deref(),
            Some(
                "the table returns differs from the journal: in the row with id 7, note is none in the database, the journal gives 'a mistake'"
            )
        );
    }
}
