//! The network's events and actions (colloquia, network days, campaigns,
//! bourses), which the annual report counts. An event is known by its date
//! and title: importing the same file again changes nothing, and a changed
//! line is recorded anew (the latest wins).

use super::{App, TableFile, staging};
use crate::actions::{self, Action};
use crate::error::{Error, Result};
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

/// An uploaded events file, kept until it is confirmed, with what
/// importing it would record.
#[derive(Debug, Clone)]
pub struct Preview {
    /// Names the kept file in the confirmation: 32 hex digits.
    pub id: String,
    /// The file's name as it was sent, and its sha256.
    pub name: String,
    pub sha256: String,
    /// The events it would record (new, or changed).
    pub new: Vec<Action>,
    /// Its events already recorded as they are.
    pub known: usize,
}

impl App {
    /// Reads the events file `bytes` (sent as `name`) and says which events
    /// importing it would record, keeping it for a day under out/staging/
    /// (super::staging) and writing nothing else. A file with a bad line is
    /// not kept: its problems are the error.
    pub fn preview_events(&mut self, name: &str, bytes: &[u8]) -> Result<Preview> {
        let (kept, file) = self.keep_table(staging::Kind::Events, name, bytes, MAX_BYTES)?;
        let read = actions::parse(&file.table)
            .map_err(|p| file.refused(p))
            .and_then(|incoming| Ok((incoming.len(), actions::changes(incoming, &self.ws.store.actions()?))));
        match read {
            Ok((total, new)) => Ok(Preview {
                id: kept.id,
                name: file.file.to_string_lossy().into_owned(),
                sha256: file.sha256,
                known: total - new.len(),
                new,
            }),
            Err(e) => {
                // Nothing to confirm: the file is not kept.
                let _ = std::fs::remove_file(&kept.path);
                Err(e)
            }
        }
    }

    /// Imports the events file [`App::preview_events`] kept as `id`, if it
    /// is still the file whose sha256 is `sha256`; the kept file is removed
    /// once imported.
    pub fn confirm_events(&mut self, id: &str, sha256: &str, name: &str) -> Result<Imported> {
        let (kept, file) = self.kept_table(staging::Kind::Events, id, sha256, name, MAX_BYTES)?;
        let done = self.import_events(&file, false)?;
        std::fs::remove_file(&kept.path).map_err(|e| Error::io(&kept.path, e))?;
        Ok(done)
    }
}
