//! Where messages go: the trait, its errors, retries, and the outbox.
//!
//! A transport takes either a message charte builds ([`Outgoing`]) or one
//! already written whole ([`Raw`]: an .eml the outbox left, sent on by
//! `charte outbox send` byte for byte, never rebuilt).
//!
//! A [`SendError`] says what the caller should do next: try this message
//! again later ([`SendError::Transient`]), give up on this message and flag
//! its recipient ([`SendError::Permanent`]), or stop the whole batch and
//! fix the settings ([`SendError::Config`]).
//!
//! A message is delivered to all of its recipients or to none: a refused
//! recipient cancels the transaction before the content is sent, so a
//! replay never sends the same message twice to the recipients that had
//! accepted it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::message::{MessageError, Outgoing};

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later: a 4xx reply, a refused or dropped connection, a
    /// timeout.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// This message will never go through as it is: a 5xx reply to a
    /// recipient or to the content (the recipient bounced).
    #[error("refused: {0}")]
    Permanent(String),
    /// Nothing will go through until the settings change: wrong password,
    /// missing password variable, certificate not trusted, sender refused,
    /// a message that cannot be built. Final for the whole batch.
    #[error("mail settings: {0}")]
    Config(String),
}

impl SendError {
    /// Whether trying the same message again may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient(_))
    }
}

impl From<MessageError> for SendError {
    /// A recipient's address that does not parse is that message's
    /// problem; anything else wrong with a message (the sender, the id) is
    /// the same for the whole batch.
    fn from(e: MessageError) -> SendError {
        match &e {
            MessageError::Address { field, .. } if field.starts_with("to") => SendError::Permanent(e.to_string()),
            MessageError::NoRecipient(_) => SendError::Permanent(e.to_string()),
            _ => SendError::Config(e.to_string()),
        }
    }
}

/// A message already written whole, with what SMTP needs beside it (its
/// envelope): handed over as it is, so that what the server receives is
/// exactly what the coordinator could read in out/outbox/.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    /// MAIL FROM: the coordination's address (`mail.from`).
    pub from: String,
    /// RCPT TO: the addresses the journal recorded for the message.
    pub to: Vec<String>,
    /// The RFC 5322 message with its headers and Message-ID, CRLF line ends.
    pub bytes: Vec<u8>,
}

/// Somewhere messages can be sent.
pub trait Transport {
    /// Sends one message to all of its recipients, or to none.
    fn send(&mut self, msg: &Outgoing) -> Result<(), SendError>;

    /// Sends a message already written whole to all of `raw.to`, or to
    /// none. Only a transport that talks to a server can: the others
    /// refuse it for the whole batch.
    fn send_raw(&mut self, raw: &Raw) -> Result<(), SendError> {
        let _ = raw;
        Err(SendError::Config("this transport cannot send on a message already written: use [mail.smtp]".into()))
    }

    /// Ends the batch politely (SMTP QUIT). Dropping the transport also
    /// closes it.
    fn close(&mut self) {}
}

/// How often and how patiently [`send_with_retry`] tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1: no retry).
    pub attempts: u32,
    /// The wait after the first failure; doubled after each further one.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts over about 14 seconds (2 s, 4 s, 8 s).
    fn default() -> RetryPolicy {
        RetryPolicy { attempts: 4, base_delay: Duration::from_secs(2) }
    }
}

impl RetryPolicy {
    /// The wait before attempt `n` (counting from 0 for the first retry).
    pub fn delay(&self, n: u32) -> Duration {
        self.base_delay.saturating_mul(2u32.saturating_pow(n.min(16)))
    }
}

/// Sends `msg`, retrying a [`SendError::Transient`] failure with
/// exponential backoff; a permanent or configuration error is returned at
/// once. Returns the last error when the attempts run out.
///
/// SMTP cannot tell "lost after the server accepted the message" from
/// "lost before": a connection that drops after the content was sent and
/// before the server's answer is retried, and may deliver twice.
pub fn send_with_retry(transport: &mut dyn Transport, msg: &Outgoing, policy: RetryPolicy) -> Result<(), SendError> {
    retry(policy, || transport.send(msg))
}

/// Runs `attempt` until it succeeds, fails for good, or the policy's
/// attempts run out, waiting between transient failures as
/// [`send_with_retry`] does: the same patience for a message built here
/// and for one sent on from the outbox.
pub fn retry(policy: RetryPolicy, mut attempt: impl FnMut() -> Result<(), SendError>) -> Result<(), SendError> {
    let attempts = policy.attempts.max(1);
    let mut n = 0;
    loop {
        match attempt() {
            Err(e) if e.is_transient() && n + 1 < attempts => {
                thread::sleep(policy.delay(n));
                n += 1;
            }
            other => return other,
        }
    }
}

/// Writes each message as `<dir>/<message id>.eml` instead of sending it
/// (`mail.transport = "outbox"`).
///
/// The file appears whole or not at all (written to a temporary name in
/// the same folder, flushed to disk, then renamed). Sending the same
/// message again rewrites the same file with the same bytes.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>) -> Outbox {
        Outbox { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a message goes to.
    pub fn path_of(&self, msg: &Outgoing) -> Result<PathBuf, SendError> {
        let id = msg.normalized_message_id().map_err(|e| SendError::Config(e.to_string()))?;
        Ok(self.dir.join(format!("{}.eml", file_stem(&id))))
    }
}

/// A file name for a message id: the id without its brackets, any byte
/// other than `A-Za-z0-9 . _ - + = @` replaced by `_`, and if anything was
/// replaced a short hash of the id appended, so that two ids never share a
/// file.
pub fn file_stem(message_id: &str) -> String {
    let bare = message_id.trim_start_matches('<').trim_end_matches('>');
    let safe: String = bare
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '=' | '@') { c } else { '_' })
        .collect();
    let safe = safe.trim_start_matches('.');
    if safe == bare && !safe.is_empty() {
        safe.to_owned()
    } else {
        let hash = hex::encode(Sha256::digest(bare.as_bytes()));
        format!("{safe}-{}", &hash[..12])
    }
}

impl Transport for Outbox {
    fn send(&mut self, msg: &Outgoing) -> Result<(), SendError> {
        let bytes = msg.to_bytes()?;
        let path = self.path_of(msg)?;
        let fail = |what: &str, e: std::io::Error| SendError::Config(format!("{what} {}: {e}", path.display()));
        fs::create_dir_all(&self.dir).map_err(|e| fail("creating the outbox for", e))?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("message.eml");
        let temp = self.dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = (|| {
            let mut file = fs::File::create(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            fs::rename(&temp, &path)
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(fail("writing", e));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails with the given errors, then succeeds.
    struct Scripted {
        errors: Vec<SendError>,
        calls: u32,
    }

    impl Transport for Scripted {
        fn send(&mut self, _: &Outgoing) -> Result<(), SendError> {
            self.calls += 1;
            if self.errors.is_empty() { Ok(()) } else { Err(self.errors.remove(0)) }
        }
    }

    fn msg() -> Outgoing {
        Outgoing {
            message_id: "a@b".into(),
            date: chrono::DateTime::from_timestamp(0, 0).expect("epoch"),
            from: super::super::Contact::new("a@b.be"),
            reply_to: None,
            to: vec![super::super::Contact::new("c@d.be")],
            subject: "s".into(),
            text: "t".into(),
            html: None,
            attachments: vec![],
            calendar: None,
        }
    }

    const QUICK: RetryPolicy = RetryPolicy { attempts: 3, base_delay: Duration::from_millis(1) };

    #[test]
    fn retries_transient_only() {
        let mut t = Scripted { errors: vec![SendError::Transient("451".into()); 2], calls: 0 };
        assert_eq!(send_with_retry(&mut t, &msg(), QUICK), Ok(()));
        assert_eq!(t.calls, 3);

        let mut t = Scripted { errors: vec![SendError::Transient("451".into()); 3], calls: 0 };
        assert!(matches!(send_with_retry(&mut t, &msg(), QUICK), Err(SendError::Transient(_))));
        assert_eq!(t.calls, 3);

        for final_error in [SendError::Permanent("550".into()), SendError::Config("535".into())] {
            let mut t = Scripted { errors: vec![final_error.clone()], calls: 0 };
            assert_eq!(send_with_retry(&mut t, &msg(), QUICK), Err(final_error));
            assert_eq!(t.calls, 1);
        }
    }

    #[test]
    fn backoff_doubles() {
        let p = RetryPolicy { attempts: 5, base_delay: Duration::from_millis(100) };
        assert_eq!(p.delay(0), Duration::from_millis(100));
        assert_eq!(p.delay(3), Duration::from_millis(800));
        assert!(p.delay(u32::MAX) > Duration::from_secs(3600));
    }

    #[test]
    fn file_stems_are_safe_and_distinct() {
        assert_eq!(file_stem("<conv.12.0212345678@cpas.be>"), "conv.12.0212345678@cpas.be");
        let a = file_stem("<a/b@c>");
        let b = file_stem("<a_b@c>");
        assert!(a.starts_with("a_b@c-"), "{a}");
        assert_ne!(a, b);
        assert!(!file_stem("<../../etc@x>").contains('/'));
        assert!(!file_stem("<..@x>").starts_with('.'));
    }
}
