//! PAdES: an adherence document sent back signed in a PDF reader (Adobe
//! Reader, a Belgian eID card's software, …).
//!
//! The returned file is the issued document, byte for byte, followed by one
//! incremental update that holds a signature dictionary (`/Type /Sig`,
//! `/ByteRange`, `/Contents` = a detached CMS SignedData) attached to a
//! signature field. [`verify`] checks, in this order:
//!
//! 1. where the signature is: exactly one `/ByteRange` after the issued
//!    bytes, which covers the whole file from its first byte to its last
//!    but the `<…>` hex string of `/Contents` (so nothing can be added or
//!    changed after signing without breaking it);
//! 2. what the update changes: it may only add the signature, its field and
//!    widget, and touch the catalogue, the Info dictionary, the XMP metadata
//!    and the pages' annotation lists; page content, fonts, images and the
//!    seal attachment of the issued document stay as issued;
//! 3. the CMS: one signer, its certificate among the CMS certificates, the
//!    message-digest attribute equal to the hash of the signed bytes, and
//!    the signature over the signed attributes made by that certificate's
//!    key (RSA PKCS#1 v1.5 or ECDSA P-256 / P-384, with SHA-256/384/512);
//! 4. the certificate chain, when trusted roots are given: each certificate
//!    signed by the next, intermediates marked as CAs, all within their
//!    validity dates at the signing time the signer claims. No revocation
//!    check, no timestamp, no long-term validation: docs/pades.md says what
//!    this means for a coordinator.
//!
//! The caller checks that `file[..issued_len]` is the document it issued
//! (by its hash): this module only sees a length.
//!
//! One file a concern, each with the invariant of what it lets pass:
//!
//! - `placement`: step 1, from the file's bytes alone. What passes is
//!   signed from the first byte to the last but the /Contents hex string,
//!   which lies after the issued bytes and holds one CMS structure.
//! - `update`: step 2, the update parsed by lopdf: the signature
//!   dictionary holding that byte range, attached to a signature field;
//!   nothing a reader of the issued document sees is changed.
//! - `signed_data`: step 3, the CMS SignedData: one signer, detached, its
//!   digest that of the signed bytes, its signature made by the key of the
//!   certificate it names. `certificate` holds the keys, hashes and
//!   schemes it can check (anything else is `Unsupported`, never valid);
//!   `der` reads the few encodings that are verified as encoded.
//! - `chain`: step 4, the certificate chained to a trusted root by bytes or
//!   by name and key, never by name alone; `roots` loads those roots from
//!   keys/trusted-roots/, where a broken configuration is an error, never
//!   "no root".
//! - `representative`: after [`verify`], whether the valid signature is
//!   proof enough by itself: chain validated and signer the organisation's
//!   representative ([`same_person`]); otherwise the return waits for the
//!   coordinator's confirmation.
//!
//! Every refusal is a [`PadesError`] whose message says, in plain words,
//! what does not hold; a valid signature is a [`PadesVerdict`] that says
//! how far its signer could be checked.

mod certificate;
mod chain;
mod der;
mod placement;
mod representative;
mod roots;
mod signed_data;
mod update;

use chrono::SecondsFormat;
use cms::der::oid::db::rfc4519;
use cms::x509_cert::ext::pkix::name::DirectoryString;
use lopdf::{Document, Object};
use sha2::Digest;

use certificate::Cert;
use chain::validate_chain;
use placement::{check_coverage, decode_contents, find_byte_range};
pub use representative::same_person;
pub(crate) use representative::why_pending;
pub use roots::trusted_roots;
use signed_data::SignedCms;
use update::{check_update, parse_pdf_date, signature_dictionary};

/// What a valid PAdES signature says about who signed, and how far the
/// signer's certificate could be checked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PadesVerdict {
    /// The certificate subject's common name (CN), else the whole subject.
    pub signer_name: String,
    /// The subject's serialNumber attribute: the national register number
    /// on a Belgian eID signature certificate.
    pub signer_serial: Option<String>,
    /// sha256 of the signer certificate (DER), lowercase hexadecimal.
    pub certificate_sha256: String,
    /// The hash the signature uses: "SHA-256", "SHA-384" or "SHA-512".
    pub digest_algorithm: String,
    /// When the signer's computer says it signed (RFC 3339), from the CMS
    /// signing-time attribute or else the signature dictionary's /M. Not
    /// proven: no timestamp authority vouches for it.
    pub signing_time: Option<String>,
    /// True when the certificate chains to one of the trusted roots.
    pub chain_validated: bool,
    /// What the chain check did or why it did not succeed, in plain words.
    pub chain_note: String,
}

/// Why a returned PDF is not accepted as signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PadesError {
    /// The file (or its issued part) cannot be read as a PDF.
    #[error("this file is not a readable PDF: {0}")]
    NotPdf(String),
    /// Nothing after the issued bytes holds a signature.
    #[error(
        "no PDF signature was added to the issued document: the file was sent back unsigned, \
         or signed in a way that leaves no signature in the PDF"
    )]
    NoSignature,
    /// More than one signature was added after the issued bytes.
    #[error(
        "{0} signatures were added to the issued document, charte accepts exactly one: \
         ask the association to sign the document it received once and send it back"
    )]
    SeveralSignatures(usize),
    /// The signed byte range leaves part of the file unsigned.
    #[error("the signature does not cover the whole file: {0}")]
    NotCovered(String),
    /// The signature is not laid out in the PDF as a PDF signature must be.
    #[error("the PDF signature is malformed: {0}")]
    Malformed(String),
    /// The update that carries the signature also changes the document.
    #[error("the signed file changes the issued document: {0}")]
    DocumentChanged(String),
    /// The signature or its data do not match.
    #[error("the signature is not valid: {0}")]
    BadSignature(String),
    /// A signature format or algorithm charte cannot check.
    #[error("the signature cannot be checked: {0}")]
    Unsupported(String),
}

type Result<T, E = PadesError> = std::result::Result<T, E>;

/// Checks the PAdES signature that `file` adds after its first `issued_len`
/// bytes (the document as issued). `trusted_roots` are DER certificates;
/// when it is empty the chain is not validated (the verdict says so).
pub fn verify(file: &[u8], issued_len: usize, trusted_roots: &[Vec<u8>]) -> Result<PadesVerdict> {
    if !file.starts_with(b"%PDF-") {
        return Err(PadesError::NotPdf("it does not start with %PDF-".into()));
    }
    if issued_len > file.len() {
        return Err(PadesError::NotPdf(format!(
            "it is shorter ({} bytes) than the document that was issued ({issued_len} bytes)",
            file.len()
        )));
    }

    let range = find_byte_range(file, issued_len)?;
    let placement = check_coverage(file, issued_len, range)?;
    let cms_der = decode_contents(&file[placement.gap_start + 1..placement.gap_end - 1])?;

    let after = Document::load_mem(file).map_err(|e| PadesError::NotPdf(e.to_string()))?;
    let before = Document::load_mem(&file[..issued_len])
        .map_err(|e| PadesError::NotPdf(format!("its issued part cannot be read: {e}")))?;
    let sig_dict = signature_dictionary(&after, range, &cms_der)?;
    check_update(&before, &after).map_err(PadesError::DocumentChanged)?;

    let signed_parts = [&file[..placement.gap_start], &file[placement.gap_end..]];
    let cms = SignedCms::parse(&cms_der)?;
    let checked = cms.verify(&signed_parts)?;

    let signing_time =
        checked.signing_time.or_else(|| sig_dict.get(b"M").and_then(Object::as_str).ok().and_then(parse_pdf_date));
    let roots: Vec<Cert<'_>> = trusted_roots.iter().filter_map(|der| Cert::parse(der).ok()).collect();
    let unreadable_roots = trusted_roots.len() - roots.len();
    let (chain_validated, mut chain_note) = if trusted_roots.is_empty() {
        (
            false,
            "The certificate chain was not validated because no trusted root certificate is \
             configured: the signature matches the certificate it carries, but nothing shows \
             who issued that certificate."
                .to_owned(),
        )
    } else {
        validate_chain(checked.signer, &cms.certs, &roots, signing_time.as_ref())
    };
    if unreadable_roots > 0 {
        chain_note.push_str(&format!(
            " {unreadable_roots} configured root certificate(s) could not be read and were ignored."
        ));
    }

    let subject = checked.signer.parsed.tbs_certificate().subject();
    let signer_name = match subject.common_name() {
        Ok(Some(cn)) => cn.value().into_owned(),
        _ => subject.to_string(),
    };
    let signer_serial =
        subject.by_oid::<DirectoryString>(rfc4519::SERIAL_NUMBER).ok().flatten().map(|s| s.value().into_owned());
    Ok(PadesVerdict {
        signer_name,
        signer_serial,
        certificate_sha256: hex::encode(sha2::Sha256::digest(checked.signer.der)),
        digest_algorithm: checked.digest.name().to_owned(),
        signing_time: signing_time.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        chain_validated,
        chain_note,
    })
}

#[cfg(test)]
mod tests;
