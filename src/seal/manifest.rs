//! The manifest (what the coordination vouches for), its canonical bytes,
//! and the seal file that carries it with its signature.
//!
//! Canonical JSON, the bytes that are signed: the manifest as a JSON
//! object, keys sorted by their UTF-8 bytes at every level, no whitespace,
//! strings escaped minimally (`\"`, `\\`, `\b \f \n \r \t`, other control
//! characters as `\u00XX`, everything else as UTF-8), integers in decimal.
//! Python: `json.dumps(m, sort_keys=True, separators=(",", ":"),
//! ensure_ascii=False).encode()`.
//!
//! The seal file (embedded in the PDF as `charte-seal.json`, and written
//! beside it as a detached copy) is the canonical JSON of
//! `{"manifest": .., "public_key": base64, "signature": base64}` followed
//! by one newline.

use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::keys::fingerprint;

/// The manifest's format tag.
pub const FORMAT: &str = "charte-seal/1";

/// What the seal vouches for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The document's stable id.
    pub document_id: String,
    /// "adherence", "report", "convocation", …
    pub kind: String,
    /// The coordination issuing it.
    pub coordination: String,
    /// The organisation it is issued to, if any.
    pub organisation: Option<String>,
    /// That organisation's enterprise number (0123.456.749).
    pub enterprise_number: Option<String>,
    /// Charter version, for adherence documents.
    pub charter_version: Option<String>,
    /// Issue date (YYYY-MM-DD).
    pub issued: String,
    /// SHA-256 (lowercase hex) of the first `length` bytes of the file:
    /// the document as rendered. Set by [`super::seal`].
    pub sha256: String,
    /// Length in bytes of the rendered document. Set by [`super::seal`].
    pub length: u64,
    /// [`fingerprint`] of the sealing key. Set by [`super::seal`].
    pub key_fingerprint: String,
    /// Anything else worth vouching for (e.g. a report's journal head).
    #[serde(default)]
    pub extra: BTreeMap<String, Value>,
}

impl Manifest {
    /// A manifest for a document; hash, length and key are filled in by
    /// [`super::seal`].
    pub fn new(document_id: &str, kind: &str, coordination: &str, issued: NaiveDate) -> Self {
        Self {
            format: FORMAT.to_owned(),
            document_id: document_id.to_owned(),
            kind: kind.to_owned(),
            coordination: coordination.to_owned(),
            organisation: None,
            enterprise_number: None,
            charter_version: None,
            issued: issued.format("%Y-%m-%d").to_string(),
            sha256: String::new(),
            length: 0,
            key_fingerprint: String::new(),
            extra: BTreeMap::new(),
        }
    }

    /// Names the organisation the document is issued to.
    #[must_use]
    pub fn organisation(mut self, name: &str, enterprise_number: Option<&str>) -> Self {
        self.organisation = Some(name.to_owned());
        self.enterprise_number = enterprise_number.map(str::to_owned);
        self
    }

    /// Sets the charter version.
    #[must_use]
    pub fn charter_version(mut self, version: &str) -> Self {
        self.charter_version = Some(version.to_owned());
        self
    }

    /// Adds an extra entry.
    #[must_use]
    pub fn extra(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    /// The issue date, if it is a valid YYYY-MM-DD date.
    pub fn issued_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.issued, "%Y-%m-%d").ok()
    }

    /// The canonical bytes that are signed.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        canonical(&serde_json::to_value(self).unwrap_or(Value::Null))
    }
}

/// The seal as found in a file: parsed, not yet verified.
#[derive(Debug, Clone)]
pub(super) struct SealFile {
    /// The manifest exactly as signed (kept as a value so that fields this
    /// version does not know are still covered by the signature).
    pub manifest_value: Value,
    pub manifest: Manifest,
    pub public_key: [u8; 32],
    pub signature: Signature,
}

/// Signs `manifest` with `key` and returns the seal file's bytes.
pub(super) fn seal_bytes(manifest: &Manifest, key: &SigningKey) -> Vec<u8> {
    sign_object("manifest", &serde_json::to_value(manifest).unwrap_or(Value::Null), key)
}

/// A signed object's file (docs/seal.md §3): the canonical JSON of
/// `{FIELD: value, "public_key": …, "signature": …}` and a line feed, the
/// signature over the value's canonical bytes. Seals (`manifest`),
/// checkpoints (`checkpoint`) and key rotations share it.
pub fn sign_object(field: &str, value: &Value, key: &SigningKey) -> Vec<u8> {
    let signature = key.sign(&canonical(value));
    let mut file = serde_json::Map::new();
    file.insert(field.to_owned(), value.clone());
    file.insert("public_key".to_owned(), Value::String(BASE64.encode(key.verifying_key().as_bytes())));
    file.insert("signature".to_owned(), Value::String(BASE64.encode(signature.to_bytes())));
    let mut bytes = canonical(&Value::Object(file));
    bytes.push(b'\n');
    bytes
}

/// A signed object's file, read and checked for its shape and canonical
/// form (not yet for its signature: [`SignedObject::signature_valid`]).
#[derive(Debug, Clone)]
pub struct SignedObject {
    pub value: Value,
    pub public_key: [u8; 32],
    pub signature: Signature,
}

#[derive(Debug)]
pub enum ParseError {
    Shape(String),
    NotCanonical,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Shape(reason) => f.write_str(reason),
            ParseError::NotCanonical => f.write_str("its bytes are not in canonical form (it was altered)"),
        }
    }
}

/// Reads the file of an object signed under `field` ([`sign_object`]).
pub fn parse_object(bytes: &[u8], field: &str) -> Result<SignedObject, ParseError> {
    let shape = |m: &str| ParseError::Shape(m.to_owned());
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ParseError::Shape(format!("not JSON: {e}")))?;
    let object = value.as_object().ok_or_else(|| shape("not a JSON object"))?;
    let inner = object.get(field).cloned().ok_or_else(|| ParseError::Shape(format!("no {field}")))?;
    let bytes_of = |name: &str| -> Result<Vec<u8>, ParseError> {
        let text = object.get(name).and_then(Value::as_str).ok_or_else(|| ParseError::Shape(format!("no {name}")))?;
        BASE64.decode(text).map_err(|_| ParseError::Shape(format!("{name} is not base64")))
    };
    let public_key: [u8; 32] = bytes_of("public_key")?.try_into().map_err(|_| shape("public_key is not 32 bytes"))?;
    let signature: [u8; 64] = bytes_of("signature")?.try_into().map_err(|_| shape("signature is not 64 bytes"))?;
    if object.len() != 3 {
        return Err(ParseError::Shape(format!("unexpected fields beside {field}, public_key, signature")));
    }
    let mut expected = canonical(&value);
    expected.push(b'\n');
    if expected != bytes {
        return Err(ParseError::NotCanonical);
    }
    Ok(SignedObject { value: inner, public_key, signature: Signature::from_bytes(&signature) })
}

impl SignedObject {
    pub fn is_from(&self, key: &VerifyingKey) -> bool {
        &self.public_key == key.as_bytes()
    }

    /// Whether the signature holds over the value's canonical bytes, by `key`.
    pub fn signature_valid(&self, key: &VerifyingKey) -> bool {
        key.verify_strict(&canonical(&self.value), &self.signature).is_ok()
    }

    /// The key the file names (a weak or invalid key: None).
    pub fn key(&self) -> Option<VerifyingKey> {
        VerifyingKey::from_bytes(&self.public_key).ok().filter(|k| !k.is_weak())
    }
}

pub(super) fn parse_seal(bytes: &[u8]) -> Result<SealFile, ParseError> {
    let signed = parse_object(bytes, "manifest")?;
    let manifest: Manifest =
        serde_json::from_value(signed.value.clone()).map_err(|e| ParseError::Shape(format!("manifest: {e}")))?;
    if manifest.format != FORMAT {
        return Err(ParseError::Shape(format!("unknown format {:?} (this version reads {FORMAT:?})", manifest.format)));
    }
    Ok(SealFile { manifest_value: signed.value, manifest, public_key: signed.public_key, signature: signed.signature })
}

impl SealFile {
    /// Does the seal name `key`?
    pub fn is_from(&self, key: &VerifyingKey) -> bool {
        &self.public_key == key.as_bytes()
    }

    /// Checks the signature over the canonical manifest with `key`.
    pub fn signature_valid(&self, key: &VerifyingKey) -> bool {
        key.verify_strict(&canonical(&self.manifest_value), &self.signature).is_ok()
    }

    /// Fingerprint of the key the seal names.
    pub fn key_fingerprint(&self) -> String {
        VerifyingKey::from_bytes(&self.public_key).map(|k| fingerprint(&k)).unwrap_or_else(|_| "invalid key".to_owned())
    }
}

/// Canonical JSON bytes of `value` (see the module documentation).
pub fn canonical(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(&Value::String(key.clone()), out);
                out.push(b':');
                write_canonical(value, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar(value: &Value, out: &mut Vec<u8>) {
    // serde_json's compact writer escapes strings minimally and writes
    // numbers as they were parsed; writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_sorts_keys_and_escapes_minimally() {
        let value = json!({"b": [1, {"z": null, "a": true}], "a": "é\"\\\n\u{1}/"});
        assert_eq!(
            String::from_utf8(canonical(&value)).expect("utf8"),
            "{\"a\":\"é\\\"\\\\\\n\\u0001/\",\"b\":[1,{\"a\":true,\"z\":null}]}"
        );
    }
}
