//! One outgoing message, and its RFC 5322 form.
//!
//! Every header goes through lettre's typed builders: a display name, a
//! subject or a file name holding "\r\nBcc: …" comes out RFC 2047-encoded
//! on its own header line, never as a header of its own. An address that
//! does not parse is an error naming the field, not something to clean up.
//!
//! The bytes are reproducible: the Date header comes from
//! [`Outgoing::date`] and the MIME boundaries from a hash of the content,
//! so the same message gives the same bytes (and the same outbox file).
//!
//! Layout, as calendar clients expect it:
//!
//! ```text
//! multipart/mixed
//! ├── multipart/alternative
//! │   ├── text/plain
//! │   ├── text/html                            (when there is HTML)
//! │   └── text/calendar; method=REQUEST        (when there is an invite)
//! ├── the attachments, in order
//! └── invite.ics, application/ics               (when there is an invite)
//! ```

use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment as LettreAttachment, Body, Mailbox, MultiPart, SinglePart};
use sha2::{Digest, Sha256};

/// A correspondent: an address and, optionally, the name shown beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub address: String,
}

impl Contact {
    pub fn new(address: impl Into<String>) -> Contact {
        Contact { name: None, address: address.into() }
    }

    pub fn named(name: impl Into<String>, address: impl Into<String>) -> Contact {
        Contact { name: Some(name.into()), address: address.into() }
    }

    /// Reads `addr@domain` or `Name <addr@domain>` (as in `mail.from`).
    pub fn parse(text: &str) -> Result<Contact, MessageError> {
        let mailbox: Mailbox = text.parse().map_err(|e| MessageError::Address {
            field: "contact".into(),
            value: text.into(),
            reason: format!("{e}"),
        })?;
        Ok(Contact { name: mailbox.name, address: mailbox.email.to_string() })
    }

    fn to_mailbox(&self, field: &str) -> Result<Mailbox, MessageError> {
        let address = self.address.trim().parse().map_err(|e| MessageError::Address {
            field: field.into(),
            value: self.address.clone(),
            reason: format!("{e}"),
        })?;
        let name = self.name.as_deref().map(one_line).filter(|n| !n.is_empty());
        Ok(Mailbox::new(name, address))
    }
}

/// A file sent with the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// e.g. `application/pdf`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Given by the caller and deterministic (e.g. one per meeting,
    /// organisation and convocation round) so a replay can recognise it:
    /// `left@right`, with or without the angle brackets.
    pub message_id: String,
    /// The Date header.
    pub date: DateTime<Utc>,
    pub from: Contact,
    pub reply_to: Option<Contact>,
    pub to: Vec<Contact>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// An iCalendar text (see [`crate::mail::ics`]), sent both as a
    /// `text/calendar; method=REQUEST` alternative and as `invite.ics`.
    pub calendar: Option<String>,
}

/// Why a message could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("{field}: {value:?} is not an email address ({reason})")]
    Address { field: String, value: String, reason: String },
    #[error("message id {0:?}: expected left@right, printable ASCII without spaces, quotes or brackets")]
    MessageId(String),
    #[error("message {0}: no recipient")]
    NoRecipient(String),
    #[error("attachment {filename:?}: {content_type:?} is not a content type")]
    ContentType { filename: String, content_type: String },
    #[error("building message {id}: {reason}")]
    Build { id: String, reason: String },
}

/// The content type of the calendar alternative.
const CALENDAR_PART: &str = "text/calendar; charset=utf-8; method=REQUEST";
/// The content type of the invite.ics attachment (what Gmail sends).
const CALENDAR_FILE: &str = "application/ics";

impl Outgoing {
    /// The message id between angle brackets, or an error if it is not a
    /// usable `id-left@id-right`.
    pub fn normalized_message_id(&self) -> Result<String, MessageError> {
        let bare = self.message_id.strip_prefix('<').and_then(|s| s.strip_suffix('>')).unwrap_or(&self.message_id);
        let valid = bare.len() <= 200
            && bare.split_once('@').is_some_and(|(l, r)| !l.is_empty() && !r.is_empty() && !r.contains('@'))
            && bare.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"' | b'\\' | b'[' | b']'));
        if valid { Ok(format!("<{bare}>")) } else { Err(MessageError::MessageId(self.message_id.clone())) }
    }

    /// The lettre message (its envelope: `from` to every `to`).
    pub fn to_message(&self) -> Result<lettre::Message, MessageError> {
        let id = self.normalized_message_id()?;
        if self.to.is_empty() {
            return Err(MessageError::NoRecipient(id));
        }
        let mut builder = lettre::Message::builder()
            .message_id(Some(id.clone()))
            .date(SystemTime::from(self.date))
            .from(self.from.to_mailbox("from")?)
            .subject(one_line(&self.subject));
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.to_mailbox("reply_to")?);
        }
        for (i, to) in self.to.iter().enumerate() {
            builder = builder.to(to.to_mailbox(&format!("to[{i}]"))?);
        }

        let seed = self.content_hash();
        let mut alternative = MultiPart::alternative()
            .boundary(format!("=_alt_{}", &seed[..32]))
            .singlepart(SinglePart::plain(self.text.clone()));
        if let Some(html) = &self.html {
            alternative = alternative.singlepart(SinglePart::html(html.clone()));
        }
        if let Some(ics) = &self.calendar {
            alternative = alternative
                .singlepart(SinglePart::builder().header(content_type(CALENDAR_PART, "invite.ics")?).body(ics.clone()));
        }
        let mut mixed = MultiPart::mixed().boundary(format!("=_mix_{}", &seed[..32])).multipart(alternative);
        for attachment in &self.attachments {
            let ct = content_type(&attachment.content_type, &attachment.filename)?;
            mixed = mixed
                .singlepart(LettreAttachment::new(one_line(&attachment.filename)).body(base64(&attachment.bytes), ct));
        }
        if let Some(ics) = &self.calendar {
            mixed = mixed.singlepart(
                LettreAttachment::new("invite.ics".to_owned())
                    .body(ics.clone(), content_type(CALENDAR_FILE, "invite.ics")?),
            );
        }
        builder.multipart(mixed).map_err(|e| MessageError::Build { id, reason: e.to_string() })
    }

    /// The message as RFC 5322 bytes (CRLF line ends, 7-bit clean).
    pub fn to_bytes(&self) -> Result<Vec<u8>, MessageError> {
        Ok(self.to_message()?.formatted())
    }

    /// A hash of everything a body part may contain, for the boundaries:
    /// a part cannot contain a boundary derived from its own hash.
    fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        for piece in [
            self.message_id.as_bytes(),
            self.text.as_bytes(),
            self.html.as_deref().unwrap_or("").as_bytes(),
            self.calendar.as_deref().unwrap_or("").as_bytes(),
        ] {
            h.update((piece.len() as u64).to_le_bytes());
            h.update(piece);
        }
        for a in &self.attachments {
            h.update((a.bytes.len() as u64).to_le_bytes());
            h.update(a.filename.as_bytes());
            h.update(&a.bytes);
        }
        hex::encode(h.finalize())
    }
}

/// The Message-ID written in a message's header (without its angle
/// brackets), if it has one: how `charte outbox` checks that an .eml of
/// the outbox is the message the journal knows under its name. Reads the
/// header only (up to the first empty line), unfolding continued lines;
/// `bytes` may be just the beginning of the file.
pub fn message_id_of(bytes: &[u8]) -> Option<String> {
    let mut value: Option<String> = None;
    // Line by line, so that a large message is never copied whole.
    for line in bytes.split(|b| *b == b'\n') {
        let line = String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line));
        let line = line.as_ref();
        if line.is_empty() {
            break;
        }
        match &mut value {
            Some(v) if line.starts_with([' ', '\t']) => v.push_str(line.trim()),
            Some(_) => break,
            None if line.starts_with([' ', '\t']) => {} // another header's continuation
            None => {
                if let Some((name, rest)) = line.split_once(':')
                    && name.trim().eq_ignore_ascii_case("message-id")
                {
                    value = Some(rest.trim().to_owned());
                }
            }
        }
    }
    let value = value?;
    let bare = value.trim().trim_start_matches('<').trim_end_matches('>');
    (!bare.is_empty()).then(|| bare.to_owned())
}

/// A file's bytes, always base64-encoded: lettre would pick 7bit for a
/// file that happens to be ASCII, which a relay may rewrap.
fn base64(bytes: &[u8]) -> Body {
    // Base64 can encode anything: this encoding never refuses a body.
    Body::new_with_encoding(bytes.to_vec(), ContentTransferEncoding::Base64)
        .unwrap_or_else(|_| Body::new(bytes.to_vec()))
}

/// A header value on one line: control characters (CR and LF above all)
/// become spaces, runs of white space one space. lettre would encode a
/// line break safely in a subject, but panics on one in a display name;
/// neither belongs in a header.
pub fn one_line(value: &str) -> String {
    value.split(|c: char| c.is_control() || c.is_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

fn content_type(value: &str, filename: &str) -> Result<ContentType, MessageError> {
    ContentType::parse(value)
        .map_err(|_| MessageError::ContentType { filename: filename.into(), content_type: value.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Outgoing {
        Outgoing {
            message_id: "convocation.12.0212345678@charte.example.be".into(),
            date: DateTime::from_timestamp(1_772_000_000, 0).expect("date"),
            from: Contact::named("Coordination sociale", "coordination@cpas.example.be"),
            reply_to: None,
            to: vec![Contact::named("ASBL Le Pivot", "info@pivot.example.be")],
            subject: "Convocation".into(),
            text: "Bonjour".into(),
            html: Some("<p>Bonjour</p>".into()),
            attachments: vec![],
            calendar: None,
        }
    }

    #[test]
    fn the_message_id_is_read_back_from_the_header() {
        let bytes = sample().to_bytes().expect("bytes");
        let id = sample().normalized_message_id().expect("id");
        assert_eq!(message_id_of(&bytes).map(|i| format!("<{i}>")), Some(id));
        assert_eq!(message_id_of(b"Subject: x\r\nMessage-ID:\r\n <a@b>\r\n\r\n").as_deref(), Some("a@b"));
        assert_eq!(message_id_of(b"Subject: x\r\n\r\nMessage-ID: <a@b>\r\n"), None, "in the body: not a header");
        assert_eq!(message_id_of(b"Message-ID: <>\r\n\r\n"), None);
        assert_eq!(message_id_of(b"Subject: a\r\n Message-ID: <x@y>\r\n\r\n"), None, "a folded subject");
    }

    #[test]
    fn bytes_are_reproducible() {
        let a = sample().to_bytes().expect("bytes");
        let b = sample().to_bytes().expect("bytes");
        assert_eq!(a, b);
        let text = String::from_utf8(a).expect("ascii");
        assert!(text.contains("Message-ID: <convocation.12.0212345678@charte.example.be>\r\n"));
        let mut other = sample();
        other.text.push('!');
        assert_ne!(other.to_bytes().expect("bytes"), b);
    }

    #[test]
    fn bad_message_ids_are_refused() {
        for id in ["", "no-at", "a@b@c", "a b@c", "<a@b>\r\nBcc: x@y", "a@", "@b"] {
            let mut m = sample();
            m.message_id = id.into();
            assert!(matches!(m.to_bytes(), Err(MessageError::MessageId(_))), "{id:?}");
        }
        let mut m = sample();
        m.message_id = "<a.b@c>".into();
        assert_eq!(m.normalized_message_id().expect("ok"), "<a.b@c>");
    }

    #[test]
    fn bad_addresses_name_the_field() {
        let mut m = sample();
        m.to.push(Contact::new("x@evil.example\r\nBcc: y@evil.example"));
        match m.to_bytes() {
            Err(MessageError::Address { field, .. }) => assert_eq!(field, "to[1]"),
            other => panic!("{other:?}"),
        }
        let mut m = sample();
        m.to.clear();
        assert!(matches!(m.to_bytes(), Err(MessageError::NoRecipient(_))));
    }

    #[test]
    fn attachments_are_always_base64() {
        let mut m = sample();
        m.attachments.push(Attachment {
            filename: "notes.txt".into(),
            content_type: "text/plain".into(),
            bytes: b"hello\n".to_vec(),
        });
        let text = String::from_utf8(m.to_bytes().expect("bytes")).expect("ascii");
        let part = text.split("filename=\"notes.txt\"").nth(1).expect("attachment");
        assert!(part.contains("Content-Transfer-Encoding: base64"), "{part}");
        assert!(part.contains("aGVsbG8K"), "{part}");
    }

    #[test]
    fn contact_parse_reads_both_forms() {
        assert_eq!(Contact::parse("a@b.be").expect("bare"), Contact::new("a@b.be"));
        assert_eq!(Contact::parse("CPAS <a@b.be>").expect("named"), Contact::named("CPAS", "a@b.be"));
    }
}
