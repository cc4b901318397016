//! A roster imported through the browser: uploaded, previewed, then
//! confirmed. The uploaded bytes are kept under out/staging/ between the
//! two steps, under a name of their own (`roster-ID.csv`, ID 128 random
//! bits), written exclusively and never through a link; the confirmation
//! names the file by its ID and its sha256, and imports exactly what was
//! previewed, or nothing. What the file says is read by roster::import,
//! as `charte members import` reads it; nothing is read twice over.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::App;
use crate::error::{Error, Result};
use crate::roster::import::{self, Plan};

/// How long an uploaded roster waits for its confirmation.
pub const KEPT: Duration = Duration::from_secs(24 * 60 * 60);

/// The folder under out/ the uploads wait in.
const STAGING: &str = "staging";

/// An uploaded roster, kept, with what importing it would do.
#[derive(Debug, Clone)]
pub struct Preview {
    /// Names the kept file in the confirmation: 32 hex digits.
    pub id: String,
    /// The file's name as the browser sent it (what the journal records).
    pub name: String,
    pub sha256: String,
    /// What importing it would write ([`Plan::digest`]): the
    /// confirmation carries it back.
    pub digest: String,
    pub plan: Plan,
    /// Each organisation the file changes, field by field.
    pub changes: Vec<Change>,
}

/// One organisation a roster changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub name: String,
    pub enterprise_number: String,
    /// (field, value before, value after), by roster column name.
    pub fields: Vec<(String, String, String)>,
}

impl App {
    /// Keeps the roster `bytes` (sent as `name`) for a day and says what
    /// importing it would do, writing nothing else. A file that does not
    /// read is not kept: its problems are the error, each with its line
    /// and column, as the command line gives them. Uploads older than a
    /// day are removed on the way.
    pub fn preview_roster(&mut self, name: &str, bytes: &[u8]) -> Result<Preview> {
        let dir = self.ws.out_folder(STAGING)?;
        remove_older(&dir, KEPT, SystemTime::now())?;
        if bytes.len() > import::MAX_BYTES {
            return Err(Error::NotImported(import::NotImported::TooLarge {
                name: name.to_owned(),
                limit: import::MAX_BYTES as u64,
            }));
        }
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).map_err(|e| Error::internal(format!("no random bytes: {e}")))?;
        let id = hex::encode(random);
        let path = staged(&dir, &id);
        crate::error::write_new(&path, bytes)?;
        let name = label(name);
        match self.import_roster_as(&path, &name, None, true) {
            Ok(plan) => {
                let before = self.ws.store.members()?;
                let changes = plan
                    .changed
                    .iter()
                    .map(|(o, fields)| {
                        let old =
                            before.iter().map(|m| &m.organisation).find(|m| m.enterprise_number == o.enterprise_number);
                        let fields = fields
                            .iter()
                            .map(|f| (f.clone(), old.map(|m| m.value_of(f)).unwrap_or_default(), o.value_of(f)))
                            .collect();
                        Change { name: o.name.clone(), enterprise_number: o.enterprise_number.formatted(), fields }
                    })
                    .collect();
                Ok(Preview { id, name, sha256: plan.sha256.clone(), digest: plan.digest(), plan, changes })
            }
            Err(e) => {
                // Nothing to confirm: the file is not kept.
                let _ = std::fs::remove_file(&path);
                Err(named(e, &name))
            }
        }
    }

    /// Imports the roster [`App::preview_roster`] kept as `id`, if it is
    /// still the file whose sha256 is `sha256` (journaled as `name`) and
    /// importing it still does what the preview showed (its plan's
    /// `digest`); the kept file is removed once imported.
    pub fn confirm_roster(&mut self, id: &str, sha256: &str, digest: &str, name: &str) -> Result<Plan> {
        let gone = || Error::NotImported(import::NotImported::Gone);
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return Err(gone());
        }
        let dir = self.ws.out_folder(STAGING)?;
        let path = staged(&dir, id);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() && !older_than(&meta, KEPT, SystemTime::now()) => {}
            _ => return Err(gone()),
        }
        let name = label(name);
        let plan = self.import_roster_as(&path, &name, Some((sha256, digest)), false).map_err(|e| named(e, &name))?;
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        Ok(plan)
    }
}

/// A file's problems named by the file's name as it was sent, not by
/// where it waits on the server.
fn named(e: Error, name: &str) -> Error {
    match e {
        Error::Input { problems, .. } => Error::Input { file: name.into(), problems },
        e => e,
    }
}

/// Where upload `id` waits in `dir`.
fn staged(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("roster-{id}.csv"))
}

/// A file name as a browser sent it, made a label for the journal: its
/// last part, printable, at most 120 characters.
fn label(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    if clean.trim().is_empty() { "roster.csv".to_owned() } else { clean.trim().to_owned() }
}

fn older_than(meta: &std::fs::Metadata, age: Duration, now: SystemTime) -> bool {
    age.is_zero() || meta.modified().ok().and_then(|m| now.duration_since(m).ok()).is_some_and(|d| d > age)
}

impl App {
    /// Removes the roster uploads waiting under out/staging/ older than
    /// `age` ([`KEPT`]: those no confirmation takes any more; zero: all),
    /// and says how many. They hold personal data (the members'
    /// addresses): the server removes the old ones when it starts, `charte
    /// erase` all of them, besides each new upload.
    pub fn purge_staged(&self, age: Duration) -> Result<usize> {
        let dir = self.ws.out_dir().join(STAGING);
        if !dir.is_dir() {
            return Ok(0);
        }
        remove_older(&dir, age, SystemTime::now())
    }
}

/// Removes the uploads of `dir` (plain files named roster-*.csv) older
/// than `age`; how many.
fn remove_older(dir: &Path, age: Duration, now: SystemTime) -> Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let ours = name.to_str().is_some_and(|n| n.starts_with("roster-") && n.ends_with(".csv"));
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else { continue };
        if ours && meta.is_file() && older_than(&meta, age, now) {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_the_last_part_of_the_name_sent() {
        assert_eq!(label("C:\\Users\\coord\\membres 2027.csv"), "membres 2027.csv");
        assert_eq!(label("../../etc/passwd"), "passwd");
        assert_eq!(label("a\u{7}b.csv"), "ab.csv");
        assert_eq!(label(""), "roster.csv");
    }

    #[test]
    fn only_old_uploads_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("roster-old.csv");
        let other = dir.path().join("notes.txt");
        std::fs::write(&old, "x").unwrap();
        std::fs::write(&other, "x").unwrap();
        assert_eq!(remove_older(dir.path(), KEPT, SystemTime::now()).unwrap(), 0);
        assert!(old.exists(), "a fresh upload is kept");
        assert_eq!(remove_older(dir.path(), KEPT, SystemTime::now() + KEPT + Duration::from_secs(1)).unwrap(), 1);
        assert!(!old.exists(), "an upload older than a day is removed");
        assert!(other.exists(), "a file that is not an upload is left");
    }
}
