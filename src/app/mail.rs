//! The mail's state, for the desk: how `[mail]` and `[mail.smtp]` are set
//! and what is missing to send the outbox on (the password's environment
//! variable is said set or not, its value is never read out), the bounces
//! the journal recorded, and one outbox message read back (its text, its
//! attachments' names).

use chrono::NaiveDate;
use mail_parser::{MessageParser, MimeHeaders};

use super::App;
use super::outbox::{Entry, RelayState};
use crate::delivery::{MessageState, RelayState as Stage};
use crate::error::{Error, Result};
use crate::mail::settings::{Security, TransportKind};

/// What `[mail]` says, and what sending the outbox on lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailState {
    /// `[mail] transport`: "outbox" or "smtp"; None without `[mail]`.
    pub transport: Option<&'static str>,
    pub from: Option<String>,
    pub smtp: Option<SmtpState>,
    /// Why the outbox cannot be sent on now; None when it can.
    pub missing: Option<Missing>,
}

/// `[mail.smtp]`, as the desk shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpState {
    pub host: String,
    pub port: u16,
    /// "none", "starttls" or "tls".
    pub security: &'static str,
    pub username: Option<String>,
    /// The variable's name.
    pub password_env: Option<String>,
    /// Whether the server's environment has that variable (its value is
    /// never shown).
    pub password_set: bool,
}

/// What sending through SMTP lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// charte.toml has no `[mail]` table.
    Mail,
    /// No `[mail.smtp]` table.
    Smtp,
    /// A `username` without `password_env`.
    PasswordEnv,
    /// `password_env` names a variable the server's environment lacks.
    Password(String),
}

/// A message refused for good by a mail server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// Where it went; None once erased.
    pub address: Option<String>,
    /// The organisation's name (its number when it left the roster).
    pub organisation: String,
    pub purpose: String,
    pub reason: String,
    pub at: NaiveDate,
}

/// One outbox message, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub entry: Entry,
    pub subject: String,
    pub text: String,
    pub attachments: Vec<String>,
}

/// The mail's page: the outbox, the bounces, the settings.
#[derive(Debug, Clone)]
pub struct Overview {
    pub outbox: Vec<Entry>,
    /// The subject of each outbox message shown, by file.
    pub subjects: std::collections::HashMap<String, String>,
    pub bounces: Vec<Bounce>,
    pub state: MailState,
}

/// Outbox messages whose subject is read for the overview.
pub const SHOWN: usize = 200;

impl App {
    /// How mail is set, and what sending the outbox on lacks.
    pub fn mail_state(&self) -> MailState {
        let Some(mail) = &self.ws.config.mail else {
            return MailState { transport: None, from: None, smtp: None, missing: Some(Missing::Mail) };
        };
        let smtp = mail.smtp.as_ref().map(|s| SmtpState {
            host: s.host.clone(),
            port: s.port(),
            security: match s.security {
                Security::None => "none",
                Security::Starttls => "starttls",
                Security::Tls => "tls",
            },
            username: s.username.clone(),
            password_set: s.password_env.as_deref().is_some_and(|name| self.options.secrets.get(name).is_some()),
            password_env: s.password_env.clone(),
        });
        let missing = match &smtp {
            None => Some(Missing::Smtp),
            Some(s) if s.username.is_some() && s.password_env.is_none() => Some(Missing::PasswordEnv),
            Some(SmtpState { password_env: Some(name), password_set: false, .. }) => {
                Some(Missing::Password(name.clone()))
            }
            Some(_) => None,
        };
        MailState {
            transport: Some(match mail.transport {
                TransportKind::Outbox => "outbox",
                TransportKind::Smtp => "smtp",
            }),
            from: Some(mail.from.clone()),
            smtp,
            missing,
        }
    }

    /// The messages mail servers refused for good, latest first: those
    /// sent directly and those sent on from the outbox.
    pub fn bounces(&self) -> Result<Vec<Bounce>> {
        let names = self.member_names()?;
        let mut out: Vec<Bounce> = Vec::new();
        for k in self.ws.store.known_messages()? {
            let m = &k.message;
            let (reason, at) = match (&k.relay, m.state) {
                (_, MessageState::Bounced) => (m.reason.clone(), m.at),
                (Some(r), _) if r.state == Stage::Bounced => (r.reason.clone(), r.at),
                _ => continue,
            };
            out.push(Bounce {
                address: m.address.clone(),
                organisation: names.get(&m.enterprise_number).cloned().unwrap_or_else(|| m.enterprise_number.clone()),
                purpose: k.purpose.clone(),
                reason: reason.unwrap_or_default(),
                at,
            });
        }
        for m in self.ws.store.reported_undelivered()? {
            out.push(Bounce {
                address: m.address.clone(),
                organisation: names.get(&m.enterprise_number).cloned().unwrap_or_else(|| m.enterprise_number.clone()),
                purpose: crate::app::mailbox::REPORTED.into(),
                reason: m.reason.unwrap_or_default(),
                at: m.at,
            });
        }
        out.sort_by_key(|b| b.at);
        out.reverse();
        Ok(out)
    }

    /// The outbox, the bounces and the settings, for one page.
    pub fn mail_overview(&self) -> Result<Overview> {
        let outbox = self.outbox()?;
        let mut subjects = std::collections::HashMap::new();
        for e in outbox.iter().filter(|e| matches!(e.relay, RelayState::Waiting | RelayState::Intended)).take(SHOWN) {
            let path = self.ws.root.join(&e.file);
            // A file gone since it was listed has no subject to show.
            let head = super::outbox::head(&path).unwrap_or_default();
            if let Some(s) = MessageParser::default().parse_headers(&head).and_then(|m| m.subject().map(str::to_owned))
            {
                subjects.insert(e.file.clone(), s);
            }
        }
        Ok(Overview { outbox, subjects, bounces: self.bounces()?, state: self.mail_state() })
    }

    /// The outbox message in `out/outbox/NAME` (a name `outbox` lists, of a
    /// message charte wrote), read back.
    pub fn outbox_message(&self, name: &str) -> Result<Read> {
        let file = format!("out/outbox/{name}");
        let entry = self
            .outbox()?
            .into_iter()
            .find(|e| e.file == file && e.message.is_some())
            .ok_or_else(|| Error::not_found(format!("no message {name} in the outbox")))?;
        let path = self.ws.root.join(&entry.file);
        let bytes = crate::error::read_at_most(&path, crate::error::MAX_DOCUMENT_BYTES * 2)
            .map_err(|e| Error::io(&path, e))?
            .ok_or_else(|| Error::not_found(format!("{name} is larger than any message charte writes")))?;
        let parsed = MessageParser::default()
            .parse(&bytes)
            .ok_or_else(|| Error::not_found(format!("{name} does not read as a message")))?;
        Ok(Read {
            subject: parsed.subject().unwrap_or_default().to_owned(),
            text: parsed.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            attachments: parsed.attachments().filter_map(|a| a.attachment_name().map(str::to_owned)).collect(),
            entry,
        })
    }

    /// The roster's names by enterprise number (10 digits).
    fn member_names(&self) -> Result<std::collections::HashMap<String, String>> {
        Ok(self
            .ws
            .store
            .members()?
            .into_iter()
            .map(|m| (m.organisation.enterprise_number.digits().to_owned(), m.organisation.name))
            .collect())
    }
}
