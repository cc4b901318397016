//! Committee elections "without candidates" (élection sans candidat), as the
//! Woluwe-Saint-Lambert charter runs them at a plenary:
//!
//! 1. naming round: each member organisation present names one person for
//!    the committee and says why;
//! 2. change round: having heard every reason, a voter may change its choice;
//! 3. proposal: the facilitator proposes persons for the open seats, among
//!    those named;
//! 4. objections: anyone present may object to a proposed person; each
//!    objection is resolved (withdrawn, answered, or the proposal amended)
//!    before the vote;
//! 5. the formal vote on the proposal: simple majority of those present,
//!    the named role's casting vote on a tie ([`super::vote`]).
//!
//! An election is the sequence of its [`Step`]s in the journal; its state is
//! their replay ([`Election::replay`]), and every new step is checked
//! against that state ([`Election::admit`]) before it is recorded. The
//! committee's composition rules (seats, one per institution, a working
//! group, the mandate) are checked at the proposal and again before the
//! result is recorded.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::attendance::{Attendance, Presence};
use super::meeting::Meeting;
use super::standing::Standing;
use super::vote::{self, Ballot, Choice, Electorate, NotVoted, Outcome};
use crate::config::{CommitteeRules, Config, Seat, SeatKind};
use crate::error::Problem;
use crate::roster::{EnterpriseNumber, Language, Member, fold, resolve};
use crate::tabular::{self, Table};

/// A person put forward, with the organisation they work for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nominee {
    pub person: String,
    pub enterprise_number: EnterpriseNumber,
}

/// One voter's choice in a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Naming {
    /// The voting organisation.
    pub voter: EnterpriseNumber,
    pub nominee: Nominee,
    pub reason: String,
}

/// An elected seat, with its mandate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectedSeat {
    pub person: String,
    pub enterprise_number: EnterpriseNumber,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl ElectedSeat {
    /// The seat as charte.toml would write it.
    pub fn seat(&self) -> Seat {
        Seat {
            person: self.person.clone(),
            role: None,
            kind: SeatKind::Elected,
            enterprise_number: self.enterprise_number.clone(),
            since: Some(self.since),
            until: self.until,
            recorded: None,
        }
    }
}

/// One step of an election, as journaled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// `since`: the day the mandates begin (the plenary's date unless said otherwise).
    Opened {
        meeting: String,
        date: NaiveDate,
        seats: u32,
        since: NaiveDate,
    },
    Round {
        change: bool,
        namings: Vec<Naming>,
    },
    Proposed {
        nominees: Vec<Nominee>,
    },
    Objected {
        by: EnterpriseNumber,
        against: String,
        reason: String,
    },
    Resolved {
        objection: usize,
        how: String,
    },
    Voted {
        ballots: Vec<Ballot>,
        outcome: Outcome,
        elected: Vec<ElectedSeat>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Objection {
    /// 1-based, as the commands name it.
    pub number: usize,
    pub by: EnterpriseNumber,
    pub against: String,
    pub reason: String,
    pub resolution: Option<String>,
}

/// An election's state: the replay of its steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Election {
    pub id: String,
    pub meeting: String,
    pub date: NaiveDate,
    pub seats: u32,
    /// The day the mandates begin.
    pub since: NaiveDate,
    pub first_round: Vec<Naming>,
    pub change_round: Vec<Naming>,
    pub proposal: Vec<Nominee>,
    pub objections: Vec<Objection>,
    /// Every vote held on a proposal (a rejected proposal may be amended and put again).
    pub votes: Vec<Outcome>,
    pub elected: Vec<ElectedSeat>,
}

/// Where an election stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Naming,
    Proposed,
    Elected,
}

impl Election {
    /// Replays an election's steps; the first must be `Opened`.
    pub fn replay(id: &str, steps: &[Step]) -> Result<Election, String> {
        let Some(Step::Opened { meeting, date, seats, since }) = steps.first() else {
            return Err(format!("election {id}: its journal entries do not start with its opening"));
        };
        let mut e = Election {
            id: id.to_owned(),
            meeting: meeting.clone(),
            date: *date,
            seats: *seats,
            since: *since,
            first_round: Vec::new(),
            change_round: Vec::new(),
            proposal: Vec::new(),
            objections: Vec::new(),
            votes: Vec::new(),
            elected: Vec::new(),
        };
        for step in &steps[1..] {
            e.apply(step);
        }
        Ok(e)
    }

    fn apply(&mut self, step: &Step) {
        match step {
            Step::Opened { .. } => {}
            Step::Round { change: false, namings } => self.first_round.clone_from(namings),
            Step::Round { change: true, namings } => self.change_round.extend(namings.iter().cloned()),
            Step::Proposed { nominees } => self.proposal.clone_from(nominees),
            Step::Objected { by, against, reason } => self.objections.push(Objection {
                number: self.objections.len() + 1,
                by: by.clone(),
                against: against.clone(),
                reason: reason.clone(),
                resolution: None,
            }),
            Step::Resolved { objection, how } => {
                if let Some(o) = self.objections.get_mut(objection.saturating_sub(1)) {
                    o.resolution = Some(how.clone());
                }
            }
            Step::Voted { outcome, elected, .. } => {
                self.votes.push(outcome.clone());
                self.elected.clone_from(elected);
                if !outcome.adopted {
                    // A rejected proposal is set aside; the facilitator may propose again.
                    self.proposal.clear();
                }
            }
        }
    }

    pub fn stage(&self) -> Stage {
        if !self.elected.is_empty() {
            Stage::Elected
        } else if self.proposal.is_empty() {
            Stage::Naming
        } else {
            Stage::Proposed
        }
    }

    pub fn stage_name(&self) -> &'static str {
        match self.stage() {
            Stage::Naming if self.first_round.is_empty() => "opened",
            Stage::Naming => "naming",
            Stage::Proposed => "proposed",
            Stage::Elected => "elected",
        }
    }

    /// Each voter's choice after the change round.
    pub fn choices(&self) -> Vec<&Naming> {
        let mut by_voter: Vec<&Naming> = self.first_round.iter().collect();
        for change in &self.change_round {
            if let Some(slot) = by_voter.iter_mut().find(|n| n.voter == change.voter) {
                *slot = change;
            }
        }
        by_voter
    }

    /// Persons named, with how many voters name them now, most named first.
    pub fn tally(&self) -> Vec<(Nominee, usize)> {
        let mut out: Vec<(Nominee, usize)> = Vec::new();
        for n in self.choices() {
            match out.iter_mut().find(|(p, _)| same_person(p, &n.nominee)) {
                Some((_, count)) => *count += 1,
                None => out.push((n.nominee.clone(), 1)),
            }
        }
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.person.cmp(&b.0.person)));
        out
    }

    /// Checks that `step` may follow the steps so far (the order of the
    /// procedure); the content of rounds and proposals is checked by
    /// [`parse_round`] and [`check_proposal`].
    pub fn admit(&self, step: &Step) -> Result<(), String> {
        if self.stage() == Stage::Elected {
            return Err(format!("election {} is over: its result is recorded", self.id));
        }
        let id = &self.id;
        match step {
            Step::Opened { .. } => Err(format!("election {id} is already open")),
            Step::Round { change, .. } => {
                if self.stage() != Stage::Naming || !self.votes.is_empty() {
                    return Err(format!("election {id}: the persons are proposed, the rounds are over"));
                }
                match (change, self.first_round.is_empty()) {
                    (false, false) => Err(format!(
                        "election {id}: the naming round is already recorded; a voter who changes its choice goes in the change round (--change)"
                    )),
                    (true, true) => Err(format!("election {id}: no naming round yet; the change round comes after it")),
                    _ => Ok(()),
                }
            }
            Step::Proposed { .. } => {
                // Proposing again amends the proposal (one way to meet an objection).
                if self.first_round.is_empty() {
                    return Err(format!("election {id}: no naming round yet; the proposal comes after the rounds"));
                }
                Ok(())
            }
            Step::Objected { against, .. } => {
                if self.stage() != Stage::Proposed {
                    return Err(format!("election {id}: nothing is proposed yet, there is nothing to object to"));
                }
                if !self.proposal.iter().any(|n| fold(&n.person) == fold(against)) {
                    return Err(format!(
                        "election {id}: '{against}' is not proposed (proposed: {})",
                        names(&self.proposal)
                    ));
                }
                Ok(())
            }
            Step::Resolved { objection, .. } => match self.objections.get(objection.wrapping_sub(1)) {
                None => {
                    Err(format!("election {id}: no objection number {objection} ({} recorded)", self.objections.len()))
                }
                Some(o) if o.resolution.is_some() => {
                    Err(format!("election {id}: objection {objection} is already resolved"))
                }
                Some(_) => Ok(()),
            },
            Step::Voted { .. } => {
                if self.stage() != Stage::Proposed {
                    return Err(format!(
                        "election {id}: no proposal to vote on (charte election propose {id} --person \"NAME=ORGANISATION\" …)"
                    ));
                }
                let open: Vec<String> = self
                    .objections
                    .iter()
                    .filter(|o| o.resolution.is_none())
                    .map(|o| format!("{} (against {})", o.number, o.against))
                    .collect();
                if !open.is_empty() {
                    return Err(format!(
                        "election {id}: objections still open: {}; resolve them first (charte election resolve)",
                        open.join(", ")
                    ));
                }
                Ok(())
            }
        }
    }
}

fn same_person(a: &Nominee, b: &Nominee) -> bool {
    fold(&a.person) == fold(&b.person) && a.enterprise_number == b.enterprise_number
}

fn names(nominees: &[Nominee]) -> String {
    nominees.iter().map(|n| n.person.as_str()).collect::<Vec<_>>().join(", ")
}

/// The id of a new election at a meeting's date, given those that exist.
pub fn new_id(date: NaiveDate, existing: &[String]) -> String {
    super::meeting::new_id("election", date, existing)
}

/// The organisation `who` (enterprise number or name) if it may vote at the
/// election's plenary: a signatory on the plenary's day (`standing`),
/// recorded present.
pub fn present_voter<'a>(
    members: &'a [Member],
    attendance: &[Attendance],
    standing: &Standing,
    who: &str,
) -> Result<&'a Member, String> {
    let m = resolve(members, who)?;
    let o = &m.organisation;
    if !standing.holds(o) {
        return Err(standing.why_not(o));
    }
    let present =
        attendance.iter().any(|a| a.status == Presence::Present && a.enterprise_number == o.enterprise_number);
    if !present {
        return Err(format!("{} was not recorded present at the plenary of the election", o.name));
    }
    Ok(m)
}

/// The body whose meeting elects the committee.
pub const ELECTING_BODY: &str = "plenary";

/// Why an election is not opened, and the field of the opening that
/// says it (`meeting`, `seats`, `since`: the command line's options, the
/// desk's form's fields): the command line's English
/// ([`std::fmt::Display`]) and the desk's French and Dutch
/// ([`NotOpened::say`]). Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotOpened {
    /// No such meeting.
    Unknown {
        meeting: String,
    },
    /// A meeting of another body than the plenary.
    NotPlenary {
        meeting: String,
        body: String,
    },
    Cancelled {
        meeting: String,
        reason: String,
    },
    /// More seats than the committee's elected seats, or none (`seats` as given).
    Seats {
        seats: String,
        elected_seats: u32,
    },
    /// Mandates beginning before the plenary that elects.
    SinceBefore {
        since: NaiveDate,
        plenary: NaiveDate,
    },
}

impl NotOpened {
    /// The field of the opening refused: `meeting`, `seats` or `since`.
    pub fn field(&self) -> &'static str {
        match self {
            NotOpened::Unknown { .. } | NotOpened::NotPlenary { .. } | NotOpened::Cancelled { .. } => "meeting",
            NotOpened::Seats { .. } => "seats",
            NotOpened::SinceBefore { .. } => "since",
        }
    }

    /// What kind of refusal it is (the exit code, the HTTP status).
    pub fn kind(&self) -> crate::error::Kind {
        match self {
            NotOpened::Unknown { .. } => crate::error::Kind::NotFound,
            _ => crate::error::Kind::Invalid,
        }
    }

    /// The refusal in French or Dutch, for the facilitator (a sentence).
    pub fn say(&self, lang: Language) -> String {
        match (self, lang) {
            (NotOpened::Unknown { .. }, Language::Fr) => {
                "Choisissez dans la liste l'assemblée plénière qui élit le comité.".to_owned()
            }
            (NotOpened::Unknown { .. }, Language::Nl) => {
                "Kies in de lijst de plenaire vergadering die het comité verkiest.".to_owned()
            }
            (NotOpened::NotPlenary { .. }, Language::Fr) => {
                "Choisissez une assemblée plénière : c'est elle qui élit le comité.".to_owned()
            }
            (NotOpened::NotPlenary { .. }, Language::Nl) => {
                "Kies een plenaire vergadering: zij verkiest het comité.".to_owned()
            }
            (NotOpened::Cancelled { .. }, Language::Fr) => {
                "Cette assemblée plénière a été annulée : choisissez celle qui élit le comité.".to_owned()
            }
            (NotOpened::Cancelled { .. }, Language::Nl) => {
                "Deze plenaire vergadering werd geannuleerd: kies de vergadering die het comité verkiest.".to_owned()
            }
            (NotOpened::Seats { elected_seats, .. }, Language::Fr) => {
                format!("Indiquez un nombre de sièges de 1 à {elected_seats} (les sièges élus du comité).")
            }
            (NotOpened::Seats { elected_seats, .. }, Language::Nl) => {
                format!("Geef een aantal zetels van 1 tot {elected_seats} (de verkozen zetels van het comité).")
            }
            (NotOpened::SinceBefore { .. }, Language::Fr) => {
                "Les mandats ne peuvent pas commencer avant la plénière qui élit.".to_owned()
            }
            (NotOpened::SinceBefore { .. }, Language::Nl) => {
                "De mandaten kunnen niet beginnen vóór de plenaire vergadering die verkiest.".to_owned()
            }
        }
    }
}

impl std::fmt::Display for NotOpened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotOpened::Unknown { meeting } => {
                write!(f, "--meeting: no meeting '{meeting}' (see `charte meeting list`)")
            }
            NotOpened::NotPlenary { meeting, body } => {
                write!(f, "--meeting: {meeting} is a meeting of the {body}; the committee is elected by the plenary")
            }
            NotOpened::Cancelled { meeting, reason } => write!(f, "--meeting: {meeting} was cancelled ({reason})"),
            NotOpened::Seats { seats, elected_seats } => write!(
                f,
                "--seats: {seats}; the committee has {elected_seats} elected seats (charte.toml, \
                 bodies.committee.elected_seats)"
            ),
            NotOpened::SinceBefore { since, plenary } => {
                write!(f, "--since: {since} is before the plenary ({plenary}) that elects")
            }
        }
    }
}

/// The opening of an election at `meeting` (cancelled for `cancelled`'s
/// reason, if it was): the committee is elected by a plenary that is held;
/// `seats` open default to the committee's elected seats and are never
/// more; the mandates begin on `since`, by default the plenary's day and
/// never before it. The step that opens it.
pub fn opening(
    rules: &CommitteeRules,
    meeting: &Meeting,
    cancelled: Option<&str>,
    seats: Option<u32>,
    since: Option<NaiveDate>,
) -> Result<Step, NotOpened> {
    if meeting.body != ELECTING_BODY {
        return Err(NotOpened::NotPlenary { meeting: meeting.id.clone(), body: meeting.body.clone() });
    }
    if let Some(reason) = cancelled {
        return Err(NotOpened::Cancelled { meeting: meeting.id.clone(), reason: reason.to_owned() });
    }
    let seats = seats.unwrap_or(rules.elected_seats);
    if seats == 0 || (rules.elected_seats > 0 && seats > rules.elected_seats) {
        return Err(NotOpened::Seats { seats: seats.to_string(), elected_seats: rules.elected_seats });
    }
    let since = since.unwrap_or(meeting.date);
    if since < meeting.date {
        return Err(NotOpened::SinceBefore { since, plenary: meeting.date });
    }
    Ok(Step::Opened { meeting: meeting.id.clone(), date: meeting.date, seats, since })
}

/// The outcome of a vote counted by hand at the plenary (`[for, against,
/// abstain]`, no ballot file): the counts cannot outnumber the members
/// present ([`check_counts`]); on a tie, `casting` says how the holder of
/// the plenary's casting vote voted, and is required when the plenary has
/// one.
pub fn count_hands(
    plenary: &Electorate<'_>,
    counted: [usize; 3],
    casting: Option<Choice>,
) -> Result<Outcome, NotVoted> {
    let present_voters = plenary.present_voters();
    check_counts(counted, present_voters)?;
    let [yes, no, _] = counted;
    let casting = match (casting, vote::casting_seat(plenary.config, plenary.body)) {
        (Some(choice), Some(seat)) => Some((seat, choice)),
        (Some(_), None) => return Err(NotVoted::NoCastingVote),
        (None, Some(seat)) if yes == no => {
            return Err(NotVoted::Tie { yes, no, holder: seat.person.clone(), role: seat.role.clone() });
        }
        (None, _) => None,
    };
    Ok(vote::decide(plenary.body, counted, present_voters, casting))
}

/// Counted votes cannot outnumber the members present.
pub fn check_counts([yes, no, abstain]: [usize; 3], present: usize) -> Result<(), NotVoted> {
    if yes + no + abstain > present {
        return Err(NotVoted::MoreThanPresent { yes, no, abstain, present });
    }
    if yes + no + abstain == 0 {
        return Err(NotVoted::NoVote);
    }
    Ok(())
}

const ROUND_FIELDS: &[tabular::Field] = &[
    ("voter", &["votant", "stemmer", "kiezer", "enterprisenumber", "bce", "kbo", "organisation"], true),
    ("person", &["personne", "persoon", "naam", "nom"], true),
    ("person_organisation", &["organisationdelapersonne", "organisatievandepersoon", "personorg"], true),
    ("reason", &["raison", "motivation", "reden", "motivering", "pourquoi", "waarom"], false),
];

/// One voter's choice as typed: a line of a round's file, or a row of the
/// desk's form. Names as written; [`parse_round`] reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choosing {
    /// Where it was typed: the file's line, or the form's row (1-based).
    pub line: u64,
    /// The voting organisation: enterprise number or name.
    pub voter: String,
    pub person: String,
    /// The person's organisation: enterprise number or name.
    pub person_organisation: String,
    pub reason: String,
}

/// What a round's problems name each field: the file's header as written,
/// or (the form's rows) the field's own name (`voter`, `person`,
/// `person_organisation`, `reason`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundFields {
    pub voter: String,
    pub person: String,
    pub person_organisation: String,
    pub reason: String,
}

impl Default for RoundFields {
    fn default() -> RoundFields {
        RoundFields {
            voter: "voter".to_owned(),
            person: "person".to_owned(),
            person_organisation: "person_organisation".to_owned(),
            reason: "reason".to_owned(),
        }
    }
}

/// A round's file read into choices, and what its header calls each field.
pub fn read_round(table: &Table) -> Result<(Vec<Choosing>, RoundFields), Vec<Problem>> {
    let columns = tabular::map_columns(&table.header, ROUND_FIELDS)?;
    let mut fields = RoundFields::default();
    let mut out = Vec::new();
    for (i, (line, row)) in table.rows.iter().enumerate() {
        let record = tabular::Record::new(table, row, &columns, ROUND_FIELDS);
        let cell = |name: &str, header: &mut String| {
            let (h, v) = record.get(name);
            if i == 0 && !h.is_empty() {
                h.clone_into(header);
            }
            v.to_owned()
        };
        out.push(Choosing {
            line: *line,
            voter: cell("voter", &mut fields.voter),
            person: cell("person", &mut fields.person),
            person_organisation: cell("person_organisation", &mut fields.person_organisation),
            reason: cell("reason", &mut fields.reason),
        });
    }
    Ok((out, fields))
}

/// The members who may name in a round or object: the signatories on the
/// plenary's day recorded present at it, by name.
pub fn voters<'a>(members: &'a [Member], attendance: &[Attendance], standing: &Standing) -> Vec<&'a Member> {
    by_name(
        members
            .iter()
            .filter(|m| present_voter(members, attendance, standing, m.organisation.enterprise_number.digits()).is_ok())
            .collect(),
    )
}

/// Organisations in the order of their names, as a list a person reads.
pub fn by_name(mut members: Vec<&Member>) -> Vec<&Member> {
    members.sort_by_cached_key(|m| fold(&m.organisation.name));
    members
}

/// Validates a round's choices: each voter is a member present at the
/// meeting and chooses once; the person's organisation is on the roster; a
/// naming-round choice gives its reason; a change comes from a voter of the
/// naming round. Every problem at once, each naming its line and field.
pub fn parse_round(
    choices: &[Choosing],
    fields: &RoundFields,
    election: &Election,
    members: &[Member],
    attendance: &[Attendance],
    standing: &Standing,
    change: bool,
) -> Result<Vec<Naming>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut seen: HashMap<EnterpriseNumber, u64> = HashMap::new();
    let (vh, ph, oh, rh) = (
        Some(fields.voter.as_str()),
        Some(fields.person.as_str()),
        Some(fields.person_organisation.as_str()),
        Some(fields.reason.as_str()),
    );
    for c in choices {
        let line = c.line;
        let voter = match present_voter(members, attendance, standing, c.voter.trim()) {
            Ok(m) => m.organisation.enterprise_number.clone(),
            Err(e) => {
                problems.push(Problem::at(line, vh, e));
                continue;
            }
        };
        if let Some(first) = seen.insert(voter.clone(), line) {
            problems.push(Problem::at(line, vh, format!("this voter already chose on line {first}")));
            continue;
        }
        if change && !election.first_round.iter().any(|n| n.voter == voter) {
            problems.push(Problem::at(
                line,
                vh,
                "this voter named nobody in the naming round, so has no choice to change",
            ));
            continue;
        }
        let person = c.person.split_whitespace().collect::<Vec<_>>().join(" ");
        if person.is_empty() {
            problems.push(Problem::at(line, ph, "name the person chosen"));
            continue;
        }
        let enterprise_number = match resolve(members, c.person_organisation.trim()) {
            Ok(m) if !standing.holds(&m.organisation) => {
                problems.push(Problem::at(
                    line,
                    oh,
                    format!("{}; the persons named work for signatories", standing.why_not(&m.organisation)),
                ));
                continue;
            }
            Ok(m) => m.organisation.enterprise_number.clone(),
            Err(e) => {
                problems.push(Problem::at(line, oh, e));
                continue;
            }
        };
        let reason = c.reason.trim();
        if !change && reason.is_empty() {
            problems.push(Problem::at(line, rh, "the naming round records why each person is named"));
            continue;
        }
        out.push(Naming { voter, nominee: Nominee { person, enterprise_number }, reason: reason.to_owned() });
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(Problem::file("the file has a header but no choice"));
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// Parses `NAME=ORGANISATION` (enterprise number or name).
pub fn parse_nominee(spec: &str, members: &[Member]) -> Result<Nominee, String> {
    let Some((person, org)) = spec.split_once('=') else {
        return Err(format!("--person '{spec}': write NAME=ORGANISATION (enterprise number or name)"));
    };
    let person = person.split_whitespace().collect::<Vec<_>>().join(" ");
    if person.is_empty() {
        return Err(format!("--person '{spec}': the name is empty"));
    }
    let m = resolve(members, org.trim()).map_err(|e| format!("--person '{spec}': {e}"))?;
    Ok(Nominee { person, enterprise_number: m.organisation.enterprise_number.clone() })
}

/// A committee rule a proposal breaks, with the names its sentence needs:
/// the command line says it in English ([`std::fmt::Display`]), the desk
/// in French or Dutch ([`Breach::say`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    NoneProposed,
    TooMany {
        proposed: usize,
        seats: u32,
    },
    Twice {
        person: String,
    },
    NotNamed {
        person: String,
        organisation: String,
    },
    /// `why`: the standing's sentence, in English.
    NotSignatory {
        person: String,
        organisation: String,
        why: String,
    },
    NotOnRoster {
        person: String,
        organisation: String,
    },
    SameInstitution {
        first: String,
        second: String,
        organisation: String,
    },
    NoWorkingGroup {
        person: String,
        organisation: String,
    },
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Breach::NoneProposed => write!(f, "propose at least one person"),
            Breach::TooMany { proposed, seats } => write!(f, "{proposed} persons proposed for {seats} open seats"),
            Breach::Twice { person } => write!(f, "{person} is proposed twice"),
            Breach::NotNamed { person, organisation } => write!(
                f,
                "{person} ({organisation}) was not named in the rounds; the facilitator proposes among the persons named"
            ),
            Breach::NotSignatory { person, why, .. } => {
                write!(f, "{person}: {why}; an elected person works for a signatory")
            }
            Breach::NotOnRoster { person, organisation } => write!(f, "{person}: {organisation} is not on the roster"),
            Breach::SameInstitution { first, second, organisation } => {
                write!(f, "{first} and {second} both come from {organisation}: one elected seat per institution")
            }
            Breach::NoWorkingGroup { person, organisation } => {
                write!(f, "{person}: {organisation} sits in no working group; an elected member must")
            }
        }
    }
}

impl Breach {
    /// The rule broken, in a sentence a facilitator reads out.
    pub fn say(&self, lang: Language) -> String {
        let fr = lang == Language::Fr;
        match self {
            Breach::NoneProposed if fr => "Proposez au moins une personne.".to_owned(),
            Breach::NoneProposed => "Stel minstens één persoon voor.".to_owned(),
            Breach::TooMany { proposed, seats } if fr => {
                format!("{proposed} personnes proposées pour {seats} sièges à pourvoir : il y en a trop.")
            }
            Breach::TooMany { proposed, seats } => {
                format!("{proposed} personen voorgesteld voor {seats} te begeven zetels: dat zijn er te veel.")
            }
            Breach::Twice { person } if fr => format!("{person} est proposé·e deux fois."),
            Breach::Twice { person } => format!("{person} wordt twee keer voorgesteld."),
            Breach::NotNamed { person, organisation } if fr => format!(
                "{person} ({organisation}) n'a été nommé·e par personne aux tours : on propose parmi les personnes nommées."
            ),
            Breach::NotNamed { person, organisation } => format!(
                "{person} ({organisation}) werd in de rondes door niemand genoemd: men stelt voor uit de genoemde personen."
            ),
            Breach::NotSignatory { person, organisation, .. } if fr => format!(
                "{person} : {organisation} n'est pas signataire de la charte le jour de l'élection ; une personne élue travaille pour une organisation signataire."
            ),
            Breach::NotSignatory { person, organisation, .. } => format!(
                "{person}: {organisation} heeft het charter op de dag van de verkiezing niet ondertekend; een verkozen persoon werkt voor een ondertekenende organisatie."
            ),
            Breach::NotOnRoster { person, organisation } if fr => {
                format!("{person} : {organisation} n'est pas dans la liste des membres.")
            }
            Breach::NotOnRoster { person, organisation } => {
                format!("{person}: {organisation} staat niet in de ledenlijst.")
            }
            Breach::SameInstitution { first, second, organisation } if fr => {
                format!("{first} et {second} viennent tous deux de {organisation} : un seul siège élu par institution.")
            }
            Breach::SameInstitution { first, second, organisation } => {
                format!("{first} en {second} komen allebei van {organisation}: één verkozen zetel per instelling.")
            }
            Breach::NoWorkingGroup { person, organisation } if fr => format!(
                "{person} : {organisation} ne siège dans aucun groupe de travail ; un membre élu doit y siéger."
            ),
            Breach::NoWorkingGroup { person, organisation } => {
                format!("{person}: {organisation} zetelt in geen enkele werkgroep; een verkozen lid moet dat wel.")
            }
        }
    }
}

/// The committee's composition rules, checked on a proposal (and again
/// before a result is recorded, and shown on the desk as the facilitator
/// chooses): every rule broken.
pub fn check_proposal(
    config: &Config,
    members: &[Member],
    standing: &Standing,
    election: &Election,
    nominees: &[Nominee],
) -> Vec<Breach> {
    let rules = &config.bodies.committee;
    let mut problems = Vec::new();
    if nominees.is_empty() {
        problems.push(Breach::NoneProposed);
    }
    if nominees.len() > election.seats as usize {
        problems.push(Breach::TooMany { proposed: nominees.len(), seats: election.seats });
    }
    let named: Vec<&Nominee> = election.first_round.iter().chain(&election.change_round).map(|c| &c.nominee).collect();
    for (i, n) in nominees.iter().enumerate() {
        let person = n.person.clone();
        if nominees[..i].iter().any(|p| fold(&p.person) == fold(&n.person)) {
            problems.push(Breach::Twice { person });
            continue;
        }
        let member = members.iter().find(|m| m.organisation.enterprise_number == n.enterprise_number);
        let organisation = member.map_or_else(|| n.enterprise_number.formatted(), |m| m.organisation.name.clone());
        if !named.iter().any(|p| same_person(p, n)) {
            problems.push(Breach::NotNamed { person: person.clone(), organisation: organisation.clone() });
        }
        match member {
            Some(m) if !standing.holds(&m.organisation) => problems.push(Breach::NotSignatory {
                person: person.clone(),
                organisation: organisation.clone(),
                why: standing.why_not(&m.organisation),
            }),
            None => problems.push(Breach::NotOnRoster { person: person.clone(), organisation: organisation.clone() }),
            Some(_) => {}
        }
        if rules.one_per_institution
            && let Some(first) = nominees[..i].iter().find(|p| p.enterprise_number == n.enterprise_number)
        {
            problems.push(Breach::SameInstitution {
                first: first.person.clone(),
                second: person.clone(),
                organisation: organisation.clone(),
            });
        }
        if rules.elected_must_sit_in_working_group && !config.sits_in_a_working_group(&n.enterprise_number) {
            problems.push(Breach::NoWorkingGroup { person, organisation });
        }
    }
    problems
}

/// The seats a proposal adopted gives: from `date` (the mandates' start),
/// for the mandate's years (no end when charte.toml sets no length).
pub fn seats(config: &Config, nominees: &[Nominee], date: NaiveDate) -> Vec<ElectedSeat> {
    let years = config.bodies.committee.mandate_years;
    let until = (years > 0)
        .then(|| date.with_year(date.year() + years as i32).or_else(|| date.checked_add_days(chrono::Days::new(365))))
        .flatten()
        .and_then(|d| d.pred_opt());
    nominees
        .iter()
        .map(|n| ElectedSeat {
            person: n.person.clone(),
            enterprise_number: n.enterprise_number.clone(),
            since: date,
            until,
        })
        .collect()
}

/// The committee as it stands: the ex-officio seats of charte.toml, and the
/// elected seats of the latest election when there is one (else those of
/// charte.toml).
pub fn apply_elected_seats(config: &mut Config, elected: Vec<Seat>) {
    if elected.is_empty() {
        return;
    }
    let seats = &mut config.bodies.committee.seats;
    seats.retain(|s| s.kind == SeatKind::ExOfficio);
    seats.extend(elected);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_hand_are_refused_for_a_typed_reason_the_desk_says_in_its_languages() {
        assert_eq!(check_counts([0, 0, 0], 4), Err(NotVoted::NoVote));
        let more = check_counts([3, 2, 0], 4).unwrap_err();
        assert_eq!(more, NotVoted::MoreThanPresent { yes: 3, no: 2, abstain: 0, present: 4 });
        assert_eq!(
            more.to_string(),
            "5 votes counted (3 for, 2 against, 0 abstentions) but only 4 members were present"
        );
        assert!(more.say(Language::Fr).starts_with("5 voix comptées, mais 4 votant(s) seulement"));
        assert!(more.say(Language::Nl).starts_with("5 stemmen geteld, maar slechts 4 stemgerechtigde(n)"));
        assert_eq!(check_counts([2, 1, 1], 4), Ok(()));
    }

    fn en(s: &str) -> EnterpriseNumber {
        EnterpriseNumber::parse(s).unwrap()
    }

    fn naming(voter: &str, person: &str, org: &str) -> Naming {
        Naming {
            voter: en(voter),
            nominee: Nominee { person: person.into(), enterprise_number: en(org) },
            reason: "x".into(),
        }
    }

    fn opened() -> Election {
        let date = NaiveDate::from_ymd_opt(2026, 10, 13).unwrap();
        Election::replay(
            "election-2026-10-13",
            &[Step::Opened { meeting: "plenary-2026-10-13".into(), date, seats: 2, since: date }],
        )
        .unwrap()
    }

    #[test]
    fn a_change_replaces_the_voters_first_choice() {
        let mut e = opened();
        e.apply(&Step::Round {
            change: false,
            namings: vec![
                naming("0250.616.524", "Marie Lemaire", "0805.427.325"),
                naming("0492.566.394", "Koen Claes", "0580.868.068"),
                naming("0645.759.187", "Koen Claes", "0580.868.068"),
            ],
        });
        e.apply(&Step::Round { change: true, namings: vec![naming("0645.759.187", "Marie Lemaire", "0805.427.325")] });
        let tally = e.tally();
        assert_eq!(tally[0].0.person, "Marie Lemaire");
        assert_eq!(tally[0].1, 2);
        assert_eq!(tally[1].1, 1);
    }

    #[test]
    fn the_procedure_is_followed_in_order() {
        let mut e = opened();
        let vote = Step::Voted {
            ballots: vec![],
            outcome: Outcome { yes: 1, no: 0, abstain: 0, present_voters: 1, adopted: true, casting_vote: None },
            elected: vec![],
        };
        assert!(e.admit(&vote).unwrap_err().contains("no proposal"));
        assert!(e.admit(&Step::Round { change: true, namings: vec![] }).unwrap_err().contains("no naming round"));
        e.apply(&Step::Round { change: false, namings: vec![naming("0250.616.524", "Marie Lemaire", "0805.427.325")] });
        assert!(e.admit(&Step::Round { change: false, namings: vec![] }).is_err());
        e.apply(&Step::Proposed {
            nominees: vec![Nominee { person: "Marie Lemaire".into(), enterprise_number: en("0805.427.325") }],
        });
        e.apply(&Step::Objected { by: en("0250.616.524"), against: "Marie Lemaire".into(), reason: "r".into() });
        assert!(e.admit(&vote).unwrap_err().contains("objections still open: 1"));
        e.apply(&Step::Resolved { objection: 1, how: "withdrawn".into() });
        assert!(e.admit(&vote).is_ok());
    }

    #[test]
    fn every_person_proposed_is_looked_for_among_all_the_persons_named() {
        let mut e = opened();
        e.apply(&Step::Round {
            change: false,
            namings: vec![
                naming("0250.616.524", "Marie Lemaire", "0805.427.325"),
                naming("0492.566.394", "Koen Claes", "0580.868.068"),
            ],
        });
        let c = Config::parse(crate::workspace::CONFIG_TEMPLATE, std::path::Path::new("charte.toml")).unwrap();
        // Proposed in another order than named: both were named.
        let nominees = [
            Nominee { person: "Koen Claes".into(), enterprise_number: en("0580.868.068") },
            Nominee { person: "Marie Lemaire".into(), enterprise_number: en("0805.427.325") },
        ];
        let standing = Standing::on(&c.charter.history, &[], e.date);
        let problems = check_proposal(&c, &[], &standing, &e, &nominees);
        assert!(!problems.iter().any(|p| matches!(p, Breach::NotNamed { .. })), "{problems:?}");
    }

    fn table(header: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i as u64 + 2, r.iter().map(|c| (*c).to_owned()).collect()))
                .collect(),
            encoding: "UTF-8",
            separator: ',',
        }
    }

    #[test]
    fn a_rounds_file_reads_into_the_choices_the_form_types_with_its_headers_as_written() {
        let t = table(
            &["Votant", "Personne", "Organisation de la personne", "Raison"],
            &[
                &["0250.616.524", "Marie Lemaire", "AIS", "le logement"],
                &["Taalpunt", " Koen  Claes ", "0580868068", ""],
            ],
        );
        let (choices, fields) = read_round(&t).unwrap();
        assert_eq!(
            choices[1],
            Choosing {
                line: 3,
                voter: "Taalpunt".into(),
                person: " Koen  Claes ".into(),
                person_organisation: "0580868068".into(),
                reason: String::new(),
            }
        );
        assert_eq!(fields.voter, "Votant");
        assert_eq!(fields.person_organisation, "Organisation de la personne");
        assert_eq!(fields.reason, "Raison");
        // Without the optional reason column, its problems say `reason`.
        let (_, fields) = read_round(&table(&["voter", "person", "person_organisation"], &[])).unwrap();
        assert_eq!(fields, RoundFields::default());
        assert!(read_round(&table(&["voter", "person"], &[])).is_err(), "a required column missing");
    }

    #[test]
    fn a_rule_broken_is_said_in_english_french_and_dutch() {
        let b = Breach::SameInstitution { first: "A".into(), second: "B".into(), organisation: "AIS".into() };
        assert_eq!(b.to_string(), "A and B both come from AIS: one elected seat per institution");
        assert_eq!(b.say(Language::Fr), "A et B viennent tous deux de AIS : un seul siège élu par institution.");
        assert_eq!(b.say(Language::Nl), "A en B komen allebei van AIS: één verkozen zetel per instelling.");
        let too_many = Breach::TooMany { proposed: 5, seats: 4 };
        assert_eq!(too_many.to_string(), "5 persons proposed for 4 open seats");
        assert!(too_many.say(Language::Nl).starts_with("5 personen voorgesteld voor 4 te begeven zetels"));
    }

    #[test]
    fn a_two_year_mandate_ends_the_day_before_the_anniversary() {
        let c = Config::parse(crate::workspace::CONFIG_TEMPLATE, std::path::Path::new("charte.toml")).unwrap();
        let mut c = c;
        c.bodies.committee.mandate_years = 2;
        let d = NaiveDate::from_ymd_opt(2026, 10, 13).unwrap();
        let s = seats(&c, &[Nominee { person: "A".into(), enterprise_number: en("0805.427.325") }], d);
        assert_eq!(s[0].until, NaiveDate::from_ymd_opt(2028, 10, 12));
    }
}
