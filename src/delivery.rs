//! Durable delivery: every message has a deterministic Message-ID, is
//! journaled as intended before it is handed to the transport, and as sent
//! (or bounced) after. Running the same batch again sends only what was not
//! sent: a message journaled as sent or bounced is never sent again; one
//! left "intended" by an interruption is sent again under the same
//! Message-ID (the one window where a server may see it twice).
//!
//! One sender at a time per message: in the transaction that journals it
//! as intended, a run also claims the message ([`Run`]; the store's claims
//! table). A second run at the same time that finds a live claim by
//! another leaves that message to it and counts it as being sent elsewhere
//! ([`Report::elsewhere`]), so two runs of one batch share it out and each
//! address is reached once. The claim is dropped with the entry that
//! settles the message. A claim is live while its owner's process is
//! running (on Linux, read from /proc; where that cannot be told, it is
//! taken as running) and its lease ([`LEASE`], longer than one hand-over
//! with all its retries can take) has not run out; a claim left by a run
//! that died (kill -9, a power cut) is therefore taken over by the next
//! run at once, and its message sent again: still at most the one message
//! in flight per crash.
//!
//! [`Sender`] is the one send loop: convocations, the workflow runner's
//! mails and `charte outbox send` all go through it, so they share the
//! once-only rule, the retries, what a bounce does and what stops a run.
//! It sends two kinds of message, each at its own stage of the journal:
//! a message built here ([`Planned`]: `message-intended`, then
//! `message-sent` or `message-bounced`), and a message the outbox
//! transport wrote, sent on as written ([`Held`]: `message-relay-intended`,
//! then `message-relayed` or `message-relay-bounced`).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::journal::personal::{Kind, redact};
use crate::journal::{Event, Store, Tx};
use crate::mail::{Outgoing, Raw, RetryPolicy, SendError, Transport, retry};

/// Where a message stands, as the journal records it. The code is the
/// text the database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageState {
    /// Journaled before it was handed over; not known to have left (an
    /// interruption): sent again under the same Message-ID.
    Intended,
    /// The server accepted it: never sent again.
    Sent,
    /// The server refused it for good (5xx): never sent again, and flagged.
    Bounced,
}

impl MessageState {
    pub const ALL: [MessageState; 3] = [MessageState::Intended, MessageState::Sent, MessageState::Bounced];

    pub fn code(self) -> &'static str {
        match self {
            MessageState::Intended => "intended",
            MessageState::Sent => "sent",
            MessageState::Bounced => "bounced",
        }
    }
}

impl FromStr for MessageState {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        MessageState::ALL
            .into_iter()
            .find(|m| m.code() == s)
            .ok_or_else(|| format!("'{s}' is not the state of a message (expected intended, sent or bounced)"))
    }
}

impl fmt::Display for MessageState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A message as the journal knows it: what the flags read (a bounce, the
/// day an adherence mail went out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub message_id: String,
    /// What it is about: a meeting id, a document id.
    pub about: String,
    /// The organisation's 10 digits.
    pub enterprise_number: String,
    /// Where it went, read through its commitment (crate::journal::personal);
    /// `None` once erased (`charte erase`).
    pub address: Option<String>,
    pub state: MessageState,
    /// Why it bounced.
    pub reason: Option<String>,
    /// The journal entry of its last state change.
    pub seq: i64,
    /// The date of its last state change.
    pub at: NaiveDate,
    /// Where it stands in being sent on from the outbox (`charte outbox
    /// send`), if it was.
    pub relay: Option<RelayState>,
}

impl MessageRecord {
    /// Whether a mail server accepted it: sent through SMTP, or, when the
    /// transport is the outbox (`outbox`), written there and sent on
    /// (relayed). A message only written to out/outbox/ has not left.
    pub fn reached_server(&self, outbox: bool) -> bool {
        self.state == MessageState::Sent && (!outbox || self.relay == Some(RelayState::Relayed))
    }
}

/// Where a message the outbox wrote stands in being sent on through
/// `[mail.smtp]` (`charte outbox send`). The code is the text the
/// database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelayState {
    /// Journaled before the hand-over, no answer known: sent on again.
    Intended,
    /// The server accepted it: never sent on again.
    Relayed,
    /// The server refused it for good: never sent on again.
    Bounced,
}

impl RelayState {
    pub const ALL: [RelayState; 3] = [RelayState::Intended, RelayState::Relayed, RelayState::Bounced];

    pub fn code(self) -> &'static str {
        match self {
            RelayState::Intended => "intended",
            RelayState::Relayed => "relayed",
            RelayState::Bounced => "bounced",
        }
    }
}

impl FromStr for RelayState {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        RelayState::ALL.into_iter().find(|r| r.code() == s).ok_or_else(|| {
            format!("'{s}' is not the state of a message sent on (expected intended, relayed or bounced)")
        })
    }
}

impl fmt::Display for RelayState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

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
    pub state: RelayState,
    /// Why it bounced.
    pub reason: Option<String>,
    /// The date of its last state change.
    pub at: NaiveDate,
}

/// A message to deliver, with what the journal records about it.
#[derive(Debug, Clone)]
pub struct Planned {
    pub outgoing: Outgoing,
    /// convocation, adherence, reminder…
    pub purpose: &'static str,
    /// The meeting or document it is about.
    pub about: String,
    /// The organisation's 10 digits.
    pub enterprise_number: String,
    pub address: String,
    /// The signing link its text holds (crate::links): journaled, by its
    /// hash, with each hand-over.
    pub link: Option<crate::links::NewLink>,
}

/// What one organisation's messages share, for [`to_organisation`].
#[derive(Debug)]
pub struct Letter<'a> {
    pub envelope: &'a crate::mail::Envelope,
    pub rendered: &'a crate::mail::Rendered,
    /// The Date header.
    pub date: chrono::DateTime<chrono::Utc>,
    /// The Message-ID's left part; `.K` (the address's rank) is appended.
    pub id: String,
    pub purpose: &'static str,
    pub about: &'a str,
}

/// One message per address of the organisation (its own, and its
/// representative's where the roster has one), from the same text;
/// `extras` gives each its attachments and calendar invitation.
pub fn to_organisation(
    o: &crate::roster::Organisation,
    letter: &Letter<'_>,
    extras: impl Fn(&crate::mail::Contact) -> Result<(Vec<crate::mail::Attachment>, Option<String>)>,
) -> Result<Vec<Planned>> {
    to_each_address(o, letter, |to| {
        let (attachments, calendar) = extras(to)?;
        Ok(Parts { attachments, calendar, ..Parts::default() })
    })
}

/// What one message of a letter carries of its own.
#[derive(Debug, Default)]
pub struct Parts {
    pub attachments: Vec<crate::mail::Attachment>,
    pub calendar: Option<String>,
    /// Its own text (one that holds a personal link), else the letter's.
    pub rendered: Option<crate::mail::Rendered>,
    /// The signing link its text holds, journaled when it is handed over.
    pub link: Option<crate::links::NewLink>,
}

/// One message per address of the organisation, as [`to_organisation`],
/// each with the parts `parts` gives it.
pub fn to_each_address(
    o: &crate::roster::Organisation,
    letter: &Letter<'_>,
    parts: impl Fn(&crate::mail::Contact) -> Result<Parts>,
) -> Result<Vec<Planned>> {
    o.recipients().into_iter().map(|(k, name, address)| addressed(o, letter, k, name, address, &parts)).collect()
}

/// The one message to the organisation's own (registered) address.
pub fn to_registered_address(o: &crate::roster::Organisation, letter: &Letter<'_>) -> Result<Option<Planned>> {
    to_registered_address_with(o, letter, &|_| Ok(Parts::default()))
}

/// [`to_registered_address`], the message carrying the parts `parts` gives.
pub fn to_registered_address_with(
    o: &crate::roster::Organisation,
    letter: &Letter<'_>,
    parts: &dyn Fn(&crate::mail::Contact) -> Result<Parts>,
) -> Result<Option<Planned>> {
    let Some((k, name, address)) = o.recipients().into_iter().find(|(k, ..)| *k == 0) else {
        return Ok(None);
    };
    addressed(o, letter, k, name, address, parts).map(Some)
}

fn addressed(
    o: &crate::roster::Organisation,
    letter: &Letter<'_>,
    k: usize,
    name: Option<&str>,
    address: &str,
    parts: &dyn Fn(&crate::mail::Contact) -> Result<Parts>,
) -> Result<Planned> {
    let e = letter.envelope;
    let to = match name {
        Some(n) => crate::mail::Contact::named(n, address),
        None => crate::mail::Contact::new(address),
    };
    let Parts { attachments, calendar, rendered, link } = parts(&to)?;
    let rendered = rendered.as_ref().unwrap_or(letter.rendered);
    let message_id = format!("{}.{k}@{}", letter.id, e.domain);
    Ok(Planned {
        link: link.map(|l| crate::links::NewLink { message_id: message_id.clone(), ..l }),
        outgoing: Outgoing {
            message_id,
            date: letter.date,
            from: e.from.clone(),
            reply_to: e.reply_to.clone(),
            to: vec![to],
            subject: rendered.subject.clone(),
            text: rendered.text.clone(),
            html: Some(rendered.html.clone()),
            attachments,
            calendar,
        },
        purpose: letter.purpose,
        about: letter.about.to_owned(),
        enterprise_number: o.enterprise_number.digits().to_owned(),
        address: address.to_owned(),
    })
}

/// What a delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    /// Sent or bounced by an earlier run: not sent again.
    pub already: usize,
    /// The Message-IDs claimed by another run sending at the same time:
    /// left to it.
    pub elsewhere: Vec<String>,
    /// (address, reason) of the messages refused for good in this run.
    pub bounced: Vec<(String, String)>,
    /// (Message-ID, reason) of the messages charte would not hand over,
    /// as found under the write lock: a recipient's address erased
    /// meanwhile (`charte erase`). Nothing is journaled for them.
    pub refused: Vec<(String, String)>,
}

impl Report {
    /// Adds another batch's counts to these.
    pub fn absorb(&mut self, other: &Report) {
        self.sent += other.sent;
        self.already += other.already;
        self.elsewhere.extend(other.elsewhere.iter().cloned());
        self.bounced.extend(other.bounced.iter().cloned());
        self.refused.extend(other.refused.iter().cloned());
    }
}

/// How the reason of a message reported undelivered by a delivery report
/// (read from the mailbox, crate::app::mailbox) begins, before the
/// report's status code: such a report can be forged, and the flag says
/// what it is.
pub const REPORTED: &str = "DSN ";

/// Why a message whose recipient's address was erased (`charte erase`) is
/// not sent on.
pub const ERASED: &str = "its recipient's address was erased (charte erase): it can no longer be sent on";

/// A message the outbox transport wrote (an .eml of out/outbox/), to send
/// on through SMTP byte for byte: charte sends only what it wrote, so the
/// message must be one the journal knows (its Message-ID, its address).
#[derive(Debug, Clone)]
pub struct Held {
    /// As the journal recorded it when the outbox wrote the message.
    pub message_id: String,
    /// The file's bytes, from the coordination to the journal's address.
    pub raw: Raw,
}

/// The one send loop (see the module doc): a transport opened for a whole
/// run, its retry policy, and what the run has done so far. Feed it a
/// batch at a time ([`Sender::deliver`], [`Sender::relay`]) so that a large
/// roster never holds every message in memory, then [`Sender::close`] it.
///
/// A transient failure that outlasts the retries stops the run with an
/// error (exit 3: what was sent stays sent, the same command finishes the
/// work); a permanent one marks that message bounced and the run goes on;
/// a settings problem stops it (exit 2 when nothing went out in the run,
/// exit 3 otherwise). After an error the transport is closed.
pub struct Sender {
    transport: Box<dyn Transport>,
    tally: Tally,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender").field("policy", &self.tally.policy).field("report", &self.tally.total).finish()
    }
}

impl Sender {
    /// A run through `transport` (see `app::send` for the one the
    /// workspace's settings ask for).
    pub fn new(transport: Box<dyn Transport>, policy: RetryPolicy) -> Sender {
        Sender { transport, tally: Tally::new(policy) }
    }

    /// Sends the batch's messages not sent yet; `progress` is called once
    /// per message, sent or not. Returns what this batch did (the run's
    /// totals are in [`Sender::report`]).
    pub fn deliver(
        &mut self,
        store: &mut Store,
        today: NaiveDate,
        planned: &[Planned],
        progress: &dyn Fn(),
    ) -> Result<Report> {
        self.tally.batch(self.transport.as_mut(), store, today, planned, progress)
    }

    /// Sends on, as written, the batch's outbox messages not sent on yet;
    /// as [`Sender::deliver`].
    pub fn relay(&mut self, store: &mut Store, today: NaiveDate, held: &[Held], progress: &dyn Fn()) -> Result<Report> {
        self.tally.batch(self.transport.as_mut(), store, today, held, progress)
    }

    /// Ends the run politely (SMTP QUIT); what it did, every batch together.
    pub fn close(mut self) -> Report {
        self.transport.close();
        std::mem::take(&mut self.tally.total)
    }
}

/// The two stages a message goes through in the journal: sent (built and
/// handed over by charte), then, for a message the outbox wrote, sent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Send,
    Relay,
}

impl Stage {
    /// The claims table's name for it.
    fn code(self) -> &'static str {
        match self {
            Stage::Send => "send",
            Stage::Relay => "relay",
        }
    }

    /// Whether the message is settled at this stage (None: not begun),
    /// read under the write lock.
    fn settled(self, tx: &Tx<'_>, message_id: &str) -> Result<Option<bool>> {
        Ok(match self {
            Stage::Send => tx.message_state(message_id)?.map(|s| s != MessageState::Intended),
            Stage::Relay => tx.relay_state(message_id)?.map(|s| s != RelayState::Intended),
        })
    }

    fn done(self, message_id: String) -> Event {
        match self {
            Stage::Send => Event::MessageSent { message_id },
            Stage::Relay => Event::MessageRelayed { message_id },
        }
    }

    fn bounced(self, message_id: String, reason: String) -> Event {
        match self {
            Stage::Send => Event::MessageBounced { message_id, reason },
            Stage::Relay => Event::MessageRelayBounced { message_id, reason },
        }
    }
}

/// What the loop needs of a message, whichever its stage.
trait Parcel {
    const STAGE: Stage;
    fn message_id(&self) -> &str;
    /// Who it goes to, as a bounce names it.
    fn address(&self) -> String;
    /// Its recipients' addresses, which a server's refusal may quote and
    /// the journal must not hold (crate::journal::personal::redact).
    fn recipients(&self) -> Vec<&str>;
    /// The journal's entry before the hand-over, made in the transaction
    /// that appends it (a recipient's address is stored beside the
    /// journal there, the entry holding its commitment).
    fn intended(&self, tx: &Tx<'_>) -> Result<Event>;
    /// What the journal records with each hand-over besides (a signing
    /// link the message holds: a message sent again after an interruption
    /// is built again, with a new link).
    fn handed_over(&self) -> Option<Event> {
        None
    }
    /// Why it must not be handed over after all, read under the write lock
    /// (`None`: it may go).
    fn refusal(&self, _: &Tx<'_>) -> Result<Option<String>> {
        Ok(None)
    }
    fn hand_over(&self, transport: &mut dyn Transport) -> Result<(), SendError>;
    /// Whether each message of a batch already recorded is settled at this
    /// stage (sent or relayed, or bounced: never handed over again;
    /// "intended" is not settled), read in bulk before the batch starts,
    /// so that a batch sent before costs no write transaction.
    fn settled(store: &Store, batch: &[Self]) -> Result<HashMap<String, bool>>
    where
        Self: Sized;
}

impl Parcel for Planned {
    const STAGE: Stage = Stage::Send;

    fn message_id(&self) -> &str {
        &self.outgoing.message_id
    }

    fn address(&self) -> String {
        self.address.clone()
    }

    fn recipients(&self) -> Vec<&str> {
        vec![self.address.as_str()]
    }

    fn intended(&self, tx: &Tx<'_>) -> Result<Event> {
        Ok(Event::MessageIntended {
            message_id: self.outgoing.message_id.clone(),
            purpose: self.purpose.to_owned(),
            about: self.about.clone(),
            enterprise_number: self.enterprise_number.clone(),
            address: tx.personal(Kind::Email, &self.address)?.into(),
        })
    }

    fn handed_over(&self) -> Option<Event> {
        self.link.clone().map(|link| Event::LinkMinted { link })
    }

    fn hand_over(&self, transport: &mut dyn Transport) -> Result<(), SendError> {
        transport.send(&self.outgoing)
    }

    fn settled(store: &Store, batch: &[Planned]) -> Result<HashMap<String, bool>> {
        // Only the messages about what this batch is about (one meeting,
        // say), not every message ever sent for that purpose.
        let mut states = HashMap::new();
        for (purpose, about) in
            batch.iter().map(|p| (p.purpose, p.about.as_str())).collect::<std::collections::BTreeSet<_>>()
        {
            states.extend(
                store.message_states(purpose, about)?.into_iter().map(|(id, s)| (id, s != MessageState::Intended)),
            );
        }
        Ok(states)
    }
}

impl Parcel for Held {
    const STAGE: Stage = Stage::Relay;

    fn message_id(&self) -> &str {
        &self.message_id
    }

    fn address(&self) -> String {
        self.raw.to.join(", ")
    }

    fn recipients(&self) -> Vec<&str> {
        self.raw.to.iter().map(String::as_str).collect()
    }

    /// Sent on to the address the journal recorded, while it is held: one
    /// erased since the outbox was read is not sent on.
    fn refusal(&self, tx: &Tx<'_>) -> Result<Option<String>> {
        Ok(tx.message_address(&self.message_id)?.is_none().then(|| ERASED.to_owned()))
    }

    fn intended(&self, _: &Tx<'_>) -> Result<Event> {
        use sha2::Digest as _;
        Ok(Event::MessageRelayIntended {
            message_id: self.message_id.clone(),
            sha256: hex::encode(sha2::Sha256::digest(&self.raw.bytes)),
        })
    }

    fn hand_over(&self, transport: &mut dyn Transport) -> Result<(), SendError> {
        transport.send_raw(&self.raw)
    }

    fn settled(store: &Store, batch: &[Held]) -> Result<HashMap<String, bool>> {
        let states = store.relay_states(&batch.iter().map(|h| h.message_id.as_str()).collect::<Vec<_>>())?;
        Ok(states.into_iter().map(|(id, s)| (id, s != RelayState::Intended)).collect())
    }
}

/// How long a claim holds when whether its owner still runs cannot be told
/// (no /proc, or another user's process hidden from us): more than one
/// hand-over takes with its retries in practice. An owner seen running
/// keeps its claim however long it takes; one seen gone loses it at once.
pub const LEASE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// One sending run, as its claims name it: its process, the instant it
/// began and a random part, so that two runs never share a name (not even
/// two in one process).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub owner: String,
    pub pid: u32,
}

impl Run {
    pub fn new() -> Run {
        let pid = std::process::id();
        let mut random = [0u8; 8];
        // Without randomness the pid and the instant still tell runs apart.
        let _ = getrandom::fill(&mut random);
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Run { owner: format!("{pid}-{started}-{}", hex::encode(random)), pid }
    }

    /// This run's claim, its lease starting now.
    fn claim(&self) -> crate::journal::store::Claim {
        crate::journal::store::Claim {
            owner: self.owner.clone(),
            pid: self.pid,
            expires: unix_now() + LEASE.as_secs() as i64,
        }
    }

    /// Whether `claim` is another run's that still holds.
    fn yields_to(&self, claim: &crate::journal::store::Claim) -> bool {
        claim.owner != self.owner
            && match liveness(claim.pid) {
                Liveness::Running => true,
                Liveness::Gone => false,
                Liveness::Unknown => claim.expires > unix_now(),
            }
    }
}

impl Default for Run {
    fn default() -> Run {
        Run::new()
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

/// What this machine says of a claim's process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Liveness {
    Running,
    /// No such process, or a zombie (dead, not yet waited for).
    Gone,
    /// /proc cannot tell (not mounted, or the process hidden from this
    /// user): the lease decides.
    Unknown,
}

fn liveness(pid: u32) -> Liveness {
    let proc = std::path::Path::new("/proc");
    if !proc.join("self/stat").exists() {
        return Liveness::Unknown;
    }
    match std::fs::read_to_string(proc.join(pid.to_string()).join("stat")) {
        // "pid (name) S …": the state follows the name's closing parenthesis.
        Ok(stat) => match stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next()) {
            Some('Z' | 'X') => Liveness::Gone,
            _ => Liveness::Running,
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Liveness::Gone,
        Err(_) => Liveness::Unknown,
    }
}

/// What a run may do with one message, decided under the write lock.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Turn {
    /// Claimed: hand it over.
    Go,
    /// Settled (sent, relayed or bounced) already.
    Settled,
    /// Another live run holds it.
    Elsewhere,
    /// Not to be handed over, and why ([`Parcel::refusal`]).
    Refused(String),
}

/// The loop itself, and the counts of the run it belongs to.
#[derive(Debug)]
struct Tally {
    policy: RetryPolicy,
    run: Run,
    total: Report,
    /// Messages handed to the run so far, sent or not: the "of N" of its
    /// messages.
    offered: usize,
}

impl Tally {
    fn new(policy: RetryPolicy) -> Tally {
        Tally { policy, run: Run::new(), total: Report::default(), offered: 0 }
    }

    /// Settles `id` with `event` and drops this run's claim, together.
    fn settle(&self, store: &mut Store, today: NaiveDate, stage: Stage, id: &str, event: &Event) -> Result<()> {
        store.transaction(today, |tx| {
            tx.append(event)?;
            tx.drop_claim(stage.code(), id, &self.run.owner)
        })
    }

    /// Sends what of `parcels` has not been sent at its stage (see
    /// [`Sender`] for what stops the run).
    fn batch<P: Parcel>(
        &mut self,
        transport: &mut dyn Transport,
        store: &mut Store,
        today: NaiveDate,
        parcels: &[P],
        progress: &dyn Fn(),
    ) -> Result<Report> {
        let known = P::settled(store, parcels)?;
        self.offered += parcels.len();
        let mut report = Report::default();
        for p in parcels {
            let id = p.message_id();
            let stage = P::STAGE;
            // Decided under the write lock: another run may have sent it
            // since this batch was read, or be sending it now (its claim).
            // One left "intended" by a run that is gone goes again under
            // the same Message-ID, journaled once.
            let turn = if known.get(id).copied().unwrap_or(false) {
                Turn::Settled
            } else {
                store.transaction(today, |tx| {
                    let settled = stage.settled(tx, id)?;
                    if settled == Some(true) {
                        return Ok(Turn::Settled);
                    }
                    if let Some(claim) = tx.claim(stage.code(), id)?
                        && self.run.yields_to(&claim)
                    {
                        return Ok(Turn::Elsewhere);
                    }
                    if let Some(reason) = p.refusal(tx)? {
                        return Ok(Turn::Refused(reason));
                    }
                    tx.set_claim(stage.code(), id, &self.run.claim())?;
                    if settled.is_none() {
                        let intended = p.intended(tx)?;
                        tx.append(&intended)?;
                    }
                    if let Some(event) = p.handed_over() {
                        tx.append(&event)?;
                    }
                    Ok(Turn::Go)
                })?
            };
            match &turn {
                Turn::Go => {}
                Turn::Settled => report.already += 1,
                Turn::Elsewhere => report.elsewhere.push(id.to_owned()),
                Turn::Refused(reason) => report.refused.push((id.to_owned(), reason.clone())),
            }
            if turn != Turn::Go {
                progress();
                continue;
            }
            match retry(self.policy, || p.hand_over(transport)) {
                Ok(()) => {
                    self.settle(store, today, stage, id, &stage.done(id.to_owned()))?;
                    report.sent += 1;
                }
                Err(SendError::Permanent(reason)) => {
                    // A server's refusal often quotes the address: the
                    // journal keeps the reason without it.
                    let journaled = redact(&reason, &p.recipients());
                    self.settle(store, today, stage, id, &stage.bounced(id.to_owned(), journaled))?;
                    report.bounced.push((p.address(), reason));
                }
                Err(failure) => {
                    transport.close();
                    // Not sent: the next run may take it at once. (Should
                    // this fail too, the lease ends the claim.)
                    let _ = store.transaction(today, |tx| tx.drop_claim(stage.code(), id, &self.run.owner));
                    self.total.absorb(&report);
                    return Err(self.stopped(failure));
                }
            }
            progress();
        }
        self.total.absorb(&report);
        Ok(report)
    }

    /// Why the run stopped, in words that say what to do, once the batch's
    /// counts are in the totals.
    fn stopped(&self, failure: SendError) -> Error {
        let done = self.total.sent + self.total.already;
        let offered = self.offered;
        match failure {
            SendError::Config(reason) if self.total.sent > 0 => {
                // Messages went out in this run: "nothing was changed" (exit 2)
                // would be false. What was sent is journaled; once the settings
                // are fixed, the same command sends the rest.
                Error::temporary(format!(
                    "{done} of {offered} messages sent; then the mail settings were refused: {reason}. \
                     Fix [mail] in charte.toml, then run the same command again to send the rest"
                ))
            }
            SendError::Config(reason) => Error::Config {
                file: "charte.toml".into(),
                message: format!("[mail]: {reason} ({done} of {offered} messages sent before this)"),
            },
            // (A bounce never stops a run: only a transient failure comes here.)
            SendError::Transient(reason) | SendError::Permanent(reason) => Error::temporary(format!(
                "{done} of {offered} messages sent; then the mail server refused or did not answer, for now \
                 ({reason}). Nothing else was marked sent: run the same command again to send the rest"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;
    use std::time::Duration;

    use super::*;
    use crate::error::Kind;
    use crate::journal::Clock;
    use crate::mail::Contact;

    /// Answers each message with the next scripted result (then Ok), and
    /// counts the hand-overs.
    struct Scripted {
        answers: Vec<Result<(), SendError>>,
        calls: Rc<Cell<usize>>,
    }

    impl Scripted {
        fn new(answers: Vec<Result<(), SendError>>) -> (Box<Scripted>, Rc<Cell<usize>>) {
            let calls = Rc::new(Cell::new(0));
            (Box::new(Scripted { answers, calls: Rc::clone(&calls) }), calls)
        }

        fn answer(&mut self) -> Result<(), SendError> {
            self.calls.set(self.calls.get() + 1);
            if self.answers.is_empty() { Ok(()) } else { self.answers.remove(0) }
        }
    }

    impl Transport for Scripted {
        fn send(&mut self, _: &Outgoing) -> Result<(), SendError> {
            self.answer()
        }
        fn send_raw(&mut self, _: &Raw) -> Result<(), SendError> {
            self.answer()
        }
    }

    const QUICK: RetryPolicy = RetryPolicy { attempts: 1, base_delay: Duration::from_millis(1) };

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 2, 1).expect("date")
    }

    fn store(dir: &tempfile::TempDir) -> Store {
        Store::create(&dir.path().join("charte.db"), Clock { today: today(), replay: true }).expect("store")
    }

    fn planned(n: usize) -> Planned {
        let address = format!("org{n}@example.be");
        Planned {
            outgoing: Outgoing {
                message_id: format!("convocation.m1.{n}@example.be"),
                date: chrono::DateTime::from_timestamp(0, 0).expect("epoch"),
                from: Contact::new("coordination@example.be"),
                reply_to: None,
                to: vec![Contact::new(address.clone())],
                subject: "s".into(),
                text: "t".into(),
                html: None,
                attachments: vec![],
                calendar: None,
            },
            purpose: "convocation",
            about: "m1".into(),
            enterprise_number: format!("{n:010}"),
            address,
            link: None,
        }
    }

    #[test]
    fn a_message_sent_or_bounced_is_never_handed_over_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = store(&dir);
        let batch: Vec<Planned> = (1..=3).map(planned).collect();
        let (transport, calls) = Scripted::new(vec![Ok(()), Err(SendError::Permanent("550".into()))]);
        let mut sender = Sender::new(transport, QUICK);
        let first = sender.deliver(&mut store, today(), &batch, &|| {}).expect("first");
        assert_eq!((first.sent, first.already, first.bounced.len()), (2, 0, 1));
        let again = sender.deliver(&mut store, today(), &batch, &|| {}).expect("again");
        assert_eq!((again.sent, again.already), (0, 3));
        assert_eq!(calls.get(), 3, "each message handed over once");
        let total = sender.close();
        assert_eq!((total.sent, total.already, total.bounced.len()), (2, 3, 1), "every batch together");
    }

    #[test]
    fn a_message_claimed_by_a_live_run_is_left_to_it_and_one_of_a_dead_run_is_taken_over() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = store(&dir);
        let batch: Vec<Planned> = (1..=2).map(planned).collect();
        let live = Run::new(); // this very process: alive
        let dead = crate::journal::store::Claim { owner: "gone".into(), pid: u32::MAX, expires: i64::MAX };
        store
            .transaction(today(), |tx| {
                for p in &batch {
                    let intended = p.intended(tx)?;
                    tx.append(&intended)?;
                }
                tx.set_claim("send", &batch[0].outgoing.message_id, &live.claim())?;
                tx.set_claim("send", &batch[1].outgoing.message_id, &dead)
            })
            .expect("claims");
        let (transport, calls) = Scripted::new(vec![]);
        let mut sender = Sender::new(transport, QUICK);
        let report = sender.deliver(&mut store, today(), &batch, &|| {}).expect("deliver");
        assert_eq!(report.elsewhere, vec![batch[0].outgoing.message_id.clone()], "the live run's is left to it");
        assert_eq!((report.sent, calls.get()), (1, 1), "the dead run's is sent again");
        let left = store.transaction(today(), |tx| tx.claim("send", &batch[1].outgoing.message_id)).expect("read");
        assert_eq!(left, None, "the claim goes with the entry that settles the message");
    }

    /// An outbox message whose recipient's address was erased after the
    /// outbox was read: refused under the lock, never handed over, nothing
    /// journaled; the others go.
    #[test]
    fn a_message_whose_address_was_erased_meanwhile_is_not_sent_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = store(&dir);
        let batch: Vec<Planned> = (1..=2).map(planned).collect();
        let (transport, _) = Scripted::new(vec![]);
        Sender::new(transport, QUICK).deliver(&mut store, today(), &batch, &|| {}).expect("written");
        let held: Vec<Held> = batch
            .iter()
            .map(|p| Held {
                message_id: p.outgoing.message_id.clone(),
                raw: Raw { from: "coordination@example.be".into(), to: vec![p.address.clone()], bytes: b"M".to_vec() },
            })
            .collect();
        let len = store.head().expect("reads").seq;
        store
            .transaction(today(), |tx| {
                let erased: Vec<_> =
                    tx.personal_matching("org1@example.be")?.into_iter().map(|h| h.commitment).collect();
                assert_eq!(erased.len(), 1);
                tx.erase_personal(&erased, "request")
            })
            .expect("erases");
        let (transport, calls) = Scripted::new(vec![]);
        let mut sender = Sender::new(transport, QUICK);
        let report = sender.relay(&mut store, today(), &held, &|| {}).expect("relays");
        assert_eq!(report.refused, vec![(held[0].message_id.clone(), ERASED.to_owned())]);
        assert_eq!((report.sent, calls.get()), (1, 1), "the other one goes");
        assert_eq!(store.head().expect("reads").seq, len + 1 + 2, "the erasure, the other's relay: nothing for it");
        assert_eq!(store.relay_states(&[held[0].message_id.as_str()]).expect("reads").len(), 0);
    }

    #[test]
    fn a_settings_error_after_an_earlier_batch_sent_is_temporary_not_nothing_changed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = store(&dir);
        let (transport, _) = Scripted::new(vec![Ok(()), Err(SendError::Config("535".into()))]);
        let mut sender = Sender::new(transport, QUICK);
        sender.deliver(&mut store, today(), &[planned(1)], &|| {}).expect("first batch");
        let err = sender.deliver(&mut store, today(), &[planned(2), planned(3)], &|| {}).expect_err("stops");
        assert_eq!(err.kind(), Kind::Temporary, "{err}");
        assert!(err.to_string().contains("1 of 3 messages sent"), "{err}");

        // A fresh run whose first message meets the same refusal changed nothing.
        let (transport, _) = Scripted::new(vec![Err(SendError::Config("535".into()))]);
        let err = Sender::new(transport, QUICK).deliver(&mut store, today(), &[planned(4)], &|| {}).expect_err("stops");
        assert_eq!(err.kind(), Kind::Invalid, "{err}");
    }
}
