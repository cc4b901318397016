//! The demo's year (`charte demo`): a fixture (fixtures/<name>/) copied
//! into a fresh folder, and its year replayed day by day through the same
//! actions a coordinator takes, each on an [`App`] opened on its day. On
//! New Year's day the roster, the seal key, the year's meetings and
//! events; from the first working Monday the adhesion workflow, two
//! organisations in three signing their document with their own key and
//! returning it; every meeting convoked before its notice period runs
//! out, its attendance recorded the day after; the committee election
//! where the fixture holds one (year/election.toml, [`ElectionSteps`]);
//! on 31 December the reports and the interpellation letters. Between two
//! days where something happens, nothing is run.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use serde::Deserialize;

use super::election::{Count, MAX_BYTES as ROUND_BYTES};
use super::keys::KeyPair;
use super::meetings::NewMeeting;
use super::{App, Bar, Progress, TableFile, attendance, collect, events, keys, sign};
use crate::error::{Error, Result};
use crate::governance::{self, meeting, notice};
use crate::roster::EnterpriseNumber;
use crate::roster::import::Plan;

/// The year every fixture's files describe.
pub const YEAR: i32 = 2026;
/// The fixture's committee election, when it holds one (from its folder).
pub const ELECTION_FILE: &str = "year/election.toml";
/// The largest meetings file read.
const MEETINGS_BYTES: usize = 16 << 20;
/// The workflows the demo runs: every day, from the issue day, on the last day.
const DAILY: &str = "convocation";
const ADHESION: &str = "adhesion";
const LAST_DAY: [&str; 2] = ["annual-report", "interpellation"];

/// The demo's year, replayed.
#[derive(Debug, Clone)]
pub struct Year {
    /// The folder the fixture was copied into and its year replayed in.
    pub folder: PathBuf,
    pub year: i32,
    /// New Year's day: the roster, the keys, the meetings, the events.
    pub first_day: NaiveDate,
    /// The adhesion workflow's first day: it issues and mails the documents.
    pub issue_day: NaiveDate,
    /// The year's last day: the reports, the letters.
    pub last_day: NaiveDate,
    /// The roster file imported, and what importing it did.
    pub roster_file: PathBuf,
    pub roster: Plan,
    /// The coordination's seal key pair.
    pub keys: KeyPair,
    /// The meetings scheduled (each convoked by the convocation workflow).
    pub meetings: usize,
    /// The events file imported and what importing it did, when the fixture has one.
    pub events: Option<(PathBuf, events::Imported)>,
    /// The adherence documents issued on the issue day.
    pub documents: usize,
    /// The organisations that sign their document with their own key and
    /// return it; the others are reminded, then flagged.
    pub signers: usize,
    /// How many times each workflow ran.
    pub runs: BTreeMap<String, usize>,
    /// The committee elections held, by id.
    pub elections: Vec<String>,
}

impl Year {
    /// The runs of every workflow together.
    pub fn total_runs(&self) -> usize {
        self.runs.values().sum()
    }
}

/// A committee election as a fixture describes it (year/election.toml),
/// recorded step by step on `day`, after that day's attendance: opened at
/// a plenary, the naming round, the change round, the facilitator's
/// proposal, the objections each with its resolution, the vote counted by
/// hand.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionSteps {
    pub day: NaiveDate,
    /// The plenary where the election is held (its attendance says who votes).
    pub meeting: String,
    /// Seats open (default: the committee's elected seats in charte.toml).
    #[serde(default)]
    pub seats: Option<u32>,
    /// The day the mandates begin (default: the plenary's date).
    #[serde(default)]
    pub since: Option<NaiveDate>,
    /// The naming round's choices (columns voter, person,
    /// person_organisation, reason), from the workspace folder.
    pub naming_round: PathBuf,
    /// The change round's choices, when voters change theirs.
    #[serde(default)]
    pub change_round: Option<PathBuf>,
    /// The facilitator's proposal: `NAME=ORGANISATION` (enterprise number or name).
    pub proposed: Vec<String>,
    #[serde(default)]
    pub objections: Vec<Objection>,
    pub vote: HandCount,
}

/// An objection to a proposed person, and how it was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objection {
    /// The objecting organisation (a member present).
    pub by: String,
    /// The proposed person objected to.
    pub against: String,
    pub reason: String,
    pub resolution: String,
}

/// The proposal's vote, counted by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandCount {
    #[serde(rename = "for")]
    pub yes: usize,
    #[serde(rename = "against")]
    pub no: usize,
    #[serde(default)]
    pub abstain: usize,
    /// On a tie, how the holder of the casting vote voted.
    #[serde(default)]
    pub casting_vote: Option<crate::governance::vote::Choice>,
}

impl ElectionSteps {
    /// The election of the workspace in `dir` ([`ELECTION_FILE`]), if it
    /// holds one, its rounds' files made absolute.
    pub fn read(dir: &Path) -> Result<Option<ElectionSteps>> {
        let path = dir.join(ELECTION_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        let bytes = crate::error::read_bounded(&path, 1 << 20, "an election file")?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::Config { file: path.clone(), message: "not UTF-8 text".into() })?;
        let mut steps: ElectionSteps =
            toml::from_str(&text).map_err(|e| Error::Config { file: path.clone(), message: e.to_string() })?;
        steps.naming_round = dir.join(&steps.naming_round);
        steps.change_round = steps.change_round.map(|f| dir.join(f));
        Ok(Some(steps))
    }

    /// The rounds' files, in their order.
    fn rounds(&self) -> impl Iterator<Item = (&PathBuf, bool)> {
        std::iter::once((&self.naming_round, false)).chain(self.change_round.iter().map(|f| (f, true)))
    }

    /// The organisations (10 digits) the election names by enterprise
    /// number: voters, persons' organisations, objectors.
    fn organisations(&self) -> Result<HashSet<String>> {
        let mut named: Vec<String> = Vec::new();
        for (file, _) in self.rounds() {
            let table = crate::tabular::read(file, ROUND_BYTES, "a round of choices")?;
            named.extend(table.rows.into_iter().flat_map(|(_, row)| row));
        }
        named.extend(self.proposed.iter().filter_map(|p| p.split_once('=').map(|(_, o)| o.to_owned())));
        named.extend(self.objections.iter().map(|o| o.by.clone()));
        Ok(named.iter().filter_map(|n| EnterpriseNumber::parse(n.trim()).ok()).map(|n| n.digits().to_owned()).collect())
    }

    /// Records the election on `app`'s day; returns its id.
    fn hold(&self, app: &mut App) -> Result<String> {
        let id = app.open_election(&self.meeting, self.seats, self.since)?.election;
        for (file, change) in self.rounds() {
            let choices = super::election::Choices::File(TableFile::read(file, ROUND_BYTES, "a round of choices")?);
            app.election_round(&id, &choices, change)?;
        }
        app.propose(&id, &self.proposed)?;
        for o in &self.objections {
            let number = app.object(&id, &o.by, &o.against, &o.reason)?;
            app.resolve_objection(&id, number, &o.resolution)?;
        }
        let HandCount { yes, no, abstain, casting_vote } = self.vote;
        app.election_vote(&id, &Count::Hands { yes, no, abstain, casting_vote })?;
        Ok(id)
    }
}

/// What the demo does on a given day, before the workflows run.
#[derive(Debug)]
enum Step {
    /// Convokes a meeting, on the last day its notice allows.
    Convoke(String),
    /// Records a meeting's attendance list, the day after it.
    Attendance(PathBuf),
    Election(Box<ElectionSteps>),
    /// An organisation makes its key pair (the private key at this path).
    MemberKey(PathBuf),
    /// The coordination registers an organisation's public key.
    SetKey {
        organisation: String,
        public: PathBuf,
    },
    /// An organisation signs its document with its own key.
    Sign(sign::Input),
    /// The coordination collects a signed document returned.
    Collect(PathBuf),
}

impl Step {
    /// Does the step on `app`'s day; an election says its id.
    fn take(self, app: &mut App) -> Result<Option<String>> {
        match self {
            Step::Convoke(meeting) => {
                let done = app.convoke(&meeting, None)?;
                if !done.failed.is_empty() {
                    return Err(Error::Partial {
                        done: format!("{}: the others were convoked", done.meeting),
                        failed: done.failed,
                    });
                }
            }
            Step::Attendance(file) => {
                let list = TableFile::read(&file, attendance::MAX_BYTES, "an attendance list")?;
                app.import_attendance(&list)?;
            }
            Step::Election(election) => return election.hold(app).map(Some),
            Step::MemberKey(private) => {
                keys::member_keys(&private)?;
            }
            Step::SetKey { organisation, public } => {
                app.set_key(&organisation, &public)?;
            }
            Step::Sign(input) => {
                sign::sign(&input, app.today)?;
            }
            Step::Collect(file) => {
                let collected = app.collect(&collect::Input { files: vec![file], scan: None })?;
                let refused: Vec<String> = collected
                    .lines
                    .iter()
                    .filter_map(|l| match &l.what {
                        collect::What::Refused { reason, .. } => Some(format!("{}: {reason}", l.file)),
                        _ => None,
                    })
                    .collect();
                if !refused.is_empty() {
                    return Err(Error::CheckFailed(format!("returned file refused: {}", refused.join("; "))));
                }
            }
        }
        Ok(None)
    }
}

/// Copies the fixture in `fixture` into `out` (which must not exist, or be
/// empty) and replays its year there; `progress` counts the days.
pub fn replay_year(fixture: &Path, out: &Path, progress: &dyn Progress) -> Result<Year> {
    if out.exists() && std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(Error::usage(format!("{} exists and is not empty: give a new folder with --out", out.display())));
    }
    copy_dir(fixture, out)?;
    let dir = out;
    let first_day = date(1, 1)?;
    let issue_day = date(1, 5)?;
    let last_day = date(12, 31)?;

    // New Year's day: the roster, the seal key, the year's meetings, the
    // events. Everything after runs in date order.
    let mut app = App::writer(dir, first_day)?;
    let roster_file = dir.join("roster.csv");
    let roster = app.import_roster(&roster_file, false)?;
    let keys = app.keys_init()?;
    let work = dir.join("out/demo");
    std::fs::create_dir_all(&work).map_err(|e| Error::io(&work, e))?;
    let mut timeline: BTreeMap<NaiveDate, Vec<Step>> = BTreeMap::new();
    let meetings = schedule(&mut app, &work, &mut timeline)?;
    let events_file = dir.join("year/events.csv");
    let events = if events_file.is_file() {
        let file = TableFile::read(&events_file, events::MAX_BYTES, "an events file")?;
        Some((events_file, app.import_events(&file, false)?))
    } else {
        None
    };
    drop(app);
    let election = ElectionSteps::read(dir)?;
    // Membership is proof: the organisations that take part in the year's
    // committee election all sign.
    let electors = match &election {
        Some(e) => e.organisations()?,
        None => HashSet::new(),
    };
    if let Some(e) = election {
        timeline.entry(e.day).or_default().push(Step::Election(Box::new(e)));
    }

    let keys_dir = dir.join("organisation-keys");
    std::fs::create_dir_all(&keys_dir).map_err(|e| Error::io(&keys_dir, e))?;
    let mut year = Year {
        folder: dir.to_owned(),
        year: YEAR,
        first_day,
        issue_day,
        last_day,
        roster_file,
        roster,
        keys,
        meetings,
        events,
        documents: 0,
        signers: 0,
        runs: BTreeMap::new(),
        elections: Vec::new(),
    };
    let bar = Bar::start(progress, (last_day - first_day).num_days().unsigned_abs(), "days");
    let mut day = first_day;
    loop {
        let steps = timeline.remove(&day).unwrap_or_default();
        if !steps.is_empty() {
            let mut app = App::writer(dir, day)?;
            for step in steps {
                year.elections.extend(step.take(&mut app)?);
            }
        }
        // Opened after the day's steps, so the workflows see what they
        // changed (the committee an election gave, say).
        let mut app = App::writer(dir, day)?;
        let mut workflows = vec![DAILY];
        if day >= issue_day {
            workflows.push(ADHESION);
        }
        if day == last_day {
            workflows.extend(LAST_DAY);
        }
        for w in workflows {
            let outcome = app.run_workflow(w, false)?;
            if !outcome.failed.is_empty() {
                return Err(Error::Partial {
                    done: format!("{w} on {day}: the steps of the others ran"),
                    failed: outcome.failed,
                });
            }
            *year.runs.entry(w.to_owned()).or_default() += 1;
        }
        if day == issue_day {
            // Two organisations in three sign with their own key and send
            // it back within six weeks; of the others (none of the
            // election's), one in three does not, and is reminded, then
            // flagged.
            let documents = app.ws.store.documents()?;
            for (i, d) in documents.iter().enumerate() {
                if i % 3 == 2 && !electors.contains(&d.enterprise_number) {
                    continue;
                }
                let on = day.checked_add_days(Days::new(2 + (i % 40) as u64)).unwrap_or(day);
                let key = keys_dir.join(format!("{}.key", d.enterprise_number));
                let public = PathBuf::from(format!("{}.pub", key.display()));
                let signed = keys_dir.join(format!("{}-signed.pdf", d.enterprise_number));
                let steps = timeline.entry(on).or_default();
                steps.push(Step::MemberKey(key.clone()));
                steps.push(Step::SetKey { organisation: d.enterprise_number.clone(), public });
                steps.push(Step::Sign(sign::Input { file: dir.join(&d.file), key, out: Some(signed.clone()) }));
                let back = on.checked_add_days(Days::new(3)).unwrap_or(on);
                timeline.entry(back).or_default().push(Step::Collect(signed));
                year.signers += 1;
            }
            year.documents = documents.len();
        }
        if day >= last_day {
            break;
        }
        // The next day anything happens: a step of the timeline, or a step
        // a workflow has due.
        let mut next = timeline.keys().next().copied().unwrap_or(last_day).min(last_day);
        if day < issue_day {
            next = next.min(issue_day);
        }
        for w in [DAILY, ADHESION] {
            let wf = crate::workflow::load(dir, w, &app.ws.config.flags)?;
            if let Some(d) = crate::workflow::next_due(&app.ws.store, &app.ws.config, &wf, day)? {
                next = next.min(d);
            }
        }
        let next = next.max(day.succ_opt().unwrap_or(last_day));
        bar.inc((next - day).num_days().unsigned_abs());
        day = next;
    }
    Ok(year)
}

/// Schedules the meetings of year/meetings.csv on `app`'s day (each agenda
/// kept in `work`), their convocations and attendance lists on
/// `timeline`; returns how many.
fn schedule(app: &mut App, work: &Path, timeline: &mut BTreeMap<NaiveDate, Vec<Step>>) -> Result<usize> {
    let year = app.ws.root.join("year");
    let meetings = crate::tabular::read(&year.join("meetings.csv"), MEETINGS_BYTES, "a meetings file")?;
    let attendance = crate::tabular::read(&year.join("attendance.csv"), attendance::MAX_BYTES, "an attendance file")?;
    let mut ids = Vec::new();
    for (_, row) in &meetings.rows {
        let [body, when, place, title, agenda] = &row[..] else { continue };
        let (day, time) = meeting::parse_when(when).map_err(Error::Usage)?;
        let b = governance::body(&app.ws.config, body).map_err(Error::Usage)?;
        let id = format!("{body}-{day}");
        let file = work.join(format!("{id}.md"));
        let items: String = agenda.split(" | ").map(|i| format!("- {i}\n")).collect();
        crate::error::write_atomic(&file, items.as_bytes())?;
        let agenda =
            meeting::agenda(items.as_bytes()).map_err(|problems| Error::Input { file: file.clone(), problems })?;
        app.add_meeting(NewMeeting {
            body: body.clone(),
            date: day,
            time,
            place: Some(place.clone()),
            title: Some(title.clone()),
            agenda,
        })?;
        let convoke_on =
            notice::last_sending_day(day, b.notice_clear_days, b.receipt_days).unwrap_or(day).max(app.today);
        timeline.entry(convoke_on).or_default().push(Step::Convoke(id.clone()));
        ids.push((id, day));
    }
    for (id, day) in &ids {
        let rows: Vec<&Vec<String>> =
            attendance.rows.iter().map(|(_, r)| r).filter(|r| r.first() == Some(id)).collect();
        if rows.is_empty() {
            continue;
        }
        let mut csv = attendance.header.join(",") + "\n";
        for r in rows {
            csv.push_str(&r.iter().map(|c| crate::report::export::csv_field(c)).collect::<Vec<_>>().join(","));
            csv.push('\n');
        }
        let file = work.join(format!("{id}-attendance.csv"));
        crate::error::write_atomic(&file, csv.as_bytes())?;
        let after = day.checked_add_days(Days::new(1)).unwrap_or(*day);
        timeline.entry(after).or_default().push(Step::Attendance(file));
    }
    Ok(ids.len())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| Error::io(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(|e| Error::io(&target, e))?;
        }
    }
    Ok(())
}

/// A day of [`YEAR`].
fn date(m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(YEAR, m, d).ok_or_else(|| Error::internal("a date of the demo's year does not exist"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_election_reads_whole() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/woluwe-saint-lambert");
        let e = ElectionSteps::read(&dir).expect("reads").expect("woluwe-saint-lambert holds an election");
        assert_eq!(e.day, NaiveDate::from_ymd_opt(2026, 10, 14).unwrap());
        assert_eq!(e.meeting, "plenary-2026-10-13");
        assert_eq!(e.since, NaiveDate::from_ymd_opt(2027, 1, 1));
        assert_eq!(e.naming_round, dir.join("year/election-naming.csv"));
        assert_eq!(e.change_round, Some(dir.join("year/election-change.csv")));
        assert_eq!(e.proposed.len(), 4);
        assert_eq!(e.objections.len(), 1);
        assert_eq!(e.vote, HandCount { yes: 10, no: 1, abstain: 1, casting_vote: None });
        let named = e.organisations().expect("rounds read");
        for n in ["0595872780", "0805427325", "0840761257", "0580868068", "0796192430", "0427388136"] {
            assert!(named.contains(n), "{n}");
        }
        assert!(ElectionSteps::read(&dir.join("year")).expect("no file, no error").is_none());
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("year")).unwrap();
        std::fs::write(
            dir.path().join(ELECTION_FILE),
            "day = \"2026-10-14\"\nmeeting = \"m\"\nnaming_round = \"r.csv\"\nproposed = []\nvotes = 3\n\
             [vote]\nfor = 1\nagainst = 0\n",
        )
        .unwrap();
        let e = ElectionSteps::read(dir.path()).unwrap_err();
        assert!(e.to_string().contains("votes"), "{e}");
    }
}
