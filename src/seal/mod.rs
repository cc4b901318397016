//! Sealing: the coordination vouches for a rendered document with an
//! ed25519 signature that anyone can check offline with its public key.
//!
//! A sealed PDF is the rendered PDF, byte for byte, followed by exactly one
//! incremental update (the "seal revision") that embeds `charte-seal.json`:
//! a manifest naming the document and the SHA-256 and length of the
//! rendered bytes, signed over its canonical JSON. The same seal is also
//! given as a detached file.
//!
//! Verification (see docs/seal.md for the format):
//! 1. find `charte-seal.json` in the PDF;
//! 2. the seal names the given public key, and its signature over the
//!    canonical manifest is valid;
//! 3. the first `length` bytes of the file hash to `sha256`;
//! 4. the rest of the file is exactly the seal revision, rebuilt from those
//!    bytes and the seal: the revision is a pure function of the two, so
//!    nothing else can hide in it, and an update appended after it (which
//!    could repaint a page while leaving the hashed prefix intact) is
//!    refused.
//!
//! A later revision on top of the seal (an organisation's signature) is
//! checked by its own verifier after [`verify_sealed_part`] has vouched for
//! the sealed part.

mod chain;
mod keys;
mod manifest;
mod revision;
mod web;

use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::pdf;

pub use chain::{ChainError, KEY_CHAIN_EXTRA, KeyChain, ROTATION_FORMAT, Rotation, RotationRecord, Statement};
pub use keys::{
    KeyError, PRIVATE_HEADER, PUBLIC_HEADER, fingerprint, generate, load_signing_key, load_verifying_key,
    parse_public_key, private_key_text, public_key_from_bytes, public_key_text, write_keypair,
};
pub use manifest::{FORMAT, Manifest, ParseError, SignedObject, canonical, parse_object, sign_object};

pub use web::{WEB_FORMAT, WebRecord, WebSignature, check_web, is_web, sign_web};

use manifest::{SealFile, parse_seal, seal_bytes};

/// Name of the seal file embedded in a sealed PDF: the attachment's name in
/// the catalog's /Names and /AF (docs/seal.md, section 4), the one name a
/// verifier looks the seal up by.
pub const SEAL_FILE_NAME: &str = "charte-seal.json";

/// What marks charte's seal revision in a PDF: the bytes between the seal
/// file's object number and its size, at the head of the revision
/// (docs/seal.md, section 4: `{N} 0 obj⏎<</Type/EmbeddedFile/Subtype/…`).
/// The revision is written with it and found by it before any parsing
/// ([`verify_sealed_part`]), so the writer and the finder cannot drift
/// apart. An organisation's signature writes its embedded file with
/// spaces (`<< /Type /EmbeddedFile …`), which this does not match.
pub const SEAL_MARKER: &str = " 0 obj\n<</Type/EmbeddedFile/Subtype/application#2Fjson/Params<</Size ";

/// A sealed document.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// The rendered PDF followed by the seal revision.
    pub pdf: Vec<u8>,
    /// The seal as a detached file (the same bytes as embedded).
    pub seal_json: Vec<u8>,
    /// The manifest as signed (with hash, length and key filled in).
    pub manifest: Manifest,
}

impl Sealed {
    /// The sha256 of the whole sealed file, as the journal records it.
    pub fn sealed_sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.pdf))
    }

    /// Writes the sealed PDF and its detached seal to temporary files of
    /// their own beside `path`, to be put in place under the journal's lock
    /// ([`StagedSeal`]).
    pub fn stage(&self, path: &std::path::Path) -> crate::Result<StagedSeal> {
        Ok(StagedSeal {
            pdf: crate::error::stage(path, &self.pdf)?,
            seal: crate::error::stage(&path.with_extension("seal.json"), &self.seal_json)?,
        })
    }
}

/// A sealed PDF and its detached seal staged beside where they go
/// ([`crate::error::Staged`]): dropped, both temporary files go.
#[derive(Debug)]
pub struct StagedSeal {
    pdf: crate::error::Staged,
    seal: crate::error::Staged,
}

impl StagedSeal {
    /// Whether `path` and its seal already hold these very bytes.
    pub fn in_place(&self, path: &std::path::Path) -> crate::Result<bool> {
        Ok(crate::error::holds(path, self.pdf.sha256())? == Some(true)
            && crate::error::holds(&path.with_extension("seal.json"), self.seal.sha256())? == Some(true))
    }

    /// Puts both at `path` (and `NAME.seal.json`), replacing what is there.
    pub fn replace(self, path: &std::path::Path) -> crate::Result<()> {
        self.pdf.replace(path)?;
        self.seal.replace(&path.with_extension("seal.json"))
    }

    /// Puts both in place as new files: nothing is placed unless each name
    /// is free or already holds these very bytes (any other file is refused,
    /// never replaced). Returns the files this call put in place.
    pub fn place_new(self, path: &std::path::Path) -> crate::Result<Vec<std::path::PathBuf>> {
        let seal_path = path.with_extension("seal.json");
        for (p, staged) in [(path, &self.pdf), (seal_path.as_path(), &self.seal)] {
            if crate::error::holds(p, staged.sha256())? == Some(false) {
                return Err(crate::error::Staged::refusal(p));
            }
        }
        let mut placed = Vec::new();
        if self.pdf.place_new(path)? {
            placed.push(path.to_owned());
        }
        match self.seal.place_new(&seal_path) {
            Ok(true) => placed.push(seal_path),
            Ok(false) => {}
            Err(e) => {
                for p in &placed {
                    let _ = std::fs::remove_file(p);
                }
                return Err(e);
            }
        }
        Ok(placed)
    }
}

/// Why a document could not be sealed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The input is not a PDF.
    #[error("the rendered document is not a PDF")]
    NotPdf,
    /// A PDF this sealer cannot extend (see docs/seal.md).
    #[error("cannot seal this PDF: {0}")]
    Unsupported(String),
}

/// A successful verification.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The manifest, as signed.
    pub manifest: Manifest,
    /// One line for a human.
    pub summary: String,
    /// Length of the sealed part (rendered bytes plus seal revision).
    pub sealed_len: usize,
}

/// Why a file is not an authentic sealed document. Every variant means
/// "check failed"; the message says which check.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Not a PDF at all.
    #[error("not a PDF file")]
    NotPdf,
    /// A PDF that cannot be read.
    #[error("damaged or truncated PDF: {0}")]
    Damaged(String),
    /// A readable PDF with no charte seal.
    #[error("this PDF carries no charte seal")]
    NotSealed,
    /// The file stops before the end of its seal revision.
    #[error("the file is truncated: {0}")]
    Truncated(String),
    /// The embedded or detached seal is not a valid seal file.
    #[error("the seal is malformed: {0}")]
    MalformedSeal(String),
    /// The seal was made with another key.
    #[error(
        "sealed with key {seal_key}, not with the given key {given_key}: wrong public key, or a seal made by someone else"
    )]
    WrongKey {
        /// Fingerprint of the key named in the seal.
        seal_key: String,
        /// Fingerprint of the key given to the verifier.
        given_key: String,
    },
    /// The signature does not cover this manifest.
    #[error("invalid signature: the seal's manifest was altered or forged")]
    BadSignature,
    /// The seal file was edited without changing its meaning.
    #[error("the seal file was altered (not in canonical form)")]
    SealAltered,
    /// The document's bytes are not the ones that were sealed.
    #[error("content altered: the document's SHA-256 is not the sealed one")]
    ContentAltered,
    /// The seal revision is not the one the seal produces.
    #[error("the seal revision was altered")]
    RevisionAltered,
    /// Something follows the seal revision.
    #[error("{0} bytes follow the seal: the document was modified after sealing (e.g. an added revision)")]
    ExtraContent(usize),
}

/// Seals `rendered` (a PDF) with `key`. The manifest's `format`, `sha256`,
/// `length` and `key_fingerprint` are filled in here; other fields are
/// taken as given. `rendered` is an exact prefix of the result.
pub fn seal(rendered: &[u8], manifest: &Manifest, key: &SigningKey) -> Result<Sealed, SealError> {
    if !rendered.starts_with(b"%PDF-") {
        return Err(SealError::NotPdf);
    }
    let mut manifest = manifest.clone();
    manifest.format = FORMAT.to_owned();
    manifest.sha256 = hex::encode(Sha256::digest(rendered));
    manifest.length = rendered.len() as u64;
    manifest.key_fingerprint = fingerprint(&key.verifying_key());
    let seal_json = seal_bytes(&manifest, key);
    let tail = revision::build(rendered, &seal_json, &manifest).map_err(SealError::Unsupported)?;
    let mut pdf = Vec::with_capacity(rendered.len() + tail.len());
    pdf.extend_from_slice(rendered);
    pdf.extend_from_slice(&tail);
    Ok(Sealed { pdf, seal_json, manifest })
}

/// What seals the coordination's documents: its current key, and the chain
/// of keys that leads to it, whose statements every document it seals
/// carries (`extra.key_chain`, oldest first; nothing before the first
/// rotation) so that whoever trusts a former key can verify it offline.
pub struct Sealer {
    key: SigningKey,
    chain: KeyChain,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").field("key", &self.fingerprint()).finish_non_exhaustive()
    }
}

impl Sealer {
    /// `key` sealing at the end of `chain`: refused unless it is the
    /// chain's current key (a retired key never seals again).
    pub fn new(key: SigningKey, chain: KeyChain) -> Result<Sealer, ChainError> {
        if chain.current() != key.verifying_key() {
            return Err(ChainError {
                statement: chain.links().last().map_or_else(|| "(none)".to_owned(), |r| r.name.clone()),
                reason: format!(
                    "the chain's current key is {}, not the signing key {}",
                    fingerprint(&chain.current()),
                    fingerprint(&key.verifying_key())
                ),
            });
        }
        Ok(Sealer { key, chain })
    }

    /// A former key of `chain`, to make again, byte for byte, a document
    /// it sealed before it retired (never to seal anything new): it
    /// carries the statements up to that key, as it did then.
    pub fn former(key: SigningKey, chain: KeyChain) -> Result<Sealer, ChainError> {
        if !chain.contains(&key.verifying_key()) {
            return Err(ChainError {
                statement: "(none)".to_owned(),
                reason: format!("key {} is not in the chain", fingerprint(&key.verifying_key())),
            });
        }
        Ok(Sealer { key, chain })
    }

    /// The sealing key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// A key with no rotation behind it.
    pub fn single(key: SigningKey) -> Sealer {
        let chain = KeyChain::new(key.verifying_key());
        Sealer { key, chain }
    }

    /// Seals `rendered` as [`seal`] does, the chain's statements added to
    /// the manifest when there was a rotation.
    pub fn seal(&self, rendered: &[u8], manifest: &Manifest) -> Result<Sealed, SealError> {
        let carried = self.chain.carried_by(&self.key.verifying_key());
        if carried.is_empty() {
            return seal(rendered, manifest, &self.key);
        }
        let manifest = manifest.clone().extra(KEY_CHAIN_EXTRA, serde_json::Value::Array(carried));
        seal(rendered, &manifest, &self.key)
    }

    /// Signs `value` under `field` with the sealing key, as seals are
    /// signed ([`sign_object`]): a checkpoint.
    pub fn sign_object(&self, field: &str, value: &serde_json::Value) -> Vec<u8> {
        sign_object(field, value, &self.key)
    }

    /// Signs the record of a web signature of `sealed` with the sealing
    /// key ([`sign_web`]): the signed PDF and what it carries.
    pub fn sign_web(&self, sealed: &[u8], record: &WebRecord) -> Result<(Vec<u8>, WebSignature), String> {
        sign_web(sealed, record, &self.key)
    }

    /// The sealing key's fingerprint.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.key.verifying_key())
    }

    pub fn chain(&self) -> &KeyChain {
        &self.chain
    }
}

/// Verifies a sealed PDF: authentic, unaltered, and nothing added.
pub fn verify(file: &[u8], key: &VerifyingKey) -> Result<Verdict, VerifyError> {
    let verdict = verify_sealed_part(file, key)?;
    match file.len() - verdict.sealed_len {
        0 => Ok(verdict),
        extra => Err(VerifyError::ExtraContent(extra)),
    }
}

/// Verifies the sealed part of `file` (which may be followed by further
/// revisions, such as an organisation's signature) and returns it; the
/// sealed part is `file[..verdict.sealed_len]`.
pub fn verify_sealed_part(file: &[u8], key: &VerifyingKey) -> Result<Verdict, VerifyError> {
    // The seal revision has a fixed layout: its seal file is usually found
    // as text, which spares parsing the whole PDF. Whatever is found is only
    // a candidate: the checks below rebuild the revision and compare it
    // byte for byte. If the candidate fails, the PDF is parsed properly.
    if let Some(seal_json) = locate_as_text(file)
        && let Ok(verdict) = verify_with(file, &seal_json, key)
    {
        return Ok(verdict);
    }
    let seal_json = locate(file)?;
    verify_with(file, &seal_json, key)
}

fn verify_with(file: &[u8], seal_json: &[u8], key: &VerifyingKey) -> Result<Verdict, VerifyError> {
    let seal = check_seal(seal_json, key)?;
    let sealed_len = check_content(file, seal_json, &seal.manifest)?
        .ok_or_else(|| VerifyError::Truncated("the seal revision is missing".to_owned()))?;
    Ok(verdict(seal, key, sealed_len))
}

/// Verifies `pdf` against a detached seal: `pdf` may be the rendered
/// document alone or the sealed PDF (then its seal revision must be the
/// one this seal produces, with nothing after it).
pub fn verify_detached(pdf: &[u8], seal_json: &[u8], key: &VerifyingKey) -> Result<Verdict, VerifyError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(VerifyError::NotPdf);
    }
    let seal = check_seal(seal_json, key)?;
    let sealed_len = check_content(pdf, seal_json, &seal.manifest)?.unwrap_or(pdf.len());
    if sealed_len != pdf.len() {
        return Err(VerifyError::ExtraContent(pdf.len() - sealed_len));
    }
    Ok(verdict(seal, key, sealed_len))
}

/// Where the sealed part of `file` ends, if it has a well-formed seal
/// revision; a structural check only (no key, no hash): use
/// [`verify_sealed_part`] to trust it.
pub fn sealed_prefix_len(file: &[u8]) -> Option<usize> {
    let seal_json = locate(file).ok()?;
    let seal = parse_seal(&seal_json).ok()?;
    let length = usize::try_from(seal.manifest.length).ok()?;
    let prefix = file.get(..length)?;
    let tail = revision::build(prefix, &seal_json, &seal.manifest).ok()?;
    file[length..].starts_with(&tail).then_some(length + tail.len())
}

/// Finds the seal file's bytes in `file`: in its last revision, or else in
/// the latest earlier revision that has one.
fn locate(file: &[u8]) -> Result<Vec<u8>, VerifyError> {
    if !file.starts_with(b"%PDF-") {
        return Err(VerifyError::NotPdf);
    }
    let doc = match lopdf::Document::load_mem(file) {
        Ok(doc) => doc,
        Err(_) if looks_cut(file) => {
            return Err(VerifyError::Truncated("the seal revision is incomplete".to_owned()));
        }
        Err(err) => return Err(VerifyError::Damaged(err.to_string())),
    };
    if let Some(seal) = revision::find_seal(&doc) {
        return Ok(seal);
    }
    // A later revision may have dropped the catalog's reference: look in
    // the earlier revisions, latest first (a few at most).
    for end in pdf::revision_ends(file).into_iter().rev().filter(|&e| e < file.len()).take(8) {
        if let Ok(doc) = lopdf::Document::load_mem(&file[..end])
            && let Some(seal) = revision::find_seal(&doc)
        {
            return Ok(seal);
        }
    }
    if looks_cut(file) {
        Err(VerifyError::Truncated("the seal revision is incomplete".to_owned()))
    } else {
        Err(VerifyError::NotSealed)
    }
}

/// The public key a file's own seal names. It proves nothing about who
/// sealed the file (anyone can seal with any key): it lets a holder check
/// the file's integrity before acting on it, and compare the key's
/// fingerprint with one they trust.
pub fn embedded_key(file: &[u8]) -> Result<VerifyingKey, VerifyError> {
    embedded_seal(file).map(|(key, _)| key)
}

/// The key a file's own seal names and its manifest, neither verified:
/// what a verifier reads to decide which key to verify with (a former key
/// of the coordination, a successor through the statements the manifest
/// carries) before [`verify_sealed_part`] vouches for the file with it.
pub fn embedded_seal(file: &[u8]) -> Result<(VerifyingKey, Manifest), VerifyError> {
    let seal_json = locate(file)?;
    let seal = parse_seal(&seal_json).map_err(|e| match e {
        ParseError::Shape(reason) => VerifyError::MalformedSeal(reason),
        ParseError::NotCanonical => VerifyError::SealAltered,
    })?;
    let key = VerifyingKey::from_bytes(&seal.public_key)
        .map_err(|_| VerifyError::MalformedSeal("invalid public key".into()))?;
    Ok((key, seal.manifest))
}

/// The manifest of a sealed PDF's own seal, or of a seal file (.seal.json),
/// read for what it says, not checked against any key: whatever in it a
/// caller relies on must carry its own proof (a report's checkpoint is
/// signed in itself).
pub fn read_manifest(file: &[u8]) -> Result<Manifest, VerifyError> {
    let seal_json = if file.starts_with(b"%PDF-") { locate(file)? } else { file.to_vec() };
    let seal = parse_seal(&seal_json).map_err(|e| match e {
        ParseError::Shape(reason) => VerifyError::MalformedSeal(reason),
        ParseError::NotCanonical => VerifyError::SealAltered,
    })?;
    Ok(seal.manifest)
}

/// The seal file of the last seal revision, found by its fixed layout.
fn locate_as_text(file: &[u8]) -> Option<Vec<u8>> {
    let at = pdf::rfind(file, SEAL_MARKER.as_bytes())?;
    let rest = &file[at..];
    let opening: &[u8] = b">>\nstream\n";
    let start = pdf::find(rest, opening)? + opening.len();
    let len = pdf::find(&rest[start..], b"\nendstream\nendobj\n")?;
    Some(rest[start..start + len].to_vec())
}

/// Signs of a cut seal revision: our file name, or bytes after the last
/// end-of-file marker.
fn looks_cut(file: &[u8]) -> bool {
    let after_last_eof = pdf::revision_ends(file).last().map_or(0, |&e| e);
    pdf::rfind(file, SEAL_FILE_NAME.as_bytes()).is_some()
        || file[after_last_eof..].iter().any(|b| !b.is_ascii_whitespace())
}

/// Parses the seal and checks key and signature.
fn check_seal(seal_json: &[u8], key: &VerifyingKey) -> Result<SealFile, VerifyError> {
    let seal = parse_seal(seal_json).map_err(|e| match e {
        ParseError::Shape(reason) => VerifyError::MalformedSeal(reason),
        ParseError::NotCanonical => VerifyError::SealAltered,
    })?;
    if !seal.is_from(key) {
        return Err(VerifyError::WrongKey { seal_key: seal.key_fingerprint(), given_key: fingerprint(key) });
    }
    if !seal.signature_valid(key) {
        return Err(VerifyError::BadSignature);
    }
    Ok(seal)
}

/// Checks the hashed prefix, then the seal revision after it. Returns the
/// end of the seal revision, or `None` if the file is just the prefix.
fn check_content(file: &[u8], seal_json: &[u8], manifest: &Manifest) -> Result<Option<usize>, VerifyError> {
    let length = usize::try_from(manifest.length).unwrap_or(usize::MAX);
    let Some(prefix) = file.get(..length) else {
        return Err(VerifyError::Truncated(format!("{} bytes, the sealed document alone has {length}", file.len())));
    };
    if !hex::encode(Sha256::digest(prefix)).eq_ignore_ascii_case(&manifest.sha256) {
        return Err(VerifyError::ContentAltered);
    }
    let rest = &file[length..];
    if rest.is_empty() {
        return Ok(None);
    }
    // The prefix is the sealed one, so this rebuilds what `seal` appended.
    let tail = revision::build(prefix, seal_json, manifest).map_err(VerifyError::Damaged)?;
    if rest.starts_with(&tail) {
        Ok(Some(length + tail.len()))
    } else if tail.starts_with(rest) {
        Err(VerifyError::Truncated(format!("the seal revision stops after {} of its {} bytes", rest.len(), tail.len())))
    } else {
        Err(VerifyError::RevisionAltered)
    }
}

fn verdict(seal: SealFile, key: &VerifyingKey, sealed_len: usize) -> Verdict {
    let m = seal.manifest;
    let mut summary = format!("authentic {} {}", m.kind, m.document_id);
    if let Some(org) = &m.organisation {
        summary.push_str(&format!(" for {org}"));
        if let Some(number) = &m.enterprise_number {
            summary.push_str(&format!(" ({number})"));
        }
    }
    if let Some(version) = &m.charter_version {
        summary.push_str(&format!(", charter {version}"));
    }
    summary.push_str(&format!(
        ", issued {} by {}, sealed with key {}, sha256 {}",
        m.issued,
        m.coordination,
        fingerprint(key),
        m.sha256.get(..16).unwrap_or(&m.sha256)
    ));
    Verdict { manifest: m, summary, sealed_len }
}

#[cfg(test)]
mod tests;
