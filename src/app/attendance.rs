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
        self.record_attendance(rows, Lines::AsListed)
    }

    /// Records the desk's checklist of `meeting`: the same rules as a
    /// list's lines (the meeting has taken place, each organisation is on
    /// the roster), recorded the same way; one line per organisation, so
    /// that a corrected name replaces the line recorded under the former
    /// one instead of adding a second (the meeting not cancelled meanwhile:
    /// checked under the write lock).
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
        self.record_attendance(lines, Lines::OnePerOrganisation)
    }

    /// Journals the lines not recorded already, as they are: which lines
    /// are new is decided under the write lock, so two recordings at once
    /// never both record a line.
    fn record_attendance(&mut self, rows: Vec<attendance::Attendance>, lines: Lines) -> Result<Imported> {
        let total = rows.len();
        let (recorded, changed) = self.ws.store.transaction(self.today, |tx| {
            if lines == Lines::OnePerOrganisation
                && let Some(first) = rows.first()
                && let Some(why) = tx.meeting_cancelled(&first.meeting)?
            {
                return Err(Error::usage(format!("meeting '{}' was cancelled: {why}", first.meeting)));
            }
            let known = tx.attendance()?;
            let new: Vec<_> = rows.into_iter().filter(|a| !known.contains(a)).collect();
            let mut changed = 0;
            for a in &new {
                let same_line =
                    |k: &&attendance::Attendance| k.meeting == a.meeting && k.enterprise_number == a.enterprise_number;
                let before: Vec<&attendance::Attendance> = known.iter().filter(same_line).collect();
                let replaces = match lines {
                    Lines::AsListed => None,
                    Lines::OnePerOrganisation => before.iter().find(|k| k.person != a.person).map(|k| k.person.clone()),
                };
                if replaces.is_some() || before.iter().any(|k| k.person == a.person) {
                    changed += 1;
                }
                tx.append(&Event::AttendanceRecorded { attendance: a.clone(), replaces })?;
            }
            Ok((new.len(), changed))
        })?;
        Ok(Imported { recorded, changed, known: total - recorded })
    }
}

/// How a recording's lines stand to those recorded before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lines {
    /// A list's lines, each its own (an organisation may have sent two
    /// persons): a line replaces only the one of the same person.
    AsListed,
    /// The desk's checklist: one line per organisation and meeting.
    OnePerOrganisation,
}
