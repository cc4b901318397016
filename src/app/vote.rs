//! Recording a decision of a meeting and its vote. The meeting must have
//! taken place and its attendance be recorded: the majority counts the
//! voters present. Who may vote, how a majority is reached and who breaks
//! a tie are the body's rules (crate::governance::vote): a ballot of
//! anyone else refuses the whole file, naming the line.

use super::{App, TableFile};
use crate::error::{Error, Result};
use crate::governance::{self, vote};
use crate::journal::Event;

/// The largest ballot file read.
pub const MAX_BALLOTS_BYTES: usize = 16 * 1024 * 1024;

/// A decision recorded with its vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub meeting: String,
    /// What was put to the vote, as recorded (trimmed).
    pub decision: String,
    pub outcome: vote::Outcome,
}

impl App {
    /// Records `decision`, put to the vote at `meeting`, with its ballots
    /// (columns enterprise_number or name, vote, person), counted by the
    /// meeting's body's rules.
    pub fn vote(&mut self, meeting: &str, decision: &str, ballots: &TableFile) -> Result<Decided> {
        let crate::governance::meeting::MeetingRecord { meeting, cancelled } = self.meeting(meeting)?;
        if cancelled.is_some() || meeting.date > self.today {
            return Err(Error::usage(format!("meeting {} has not taken place: no vote can be recorded", meeting.id)));
        }
        let decision = decision.trim();
        if decision.is_empty() {
            return Err(Error::usage("--decision: say what was put to the vote"));
        }
        let body = governance::body(&self.ws.config, &meeting.body).map_err(Error::Usage)?;
        let attendance = self.ws.store.attendance_at(&meeting.id)?;
        if attendance.is_empty() {
            return Err(Error::usage(format!(
                "no attendance is recorded for {}: the majority counts those present (charte attendance import)",
                meeting.id
            )));
        }
        let members = self.ws.store.members()?;
        let standing = self.ws.standing(meeting.date)?;
        let electorate = vote::Electorate {
            config: &self.ws.config,
            body: &body,
            members: &members,
            attendance: &attendance,
            standing: &standing,
        };
        let (ballots_cast, outcome) = electorate.count(&ballots.table).map_err(|p| ballots.refused(p))?;
        self.ws.store.transaction(self.today, |tx| {
            tx.append(&Event::DecisionRecorded {
                meeting: meeting.id.clone(),
                decision: decision.to_owned(),
                ballots: ballots_cast,
                outcome: outcome.clone(),
            })
            .map(|_| ())
        })?;
        Ok(Decided { meeting: meeting.id, decision: decision.to_owned(), outcome })
    }
}
