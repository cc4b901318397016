//! The roster and the charter on the coordinator's desk (issue 19): the
//! members in a table, a roster file imported in two steps (uploaded and
//! previewed, then confirmed), one organisation's page with its edit
//! form, the charter's texts and its adoption. Each handler makes one
//! application-layer call ([`crate::app::members`],
//! [`crate::app::roster_upload`], [`crate::app::charter`]) and renders its
//! outcome; a refusal the coordinator can fix is shown on the page, by
//! the form, in French or Dutch, with the library's own detail (line,
//! column, field) where it gives one.

use super::{Coordinator, Form, Frame, Shown, Upload, Viewer, changed, date, journal_date, shown};
use crate::app::App;
use crate::app::charter::Saved;
use crate::app::glance::Stage;
use crate::app::members::{Editable, Edited, MemberChanges, MemberFile, Standing};
use crate::app::roster_upload::Preview;
use crate::error::Problem;
use crate::reason::Reason;
use crate::roster::import::Plan;
use crate::roster::{Language, Member, Status};
use crate::web::{Failure, Site};
use crate::{Error, Result};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use std::collections::BTreeMap;
use std::sync::Arc;

pub fn routes() -> Router<Arc<Site>> {
    Router::new()
        .route("/roster", get(list))
        .route("/roster/import", post(upload))
        .route("/roster/import/confirm", post(confirm))
        .route("/roster/{number}", get(member).post(edit))
        .route("/charter", get(charter))
        .route("/charter/text", post(save_text))
        .route("/charter/adopt", post(adopt))
}

/// A sentence in both languages; the page shows the one it speaks.
#[derive(Debug, Clone, Default)]
pub struct Said {
    pub fr: String,
    pub nl: String,
}

impl Said {
    pub(crate) fn new(fr: impl Into<String>, nl: impl Into<String>) -> Said {
        Said { fr: fr.into(), nl: nl.into() }
    }
}

/// What went wrong with a form, for the page: a framing sentence in the
/// page's languages, and the library's detail in the page's language
/// (each problem with its line and column, or its field, in words).
#[derive(Debug, Clone, Default)]
pub struct Refusal {
    pub said: Said,
    /// Each detail, and whether it is the library's English (a refusal
    /// it does not type yet; the page marks it so).
    pub details: Vec<(String, bool)>,
}

/// An action's refusal the coordinator can fix (bad input, something
/// named that is not there) becomes a [`Refusal`] shown by the form, in
/// `lang`; any other error stays an error (its status page).
pub(crate) fn fixable(e: Error, said: Said, lang: Language) -> Result<Refusal> {
    if !super::fixable(e.kind()) {
        return Err(e);
    }
    let details = match e {
        Error::Input { problems, .. } => problems.iter().map(|p| said_in(p, lang)).collect(),
        Error::NotAdopted(why) => vec![(why.say(lang), false)],
        Error::NotSaved(why) => vec![(why.say(lang), false)],
        Error::NotImported(why) => vec![(why.say(lang), false)],
        Error::NotSent(why) => vec![(why.say(lang), false)],
        Error::NotDone(why) => vec![(why.say(lang), false)],
        Error::NotVoted(why) => vec![(why.say(lang), false)],
        Error::NotOpened(why) => vec![(why.say(lang), false)],
        e => vec![(e.to_string(), true)],
    };
    Ok(Refusal { said, details })
}

/// A problem in the page's language, and whether it is still English.
fn said_in(p: &Problem, lang: Language) -> (String, bool) {
    (p.say(lang), p.reason.is_none())
}

// --- /roster -----------------------------------------------------------

/// `?state=`: which organisations the table shows: those at a stage of
/// the year's page (`declared`, `issued`, `mailed`, `reminded`, `signed`,
/// `overdue`, `waiting`: exactly those its figure counts), or those that
/// signed an older version only (`outdated`) or none (`unsigned`).
#[derive(Debug, serde::Deserialize)]
struct Filter {
    state: Option<String>,
}

/// A filter of the roster's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chosen {
    Stage(Stage),
    Standing(Standing),
}

impl Chosen {
    fn parse(code: &str) -> Option<Chosen> {
        Stage::from_code(code).map(Chosen::Stage).or_else(|| {
            [Standing::Outdated, Standing::Unsigned].into_iter().find(|s| s.code() == code).map(Chosen::Standing)
        })
    }

    fn code(self) -> &'static str {
        match self {
            Chosen::Stage(s) => s.code(),
            Chosen::Standing(s) => s.code(),
        }
    }

    fn lists(self, standing: Standing, stage: Option<Stage>) -> bool {
        match self {
            Chosen::Stage(s) => stage == Some(s),
            Chosen::Standing(s) => standing == s,
        }
    }
}

/// One row of the roster's table, in the page's language.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub number: String,
    pub digits: String,
    pub language: &'static str,
    pub status: &'static str,
    pub email: String,
    pub standing: &'static str,
    pub standing_words: String,
}

/// A filter's link: its code ("" for all), its words, how many, chosen.
#[derive(Debug, Clone)]
pub struct Tab {
    pub code: &'static str,
    pub words: &'static str,
    pub count: usize,
    pub current: bool,
}

#[derive(Debug, Template)]
#[template(path = "desk/roster.html")]
pub struct RosterPage {
    pub f: Frame,
    pub rows: Vec<Row>,
    pub tabs: Vec<Tab>,
    /// The import form's refusal (a file that does not read), if any.
    pub refusal: Option<Refusal>,
    /// What an import just did.
    pub done: Option<Said>,
}

fn standing_words(standing: Standing, version: Option<&str>, lang: Language) -> String {
    let v = version.unwrap_or_default();
    match (standing, lang) {
        (Standing::Signed, Language::Fr) => format!("signée (version {v})"),
        (Standing::Signed, Language::Nl) => format!("ondertekend (versie {v})"),
        (Standing::Outdated, Language::Fr) => format!("version {v}, plus en vigueur"),
        (Standing::Outdated, Language::Nl) => format!("versie {v}, niet meer van kracht"),
        (Standing::Unsigned, Language::Fr) => "pas signée".to_owned(),
        (Standing::Unsigned, Language::Nl) => "niet ondertekend".to_owned(),
    }
}

fn tab_words(chosen: Option<Chosen>, lang: Language) -> &'static str {
    let standing = match chosen {
        Some(Chosen::Stage(s)) => return super::glance::stage_label(s, lang == Language::Fr),
        Some(Chosen::Standing(s)) => Some(s),
        None => None,
    };
    match (standing, lang) {
        (None, Language::Fr) => "Toutes",
        (None, Language::Nl) => "Alle",
        (Some(Standing::Signed), Language::Fr) => "Charte signée",
        (Some(Standing::Signed), Language::Nl) => "Charter ondertekend",
        (Some(Standing::Outdated), Language::Fr) => "Version dépassée",
        (Some(Standing::Outdated), Language::Nl) => "Verouderde versie",
        (Some(Standing::Unsigned), Language::Fr) => "Pas signée",
        (Some(Standing::Unsigned), Language::Nl) => "Niet ondertekend",
    }
}

fn language_words(lang: Language, page: Language) -> &'static str {
    match (lang, page) {
        (Language::Fr, Language::Fr) => "français",
        (Language::Nl, Language::Fr) => "néerlandais",
        (Language::Fr, Language::Nl) => "Frans",
        (Language::Nl, Language::Nl) => "Nederlands",
    }
}

/// The roster page, its table filtered by `state`.
fn roster_page(
    app: &App,
    viewer: &Viewer,
    state: Option<Chosen>,
    refusal: Option<Refusal>,
    done: Option<Said>,
) -> Result<RosterPage> {
    let lang = viewer.lang;
    let all = app.roster()?;
    let listed = |c: Option<Chosen>| all.iter().filter(move |(_, st, sg)| c.is_none_or(|c| c.lists(*st, *sg)));
    let mut tabs = vec![Tab { code: "", words: tab_words(None, lang), count: all.len(), current: state.is_none() }];
    let filters = Stage::ALL
        .into_iter()
        .map(Chosen::Stage)
        .chain([Chosen::Standing(Standing::Outdated), Chosen::Standing(Standing::Unsigned)]);
    tabs.extend(filters.map(|c| Tab {
        code: c.code(),
        words: tab_words(Some(c), lang),
        count: listed(Some(c)).count(),
        current: state == Some(c),
    }));
    let rows = listed(state).map(|(m, s, _)| row(m, *s, lang)).collect();
    Ok(RosterPage { f: Frame::new(app, viewer, "roster"), rows, tabs, refusal, done })
}

fn row(m: &Member, standing: Standing, lang: Language) -> Row {
    let o = &m.organisation;
    Row {
        name: o.name.clone(),
        number: o.enterprise_number.formatted(),
        digits: o.enterprise_number.digits().to_owned(),
        language: language_words(o.language, lang),
        status: o.status.name(lang),
        email: o.email.clone(),
        standing: standing.code(),
        standing_words: standing_words(standing, m.signed_version.as_deref(), lang),
    }
}

/// GET /roster.
async fn list(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Query(filter): Query<Filter>,
) -> std::result::Result<Response, Failure> {
    let state = filter.state.as_deref().and_then(Chosen::parse);
    shown(site, viewer, move |app, viewer| roster_page(app, viewer, state, None, None)).await
}

// --- the import: upload, preview, confirm ------------------------------

/// One organisation the file changes, in the preview.
#[derive(Debug, Clone)]
pub struct ChangedView {
    pub name: String,
    pub number: String,
    /// (field in words, before, after).
    pub fields: Vec<(&'static str, String, String)>,
}

#[derive(Debug, Template)]
#[template(path = "desk/roster_preview.html")]
pub struct PreviewPage {
    pub f: Frame,
    pub id: String,
    pub name: String,
    pub sha256: String,
    pub digest: String,
    pub encoding: &'static str,
    pub separator: &'static str,
    pub added: Vec<(String, String)>,
    pub changed: Vec<ChangedView>,
    pub unchanged: usize,
    pub not_in_file: usize,
    pub ignored_columns: Vec<String>,
    pub notes: Vec<String>,
}

impl PreviewPage {
    /// Its confirm block: the import bound to the file and to the plan shown.
    pub fn confirm(&self) -> super::Confirm {
        super::Confirm::new(
            "/roster/import/confirm",
            ("Confirmer l'importation", "De invoer bevestigen"),
            &self.id,
            &self.sha256,
            &self.name,
        )
        .with("plan", self.digest.clone())
    }
}

/// A roster column in words.
pub fn field_words(field: &str, lang: Language) -> &'static str {
    crate::roster::field_words(field, lang).unwrap_or("?")
}

/// A field's value as the page shows it: a status or a language in
/// words, any other as it is.
fn value_words(field: &str, value: &str, lang: Language) -> String {
    match field {
        "status" => Status::from_roster(value).map_or_else(|| value.to_owned(), |s| s.name(lang).to_owned()),
        "language" => {
            Language::from_roster(value).map_or_else(|| value.to_owned(), |l| language_words(l, lang).to_owned())
        }
        _ => value.to_owned(),
    }
}

fn preview_page(f: Frame, p: Preview, lang: Language) -> PreviewPage {
    let plan = &p.plan;
    let separator = match (plan.separator, lang) {
        ('\t', Language::Fr) => "tabulation",
        ('\t', Language::Nl) => "tab",
        (';', Language::Fr) => "point-virgule",
        (';', Language::Nl) => "puntkomma",
        (_, Language::Fr) => "virgule",
        (_, Language::Nl) => "komma",
    };
    PreviewPage {
        f,
        added: plan.added.iter().map(|o| (o.enterprise_number.formatted(), o.name.clone())).collect(),
        changed: p
            .changes
            .iter()
            .map(|c| ChangedView {
                name: c.name.clone(),
                number: c.enterprise_number.clone(),
                fields: c
                    .fields
                    .iter()
                    .map(|(f, a, b)| (field_words(f, lang), value_words(f, a, lang), value_words(f, b, lang)))
                    .collect(),
            })
            .collect(),
        unchanged: plan.unchanged,
        not_in_file: plan.not_in_file.len(),
        ignored_columns: plan
            .ignored_columns
            .iter()
            .map(|c| {
                if c == crate::tabular::UNNAMED {
                    crate::reason::column_without_title(lang).to_owned()
                } else {
                    c.clone()
                }
            })
            .collect(),
        notes: plan.notes.iter().map(|n| n.say(lang)).collect(),
        encoding: plan.encoding,
        separator,
        id: p.id,
        name: p.name,
        sha256: p.sha256,
        digest: p.digest,
    }
}

/// POST /roster/import (multipart: `csrf`, then `file`).
async fn upload(
    State(site): State<Arc<Site>>,
    Upload(Coordinator(viewer), parts): Upload,
) -> std::result::Result<Response, Failure> {
    changed(site, viewer, move |app, viewer| {
        let refused = |app: &App, refusal| {
            roster_page(app, viewer, None, Some(refusal), None)
                .map(|p| (StatusCode::UNPROCESSABLE_ENTITY, Page::Roster(p)))
        };
        let Some((name, bytes)) = parts.file.filter(|(_, b)| !b.is_empty()) else {
            let said = Said::new(
                "Choisissez le fichier de la liste des membres (CSV, tel qu'Excel l'enregistre).",
                "Kies het bestand met de ledenlijst (CSV, zoals Excel het bewaart).",
            );
            return refused(app, Refusal { said, ..Refusal::default() });
        };
        match app.preview_roster(&name, &bytes) {
            Ok(p) => {
                Ok((StatusCode::OK, Page::Preview(preview_page(Frame::new(app, viewer, "roster"), p, viewer.lang))))
            }
            Err(e) => {
                let said = Said::new(
                    format!(
                        "Le fichier {name} ne peut pas être importé tel quel ; rien n'a été modifié. Corrigez ces \
                             lignes dans le tableur, puis envoyez-le à nouveau :"
                    ),
                    format!(
                        "Het bestand {name} kan niet zo worden ingevoerd; er werd niets gewijzigd. Verbeter deze \
                             regels in het rekenblad en stuur het opnieuw:"
                    ),
                );
                refused(app, fixable(e, said, viewer.lang)?)
            }
        }
    })
    .await
}

/// The pages an import's step can end on.
enum Page {
    Roster(RosterPage),
    Preview(PreviewPage),
}

impl Shown for Page {
    fn response(&self, status: StatusCode, chosen: bool, lang: Language) -> Response {
        match self {
            Page::Roster(p) => p.response(status, chosen, lang),
            Page::Preview(p) => p.response(status, chosen, lang),
        }
    }
}

/// The confirmation of a previewed import.
#[derive(Debug, serde::Deserialize)]
struct Confirm {
    id: String,
    sha256: String,
    /// The previewed plan's digest ([`crate::roster::import::Plan::digest`]).
    plan: String,
    name: String,
}

fn imported(plan: &Plan) -> Said {
    let (a, c, u) = (plan.added.len(), plan.changed.len(), plan.unchanged);
    if a == 0 && c == 0 {
        return Said::new(
            format!("Rien n'a changé : les {u} organisations du fichier sont déjà dans la liste, telles quelles."),
            format!("Er is niets veranderd: de {u} organisaties uit het bestand staan al zo in de lijst."),
        );
    }
    Said::new(
        format!("La liste est importée : {a} organisation(s) ajoutée(s), {c} modifiée(s), {u} inchangée(s)."),
        format!("De lijst is ingevoerd: {a} organisatie(s) toegevoegd, {c} gewijzigd, {u} ongewijzigd."),
    )
}

/// POST /roster/import/confirm.
async fn confirm(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<Confirm>,
) -> std::result::Result<Response, Failure> {
    changed(site, viewer, move |app, viewer| match app.confirm_roster(&form.id, &form.sha256, &form.plan, &form.name) {
        Ok(plan) => Ok((StatusCode::OK, roster_page(app, viewer, None, None, Some(imported(&plan)))?)),
        Err(e) => {
            let said = Said::new(
                "Cette importation n'a pas été faite ; rien n'a été modifié :",
                "Deze invoer werd niet uitgevoerd; er werd niets gewijzigd:",
            );
            let refusal = fixable(e, said, viewer.lang)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, roster_page(app, viewer, None, Some(refusal), None)?))
        }
    })
    .await
}

// --- one organisation --------------------------------------------------

/// The fields the edit form changes, by roster column name.
const EDITED: [&str; 7] = Editable::<String>::FIELDS;

/// The edit form's values, as typed, and the values the page showed
/// (`shown`, a JSON object by roster column name, in a hidden field).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EditForm {
    #[serde(flatten)]
    pub fields: Editable<String>,
    #[serde(default)]
    pub shown: String,
}

impl EditForm {
    /// The form showing `o` as it is.
    fn of(o: &crate::roster::Organisation) -> EditForm {
        let mut form = EditForm::default();
        for f in EDITED {
            *form.fields.field_mut(f) = o.value_of(f);
        }
        let values: BTreeMap<&str, String> = EDITED.iter().map(|f| (*f, o.value_of(f))).collect();
        form.shown = serde_json::to_string(&values).unwrap_or_default();
        form
    }

    /// The values the page showed, by field (none when the form did not
    /// carry them).
    fn was(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.shown).unwrap_or_default()
    }

    /// Only the fields the coordinator changed from what the page showed
    /// (every field when the form did not carry what it showed), each
    /// with the value shown: a field someone else changed meanwhile is
    /// kept when the coordinator left it, refused when they changed it
    /// too (their page showed an older value), never silently overwritten.
    fn changes(&mut self) -> MemberChanges {
        let was = self.was();
        let mut c = MemberChanges::default();
        for f in EDITED {
            let typed = self.fields.field_mut(f).clone();
            let shown = was.get(f);
            if shown == Some(&typed) {
                continue;
            }
            if let Some(shown) = shown {
                c.shown.insert(f, shown.clone());
            }
            *c.fields.field_mut(f) = Some(if f == "sectors" { typed.replace(" | ", "|") } else { typed });
        }
        c
    }

    /// This form, as typed, made again on `now` (the organisation as it
    /// is): a field the coordinator left shows its value today, one they
    /// typed keeps what they typed; what it shows is `now`'s.
    fn rebased(self, now: &EditForm) -> EditForm {
        let was = self.was();
        let mut form = now.clone();
        let mut typed = self;
        for f in EDITED {
            let value = typed.fields.field_mut(f).clone();
            if was.get(f) != Some(&value) {
                *form.fields.field_mut(f) = value;
            }
        }
        form
    }
}

/// A line of an organisation's page: a date and what happened, in words.
#[derive(Debug, Clone)]
pub struct Line {
    pub on: String,
    pub what: String,
}

#[derive(Debug, Template)]
#[template(path = "desk/member.html")]
pub struct MemberPage {
    pub f: Frame,
    pub name: String,
    pub number: String,
    pub digits: String,
    pub status: &'static str,
    pub signed: Option<String>,
    pub key: bool,
    pub documents: Vec<Line>,
    pub signatures: Vec<Line>,
    pub waiting: usize,
    pub history: Vec<Line>,
    pub form: EditForm,
    /// The form's problems, by field (roster column name).
    pub errors: BTreeMap<String, Vec<String>>,
    /// The form's refusal as a whole, if any.
    pub refusal: Option<Refusal>,
    pub done: Option<Said>,
    pub notes: Vec<String>,
    pub statuses: Vec<(&'static str, &'static str)>,
}

impl MemberPage {
    /// The problems of `field`, for the template.
    pub fn errors_of(&self, field: &str) -> &[String] {
        self.errors.get(field).map(Vec::as_slice).unwrap_or_default()
    }
}

/// What a journal entry about an organisation says, in words.
fn entry_words(kind: &str, lang: Language) -> String {
    let fr = lang == Language::Fr;
    let (f, n) = match kind {
        "organisation-added" => ("ajoutée à la liste des membres", "toegevoegd aan de ledenlijst"),
        "organisation-changed" => ("fiche modifiée", "gegevens gewijzigd"),
        "document-issued" => ("document d'adhésion émis", "toetredingsdocument uitgegeven"),
        // Intended: written, not yet gone (with the outbox transport it
        // waits in out/outbox/); only a sent or relayed entry says it left.
        "message-intended" => ("courriel préparé", "e-mail klaargezet"),
        "message-relay-intended" => {
            ("courriel préparé remis à l'envoi", "klaargezette e-mail ter verzending aangeboden")
        }
        "message-sent" | "message-relayed" => ("courriel envoyé", "e-mail verstuurd"),
        "message-bounced" | "message-relay-bounced" => ("courriel revenu en erreur", "e-mail kwam onbestelbaar terug"),
        "flag-status-changed" => ("suivi d'un signalement mis à jour", "opvolging van een signalering bijgewerkt"),
        "attendance-recorded" => {
            ("présence à une réunion enregistrée", "aanwezigheid op een vergadering geregistreerd")
        }
        "convocation-late" => ("convocation envoyée trop tard", "oproeping te laat verstuurd"),
        "link-code-refused" => ("code de signature erroné tapé", "verkeerde ondertekeningscode ingetikt"),
        "note" => ("note ajoutée au journal", "notitie toegevoegd aan het logboek"),
        "adherence-collected" => ("signature reçue et comptée", "handtekening ontvangen en geteld"),
        "return-pending" => {
            ("document renvoyé, en attente de confirmation", "document teruggestuurd, wacht op bevestiging")
        }
        "return-confirmed" => ("retour confirmé", "terugzending bevestigd"),
        "return-rejected" => ("retour refusé", "terugzending geweigerd"),
        "return-revoked" => ("confirmation annulée", "bevestiging ingetrokken"),
        "return-refused" => ("document renvoyé refusé", "teruggestuurd document geweigerd"),
        "key-registered" => ("clé de signature enregistrée", "ondertekeningssleutel geregistreerd"),
        "breach-reported" => ("manquement signalé", "tekortkoming gemeld"),
        "link-minted" => ("lien de signature créé", "ondertekeningslink aangemaakt"),
        "link-code-sent" => ("code de signature envoyé", "ondertekeningscode verstuurd"),
        "link-locked" => ("lien de signature bloqué", "ondertekeningslink geblokkeerd"),
        "link-reopened" => ("lien de signature rouvert", "ondertekeningslink heropend"),
        "link-used" => ("signé en ligne", "online ondertekend"),
        "personal-data-erased" => ("données personnelles effacées", "persoonsgegevens gewist"),
        "flag-raised" => ("signalement ouvert", "signalering geopend"),
        "step-done" => ("étape du suivi faite", "stap van de opvolging uitgevoerd"),
        "subject-entered" => ("suivi commencé", "opvolging begonnen"),
        _ => ("", ""),
    };
    let said = if fr { f } else { n };
    if said.is_empty() { kind.to_owned() } else { said.to_owned() }
}

/// A signature, in words: its version, how it came (as the documents'
/// page says it), and who signed; a scan is signed on paper, and counts
/// because the coordination confirmed it (its signer is that
/// attestation, not a name).
fn signature_words(a: &crate::collect::Adherence, lang: Language) -> String {
    let how = super::documents::method_words(&a.method, lang);
    match (a.method.as_str(), lang) {
        ("scan", Language::Fr) => format!("version {}, {how}, confirmé par la coordination", a.charter_version),
        ("scan", Language::Nl) => format!("versie {}, {how}, bevestigd door de coördinatie", a.charter_version),
        (_, Language::Fr) => format!("version {}, {how}, signée par {}", a.charter_version, a.signer),
        (_, Language::Nl) => format!("versie {}, {how}, ondertekend door {}", a.charter_version, a.signer),
    }
}

fn member_page(app: &App, viewer: &Viewer, file: MemberFile) -> MemberPage {
    let lang = viewer.lang;
    let on = |d: chrono::NaiveDate| date(d, lang);
    let o = &file.member.organisation;
    let fr = lang == Language::Fr;
    let documents = file
        .documents
        .iter()
        .map(|d| Line {
            on: on(d.issued),
            what: if fr {
                format!("{} (charte version {})", d.document_id, d.charter_version)
            } else {
                format!("{} (charter versie {})", d.document_id, d.charter_version)
            },
        })
        .collect();
    let signatures = file
        .adherences
        .iter()
        .map(|a| Line { on: journal_date(&a.collected, lang), what: signature_words(a, lang) })
        .collect();
    // The history in words: one line per day and kind of event, the
    // latest first (a mailing's many entries said once).
    let mut history: Vec<Line> = Vec::new();
    for e in file.history.iter().rev() {
        let line = Line { on: journal_date(&e.at, lang), what: entry_words(&e.kind, lang) };
        if history.last().is_none_or(|l| l.on != line.on || l.what != line.what) {
            history.push(line);
        }
    }
    let waiting = file.returns.iter().filter(|r| r.state == crate::collect::ReturnState::Waiting).count();
    MemberPage {
        f: Frame::new(app, viewer, "roster"),
        name: o.name.clone(),
        number: o.enterprise_number.formatted(),
        digits: o.enterprise_number.digits().to_owned(),
        status: o.status.name(lang),
        signed: file.member.signed_version.clone(),
        key: file.member.public_key.is_some(),
        documents,
        signatures,
        waiting,
        history,
        form: EditForm::of(o),
        errors: BTreeMap::new(),
        refusal: None,
        done: None,
        notes: Vec::new(),
        statuses: Status::ALL.iter().map(|s| (s.code(), s.name(lang))).collect(),
    }
}

/// GET /roster/{number}.
async fn member(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Path(number): Path<String>,
) -> std::result::Result<Response, Failure> {
    shown(site, viewer, move |app, viewer| Ok(member_page(app, viewer, app.member_file(&digits_only(&number)?)?))).await
}

/// A path's enterprise number: ten digits that pass the check, else not
/// a page.
fn digits_only(number: &str) -> Result<String> {
    let digits = number.len() == 10 && number.bytes().all(|b| b.is_ascii_digit());
    if digits && crate::roster::EnterpriseNumber::parse(number).is_ok() {
        Ok(number.to_owned())
    } else {
        Err(Error::not_found("no such organisation page"))
    }
}

/// POST /roster/{number}.
async fn edit(
    State(site): State<Arc<Site>>,
    Path(number): Path<String>,
    Form(Coordinator(viewer), form): Form<EditForm>,
) -> std::result::Result<Response, Failure> {
    let lang = viewer.lang;
    changed(site, viewer, move |app, viewer| {
        let number = digits_only(&number)?;
        let mut form = form;
        let outcome = app.edit_member(&number, &form.changes());
        let mut page = member_page(app, viewer, app.member_file(&number)?);
        match outcome {
            Ok(Edited { changed, notes, .. }) => {
                let words: Vec<&str> = changed.iter().map(|f| field_words(f, lang)).collect();
                page.done = Some(if changed.is_empty() {
                    Said::new(
                        "Rien n'a changé : ces valeurs étaient déjà celles de la fiche.",
                        "Er is niets veranderd: dit waren al de gegevens van de fiche.",
                    )
                } else {
                    Said::new(
                        format!("Fiche enregistrée ({}).", words.join(", ")),
                        format!("Fiche bewaard ({}).", words.join(", ")),
                    )
                });
                page.notes = notes.iter().map(|n| n.say(lang)).collect();
                Ok((StatusCode::OK, page))
            }
            Err(e) => {
                // Each problem by its field, and in the refusal's list
                // named by its field in words.
                let mut meanwhile = false;
                if let Error::Input { problems, .. } = &e {
                    page.errors = by_field(problems, lang);
                    meanwhile = problems.iter().any(|p| matches!(p.reason, Some(Reason::ChangedMeanwhile { .. })));
                }
                // Changed meanwhile: the form made again on the
                // organisation as it is, what the coordinator typed kept
                // (sent again, it is what they chose knowing the change);
                // else as typed, with what it showed.
                page.form = if meanwhile { form.rebased(&page.form) } else { form };
                let said = Said::new(
                    "La fiche n'a pas été enregistrée ; rien n'a été modifié. Corrigez les champs signalés :",
                    "De fiche werd niet bewaard; er werd niets gewijzigd. Verbeter de aangeduide velden:",
                );
                page.refusal = Some(fixable(e, said, lang)?);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page))
            }
        }
    })
    .await
}

/// Problems grouped by their field, each said in `lang`.
fn by_field(problems: &[Problem], lang: Language) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in problems {
        out.entry(p.field.clone().unwrap_or_default()).or_default().push(p.said(lang));
    }
    out
}

// --- the charter -------------------------------------------------------

/// One language's text, with its form's outcome.
#[derive(Debug, Clone)]
pub struct TextView {
    pub code: &'static str,
    pub words: &'static str,
    pub text: String,
    pub placeholder: bool,
    pub refusal: Option<Refusal>,
    pub done: Option<Said>,
}

#[derive(Debug, Template)]
#[template(path = "desk/charter.html")]
pub struct CharterPage {
    pub f: Frame,
    pub texts: Vec<TextView>,
    /// (version, adopted on, in force).
    pub versions: Vec<(String, String, bool)>,
    pub version: String,
    pub day: String,
    pub refusal: Option<Refusal>,
    pub done: Option<Said>,
}

/// The charter's page: its texts as charter/ holds them now, its versions.
fn charter_page(app: &App, viewer: &Viewer) -> Result<CharterPage> {
    let lang = viewer.lang;
    let (texts, versions) = (app.charter_texts()?, app.charter_versions());
    Ok(CharterPage {
        f: Frame::new(app, viewer, "charter"),
        texts: texts
            .into_iter()
            .map(|t| TextView {
                code: t.lang.code(),
                words: language_words(t.lang, lang),
                text: t.text,
                placeholder: t.placeholder,
                refusal: None,
                done: None,
            })
            .collect(),
        versions: versions.into_iter().map(|v| (v.version, date(v.adopted, lang), v.in_force)).collect(),
        version: String::new(),
        day: app.today.format("%Y-%m-%d").to_string(),
        refusal: None,
        done: None,
    })
}

/// GET /charter.
async fn charter(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
) -> std::result::Result<Response, Failure> {
    shown(site, viewer, charter_page).await
}

#[derive(Debug, serde::Deserialize)]
struct TextForm {
    lang: String,
    #[serde(default)]
    text: String,
}

/// POST /charter/text.
async fn save_text(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<TextForm>,
) -> std::result::Result<Response, Failure> {
    changed(site, viewer, move |app, viewer| {
        let Some(language) = crate::web::lang::parse(&form.lang) else {
            return Err(Error::usage("no such language"));
        };
        let outcome = app.save_charter_text(language, &form.text);
        let mut page = charter_page(app, viewer)?;
        let Some(view) = page.texts.iter_mut().find(|t| t.code == language.code()) else {
            return Err(Error::usage("the coordination does not work in that language"));
        };
        let status = match outcome {
            Ok(Saved::Written) => {
                view.done = Some(Said::new(
                    "Texte enregistré. Il ne compte qu'une fois adopté : enregistrez l'adoption d'une nouvelle version \
                         ci-dessous quand l'instance compétente l'a approuvé.",
                    "Tekst bewaard. Hij telt pas zodra hij aangenomen is: registreer hieronder de aanneming van een \
                         nieuwe versie wanneer het bevoegde orgaan hem goedgekeurd heeft.",
                ));
                StatusCode::OK
            }
            Ok(Saved::Unchanged) => {
                view.done = Some(Said::new(
                    "Rien n'a changé : c'était déjà le texte du fichier.",
                    "Er is niets veranderd: dit was al de tekst van het bestand.",
                ));
                StatusCode::OK
            }
            Err(e) => {
                view.text = form.text;
                let said = Said::new("Le texte n'a pas été enregistré :", "De tekst werd niet bewaard:");
                view.refusal = Some(fixable(e, said, viewer.lang)?);
                StatusCode::UNPROCESSABLE_ENTITY
            }
        };
        Ok((status, page))
    })
    .await
}

#[derive(Debug, serde::Deserialize)]
struct AdoptForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    date: String,
}

/// A day as typed: 2026-11-30 (a date field's value) or 30/11/2026.
fn day_typed(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| chrono::NaiveDate::parse_from_str(s, "%d/%m/%Y")).ok()
}

/// POST /charter/adopt.
async fn adopt(
    State(site): State<Arc<Site>>,
    Form(Coordinator(viewer), form): Form<AdoptForm>,
) -> std::result::Result<Response, Failure> {
    changed(site, viewer, move |app, viewer| {
        let outcome = match day_typed(&form.date) {
            Some(day) => app.adopt_charter(&form.version, day).map_err(Some),
            None => Err(None),
        };
        let mut page = charter_page(app, viewer)?;
        match outcome {
            Ok(a) => {
                page.done = Some(Said::new(
                    format!(
                        "La version {} est enregistrée, adoptée le {}. Chaque organisation devra la signer.",
                        a.version,
                        date(a.adopted, Language::Fr)
                    ),
                    format!(
                        "Versie {} is geregistreerd, aangenomen op {}. Elke organisatie zal ze moeten ondertekenen.",
                        a.version,
                        date(a.adopted, Language::Nl)
                    ),
                ));
                Ok((StatusCode::OK, page))
            }
            Err(e) => {
                page.version = form.version;
                page.day = form.date;
                let said = Said::new(
                    "Cette version n'a pas été enregistrée ; rien n'a été modifié :",
                    "Deze versie werd niet geregistreerd; er werd niets gewijzigd:",
                );
                page.refusal = Some(match e {
                    Some(e) => fixable(e, said, viewer.lang)?,
                    None => Refusal {
                        said: Said::new(
                            "Indiquez la date d'adoption (jour/mois/année).",
                            "Geef de datum van aanneming (dag/maand/jaar).",
                        ),
                        ..Refusal::default()
                    },
                });
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page))
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisations_history_and_signatures_are_said_in_words() {
        for kind in [
            "flag-status-changed",
            "attendance-recorded",
            "convocation-late",
            "link-code-refused",
            "note",
            "message-intended",
            "message-relay-intended",
            "message-relayed",
            "message-relay-bounced",
        ] {
            for lang in [Language::Fr, Language::Nl] {
                assert_ne!(entry_words(kind, lang), kind, "{kind} in words");
            }
        }
        assert_eq!(
            entry_words("message-intended", Language::Fr),
            "courriel préparé",
            "not sent: it may wait in the outbox"
        );
        assert_eq!(entry_words("message-intended", Language::Nl), "e-mail klaargezet");
        assert_eq!(entry_words("message-sent", Language::Fr), "courriel envoyé");
        let mut a = crate::collect::Adherence {
            file_sha256: String::new(),
            document_id: "SG-2026-0001".into(),
            enterprise_number: "0241029459".into(),
            charter_version: "2026-03".into(),
            method: "pades".into(),
            signer: "Nathalie Dubois".into(),
            signed: None,
            sealed_sha256: String::new(),
            details: serde_json::Value::Null,
            collected: "2026-03-02".into(),
            revoked: None,
        };
        assert_eq!(
            signature_words(&a, Language::Fr),
            "version 2026-03, PDF signé (eID ou certificat), signée par Nathalie Dubois"
        );
        a.method = "scan".into();
        a.signer = "attested by the coordinator".into();
        assert_eq!(signature_words(&a, Language::Fr), "version 2026-03, papier scanné, confirmé par la coordination");
        assert_eq!(
            signature_words(&a, Language::Nl),
            "versie 2026-03, ingescand papier, bevestigd door de coördinatie"
        );
    }
}
