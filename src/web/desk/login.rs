//! `/login` (fields `email`, `password`) and `/logout`: a session for an
//! account `charte users add` made. Attempts are counted per address and
//! per visitor before the password is checked (so that attempts sent at
//! once are all counted), and given back when the password was right:
//! past 10 wrong for an address (30 for a visitor) in 15 minutes, signing
//! in is refused (429) until the window passes, even with the right
//! password, so that guessing costs an attacker hours. At most
//! [`CHECKS_AT_ONCE`] passwords are checked at a time (argon2 takes 19 MiB
//! each): a flood waits, then is refused, instead of filling the memory.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Viewer, check_csrf, csrf_field, now_unix, see_other, session_cookie_name, session_token};
use crate::Error;
use crate::error::Kind;
use crate::roster::Language;
use crate::web::{Choice, Failure, Site, guard, pages, render};

#[derive(Debug, askama::Template)]
#[template(path = "login.html")]
pub struct Login {
    pub page: pages::Page,
    pub csrf: String,
    pub email: String,
    pub next: String,
    /// What went wrong: wrong address or password, or too many tries.
    pub failed: Option<Kind>,
}

/// The largest sign-in form read (an address and a password fit in 16 KiB).
pub const FORM_LIMIT: usize = 16 * 1024;

/// Passwords checked at the same time, at most.
pub const CHECKS_AT_ONCE: usize = 2;

/// How long a sign-in waits for its turn to be checked before it is
/// refused as one too many.
const CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Where to go after signing in: a path of this site only. Only visible
/// ASCII, no backslash, one leading slash: browsers drop tabs and read a
/// backslash as a slash, so `/<tab>/evil.example` or `/\evil.example`
/// would lead to another site.
fn next_of(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct Asked {
    lang: Option<String>,
    next: Option<String>,
}

/// GET /login: the form (or, signed in already, where it leads).
pub async fn page(
    State(site): State<Arc<Site>>,
    Query(asked): Query<Asked>,
    headers: HeaderMap,
) -> std::result::Result<Response, Failure> {
    let next = next_of(asked.next.as_deref());
    if let Some(token) = session_token(&headers, site.secure) {
        let now = now_unix();
        if site.session(token, now).await?.is_some() {
            return Ok(see_other(&next));
        }
    }
    let form = LoginForm { email: String::new(), password: String::new(), csrf: None, next: Some(next) };
    show(&site, Choice { lang: asked.lang }, &headers, &form, None, StatusCode::OK).await
}

/// The sign-in page with `form`'s address kept, saying what `failed`.
async fn show(
    site: &Arc<Site>,
    choice: Choice,
    headers: &HeaderMap,
    form: &LoginForm,
    failed: Option<Kind>,
    status: StatusCode,
) -> std::result::Result<Response, Failure> {
    let csrf = guard::issue(headers, site.secure).map_err(Failure)?;
    let (page, language, chosen) = site.page(choice, headers.clone(), None).await?;
    let login =
        Login { page, csrf: csrf.token, email: form.email.clone(), next: next_of(form.next.as_deref()), failed };
    let mut response = render(&login, status, chosen, language);
    if let Some(c) = csrf.set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(response)
}

#[derive(Debug, serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    csrf: Option<String>,
    next: Option<String>,
}

/// POST /login.
pub async fn sign_in(
    State(site): State<Arc<Site>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(choice): Query<Choice>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> std::result::Result<Response, Failure> {
    guard::check(&headers, form.csrf.as_deref(), site.secure).map_err(Failure)?;
    let visitor = crate::web::sign::client_ip(peer, &headers);
    let address = crate::roster::import::plain_address(&form.email).unwrap_or_default().to_lowercase();
    let too_many = || show(&site, choice.clone(), &headers, &form, Some(Kind::TooMany), StatusCode::TOO_MANY_REQUESTS);
    // Counted before the check, both (an address no account has too), so
    // that attempts sent at once are all counted.
    let now = Instant::now();
    let allowed = site.logins_per_visitor.allow(&visitor, now);
    if !(allowed && site.logins_per_address.allow(&address, now)) {
        return too_many().await;
    }
    let wrong = || show(&site, choice.clone(), &headers, &form, Some(Kind::Unauthorized), StatusCode::UNAUTHORIZED);
    if address.is_empty() || form.password.chars().count() > crate::accounts::MAX_PASSWORD {
        return wrong().await;
    }
    let Ok(Ok(_turn)) = tokio::time::timeout(CHECK_WAIT, site.password_checks.acquire()).await else {
        return too_many().await;
    };
    let (password, at, address_key) = (form.password.clone(), now_unix(), address.clone());
    let previous = session_token(&headers, site.secure);
    let opened = site
        .read(move |app| {
            let opened = app.login(&address, &password, at)?;
            // The session this browser had ends: a sign-in never keeps one
            // that someone else may have planted or seen.
            if let Some(previous) = previous {
                app.logout(&previous, at)?;
            }
            Ok(opened)
        })
        .await;
    match opened {
        Ok(opened) => {
            // Only wrong passwords add up: ten sign-ins in a quarter hour
            // (several browsers, a shared account) lock nobody out.
            site.logins_per_address.forgive(&address_key, now);
            site.logins_per_visitor.forgive(&visitor, now);
            let cookie =
                guard::cookie(session_cookie_name(site.secure), &opened.token, Some(opened.expires - at), site.secure);
            let mut response = see_other(&next_of(form.next.as_deref()));
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(response)
        }
        Err(Failure(e)) if e.kind() == Kind::Unauthorized => wrong().await,
        Err(other) => Err(other),
    }
}

/// POST /logout (every role): the session ends, its cookie is cleared.
pub async fn sign_out(
    State(site): State<Arc<Site>>,
    viewer: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> std::result::Result<Response, Failure> {
    check_csrf(&viewer, csrf_field(&body).as_deref()).map_err(Failure)?;
    let token = session_token(&headers, site.secure).ok_or_else(|| Failure(not_signed_in()))?;
    let now = now_unix();
    site.read(move |app| app.logout(&token, now)).await?;
    let cleared = guard::cookie(session_cookie_name(site.secure), "", Some(0), site.secure);
    let lang = if viewer.lang == Language::Nl { "?lang=nl" } else { "" };
    let mut response = see_other(&format!("/login{lang}"));
    if let Ok(v) = HeaderValue::from_str(&cleared) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response.into_response())
}

fn not_signed_in() -> Error {
    Error::refused(Kind::Unauthorized, "not signed in")
}

#[cfg(test)]
mod tests {
    use super::next_of;

    #[test]
    fn after_signing_in_only_a_path_of_this_site() {
        assert_eq!(next_of(Some("/roster?state=signed")), "/roster?state=signed");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/\t\\evil",
            "/a b",
            "roster",
            "",
        ] {
            assert_eq!(next_of(Some(bad)), "/", "{bad}");
        }
        assert_eq!(next_of(None), "/");
    }
}
