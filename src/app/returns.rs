//! Returns waiting for the coordinator: list, confirm, reject, revoke.
//!
//! A return that is not proof enough by itself (a scan; a PAdES signature
//! not chained to a trusted root or not by the representative) waits here
//! for the coordinator (DESIGN.md). Confirmed, it counts from that day, as
//! if collected then; rejected, never. A confirmation given by mistake is
//! revoked: the adherence counts nowhere from then on and the status it
//! gave is undone; both the confirmation and the revocation stay in the
//! journal. Every decision is taken inside the write transaction, so two
//! coordinators never both decide on one return.

use chrono::NaiveDate;

use super::App;
use crate::collect::{PendingReturn, ReturnState};
use crate::error::{Error, Result};
use crate::journal::Event;
use crate::roster::{EnterpriseNumber, Status};
use crate::workspace::Workspace;

/// A return as the coordinator sees it: with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub ret: PendingReturn,
    /// The organisation's name, else its number as written on the roster.
    pub name: String,
    /// Its enterprise number, as people write it (0123.456.749).
    pub enterprise_number: String,
}

/// Why a return waits, for a front end to say in its own words (the
/// recorded reason, in English, says it for the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// A scanned paper signature: proof of nothing by itself.
    Scan,
    /// A PDF signed in a reader whose certificate leads to no trusted root:
    /// nothing shows who issued it.
    UnknownIssuer,
    /// A PDF signed in a reader with a valid certificate, but not in the
    /// name of the organisation's representative on the roster.
    NotRepresentative,
}

impl Listed {
    /// Why it waits (or waited), from what was recorded when it came.
    pub fn why(&self) -> Why {
        let a = &self.ret.adherence;
        match a.method.as_str() {
            "pades" if a.details.get("chain_validated").and_then(serde_json::Value::as_bool) == Some(true) => {
                Why::NotRepresentative
            }
            "pades" => Why::UnknownIssuer,
            _ => Why::Scan,
        }
    }
}

/// A decision taken on a return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// The return, as it was before the decision.
    pub ret: PendingReturn,
    /// The organisation's name, else its number.
    pub who: String,
    /// The day the decision counts from.
    pub day: NaiveDate,
    /// Why (a rejection or a revocation).
    pub reason: Option<String>,
    /// The status the decision gave the organisation, if it changed it:
    /// the new one a confirmation gives, the one a revocation restores.
    pub status: Option<Status>,
}

impl App {
    /// The returns waiting for a decision; with `all`, those decided too.
    pub fn returns(&self, all: bool) -> Result<Vec<Listed>> {
        let mut out = Vec::new();
        for ret in self.ws.store.returns()?.into_iter().filter(|r| all || r.state == ReturnState::Waiting) {
            let digits = &ret.adherence.enterprise_number;
            let (name, enterprise_number) = (who(&self.ws, digits)?, formatted(digits));
            out.push(Listed { ret, name, enterprise_number });
        }
        Ok(out)
    }

    /// The coordinator checked return `id` (the signed paper, the
    /// signer's identity): it counts from today.
    pub fn confirm_return(&mut self, id: i64) -> Result<Decided> {
        let version = self.ws.config.charter.version.clone();
        let (ret, status) = self.ws.store.transaction(self.today, |tx| {
            let r = expect(tx.pending_return(id)?, id, ReturnState::Waiting)?;
            let a = &r.adherence;
            // One adherence per organisation and charter version: another
            // return may have been counted while this one waited.
            if let Some(first) = tx.counted_adherence(&a.enterprise_number, &a.charter_version)? {
                return Err(Error::usage(format!(
                    "the adherence of {} to charter {} already counts ({}, collected {}): there is nothing to \
                     confirm; reject this return instead (charte returns reject {id} --reason TEXT); nothing was \
                     changed",
                    formatted(&a.enterprise_number),
                    a.charter_version,
                    first.method,
                    first.collected
                )));
            }
            let status = tx.status_of(&a.enterprise_number)?;
            let new_status =
                status.filter(|_| a.charter_version == version).and_then(crate::collect::status_after_signing);
            tx.append(&Event::ReturnConfirmed { id, adherence: a.clone(), new_status })?;
            Ok((r, new_status))
        })?;
        self.decided(ret, None, status)
    }

    /// Return `id` is not a valid adherence, for `reason`: it never counts.
    pub fn reject_return(&mut self, id: i64, reason: &str) -> Result<Decided> {
        let reason = reason_given(reason)?;
        let ret = self.ws.store.transaction(self.today, |tx| {
            let r = expect(tx.pending_return(id)?, id, ReturnState::Waiting)?;
            tx.append(&Event::ReturnRejected {
                id,
                enterprise_number: r.adherence.enterprise_number.clone(),
                file_sha256: r.adherence.file_sha256.clone(),
                reason: reason.clone(),
            })?;
            Ok(r)
        })?;
        self.decided(ret, Some(reason), None)
    }

    /// Withdraws the confirmation of return `id`, given by mistake: the
    /// adherence counts nowhere from today, and the status it gave is
    /// undone. Journaled, never erased.
    pub fn revoke_return(&mut self, id: i64, reason: &str) -> Result<Decided> {
        let reason = reason_given(reason)?;
        let (ret, restored) = self.ws.store.transaction(self.today, |tx| {
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
        self.decided(ret, Some(reason), restored)
    }

    fn decided(&self, ret: PendingReturn, reason: Option<String>, status: Option<Status>) -> Result<Decided> {
        let who = who(&self.ws, &ret.adherence.enterprise_number)?;
        Ok(Decided { ret, who, day: self.today, reason, status })
    }
}

/// The organisation's name, else its number as written on the roster.
fn who(ws: &Workspace, digits: &str) -> Result<String> {
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

/// A decision's reason, trimmed: one must be given, for the journal.
fn reason_given(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::usage("--reason: say why, in a few words; nothing was changed"));
    }
    Ok(reason.to_owned())
}

/// The inverse of [`crate::collect::status_after_signing`].
fn status_before_signing(status: Status) -> Option<Status> {
    match status {
        Status::Member => Some(Status::Participant),
        Status::Partner => Some(Status::Associate),
        _ => None,
    }
}
