//! The events of the journal. Each is stored as canonical JSON (serde, fields
//! in declaration order) with its type tag as the entry's `kind`.

use serde::{Deserialize, Serialize};

use super::personal::{Commitment, Personal};
use crate::error::Result;
use crate::governance::attendance::Attendance;
use crate::governance::meeting::Meeting;
use crate::roster::{EnterpriseNumber, Language, Organisation, Status};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// `charte init`.
    WorkspaceCreated { coordination: String },
    /// A roster import added an organisation.
    OrganisationAdded { organisation: RosterEntry },
    /// A roster import changed some of an organisation's fields.
    OrganisationChanged { organisation: RosterEntry, changed: Vec<String> },
    /// A roster import, as a whole (after its added / changed events).
    RosterImported { file: String, sha256: String, added: u64, changed: u64, unchanged: u64 },
    /// `charte meeting add`.
    MeetingAdded { meeting: Meeting },
    /// `charte meeting cancel`.
    MeetingCancelled { meeting: String, reason: String },
    /// One line of an attendance list (new, or changed). `replaces`: the
    /// person of the organisation's line at that meeting this line takes
    /// the place of (the desk's checklist, one line per organisation,
    /// correcting who came); absent otherwise, and in entries written
    /// before it existed.
    AttendanceRecorded {
        attendance: Attendance,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<String>,
    },
    /// A decision put to the vote at a meeting, with its ballots and outcome.
    DecisionRecorded {
        meeting: String,
        decision: String,
        ballots: Vec<crate::governance::vote::Ballot>,
        outcome: crate::governance::vote::Outcome,
    },
    /// A sealed document was issued (rendered, sealed, written to out/).
    DocumentIssued { document: crate::documents::IssuedDocument },
    /// `charte members set-key`: the organisation's own public key.
    KeyRegistered { enterprise_number: String, public_key: String, fingerprint: String },
    /// A returned, signed document was accepted.
    AdherenceCollected { adherence: crate::collect::Adherence, new_status: Option<crate::roster::Status> },
    /// A returned file was refused, and why.
    ReturnRefused { file: String, file_sha256: String, reason: String },
    /// `charte breach report`: the committee notes a breach of the charter.
    BreachReported { enterprise_number: String, about: String },
    /// The committee's handling of a flag: put to the committee, resolved, reopened.
    FlagStatusChanged { key: String, status: String, note: Option<String> },
    /// A convocation sent with less notice than the body's rule.
    ConvocationLate { meeting: String, reason: String, clear_days: i64, required: i64 },
    /// A message about to be handed to the mail server (or the outbox);
    /// its recipient's `address` as a commitment (crate::journal::personal).
    MessageIntended { message_id: String, purpose: String, about: String, enterprise_number: String, address: Personal },
    /// The server accepted it.
    MessageSent { message_id: String },
    /// The server refused it for good (5xx).
    MessageBounced { message_id: String, reason: String },
    /// `charte outbox send`: a message the outbox transport wrote (its
    /// .eml, whose bytes hash to `sha256`) is about to be sent on through
    /// `[mail.smtp]` as written.
    MessageRelayIntended { message_id: String, sha256: String },
    /// The server accepted the message sent on.
    MessageRelayed { message_id: String },
    /// The server refused the message sent on for good (5xx).
    MessageRelayBounced { message_id: String, reason: String },
    /// A subject entered a workflow (`charte run`).
    SubjectEntered { workflow: String, subject: String, label: String },
    /// A workflow step's effect, keyed `workflow/subject/step/attempt`; what
    /// it did (the document, the messages, the flag) is in `outcome` and in
    /// the events journaled with it.
    StepDone { key: String, workflow: String, subject: String, step: String, attempt: u32, outcome: String },
    /// A flag raised by a workflow's escalation, for the committee.
    FlagRaised {
        rule: String,
        enterprise_number: String,
        subject: String,
        evidence: String,
        evidence_fr: String,
        evidence_nl: String,
    },
    /// A run of a workflow ended, having run `steps` steps.
    WorkflowRun { workflow: String, steps: u64 },
    /// One step of a committee election (`charte election …`).
    ElectionRecorded { election: String, step: crate::governance::election::Step },
    /// An event or action of the network (`charte events import`), new or changed.
    ActionRecorded { action: crate::actions::Action },
    /// A new version of the charter (`charte charter adopt`), with the
    /// sha256 of its text in each language (charter/<lang>.md).
    CharterAdopted { version: String, adopted: chrono::NaiveDate, texts: std::collections::BTreeMap<String, String> },
    /// Free-form event used by benchmarks and tests of the chain itself.
    Note { text: String },
    /// `charte checkpoint`, a report, the end of a workflow run: a signed
    /// tree head was made of the journal up to and including this entry
    /// (out/checkpoints/, docs/journal.md "Checkpoints").
    CheckpointMade { key_fingerprint: String },
    /// Another valid return of an adherence already counted (same
    /// organisation, same charter version, other bytes: signed twice, or
    /// with its own key and in a PDF reader). Recorded so that the file is
    /// known, and counted nowhere: `duplicate_of` is the file_sha256 of the
    /// adherence that counts.
    Duplicate { file: String, adherence: crate::collect::Adherence, duplicate_of: String },
    /// A valid return that is not proof enough by itself (a scan; a PAdES
    /// signature whose chain does not reach a trusted root, or whose signer
    /// is not the representative): it waits for the coordinator's
    /// confirmation and counts for nothing until then. Its id (`charte
    /// returns confirm ID`) is this entry's sequence number.
    ReturnPending { file: String, adherence: crate::collect::Adherence, reason: String },
    /// `charte returns confirm ID`: the coordinator vouches for a pending
    /// return; the adherence counts from this entry, as if collected now.
    ReturnConfirmed { id: i64, adherence: crate::collect::Adherence, new_status: Option<crate::roster::Status> },
    /// `charte returns reject ID --reason`: the pending return is refused
    /// and counts nowhere, ever.
    ReturnRejected { id: i64, enterprise_number: String, file_sha256: String, reason: String },
    /// `charte returns revoke ID --reason`: a confirmation given by mistake
    /// is withdrawn; the adherence counts nowhere from this entry on, and
    /// `restored_status` undoes the status the confirmation had given.
    ReturnRevoked {
        id: i64,
        enterprise_number: String,
        file_sha256: String,
        charter_version: String,
        reason: String,
        restored_status: Option<crate::roster::Status>,
    },
    /// `charte keys rotate`: the coordination's key `previous_key` (base64)
    /// retired, `next_key` seals from now on. `statement` is the rotation
    /// statement the previous key signed, keys/rotations/`statement`, whose
    /// bytes hash to `statement_sha256` (docs/seal.md, "Key rotation"). The
    /// workspace trusts its former keys because they are journaled here.
    KeyRotated(crate::seal::RotationRecord),
    /// `charte erase SUBJECT --reason`: the values behind these
    /// commitments were cleared from the table beside the journal (never
    /// the value itself here, nor in the entry's subject).
    PersonalDataErased { commitments: Vec<Commitment>, reason: String },
    /// A signing link was made for the mail `link.message_id` (crate::links):
    /// only the sha256 of its token, never the token. Its id (`charte
    /// links reopen ID`) is this entry's sequence number.
    LinkMinted { link: crate::links::NewLink },
    /// A code was mailed for link `link`, to `address` (a commitment),
    /// to be typed before `expires` (RFC 3339, wall clock); never the code
    /// nor its hash.
    LinkCodeSent { link: i64, address: Personal, expires: String },
    /// A wrong code was typed for link `link`: the `wrong`-th since it was
    /// minted or reopened.
    LinkCodeRefused { link: i64, wrong: u32 },
    /// Link `link` is locked by wrong codes, until the coordinator reopens it.
    LinkLocked { link: i64 },
    /// `charte links reopen ID`: a locked link opens again, its wrong
    /// codes counted from nought.
    LinkReopened { link: i64 },
    /// A signature was recorded through link `link`: it opens nothing more.
    LinkUsed { link: i64 },
    /// `charte users add`: an account of the web application, for the
    /// address `email` (a commitment), with `role` (crate::accounts::Role),
    /// added `by` (the system user who ran the command, a commitment). Its
    /// id is this entry's sequence number. Never its password.
    AccountAdded { email: Personal, role: String, by: Personal },
    /// `charte users remove` (`by`: the system user), or `charte erase` of
    /// its address (no `by`: the personal-data-erased entry that follows
    /// says why): account `account` can no longer sign in.
    AccountRemoved { account: i64, by: Option<Personal> },
    /// `charte expenses import`: every expense and staff line of `year`,
    /// read from `file` (the name given; its bytes hash to `sha256`). They
    /// replace the lines an earlier import of that year recorded
    /// (`replaced`: that import's sha256), never add to them: a line is
    /// counted once however often the year's file is imported.
    ExpensesImported {
        year: i32,
        file: String,
        sha256: String,
        replaced: Option<String>,
        lines: Vec<crate::report::expenses::Expense>,
    },
    /// `charte report approve`: the meeting `meeting` (of the body
    /// `[funder] approved_by` names) approved the report `document_id`
    /// (`report`: annual-report or subsidy-report, of `year`), the sealed
    /// file whose bytes hash to `sealed_sha256`: a report made again is
    /// another file, which needs its own approval.
    ReportApproved { report: String, year: i32, meeting: String, document_id: String, sealed_sha256: String },
    /// `charte collect --imap`: the mailbox's message `message_id` (its
    /// Message-ID, or `sha256:HEX` of its bytes when it has none) was
    /// read, once and for all: `outcome` is collected, duplicate, waiting,
    /// known, refused (`reason` says why) or not-a-return (left where it
    /// was). `files`: the sha256 of each attachment examined, in order;
    /// what each proved is in the entries just before this one.
    MailRead {
        message_id: String,
        outcome: String,
        reason: Option<String>,
        files: Vec<String>,
        /// A refused return: the organisation (10 digits) whose registered
        /// address is answered, and why (crate::collect::Why's code).
        /// Absent when nobody is, and in entries written before.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer_to: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<String>,
        /// A delivery report: the Message-ID of the message it says did
        /// not arrive (`reason`: the report's status code). The message's
        /// own state is left as it was: anyone can write a report.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        undelivered: Option<String>,
    },
}

/// An organisation as the journal records it: the roster's fields, its
/// email addresses as commitments (crate::journal::personal), in the same
/// order and under the same names as [`Organisation`]'s, so that entries
/// written before schema version 15 (the addresses in the clear) read too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub name: String,
    pub enterprise_number: EnterpriseNumber,
    pub email: Personal,
    pub language: Language,
    pub status: Status,
    pub representative: Option<String>,
    pub representative_email: Option<Personal>,
    pub address: Option<String>,
    pub sectors: Vec<String>,
}

impl RosterEntry {
    /// `o` as the journal records it, each of its addresses replaced by
    /// the commitment `commit` stores for it (`Tx::personal`).
    pub fn committed(o: &Organisation, mut commit: impl FnMut(&str) -> Result<Commitment>) -> Result<RosterEntry> {
        Ok(RosterEntry {
            name: o.name.clone(),
            enterprise_number: o.enterprise_number.clone(),
            email: commit(&o.email)?.into(),
            language: o.language,
            status: o.status,
            representative: o.representative.clone(),
            representative_email: o.representative_email.as_deref().map(&mut commit).transpose()?.map(Into::into),
            address: o.address.clone(),
            sectors: o.sectors.clone(),
        })
    }
}

impl Event {
    /// The entry's `kind` column: the serde tag.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::WorkspaceCreated { .. } => "workspace-created",
            Event::OrganisationAdded { .. } => "organisation-added",
            Event::OrganisationChanged { .. } => "organisation-changed",
            Event::RosterImported { .. } => "roster-imported",
            Event::MeetingAdded { .. } => "meeting-added",
            Event::MeetingCancelled { .. } => "meeting-cancelled",
            Event::AttendanceRecorded { .. } => "attendance-recorded",
            Event::DecisionRecorded { .. } => "decision-recorded",
            Event::DocumentIssued { .. } => "document-issued",
            Event::KeyRegistered { .. } => "key-registered",
            Event::BreachReported { .. } => "breach-reported",
            Event::FlagStatusChanged { .. } => "flag-status-changed",
            Event::AdherenceCollected { .. } => "adherence-collected",
            Event::ReturnRefused { .. } => "return-refused",
            Event::ConvocationLate { .. } => "convocation-late",
            Event::MessageIntended { .. } => "message-intended",
            Event::MessageSent { .. } => "message-sent",
            Event::MessageBounced { .. } => "message-bounced",
            Event::MessageRelayIntended { .. } => "message-relay-intended",
            Event::MessageRelayed { .. } => "message-relayed",
            Event::MessageRelayBounced { .. } => "message-relay-bounced",
            Event::SubjectEntered { .. } => "subject-entered",
            Event::StepDone { .. } => "step-done",
            Event::FlagRaised { .. } => "flag-raised",
            Event::WorkflowRun { .. } => "workflow-run",
            Event::ElectionRecorded { .. } => "election-recorded",
            Event::ActionRecorded { .. } => "action-recorded",
            Event::CharterAdopted { .. } => "charter-adopted",
            Event::Note { .. } => "note",
            Event::CheckpointMade { .. } => "checkpoint-made",
            Event::Duplicate { .. } => "duplicate",
            Event::ReturnPending { .. } => "return-pending",
            Event::ReturnConfirmed { .. } => "return-confirmed",
            Event::ReturnRejected { .. } => "return-rejected",
            Event::ReturnRevoked { .. } => "return-revoked",
            Event::KeyRotated(_) => "key-rotated",
            Event::PersonalDataErased { .. } => "personal-data-erased",
            Event::LinkMinted { .. } => "link-minted",
            Event::LinkCodeSent { .. } => "link-code-sent",
            Event::LinkCodeRefused { .. } => "link-code-refused",
            Event::LinkLocked { .. } => "link-locked",
            Event::LinkReopened { .. } => "link-reopened",
            Event::LinkUsed { .. } => "link-used",
            Event::AccountAdded { .. } => "account-added",
            Event::AccountRemoved { .. } => "account-removed",
            Event::ExpensesImported { .. } => "expenses-imported",
            Event::ReportApproved { .. } => "report-approved",
            Event::MailRead { .. } => "mail-read",
        }
    }

    /// The entry's `subject` column: what the event is about.
    pub fn subject(&self) -> String {
        match self {
            Event::OrganisationAdded { organisation } | Event::OrganisationChanged { organisation, .. } => {
                organisation.enterprise_number.digits().to_owned()
            }
            Event::MeetingAdded { meeting } => meeting.id.clone(),
            Event::DocumentIssued { document } => document.enterprise_number.clone(),
            Event::KeyRegistered { enterprise_number, .. } | Event::BreachReported { enterprise_number, .. } => {
                enterprise_number.clone()
            }
            Event::FlagStatusChanged { key, .. } => key.clone(),
            Event::AdherenceCollected { adherence, .. }
            | Event::Duplicate { adherence, .. }
            | Event::ReturnPending { adherence, .. }
            | Event::ReturnConfirmed { adherence, .. } => adherence.enterprise_number.clone(),
            Event::ReturnRejected { enterprise_number, .. } | Event::ReturnRevoked { enterprise_number, .. } => {
                enterprise_number.clone()
            }
            Event::ReturnRefused { file_sha256, .. } => file_sha256.clone(),
            Event::MeetingCancelled { meeting, .. } => meeting.clone(),
            Event::ElectionRecorded { election, .. } => election.clone(),
            Event::ActionRecorded { action } => action.date.to_string(),
            Event::AttendanceRecorded { attendance, .. } => attendance.meeting.clone(),
            Event::ConvocationLate { meeting, .. } | Event::DecisionRecorded { meeting, .. } => meeting.clone(),
            Event::MessageIntended { message_id, .. }
            | Event::MessageSent { message_id }
            | Event::MessageBounced { message_id, .. }
            | Event::MessageRelayIntended { message_id, .. }
            | Event::MessageRelayed { message_id }
            | Event::MessageRelayBounced { message_id, .. }
            | Event::MailRead { message_id, .. } => message_id.clone(),
            Event::SubjectEntered { workflow, subject, .. } => format!("{workflow}/{subject}"),
            Event::StepDone { key, .. } => key.clone(),
            Event::FlagRaised { enterprise_number, .. } => enterprise_number.clone(),
            Event::WorkflowRun { workflow, .. } => workflow.clone(),
            Event::CharterAdopted { version, .. } => version.clone(),
            Event::KeyRotated(r) => r.previous_fingerprint.clone(),
            Event::LinkMinted { link } => link.enterprise_number.clone(),
            Event::LinkCodeSent { link, .. }
            | Event::LinkCodeRefused { link, .. }
            | Event::LinkLocked { link }
            | Event::LinkReopened { link }
            | Event::LinkUsed { link } => link.to_string(),
            Event::AccountAdded { role, .. } => role.clone(),
            Event::AccountRemoved { account, .. } => account.to_string(),
            Event::ExpensesImported { year, .. } => year.to_string(),
            Event::ReportApproved { meeting, .. } => meeting.clone(),
            // An erasure's subject is the person: never written down.
            Event::WorkspaceCreated { .. }
            | Event::RosterImported { .. }
            | Event::Note { .. }
            | Event::CheckpointMade { .. }
            | Event::PersonalDataErased { .. } => String::new(),
        }
    }
}
