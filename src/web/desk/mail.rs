//! The desk's mail (`/mail`): the outbox (`[mail] transport = "outbox"`
//! leaves each message in out/outbox/) with each message waiting, one
//! message read back (`/mail/outbox/FILE`: its text and its attachments'
//! names), sending it on through SMTP as `charte outbox send` does (`POST
//! /mail/send`, a job: one at a time, each message once), the bounces, and
//! the state of `[mail]` / `[mail.smtp]`: whether the password's
//! environment variable is set in the server's environment — never its
//! value — and what to do when something is missing.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use super::documents::Nothing;
use super::jobs::{Ended, Summary, Work};
use super::{Coordinator, Form, Frame};
use crate::app::App;
use crate::app::mail::{MailState, Missing};
use crate::app::outbox::RelayState;
use crate::roster::Language;
use crate::web::{Failure, Site};

pub fn routes() -> Router<Arc<Site>> {
    Router::new().route("/mail", get(page)).route("/mail/send", post(send)).route("/mail/outbox/{file}", get(message))
}

/// `[mail]` in words.
#[derive(Debug, Clone)]
pub struct SettingsView {
    /// None: no `[mail]` table.
    pub transport: Option<&'static str>,
    pub from: Option<String>,
    pub smtp: Option<crate::app::mail::SmtpState>,
    /// What sending the outbox on lacks, and what to do, in words.
    pub missing: Option<String>,
}

/// One message of the outbox, in words.
#[derive(Debug, Clone)]
pub struct OutRow {
    /// Its file's name (its page: /mail/outbox/NAME).
    pub name: String,
    pub to: String,
    pub organisation: String,
    pub subject: String,
    pub purpose: String,
    pub date: String,
}

/// A bounce, in words.
#[derive(Debug, Clone)]
pub struct BounceRow {
    pub address: String,
    pub organisation: String,
    pub purpose: String,
    pub reason: String,
    pub date: String,
}

/// The last sending of the outbox (or run) by this server.
#[derive(Debug, Clone)]
pub struct JobView {
    pub running: bool,
    pub done: u64,
    pub len: u64,
    pub summary: Option<Summary>,
    /// Why it stopped (English, from the error).
    pub stopped: Option<String>,
}

#[derive(Debug, Template)]
#[template(path = "desk/mail.html")]
pub struct MailPage {
    pub f: Frame,
    pub settings: SettingsView,
    pub waiting: Vec<OutRow>,
    /// Waiting messages beyond those listed.
    pub more: usize,
    pub sent_on: usize,
    pub refused: usize,
    pub bounces: Vec<BounceRow>,
    pub job: Option<JobView>,
    /// Another job ran when sending was asked for: nothing started.
    pub busy: bool,
    /// The refusal of the sending just asked for.
    pub error: Option<String>,
    /// The last sending's files not sent on, and why, in the page's language.
    pub not_sent: Vec<(String, String)>,
}

#[derive(Debug, Template)]
#[template(path = "desk/mail_message.html")]
pub struct MessagePage {
    pub f: Frame,
    pub row: OutRow,
    pub state: &'static str,
    pub text: String,
    pub attachments: Vec<String>,
}

/// The words for `code` in a table of (code, French, Dutch): the code
/// itself when the table does not know it (a workspace's own name).
pub(super) fn in_words(code: &str, table: &[(&str, &str, &str)], fr: bool) -> String {
    table.iter().find(|(c, ..)| *c == code).map_or(code, |(_, f, n)| if fr { f } else { n }).to_owned()
}

/// A message's purpose in words.
fn purpose(code: &str, fr: bool) -> String {
    in_words(
        code,
        &[
            ("convocation", "convocation", "oproeping"),
            ("adherence", "document d'adhésion", "toetredingsdocument"),
            ("reminder", "rappel", "herinnering"),
            ("code", "code de signature", "ondertekeningscode"),
            ("signed", "accusé de signature", "ontvangstbevestiging van de handtekening"),
            ("report", "rapport", "verslag"),
            ("letter", "lettre d'interpellation", "interpellatiebrief"),
            (crate::app::mailbox::REPORTED, "avis de non-distribution", "melding van niet-aflevering"),
            (
                crate::app::mailbox::ANSWER,
                "réponse à un document renvoyé refusé",
                "antwoord op een geweigerd teruggestuurd document",
            ),
        ],
        fr,
    )
}

/// What sending the outbox on lacks, and what to do, in the page's language.
pub(crate) fn missing_words(m: &Missing, fr: bool) -> String {
    match (m, fr) {
        (Missing::Mail, true) => "charte.toml n'a pas de section [mail] : rien ne dit comment le courrier part. \
            Ajoutez-la (voir le modèle de charte.toml), puis revenez sur cette page."
            .to_owned(),
        (Missing::Mail, false) => "charte.toml heeft geen sectie [mail]: niets zegt hoe de post vertrekt. \
            Voeg ze toe (zie het model van charte.toml) en kom dan terug naar deze pagina."
            .to_owned(),
        (Missing::Smtp, true) => "Pour envoyer la boîte d'envoi, charte.toml doit décrire votre serveur de courrier \
            dans une section [mail.smtp] : host, port, security, et username et password_env s'il demande une \
            connexion. La personne qui gère votre messagerie vous donne ces valeurs."
            .to_owned(),
        (Missing::Smtp, false) => "Om de uitgaande post te versturen, moet charte.toml uw mailserver beschrijven in \
            een sectie [mail.smtp]: host, port, security, en username en password_env als hij een aanmelding vraagt. \
            Wie uw e-mail beheert, geeft u die waarden."
            .to_owned(),
        (Missing::PasswordEnv, true) => "[mail.smtp] donne un nom d'utilisateur (username) mais pas password_env, le \
            nom de la variable d'environnement qui contient le mot de passe (par exemple password_env = \
            \"CHARTE_SMTP_PASSWORD\"). Le mot de passe lui-même ne s'écrit jamais dans charte.toml."
            .to_owned(),
        (Missing::PasswordEnv, false) => "[mail.smtp] geeft een gebruikersnaam (username) maar geen password_env, de \
            naam van de omgevingsvariabele met het wachtwoord (bijvoorbeeld password_env = \
            \"CHARTE_SMTP_PASSWORD\"). Het wachtwoord zelf staat nooit in charte.toml."
            .to_owned(),
        (Missing::Password(name), true) => format!(
            "Le mot de passe du serveur de courrier doit se trouver dans la variable d'environnement {name} du \
             serveur charte, qui n'est pas définie. La personne qui gère le serveur la définit (par exemple dans le \
             service systemd : Environment={name}=… ou un EnvironmentFile lisible par lui seul), puis redémarre \
             charte serve. Le mot de passe ne s'écrit jamais dans charte.toml et n'est jamais affiché ici."
        ),
        (Missing::Password(name), false) => format!(
            "Het wachtwoord van de mailserver moet in de omgevingsvariabele {name} van de charte-server staan, maar \
             die is niet ingesteld. Wie de server beheert, stelt ze in (bijvoorbeeld in de systemd-dienst: \
             Environment={name}=… of een EnvironmentFile die enkel hij kan lezen) en herstart charte serve. Het \
             wachtwoord staat nooit in charte.toml en wordt hier nooit getoond."
        ),
    }
}

fn settings_view(s: MailState, fr: bool) -> SettingsView {
    SettingsView {
        transport: s.transport,
        from: s.from,
        smtp: s.smtp,
        missing: s.missing.as_ref().map(|m| missing_words(m, fr)),
    }
}

fn row(e: &crate::app::outbox::Entry, subject: Option<&String>, lang: Language) -> OutRow {
    let fr = lang == Language::Fr;
    let name = e.file.rsplit('/').next().unwrap_or(&e.file).to_owned();
    let m = e.message.as_ref();
    OutRow {
        name,
        to: m.and_then(|m| m.address.clone()).unwrap_or_default(),
        organisation: m.map(|m| m.organisation.clone()).unwrap_or_default(),
        subject: subject.cloned().unwrap_or_default(),
        purpose: m.map(|m| purpose(&m.purpose, fr)).unwrap_or_default(),
        date: m.map(|m| super::journal_date(&m.date, lang)).unwrap_or_default(),
    }
}

/// The page as it is now.
fn mail_page(app: &App, f: Frame, job: Option<JobView>) -> crate::Result<MailPage> {
    let lang = if f.page.fr { Language::Fr } else { Language::Nl };
    let fr = lang == Language::Fr;
    let o = app.mail_overview()?;
    let is_waiting = |e: &&crate::app::outbox::Entry| matches!(e.relay, RelayState::Waiting | RelayState::Intended);
    let waiting_total = o.outbox.iter().filter(is_waiting).count();
    let waiting: Vec<OutRow> = o
        .outbox
        .iter()
        .filter(is_waiting)
        .take(crate::app::mail::SHOWN)
        .map(|e| row(e, o.subjects.get(&e.file), lang))
        .collect();
    let not_sent = job
        .as_ref()
        .and_then(|j| j.summary.as_ref())
        .map(|s| s.not_sent.iter().map(|(file, why)| (file.clone(), why.say(lang))).collect())
        .unwrap_or_default();
    Ok(MailPage {
        not_sent,
        more: waiting_total - waiting.len(),
        waiting,
        sent_on: o.outbox.iter().filter(|e| e.relay == RelayState::Relayed).count(),
        refused: o.outbox.iter().filter(|e| e.relay == RelayState::Refused).count(),
        bounces: o
            .bounces
            .into_iter()
            .map(|b| BounceRow {
                address: b.address.unwrap_or_else(|| if fr { "(effacée)" } else { "(gewist)" }.to_owned()),
                organisation: b.organisation,
                purpose: purpose(&b.purpose, fr),
                reason: b.reason,
                date: super::date(b.at, lang),
            })
            .collect(),
        settings: settings_view(o.state, fr),
        job,
        busy: false,
        error: None,
        f,
    })
}

/// The last job of `work` this server ran, in words.
pub(super) fn job_view(site: &Site, work: Work) -> Option<JobView> {
    let s = site.jobs.latest(work)?;
    let (summary, stopped) = match s.ended {
        Some(Ended::Done(summary)) => (Some(summary), None),
        Some(Ended::Stopped { message, .. }) => (None, Some(message)),
        None => (None, None),
    };
    Some(JobView { running: summary.is_none() && stopped.is_none(), done: s.done, len: s.len, summary, stopped })
}

/// `?busy=1`: the work asked for did not start, another job ran.
#[derive(Debug, serde::Deserialize)]
pub struct After {
    pub(super) busy: Option<String>,
}

/// GET /mail.
async fn page(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Query(after): Query<After>,
) -> std::result::Result<Response, Failure> {
    let job = job_view(&site, Work::Outbox);
    super::shown(site, viewer, move |app, viewer| {
        let mut page = mail_page(app, Frame::new(app, viewer, "mail"), job)?;
        page.busy = after.busy.is_some();
        Ok(page)
    })
    .await
}

/// GET /mail/outbox/NAME: one message of the outbox, read back.
async fn message(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Path(file): Path<String>,
) -> std::result::Result<Response, Failure> {
    super::shown(site, viewer, move |app, viewer| {
        let read = app.outbox_message(&file)?;
        let fr = viewer.lang == Language::Fr;
        let state = match (read.entry.relay, fr) {
            (RelayState::Waiting | RelayState::Intended, true) => "en attente d'envoi",
            (RelayState::Waiting | RelayState::Intended, false) => "wacht op verzending",
            (RelayState::Relayed, true) => "envoyé",
            (RelayState::Relayed, false) => "verstuurd",
            (RelayState::Bounced, true) => "refusé par le serveur du destinataire",
            (RelayState::Bounced, false) => "geweigerd door de server van de ontvanger",
            (RelayState::Refused, true) => "jamais envoyé (charte n'envoie que ce qu'il a écrit)",
            (RelayState::Refused, false) => "nooit verstuurd (charte verstuurt enkel wat het zelf schreef)",
        };
        let mut row = row(&read.entry, None, viewer.lang);
        row.subject = read.subject;
        Ok(MessagePage {
            f: Frame::new(app, viewer, "mail"),
            row,
            state,
            text: read.text,
            attachments: read.attachments,
        })
    })
    .await
}

/// POST /mail/send: sends the outbox on through SMTP, as a job; refused
/// on the page (422) when the settings lack something, saying what.
async fn send(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), Nothing {}): Form<Nothing>,
) -> std::result::Result<Response, Failure> {
    let (lang, chosen) = (viewer.lang, viewer.chosen);
    let job = job_view(&site, Work::Outbox);
    let refused = site
        .read(move |app| {
            let state = app.mail_state();
            let Some(missing) = state.missing else { return Ok(None) };
            let mut page = mail_page(app, Frame::new(app, &viewer, "mail"), job)?;
            page.error = Some(missing_words(&missing, viewer.lang == Language::Fr));
            Ok(Some(page))
        })
        .await?;
    if let Some(page) = refused {
        return Ok(crate::web::render(&page, StatusCode::UNPROCESSABLE_ENTITY, chosen, lang));
    }
    let (_, started) = super::jobs::launch(&site, Work::Outbox, |app| {
        let r = app.send_outbox()?;
        Ok(Summary {
            relayed: r.report.sent,
            bounced: r.report.bounced,
            not_sent: r.refused,
            unchanged: r.report.already,
            ..Summary::default()
        })
    })
    .map_err(Failure)?;
    Ok(super::see_other(if started { "/mail#sending" } else { "/mail?busy=1#sending" }))
}
