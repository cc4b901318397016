//! Whether a valid PAdES signature speaks for the organisation by itself
//! (DESIGN.md): its certificate chains to a trusted root, and its signer is
//! the organisation's representative on the roster. Anyone can make a
//! certificate in any name; only a chain to a trusted root says who issued
//! it, and only the representative speaks for the organisation.
//!
//! Invariant: when either does not hold, the return waits for the
//! coordinator's confirmation with a reason in plain words; it is never
//! refused for it (the signature itself is valid) nor counted before it is
//! confirmed.

use super::PadesVerdict;
use crate::roster::Member;

/// Why a valid PAdES signature is not proof enough by itself, if it is not:
/// its chain does not reach a trusted root, or its signer is not the
/// organisation's representative on the roster.
pub(crate) fn why_pending(verdict: &PadesVerdict, member: &Member) -> Option<String> {
    let org = &member.organisation;
    let signer = &verdict.signer_name;
    if !verdict.chain_validated {
        return Some(format!(
            "nothing shows who issued the certificate of '{signer}' (anyone can make one in any name), as it \
             does not lead to a root in keys/trusted-roots/. {}",
            verdict.chain_note
        ));
    }
    match org.representative.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => Some(format!(
            "the certificate of '{signer}' is valid, but the roster names no representative of {} to compare \
             it with",
            org.name
        )),
        Some(rep) if !same_person(signer, rep) => Some(format!(
            "the certificate of '{signer}' is valid, but {}'s representative on the roster is {rep}",
            org.name
        )),
        Some(_) => None,
    }
}

/// Whether a certificate's name is the representative's (DESIGN.md): the
/// name less a trailing "(Signature)" or "(Authentication)", compared
/// ignoring case, accents and the order of the names ("BOUZID Céline
/// (Signature)" is Céline Bouzid). Every name must be there, no more and
/// no fewer: a middle name on one side only does not match.
pub fn same_person(certificate_name: &str, representative: &str) -> bool {
    fn names(s: &str) -> Vec<String> {
        let mut words: Vec<String> = s
            .split(|c: char| c.is_whitespace() || c == ',')
            .map(crate::roster::fold)
            .filter(|w| !w.is_empty())
            .collect();
        words.sort();
        words
    }
    let mut name = certificate_name.trim();
    for suffix in ["(signature)", "(authentication)"] {
        if let Some(at) = name.len().checked_sub(suffix.len())
            && name.is_char_boundary(at)
            && name[at..].eq_ignore_ascii_case(suffix)
        {
            name = name[..at].trim_end();
        }
    }
    let (certificate, roster) = (names(name), names(representative));
    !certificate.is_empty() && certificate == roster
}
