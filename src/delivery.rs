//! Durable delivery: every message has a deterministic Message-ID, is
//! journaled as intended before it is handed to the transport, and as sent
//! (or bounced) after. Running the same batch again sends only what was not
//! sent: a message journaled as sent or bounced is never sent again; one
//! left "intended" by an interruption is sent again under the same
//! Message-ID (the one window where a server may see it twice).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::journal::{Event, Store};
use crate::mail::{Outgoing, RetryPolicy, SendError, Transport, send_with_retry};

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
    pub address: String,
    pub state: MessageState,
    /// Why it bounced.
    pub reason: Option<String>,
    /// The journal entry of its last state change.
    pub seq: i64,
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
    let e = letter.envelope;
    let mut out = Vec::new();
    for (k, (name, address)) in o.recipients().into_iter().enumerate() {
        let to = match name {
            Some(n) => crate::mail::Contact::named(n, address),
            None => crate::mail::Contact::new(address),
        };
        let (attachments, calendar) = extras(&to)?;
        out.push(Planned {
            outgoing: Outgoing {
                message_id: format!("{}.{k}@{}", letter.id, e.domain),
                date: letter.date,
                from: e.from.clone(),
                reply_to: e.reply_to.clone(),
                to: vec![to],
                subject: letter.rendered.subject.clone(),
                text: letter.rendered.text.clone(),
                html: Some(letter.rendered.html.clone()),
                attachments,
                calendar,
            },
            purpose: letter.purpose,
            about: letter.about.to_owned(),
            enterprise_number: o.enterprise_number.digits().to_owned(),
            address: address.to_owned(),
        });
    }
    Ok(out)
}

/// What a delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    /// Sent or bounced by an earlier run: not sent again.
    pub already: usize,
    /// (address, reason) of the messages refused for good in this run.
    pub bounced: Vec<(String, String)>,
}

/// Sends what has not been sent. A transient failure that outlasts the
/// retries stops the batch with an error (what was sent stays sent); a
/// permanent one marks that message bounced and the batch goes on. The
/// transport stays open for the next batch (the caller closes it), and is
/// closed on an error.
pub fn deliver(
    store: &mut Store,
    today: NaiveDate,
    transport: &mut dyn Transport,
    planned: &[Planned],
    policy: RetryPolicy,
    progress: &dyn Fn(),
) -> Result<Report> {
    let mut states: HashMap<String, MessageState> = HashMap::new();
    // Only the messages about what this batch is about (one meeting, say),
    // not every message ever sent for that purpose.
    for (purpose, about) in
        planned.iter().map(|p| (p.purpose, p.about.as_str())).collect::<std::collections::BTreeSet<_>>()
    {
        states.extend(store.message_states(purpose, about)?);
    }
    let mut report = Report::default();
    for p in planned {
        let id = p.outgoing.message_id.clone();
        match states.get(&id) {
            Some(MessageState::Sent | MessageState::Bounced) => {
                report.already += 1;
                progress();
                continue;
            }
            Some(_) => {}
            None => store.transaction(today, |tx| {
                tx.append(&Event::MessageIntended {
                    message_id: id.clone(),
                    purpose: p.purpose.to_owned(),
                    about: p.about.clone(),
                    enterprise_number: p.enterprise_number.clone(),
                    address: p.address.clone(),
                })
                .map(|_| ())
            })?,
        }
        match send_with_retry(transport, &p.outgoing, policy) {
            Ok(()) => {
                store.transaction(today, |tx| tx.append(&Event::MessageSent { message_id: id.clone() }).map(|_| ()))?;
                report.sent += 1;
            }
            Err(SendError::Permanent(reason)) => {
                store.transaction(today, |tx| {
                    tx.append(&Event::MessageBounced { message_id: id.clone(), reason: reason.clone() }).map(|_| ())
                })?;
                report.bounced.push((p.address.clone(), reason));
            }
            Err(SendError::Transient(reason)) => {
                transport.close();
                return Err(Error::temporary(format!(
                    "{} of {} messages sent; then the mail server refused or did not answer, for now ({reason}). \
                     Nothing else was marked sent: run the same command again to send the rest",
                    report.sent + report.already,
                    planned.len()
                )));
            }
            Err(SendError::Config(reason)) if report.sent > 0 => {
                // Messages went out in this run: "nothing was changed" (exit 2)
                // would be false. What was sent is journaled; once the settings
                // are fixed, the same command sends the rest.
                transport.close();
                return Err(Error::temporary(format!(
                    "{} of {} messages sent; then the mail settings were refused: {reason}. \
                     Fix [mail] in charte.toml, then run the same command again to send the rest",
                    report.sent + report.already,
                    planned.len()
                )));
            }
            Err(SendError::Config(reason)) => {
                transport.close();
                return Err(Error::Config {
                    file: "charte.toml".into(),
                    message: format!(
                        "[mail]: {reason} ({} of {} messages sent before this)",
                        report.sent + report.already,
                        planned.len()
                    ),
                });
            }
        }
        progress();
    }
    Ok(report)
}
