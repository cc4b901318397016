//! The desk's documents (`/documents`): each organisation's adherence
//! document of the charter in force and what became of it
//! ([`App::adherence_documents`]), its PDF (`/documents/ID.pdf`), and the
//! two long actions, issuing ([`App::issue`], what `charte issue --all`
//! does) and mailing ([`App::mail_documents`], the adhesion workflow's
//! issue and send steps), each run as a background job ([`super::jobs`])
//! whose page (`/jobs/ID`) says how far it got, then what it did.

use super::jobs::{Ended, Snapshot, Summary, Work};
use super::{Coordinator, Form, Frame, date, journal_date};
use crate::app::App;
use crate::app::documents::Row;
use crate::app::issue::Which;
use crate::error::Kind;
use crate::roster::Language;
use crate::web::{Failure, Site, render};
use crate::{Error, Result};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::sync::Arc;

pub fn routes() -> Router<Arc<Site>> {
    Router::new()
        .route("/documents", get(page))
        .route("/documents/issue", post(issue))
        .route("/documents/mail", post(mail))
        .route("/documents/{file}", get(pdf))
        .route("/jobs/{id}", get(job))
}

/// One organisation's row, in the page's words.
#[derive(Debug, Clone)]
pub struct RowView {
    pub name: String,
    pub number: String,
    pub language: &'static str,
    /// Its document's id and day of issue.
    pub document: Option<(String, String)>,
    pub mailed: Option<String>,
    pub reminded: Option<String>,
    /// The day its signature was collected, and how it came.
    pub signed: Option<(String, &'static str)>,
    pub waiting: bool,
}

impl RowView {
    fn new(r: Row, lang: Language) -> RowView {
        let days: Vec<String> = r.reminded.iter().map(|d| date(*d, lang)).collect();
        RowView {
            document: r.document.map(|d| (d.document_id, date(d.issued, lang))),
            mailed: r.mailed.map(|d| date(d, lang)),
            reminded: (!days.is_empty()).then(|| days.join(", ")),
            signed: r.signed.map(|(day, method)| (journal_date(&day, lang), method_words(&method, lang))),
            waiting: r.waiting,
            language: r.language.code(),
            name: r.name,
            number: r.enterprise_number,
        }
    }
}

/// How a signature came, in words.
pub(crate) fn method_words(method: &str, lang: Language) -> &'static str {
    let fr = lang == Language::Fr;
    match method {
        "own-key" if fr => "clé de l'organisation",
        "own-key" => "sleutel van de organisatie",
        "pades" if fr => "PDF signé (eID ou certificat)",
        "pades" => "ondertekende pdf (eID of certificaat)",
        "web" if fr => "signature en ligne",
        "web" => "online handtekening",
        _ if fr => "papier scanné",
        _ => "ingescand papier",
    }
}

#[derive(Debug, Template)]
#[template(path = "desk/documents.html")]
pub struct DocumentsPage {
    pub f: Frame,
    pub version: String,
    pub rows: Vec<RowView>,
    pub without_document: usize,
    pub not_mailed: usize,
    /// The job running now (its page), if one is.
    pub running: Option<u64>,
}

/// GET /documents.
async fn page(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
) -> std::result::Result<Response, Failure> {
    let running = site.jobs.running();
    super::shown(site, viewer, move |app, viewer| {
        let overview = app.adherence_documents()?;
        Ok(DocumentsPage {
            f: Frame::new(app, viewer, "documents"),
            running,
            without_document: overview.without_document(),
            not_mailed: overview.not_mailed(),
            version: overview.version,
            rows: overview.rows.into_iter().map(|r| RowView::new(r, viewer.lang)).collect(),
        })
    })
    .await
}

/// A form with nothing but its CSRF token (read by the extractor).
#[derive(Debug, serde::Deserialize)]
pub struct Nothing {}

/// POST /documents/issue: issues the documents that are due, as a job.
async fn issue(State(site): State<Arc<Site>>, Form(_, Nothing {}): Form<Nothing>) -> Result<Redirect, Failure> {
    start(&site, Work::Issue, |app| {
        let o = app.issue(&Which::All)?;
        Ok(Summary {
            issued: o.issued,
            unchanged: o.unchanged,
            restored: o.restored,
            failed: o.failed,
            ..Summary::default()
        })
    })
}

/// POST /documents/mail: mails the documents that are due, as a job.
async fn mail(State(site): State<Arc<Site>>, Form(_, Nothing {}): Form<Nothing>) -> Result<Redirect, Failure> {
    start(&site, Work::Mail, |app| {
        let o = app.mail_documents()?;
        Ok(Summary { ready: o.ready, mailed: o.mailed, failed: o.failed, ..Summary::default() })
    })
}

/// Starts `work` as a job on an App of its own, fed its progress, and
/// sends the browser to the job's page (the running job's, when one runs:
/// then saying what was asked, which its page says was not started).
fn start(
    site: &Arc<Site>,
    kind: Work,
    work: impl FnOnce(&mut App) -> Result<Summary> + Send + 'static,
) -> Result<Redirect, Failure> {
    let (id, started) = super::jobs::launch(site, kind, work).map_err(Failure)?;
    if started {
        return Ok(Redirect::to(&format!("/jobs/{id}")));
    }
    // Another job runs: its page, saying what was asked was not started
    // (when that job is not the same work, see JobPage::not_started).
    Ok(Redirect::to(&format!("/jobs/{id}?asked={}", kind.code())))
}

/// GET /documents/ID.pdf: an issued document, by the id the journal holds.
async fn pdf(
    State(site): State<Arc<Site>>,
    Coordinator(_): Coordinator,
    Path(file): Path<String>,
) -> std::result::Result<Response, Failure> {
    let Some(id) = file.strip_suffix(".pdf").map(str::to_owned) else {
        return Err(Failure(Error::not_found("no such page")));
    };
    let file = site.read(move |app| app.document_file(&id)).await?;
    Ok(attachment(file, false))
}

/// A file for the browser: a PDF shown in it (`inline`) or saved.
pub(crate) fn attachment(file: crate::app::documents::File, inline: bool) -> Response {
    let kind = if file.pdf {
        "application/pdf"
    } else if file.bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if file.bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else {
        "application/octet-stream"
    };
    let how = if inline && kind != "application/octet-stream" { "inline" } else { "attachment" };
    // The name is the document's id (and a return's number): no visitor's text.
    let disposition = format!("{how}; filename=\"{}\"", file.name.replace(['"', '\\'], "_"));
    ([(header::CONTENT_TYPE, kind.to_owned()), (header::CONTENT_DISPOSITION, disposition)], file.bytes).into_response()
}

/// A job's page, in words.
#[derive(Debug, Template)]
#[template(path = "desk/job.html")]
pub struct JobPage {
    pub f: Frame,
    pub id: u64,
    /// The page reloads itself while the job runs (not after `?auto=off`).
    pub auto: bool,
    pub mail: bool,
    /// Mail waits in out/outbox/ (`[mail] transport = "outbox"`): handed
    /// over, not yet received.
    pub outbox: bool,
    pub running: bool,
    /// The stage under way: issuing (else mailing).
    pub issuing: bool,
    pub done: u64,
    pub len: u64,
    pub summary: Option<Summary>,
    /// The coordinator asked for other work while this job ran: it was
    /// not started (true: the mailing; false: the issuing).
    pub not_started: Option<bool>,
    /// `&asked=…` kept by the page's own links while it says so.
    pub asked: &'static str,
    /// Why it stopped, in the page's language, and the detail.
    pub stopped: Option<(&'static str, String)>,
}

/// `?auto=off`: the job's page without its automatic refresh.
#[derive(Debug, serde::Deserialize)]
pub struct Auto {
    auto: Option<String>,
    /// `?asked=issue|mail`: the work asked for while this job ran.
    asked: Option<String>,
}

/// How often a running job's page reloads itself, in seconds.
const REFRESH_SECONDS: &str = "2";

/// GET /jobs/ID: how far the job got, reloading itself while it runs.
///
/// The reload is the HTTP `Refresh` header, which browsers follow as they
/// follow `<meta http-equiv="refresh">` (no script: the CSP allows none);
/// not the meta element, which axe-core's WCAG 2.1 rule refuses (a page
/// that reloads itself interrupts a screen reader: WCAG 2.2.1). What makes
/// it acceptable is the page's first control, a link that stops it
/// (`?auto=off`, then a link to look again and one to resume).
async fn job(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Path(id): Path<String>,
    Query(auto): Query<Auto>,
) -> std::result::Result<Response, Failure> {
    let id: u64 = super::url_number(&id)?;
    let Some(snapshot) = site.jobs.get(id) else {
        return Err(Failure(Error::not_found(format!("there is no job {id} (a restart forgets them)"))));
    };
    let (lang, chosen) = (viewer.lang, viewer.chosen);
    let (f, outbox) = site
        .read(move |app| {
            let outbox = app.ws.config.mail_to_outbox();
            Ok((Frame::new(app, &viewer, "documents"), outbox))
        })
        .await?;
    let asked = auto.asked.as_deref().and_then(Work::from_code);
    let mut page = job_page(f, snapshot, lang, auto.auto.as_deref() != Some("off"), asked);
    page.outbox = outbox;
    let mut response = render(&page, StatusCode::OK, chosen, lang);
    if page.running && page.auto {
        response.headers_mut().insert(header::REFRESH, header::HeaderValue::from_static(REFRESH_SECONDS));
    }
    Ok(response)
}

fn job_page(f: Frame, s: Snapshot, lang: Language, auto: bool, asked: Option<Work>) -> JobPage {
    let (summary, stopped) = match s.ended {
        Some(Ended::Done(summary)) => (Some(summary), None),
        Some(Ended::Stopped { kind, message }) => (None, Some((stopped_words(kind, lang), message))),
        None => (None, None),
    };
    JobPage {
        f,
        id: s.id,
        auto,
        mail: s.work == Work::Mail,
        outbox: false,
        running: summary.is_none() && stopped.is_none(),
        issuing: s.what == "documents" || s.what.is_empty(),
        done: s.done,
        len: s.len,
        summary,
        asked: match asked.filter(|w| *w != s.work) {
            Some(Work::Mail) => "&asked=mail",
            Some(Work::Issue) => "&asked=issue",
            Some(Work::Outbox) => "&asked=outbox",
            Some(Work::Run) => "&asked=run",
            None => "",
        },
        not_started: asked.filter(|w| *w != s.work).map(|w| w == Work::Mail),
        stopped,
    }
}

/// Why a job stopped, by the kind of its error, as a sentence a
/// coordinator can act on.
fn stopped_words(kind: Kind, lang: Language) -> &'static str {
    let fr = lang == Language::Fr;
    match kind {
        Kind::Invalid | Kind::NotFound if fr => {
            "Le travail s'est arrêté : un réglage de l'espace de travail ou une donnée commune à tous les documents \
             l'empêche (le détail ci-dessous dit lequel). Ce qui était déjà fait est enregistré, le reste n'a pas \
             été fait. Corrigez, puis relancez."
        }
        Kind::Invalid | Kind::NotFound => {
            "Het werk is gestopt: een instelling van de werkruimte of een gegeven dat alle documenten gemeen hebben \
             verhindert het (de details hieronder zeggen welk). Wat al gedaan was, is geregistreerd, de rest niet. \
             Verbeter het en start opnieuw."
        }
        Kind::Temporary | Kind::TooMany if fr => {
            "Le travail s'est arrêté : le journal était occupé par un autre travail. Ce qui était déjà fait est \
             enregistré ; relancez dans un instant pour faire le reste."
        }
        Kind::Temporary | Kind::TooMany => {
            "Het werk is gestopt: het journaal was bezet door ander werk. Wat al gedaan was, is geregistreerd; start \
             zo meteen opnieuw om de rest te doen."
        }
        _ if fr => {
            "Le travail s'est arrêté sur une erreur inattendue. Ce qui était déjà fait est enregistré, le reste n'a \
             pas été fait. Relancez ; si l'erreur revient, transmettez le détail ci-dessous à votre support technique."
        }
        _ => {
            "Het werk is gestopt door een onverwachte fout. Wat al gedaan was, is geregistreerd, de rest niet. Start \
             opnieuw; komt de fout terug, bezorg dan de details hieronder aan uw technische ondersteuning."
        }
    }
}
