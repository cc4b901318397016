//! Mail: convocations and other messages to the network's organisations.
//!
//! The flow, each step in its own file:
//!
//! - [`settings`]: the `[mail]` table of charte.toml, validated field by
//!   field;
//! - [`templates`]: handlebars templates (built-in, overridable from a
//!   workspace's `templates/mail/`) that put a [`Convocation`] into words,
//!   with [`dates`] for dates in French and Dutch;
//! - [`ics`]: the calendar invitation that goes with a convocation;
//! - [`message`]: an [`Outgoing`] message and its RFC 5322 bytes, headers
//!   built by lettre's typed builders only;
//! - [`transport`]: the [`Transport`] trait, [`SendError`] (transient,
//!   permanent, configuration), [`send_with_retry`], the [`Outbox`], and
//!   [`Raw`] messages the outbox wrote, to send on as they are;
//! - [`smtp`]: the [`Smtp`] transport, one connection for a whole batch;
//! - [`imap`]: the [`imap::Mailbox`] `charte collect --imap` reads replies
//!   from (only this module and [`smtp`] speak to a mail server).
//!
//! Nothing here touches the database or prints: the caller (`charte
//! convoke`) decides what to send, records what was sent, and reports.

use std::path::Path;

pub mod dates;
pub mod ics;
pub mod imap;
pub mod message;
pub mod settings;
pub mod smtp;
pub mod templates;
pub mod transport;

pub use dates::{Lang, long_date, long_date_time};
pub use ics::{Invite, invite};
pub use message::{Attachment, Contact, MessageError, Outgoing, message_id_of};
pub use settings::{Envelope, ImapSettings, MailSettings, Security, SettingsError, SmtpSettings, TransportKind};
pub use smtp::{Smtp, SmtpOptions};
pub use templates::{Convocation, Rendered, TemplateError, Templates};
pub use transport::{Outbox, Raw, RetryPolicy, SendError, Transport, retry, send_with_retry};

/// The transport the settings ask for: the [`Outbox`] writing into
/// `outbox_dir` (a workspace's `out/outbox/`), or [`Smtp`] with the
/// password `env` gives for the variable the settings name.
pub fn transport_for(
    settings: &MailSettings,
    outbox_dir: &Path,
    options: SmtpOptions,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Box<dyn Transport>, SendError> {
    match (settings.transport, &settings.smtp) {
        (TransportKind::Outbox, _) => Ok(Box::new(Outbox::new(outbox_dir))),
        (TransportKind::Smtp, Some(smtp)) => Ok(Box::new(Smtp::with_env(smtp, options, env)?)),
        (TransportKind::Smtp, None) => {
            Err(SendError::Config("mail.smtp: transport = \"smtp\" needs a [mail.smtp] table".into()))
        }
    }
}
