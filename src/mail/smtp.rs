//! Sending through an SMTP server, one connection for the whole batch.
//!
//! lettre's `SmtpTransport` without its pool opens a connection per
//! message; this transport drives lettre's `SmtpConnection` itself instead:
//! it connects (plain, STARTTLS or implicit TLS), authenticates once (only
//! when a username is set), then runs one MAIL / RCPT / DATA transaction
//! per message on the same connection, and QUITs when closed or dropped.
//!
//! - A message the outbox wrote ([`Raw`]) goes through the same
//!   transaction, its bytes as written and its envelope as given.
//! - A refused recipient cancels the transaction (RSET) before any content
//!   is sent, so a message reaches all of its recipients or none, and the
//!   connection stays usable for the rest of the batch.
//! - A server that closed a reused connection (idle timeout, 421, a limit
//!   of messages per connection) is met with one reconnection, only when
//!   nothing of the message had been committed yet.
//! - The password is read from the environment variable named in
//!   `mail.smtp.password_env`, kept in lettre's `Credentials` (whose Debug
//!   hides it) and never formatted anywhere.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use lettre::Address;
use lettre::address::Envelope;
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Severity;

use super::message::Outgoing;
use super::settings::{Security, SmtpSettings};
use super::transport::{Raw, SendError, Transport};

/// What the settings file does not say: trust, patience, connection reuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpOptions {
    /// A PEM file with one more trusted root certificate (a private CA).
    pub extra_root_pem: Option<PathBuf>,
    /// Accept any certificate. For tests only: it gives the password to
    /// whoever sits between charte and the server.
    pub accept_invalid_certs: bool,
    /// For connecting and for each reply.
    pub timeout: Duration,
    /// The EHLO name; by default this machine's host name.
    pub hello_name: Option<String>,
    /// One connection for the whole batch (true), or one per message.
    pub reuse_connection: bool,
}

impl Default for SmtpOptions {
    fn default() -> SmtpOptions {
        SmtpOptions {
            extra_root_pem: None,
            accept_invalid_certs: false,
            timeout: Duration::from_secs(60),
            hello_name: None,
            reuse_connection: true,
        }
    }
}

/// The SMTP transport (see the module doc).
pub struct Smtp {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    username: Option<String>,
    tls: Option<TlsParameters>,
    hello: ClientId,
    timeout: Duration,
    reuse: bool,
    conn: Option<SmtpConnection>,
    connections_opened: u64,
}

impl fmt::Debug for Smtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("connected", &self.conn.is_some())
            .field("connections_opened", &self.connections_opened)
            .finish_non_exhaustive()
    }
}

/// Where a transaction failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Connect,
    StartTls,
    Auth,
    MailFrom,
    Rcpt,
    Data,
    Content,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Connect => "connecting",
            Stage::StartTls => "STARTTLS",
            Stage::Auth => "AUTH",
            Stage::MailFrom => "MAIL FROM",
            Stage::Rcpt => "RCPT TO",
            Stage::Data => "DATA",
            Stage::Content => "sending the message",
        })
    }
}

/// How one transaction ended, when it did not end well.
struct Failed {
    error: SendError,
    /// The connection can carry the next transaction (after RSET).
    usable: bool,
    /// The server went away before anything of the message was committed:
    /// worth one reconnection.
    lost_early: bool,
}

impl Smtp {
    /// The transport for `settings`, reading the password from the process
    /// environment. Does not connect yet (see [`Smtp::connect`]).
    pub fn from_env(settings: &SmtpSettings, options: SmtpOptions) -> Result<Smtp, SendError> {
        Smtp::with_env(settings, options, |name| std::env::var(name).ok())
    }

    /// As [`Smtp::from_env`], with `env` looking the variables up.
    pub fn with_env(
        settings: &SmtpSettings,
        options: SmtpOptions,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Smtp, SendError> {
        let credentials = match &settings.username {
            None => None,
            Some(user) => {
                let var = settings
                    .password_env
                    .as_deref()
                    .ok_or_else(|| SendError::Config("mail.smtp.password_env: required with a username".to_owned()))?;
                let password = env(var).filter(|p| !p.is_empty()).ok_or_else(|| {
                    SendError::Config(format!(
                        "mail.smtp.password_env: the environment variable {var} is not set \
                         (it must hold the SMTP password of {user})"
                    ))
                })?;
                Some(Credentials::new(user.clone(), password))
            }
        };
        let tls = match settings.security {
            Security::None => None,
            Security::Starttls | Security::Tls => Some(tls_parameters(&settings.host, &options)?),
        };
        let hello = match &options.hello_name {
            Some(name) => ClientId::Domain(name.clone()),
            None => ClientId::default(),
        };
        Ok(Smtp {
            host: settings.host.trim().trim_matches(['[', ']']).to_owned(),
            port: settings.port(),
            security: settings.security,
            credentials,
            username: settings.username.clone(),
            tls,
            hello,
            timeout: options.timeout,
            reuse: options.reuse_connection,
            conn: None,
            connections_opened: 0,
        })
    }

    /// Connects (and authenticates) now rather than at the first message,
    /// to find a settings problem before the batch starts.
    pub fn connect(&mut self) -> Result<(), SendError> {
        if self.conn.is_none() {
            self.conn = Some(self.open()?);
        }
        Ok(())
    }

    /// TCP connections opened so far.
    pub fn connections_opened(&self) -> u64 {
        self.connections_opened
    }

    fn open(&mut self) -> Result<SmtpConnection, SendError> {
        self.connections_opened += 1;
        let wrapper = match self.security {
            Security::Tls => self.tls.as_ref(),
            Security::None | Security::Starttls => None,
        };
        let mut conn =
            SmtpConnection::connect((self.host.as_str(), self.port), Some(self.timeout), &self.hello, wrapper, None)
                .map_err(|e| self.classify(Stage::Connect, &e))?;
        if self.security == Security::Starttls {
            let Some(tls) = &self.tls else {
                return Err(SendError::Config("STARTTLS without TLS parameters".into()));
            };
            if !conn.server_info().supports_feature(Extension::StartTls) {
                conn.abort();
                return Err(SendError::Config(format!(
                    "{}:{} does not offer STARTTLS (mail.smtp.security = \"starttls\")",
                    self.host, self.port
                )));
            }
            conn.starttls(tls, &self.hello).map_err(|e| self.classify(Stage::StartTls, &e))?;
        }
        if let Some(credentials) = &self.credentials {
            let result = conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials);
            if let Err(e) = result {
                conn.abort();
                return Err(self.classify(Stage::Auth, &e));
            }
        }
        Ok(conn)
    }

    /// Maps a lettre error to what the caller should do.
    fn classify(&self, stage: Stage, e: &SmtpError) -> SendError {
        let text = match stage {
            Stage::Auth => format!("{stage} as {}: {e}", self.username.as_deref().unwrap_or("?")),
            Stage::Connect => format!("{stage} to {}:{}: {e}", self.host, self.port),
            _ => format!("{stage}: {e}"),
        };
        if let Some(code) = e.status() {
            return match code.severity {
                Severity::PermanentNegativeCompletion => match stage {
                    Stage::Rcpt | Stage::Data | Stage::Content => SendError::Permanent(text),
                    _ => SendError::Config(text),
                },
                _ => SendError::Transient(text),
            };
        }
        if e.is_tls() || e.is_client() {
            return SendError::Config(text);
        }
        // rustls reports a refused handshake (untrusted certificate, wrong
        // name, no common protocol) as an InvalidData I/O error on the
        // first read or write: retrying will not change the certificate.
        if matches!(stage, Stage::Connect | Stage::StartTls)
            && self.security != Security::None
            && io_kind(e) == Some(std::io::ErrorKind::InvalidData)
        {
            return SendError::Config(format!("TLS: {text}"));
        }
        SendError::Transient(text)
    }

    /// One MAIL / RCPT / DATA transaction on `conn`.
    fn transaction(&self, conn: &mut SmtpConnection, envelope: &Envelope, bytes: &[u8]) -> Result<(), Failed> {
        let lost = |e: &SmtpError| e.status().is_none_or(|c| u16::from(c) == 421) && !e.is_tls() && !e.is_client();
        let broken = |stage: Stage, e: &SmtpError, early: bool| Failed {
            error: self.classify(stage, e),
            usable: false,
            lost_early: early && lost(e),
        };

        let mut params = Vec::new();
        let non_ascii = envelope.from().into_iter().chain(envelope.to()).any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(Failed {
                    error: SendError::Permanent(
                        "an address is not ASCII and the server does not support SMTPUTF8".into(),
                    ),
                    usable: true,
                    lost_early: false,
                });
            }
            params.push(MailParameter::SmtpUtfEight);
        }
        if !bytes.is_ascii() {
            params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }

        if let Err(e) = conn.command(Mail::new(envelope.from().cloned(), params)) {
            let mut failed = broken(Stage::MailFrom, &e, true);
            failed.usable = e.status().is_some() && !failed.lost_early && reset(conn);
            return Err(failed);
        }

        let mut refused = Vec::new();
        let mut permanent = false;
        for to in envelope.to() {
            match conn.command(Rcpt::new(to.clone(), vec![])) {
                Ok(_) => {}
                Err(e) if e.status().is_some_and(|c| u16::from(c) != 421) => {
                    permanent |= e.status().is_some_and(|c| c.severity == Severity::PermanentNegativeCompletion);
                    refused.push(format!("<{to}>: {e}"));
                }
                Err(e) => return Err(broken(Stage::Rcpt, &e, true)),
            }
        }
        if !refused.is_empty() {
            let text = format!("{} {}", Stage::Rcpt, refused.join("; "));
            return Err(Failed {
                error: if permanent { SendError::Permanent(text) } else { SendError::Transient(text) },
                usable: reset(conn),
                lost_early: false,
            });
        }

        if let Err(e) = conn.command(Data) {
            let mut failed = broken(Stage::Data, &e, true);
            failed.usable = e.status().is_some() && !failed.lost_early && reset(conn);
            return Err(failed);
        }
        // The content and its final dot in one write: written in two, the
        // small second write waits (Nagle) for the server's delayed ACK,
        // 40 ms per message on a reused connection.
        let sent = match dot_stuffed(bytes) {
            Some(payload) => conn.command(Payload(&payload)),
            None => conn.message(bytes),
        };
        sent.map_err(|e| {
            let mut failed = broken(Stage::Content, &e, false);
            // After the final reply the server is ready for the next MAIL.
            failed.usable = e.status().is_some_and(|c| u16::from(c) != 421);
            failed
        })?;
        Ok(())
    }
}

/// The kind of the first I/O error in `e`'s chain of causes.
fn io_kind(e: &SmtpError) -> Option<std::io::ErrorKind> {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = cause.source();
    }
    None
}

/// A message's content as sent after DATA: dot-stuffed (RFC 5321 §4.5.2)
/// and terminated by `CRLF . CRLF`. `None` if the bytes are not UTF-8
/// (the builder writes 7-bit text; an outbox file edited by hand may not
/// be), and lettre's own writer stuffs them instead.
fn dot_stuffed(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut out = String::with_capacity(text.len() + text.len() / 64 + 8);
    if text.starts_with('.') {
        out.push('.');
    }
    out.push_str(&text.replace("\r\n.", "\r\n.."));
    out.push_str(if out.ends_with("\r\n") { ".\r\n" } else { "\r\n.\r\n" });
    Some(out)
}

/// Written as is by `SmtpConnection::command`.
struct Payload<'a>(&'a str);

impl fmt::Display for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// RSET after a refused transaction; whether the connection is still good.
fn reset(conn: &mut SmtpConnection) -> bool {
    conn.command(Rset).is_ok()
}

fn tls_parameters(host: &str, options: &SmtpOptions) -> Result<TlsParameters, SendError> {
    let domain = host.trim().trim_matches(['[', ']']).to_owned();
    let mut builder = TlsParameters::builder(domain).dangerous_accept_invalid_certs(options.accept_invalid_certs);
    if let Some(path) = &options.extra_root_pem {
        let pem = std::fs::read(path).map_err(|e| SendError::Config(format!("{}: {e}", path.display())))?;
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| SendError::Config(format!("{}: not a PEM certificate: {e}", path.display())))?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build_rustls().map_err(|e| SendError::Config(format!("TLS settings: {e}")))
}

impl Smtp {
    /// One message on the batch's connection (opened, or opened again, as
    /// needed): the same hand-over for a message built here and for one
    /// sent on from the outbox.
    fn hand_over(&mut self, envelope: &Envelope, bytes: &[u8]) -> Result<(), SendError> {
        let (mut conn, reused) = match self.conn.take() {
            Some(conn) if !conn.has_broken() => (conn, true),
            _ => (self.open()?, false),
        };
        let mut result = self.transaction(&mut conn, envelope, bytes);
        if let Err(Failed { lost_early: true, .. }) = result
            && reused
        {
            conn.abort();
            conn = self.open()?;
            result = self.transaction(&mut conn, envelope, bytes);
        }
        let keep = match &result {
            Ok(()) => true,
            Err(failed) => failed.usable,
        };
        if keep && self.reuse {
            self.conn = Some(conn);
        } else if keep {
            let _ = conn.quit();
        } else {
            conn.abort();
        }
        result.map_err(|failed| failed.error)
    }
}

impl Transport for Smtp {
    fn send(&mut self, msg: &Outgoing) -> Result<(), SendError> {
        let message = msg.to_message()?;
        self.hand_over(message.envelope(), &message.formatted())
    }

    /// The envelope from `raw`'s addresses, the content as written: a
    /// recipient that is not an address is that message's problem (it
    /// bounces), a sender that is not one stops the batch.
    fn send_raw(&mut self, raw: &Raw) -> Result<(), SendError> {
        let from: Address =
            raw.from.trim().parse().map_err(|e| SendError::Config(format!("MAIL FROM {:?}: {e}", raw.from)))?;
        let to = raw
            .to
            .iter()
            .map(|a| a.trim().parse().map_err(|e| SendError::Permanent(format!("RCPT TO {a:?}: {e}"))))
            .collect::<Result<Vec<Address>, _>>()?;
        let envelope = Envelope::new(Some(from), to).map_err(|e| SendError::Permanent(format!("the envelope: {e}")))?;
        self.hand_over(&envelope, &raw.bytes)
    }

    fn close(&mut self) {
        if let Some(mut conn) = self.conn.take()
            && conn.quit().is_err()
        {
            conn.abort();
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing() {
        assert_eq!(dot_stuffed(b"a\r\n.b\r\n").as_deref(), Some("a\r\n..b\r\n.\r\n"));
        assert_eq!(dot_stuffed(b".\r\n.\r\n").as_deref(), Some("..\r\n..\r\n.\r\n"));
        assert_eq!(dot_stuffed(b"no end").as_deref(), Some("no end\r\n.\r\n"));
        assert_eq!(dot_stuffed(b"\xff"), None);
    }
}
