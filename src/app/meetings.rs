//! Meetings of the bodies: scheduling one (its id is allocated here, from
//! its body and day), listing them with the last day each can still be
//! convoked, cancelling one. A meeting is journaled once and never edited:
//! a cancellation is a second entry, so a cancelled meeting stays in the
//! list, marked, and no longer counts as held.

use chrono::{NaiveDate, NaiveTime};

use super::App;
use crate::error::{Error, Result};
use crate::governance::{self, meeting::Meeting, notice};
use crate::journal::Event;

/// A meeting to schedule, as the coordinator describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    /// `plenary`, `committee` or a working group's key (case aside).
    pub body: String,
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
    /// Blank counts as none.
    pub place: Option<String>,
    /// Blank counts as none.
    pub title: Option<String>,
    /// The agenda's items, already checked (governance::meeting::agenda).
    pub agenda: Vec<String>,
}

/// A meeting scheduled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub meeting: Meeting,
    /// Set when the notice the body owes can no longer be given: the last
    /// day it could have been sent. The meeting is scheduled all the same;
    /// convoking it then needs a reason (and raises a flag).
    pub notice_missed: Option<NaiveDate>,
    /// The body's clear days of notice, for saying so.
    pub notice_clear_days: u32,
}

/// A meeting as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub meeting: Meeting,
    /// Why it was cancelled, when it was.
    pub cancelled: Option<String>,
    /// The last day to send its convocations with the notice its body owes
    /// (None for a body charte.toml no longer has).
    pub convoke_by: Option<NaiveDate>,
}

impl App {
    /// Schedules a meeting of a body, on a day not before today; its id is
    /// `<body>-<date>`, with `-2`, `-3`… for another meeting of that body
    /// that day.
    pub fn add_meeting(&mut self, new: NewMeeting) -> Result<Added> {
        let body = governance::body(&self.ws.config, &new.body).map_err(|e| Error::usage(format!("--body: {e}")))?;
        if new.date < self.today {
            return Err(Error::usage(format!(
                "--date: {} is in the past (today is {}); nothing was recorded",
                new.date, self.today
            )));
        }
        let mut meeting = Meeting {
            id: String::new(),
            body: body.key.clone(),
            date: new.date,
            time: new.time,
            place: new.place.filter(|p| !p.trim().is_empty()),
            title: new.title.filter(|t| !t.trim().is_empty()),
            agenda: new.agenda,
        };
        // The id is allocated under the write lock: two meetings added at
        // once get two ids.
        let meeting = self.ws.store.transaction(self.today, |tx| {
            meeting.id = governance::meeting::new_id(&meeting.body, meeting.date, &tx.meeting_ids()?);
            tx.append(&Event::MeetingAdded { meeting: meeting.clone() })?;
            Ok(meeting)
        })?;
        let notice_missed = self.notice(&body, meeting.date).last_day.filter(|last| *last < self.today);
        Ok(Added { meeting, notice_missed, notice_clear_days: body.notice_clear_days })
    }

    /// Every meeting, by date, time and id, with the last day to convoke it.
    pub fn meetings(&self) -> Result<Vec<Listed>> {
        let bodies = governance::bodies(&self.ws.config);
        Ok(self
            .ws
            .store
            .meetings()?
            .into_iter()
            .map(|crate::governance::meeting::MeetingRecord { meeting, cancelled }| {
                let convoke_by =
                    bodies.iter().find(|b| b.key == meeting.body).and_then(|b| self.notice(b, meeting.date).last_day);
                Listed { meeting, cancelled, convoke_by }
            })
            .collect())
    }

    /// Cancels a meeting, saying why; a cancelled meeting is not cancelled
    /// again.
    pub fn cancel_meeting(&mut self, id: &str, reason: &str) -> Result<()> {
        self.meeting(id)?;
        self.ws.store.transaction(self.today, |tx| {
            // Under the write lock: cancelled twice at once, the first
            // reason stays.
            if tx.meeting_cancelled(id)?.is_some() {
                return Err(Error::usage(format!("meeting '{id}' is already cancelled")));
            }
            if reason.trim().is_empty() {
                return Err(Error::usage("--reason: say why the meeting is cancelled"));
            }
            tx.append(&Event::MeetingCancelled { meeting: id.to_owned(), reason: reason.trim().to_owned() }).map(|_| ())
        })
    }

    /// The meeting `id`, and why it was cancelled if it was; a
    /// not-found error pointing to the list otherwise.
    pub(crate) fn meeting(&self, id: &str) -> Result<crate::governance::meeting::MeetingRecord> {
        self.ws
            .store
            .meetings()?
            .into_iter()
            .find(|r| r.meeting.id == id)
            .ok_or_else(|| Error::not_found(format!("no meeting '{id}' (see `charte meeting list`)")))
    }
}

/// One meeting as its page shows it: the meeting, its body's notice rule
/// applied today, the convocations sent, the organisations the body
/// convokes with the attendance recorded for each, and the decisions
/// voted.
#[derive(Debug, Clone)]
pub struct MeetingView {
    pub meeting: Meeting,
    /// Why it was cancelled, when it was.
    pub cancelled: Option<String>,
    pub body: governance::Body,
    /// The body's notice rule, applied to this meeting today (the one
    /// [`App::convoke`] checks).
    pub notice: notice::Notice,
    pub convocations: Convocations,
    /// The convocation sent late, with its reason, when it was.
    pub late: Option<governance::convoke::LateConvocation>,
    /// Who the body convokes, then anyone else recorded at the meeting,
    /// by name.
    pub invited: Vec<Invited>,
    /// Attendance lines recorded for the meeting.
    pub recorded: usize,
    /// The decisions voted, oldest first.
    pub decisions: Vec<governance::vote::RecordedDecision>,
    /// Voters recorded present (the base of the counts a vote may give).
    pub present_voters: usize,
    /// The seat whose holder has the body's casting vote, where the rules give one.
    pub casting: Option<crate::config::Seat>,
    /// The meeting has taken place (today or before): attendance and votes can be recorded.
    pub held: bool,
    /// Mail waits in out/outbox/ (`[mail] transport = "outbox"`).
    pub outbox: bool,
}

/// A meeting in the desk's list, with what was done for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub listed: Listed,
    /// Organisations convoked.
    pub convoked: usize,
    /// Attendance lines recorded.
    pub attendance: usize,
    /// Decisions voted.
    pub decisions: usize,
}

/// The convocations of a meeting, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Convocations {
    pub sent: usize,
    pub bounced: usize,
    /// Handed over, not known to have left (an interrupted run).
    pub intended: usize,
    /// Organisations convoked (at least one message sent or written).
    pub organisations: usize,
}

/// An organisation on a meeting's attendance checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invited {
    pub name: String,
    pub enterprise_number: crate::roster::EnterpriseNumber,
    /// What is recorded for it (its first line, when there are several).
    pub status: Option<governance::attendance::Presence>,
    /// Who came, as recorded ('' when none was named).
    pub person: String,
    /// It may vote at this meeting under the body's rules.
    pub voter: bool,
    /// The person whose ballot it casts: the seat holder for a body of
    /// seats, else who came.
    pub ballot_person: String,
}

impl App {
    /// The notice `body` owes a meeting on `date`, applied to today: what
    /// the meeting's page shows before the coordinator convokes, and what
    /// [`App::convoke`] checks.
    pub fn notice(&self, body: &governance::Body, date: NaiveDate) -> notice::Notice {
        notice::Notice::new(body.notice_clear_days, body.receipt_days, date, self.today)
    }

    /// The meetings dated from 1 January of today's year on, of `body`
    /// (a key, case aside) or of every body, each with what was done for
    /// it: the desk's list.
    pub fn meetings_overview(&self, body: Option<&str>) -> Result<Vec<Overview>> {
        let from = NaiveDate::from_ymd_opt(chrono::Datelike::year(&self.today), 1, 1).unwrap_or(self.today);
        let store = &self.ws.store;
        let mut out = Vec::new();
        for listed in self.meetings()? {
            let m = &listed.meeting;
            if m.date < from || body.is_some_and(|b| !b.trim().eq_ignore_ascii_case(&m.body)) {
                continue;
            }
            out.push(Overview {
                convoked: store.messaged_organisations("convocation", &m.id)?,
                attendance: store.attendance_at(&m.id)?.len(),
                decisions: store.decisions(&m.id)?.len(),
                listed,
            });
        }
        Ok(out)
    }

    /// The meeting `id` as its page shows it.
    pub fn meeting_view(&self, id: &str) -> Result<MeetingView> {
        let governance::meeting::MeetingRecord { meeting, cancelled } = self.meeting(id)?;
        let body = governance::body(&self.ws.config, &meeting.body).map_err(Error::Usage)?;
        let store = &self.ws.store;
        let states = store.message_states("convocation", &meeting.id)?;
        let mut convocations = Convocations {
            organisations: store.messaged_organisations("convocation", &meeting.id)?,
            ..Convocations::default()
        };
        for state in states.values() {
            match state {
                crate::delivery::MessageState::Sent => convocations.sent += 1,
                crate::delivery::MessageState::Bounced => convocations.bounced += 1,
                crate::delivery::MessageState::Intended => convocations.intended += 1,
            }
        }
        let late = store.late_convocations()?.into_iter().find(|l| l.meeting == meeting.id);
        let members = store.members()?;
        let attendance = store.attendance_at(&meeting.id)?;
        let standing = self.ws.standing(meeting.date)?;
        let seats = &self.ws.config.bodies.committee.seats;
        let mut invited: Vec<Invited> = Vec::new();
        let convoked = governance::convoked(&self.ws.config, &body, &members);
        let others = members.iter().filter(|m| {
            !convoked.iter().any(|c| c.organisation.enterprise_number == m.organisation.enterprise_number)
                && attendance.iter().any(|a| a.enterprise_number == m.organisation.enterprise_number)
        });
        for m in convoked.iter().copied().chain(others) {
            let o = &m.organisation;
            let line = attendance.iter().find(|a| a.enterprise_number == o.enterprise_number);
            let person = line.map(|a| a.person.clone()).unwrap_or_default();
            let seat = seats.iter().find(|s| s.enterprise_number == o.enterprise_number);
            let (voter, ballot_person) = match body.voters {
                crate::config::Voters::Members => (standing.holds(o), person.clone()),
                crate::config::Voters::Seats => (seat.is_some(), seat.map(|s| s.person.clone()).unwrap_or_default()),
                crate::config::Voters::All => (true, person.clone()),
            };
            invited.push(Invited {
                name: o.name.clone(),
                enterprise_number: o.enterprise_number.clone(),
                status: line.map(|a| a.status),
                person,
                voter,
                ballot_person,
            });
        }
        let present_voters = governance::vote::Electorate {
            config: &self.ws.config,
            body: &body,
            members: &members,
            attendance: &attendance,
            standing: &standing,
        }
        .present_voters();
        let outbox = self.ws.config.mail_to_outbox();
        Ok(MeetingView {
            notice: self.notice(&body, meeting.date),
            casting: governance::vote::casting_seat(&self.ws.config, &body).cloned(),
            held: meeting.date <= self.today && cancelled.is_none(),
            decisions: store.decisions(&meeting.id)?,
            recorded: attendance.len(),
            present_voters,
            meeting,
            cancelled,
            body,
            convocations,
            late,
            invited,
            outbox,
        })
    }
}
