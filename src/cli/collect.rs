//! `charte collect FILE... [--scan ID]`: says, file by file, what
//! [`App::collect`](crate::app::App::collect) made of the returns; exit 1
//! when some were refused. A return waiting for the coordinator's
//! confirmation is not a refusal: exit 0.

use std::path::PathBuf;

use super::Ctx;
use crate::app::collect::{Input, Line, What};
use crate::app::mailbox::{Fetched, Read};
use crate::error::{Error, Result};

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
    #[arg(required_unless_present = "imap")]
    files: Vec<PathBuf>,
    /// The file is a scan of a paper signature by this organisation, which
    /// the coordinator attests (enterprise number or unique name); it waits
    /// for the coordinator's confirmation (`charte returns confirm ID`).
    #[arg(long, value_name = "ID")]
    scan: Option<String>,
    /// Reads the mailbox [mail.imap] names instead of files: every PDF or
    /// image attached to a message is examined as a file would be; the
    /// password comes from the environment variable mail.imap.password_env
    /// names. Messages read are moved to mail.imap.processed_folder.
    #[arg(long, conflicts_with_all = ["files", "scan"])]
    imap: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let mut app = ctx.app_writer()?;
    if args.imap {
        return run_imap(&mut app);
    }
    let collected = app.collect(&Input { files: args.files, scan: args.scan })?;
    // Refusals first, on stderr; then the rest on stdout, in the files' order.
    for line in &collected.lines {
        if let What::Refused { reason, .. } = &line.what {
            eprintln!("refused   {}: {reason}", line.file);
        }
    }
    for line in &collected.lines {
        say_line(line);
    }
    let (accepted, duplicates, waiting) = (collected.accepted(), collected.duplicates(), collected.waiting());
    let (already, refused) = (collected.known(), collected.refused());
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

/// What one returned file proved, on stdout (a refusal is said on stderr
/// by the caller, first).
fn say_line(line: &Line) {
    let name = &line.file;
    match &line.what {
        What::Refused { .. } => {}
        What::Known { document_id } => {
            say!("known     {name}: {document_id} was collected before; nothing changed");
        }
        What::Duplicate { adherence: a, who, first } => say!(
            "duplicate {name}: {} signed by {who} ({}, {}) is valid, but {who}'s adherence to charter {} \
             was already collected on {} ({}); recorded as a duplicate, it counts nothing",
            a.document_id,
            a.method,
            a.signer,
            a.charter_version,
            first.collected,
            first.method,
        ),
        What::Waiting { adherence: a, who, reason, id } => {
            say!(
                "waiting   {name}: {} of {who} ({}: {}) is valid but not proof enough by itself: {reason}",
                a.document_id,
                a.method,
                a.signer,
            );
            say!(
                "          it counts for nothing until then; waiting for your confirmation: \
                 charte returns confirm {id} (or: charte returns reject {id} --reason TEXT)"
            );
        }
        What::Accepted { adherence: a, who, new_status, chain_note } => {
            say!(
                "accepted  {name}: {} signed by {who} ({}, {}){}",
                a.document_id,
                a.method,
                a.signer,
                new_status.map(|s| format!("; now {s}")).unwrap_or_default()
            );
            if let Some(note) = chain_note {
                say!("          {note}");
            }
        }
    }
}

/// `charte collect --imap`: message by message, then a summary; exit 1
/// when a return was refused, as for files.
fn run_imap(app: &mut crate::app::App) -> Result<u8> {
    let fetched = app.collect_imap()?;
    let refused = say_fetched(&fetched);
    if let Some(why) = &fetched.unanswered {
        return Err(Error::Temporary(format!(
            "the mailbox was read, but the answers to refused returns were not sent ({why}): run it again to \
             send them"
        )));
    }
    if refused > 0 {
        return Err(Error::CheckFailed(format!(
            "{refused} message(s) refused (journaled, moved to {:?}); the register is unchanged for them",
            fetched.processed_folder
        )));
    }
    Ok(0)
}

/// What a reading of the mailbox did, message by message, then a
/// summary (`charte collect --imap`, a workflow's `fetch` step); returns
/// how many messages were refused.
pub(super) fn say_fetched(fetched: &Fetched) -> usize {
    for m in &fetched.messages {
        let about = m.subject.as_deref().map(|s| format!(" ({s:?})")).unwrap_or_default();
        match &m.read {
            Read::NotAReturn => say!("not a return {}{about}: no returned document in it; left where it was", m.key),
            Read::Refused { reason, .. } => eprintln!("refused   message {}{about}: {reason}", m.key),
            Read::Undelivered { message_id, reason } => {
                say!("bounced   message {}{about}: the message {message_id} did not arrive ({reason})", m.key)
            }
            read => say!("{:<9} message {}{about}", read.code(), m.key),
        }
        for line in &m.files {
            if !matches!(line.what, What::Refused { .. }) {
                say_line(line);
            }
        }
    }
    let count = |f: fn(&Read) -> bool| fetched.count(f);
    let refused = count(|r| matches!(r, Read::Refused { .. }));
    let moved = fetched.messages.iter().filter(|m| m.moved).count() + fetched.moved_late;
    say!(
        "{} message(s) read: {} collected, {} waiting for your confirmation, {} duplicate, {} already known, \
         {refused} refused, {} delivery report(s), {} not a return (left where they were); {moved} moved to {:?}{}{}",
        fetched.messages.len(),
        count(|r| *r == Read::Collected),
        count(|r| *r == Read::Waiting),
        count(|r| *r == Read::Duplicate),
        count(|r| *r == Read::Known),
        count(|r| matches!(r, Read::Undelivered { .. })),
        count(|r| *r == Read::NotAReturn),
        fetched.processed_folder,
        if fetched.left_before > 0 {
            format!("; {} read before and left where they were", fetched.left_before)
        } else {
            String::new()
        },
        match &fetched.answers {
            a if a.sent + a.bounced.len() == 0 => String::new(),
            a => format!(
                "; {} answer(s) sent to the organisations whose return was refused{}",
                a.sent,
                if a.bounced.is_empty() {
                    String::new()
                } else {
                    format!(", {} refused by the mail server", a.bounced.len())
                }
            ),
        },
    );
    if let Some(why) = &fetched.unanswered {
        eprintln!("answers to refused returns not sent ({why}): the next run sends them");
    }
    refused
}
