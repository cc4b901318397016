//! Recording who attended a meeting: the lines of an attendance list are
//! all checked before any is recorded (one bad line and nothing is), and a
//! line already recorded is not recorded again, so importing the same
//! list twice changes nothing.

use super::{App, TableFile};
use crate::error::{Error, Result};
use crate::governance::attendance;
use crate::journal::Event;

/// The largest attendance list read: a year of a large network's meetings.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// What recording attendance did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// Lines recorded now.
    pub recorded: usize,
    /// Of those, lines that replace another status recorded before for
    /// the same organisation and person.
    pub changed: usize,
    /// Lines recorded before.
    pub known: usize,
}

/// One row of the desk's attendance checklist: an organisation (its
/// enterprise number), how it was there, and who came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticked {
    pub organisation: String,
    pub status: attendance::Presence,
    pub person: String,
}

impl App {
    /// Records an attendance list: columns meeting, enterprise_number (or
    /// name), status (present, excused, absent), optionally person.
    pub fn import_attendance(&mut self, list: &TableFile) -> Result<Imported> {
        let meetings: Vec<_> = self.ws.store.meetings()?.into_iter().map(|r| r.meeting).collect();
        let members = self.ws.store.members()?;
        let rows = attendance::parse(&list.table, &meetings, &members, self.today).map_err(|p| list.refused(p))?;
        self.record_attendance(rows)
    }

    /// Records the desk's checklist of `meeting`: the same rules as a
    /// list's lines (the meeting has taken place, each organisation is on
    /// the roster), recorded the same way.
    pub fn tick_attendance(&mut self, meeting: &str, ticked: Vec<Ticked>) -> Result<Imported> {
        let meetings: Vec<_> = self.ws.store.meetings()?.into_iter().map(|r| r.meeting).collect();
        attendance::check_meeting(meetings.iter().find(|m| m.id == meeting), meeting, self.today)
            .map_err(Error::Usage)?;
        if ticked.is_empty() {
            return Err(Error::usage("tick present, excused or absent for at least one organisation"));
        }
        let members = self.ws.store.members()?;
        let mut lines = Vec::new();
        for t in ticked {
            let m = crate::roster::resolve(&members, &t.organisation).map_err(|e| Error::not_found(e.to_string()))?;
            lines.push(attendance::Attendance {
                meeting: meeting.to_owned(),
                enterprise_number: m.organisation.enterprise_number.clone(),
                person: t.person.split_whitespace().collect::<Vec<_>>().join(" "),
                status: t.status,
            });
        }
        self.record_attendance(lines)
    }

    /// Journals the lines not recorded already, as they are: which lines
    /// are new is decided under the write lock, so two recordings at once
    /// never both record a line.
    fn record_attendance(&mut self, rows: Vec<attendance::Attendance>) -> Result<Imported> {
        let total = rows.len();
        let (recorded, changed) = self.ws.store.transaction(self.today, |tx| {
            let known = tx.attendance()?;
            let new: Vec<_> = rows.into_iter().filter(|a| !known.contains(a)).collect();
            let changed = new
                .iter()
                .filter(|a| {
                    known.iter().any(|k| {
                        k.meeting == a.meeting && k.enterprise_number == a.enterprise_number && k.person == a.person
                    })
                })
                .count();
            for a in &new {
                tx.append(&Event::AttendanceRecorded { attendance: a.clone() })?;
            }
            Ok((new.len(), changed))
        })?;
        Ok(Imported { recorded, changed, known: total - recorded })
    }
}
