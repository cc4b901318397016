//! `charte verify FILE [--key coordination.pub] [--signer-key ORG.pub]`:
//! needs nothing but the file and the public key; works outside any
//! workspace. The checks are [`crate::app::verify`]'s; this says the
//! verdict, and exits 1 when the file is not authentic.

use std::path::PathBuf;

use serde_json::json;

use super::Ctx;
use crate::app::verify::{Input, Verdict};
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A sealed document (PDF), as issued or returned signed; or a key
    /// rotation statement (keys/rotations/…json), checked with the key it
    /// retires.
    file: PathBuf,
    /// The coordination's public key; default: keys/coordination.pub of
    /// the workspace (--dir).
    #[arg(long, value_name = "FILE.pub")]
    key: Option<PathBuf>,
    /// For a document returned signed with the organisation's own key: that
    /// organisation's public key, to check who signed. In the
    /// coordination's workspace the registered key is used.
    #[arg(long, value_name = "ORG.pub")]
    signer_key: Option<PathBuf>,
    /// An earlier sealed report: also check that the history behind FILE (a later report) extends the one
    /// behind it, with the consistency proof FILE embeds (exit 1 if it does not).
    #[arg(long, value_name = "OLD.pdf")]
    since: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    if let Some(old) = &args.since {
        return since(&args, old, ctx);
    }
    let bytes = crate::error::read_bounded(&args.file, crate::error::MAX_DOCUMENT_BYTES, "a charte document")?;
    if crate::app::evidence::is_evidence(&bytes) {
        return evidence(&args, &bytes, ctx);
    }
    let file = args.file.display().to_string();
    let input = Input { file: args.file, key: args.key, signer_key: args.signer_key };
    let verified = crate::app::verify::verify(&ctx.dir, ctx.now, &input)?;
    for note in &verified.notes {
        eprintln!("note: {note}");
    }
    let key = &verified.key;
    match verified.verdict {
        Verdict::AsIssued(sealed) => {
            if ctx.json {
                let key = key.json(&sealed.manifest.key_fingerprint);
                super::print_json(
                    &json!({"authentic": true, "manifest": sealed.manifest, "signature": null, "key": key}),
                )?;
            } else {
                say!("{file}: authentic — {}", sealed.summary);
                if let Some(line) = key.sentence() {
                    say!("  key: {line}");
                }
            }
        }
        Verdict::Signed { sealed, signature } => {
            let m = &sealed.manifest;
            if ctx.json {
                let key = key.json(&m.key_fingerprint);
                super::print_json(&json!({"authentic": true, "manifest": m, "signature": signature.json, "key": key}))?;
                return Ok(0);
            }
            say!("{file}: authentic — sealed by {} on {}, then signed by {}", m.coordination, m.issued, signature.by);
            say!("  sealed part: {}", sealed.summary);
            if let Some(line) = key.sentence() {
                say!("  key: {line}");
            }
            for line in &signature.checked {
                say!("  checked: {line}");
            }
            for line in &signature.not_checked {
                say!("  not checked: {line}");
            }
        }
        Verdict::Rotation(r) => {
            if ctx.json {
                super::print_json(&json!({"authentic": true, "rotation": r.statement}))?;
            } else {
                say!(
                    "{file}: authentic — key rotation statement of {}: key {} retired on {}, succeeded by key {}; \
                     whoever trusts key {} can trust key {}",
                    r.statement.coordination,
                    r.previous_fingerprint(),
                    r.date,
                    r.next_fingerprint(),
                    r.previous_fingerprint(),
                    r.next_fingerprint()
                );
            }
        }
        Verdict::NotAuthentic { reason } => {
            if ctx.json {
                super::print_json(&json!({"authentic": false, "reason": reason}))?;
            }
            return Err(Error::CheckFailed(format!("{file}: NOT authentic: {reason}")));
        }
    }
    Ok(0)
}

/// `verify NEW --since OLD`.
fn since(args: &Args, old: &std::path::Path, ctx: &Ctx) -> Result<u8> {
    let e = crate::app::since::extends(&ctx.dir, ctx.now, &args.file, old, args.key.as_deref())?;
    if ctx.json {
        super::print_json(&json!({
            "extends": true, "new": e.new_id, "old": e.old_id, "new_tree_size": e.new_size,
            "old_tree_size": e.old_size, "proof_hashes": e.proof_len,
        }))?;
    } else {
        say!(
            "{}: the history behind it extends the one behind {} — both reports authentic; the journal's first {} \
             entries, behind {}, are unchanged among the {} behind {} (consistency proof of {} hashes)",
            args.file.display(),
            old.display(),
            e.old_size,
            e.old_id,
            e.new_size,
            e.new_id,
            e.proof_len
        );
    }
    Ok(0)
}

/// `verify EVIDENCE.json`: one journal entry proved in a signed checkpoint.
fn evidence(args: &Args, bytes: &[u8], ctx: &Ctx) -> Result<u8> {
    let file = args.file.display();
    let checked = crate::app::evidence::check(&ctx.dir, ctx.now, bytes, args.key.as_deref()).map_err(|e| match e {
        Error::CheckFailed(reason) => Error::CheckFailed(format!("{file}: NOT verified: {reason}")),
        e => e,
    })?;
    let (e, c) = (&checked.proved.entry, &checked.proved.checkpoint.statement);
    if ctx.json {
        super::print_json(&json!({
            "verified": true, "seq": e.seq, "at": e.at, "kind": e.kind, "subject": e.subject, "payload": e.payload,
            "tree_size": c.tree_size, "checkpoint_date": c.date, "key_fingerprint": checked.fingerprint,
        }))?;
    } else {
        say!(
            "{file}: verified — journal entry {} ({}, {}) is entry {} of the journal {} signed on {} ({} entries, key {}; \
             proof of {} hashes)",
            e.seq,
            e.kind,
            e.at,
            e.seq,
            c.coordination,
            c.date,
            c.tree_size,
            checked.fingerprint,
            checked.proved.proof_len
        );
        say!("  payload: {}", e.payload);
    }
    Ok(0)
}
