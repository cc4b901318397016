//! `/login` (fields `email`, `password`) and `/logout`: a session for an
//! account `charte users add` made. Wrong passwords are counted per
//! address and per visitor: past 10 for an address (30 for a visitor) in
//! 15 minutes, signing in is refused (429) until the window passes, even
//! with the right password, so that guessing costs an attacker hours.

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

/// Where to go after signing in: a path of this site only (never
/// `//other.site` nor an absolute URL).
fn next_of(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains(['\r', '\n']) => {
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
        if site.read(move |app| app.session(&token, now)).await?.is_some() {
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
    let address = form.email.trim().to_lowercase();
    let now = Instant::now();
    if site.logins_per_address.spent(&address, now) || site.logins_per_visitor.spent(&visitor, now) {
        return show(&site, choice, &headers, &form, Some(Kind::TooMany), StatusCode::TOO_MANY_REQUESTS).await;
    }
    let (email, password) = (form.email.clone(), form.password.clone());
    let at = now_unix();
    match site.read(move |app| app.login(&email, &password, at)).await {
        Ok(opened) => {
            let flag = if site.secure { "; Secure" } else { "" };
            let cookie = format!(
                "{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{flag}",
                session_cookie_name(site.secure),
                opened.token,
                opened.expires - at
            );
            let mut response = see_other(&next_of(form.next.as_deref()));
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(response)
        }
        Err(Failure(e)) if e.kind() == Kind::Unauthorized => {
            site.logins_per_address.failed(&address, now);
            site.logins_per_visitor.failed(&visitor, now);
            show(&site, choice, &headers, &form, Some(Kind::Unauthorized), StatusCode::UNAUTHORIZED).await
        }
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
    let flag = if site.secure { "; Secure" } else { "" };
    let cleared = format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{flag}", session_cookie_name(site.secure));
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
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil.example", "roster", ""] {
            assert_eq!(next_of(Some(bad)), "/", "{bad}");
        }
        assert_eq!(next_of(None), "/");
    }
}
