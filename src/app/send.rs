//! How mail leaves the workspace, for every action that sends: the one
//! send loop ([`Sender`]) opened on the transport charte.toml's `[mail]`
//! asks for, or on `[mail.smtp]` to send on what the outbox wrote, with
//! the options the front end read from the environment (a private CA, the
//! retry delay). Opening it here, once, is what keeps convocations, the
//! workflow runner and `charte outbox send` sending the same way.

use super::{App, Options};
use crate::delivery::Sender;
use crate::error::{Error, Result};
use crate::mail::{SendError, Smtp, transport_for};
use crate::workspace::{CONFIG_FILE, Workspace};

/// A run through the transport `[mail] transport` names: the outbox (an
/// .eml file per message in out/outbox/) or SMTP.
pub fn sender(ws: &Workspace, options: &Options) -> Result<Sender> {
    let mail = ws.mail()?;
    let transport =
        transport_for(&mail, &ws.out_dir().join("outbox"), options.smtp.clone(), |name| options.secrets.get(name))
            .map_err(|e| settings_error(ws, &e))?;
    Ok(Sender::new(transport, options.retry))
}

/// A run through `[mail.smtp]` whatever `[mail] transport` says: how
/// `charte outbox send` sends on what the outbox wrote. Without the table,
/// an error that says what to add (nothing was changed).
pub fn smtp_sender(ws: &Workspace, options: &Options) -> Result<Sender> {
    let mail = ws.mail()?;
    let Some(smtp) = &mail.smtp else {
        return Err(Error::Config {
            file: ws.root.join(CONFIG_FILE),
            message: "there is no [mail.smtp] table: sending the outbox on needs the mail server's settings \
                      (host, port, security, and username and password_env if it asks for a login); \
                      [mail] transport may stay \"outbox\". Nothing was sent"
                .into(),
        });
    };
    let transport = Smtp::with_env(smtp, options.smtp.clone(), |name| options.secrets.get(name))
        .map_err(|e| settings_error(ws, &e))?;
    Ok(Sender::new(Box::new(transport), options.retry))
}

fn settings_error(ws: &Workspace, e: &SendError) -> Error {
    Error::Config { file: ws.root.join(CONFIG_FILE), message: format!("[mail]: {e}") }
}

impl App {
    /// [`sender`] for this workspace, with this App's options.
    pub fn sender(&self) -> Result<Sender> {
        sender(&self.ws, &self.options)
    }

    /// [`smtp_sender`] for this workspace, with this App's options.
    pub fn smtp_sender(&self) -> Result<Sender> {
        smtp_sender(&self.ws, &self.options)
    }
}
