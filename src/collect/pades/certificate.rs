//! Certificates and their keys: the hash functions and signature schemes
//! charte can check (RSA PKCS#1 v1.5, ECDSA P-256 / P-384, with SHA-256,
//! SHA-384 or SHA-512), a certificate's public key, and whether one
//! certificate was signed by another's key.
//!
//! Invariant: a scheme or key charte cannot check is an error that says so
//! ([`PadesError::Unsupported`]), never a signature taken as valid.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use cms::der::Decode;
use cms::der::asn1::ObjectIdentifier;
use cms::der::oid::db::rfc5912;
use cms::x509_cert::Certificate;
use cms::x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use cms::x509_cert::spki::AlgorithmIdentifierOwned;
use cms::x509_cert::time::Time;
use sha2::Digest;

use super::der::read_tlv;
use super::{PadesError, Result};

/// A hash function the signature may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(super) fn from_oid(oid: ObjectIdentifier) -> Option<Hash> {
        match oid {
            o if o == rfc5912::ID_SHA_256 => Some(Hash::Sha256),
            o if o == rfc5912::ID_SHA_384 => Some(Hash::Sha384),
            o if o == rfc5912::ID_SHA_512 => Some(Hash::Sha512),
            _ => None,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    pub(super) fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
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
pub(super) enum Scheme {
    /// RSA PKCS#1 v1.5, with the hash the identifier names (if any).
    RsaPkcs1(Option<Hash>),
    Ecdsa(Option<Hash>),
}

impl Scheme {
    pub(super) fn from_algorithm(alg: &AlgorithmIdentifierOwned) -> Result<Scheme> {
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

    pub(super) fn hash(self) -> Option<Hash> {
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
pub(super) enum PublicKey {
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
    pub(super) fn from_certificate(cert: &Certificate) -> Result<PublicKey, String> {
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
    pub(super) fn verify(&self, scheme: Scheme, hash: Hash, prehash: &[u8], signature: &[u8]) -> Result<(), String> {
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
pub(super) struct Cert<'a> {
    /// The whole certificate as it was encoded.
    pub(super) der: &'a [u8],
    /// Its TBSCertificate as it was encoded (what the issuer signed).
    tbs: &'a [u8],
    pub(super) parsed: Certificate,
}

impl<'a> Cert<'a> {
    pub(super) fn parse(der: &'a [u8]) -> Result<Cert<'a>, String> {
        let parsed = Certificate::from_der(der).map_err(|e| format!("unreadable certificate ({e})"))?;
        let mut input = der;
        let outer = read_tlv(&mut input).ok_or("unreadable certificate")?;
        let mut inner = outer.value;
        let tbs = read_tlv(&mut inner).ok_or("unreadable certificate")?.whole;
        Ok(Cert { der, tbs, parsed })
    }

    pub(super) fn subject(&self) -> String {
        self.parsed.tbs_certificate().subject().to_string()
    }

    /// Checks that `issuer`'s key signed this certificate.
    pub(super) fn signed_by(&self, issuer: &Cert<'_>) -> Result<(), String> {
        let scheme = Scheme::from_algorithm(self.parsed.signature_algorithm()).map_err(|e| e.to_string())?;
        let hash = scheme.hash().ok_or("the certificate's signature algorithm names no hash")?;
        let signature =
            self.parsed.signature().as_bytes().ok_or("the certificate's signature is not a whole number of bytes")?;
        PublicKey::from_certificate(&issuer.parsed)?.verify(scheme, hash, &hash.digest(&[self.tbs]), signature)
    }

    /// Whether the certificate was valid at `time`.
    pub(super) fn valid_at(&self, time: &DateTime<FixedOffset>) -> bool {
        let validity = self.parsed.tbs_certificate().validity();
        let secs = |t: &Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
        (secs(&validity.not_before)..=secs(&validity.not_after)).contains(&time.timestamp())
    }

    /// Whether the certificate may sign other certificates.
    pub(super) fn is_ca(&self) -> bool {
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
