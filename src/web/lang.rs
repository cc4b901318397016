//! Which language a page speaks (DESIGN.md "The web application"): the
//! visitor's choice (`?lang=fr|nl`, then remembered in a cookie), else what
//! the page is about (an organisation's own language on its signing page),
//! else the browser's Accept-Language, else the coordination's main one.

use crate::roster::Language;
use axum::http::{HeaderMap, header};

/// The cookie that remembers the visitor's choice.
pub const COOKIE: &str = "charte_lang";

/// `fr` or `nl` (any case, with a region: `nl-BE`), else None.
pub fn parse(code: &str) -> Option<Language> {
    let base = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    match base.as_str() {
        "fr" => Some(Language::Fr),
        "nl" => Some(Language::Nl),
        _ => None,
    }
}

/// The first of French or Dutch in an Accept-Language header, by quality
/// then order (`nl-BE,nl;q=0.9,fr;q=0.8` → Dutch).
pub fn accepted(header: &str) -> Option<Language> {
    let mut offers: Vec<(u16, usize, Language)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let lang = parse(pieces.next()?)?;
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some(((q.clamp(0.0, 1.0) * 1000.0) as u16, i, lang))
        })
        .collect();
    offers.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    offers.first().map(|o| o.2)
}

/// Every value of the cookie `name` in the request's Cookie headers.
pub fn cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// A cookie's (first) value in the request's Cookie headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &'a str) -> Option<&'a str> {
    cookies(headers, name).next()
}

/// The language of a page: `chosen` (the query), else the cookie, else
/// `own` (what the page is about), else Accept-Language, else `main`.
pub fn choose(chosen: Option<&str>, headers: &HeaderMap, own: Option<Language>, main: Language) -> Language {
    chosen
        .and_then(parse)
        .or_else(|| cookie(headers, COOKIE).and_then(parse))
        .or(own)
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(accepted))
        .unwrap_or(main)
}

/// The Set-Cookie value remembering `lang` for a year (read by pages only:
/// HttpOnly; SameSite=Lax so a link from a mail keeps it).
pub fn remember(lang: Language) -> String {
    format!("{COOKIE}={}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax", lang.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(*n, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn accept_language_is_read_by_quality_then_order() {
        assert_eq!(accepted("nl-BE,nl;q=0.9,fr;q=0.8"), Some(Language::Nl));
        assert_eq!(accepted("en-GB,en;q=0.9,fr;q=0.5,nl;q=0.4"), Some(Language::Fr));
        assert_eq!(accepted("de, fr;q=0, nl;q=0.1"), Some(Language::Nl), "q=0 is a refusal");
        assert_eq!(accepted("en, de"), None);
        assert_eq!(accepted("FR-be"), Some(Language::Fr));
    }

    #[test]
    fn the_visitors_choice_comes_first_then_the_pages_own_then_the_browser() {
        let h = headers(&[("accept-language", "nl"), ("cookie", "a=b; charte_lang=fr")]);
        assert_eq!(choose(Some("nl"), &h, Some(Language::Fr), Language::Fr), Language::Nl);
        assert_eq!(choose(None, &h, Some(Language::Nl), Language::Nl), Language::Fr, "the cookie");
        let h = headers(&[("accept-language", "fr")]);
        assert_eq!(choose(None, &h, Some(Language::Nl), Language::Fr), Language::Nl, "the organisation's");
        assert_eq!(choose(None, &h, None, Language::Nl), Language::Fr, "the browser's");
        assert_eq!(choose(Some("de"), &HeaderMap::new(), None, Language::Nl), Language::Nl, "the main one");
    }
}
