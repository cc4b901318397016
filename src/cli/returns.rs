//! `charte returns [--all] [--json]`, `returns confirm ID`, `returns reject
//! ID --reason TEXT`, `returns revoke ID --reason TEXT`.
//!
//! A return that is not proof enough by itself (a scan; a PAdES signature
//! not chained to a trusted root or not by the representative) waits here
//! for the coordinator (DESIGN.md). Confirmed, it counts from that day, as
//! if collected then; rejected, never. A confirmation given by mistake is
//! revoked: the adherence counts nowhere from then on and the status it
//! gave is undone; both the confirmation and the revocation stay in the
//! journal. Every decision is taken inside the write transaction, so two
//! coordinators never both decide on one return.

use serde_json::json;

use super::Ctx;
use crate::collect::{PendingReturn, ReturnState};
use crate::error::{Error, Result};
use crate::journal::Event;
use crate::roster::{EnterpriseNumber, Status};

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
    match args.action {
        None => list(args.all, ctx),
        Some(Action::Confirm { id }) => confirm(id, ctx),
        Some(Action::Reject { id, reason }) => reject(id, &reason, ctx),
        Some(Action::Revoke { id, reason }) => revoke(id, &reason, ctx),
    }
}

/// The organisation's name, else its number as written on the roster.
fn who(ws: &crate::workspace::Workspace, digits: &str) -> Result<String> {
    let number = EnterpriseNumber::parse(digits).ok();
    let member = match &number {
        Some(n) => ws.store.member(n)?,
        None => None,
    };
    Ok(member.map_or_else(|| digits.to_owned(), |m| m.organisation.name))
}

fn formatted(digits: &str) -> String {
    EnterpriseNumber::parse(digits).map_or_else(|_| digits.to_owned(), |n| n.formatted())
}

fn list(all: bool, ctx: &Ctx) -> Result<u8> {
    let ws = ctx.workspace()?;
    let returns: Vec<PendingReturn> =
        ws.store.returns()?.into_iter().filter(|r| all || r.state == ReturnState::Waiting).collect();
    if ctx.json {
        let mut out = Vec::new();
        for r in &returns {
            let a = &r.adherence;
            out.push(json!({
                "id": r.id,
                "state": r.state,
                "file": r.file,
                "file_sha256": a.file_sha256,
                "enterprise_number": formatted(&a.enterprise_number),
                "name": who(&ws, &a.enterprise_number)?,
                "document_id": a.document_id,
                "charter_version": a.charter_version,
                "method": a.method,
                "signer": a.signer,
                "reason": r.reason,
                "received": r.received,
                "decided": r.decided,
                "note": r.note,
            }));
        }
        super::print_json(&out)?;
        return Ok(0);
    }
    let waiting = returns.iter().filter(|r| r.state == ReturnState::Waiting).count();
    if returns.is_empty() {
        say!("No return waits for your confirmation.");
        return Ok(0);
    }
    say!("{waiting} return(s) waiting for your confirmation");
    for r in &returns {
        let a = &r.adherence;
        let decided = match (&r.decided, &r.note) {
            (Some(day), Some(note)) => format!(" on {day}: {note}"),
            (Some(day), None) => format!(" on {day}"),
            _ => String::new(),
        };
        say!(
            "#{:<5} {}  {} ({})  {}  {} by {}  received {}",
            r.id,
            r.state,
            who(&ws, &a.enterprise_number)?,
            formatted(&a.enterprise_number),
            a.document_id,
            a.method,
            a.signer,
            r.received
        );
        say!("       why it waits: {}", r.reason);
        if r.state == ReturnState::Waiting {
            say!("       charte returns confirm {}   or   charte returns reject {} --reason TEXT", r.id, r.id);
        } else {
            say!("       {}{decided}", r.state);
        }
    }
    Ok(0)
}

/// The return `id`, which must be in `state`; else why not, in words
/// (nothing was changed).
fn expect(r: Option<PendingReturn>, id: i64, state: ReturnState) -> Result<PendingReturn> {
    let Some(r) = r else {
        return Err(Error::NotFound(format!(
            "there is no return #{id}: `charte returns --all` lists them; nothing was changed"
        )));
    };
    if r.state != state {
        let on = r.decided.as_deref().map(|d| format!(" on {d}")).unwrap_or_default();
        let hint = match r.state {
            ReturnState::Confirmed => {
                format!(" (a confirmation given by mistake: charte returns revoke {id} --reason TEXT)")
            }
            ReturnState::Waiting => format!(" (charte returns confirm {id}, or reject it)"),
            ReturnState::Rejected | ReturnState::Revoked => String::new(),
        };
        return Err(Error::usage(format!("return #{id} is {}{on}, not {state}{hint}; nothing was changed", r.state)));
    }
    Ok(r)
}

fn reason_given(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::usage("--reason: say why, in a few words; nothing was changed"));
    }
    Ok(reason.to_owned())
}

fn confirm(id: i64, ctx: &Ctx) -> Result<u8> {
    let mut ws = ctx.writer()?;
    let version = ws.config.charter.version.clone();
    let (r, new_status) = ws.store.transaction(ctx.now, |tx| {
        let r = expect(tx.pending_return(id)?, id, ReturnState::Waiting)?;
        let a = &r.adherence;
        // One adherence per organisation and charter version: another
        // return may have been counted while this one waited.
        if let Some(first) = tx.counted_adherence(&a.enterprise_number, &a.charter_version)? {
            return Err(Error::usage(format!(
                "the adherence of {} to charter {} already counts ({}, collected {}): there is nothing to \
                 confirm; reject this return instead (charte returns reject {id} --reason TEXT); nothing was changed",
                formatted(&a.enterprise_number),
                a.charter_version,
                first.method,
                first.collected
            )));
        }
        let status = tx.status_of(&a.enterprise_number)?;
        let new_status = status.filter(|_| a.charter_version == version).and_then(crate::collect::status_after_signing);
        tx.append(&Event::ReturnConfirmed { id, adherence: a.clone(), new_status })?;
        Ok((r, new_status))
    })?;
    let a = &r.adherence;
    say!(
        "confirmed #{id}: {} signed by {} ({}, {}) counts from {}{}",
        a.document_id,
        who(&ws, &a.enterprise_number)?,
        a.method,
        a.signer,
        ctx.now,
        new_status.map(|s| format!("; now {s}")).unwrap_or_default()
    );
    Ok(0)
}

fn reject(id: i64, reason: &str, ctx: &Ctx) -> Result<u8> {
    let reason = reason_given(reason)?;
    let mut ws = ctx.writer()?;
    let r = ws.store.transaction(ctx.now, |tx| {
        let r = expect(tx.pending_return(id)?, id, ReturnState::Waiting)?;
        tx.append(&Event::ReturnRejected {
            id,
            enterprise_number: r.adherence.enterprise_number.clone(),
            file_sha256: r.adherence.file_sha256.clone(),
            reason: reason.clone(),
        })?;
        Ok(r)
    })?;
    say!(
        "rejected #{id}: {} of {} counts for nothing ({reason})",
        r.adherence.document_id,
        who(&ws, &r.adherence.enterprise_number)?
    );
    Ok(0)
}

fn revoke(id: i64, reason: &str, ctx: &Ctx) -> Result<u8> {
    let reason = reason_given(reason)?;
    let mut ws = ctx.writer()?;
    let (r, restored) = ws.store.transaction(ctx.now, |tx| {
        let r = expect(tx.pending_return(id)?, id, ReturnState::Confirmed)?;
        let a = &r.adherence;
        // Undo the status the confirmation gave, unless the roster has
        // changed it since (the coordinator's later word stands).
        let current = tx.status_of(&a.enterprise_number)?;
        let restored = match (r.new_status, current) {
            (Some(given), Some(now)) if given == now => status_before_signing(given),
            _ => None,
        };
        tx.append(&Event::ReturnRevoked {
            id,
            enterprise_number: a.enterprise_number.clone(),
            file_sha256: a.file_sha256.clone(),
            charter_version: a.charter_version.clone(),
            reason: reason.clone(),
            restored_status: restored,
        })?;
        Ok((r, restored))
    })?;
    say!(
        "revoked #{id}: {} of {} counts nowhere from {} ({reason}){}",
        r.adherence.document_id,
        who(&ws, &r.adherence.enterprise_number)?,
        ctx.now,
        restored.map(|s| format!("; {s} again")).unwrap_or_default()
    );
    Ok(0)
}

/// The inverse of [`crate::collect::status_after_signing`].
fn status_before_signing(status: Status) -> Option<Status> {
    match status {
        Status::Member => Some(Status::Participant),
        Status::Partner => Some(Status::Associate),
        _ => None,
    }
}
