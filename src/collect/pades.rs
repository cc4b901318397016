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

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, TimeZone, Utc};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::der::asn1::{ObjectIdentifier, OctetString};
use cms::der::oid::db::{rfc4519, rfc5911, rfc5912};
use cms::der::{Any, Decode, Encode};
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use cms::x509_cert::Certificate;
use cms::x509_cert::ext::pkix::name::DirectoryString;
use cms::x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use cms::x509_cert::spki::AlgorithmIdentifierOwned;
use cms::x509_cert::time::Time;
use lopdf::{Dictionary, Document, Object, ObjectId};
use sha2::Digest;

use crate::pdf::find;
use crate::pdf::syntax::{trim_end, trim_start};

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

// ---------------------------------------------------------------------------
// Where the signature is in the file

/// The four numbers of a /ByteRange: two (offset, length) pairs.
type ByteRange = [u64; 4];

/// Finds the one /ByteRange written after the issued bytes.
fn find_byte_range(file: &[u8], issued_len: usize) -> Result<ByteRange> {
    const KEY: &[u8] = b"/ByteRange";
    let appended = &file[issued_len..];
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&appended[from..], KEY) {
        let value = &appended[from + at + KEY.len()..];
        found.push(parse_byte_range(value));
        from += at + KEY.len();
    }
    match found.len() {
        0 => Err(PadesError::NoSignature),
        1 => found
            .pop()
            .flatten()
            .ok_or_else(|| PadesError::Malformed("its /ByteRange is not a list of four whole numbers".into())),
        n => Err(PadesError::SeveralSignatures(n)),
    }
}

/// Parses `[a b c d]` (after optional whitespace) at the start of `value`.
fn parse_byte_range(value: &[u8]) -> Option<ByteRange> {
    let value = trim_start(value).strip_prefix(b"[")?;
    let end = value.iter().position(|&b| b == b']')?;
    let numbers: Vec<u64> = value[..end]
        .split(|b| b.is_ascii_whitespace())
        .filter(|token| !token.is_empty())
        .map(|token| std::str::from_utf8(token).ok()?.parse().ok())
        .collect::<Option<_>>()?;
    numbers.try_into().ok()
}

/// The unsigned gap of a signature: `file[gap_start..gap_end]` is the
/// `<…>` hex string of /Contents, brackets included.
#[derive(Debug, Clone, Copy)]
struct Placement {
    gap_start: usize,
    gap_end: usize,
}

/// Checks that `range` signs the whole file but the /Contents hex string,
/// which lies after the issued bytes.
fn check_coverage(file: &[u8], issued_len: usize, range: ByteRange) -> Result<Placement> {
    let not_covered = |why: &str| Err(PadesError::NotCovered(why.to_owned()));
    let [start, first_len, second_start, second_len] = range.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    if start != 0 {
        return not_covered("the signed bytes do not start at the beginning of the file");
    }
    let gap_start = first_len;
    let gap_end = second_start;
    let Some(signed_end) = second_start.checked_add(second_len) else {
        return not_covered("its /ByteRange holds impossible numbers");
    };
    if gap_end <= gap_start {
        return not_covered("its two signed parts overlap or leave no room for the signature");
    }
    if signed_end < file.len() {
        return Err(PadesError::NotCovered(format!(
            "{} bytes were added after the signature, and nothing vouches for them: \
             the file must end where the signature ends",
            file.len() - signed_end
        )));
    }
    if signed_end > file.len() {
        return not_covered("it claims bytes beyond the end of the file: the file was cut after signing");
    }
    if gap_start < issued_len {
        return not_covered("part of the issued document is left outside the signature");
    }
    let gap = &file[gap_start..gap_end];
    let is_hex_string = gap.len() >= 2
        && gap[0] == b'<'
        && gap[gap.len() - 1] == b'>'
        && gap[1..gap.len() - 1].iter().all(u8::is_ascii_hexdigit);
    let after_contents_key = trim_end(&file[issued_len..gap_start]).ends_with(b"/Contents");
    if !is_hex_string || !after_contents_key {
        return not_covered(
            "the unsigned part is not exactly the signature value (/Contents): \
             other bytes there could be changed without breaking the signature",
        );
    }
    Ok(Placement { gap_start, gap_end })
}

/// Decodes the hex digits of /Contents and cuts the zero padding after the
/// CMS structure.
fn decode_contents(hex_digits: &[u8]) -> Result<Vec<u8>> {
    let mut digits = hex_digits.to_vec();
    if digits.len() % 2 == 1 {
        digits.push(b'0');
    }
    let bytes = hex::decode(&digits).map_err(|_| PadesError::Malformed("/Contents is not hexadecimal".into()))?;
    if bytes.iter().all(|&b| b == 0) {
        return Err(PadesError::Malformed(
            "its /Contents is empty: room was made for a signature but the signing did not finish".into(),
        ));
    }
    let mut rest = bytes.as_slice();
    let len = read_tlv(&mut rest)
        .map(|tlv| tlv.whole.len())
        .ok_or_else(|| PadesError::BadSignature("/Contents does not hold a CMS signature".into()))?;
    if rest.iter().any(|&b| b != 0) {
        return Err(PadesError::BadSignature("/Contents holds other data after the CMS signature".into()));
    }
    Ok(bytes[..len].to_vec())
}

/// Finds, in the loaded document, the signature dictionary that holds
/// `range`, and checks its type, format, contents and field.
fn signature_dictionary<'a>(doc: &'a Document, range: ByteRange, cms_der: &[u8]) -> Result<&'a Dictionary> {
    let holds_range = |dict: &Dictionary| {
        dict.get(b"ByteRange").and_then(Object::as_array).is_ok_and(|items| {
            items.len() == 4
                && items.iter().zip(range).all(|(item, n)| item.as_i64().is_ok_and(|v| u64::try_from(v) == Ok(n)))
        })
    };
    // The dictionary is an object of its own, or written inside its field.
    let mut found: Option<(Option<ObjectId>, &Dictionary)> = None;
    for (&id, object) in &doc.objects {
        let Ok(dict) = object.as_dict() else { continue };
        if holds_range(dict) {
            found = Some((Some(id), dict));
            break;
        }
        if let Ok(inner) = dict.get(b"V").and_then(Object::as_dict)
            && holds_range(inner)
        {
            found = Some((None, inner));
            break;
        }
    }
    let Some((sig_id, sig)) = found else {
        return Err(PadesError::Malformed(
            "the signature is not part of the PDF's structure (no object holds it)".into(),
        ));
    };

    match sig.get(b"Type").and_then(Object::as_name) {
        Err(_) | Ok(b"Sig") => {}
        Ok(b"DocTimeStamp") => {
            return Err(PadesError::Unsupported("it is a document timestamp, not a person's signature".into()));
        }
        Ok(other) => {
            return Err(PadesError::Malformed(format!(
                "its dictionary has /Type /{}, not /Sig",
                String::from_utf8_lossy(other)
            )));
        }
    }
    match sig.get(b"SubFilter").and_then(Object::as_name) {
        Ok(b"adbe.pkcs7.detached" | b"ETSI.CAdES.detached") => {}
        Ok(other) => {
            return Err(PadesError::Unsupported(format!(
                "the signature format /{} is not supported (only adbe.pkcs7.detached and \
                 ETSI.CAdES.detached are)",
                String::from_utf8_lossy(other)
            )));
        }
        Err(_) => {
            return Err(PadesError::Malformed("its dictionary has no /SubFilter".into()));
        }
    }
    let contents = sig
        .get(b"Contents")
        .and_then(Object::as_str)
        .map_err(|_| PadesError::Malformed("its dictionary has no /Contents string".into()))?;
    if !contents.starts_with(cms_der) || contents[cms_der.len()..].iter().any(|&b| b != 0) {
        return Err(PadesError::Malformed("the unsigned part of the file is not its dictionary's /Contents".into()));
    }

    let in_a_field = doc.objects.values().filter_map(|o| o.as_dict().ok()).any(|field| {
        let value_is_sig = match (field.get(b"V"), sig_id) {
            (Ok(Object::Reference(r)), Some(id)) => *r == id,
            (Ok(Object::Dictionary(d)), None) => holds_range(d),
            _ => false,
        };
        value_is_sig && is_signature_field(doc, field)
    });
    if !in_a_field {
        return Err(PadesError::Malformed("the signature is not attached to a signature field".into()));
    }
    Ok(sig)
}

/// A form field of type /Sig (the type may be inherited from a parent).
fn is_signature_field(doc: &Document, dict: &Dictionary) -> bool {
    let mut current = dict;
    for _ in 0..8 {
        if let Ok(kind) = current.get(b"FT").and_then(Object::as_name) {
            return kind == b"Sig";
        }
        match current.get(b"Parent").and_then(|p| doc.dereference(p)) {
            Ok((_, Object::Dictionary(parent))) => current = parent,
            _ => return false,
        }
    }
    false
}

// ---------------------------------------------------------------------------
// What the signing update changes

/// Catalogue entries a signing tool may add or change.
const CATALOG_FREE_KEYS: &[&[u8]] =
    &[b"AcroForm", b"Extensions", b"Perms", b"DSS", b"Metadata", b"Version", b"StructTreeRoot"];
/// Page entries a signing tool may add or change: the annotation list and
/// the tab order among them.
const PAGE_FREE_KEYS: &[&[u8]] = &[b"Annots", b"Tabs"];

/// Checks that the update adds a signature and changes nothing a reader of
/// the issued document sees. Returns what changed, in words.
fn check_update(before: &Document, after: &Document) -> Result<(), String> {
    let root = |doc: &Document| doc.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let root_before = root(before);
    if root_before != root(after) {
        return Err("the update replaces the document's catalogue".into());
    }
    let pages_before = before.get_pages();
    if pages_before != after.get_pages() {
        return Err("pages were added, removed or reordered".into());
    }
    let info_before = before.trailer.get(b"Info").and_then(Object::as_reference).ok();
    let acroform_before = before.catalog().and_then(|c| c.get(b"AcroForm")).and_then(Object::as_reference).ok();
    let structure = structure_tree(before);
    let annots_arrays: BTreeSet<ObjectId> = pages_before
        .values()
        .filter_map(|&page| before.get_dictionary(page).ok())
        .filter_map(|page| page.get(b"Annots").and_then(Object::as_reference).ok())
        .collect();

    for (&id, old) in &before.objects {
        let Some(new) = after.objects.get(&id) else {
            return Err(format!("object {} of the issued document was removed", id.0));
        };
        if same_object(old, new) {
            continue;
        }
        let (old_dict, new_dict) = (dict_of(old), dict_of(new));
        let allowed = if Some(id) == root_before {
            match (old_dict, new_dict) {
                (Some(o), Some(n)) => {
                    if let Some(key) = changed_key(o, n, CATALOG_FREE_KEYS) {
                        return Err(format!("the document catalogue's /{key} was changed"));
                    }
                    true
                }
                _ => false,
            }
        } else if Some(id) == info_before
            || Some(id) == acroform_before
            || annots_arrays.contains(&id)
            || structure.contains(&id)
            || old_dict.is_some_and(|d| d.has_type(b"StructElem"))
        {
            // Bookkeeping: document information, form, annotation lists and
            // the accessibility structure (which a reader may extend with
            // the new field), none of which changes what a page shows.
            true
        } else if old_dict.is_some_and(|d| d.has_type(b"Page")) {
            match (old_dict, new_dict) {
                (Some(o), Some(n)) => {
                    if let Some(key) = changed_key(o, n, PAGE_FREE_KEYS) {
                        let number = page_number(&pages_before, id);
                        return Err(format!("page {number}'s /{key} was changed"));
                    }
                    true
                }
                _ => false,
            }
        } else if old_dict.is_some_and(|d| d.has_type(b"Metadata")) && matches!(old, Object::Stream(_)) {
            true
        } else if old_dict.is_some_and(|d| is_signature_field(before, d)) {
            // An empty signature field of the issued document, now filled.
            matches!((old_dict, new_dict), (Some(o), Some(n)) if changed_key(o, n, &[b"V", b"AP"]).is_none())
        } else {
            false
        };
        if !allowed {
            return Err(format!("object {} of the issued document ({}) was replaced", id.0, describe(old)));
        }
    }

    for (&number, &page) in &pages_before {
        let annots_before = annotations(before, page);
        let annots_after = annotations(after, page);
        if annots_before.iter().any(|a| !annots_after.contains(a)) {
            return Err(format!("an annotation was removed from page {number}"));
        }
        for added in annots_after.iter().filter(|a| !annots_before.contains(a)) {
            let is_widget = match after.dereference(added) {
                Ok((_, Object::Dictionary(d))) => {
                    d.get(b"Subtype").and_then(Object::as_name).is_ok_and(|s| s == b"Widget")
                        && is_signature_field(after, d)
                }
                _ => false,
            };
            if !is_widget {
                return Err(format!(
                    "an annotation that is not a signature field was added on page {number}: \
                     it could show text or images over the document"
                ));
            }
        }
    }
    Ok(())
}

/// The structure tree's root and its parent tree (a number tree), whose
/// objects a reader may update when it adds a field to a tagged PDF.
fn structure_tree(doc: &Document) -> BTreeSet<ObjectId> {
    let mut ids = BTreeSet::new();
    let Ok(root) = doc.catalog().and_then(|c| c.get(b"StructTreeRoot")).and_then(Object::as_reference) else {
        return ids;
    };
    ids.insert(root);
    let mut pending: Vec<ObjectId> = doc
        .get_dictionary(root)
        .and_then(|r| r.get(b"ParentTree"))
        .and_then(Object::as_reference)
        .into_iter()
        .collect();
    while let Some(id) = pending.pop() {
        if ids.len() > 10_000 || !ids.insert(id) {
            continue;
        }
        if let Ok(kids) = doc.get_dictionary(id).and_then(|d| d.get(b"Kids")).and_then(Object::as_array) {
            pending.extend(kids.iter().filter_map(|k| k.as_reference().ok()));
        }
    }
    ids
}

/// Equal objects, comparing streams by dictionary and bytes only (not by
/// where they sit in the file).
fn same_object(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => x.dict == y.dict && x.content == y.content,
        _ => a == b,
    }
}

fn dict_of(object: &Object) -> Option<&Dictionary> {
    match object {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// The first key, other than `free`, whose value differs between `old`
/// and `new`.
fn changed_key(old: &Dictionary, new: &Dictionary, free: &[&[u8]]) -> Option<String> {
    old.iter()
        .map(|(k, _)| k)
        .chain(new.iter().map(|(k, _)| k))
        .filter(|k| !free.contains(&k.as_slice()))
        .find(|k| old.get(k).ok() != new.get(k).ok())
        .map(|k| String::from_utf8_lossy(k).into_owned())
}

fn annotations(doc: &Document, page: ObjectId) -> Vec<Object> {
    doc.get_dictionary(page)
        .and_then(|p| p.get(b"Annots"))
        .and_then(|a| doc.dereference(a))
        .and_then(|(_, a)| a.as_array())
        .cloned()
        .unwrap_or_default()
}

fn page_number(pages: &std::collections::BTreeMap<u32, ObjectId>, id: ObjectId) -> u32 {
    pages.iter().find(|&(_, &p)| p == id).map_or(0, |(&n, _)| n)
}

/// A short description of a PDF object for an error message.
fn describe(object: &Object) -> String {
    let kind = dict_of(object)
        .and_then(|d| d.get(b"Type").and_then(Object::as_name).ok())
        .map(|t| format!("/{}", String::from_utf8_lossy(t)));
    match (object, kind) {
        (_, Some(kind)) => kind,
        (Object::Stream(_), None) => "a content or data stream".into(),
        (Object::Dictionary(_), None) => "a dictionary".into(),
        (Object::Array(_), None) => "an array".into(),
        _ => "a value".into(),
    }
}

// ---------------------------------------------------------------------------
// The CMS signature

/// A hash function the signature may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn from_oid(oid: ObjectIdentifier) -> Option<Hash> {
        match oid {
            o if o == rfc5912::ID_SHA_256 => Some(Hash::Sha256),
            o if o == rfc5912::ID_SHA_384 => Some(Hash::Sha384),
            o if o == rfc5912::ID_SHA_512 => Some(Hash::Sha512),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        match self {
            Hash::Sha256 => run::<sha2::Sha256>(parts),
            Hash::Sha384 => run::<sha2::Sha384>(parts),
            Hash::Sha512 => run::<sha2::Sha512>(parts),
        }
    }
}

/// A signature algorithm as named by an AlgorithmIdentifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// RSA PKCS#1 v1.5, with the hash the identifier names (if any).
    RsaPkcs1(Option<Hash>),
    Ecdsa(Option<Hash>),
}

impl Scheme {
    fn from_algorithm(alg: &AlgorithmIdentifierOwned) -> Result<Scheme> {
        let oid = alg.oid;
        let scheme = match oid {
            o if o == rfc5912::RSA_ENCRYPTION => Scheme::RsaPkcs1(None),
            o if o == rfc5912::SHA_256_WITH_RSA_ENCRYPTION => Scheme::RsaPkcs1(Some(Hash::Sha256)),
            o if o == rfc5912::SHA_384_WITH_RSA_ENCRYPTION => Scheme::RsaPkcs1(Some(Hash::Sha384)),
            o if o == rfc5912::SHA_512_WITH_RSA_ENCRYPTION => Scheme::RsaPkcs1(Some(Hash::Sha512)),
            o if o == rfc5912::ID_EC_PUBLIC_KEY => Scheme::Ecdsa(None),
            o if o == rfc5912::ECDSA_WITH_SHA_256 => Scheme::Ecdsa(Some(Hash::Sha256)),
            o if o == rfc5912::ECDSA_WITH_SHA_384 => Scheme::Ecdsa(Some(Hash::Sha384)),
            o if o == rfc5912::ECDSA_WITH_SHA_512 => Scheme::Ecdsa(Some(Hash::Sha512)),
            o if o == rfc5912::ID_RSASSA_PSS => {
                return Err(PadesError::Unsupported(
                    "RSA-PSS signatures are not supported yet (RSA PKCS#1 v1.5 and ECDSA are)".into(),
                ));
            }
            other => {
                return Err(PadesError::Unsupported(format!(
                    "the signature algorithm {other} is not supported (RSA PKCS#1 v1.5 and \
                     ECDSA P-256/P-384 with SHA-256/384/512 are)"
                )));
            }
        };
        Ok(scheme)
    }

    fn hash(self) -> Option<Hash> {
        match self {
            Scheme::RsaPkcs1(h) | Scheme::Ecdsa(h) => h,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Scheme::RsaPkcs1(_) => "RSA",
            Scheme::Ecdsa(_) => "ECDSA",
        }
    }
}

/// A certificate's public key, ready to verify.
enum PublicKey {
    Rsa(rsa::RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PublicKey::Rsa(_) => "RSA",
            PublicKey::P256(_) => "ECDSA P-256",
            PublicKey::P384(_) => "ECDSA P-384",
        })
    }
}

impl PublicKey {
    fn from_certificate(cert: &Certificate) -> Result<PublicKey, String> {
        use rsa::pkcs1::DecodeRsaPublicKey;

        let spki = cert.tbs_certificate().subject_public_key_info();
        let bits =
            spki.subject_public_key.as_bytes().ok_or("the certificate's public key is not a whole number of bytes")?;
        if spki.algorithm.oid == rfc5912::RSA_ENCRYPTION {
            return rsa::RsaPublicKey::from_pkcs1_der(bits)
                .map(PublicKey::Rsa)
                .map_err(|e| format!("the certificate's RSA key cannot be read ({e})"));
        }
        if spki.algorithm.oid == rfc5912::ID_EC_PUBLIC_KEY {
            let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            let bad_point = |e: p256::ecdsa::Error| format!("the certificate's EC key is not a valid point ({e})");
            return match curve {
                Some(c) if c == rfc5912::SECP_256_R_1 => {
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(bits).map(PublicKey::P256).map_err(bad_point)
                }
                Some(c) if c == rfc5912::SECP_384_R_1 => {
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(bits).map(PublicKey::P384).map_err(bad_point)
                }
                _ => Err("the certificate's EC key is on a curve other than P-256 or P-384".into()),
            };
        }
        Err(format!(
            "the certificate's key type ({}) is not supported (RSA, ECDSA P-256/P-384 are)",
            spki.algorithm.oid
        ))
    }

    /// Verifies `signature` over a message whose `hash` is `prehash`.
    fn verify(&self, scheme: Scheme, hash: Hash, prehash: &[u8], signature: &[u8]) -> Result<(), String> {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        use rsa::pkcs1v15::{Signature as RsaSignature, VerifyingKey};

        let mismatch =
            || format!("the certificate holds an {self:?} key but the signature was made with {}", scheme.label());
        let failed = |_| "the signature value does not match the certificate's key".to_owned();
        match (self, scheme) {
            (PublicKey::Rsa(key), Scheme::RsaPkcs1(_)) => {
                let signature = RsaSignature::try_from(signature).map_err(failed)?;
                let key = key.clone();
                match hash {
                    Hash::Sha256 => VerifyingKey::<sha2::Sha256>::new(key).verify_prehash(prehash, &signature),
                    Hash::Sha384 => VerifyingKey::<sha2::Sha384>::new(key).verify_prehash(prehash, &signature),
                    Hash::Sha512 => VerifyingKey::<sha2::Sha512>::new(key).verify_prehash(prehash, &signature),
                }
                .map_err(failed)
            }
            (PublicKey::P256(key), Scheme::Ecdsa(_)) => {
                let signature = p256::ecdsa::Signature::from_der(signature).map_err(failed)?;
                key.verify_prehash(prehash, &signature).map_err(failed)
            }
            (PublicKey::P384(key), Scheme::Ecdsa(_)) => {
                let signature = p384::ecdsa::Signature::from_der(signature).map_err(failed)?;
                key.verify_prehash(prehash, &signature).map_err(failed)
            }
            _ => Err(mismatch()),
        }
    }
}

/// A certificate with the bytes its hash and signature are computed over.
#[derive(Debug)]
struct Cert<'a> {
    /// The whole certificate as it was encoded.
    der: &'a [u8],
    /// Its TBSCertificate as it was encoded (what the issuer signed).
    tbs: &'a [u8],
    parsed: Certificate,
}

impl<'a> Cert<'a> {
    fn parse(der: &'a [u8]) -> Result<Cert<'a>, String> {
        let parsed = Certificate::from_der(der).map_err(|e| format!("unreadable certificate ({e})"))?;
        let mut input = der;
        let outer = read_tlv(&mut input).ok_or("unreadable certificate")?;
        let mut inner = outer.value;
        let tbs = read_tlv(&mut inner).ok_or("unreadable certificate")?.whole;
        Ok(Cert { der, tbs, parsed })
    }

    fn subject(&self) -> String {
        self.parsed.tbs_certificate().subject().to_string()
    }

    /// Checks that `issuer`'s key signed this certificate.
    fn signed_by(&self, issuer: &Cert<'_>) -> Result<(), String> {
        let scheme = Scheme::from_algorithm(self.parsed.signature_algorithm()).map_err(|e| e.to_string())?;
        let hash = scheme.hash().ok_or("the certificate's signature algorithm names no hash")?;
        let signature =
            self.parsed.signature().as_bytes().ok_or("the certificate's signature is not a whole number of bytes")?;
        PublicKey::from_certificate(&issuer.parsed)?.verify(scheme, hash, &hash.digest(&[self.tbs]), signature)
    }

    /// Whether the certificate was valid at `time`.
    fn valid_at(&self, time: &DateTime<FixedOffset>) -> bool {
        let validity = self.parsed.tbs_certificate().validity();
        let secs = |t: &Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
        (secs(&validity.not_before)..=secs(&validity.not_after)).contains(&time.timestamp())
    }

    /// Whether the certificate may sign other certificates.
    fn is_ca(&self) -> bool {
        let tbs = self.parsed.tbs_certificate();
        let ca = matches!(tbs.get_extension::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca);
        let may_sign = match tbs.get_extension::<KeyUsage>() {
            Ok(Some((_, usage))) => usage.key_cert_sign(),
            Ok(None) => true,
            Err(_) => false,
        };
        ca && may_sign
    }
}

/// The parts of the CMS SignedData the checks need.
#[derive(Debug)]
struct SignedCms<'a> {
    signer: SignerInfo,
    /// The signed attributes as encoded (with their [0] tag), if any.
    raw_signed_attrs: Option<&'a [u8]>,
    certs: Vec<Cert<'a>>,
}

/// What a verified CMS signature yields.
#[derive(Debug)]
struct Checked<'c, 'a> {
    signer: &'c Cert<'a>,
    digest: Hash,
    signing_time: Option<DateTime<FixedOffset>>,
}

impl<'a> SignedCms<'a> {
    fn parse(der: &'a [u8]) -> Result<SignedCms<'a>> {
        let bad = |what: &str| PadesError::BadSignature(what.to_owned());
        let info = ContentInfo::from_der(der).map_err(|e| bad(&format!("/Contents is not a CMS structure ({e})")))?;
        if info.content_type != rfc5911::ID_SIGNED_DATA {
            return Err(bad("/Contents is a CMS structure but not a signature (SignedData)"));
        }
        let signed: SignedData =
            info.content.decode_as().map_err(|e| bad(&format!("the CMS signature cannot be read ({e})")))?;
        if signed.encap_content_info.econtent.is_some() {
            return Err(bad("the CMS signature carries its own content instead of signing the PDF"));
        }
        let mut signers = signed.signer_infos.0.into_vec();
        let signer = match (signers.pop(), signers.len()) {
            (Some(signer), 0) => signer,
            (None, _) => return Err(bad("the CMS signature holds no signer")),
            (Some(_), n) => return Err(bad(&format!("the CMS signature holds {} signers, one was expected", n + 1))),
        };
        let raw = raw_parts(der).ok_or_else(|| bad("the CMS signature's layout cannot be read"))?;
        let certs = raw
            .certs
            .into_iter()
            .map(Cert::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(&format!("a certificate in the signature is unreadable: {e}")))?;
        if signed.certificates.is_some_and(|set| set.0.iter().any(|c| !matches!(c, CertificateChoices::Certificate(_))))
        {
            return Err(bad("the CMS signature holds certificates of an unknown kind"));
        }
        Ok(SignedCms { signer, raw_signed_attrs: raw.signed_attrs, certs })
    }

    /// The signer's certificate, named by the SignerInfo.
    fn signer_certificate(&self) -> Option<&Cert<'a>> {
        self.certs.iter().find(|cert| {
            let tbs = cert.parsed.tbs_certificate();
            match &self.signer.sid {
                SignerIdentifier::IssuerAndSerialNumber(isn) => {
                    tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    matches!(tbs.get_extension::<SubjectKeyIdentifier>(), Ok(Some((_, own))) if own == *ski)
                }
            }
        })
    }

    /// Checks the digest of `signed_parts` (the ByteRange bytes) and the
    /// signature over it.
    fn verify(&self, signed_parts: &[&[u8]]) -> Result<Checked<'_, 'a>> {
        let bad = |what: String| PadesError::BadSignature(what);
        let digest = Hash::from_oid(self.signer.digest_alg.oid).ok_or_else(|| {
            PadesError::Unsupported(format!(
                "the hash algorithm {} is not supported (SHA-256, SHA-384 and SHA-512 are)",
                self.signer.digest_alg.oid
            ))
        })?;
        let signer = self
            .signer_certificate()
            .ok_or_else(|| bad("the signer's certificate is not included in the signature".into()))?;
        let key = PublicKey::from_certificate(&signer.parsed).map_err(PadesError::Unsupported)?;
        let scheme = Scheme::from_algorithm(&self.signer.signature_algorithm)?;
        let content_digest = digest.digest(signed_parts);

        let mut signing_time = None;
        let to_be_signed: Vec<u8> = match (&self.signer.signed_attrs, self.raw_signed_attrs) {
            (Some(attrs), Some(raw)) => {
                let mut message_digest = None;
                for attr in attrs.iter() {
                    let value = single_value(attr.values.iter(), &attr.oid).map_err(bad)?;
                    if attr.oid == rfc5911::ID_MESSAGE_DIGEST {
                        let octets = value
                            .decode_as::<OctetString>()
                            .map_err(|_| bad("its message-digest attribute is not a byte string".into()))?;
                        message_digest = Some(octets.into_bytes());
                    } else if attr.oid == rfc5911::ID_CONTENT_TYPE {
                        if value.decode_as::<ObjectIdentifier>().ok() != Some(rfc5911::ID_DATA) {
                            return Err(bad("its content-type attribute is not 'data'".into()));
                        }
                    } else if attr.oid == rfc5911::ID_SIGNING_TIME {
                        signing_time = cms_time(value);
                    } else if attr.oid == rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2 {
                        check_signing_certificate(value, signer.der).map_err(bad)?;
                    }
                }
                let message_digest =
                    message_digest.ok_or_else(|| bad("its signed attributes have no message digest".into()))?;
                if *message_digest != *content_digest {
                    return Err(bad(format!(
                        "the file's content does not match the signed digest ({}): \
                         the document was changed after it was signed",
                        digest.name()
                    )));
                }
                // The signature covers the attributes encoded as a SET OF
                // (tag 0x31) rather than with their [0] tag (RFC 5652 §5.4).
                let mut set = raw.to_vec();
                set[0] = 0x31;
                set
            }
            (None, _) => Vec::new(),
            (Some(_), None) => return Err(bad("the signed attributes cannot be located".into())),
        };

        let hash = scheme.hash().unwrap_or(digest);
        let signature = self.signer.signature.as_bytes();
        let outcome = if self.signer.signed_attrs.is_some() {
            key.verify(scheme, hash, &hash.digest(&[&to_be_signed]), signature).or_else(|first| {
                // Some signers sign the attributes in DER order while writing
                // them in another: try the canonical encoding too.
                let canonical = self
                    .signer
                    .signed_attrs
                    .as_ref()
                    .and_then(|a| a.to_der().ok())
                    .filter(|der| *der != to_be_signed)
                    .ok_or(first.clone())?;
                key.verify(scheme, hash, &hash.digest(&[&canonical]), signature).map_err(|_| first)
            })
        } else if hash == digest {
            key.verify(scheme, hash, &content_digest, signature)
        } else {
            key.verify(scheme, hash, &hash.digest(signed_parts), signature)
        };
        outcome.map_err(|why| bad(format!("{why} (signer: {})", signer.subject())))?;
        Ok(Checked { signer, digest, signing_time })
    }
}

/// The one value of a signed attribute.
fn single_value<'v>(mut values: impl Iterator<Item = &'v Any>, oid: &ObjectIdentifier) -> Result<&'v Any, String> {
    match (values.next(), values.next()) {
        (Some(value), None) => Ok(value),
        _ => Err(format!("its signed attribute {oid} does not hold exactly one value")),
    }
}

/// Reads a CMS signing-time value (UTCTime or GeneralizedTime).
fn cms_time(value: &Any) -> Option<DateTime<FixedOffset>> {
    let time = Time::from_der(&value.to_der().ok()?).ok()?;
    let secs = i64::try_from(time.to_unix_duration().as_secs()).ok()?;
    Utc.timestamp_opt(secs, 0).single().map(|t| t.fixed_offset())
}

/// Checks an ESS signing-certificate-v2 attribute: the hash it gives of the
/// signer's certificate must be that of the certificate carried.
fn check_signing_certificate(value: &Any, cert_der: &[u8]) -> Result<(), String> {
    let unreadable = || "its signing-certificate attribute cannot be read".to_owned();
    let encoded = value.to_der().map_err(|_| unreadable())?;
    let mut input = encoded.as_slice();
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, .. }
    let outer = read_tlv(&mut input).ok_or_else(unreadable)?;
    let mut fields = outer.value;
    let certs = read_tlv(&mut fields).ok_or_else(unreadable)?;
    let mut list = certs.value;
    let first = read_tlv(&mut list).ok_or_else(unreadable)?;
    // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, .. }
    let mut id = first.value;
    let mut item = read_tlv(&mut id).ok_or_else(unreadable)?;
    let mut hash = Hash::Sha256;
    if item.tag == 0x30 {
        let alg = AlgorithmIdentifierOwned::from_der(item.whole).map_err(|_| unreadable())?;
        hash = Hash::from_oid(alg.oid)
            .ok_or_else(|| format!("its signing-certificate attribute uses an unknown hash ({})", alg.oid))?;
        item = read_tlv(&mut id).ok_or_else(unreadable)?;
    }
    if item.tag != 0x04 {
        return Err(unreadable());
    }
    if item.value != hash.digest(&[cert_der]).as_slice() {
        return Err("it names another certificate than the one it carries".into());
    }
    Ok(())
}

/// One DER element: its tag, its whole encoding and its contents.
#[derive(Debug, Clone, Copy)]
struct Tlv<'a> {
    tag: u8,
    whole: &'a [u8],
    value: &'a [u8],
}

/// Reads one DER element off the front of `input` (definite lengths only).
fn read_tlv<'a>(input: &mut &'a [u8]) -> Option<Tlv<'a>> {
    let bytes = *input;
    let tag = *bytes.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *bytes.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let len = bytes.get(2..2 + count)?.iter().fold(0usize, |n, &b| n << 8 | usize::from(b));
        (len, 2 + count)
    };
    let whole = bytes.get(..header.checked_add(len)?)?;
    *input = &bytes[whole.len()..];
    Some(Tlv { tag, whole, value: &whole[header..] })
}

/// The bytes of the SignedData that must be read as encoded.
struct RawParts<'a> {
    certs: Vec<&'a [u8]>,
    signed_attrs: Option<&'a [u8]>,
}

/// Walks ContentInfo → SignedData → certificates and the first SignerInfo.
fn raw_parts(cms: &[u8]) -> Option<RawParts<'_>> {
    let mut input = cms;
    let mut content_info = read_tlv(&mut input)?.value;
    read_tlv(&mut content_info)?; // contentType
    let mut explicit = read_tlv(&mut content_info)?.value;
    let mut signed_data = read_tlv(&mut explicit)?.value;
    for _ in 0..3 {
        read_tlv(&mut signed_data)?; // version, digestAlgorithms, encapContentInfo
    }
    let mut certs = Vec::new();
    let mut next = read_tlv(&mut signed_data)?;
    if next.tag == 0xa0 {
        let mut list = next.value;
        while !list.is_empty() {
            let cert = read_tlv(&mut list)?;
            if cert.tag == 0x30 {
                certs.push(cert.whole);
            }
        }
        next = read_tlv(&mut signed_data)?;
    }
    if next.tag == 0xa1 {
        next = read_tlv(&mut signed_data)?; // crls
    }
    let mut signer_infos = next.value;
    let mut signer_info = read_tlv(&mut signer_infos)?.value;
    for _ in 0..3 {
        read_tlv(&mut signer_info)?; // version, sid, digestAlgorithm
    }
    let attrs = read_tlv(&mut signer_info)?;
    Some(RawParts { certs, signed_attrs: (attrs.tag == 0xa0).then_some(attrs.whole) })
}

// ---------------------------------------------------------------------------
// The certificate chain

/// Chains `signer` to one of `roots` through `pool` (the CMS certificates).
fn validate_chain(
    signer: &Cert<'_>,
    pool: &[Cert<'_>],
    roots: &[Cert<'_>],
    signing_time: Option<&DateTime<FixedOffset>>,
) -> (bool, String) {
    const NO_REVOCATION: &str = "Revocation was not checked (no CRL or OCSP): a certificate \
                                 revoked before the signature, for example a lost eID card, \
                                 still passes.";
    let fail = |why: String| (false, format!("The certificate chain was not validated: {why}. {NO_REVOCATION}"));
    if roots.is_empty() {
        return fail("none of the configured root certificates could be read".into());
    }
    let mut path: Vec<&Cert<'_>> = vec![signer];
    let mut current = signer;
    let anchor = loop {
        if let Some(root) = roots.iter().find(|root| root.der == current.der) {
            break root;
        }
        let issuer_name = current.parsed.tbs_certificate().issuer();
        if let Some(root) = roots
            .iter()
            .find(|root| root.parsed.tbs_certificate().subject() == issuer_name && current.signed_by(root).is_ok())
        {
            break root;
        }
        let next = pool.iter().find(|candidate| {
            candidate.parsed.tbs_certificate().subject() == issuer_name
                && !path.iter().any(|seen| seen.der == candidate.der)
                && current.signed_by(candidate).is_ok()
        });
        match next {
            Some(issuer) if issuer.is_ca() => {
                if path.len() >= 8 {
                    return fail("the chain is longer than 8 certificates".into());
                }
                path.push(issuer);
                current = issuer;
            }
            Some(issuer) => {
                return fail(format!(
                    "'{}' signed '{}' but is not a certificate authority",
                    issuer.subject(),
                    current.subject()
                ));
            }
            None => {
                let issuer = issuer_name.to_string();
                let why = if current.parsed.tbs_certificate().subject() == issuer_name {
                    format!("it ends at the root certificate '{issuer}', which is not one of the trusted roots")
                } else if roots.iter().any(|r| r.parsed.tbs_certificate().subject() == issuer_name) {
                    format!(
                        "'{}' was issued by '{issuer}': a trusted root has that name but not the \
                         key that signed it (another root with the same name)",
                        current.subject()
                    )
                } else {
                    format!(
                        "'{}' was issued by '{issuer}', which is neither a trusted root nor \
                         a certificate included in the signature",
                        current.subject()
                    )
                };
                return fail(why);
            }
        }
    };

    let dates = match signing_time {
        Some(time) => {
            if let Some(expired) = path.iter().chain([&anchor]).find(|c| !c.valid_at(time)) {
                return fail(format!(
                    "'{}' was not within its validity dates at the signing time the signer claims ({})",
                    expired.subject(),
                    time.to_rfc3339_opts(SecondsFormat::Secs, true)
                ));
            }
            format!(
                "every certificate was within its validity dates at the signing time the signer \
                 claims ({}), a time no timestamp authority vouches for",
                time.to_rfc3339_opts(SecondsFormat::Secs, true)
            )
        }
        None => "validity dates were not checked: the signature gives no signing time".into(),
    };
    let through = if path.len() > 1 {
        let names: Vec<String> = path[1..].iter().map(|c| format!("'{}'", c.subject())).collect();
        format!(" through {}", names.join(", "))
    } else {
        String::new()
    };
    (
        true,
        format!("The certificate chains to the trusted root '{}'{through}; {dates}. {NO_REVOCATION}", anchor.subject()),
    )
}

// ---------------------------------------------------------------------------
// Small helpers

/// Parses a PDF date, `D:YYYYMMDDHHmmSSOHH'mm'` (all but the year optional).
fn parse_pdf_date(text: &[u8]) -> Option<DateTime<FixedOffset>> {
    let text = std::str::from_utf8(text).ok()?;
    let text = text.strip_prefix("D:").unwrap_or(text);
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, zone) = text.split_at(digits_end);
    if digits.len() < 4 || digits.len() > 14 || digits.len() % 2 != 0 {
        return None;
    }
    let field =
        |at: usize, default: u32| -> Option<u32> { digits.get(at..at + 2).map_or(Some(default), |s| s.parse().ok()) };
    let year: i32 = digits[..4].parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, field(4, 1)?, field(6, 1)?)?;
    let naive = date.and_hms_opt(field(8, 0)?, field(10, 0)?, field(12, 0)?)?;
    let offset_secs = match zone.as_bytes().first() {
        None | Some(b'Z') => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let rest: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            let hours: i32 = rest.get(..2)?.parse().ok()?;
            let minutes: i32 = rest.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            let secs = hours * 3600 + minutes * 60;
            if sign == b'-' { -secs } else { secs }
        }
        Some(_) => return None,
    };
    FixedOffset::east_opt(offset_secs)?.from_local_datetime(&naive).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/pades/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn issued_len() -> usize {
        fixture("base.pdf").len()
    }

    fn root() -> Vec<Vec<u8>> {
        vec![fixture("root.der")]
    }

    #[test]
    fn valid_rsa_signature_with_the_root_validates_the_chain() {
        let verdict = verify(&fixture("signed-rsa.pdf"), issued_len(), &root()).expect("valid");
        assert_eq!(verdict.signer_name, "Marie Dupont (Signature)");
        assert_eq!(verdict.signer_serial.as_deref(), Some("85073100123"));
        assert_eq!(verdict.digest_algorithm, "SHA-256");
        assert_eq!(verdict.certificate_sha256, hex::encode(sha2::Sha256::digest(fixture("signer-rsa.der"))));
        assert!(verdict.signing_time.is_some());
        assert!(verdict.chain_validated, "{}", verdict.chain_note);
        assert!(verdict.chain_note.contains("Charte Test Citizen CA"), "{}", verdict.chain_note);
        assert!(verdict.chain_note.contains("Revocation was not checked"), "{}", verdict.chain_note);
    }

    #[test]
    fn valid_rsa_signature_without_roots_is_not_chain_validated() {
        let verdict = verify(&fixture("signed-rsa.pdf"), issued_len(), &[]).expect("valid");
        assert_eq!(verdict.signer_name, "Marie Dupont (Signature)");
        assert!(!verdict.chain_validated);
        assert!(verdict.chain_note.contains("no trusted root"), "{}", verdict.chain_note);
    }

    #[test]
    fn valid_ecdsa_p256_signature() {
        let verdict = verify(&fixture("signed-p256.pdf"), issued_len(), &root()).expect("valid");
        assert_eq!(verdict.signer_name, "Luc Peeters (Signature)");
        assert_eq!(verdict.signer_serial.as_deref(), Some("90020200246"));
        assert!(verdict.chain_validated, "{}", verdict.chain_note);
    }

    #[test]
    fn valid_ecdsa_p384_signature_with_sha384() {
        let verdict = verify(&fixture("signed-p384.pdf"), issued_len(), &root()).expect("valid");
        assert_eq!(verdict.signer_name, "Ana Lopez (Signature)");
        assert_eq!(verdict.digest_algorithm, "SHA-384");
        assert!(verdict.chain_validated, "{}", verdict.chain_note);
    }

    #[test]
    fn altered_cms_is_a_bad_signature() {
        let err = verify(&fixture("altered-cms.pdf"), issued_len(), &root()).expect_err("altered");
        assert!(matches!(err, PadesError::BadSignature(_)), "{err}");
    }

    #[test]
    fn altered_issued_part_is_a_digest_mismatch() {
        let err = verify(&fixture("altered-issued.pdf"), issued_len(), &root()).expect_err("altered");
        assert!(matches!(&err, PadesError::BadSignature(why) if why.contains("changed after it was signed")), "{err}");
    }

    #[test]
    fn bytes_appended_after_the_signature_are_refused() {
        let err = verify(&fixture("appended.pdf"), issued_len(), &root()).expect_err("appended");
        assert!(matches!(&err, PadesError::NotCovered(why) if why.contains("added after the signature")), "{err}");
    }

    #[test]
    fn a_signature_left_unfinished_is_malformed() {
        let mut file = fixture("signed-rsa.pdf");
        let start = find(&file, b"/Contents <").expect("contents") + b"/Contents <".len();
        let end = start + file[start..].iter().position(|&b| b == b'>').expect("end");
        file[start..end].fill(b'0');
        let err = verify(&file, issued_len(), &root()).expect_err("empty");
        assert!(matches!(&err, PadesError::Malformed(why) if why.contains("did not finish")), "{err}");
    }

    #[test]
    fn a_plain_pdf_has_no_signature() {
        let base = fixture("base.pdf");
        let err = verify(&base, base.len(), &root()).expect_err("unsigned");
        assert_eq!(err, PadesError::NoSignature);
    }

    #[test]
    fn a_wrong_root_leaves_the_chain_unvalidated() {
        let verdict = verify(&fixture("signed-rsa.pdf"), issued_len(), &[fixture("other-root.der")]).expect("valid");
        assert!(!verdict.chain_validated);
        assert!(verdict.chain_note.contains("not validated"), "{}", verdict.chain_note);
        assert!(verdict.chain_note.contains("Revocation was not checked"), "{}", verdict.chain_note);
    }

    #[test]
    fn a_root_with_the_right_name_but_another_key_is_not_trusted() {
        let verdict = verify(&fixture("signed-p256.pdf"), issued_len(), &[fixture("other-root.der")]).expect("valid");
        assert!(!verdict.chain_validated);
        assert!(verdict.chain_note.contains("same name"), "{}", verdict.chain_note);
    }

    #[test]
    fn a_signer_who_rewrites_the_page_while_signing_is_refused() {
        let err = verify(&fixture("changed-page.pdf"), issued_len(), &root()).expect_err("changed");
        assert!(matches!(&err, PadesError::DocumentChanged(why) if why.contains("/Contents")), "{err}");
    }

    #[test]
    fn a_document_sealed_by_charte_and_signed_in_a_pdf_reader() {
        let file = fixture("signed-sealed.pdf");
        let issued_len = crate::seal::sealed_prefix_len(&file).expect("a sealed document");
        let verdict = verify(&file, issued_len, &root()).expect("valid");
        assert_eq!(verdict.signer_name, "Marie Dupont (Signature)");
        assert!(verdict.chain_validated, "{}", verdict.chain_note);
    }

    #[test]
    fn a_signature_inside_the_issued_part_is_not_a_returned_signature() {
        let signed = fixture("signed-rsa.pdf");
        let err = verify(&signed, signed.len(), &root()).expect_err("nothing appended");
        assert_eq!(err, PadesError::NoSignature);
    }

    #[test]
    fn a_file_shorter_than_the_issued_document_is_refused() {
        let base = fixture("base.pdf");
        assert!(matches!(verify(&base, base.len() + 1, &[]), Err(PadesError::NotPdf(_))));
    }

    #[test]
    fn a_second_signature_is_refused() {
        let mut file = fixture("signed-rsa.pdf");
        file.extend_from_slice(b"\n9 0 obj << /ByteRange [0 1 2 3] >> endobj\n");
        let err = verify(&file, issued_len(), &root()).expect_err("two");
        assert_eq!(err, PadesError::SeveralSignatures(2));
    }

    #[test]
    fn the_update_may_not_change_the_page() {
        let before = Document::load_mem(&fixture("base.pdf")).expect("base");
        let mut after = before.clone();
        let page = *after.get_pages().values().next().expect("a page");
        after.get_dictionary_mut(page).expect("page").set("Contents", Object::Reference((5, 0)));
        let why = check_update(&before, &after).expect_err("changed");
        assert!(why.contains("Contents"), "{why}");
    }

    #[test]
    fn pdf_dates_are_read_with_their_offset() {
        let t = parse_pdf_date(b"D:20260115143000+01'00'").expect("date");
        assert_eq!(t.to_rfc3339_opts(SecondsFormat::Secs, true), "2026-01-15T14:30:00+01:00");
        let t = parse_pdf_date(b"D:20260115143000Z").expect("date");
        assert_eq!(t.to_rfc3339_opts(SecondsFormat::Secs, true), "2026-01-15T14:30:00Z");
        assert!(parse_pdf_date(b"D:2026011").is_none());
    }
}
