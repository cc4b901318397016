//! The CMS SignedData in /Contents (RFC 5652; PAdES's
//! `adbe.pkcs7.detached` and `ETSI.CAdES.detached`): parsed, its signer's
//! certificate found among the certificates it carries, and its signature
//! checked over the signed bytes.
//!
//! Invariant of what passes: exactly one signer, no content of its own
//! (detached), its certificate among those carried, and a signature by
//! that certificate's key over the bytes the /ByteRange names: directly,
//! or (the usual way) over signed attributes whose message digest is the
//! hash of those bytes, whose content type, if given, is `data`, and whose
//! signing-certificate attribute, if given, names the certificate carried.
//! Who that certificate belongs to is [`super::chain`]'s question.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::der::asn1::{ObjectIdentifier, OctetString};
use cms::der::oid::db::rfc5911;
use cms::der::{Any, Decode, Encode};
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use cms::x509_cert::ext::pkix::SubjectKeyIdentifier;
use cms::x509_cert::spki::AlgorithmIdentifierOwned;
use cms::x509_cert::time::Time;

use super::certificate::{Cert, Hash, PublicKey, Scheme};
use super::der::read_tlv;
use super::{PadesError, Result};

/// The parts of the CMS SignedData the checks need.
#[derive(Debug)]
pub(super) struct SignedCms<'a> {
    signer: SignerInfo,
    /// The signed attributes as encoded (with their [0] tag), if any.
    raw_signed_attrs: Option<&'a [u8]>,
    /// The certificates the signature carries, as encoded.
    pub(super) certs: Vec<Cert<'a>>,
}

/// What a verified CMS signature yields.
#[derive(Debug)]
pub(super) struct Checked<'c, 'a> {
    pub(super) signer: &'c Cert<'a>,
    pub(super) digest: Hash,
    pub(super) signing_time: Option<DateTime<FixedOffset>>,
}

impl<'a> SignedCms<'a> {
    pub(super) fn parse(der: &'a [u8]) -> Result<SignedCms<'a>> {
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
    pub(super) fn verify(&self, signed_parts: &[&[u8]]) -> Result<Checked<'_, 'a>> {
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
