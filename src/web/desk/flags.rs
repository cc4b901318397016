//! The desk's flags (`/flags`): every flag with its evidence and the
//! committee's handling of it — its history of marks, and for a
//! coordinator a form to mark it (`POST /flags/mark`: open, put to the
//! committee, resolved, with a note, through [`App::mark_flag`]) —,
//! filtered by status and rule, a page at a time (a federation has about a
//! thousand); then the interpellation letters drafted (`POST
//! /flags/letters`, as `charte flags letters`) to download
//! (`/letters/FILE`). A committee account reads all of it; marking and
//! drafting are refused to it (403).

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use super::glance::{FileRow, files, rule_label};
use super::{Coordinator, Form, Frame, Viewer};
use crate::app::App;
use crate::app::glance::Folder;
use crate::flags::Status;
use crate::roster::Language;
use crate::web::{Failure, Site};

/// Flags shown on one page.
pub const PER_PAGE: usize = 25;

pub fn routes() -> Router<Arc<Site>> {
    Router::new()
        .route("/flags", get(page))
        .route("/flags/mark", post(mark))
        .route("/flags/letters", post(draft_letters))
        .route("/letters/{file}", get(letter_file))
        .route("/letters/send", post(send_letter))
}

#[derive(Debug, Template)]
#[template(path = "desk/flags.html")]
pub struct Flags {
    pub f: Frame,
    pub v: FlagsView,
}

/// One flag, in the page's language.
#[derive(Debug, Clone)]
pub struct FlagRow {
    /// What `flags mark` takes: `rule:subject`.
    pub key: String,
    /// Its element's id (the key, in the characters an id keeps).
    pub anchor: String,
    pub rule: &'static str,
    pub name: String,
    pub enterprise_number: Option<String>,
    pub since: String,
    /// Its status as the form names it: open, committee, resolved.
    pub status: &'static str,
    pub status_words: &'static str,
    pub evidence: Vec<EvidenceRow>,
    /// Its marks, oldest first.
    pub history: Vec<MarkRow>,
    /// A refusal of the mark just asked for, said by its form.
    pub error: Option<String>,
    /// The note typed with a refused mark, given back.
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct EvidenceRow {
    pub date: Option<String>,
    /// The journal entry it is, if one.
    pub entry: Option<i64>,
    pub text: String,
}

/// One mark of a flag's history.
#[derive(Debug, Clone)]
pub struct MarkRow {
    pub date: String,
    pub status_words: &'static str,
    pub note: Option<String>,
}

/// A rule and how many flags of it the status filter keeps.
#[derive(Debug, Clone)]
pub struct RuleCount {
    pub rule: &'static str,
    pub label: &'static str,
    pub count: usize,
    pub href: String,
}

/// `/flags` (and a committee account's home).
#[derive(Debug, Clone)]
pub struct FlagsView {
    /// The status filter: current (open or put to the committee), open,
    /// committee, resolved, all.
    pub status: &'static str,
    /// Links to each status filter: (code, words, count, href).
    pub statuses: Vec<(&'static str, &'static str, usize, String)>,
    /// The rule filter, if one.
    pub rule: Option<String>,
    pub rules: Vec<RuleCount>,
    /// The flags the filters keep, and this page of them.
    pub total: usize,
    pub flags: Vec<FlagRow>,
    pub page: usize,
    pub pages: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The letters drafted, each with the day it was mailed, if it was.
    pub letters: Vec<(FileRow, Option<String>)>,
    /// The letter just mailed, in words; or why it was not.
    pub letter_said: Option<String>,
    pub letter_error: Option<String>,
    /// The reports too, on a committee account's home.
    pub reports: Option<Vec<FileRow>>,
    /// How many letters the coordinator just drafted.
    pub drafted: Option<usize>,
    /// The flag just marked, in words.
    pub marked: Option<String>,
    /// A refusal about no flag on the page.
    pub error: Option<String>,
}

/// The page's filters: `?status=&rule=&page=`, and what the last action did.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Filter {
    status: Option<String>,
    rule: Option<String>,
    page: Option<String>,
    drafted: Option<usize>,
    marked: Option<String>,
    sent: Option<String>,
}

/// The status filters, in the page's order.
const FILTERS: [&str; 5] = ["current", "open", "committee", "resolved", "all"];

/// A status as the form names it.
fn form_code(s: Status) -> &'static str {
    match s {
        Status::Open => "open",
        Status::PutToCommittee => "committee",
        Status::Resolved => "resolved",
    }
}

fn status_words(s: Status, fr: bool) -> &'static str {
    match (s, fr) {
        (Status::Open, true) => "ouvert",
        (Status::Open, false) => "open",
        (Status::PutToCommittee, true) => "soumis au comité",
        (Status::PutToCommittee, false) => "voorgelegd aan het comité",
        (Status::Resolved, true) => "réglé",
        (Status::Resolved, false) => "afgehandeld",
    }
}

fn filter_words(code: &str, fr: bool) -> &'static str {
    match (code, fr) {
        ("current", true) => "À traiter",
        ("current", false) => "Te behandelen",
        ("open", true) => "Ouverts",
        ("open", false) => "Open",
        ("committee", true) => "Soumis au comité",
        ("committee", false) => "Voorgelegd aan het comité",
        ("resolved", true) => "Réglés",
        ("resolved", false) => "Afgehandeld",
        (_, true) => "Tous",
        (_, false) => "Alle",
    }
}

fn keeps(filter: &str, s: Status) -> bool {
    match filter {
        "current" => s != Status::Resolved,
        "all" => true,
        other => form_code(s) == other,
    }
}

/// `?status=…&rule=…&page=…`, with the defaults left out.
fn href(status: &str, rule: Option<&str>, page: usize) -> String {
    let mut q: Vec<(&str, String)> = Vec::new();
    if status != "current" {
        q.push(("status", status.to_owned()));
    }
    if let Some(r) = rule {
        q.push(("rule", r.to_owned()));
    }
    if page > 1 {
        q.push(("page", page.to_string()));
    }
    match serde_urlencoded::to_string(&q) {
        Ok(s) if !s.is_empty() => format!("/flags?{s}"),
        _ => "/flags".to_owned(),
    }
}

/// An element id from a flag's key.
fn anchor(key: &str) -> String {
    let kept: String = key.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("flag-{kept}")
}

impl FlagsView {
    pub fn of(app: &App, lang: Language, filter: &Filter) -> crate::Result<FlagsView> {
        let fr = lang == Language::Fr;
        let status = FILTERS.into_iter().find(|f| Some(*f) == filter.status.as_deref()).unwrap_or("current");
        let listing = app.flags(None)?;
        let marks = app.flag_marks()?;
        let statuses = FILTERS
            .into_iter()
            .map(|code| {
                let n = listing.flags.iter().filter(|l| keeps(code, l.status)).count();
                (code, filter_words(code, fr), n, href(code, None, 1))
            })
            .collect();
        let kept: Vec<_> = listing.flags.iter().filter(|l| keeps(status, l.status)).collect();
        let mut rules: Vec<RuleCount> = Vec::new();
        for l in &kept {
            match rules.iter_mut().find(|r| r.rule == l.flag.rule) {
                Some(r) => r.count += 1,
                None => rules.push(RuleCount {
                    rule: l.flag.rule,
                    label: rule_label(l.flag.rule, fr),
                    count: 1,
                    href: href(status, Some(l.flag.rule), 1),
                }),
            }
        }
        let rule = filter.rule.clone().filter(|r| rules.iter().any(|x| x.rule == r));
        let shown: Vec<_> = kept.into_iter().filter(|l| rule.as_deref().is_none_or(|r| l.flag.rule == r)).collect();
        let total = shown.len();
        let pages = total.div_ceil(PER_PAGE).max(1);
        let page = filter.page.as_deref().and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
        let no_marks = Vec::new();
        let flags = shown
            .into_iter()
            .skip((page - 1) * PER_PAGE)
            .take(PER_PAGE)
            .map(|l| FlagRow {
                anchor: anchor(&l.key),
                rule: rule_label(l.flag.rule, fr),
                name: l.flag.name.clone(),
                enterprise_number: l.flag.enterprise_number.clone(),
                since: super::date(l.flag.since, lang),
                status: form_code(l.status),
                status_words: status_words(l.status, fr),
                evidence: l
                    .flag
                    .evidence
                    .iter()
                    .map(|e| EvidenceRow {
                        date: e.date.map(|d| super::date(d, lang)),
                        entry: e.seq,
                        text: e.in_language(lang).to_owned(),
                    })
                    .collect(),
                history: marks
                    .get(&l.key)
                    .unwrap_or(&no_marks)
                    .iter()
                    .map(|m| MarkRow {
                        date: super::date(m.at, lang),
                        status_words: status_words(m.status, fr),
                        note: m.note.clone(),
                    })
                    .collect(),
                error: None,
                note: String::new(),
                key: l.key.clone(),
            })
            .collect();
        let names: HashMap<String, String> = app
            .members()?
            .into_iter()
            .map(|m| (m.organisation.enterprise_number.digits().to_owned(), m.organisation.name))
            .collect();
        let sent = app.letters_sent()?;
        let mut letters = Vec::new();
        for mut l in files(&app.letter_files()?, lang, "/letters") {
            // `SHORT-lettre-DIGITS-DATE.pdf`: the organisation written to.
            let digits = l.name.split('-').find(|p| p.len() == 10 && p.chars().all(|c| c.is_ascii_digit()));
            if let Some(name) = digits.and_then(|d| names.get(d)) {
                l.what = name.clone();
            }
            let mailed = sent.get(l.name.strip_suffix(".pdf").unwrap_or(&l.name)).map(|d| super::date(*d, lang));
            letters.push((l, mailed));
        }
        let letter_said = filter.sent.as_deref().and_then(|file| {
            let (l, day) = letters.iter().find(|(l, _)| l.name == file)?;
            day.as_ref()?;
            Some(if fr {
                format!("La lettre à {} est partie par courriel, le PDF en pièce jointe.", l.what)
            } else {
                format!("De brief aan {} is per e-mail vertrokken, met de pdf als bijlage.", l.what)
            })
        });
        Ok(FlagsView {
            status,
            statuses,
            prev: (page > 1).then(|| href(status, rule.as_deref(), page - 1)),
            next: (page < pages).then(|| href(status, rule.as_deref(), page + 1)),
            rule,
            rules,
            total,
            flags,
            page,
            pages,
            letters,
            letter_said,
            letter_error: None,
            reports: None,
            drafted: filter.drafted,
            marked: None,
            error: None,
        })
    }
}

/// A committee account's home: its flags, letters and reports.
pub(super) fn committee_home(app: &App, viewer: &Viewer) -> crate::Result<Flags> {
    let mut v = FlagsView::of(app, viewer.lang, &Filter::default())?;
    v.reports = Some(files(&app.reports()?, viewer.lang, "/reports"));
    Ok(Flags { f: Frame::new(app, viewer, "year"), v })
}

/// GET /flags.
async fn page(
    State(site): State<Arc<Site>>,
    Query(filter): Query<Filter>,
    viewer: Viewer,
) -> Result<Response, Failure> {
    super::shown(site, viewer, move |app, viewer| {
        let mut v = FlagsView::of(app, viewer.lang, &filter)?;
        let fr = viewer.lang == Language::Fr;
        v.marked = filter.marked.as_deref().map(|key| {
            let status = v.flags.iter().find(|f| f.key == key).map(|f| f.status_words);
            match (status, fr) {
                (Some(s), true) => {
                    format!("Le signalement {key} est maintenant « {s} ». C'est enregistré dans le journal.")
                }
                (Some(s), false) => format!("Het signaal {key} is nu „{s}”. Dit is in het journaal geregistreerd."),
                (None, true) => format!("Le signalement {key} est marqué. C'est enregistré dans le journal."),
                (None, false) => format!("Het signaal {key} is gemarkeerd. Dit is in het journaal geregistreerd."),
            }
        });
        Ok(Flags { v, f: Frame::new(app, viewer, "flags") })
    })
    .await
}

/// The marking form.
#[derive(Debug, serde::Deserialize)]
pub struct MarkForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
    /// The filters of the page the form was on, to go back to it.
    #[serde(default)]
    back: String,
}

/// The longest note kept with a mark.
const NOTE_MAX: usize = 1000;

/// POST /flags/mark: records the committee's handling of one flag; back
/// to the page it was marked on (303), or that page with the refusal by
/// the flag's form (422), nothing changed.
async fn mark(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<MarkForm>,
) -> Result<Response, Failure> {
    let back: Filter = serde_urlencoded::from_str(&form.back).unwrap_or_default();
    let status = ["open", "committee", "resolved"].into_iter().position(|c| c == form.status).map(|i| Status::ALL[i]);
    let note = Some(form.note.trim().to_owned()).filter(|n| !n.is_empty());
    let too_long = note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX);
    let key = form.key.trim().to_owned();
    let typed = form.note.clone();
    super::changed(site, viewer, move |app, viewer| {
        let fr = viewer.lang == Language::Fr;
        let refusal = match (status, too_long) {
            (None, _) => Some(if fr {
                "Choisissez ce qu'il advient de ce signalement : ouvert, soumis au comité ou réglé. Rien n'a été modifié."
            } else {
                "Kies wat er met dit signaal gebeurt: open, voorgelegd aan het comité of afgehandeld. Er werd niets gewijzigd."
            }
            .to_owned()),
            (Some(_), true) => Some(if fr {
                format!("La note fait au plus {NOTE_MAX} caractères. Rien n'a été modifié.")
            } else {
                format!("De notitie telt hoogstens {NOTE_MAX} tekens. Er werd niets gewijzigd.")
            }),
            (Some(s), false) => match app.mark_flag(&key, s, note) {
                Ok(m) => {
                    let mut to = href(back.status.as_deref().unwrap_or("current"), back.rule.as_deref(), 1);
                    to.push_str(if to.contains('?') { "&" } else { "?" });
                    to.push_str(&serde_urlencoded::to_string([("marked", m.key.as_str())]).unwrap_or_default());
                    return Ok((StatusCode::SEE_OTHER, Marked::To(to)));
                }
                Err(e) if super::fixable(e.kind()) => Some(if fr {
                    format!("Il n'y a pas de signalement « {key} » : la liste ci-dessous est à jour. Rien n'a été modifié.")
                } else {
                    format!("Er is geen signaal „{key}”: de lijst hieronder is bijgewerkt. Er werd niets gewijzigd.")
                }),
                Err(e) => return Err(e),
            },
        };
        let mut v = FlagsView::of(app, viewer.lang, &back)?;
        match v.flags.iter_mut().find(|f| f.key == key) {
            Some(f) => {
                f.error = refusal;
                f.note = typed;
            }
            None => v.error = refusal,
        }
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Marked::Again(Box::new(Flags { v, f: Frame::new(app, viewer, "flags") }))))
    })
    .await
}

/// What a mark answers: the page it goes back to, or the page again.
enum Marked {
    To(String),
    Again(Box<Flags>),
}

impl super::Shown for Marked {
    fn response(&self, status: StatusCode, chosen: bool, lang: Language) -> Response {
        match self {
            Marked::To(to) => super::see_other(to),
            Marked::Again(p) => p.response(status, chosen, lang),
        }
    }
}

/// The drafting form carries nothing but its token.
#[derive(Debug, serde::Deserialize)]
struct NoFields {}

/// `POST /flags/letters`: the day's interpellation letters, drafted as
/// `charte flags letters` drafts them; back to the letters.
async fn draft_letters(
    State(site): State<Arc<Site>>,
    Form(Coordinator(_), NoFields {}): Form<NoFields>,
) -> Result<Response, Failure> {
    let input =
        crate::app::flags::LettersInput { year: None, reply_within_days: crate::flags::REPLY_WITHIN_DAYS, only: None };
    let drafted = site.write(move |app| app.letters(&input)).await?;
    let written = drafted.letters.iter().filter(|l| l.path.is_some()).count();
    Ok(super::see_other(&format!("/flags?drafted={written}#letters")))
}

/// The letter-sending form: which letter.
#[derive(Debug, serde::Deserialize)]
pub struct LetterForm {
    #[serde(default)]
    file: String,
}

/// POST /letters/send: mails a drafted letter to its organisation (never
/// twice); back to the letters (303), or the page with the refusal by
/// the letters (422): no `[mail]`, a letter gone, no address.
async fn send_letter(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), LetterForm { file }): Form<LetterForm>,
) -> Result<Response, Failure> {
    super::changed(site, viewer, move |app, viewer| {
        let fr = viewer.lang == Language::Fr;
        let refusal = match app.send_letter(&file) {
            Ok(sent) if sent.bounced.is_none() => {
                let to = format!(
                    "/flags?{}#letters",
                    serde_urlencoded::to_string([("sent", file.as_str())]).unwrap_or_default()
                );
                return Ok((StatusCode::SEE_OTHER, Marked::To(to)));
            }
            Ok(sent) => {
                let why = sent.bounced.unwrap_or_default();
                if fr {
                    format!(
                        "Le serveur de courrier a refusé l'adresse {} ({why}) : corrigez-la dans la liste des membres.",
                        sent.address
                    )
                } else {
                    format!("De mailserver weigerde het adres {} ({why}): verbeter het in de ledenlijst.", sent.address)
                }
            }
            Err(e) if super::fixable(e.kind()) => {
                eprintln!("{}", serde_json::json!({"refused": "send letter", "why": e.to_string()}));
                if fr {
                    "La lettre n'est pas partie : la section [mail] de charte.toml, l'adresse de l'organisation ou la \
                     lettre elle-même manque. Le détail est dans le journal du serveur. Rien n'a été envoyé."
                        .to_owned()
                } else {
                    "De brief is niet vertrokken: de sectie [mail] van charte.toml, het adres van de organisatie of de \
                     brief zelf ontbreekt. De details staan in het logboek van de server. Er werd niets verstuurd."
                        .to_owned()
                }
            }
            Err(e) => return Err(e),
        };
        let mut v = FlagsView::of(app, viewer.lang, &Filter::default())?;
        v.letter_error = Some(refusal);
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Marked::Again(Box::new(Flags { v, f: Frame::new(app, viewer, "flags") })),
        ))
    })
    .await
}

async fn letter_file(
    State(site): State<Arc<Site>>,
    Path(file): Path<String>,
    _viewer: Viewer,
) -> Result<Response, Failure> {
    super::glance::download(site, Folder::Letters, file).await
}
