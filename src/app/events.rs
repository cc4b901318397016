//! The network's events and actions (colloquia, network days, campaigns,
//! bourses), which the annual report counts. An event is known by its date
//! and title: importing the same file again changes nothing, and a changed
//! line is recorded anew (the latest wins).

use super::{App, TableFile};
use crate::actions::{self, Action};
use crate::error::Result;
use crate::journal::Event;

/// The largest events file read.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// What importing events did, or would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// Events recorded now (or that would be, in a dry run).
    pub new: usize,
    /// Events of the file already recorded as they are.
    pub known: usize,
    /// Nothing was changed.
    pub dry_run: bool,
}

impl App {
    /// Records the events of a file (columns date, kind, title,
    /// participants); all lines are checked first, one bad line and nothing
    /// is recorded. `dry_run`: say what would change, change nothing.
    pub fn import_events(&mut self, file: &TableFile, dry_run: bool) -> Result<Imported> {
        let incoming = actions::parse(&file.table).map_err(|p| file.refused(p))?;
        let total = incoming.len();
        let new = if dry_run {
            actions::changes(incoming, &self.ws.store.actions()?)
        } else {
            // Which lines are new is decided under the write lock: two
            // imports at once never both record a line.
            self.ws.store.transaction(self.today, |tx| {
                let new = actions::changes(incoming, &tx.actions()?);
                for a in &new {
                    tx.append(&Event::ActionRecorded { action: a.clone() })?;
                }
                Ok(new)
            })?
        };
        Ok(Imported { new: new.len(), known: total - new.len(), dry_run })
    }

    /// The events and actions recorded, by date.
    pub fn events(&self) -> Result<Vec<Action>> {
        self.ws.store.actions()
    }
}
