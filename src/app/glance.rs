//! The year at a glance (the desk's home page, `/`): where each
//! organisation stands with the charter in force, the next deadlines, the
//! meetings held against each body's minimum, the open flags, the latest
//! reports and the journal's state. One read of the workspace, as of the
//! app's day; it changes nothing.
//!
//! Nothing here is a rule of its own: an organisation is overdue when the
//! flags say so ([`flags::Facts::mailed`]), reminders and escalations fall
//! due when the adhesion workflow's plan says so ([`App::status`]), the
//! last day to convoke is the notice rule's, as the meeting's page and
//! `convoke` apply it ([`App::notice`]), the meetings held are
//! those of `report annual --json` ([`annual::meetings_held`]) and the flags
//! are `charte flags`' ([`App::listing`]).
//!
//! Cost: each table is read once (the roster, meetings, messages and the
//! rest the flags read, through one [`flags::Loaded`]; the documents; the
//! returns; the adhesion workflow's records), whatever the number of
//! organisations; no query per organisation. The audit is not run: it
//! replays the whole journal (seconds for a federation), and the journal
//! does not record its result (`charte audit` reads and writes nothing).
//! What the page says of the journal is what it records cheaply: its
//! length and its last checkpoint. [`App::glance_stamp`] says when the
//! figures may have changed, so a front end may keep them meanwhile.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use super::App;
use crate::collect::ReturnState;
use crate::documents::{DocumentKind, IssuedDocument};
use crate::error::{Error, Result};
use crate::flags::{self, Mailed, Status as FlagStatus};
use crate::report::annual;

/// Where an organisation stands with the charter in force, most advanced
/// last: each organisation is counted once, at the furthest stage it
/// reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// On the roster; no adherence document of the version in force.
    Declared,
    /// Its adherence document is issued, not yet mailed.
    Issued,
    /// Mailed; its delay to return it runs.
    Mailed,
    /// Reminded by the adhesion workflow; its delay still runs.
    Reminded,
    /// Its delay passed unsigned ([`flags::Mailed::Overdue`]).
    Overdue,
    /// A return waits for the coordinator's confirmation.
    Waiting,
    /// A counted signature of the version in force.
    Signed,
}

impl Stage {
    /// The stage whose code is `code`.
    pub fn from_code(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Every stage, in the order the page lists them.
    pub const ALL: [Stage; 7] =
        [Stage::Declared, Stage::Issued, Stage::Mailed, Stage::Reminded, Stage::Signed, Stage::Overdue, Stage::Waiting];

    /// Its word (the year's page names its rows by it).
    pub fn code(self) -> &'static str {
        match self {
            Stage::Declared => "declared",
            Stage::Issued => "issued",
            Stage::Mailed => "mailed",
            Stage::Reminded => "reminded",
            Stage::Overdue => "overdue",
            Stage::Waiting => "waiting",
            Stage::Signed => "signed",
        }
    }
}

/// One organisation of the roster (not former) and its stage.
#[derive(Debug, Clone)]
pub struct Standing {
    pub name: String,
    /// As 0123.456.749.
    pub enterprise_number: String,
    pub status: crate::roster::Status,
    pub stage: Stage,
    /// The day it reached that stage, where the journal says it.
    pub since: Option<NaiveDate>,
}

/// A date the coordinator must keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deadline {
    /// The last day to send the convocations of a coming meeting with the
    /// body's notice (None: the meeting is too close for any notice).
    Convoke { meeting: String, body: String, date: NaiveDate, last_day: Option<NaiveDate>, convoked: bool },
    /// Reminders of the adhesion workflow due on `on` (today or before:
    /// due now, the next run sends them).
    Reminders { on: NaiveDate, count: usize },
    /// Escalations (an `adherence-overdue` flag for the committee) due on `on`.
    Escalations { on: NaiveDate, count: usize },
    /// A report due at the funder (`[funder] annual_due` / `subsidy_due`).
    Report { report: crate::report::Kind, year: i32, due: NaiveDate },
}

impl Deadline {
    /// The day it falls on.
    pub fn on(&self) -> NaiveDate {
        match self {
            Deadline::Convoke { last_day, date, .. } => last_day.unwrap_or(*date),
            Deadline::Reminders { on, .. } | Deadline::Escalations { on, .. } => *on,
            Deadline::Report { due, .. } => *due,
        }
    }
}

/// A body's meetings this year against its minimum.
#[derive(Debug, Clone)]
pub struct BodyMeetings {
    pub key: String,
    pub name_fr: String,
    pub name_nl: String,
    /// As `report annual --json` counts them.
    pub held: usize,
    pub required_min: u32,
    /// Scheduled this year (held or not, not cancelled) fewer than the
    /// minimum: the warning `charte flags` gives.
    pub short: bool,
}

/// The flags of one rule that are not resolved.
#[derive(Debug, Clone)]
pub struct RuleCount {
    pub rule: &'static str,
    pub open: usize,
    pub put_to_committee: usize,
}

/// A file under out/ the desk lists and serves (reports, letters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub name: String,
    /// The day the journal says it was made (its PDF's, for a report's
    /// companions), or the day in its name (a letter's).
    pub date: Option<NaiveDate>,
    pub bytes: u64,
}

/// The journal's state, as cheaply known.
#[derive(Debug, Clone)]
pub struct JournalState {
    pub entries: i64,
    /// The last checkpoint: its tree size and its day.
    pub checkpoint: Option<(i64, NaiveDate)>,
    /// Entries written since it.
    pub since_checkpoint: i64,
}

/// The year at a glance.
#[derive(Debug, Clone)]
pub struct Glance {
    pub today: NaiveDate,
    pub year: i32,
    /// The charter version in force.
    pub charter_version: String,
    /// The roster (not former), by name.
    pub organisations: Vec<Standing>,
    /// Coming deadlines, soonest first (those already due first of all).
    pub deadlines: Vec<Deadline>,
    pub bodies: Vec<BodyMeetings>,
    /// Rules with unresolved flags, in the rules' order.
    pub flags: Vec<RuleCount>,
    /// Bodies that cannot reach their minimum this year (not yet flags).
    pub warnings: usize,
    /// Returns waiting for the coordinator's confirmation.
    pub returns_waiting: usize,
    /// The reports in out/reports/, newest first.
    pub reports: Vec<OutFile>,
    pub journal: JournalState,
}

impl Glance {
    /// How many organisations are at `stage`.
    pub fn count(&self, stage: Stage) -> usize {
        self.organisations.iter().filter(|o| o.stage == stage).count()
    }
}

/// What the year at a glance depends on: the journal's head, the day and
/// the files that configure the workspace. The same stamp, the same
/// figures (the reports listed aside, which [`App::reports`] reads again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    head: crate::journal::store::Head,
    today: NaiveDate,
    files: Vec<(PathBuf, Option<(u64, std::time::SystemTime)>)>,
}

/// The folders of out/ the desk serves files from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// out/reports/: the sealed reports, their CSV, JSON and seals.
    Reports,
    /// out/letters/: the interpellation letters drafted.
    Letters,
    /// out/ itself, for one file only: the verification page
    /// ([`super::verify_page::FILE`]) the reports are sent with.
    Page,
}

impl Folder {
    fn name(self) -> &'static str {
        match self {
            Folder::Reports => "reports",
            Folder::Letters => "letters",
            Folder::Page => "",
        }
    }
}

/// A file to download.
#[derive(Debug)]
pub struct Download {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The one rule of where an organisation stands with the charter in
/// force (the year's figures, the roster's filters): what it reads, read
/// once, then [`StageRule::stage`] per organisation.
struct StageRule<'a> {
    version: &'a str,
    facts: &'a flags::Facts<'a>,
    overdue_days: u32,
    /// Returns waiting for the coordinator, of the version in force, by
    /// organisation (10 digits): the day received.
    waiting: HashMap<String, NaiveDate>,
    /// Adherence documents of the version in force: the day issued.
    issued: HashMap<String, NaiveDate>,
    /// The last reminder the adhesion workflow sent, by organisation.
    reminded: HashMap<String, NaiveDate>,
    /// Reminders (false) and escalations (true) due, by day: how many.
    due: BTreeMap<(bool, NaiveDate), usize>,
    /// Every document issued (the year's page lists the latest reports).
    documents: Vec<IssuedDocument>,
}

impl<'a> StageRule<'a> {
    fn read(app: &'a App, facts: &'a flags::Facts<'a>) -> Result<StageRule<'a>> {
        let (ws, today) = (&app.ws, app.today);
        let version = ws.config.charter.version.as_str();
        let waiting = ws
            .store
            .returns()?
            .into_iter()
            .filter(|r| r.state == ReturnState::Waiting && r.adherence.charter_version == version)
            .map(|r| (r.adherence.enterprise_number, r.received.parse().unwrap_or(today)))
            .collect();
        let documents = ws.store.documents()?;
        let issued = documents
            .iter()
            .filter(|d| d.kind == DocumentKind::Adherence && d.charter_version == version)
            .map(|d| (d.enterprise_number.clone(), d.issued))
            .collect();
        let adhesion = app.status(Some("adhesion"))?;
        let mut reminded: HashMap<String, NaiveDate> = HashMap::new();
        let mut due: BTreeMap<(bool, NaiveDate), usize> = BTreeMap::new();
        for s in adhesion.workflows.iter().flat_map(|w| &w.subjects) {
            for step in &s.steps {
                match (step.kind, step.state, step.on) {
                    ("remind", "done", Some(on)) => {
                        if let Some(n) = &s.enterprise_number {
                            reminded.insert(n.clone(), on);
                        }
                    }
                    (kind @ ("remind" | "escalate"), "due" | "pending", on) => {
                        *due.entry((kind == "escalate", on.unwrap_or(today).max(today))).or_default() += 1;
                    }
                    _ => {}
                }
            }
        }
        let overdue_days = ws.config.flags.adherence_overdue_days;
        Ok(StageRule { version, facts, overdue_days, waiting, issued, reminded, due, documents })
    }

    /// Where `m` stands, and since when where the journal says it:
    /// signed is a signature of the version in force (as the flags'
    /// adherence-missing rule counts it), then a return waiting, then
    /// how far its document went.
    fn stage(&self, m: &crate::roster::Member) -> (Stage, Option<NaiveDate>) {
        let digits = m.organisation.enterprise_number.digits();
        if signed_in_force(m, self.version) {
            return (Stage::Signed, None);
        }
        if let Some(day) = self.waiting.get(digits) {
            return (Stage::Waiting, Some(*day));
        }
        match self.facts.mailed(digits) {
            Mailed::Overdue { sent } => {
                (Stage::Overdue, sent.checked_add_days(chrono::Days::new(u64::from(self.overdue_days))))
            }
            Mailed::Waiting { sent, .. } => match self.reminded.get(digits) {
                Some(day) => (Stage::Reminded, Some(*day)),
                None => (Stage::Mailed, Some(sent)),
            },
            Mailed::Never => match self.issued.get(digits) {
                Some(day) => (Stage::Issued, Some(*day)),
                None => (Stage::Declared, None),
            },
        }
    }
}

/// Whether `m` signed the charter's version in force, `version`: what
/// "signed" means on the year's page, the roster's and in the flags'
/// adherence-missing rule (a signature of an older version, even while
/// it still counts, is not).
pub fn signed_in_force(m: &crate::roster::Member, version: &str) -> bool {
    m.signed_version.as_deref() == Some(version)
}

impl App {
    /// Each organisation of the roster, in the roster's order, with its
    /// stage ([`StageRule`]: the rule the year's figures count by, so a
    /// figure and the roster filtered by its stage list the same
    /// organisations); none for a former member (the year counts it not).
    pub fn stages(&self) -> Result<Vec<(crate::roster::Member, Option<Stage>)>> {
        let ws = &self.ws;
        let loaded = flags::Loaded::load_for(&ws.store, &ws.config, None)?;
        let facts = loaded.facts(&ws.config, self.today, None);
        let rule = StageRule::read(self, &facts)?;
        Ok(loaded
            .members
            .iter()
            .map(|m| {
                let former = m.organisation.status == crate::roster::Status::Former;
                (m.clone(), (!former).then(|| rule.stage(m).0))
            })
            .collect())
    }
}

impl App {
    /// The year at a glance, as of the app's day.
    pub fn glance(&self) -> Result<Glance> {
        let ws = &self.ws;
        let (today, year) = (self.today, self.today.year());
        let version = &ws.config.charter.version;
        // All-time flags (last year's meetings-below-minimum is one in
        // January), so the attendance of the absences bodies only.
        let loaded = flags::Loaded::load_for(&ws.store, &ws.config, None)?;
        let facts = loaded.facts(&ws.config, today, None);
        let rule = StageRule::read(self, &facts)?;
        let mut organisations = Vec::new();
        for m in loaded.members.iter().filter(|m| m.organisation.status != crate::roster::Status::Former) {
            let o = &m.organisation;
            let (stage, since) = rule.stage(m);
            organisations.push(Standing {
                name: o.name.clone(),
                enterprise_number: o.enterprise_number.formatted(),
                status: o.status,
                stage,
                since,
            });
        }
        let StageRule { due, documents, waiting, .. } = rule;

        let mut deadlines = Vec::new();
        let convoked: std::collections::HashSet<&str> = loaded
            .messages
            .iter()
            .filter(|m| m.state != crate::delivery::MessageState::Intended)
            .map(|m| m.about.as_str())
            .collect();
        for r in loaded.meetings.iter().filter(|r| r.cancelled.is_none() && r.meeting.date >= today) {
            let m = &r.meeting;
            let body = crate::governance::body(&ws.config, &m.body).map_err(Error::Usage)?;
            deadlines.push(Deadline::Convoke {
                meeting: m.id.clone(),
                body: m.body.clone(),
                date: m.date,
                // The one notice rule (App::notice), as the meeting's page
                // and `convoke` apply it.
                last_day: self.notice(&body, m.date).last_day,
                convoked: convoked.contains(m.id.as_str()),
            });
        }
        for ((escalation, on), count) in due {
            deadlines.push(if escalation {
                Deadline::Escalations { on, count }
            } else {
                Deadline::Reminders { on, count }
            });
        }
        if ws.config.funder.kind != crate::config::FunderKind::None {
            let funder = &ws.config.funder;
            for (kind, due_for) in [
                (crate::report::Kind::Annual, funder.annual_due_for(year - 1).filter(|d| *d >= today)),
                (crate::report::Kind::Subsidy, funder.subsidy_due_for(year - 1).filter(|d| *d >= today)),
            ] {
                let (report_year, due) = match due_for {
                    Some(d) => (year - 1, Some(d)),
                    None => (year, self.due_for(kind, year)),
                };
                if let Some(due) = due {
                    deadlines.push(Deadline::Report { report: kind, year: report_year, due });
                }
            }
        }
        deadlines.sort_by_key(Deadline::on);

        let shortfalls = flags::shortfalls(&facts, year);
        let held = annual::meetings_held(&ws.config, &loaded.meetings, year, today);
        // In the order charte.toml gives them: plenary, committee, working groups.
        let bodies = crate::governance::bodies(&ws.config)
            .into_iter()
            .filter_map(|body| {
                let figures = held.get(&body.key)?;
                Some(BodyMeetings {
                    short: shortfalls.iter().any(|s| s.body.key == body.key),
                    name_fr: body.name_fr.clone(),
                    name_nl: body.name_nl.clone(),
                    key: body.key.clone(),
                    held: figures.held,
                    required_min: figures.required_min,
                })
            })
            .collect();

        let listing = self.listing(&loaded, None)?;
        let mut rules: Vec<RuleCount> = Vec::new();
        for l in listing.flags.iter().filter(|l| l.status != FlagStatus::Resolved) {
            let i = match rules.iter().position(|r| r.rule == l.flag.rule) {
                Some(i) => i,
                None => {
                    rules.push(RuleCount { rule: l.flag.rule, open: 0, put_to_committee: 0 });
                    rules.len() - 1
                }
            };
            match l.status {
                FlagStatus::PutToCommittee => rules[i].put_to_committee += 1,
                _ => rules[i].open += 1,
            }
        }

        let head = ws.store.head()?;
        let checkpoint = ws.store.last_checkpoint()?;
        Ok(Glance {
            today,
            year,
            charter_version: version.clone(),
            organisations,
            deadlines,
            bodies,
            flags: rules,
            warnings: listing.warnings.len(),
            returns_waiting: waiting.len(),
            reports: reports(&ws.out_dir().join(Folder::Reports.name()), &documents)?,
            journal: JournalState {
                entries: head.seq,
                since_checkpoint: head.seq - checkpoint.map_or(0, |(size, _)| size),
                checkpoint,
            },
        })
    }

    /// The day the funder's `kind` report of `year` is due, if charte.toml
    /// (or the funder's default) says.
    fn due_for(&self, kind: crate::report::Kind, year: i32) -> Option<NaiveDate> {
        let funder = &self.ws.config.funder;
        match kind {
            crate::report::Kind::Annual => funder.annual_due_for(year),
            crate::report::Kind::Subsidy => funder.subsidy_due_for(year),
        }
    }

    /// What the year at a glance depends on ([`Stamp`]): the journal's
    /// head (one row), the day, and charte.toml and workflows/ as the file
    /// system describes them (their size and time, not their text).
    pub fn glance_stamp(&self) -> Result<Stamp> {
        let mut paths = vec![self.ws.root.join(crate::workspace::CONFIG_FILE)];
        let workflows = self.ws.root.join("workflows");
        paths.push(workflows.clone());
        if let Ok(entries) = std::fs::read_dir(&workflows) {
            let mut found: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            found.sort();
            paths.extend(found);
        }
        let files = paths
            .into_iter()
            .map(|p| {
                let seen = std::fs::metadata(&p).ok().and_then(|m| Some((m.len(), m.modified().ok()?)));
                (p, seen)
            })
            .collect();
        Ok(Stamp { head: self.ws.store.head()?, today: self.today, files })
    }

    /// The reports in out/reports/, newest first, with the day each was
    /// made (the journal's).
    pub fn reports(&self) -> Result<Vec<OutFile>> {
        reports(&self.ws.out_dir().join(Folder::Reports.name()), &self.ws.store.documents()?)
    }

    /// The interpellation letters already drafted in out/letters/, newest
    /// first. Reading them writes nothing (drafting them is
    /// [`App::letters`], the coordinator's).
    pub fn letter_files(&self) -> Result<Vec<OutFile>> {
        let mut out = listed(&self.ws.out_dir().join(Folder::Letters.name()))?;
        for f in &mut out {
            // `…-YYYY-MM-DD.pdf`: the day it was drafted.
            f.date = f.name.strip_suffix(".pdf").and_then(|s| s.get(s.len().saturating_sub(10)..)?.parse().ok());
        }
        out.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.name.cmp(&b.name)));
        Ok(out)
    }

    /// The file `name` of out/reports/ or out/letters/, to download: only
    /// a plain file listed there (no link, no other folder: a name with a
    /// slash or `..` names none of them), else not found.
    pub fn out_file(&self, folder: Folder, name: &str) -> Result<Download> {
        let dir = self.ws.out_dir().join(folder.name());
        let missing = || Error::not_found(format!("out/{}/ holds no file '{name}'", folder.name()));
        let allowed = match folder {
            Folder::Page => name == super::verify_page::FILE,
            Folder::Reports | Folder::Letters => true,
        };
        if !allowed || !listed(&dir)?.iter().any(|f| f.name == name) {
            return Err(missing());
        }
        let content_type = match name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("pdf") => "application/pdf",
            Some("html") => "text/html; charset=utf-8",
            Some("csv") => "text/csv; charset=utf-8",
            Some("json") => "application/json",
            _ => "application/octet-stream",
        };
        let bytes = super::documents::download(&dir.join(name), "a report or a letter", missing)?;
        Ok(Download { name: name.to_owned(), content_type, bytes })
    }
}

/// The plain files of `dir` whose names are safe to put in a URL and a
/// Content-Disposition header (letters, digits, `.`, `-`, `_`), by name;
/// none when `dir` does not exist.
fn listed(dir: &Path) -> Result<Vec<OutFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        let safe =
            !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        // file_type() does not follow a link: a link is not a plain file.
        let Ok(kind) = entry.file_type() else { continue };
        if !safe || !kind.is_file() {
            continue;
        }
        let bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
        out.push(OutFile { name, date: None, bytes });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The reports of `dir` (out/reports/), each dated by the journaled PDF
/// it is, or accompanies (same name up to its first dot), newest first.
fn reports(dir: &Path, documents: &[IssuedDocument]) -> Result<Vec<OutFile>> {
    let made: HashMap<&str, NaiveDate> = documents
        .iter()
        .filter(|d| d.kind != DocumentKind::Adherence)
        .filter_map(|d| {
            let name = Path::new(&d.file).file_name()?.to_str()?;
            Some((name.split('.').next().unwrap_or(name), d.issued))
        })
        .collect();
    let mut out = listed(dir)?;
    for f in &mut out {
        f.date = made.get(f.name.split('.').next().unwrap_or(&f.name)).copied();
    }
    // Newest first; of one report, the PDFs before their companions.
    let rank = |f: &OutFile| (std::cmp::Reverse(f.date), !f.name.ends_with(".pdf"), f.name.clone());
    out.sort_by_key(rank);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{collect, init, issue, meetings};

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    const HEADER: &str = "name,enterprise_number,email,status\n";
    const ROWS: [&str; 7] = [
        "Asbl Alpha,0203.201.340,alpha@example.be,member\n",
        "Asbl Bravo,0417.497.106,bravo@example.be,member\n",
        "Asbl Charlie,0461.013.383,charlie@example.be,member\n",
        "Asbl Delta,0883.405.625,delta@example.be,member\n",
        "Asbl Golf,0877.230.584,golf@example.be,member\n",
        "Asbl Echo,0426.841.966,echo@example.be,member\n",
        "Asbl Foxtrot,0477.582.666,foxtrot@example.be,participant\n",
    ];

    /// Imports the first `n` organisations of [`ROWS`] on `on`.
    fn roster(dir: &Path, n: usize, on: NaiveDate) {
        let file = dir.join("roster.csv");
        std::fs::write(&file, format!("{HEADER}{}", ROWS[..n].concat())).expect("writes");
        App::writer(dir, on).expect("opens").import_roster(&file, false).expect("imports");
    }

    fn run(dir: &Path, on: &str) {
        App::writer(dir, day(on)).expect("opens").run_workflow("adhesion", false).expect("runs");
    }

    /// A meeting of `body` on `date`, scheduled on `on`.
    fn meeting(dir: &Path, on: &str, body: &str, date: &str) {
        let meeting = meetings::NewMeeting {
            body: body.into(),
            date: day(date),
            time: None,
            place: None,
            title: None,
            agenda: vec!["Accueil".into()],
        };
        App::writer(dir, day(on)).expect("opens").add_meeting(meeting).expect("a meeting");
    }

    /// A scan of `number`'s paper, collected on `on`: waiting for the
    /// coordinator's confirmation. Its id.
    fn scan(dir: &Path, number: &str, on: &str) -> i64 {
        let file = dir.join(format!("scan-{number}.pdf"));
        std::fs::write(&file, format!("scan of {number}")).expect("writes");
        let mut app = App::writer(dir, day(on)).expect("opens");
        app.collect(&collect::Input { files: vec![file], scan: Some(number.into()) }).expect("collects");
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        let found = app.ws.store.returns().expect("reads");
        found.iter().find(|r| r.adherence.enterprise_number == digits).expect("a return").id
    }

    /// One organisation at each stage, built through the actions a
    /// coordinator takes (30 days to return the document, a reminder
    /// after 14): Alpha signed (a scan confirmed), Bravo's scan waiting,
    /// Charlie mailed on 2 March (overdue on 1 April), Delta mailed on 9
    /// March and reminded on 23 March, Golf mailed on 23 March, Echo's
    /// document issued but not mailed, Foxtrot only on the roster.
    fn year() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let start = day("2026-03-02");
        let input =
            init::Input { dir: dir.path().to_owned(), replay: true, languages: vec![crate::roster::Language::Fr] };
        init::init(&input, start).expect("a workspace");
        let config = dir.path().join("charte.toml");
        let text = std::fs::read_to_string(&config).expect("reads").replacen(
            "adherence_overdue_days = 45",
            "adherence_overdue_days = 30",
            1,
        );
        std::fs::write(&config, text).expect("writes");
        std::fs::write(dir.path().join("charter/fr.md"), "# Charte\n\nNous coopérons.\n").expect("writes");
        App::open(dir.path(), start).expect("opens").keys_init().expect("a key");
        roster(dir.path(), 3, start);
        run(dir.path(), "2026-03-02");
        let alpha = scan(dir.path(), "0203.201.340", "2026-03-03");
        App::writer(dir.path(), day("2026-03-03")).expect("opens").confirm_return(alpha).expect("confirms");
        scan(dir.path(), "0417.497.106", "2026-03-04");
        roster(dir.path(), 4, day("2026-03-09"));
        run(dir.path(), "2026-03-09");
        roster(dir.path(), 5, day("2026-03-23"));
        run(dir.path(), "2026-03-23");
        meeting(dir.path(), "2026-03-23", "committee", "2026-03-30");
        roster(dir.path(), 7, day("2026-04-02"));
        let mut app = App::writer(dir.path(), day("2026-04-02")).expect("opens");
        app.issue(&issue::Which::Ids(vec!["0426.841.966".into()])).expect("issues");
        drop(app);
        meeting(dir.path(), "2026-04-02", "plenary", "2026-04-20");
        meeting(dir.path(), "2026-04-02", "committee", "2026-05-04");
        dir
    }

    #[test]
    fn each_organisation_is_counted_once_at_the_furthest_stage_it_reached() {
        let dir = year();
        let g = App::open(dir.path(), day("2026-04-02")).expect("opens").glance().expect("a glance");
        let stage = |name: &str| g.organisations.iter().find(|o| o.name == name).map(|o| (o.stage, o.since));
        assert_eq!(stage("Asbl Alpha"), Some((Stage::Signed, None)));
        assert_eq!(stage("Asbl Bravo"), Some((Stage::Waiting, Some(day("2026-03-04")))));
        assert_eq!(
            stage("Asbl Charlie"),
            Some((Stage::Overdue, Some(day("2026-04-01")))),
            "mailed on 2 March + 30 days"
        );
        assert_eq!(stage("Asbl Delta"), Some((Stage::Reminded, Some(day("2026-03-23")))));
        assert_eq!(stage("Asbl Golf"), Some((Stage::Mailed, Some(day("2026-03-23")))));
        assert_eq!(stage("Asbl Echo"), Some((Stage::Issued, Some(day("2026-04-02")))));
        assert_eq!(stage("Asbl Foxtrot"), Some((Stage::Declared, None)));
        for s in Stage::ALL {
            assert_eq!(g.count(s), 1, "{s:?}");
        }
        assert_eq!(g.returns_waiting, 1);
        // The day before, Charlie was still within its delay (reminded on 23 March).
        let before = App::open(dir.path(), day("2026-03-31")).expect("opens").glance().expect("a glance");
        assert_eq!(
            before.organisations.iter().find(|o| o.name == "Asbl Charlie").map(|o| o.stage),
            Some(Stage::Reminded)
        );
    }

    #[test]
    fn the_deadlines_follow_the_notice_rule_and_the_adhesion_workflow() {
        let dir = year();
        let g = App::open(dir.path(), day("2026-04-02")).expect("opens").glance().expect("a glance");
        // The plenary of 20 April owes 10 clear days: convoke by 9 April;
        // the committee of 4 May 5: by 28 April. The committee of 30 March is past.
        let convoke: Vec<(NaiveDate, Option<NaiveDate>)> = g
            .deadlines
            .iter()
            .filter_map(|d| match d {
                Deadline::Convoke { date, last_day, convoked: false, .. } => Some((*date, *last_day)),
                _ => None,
            })
            .collect();
        assert_eq!(
            convoke,
            [(day("2026-04-20"), Some(day("2026-04-09"))), (day("2026-05-04"), Some(day("2026-04-28")))]
        );
        // The one rule the meeting's page and `convoke` apply: the same day.
        let app = App::open(dir.path(), day("2026-04-02")).expect("opens");
        for d in &g.deadlines {
            if let Deadline::Convoke { meeting, last_day, .. } = d {
                let view = app.meeting_view(meeting).expect("its page");
                assert_eq!(*last_day, view.notice.last_day, "{meeting}");
            }
        }
        // Bravo's and Charlie's escalations are due now (mailed on 2 March,
        // 30 days), Delta's on 8 April; Golf's reminder on 6 April.
        assert!(g.deadlines.contains(&Deadline::Escalations { on: day("2026-04-02"), count: 2 }), "{:?}", g.deadlines);
        assert!(g.deadlines.contains(&Deadline::Escalations { on: day("2026-04-08"), count: 1 }));
        assert!(g.deadlines.contains(&Deadline::Reminders { on: day("2026-04-06"), count: 1 }));
        let days: Vec<NaiveDate> = g.deadlines.iter().map(Deadline::on).collect();
        assert!(days.windows(2).all(|w| w[0] <= w[1]), "soonest first: {days:?}");
        // One committee held of three required, two scheduled in all: short.
        let committee = g.bodies.iter().find(|b| b.key == "committee").expect("the committee");
        assert_eq!((committee.held, committee.required_min, committee.short), (1, 3, true));
        let plenary = g.bodies.iter().find(|b| b.key == "plenary").expect("the plenary");
        assert_eq!((plenary.held, plenary.short), (0, false));
        // The flags: declared members without a signature, counted per rule.
        let missing = g.flags.iter().find(|r| r.rule == "adherence-missing").expect("adherence-missing");
        assert_eq!(missing.open, 5, "Bravo, Charlie, Delta, Golf, Echo");
        // A checkpoint made: the journal's state names it, nothing written since.
        let made = App::writer(dir.path(), day("2026-04-03")).expect("opens").checkpoint().expect("a checkpoint");
        let g = App::open(dir.path(), day("2026-04-03")).expect("opens").glance().expect("a glance");
        assert_eq!(g.journal.checkpoint, Some((made.head.size as i64, day("2026-04-03"))));
        assert_eq!((g.journal.entries, g.journal.since_checkpoint), (made.head.size as i64, 0));
    }
}
