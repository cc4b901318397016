//! A consistent copy of the whole database while other commands may be
//! writing to it (`charte backup`): SQLite's online backup API, every
//! page copied in one step, so under one read transaction. In WAL mode a
//! reader never blocks a writer nor waits for one: the copy is the
//! database as it stood at one commit, and a run of `charte issue` going
//! on meanwhile is neither slowed nor seen half-done. (Copied a few pages
//! at a time instead, the backup would start again after every commit of
//! another process, and might never end beside a long run.)

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};

use super::reads::head_of;
use super::{Head, Store, db_error};
use crate::error::{Error, Result};

/// How long the copy waits for a lock it cannot take at once (a
/// checkpoint of the WAL under way) before it gives up: the same wait as
/// a writing transaction's.
const PATIENCE: Duration = Duration::from_secs(10);

impl Store {
    /// Copies the whole database, as it stands at one commit, into `dest`
    /// (a new, empty file or none), and returns the journal's head in the
    /// copy: what the copy holds, whatever was journaled since.
    pub fn snapshot(&self, dest: &Path) -> Result<Head> {
        let err = |e| db_error(dest, e);
        let mut copy = rusqlite::Connection::open(dest).map_err(err)?;
        {
            let backup = Backup::new(&self.conn, &mut copy).map_err(err)?;
            let started = Instant::now();
            loop {
                match backup.step(-1).map_err(err)? {
                    StepResult::Done => break,
                    StepResult::Busy | StepResult::Locked if started.elapsed() < PATIENCE => {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    StepResult::Busy | StepResult::Locked => {
                        return Err(Error::temporary(format!(
                            "{}: the database stayed locked by another charte command for {} s; nothing was \
                             saved: run the backup again in a moment",
                            self.path.display(),
                            PATIENCE.as_secs()
                        )));
                    }
                    // More (never after a step of every page), or a result
                    // a newer rusqlite adds: step again.
                    _ => {}
                }
            }
        }
        // Live secrets stay here: a restored copy opens no session and
        // accepts no code mailed before it was made.
        copy.execute_batch("DELETE FROM sessions; DELETE FROM link_codes;").map_err(err)?;
        let head = head_of(&copy, dest)?;
        copy.close().map_err(|(_, e)| err(e))?;
        Ok(head)
    }
}
