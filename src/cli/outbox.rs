//! `charte outbox list [--json]` and `charte outbox send`: a thin shell
//! over crate::app::outbox, which says what each does and why.

use super::Ctx;
use crate::app::outbox::RelayState;
use crate::error::{Error, Result};

/// How the outbox and `outbox send` fit together, under each command's `--help`.
pub const ABOUT: &str = "\
With [mail] transport = \"outbox\", charte writes each message as an .eml file in out/outbox/ instead of \
sending it: a way to try charte, or to read what would go out, with no mail server. `charte outbox send` \
later sends those files on through the server of [mail.smtp] (the table must be there; transport may stay \
\"outbox\"), each byte for byte as written, from [mail] from to the address the journal recorded for its \
Message-ID. Each is journaled before and after, and never sent on twice: run it again after a temporary \
failure (exit 3) and it sends only the rest. A file charte did not write is named and never sent (exit 4).";

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The messages in out/outbox/: what the journal recorded of each
    /// (purpose, subject, organisation, address, date) and whether it was
    /// sent on through SMTP.
    #[command(after_long_help = ABOUT)]
    List,
    /// Send on through [mail.smtp] each message of out/outbox/ not sent on
    /// yet, as written; once only.
    #[command(after_long_help = ABOUT)]
    Send,
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::List => list(ctx),
        Command::Send => send(ctx),
    }
}

fn list(ctx: &Ctx) -> Result<u8> {
    let entries = ctx.app()?.outbox()?;
    if ctx.json {
        super::print_json(&entries)?;
        return Ok(0);
    }
    if entries.is_empty() {
        say!("out/outbox/ holds no message.");
        return Ok(0);
    }
    let count = |state: RelayState| entries.iter().filter(|e| e.relay == state).count();
    let waiting = count(RelayState::Waiting) + count(RelayState::Intended);
    say!(
        "out/outbox/ holds {} message(s): {waiting} to send on (charte outbox send), {} sent on, {} bounced, {} refused",
        entries.len(),
        count(RelayState::Relayed),
        count(RelayState::Bounced),
        count(RelayState::Refused)
    );
    for e in &entries {
        match &e.message {
            Some(m) => say!(
                "{:<8} {}  {} {}  {} ({})  {}",
                e.relay.label(),
                m.date,
                m.purpose,
                m.about,
                m.organisation,
                m.enterprise_number,
                m.address.as_deref().unwrap_or("(address erased)")
            ),
            None => say!("{:<8} -", e.relay.label()),
        }
        let on = e.relayed_on.as_deref().map(|d| format!(" on {d}")).unwrap_or_default();
        let why = e.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
        say!("         {}{on}{why}", e.file);
    }
    Ok(0)
}

fn send(ctx: &Ctx) -> Result<u8> {
    let outcome = ctx.app_writer()?.send_outbox()?;
    let r = &outcome.report;
    if r.sent + r.elsewhere.len() + r.bounced.len() + outcome.refused.len() == 0 {
        match r.already {
            0 => say!("nothing to send: out/outbox/ holds no message."),
            n => say!("nothing to send: every message of out/outbox/ was sent on before ({n})"),
        }
        return Ok(0);
    }
    say!(
        "{} message(s) sent on through {}, {} already sent on before, {}{} bounced",
        r.sent,
        outcome.server,
        r.already,
        super::elsewhere(r.elsewhere.len()),
        r.bounced.len()
    );
    for (address, reason) in &r.bounced {
        say!("  bounced: {address}: {reason}");
    }
    if !outcome.refused.is_empty() {
        let failed = outcome
            .refused
            .into_iter()
            .map(|(item, why)| crate::error::Failed { item, reason: why.to_string() })
            .collect();
        return Err(Error::Partial { done: "the others were sent on".into(), failed });
    }
    Ok(0)
}
