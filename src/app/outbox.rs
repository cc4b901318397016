//! `charte outbox list` and `charte outbox send`: what the outbox transport
//! left in out/outbox/, and sending it on through `[mail.smtp]`.
//!
//! The outbox is for trying charte, or for a first year without a mail
//! server: every message is written whole as `<Message-ID>.eml` and the
//! journal records it as sent. Sending it on later bridges to real use:
//! each file goes to the server byte for byte (it is a complete RFC 5322
//! message, Message-ID included; nothing is rebuilt), from the
//! coordination's address to the address the journal recorded for that
//! Message-ID, through the one send loop ([`crate::delivery::Sender`]):
//! journaled as intended before the hand-over and as relayed or bounced
//! after, never twice.
//!
//! Only what charte wrote is sent: a file whose name is no message of the
//! journal, or whose Message-ID header is not the one its name says, is
//! named and left alone.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use super::{App, Bar};
use crate::delivery::{Held, Report};
use crate::delivery::{KnownMessage, MessageState, RelayState as Stage};
use crate::error::{Error, Result};
use crate::mail::{Raw, message_id_of, transport::file_stem};
use crate::roster::EnterpriseNumber;

/// Messages read and sent together: each file holds its attachments, and
/// thousands at once would hold gigabytes.
const BATCH: usize = 250;

/// Enough of a file to hold its header, where its Message-ID is.
const HEADER_BYTES: u64 = 64 * 1024;

/// One .eml file of out/outbox/, with what the journal says of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Its path in the workspace: `out/outbox/NAME.eml`.
    pub file: String,
    /// The message the journal recorded under this name; `None`: charte
    /// did not write this file.
    pub message: Option<Written>,
    pub relay: RelayState,
    /// The day it was sent on (relayed or bounced).
    pub relayed_on: Option<String>,
    /// Why it bounced, or why it is refused (English).
    pub reason: Option<String>,
    /// Why it is refused, typed (the desk says it in French or Dutch).
    #[serde(skip)]
    pub refusal: Option<NotSent>,
}

/// Why an outbox file is not sent on: charte sends only what it wrote,
/// as it wrote it, to an address it still holds. The command line's
/// English ([`std::fmt::Display`]) and the desk's French and Dutch
/// ([`NotSent::say`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSent {
    /// The journal knows no message written under this name.
    Unknown,
    /// A link or a folder.
    NotRegular,
    /// Larger than any message charte writes.
    TooLarge,
    /// The file cannot be read (`why`: the system's words).
    Unreadable {
        why: String,
    },
    /// Its Message-ID is another message's.
    OtherMessage {
        found: String,
        expected: String,
    },
    NoMessageId {
        expected: String,
    },
    /// Its writing was interrupted.
    Interrupted,
    /// The journal records it bounced when it was written (`why`: the server's words).
    Bounced {
        why: Option<String>,
    },
    /// Its recipient's address was erased.
    Erased,
}

impl std::fmt::Display for NotSent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const ONLY: &str = "charte sends only what it wrote";
        match self {
            NotSent::Unknown => write!(f, "the journal knows no message written under this name: {ONLY}"),
            NotSent::NotRegular => write!(f, "not a regular file (a link, a folder): {ONLY}"),
            NotSent::TooLarge => write!(f, "larger than any message charte writes: {ONLY}"),
            NotSent::Unreadable { why } => write!(f, "cannot be read: {why}"),
            NotSent::OtherMessage { found, expected } => write!(
                f,
                "its Message-ID <{found}> is not <{expected}>, the message the journal wrote under this name: {ONLY}"
            ),
            NotSent::NoMessageId { expected } => {
                write!(f, "it has no Message-ID header, yet the journal wrote <{expected}> under this name: {ONLY}")
            }
            NotSent::Interrupted => {
                f.write_str("its writing was interrupted: run the command that wrote it again, then send the outbox on")
            }
            NotSent::Bounced { why } => {
                write!(
                    f,
                    "the journal records it bounced{}",
                    why.as_deref().map(|r| format!(": {r}")).unwrap_or_default()
                )
            }
            NotSent::Erased => f.write_str(crate::delivery::ERASED),
        }
    }
}

impl NotSent {
    /// The sentence in French or Dutch, for the coordinator.
    pub fn say(&self, lang: crate::roster::Language) -> String {
        use crate::roster::Language::{Fr, Nl};
        let only = if lang == Fr {
            "charte n'envoie que ce qu'il a écrit"
        } else {
            "charte verstuurt enkel wat het zelf schreef"
        };
        match (self, lang) {
            (NotSent::Unknown, Fr) => format!("le journal ne connaît aucun message écrit sous ce nom : {only}"),
            (NotSent::Unknown, Nl) => {
                format!("het journaal kent geen bericht dat onder deze naam geschreven werd: {only}")
            }
            (NotSent::NotRegular, Fr) => format!("ce n'est pas un fichier ordinaire (un lien, un dossier) : {only}"),
            (NotSent::NotRegular, Nl) => format!("dit is geen gewoon bestand (een koppeling, een map): {only}"),
            (NotSent::TooLarge, Fr) => format!("plus grand que tout message écrit par charte : {only}"),
            (NotSent::TooLarge, Nl) => format!("groter dan elk bericht dat charte schrijft: {only}"),
            (NotSent::Unreadable { why }, Fr) => format!("le fichier ne peut pas être lu ({why})"),
            (NotSent::Unreadable { why }, Nl) => format!("het bestand kan niet gelezen worden ({why})"),
            (NotSent::OtherMessage { .. }, Fr) => {
                format!("ce fichier contient un autre message que celui que charte a écrit sous ce nom : {only}")
            }
            (NotSent::OtherMessage { .. }, Nl) => {
                format!("dit bestand bevat een ander bericht dan wat charte onder deze naam schreef: {only}")
            }
            (NotSent::NoMessageId { .. }, Fr) => {
                format!("ce fichier n'a pas l'identifiant du message que charte a écrit sous ce nom : {only}")
            }
            (NotSent::NoMessageId { .. }, Nl) => {
                format!(
                    "dit bestand heeft niet de identificatie van het bericht dat charte onder deze naam schreef: {only}"
                )
            }
            (NotSent::Interrupted, Fr) => "son écriture a été interrompue : refaites l'action qui l'a écrit (par \
                exemple l'envoi des convocations), puis envoyez la boîte d'envoi"
                .to_owned(),
            (NotSent::Interrupted, Nl) => "het schrijven ervan werd onderbroken: doe de actie die het schreef opnieuw \
                (bijvoorbeeld het versturen van de oproepingen) en verstuur dan de uitgaande post"
                .to_owned(),
            (NotSent::Bounced { .. }, Fr) => {
                "le journal l'enregistre comme refusé par le serveur du destinataire".to_owned()
            }
            (NotSent::Bounced { .. }, Nl) => {
                "het journaal registreert het als geweigerd door de server van de ontvanger".to_owned()
            }
            (NotSent::Erased, Fr) => {
                "l'adresse du destinataire a été effacée : ce message ne peut plus être envoyé".to_owned()
            }
            (NotSent::Erased, Nl) => "het adres van de ontvanger werd gewist: dit bericht kan niet meer verstuurd \
                worden"
                .to_owned(),
        }
    }
}

/// What the journal recorded when the outbox wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    pub message_id: String,
    /// convocation, adherence, reminder…
    pub purpose: String,
    /// The meeting, document or workflow step it is about.
    pub about: String,
    /// The organisation's number, as printed (0123.456.749).
    pub enterprise_number: String,
    /// Its name on the roster.
    pub organisation: String,
    /// Where it goes: the envelope's recipient when sent on; `None` once
    /// erased (`charte erase`): it can no longer be sent on.
    pub address: Option<String>,
    /// The day it was written.
    pub date: String,
}

/// Where a file stands with `charte outbox send`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelayState {
    /// Written, not sent on yet.
    Waiting,
    /// Journaled as about to be handed over, with no answer recorded (a run
    /// was interrupted, maybe before the hand-over): the next `outbox send`
    /// sends it again under the same Message-ID.
    Intended,
    /// Sent on: the server accepted it.
    Relayed,
    /// The server refused it for good (`reason`): never sent again.
    Bounced,
    /// Not sent, ever (`reason`): charte sends only what it wrote.
    Refused,
}

impl RelayState {
    /// As `outbox list` prints it.
    pub fn label(self) -> &'static str {
        match self {
            RelayState::Waiting => "waiting",
            RelayState::Intended => "intended",
            RelayState::Relayed => "sent on",
            RelayState::Bounced => "bounced",
            RelayState::Refused => "refused",
        }
    }
}

/// What `charte outbox send` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed {
    /// `already`: the files sent on (or bounced) by an earlier run.
    pub report: Report,
    /// The files not sent, and why.
    pub refused: Vec<(String, NotSent)>,
    /// The server they went to, `host:port`.
    pub server: String,
}

/// The largest .eml file sent on: a message carries at most one document
/// of [`crate::error::MAX_DOCUMENT_BYTES`], which base64 makes a third
/// larger; anything bigger is not a message charte wrote.
const MAX_MESSAGE_BYTES: u64 = crate::error::MAX_DOCUMENT_BYTES * 2;

impl App {
    /// Every .eml file of out/outbox/, in the order the journal recorded
    /// their messages; the files it does not know come last, by name.
    pub fn outbox(&self) -> Result<Vec<Entry>> {
        let dir = self.ws.out_dir().join("outbox");
        let listing = match std::fs::read_dir(&dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&dir, e)),
        };
        let known = self.ws.store.known_messages()?;
        let by_stem: HashMap<String, &KnownMessage> =
            known.iter().map(|k| (file_stem(&k.message.message_id), k)).collect();
        let names: HashMap<String, String> = self
            .ws
            .store
            .members()?
            .into_iter()
            .map(|m| (m.organisation.enterprise_number.digits().to_owned(), m.organisation.name))
            .collect();
        let mut entries = Vec::new();
        for item in listing {
            let item = item.map_err(|e| Error::io(&dir, e))?;
            let name = item.file_name().to_string_lossy().into_owned();
            // The outbox's temporary files (".NAME.eml.PID.tmp") are not messages.
            let Some(stem) = name.strip_suffix(".eml").filter(|_| !name.starts_with('.')) else { continue };
            let file = format!("out/outbox/{name}");
            let regular = item.file_type().map_err(|e| Error::io(item.path(), e))?.is_file();
            let k = by_stem.get(stem).copied();
            let header = if regular && k.is_some() { header_message_id(&item.path())? } else { None };
            let order = k.map_or(i64::MAX, |k| k.message.seq);
            entries.push((order, entry(file, k, regular, header.as_deref(), &names)));
        }
        entries.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.file.cmp(&y.file)));
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    }

    /// Sends on through `[mail.smtp]` every file of out/outbox/ not sent
    /// on yet, as written (see the module doc). A bounce is named and the
    /// others go on; a temporary failure stops the run (exit 3, run it
    /// again); the refused files are named in the outcome, never sent.
    pub fn send_outbox(&mut self) -> Result<Relayed> {
        let mail = self.ws.mail()?;
        let from = mail.sender().map_err(|e| Error::Config {
            file: self.ws.root.join(crate::workspace::CONFIG_FILE),
            message: e.to_string(),
        })?;
        let mut sender = self.smtp_sender()?;
        let server = mail.smtp.as_ref().map(|s| format!("{}:{}", s.host, s.port())).unwrap_or_default();
        let mut refused = Vec::new();
        let mut already = 0;
        let mut pending = Vec::new();
        for e in self.outbox()? {
            match (e.relay, e.message) {
                (
                    RelayState::Waiting | RelayState::Intended,
                    Some(Written { message_id, address: Some(address), .. }),
                ) => {
                    pending.push((e.file, message_id, address));
                }
                (RelayState::Relayed | RelayState::Bounced, _) => already += 1,
                (_, _) => refused.push((e.file, e.refusal.unwrap_or(NotSent::Unknown))),
            }
        }
        let bar = Bar::start(self.progress.as_ref(), pending.len() as u64, "messages");
        for chunk in pending.chunks(BATCH) {
            let mut held = Vec::new();
            for (file, message_id, address) in chunk {
                let path = self.ws.root.join(file);
                // Read again whole: the file may have changed, or gone, since
                // it was listed; one file that cannot be read is named, the
                // others are sent.
                let bytes = match crate::error::read_at_most(&path, MAX_MESSAGE_BYTES) {
                    Ok(Some(bytes)) => bytes,
                    Ok(None) => {
                        refused.push((file.clone(), NotSent::TooLarge));
                        bar.inc(1);
                        continue;
                    }
                    Err(e) => {
                        refused.push((file.clone(), NotSent::Unreadable { why: e.to_string() }));
                        bar.inc(1);
                        continue;
                    }
                };
                match mismatch(message_id, message_id_of(&bytes).as_deref()) {
                    Some(why) => {
                        refused.push((file.clone(), why));
                        bar.inc(1);
                    }
                    None => held.push(Held {
                        message_id: message_id.clone(),
                        raw: Raw { from: from.address.clone(), to: vec![address.clone()], bytes },
                    }),
                }
            }
            let report = sender.relay(&mut self.ws.store, self.today, &held, &|| bar.inc(1))?;
            // Erased while this run read the outbox: seen under the lock.
            // The one refusal of a relay (delivery::Held::refusal): the
            // address erased since it was read.
            refused.extend(
                report.refused.iter().map(|(id, _)| (format!("out/outbox/{}.eml", file_stem(id)), NotSent::Erased)),
            );
        }
        drop(bar);
        let mut report = sender.close();
        report.already += already;
        Ok(Relayed { report, refused, server })
    }
}

/// One file's entry: what the journal knows of it (`k`, found by its
/// name), and where it stands.
fn entry(
    file: String,
    k: Option<&KnownMessage>,
    regular: bool,
    header: Option<&str>,
    names: &HashMap<String, String>,
) -> Entry {
    let refused = |why: NotSent, message: Option<Written>| Entry {
        file: file.clone(),
        message,
        relay: RelayState::Refused,
        relayed_on: None,
        reason: Some(why.to_string()),
        refusal: Some(why),
    };
    let Some(k) = k else {
        return refused(NotSent::Unknown, None);
    };
    let m = &k.message;
    let written = Written {
        message_id: m.message_id.clone(),
        purpose: k.purpose.clone(),
        about: m.about.clone(),
        enterprise_number: EnterpriseNumber::parse(&m.enterprise_number)
            .map_or_else(|_| m.enterprise_number.clone(), |n| n.formatted()),
        organisation: names.get(&m.enterprise_number).cloned().unwrap_or_default(),
        address: m.address.clone(),
        date: m.at.to_string(),
    };
    if !regular {
        return refused(NotSent::NotRegular, Some(written));
    }
    if let Some(why) = mismatch(&m.message_id, header) {
        return refused(why, Some(written));
    }
    let erased = written.address.is_none();
    match m.state {
        MessageState::Sent => {}
        MessageState::Intended => {
            return refused(NotSent::Interrupted, Some(written));
        }
        MessageState::Bounced => {
            return refused(NotSent::Bounced { why: m.reason.clone() }, Some(written));
        }
    }
    let (relay, relayed_on, reason) = match &k.relay {
        None => (RelayState::Waiting, None, None),
        Some(r) => match r.state {
            Stage::Relayed => (RelayState::Relayed, Some(r.at.to_string()), None),
            Stage::Bounced => (RelayState::Bounced, Some(r.at.to_string()), r.reason.clone()),
            Stage::Intended => (RelayState::Intended, None, None),
        },
    };
    if erased && matches!(relay, RelayState::Waiting | RelayState::Intended) {
        return refused(NotSent::Erased, Some(written));
    }
    Entry { file, message: Some(written), relay, relayed_on, reason, refusal: None }
}

/// Why a file is not the message `expected` (the journal's Message-ID for
/// its name), judging by the Message-ID in its header; `None` if it is.
fn mismatch(expected: &str, header: Option<&str>) -> Option<NotSent> {
    let expected = expected.trim_start_matches('<').trim_end_matches('>').to_owned();
    match header {
        Some(id) if id == expected => None,
        Some(id) => Some(NotSent::OtherMessage { found: id.to_owned(), expected }),
        None => Some(NotSent::NoMessageId { expected }),
    }
}

/// The Message-ID in the header of the file at `path` (its first bytes only).
fn header_message_id(path: &Path) -> Result<Option<String>> {
    Ok(message_id_of(&head(path)?))
}

/// The first bytes of the file at `path`: enough to hold its header.
pub(crate) fn head(path: &Path) -> Result<Vec<u8>> {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(HEADER_BYTES).read_to_end(&mut head))
        .map_err(|e| Error::io(path, e))?;
    Ok(head)
}
