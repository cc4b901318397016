//! `charte verify FILE [--key coordination.pub] [--signer-key ORG.pub]`:
//! needs nothing but the file and the public key; works outside any
//! workspace.
//!
//! A sealed document is checked as issued (docs/seal.md, section 5). A
//! returned document, signed after the seal, is checked in two parts: the
//! sealed part with the coordination's key, then the signature that follows
//! it with the checks `charte collect` makes on the file alone
//! ([`collect::check_signature`]): both hold, exit 0; either does not,
//! exit 1 naming what. Who signed is said as far as it was checked, and
//! what was not checked is said plainly:
//! - own key: the signature holds for the key the file carries; that this
//!   key is the organisation's is checked against `--signer-key`, or the
//!   workspace's register when run in the coordination's workspace;
//!   otherwise the output says it was not checked;
//! - PAdES: the signature's integrity over the whole file; the certificate
//!   chain only against keys/trusted-roots/ of the workspace, if any, and
//!   never revocation: the PDF reader's check is the one to rely on there.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::Ctx;
use crate::collect::{self, ReturnSignature};
use crate::error::{Error, Result};
use crate::seal::{self, Manifest};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A sealed document (PDF), as issued or returned signed.
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
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let key_path = args.key.clone().unwrap_or_else(|| ctx.dir.join("keys").join("coordination.pub"));
    let key = read_public_key(&key_path)
        .map_err(|e| Error::usage(format!("{e} (give the coordination's public key with --key FILE.pub)")))?;
    let bytes = crate::error::read_bounded(&args.file, crate::error::MAX_DOCUMENT_BYTES, "a charte document")?;
    let file = args.file.display().to_string();
    let verdict = match seal::verify_sealed_part(&bytes, &key) {
        Ok(verdict) => verdict,
        Err(e) => return not_authentic(ctx, &file, e.to_string()),
    };
    let m = &verdict.manifest;
    if verdict.sealed_len == bytes.len() {
        if ctx.json {
            super::print_json(&json!({"authentic": true, "manifest": m, "signature": null}))?;
        } else {
            say!("{file}: authentic — {}", verdict.summary);
        }
        return Ok(0);
    }

    // Something follows the seal: the organisation's signature, or a change.
    let sealed_len = verdict.sealed_len;
    let sealed_sha256 = hex::encode(Sha256::digest(&bytes[..sealed_len]));
    let roots = crate::collect::trusted_roots(&ctx.dir)?;
    let signed = match collect::check_signature(&bytes, sealed_len, &m.document_id, &sealed_sha256, &roots) {
        Ok(ReturnSignature::OwnKey(sig)) => own_key(&sig, m, args.signer_key.as_deref(), ctx),
        Ok(ReturnSignature::Pades(v)) => Ok(pades(&v)),
        Err(reason) => Err(format!(
            "the sealed part is authentic ({} as issued), but the {} bytes that follow the seal are not a valid \
             signature: {reason}. The document was changed after it was sealed, or its signature was altered",
            m.document_id,
            bytes.len() - sealed_len
        )),
    };
    let signed = match signed {
        Ok(signed) => signed,
        Err(reason) => return not_authentic(ctx, &file, reason),
    };
    if ctx.json {
        super::print_json(&json!({"authentic": true, "manifest": m, "signature": signed.json}))?;
        return Ok(0);
    }
    say!("{file}: authentic — sealed by {} on {}, then signed by {}", m.coordination, m.issued, signed.by);
    say!("  sealed part: {}", verdict.summary);
    for line in &signed.checked {
        say!("  checked: {line}");
    }
    for line in &signed.not_checked {
        say!("  not checked: {line}");
    }
    Ok(0)
}

/// Says why the file is not authentic (in JSON too) and fails with exit 1.
fn not_authentic(ctx: &Ctx, file: &str, reason: String) -> Result<u8> {
    if ctx.json {
        super::print_json(&json!({"authentic": false, "reason": reason}))?;
    }
    Err(Error::CheckFailed(format!("{file}: NOT authentic: {reason}")))
}

/// A signature that holds, said for a person.
struct Signed {
    /// "X (how) on DATE".
    by: String,
    checked: Vec<String>,
    not_checked: Vec<String>,
    json: serde_json::Value,
}

/// The own-key signature holds for the key it carries; whose key that is
/// is checked against `--signer-key`, else the workspace's register, else
/// said to be unchecked. A key that is not the expected one is a failure.
///
/// (Keys are read through [`read_public_key`], bounded: a key path a user
/// gives may be anything, /dev/zero included.)
fn own_key(
    sig: &collect::signature::SignatureFile,
    m: &Manifest,
    signer_key: Option<&Path>,
    ctx: &Ctx,
) -> std::result::Result<Signed, String> {
    let fp = &sig.statement.key_fingerprint;
    let org = m.organisation.clone().unwrap_or_else(|| "the organisation".into());
    let expected = match signer_key {
        Some(path) => {
            let key = read_public_key(path).map_err(|e| format!("--signer-key: {e}"))?;
            let b64 = base64::engine::general_purpose::STANDARD.encode(key.as_bytes());
            Some((b64, format!("the key given with --signer-key ({})", seal::fingerprint(&key))))
        }
        None => registered_key(m, ctx).map(|key| (key, format!("the key registered for {org} in this workspace"))),
    };
    let mut checked = vec![format!(
        "the signature of {} with key {fp}, dated {}, covers the whole sealed document as issued",
        m.document_id, sig.statement.signed
    )];
    let mut not_checked = Vec::new();
    let by = match &expected {
        Some((key, source)) if *key == sig.public_key => {
            checked.push(format!("key {fp} is {source}"));
            format!("{org} (own key {fp}) on {}", sig.statement.signed)
        }
        Some((_, source)) => {
            return Err(format!(
                "the document was signed with key {fp}, which is not {source}: someone else signed it"
            ));
        }
        None => {
            not_checked.push(format!(
                "whether key {fp} is the one {org} registered with the coordination: ask the coordination for the \
                 fingerprint of the key it registered (charte members set-key prints it), or give the organisation's \
                 public key with --signer-key"
            ));
            format!("the holder of key {fp} (own key; for {org}) on {}", sig.statement.signed)
        }
    };
    let json = json!({
        "method": "own-key",
        "key_fingerprint": fp,
        "signed": sig.statement.signed,
        "key_checked": expected.is_some(),
        "checked": checked,
        "not_checked": not_checked,
    });
    Ok(Signed { by, checked, not_checked, json })
}

/// The organisation's registered key (base64), when `charte verify` runs in
/// the coordination's workspace and the document names an organisation of
/// its roster; `None` elsewhere (a funder's machine, any other folder).
fn registered_key(m: &Manifest, ctx: &Ctx) -> Option<String> {
    if !ctx.dir.join(crate::workspace::DB_FILE).is_file() {
        return None;
    }
    let number = crate::roster::EnterpriseNumber::parse(m.enterprise_number.as_deref()?).ok()?;
    let ws = ctx.workspace().ok()?;
    ws.store.member(&number).ok()??.public_key
}

fn pades(v: &collect::pades::PadesVerdict) -> Signed {
    let serial = v.signer_serial.as_deref().map(|s| format!(", serial {s}")).unwrap_or_default();
    let when = v.signing_time.as_deref().unwrap_or("a date the signature does not give");
    let by = format!("{} (PAdES, certificate of {}{serial}) on {when}", v.signer_name, v.signer_name);
    let checked = vec![
        format!(
            "the PDF signature ({}) holds over the whole file, which begins with the sealed document as issued",
            v.digest_algorithm
        ),
        "the signing update changes nothing of the issued document a reader displays".to_owned(),
    ];
    let mut not_checked = vec![
        "revocation of the certificate, and the signing time (it comes from the signer's computer): the PDF \
         reader shows both"
            .to_owned(),
    ];
    if !v.chain_validated {
        not_checked.push(v.chain_note.clone());
    }
    let json = json!({
        "method": "pades",
        "signer": v.signer_name,
        "signer_serial": v.signer_serial,
        "certificate_sha256": v.certificate_sha256,
        "signing_time": v.signing_time,
        "chain_validated": v.chain_validated,
        "checked": checked,
        "not_checked": not_checked,
    });
    let mut checked = checked;
    if v.chain_validated {
        checked.push(v.chain_note.clone());
    }
    Signed { by, checked, not_checked, json }
}

/// Reads a public key file a user named (made by `charte keys init` or
/// `charte keys member`): bounded (a key path may name anything, /dev/zero
/// included), a weak key refused, and checked against the private key
/// beside it when there is one (seal::load_verifying_key).
pub(super) fn read_public_key(path: &Path) -> Result<ed25519_dalek::VerifyingKey> {
    seal::load_verifying_key(path).map_err(|e| Error::usage(e.to_string()))
}
