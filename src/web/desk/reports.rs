//! The desk's reports (`/reports`): the annual evaluation and the funder's
//! subsidy report of a year, each with where it stands (made or not, its
//! figures as made, approved by which meeting and whether that approval
//! still holds), the buttons that make it (`POST /reports/annual`,
//! `/reports/subsidy`, as `charte report` does, a few seconds) and record
//! its approval (`POST /reports/approve`, as `charte report approve`
//! does), and what sending it to the funder waits for. Every report file
//! of out/reports/ is listed to download. A committee account reads the
//! page; only a coordinator's forms change anything.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Datelike;

use super::glance::{FileRow, files};
use super::roster::{Refusal, Said, fixable};
use super::{Coordinator, Form, Frame, Shown, Viewer, amount, date};
use crate::app::App;
use crate::app::approve::{Figures, State as ReportState, body_key};
use crate::app::report::{Expenses, Subsidy};
use crate::app::report_send::Outcome;
use crate::config::FunderKind;
use crate::delivery::MessageState;
use crate::mail::dates::long_date;
use crate::report::Kind;
use crate::roster::Language;
use crate::web::{Failure, Site};

/// The routes of this part (the downloads, `/reports/FILE`, are the
/// glance's, with the letters').
pub fn routes() -> Router<Arc<Site>> {
    Router::new()
        .route("/reports", get(page))
        .route("/reports/annual", post(make_annual))
        .route("/reports/subsidy", post(make_subsidy))
        .route("/reports/approve", post(approve))
        .route("/reports/send", post(send))
}

/// A meeting that may approve, for the select.
#[derive(Debug, Clone)]
pub struct MeetingOption {
    pub id: String,
    pub words: String,
}

/// One report of the year, in the page's language.
#[derive(Debug, Clone)]
pub struct ReportView {
    /// "annual" or "subsidy": the forms' value and the section's id.
    pub code: &'static str,
    pub title: String,
    /// Made: the day, its document id.
    pub made: Option<(String, String)>,
    /// Its files (PDF, CSV or JSON, seal), to download.
    pub files: Vec<FileRow>,
    /// The figures as made: (label, value).
    pub figures: Vec<(String, String)>,
    /// Annual: each body's meetings held / required and attendance.
    pub bodies: Vec<(String, String, String)>,
    /// The approval that holds, in words.
    pub approved: Option<String>,
    /// An approval given to an earlier file of this report, in words.
    pub lapsed: Option<String>,
    /// Subsidy: no expenses recorded for the year (the form then offers
    /// to make it without, on purpose).
    pub no_expenses_recorded: bool,
    /// What sending it to the funder still waits for, in words.
    pub missing: Vec<String>,
    /// Sent to the funder: when and to whom, in words.
    pub sent: Option<String>,
    /// Written to the outbox only: it has not left yet.
    pub queued: bool,
    /// Refused for good by the funder's mail server, in words.
    pub bounced: Option<String>,
    /// Refused for good at the address charte.toml names now: no button
    /// until the address is corrected (sending there sends nothing).
    pub refused_here: bool,
    pub refusal: Option<Refusal>,
}

#[derive(Debug, Template)]
#[template(path = "desk/reports.html")]
pub struct ReportsPage {
    pub f: Frame,
    pub year: i32,
    pub reports: Vec<ReportView>,
    /// The body that approves, in words, and its held meetings.
    pub body: String,
    pub meetings: Vec<MeetingOption>,
    pub funder_email: Option<String>,
    pub done: Option<Said>,
    /// What did not go as asked (the funder's server refused the mail), in words.
    pub warn: Option<Said>,
    /// Every file of out/reports/.
    pub all_files: Vec<FileRow>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct PageQuery {
    year: Option<i32>,
    /// A report just made ("annual", "subsidy").
    made: Option<String>,
    /// A report just approved.
    approved: Option<String>,
    /// A report just sent to the funder.
    sent: Option<String>,
    /// What sending it did: sent, already, bounced, elsewhere.
    outcome: Option<String>,
}

fn kind_of(code: &str) -> Option<Kind> {
    match code {
        "annual" => Some(Kind::Annual),
        "subsidy" => Some(Kind::Subsidy),
        _ => None,
    }
}

/// The report a form names ("annual", "subsidy"); 404 for any other.
fn named_report(code: &str) -> Result<Kind, Failure> {
    kind_of(code).ok_or_else(|| Failure(crate::Error::not_found(format!("there is no report '{code}'"))))
}

fn title(kind: Kind, year: i32, fr: bool) -> String {
    format!("{} {year}", kind.title(if fr { Language::Fr } else { Language::Nl }))
}

/// The report in a sentence, after "le" / "het": "jaarlijkse
/// evaluatieverslag 2026" (declined there, unlike the title).
fn in_sentence(kind: Kind, year: i32, lang: Language) -> String {
    format!("{} {year}", kind.words(lang))
}

/// A body's name in the page's language.
fn body_words(app: &App, key: &str, lang: Language) -> String {
    crate::governance::bodies(&app.ws.config)
        .into_iter()
        .find(|b| b.key == key)
        .map_or_else(|| key.to_owned(), |b| b.name(lang).to_owned())
}

fn figures_words(kind: Kind, figures: &Figures, lang: Language) -> Vec<(String, String)> {
    let fr = lang == Language::Fr;
    match kind {
        Kind::Annual => figures
            .organisations
            .iter()
            .filter_map(|(key, value)| {
                let label = match (key.as_str(), fr) {
                    ("members", true) => "Membres (charte en vigueur signée)",
                    ("members", false) => "Leden (geldend charter ondertekend)",
                    ("declared_not_signed", true) => "Déclarés membres, charte non signée",
                    ("declared_not_signed", false) => "Als lid opgegeven, charter niet ondertekend",
                    ("participants", true) => "Participants",
                    ("participants", false) => "Deelnemers",
                    ("new_adherences", true) => "Nouvelles adhésions",
                    ("new_adherences", false) => "Nieuwe toetredingen",
                    ("departures", true) => "Départs",
                    ("departures", false) => "Vertrekken",
                    _ => return None,
                };
                Some((label.to_owned(), value.clone()))
            })
            .collect(),
        Kind::Subsidy => {
            let mut out: Vec<(String, String)> =
                figures.envelopes.iter().map(|(c, cents)| (c.label(lang).to_owned(), amount(*cents))).collect();
            if figures.no_expenses {
                out.push((
                    if fr { "Dépenses" } else { "Uitgaven" }.to_owned(),
                    if fr { "aucune (rapport fait sans dépenses)" } else { "geen (verslag zonder uitgaven)" }
                        .to_owned(),
                ));
            }
            let mut push = |fr_label: &str, nl_label: &str, cents: Option<i64>| {
                if let Some(c) = cents {
                    out.push((if fr { fr_label } else { nl_label }.to_owned(), amount(c)));
                }
            };
            push("Total des dépenses éligibles", "Totaal subsidiabele uitgaven", figures.total_cents);
            push("Subvention", "Subsidie", figures.grant_cents);
            push("Solde (subvention moins dépenses)", "Saldo (subsidie min uitgaven)", figures.balance_cents);
            out
        }
    }
}

fn report_view(app: &App, state: &ReportState, lang: Language) -> crate::Result<ReportView> {
    let fr = lang == Language::Fr;
    let (kind, year) = (state.kind, state.year);
    let stem = kind.stem(year);
    let own: Vec<_> = app
        .reports()?
        .into_iter()
        .filter(|f| f.name.strip_prefix(&stem).is_some_and(|rest| rest.starts_with('.')))
        .collect();
    let figures = if state.made.is_some() { app.report_figures(kind, year)? } else { None };
    let approval_words = |a: &crate::report::Approval| {
        let meeting = app.meeting_words(&a.meeting, lang).unwrap_or_else(|_| a.meeting.clone());
        let day = super::journal_date(&a.at, lang);
        if fr {
            format!("Approuvé par la réunion « {meeting} » (enregistré le {day}).")
        } else {
            format!("Goedgekeurd door de vergadering ‘{meeting}’ (vastgelegd op {day}).")
        }
    };
    let mut missing = Vec::new();
    if state.made.is_none() {
        missing.push(if fr {
            "le rapport doit d'abord être produit"
        } else {
            "het verslag moet eerst gemaakt worden"
        });
    } else if state.holds.is_none() {
        missing.push(if fr {
            "il doit être approuvé par la réunion compétente"
        } else {
            "het moet worden goedgekeurd door de bevoegde vergadering"
        });
    }
    if state.funder_email.is_none() {
        missing.push(if fr {
            "l'adresse du pouvoir subsidiant n'est pas encore indiquée (charte.toml, [funder] email)"
        } else {
            "het adres van de subsidiënt is nog niet opgegeven (charte.toml, [funder] email)"
        });
    }
    let delivery = app.report_delivery(kind, year)?;
    let refused_here = app.report_refused_here(kind, year)?;
    let (mut sent, mut bounced, mut queued) = (None, None, false);
    if let Some(m) = &delivery {
        let to =
            m.address.clone().unwrap_or_else(|| if fr { "une adresse effacée" } else { "een gewist adres" }.into());
        let day = date(m.at, lang);
        match m.state {
            // Written to the outbox only: it has not left yet.
            MessageState::Sent if !m.reached_server(app.ws.config.mail_to_outbox()) => {
                queued = true;
                sent = Some(if fr {
                    format!(
                        "Déposé dans la boîte d'envoi le {day}, pour {to} : il part quand le courrier est envoyé \
                         (page Courrier)."
                    )
                } else {
                    format!(
                        "Op {day} in de uitgaande post gezet, voor {to}: het vertrekt wanneer de post verstuurd wordt \
                         (pagina Post)."
                    )
                });
            }
            MessageState::Sent => {
                sent = Some(if fr {
                    format!("Envoyé au pouvoir subsidiant le {day}, à {to}.")
                } else {
                    format!("Verzonden naar de subsidiënt op {day}, naar {to}.")
                });
            }
            _ => {
                let why = m.reason.clone().unwrap_or_default();
                bounced = Some(match (fr, refused_here) {
                    (true, true) => format!(
                        "Le {day}, le serveur de courrier a refusé l'adresse {to} ({why}) : rien n'est parti. \
                         Corrigez l'adresse du pouvoir subsidiant dans charte.toml ([funder] email) ; le bouton \
                         d'envoi revient ensuite."
                    ),
                    (false, true) => format!(
                        "Op {day} weigerde de mailserver het adres {to} ({why}): er is niets vertrokken. Verbeter \
                         het adres van de subsidiënt in charte.toml ([funder] email); daarna verschijnt de \
                         verzendknop opnieuw."
                    ),
                    (true, false) => format!(
                        "Le {day}, le serveur de courrier a refusé l'adresse {to} ({why}). L'adresse a été \
                         corrigée depuis : le rapport peut partir vers la nouvelle."
                    ),
                    (false, false) => format!(
                        "Op {day} weigerde de mailserver het adres {to} ({why}). Het adres werd sindsdien \
                         verbeterd: het verslag kan naar het nieuwe vertrekken."
                    ),
                });
            }
        }
    }
    let no_expenses_recorded = kind == Kind::Subsidy && app.ws.store.expense_import(year)?.is_none();
    Ok(ReportView {
        code: match kind {
            Kind::Annual => "annual",
            Kind::Subsidy => "subsidy",
        },
        title: title(kind, year, fr),
        made: state.made.as_ref().map(|d| (date(d.issued, lang), d.document_id.clone())),
        files: files(&own, lang, "/reports"),
        figures: figures.as_ref().map(|f| figures_words(kind, f, lang)).unwrap_or_default(),
        bodies: figures
            .as_ref()
            .map(|f| {
                f.bodies
                    .iter()
                    .map(|b| {
                        let held = if fr {
                            format!("{} tenue(s) sur {} requise(s)", b.held, b.required_min)
                        } else {
                            format!("{} gehouden van {} vereist", b.held, b.required_min)
                        };
                        let rate = b
                            .attendance_rate
                            .replace(',', ".")
                            .parse::<f64>()
                            .map(|r| format!("{:.0} %", r * 100.0))
                            .unwrap_or_else(|_| "—".to_owned());
                        (body_words(app, &b.key, lang), held, rate)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        approved: state.holds.as_ref().map(approval_words),
        lapsed: state.approval_lapsed().then(|| state.approvals.last().map(approval_words)).flatten(),
        no_expenses_recorded,
        missing: missing.into_iter().map(str::to_owned).collect(),
        sent,
        queued,
        bounced,
        refused_here,
        refusal: None,
    })
}

/// The page for `year`, a refusal by the form of report `refused` if any.
fn reports_page(
    app: &App,
    viewer: &Viewer,
    year: Option<i32>,
    (done, warn): (Option<Said>, Option<Said>),
    refused: Option<(Kind, Refusal)>,
) -> crate::Result<ReportsPage> {
    let lang = viewer.lang;
    let year = year.unwrap_or_else(|| app.today.year());
    let mut kinds = vec![Kind::Annual];
    if app.ws.config.funder.kind != FunderKind::None {
        kinds.push(Kind::Subsidy);
    }
    let mut reports = Vec::new();
    for kind in kinds {
        let mut view = report_view(app, &app.report_state(kind, year)?, lang)?;
        if let Some((k, r)) = &refused
            && *k == kind
        {
            view.refusal = Some(r.clone());
        }
        reports.push(view);
    }
    let body = body_words(app, body_key(app.approving_body()), lang);
    let meetings = app
        .approving_meetings()?
        .into_iter()
        .map(|m| MeetingOption {
            words: match lang {
                Language::Fr => format!("{body} du {}", long_date(m.date, lang)),
                Language::Nl => format!("{body} van {}", long_date(m.date, lang)),
            },
            id: m.id,
        })
        .collect();
    Ok(ReportsPage {
        f: Frame::new(app, viewer, "reports"),
        year,
        reports,
        body,
        meetings,
        funder_email: app.ws.config.funder.email.clone(),
        done,
        warn,
        all_files: files(&app.reports()?, lang, "/reports"),
    })
}

/// GET /reports[?year=Y]
async fn page(State(site): State<Arc<Site>>, viewer: Viewer, Query(q): Query<PageQuery>) -> Result<Response, Failure> {
    super::shown(site, viewer, move |app, viewer| {
        let year = q.year.unwrap_or_else(|| app.today.year());
        let done = match (q.made.as_deref().and_then(kind_of), q.approved.as_deref().and_then(kind_of)) {
            (Some(k), _) => Some(Said::new(
                format!("Le {} est produit et scellé.", in_sentence(k, year, Language::Fr)),
                format!("Het {} is gemaakt en verzegeld.", in_sentence(k, year, Language::Nl)),
            )),
            (None, Some(k)) => Some(Said::new(
                format!("L'approbation du {} est enregistrée.", in_sentence(k, year, Language::Fr)),
                format!("De goedkeuring van het {} is vastgelegd.", in_sentence(k, year, Language::Nl)),
            )),
            _ => None,
        };
        let (done, warn) = match q.sent.as_deref().and_then(kind_of) {
            Some(k) => {
                let outbox = app.report_delivery(k, year)?.is_some_and(|m| {
                    m.state == MessageState::Sent && !m.reached_server(app.ws.config.mail_to_outbox())
                });
                sent_words(k, year, q.outcome.as_deref(), outbox)
            }
            None => (done, None),
        };
        reports_page(app, viewer, Some(year), (done, warn), None)
    })
    .await
}

/// What sending report `kind` did (`outcome`, the send form's answer), in
/// words: done, or a warning when nothing went.
/// `outbox`: it was written to the outbox and waits there to be sent on.
fn sent_words(kind: Kind, year: i32, outcome: Option<&str>, outbox: bool) -> (Option<Said>, Option<Said>) {
    let (fr, nl) = (in_sentence(kind, year, Language::Fr), in_sentence(kind, year, Language::Nl));
    match outcome {
        Some("already") if outbox => (
            Some(Said::new(
                format!(
                    "Le {fr} est déjà dans la boîte d'envoi : rien n'a été ajouté. Il part quand le courrier est envoyé (page Courrier)."
                ),
                format!(
                    "Het {nl} staat al in de uitgaande post: er werd niets toegevoegd. Het vertrekt wanneer de post verstuurd wordt (pagina Post)."
                ),
            )),
            None,
        ),
        Some("already") => (
            Some(Said::new(
                format!("Le {fr} avait déjà été envoyé au pouvoir subsidiant : rien n'a été envoyé à nouveau."),
                format!("Het {nl} was al naar de subsidiënt verzonden: er werd niets opnieuw verzonden."),
            )),
            None,
        ),
        Some("bounced") => (
            None,
            Some(Said::new(
                format!(
                    "Le {fr} n'est pas parti : le serveur de courrier a refusé l'adresse du pouvoir subsidiant. \
                     Corrigez l'adresse du pouvoir subsidiant (charte.toml, [funder] email), puis envoyez à nouveau."
                ),
                format!(
                    "Het {nl} is niet vertrokken: de mailserver weigerde het adres van de subsidiënt. Verbeter het \
                     adres van de subsidiënt (charte.toml, [funder] email) en verzend dan opnieuw."
                ),
            )),
        ),
        Some("elsewhere") => (
            Some(Said::new(
                format!(
                    "Le {fr} est en train d'être envoyé par une autre opération de charte : rechargez la page dans \
                     un instant."
                ),
                format!(
                    "Het {nl} wordt op dit moment door een andere bewerking van charte verzonden: laad de pagina zo dadelijk opnieuw."
                ),
            )),
            None,
        ),
        _ if outbox => (
            Some(Said::new(
                format!(
                    "Le {fr} est déposé dans la boîte d'envoi : il part quand le courrier est envoyé (page Courrier)."
                ),
                format!(
                    "Het {nl} staat in de uitgaande post: het vertrekt wanneer de post verstuurd wordt (pagina Post)."
                ),
            )),
            None,
        ),
        _ => (
            Some(Said::new(
                format!("Le {fr} est envoyé au pouvoir subsidiant."),
                format!("Het {nl} is naar de subsidiënt verzonden."),
            )),
            None,
        ),
    }
}

#[derive(Debug, serde::Deserialize)]
struct MakeForm {
    year: i32,
    /// "on": make the subsidy report without expenses, on purpose.
    #[serde(default)]
    no_expenses: Option<String>,
}

/// What a form's action came to.
enum Acted {
    /// Done: the page that shows it.
    Done(String),
    /// Refused: the page with the refusal by the form.
    Refused(Box<ReportsPage>),
}

/// Does `work` (one application-layer action, answering the page that
/// shows what it did); then that page (303), or the page with the refusal
/// by report `kind`'s form (422).
async fn act(
    site: Arc<Site>,
    viewer: Viewer,
    kind: Kind,
    year: i32,
    work: impl FnOnce(&mut App) -> crate::Result<String> + Send + 'static,
) -> Result<Response, Failure> {
    let (lang, chosen) = (viewer.lang, viewer.chosen);
    let outcome = site
        .write(move |app| match work(app) {
            Ok(after) => Ok(Acted::Done(after)),
            Err(e) if super::fixable(e.kind()) => {
                let said =
                    Said::new("Rien n'a été fait ; rien n'a été modifié :", "Er werd niets gedaan of gewijzigd:");
                let refusal = fixable(e, said, lang)?;
                Ok(Acted::Refused(Box::new(reports_page(
                    app,
                    &viewer,
                    Some(year),
                    (None, None),
                    Some((kind, refusal)),
                )?)))
            }
            Err(e) => Err(e),
        })
        .await?;
    Ok(match outcome {
        Acted::Done(after) => super::see_other(&after),
        Acted::Refused(page) => page.response(StatusCode::UNPROCESSABLE_ENTITY, chosen, lang),
    })
}

/// POST /reports/annual
async fn make_annual(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<MakeForm>,
) -> Result<Response, Failure> {
    let year = form.year;
    act(site, viewer, Kind::Annual, year, move |app| {
        app.annual_report(year).map(|_| format!("/reports?year={year}&made=annual"))
    })
    .await
}

/// POST /reports/subsidy
async fn make_subsidy(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<MakeForm>,
) -> Result<Response, Failure> {
    let year = form.year;
    let expenses = if form.no_expenses.is_some() { Expenses::NoExpenses } else { Expenses::Journaled };
    act(site, viewer, Kind::Subsidy, year, move |app| match app.subsidy_report(year, &expenses)? {
        Subsidy::Made(_) => Ok(format!("/reports?year={year}&made=subsidy")),
        Subsidy::NoFunder => Err(crate::Error::usage("this network has no funder: there is no subsidy report")),
    })
    .await
}

#[derive(Debug, serde::Deserialize)]
struct ApproveForm {
    report: String,
    year: i32,
    meeting: String,
}

/// POST /reports/approve
async fn approve(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<ApproveForm>,
) -> Result<Response, Failure> {
    let kind = named_report(&form.report)?;
    let year = form.year;
    let after = format!("/reports?year={year}&approved={}", form.report);
    act(site, viewer, kind, year, move |app| app.approve_report(kind, year, &form.meeting).map(|_| after)).await
}

#[derive(Debug, serde::Deserialize)]
struct SendForm {
    report: String,
    year: i32,
}

/// POST /reports/send: the approved report to the funder, as `charte
/// report send` does (once only: a report sent before is not sent again).
async fn send(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<SendForm>,
) -> Result<Response, Failure> {
    let kind = named_report(&form.report)?;
    let year = form.year;
    let code = form.report;
    act(site, viewer, kind, year, move |app| {
        // The banner says what happened: sent, sent before, refused by the
        // funder's server, or being sent by another run.
        let outcome = match app.send_report(kind, year)?.outcome {
            Outcome::Sent => "sent",
            Outcome::AlreadySent => "already",
            Outcome::Bounced(_) | Outcome::BouncedBefore(_) => "bounced",
            Outcome::Elsewhere => "elsewhere",
        };
        Ok(format!("/reports?year={year}&sent={code}&outcome={outcome}"))
    })
    .await
}
