//! The desk's meetings (`/meetings`, issue 20): the year's meetings by
//! body ([`App::meetings_overview`]) and a form to add one
//! ([`App::add_meeting`]); each meeting's page (`/meetings/ID`,
//! [`App::meeting_view`]) with its body's notice rule in words before the
//! coordinator convokes ([`App::convoke`], which checks the same rule),
//! the attendance as a checklist ([`App::tick_attendance`], the rules of
//! `charte attendance import`) and the votes, counted or ballot by ballot
//! ([`App::decide`], the counting of `charte vote`). A refusal the
//! coordinator can fix is said by its form, in the page's language, read
//! from the meeting as it is now (the application's English goes to the
//! log); nothing was changed.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{NaiveDate, NaiveTime};

use super::{Coordinator, Form, Frame, Viewer, date, see_other};
use crate::app::App;
use crate::app::attendance::Ticked;
use crate::app::meetings::{MeetingView, NewMeeting, Overview};
use crate::app::vote::Votes;
use crate::error::Problem;
use crate::governance::attendance::Presence;
use crate::governance::vote::{BallotLine, Choice};
use crate::mail::long_date;
use crate::roster::Language;
use crate::web::{Failure, Site, render};
use crate::{Error, Result};

pub fn routes() -> Router<Arc<Site>> {
    Router::new()
        .route("/meetings", get(list).post(add))
        .route("/meetings/{id}", get(show))
        .route("/meetings/{id}/convoke", post(convoke))
        .route("/meetings/{id}/attendance", post(attendance))
        .route("/meetings/{id}/vote", post(vote))
}

/// A body in the filter and the form's choice.
#[derive(Debug, Clone)]
pub struct BodyChoice {
    pub key: String,
    pub name: String,
    pub selected: bool,
}

/// A meeting in the list, in the page's words.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub date: String,
    pub time: Option<String>,
    pub body: String,
    pub title: String,
    pub place: String,
    pub cancelled: bool,
    pub convoked: String,
    pub attendance: String,
    pub decisions: usize,
}

/// The add form's fields, given back when it is refused.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AddForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    agenda: String,
}

#[derive(Debug, Template)]
#[template(path = "desk/meetings.html")]
pub struct MeetingsPage {
    pub f: Frame,
    pub year: i32,
    /// The body the list is filtered on, in words.
    pub filtered: Option<String>,
    pub filters: Vec<BodyChoice>,
    pub bodies: Vec<BodyChoice>,
    pub rows: Vec<Row>,
    pub form: AddForm,
    /// Refusals of the add form, by field.
    pub errors: Vec<(&'static str, String)>,
}

impl MeetingsPage {
    pub fn errors_of(&self, field: &str) -> Vec<&String> {
        self.errors.iter().filter(|(f, _)| *f == field).map(|(_, e)| e).collect()
    }
}

/// `?body=KEY`.
#[derive(Debug, serde::Deserialize)]
pub struct Filter {
    body: Option<String>,
}

fn lang_of(f: &Frame) -> Language {
    if f.page.fr { Language::Fr } else { Language::Nl }
}

/// A body's name in `lang`, from charte.toml (its key when it has none any more).
fn body_name(app: &App, key: &str, lang: Language) -> String {
    crate::governance::body(&app.ws.config, key).map_or_else(|_| key.to_owned(), |b| b.name(lang).to_owned())
}

fn meetings_page(app: &App, viewer: &Viewer, body: Option<&str>, form: AddForm) -> Result<MeetingsPage> {
    let f = Frame::new(app, viewer, "meetings");
    let lang = lang_of(&f);
    let fr = f.page.fr;
    let body = body.map(str::trim).filter(|b| !b.is_empty());
    let all = crate::governance::bodies(&app.ws.config);
    let known = body.and_then(|b| all.iter().find(|x| x.key.eq_ignore_ascii_case(b)));
    let rows = app
        .meetings_overview(known.map(|b| b.key.as_str()))?
        .into_iter()
        .map(|Overview { listed, convoked, attendance, decisions }| {
            let m = &listed.meeting;
            Row {
                id: m.id.clone(),
                date: date(m.date, lang),
                time: m.time.map(|t| t.format("%H:%M").to_string()),
                body: body_name(app, &m.body, lang),
                title: m.title.clone().unwrap_or_default(),
                place: m.place.clone().unwrap_or_default(),
                cancelled: listed.cancelled.is_some(),
                convoked: match (convoked, fr) {
                    (0, true) => "non".to_owned(),
                    (0, false) => "nee".to_owned(),
                    (n, true) => format!("oui ({n} org.)"),
                    (n, false) => format!("ja ({n} org.)"),
                },
                attendance: match (attendance, fr) {
                    (0, true) => "non".to_owned(),
                    (0, false) => "nee".to_owned(),
                    (n, true) => format!("oui ({n})"),
                    (n, false) => format!("ja ({n})"),
                },
                decisions,
            }
        })
        .collect();
    let chosen = if form.body.is_empty() { known.map_or("plenary", |b| b.key.as_str()) } else { form.body.as_str() };
    Ok(MeetingsPage {
        year: chrono::Datelike::year(&app.today),
        filtered: known.map(|b| b.name(lang).to_owned()),
        filters: all
            .iter()
            .map(|b| BodyChoice {
                key: b.key.clone(),
                name: b.name(lang).to_owned(),
                selected: known.is_some_and(|k| k.key == b.key),
            })
            .collect(),
        bodies: all
            .iter()
            .map(|b| BodyChoice { key: b.key.clone(), name: b.name(lang).to_owned(), selected: b.key == chosen })
            .collect(),
        rows,
        form,
        errors: Vec::new(),
        f,
    })
}

/// GET /meetings.
async fn list(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Query(filter): Query<Filter>,
) -> std::result::Result<Response, Failure> {
    super::shown(site, viewer, move |app, viewer| {
        meetings_page(app, viewer, filter.body.as_deref(), AddForm::default())
    })
    .await
}

/// The add form read: the meeting, or the refusals by field.
fn read_add(form: &AddForm, fr: bool) -> std::result::Result<NewMeeting, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let day = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d").map_err(|_| {
        errors.push((
            "date",
            if form.date.trim().is_empty() {
                if fr { "Indiquez la date de la réunion." } else { "Geef de datum van de vergadering op." }
            } else if fr {
                "Cette date ne se lit pas : choisissez-la dans le calendrier (jour/mois/année)."
            } else {
                "Deze datum is onleesbaar: kies ze in de kalender (dag/maand/jaar)."
            }
            .to_owned(),
        ));
    });
    let time = match form.time.trim() {
        "" => Ok(None),
        t => NaiveTime::parse_from_str(t, "%H:%M").map(Some).map_err(|_| {
            errors.push((
                "time",
                if fr {
                    "Cette heure ne se lit pas : écrivez-la comme 14:00, ou laissez le champ vide."
                } else {
                    "Dit uur is onleesbaar: schrijf het als 14:00, of laat het veld leeg."
                }
                .to_owned(),
            ));
        }),
    };
    let agenda = if form.agenda.trim().is_empty() {
        Ok(Vec::new())
    } else {
        crate::governance::meeting::agenda(form.agenda.as_bytes()).map_err(|problems| {
            for p in problems {
                errors.push(("agenda", agenda_problem(&p, fr)));
            }
        })
    };
    match (day, time, agenda) {
        (Ok(date), Ok(time), Ok(agenda)) if errors.is_empty() => Ok(NewMeeting {
            body: form.body.clone(),
            date,
            time,
            place: Some(form.place.clone()),
            title: Some(form.title.clone()),
            agenda,
        }),
        _ => Err(errors),
    }
}

/// An agenda's problem in the page's words.
fn agenda_problem(p: &Problem, fr: bool) -> String {
    let max_items = crate::governance::meeting::MAX_AGENDA_ITEMS;
    let max_chars = crate::governance::meeting::MAX_AGENDA_ITEM_CHARS;
    match (p.line, fr) {
        (None, true) => format!("L'ordre du jour a trop de points : une convocation en imprime au plus {max_items}."),
        (None, false) => format!("De agenda heeft te veel punten: een oproeping drukt er hoogstens {max_items} af."),
        (Some(l), true) => format!(
            "Ligne {l} de l'ordre du jour : ce point ne peut pas être imprimé sur la convocation (au plus {max_chars} \
             caractères, sans caractère spécial comme un émoji)."
        ),
        (Some(l), false) => format!(
            "Regel {l} van de agenda: dit punt kan niet op de oproeping worden gedrukt (hoogstens {max_chars} \
             tekens, zonder bijzonder teken zoals een emoji)."
        ),
    }
}

/// POST /meetings: adds a meeting, then its page (303); refused, the
/// list with the form and its refusals by field (422).
async fn add(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<AddForm>,
) -> std::result::Result<Response, Failure> {
    let (lang, chosen) = (viewer.lang, viewer.chosen);
    let fr = lang == Language::Fr;
    let outcome = site
        .write(move |app| {
            let errors = match read_add(&form, fr) {
                Ok(new) => {
                    let day = new.date;
                    match app.add_meeting(new) {
                        Ok(added) => {
                            return Ok(Then::See(format!("{}?added=1", meeting_url(&added.meeting.id))));
                        }
                        Err(e) if super::fixable(e.kind()) => {
                            log_refusal("add-meeting", "", &e);
                            vec![if day < app.today {
                                ("date", past_day(day, app.today, lang))
                            } else if fr {
                                ("body", "Choisissez un organe de la liste.".to_owned())
                            } else {
                                ("body", "Kies een orgaan uit de lijst.".to_owned())
                            }]
                        }
                        Err(e) => return Err(e),
                    }
                }
                Err(errors) => errors,
            };
            let mut page = meetings_page(app, &viewer, None, form)?;
            page.errors = errors;
            Ok(Then::Refused(Box::new(page)))
        })
        .await?;
    Ok(match outcome {
        Then::See(to) => see_other(&to),
        Then::Refused(page) => render(page.as_ref(), StatusCode::UNPROCESSABLE_ENTITY, chosen, lang),
    })
}

fn past_day(day: NaiveDate, today: NaiveDate, lang: Language) -> String {
    match lang {
        Language::Fr => format!(
            "Le {} est passé (nous sommes le {}) : une réunion s'ajoute avant d'avoir lieu.",
            date(day, lang),
            date(today, lang)
        ),
        Language::Nl => format!(
            "{} is voorbij (vandaag is het {}): een vergadering wordt toegevoegd vóór ze plaatsvindt.",
            date(day, lang),
            date(today, lang)
        ),
    }
}

/// After a form: on to the page that shows the result (303), or the
/// form's page again with the refusal (422).
enum Then<P> {
    See(String),
    Refused(Box<P>),
}

/// The refusal the application gave, for the log (the page says it in its own words).
fn log_refusal(action: &str, meeting: &str, e: &Error) {
    eprintln!("{}", serde_json::json!({"refused": action, "meeting": meeting, "why": e.to_string()}));
}

// ---------------------------------------------------------------- one meeting

/// An organisation on the checklist, in the page's words.
#[derive(Debug, Clone)]
pub struct Attendee {
    pub digits: String,
    pub number: String,
    pub name: String,
    /// present, excused, absent, or '' when nothing is recorded.
    pub status: &'static str,
    pub status_words: String,
    pub person: String,
    /// Present and may vote: a row of the ballots' form.
    pub votes: bool,
    /// Whose ballot it is (the seat holder for a body of seats, else who came).
    pub ballot_person: String,
    /// The ballot given back when the form is refused.
    pub ballot: String,
}

/// A decision voted, in the page's words.
#[derive(Debug, Clone)]
pub struct DecisionRow {
    pub decision: String,
    pub adopted: bool,
    pub counts: String,
    pub casting: Option<String>,
    pub ballots: usize,
}

/// The vote form's fields, given back when it is refused.
#[derive(Debug, Clone, Default)]
pub struct VoteForm {
    pub decision: String,
    pub yes: String,
    pub no: String,
    pub abstain: String,
    pub casting: String,
    /// The ballots' form was sent (else the counts').
    pub ballots: bool,
}

#[derive(Debug, Template)]
#[template(path = "desk/meeting.html")]
pub struct MeetingPage {
    pub f: Frame,
    pub id: String,
    pub heading: String,
    pub when: String,
    pub body: String,
    pub body_key: String,
    pub place: String,
    pub agenda: Vec<String>,
    pub cancelled: Option<String>,
    /// What was just done, in words.
    pub said: Option<String>,
    // --- convoking
    pub rule: String,
    pub last_day: String,
    pub in_time: bool,
    /// The meeting has not taken place: it can be convoked.
    pub to_come: bool,
    pub convoked: bool,
    pub convocations: String,
    pub late_reason: Option<String>,
    pub convoke_error: Option<String>,
    pub late_typed: String,
    // --- attendance
    pub held: bool,
    pub attendees: Vec<Attendee>,
    pub recorded: usize,
    pub attendance_error: Option<String>,
    // --- votes
    pub present_voters: usize,
    pub voters: Vec<Attendee>,
    pub casting_holder: Option<String>,
    /// The counts are tied and the rules give a casting vote: the form asks for it.
    pub ask_casting: bool,
    pub vote: VoteForm,
    pub vote_error: Option<String>,
    pub decisions: Vec<DecisionRow>,
}

/// `?added=1`, `?convoked=1`, `?recorded=N&changed=N&known=N`, `?voted=1`:
/// what was just done (the page after a form).
#[derive(Debug, Default, serde::Deserialize)]
pub struct After {
    added: Option<u8>,
    convoked: Option<u8>,
    /// Organisations the convocation could not be built for.
    failed: Option<usize>,
    recorded: Option<usize>,
    changed: Option<usize>,
    known: Option<usize>,
    voted: Option<u8>,
}

fn status_words(p: Option<Presence>, fr: bool) -> (&'static str, String) {
    let (code, words) = match (p, fr) {
        (None, true) => return ("", "pas encore enregistrée".into()),
        (None, false) => return ("", "nog niet geregistreerd".into()),
        (Some(Presence::Present), true) => ("present", "présente"),
        (Some(Presence::Present), false) => ("present", "aanwezig"),
        (Some(Presence::Excused), true) => ("excused", "excusée"),
        (Some(Presence::Excused), false) => ("excused", "verontschuldigd"),
        (Some(Presence::Absent), true) => ("absent", "absente"),
        (Some(Presence::Absent), false) => ("absent", "afwezig"),
    };
    (code, if fr { format!("enregistrée : {words}") } else { format!("geregistreerd: {words}") })
}

/// The body's notice rule in words.
fn rule_words(v: &MeetingView, lang: Language) -> String {
    let n = &v.notice;
    let name = v.body.name(lang);
    match lang {
        Language::Fr => format!(
            "{name} : la convocation part au moins {} jours francs avant la réunion (ni le jour de l'envoi ni celui de \
             la réunion ne comptent){}.",
            n.clear,
            if n.receipt > 0 {
                format!(", plus {} jour(s) pour que le courrier arrive", n.receipt)
            } else {
                String::new()
            }
        ),
        Language::Nl => format!(
            "{name}: de oproeping vertrekt minstens {} vrije dagen vóór de vergadering (de dag van verzending en \
             die van de vergadering tellen niet mee){}.",
            n.clear,
            if n.receipt > 0 { format!(", plus {} dag(en) zodat de post aankomt", n.receipt) } else { String::new() }
        ),
    }
}

fn meeting_page(app: &App, viewer: &Viewer, id: &str) -> Result<MeetingPage> {
    let v = app.meeting_view(id)?;
    let f = Frame::new(app, viewer, "meetings");
    let lang = lang_of(&f);
    let fr = f.page.fr;
    let m = &v.meeting;
    let when = match m.time {
        Some(t) => crate::mail::long_date_time(m.date.and_time(t), lang),
        None => long_date(m.date, lang),
    };
    let last_day = v.notice.last_day.map(|d| long_date(d, lang)).unwrap_or_default();
    let c = &v.convocations;
    let convocations = match (fr, v.outbox) {
        (true, true) => format!(
            "{} organisation(s) convoquée(s) : {} courriel(s) prêt(s) dans la boîte d'envoi (out/outbox/). Ils \
             partiront quand vous enverrez la boîte d'envoi (page Courrier).",
            c.organisations, c.sent
        ),
        (false, true) => format!(
            "{} organisatie(s) opgeroepen: {} e-mail(s) klaar in de uitgaande post (out/outbox/). Ze vertrekken \
             wanneer u de uitgaande post verstuurt (op de pagina Post).",
            c.organisations, c.sent
        ),
        (true, false) => format!("{} organisation(s) convoquée(s) : {} courriel(s) parti(s).", c.organisations, c.sent),
        (false, false) => format!("{} organisatie(s) opgeroepen: {} e-mail(s) vertrokken.", c.organisations, c.sent),
    } + &match (c.bounced, fr) {
        (0, _) => String::new(),
        (n, true) => format!(" {n} adresse(s) refusée(s) par le serveur de courrier (voir Signalements)."),
        (n, false) => format!(" {n} adres(sen) geweigerd door de mailserver (zie Signalen)."),
    };
    let attendees: Vec<Attendee> = v
        .invited
        .iter()
        .map(|i| {
            let (status, words) = status_words(i.status, fr);
            Attendee {
                digits: i.enterprise_number.digits().to_owned(),
                number: i.enterprise_number.formatted(),
                name: i.name.clone(),
                status,
                status_words: words,
                person: if i.person.is_empty() && i.status.is_none() { String::new() } else { i.person.clone() },
                votes: i.voter && i.status == Some(Presence::Present),
                ballot_person: i.ballot_person.clone(),
                ballot: String::new(),
            }
        })
        .collect();
    let decisions = v
        .decisions
        .iter()
        .map(|d| {
            let o = &d.outcome;
            DecisionRow {
                decision: d.decision.clone(),
                adopted: o.adopted,
                counts: if fr {
                    format!(
                        "{} pour, {} contre, {} abstention(s) ; {} votant(s) présent(s)",
                        o.yes, o.no, o.abstain, o.present_voters
                    )
                } else {
                    format!(
                        "{} voor, {} tegen, {} onthouding(en); {} stemgerechtigde(n) aanwezig",
                        o.yes, o.no, o.abstain, o.present_voters
                    )
                },
                casting: o.casting_vote.clone(),
                ballots: d.ballots.len(),
            }
        })
        .collect();
    Ok(MeetingPage {
        id: m.id.clone(),
        heading: m.title.clone().unwrap_or_else(|| v.body.name(lang).to_owned()),
        when,
        body: v.body.name(lang).to_owned(),
        body_key: v.body.key.clone(),
        place: m.place.clone().unwrap_or_default(),
        agenda: m.agenda.clone(),
        cancelled: v.cancelled.clone(),
        said: None,
        rule: rule_words(&v, lang),
        last_day,
        in_time: v.notice.in_time,
        to_come: m.date >= app.today && v.cancelled.is_none(),
        convoked: c.organisations > 0,
        convocations,
        late_reason: v.late.as_ref().map(|l| l.reason.clone()),
        convoke_error: None,
        late_typed: String::new(),
        held: v.held,
        voters: attendees.iter().filter(|a| a.votes).cloned().collect(),
        attendees,
        recorded: v.recorded,
        attendance_error: None,
        present_voters: v.present_voters,
        casting_holder: v.casting.as_ref().map(|s| match &s.role {
            Some(role) => format!("{} ({role})", s.person),
            None => s.person.clone(),
        }),
        ask_casting: false,
        vote: VoteForm::default(),
        vote_error: None,
        decisions,
        f,
    })
}

/// What was just done, from the page's query.
fn said(after: &After, page: &MeetingPage, fr: bool) -> Option<String> {
    if after.added.is_some() {
        return Some(if fr {
            format!("La réunion est ajoutée ({}). Convoquez-la ci-dessous.", page.id)
        } else {
            format!("De vergadering is toegevoegd ({}). Nodig hieronder uit.", page.id)
        });
    }
    if after.convoked.is_some() {
        let failed = match (after.failed.unwrap_or(0), fr) {
            (0, _) => String::new(),
            (n, true) => format!(
                " Attention : la convocation de {n} organisation(s) n'a pas pu être préparée (le détail est dans le \
                 journal du serveur) ; corrigez, puis envoyez les convocations qui manquent."
            ),
            (n, false) => format!(
                " Let op: de oproeping van {n} organisatie(s) kon niet worden voorbereid (de details staan in het \
                 logboek van de server); verbeter, en verstuur dan de ontbrekende oproepingen."
            ),
        };
        return Some(page.convocations.clone() + &failed);
    }
    if let Some(recorded) = after.recorded {
        let (changed, known) = (after.changed.unwrap_or(0), after.known.unwrap_or(0));
        return Some(if fr {
            format!(
                "Présences enregistrées : {recorded} ligne(s) nouvelle(s) ou modifiée(s), dont {changed} modifiée(s) ; \
                 {known} déjà connue(s), inchangée(s)."
            )
        } else {
            format!(
                "Aanwezigheden geregistreerd: {recorded} nieuwe of gewijzigde regel(s), waarvan {changed} gewijzigd; \
                 {known} al bekend, ongewijzigd."
            )
        });
    }
    after.voted.map(|_| {
        let last = page.decisions.last();
        match (last, fr) {
            (Some(d), true) => format!(
                "Décision enregistrée : « {} » : {}.",
                d.decision,
                if d.adopted { "adoptée" } else { "rejetée" }
            ),
            (Some(d), false) => format!(
                "Beslissing geregistreerd: „{}”: {}.",
                d.decision,
                if d.adopted { "aangenomen" } else { "verworpen" }
            ),
            (None, _) => String::new(),
        }
    })
}

/// GET /meetings/ID.
async fn show(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Path(id): Path<String>,
    Query(after): Query<After>,
) -> std::result::Result<Response, Failure> {
    super::shown(site, viewer, move |app, viewer| {
        let mut page = meeting_page(app, viewer, &id)?;
        page.said = said(&after, &page, page.f.page.fr).filter(|s| !s.is_empty());
        Ok(page)
    })
    .await
}

async fn answer(
    site: &Arc<Site>,
    viewer: Viewer,
    work: impl FnOnce(&mut App, &Viewer) -> Result<Then<MeetingPage>> + Send + 'static,
) -> std::result::Result<Response, Failure> {
    let (lang, chosen) = (viewer.lang, viewer.chosen);
    Ok(match site.write(move |app| work(app, &viewer)).await? {
        Then::See(to) => see_other(&to),
        Then::Refused(page) => render(page.as_ref(), StatusCode::UNPROCESSABLE_ENTITY, chosen, lang),
    })
}

fn meeting_url(id: &str) -> String {
    format!("/meetings/{}", super::url_escape(id))
}

/// The convoke form: the reason of a late convocation.
#[derive(Debug, serde::Deserialize)]
pub struct Convoke {
    late: Option<String>,
}

/// POST /meetings/ID/convoke.
async fn convoke(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
    Form(Coordinator(viewer), Convoke { late }): Form<Convoke>,
) -> std::result::Result<Response, Failure> {
    answer(&site, viewer, move |app, viewer| {
        // A blank reason is no reason: the in-time button sends none.
        let reason = late.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        match app.convoke(&id, reason.as_deref()) {
            // Organisations whose convocation could not be built (the others
            // were convoked): counted on the page, detailed in the log.
            Ok(done) if !done.failed.is_empty() => {
                for f in &done.failed {
                    eprintln!("{}", serde_json::json!({"not-convoked": f.item, "meeting": id, "why": f.reason}));
                }
                Ok(Then::See(format!("{}?convoked=1&failed={}", meeting_url(&id), done.failed.len())))
            }
            Ok(_) => Ok(Then::See(format!("{}?convoked=1", meeting_url(&id)))),
            Err(e) if super::fixable(e.kind()) => {
                log_refusal("convoke", &id, &e);
                let mut page = meeting_page(app, viewer, &id)?;
                let fr = page.f.page.fr;
                let no_mail = app.ws.config.mail.is_none();
                page.convoke_error = Some(convoke_refusal(&page, reason.is_some(), no_mail, fr));
                page.late_typed = reason.unwrap_or_default();
                Ok(Then::Refused(Box::new(page)))
            }
            Err(e) => Err(e),
        }
    })
    .await
}

/// Why convoking was refused, read from the meeting as it is now.
fn convoke_refusal(page: &MeetingPage, reason: bool, no_mail: bool, fr: bool) -> String {
    if page.cancelled.is_some() {
        return if fr {
            "Cette réunion est annulée : elle ne se convoque plus. Rien n'a été envoyé.".into()
        } else {
            "Deze vergadering is geannuleerd: er wordt niet meer voor opgeroepen. Er werd niets verstuurd.".into()
        };
    }
    if !page.to_come {
        return if fr {
            "Cette réunion a déjà eu lieu : il est trop tard pour la convoquer. Rien n'a été envoyé.".into()
        } else {
            "Deze vergadering heeft al plaatsgevonden: het is te laat om op te roepen. Er werd niets verstuurd.".into()
        };
    }
    if !page.in_time && !reason {
        return if fr {
            format!(
                "Le délai de convocation est dépassé : le dernier jour pour envoyer était le {}. Pour convoquer \
                 quand même, indiquez pourquoi dans le champ ci-dessous (le comité verra un signalement « délai de \
                 convocation trop court »). Rien n'a été envoyé.",
                page.last_day
            )
        } else {
            format!(
                "De oproepingstermijn is verstreken: de laatste dag om te versturen was {}. Om toch op te roepen, \
                 geef hieronder de reden op (het comité ziet dan een signaal „oproepingstermijn te kort”). Er werd \
                 niets verstuurd.",
                page.last_day
            )
        };
    }
    if no_mail {
        return if fr {
            "Le courrier n'est pas encore réglé (section [mail] du fichier charte.toml) : rien n'a été envoyé.".into()
        } else {
            "De post is nog niet ingesteld (sectie [mail] van het bestand charte.toml): er werd niets verstuurd.".into()
        };
    }
    if fr {
        "Les convocations n'ont pas pu être préparées (personne à convoquer dans cet organe, ou le modèle de \
         convocation) : rien n'a été envoyé. Le détail est dans le journal du serveur."
            .into()
    } else {
        "De oproepingen konden niet worden voorbereid (niemand op te roepen in dit orgaan, of het model van de \
         oproeping): er werd niets verstuurd. De details staan in het logboek van de server."
            .into()
    }
}

/// The checklist read: `status-DIGITS` (present, excused, absent) and
/// `person-DIGITS` for each organisation ticked.
fn ticked(fields: &BTreeMap<String, String>) -> Vec<Ticked> {
    fields
        .iter()
        .filter_map(|(k, v)| {
            let digits = k.strip_prefix("status-")?;
            let status = v.parse::<Presence>().ok()?;
            let person = fields.get(&format!("person-{digits}")).cloned().unwrap_or_default();
            Some(Ticked { organisation: digits.to_owned(), status, person })
        })
        .collect()
}

/// POST /meetings/ID/attendance.
async fn attendance(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
    Form(Coordinator(viewer), fields): Form<BTreeMap<String, String>>,
) -> std::result::Result<Response, Failure> {
    answer(&site, viewer, move |app, viewer| {
        let rows = ticked(&fields);
        let none = rows.is_empty();
        match app.tick_attendance(&id, rows) {
            Ok(done) => Ok(Then::See(format!(
                "{}?recorded={}&changed={}&known={}",
                meeting_url(&id),
                done.recorded,
                done.changed,
                done.known
            ))),
            Err(e) if super::fixable(e.kind()) => {
                log_refusal("attendance", &id, &e);
                let mut page = meeting_page(app, viewer, &id)?;
                let fr = page.f.page.fr;
                page.attendance_error = Some(match (none, page.held, fr) {
                    (true, _, true) => "Cochez présent, excusé ou absent pour au moins une organisation. Rien n'a été \
                                        enregistré."
                        .into(),
                    (true, _, false) => "Vink aanwezig, verontschuldigd of afwezig aan voor minstens één organisatie. \
                                         Er werd niets geregistreerd."
                        .into(),
                    (false, false, true) => {
                        "Les présences s'enregistrent le jour de la réunion ou après. Rien n'a été \
                                             enregistré."
                            .into()
                    }
                    (false, false, false) => "Aanwezigheden worden geregistreerd op de dag van de vergadering of \
                                              erna. Er werd niets geregistreerd."
                        .into(),
                    (false, true, true) => "Une organisation cochée n'est plus dans la liste des membres : la liste \
                                            ci-dessous est à jour. Rien n'a été enregistré."
                        .into(),
                    (false, true, false) => "Een aangevinkte organisatie staat niet meer in de ledenlijst: de lijst \
                                             hieronder is bijgewerkt. Er werd niets geregistreerd."
                        .into(),
                });
                Ok(Then::Refused(Box::new(page)))
            }
            Err(e) => Err(e),
        }
    })
    .await
}

/// The vote form read: the votes, or why they do not read (in words).
fn read_votes(fields: &BTreeMap<String, String>, fr: bool) -> (VoteForm, std::result::Result<Votes, String>) {
    let get = |k: &str| fields.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let mut form = VoteForm {
        decision: get("decision"),
        yes: get("yes"),
        no: get("no"),
        abstain: get("abstain"),
        casting: get("casting"),
        ballots: false,
    };
    let ballots: Vec<BallotLine> = fields
        .iter()
        .filter_map(|(k, v)| {
            let digits = k.strip_prefix("ballot-")?;
            let choice = v.parse::<Choice>().ok()?;
            Some((digits, choice))
        })
        .enumerate()
        .map(|(i, (digits, choice))| BallotLine {
            line: i as u64 + 1,
            column: format!("ballot-{digits}"),
            organisation: digits.to_owned(),
            person: fields.get(&format!("person-{digits}")).cloned().unwrap_or_default(),
            choice,
        })
        .collect();
    if fields.contains_key("mode") && get("mode") == "ballots" || !ballots.is_empty() {
        form.ballots = true;
        if ballots.is_empty() {
            let why = if fr {
                "Choisissez pour, contre ou abstention pour au moins une organisation."
            } else {
                "Kies voor, tegen of onthouding voor minstens één organisatie."
            };
            return (form, Err(why.to_owned()));
        }
        return (form, Ok(Votes::Ballots(ballots)));
    }
    let number = |s: &str| if s.is_empty() { Some(0) } else { s.parse::<usize>().ok() };
    let (Some(yes), Some(no), Some(abstain)) = (number(&form.yes), number(&form.no), number(&form.abstain)) else {
        let why = if fr {
            "Les voix se comptent en nombres entiers (0, 1, 2…)."
        } else {
            "Stemmen worden in gehele getallen geteld (0, 1, 2…)."
        };
        return (form, Err(why.to_owned()));
    };
    let casting = match form.casting.as_str() {
        "yes" => Some(Choice::Yes),
        "no" => Some(Choice::No),
        _ => None,
    };
    (form, Ok(Votes::Counts { yes, no, abstain, casting }))
}

/// POST /meetings/ID/vote.
async fn vote(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
    Form(Coordinator(viewer), fields): Form<BTreeMap<String, String>>,
) -> std::result::Result<Response, Failure> {
    answer(&site, viewer, move |app, viewer| {
        let fr = viewer.lang == Language::Fr;
        let (form, votes) = read_votes(&fields, fr);
        let refused = match votes {
            Err(why) => Some(why),
            Ok(votes) => {
                match app
                    .decide(&id, &form.decision, votes, &|p| Error::Input { file: "the vote form".into(), problems: p })
                {
                    Ok(_) => return Ok(Then::See(format!("{}?voted=1", meeting_url(&id)))),
                    Err(e) if super::fixable(e.kind()) => {
                        log_refusal("vote", &id, &e);
                        let page = meeting_page(app, viewer, &id)?;
                        Some(vote_refusal(&page, &e, viewer.lang))
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let mut page = meeting_page(app, viewer, &id)?;
        page.ask_casting =
            page.casting_holder.is_some() && !form.ballots && !form.yes.is_empty() && form.yes == form.no;
        for v in &mut page.voters {
            v.ballot = fields.get(&format!("ballot-{}", v.digits)).cloned().unwrap_or_default();
        }
        page.vote = form;
        page.vote_error = refused;
        Ok(Then::Refused(Box::new(page)))
    })
    .await
}

/// Why a vote was refused: the application's reason, in French or Dutch;
/// a ballot refused, by whose it is.
fn vote_refusal(page: &MeetingPage, e: &Error, lang: Language) -> String {
    let fr = lang == Language::Fr;
    let nothing = if fr { " Rien n'a été enregistré." } else { " Er werd niets geregistreerd." };
    let why = match e {
        Error::NotVoted(why) => why.say(lang),
        _ => generic_vote_refusal(e, page, fr),
    };
    why + nothing
}

/// A ballot refused: whose, from the problem's field (`ballot-DIGITS`).
fn generic_vote_refusal(e: &Error, page: &MeetingPage, fr: bool) -> String {
    let names: Vec<String> = match e {
        Error::Input { problems, .. } => problems
            .iter()
            .filter_map(|p| p.field.as_deref()?.strip_prefix("ballot-"))
            .filter_map(|d| page.attendees.iter().find(|a| a.digits == d).map(|a| a.name.clone()))
            .collect(),
        _ => Vec::new(),
    };
    match (names.is_empty(), fr) {
        (false, true) => format!(
            "Bulletin non accepté pour : {} (cette organisation ne vote pas à cette réunion, ou n'y est pas \
             enregistrée présente).",
            names.join(", ")
        ),
        (false, false) => format!(
            "Stem niet aanvaard voor: {} (deze organisatie stemt niet op deze vergadering, of staat niet als \
             aanwezig geregistreerd).",
            names.join(", ")
        ),
        (true, true) => "Ce vote ne peut pas être enregistré tel quel : vérifiez la décision et les voix.".to_owned(),
        (true, false) => {
            "Deze stemming kan niet zo worden geregistreerd: kijk de beslissing en de stemmen na.".to_owned()
        }
    }
}
