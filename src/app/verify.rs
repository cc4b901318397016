//! Is this sealed document authentic and unaltered? Needs nothing but the
//! file and the coordination's public key; works outside any workspace
//! (a funder's machine).
//!
//! A sealed document is checked as issued (docs/seal.md, section 5). A
//! returned document, signed after the seal, is checked in two parts: the
//! sealed part with the coordination's key, then the signature that follows
//! it with the checks `charte collect` makes on the file alone
//! ([`collect::check_signature`]): both hold, or the verdict names what
//! does not. Who signed is said as far as it was checked, and what was not
//! checked is said plainly:
//! - own key: the signature holds for the key the file carries; that this
//!   key is the organisation's is checked against the signer's key given,
//!   or the workspace's register when run in the coordination's workspace;
//!   otherwise the verdict says it was not checked;
//! - PAdES: the signature's integrity over the whole file; the certificate
//!   chain only against keys/trusted-roots/ of the workspace, if any, and
//!   never revocation: the PDF reader's check is the one to rely on there.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use chrono::NaiveDate;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::keys::read_public_key;
use crate::collect::{self, ReturnSignature};
use crate::error::{Error, Result};
use crate::seal::{self, Manifest};

/// What to verify, against what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// A sealed document (PDF), as issued or returned signed.
    pub file: PathBuf,
    /// The coordination's public key; `None`: keys/coordination.pub of the
    /// folder verify runs in.
    pub key: Option<PathBuf>,
    /// For a document signed with the organisation's own key: that
    /// organisation's public key, to check who signed; `None`: the key
    /// registered in the workspace, if verify runs in one.
    pub signer_key: Option<PathBuf>,
}

/// What a verification found.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Sealed, and unaltered since: the document as issued.
    AsIssued(seal::Verdict),
    /// Sealed, then signed after the seal: both hold.
    Signed { sealed: seal::Verdict, signature: Signature },
    /// Not authentic: why, in words.
    NotAuthentic { reason: String },
}

/// A signature that holds, said for a person.
#[derive(Debug, Clone)]
pub struct Signature {
    /// "X (how) on DATE".
    pub by: String,
    /// What was checked, one sentence each.
    pub checked: Vec<String>,
    /// What was not, and where to check it.
    pub not_checked: Vec<String>,
    /// The signature as `charte verify --json` describes it (DESIGN.md).
    pub json: serde_json::Value,
}

/// A verdict, and what reading the workspace's charte.toml noted on the way
/// (when the register was looked up).
#[derive(Debug, Clone)]
pub struct Verified {
    pub verdict: Verdict,
    pub notes: Vec<String>,
}

/// Verifies `input.file`, run in folder `dir` (the coordination's
/// workspace, or any folder) on `today`.
pub fn verify(dir: &Path, today: NaiveDate, input: &Input) -> Result<Verified> {
    let key_path = input.key.clone().unwrap_or_else(|| dir.join("keys").join("coordination.pub"));
    let key = read_public_key(&key_path)
        .map_err(|e| Error::usage(format!("{e} (give the coordination's public key with --key FILE.pub)")))?;
    let bytes = crate::error::read_bounded(&input.file, crate::error::MAX_DOCUMENT_BYTES, "a charte document")?;
    let mut notes = Vec::new();
    let not_authentic =
        |reason: String, notes: Vec<String>| Ok(Verified { verdict: Verdict::NotAuthentic { reason }, notes });
    let verdict = match seal::verify_sealed_part(&bytes, &key) {
        Ok(verdict) => verdict,
        Err(e) => return not_authentic(e.to_string(), notes),
    };
    if verdict.sealed_len == bytes.len() {
        return Ok(Verified { verdict: Verdict::AsIssued(verdict), notes });
    }

    // Something follows the seal: the organisation's signature, or a change.
    let m = &verdict.manifest;
    let sealed_len = verdict.sealed_len;
    let sealed_sha256 = hex::encode(Sha256::digest(&bytes[..sealed_len]));
    let roots = collect::trusted_roots(dir)?;
    let signed = match collect::check_signature(&bytes, sealed_len, &m.document_id, &sealed_sha256, &roots) {
        Ok(ReturnSignature::OwnKey(sig)) => {
            let register = Register { dir, today, notes: &mut notes };
            own_key(&sig, m, input.signer_key.as_deref(), register)
        }
        Ok(ReturnSignature::Pades(v)) => Ok(pades(&v)),
        Err(reason) => Err(format!(
            "the sealed part is authentic ({} as issued), but the {} bytes that follow the seal are not a valid \
             signature: {reason}. The document was changed after it was sealed, or its signature was altered",
            m.document_id,
            bytes.len() - sealed_len
        )),
    };
    match signed {
        Ok(signature) => Ok(Verified { verdict: Verdict::Signed { sealed: verdict, signature }, notes }),
        Err(reason) => not_authentic(reason, notes),
    }
}

/// Where the organisations' registered keys may be: the workspace in
/// `dir`, opened only when needed (its charte.toml's notes kept).
struct Register<'a> {
    dir: &'a Path,
    today: NaiveDate,
    notes: &'a mut Vec<String>,
}

impl Register<'_> {
    /// The organisation's registered key (base64), when `dir` is the
    /// coordination's workspace and the document names an organisation of
    /// its roster; `None` elsewhere (a funder's machine, any other folder).
    fn key(self, m: &Manifest) -> Option<String> {
        if !self.dir.join(crate::workspace::DB_FILE).is_file() {
            return None;
        }
        let number = crate::roster::EnterpriseNumber::parse(m.enterprise_number.as_deref()?).ok()?;
        let ws = crate::workspace::Workspace::open(self.dir, self.today).ok()?;
        self.notes.extend(ws.config.notes.iter().cloned());
        ws.store.member(&number).ok()??.public_key
    }
}

/// The own-key signature holds for the key it carries; whose key that is
/// is checked against `signer_key`, else the workspace's register, else
/// said to be unchecked. A key that is not the expected one is a failure.
///
/// (Keys are read through [`read_public_key`], bounded: a key path a user
/// gives may be anything, /dev/zero included.)
fn own_key(
    sig: &collect::signature::SignatureFile,
    m: &Manifest,
    signer_key: Option<&Path>,
    register: Register<'_>,
) -> std::result::Result<Signature, String> {
    let fp = &sig.statement.key_fingerprint;
    let org = m.organisation.clone().unwrap_or_else(|| "the organisation".into());
    let expected = match signer_key {
        Some(path) => {
            let key = read_public_key(path).map_err(|e| format!("--signer-key: {e}"))?;
            let b64 = base64::engine::general_purpose::STANDARD.encode(key.as_bytes());
            Some((b64, format!("the key given with --signer-key ({})", seal::fingerprint(&key))))
        }
        None => register.key(m).map(|key| (key, format!("the key registered for {org} in this workspace"))),
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
    Ok(Signature { by, checked, not_checked, json })
}

fn pades(v: &collect::pades::PadesVerdict) -> Signature {
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
    Signature { by, checked, not_checked, json }
}
