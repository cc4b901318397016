//! CSRF tokens (DESIGN.md: every form that changes something carries one).
//!
//! A double-submit token: a random value kept in a cookie of the site's own
//! (HttpOnly, SameSite=Strict, so another site's form never carries it)
//! and repeated in a hidden field `csrf` of each form; a POST whose field
//! does not equal its cookie, compared in constant time, is refused (403).

use crate::error::Kind;
use crate::{Error, Result};
use axum::http::HeaderMap;

/// The cookie holding the token (over http, on this machine).
pub const COOKIE: &str = "charte_csrf";
/// Its name over https: the `__Host-` prefix makes browsers refuse it from
/// a sibling subdomain or over plain http (it must be Secure, Path=/, with
/// no Domain), so an attacker cannot plant a token of their choosing.
pub const SECURE_COOKIE: &str = "__Host-charte_csrf";

fn name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE } else { COOKIE }
}

/// The one cookie `name` the request carries, if it is a token
/// ([`crate::accounts::well_formed`]): None when it carries none, one that
/// is no token, or several (one of which a sibling site may have planted).
pub(crate) fn only_cookie<'a>(headers: &'a HeaderMap, name: &'a str) -> Option<&'a str> {
    let mut found = super::lang::cookies(headers, name);
    let first = found.next()?;
    found.next().is_none().then_some(first).filter(|t| well_formed(t))
}

/// A Set-Cookie value for this site's `name` (HttpOnly, SameSite=Strict,
/// Path=/; Secure over https, as the `__Host-` prefix requires), kept
/// `max_age` seconds (None: until the browser closes).
pub(crate) fn cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let age = max_age.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
    let flag = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{age}{flag}")
}

/// The token a page puts in its forms, and the cookie to set when the
/// visitor had none.
#[derive(Debug, Clone)]
pub struct Csrf {
    pub token: String,
    pub set_cookie: Option<String>,
}

pub use crate::accounts::random_token;
use crate::accounts::{same_token, well_formed};

/// The visitor's token (its cookie's), or a new one with its cookie.
/// `secure`: the site is served over https (the cookie then says Secure).
pub fn issue(headers: &HeaderMap, secure: bool) -> Result<Csrf> {
    if let Some(token) = only_cookie(headers, name(secure)) {
        return Ok(Csrf { token: token.to_owned(), set_cookie: None });
    }
    let token = random_token()?;
    let set_cookie = Some(cookie(name(secure), &token, None, secure));
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
    let cookie = only_cookie(headers, name(secure)).ok_or_else(refused)?;
    let field = field.ok_or_else(refused)?;
    if same_token(field, cookie) { Ok(()) } else { Err(refused()) }
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
