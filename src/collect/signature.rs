//! The organisation's own signature: an ed25519 signature over the sealed
//! document's hash, appended to the sealed PDF as one incremental update
//! in a fixed layout (docs/seal.md, "The organisation's signature"), and
//! written beside it as a detached file.
//!
//! The update adds a single object, an embedded-file stream holding the
//! signature file (JSON), a one-entry cross-reference section and a
//! trailer chained to the sealed file's. Because the layout is a pure
//! function of the sealed bytes and the signature file, a verifier rebuilds
//! it and compares byte for byte: nothing else can ride along. The
//! sealed file's last trailer, which the update chains to, is read by
//! [`crate::pdf::Trailer`], the reader the seal itself uses.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::pdf;
use crate::seal::{canonical, fingerprint};

pub const FORMAT: &str = "charte-signature/1";

/// What the organisation signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub format: String,
    pub document_id: String,
    /// sha256 of the whole sealed file (rendered document and seal).
    pub sealed_sha256: String,
    pub sealed_length: u64,
    /// The day of signing (YYYY-MM-DD).
    pub signed: String,
    pub key_fingerprint: String,
}

/// The signature file: the statement, the signature over its canonical
/// JSON, and the public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureFile {
    pub statement: Statement,
    pub signature: String,
    pub public_key: String,
}

impl SignatureFile {
    /// Canonical JSON bytes of the whole file (the form embedded).
    pub fn to_bytes(&self) -> Vec<u8> {
        canonical(&serde_json::to_value(self).unwrap_or(Value::Null))
    }

    /// The key the file carries; a weak (small-order) key is no key.
    pub fn key(&self) -> Option<VerifyingKey> {
        let bytes: [u8; 32] = BASE64.decode(&self.public_key).ok()?.try_into().ok()?;
        crate::seal::public_key_from_bytes(&bytes).ok()
    }

    /// Whether the signature covers the statement under the file's key,
    /// verified strictly: a weak key, or a signature whose R is of small
    /// order (R = identity and S = 0 "verifies" for such a key under the
    /// lenient rules), is refused.
    pub fn valid(&self) -> bool {
        let Some(key) = self.key() else { return false };
        let Ok(sig) = BASE64.decode(&self.signature) else { return false };
        let Ok(sig) = Signature::from_slice(&sig) else { return false };
        let statement = canonical(&serde_json::to_value(&self.statement).unwrap_or(Value::Null));
        key.verify_strict(&statement, &sig).is_ok() && self.statement.key_fingerprint == fingerprint(&key)
    }
}

/// Signs `sealed` (the issued file) as of `day`; returns the signed PDF and
/// the detached signature file.
pub fn sign(sealed: &[u8], document_id: &str, key: &SigningKey, day: NaiveDate) -> Result<(Vec<u8>, Vec<u8>), String> {
    let statement = Statement {
        format: FORMAT.into(),
        document_id: document_id.into(),
        sealed_sha256: hex::encode(Sha256::digest(sealed)),
        sealed_length: sealed.len() as u64,
        signed: day.format("%Y-%m-%d").to_string(),
        key_fingerprint: fingerprint(&key.verifying_key()),
    };
    let bytes = canonical(&serde_json::to_value(&statement).unwrap_or(Value::Null));
    let file = SignatureFile {
        statement,
        signature: BASE64.encode(key.sign(&bytes).to_bytes()),
        public_key: BASE64.encode(key.verifying_key().as_bytes()),
    };
    let json = file.to_bytes();
    let tail = revision(sealed, &json)?;
    let mut out = Vec::with_capacity(sealed.len() + tail.len());
    out.extend_from_slice(sealed);
    out.extend_from_slice(&tail);
    Ok((out, json))
}

/// Reads the signature file from the update that follows `sealed_len`
/// bytes, and checks that the update is exactly the one `sign` writes.
pub fn extract(file: &[u8], sealed_len: usize) -> Result<SignatureFile, String> {
    let tail = file.get(sealed_len..).ok_or("the file is shorter than the issued document")?;
    if tail.is_empty() {
        return Err("the file is the issued document itself: it carries no signature".into());
    }
    let json =
        pdf::update::embedded_json_of(tail).ok_or("what follows the issued document is not a charte signature")?;
    let parsed: SignatureFile =
        serde_json::from_slice(json).map_err(|e| format!("the signature file is not valid: {e}"))?;
    let expected = revision(&file[..sealed_len], json)?;
    if expected != tail {
        return Err("the signature update was altered, or something was added after it".into());
    }
    if parsed.to_bytes() != json {
        return Err("the signature file was edited (not in canonical form)".into());
    }
    Ok(parsed)
}

/// The signature update for `sealed` carrying `json` (docs/seal.md §7, `U`).
fn revision(sealed: &[u8], json: &[u8]) -> Result<Vec<u8>, String> {
    pdf::update::embedded_json(sealed, "", json)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seal revision's trailer, which the signature chains to, read
    /// by hand gives what lopdf reads.
    #[test]
    fn the_trailer_read_by_hand_matches_lopdf() {
        let engine = crate::render::Engine::new().expect("engine");
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
        let rendered = engine.pdf("Bonjour", &serde_json::json!({}), day, "t").expect("render");
        let key = SigningKey::from_bytes(&[7; 32]);
        let manifest = crate::seal::Manifest::new("T-1", "adherence", "Test", day);
        let sealed = crate::seal::seal(&rendered, &manifest, &key).expect("seal").pdf;
        let by_hand = pdf::XrefTable::last(&sealed).expect("the seal's trailer layout").trailer;
        let doc = lopdf::Document::load_mem(&sealed).expect("lopdf");
        assert_eq!(by_hand, pdf::Trailer::of_document(&doc, &sealed).expect("lopdf's trailer"));
        let (signed, _) = sign(&sealed, "T-1", &key, day).expect("sign");
        assert!(lopdf::Document::load_mem(&signed).is_ok(), "the signed file is a readable PDF");
        assert!(extract(&signed, sealed.len()).expect("extract").valid());
    }
}
