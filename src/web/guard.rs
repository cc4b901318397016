//! CSRF tokens (DESIGN.md: every form that changes something carries one).
//!
//! A double-submit token: a random value kept in a cookie of the site's own
//! (HttpOnly, SameSite=Strict, so another site's form never carries it)
//! and repeated in a hidden field `csrf` of each form; a POST whose field
//! does not equal its cookie, compared in constant time, is refused (403).

use crate::error::Kind;
use crate::{Error, Result};
use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// The cookie holding the token (over http, on this machine).
pub const COOKIE: &str = "charte_csrf";
/// Its name over https: the `__Host-` prefix makes browsers refuse it from
/// a sibling subdomain or over plain http (it must be Secure, Path=/, with
/// no Domain), so an attacker cannot plant a token of their choosing.
pub const SECURE_COOKIE: &str = "__Host-charte_csrf";

fn name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE } else { COOKIE }
}

/// The one cookie `name` the request carries: None when it carries none or
/// several (one of which a sibling site may have planted).
fn only_cookie<'a>(headers: &'a HeaderMap, name: &'a str) -> Option<&'a str> {
    let mut found = super::lang::cookies(headers, name);
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The token a page puts in its forms, and the cookie to set when the
/// visitor had none.
#[derive(Debug, Clone)]
pub struct Csrf {
    pub token: String,
    pub set_cookie: Option<String>,
}

/// 128 random bits, base64url without padding (22 characters).
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no randomness from the system: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn well_formed(token: &str) -> bool {
    token.len() == 22 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The visitor's token (its cookie's), or a new one with its cookie.
/// `secure`: the site is served over https (the cookie then says Secure).
pub fn issue(headers: &HeaderMap, secure: bool) -> Result<Csrf> {
    if let Some(token) = only_cookie(headers, name(secure)).filter(|t| well_formed(t)) {
        return Ok(Csrf { token: token.to_owned(), set_cookie: None });
    }
    let token = random_token()?;
    let flag = if secure { "; Secure" } else { "" };
    let set_cookie = Some(format!("{}={token}; Path=/; HttpOnly; SameSite=Strict{flag}", name(secure)));
    Ok(Csrf { token, set_cookie })
}

/// Refuses (403) a form whose `csrf` field is missing or is not its cookie.
pub fn check(headers: &HeaderMap, field: Option<&str>, secure: bool) -> Result<()> {
    let refused = || {
        Error::refused(
            Kind::Forbidden,
            "this form was not sent from its own page (its security token is missing or wrong); open the page again",
        )
    };
    let cookie = only_cookie(headers, name(secure)).filter(|t| well_formed(t)).ok_or_else(refused)?;
    let field = field.ok_or_else(refused)?;
    if field.len() == cookie.len() && bool::from(field.as_bytes().ct_eq(cookie.as_bytes())) {
        Ok(())
    } else {
        Err(refused())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_cookie(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("cookie", HeaderValue::from_str(&format!("x=1; {SECURE_COOKIE}={value}")).expect("a header"));
        h
    }

    #[test]
    fn a_form_passes_only_with_its_own_cookies_token() {
        let first = issue(&HeaderMap::new(), true).expect("a token");
        assert!(first.set_cookie.as_deref().is_some_and(|c| c.starts_with("__Host-charte_csrf=")
            && c.contains("SameSite=Strict")
            && c.contains("Secure")));
        let h = with_cookie(&first.token);
        let again = issue(&h, true).expect("a token");
        assert_eq!(again.token, first.token, "kept while the cookie is");
        assert!(again.set_cookie.is_none());
        assert!(check(&h, Some(&first.token), true).is_ok());
        assert!(check(&h, Some(&first.token), false).is_err(), "over http the cookie has its other name");
        let other = random_token().expect("a token");
        assert_ne!(other, first.token);
        for field in [None, Some(""), Some(other.as_str()), Some(&first.token[..21])] {
            let e = check(&h, field, true).expect_err("refused");
            assert_eq!(e.kind(), Kind::Forbidden);
        }
        assert_eq!(check(&HeaderMap::new(), Some(&first.token), true).expect_err("no cookie").kind(), Kind::Forbidden);
        // A second cookie of the same name (planted by a sibling site): refused.
        let mut two = with_cookie(&first.token);
        two.append("cookie", HeaderValue::from_str(&format!("{SECURE_COOKIE}={other}")).expect("a header"));
        assert!(check(&two, Some(&first.token), true).is_err());
        assert!(check(&two, Some(&other), true).is_err());
    }
}
