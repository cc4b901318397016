//! The organisation's side of an adherence: signing the document it
//! received with its own key, outside any workspace. The document is
//! checked whole first (its seal, with the key it names, covers the whole
//! file), so an organisation never signs something else than what was
//! issued.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::collect::signature;
use crate::error::{Error, Result};

/// What to sign, with what, and where to put it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The adherence document as issued (sealed PDF).
    pub file: PathBuf,
    /// The organisation's private key (made by `charte keys member`).
    pub key: PathBuf,
    /// Where to write the signed document; `None`: FILE-signed.pdf beside it.
    pub out: Option<PathBuf>,
}

/// A document signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub document_id: String,
    /// The organisation the document names, if any.
    pub organisation: Option<String>,
    /// The signing key's fingerprint.
    pub fingerprint: String,
    /// The signed document, to send back to the coordination.
    pub out: PathBuf,
    /// The same signature, detached (.sig.json).
    pub detached: PathBuf,
}

/// Signs `input.file` with the organisation's key on `today`.
pub fn sign(input: &Input, today: NaiveDate) -> Result<Signed> {
    let file = &input.file;
    let key = crate::seal::load_signing_key(&input.key).map_err(|e| Error::usage(e.to_string()))?;
    let bytes = crate::error::read_bounded(file, crate::error::MAX_DOCUMENT_BYTES, "a charte document")?;
    // Check the document is whole before signing it: its own seal, verified
    // with the key it names, must cover the whole file.
    let sealed_with = crate::seal::embedded_key(&bytes)
        .map_err(|e| Error::CheckFailed(format!("{}: not a sealed charte document: {e}", file.display())))?;
    let verdict = crate::seal::verify(&bytes, &sealed_with).map_err(|e| {
        Error::CheckFailed(format!("{}: refusing to sign a document that is not as issued: {e}", file.display()))
    })?;
    let (signed, detached) = signature::sign(&bytes, &verdict.manifest.document_id, &key, today)
        .map_err(|e| Error::usage(format!("{}: {e}", file.display())))?;
    let out = input.out.clone().unwrap_or_else(|| signed_beside(file));
    crate::error::write_atomic(&out, &signed)?;
    let sig_path = out.with_extension("sig.json");
    crate::error::write_atomic(&sig_path, &detached)?;
    Ok(Signed {
        document_id: verdict.manifest.document_id,
        organisation: verdict.manifest.organisation,
        fingerprint: crate::seal::fingerprint(&key.verifying_key()),
        out,
        detached: sig_path,
    })
}

/// FILE-signed.pdf, beside FILE.
fn signed_beside(file: &Path) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    file.with_file_name(format!("{stem}-signed.pdf"))
}
