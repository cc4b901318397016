//! The certificate chain: from the signer's certificate, through the
//! certificates the signature carries, to one of the workspace's trusted
//! roots ([`super::trusted_roots`]).
//!
//! Invariant of a validated chain: each certificate signed by the next
//! one's key, every intermediate a certificate authority allowed to sign
//! certificates, at most 8 links, and every certificate within its
//! validity dates at the signing time the signer claims (when it claims
//! one). A root is trusted by its bytes or by its name *and* key, never by
//! its name alone. No revocation check, no timestamp: the note of every
//! chain check says so, validated or not, because a coordinator must know.

use chrono::{DateTime, FixedOffset, SecondsFormat};

use super::certificate::Cert;

/// Chains `signer` to one of `roots` through `pool` (the CMS certificates).
pub(super) fn validate_chain(
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
