//! `charte collect FILE... [--scan ID]`
//!
//! A return that is not proof enough by itself (a scan; a PAdES signature
//! not chained to a trusted root, or not by the representative) is
//! received, journaled as `return-pending` and counts for nothing until
//! the coordinator confirms it (`charte returns`): exit 0, since nothing
//! was refused.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::Ctx;
use crate::collect::{self, Outcome, Register};
use crate::error::{Error, MAX_DOCUMENT_BYTES, Result};
use crate::journal::Event;
use crate::roster;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
A document signed with the organisation's registered key counts at once. A PDF signed in a reader \
(PAdES, e.g. a Belgian eID) counts at once only when its certificate chain leads to a root in \
keys/trusted-roots/ and its signer is the organisation's representative on the roster (the name on \
the certificate, less \"(Signature)\", in any order, case or accents); otherwise it waits for your \
confirmation, as a scan does: see `charte returns`.

Trusted roots: put each root certificate (.pem, .crt, .cer or .der) in keys/trusted-roots/. For a \
Belgian eID, the self-signed Belgium Root CA3, CA4 and CA6 certificates (belgiumrca3.crt, \
belgiumrca4.crt, belgiumrca6.crt from repository.eid.belgium.be). A folder or file there that cannot \
be read is an error: nothing is collected until it is fixed.")]
pub struct Args {
    /// Returned documents: signed with the organisation's registered key,
    /// or signed in a PDF reader (PAdES).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The file is a scan of a paper signature by this organisation, which
    /// the coordinator attests (enterprise number or unique name); it waits
    /// for the coordinator's confirmation (`charte returns confirm ID`).
    #[arg(long, value_name = "ID")]
    scan: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let mut ws = ctx.writer()?;
    let members = ws.store.members()?;
    let issued = ws.store.documents()?;
    // Every file recorded before, counted or duplicate: a quick answer for
    // the same file again (the transaction below decides for good).
    let known: HashMap<String, String> =
        ws.store.known_returns()?.into_iter().map(|k| (k.file_sha256, k.document_id)).collect();
    let key_path = ws.keys_dir().join("coordination.pub");
    let coordination_key = crate::seal::load_verifying_key(&key_path).map_err(|e| match e {
        crate::seal::KeyError::Mismatch { .. } => Error::usage(e.to_string()),
        e => Error::usage(format!("{e} (the coordination's key: charte keys init)")),
    })?;
    let roots = collect::trusted_roots(&ws.root)?;
    // An unknown organisation for a scan is a refusal like any other:
    // journaled, and the register unchanged.
    let scan_member = args.scan.as_deref().map(|id| roster::resolve(&members, id));
    let version = ws.config.charter.version.clone();
    // Every file is examined in parallel against the register as it was;
    // then the outcomes are journaled in order, in one transaction.
    let register = Register::new(&coordination_key, &issued, &members, &known, &roots);
    let bar = super::progress(args.files.len() as u64, "returned files");
    let examine_all = || {
        args.files
            .par_iter()
            .map(|path| {
                // A returned document is at most 20 MB (DESIGN.md): the read
                // stops one byte past that, whatever the file is.
                // One file too large is refused like any bad return; the
                // others of the run are collected.
                let bytes = match crate::error::read_bounded(path, MAX_DOCUMENT_BYTES, "a returned document") {
                    Ok(bytes) => bytes,
                    Err(Error::Input { problems, .. }) => {
                        bar.inc(1);
                        let reason = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                        // Not read, so not hashed: the refusal names the file instead.
                        return Ok((format!("unread:{}", path.display()), Outcome::Refused { reason }));
                    }
                    Err(e) => return Err(e),
                };
                let file_sha256 = hex::encode(Sha256::digest(&bytes));
                let outcome = match &scan_member {
                    Some(Ok(m)) => collect::attest_scan(&bytes, &file_sha256, m, &version, &issued, &known),
                    Some(Err(e)) => Outcome::Refused { reason: format!("--scan: {e}") },
                    None => collect::examine(&bytes, &file_sha256, &register),
                };
                bar.inc(1);
                Ok((file_sha256, outcome))
            })
            .collect::<Vec<Result<(String, Outcome)>>>()
    };
    // Each worker holds one file at a time (examining a file runs no
    // parallel work of its own, so a worker never picks up a second file
    // while holding one): at most READERS files are in memory at once,
    // whatever the number of cores or files.
    let examined = match rayon::ThreadPoolBuilder::new().num_threads(readers()).build() {
        Ok(pool) => pool.install(examine_all),
        Err(e) => return Err(Error::internal(format!("no thread for the returned files: {e}"))),
    };
    bar.finish_and_clear();
    // Whether a valid return is new, the same file again, or another
    // return of an adherence already counted is decided here, under the
    // write lock, against the journal as it is (files of this run
    // included): one adherence per organisation and charter version.
    let (lines, accepted, duplicates, waiting, already, refused) = ws.store.transaction(ctx.now, |tx| {
        let mut lines = Vec::new();
        let (mut accepted, mut duplicates, mut waiting, mut already, mut refused) = (0, 0, 0, 0, 0);
        for (path, result) in args.files.iter().zip(examined) {
            let (file_sha256, outcome) = result?;
            let name = path.display().to_string();
            let known = match &outcome {
                Outcome::Accepted(a) | Outcome::Pending { adherence: a, .. } => tx.known_return(&a.file_sha256)?,
                Outcome::AlreadyKnown { document_id } => Some(document_id.clone()),
                Outcome::Refused { .. } => None,
            };
            if let Some(document_id) = known {
                lines.push(format!("known     {name}: {document_id} was collected before; nothing changed"));
                already += 1;
                continue;
            }
            let (adherence, waits) = match outcome {
                Outcome::Accepted(adherence) => (adherence, None),
                Outcome::Pending { adherence, reason } => (adherence, Some(reason)),
                Outcome::AlreadyKnown { .. } => continue,
                Outcome::Refused { reason } => {
                    eprintln!("refused   {name}: {reason}");
                    tx.append(&Event::ReturnRefused { file: name, file_sha256, reason })?;
                    refused += 1;
                    continue;
                }
            };
            let member = register.member(&adherence.enterprise_number);
            let who = member.map_or(adherence.enterprise_number.clone(), |m| m.organisation.name.clone());
            if let Some(first) = tx.counted_adherence(&adherence.enterprise_number, &adherence.charter_version)? {
                lines.push(format!(
                    "duplicate {name}: {} signed by {who} ({}, {}) is valid, but {who}'s adherence to charter {} \
                     was already collected on {} ({}); recorded as a duplicate, it counts nothing",
                    adherence.document_id,
                    adherence.method,
                    adherence.signer,
                    adherence.charter_version,
                    first.collected,
                    first.method,
                ));
                tx.append(&Event::Duplicate { file: name, adherence: *adherence, duplicate_of: first.file_sha256 })?;
                duplicates += 1;
                continue;
            }
            // Not proof enough by itself: received and journaled,
            // counted nowhere until the coordinator confirms it.
            if let Some(reason) = waits {
                lines.push(format!(
                    "waiting   {name}: {} of {who} ({}: {}) is valid but not proof enough by itself: {reason}",
                    adherence.document_id, adherence.method, adherence.signer,
                ));
                let id = tx.append(&Event::ReturnPending { file: name, adherence: *adherence, reason })?;
                lines.push(format!(
                    "          it counts for nothing until then; waiting for your confirmation: \
                     charte returns confirm {id} (or: charte returns reject {id} --reason TEXT)"
                ));
                waiting += 1;
                continue;
            }
            let new_status = member
                .filter(|_| adherence.charter_version == version)
                .and_then(|m| collect::status_after_signing(m.organisation.status));
            lines.push(format!(
                "accepted  {name}: {} signed by {who} ({}, {}){}",
                adherence.document_id,
                adherence.method,
                adherence.signer,
                new_status.map(|s| format!("; now {s}")).unwrap_or_default()
            ));
            if let Some(note) = adherence.details.get("chain_note").and_then(|n| n.as_str()) {
                lines.push(format!("          {note}"));
            }
            tx.append(&Event::AdherenceCollected { adherence: *adherence, new_status })?;
            accepted += 1;
        }
        Ok((lines, accepted, duplicates, waiting, already, refused))
    })?;
    for line in &lines {
        say!("{line}");
    }
    let duplicates = if duplicates > 0 { format!(", {duplicates} duplicate (counted nowhere)") } else { String::new() };
    let waiting = if waiting > 0 { format!(", {waiting} waiting for your confirmation") } else { String::new() };
    say!("{accepted} accepted{duplicates}{waiting}, {already} already known, {refused} refused");
    if refused > 0 {
        return Err(Error::CheckFailed(format!(
            "{refused} returned file(s) refused; the register is unchanged for them"
        )));
    }
    Ok(0)
}

/// The most returned files examined at once, each at most
/// [`MAX_DOCUMENT_BYTES`] read: bounds collect's peak memory (4 × 20 MB of
/// files, plus what examining them takes) however many cores and files.
const READERS: usize = 4;

fn readers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(READERS)
}
