//! A reply in the coordination's mailbox (`charte collect --imap`): the
//! message's key (its Message-ID, or a digest of its bytes when it has
//! none), who sent it, when, about what, and the attachments that may be
//! returned documents: every PDF, and every JPEG or PNG image attached
//! (not one shown inside the text, such as a logo). Parsing is
//! mail-parser's; what counts as a candidate return is decided here.
//!
//! Whether an attachment is a return, and what it proves, is
//! [`super::examine`]'s or [`super::examine_upload`]'s question, as for a
//! file given to `charte collect`.

use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use super::{Outcome, Register};
use crate::documents::IssuedDocument;
use crate::error::MAX_DOCUMENT_BYTES;
use crate::roster::Member;

/// The largest message read from the server: a 20 MB attachment in
/// base64 (4/3, plus line ends) and room for the text around it. A
/// larger message is refused unread, so a run never holds more.
pub const MAX_MESSAGE_BYTES: u64 = MAX_DOCUMENT_BYTES / 57 * 78 + 2 * 1024 * 1024;

/// A message, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Its Message-ID (without angle brackets), or `sha256:HEX` of its
    /// bytes when it has none.
    pub key: String,
    /// The sender's address (From), as written: anyone can forge it.
    pub from: Option<String>,
    /// The Date header, RFC 3339.
    pub date: Option<String>,
    pub subject: Option<String>,
    pub attachments: Vec<Attached>,
}

/// A PDF or image attached to a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    /// Its file name, or "attachment N".
    pub name: String,
    /// The decoded bytes; empty when `oversize`.
    pub bytes: Vec<u8>,
    /// Over [`MAX_DOCUMENT_BYTES`]: refused, never examined.
    pub oversize: bool,
}

/// The key of a message whose header section is `header`, when it has a
/// Message-ID; None when the message's bytes must be digested instead.
pub fn key_of_header(header: &[u8]) -> Option<String> {
    let message = MessageParser::default().parse_headers(header)?;
    message.message_id().filter(|id| !id.trim().is_empty()).map(str::to_owned)
}

/// The key of a message without Message-ID: the digest of `bytes`.
pub fn key_of_bytes(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Reads the message `raw`: its key, sender, date, subject and attachments.
pub fn read(raw: &[u8]) -> Reply {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Reply { key: key_of_bytes(raw), from: None, date: None, subject: None, attachments: Vec::new() };
    };
    let key = message.message_id().filter(|id| !id.trim().is_empty()).map_or_else(|| key_of_bytes(raw), str::to_owned);
    let from = message.from().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned);
    let date = message.date().map(mail_parser::DateTime::to_rfc3339);
    let subject = message.subject().map(str::to_owned);
    let mut attachments = Vec::new();
    for (i, part) in message.attachments().enumerate() {
        if part.is_message() {
            continue;
        }
        let bytes = part.contents();
        let name = part.attachment_name().map_or_else(|| format!("attachment {}", i + 1), str::to_owned);
        let typed = |t: &str, s: &str| part.is_content_type(t, s);
        let pdf = bytes.starts_with(b"%PDF-") || typed("application", "pdf") || name.to_lowercase().ends_with(".pdf");
        let inline = part.content_disposition().is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline"));
        let image = !inline && (super::is_image(bytes) || typed("image", "jpeg") || typed("image", "png"));
        if !pdf && !image {
            continue;
        }
        let oversize = bytes.len() as u64 > MAX_DOCUMENT_BYTES;
        let bytes = if oversize { Vec::new() } else { bytes.to_vec() };
        attachments.push(Attached { name, bytes, oversize });
    }
    Reply { key, from, date, subject, attachments }
}

/// The organisation on the roster whose address (or its representative's)
/// is `from`, when exactly one is. A sender can be forged: it says only
/// whose scan a message claims to carry, which then waits for the
/// coordinator's confirmation.
pub fn sender<'a>(from: Option<&str>, members: &'a [Member]) -> Option<&'a Member> {
    let from = from?.trim();
    let mut found = members.iter().filter(|m| {
        let o = &m.organisation;
        o.email.eq_ignore_ascii_case(from)
            || o.representative_email.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(from))
    });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// What an attachment of a reply proves, examined as `charte collect`
/// examines a file: a sealed PDF against the register; from an
/// organisation's address (`sender`), an unsealed PDF or an image is a scan
/// of its paper signature, as on its signing page ([`super::examine_upload`]).
/// None: not a return (an unsealed PDF or an image from anyone else, such
/// as a newsletter's flyer).
pub fn examine_attached(
    attached: &Attached,
    file_sha256: &str,
    reg: &Register<'_>,
    sender: Option<&Member>,
    version: &str,
    issued: &[IssuedDocument],
) -> Option<Outcome> {
    if attached.oversize {
        return Some(Outcome::Refused {
            reason: format!(
                "{} is over {} MB, the most a returned document may be: send the signed document alone, or \
                 scanned at a lower resolution",
                attached.name,
                MAX_DOCUMENT_BYTES / (1024 * 1024)
            ),
        });
    }
    let bytes = &attached.bytes;
    match sender {
        Some(member) => Some(super::examine_upload(bytes, file_sha256, reg, member, version, issued)),
        None if bytes.starts_with(b"%PDF-")
            && !matches!(crate::seal::read_manifest(bytes), Err(crate::seal::VerifyError::NotSealed)) =>
        {
            Some(super::examine(bytes, file_sha256, reg))
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &str = "From: Asbl Le Pont <direction@lepont.be>\r\nTo: coordination@cpas.be\r\n\
        Subject: =?utf-8?q?Charte_sign=C3=A9e?=\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\n\
        Message-ID: <abc@lepont.be>\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\nBonjour\r\n\
        --b\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=logo.png\r\n\
        Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n\
        --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=charte.pdf\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjcK\r\n--b--\r\n";

    #[test]
    fn reads_key_sender_and_the_pdf_but_not_the_logo() {
        let reply = read(MAIL.as_bytes());
        assert_eq!(reply.key, "abc@lepont.be");
        assert_eq!(reply.from.as_deref(), Some("direction@lepont.be"));
        assert_eq!(reply.subject.as_deref(), Some("Charte signée"));
        assert_eq!(reply.date.as_deref(), Some("2026-11-02T10:00:00+01:00"));
        assert_eq!(reply.attachments.len(), 1, "{:?}", reply.attachments);
        assert_eq!(reply.attachments[0].name, "charte.pdf");
        assert_eq!(reply.attachments[0].bytes, b"%PDF-1.7\n");
        let header_end = MAIL.find("\r\n\r\n").expect("header") + 4;
        assert_eq!(key_of_header(&MAIL.as_bytes()[..header_end]).as_deref(), Some("abc@lepont.be"));
    }

    #[test]
    fn a_message_without_id_is_keyed_by_its_bytes() {
        let raw = MAIL.replace("Message-ID: <abc@lepont.be>\r\n", "");
        let header_end = raw.find("\r\n\r\n").expect("header") + 4;
        assert_eq!(key_of_header(&raw.as_bytes()[..header_end]), None);
        assert_eq!(read(raw.as_bytes()).key, key_of_bytes(raw.as_bytes()));
        assert_ne!(key_of_bytes(raw.as_bytes()), key_of_bytes(MAIL.as_bytes()));
    }
}
