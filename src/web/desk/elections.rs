//! The desk's committee elections (`/elections`, section "meetings";
//! issue 20): the elections with their plenary, seats and stage, a form to
//! open one ([`App::open_election`]); then each election's page for the
//! facilitator (`/elections/{id}`), showing what was recorded and only the
//! step that comes next: the naming round, the change round, the proposal,
//! the objections and their resolution, the formal vote, the result.
//!
//! The committee's rules (seats, one per institution, a working group, a
//! signatory) are shown on the persons the facilitator considers before
//! the proposal and before the vote, checked by
//! crate::governance::election::check_proposal through
//! [`App::facilitate`]: the check the proposal and the vote make.
//! A refusal the facilitator can fix is said next to its form (422), in
//! the page's language; nothing was recorded.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;

use super::{Coordinator, Form, Frame, Viewer, date, fixable, see_other};
use crate::app::App;
use crate::app::election::{Choices, Count, Facilitated, Names};
use crate::error::Problem;
use crate::governance::election::{Choosing, Election, NotOpened, Stage};
use crate::governance::vote::{Choice, Outcome};
use crate::mail::dates::long_date;
use crate::roster::{EnterpriseNumber, Language};
use crate::web::{Failure, Site};
use crate::{Error, Result};

const SECTION: &str = "meetings";

pub fn routes() -> Router<Arc<Site>> {
    Router::new()
        .route("/elections", get(list).post(open))
        .route("/elections/{id}", get(page))
        .route("/elections/{id}/round", post(round))
        .route("/elections/{id}/propose", post(propose))
        .route("/elections/{id}/object", post(object))
        .route("/elections/{id}/objections/{n}/resolve", post(resolve))
        .route("/elections/{id}/vote", post(vote))
}

/// A choice of a select.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// An election in the list.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub meeting: String,
    pub date: String,
    pub seats: u32,
    pub stage: &'static str,
}

/// `/elections`: the elections, and the form that opens one.
#[derive(Debug, Template)]
#[template(path = "desk/elections.html")]
pub struct ListPage {
    pub f: Frame,
    pub rows: Vec<Row>,
    /// `?meeting=ID`: the plenary the list is narrowed to (its day).
    pub meeting: Option<String>,
    pub plenaries: Vec<Opt>,
    pub seats: String,
    pub since: String,
    pub elected_seats: u32,
    pub meeting_error: Option<String>,
    pub seats_error: Option<String>,
    pub since_error: Option<String>,
}

/// `?meeting=ID`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Filter {
    meeting: Option<String>,
}

/// The opening form's fields, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Opening {
    #[serde(default)]
    meeting: String,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    since: String,
}

/// An election's stage in words.
fn stage_words(e: &Election, fr: bool) -> &'static str {
    match (e.stage(), e.first_round.is_empty(), fr) {
        (Stage::Elected, _, true) => "terminée : comité élu",
        (Stage::Elected, _, false) => "afgelopen: comité verkozen",
        (Stage::Proposed, _, true) => "proposition faite, vote à venir",
        (Stage::Proposed, _, false) => "voorstel gedaan, stemming volgt",
        (Stage::Naming, true, true) => "ouverte, tour de nomination à venir",
        (Stage::Naming, true, false) => "geopend, benoemingsronde volgt",
        (Stage::Naming, false, true) => "tours faits, proposition à venir",
        (Stage::Naming, false, false) => "rondes gehouden, voorstel volgt",
    }
}

fn list_page(app: &App, viewer: &Viewer, meeting: Option<String>, typed: &Opening) -> Result<ListPage> {
    let f = Frame::new(app, viewer, SECTION);
    let fr = f.page.fr;
    let all = app.elections_and_plenaries()?;
    let wanted = meeting.as_deref().filter(|m| !m.is_empty());
    let rows = all
        .elections
        .iter()
        .filter(|e| wanted.is_none_or(|m| e.meeting == m))
        .map(|e| Row {
            id: e.id.clone(),
            meeting: e.meeting.clone(),
            date: date(e.date, viewer.lang),
            seats: e.seats,
            stage: stage_words(e, fr),
        })
        .collect();
    let chosen = if typed.meeting.is_empty() { wanted.unwrap_or_default() } else { typed.meeting.as_str() };
    let plenaries = all
        .plenaries
        .iter()
        .map(|m| Opt {
            value: m.id.clone(),
            label: format!("{} ({})", long_date(m.date, viewer.lang), m.id),
            selected: m.id == chosen,
        })
        .collect();
    let seats = if typed.seats.is_empty() { all.elected_seats.to_string() } else { typed.seats.clone() };
    Ok(ListPage {
        f,
        rows,
        meeting: wanted.map(|m| {
            all.plenaries.iter().find(|p| p.id == m).map_or_else(|| m.to_owned(), |p| long_date(p.date, viewer.lang))
        }),
        plenaries,
        seats,
        since: typed.since.clone(),
        elected_seats: all.elected_seats,
        meeting_error: None,
        seats_error: None,
        since_error: None,
    })
}

/// GET /elections (`?meeting=ID` narrows the list and chooses the plenary).
async fn list(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Query(filter): Query<Filter>,
) -> std::result::Result<Response, Failure> {
    super::shown(site, viewer, move |app, v| list_page(app, v, filter.meeting, &Opening::default())).await
}

/// POST /elections: opens an election; 303 to its page.
async fn open(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), typed): Form<Opening>,
) -> std::result::Result<Response, Failure> {
    let seats = match typed.seats.trim() {
        "" => Ok(None),
        s => s.parse::<u32>().map(Some).map_err(|_| ()),
    };
    let since = match typed.since.trim() {
        "" => Ok(None),
        s => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| ()),
    };
    answer(site, viewer, move |app, viewer| {
        let fr = viewer.lang == Language::Fr;
        let (Ok(seats_n), Ok(since_d)) = (seats, since) else {
            let mut page = list_page(app, viewer, None, &typed)?;
            if seats.is_err() {
                let why = NotOpened::Seats { seats: typed.seats.clone(), elected_seats: page.elected_seats };
                page.seats_error = Some(why.say(viewer.lang));
            }
            if since.is_err() {
                page.since_error = Some(if fr {
                    "Choisissez une date dans le calendrier (jour, mois, année).".to_owned()
                } else {
                    "Kies een datum in de kalender (dag, maand, jaar).".to_owned()
                });
            }
            return Ok(Err(page));
        };
        let why = match app.open_election(typed.meeting.trim(), seats_n, since_d) {
            Ok(opened) => return Ok(Ok(format!("/elections/{}?done=opened", opened.election))),
            Err(Error::NotOpened(why)) => why,
            Err(e) => return Err(e),
        };
        let mut page = list_page(app, viewer, None, &typed)?;
        let said = Some(why.say(viewer.lang));
        match why.field() {
            "seats" => page.seats_error = said,
            "since" => page.since_error = said,
            _ => page.meeting_error = said,
        }
        Ok(Err(page))
    })
    .await
}

/// Runs a form's action (`work`, one application-layer action, under the
/// write lock): done, 303 to the page it names; refused for a reason the
/// facilitator can fix, the page it returns, with the refusal by its
/// form (422).
async fn answer<P: super::Shown + Send + 'static>(
    site: Arc<Site>,
    viewer: Viewer,
    work: impl FnOnce(&mut App, &Viewer) -> Result<std::result::Result<String, P>> + Send + 'static,
) -> std::result::Result<Response, Failure> {
    let (lang, chosen) = (viewer.lang, viewer.chosen);
    Ok(match site.write(move |app| work(app, &viewer)).await? {
        Ok(to) => see_other(&to),
        Err(page) => page.response(StatusCode::UNPROCESSABLE_ENTITY, chosen, lang),
    })
}

/// One row of a round's form: a member present who may name.
#[derive(Debug, Clone)]
pub struct FormRow {
    /// The row's number (its fields end in it).
    pub n: usize,
    pub voter: String,
    pub voter_name: String,
    /// In the change round: whom it named.
    pub current: Option<String>,
    pub person: String,
    pub organisation: String,
    pub reason: String,
    /// The refusal of this row, and the field it concerns.
    pub error: Option<String>,
    pub error_field: &'static str,
}

/// A choice recorded in a round.
#[derive(Debug, Clone)]
pub struct NamingRow {
    pub voter: String,
    pub person: String,
    pub organisation: String,
    pub reason: String,
}

/// A person named, with how many name them now.
#[derive(Debug, Clone)]
pub struct TallyRow {
    pub n: usize,
    pub person: String,
    pub organisation: String,
    pub count: usize,
    /// The proposal's value: NAME=ENTERPRISE NUMBER.
    pub value: String,
    pub checked: bool,
}

/// An objection, as recorded.
#[derive(Debug, Clone)]
pub struct ObjectionRow {
    pub number: usize,
    pub by: String,
    pub against: String,
    pub reason: String,
    pub resolution: Option<String>,
    pub error: Option<String>,
    pub how: String,
}

/// A seat filled.
#[derive(Debug, Clone)]
pub struct SeatRow {
    pub person: String,
    pub organisation: String,
    pub since: String,
    pub until: Option<String>,
}

/// `/elections/{id}`: the facilitator's page.
#[derive(Debug, Template)]
#[template(path = "desk/election.html")]
pub struct ElectionPage {
    pub f: Frame,
    pub id: String,
    pub meeting: String,
    pub date: String,
    pub seats: u32,
    pub since: String,
    pub stage: &'static str,
    pub held: bool,
    pub first_round: Vec<NamingRow>,
    pub change_round: Vec<NamingRow>,
    pub tally: Vec<TallyRow>,
    /// The next step: the naming round, the change round (with the
    /// proposal), the objections and the vote, or the result.
    pub naming: bool,
    pub changing: bool,
    pub proposing: bool,
    pub voting: bool,
    pub elected_now: bool,
    pub rows: Vec<FormRow>,
    pub change_rows: Vec<FormRow>,
    pub round_error: Option<String>,
    pub change_error: Option<String>,
    pub signatories: Vec<Opt>,
    pub voters: Vec<Opt>,
    /// The persons checked against the committee's rules, and the rules
    /// they break, in words.
    pub checked: Vec<String>,
    pub breaches: Vec<String>,
    /// The mandates the persons checked would hold.
    pub mandate: String,
    /// Checked on the facilitator's request (else the proposal's default).
    pub asked: bool,
    pub propose_error: Option<String>,
    pub proposal: Vec<String>,
    pub objections: Vec<ObjectionRow>,
    pub open_objections: bool,
    pub object_error: Option<String>,
    pub object_by: String,
    pub object_against: String,
    pub object_reason: String,
    pub against: Vec<Opt>,
    pub votes: Vec<String>,
    pub vote_error: Option<String>,
    pub yes: String,
    pub no: String,
    pub abstain: String,
    pub casting_vote: Option<String>,
    pub present_voters: usize,
    pub elected: Vec<SeatRow>,
    pub said: Option<String>,
}

/// `?done=STEP`: the step just recorded.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn naming_rows(rounds: &[crate::governance::election::Naming], names: &Names) -> Vec<NamingRow> {
    rounds
        .iter()
        .map(|n| NamingRow {
            voter: names.get(&n.voter),
            person: n.nominee.person.clone(),
            organisation: names.get(&n.nominee.enterprise_number),
            reason: n.reason.clone(),
        })
        .collect()
}

/// NAME=ENTERPRISE NUMBER, as the proposal's form sends a person.
fn person_value(person: &str, n: &EnterpriseNumber) -> String {
    format!("{person}={}", n.digits())
}

fn election_page(app: &App, viewer: &Viewer, id: &str, persons: Option<&[String]>) -> Result<ElectionPage> {
    let f = Frame::new(app, viewer, SECTION);
    let fr = f.page.fr;
    let lang = viewer.lang;
    let Facilitated { election: e, names, held, voters, signatories, checked, breaches, mandates, casting_vote } =
        app.facilitate(id, persons)?;
    let stage = e.stage();
    let choices = e.choices();
    let current = |voter: &EnterpriseNumber| {
        choices
            .iter()
            .find(|n| &n.voter == voter)
            .map(|n| format!("{} ({})", n.nominee.person, names.get(&n.nominee.enterprise_number)))
    };
    let row = |(i, (number, name)): (usize, &(EnterpriseNumber, String))| FormRow {
        n: i + 1,
        voter: number.digits().to_owned(),
        voter_name: name.clone(),
        current: current(number),
        person: String::new(),
        organisation: String::new(),
        reason: String::new(),
        error: None,
        error_field: "",
    };
    let rows: Vec<FormRow> = voters.iter().enumerate().map(row).collect();
    let change_rows = rows
        .iter()
        .filter(|r| r.current.is_some())
        .cloned()
        .enumerate()
        .map(|(i, r)| FormRow { n: i + 1, ..r })
        .collect();
    let checked_values: Vec<String> = checked.iter().map(|n| person_value(&n.person, &n.enterprise_number)).collect();
    let tally = e
        .tally()
        .into_iter()
        .enumerate()
        .map(|(i, (n, count))| {
            let value = person_value(&n.person, &n.enterprise_number);
            TallyRow {
                n: i + 1,
                organisation: names.get(&n.enterprise_number),
                checked: checked_values.contains(&value),
                person: n.person,
                count,
                value,
            }
        })
        .collect();
    let opt = |(number, name): &(EnterpriseNumber, String)| Opt {
        value: number.digits().to_owned(),
        label: name.clone(),
        selected: false,
    };
    let who = |n: &crate::governance::election::Nominee| format!("{} ({})", n.person, names.get(&n.enterprise_number));
    let mandate = mandates.first().map_or_else(String::new, |s| match (s.until, fr) {
        (Some(u), true) => format!("du {} au {}", date(s.since, lang), date(u, lang)),
        (Some(u), false) => format!("van {} tot {}", date(s.since, lang), date(u, lang)),
        (None, true) => format!("à partir du {}, sans terme", date(s.since, lang)),
        (None, false) => format!("vanaf {}, zonder einddatum", date(s.since, lang)),
    });
    let objections: Vec<ObjectionRow> = e
        .objections
        .iter()
        .map(|o| ObjectionRow {
            number: o.number,
            by: names.get(&o.by),
            against: o.against.clone(),
            reason: o.reason.clone(),
            resolution: o.resolution.clone(),
            error: None,
            how: String::new(),
        })
        .collect();
    let elected = e
        .elected
        .iter()
        .map(|s| SeatRow {
            person: s.person.clone(),
            organisation: names.get(&s.enterprise_number),
            since: date(s.since, lang),
            until: s.until.map(|u| date(u, lang)),
        })
        .collect();
    Ok(ElectionPage {
        id: e.id.clone(),
        meeting: e.meeting.clone(),
        date: long_date(e.date, lang),
        seats: e.seats,
        since: date(e.since, lang),
        stage: stage_words(&e, fr),
        held,
        first_round: naming_rows(&e.first_round, &names),
        change_round: naming_rows(&e.change_round, &names),
        tally,
        naming: stage == Stage::Naming && e.first_round.is_empty(),
        changing: stage == Stage::Naming && !e.first_round.is_empty() && e.votes.is_empty(),
        proposing: stage == Stage::Naming && !e.first_round.is_empty(),
        voting: stage == Stage::Proposed,
        elected_now: stage == Stage::Elected,
        rows,
        change_rows,
        round_error: None,
        change_error: None,
        signatories: signatories.iter().map(opt).collect(),
        present_voters: voters.len(),
        voters: voters.iter().map(opt).collect(),
        checked: checked.iter().map(who).collect(),
        breaches: breaches.iter().map(|b| b.say(lang)).collect(),
        mandate,
        asked: persons.is_some(),
        propose_error: None,
        proposal: e.proposal.iter().map(who).collect(),
        open_objections: e.objections.iter().any(|o| o.resolution.is_none()),
        against: e.proposal.iter().map(|n| Opt { value: n.person.clone(), label: who(n), selected: false }).collect(),
        objections,
        object_error: None,
        object_by: String::new(),
        object_against: String::new(),
        object_reason: String::new(),
        votes: e.votes.iter().map(|v| vote_words(v, fr)).collect(),
        vote_error: None,
        yes: String::new(),
        no: String::new(),
        abstain: String::new(),
        casting_vote,
        elected,
        said: None,
        f,
    })
}

/// A vote on a proposal, in words.
fn vote_words(v: &Outcome, fr: bool) -> String {
    let casting = v
        .casting_vote
        .as_deref()
        .map(|c| if fr { format!(" ; égalité tranchée par {c}") } else { format!("; staking beslecht door {c}") });
    let casting = casting.unwrap_or_default();
    match (v.adopted, fr) {
        (true, true) => format!(
            "Proposition adoptée : {} pour, {} contre, {} abstention(s), {} membres présents{casting}.",
            v.yes, v.no, v.abstain, v.present_voters
        ),
        (false, true) => format!(
            "Proposition rejetée : {} pour, {} contre, {} abstention(s), {} membres présents{casting}.",
            v.yes, v.no, v.abstain, v.present_voters
        ),
        (true, false) => format!(
            "Voorstel aangenomen: {} voor, {} tegen, {} onthouding(en), {} leden aanwezig{casting}.",
            v.yes, v.no, v.abstain, v.present_voters
        ),
        (false, false) => format!(
            "Voorstel verworpen: {} voor, {} tegen, {} onthouding(en), {} leden aanwezig{casting}.",
            v.yes, v.no, v.abstain, v.present_voters
        ),
    }
}

/// What the step just recorded did, in words.
fn done_words(step: &str, fr: bool) -> Option<String> {
    let (a, b) = match step {
        "opened" => ("L'élection est ouverte.", "De verkiezing is geopend."),
        "round" => ("Le tour de nomination est enregistré.", "De benoemingsronde is geregistreerd."),
        "change" => ("Le tour de changement est enregistré.", "De wijzigingsronde is geregistreerd."),
        "proposed" => ("La proposition est enregistrée.", "Het voorstel is geregistreerd."),
        "objected" => ("L'objection est enregistrée.", "Het bezwaar is geregistreerd."),
        "resolved" => ("L'objection est levée.", "Het bezwaar is opgelost."),
        "voted" => ("Le vote est enregistré.", "De stemming is geregistreerd."),
        _ => return None,
    };
    let (said, journal) =
        if fr { (a, "C'est enregistré dans le journal.") } else { (b, "Dit is in het journaal geregistreerd.") };
    Some(format!("{said} {journal}"))
}

/// GET /elections/{id}.
async fn page(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> std::result::Result<Response, Failure> {
    super::shown(site, viewer, move |app, v| {
        let mut page = election_page(app, v, &id, None)?;
        page.said = done.done.as_deref().and_then(|d| done_words(d, page.f.page.fr));
        Ok(page)
    })
    .await
}

/// Records a step (`work`, one application-layer action); done, 303 to
/// the page saying so (`done`); refused for a reason the facilitator can
/// fix, the page (the committee's rules checked on `persons`, when given)
/// with `refused` said by the step's form (422).
async fn step<T: Send + 'static>(
    site: Arc<Site>,
    viewer: Viewer,
    (id, persons): (String, Option<Vec<String>>),
    done: &'static str,
    work: impl FnOnce(&mut App, &str) -> Result<T> + Send + 'static,
    refused: impl FnOnce(&mut ElectionPage, &Error) + Send + 'static,
) -> std::result::Result<Response, Failure> {
    answer(site, viewer, move |app, viewer| match work(app, &id) {
        Ok(_) => Ok(Ok(format!("/elections/{id}?done={done}"))),
        Err(e) if fixable(e.kind()) => {
            eprintln!("{}", serde_json::json!({"refused": done, "election": id, "why": e.to_string()}));
            let mut page = election_page(app, viewer, &id, persons.as_deref())?;
            refused(&mut page, &e);
            Ok(Err(page))
        }
        Err(e) => Err(e),
    })
    .await
}

/// The rows of a round's form: `voter-N`, `person-N`, `org-N`,
/// `reason-N`; a row left blank (no person, organisation or reason) is
/// no choice.
fn typed_rows(fields: &[(String, String)]) -> Vec<Choosing> {
    let mut rows: BTreeMap<u64, Choosing> = BTreeMap::new();
    for (key, value) in fields {
        let Some((name, n)) = key.rsplit_once('-') else { continue };
        let Ok(n) = n.parse::<u64>() else { continue };
        let row = rows.entry(n).or_insert_with(|| Choosing { line: n, ..Choosing::default() });
        let slot = match name {
            "voter" => &mut row.voter,
            "person" => &mut row.person,
            "org" => &mut row.person_organisation,
            "reason" => &mut row.reason,
            _ => continue,
        };
        value.clone_into(slot);
    }
    rows.into_values()
        .filter(|c| [&c.person, &c.person_organisation, &c.reason].iter().any(|v| !v.trim().is_empty()))
        .collect()
}

/// A round's problem on a row, in words.
fn round_words(p: &Problem, change: bool, fr: bool) -> String {
    let field = p.field.as_deref().unwrap_or_default();
    let s = match (field, change, fr) {
        ("voter", true, true) => {
            "Cette organisation n'a nommé personne au premier tour : elle n'a pas de choix à changer."
        }
        ("voter", true, false) => {
            "Deze organisatie noemde niemand in de eerste ronde: ze heeft geen keuze te wijzigen."
        }
        ("voter", false, true) => {
            "Cette organisation ne peut pas nommer : elle n'est pas enregistrée présente à la plénière comme membre signataire."
        }
        ("voter", false, false) => {
            "Deze organisatie kan niemand noemen: ze is niet als aanwezig ondertekenend lid van de plenaire geregistreerd."
        }
        ("person", _, true) => "Écrivez le nom de la personne nommée.",
        ("person", _, false) => "Schrijf de naam van de genoemde persoon.",
        ("person_organisation", _, true) => {
            "Choisissez l'organisation de la personne nommée : une organisation signataire de la charte."
        }
        ("person_organisation", _, false) => {
            "Kies de organisatie van de genoemde persoon: een organisatie die het charter ondertekende."
        }
        ("reason", _, true) => "Au tour de nomination, dites pourquoi cette personne est nommée.",
        ("reason", _, false) => "Zeg in de benoemingsronde waarom deze persoon genoemd wordt.",
        (_, _, true) => "Personne n'est nommé : remplissez au moins une ligne.",
        (_, _, false) => "Niemand wordt genoemd: vul minstens één regel in.",
    };
    s.to_owned()
}

/// Puts a round's refusal by its rows, keeping what was typed.
fn round_refused(page: &mut ElectionPage, typed: &[Choosing], e: &Error, change: bool) {
    let fr = page.f.page.fr;
    let rows = if change { &mut page.change_rows } else { &mut page.rows };
    for r in rows.iter_mut() {
        if let Some(c) = typed.iter().find(|c| c.line == r.n as u64) {
            r.person.clone_from(&c.person);
            r.organisation.clone_from(&c.person_organisation);
            r.reason.clone_from(&c.reason);
        }
    }
    let nothing = if fr { "Rien n'a été enregistré." } else { "Er werd niets geregistreerd." };
    let general = match e {
        Error::Input { problems, .. } => {
            let mut general = None;
            for p in problems {
                match rows.iter_mut().find(|r| p.line == Some(r.n as u64)) {
                    Some(r) => {
                        r.error = Some(round_words(p, change, fr));
                        r.error_field = match p.field.as_deref() {
                            Some("voter") => "voter",
                            Some("person") => "person",
                            Some("person_organisation") => "org",
                            _ => "reason",
                        };
                    }
                    None => general = Some(round_words(p, change, fr)),
                }
            }
            let lines = if fr { "Corrigez les lignes marquées." } else { "Verbeter de gemarkeerde regels." };
            format!("{} {nothing}", general.unwrap_or_else(|| lines.to_owned()))
        }
        _ if fr => format!("Ce tour ne peut plus être enregistré à ce stade de l'élection. {nothing}"),
        _ => format!("Deze ronde kan in dit stadium van de verkiezing niet meer geregistreerd worden. {nothing}"),
    };
    if change {
        page.change_error = Some(general);
    } else {
        page.round_error = Some(general);
    }
}

/// POST /elections/{id}/round (`change=1`: the change round).
async fn round(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
    Form(Coordinator(viewer), fields): Form<Vec<(String, String)>>,
) -> std::result::Result<Response, Failure> {
    let change = fields.iter().any(|(k, v)| k == "change" && v == "1");
    let typed = typed_rows(&fields);
    let kept = typed.clone();
    let done = if change { "change" } else { "round" };
    step(
        site,
        viewer,
        (id, None),
        done,
        move |app, id| app.election_round(id, &Choices::Typed(typed), change),
        move |page, e| round_refused(page, &kept, e, change),
    )
    .await
}

/// The persons ticked in the proposal's form (`person`), and whether the
/// facilitator asked to check them only (`check=1`).
fn proposal_fields(fields: &[(String, String)]) -> (Vec<String>, bool) {
    let persons = fields.iter().filter(|(k, _)| k == "person").map(|(_, v)| v.clone()).collect();
    (persons, fields.iter().any(|(k, v)| k == "check" && v == "1"))
}

/// POST /elections/{id}/propose: records the proposal; with `check=1`,
/// shows the committee's rules checked on the persons ticked, recording
/// nothing.
async fn propose(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
    Form(Coordinator(viewer), fields): Form<Vec<(String, String)>>,
) -> std::result::Result<Response, Failure> {
    let (persons, check) = proposal_fields(&fields);
    if check {
        return super::shown(site, viewer, move |app, v| election_page(app, v, &id, Some(&persons))).await;
    }
    let ticked = persons.clone();
    step(
        site,
        viewer,
        (id, Some(ticked)),
        "proposed",
        move |app, id| app.propose(id, &persons),
        // The rules broken are on the page: the same check, on the persons ticked.
        |page, _| {
            page.propose_error = Some(if page.f.page.fr {
                "Cette proposition enfreint les règles du comité ci-dessus. Rien n'a été enregistré.".to_owned()
            } else {
                "Dit voorstel overtreedt de regels van het comité hierboven. Er werd niets geregistreerd.".to_owned()
            });
        },
    )
    .await
}

/// The objection's form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Objecting {
    #[serde(default)]
    by: String,
    #[serde(default)]
    against: String,
    #[serde(default)]
    reason: String,
}

/// POST /elections/{id}/object.
async fn object(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
    Form(Coordinator(viewer), typed): Form<Objecting>,
) -> std::result::Result<Response, Failure> {
    let kept = typed.clone();
    step(
        site,
        viewer,
        (id, None),
        "objected",
        move |app, id| app.object(id, &typed.by, &typed.against, &typed.reason),
        move |page, _| {
            let fr = page.f.page.fr;
            let message = match (kept.reason.trim().is_empty(), fr) {
                (true, true) => "Dites pourquoi l'organisation objecte : c'est gardé dans le journal.",
                (true, false) => "Zeg waarom de organisatie bezwaar maakt: dat wordt in het journaal bewaard.",
                (false, true) => "Choisissez une organisation présente qui vote, et une personne de la proposition.",
                (false, false) => "Kies een aanwezige organisatie die stemt, en een persoon uit het voorstel.",
            };
            let nothing = if fr { "Rien n'a été enregistré." } else { "Er werd niets geregistreerd." };
            page.object_error = Some(format!("{message} {nothing}"));
            page.object_by = kept.by;
            page.object_against = kept.against;
            page.object_reason = kept.reason;
            for o in page.voters.iter_mut().chain(page.against.iter_mut()) {
                o.selected = o.value == page.object_by || o.value == page.object_against;
            }
        },
    )
    .await
}

/// The resolution's form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Resolving {
    #[serde(default)]
    how: String,
}

/// POST /elections/{id}/objections/{n}/resolve.
async fn resolve(
    State(site): State<Arc<Site>>,
    Path((id, n)): Path<(String, String)>,
    Form(Coordinator(viewer), typed): Form<Resolving>,
) -> std::result::Result<Response, Failure> {
    let number: usize = super::url_number(&n)?;
    let kept = typed.how.clone();
    step(
        site,
        viewer,
        (id, None),
        "resolved",
        move |app, id| app.resolve_objection(id, number, &typed.how),
        move |page, _| {
            let fr = page.f.page.fr;
            let message = match (kept.trim().is_empty(), fr) {
                (true, true) => {
                    "Dites comment l'objection a été levée (retirée, réponse donnée, proposition modifiée…)."
                }
                (true, false) => "Zeg hoe het bezwaar opgelost werd (ingetrokken, beantwoord, voorstel gewijzigd…).",
                (false, true) => "Cette objection est déjà levée.",
                (false, false) => "Dit bezwaar is al opgelost.",
            };
            let nothing = if fr { "Rien n'a été enregistré." } else { "Er werd niets geregistreerd." };
            match page.objections.iter_mut().find(|o| o.number == number) {
                Some(o) => {
                    o.error = Some(format!("{message} {nothing}"));
                    o.how = kept;
                }
                None => {
                    page.object_error = Some(if fr {
                        format!("Il n'y a pas d'objection n° {number}. {nothing}")
                    } else {
                        format!("Er is geen bezwaar nr. {number}. {nothing}")
                    });
                }
            }
        },
    )
    .await
}

/// The vote's form: the hands counted, and on a tie the casting vote.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Counting {
    #[serde(default)]
    yes: String,
    #[serde(default)]
    no: String,
    #[serde(default)]
    abstain: String,
    #[serde(default)]
    casting: String,
}

/// A count as typed: blank is 0; None when it is not a number.
fn count(typed: &str) -> Option<usize> {
    match typed.trim() {
        "" => Some(0),
        s => s.parse().ok(),
    }
}

/// POST /elections/{id}/vote.
async fn vote(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
    Form(Coordinator(viewer), typed): Form<Counting>,
) -> std::result::Result<Response, Failure> {
    let counted = (count(&typed.yes), count(&typed.no), count(&typed.abstain));
    let whole = counted.0.is_some() && counted.1.is_some() && counted.2.is_some();
    let casting = match typed.casting.as_str() {
        "" => None,
        c => c.parse::<Choice>().ok(),
    };
    let kept = typed.clone();
    step(
        site,
        viewer,
        (id, None),
        "voted",
        move |app, id| match counted {
            (Some(yes), Some(no), Some(abstain)) => {
                app.election_vote(id, &Count::Hands { yes, no, abstain, casting_vote: casting })
            }
            _ => Err(Error::usage("the counts are whole numbers")),
        },
        move |page, e| vote_refused(page, &kept, e, whole),
    )
    .await
}

/// Says why the vote was refused: the application's reason for the
/// counts (none counted, more than those present, a tie without the
/// casting vote); else what the page shows stops it (the committee's
/// rules broken, an objection open).
fn vote_refused(page: &mut ElectionPage, typed: &Counting, e: &Error, whole: bool) {
    let fr = page.f.page.fr;
    let nothing = if fr { "Rien n'a été enregistré." } else { "Er werd niets geregistreerd." };
    let message = match e {
        Error::NotVoted(why) => why.say(if fr { Language::Fr } else { Language::Nl }),
        _ if !whole && fr => "Les voix se comptent en nombres entiers (0, 1, 2…).".to_owned(),
        _ if !whole => "Stemmen worden in gehele getallen geteld (0, 1, 2…).".to_owned(),
        _ if !page.breaches.is_empty() && fr => {
            "La proposition enfreint les règles du comité ci-dessus : modifiez-la avant le vote.".to_owned()
        }
        _ if !page.breaches.is_empty() => {
            "Het voorstel overtreedt de regels van het comité hierboven: wijzig het vóór de stemming.".to_owned()
        }
        _ if page.open_objections && fr => "Levez d'abord chaque objection.".to_owned(),
        _ if page.open_objections => "Los eerst elk bezwaar op.".to_owned(),
        _ if fr => "Le vote ne peut pas être enregistré tel quel : vérifiez les nombres.".to_owned(),
        _ => "De stemming kan zo niet geregistreerd worden: kijk de aantallen na.".to_owned(),
    };
    page.vote_error = Some(format!("{message} {nothing}"));
    page.yes.clone_from(&typed.yes);
    page.no.clone_from(&typed.no);
    page.abstain.clone_from(&typed.abstain);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_rounds_form_reads_into_its_rows_and_a_blank_row_is_no_choice() {
        let rows = typed_rows(&pairs(&[
            ("csrf", "x"),
            ("voter-1", "0250616524"),
            ("person-1", "Marie Lemaire"),
            ("org-1", "0805427325"),
            ("reason-1", "elle connaît le terrain"),
            ("voter-2", "0492566394"),
            ("person-2", ""),
            ("org-2", ""),
            ("reason-2", " "),
            ("voter-10", "0645759187"),
            ("person-10", "Koen Claes"),
        ]));
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(
            rows[0],
            Choosing {
                line: 1,
                voter: "0250616524".into(),
                person: "Marie Lemaire".into(),
                person_organisation: "0805427325".into(),
                reason: "elle connaît le terrain".into(),
            }
        );
        assert_eq!((rows[1].line, rows[1].person.as_str(), rows[1].reason.as_str()), (10, "Koen Claes", ""));
    }

    #[test]
    fn the_proposals_form_gives_the_persons_ticked_and_whether_only_to_check() {
        let (persons, check) =
            proposal_fields(&pairs(&[("csrf", "x"), ("person", "A B=0805427325"), ("person", "C=0580868068")]));
        assert_eq!(persons, vec!["A B=0805427325".to_owned(), "C=0580868068".to_owned()]);
        assert!(!check);
        assert!(proposal_fields(&pairs(&[("check", "1")])).1);
    }

    #[test]
    fn counts_are_whole_numbers_and_blank_is_none() {
        assert_eq!(count(""), Some(0));
        assert_eq!(count(" 7 "), Some(7));
        assert_eq!(count("7,5"), None);
        assert_eq!(count("-1"), None);
    }
}
