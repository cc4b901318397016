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
    /// A delivery report (RFC 3464) saying a message did not arrive.
    pub undelivered: Option<Undelivered>,
}

/// A delivery report (RFC 3464, `multipart/report;
/// report-type=delivery-status`): which message could not be delivered,
/// and to whom. Anyone can write one: the caller believes it only about a
/// message the journal records as sent to the address it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undelivered {
    /// The Message-ID of the message returned (from the headers the
    /// report carries back), without angle brackets.
    pub message_id: String,
    /// The recipients it failed for good (Action: failed, a 5.x.x status).
    pub failed: Vec<Failed>,
}

/// One recipient a delivery report says failed for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// Final-Recipient's address.
    pub address: String,
    /// The status code (5.1.1) and the remote server's words, if given.
    pub status: String,
    pub diagnostic: Option<String>,
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
        return Reply {
            key: key_of_bytes(raw),
            from: None,
            date: None,
            subject: None,
            attachments: Vec::new(),
            undelivered: None,
        };
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
    let undelivered = undelivered(&message);
    Reply { key, from, date, subject, attachments, undelivered }
}

/// The delivery report `message` is, if it is one that names the message
/// returned and at least one recipient that failed for good.
///
/// mail-parser reads the MIME structure; the report's fields (RFC 3464
/// section 2: header-like groups separated by blank lines) are read here,
/// as no well-kept crate reads them.
fn undelivered(message: &mail_parser::Message<'_>) -> Option<Undelivered> {
    let report = message
        .content_type()
        .is_some_and(|c| c.ctype().eq_ignore_ascii_case("multipart") && c.subtype() == Some("report"));
    if !report {
        return None;
    }
    let typed = |part: &mail_parser::MessagePart<'_>, t: &str, st: &str| part.is_content_type(t, st);
    let mut status = None;
    let mut returned = None;
    for part in &message.parts {
        if typed(part, "message", "delivery-status") || typed(part, "message", "global-delivery-status") {
            status = Some(String::from_utf8_lossy(part.contents()).into_owned());
        } else if typed(part, "message", "rfc822") || typed(part, "message", "global") {
            returned = part.message().and_then(|m| m.message_id()).map(str::to_owned);
        } else if typed(part, "text", "rfc822-headers") || typed(part, "message", "global-headers") {
            returned =
                MessageParser::default().parse_headers(part.contents()).and_then(|m| m.message_id().map(str::to_owned));
        }
    }
    let failed: Vec<Failed> = delivery_fields(&status?)
        .into_iter()
        .skip(1)
        .filter_map(|group| {
            let field =
                |name: &str| group.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned());
            let after_type = |v: String| v.split_once(';').map_or(v.clone(), |(_, a)| a.trim().to_owned());
            let action = field("Action")?;
            let status = field("Status")?;
            if !action.eq_ignore_ascii_case("failed") || !status.starts_with('5') {
                return None;
            }
            let address = after_type(field("Final-Recipient")?).trim_matches(['<', '>']).to_owned();
            Some(Failed { address, status, diagnostic: field("Diagnostic-Code").map(after_type) })
        })
        .collect();
    let message_id = returned?.trim().trim_matches(['<', '>']).to_owned();
    (!failed.is_empty() && !message_id.is_empty()).then_some(Undelivered { message_id, failed })
}

/// The groups of `name: value` fields of a delivery-status body, folded
/// lines unfolded.
fn delivery_fields(text: &str) -> Vec<Vec<(String, String)>> {
    let mut groups: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in text.lines() {
        let group = groups.last_mut().expect("never empty");
        if line.trim().is_empty() {
            if !group.is_empty() {
                groups.push(Vec::new());
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = group.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            group.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// The organisation (10 digits) the document `bytes` was issued to, as its
/// seal's manifest names it: read without checking the seal, so that a
/// document altered after sealing still says whose it was.
pub fn issued_to(bytes: &[u8], issued: &[IssuedDocument]) -> Option<String> {
    let manifest = crate::seal::read_manifest(bytes).ok()?;
    issued.iter().find(|d| d.document_id == manifest.document_id).map(|d| d.enterprise_number.clone())
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
            why: super::Why::TooLarge,
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

    /// A report as Postfix writes one: the headers of the message
    /// returned, one recipient failed for good, one only delayed.
    const BOUNCE: &str = "From: MAILER-DAEMON@mx.cpas.be\r\nTo: coordination@cpas.be\r\n\
        Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce1@mx.cpas.be>\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n\
        --r\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver your message.\r\n\
        --r\r\nContent-Type: message/delivery-status\r\n\r\n\
        Reporting-MTA: dns; mx.cpas.be\r\n\r\n\
        Final-Recipient: rfc822; direction@lepont.be\r\nOriginal-Recipient: rfc822;direction@lepont.be\r\n\
        Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <direction@lepont.be>:\r\n\
        \x20Recipient address rejected: User unknown\r\n\r\n\
        Final-Recipient: rfc822; info@ailleurs.be\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\n\
        --r\r\nContent-Type: text/rfc822-headers\r\n\r\n\
        From: coordination@cpas.be\r\nTo: direction@lepont.be\r\n\
        Message-ID: <adherence.d1.0@cpas.be>\r\nSubject: Charte\r\n\r\n--r--\r\n";

    #[test]
    fn a_delivery_report_names_the_message_and_the_address_that_failed() {
        let reply = read(BOUNCE.as_bytes());
        let report = reply.undelivered.expect("a delivery report");
        assert_eq!(report.message_id, "adherence.d1.0@cpas.be");
        assert_eq!(report.failed.len(), 1, "the delayed recipient is not a failure: {:?}", report.failed);
        assert_eq!(report.failed[0].address, "direction@lepont.be");
        assert_eq!(report.failed[0].status, "5.1.1");
        assert_eq!(
            report.failed[0].diagnostic.as_deref(),
            Some("550 5.1.1 <direction@lepont.be>: Recipient address rejected: User unknown")
        );
        // A message that is no report, and a report of a delay only.
        assert_eq!(read(MAIL.as_bytes()).undelivered, None);
        let delayed = BOUNCE.replace("Action: failed\r\nStatus: 5.1.1", "Action: delayed\r\nStatus: 4.2.2");
        assert_eq!(read(delayed.as_bytes()).undelivered, None);
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
