//! The desk's "Activités et dépenses" (`/expenses`): the year's expense
//! and staff lines, which the subsidy report reads, and the network's
//! events. An expenses file is uploaded, previewed (its lines, the totals
//! per category, what it would replace) or refused with its line errors,
//! nothing changed; then confirmed, bound to the file's sha256 and to the
//! import it replaces (crate::app::expenses), as `charte expenses import`
//! records it. The events (colloquia, network days, campaigns, bourses)
//! likewise: uploaded, previewed (which it records, which are known),
//! confirmed, as `charte events import` records them.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use super::roster::{Refusal, Said, fixable};
use super::{Coordinator, Form, Frame, Shown, Upload, Viewer, amount, date};
use crate::app::App;
use crate::app::expenses::{Imported, Lines, Preview};
use crate::report::expenses::Category;
use crate::roster::Language;
use crate::web::{Failure, Site};

/// The routes of this part.
pub fn routes() -> Router<Arc<Site>> {
    Router::new()
        .route("/expenses", get(list))
        .route("/expenses/import", post(upload))
        .route("/expenses/import/confirm", post(confirm))
        .route("/expenses/events", post(upload_events))
        .route("/expenses/events/confirm", post(confirm_events))
}

/// One line, as the tables show it.
#[derive(Debug, Clone)]
pub struct LineRow {
    pub line: u64,
    pub date: String,
    pub category: &'static str,
    pub description: String,
    pub document: String,
    pub person: String,
    pub amount: String,
}

/// A category's total, as the tables show it.
#[derive(Debug, Clone)]
pub struct TotalRow {
    pub category: &'static str,
    pub amount: String,
}

/// A year's lines and totals, in the page's language.
#[derive(Debug, Clone)]
pub struct LinesView {
    pub year: i32,
    pub rows: Vec<LineRow>,
    pub totals: Vec<TotalRow>,
    pub total: String,
}

impl LinesView {
    fn of(lines: &Lines, lang: Language) -> LinesView {
        LinesView {
            year: lines.year,
            rows: lines
                .lines
                .iter()
                .map(|e| LineRow {
                    line: e.line,
                    date: date(e.date, lang),
                    category: e.category.label(lang),
                    description: e.description.clone(),
                    document: e.document.clone(),
                    person: match (&e.person, e.fte) {
                        (Some(p), Some(fte)) => format!("{p} ({})", fte_words(fte, lang)),
                        (Some(p), None) => p.clone(),
                        _ => String::new(),
                    },
                    amount: amount(e.cents),
                })
                .collect(),
            totals: totals(&lines.totals, lang),
            total: amount(lines.total),
        }
    }
}

/// A full-time equivalent as a Belgian reads it: "0,6 ETP" / "0,6 VTE".
fn fte_words(fte: f64, lang: Language) -> String {
    let n = format!("{fte}").replace('.', ",");
    match lang {
        Language::Fr => format!("{n} ETP"),
        Language::Nl => format!("{n} VTE"),
    }
}

fn totals(totals: &std::collections::BTreeMap<Category, i64>, lang: Language) -> Vec<TotalRow> {
    totals.iter().map(|(c, cents)| TotalRow { category: c.label(lang), amount: amount(*cents) }).collect()
}

/// One of the network's events.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub date: String,
    pub kind: &'static str,
    pub title: String,
    pub participants: String,
}

impl EventRow {
    fn of(a: crate::actions::Action, lang: Language) -> EventRow {
        EventRow {
            date: date(a.date, lang),
            kind: a.kind.label(lang),
            title: a.title,
            participants: a.participants.map(|n| super::number(n.into())).unwrap_or_else(|| "—".to_owned()),
        }
    }
}

#[derive(Debug, Template)]
#[template(path = "desk/expenses.html")]
pub struct ExpensesPage {
    pub f: Frame,
    pub lines: LinesView,
    /// The file the year's lines come from and the day it was imported.
    pub source: Option<(String, String)>,
    /// The other years with lines recorded.
    pub years: Vec<i32>,
    pub events: Vec<EventRow>,
    pub done: Option<Said>,
    pub refusal: Option<Refusal>,
    /// The events form's refusal.
    pub events_refusal: Option<Refusal>,
}

#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    year: Option<i32>,
    /// Lines just imported (after a confirmation).
    imported: Option<usize>,
    /// Events just recorded.
    events: Option<usize>,
}

/// Which of the page's two forms a refusal belongs to.
enum Refused {
    Expenses(Refusal),
    Events(Refusal),
}

fn expenses_page(
    app: &App,
    viewer: &Viewer,
    year: Option<i32>,
    done: Option<Said>,
    refused: Option<Refused>,
) -> crate::Result<ExpensesPage> {
    let (refusal, events_refusal) = match refused {
        Some(Refused::Expenses(r)) => (Some(r), None),
        Some(Refused::Events(r)) => (None, Some(r)),
        None => (None, None),
    };
    let lang = viewer.lang;
    let listed = app.expenses(year)?;
    let events = app.events()?.into_iter().rev().map(|a| EventRow::of(a, lang)).collect();
    Ok(ExpensesPage {
        f: Frame::new(app, viewer, "expenses"),
        source: listed.import.as_ref().map(|i| (i.file.clone(), super::journal_date(&i.at, lang))),
        years: app.expense_years()?.into_iter().filter(|y| *y != listed.lines.year).collect(),
        lines: LinesView::of(&listed.lines, lang),
        events,
        done,
        refusal,
        events_refusal,
    })
}

/// GET /expenses[?year=Y]
async fn list(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Query(q): Query<ListQuery>,
) -> Result<Response, Failure> {
    super::shown(site, viewer, move |app, viewer| {
        let done = match (q.imported, q.events) {
            (Some(n), _) => Some(Said::new(
                format!("Les {n} lignes du fichier sont enregistrées : ce sont désormais les dépenses de l'année."),
                format!("De {n} regels uit het bestand zijn vastgelegd: dit zijn voortaan de uitgaven van het jaar."),
            )),
            (None, Some(n)) => {
                Some(Said::new(format!("{n} activité(s) enregistrée(s)."), format!("{n} activiteit(en) vastgelegd.")))
            }
            _ => None,
        };
        expenses_page(app, viewer, q.year, done, None)
    })
    .await
}

#[derive(Debug, Template)]
#[template(path = "desk/expenses_preview.html")]
pub struct PreviewPage {
    pub f: Frame,
    pub id: String,
    pub name: String,
    pub sha256: String,
    pub lines: LinesView,
    /// What the import replaces: its file, the day it was imported, its
    /// number of lines, and its sha256 (carried back by the form).
    pub replaces: Option<(String, String, usize, String)>,
    pub unchanged: bool,
}

impl PreviewPage {
    /// Its confirm block: the lines of the year previewed, replacing the
    /// import shown (if any).
    pub fn confirm(&self) -> super::Confirm {
        let replaces = self.replaces.as_ref().map(|(.., sha)| sha.clone()).unwrap_or_default();
        super::Confirm::new(
            "/expenses/import/confirm",
            ("Enregistrer ces dépenses", "Deze uitgaven vastleggen"),
            &self.id,
            &self.sha256,
            &self.name,
        )
        .with("year", self.lines.year.to_string())
        .with("replaces", replaces)
    }
}

fn preview_page(f: Frame, p: Preview, lang: Language) -> PreviewPage {
    let Imported { lines, file, sha256, replaces, unchanged, .. } = p.imported;
    PreviewPage {
        f,
        id: p.id,
        name: file,
        sha256,
        lines: LinesView::of(&lines, lang),
        replaces: replaces.map(|r| (r.file, super::journal_date(&r.at, lang), r.lines, r.sha256)),
        unchanged,
    }
}

/// The pages an import's step can end on.
enum Page {
    List(Box<ExpensesPage>),
    Preview(Box<PreviewPage>),
    Events(Box<EventsPreviewPage>),
}

impl Shown for Page {
    fn response(&self, status: StatusCode, chosen: bool, lang: Language) -> Response {
        match self {
            Page::List(p) => p.response(status, chosen, lang),
            Page::Preview(p) => p.response(status, chosen, lang),
            Page::Events(p) => p.response(status, chosen, lang),
        }
    }
}

/// The framing of a file's line errors, nothing changed.
fn not_imported(name: &str) -> Said {
    Said::new(
        format!(
            "Le fichier {name} ne peut pas être importé tel quel ; rien n'a été modifié. Corrigez ces lignes dans le \
             tableur, puis envoyez-le à nouveau :"
        ),
        format!(
            "Het bestand {name} kan niet zo worden ingevoerd; er werd niets gewijzigd. Verbeter deze regels in het \
             rekenblad en stuur het opnieuw:"
        ),
    )
}

/// The framing of a confirmation refused, nothing changed.
fn not_confirmed() -> Said {
    Said::new(
        "Cette importation n'a pas été faite ; rien n'a été modifié :",
        "Deze invoer werd niet uitgevoerd; er werd niets gewijzigd:",
    )
}

/// Which of the page's two files an upload or a confirmation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Expenses,
    Events,
}

impl Which {
    fn refused(self, refusal: Refusal) -> Refused {
        match self {
            Which::Expenses => Refused::Expenses(refusal),
            Which::Events => Refused::Events(refusal),
        }
    }

    /// What to say when no file was chosen.
    fn choose(self) -> Said {
        match self {
            Which::Expenses => Said::new(
                "Choisissez le fichier des dépenses (CSV, tel qu'Excel l'enregistre).",
                "Kies het bestand met de uitgaven (CSV, zoals Excel het bewaart).",
            ),
            Which::Events => Said::new(
                "Choisissez le fichier des activités (CSV, tel qu'Excel l'enregistre).",
                "Kies het bestand met de activiteiten (CSV, zoals Excel het bewaart).",
            ),
        }
    }
}

/// An upload's first step: its preview, or the page with the file's
/// problems by its form (422), nothing changed.
async fn preview(site: Arc<Site>, viewer: Viewer, parts: super::Parts, which: Which) -> Result<Response, Failure> {
    super::changed(site, viewer, move |app, viewer| {
        let lang = viewer.lang;
        let refused = |app: &App, refusal| {
            expenses_page(app, viewer, None, None, Some(which.refused(refusal)))
                .map(|p| (StatusCode::UNPROCESSABLE_ENTITY, Page::List(Box::new(p))))
        };
        let Some((name, bytes)) = parts.file.filter(|(_, b)| !b.is_empty()) else {
            return refused(app, Refusal { said: which.choose(), ..Refusal::default() });
        };
        let f = Frame::new(app, viewer, "expenses");
        let previewed = match which {
            Which::Expenses => {
                app.preview_expenses(&name, &bytes).map(|p| Page::Preview(Box::new(preview_page(f, p, lang))))
            }
            Which::Events => app.preview_events(&name, &bytes).map(|p| {
                Page::Events(Box::new(EventsPreviewPage {
                    f,
                    id: p.id,
                    name: p.name,
                    sha256: p.sha256,
                    new: p.new.into_iter().map(|a| EventRow::of(a, lang)).collect(),
                    known: p.known,
                }))
            }),
        };
        match previewed {
            Ok(page) => Ok((StatusCode::OK, page)),
            Err(e) => refused(app, fixable(e, not_imported(&name), lang)?),
        }
    })
    .await
}

/// An upload's confirmation, `work` (one application-layer action, which
/// says where the result is shown): then that page (303), or the page with
/// the refusal by its form (422), nothing changed.
async fn confirmed(
    site: Arc<Site>,
    viewer: Viewer,
    which: Which,
    year: Option<i32>,
    work: impl FnOnce(&mut App) -> crate::Result<String> + Send + 'static,
) -> Result<Response, Failure> {
    let (lang, chosen) = (viewer.lang, viewer.chosen);
    let outcome = site
        .write(move |app| match work(app) {
            Ok(to) => Ok(Ok(to)),
            Err(e) if super::fixable(e.kind()) => {
                let refusal = fixable(e, not_confirmed(), lang)?;
                Ok(Err(expenses_page(app, &viewer, year, None, Some(which.refused(refusal)))?))
            }
            Err(e) => Err(e),
        })
        .await?;
    match outcome {
        Ok(to) => Ok(super::see_other(&to)),
        Err(page) => Ok(page.response(StatusCode::UNPROCESSABLE_ENTITY, chosen, lang)),
    }
}

/// POST /expenses/import (multipart: `csrf`, then `file`).
async fn upload(
    State(site): State<Arc<Site>>,
    Upload(Coordinator(viewer), parts): Upload,
) -> Result<Response, Failure> {
    preview(site, viewer, parts, Which::Expenses).await
}

/// The confirmation of a previewed import.
#[derive(Debug, serde::Deserialize)]
struct Confirm {
    id: String,
    sha256: String,
    year: i32,
    name: String,
    /// The sha256 of the import the preview said it replaces ('' for none).
    #[serde(default)]
    replaces: String,
}

/// POST /expenses/import/confirm.
async fn confirm(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<Confirm>,
) -> Result<Response, Failure> {
    let year = form.year;
    confirmed(site, viewer, Which::Expenses, Some(year), move |app| {
        let replaces = Some(form.replaces.as_str()).filter(|r| !r.is_empty());
        let done = app.confirm_expenses(&form.id, &form.sha256, year, &form.name, replaces)?;
        Ok(format!("/expenses?year={year}&imported={}", done.lines.lines.len()))
    })
    .await
}

// --- the network's events ------------------------------------------------

#[derive(Debug, Template)]
#[template(path = "desk/expenses_events_preview.html")]
pub struct EventsPreviewPage {
    pub f: Frame,
    pub id: String,
    pub name: String,
    pub sha256: String,
    /// The events it would record.
    pub new: Vec<EventRow>,
    /// Its events already recorded as they are.
    pub known: usize,
}

impl EventsPreviewPage {
    /// Its confirm block: the events previewed.
    pub fn confirm(&self) -> super::Confirm {
        super::Confirm::new(
            "/expenses/events/confirm",
            ("Enregistrer ces activités", "Deze activiteiten vastleggen"),
            &self.id,
            &self.sha256,
            &self.name,
        )
    }
}

/// POST /expenses/events (multipart: `csrf`, then `file`).
async fn upload_events(
    State(site): State<Arc<Site>>,
    Upload(Coordinator(viewer), parts): Upload,
) -> Result<Response, Failure> {
    preview(site, viewer, parts, Which::Events).await
}

/// The confirmation of a previewed events file.
#[derive(Debug, serde::Deserialize)]
struct ConfirmEvents {
    id: String,
    sha256: String,
    name: String,
}

/// POST /expenses/events/confirm.
async fn confirm_events(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<ConfirmEvents>,
) -> Result<Response, Failure> {
    confirmed(site, viewer, Which::Events, None, move |app| {
        let done = app.confirm_events(&form.id, &form.sha256, &form.name)?;
        Ok(format!("/expenses?events={}#events", done.new))
    })
    .await
}
