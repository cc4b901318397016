//! The `[mail]` table of charte.toml, as DESIGN.md writes it.
//!
//! Deserialising only checks shapes (a known transport, a port that fits in
//! a u16); [`MailSettings::validate`] checks the rest and names the field
//! at fault (`mail.smtp.password_env`, …) so an administrator knows which
//! line to fix. The password itself never appears here: only the name of
//! the environment variable that holds it.

use std::net::IpAddr;

use serde::Deserialize;

use super::message::Contact;

/// `[mail]`: how convocations and other messages leave charte.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// `"outbox"` (`.eml` files in out/outbox/) or `"smtp"`.
    pub transport: TransportKind,
    /// The sender: `addr@domain` or `Name <addr@domain>`.
    pub from: String,
    /// Where replies go (an excuse for a meeting, say), when not `from`.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// `[mail.smtp]`: required when `transport = "smtp"`.
    #[serde(default)]
    pub smtp: Option<SmtpSettings>,
    /// `[mail.imap]`: the mailbox `charte collect --imap` reads.
    #[serde(default)]
    pub imap: Option<ImapSettings>,
}

/// `mail.transport`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    Outbox,
    Smtp,
}

/// `[mail.smtp]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    /// Defaults to the usual port of `security`: 25, 587 or 465.
    #[serde(default)]
    pub port: Option<u16>,
    pub security: Security,
    /// No AUTH without it.
    #[serde(default)]
    pub username: Option<String>,
    /// The environment variable that holds the password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// Never valid: present only so that a password written in the file is
    /// refused with a message that says where it belongs.
    /// (The value is dropped unread.)
    #[serde(default, rename = "password")]
    password_in_file: Option<Present>,
}

/// A key that was present; its value was skipped without being kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Present;

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Present)
    }
}

/// `mail.smtp.security`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain text all the way; refused with a username unless the server
    /// is on this machine (the password would cross the network in clear).
    None,
    /// Plain connection upgraded by STARTTLS, which is required.
    Starttls,
    /// TLS from the first byte ("SMTPS", usually port 465).
    Tls,
}

impl Security {
    /// The usual port for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Security::None => 25,
            Security::Starttls => 587,
            Security::Tls => 465,
        }
    }
}

impl SmtpSettings {
    /// Settings for a server without AUTH (add `username` and
    /// `password_env` for one with).
    pub fn new(host: impl Into<String>, port: u16, security: Security) -> SmtpSettings {
        SmtpSettings {
            host: host.into(),
            port: Some(port),
            security,
            username: None,
            password_env: None,
            password_in_file: None,
        }
    }

    /// The port to connect to: the one written, or the usual one.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.security.default_port())
    }
}

/// `[mail.imap]`: the mailbox where associations' replies arrive.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapSettings {
    pub host: String,
    /// Defaults to the usual port of `security`: 143 or 993.
    #[serde(default)]
    pub port: Option<u16>,
    pub security: Security,
    pub username: String,
    /// The environment variable that holds the password.
    pub password_env: String,
    /// The folder read; INBOX by default.
    #[serde(default = "inbox")]
    pub folder: String,
    /// Where messages charte has read are moved (never deleted); `/`
    /// separates levels, whatever the server's own separator.
    #[serde(default = "processed")]
    pub processed_folder: String,
    /// Never valid, as in `[mail.smtp]`.
    #[serde(default, rename = "password")]
    password_in_file: Option<Present>,
}

fn inbox() -> String {
    "INBOX".into()
}

fn processed() -> String {
    "charte/traité".into()
}

impl ImapSettings {
    /// Settings for a server on this machine (tests, the benchmark).
    pub fn new(host: impl Into<String>, port: u16, security: Security, username: &str, password_env: &str) -> Self {
        ImapSettings {
            host: host.into(),
            port: Some(port),
            security,
            username: username.into(),
            password_env: password_env.into(),
            folder: inbox(),
            processed_folder: processed(),
            password_in_file: None,
        }
    }

    /// The port to connect to: the one written, or the usual one.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Tls => 993,
            Security::None | Security::Starttls => 143,
        })
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let host = check_server(
            ["mail.imap.password", "mail.imap.host", "mail.imap.port"],
            self.password_in_file,
            &self.host,
            self.port,
        )?;
        if self.username.trim().is_empty() {
            return Err(bad("mail.imap.username", "empty: the mailbox's login name"));
        }
        let var = &self.password_env;
        if var.is_empty() || var.contains(['=', '\0']) || var.contains(char::is_whitespace) {
            return Err(bad("mail.imap.password_env", format!("{var:?} is not an environment variable name")));
        }
        if self.security == Security::None && !is_loopback(host) {
            return Err(bad(
                "mail.imap.security",
                "\"none\" would send the password in clear; use \"starttls\" or \"tls\"",
            ));
        }
        for (field, name) in
            [("mail.imap.folder", &self.folder), ("mail.imap.processed_folder", &self.processed_folder)]
        {
            if name.trim().is_empty() || name.split('/').any(|level| level.trim().is_empty()) {
                return Err(bad(field, format!("{name:?} is not a folder name (levels separated by /, none empty)")));
            }
            if name.contains(|c: char| c.is_control() || c == '"' || c == '\\' || c == '*' || c == '%') {
                return Err(bad(field, format!("{name:?}: a folder name holds no quote, backslash, * or %")));
            }
        }
        if self.folder == self.processed_folder {
            return Err(bad("mail.imap.processed_folder", "must differ from mail.imap.folder"));
        }
        Ok(())
    }
}

/// A `[mail]` setting that cannot work, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct SettingsError {
    /// The setting's full name, e.g. `mail.smtp.password_env`.
    pub field: &'static str,
    pub problem: String,
}

fn bad(field: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError { field, problem: problem.into() }
}

/// What every message of the coordination carries: its sender, its
/// Reply-To, the domain of its Message-IDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub from: Contact,
    pub reply_to: Option<Contact>,
    pub domain: String,
}

impl Envelope {
    /// The address replies (and excuses) go to.
    pub fn reply_address(&self) -> &str {
        &self.reply_to.as_ref().unwrap_or(&self.from).address
    }
}

impl MailSettings {
    /// Reads the `[mail]` table of a whole charte.toml document.
    pub fn from_charte_toml(text: &str) -> Result<MailSettings, SettingsError> {
        #[derive(Deserialize)]
        struct Doc {
            mail: Option<MailSettings>,
        }
        let doc: Doc = toml::from_str(text).map_err(|e| bad("mail", e.message().to_owned()))?;
        let mail = doc.mail.ok_or_else(|| bad("mail", "the [mail] table is missing"))?;
        mail.validate()?;
        Ok(mail)
    }

    /// `mail.from` as a contact (call [`MailSettings::validate`] first).
    pub fn sender(&self) -> Result<Contact, SettingsError> {
        Contact::parse(&self.from).map_err(|e| bad("mail.from", e.to_string()))
    }

    /// `mail.reply_to` as a contact, if set.
    pub fn reply_to_contact(&self) -> Result<Option<Contact>, SettingsError> {
        self.reply_to.as_deref().map(|r| Contact::parse(r).map_err(|e| bad("mail.reply_to", e.to_string()))).transpose()
    }

    /// Who messages come from, where replies go (mail.reply_to, else
    /// mail.from), and the domain their Message-IDs use.
    pub fn envelope(&self) -> Result<Envelope, SettingsError> {
        let from = self.sender()?;
        let reply_to = self.reply_to_contact()?;
        let domain =
            from.address.rsplit_once('@').map_or("charte.invalid", |(_, d)| d.trim_end_matches('>')).to_owned();
        Ok(Envelope { from, reply_to, domain })
    }

    /// Checks what deserialising could not; the error names the field.
    pub fn validate(&self) -> Result<(), SettingsError> {
        check_mailbox("mail.from", &self.from)?;
        if let Some(reply_to) = &self.reply_to {
            check_mailbox("mail.reply_to", reply_to)?;
        }
        match (&self.transport, &self.smtp) {
            (TransportKind::Smtp, None) => {
                Err(bad("mail.smtp", "transport = \"smtp\" needs a [mail.smtp] table (host, port, security)"))
            }
            (_, Some(smtp)) => smtp.validate(),
            (TransportKind::Outbox, None) => Ok(()),
        }?;
        self.imap.as_ref().map_or(Ok(()), ImapSettings::validate)
    }
}

impl SmtpSettings {
    fn validate(&self) -> Result<(), SettingsError> {
        let host = check_server(
            ["mail.smtp.password", "mail.smtp.host", "mail.smtp.port"],
            self.password_in_file,
            &self.host,
            self.port,
        )?;
        match &self.username {
            Some(user) if user.trim().is_empty() => {
                return Err(bad("mail.smtp.username", "empty; leave the line out for a server without AUTH"));
            }
            Some(_) => {
                let Some(var) = &self.password_env else {
                    return Err(bad(
                        "mail.smtp.password_env",
                        "required with a username: the name of the environment variable \
                         that holds the password",
                    ));
                };
                if var.is_empty() || var.contains(['=', '\0']) || var.contains(char::is_whitespace) {
                    return Err(bad("mail.smtp.password_env", format!("{var:?} is not an environment variable name")));
                }
                if self.security == Security::None && !is_loopback(host) {
                    return Err(bad(
                        "mail.smtp.security",
                        "\"none\" with a username would send the password in clear; \
                         use \"starttls\" or \"tls\"",
                    ));
                }
            }
            None => {}
        }
        Ok(())
    }
}

/// What `[mail.smtp]` and `[mail.imap]` check alike, `fields` naming
/// their password, host and port: no password written in the file, a host
/// name, a port. Returns the host, trimmed.
fn check_server<'a>(
    [password, host_field, port_field]: [&'static str; 3],
    password_in_file: Option<Present>,
    host: &'a str,
    port: Option<u16>,
) -> Result<&'a str, SettingsError> {
    if password_in_file.is_some() {
        return Err(bad(
            password,
            "the password never goes in charte.toml: put it in an environment \
             variable and name that variable in password_env",
        ));
    }
    let host = host.trim();
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err(bad(host_field, "expected a host name or an IP address"));
    }
    if port == Some(0) {
        return Err(bad(port_field, "0 is not a port"));
    }
    Ok(host)
}

fn check_mailbox(field: &'static str, value: &str) -> Result<(), SettingsError> {
    value
        .parse::<lettre::message::Mailbox>()
        .map(|_| ())
        .map_err(|e| bad(field, format!("{value:?} is not an email address ({e})")))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESIGN_EXAMPLE: &str = r#"
[mail]
transport = "outbox"          # or "smtp"; outbox writes .eml files to out/outbox/
from = "coordination@cpas.example.be"
reply_to = "coordination@cpas.example.be"   # optional

[mail.smtp]
host = "smtp.example.be"
port = 587
security = "starttls"         # "none", "starttls" or "tls"
username = "coordination"     # optional: no AUTH without it
password_env = "CHARTE_SMTP_PASSWORD"   # the password itself is never in the file
"#;

    fn field_of(text: &str) -> &'static str {
        match MailSettings::from_charte_toml(text) {
            Ok(_) => "",
            Err(e) => e.field,
        }
    }

    #[test]
    fn reads_the_design_example() {
        let mail = MailSettings::from_charte_toml(DESIGN_EXAMPLE).expect("valid");
        assert_eq!(mail.transport, TransportKind::Outbox);
        let smtp = mail.smtp.expect("smtp table");
        assert_eq!(smtp.port(), 587);
        assert_eq!(smtp.security, Security::Starttls);
        assert_eq!(smtp.password_env.as_deref(), Some("CHARTE_SMTP_PASSWORD"));
    }

    #[test]
    fn errors_name_the_field() {
        let smtp_without_table = "[mail]\ntransport = \"smtp\"\nfrom = \"a@b.be\"\n";
        assert_eq!(field_of(smtp_without_table), "mail.smtp");
        assert_eq!(field_of("[mail]\ntransport = \"outbox\"\nfrom = \"not an address\"\n"), "mail.from");
        assert_eq!(field_of("[mail]\ntransport = \"outbox\"\nfrom = \"a@b.be\"\nreply_to = \"x\"\n"), "mail.reply_to");
        let no_env = DESIGN_EXAMPLE.replace("password_env = \"CHARTE_SMTP_PASSWORD\"", "");
        assert_eq!(field_of(&no_env), "mail.smtp.password_env");
        let password = DESIGN_EXAMPLE.replace("password_env", "password");
        assert_eq!(field_of(&password), "mail.smtp.password");
        let clear = DESIGN_EXAMPLE.replace("\"starttls\"", "\"none\"");
        assert_eq!(field_of(&clear), "mail.smtp.security");
        let local = clear.replace("smtp.example.be", "127.0.0.1");
        assert_eq!(field_of(&local), "");
    }

    #[test]
    fn unknown_values_are_refused() {
        let typo = DESIGN_EXAMPLE.replace("\"starttls\"", "\"startls\"");
        let err = MailSettings::from_charte_toml(&typo).expect_err("typo");
        assert!(err.problem.contains("startls"), "{err}");
        let extra = DESIGN_EXAMPLE.replace("port = 587", "port = 587\nprot = 1");
        let err = MailSettings::from_charte_toml(&extra).expect_err("unknown key");
        assert!(err.problem.contains("prot"), "{err}");
    }

    const IMAP_EXAMPLE: &str = r#"
[mail.imap]                   # where associations' replies arrive (charte collect --imap)
host = "imap.example.be"
port = 993
security = "tls"              # "none", "starttls" or "tls"
username = "coordination"
password_env = "CHARTE_IMAP_PASSWORD"
folder = "INBOX"
processed_folder = "charte/traité"   # messages charte has read are moved here, never deleted
"#;

    #[test]
    fn reads_the_design_imap_example() {
        let mail = MailSettings::from_charte_toml(&format!("{DESIGN_EXAMPLE}{IMAP_EXAMPLE}")).expect("valid");
        let imap = mail.imap.expect("imap table");
        assert_eq!((imap.port(), imap.security), (993, Security::Tls));
        assert_eq!(imap.password_env, "CHARTE_IMAP_PASSWORD");
        assert_eq!(imap.processed_folder, "charte/traité");
        let bad_imap = |from: &str, to: &str| field_of(&format!("{DESIGN_EXAMPLE}{}", IMAP_EXAMPLE.replace(from, to)));
        assert_eq!(bad_imap("folder = \"INBOX\"", "folder = \"INBOX\"\npassword = \"x\""), "mail.imap.password");
        assert_eq!(bad_imap("\"tls\"", "\"none\""), "mail.imap.security");
        assert_eq!(bad_imap("charte/traité", "charte//x"), "mail.imap.processed_folder");
        assert_eq!(bad_imap("charte/traité", "INBOX"), "mail.imap.processed_folder");
        assert_eq!(bad_imap("\"INBOX\"", "\"a*\""), "mail.imap.folder");
    }

    #[test]
    fn port_defaults_follow_security() {
        let no_port = DESIGN_EXAMPLE.replace("port = 587\n", "").replace("\"starttls\"", "\"tls\"");
        let mail = MailSettings::from_charte_toml(&no_port).expect("valid");
        assert_eq!(mail.smtp.expect("smtp").port(), 465);
    }
}
