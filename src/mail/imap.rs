//! The coordination's mailbox over IMAP (`[mail.imap]`, `charte collect
//! --imap`): list a folder's messages with their headers and sizes, fetch
//! one message, move it to another folder. The only module that speaks
//! IMAP, as [`super::smtp`] is the only one that speaks SMTP; it neither
//! reads the journal nor decides anything about a message.
//!
//! The protocol is the `imap` crate's; TLS is rustls (the version lettre
//! already brings), wired here because the crate's own TLS features would
//! pull in a second rustls. Folder names are sent in IMAP's modified UTF-7
//! (RFC 3501 §5.1.3), which the crate leaves to its caller: [`utf7`].
//!
//! Errors say what to do: [`ImapError::Unavailable`] (the server cannot be
//! reached, or the connection was lost part-way: try again, exit 3) or
//! [`ImapError::Settings`] (login refused, a folder missing, TLS refused:
//! fix charte.toml or the server, exit 2), each naming the setting.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;

use super::settings::{ImapSettings, Security};

/// How long one answer of the server may take before the connection
/// counts as lost.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Why the mailbox could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImapError {
    /// The server cannot be reached or the connection was lost: running
    /// again later finishes the work.
    #[error("{0}")]
    Unavailable(String),
    /// Something to fix in the settings or on the server.
    #[error("{0}")]
    Settings(String),
}

/// A message of the folder, before its body is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub uid: u32,
    /// RFC822.SIZE: the whole message as the server holds it, in bytes.
    pub size: u64,
    /// The message's header section (up to the blank line).
    pub header: Vec<u8>,
}

/// The TCP connection, in clear (`security = "none"`, or before STARTTLS)
/// or under TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// One logged-in session on the folder `[mail.imap] folder`.
pub struct Mailbox {
    session: imap::Session<Stream>,
    /// The server's hierarchy delimiter (None: flat names).
    delimiter: Option<String>,
    can_move: bool,
    where_: String,
}

impl std::fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailbox").field("server", &self.where_).finish_non_exhaustive()
    }
}

impl Mailbox {
    /// Connects to the server, logs in with `password` and selects the
    /// folder. `extra_root_pem`: one more trusted root (a private CA).
    pub fn open(settings: &ImapSettings, password: &str, extra_root_pem: Option<&Path>) -> Result<Mailbox, ImapError> {
        let where_ = format!("{}:{}", settings.host, settings.port());
        let unreachable = |e: &dyn std::fmt::Display| {
            ImapError::Unavailable(format!(
                "the mail server {where_} (mail.imap.host, mail.imap.port) cannot be reached: {e}; \
                 nothing was read, try again later"
            ))
        };
        let addrs: Vec<_> =
            (settings.host.as_str(), settings.port()).to_socket_addrs().map_err(|e| unreachable(&e))?.collect();
        let tcp = addrs
            .iter()
            .find_map(|a| TcpStream::connect_timeout(a, TIMEOUT).ok())
            .ok_or_else(|| unreachable(&"no answer"))?;
        tcp.set_read_timeout(Some(TIMEOUT))
            .and_then(|()| tcp.set_write_timeout(Some(TIMEOUT)))
            .map_err(|e| unreachable(&e))?;
        let lost = |e: imap::Error| classify(&where_, "greeting", e);
        let client = match settings.security {
            Security::None => {
                let mut client = imap::Client::new(Stream::Plain(tcp));
                client.read_greeting().map_err(lost)?;
                client
            }
            Security::Tls => {
                let mut client = imap::Client::new(tls(tcp, &settings.host, extra_root_pem)?);
                client.read_greeting().map_err(lost)?;
                client
            }
            Security::Starttls => {
                starttls(&tcp, &where_)?;
                // No greeting after STARTTLS (RFC 3501 §6.2.1).
                imap::Client::new(tls(tcp, &settings.host, extra_root_pem)?)
            }
        };
        let mut session = client.login(&settings.username, password).map_err(|(e, _)| match e {
            imap::Error::No(no) => ImapError::Settings(format!(
                "{where_} refused the login of {:?} ({}): check mail.imap.username and the password in the \
                 environment variable named by mail.imap.password_env",
                settings.username, no.information
            )),
            e => classify(&where_, "login", e),
        })?;
        let can_move = session.capabilities().map_err(|e| classify(&where_, "CAPABILITY", e))?.has_str("MOVE");
        let names = session.list(None, None).map_err(|e| classify(&where_, "LIST", e))?;
        let delimiter = names.iter().find_map(|n| n.delimiter().map(str::to_owned));
        let mut mailbox = Mailbox { session, delimiter, can_move, where_ };
        let folder = mailbox.encoded(&settings.folder);
        // Asked first with LIST: some servers' NO to a SELECT of a missing
        // folder carries a response code the crate does not parse.
        if !mailbox.exists(&folder)? {
            return Err(ImapError::Settings(format!(
                "the folder {:?} (mail.imap.folder) does not exist on {}: name a folder the mailbox has",
                settings.folder, mailbox.where_
            )));
        }
        mailbox.session.select(&folder).map_err(|e| classify(&mailbox.where_, "SELECT", e))?;
        Ok(mailbox)
    }

    /// `name` as the server spells it: `/` replaced by its hierarchy
    /// delimiter, each level in modified UTF-7.
    pub fn encoded(&self, name: &str) -> String {
        let levels: Vec<String> = name.split('/').map(utf7).collect();
        levels.join(self.delimiter.as_deref().unwrap_or("/"))
    }

    /// Every message of the folder: uid, size and header section, oldest first.
    pub fn list(&mut self) -> Result<Vec<Listed>, ImapError> {
        let uids = self.session.uid_search("ALL").map_err(|e| classify(&self.where_, "SEARCH", e))?;
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let fetches = self
            .session
            .uid_fetch("1:*", "(UID RFC822.SIZE BODY.PEEK[HEADER])")
            .map_err(|e| classify(&self.where_, "FETCH", e))?;
        let mut listed: Vec<Listed> = fetches
            .iter()
            .filter_map(|f| {
                Some(Listed {
                    uid: f.uid?,
                    // Every server answers RFC822.SIZE when asked (RFC 3501);
                    // one that does not is taken at its worst, so that a
                    // run never reads a message of unknown size whole.
                    size: f.size.map_or(u64::MAX, u64::from),
                    header: f.header().unwrap_or_default().to_vec(),
                })
            })
            .collect();
        listed.sort_by_key(|l| l.uid);
        Ok(listed)
    }

    /// The whole message `uid`, unread flag kept (BODY.PEEK).
    pub fn fetch(&mut self, uid: u32) -> Result<Vec<u8>, ImapError> {
        let fetches =
            self.session.uid_fetch(uid.to_string(), "BODY.PEEK[]").map_err(|e| classify(&self.where_, "FETCH", e))?;
        fetches
            .iter()
            .find(|f| f.uid == Some(uid))
            .or_else(|| fetches.iter().next())
            .and_then(|f| f.body().map(<[u8]>::to_vec))
            .ok_or_else(|| ImapError::Unavailable(format!("{}: message {uid} vanished while being read", self.where_)))
    }

    /// Whether the folder `encoded` (as the server spells it) exists.
    fn exists(&mut self, encoded: &str) -> Result<bool, ImapError> {
        // Settings refuse quotes and backslashes in names, and modified
        // UTF-7 adds none: the name quotes as it is.
        let found = self
            .session
            .list(Some(""), Some(&format!("\"{encoded}\"")))
            .map_err(|e| classify(&self.where_, "LIST", e))?;
        Ok(!found.is_empty())
    }

    /// Creates the folder `name` (levels separated by `/`) unless it exists.
    pub fn ensure_folder(&mut self, name: &str) -> Result<String, ImapError> {
        let encoded = self.encoded(name);
        if !self.exists(&encoded)? {
            self.session.create(&encoded).map_err(|e| match e {
                imap::Error::No(no) => ImapError::Settings(format!(
                    "{} refused to create the folder {name:?} (mail.imap.processed_folder): {}",
                    self.where_, no.information
                )),
                e => classify(&self.where_, "CREATE", e),
            })?;
        }
        Ok(encoded)
    }

    /// Moves message `uid` to the folder `encoded` (as [`Mailbox::ensure_folder`]
    /// returned it): MOVE where the server has it, else COPY, then the
    /// original marked deleted and expunged (the copy stays).
    pub fn move_to(&mut self, uid: u32, encoded: &str) -> Result<(), ImapError> {
        let uid = uid.to_string();
        let result = if self.can_move {
            self.session.uid_mv(&uid, encoded)
        } else {
            self.session
                .uid_copy(&uid, encoded)
                .and_then(|()| self.session.uid_store(&uid, "+FLAGS.SILENT (\\Deleted)").map(drop))
                .and_then(|()| self.session.uid_expunge(&uid).map(drop))
        };
        result.map_err(|e| classify(&self.where_, "MOVE", e))
    }

    /// Says goodbye; a failure here changes nothing.
    pub fn close(mut self) {
        let _ = self.session.logout();
    }
}

/// The greeting, then STARTTLS, in clear on `tcp`. Written here: the
/// `imap` crate's STARTTLS is tied to its own TLS features (a second
/// rustls), and the exchange is two lines.
fn starttls(tcp: &TcpStream, where_: &str) -> Result<(), ImapError> {
    use std::io::BufRead;
    let lost = |e: &dyn std::fmt::Display| {
        ImapError::Unavailable(format!("the connection to {where_} was lost (STARTTLS: {e}); try again later"))
    };
    // One byte at a time: nothing past the server's last line may be
    // read, the TLS handshake follows it.
    let mut reader = std::io::BufReader::with_capacity(1, tcp);
    let mut line = String::new();
    let mut next = |line: &mut String| {
        line.clear();
        match reader.read_line(line) {
            Ok(0) => Err(lost(&"closed")),
            Ok(_) => Ok(()),
            Err(e) => Err(lost(&e)),
        }
    };
    next(&mut line)?;
    if !line.starts_with("* OK") {
        return Err(ImapError::Settings(format!("{where_} did not greet as an IMAP server: {}", line.trim())));
    }
    (&*tcp).write_all(b"s1 STARTTLS\r\n").map_err(|e| lost(&e))?;
    loop {
        next(&mut line)?;
        if line.starts_with("s1 OK") {
            return Ok(());
        }
        if line.starts_with("s1 ") {
            return Err(ImapError::Settings(format!(
                "{where_} does not offer STARTTLS (mail.imap.security = \"starttls\"): {}; use \"tls\" \
                 (usually port 993)",
                line.trim()
            )));
        }
    }
}

/// A protocol error during `what`: a lost connection is temporary; a
/// refusal is the server's answer, to be read.
fn classify(where_: &str, what: &str, e: imap::Error) -> ImapError {
    match e {
        imap::Error::Io(_) | imap::Error::ConnectionLost | imap::Error::Bye(_) => ImapError::Unavailable(format!(
            "the connection to {where_} was lost ({what}: {e}); what was read is journaled: run the same command \
             again to finish"
        )),
        e => ImapError::Settings(format!("{where_} answered {what} with an error: {e}")),
    }
}

/// `tcp` under TLS for `host`, checked against the system's roots (and
/// `extra_root_pem`).
fn tls(tcp: TcpStream, host: &str, extra_root_pem: Option<&Path>) -> Result<Stream, ImapError> {
    use rustls::pki_types::pem::PemObject;
    let settings = |m: String| ImapError::Settings(format!("TLS to {host} (mail.imap.security): {m}"));
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = extra_root_pem {
        for cert in rustls::pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| settings(format!("{}: {e}", path.display())))?
        {
            let cert = cert.map_err(|e| settings(format!("{}: {e}", path.display())))?;
            roots.add(cert).map_err(|e| settings(format!("{}: {e}", path.display())))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| settings(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| settings(format!("{host:?} is not a server name: {e}")))?;
    let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| settings(e.to_string()))?;
    Ok(Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))))
}

/// One folder level in IMAP's modified UTF-7 (RFC 3501 §5.1.3): printable
/// ASCII as it is but `&` (written `&-`); every other run of characters as
/// `&`, their UTF-16BE in base64 with `,` for `/` and no padding, `-`.
/// Written here: the `imap` crate leaves names to its caller, and the
/// base64 crate has the alphabet (`IMAP_MUTF7`).
pub fn utf7(level: &str) -> String {
    let engine =
        base64::engine::GeneralPurpose::new(&base64::alphabet::IMAP_MUTF7, base64::engine::general_purpose::NO_PAD);
    let mut out = String::with_capacity(level.len());
    let mut run: Vec<u8> = Vec::new();
    let flush = |run: &mut Vec<u8>, out: &mut String| {
        if !run.is_empty() {
            out.push('&');
            out.push_str(&engine.encode(&run));
            out.push('-');
            run.clear();
        }
    };
    for c in level.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut run, &mut out);
            match c {
                '&' => out.push_str("&-"),
                c => out.push(c),
            }
        } else {
            let mut units = [0u16; 2];
            run.extend(c.encode_utf16(&mut units).iter().flat_map(|u| u.to_be_bytes()));
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::utf7;

    #[test]
    fn modified_utf7_as_rfc3501_writes_it() {
        assert_eq!(utf7("INBOX"), "INBOX");
        assert_eq!(utf7("traité"), "trait&AOk-");
        assert_eq!(utf7("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(utf7("A&B"), "A&-B");
        // RFC 3501's own example: "~peter/mail/台北/日本語".
        assert_eq!(utf7("台北"), "&U,BTFw-");
        assert_eq!(utf7("日本語"), "&ZeVnLIqe-");
        // A character outside the BMP: a surrogate pair.
        assert_eq!(utf7("😀"), "&2D3eAA-");
    }
}
