//! Recording who attended a meeting: the lines of an attendance list are
//! all checked before any is recorded (one bad line and nothing is), and a
//! line already recorded is not recorded again, so importing the same
//! list twice changes nothing.

use super::{App, TableFile};
use crate::error::Result;
use crate::governance::attendance;
use crate::journal::Event;

/// The largest attendance list read: a year of a large network's meetings.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// What importing an attendance list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// Lines recorded now.
    pub recorded: usize,
    /// Lines recorded before.
    pub known: usize,
}

impl App {
    /// Records an attendance list: columns meeting, enterprise_number (or
    /// name), status (present, excused, absent), optionally person.
    pub fn import_attendance(&mut self, list: &TableFile) -> Result<Imported> {
        let meetings: Vec<_> = self.ws.store.meetings()?.into_iter().map(|r| r.meeting).collect();
        let members = self.ws.store.members()?;
        let rows = attendance::parse(&list.table, &meetings, &members, self.today).map_err(|p| list.refused(p))?;
        // Which lines are new is decided under the write lock: two imports
        // at once never both record a line.
        let recorded = self.ws.store.transaction(self.today, |tx| {
            let known = tx.attendance()?;
            let new: Vec<_> = rows.into_iter().filter(|a| !known.contains(a)).collect();
            for a in &new {
                tx.append(&Event::AttendanceRecorded { attendance: a.clone() })?;
            }
            Ok(new.len())
        })?;
        Ok(Imported { recorded, known: list.table.rows.len() - recorded })
    }
}
