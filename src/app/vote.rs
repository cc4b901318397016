//! Recording a decision of a meeting and its vote. The meeting must have
//! taken place and its attendance be recorded: the majority counts the
//! voters present. Who may vote, how a majority is reached and who breaks
//! a tie are the body's rules (crate::governance::vote): a ballot of
//! anyone else refuses the whole file, naming the line.

use chrono::NaiveDate;

use super::{App, TableFile};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::governance::standing::Standing;
use crate::governance::{self, vote};
use crate::journal::{Event, Tx};

/// The largest ballot file read.
pub const MAX_BALLOTS_BYTES: usize = 16 * 1024 * 1024;

/// A decision recorded with its vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub meeting: String,
    /// What was put to the vote, as recorded (trimmed).
    pub decision: String,
    pub outcome: vote::Outcome,
    /// Recorded now; false: the same decision with the same votes was
    /// recorded already, nothing was added.
    pub recorded: bool,
}

/// How the votes on a decision were given: ballots one by one (a file's
/// lines, the desk's rows), or counts with how the holder of the casting
/// vote voted, when the count is tied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Votes {
    Ballots(Vec<vote::BallotLine>),
    Counts { yes: usize, no: usize, abstain: usize, casting: Option<vote::Choice> },
}

impl App {
    /// Records `decision`, put to the vote at `meeting`, with its ballots
    /// (columns enterprise_number or name, vote, person), counted by the
    /// meeting's body's rules: [`App::decide`] on the file's lines.
    pub fn vote(&mut self, meeting: &str, decision: &str, ballots: &TableFile) -> Result<Decided> {
        let (lines, problems) = vote::lines(&ballots.table).map_err(|p| ballots.refused(p))?;
        if !problems.is_empty() {
            // Every problem at once: the unreadable votes with the others
            // (counted, not recorded).
            let mut all = problems;
            if !lines.is_empty() {
                let config = &self.ws.config;
                let today = self.today;
                let refused = |p| ballots.refused(p);
                let checked = self.ws.store.transaction(self.today, |tx| {
                    counted(tx, config, today, meeting, decision, Votes::Ballots(lines), &refused).map(|_| ())
                });
                match checked {
                    Err(Error::Input { problems: more, .. }) => all.extend(more),
                    Err(e) => return Err(e),
                    Ok(()) => {}
                }
            }
            all.sort_by_key(|p| p.line);
            return Err(ballots.refused(all));
        }
        self.decide(meeting, decision, Votes::Ballots(lines), &|p| ballots.refused(p))
    }

    /// Records `decision`, put to the vote at `meeting`, with its votes,
    /// counted by the meeting's body's rules; `refused` makes the error of
    /// ballots that do not hold (naming the file, or the form). Checked and
    /// recorded under the write lock. The same decision with the same votes
    /// again (a form sent twice, a command run twice) is the one recorded:
    /// nothing is added, and `recorded` says so; the same decision with
    /// other votes is refused (the minutes hold one vote per decision).
    pub fn decide(
        &mut self,
        meeting: &str,
        decision: &str,
        votes: Votes,
        refused: &dyn Fn(Vec<crate::error::Problem>) -> Error,
    ) -> Result<Decided> {
        let config = &self.ws.config;
        let today = self.today;
        self.ws.store.transaction(self.today, |tx| {
            let (meeting, ballots, outcome) = counted(tx, config, today, meeting, decision, votes, refused)?;
            let decision = decision.trim().to_owned();
            if let Some(earlier) = tx.decisions(&meeting)?.into_iter().find(|d| d.decision == decision) {
                if earlier.ballots == ballots && earlier.outcome == outcome {
                    return Ok(Decided { meeting, decision, outcome, recorded: false });
                }
                return Err(Error::NotVoted(vote::NotVoted::AlreadyRecorded { decision, meeting }));
            }
            tx.append(&Event::DecisionRecorded {
                meeting: meeting.clone(),
                decision: decision.clone(),
                ballots,
                outcome: outcome.clone(),
            })?;
            Ok(Decided { meeting, decision, outcome, recorded: true })
        })
    }
}

/// The votes on `decision` at `meeting` checked and counted under the
/// write lock (`tx`), nothing recorded: the meeting's id, the ballots and
/// the outcome.
fn counted(
    tx: &Tx<'_>,
    config: &Config,
    today: NaiveDate,
    meeting: &str,
    decision: &str,
    votes: Votes,
    refused: &dyn Fn(Vec<crate::error::Problem>) -> Error,
) -> Result<(String, Vec<vote::Ballot>, vote::Outcome)> {
    let crate::governance::meeting::MeetingRecord { meeting, cancelled } = tx
        .meeting(meeting)?
        .ok_or_else(|| Error::not_found(format!("no meeting '{meeting}' (see `charte meeting list`)")))?;
    if cancelled.is_some() || meeting.date > today {
        return Err(Error::NotVoted(vote::NotVoted::NotHeld { meeting: meeting.id, cancelled: cancelled.is_some() }));
    }
    if decision.trim().is_empty() {
        return Err(Error::NotVoted(vote::NotVoted::NoDecision));
    }
    let body = governance::body(config, &meeting.body).map_err(Error::Usage)?;
    let attendance = tx.attendance_at(&meeting.id)?;
    if attendance.is_empty() {
        return Err(Error::NotVoted(vote::NotVoted::NoAttendance { meeting: meeting.id }));
    }
    let members = tx.members()?;
    let standing = Standing::on(&config.charter.history, &tx.adherence_history()?, meeting.date);
    let electorate =
        vote::Electorate { config, body: &body, members: &members, attendance: &attendance, standing: &standing };
    let (ballots_cast, outcome) = match votes {
        Votes::Ballots(lines) => electorate.count_lines(&lines).map_err(refused)?,
        // Counted by hand: the same rule as an election's vote at the
        // plenary (the counts within the voters present, the casting
        // vote asked for on a tie).
        Votes::Counts { yes, no, abstain, casting } => (
            Vec::new(),
            crate::governance::election::count_hands(&electorate, [yes, no, abstain], casting)
                .map_err(Error::NotVoted)?,
        ),
    };
    Ok((meeting.id, ballots_cast, outcome))
}
