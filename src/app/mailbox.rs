//! `charte collect --imap`: the returns that arrived in the coordination's
//! mailbox (`[mail.imap]`), collected as `charte collect` collects files.
//!
//! Message by message, oldest first: a message read before (its key in
//! the journal, decided again inside the write transaction) is never
//! examined again; otherwise its PDF and image attachments are examined
//! (crate::collect::reply) and recorded through the one recording path of
//! every return ([`super::collect::record`]), then the message's outcome
//! is journaled under its key (`mail-read`), in the same transaction. Only
//! then is the message moved to `processed_folder` (never deleted); a
//! message that is not a return stays where it was. A run stopped between
//! the two (a lost connection, a kill) leaves the message journaled and
//! not moved: the next run moves it without examining it again.
//!
//! A message larger than [`MAX_MESSAGE_BYTES`] is refused unread when it
//! comes from an organisation's address (anyone else's is left where it
//! was, unread); one attachment over 20 MB is refused. At most one message
//! is held in memory at a time.
//!
//! A refused return is answered, once per message, at the registered
//! address of the organisation it is about (the document's, else the
//! sender's when that is an organisation's address), never at the
//! message's sender, which anyone can forge: in the organisation's
//! language, why and what to do ([`Why::explain`]). Who is answered and
//! why is journaled with the message's outcome, and the answers still
//! owed are sent after the run's messages (and by the next run, when one
//! stopped first), each under a Message-ID derived from the message's
//! key: never twice. At most [`ANSWERS_PER_DAY`] answers a day reach one
//! organisation, so a flood of forged messages cannot flood its mailbox
//! (a From header can be forged too: the quota bounds the answers, it
//! does not tell who wrote).
//!
//! A delivery report (RFC 3464) about a message charte sent, naming the
//! address the journal records it was sent to, raises `mail-bounced` for
//! that address, as an SMTP 5xx does at once; one about anything else is
//! not a return and stays where it was. Anyone can write a report (our
//! Message-IDs can be guessed): it is journaled as what it is, a report
//! read, with its status code only (its free text, which a stranger
//! writes, is not kept), and the message stays as it was: an organisation
//! cannot make its own adherence mail unsent by forging one.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::collect::{Held, Line, What, record};
use super::{App, Bar};
use crate::collect::reply::{self, MAX_MESSAGE_BYTES, Reply, Undelivered};
use crate::collect::{Outcome, Why, reply::Attached};
use crate::delivery::{self, MessageState};
use crate::error::{Error, Result};
use crate::journal::Event;
use crate::journal::personal::Kind;
use crate::mail::imap::{ImapError, Mailbox};
use crate::workspace::CONFIG_FILE;

/// What became of one message, as journaled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// At least one attachment counted as an adherence.
    Collected,
    /// Valid proof, waiting for the coordinator's confirmation.
    Waiting,
    /// Valid proof of an adherence already counted.
    Duplicate,
    /// Files collected before.
    Known,
    /// Nothing in it could be collected: what kind of refusal (the first
    /// attachment's), and every attachment's reason.
    Refused { why: Why, reason: String },
    /// A delivery report: the message `message_id` charte sent did not
    /// arrive, it says (`reason`: its status code); `mail-bounced` reads it.
    Undelivered { message_id: String, reason: String },
    /// No returned document in it: left where it was.
    NotAReturn,
}

impl Read {
    /// The journal's word for it.
    pub fn code(&self) -> &'static str {
        match self {
            Read::Collected => "collected",
            Read::Waiting => "waiting",
            Read::Duplicate => "duplicate",
            Read::Known => "known",
            Read::Refused { .. } => "refused",
            Read::Undelivered { .. } => "delivery-report",
            Read::NotAReturn => "not-a-return",
        }
    }

    /// What one message's attachments, recorded, make of it.
    fn of(whats: &[&What]) -> Read {
        let any = |f: fn(&What) -> bool| whats.iter().any(|w| f(w));
        if whats.is_empty() {
            Read::NotAReturn
        } else if any(|w| matches!(w, What::Accepted { .. })) {
            Read::Collected
        } else if any(|w| matches!(w, What::Waiting { .. })) {
            Read::Waiting
        } else if any(|w| matches!(w, What::Duplicate { .. })) {
            Read::Duplicate
        } else if any(|w| matches!(w, What::Known { .. })) {
            Read::Known
        } else {
            let refusals: Vec<(Why, &str)> = whats
                .iter()
                .filter_map(|w| match w {
                    What::Refused { why, reason } => Some((*why, reason.as_str())),
                    _ => None,
                })
                .collect();
            Read::Refused {
                why: refusals.first().map_or(Why::Other, |(why, _)| *why),
                reason: refusals.iter().map(|(_, r)| *r).collect::<Vec<_>>().join("; "),
            }
        }
    }
}

/// One message of this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its Message-ID, or `sha256:HEX` of its bytes.
    pub key: String,
    pub subject: Option<String>,
    pub read: Read,
    /// What each attachment examined proved, as `charte collect` says it.
    pub files: Vec<Line>,
    /// Moved to the processed folder by this run.
    pub moved: bool,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fetched {
    /// The messages read by this run, oldest first.
    pub messages: Vec<Message>,
    /// Messages read by an earlier run and moved only now (that run
    /// stopped before moving them).
    pub moved_late: usize,
    /// Messages read before and left where they are (not returns).
    pub left_before: usize,
    /// The processed folder, as charte.toml names it.
    pub processed_folder: String,
    /// The answers to refused returns sent by this run (those owed by an
    /// earlier one included).
    pub answers: delivery::Report,
    /// Why the answers owed could not be sent (the mail server down, the
    /// mail settings wrong): the mailbox was read all the same, and the
    /// next run sends them.
    pub unanswered: Option<String>,
}

impl Fetched {
    pub fn count(&self, f: impl Fn(&Read) -> bool) -> usize {
        self.messages.iter().filter(|m| f(&m.read)).count()
    }
}

impl App {
    /// Reads the mailbox `[mail.imap]` names (the action `charte collect
    /// --imap`), with the password from the secret `password_env` names.
    pub fn collect_imap(&mut self) -> Result<Fetched> {
        let config = |message: String| Error::Config { file: self.ws.root.join(CONFIG_FILE), message };
        let mail = self.ws.mail()?;
        let Some(settings) = mail.imap.clone() else {
            return Err(config(
                "there is no [mail.imap] table: say where associations' replies arrive (host, port, security, \
                 username, password_env, folder, processed_folder; see the template charte init writes). \
                 Nothing was read"
                    .into(),
            ));
        };
        let Some(password) = self.options.secrets.get(&settings.password_env) else {
            return Err(config(format!(
                "the environment variable {} (mail.imap.password_env) is not set: set it to the mailbox's \
                 password. Nothing was read",
                settings.password_env
            )));
        };
        let imap_error = |e: ImapError| match e {
            ImapError::Unavailable(m) => Error::Temporary(m),
            ImapError::Settings(m) => Error::Config { file: self.ws.root.join(CONFIG_FILE), message: m },
        };
        let extra_root = self.options.smtp.extra_root_pem.clone();
        let mut mailbox = Mailbox::open(&settings, &password, extra_root.as_deref()).map_err(imap_error)?;
        let listed = mailbox.list().map_err(imap_error)?;
        let read_before: HashMap<String, String> = self.ws.store.mail_read()?.into_iter().collect();
        let held = Held::read(self)?;
        let register = held.register();
        let version = self.ws.config.charter.version.clone();
        let progress = Arc::clone(&self.progress);
        let bar = Bar::start(progress.as_ref(), listed.len() as u64, "messages");
        let mut fetched = Fetched { processed_folder: settings.processed_folder.clone(), ..Fetched::default() };
        let mut processed: Option<String> = None;
        let mut move_to = |mailbox: &mut Mailbox, uid: u32| -> std::result::Result<(), ImapError> {
            let folder = match &processed {
                Some(f) => f.clone(),
                None => processed.insert(mailbox.ensure_folder(&settings.processed_folder)?).clone(),
            };
            mailbox.move_to(uid, &folder)
        };
        let stopped = |e: ImapError, fetched: &Fetched| match imap_error(e) {
            Error::Temporary(m) => Error::Temporary(format!(
                "{m} ({} message(s) read and journaled by this run before it stopped)",
                fetched.messages.len()
            )),
            e => e,
        };
        for listed in listed {
            bar.inc(1);
            let header_key = reply::key_of_header(&listed.header);
            // Read before (by an earlier run): never examined again; moved
            // now if that run stopped before moving it.
            let mut read_earlier = |key: &str, mailbox: &mut Mailbox, fetched: &mut Fetched| {
                let Some(outcome) = read_before.get(key) else { return Ok(false) };
                if outcome == Read::NotAReturn.code() {
                    fetched.left_before += 1;
                } else {
                    move_to(mailbox, listed.uid).map_err(|e| stopped(e, fetched))?;
                    fetched.moved_late += 1;
                }
                Ok::<bool, Error>(true)
            };
            if let Some(key) = &header_key
                && read_earlier(key, &mut mailbox, &mut fetched)?
            {
                continue;
            }
            let (reply, oversize) = if listed.size > MAX_MESSAGE_BYTES {
                // Refused unread: never more than the cap in memory.
                let mut reply = reply::read(&listed.header);
                reply.key = header_key.clone().unwrap_or_else(|| reply::key_of_bytes(&listed.header));
                (reply, true)
            } else {
                let raw = mailbox.fetch(listed.uid).map_err(|e| stopped(e, &fetched))?;
                (reply::read(&raw), false)
            };
            if header_key.is_none() && read_earlier(&reply.key, &mut mailbox, &mut fetched)? {
                continue;
            }
            let sender = reply::sender(reply.from.as_deref(), &held.members);
            let examined: Vec<(String, String, Outcome)> = if oversize {
                // From an organisation's address, refused unread: its size
                // alone says it holds more than a returned document may
                // be. Anyone else's is not taken for a return: left unread
                // where it was.
                let whole = Attached { name: "the message".into(), bytes: Vec::new(), oversize: true };
                sender
                    .and_then(|_| reply::examine_attached(&whole, "", &register, sender, &version, &held.issued))
                    .map(|o| vec![(whole.name, format!("unread:{}", reply.key), o)])
                    .unwrap_or_default()
            } else {
                reply
                    .attachments
                    .iter()
                    .filter_map(|a| {
                        let sha = match a.oversize {
                            true => format!("unread:{}", a.name),
                            false => hex::encode(Sha256::digest(&a.bytes)),
                        };
                        let outcome = reply::examine_attached(a, &sha, &register, sender, &version, &held.issued)?;
                        Some((a.name.clone(), sha, outcome))
                    })
                    .collect()
            };
            // Whom a refusal is answered to: the organisation the document
            // was issued to (as its seal's manifest says, even altered),
            // else the one whose address sent it.
            let about = reply
                .attachments
                .iter()
                .find_map(|a| reply::issued_to(&a.bytes, &held.issued))
                .or_else(|| sender.map(|m| m.organisation.enterprise_number.digits().to_owned()));
            // A message from another address than the organisation's (the
            // document names it, someone else sent it) is answered once a
            // day at most: forged messages in bulk get one answer.
            let quota = match sender {
                Some(m) if about.as_deref() == Some(m.organisation.enterprise_number.digits()) => ANSWERS_PER_DAY,
                _ => 1,
            };
            let today = self.today;
            let message = self.ws.store.transaction(today, |tx| {
                if tx.mail_read(&reply.key)?.is_some() {
                    return Ok(None);
                }
                if let Some(report) = &reply.undelivered
                    && let Some(read) = undelivered(tx, report)?
                {
                    // A second report of the same failure is read and moved,
                    // and flags nothing more.
                    let (undelivered, reason) = match &read {
                        Read::Undelivered { message_id, reason } if !tx.reported_undelivered(message_id)? => {
                            (Some(message_id.clone()), Some(reason.clone()))
                        }
                        _ => (None, None),
                    };
                    tx.append(&Event::MailRead {
                        message_id: reply.key.clone(),
                        outcome: read.code().to_owned(),
                        reason,
                        files: Vec::new(),
                        answer_to: None,
                        why: None,
                        undelivered,
                    })?;
                    return Ok(Some(Message {
                        key: reply.key.clone(),
                        subject: reply.subject.clone(),
                        read,
                        files: Vec::new(),
                        moved: false,
                    }));
                }
                let mut files = Vec::with_capacity(examined.len());
                let mut shas = Vec::with_capacity(examined.len());
                for (name, sha, outcome) in &examined {
                    let mut outcome = outcome.clone();
                    if let Outcome::Pending { adherence, .. } = &mut outcome {
                        attach_mail(tx, &mut adherence.details, &reply)?;
                    }
                    let file = format!("{}: {name}", reply.key);
                    let what = record(
                        tx,
                        &version,
                        |n| register.member(n).map(|m| m.organisation.name.clone()),
                        &file,
                        sha.clone(),
                        outcome,
                    )?;
                    shas.push(sha.clone());
                    files.push(Line { file, what });
                }
                let read = Read::of(&files.iter().map(|l| &l.what).collect::<Vec<_>>());
                let (reason, answer_to, why) = match &read {
                    Read::Refused { why, reason } => {
                        let answer_to = match &about {
                            Some(digits) if why.answered() && tx.mail_answers_on(digits, today)? < quota => {
                                Some(digits.clone())
                            }
                            _ => None,
                        };
                        (Some(reason.clone()), answer_to, Some(why.code().to_owned()))
                    }
                    _ => (None, None, None),
                };
                tx.append(&Event::MailRead {
                    message_id: reply.key.clone(),
                    outcome: read.code().to_owned(),
                    reason,
                    files: shas,
                    answer_to,
                    why,
                    undelivered: None,
                })?;
                Ok(Some(Message { key: reply.key.clone(), subject: reply.subject.clone(), read, files, moved: false }))
            })?;
            // Another run read it meanwhile: that run moves it.
            let Some(mut message) = message else { continue };
            if message.read != Read::NotAReturn {
                move_to(&mut mailbox, listed.uid).map_err(|e| {
                    fetched.messages.push(message.clone());
                    stopped(e, &fetched)
                })?;
                message.moved = true;
            }
            fetched.messages.push(message);
        }
        drop(bar);
        mailbox.close();
        match self.answer_refused() {
            Ok(answers) => fetched.answers = answers,
            Err(e) if e.kind() == crate::error::Kind::Internal => return Err(e),
            Err(e) => fetched.unanswered = Some(e.to_string()),
        }
        Ok(fetched)
    }

    /// Sends the answers refused returns are owed and that were not sent
    /// yet (see the module doc), through `[mail] transport`.
    fn answer_refused(&mut self) -> Result<delivery::Report> {
        let owed = self.ws.store.mail_answers()?;
        if owed.is_empty() {
            return Ok(delivery::Report::default());
        }
        let settled: std::collections::HashSet<String> = self
            .ws
            .store
            .messages(ANSWER)?
            .into_iter()
            .filter(|m| m.state != MessageState::Intended)
            .map(|m| m.about)
            .collect();
        let mail = self.ws.mail()?;
        let envelope = crate::governance::convoke::envelope(&mail)?;
        let templates = self.ws.mail_templates()?;
        let c = &self.ws.config.coordination;
        let date = self.today.and_time(chrono::Utc::now().time()).and_utc();
        let mut planned = Vec::new();
        for (key, digits, why) in owed {
            let about = answer_about(&key);
            if settled.contains(&about) {
                continue;
            }
            let member = crate::roster::EnterpriseNumber::parse(&digits)
                .ok()
                .map(|n| self.ws.store.member(&n))
                .transpose()?
                .flatten();
            // Gone from the roster since: nobody to answer.
            let Some(member) = member else { continue };
            let o = &member.organisation;
            let lang = o.language;
            let (because, todo) = Why::parse(&why).unwrap_or(Why::Other).explain(lang);
            let data = json!({
                "lang": lang.code(), "network": c.name(lang), "organiser": c.organiser(lang),
                "recipient": o.name, "because": because, "todo": todo,
            });
            let rendered = templates
                .render(ANSWER, lang, &data)
                .map_err(|e| Error::usage(format!("mail template '{ANSWER}': {e}")))?;
            let letter = delivery::Letter {
                envelope: &envelope,
                rendered: &rendered,
                date,
                id: format!("{ANSWER}.{about}"),
                purpose: ANSWER,
                about: &about,
            };
            planned.extend(delivery::to_registered_address(o, &letter)?);
        }
        if planned.is_empty() {
            return Ok(delivery::Report::default());
        }
        let mut sender = self.sender()?;
        sender.deliver(&mut self.ws.store, self.today, &planned, &|| {})?;
        Ok(sender.close())
    }
}

/// The purpose (and template) of the answer to a refused return.
pub const ANSWER: &str = "return-refused";

/// At most this many answers to refused returns reach one organisation a
/// day (one of them, at most, for messages sent from another address than
/// its own); a refused message beyond them is journaled unanswered.
pub const ANSWERS_PER_DAY: i64 = 3;

/// What an answer is about, in its Message-ID: the message's key hashed
/// (a key is whatever its sender wrote, and a Message-ID has rules).
fn answer_about(key: &str) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..16])
}

/// What a delivery report is, read under the write lock: about a message
/// the journal records as sent to the address it names, that message and
/// the report's status code (its only words kept: a status is digits and
/// dots). `None`: it names none (not a charte message, or another
/// address: left where it was).
fn undelivered(tx: &crate::journal::Tx<'_>, report: &Undelivered) -> Result<Option<Read>> {
    let id = &report.message_id;
    if tx.message_state(id)?.is_none() {
        return Ok(None);
    }
    let Some(address) = tx.message_address(id)? else { return Ok(None) };
    let Some(failed) = report.failed.iter().find(|f| f.address.eq_ignore_ascii_case(&address)) else {
        return Ok(None);
    };
    let status: String = failed.status.chars().take_while(|c| c.is_ascii_digit() || *c == '.').take(16).collect();
    Ok(Some(Read::Undelivered { message_id: id.clone(), reason: format!("{}{status}", delivery::REPORTED) }))
}

/// The purpose a message reported undelivered shows under on the mail
/// page (its own purpose is kept in the journal's record of it).
pub const REPORTED: &str = "delivery-report";

/// Adds to a waiting return's details where it came from: the message's
/// key, date and subject, and its sender as a commitment (a mail sender is
/// personal data, DESIGN.md: the address itself in `personal`).
fn attach_mail(tx: &mut crate::journal::Tx<'_>, details: &mut serde_json::Value, reply: &Reply) -> Result<()> {
    let from = reply.from.as_deref().map(|f| tx.personal(Kind::Email, f)).transpose()?;
    let mail = json!({
        "message_id": reply.key,
        "from": from.as_ref().map(|c| c.as_str()),
        "date": reply.date,
        "subject": reply.subject,
    });
    match details.as_object_mut() {
        Some(object) => {
            object.insert("mail".into(), mail);
        }
        None => *details = json!({ "mail": mail }),
    }
    Ok(())
}
