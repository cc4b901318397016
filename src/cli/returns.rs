//! `charte returns [--all] [--json]`, `returns confirm ID`, `returns reject
//! ID --reason TEXT`, `returns revoke ID --reason TEXT`: the decisions are
//! [`crate::app::returns`]'s; this lists and says them.

use serde_json::json;

use super::Ctx;
use crate::error::Result;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
A return waits here when it is not proof enough by itself: a scanned paper signature, or a PDF signed \
in a reader whose certificate does not lead to a root in keys/trusted-roots/ or is not in the name of \
the organisation's representative. It counts for nothing until you confirm it.")]
pub struct Args {
    /// Also list the returns already confirmed, rejected or revoked.
    #[arg(long)]
    all: bool,
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// You have checked the return (the signed paper, the signer's
    /// identity): it counts from today.
    Confirm {
        /// The return's number, as `charte returns` lists it.
        id: i64,
    },
    /// The return is not a valid adherence: it never counts.
    Reject {
        /// The return's number, as `charte returns` lists it.
        id: i64,
        /// Why, in a few words (kept in the journal).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Withdraw a confirmation given by mistake: the adherence counts
    /// nowhere from today, and a participant it made a member is a
    /// participant again. Journaled, never erased.
    Revoke {
        /// The return's number, as `charte returns --all` lists it.
        id: i64,
        /// Why, in a few words (kept in the journal).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let Some(action) = args.action else {
        return list(args.all, ctx);
    };
    let mut app = ctx.app_writer()?;
    match action {
        Action::Confirm { id } => {
            let d = app.confirm_return(id)?;
            let a = &d.ret.adherence;
            say!(
                "confirmed #{id}: {} signed by {} ({}, {}) counts from {}{}",
                a.document_id,
                d.who,
                a.method,
                a.signer,
                d.day,
                d.status.map(|s| format!("; now {s}")).unwrap_or_default()
            );
        }
        Action::Reject { id, reason } => {
            let d = app.reject_return(id, &reason)?;
            say!(
                "rejected #{id}: {} of {} counts for nothing ({})",
                d.ret.adherence.document_id,
                d.who,
                d.reason.unwrap_or_default()
            );
        }
        Action::Revoke { id, reason } => {
            let d = app.revoke_return(id, &reason)?;
            say!(
                "revoked #{id}: {} of {} counts nowhere from {} ({}){}",
                d.ret.adherence.document_id,
                d.who,
                d.day,
                d.reason.unwrap_or_default(),
                d.status.map(|s| format!("; {s} again")).unwrap_or_default()
            );
        }
    }
    Ok(0)
}

fn list(all: bool, ctx: &Ctx) -> Result<u8> {
    let returns = ctx.app()?.returns(all)?;
    if ctx.json {
        let out: Vec<_> = returns
            .iter()
            .map(|l| {
                let (r, a) = (&l.ret, &l.ret.adherence);
                json!({
                    "id": r.id,
                    "state": r.state,
                    "file": r.file,
                    "file_sha256": a.file_sha256,
                    "enterprise_number": l.enterprise_number,
                    "name": l.name,
                    "document_id": a.document_id,
                    "charter_version": a.charter_version,
                    "method": a.method,
                    "signer": a.signer,
                    "reason": r.reason,
                    "received": r.received,
                    "decided": r.decided,
                    "note": r.note,
                })
            })
            .collect();
        super::print_json(&out)?;
        return Ok(0);
    }
    let waiting = returns.iter().filter(|l| l.ret.state == crate::collect::ReturnState::Waiting).count();
    if returns.is_empty() {
        say!("No return waits for your confirmation.");
        return Ok(0);
    }
    say!("{waiting} return(s) waiting for your confirmation");
    for l in &returns {
        let (r, a) = (&l.ret, &l.ret.adherence);
        let decided = match (&r.decided, &r.note) {
            (Some(day), Some(note)) => format!(" on {day}: {note}"),
            (Some(day), None) => format!(" on {day}"),
            _ => String::new(),
        };
        say!(
            "#{:<5} {}  {} ({})  {}  {} by {}  received {}",
            r.id,
            r.state,
            l.name,
            l.enterprise_number,
            a.document_id,
            a.method,
            a.signer,
            r.received
        );
        say!("       why it waits: {}", r.reason);
        if r.state == crate::collect::ReturnState::Waiting {
            say!("       charte returns confirm {}   or   charte returns reject {} --reason TEXT", r.id, r.id);
        } else {
            say!("       {}{decided}", r.state);
        }
    }
    Ok(0)
}
