//! The coordinator's desk (DESIGN.md "The web application"; issue 19):
//! the pages behind `/login`, for the accounts `charte users` made.
//!
//! Who is asking is read once per request by the extractors here:
//! [`Viewer`] (any account), [`Coordinator`] (403 for a committee
//! account), [`Form`] and [`Upload`] (a POST: the session, the role and
//! the form's `csrf` field, checked before the handler runs). A page is an
//! askama struct with a [`Frame`] (the layout's navigation, the account,
//! the forms' token) and a template extending `desk/layout.html`.
//!
//! Sessions: 128 random bits in an HttpOnly, SameSite=Strict cookie
//! (`__Host-` and Secure over https), the store keeping only their
//! sha256 (crate::app::users). Each session has its own CSRF token,
//! which every form of the desk carries in its hidden field `csrf`.

pub mod documents;
pub mod elections;
pub mod expenses;
pub mod flags;
pub mod glance;
pub mod jobs;
pub(crate) mod login;
pub mod mail;
pub mod meetings;
pub mod reports;
pub mod returns;
pub mod roster;
pub mod runs;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts as RequestParts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::{Failure, Site, lang, pages};
use crate::accounts::Role;
use crate::app::App;
use crate::error::{Kind, MAX_DOCUMENT_BYTES};
use crate::roster::Language;
use crate::{Error, Result};

/// The session cookie (over http, on this machine).
pub const SESSION_COOKIE: &str = "charte_session";
/// Its name over https (see guard::SECURE_COOKIE for the `__Host-` prefix).
pub const SECURE_SESSION_COOKIE: &str = "__Host-charte_session";

/// The largest urlencoded form the desk reads (a charter's text fits).
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// The number a URL names (`/jobs/{id}`, `/returns/{id}/…`), taken as
/// text and read here, after the extractors that check the account and
/// the form: anything but a number is the site's own 404 page, as a
/// number nothing holds is (axum's `Path<i64>` answered a plain-text 400).
pub(crate) fn url_number<T: std::str::FromStr>(text: &str) -> std::result::Result<T, Failure> {
    text.parse().map_err(|_| Failure(Error::not_found(format!("'{text}' is not a number: no such page"))))
}

/// Whether an error refuses what the coordinator typed or chose, which
/// they can fix: the form's page again, saying why (422); any other error
/// is the site's error page. The one rule of every desk form.
pub(crate) fn fixable(kind: Kind) -> bool {
    matches!(kind, Kind::Invalid | Kind::NotFound)
}

/// The confirm block of an upload's preview (desk/confirm.html, one
/// shape for the roster, the expenses and the events): the form posted to
/// `action` with the hidden fields that bind it to the file previewed (its
/// staged id, sha256 and name, then the page's own), and its button's
/// words in French and Dutch.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub action: &'static str,
    pub hidden: Vec<(&'static str, String)>,
    pub button: (&'static str, &'static str),
}

impl Confirm {
    /// The form for the file staged as `id`, of `sha256`, named `name`.
    pub fn new(
        action: &'static str,
        button: (&'static str, &'static str),
        id: &str,
        sha256: &str,
        name: &str,
    ) -> Confirm {
        let hidden = vec![("id", id.to_owned()), ("sha256", sha256.to_owned()), ("name", name.to_owned())];
        Confirm { action, hidden, button }
    }

    /// With the hidden field `name`, of `value`.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Confirm {
        self.hidden.push((name, value.into()));
        self
    }
}

/// The session cookie's name on this site.
pub(crate) fn session_cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_SESSION_COOKIE } else { SESSION_COOKIE }
}

/// The request's session token: None without one, or with several (one of
/// which a sibling site may have planted).
pub(crate) fn session_token(headers: &HeaderMap, secure: bool) -> Option<String> {
    super::guard::only_cookie(headers, session_cookie_name(secure)).map(str::to_owned)
}

/// Unix seconds on the wall clock: sessions and rate limits run on it.
pub(crate) fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Who is asking, signed in: their address, role, the token their forms
/// carry, and the page's language (`?lang=`, else the remembered choice,
/// else Accept-Language, else the coordination's main language).
#[derive(Debug, Clone)]
pub struct Viewer {
    pub email: String,
    pub role: Role,
    pub csrf: String,
    pub lang: Language,
    /// `?lang=` was given: [`super::render`] remembers it in a cookie.
    pub chosen: bool,
    /// The page asked for, when it was asked for by a GET (its path and
    /// query, less `lang`): where the language links lead. A POST's answer
    /// has none: its links lead to its section's page.
    pub here: Option<String>,
}

/// A signed-in coordinator (a committee account is refused, 403).
#[derive(Debug, Clone)]
pub struct Coordinator(pub Viewer);

/// Where a visitor without a session is sent: the sign-in page, which
/// brings them back to `path` (a GET's own path and query) afterwards.
fn to_login(parts: &RequestParts) -> Response {
    let back = parts.uri.path_and_query().map(|p| p.as_str()).filter(|p| *p != "/" && parts.method == "GET");
    let target = match back {
        Some(p) => format!("/login?next={}", url_escape(p)),
        None => "/login".to_owned(),
    };
    Redirect::to(&target).into_response()
}

/// `s` as a URL's query value (RFC 3986 unreserved characters kept).
pub(crate) fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One parameter of a query string.
type Pair = (String, String);

/// The request's `lang` parameter, and its path and query less that
/// parameter (where the language links lead), from one reading of the query.
fn lang_and_here(parts: &RequestParts) -> (Option<String>, String) {
    let path = parts.uri.path().to_owned();
    let (lang, kept): (Vec<Pair>, Vec<Pair>) = parts
        .uri
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .unwrap_or_default()
        .into_iter()
        .partition(|(k, _)| k == "lang");
    let here = match serde_urlencoded::to_string(&kept) {
        Ok(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path,
    };
    (lang.into_iter().next().map(|(_, v)| v), here)
}

impl FromRequestParts<Arc<Site>> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut RequestParts, site: &Arc<Site>) -> std::result::Result<Viewer, Response> {
        let Some(token) = session_token(&parts.headers, site.secure) else { return Err(to_login(parts)) };
        let (chosen, here) = lang_and_here(parts);
        let picked = chosen.as_deref().and_then(lang::parse).is_some();
        let headers = parts.headers.clone();
        let now = now_unix();
        let found = site.session(token, now).await.map_err(IntoResponse::into_response)?;
        let Some((signed, main)) = found else { return Err(to_login(parts)) };
        let language = lang::choose(chosen.as_deref(), &headers, None, main);
        let here = (parts.method == axum::http::Method::GET).then_some(here);
        Ok(Viewer { email: signed.email, role: signed.role, csrf: signed.csrf, lang: language, chosen: picked, here })
    }
}

/// The refusal of a committee account's request for a coordinator's page
/// or action.
fn read_only() -> Error {
    Error::ReadOnly
}

impl FromRequestParts<Arc<Site>> for Coordinator {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut RequestParts,
        site: &Arc<Site>,
    ) -> std::result::Result<Coordinator, Response> {
        let viewer = Viewer::from_request_parts(parts, site).await?;
        if viewer.role != Role::Coordinator {
            return Err(Failure(read_only()).into_response());
        }
        Ok(Coordinator(viewer))
    }
}

/// Refuses (403) a form whose token is not its session's.
pub(crate) fn check_csrf(viewer: &Viewer, typed: Option<&str>) -> Result<()> {
    if typed.is_some_and(|t| crate::accounts::same_token(t, &viewer.csrf)) {
        Ok(())
    } else {
        Err(Error::refused(
            Kind::Forbidden,
            "this form was not sent from its own page (its security token is missing or wrong); open the page again",
        ))
    }
}

/// The one `csrf` field of an urlencoded body (None when missing or twice).
fn csrf_field(body: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    let mut found = pairs.into_iter().filter(|(k, _)| k == "csrf").map(|(_, v)| v);
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// A coordinator's urlencoded POST, checked (session, role, `csrf`), its
/// other fields read into `T`.
#[derive(Debug)]
pub struct Form<T>(pub Coordinator, pub T);

impl<T: DeserializeOwned + Send> FromRequest<Arc<Site>> for Form<T> {
    type Rejection = Response;

    async fn from_request(request: Request, site: &Arc<Site>) -> std::result::Result<Form<T>, Response> {
        let (mut parts, body) = request.into_parts();
        let Coordinator(viewer) = Coordinator::from_request_parts(&mut parts, site).await?;
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| Failure(Error::refused(Kind::TooLarge, "the form is larger than 2 MB")).into_response())?;
        check_csrf(&viewer, csrf_field(&bytes).as_deref()).map_err(|e| Failure(e).into_response())?;
        let fields = serde_urlencoded::from_bytes::<T>(&bytes)
            .map_err(|_| Failure(Error::refused(Kind::Invalid, "the form does not read")).into_response())?;
        Ok(Form(Coordinator(viewer), fields))
    }
}

/// A multipart form's fields and its one file.
#[derive(Debug, Default)]
pub struct Parts {
    pub fields: BTreeMap<String, String>,
    /// The file part: its name as sent, and its bytes.
    pub file: Option<(String, Vec<u8>)>,
}

/// A coordinator's multipart POST (an upload), checked as [`Form`] is:
/// the `csrf` part must come first, before anything else is read.
#[derive(Debug)]
pub struct Upload(pub Coordinator, pub Parts);

impl FromRequest<Arc<Site>> for Upload {
    type Rejection = Response;

    async fn from_request(request: Request, site: &Arc<Site>) -> std::result::Result<Upload, Response> {
        let (mut parts, body) = request.into_parts();
        let Coordinator(viewer) = Coordinator::from_request_parts(&mut parts, site).await?;
        let multipart = Multipart::from_request(Request::from_parts(parts, body), site)
            .await
            .map_err(|_| Failure(Error::refused(Kind::Invalid, "the upload form does not read")).into_response())?;
        let read = read_parts(multipart, &viewer).await.map_err(|e| Failure(e).into_response())?;
        Ok(Upload(Coordinator(viewer), read))
    }
}

async fn read_parts(mut multipart: Multipart, viewer: &Viewer) -> Result<Parts> {
    let unreadable = |_| Error::refused(Kind::Invalid, "the upload form does not read");
    let mut read = Parts::default();
    let mut checked = false;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        if !checked {
            // The token first: nothing else is read from a forged form.
            let typed = if name == "csrf" { Some(field.text().await.map_err(unreadable)?) } else { None };
            check_csrf(viewer, typed.as_deref())?;
            checked = true;
            continue;
        }
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            if read.file.is_some() {
                return Err(Error::refused(Kind::Invalid, "the form sends one file"));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if (bytes.len() + chunk.len()) as u64 > MAX_DOCUMENT_BYTES {
                    return Err(Error::refused(Kind::TooLarge, "a file is at most 20 MB"));
                }
                bytes.extend_from_slice(&chunk);
            }
            read.file = Some((file_name, bytes)).filter(|(_, b)| !b.is_empty());
        } else if read.fields.insert(name, field.text().await.map_err(unreadable)?).is_some() {
            return Err(Error::refused(Kind::Invalid, "a field of the form came twice"));
        }
    }
    if !checked {
        check_csrf(viewer, None)?;
    }
    Ok(read)
}

/// A page a handler answers with, at a status, in the viewer's language.
pub(crate) trait Shown {
    fn response(&self, status: StatusCode, chosen: bool, lang: Language) -> Response;
}

impl<T: askama::Template> Shown for T {
    fn response(&self, status: StatusCode, chosen: bool, lang: Language) -> Response {
        super::render(self, status, chosen, lang)
    }
}

/// The page `work` builds from an App opened to read (200).
pub(crate) async fn shown<P: Shown + Send + 'static>(
    site: Arc<Site>,
    viewer: Viewer,
    work: impl FnOnce(&App, &Viewer) -> Result<P> + Send + 'static,
) -> std::result::Result<Response, Failure> {
    let (chosen, lang) = (viewer.chosen, viewer.lang);
    let page = site.read(move |app| work(app, &viewer)).await?;
    Ok(page.response(StatusCode::OK, chosen, lang))
}

/// The page, and its status, `work` builds from an App opened to change
/// the workspace (one application-layer action).
pub(crate) async fn changed<P: Shown + Send + 'static>(
    site: Arc<Site>,
    viewer: Viewer,
    work: impl FnOnce(&mut App, &Viewer) -> Result<(StatusCode, P)> + Send + 'static,
) -> std::result::Result<Response, Failure> {
    let (chosen, lang) = (viewer.chosen, viewer.lang);
    let (status, page) = site.write(move |app| work(app, &viewer)).await?;
    Ok(page.response(status, chosen, lang))
}

/// What every desk page's layout shows.
#[derive(Debug, Clone)]
pub struct Frame {
    pub page: pages::Page,
    /// The signed-in account's address.
    pub email: String,
    /// A coordinator (else a committee account: the navigation shows only
    /// what it may read).
    pub coordinator: bool,
    /// The token every form of the page carries (field `csrf`).
    pub csrf: String,
    /// The page's place in the navigation: year, roster, charter,
    /// documents, returns, meetings, expenses, flags, reports, mail, runs
    /// (marked aria-current).
    pub section: &'static str,
    /// Where the language links lead (see [`Viewer::here`]).
    pub here: String,
}

impl Frame {
    pub fn new(app: &App, viewer: &Viewer, section: &'static str) -> Frame {
        Frame {
            page: pages::Page::new(app, viewer.lang),
            email: viewer.email.clone(),
            coordinator: viewer.role == Role::Coordinator,
            csrf: viewer.csrf.clone(),
            section,
            here: viewer.here.clone().unwrap_or_else(|| section_path(section).to_owned()),
        }
    }

    /// The link to this page in `lang` ("fr" or "nl").
    pub fn in_lang(&self, lang: &str) -> String {
        let join = if self.here.contains('?') { '&' } else { '?' };
        format!("{}{join}lang={lang}", self.here)
    }

    /// `aria-current="page"` for the navigation's item `section`.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section { " aria-current=\"page\"" } else { "" }
    }
}

/// The page of the navigation's item `section`.
fn section_path(section: &str) -> &'static str {
    match section {
        "roster" => "/roster",
        "charter" => "/charter",
        "documents" => "/documents",
        "returns" => "/returns",
        "flags" => "/flags",
        "reports" => "/reports",
        "meetings" => "/meetings",
        "expenses" => "/expenses",
        "mail" => "/mail",
        "runs" => "/runs",
        _ => "/",
    }
}

/// A day as Belgian tables write it: 30/11/2026 (both languages).
pub fn date(d: NaiveDate, _lang: Language) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A day the journal wrote (2026-11-30, or a time after it such as
/// 2026-11-30T09:12:00Z), as a Belgian reads it; as written when it does
/// not read as a day.
pub fn journal_date(at: &str, lang: Language) -> String {
    NaiveDate::parse_from_str(at.get(..10).unwrap_or_default(), "%Y-%m-%d")
        .map_or_else(|_| at.to_owned(), |d| date(d, lang))
}

/// An amount in euros as Belgians write it: 1 234,56 € (a narrow
/// no-break space between thousands, a comma before the cents).
pub fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{},{:02}\u{a0}€", number(cents.unsigned_abs() / 100), cents.unsigned_abs() % 100)
}

/// A count as Belgians write it: 10 000 (a narrow no-break space between
/// thousands).
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    grouped
}

/// A response sending the visitor on to `to` after a form (303).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")))])
        .into_response()
}

/// The desk's routes: signing in and out, and each part's pages.
pub fn routes() -> Router<Arc<Site>> {
    Router::new()
        .route(
            "/login",
            get(login::page).post(login::sign_in).layer(axum::extract::DefaultBodyLimit::max(login::FORM_LIMIT)),
        )
        .route("/logout", axum::routing::post(login::sign_out))
        .merge(glance::routes())
        .merge(roster::routes())
        .merge(documents::routes())
        .merge(returns::routes())
        .merge(elections::routes())
        .merge(meetings::routes())
        .merge(flags::routes())
        .merge(mail::routes())
        .merge(runs::routes())
        .merge(expenses::routes())
        .merge(reports::routes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_are_written_the_belgian_way() {
        assert_eq!(amount(123_456), "1\u{202f}234,56\u{a0}€");
        assert_eq!(amount(5), "0,05\u{a0}€");
        assert_eq!(amount(-100_000_000), "-1\u{202f}000\u{202f}000,00\u{a0}€");
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
        assert_eq!(date(d, Language::Nl), "01/03/2026");
        assert_eq!(journal_date("2026-03-01T09:12:00Z", Language::Fr), "01/03/2026");
        assert_eq!(journal_date("2026-03-01", Language::Nl), "01/03/2026");
        assert_eq!(journal_date("soon", Language::Nl), "soon");
    }

    #[test]
    fn a_forms_token_is_read_once() {
        assert_eq!(csrf_field(b"a=1&csrf=abc").as_deref(), Some("abc"));
        assert_eq!(csrf_field(b"csrf=abc&csrf=abc"), None, "twice");
        assert_eq!(csrf_field(b"a=1"), None);
        assert_eq!(url_escape("/roster?state=signed&x=é"), "/roster%3Fstate%3Dsigned%26x%3D%C3%A9");
    }
}
