//! The web signature (format `charte-web-signature/1`, docs/seal.md §7,
//! "The web signature"): an organisation's representative signed on the
//! coordination's signing page (a typed name and capacity, a code mailed
//! to the organisation's address: a simple electronic signature, eIDAS
//! art. 3(10)), and the coordination vouches for it by signing a *record*
//! of it with its own key, as it signs its seals ([`sign_object`] under
//! `record`).
//!
//! The signed PDF is the sealed file `S`, exactly as issued, followed by
//! one incremental update `W`: the one-object update of the own-key
//! signature ([`crate::pdf::update`]) whose stream dictionary also holds
//! [`WEB_KEY`], carrying the record file. `W` is a pure function of `S`
//! and the record file: a verifier rebuilds it and compares byte for byte,
//! so nothing can ride along, and whatever follows it is refused.
//!
//! The record names no IP address and no user agent: those are personal
//! data, kept by the journal as salted commitments (crate::journal::personal),
//! never in a file that travels.

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Manifest, fingerprint, parse_object, sign_object};
use crate::pdf;

/// The record's format tag.
pub const WEB_FORMAT: &str = "charte-web-signature/1";

/// The field of the record file that holds the record ([`sign_object`]).
pub const WEB_FIELD: &str = "record";

/// The key that marks the update `W` in its stream dictionary, after
/// `/Subtype /application#2Fjson` (the own-key update `U` has none).
pub const WEB_KEY: &str = " /CharteWebSignature true";

/// What the coordination vouches for: who signed which document, in which
/// capacity, when, and where the code went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebRecord {
    /// Always [`WEB_FORMAT`].
    pub format: String,
    /// The sealed document's id (its manifest's).
    pub document_id: String,
    /// sha256 (lowercase hex) of the whole sealed file, as issued.
    pub sealed_sha256: String,
    /// Its length in bytes.
    pub sealed_length: u64,
    /// The organisation, as the manifest names it.
    pub organisation: String,
    /// Its enterprise number, as the manifest gives it (0123.456.749).
    pub enterprise_number: String,
    /// The name the representative typed.
    pub signer: String,
    /// The capacity typed (e.g. "directrice").
    pub capacity: String,
    /// The representative declared being mandated by the organisation.
    pub mandate: bool,
    /// The address the code was mailed to (the organisation's registered one).
    pub email: String,
    /// When the right code was typed: UTC, RFC 3339 to the second (`…Z`).
    pub signed_at: String,
    /// Fingerprint of the coordination's key that signs the record.
    pub key_fingerprint: String,
}

impl WebRecord {
    /// A record of `signer` signing the document `manifest` describes at
    /// `at`; the sealed file's hash and length and the key are filled in
    /// by [`sign_web`].
    pub fn new(manifest: &Manifest, signer: &str, capacity: &str, email: &str, at: DateTime<Utc>) -> WebRecord {
        WebRecord {
            format: WEB_FORMAT.to_owned(),
            document_id: manifest.document_id.clone(),
            sealed_sha256: String::new(),
            sealed_length: 0,
            organisation: manifest.organisation.clone().unwrap_or_default(),
            enterprise_number: manifest.enterprise_number.clone().unwrap_or_default(),
            signer: signer.to_owned(),
            capacity: capacity.to_owned(),
            mandate: true,
            email: email.to_owned(),
            signed_at: at.to_rfc3339_opts(SecondsFormat::Secs, true),
            key_fingerprint: String::new(),
        }
    }

    fn value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// When it was signed, if `signed_at` is written as the format says.
    pub fn signed_at(&self) -> Option<DateTime<Utc>> {
        let at = DateTime::parse_from_rfc3339(&self.signed_at).ok()?.with_timezone(&Utc);
        (at.to_rfc3339_opts(SecondsFormat::Secs, true) == self.signed_at).then_some(at)
    }
}

/// A web-signed PDF, as [`sign_web`] makes it or [`check_web`] reads it.
#[derive(Debug, Clone)]
pub struct WebSignature {
    /// The record, as signed.
    pub record: WebRecord,
    /// The record file's bytes (canonical JSON and a line feed).
    pub record_file: Vec<u8>,
    /// The key that signed the record.
    pub key: VerifyingKey,
}

impl WebSignature {
    /// sha256 (lowercase hex) of the record file: what the journal keeps.
    pub fn record_sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.record_file))
    }
}

/// Whether what follows a sealed part (`tail`) is laid out as a web
/// signature's update (not yet whether it holds: [`check_web`]).
pub fn is_web(tail: &[u8]) -> bool {
    let head = &tail[..tail.len().min(160)];
    pdf::find(head, b"/Subtype /application#2Fjson /CharteWebSignature true /Length ").is_some()
}

/// Signs `record` (made by [`WebRecord::new`]) for `sealed`, the issued
/// file, with the coordination's `key`: returns the signed PDF (`sealed`
/// followed by the update `W`) and what it carries.
pub fn sign_web(sealed: &[u8], record: &WebRecord, key: &SigningKey) -> Result<(Vec<u8>, WebSignature), String> {
    let mut record = record.clone();
    record.format = WEB_FORMAT.to_owned();
    record.sealed_sha256 = hex::encode(Sha256::digest(sealed));
    record.sealed_length = sealed.len() as u64;
    record.key_fingerprint = fingerprint(&key.verifying_key());
    if !record.mandate {
        return Err("a web signature needs the signer's declaration of being mandated".into());
    }
    if record.signed_at().is_none() {
        return Err(format!("signed_at {:?} is not a UTC time to the second (RFC 3339)", record.signed_at));
    }
    let record_file = sign_object(WEB_FIELD, &record.value(), key);
    let tail = pdf::update::embedded_json(sealed, WEB_KEY, &record_file)?;
    let mut pdf = Vec::with_capacity(sealed.len() + tail.len());
    pdf.extend_from_slice(sealed);
    pdf.extend_from_slice(&tail);
    Ok((pdf, WebSignature { record, record_file, key: key.verifying_key() }))
}

/// Checks the web signature that follows the sealed part of `file`
/// (`file[..sealed_len]`, already verified by the caller, of the document
/// `manifest` describes): the update is exactly `W` rebuilt, the record
/// file canonical and signed by the key it names, the record about this
/// very sealed file. Whether that key is the coordination's is the
/// caller's question (the keys it trusts). The error says, in plain words,
/// what does not hold.
pub fn check_web(file: &[u8], sealed_len: usize, manifest: &Manifest) -> Result<WebSignature, String> {
    let sealed = file.get(..sealed_len).ok_or("the file is shorter than the issued document")?;
    let tail = &file[sealed_len..];
    let json = pdf::update::embedded_json_of(tail).ok_or("the web signature's update is cut")?;
    let expected = pdf::update::embedded_json(sealed, WEB_KEY, json)?;
    if !tail.starts_with(&expected) {
        return Err("the web signature's update was altered".into());
    }
    if tail.len() > expected.len() {
        return Err(format!(
            "{} bytes follow the web signature: the document was modified after it was signed",
            tail.len() - expected.len()
        ));
    }
    let signed = parse_object(json, WEB_FIELD).map_err(|e| format!("the web signature's record is not valid: {e}"))?;
    let record: WebRecord = serde_json::from_value(signed.value.clone())
        .map_err(|e| format!("the web signature's record is not valid: {e}"))?;
    if record.format != WEB_FORMAT {
        return Err(format!("unknown web signature format {:?} (this version reads {WEB_FORMAT:?})", record.format));
    }
    let key = signed.key().ok_or("the web signature's record names an invalid key")?;
    if !signed.signature_valid(&key) || record.key_fingerprint != fingerprint(&key) {
        return Err("the web signature's record does not verify: it was altered or forged".into());
    }
    let names_this = record.document_id == manifest.document_id
        && Some(&record.organisation) == manifest.organisation.as_ref()
        && Some(&record.enterprise_number) == manifest.enterprise_number.as_ref()
        && record.sealed_length == sealed_len as u64
        && record.sealed_sha256 == hex::encode(Sha256::digest(sealed));
    if !names_this {
        return Err("the web signature's record is about another document".into());
    }
    if !record.mandate {
        return Err("the web signature's record does not say the signer was mandated".into());
    }
    let at = record.signed_at().ok_or("the web signature's record has no valid signing time")?;
    if manifest.issued_date().is_some_and(|issued| at.date_naive() < issued) {
        return Err("the web signature's record is dated before the document was issued".into());
    }
    Ok(WebSignature { record, record_file: json.to_vec(), key })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::tests::{key, sealed};

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-03-04T09:15:27Z").expect("time").with_timezone(&Utc)
    }

    fn signed_with(seed: u8) -> (Vec<u8>, usize, Manifest) {
        let s = sealed();
        let record = WebRecord::new(&s.manifest, "Marie Dubois", "directrice", "info@etoile.be", at());
        let (pdf, sig) = sign_web(&s.pdf, &record, &key(seed)).expect("signs");
        assert_eq!(sig.record.sealed_length, s.pdf.len() as u64);
        (pdf, s.pdf.len(), s.manifest)
    }

    #[test]
    fn a_web_signature_is_the_sealed_file_and_one_update_rebuilt_byte_for_byte() {
        let (pdf, len, manifest) = signed_with(1);
        assert!(pdf.starts_with(&sealed().pdf), "the issued bytes are an exact prefix");
        assert!(is_web(&pdf[len..]));
        let sig = check_web(&pdf, len, &manifest).expect("holds");
        assert_eq!(sig.key, key(1).verifying_key());
        assert_eq!(sig.record.signer, "Marie Dubois");
        assert_eq!(sig.record.signed_at, "2025-03-04T09:15:27Z");
        assert_eq!(sig.record.enterprise_number, "0123.456.749");
        assert!(sig.record_file.ends_with(b"}\n"));
        let again = sign_web(&pdf[..len], &sig.record, &key(1)).expect("signs").0;
        assert_eq!(again, pdf, "a pure function of the sealed file and the record");
        assert!(lopdf::Document::load_mem(&pdf).is_ok(), "a readable PDF");
        let verdict = crate::seal::verify_sealed_part(&pdf, &key(1).verifying_key()).expect("sealed part");
        assert_eq!(verdict.sealed_len, len);
    }

    #[test]
    fn not_an_own_key_update() {
        let s = sealed();
        let (own, _) = crate::collect::signature::sign(&s.pdf, "x", &key(2), at().date_naive()).expect("signs");
        assert!(!is_web(&own[s.pdf.len()..]));
        assert!(check_web(&own, s.pdf.len(), &s.manifest).is_err());
    }

    #[test]
    fn a_tampered_record_is_refused() {
        let (pdf, len, manifest) = signed_with(1);
        // Same length, so only the signature (and the canonical form) can tell.
        let forged = crate::seal::tests::replace_once(&pdf, b"Marie Dubois", b"Marie Duboit");
        let err = check_web(&forged, len, &manifest).expect_err("refused");
        assert!(err.contains("altered or forged"), "{err}");
    }

    #[test]
    fn bytes_appended_after_are_refused() {
        let (mut pdf, len, manifest) = signed_with(1);
        pdf.extend_from_slice(b"\n% more\n");
        let err = check_web(&pdf, len, &manifest).expect_err("refused");
        assert!(err.contains("8 bytes follow the web signature"), "{err}");
    }

    #[test]
    fn a_record_signed_by_another_key_names_that_key() {
        let (pdf, len, manifest) = signed_with(9);
        let sig = check_web(&pdf, len, &manifest).expect("holds for the key it names");
        assert_ne!(sig.key, key(1).verifying_key(), "the caller sees another key than the coordination's");
        assert_eq!(sig.record.key_fingerprint, fingerprint(&key(9).verifying_key()));
    }

    #[test]
    fn a_record_for_another_document_is_refused() {
        let (pdf, len, manifest) = signed_with(1);
        let mut other = manifest.clone();
        other.document_id = "ADH-2022-02-0999999999".into();
        let err = check_web(&pdf, len, &other).expect_err("refused");
        assert!(err.contains("another document"), "{err}");
    }

    #[test]
    fn a_cut_update_is_refused() {
        let (pdf, len, manifest) = signed_with(1);
        assert!(check_web(&pdf[..pdf.len() - 10], len, &manifest).is_err());
    }

    #[test]
    fn a_record_without_mandate_or_time_is_not_signed() {
        let s = sealed();
        let mut record = WebRecord::new(&s.manifest, "M", "c", "a@b.be", at());
        record.mandate = false;
        assert!(sign_web(&s.pdf, &record, &key(1)).is_err());
        record.mandate = true;
        record.signed_at = "2025-03-04 09:15".into();
        assert!(sign_web(&s.pdf, &record, &key(1)).is_err());
    }
}
