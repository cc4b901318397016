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
        let notice_missed = notice::last_sending_day(meeting.date, body.notice_clear_days, body.receipt_days)
            .filter(|last| *last < self.today);
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
                let convoke_by = bodies
                    .iter()
                    .find(|b| b.key == meeting.body)
                    .and_then(|b| notice::last_sending_day(meeting.date, b.notice_clear_days, b.receipt_days));
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
