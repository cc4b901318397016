//! The daily run (`/runs`): the server runs every workflow `charte run`
//! knows once a day, after `[serve] daily_run` (Brussels time, 06:30 by
//! default), and at its start when that day's run is missing — no cron
//! needed —, and on demand (`POST /runs`). Each run is a job of the
//! registry ([`super::jobs`]): never two at once, nor beside the issuing,
//! the mailing or the sending of the outbox. Across processes the journal's
//! write lock and the keyed steps do the rest: a `charte run` started from
//! a terminal meanwhile waits on the lock step by step and finds done what
//! the server did (and the other way round); nothing is done twice.
//!
//! The page shows what the runs did, per day and workflow, from the
//! journal (so it survives a restart), the failures of this server's last
//! run by organisation (they are not journaled: the step stays to do), and
//! when the next run is due.

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Europe::Brussels;

use super::documents::Nothing;
use super::jobs::{Ended, Summary, Work};
use super::mail::JobView;
use super::{Coordinator, Form, Frame};
use crate::app::App;
use crate::roster::Language;
use crate::web::{Failure, Site};

/// The days of history the page shows.
const DAYS: i64 = 30;
/// How often the server looks whether the day's run is due.
const EVERY: Duration = Duration::from_secs(60);

pub fn routes() -> Router<Arc<Site>> {
    Router::new().route("/runs", get(page).post(run_now))
}

/// When the next run is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// `daily_run = "off"`.
    Off,
    /// Now: the day's run is missing and its hour has passed.
    Now,
    /// On that day at that hour.
    At(NaiveDate, NaiveTime),
}

/// When the run is next due, at `now` (Brussels time) on the server's
/// `today`, the day's run `done` or not.
pub fn due(hour: Option<NaiveTime>, now: NaiveTime, today: NaiveDate, done: bool) -> Due {
    let Some(hour) = hour else { return Due::Off };
    match (done, now >= hour) {
        (false, true) => Due::Now,
        (false, false) => Due::At(today, hour),
        (true, _) => Due::At(today.succ_opt().unwrap_or(today), hour),
    }
}

/// The time of day in Brussels.
fn brussels_now() -> NaiveTime {
    chrono::Utc::now().with_timezone(&Brussels).time()
}

/// The work of a run: every workflow, as `charte run NAME`.
fn daily(app: &mut App) -> crate::Result<Summary> {
    let d = app.daily_run()?;
    let mut failed = Vec::new();
    for o in &d.runs {
        failed.extend(
            o.failed.iter().map(|f| crate::error::Failed {
                item: format!("{}: {}", o.workflow, f.item),
                reason: f.reason.clone(),
            }),
        );
    }
    failed.extend(d.stopped);
    Ok(Summary {
        again: d.again,
        workflows: d.runs.iter().map(|o| (o.workflow.clone(), o.steps())).collect(),
        failed,
        ..Summary::default()
    })
}

/// The server's daily run: looks each minute whether the day's run is due
/// (the hour passed, no run recorded today for every workflow) and starts
/// it as a job. A day whose run was started is not tried again by this
/// process (a workflow that cannot run, its settings missing, would else
/// be tried each minute), unless the run stopped on a temporary failure
/// (a mail server down, [`Summary::again`]): then it is tried again
/// [`AGAIN_AFTER`] later, the same day; what was done is never done twice.
/// A job already running puts it off a minute.
pub(crate) async fn scheduler(site: Arc<Site>) {
    // The day tried, and the job that ran it.
    let mut tried: Option<(NaiveDate, u64)> = None;
    let mut again_at: Option<std::time::Instant> = None;
    loop {
        let today = site.today();
        if let Some((day, job)) = tried
            && day == today
        {
            match again_at {
                Some(at) if std::time::Instant::now() >= at => (tried, again_at) = (None, None),
                Some(_) => {}
                None if ended_for_now(&site, job) => again_at = Some(std::time::Instant::now() + AGAIN_AFTER),
                None => {}
            }
        }
        if tried.map(|(day, _)| day) != Some(today) {
            let s = Arc::clone(&site);
            let asked = site
                .read(move |app| {
                    let hour = app.ws.config.serve.daily_run;
                    Ok(due(hour, brussels_now(), app.today, app.daily_run_done()?))
                })
                .await;
            match asked {
                Ok(Due::Now) => match super::jobs::launch(&s, Work::Run, daily) {
                    Ok((id, true)) => {
                        tried = Some((today, id));
                        eprintln!(
                            "{}",
                            serde_json::json!({"daily_run": "started", "job": id, "day": today.to_string()})
                        );
                    }
                    Ok((_, false)) => {}
                    Err(e) => eprintln!("{}", serde_json::json!({"daily_run": "not started", "why": e.to_string()})),
                },
                Ok(Due::Off | Due::At(..)) => {}
                Err(Failure(e)) => {
                    eprintln!("{}", serde_json::json!({"daily_run": "not checked", "why": e.to_string()}))
                }
            }
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// How long after a run stopped by a temporary failure the day's run is
/// tried again.
pub(crate) const AGAIN_AFTER: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Whether the daily run's job `id` ended on a temporary failure, whole
/// or in part: the day's run is to be tried again.
fn ended_for_now(site: &Site, id: u64) -> bool {
    match site.jobs.get(id).and_then(|j| j.ended) {
        Some(Ended::Done(summary)) => summary.again,
        Some(Ended::Stopped { kind, .. }) => kind == crate::error::Kind::Temporary,
        None => false,
    }
}

/// One workflow's day, in words.
#[derive(Debug, Clone)]
pub struct WorkflowView {
    pub name: String,
    pub runs: usize,
    /// Each step that did something, in words, with its count.
    pub steps: Vec<(String, i64)>,
}

#[derive(Debug, Clone)]
pub struct DayView {
    pub date: String,
    pub workflows: Vec<WorkflowView>,
}

#[derive(Debug, Template)]
#[template(path = "desk/runs.html")]
pub struct RunsPage {
    pub f: Frame,
    pub days: Vec<DayView>,
    /// When the next run is due, in words.
    pub next: String,
    pub workflows: Vec<String>,
    pub last: Option<JobView>,
    pub busy: bool,
}

/// What a step of a kind did, in words (a step of a kind the workflow
/// files do not know: its own name).
fn step_words(step: &str, kind: &str, fr: bool) -> String {
    let what = match (kind, fr) {
        ("issue", true) => "documents établis",
        ("issue", false) => "documenten opgemaakt",
        ("send", true) => "courriels envoyés",
        ("send", false) => "e-mails verstuurd",
        ("remind", true) => "rappels envoyés",
        ("remind", false) => "herinneringen verstuurd",
        ("escalate", true) => "signalements levés",
        ("escalate", false) => "signalen gegeven",
        ("convoke", true) => "réunions convoquées (courriels envoyés)",
        ("convoke", false) => "vergaderingen opgeroepen (e-mails verstuurd)",
        ("letter", true) => "lettres rédigées",
        ("letter", false) => "brieven opgesteld",
        ("mark", true) => "signalements soumis au comité",
        ("mark", false) => "signalen voorgelegd aan het comité",
        ("await", true) => "attentes terminées",
        ("await", false) => "wachttijden afgelopen",
        ("report", true) => "rapports établis",
        ("report", false) => "verslagen opgemaakt",
        _ => return step.to_owned(),
    };
    what.to_owned()
}

/// A workflow's name in words (the built-in ones; a workspace's own by
/// its file's name).
fn workflow_words(name: &str, fr: bool) -> String {
    super::mail::in_words(
        name,
        &[
            ("adhesion", "Adhésion à la charte", "Toetreding tot het charter"),
            ("convocation", "Convocation des réunions", "Oproeping van de vergaderingen"),
            ("annual-report", "Rapport annuel", "Jaarverslag"),
            ("interpellation", "Interpellations", "Interpellaties"),
        ],
        fr,
    )
}

fn runs_page(app: &App, f: Frame, last: Option<JobView>, scheduled: bool) -> crate::Result<RunsPage> {
    let lang = if f.page.fr { Language::Fr } else { Language::Nl };
    let fr = lang == Language::Fr;
    let days = app
        .run_log(DAYS)?
        .into_iter()
        .map(|d| DayView {
            date: crate::mail::long_date(d.day, lang),
            workflows: d
                .workflows
                .into_iter()
                .map(|w| WorkflowView {
                    name: workflow_words(&w.workflow, fr),
                    runs: w.runs,
                    steps: w.steps.iter().map(|(s, k, n)| (step_words(s, k, fr), *n)).collect(),
                })
                .collect(),
        })
        .collect();
    let hour = app.ws.config.serve.daily_run.filter(|_| scheduled);
    // Asked for today and ended, yet not every workflow ran (one could not
    // start): the next automatic run is tomorrow's all the same.
    let tried = last.as_ref().is_some_and(|l| !l.running);
    let next = match due(hour, brussels_now(), app.today, app.daily_run_done()? || tried) {
        Due::Off if !scheduled && fr => {
            "Ce serveur ne lance pas le suivi de lui-même (il a été démarré avec --no-daily-run) : lancez-le \
             ci-dessous."
                .to_owned()
        }
        Due::Off if !scheduled => {
            "Deze server start de opvolging niet zelf (hij werd gestart met --no-daily-run): start ze hieronder."
                .to_owned()
        }
        Due::Off if fr => {
            "Le suivi quotidien automatique est désactivé (daily_run = \"off\" dans charte.toml).".to_owned()
        }
        Due::Off => "De automatische dagelijkse opvolging staat uit (daily_run = \"off\" in charte.toml).".to_owned(),
        Due::Now if fr => "Le suivi d'aujourd'hui n'est pas encore fait : il démarre dans la minute.".to_owned(),
        Due::Now => "De opvolging van vandaag is nog niet gedaan: ze start binnen de minuut.".to_owned(),
        Due::At(d, h) if fr => {
            format!("Prochain suivi automatique : le {} à {}.", crate::mail::long_date(d, lang), h.format("%H:%M"))
        }
        Due::At(d, h) => {
            format!("Volgende automatische opvolging: op {} om {}.", crate::mail::long_date(d, lang), h.format("%H:%M"))
        }
    };
    let workflows = app.workflow_names()?.iter().map(|w| workflow_words(w, fr)).collect();
    let last = last.map(|mut l| {
        if let Some(s) = &mut l.summary {
            for (w, _) in &mut s.workflows {
                *w = workflow_words(w, fr);
            }
        }
        l
    });
    Ok(RunsPage { f, days, next, workflows, last, busy: false })
}

/// GET /runs.
async fn page(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Query(after): Query<super::mail::After>,
) -> std::result::Result<Response, Failure> {
    let (last, scheduled) = (super::mail::job_view(&site, Work::Run), site.daily_run);
    super::shown(site, viewer, move |app, viewer| {
        let mut page = runs_page(app, Frame::new(app, viewer, "runs"), last, scheduled)?;
        page.busy = after.busy.is_some();
        Ok(page)
    })
    .await
}

/// POST /runs: runs the workflows now, as a job (the one running, if
/// one runs: a second click starts nothing).
async fn run_now(
    State(site): State<Arc<Site>>,
    Form(_, Nothing {}): Form<Nothing>,
) -> std::result::Result<Response, Failure> {
    let running = site.jobs.running().and_then(|id| site.jobs.get(id));
    let (_, started) = super::jobs::launch(&site, Work::Run, daily).map_err(Failure)?;
    // Asked again while the run itself runs: that run is the answer.
    let same = running.is_some_and(|s| s.work == Work::Run);
    Ok(super::see_other(if started || same { "/runs#last" } else { "/runs?busy=1#last" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_run_is_due_after_its_hour_once_a_day() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        let hour = NaiveTime::from_hms_opt(6, 30, 0);
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("a time");
        assert_eq!(due(hour, at(6, 29), day, false), Due::At(day, at(6, 30)));
        assert_eq!(due(hour, at(6, 30), day, false), Due::Now);
        assert_eq!(due(hour, at(23, 0), day, false), Due::Now, "at start, missing");
        assert_eq!(due(hour, at(7, 0), day, true), Due::At(day.succ_opt().expect("a day"), at(6, 30)));
        assert_eq!(due(None, at(7, 0), day, false), Due::Off);
    }
}
