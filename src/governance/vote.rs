//! Decisions and their votes, per the body's rules: who votes (members who
//! signed, the body's seats, or everyone present), the majority (simple:
//! more yes than no among those present; absolute: more yes than half of
//! those present), and the casting vote of the person the rules name (the
//! holder of the committee seat whose role it is) on a tie.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Body;
use super::attendance::{Attendance, Presence};
use super::standing::Standing;
use crate::config::{Config, Majority, Seat, Voters};
use crate::error::Problem;
use crate::roster::{EnterpriseNumber, Member, fold, resolve};
use crate::tabular::{self, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

impl FromStr for Choice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match fold(s).as_str() {
            "yes" | "oui" | "ja" | "pour" | "voor" => Ok(Choice::Yes),
            "no" | "non" | "neen" | "nee" | "contre" | "tegen" => Ok(Choice::No),
            "abstain" | "abstention" | "onthouding" | "blanco" => Ok(Choice::Abstain),
            _ => Err(format!("'{s}' is not a vote (expected yes, no or abstain)")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub enterprise_number: EnterpriseNumber,
    pub person: String,
    pub choice: Choice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub yes: usize,
    pub no: usize,
    pub abstain: usize,
    /// Voters present (the base of an absolute majority).
    pub present_voters: usize,
    pub adopted: bool,
    /// Who broke a tie, when someone did.
    pub casting_vote: Option<String>,
}

const FIELDS: &[tabular::Field] = &[
    ("enterprise_number", tabular::ORGANISATION_ALIASES, true),
    ("vote", &["choice", "choix", "stem"], true),
    ("person", &["personne", "persoon"], false),
];

/// Who takes part in a vote at a meeting: the body's rules (who votes,
/// the majority, the casting vote) applied to those recorded present,
/// where members vote, to the signatories on the meeting's day
/// (`standing`). A decision's vote and an election's vote both count
/// through it.
#[derive(Debug, Clone, Copy)]
pub struct Electorate<'a> {
    pub config: &'a Config,
    pub body: &'a Body,
    pub members: &'a [Member],
    pub attendance: &'a [Attendance],
    pub standing: &'a Standing,
}

impl Electorate<'_> {
    /// A ballot file checked ([`Electorate::ballots`]) and counted
    /// ([`count`]) against the voters present.
    pub fn count(&self, table: &Table) -> Result<(Vec<Ballot>, Outcome), Vec<Problem>> {
        let ballots = self.ballots(table)?;
        let outcome = count(self.config, self.body, &ballots, self.present_voters());
        Ok((ballots, outcome))
    }

    /// Ballots typed (a file's lines, a form's rows) checked
    /// ([`Electorate::check`]) and counted ([`count`]) against the voters
    /// present.
    pub fn count_lines(&self, lines: &[BallotLine]) -> Result<(Vec<Ballot>, Outcome), Vec<Problem>> {
        let ballots = self.check(lines)?;
        let outcome = count(self.config, self.body, &ballots, self.present_voters());
        Ok((ballots, outcome))
    }

    /// Voters present at the meeting under the body's rules (signatories
    /// on the meeting's day, seats for a body of seats, or everyone
    /// present): the base of an absolute majority.
    pub fn present_voters(&self) -> usize {
        let Electorate { config, body, members, attendance, standing } = *self;
        let present: Vec<&Attendance> = attendance.iter().filter(|a| a.status == Presence::Present).collect();
        match body.voters {
            Voters::Seats => config
                .bodies
                .committee
                .seats
                .iter()
                .filter(|s| {
                    present.iter().any(|a| {
                        a.enterprise_number == s.enterprise_number
                            && (a.person.is_empty() || fold(&a.person) == fold(&s.person))
                    })
                })
                .count(),
            Voters::Members => present
                .iter()
                .map(|a| a.enterprise_number.digits())
                .collect::<HashSet<_>>()
                .into_iter()
                .filter(|d| {
                    members
                        .iter()
                        .any(|m| m.organisation.enterprise_number.digits() == *d && standing.holds(&m.organisation))
                })
                .count(),
            Voters::All => present.iter().map(|a| a.enterprise_number.digits()).collect::<HashSet<_>>().len(),
        }
    }

    /// Validates a ballot file: [`Electorate::check`] on its lines, the
    /// problems of its unreadable votes with the others, by line.
    pub fn ballots(&self, table: &Table) -> Result<Vec<Ballot>, Vec<Problem>> {
        let (lines, mut problems) = lines(table)?;
        if lines.is_empty() && !problems.is_empty() {
            return Err(problems);
        }
        match self.check(&lines) {
            Ok(ballots) if problems.is_empty() => Ok(ballots),
            Ok(_) => Err(problems),
            Err(more) => {
                problems.extend(more);
                problems.sort_by_key(|p| p.line);
                Err(problems)
            }
        }
    }

    /// Validates ballots: each voter may vote under the body's rules, was
    /// present, and votes once. Every problem at once.
    pub fn check(&self, lines: &[BallotLine]) -> Result<Vec<Ballot>, Vec<Problem>> {
        let Electorate { config, body, members, attendance, standing } = *self;
        let seats = &config.bodies.committee.seats;
        let present: HashSet<&str> =
            attendance.iter().filter(|a| a.status == Presence::Present).map(|a| a.enterprise_number.digits()).collect();
        let mut problems = Vec::new();
        let mut out = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for BallotLine { line, column, organisation, person, choice } in lines {
            let (line, oh, choice) = (*line, column.as_str(), *choice);
            let member = match resolve(members, organisation) {
                Ok(m) => m,
                Err(e) => {
                    problems.push(Problem::at(line, Some(oh), e));
                    continue;
                }
            };
            let o = &member.organisation;
            let person = person.split_whitespace().collect::<Vec<_>>().join(" ");
            let may_vote = match body.voters {
                Voters::Members => standing.holds(o),
                Voters::Seats => seats.iter().any(|s| {
                    s.enterprise_number == o.enterprise_number
                        && (person.is_empty() || fold(&s.person) == fold(&person))
                }),
                Voters::All => true,
            };
            if !may_vote {
                let why = match body.voters {
                    Voters::Members => standing.why_not(o),
                    _ => format!(
                        "{}{} holds no seat in the {}",
                        person,
                        if person.is_empty() { &o.name } else { "" },
                        body.key
                    ),
                };
                problems.push(Problem::at(line, Some(oh), why));
                continue;
            }
            if !present.contains(o.enterprise_number.digits()) {
                problems.push(Problem::at(
                    line,
                    Some(oh),
                    format!("{} was not recorded present at the meeting", o.name),
                ));
                continue;
            }
            // One vote per organisation, or per seat for a body of seats.
            let key = match body.voters {
                Voters::Seats => format!("{}/{}", o.enterprise_number.digits(), fold(&person)),
                _ => o.enterprise_number.digits().to_owned(),
            };
            if let Some(first) = seen.insert(key, line) {
                problems.push(Problem::at(line, Some(oh), format!("{} already voted on line {first}", o.name)));
                continue;
            }
            out.push(Ballot { enterprise_number: o.enterprise_number.clone(), person, choice });
        }
        if out.is_empty() && problems.is_empty() {
            problems.push(Problem::file("the file has a header but no ballot"));
        }
        if problems.is_empty() { Ok(out) } else { Err(problems) }
    }
}

/// One ballot as typed: a line of a ballot file, a row of the desk's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BallotLine {
    /// The line (the header is line 1), or the form's row.
    pub line: u64,
    /// The column or field naming the organisation, for saying where a problem is.
    pub column: String,
    /// Its enterprise number or name.
    pub organisation: String,
    pub person: String,
    pub choice: Choice,
}

/// The ballots of a file, typed, and the problems of the lines whose vote
/// does not read (a missing column refuses the file).
pub fn lines(table: &Table) -> Result<(Vec<BallotLine>, Vec<Problem>), Vec<Problem>> {
    let columns = tabular::map_columns(&table.header, FIELDS)?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (line, row) in &table.rows {
        let record = tabular::Record::new(table, row, &columns, FIELDS);
        let (oh, org) = record.get("enterprise_number");
        let (vh, vote) = record.get("vote");
        match vote.parse::<Choice>() {
            Ok(choice) => out.push(BallotLine {
                line: *line,
                column: oh.to_owned(),
                organisation: org.to_owned(),
                person: record.get("person").1.to_owned(),
                choice,
            }),
            Err(e) => problems.push(Problem::at(*line, Some(vh), e)),
        }
    }
    Ok((out, problems))
}

/// A decision as the journal recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedDecision {
    pub decision: String,
    /// The ballots, when they were entered one by one (none for counts).
    pub ballots: Vec<Ballot>,
    pub outcome: Outcome,
    /// When it was recorded (the journal's date).
    pub at: String,
}

/// Counts the ballots under the body's majority; a tie is broken by the
/// ballot of the person holding the casting vote, if they voted yes or no.
pub fn count(config: &Config, body: &Body, ballots: &[Ballot], present_voters: usize) -> Outcome {
    let n = |c: Choice| ballots.iter().filter(|b| b.choice == c).count();
    let casting = casting_seat(config, body)
        .and_then(|seat| ballots.iter().find(|b| fold(&b.person) == fold(&seat.person)).map(|b| (seat, b.choice)));
    decide(body, [n(Choice::Yes), n(Choice::No), n(Choice::Abstain)], present_voters, casting)
}

/// The seat whose holder has the body's casting vote (by its role).
pub fn casting_seat<'a>(config: &'a Config, body: &Body) -> Option<&'a Seat> {
    body.casting_vote.as_deref().and_then(|role| {
        config.bodies.committee.seats.iter().find(|s| s.role.as_deref().is_some_and(|r| fold(r) == fold(role)))
    })
}

/// The outcome of `[yes, no, abstain]` under the body's majority; on a tie,
/// the casting vote (its holder and how they voted) decides unless they
/// abstained.
pub fn decide(
    body: &Body,
    [yes, no, abstain]: [usize; 3],
    present_voters: usize,
    casting: Option<(&Seat, Choice)>,
) -> Outcome {
    let (mut adopted, mut casting_vote) = match body.majority {
        Majority::Simple => (yes > no, None),
        Majority::Absolute => (yes * 2 > present_voters, None),
    };
    if yes == no
        && let Some((seat, choice)) = casting
        && choice != Choice::Abstain
    {
        adopted = choice == Choice::Yes && body.majority == Majority::Simple;
        casting_vote = Some(format!("{} ({})", seat.person, seat.role.as_deref().unwrap_or("")));
    }
    Outcome { yes, no, abstain, present_voters, adopted, casting_vote }
}

/// Why a vote is not recorded (a decision's, an election's proposal's):
/// the command line's English ([`std::fmt::Display`]) and the desk's
/// French and Dutch ([`NotVoted::say`]), each written once, here. Nothing
/// was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotVoted {
    /// The meeting is still to come, or was cancelled.
    NotHeld { meeting: String, cancelled: bool },
    /// No words for what was put to the vote.
    NoDecision,
    /// No attendance recorded: the majority counts those present.
    NoAttendance { meeting: String },
    /// Counts that are all zero.
    NoVote,
    /// More votes counted than voters present.
    MoreThanPresent { yes: usize, no: usize, abstain: usize, present: usize },
    /// A tie the body's casting vote breaks, without how its holder
    /// (`holder`, the seat's role in `role`) voted.
    Tie { yes: usize, no: usize, holder: String, role: Option<String> },
    /// A casting vote given where the body's rules name none.
    NoCastingVote,
    /// The decision is recorded at the meeting already, with other votes.
    AlreadyRecorded { decision: String, meeting: String },
}

impl std::fmt::Display for NotVoted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotVoted::NotHeld { meeting, cancelled: false } => {
                write!(f, "meeting {meeting} has not taken place: no vote can be recorded")
            }
            NotVoted::NotHeld { meeting, cancelled: true } => {
                write!(f, "meeting {meeting} was cancelled: no vote can be recorded")
            }
            NotVoted::NoDecision => f.write_str("--decision: say what was put to the vote"),
            NotVoted::NoAttendance { meeting } => write!(
                f,
                "no attendance is recorded for {meeting}: the majority counts those present (charte attendance import)"
            ),
            NotVoted::NoVote => f.write_str("no vote counted"),
            NotVoted::MoreThanPresent { yes, no, abstain, present } => write!(
                f,
                "{} votes counted ({yes} for, {no} against, {abstain} abstentions) but only {present} members were \
                 present",
                yes + no + abstain
            ),
            NotVoted::Tie { yes, no, holder, .. } => {
                write!(f, "a tie ({yes} for, {no} against): say how {holder} voted with --casting-vote yes|no")
            }
            NotVoted::NoCastingVote => f.write_str("--casting-vote: charte.toml names no casting vote for this body"),
            NotVoted::AlreadyRecorded { decision, meeting } => write!(
                f,
                "--decision: '{decision}' is already recorded at {meeting} with other votes; a meeting records one \
                 vote per decision: nothing was changed"
            ),
        }
    }
}

impl NotVoted {
    /// The refusal in French or Dutch, for the coordinator (a sentence).
    pub fn say(&self, lang: crate::roster::Language) -> String {
        use crate::roster::Language::{Fr, Nl};
        match (self, lang) {
            (NotVoted::NotHeld { cancelled: false, .. }, Fr) => {
                "Cette réunion n'a pas encore eu lieu : un vote s'enregistre le jour de la réunion ou après.".to_owned()
            }
            (NotVoted::NotHeld { cancelled: false, .. }, Nl) => {
                "Deze vergadering heeft nog niet plaatsgevonden: een stemming wordt op de dag zelf of erna \
                 geregistreerd."
                    .to_owned()
            }
            (NotVoted::NotHeld { cancelled: true, .. }, Fr) => {
                "Cette réunion a été annulée : aucun vote ne s'y enregistre.".to_owned()
            }
            (NotVoted::NotHeld { cancelled: true, .. }, Nl) => {
                "Deze vergadering werd geannuleerd: er wordt geen stemming voor geregistreerd.".to_owned()
            }
            (NotVoted::NoDecision, Fr) => "Indiquez la décision mise au vote.".to_owned(),
            (NotVoted::NoDecision, Nl) => "Geef de beslissing op waarover gestemd werd.".to_owned(),
            (NotVoted::NoAttendance { .. }, Fr) => {
                "Enregistrez d'abord les présences : la majorité se compte parmi les votants présents.".to_owned()
            }
            (NotVoted::NoAttendance { .. }, Nl) => {
                "Registreer eerst de aanwezigheden: de meerderheid wordt onder de aanwezige stemgerechtigden geteld."
                    .to_owned()
            }
            (NotVoted::NoVote, Fr) => {
                "Aucune voix comptée : indiquez le nombre de voix pour, contre et d'abstentions.".to_owned()
            }
            (NotVoted::NoVote, Nl) => {
                "Geen stem geteld: geef het aantal stemmen voor, tegen en onthoudingen op.".to_owned()
            }
            (NotVoted::MoreThanPresent { yes, no, abstain, present }, Fr) => format!(
                "{} voix comptées, mais {present} votant(s) seulement sont enregistré(s) présent(s) : vérifiez les \
                 nombres ou les présences.",
                yes + no + abstain
            ),
            (NotVoted::MoreThanPresent { yes, no, abstain, present }, Nl) => format!(
                "{} stemmen geteld, maar slechts {present} stemgerechtigde(n) staan als aanwezig geregistreerd: kijk \
                 de getallen of de aanwezigheden na.",
                yes + no + abstain
            ),
            (NotVoted::Tie { yes, no, holder, role }, Fr) => format!(
                "Égalité ({yes} pour, {no} contre) : le règlement donne une voix prépondérante à {}. Indiquez \
                 comment cette personne a voté.",
                with_role(holder, role.as_deref())
            ),
            (NotVoted::Tie { yes, no, holder, role }, Nl) => format!(
                "Staking van stemmen ({yes} voor, {no} tegen): het reglement geeft de doorslaggevende stem aan {}. \
                 Geef aan hoe deze persoon stemde.",
                with_role(holder, role.as_deref())
            ),
            (NotVoted::NoCastingVote, Fr) => {
                "Le règlement ne donne de voix prépondérante à personne : laissez ce choix vide.".to_owned()
            }
            (NotVoted::NoCastingVote, Nl) => {
                "Het reglement geeft niemand een doorslaggevende stem: laat deze keuze leeg.".to_owned()
            }
            (NotVoted::AlreadyRecorded { decision, .. }, Fr) => format!(
                "« {decision} » est déjà enregistrée à cette réunion, avec d'autres voix : une réunion vote une fois \
                 par décision."
            ),
            (NotVoted::AlreadyRecorded { decision, .. }, Nl) => format!(
                "“{decision}” is op deze vergadering al geregistreerd, met andere stemmen: een vergadering stemt één \
                 keer per beslissing."
            ),
        }
    }
}

/// A person with their seat's role: « Jean-Marc Lefèvre (Président·e du CPAS) ».
fn with_role(person: &str, role: Option<&str>) -> String {
    match role {
        Some(role) => format!("{person} ({role})"),
        None => person.to_owned(),
    }
}
