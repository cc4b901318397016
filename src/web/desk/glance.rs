//! The desk's read-only pages: the year at a glance (`/`, a coordinator's
//! home; a committee account's home is its flags, letters and reports,
//! [`super::flags`]), and the downloads of a
//! report or a letter (`/reports/FILE`, and `download` for the letters of
//! `/letters/FILE`). Every role may read them.
//!
//! The figures of the year at a glance are kept between requests while
//! the journal's head, the day and the workspace's configuration stay the
//! same ([`crate::app::glance::Stamp`]): a federation's glance reads every
//! table once (about half a second in a release build for 10,000
//! organisations), then each view costs a page render.

use std::sync::{Arc, Mutex, PoisonError};

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use chrono::NaiveDate;

use super::{Frame, Viewer};
use crate::accounts::Role;
use crate::app::App;
use crate::app::glance::{Deadline, Folder, Glance, OutFile, Stage, Stamp};
use crate::roster::Language;
use crate::web::{Failure, Site};

/// The routes of this part.
pub fn routes() -> Router<Arc<Site>> {
    Router::new()
        .route("/", get(home))
        .route("/reports/{file}", get(report_file))
        .route("/verify.html", get(verify_page_file))
        .layer(Extension(Arc::new(Kept::default())))
}

/// The last figures computed, with what they were computed from.
#[derive(Debug, Default)]
struct Kept(Mutex<Option<(Stamp, Arc<Glance>)>>);

impl Kept {
    /// The year at a glance for `app`: the figures kept when nothing they
    /// depend on changed, else computed again. The lock is held while
    /// computing, so that fifty requests arriving after a change wait for
    /// one computation instead of making fifty.
    fn glance(&self, app: &App) -> crate::Result<Arc<Glance>> {
        let stamp = app.glance_stamp()?;
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((s, g)) = kept.as_ref()
            && *s == stamp
        {
            return Ok(Arc::clone(g));
        }
        let glance = Arc::new(app.glance()?);
        *kept = Some((stamp, Arc::clone(&glance)));
        Ok(glance)
    }
}

#[derive(Debug, Template)]
#[template(path = "desk/year.html")]
pub struct Year {
    pub f: Frame,
    pub y: YearView,
}

/// `/`: the year at a glance for a coordinator; a committee account's
/// read-only home (its flags, letters and reports).
async fn home(
    State(site): State<Arc<Site>>,
    Extension(kept): Extension<Arc<Kept>>,
    viewer: Viewer,
) -> Result<Response, Failure> {
    if viewer.role == Role::Committee {
        return super::shown(site, viewer, super::flags::committee_home).await;
    }
    super::shown(site, viewer, move |app, viewer| {
        let glance = kept.glance(app)?;
        Ok(Year { f: Frame::new(app, viewer, "year"), y: YearView::of(&glance, viewer.lang) })
    })
    .await
}

async fn report_file(
    State(site): State<Arc<Site>>,
    Path(file): Path<String>,
    _viewer: Viewer,
) -> Result<Response, Failure> {
    download(site, Folder::Reports, file).await
}

/// out/verify.html, the page a funder verifies the reports with, offline:
/// downloaded (an attachment, never shown on this site), to be sent with them.
async fn verify_page_file(State(site): State<Arc<Site>>, _viewer: Viewer) -> Result<Response, Failure> {
    download(site, Folder::Page, crate::app::verify_page::FILE.to_owned()).await
}

/// A file of out/reports/ or out/letters/ as an attachment under its own
/// name (which [`App::out_file`] allows only in the characters safe in
/// the header), or the site's 404.
pub(super) async fn download(site: Arc<Site>, folder: Folder, file: String) -> Result<Response, Failure> {
    let d = site.read(move |app| app.out_file(folder, &file)).await?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", d.name))
        .map_err(|_| Failure(crate::Error::not_found("no such file")))?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(d.content_type)), (header::CONTENT_DISPOSITION, disposition)],
        d.bytes,
    )
        .into_response())
}

/// A date as tables show it: 30/11/2026.
fn short(d: NaiveDate, lang: Language) -> String {
    super::date(d, lang)
}

/// A count as Belgians write it (a journal's length is never negative).
fn number(n: i64) -> String {
    super::number(n.unsigned_abs())
}

/// One figure of the year and the page that details it.
#[derive(Debug, Clone)]
pub struct StageRow {
    pub code: &'static str,
    pub label: &'static str,
    pub count: usize,
    pub href: String,
}

/// One deadline, in the page's language.
#[derive(Debug, Clone)]
pub struct DeadlineRow {
    pub date: String,
    /// Due today.
    pub now: bool,
    /// Its day is past (a convocation's last day).
    pub past: bool,
    pub text: String,
    pub href: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct BodyRow {
    pub name: String,
    /// Its meetings' page (`/meetings?body=KEY`).
    pub href: String,
    pub held: usize,
    pub min: u32,
    pub short: bool,
}

#[derive(Debug, Clone)]
pub struct RuleRow {
    pub rule: &'static str,
    pub label: &'static str,
    pub open: usize,
    pub put: usize,
}

/// A file to download, in the page's language.
#[derive(Debug, Clone)]
pub struct FileRow {
    pub name: String,
    pub href: String,
    pub date: String,
    pub size: String,
    /// What it is, in words (a report's kind and language, a letter's organisation).
    pub what: String,
}

/// The year at a glance, in the page's language.
#[derive(Debug, Clone)]
pub struct YearView {
    pub year: i32,
    pub today: String,
    pub version: String,
    pub total: usize,
    pub stages: Vec<StageRow>,
    pub deadlines: Vec<DeadlineRow>,
    /// Deadlines not shown (the page shows the next ones).
    pub more_deadlines: usize,
    pub bodies: Vec<BodyRow>,
    pub rules: Vec<RuleRow>,
    pub open_flags: usize,
    pub warnings: usize,
    pub returns_waiting: usize,
    pub reports: Vec<FileRow>,
    pub entries: String,
    pub checkpoint: Option<(String, String)>,
    pub since_checkpoint: String,
}

/// The deadlines the page lists; the others are counted.
const DEADLINES_SHOWN: usize = 12;
/// The latest reports the page lists.
const REPORTS_SHOWN: usize = 6;

impl YearView {
    pub fn of(g: &Glance, lang: Language) -> YearView {
        let fr = lang == Language::Fr;
        let stages = Stage::ALL
            .iter()
            .map(|&s| StageRow { code: s.code(), label: stage_label(s, fr), count: g.count(s), href: detail(s) })
            .collect();
        let deadlines: Vec<DeadlineRow> =
            g.deadlines.iter().take(DEADLINES_SHOWN).map(|d| deadline(d, g.today, lang)).collect();
        let rules: Vec<RuleRow> = g
            .flags
            .iter()
            .map(|r| RuleRow { rule: r.rule, label: rule_label(r.rule, fr), open: r.open, put: r.put_to_committee })
            .collect();
        YearView {
            year: g.year,
            today: crate::mail::long_date(g.today, lang),
            version: g.charter_version.clone(),
            total: g.organisations.len(),
            stages,
            more_deadlines: g.deadlines.len().saturating_sub(deadlines.len()),
            deadlines,
            bodies: g
                .bodies
                .iter()
                .map(|b| BodyRow {
                    name: if fr { b.name_fr.clone() } else { b.name_nl.clone() },
                    href: format!("/meetings?body={}", super::url_escape(&b.key)),
                    held: b.held,
                    min: b.required_min,
                    short: b.short,
                })
                .collect(),
            open_flags: rules.iter().map(|r| r.open + r.put).sum(),
            rules,
            warnings: g.warnings,
            returns_waiting: g.returns_waiting,
            reports: files(&g.reports[..g.reports.len().min(REPORTS_SHOWN)], lang, "/reports"),
            entries: number(g.journal.entries),
            checkpoint: g.journal.checkpoint.map(|(size, day)| (number(size), short(day, lang))),
            since_checkpoint: number(g.journal.since_checkpoint),
        }
    }
}

/// The page that lists the organisations of a stage: the roster filtered
/// by it (the same rule: exactly the organisations the figure counts).
fn detail(s: Stage) -> String {
    format!("/roster?state={}", s.code())
}

pub(super) fn stage_label(s: Stage, fr: bool) -> &'static str {
    match (s, fr) {
        (Stage::Declared, true) => "Inscrites, sans document",
        (Stage::Declared, false) => "Ingeschreven, zonder document",
        (Stage::Issued, true) => "Document préparé, pas encore envoyé",
        (Stage::Issued, false) => "Document aangemaakt, nog niet verstuurd",
        (Stage::Mailed, true) => "Document envoyé",
        (Stage::Mailed, false) => "Document verstuurd",
        (Stage::Reminded, true) => "Rappel envoyé",
        (Stage::Reminded, false) => "Herinnering verstuurd",
        (Stage::Signed, true) => "Charte signée",
        (Stage::Signed, false) => "Charter ondertekend",
        (Stage::Overdue, true) => "Délai de signature dépassé",
        (Stage::Overdue, false) => "Ondertekeningstermijn verstreken",
        (Stage::Waiting, true) => "Retour à confirmer",
        (Stage::Waiting, false) => "Terugzending te bevestigen",
    }
}

/// A flag's rule in words (`charte flags` names them in English).
pub fn rule_label(rule: &str, fr: bool) -> &'static str {
    let (f, n) = match rule {
        "adherence-missing" => ("Charte non signée", "Charter niet ondertekend"),
        "adherence-outdated" => ("Signature d'une version antérieure", "Handtekening van een vorige versie"),
        "adherence-overdue" => ("Adhésion en retard", "Laattijdige toetreding"),
        "absences" => ("Absences répétées", "Herhaalde afwezigheden"),
        "breach-reported" => ("Manquement signalé", "Gemelde tekortkoming"),
        "committee-one-per-institution" => {
            ("Comité : plus d'un siège pour une institution", "Comité: meer dan één zetel voor een instelling")
        }
        "committee-not-in-working-group" => {
            ("Comité : élu·e sans groupe de travail", "Comité: verkozene zonder werkgroep")
        }
        "committee-mandate-expired" => ("Comité : mandat expiré", "Comité: mandaat verstreken"),
        "mail-bounced" => ("Courriel non distribué", "E-mail niet afgeleverd"),
        "meetings-below-minimum" => ("Moins de réunions que le minimum", "Minder vergaderingen dan het minimum"),
        "notice-too-short" => ("Convocation envoyée trop tard", "Oproeping te laat verstuurd"),
        "report-not-sent" => ("Rapport non envoyé au pouvoir subsidiant", "Verslag niet naar de subsidiënt verzonden"),
        _ => ("Autre signalement", "Ander signaal"),
    };
    if fr { f } else { n }
}

/// `n` and the word for one or several.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", number(n as i64), if n == 1 { one } else { many })
}

fn deadline(d: &Deadline, today: NaiveDate, lang: Language) -> DeadlineRow {
    let fr = lang == Language::Fr;
    let on = d.on();
    let (text, href) = match d {
        Deadline::Convoke { body, date, last_day, convoked, .. } => {
            let long = crate::mail::long_date(*date, lang);
            let name = body_name(body, fr);
            // Past its last day (or too close for any notice): only a late
            // convocation, with its reason, is left (`charte convoke --late`).
            let late = last_day.is_none_or(|d| d < today);
            let text = match (convoked, late, fr) {
                (true, _, true) => format!("{name} du {long} : convocations envoyées"),
                (true, _, false) => format!("{name} van {long}: oproepingen verstuurd"),
                (false, false, true) => format!("Dernier jour pour convoquer : {name} du {long}"),
                (false, false, false) => format!("Laatste dag om op te roepen: {name} van {long}"),
                (false, true, true) => format!(
                    "{name} du {long} : le préavis ne peut plus être respecté ; une convocation tardive doit être \
                     motivée"
                ),
                (false, true, false) => format!(
                    "{name} van {long}: de oproepingstermijn kan niet meer gehaald worden; een late oproeping moet \
                     gemotiveerd worden"
                ),
            };
            (text, None)
        }
        Deadline::Reminders { count, .. } => (
            if fr {
                format!("{} de la charte à envoyer", plural(*count, "rappel", "rappels"))
            } else {
                format!("{} over het charter te versturen", plural(*count, "herinnering", "herinneringen"))
            },
            Some("/documents"),
        ),
        Deadline::Escalations { count, .. } => (
            if fr {
                format!(
                    "{} sans signature après le délai : à signaler au comité",
                    plural(*count, "organisation", "organisations")
                )
            } else {
                format!(
                    "{} zonder handtekening na de termijn: te melden aan het comité",
                    plural(*count, "organisatie", "organisaties")
                )
            },
            Some("/flags#adherence-overdue"),
        ),
        Deadline::Report { report, year, .. } => (
            match (report, fr) {
                (crate::report::Kind::Annual, true) => {
                    format!("Rapport annuel {year} à remettre au pouvoir subsidiant")
                }
                (crate::report::Kind::Annual, false) => format!("Jaarverslag {year} in te dienen bij de subsidiënt"),
                (crate::report::Kind::Subsidy, true) => {
                    format!("Rapport de subvention {year} à remettre au pouvoir subsidiant")
                }
                (crate::report::Kind::Subsidy, false) => {
                    format!("Subsidieverslag {year} in te dienen bij de subsidiënt")
                }
            },
            Some("/reports"),
        ),
    };
    DeadlineRow { date: short(on, lang), now: on == today, past: on < today, text, href }
}

/// A body's name from its key, as the page's language writes it (the
/// plenary and the committee by their role; a working group by its key,
/// which charte.toml names).
fn body_name(key: &str, fr: bool) -> String {
    match (key, fr) {
        ("plenary", true) => "Assemblée plénière".to_owned(),
        ("plenary", false) => "Plenaire vergadering".to_owned(),
        ("committee", true) => "Comité".to_owned(),
        ("committee", false) => "Comité".to_owned(),
        (other, true) => format!("Groupe de travail « {other} »"),
        (other, false) => format!("Werkgroep ‘{other}’"),
    }
}

/// Files to download, in the page's language.
pub(super) fn files(found: &[OutFile], lang: Language, base: &str) -> Vec<FileRow> {
    let fr = lang == Language::Fr;
    found
        .iter()
        .map(|f| FileRow {
            href: format!("{base}/{}", f.name),
            date: f.date.map(|d| short(d, lang)).unwrap_or_default(),
            size: lang.size(f.bytes),
            what: what(&f.name, fr),
            name: f.name.clone(),
        })
        .collect()
}

/// What a file of out/reports/ or out/letters/ is, from its name.
fn what(name: &str, fr: bool) -> String {
    let mut parts = name.split('.');
    let stem = parts.next().unwrap_or(name);
    let ext = name.rsplit('.').next().unwrap_or("");
    let kind = match stem.split_once('-') {
        Some(("annual", year)) => {
            Some(if fr { format!("Rapport annuel {year}") } else { format!("Jaarverslag {year}") })
        }
        Some(("subsidy", year)) => {
            Some(if fr { format!("Rapport de subvention {year}") } else { format!("Subsidieverslag {year}") })
        }
        _ if stem.contains("-lettre-") || stem.contains("-brief-") => {
            Some(if fr { "Lettre d'interpellation".to_owned() } else { "Interpellatiebrief".to_owned() })
        }
        _ => None,
    };
    let form = if name.ends_with(".seal.json") {
        if fr { "sceau (pour la vérification)" } else { "zegel (voor de verificatie)" }
    } else {
        match ext {
            "pdf" => "PDF",
            "csv" => {
                if fr {
                    "tableau (CSV)"
                } else {
                    "tabel (CSV)"
                }
            }
            "json" => {
                if fr {
                    "données (JSON)"
                } else {
                    "gegevens (JSON)"
                }
            }
            _ => "",
        }
    };
    let language = match name.split('.').nth(1) {
        Some("nl") if ext == "pdf" => {
            if fr {
                " en néerlandais"
            } else {
                " in het Nederlands"
            }
        }
        Some("fr") if ext == "pdf" => {
            if fr {
                " en français"
            } else {
                " in het Frans"
            }
        }
        _ => "",
    };
    match kind {
        Some(k) => format!("{k} — {form}{language}"),
        None => form.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_belgians_write_them() {
        assert_eq!(number(1_020_971), "1\u{202f}020\u{202f}971");
        assert_eq!(number(999), "999");
    }

    #[test]
    fn a_report_file_says_what_it_is() {
        assert_eq!(what("annual-2026.pdf", true), "Rapport annuel 2026 — PDF");
        assert_eq!(what("annual-2026.nl.pdf", false), "Jaarverslag 2026 — PDF in het Nederlands");
        assert_eq!(what("annual-2026.csv", true), "Rapport annuel 2026 — tableau (CSV)");
        assert_eq!(what("subsidy-2026.seal.json", true), "Rapport de subvention 2026 — sceau (pour la vérification)");
    }
}
