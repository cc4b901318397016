//! The web application (`charte serve`, DESIGN.md "The web application"):
//! one process over one workspace, beside the command line.
//!
//! A handler is as thin as a command of the command line: it turns the
//! request into a typed input, calls the application layer ([`crate::app`])
//! on a blocking thread (SQLite and the file system are synchronous), and
//! renders the outcome. The error kind decides the status in one place
//! ([`Failure`]); a response never carries an internal message, a path or a
//! stack trace. Every response carries the security headers
//! ([`security_headers`]); every request is logged as one JSON line on
//! standard error with its route (never the raw path: signing tokens are in
//! it), its status and its duration, and nothing personal.

pub mod desk;
pub mod guard;
pub mod lang;
pub mod limit;
pub mod pages;
mod sign;
mod upload;

use crate::app::App;
use crate::roster::Language;
use crate::{Error, Result};
use axum::Router;
use axum::extract::{MatchedPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// The largest request body accepted: a returned document is at most 20 MB
/// (DESIGN.md), with room for the form around it.
pub const BODY_LIMIT: usize = 21 * 1024 * 1024;

/// What every handler shares.
#[derive(Debug)]
pub struct Site {
    /// The workspace folder.
    pub dir: PathBuf,
    /// The day the server acts on when pinned (`serve --now D`, a replay
    /// workspace); else the machine's date, read at each request.
    pub pinned: Option<NaiveDate>,
    /// Served over https (`[serve] public_url`): cookies say Secure.
    pub secure: bool,
    /// Codes asked for one link, one organisation's address, one visitor.
    pub codes_per_link: limit::Limit,
    pub codes_per_address: limit::Limit,
    pub codes_per_visitor: limit::Limit,
    /// Codes typed by one visitor.
    pub tries_per_visitor: limit::Limit,
    /// Files uploaded through one link.
    pub uploads_per_link: limit::Limit,
    /// Wrong passwords typed for one address, and by one visitor.
    pub logins_per_address: limit::Limit,
    pub logins_per_visitor: limit::Limit,
    /// Passwords being checked right now (desk::login::CHECKS_AT_ONCE).
    pub password_checks: tokio::sync::Semaphore,
    /// The desk's long work under way or just ended ([`desk::jobs`]).
    pub jobs: Arc<desk::jobs::Jobs>,
    /// How mail leaves, beyond charte.toml (the SMTP password's variable,
    /// a private CA, the retry delay): read from the environment once, by
    /// the server, as the command line does.
    pub options: crate::app::Options,
    /// The server runs the workflows once a day (`[serve] daily_run`);
    /// false: `serve --no-daily-run`, only on demand from the page.
    pub daily_run: bool,
    /// charte.toml as last read, with the file's modification time and
    /// length when it was ([`Site::app`]).
    config: std::sync::Mutex<Option<ConfigStamp>>,
}

/// A parsed charte.toml and the (modification time, length) it was read at.
type ConfigStamp = ((Option<std::time::SystemTime>, u64), crate::config::Config);

impl Site {
    /// The site over the workspace `dir` (its `[serve]` settings read now).
    pub fn new(dir: PathBuf, pinned: Option<NaiveDate>) -> Result<Site> {
        let app = App::open(&dir, pinned.unwrap_or_else(crate::time::today))?;
        app.purge_staged(crate::app::roster_upload::KEPT)?;
        let secure = app.ws.config.serve.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
        // Hashed now, not at the first sign-in for an unknown address
        // (which would take longer than the others, and so tell).
        crate::accounts::decoy_hash();
        let minutes = |n: u64| std::time::Duration::from_secs(60 * n);
        Ok(Site {
            dir,
            pinned,
            secure,
            codes_per_link: limit::Limit::new(5, minutes(15)),
            codes_per_address: limit::Limit::new(10, minutes(60)),
            codes_per_visitor: limit::Limit::new(20, minutes(60)),
            tries_per_visitor: limit::Limit::new(30, minutes(10)),
            uploads_per_link: limit::Limit::new(10, minutes(60)),
            logins_per_address: limit::Limit::new(10, minutes(15)),
            logins_per_visitor: limit::Limit::new(30, minutes(15)),
            password_checks: tokio::sync::Semaphore::new(desk::login::CHECKS_AT_ONCE),
            jobs: Arc::default(),
            options: crate::app::Options::from_env(),
            daily_run: true,
            config: std::sync::Mutex::default(),
        })
    }
}

impl Site {
    /// The day a request acts on.
    pub fn today(&self) -> NaiveDate {
        self.pinned.unwrap_or_else(crate::time::today)
    }

    /// The workspace opened for one request on today's date, with the
    /// server's mail options (the SMTP password's variable read at start:
    /// code mails and jobs send as the command line does), charte.toml
    /// parsed again only when the file changed.
    pub(crate) fn app(&self) -> Result<App> {
        let Some(config) = self.with_config(Clone::clone)? else {
            // No charte.toml: the workspace's own refusal says what to do.
            return App::open(&self.dir, self.today());
        };
        Ok(App::open_with(&self.dir, self.today(), config)?.with_options(self.options.clone()))
    }

    /// `f` of charte.toml as it is now (read again only when the file
    /// changed); None when there is no such file.
    pub(crate) fn with_config<T>(&self, f: impl FnOnce(&crate::config::Config) -> T) -> Result<Option<T>> {
        let path = self.dir.join(crate::workspace::CONFIG_FILE);
        let Some(stamp) = std::fs::metadata(&path).ok().map(|m| (m.modified().ok(), m.len())) else {
            return Ok(None);
        };
        let mut held = self.config.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if held.as_ref().is_none_or(|(s, _)| *s != stamp) {
            *held = Some((stamp, crate::config::Config::load(&path)?));
        }
        Ok(held.as_ref().map(|(_, config)| f(config)))
    }

    /// Who is signed in with the session `token` at `now`, and the
    /// coordination's main language: read from the journal's store alone
    /// (every desk request asks, before its page opens the workspace).
    pub(crate) async fn session(
        self: &Arc<Self>,
        token: String,
        now: i64,
    ) -> std::result::Result<Option<(crate::app::users::SignedIn, Language)>, Failure> {
        let site = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let Some((replay, main)) = site.with_config(|c| (c.workspace.replay, c.coordination.main_language()))?
            else {
                return Ok(None);
            };
            let store = crate::journal::Store::open(
                &site.dir.join(crate::workspace::DB_FILE),
                crate::journal::Clock::new(replay),
            )?;
            Ok(crate::app::users::session(&store, &token, now)?.map(|s| (s, main)))
        })
        .await
        .map_err(|e| Failure(Error::internal(format!("a request's work stopped: {e}"))))?
        .map_err(Failure)
    }

    /// Runs `work` with an application opened to change the workspace, on
    /// a blocking thread.
    pub(crate) async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut App) -> Result<T> + Send + 'static,
    ) -> std::result::Result<T, Failure> {
        let site = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut app = site.app()?;
            app.ws.check_date(app.today)?;
            work(&mut app)
        })
        .await
        .map_err(|e| Failure(Error::internal(format!("a request's work stopped: {e}"))))?
        .map_err(Failure)
    }

    /// Runs `work` with an application opened to read, on a blocking thread.
    pub(crate) async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&App) -> Result<T> + Send + 'static,
    ) -> std::result::Result<T, Failure> {
        let site = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let app = site.app()?;
            work(&app)
        })
        .await
        .map_err(|e| Failure(Error::internal(format!("a request's work stopped: {e}"))))?
        .map_err(Failure)
    }
}

impl Site {
    /// What a page's layout shows, in the language [`lang::choose`] gives
    /// (`own`: what the page is about), and whether the visitor chose it.
    async fn page(
        self: &Arc<Self>,
        choice: Choice,
        headers: HeaderMap,
        own: Option<Language>,
    ) -> std::result::Result<(pages::Page, Language, bool), Failure> {
        let chosen = choice.lang.as_deref().and_then(lang::parse).is_some();
        self.read(move |app| {
            let main = app.ws.config.coordination.main_language();
            let language = lang::choose(choice.lang.as_deref(), &headers, own, main);
            Ok((pages::Page::new(app, language), language, chosen))
        })
        .await
    }
}

/// The application's routes over `site`, with the security headers, the
/// body limit and the request log.
pub fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/verify", get(verify_page))
        .route("/verify.js", get(verify_script))
        .route("/verify.css", get(verify_style))
        .route("/healthz", get(healthz))
        .route("/privacy", get(privacy))
        .route("/site.css", get(site_style))
        .route("/s/{token}", get(sign::page))
        .route("/s/{token}/document.pdf", get(sign::document))
        .route("/s/{token}/code", axum::routing::post(sign::send_code))
        .route("/s/{token}/sign", axum::routing::post(sign::sign))
        .route("/s/{token}/upload", axum::routing::post(upload::upload))
        .merge(desk::routes())
        .fallback(not_found)
        .with_state(site)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(refuse_large))
        .layer(middleware::from_fn(own_error_pages))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(log_request))
}

/// Serves `site` on `listen` until Ctrl-C or SIGTERM, then lets the
/// requests under way finish (a request never leaves the workspace
/// half-changed: each change is one transaction of the application layer).
/// `ready` is told the address actually bound (with port 0, the one the
/// system chose).
/// ([`Site::new`] opened the workspace: a wrong folder was said before.)
pub fn serve(site: Site, listen: &str, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the server's runtime: {e}")))?;
    let site = Arc::new(site);
    let jobs = Arc::clone(&site.jobs);
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| Error::usage(format!("--listen {listen}: cannot listen there ({e})")))?;
        let addr = listener.local_addr().map_err(|e| Error::internal(e.to_string()))?;
        if site.daily_run {
            // Ends with the runtime; a run under way finishes as any job does (below).
            tokio::spawn(desk::runs::scheduler(Arc::clone(&site)));
        }
        ready(addr);
        axum::serve(listener, router(site).into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| Error::internal(format!("the server stopped: {e}")))
    });
    // The desk's job under way (issuing, mailing) finishes too, within
    // systemd's default 90 s stop timeout; what it did not reach stays to
    // do (each chunk is journaled whole), said in the log.
    if jobs.running().is_some() {
        eprintln!("{}", serde_json::json!({"stopping": "waiting for the job under way to finish"}));
        if !jobs.wait_idle(std::time::Duration::from_secs(80)) {
            eprintln!(
                "{}",
                serde_json::json!({"stopping": "the job under way did not finish: what it did is journaled, run it again for the rest"})
            );
        }
    }
    served
}

/// Ctrl-C, or SIGTERM (systemd's stop).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// The headers every response carries: no inline script, no framing, no
/// referrer (signing tokens are in URLs), no type sniffing.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    response
}

/// A request announcing a body over [`BODY_LIMIT`] is refused (413) before
/// a byte of it is read; one that does not announce its length is cut off
/// at the limit as it is read ([`axum::extract::DefaultBodyLimit`]).
async fn refuse_large(request: Request, next: Next) -> Response {
    let announced =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Failure(Error::refused(crate::error::Kind::TooLarge, "the request is larger than 21 MB"))
            .into_response();
    }
    next.run(request).await
}

/// axum's own refusals (a query or form that does not read, a body cut at
/// the limit, a path that is not UTF-8) are plain text naming internals:
/// they become the site's error page for their status.
async fn own_error_pages(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    // Plain text, or nothing at all (axum's 405 has no body).
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    if !(status.is_client_error() && plain) {
        return response;
    }
    let kind = match status.as_u16() {
        404 => crate::error::Kind::NotFound,
        413 => crate::error::Kind::TooLarge,
        _ => crate::error::Kind::Invalid,
    };
    let error = Error::refused(kind, "the request does not read");
    let (fr, nl) = words(status.as_u16(), &error);
    (status, Html(plain_page(status.as_u16(), fr, nl))).into_response()
}

/// One JSON line per request on standard error: the route as declared
/// (`/s/{token}`, never the token), the method, the status, the duration.
/// No address, no user agent, no query: nothing personal, nothing secret.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "(unknown)".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let line = serde_json::json!({
        "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "method": method,
        "route": route,
        "status": response.status().as_u16(),
        "ms": started.elapsed().as_secs_f64() * 1000.0,
    });
    eprintln!("{line}");
    response
}

/// An error as a response: its kind decides the status, and the visitor
/// reads a sentence that names nothing internal (the message goes to the
/// log, for the coordinator).
#[derive(Debug)]
pub struct Failure(pub Error);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.kind().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        eprintln!("{}", serde_json::json!({"error": status.as_u16(), "kind": format!("{:?}", self.0.kind())}));
        let (fr, nl) = words(status.as_u16(), &self.0);
        (status, Html(plain_page(status.as_u16(), fr, nl))).into_response()
    }
}

/// What an error page says for `status` (and, for a 403, whether the
/// account is a committee's), in French and Dutch.
fn words(status: u16, error: &Error) -> (&'static str, &'static str) {
    match status {
        404 => ("Cette page n'existe pas.", "Deze pagina bestaat niet."),
        403 if matches!(error, Error::ReadOnly) => (
            "Votre compte est celui du comité : il permet de consulter les signalements, les lettres et les \
             rapports, pas de modifier. Demandez à la coordination de faire ce changement.",
            "Uw account is dat van het comité: het laat toe de signalen, de brieven en de verslagen te \
             raadplegen, niet om te wijzigen. Vraag de coördinatie om deze wijziging te doen.",
        ),
        405 => (
            "Cette adresse ne s'ouvre pas ainsi : revenez à la page précédente ou à l'accueil.",
            "Dit adres opent zo niet: ga terug naar de vorige pagina of naar het begin.",
        ),
        403 => (
            "Ce formulaire n'a pas été envoyé depuis sa page : rouvrez la page et recommencez.",
            "Dit formulier werd niet vanaf zijn pagina verstuurd: open de pagina opnieuw en begin opnieuw.",
        ),
        413 => (
            "Ce fichier est trop volumineux : un document renvoyé fait au plus 20 Mo.",
            "Dit bestand is te groot: een teruggestuurd document is hoogstens 20 MB.",
        ),
        429 => (
            "Trop de tentatives en peu de temps : attendez quelques minutes avant de réessayer.",
            "Te veel pogingen in korte tijd: wacht enkele minuten voor u het opnieuw probeert.",
        ),
        503 => (
            "Le service est momentanément occupé : réessayez dans un instant.",
            "De dienst is even bezet: probeer het zo meteen opnieuw.",
        ),
        _ => (
            "Une erreur s'est produite : la demande n'a pas abouti et rien n'a été modifié. Réessayez, ou \
             prévenez la coordination.",
            "Er liep iets mis: de aanvraag werd niet uitgevoerd en er werd niets gewijzigd. Probeer het opnieuw, \
             of verwittig de coördinatie.",
        ),
    }
}

/// A minimal page in both languages, for errors.
fn plain_page(status: u16, fr: &str, nl: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{status}</title></head>\n<body>\n<main>\n\
         <p>{fr}</p>\n<p lang=\"nl\">{nl}</p>\n</main>\n</body>\n</html>\n"
    )
}

async fn not_found() -> Failure {
    Failure(Error::not_found("no such page"))
}

/// The verification page, loading its script and style as assets.
async fn verify_page(State(site): State<Arc<Site>>) -> std::result::Result<Html<String>, Failure> {
    let html = site
        .read(|app| {
            let held = app.verify_page_held()?;
            crate::verify_page::page(
                &held,
                crate::verify_page::Assets::Linked { script: "/verify.js", style: "/verify.css" },
            )
        })
        .await?;
    Ok(Html(html))
}

/// Renders an askama page, with the cookie remembering the language when
/// the visitor chose one (`?lang=`).
pub(crate) fn render(template: &impl askama::Template, status: StatusCode, chosen: bool, lang: Language) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            if chosen && let Ok(v) = HeaderValue::from_str(&lang::remember(lang)) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            response
        }
        Err(e) => Failure(Error::internal(format!("a page could not be rendered: {e}"))).into_response(),
    }
}

/// `?lang=fr|nl`: the visitor's choice of language.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct Choice {
    pub(crate) lang: Option<String>,
}

async fn privacy(
    State(site): State<Arc<Site>>,
    Query(choice): Query<Choice>,
    headers: HeaderMap,
) -> std::result::Result<Response, Failure> {
    let (page, language, chosen) = site.page(choice, headers, None).await?;
    Ok(render(&pages::Privacy { page }, StatusCode::OK, chosen, language))
}

async fn site_style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], pages::STYLE)
}

async fn verify_script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], crate::verify_page::SCRIPT)
}

async fn verify_style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], crate::verify_page::STYLE)
}

/// 200 and the journal's head: for monitoring.
async fn healthz(State(site): State<Arc<Site>>) -> std::result::Result<Response, Failure> {
    let head = site.read(|app| app.ws.store.head()).await?;
    let body = serde_json::json!({"status": "ok", "journal": {"entries": head.seq, "head": head.hash}});
    Ok(([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response())
}
