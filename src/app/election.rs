//! Committee elections "without candidates", step by step, as the
//! plenary holds them (crate::governance::election says the procedure and
//! the committee's rules): each action replays the election from the
//! journal, checks that its step may come now, and records it. Those who
//! take part are the members recorded present at the election's plenary,
//! which must have taken place.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{App, TableFile};
use crate::error::{Error, Result};
use crate::governance::attendance::Attendance;
use crate::governance::election::{self, Breach, Choosing, ElectedSeat, Election, Nominee, RoundFields, Step};
use crate::governance::vote::{self, Choice, Electorate};
use crate::journal::Event;
use crate::roster::{EnterpriseNumber, Member};

/// The largest file of choices (a round) or ballots read.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The organisations' names on the roster, to tell who named whom: an
/// organisation no longer on it goes by its enterprise number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names(HashMap<EnterpriseNumber, String>);

impl Names {
    fn of(members: &[Member]) -> Names {
        Names(members.iter().map(|m| (m.organisation.enterprise_number.clone(), m.organisation.name.clone())).collect())
    }

    /// The name of organisation `n`.
    pub fn get(&self, n: &EnterpriseNumber) -> String {
        self.0.get(n).cloned().unwrap_or_else(|| n.formatted())
    }
}

/// An election opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// Its id, `election-<plenary's date>`.
    pub election: String,
    pub seats: u32,
    /// The day the mandates begin.
    pub since: NaiveDate,
}

/// A round recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub election: String,
    /// The change round (else the naming round).
    pub change: bool,
    /// Choices recorded.
    pub recorded: usize,
    /// The persons named now, with how many voters name them, most first.
    pub tally: Vec<(Nominee, usize)>,
    pub names: Names,
}

/// A proposal recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proposed {
    pub persons: usize,
    pub seats: u32,
}

/// A round's choices: a file (`charte election round`), or the rows the
/// desk's form typed; both read by the one rule,
/// crate::governance::election::parse_round.
#[derive(Debug, Clone)]
pub enum Choices {
    /// Columns voter, person, person_organisation, reason.
    File(TableFile),
    /// The form's rows, numbered from 1; its problems name the fields
    /// `voter`, `person`, `person_organisation`, `reason`.
    Typed(Vec<Choosing>),
}

/// Where the file of a round typed in the desk's form says it comes from.
pub const TYPED_ROUND: &str = "the round's form";

/// How the proposal's vote was counted.
#[derive(Debug, Clone)]
pub enum Count {
    /// A ballot file: enterprise_number (or name), vote, person.
    Ballots(TableFile),
    /// Counted by hand; on a tie, how the holder of the casting vote voted.
    Hands { yes: usize, no: usize, abstain: usize, casting_vote: Option<Choice> },
}

/// The proposal's vote, recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voted {
    pub election: String,
    pub outcome: vote::Outcome,
    /// The seats the proposal gives when adopted (none when rejected).
    pub elected: Vec<ElectedSeat>,
    pub names: Names,
}

/// An election as the facilitator's page shows it: where it stands, who
/// may name and object, and the committee's rules checked on the persons
/// the facilitator proposes or considers.
#[derive(Debug, Clone, PartialEq)]
pub struct Facilitated {
    pub election: Election,
    pub names: Names,
    /// The plenary has taken place (its choices may be recorded).
    pub held: bool,
    /// The members recorded present who may vote there, by name.
    pub voters: Vec<(EnterpriseNumber, String)>,
    /// The signatories a person named may work for, by name.
    pub signatories: Vec<(EnterpriseNumber, String)>,
    /// The persons checked: those asked about, else the proposal, else
    /// the most named (as many as the seats).
    pub checked: Vec<Nominee>,
    /// The committee's rules they break (the check the proposal and the
    /// vote make).
    pub breaches: Vec<Breach>,
    /// The seats, with their mandates, the persons checked would fill.
    pub mandates: Vec<ElectedSeat>,
    /// The holder of the plenary's casting vote, when it has one.
    pub casting_vote: Option<String>,
}

/// The elections, and the meetings where one may be opened.
#[derive(Debug, Clone, PartialEq)]
pub struct Elections {
    pub elections: Vec<Election>,
    /// The plenaries not cancelled, by date.
    pub plenaries: Vec<crate::governance::meeting::Meeting>,
    /// The committee's elected seats (charte.toml).
    pub elected_seats: u32,
}

/// An election as it stands, with the names of the organisations it
/// mentions.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub election: Election,
    pub names: Names,
}

impl App {
    /// Opens an election at a plenary `meeting` (crate::governance::election::opening).
    pub fn open_election(&mut self, meeting: &str, seats: Option<u32>, since: Option<NaiveDate>) -> Result<Opened> {
        let rules = &self.ws.config.bodies.committee;
        // Checked and the id allocated under the write lock: a plenary
        // cancelled meanwhile is refused, two elections opened at once get
        // two ids.
        let id = self.ws.store.transaction(self.today, |tx| {
            let crate::governance::meeting::MeetingRecord { meeting: m, cancelled } = tx
                .meeting(meeting)?
                .ok_or_else(|| Error::NotOpened(election::NotOpened::Unknown { meeting: meeting.to_owned() }))?;
            let step = election::opening(rules, &m, cancelled.as_deref(), seats, since).map_err(Error::NotOpened)?;
            let id = election::new_id(m.date, &tx.election_ids()?);
            tx.append(&Event::ElectionRecorded { election: id.clone(), step })?;
            Ok(id)
        })?;
        let e = self.election_state(&id)?;
        Ok(Opened { election: e.id, seats: e.seats, since: e.since })
    }

    /// Records a round of choices: the naming round (each member present
    /// names one person, with a reason), or with `change` the voters who
    /// change their choice.
    pub fn election_round(&mut self, id: &str, choices: &Choices, change: bool) -> Result<Round> {
        let e = self.election_state(id)?;
        e.admit(&Step::Round { change, namings: vec![] }).map_err(Error::Usage)?;
        let attendance = self.held(&e)?;
        let members = self.ws.store.members()?;
        let standing = self.ws.standing(e.date)?;
        let (typed, fields, file) = match choices {
            Choices::File(file) => {
                let (typed, fields) = election::read_round(&file.table).map_err(|p| file.refused(p))?;
                (std::borrow::Cow::Owned(typed), fields, file.file.clone())
            }
            Choices::Typed(rows) => {
                (std::borrow::Cow::Borrowed(rows.as_slice()), RoundFields::default(), TYPED_ROUND.into())
            }
        };
        let namings = election::parse_round(&typed, &fields, &e, &members, &attendance, &standing, change)
            .map_err(|problems| Error::Input { file, problems })?;
        let recorded = namings.len();
        self.record(&e.id, Step::Round { change, namings })?;
        let e = self.election_state(id)?;
        Ok(Round { election: e.id.clone(), change, recorded, tally: e.tally(), names: Names::of(&members) })
    }

    /// The facilitator's proposal: `persons`, each `NAME=ORGANISATION`
    /// (enterprise number or name), checked against the committee's rules;
    /// proposing again amends the proposal.
    pub fn propose(&mut self, id: &str, persons: &[String]) -> Result<Proposed> {
        let e = self.election_state(id)?;
        e.admit(&Step::Proposed { nominees: vec![] }).map_err(Error::Usage)?;
        let members = self.ws.store.members()?;
        let nominees = persons
            .iter()
            .map(|p| election::parse_nominee(p, &members))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(Error::Usage)?;
        let standing = self.ws.standing(e.date)?;
        refuse(election::check_proposal(&self.ws.config, &members, &standing, &e, &nominees), &e.id)?;
        let persons = nominees.len();
        self.record(&e.id, Step::Proposed { nominees })?;
        Ok(Proposed { persons, seats: e.seats })
    }

    /// Records an objection of `by` (a member present) against a proposed
    /// person; returns its number.
    pub fn object(&mut self, id: &str, by: &str, against: &str, reason: &str) -> Result<usize> {
        let e = self.election_state(id)?;
        let against = against.split_whitespace().collect::<Vec<_>>().join(" ");
        let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        let members = self.ws.store.members()?;
        let attendance = self.held(&e)?;
        let standing = self.ws.standing(e.date)?;
        let by = election::present_voter(&members, &attendance, &standing, by)
            .map_err(|m| Error::usage(format!("--by: {m}")))?
            .organisation
            .enterprise_number
            .clone();
        if reason.is_empty() {
            return Err(Error::usage("--reason: say why"));
        }
        let step = Step::Objected { by, against, reason };
        e.admit(&step).map_err(Error::Usage)?;
        // Numbered under the write lock: two objections at once get two numbers.
        Ok(self.record(&e.id, step)?.objections.len() + 1)
    }

    /// Records how objection number `objection` was resolved.
    pub fn resolve_objection(&mut self, id: &str, objection: usize, how: &str) -> Result<()> {
        let e = self.election_state(id)?;
        let how = how.split_whitespace().collect::<Vec<_>>().join(" ");
        if how.is_empty() {
            return Err(Error::usage("--how: say how the objection was resolved"));
        }
        let step = Step::Resolved { objection, how };
        e.admit(&step).map_err(Error::Usage)?;
        self.record(&e.id, step).map(|_| ())
    }

    /// The formal vote on the proposal, by the plenary's rules; the
    /// committee's rules are checked again first. Adopted, it records the
    /// elected seats (which then replace charte.toml's elected seats).
    pub fn election_vote(&mut self, id: &str, count: &Count) -> Result<Voted> {
        let e = self.election_state(id)?;
        let probe = Step::Voted { ballots: vec![], outcome: no_outcome(), elected: vec![] };
        e.admit(&probe).map_err(Error::Usage)?;
        let attendance = self.held(&e)?;
        let members = self.ws.store.members()?;
        let standing = self.ws.standing(e.date)?;
        let config = &self.ws.config;
        refuse(election::check_proposal(config, &members, &standing, &e, &e.proposal), &e.id)?;
        let plenary = crate::governance::body(config, "plenary").map_err(Error::Usage)?;
        let electorate =
            Electorate { config, body: &plenary, members: &members, attendance: &attendance, standing: &standing };
        let (ballots, outcome) = match count {
            Count::Ballots(file) => electorate.count(&file.table).map_err(|p| file.refused(p))?,
            Count::Hands { yes, no, abstain, casting_vote } => {
                let outcome = election::count_hands(&electorate, [*yes, *no, *abstain], *casting_vote)
                    .map_err(Error::NotVoted)?;
                (vec![], outcome)
            }
        };
        let elected = if outcome.adopted { election::seats(config, &e.proposal, e.since) } else { Vec::new() };
        self.record(&e.id, Step::Voted { ballots, outcome: outcome.clone(), elected: elected.clone() })?;
        Ok(Voted { election: e.id, outcome, elected, names: Names::of(&members) })
    }

    /// The facilitator's view of election `id`; `persons` (each
    /// `NAME=ORGANISATION`) are the persons to check against the
    /// committee's rules, by the check the proposal and the vote make.
    pub fn facilitate(&self, id: &str, persons: Option<&[String]>) -> Result<Facilitated> {
        let e = self.election_state(id)?;
        let members = self.ws.store.members()?;
        let standing = self.ws.standing(e.date)?;
        let config = &self.ws.config;
        let held = e.date <= self.today;
        let attendance = if held { self.ws.store.attendance_at(&e.meeting)? } else { Vec::new() };
        let pair = |m: &Member| (m.organisation.enterprise_number.clone(), m.organisation.name.clone());
        let voters = election::voters(&members, &attendance, &standing).into_iter().map(pair).collect();
        let signatories = election::by_name(members.iter().filter(|m| standing.holds(&m.organisation)).collect());
        let checked = match persons {
            Some(persons) => persons
                .iter()
                .map(|p| election::parse_nominee(p, &members))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(Error::Usage)?,
            None if !e.proposal.is_empty() => e.proposal.clone(),
            None => e.tally().into_iter().take(e.seats as usize).map(|(n, _)| n).collect(),
        };
        let breaches = if e.first_round.is_empty() && persons.is_none() {
            Vec::new()
        } else {
            election::check_proposal(config, &members, &standing, &e, &checked)
        };
        let mandates = election::seats(config, &checked, e.since);
        let casting_vote = crate::governance::body(config, election::ELECTING_BODY)
            .ok()
            .and_then(|b| vote::casting_seat(config, &b).map(|s| s.person.clone()));
        Ok(Facilitated {
            election: e,
            names: Names::of(&members),
            held,
            voters,
            signatories: signatories.into_iter().map(pair).collect(),
            checked,
            breaches,
            mandates,
            casting_vote,
        })
    }

    /// Every election, and the plenaries where one may be opened.
    pub fn elections_and_plenaries(&self) -> Result<Elections> {
        let plenaries = self
            .ws
            .store
            .meetings()?
            .into_iter()
            .filter(|r| r.cancelled.is_none() && r.meeting.body == election::ELECTING_BODY)
            .map(|r| r.meeting)
            .collect();
        Ok(Elections {
            elections: self.elections()?,
            plenaries,
            elected_seats: self.ws.config.bodies.committee.elected_seats,
        })
    }

    /// An election as it stands.
    pub fn election(&self, id: &str) -> Result<Shown> {
        Ok(Shown { election: self.election_state(id)?, names: Names::of(&self.ws.store.members()?) })
    }

    /// Every election, oldest first.
    pub fn elections(&self) -> Result<Vec<Election>> {
        self.ws.store.elections()?.iter().map(|id| self.election_state(id)).collect()
    }

    /// The election `id`, replayed from the journal.
    fn election_state(&self, id: &str) -> Result<Election> {
        let steps = self
            .ws
            .store
            .election_steps(id)?
            .ok_or_else(|| Error::not_found(format!("no election '{id}' (see `charte election list`)")))?;
        Election::replay(id, &steps).map_err(Error::Usage)
    }

    /// The attendance of the election's plenary, which must have taken place.
    fn held(&self, e: &Election) -> Result<Vec<Attendance>> {
        if e.date > self.today {
            return Err(Error::usage(format!("election {}: its plenary ({}) has not taken place yet", e.id, e.date)));
        }
        let attendance = self.ws.store.attendance_at(&e.meeting)?;
        if attendance.is_empty() {
            return Err(Error::usage(format!(
                "election {}: no attendance is recorded for {}; those present vote (charte attendance import)",
                e.id, e.meeting
            )));
        }
        Ok(attendance)
    }

    /// Records a step of the election, admitted again under the write
    /// lock against the election as it stands there (another command may
    /// have recorded a step since this one read it: the vote, say); returns
    /// the election as it stood before the step.
    fn record(&mut self, id: &str, step: Step) -> Result<Election> {
        self.ws.store.transaction(self.today, |tx| {
            let steps = tx
                .election_steps(id)?
                .ok_or_else(|| Error::not_found(format!("no election '{id}' (see `charte election list`)")))?;
            let e = Election::replay(id, &steps).map_err(Error::Usage)?;
            e.admit(&step).map_err(Error::Usage)?;
            tx.append(&Event::ElectionRecorded { election: id.to_owned(), step })?;
            Ok(e)
        })
    }
}

/// Refuses a proposal that breaks the committee's rules, every problem at once.
fn refuse(problems: Vec<Breach>, id: &str) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let problems: Vec<String> = problems.iter().map(Breach::to_string).collect();
    Err(Error::usage(format!(
        "election {id}: the proposal breaks the committee's rules, nothing was recorded:\n  {}",
        problems.join("\n  ")
    )))
}

/// The outcome a vote step is probed with before it is counted.
fn no_outcome() -> vote::Outcome {
    vote::Outcome { yes: 0, no: 0, abstain: 0, present_voters: 0, adopted: false, casting_vote: None }
}
