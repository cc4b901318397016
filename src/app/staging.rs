//! Files uploaded through the browser that wait for their confirmation (a
//! roster, the year's expenses): kept under out/staging/ between the
//! preview and the confirmation, under a name of their own
//! (`KIND-ID.csv`, ID 128 random bits), written exclusively and never
//! through a link. The confirmation names the file by its ID (and the
//! action checks its sha256): it imports exactly what was previewed, or
//! nothing. Uploads older than [`KEPT`] are removed on the way, when the
//! server starts and by `charte erase` (they may hold personal data), and
//! never saved by `charte backup` (src/backup/plan.rs, `UPLOADS`).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::App;
use crate::error::{Error, Result};

/// How long an upload waits for its confirmation.
pub const KEPT: Duration = Duration::from_secs(24 * 60 * 60);

/// The folder under out/ the uploads wait in.
const STAGING: &str = "staging";

/// What waits: the first part of a kept file's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Roster,
    Expenses,
    Events,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Roster, Kind::Expenses, Kind::Events];

    fn prefix(self) -> &'static str {
        match self {
            Kind::Roster => "roster-",
            Kind::Expenses => "expenses-",
            Kind::Events => "events-",
        }
    }

    /// The name a file sent without one is given.
    fn fallback(self) -> &'static str {
        match self {
            Kind::Roster => "roster.csv",
            Kind::Expenses => "expenses.csv",
            Kind::Events => "events.csv",
        }
    }

    /// Where upload `id` waits in `dir`.
    fn path(self, dir: &Path, id: &str) -> PathBuf {
        dir.join(format!("{}{id}.csv", self.prefix()))
    }
}

/// An upload kept: its id (32 hex digits) and where it waits.
#[derive(Debug, Clone)]
pub struct Kept {
    pub id: String,
    pub path: PathBuf,
}

impl App {
    /// Keeps `bytes` under out/staging/ as a new upload of `kind`, after
    /// removing the uploads older than [`KEPT`].
    pub(super) fn keep_upload(&self, kind: Kind, bytes: &[u8]) -> Result<Kept> {
        let dir = self.ws.out_folder(STAGING)?;
        remove_older(&dir, KEPT, SystemTime::now())?;
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).map_err(|e| Error::internal(format!("no random bytes: {e}")))?;
        let id = hex::encode(random);
        let path = kind.path(&dir, &id);
        crate::error::write_new(&path, bytes)?;
        Ok(Kept { id, path })
    }

    /// The upload of `kind` kept as `id`, if it still waits (a plain
    /// file, younger than [`KEPT`]); None for an id that is not one.
    pub(super) fn kept_upload(&self, kind: Kind, id: &str) -> Result<Option<Kept>> {
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return Ok(None);
        }
        let dir = self.ws.out_folder(STAGING)?;
        let path = kind.path(&dir, id);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() && !older_than(&meta, KEPT, SystemTime::now()) => {
                Ok(Some(Kept { id: id.to_owned(), path }))
            }
            _ => Ok(None),
        }
    }

    /// Reads an upload a preview kept (a table: expenses, events) for its
    /// confirmation: the one kept as `id` if it still waits and is still
    /// the file whose sha256 is `sha256`, decoded under the name it was
    /// sent as; refused otherwise, nothing changed.
    pub(super) fn kept_table(
        &self,
        kind: Kind,
        id: &str,
        sha256: &str,
        name: &str,
        max_bytes: usize,
    ) -> Result<(Kept, super::TableFile)> {
        let Some(kept) = self.kept_upload(kind, id)? else {
            return Err(Error::not_found(
                "this file is no longer waiting to be imported (a day has passed, or it was imported already): \
                 nothing was changed; send it again",
            ));
        };
        let bytes = crate::error::read_bounded(&kept.path, max_bytes as u64, "an upload")?;
        let file = super::TableFile::from_bytes(Path::new(&label(name, kind.fallback())), &bytes)?;
        if file.sha256 != sha256 {
            return Err(Error::usage("the file kept is not the one previewed: nothing was changed; send it again"));
        }
        Ok((kept, file))
    }

    /// Keeps an upload (a table) for a preview: decoded first under the
    /// name it was sent as (a file that does not read is not kept), no
    /// larger than `max_bytes`.
    pub(super) fn keep_table(
        &self,
        kind: Kind,
        name: &str,
        bytes: &[u8],
        max_bytes: usize,
    ) -> Result<(Kept, super::TableFile)> {
        let name = label(name, kind.fallback());
        if bytes.len() > max_bytes {
            return Err(Error::usage(format!("{name} is larger than {} MB: nothing was changed", max_bytes >> 20)));
        }
        let file = super::TableFile::from_bytes(Path::new(&name), bytes)?;
        Ok((self.keep_upload(kind, bytes)?, file))
    }

    /// Removes the uploads waiting under out/staging/ older than `age`
    /// ([`KEPT`]: those no confirmation takes any more; zero: all), and
    /// says how many. They hold personal data (the members' addresses,
    /// the staff's names): the server removes the old ones when it
    /// starts, `charte erase` all of them, besides each new upload.
    pub fn purge_staged(&self, age: Duration) -> Result<usize> {
        let dir = self.ws.out_dir().join(STAGING);
        if !dir.is_dir() {
            return Ok(0);
        }
        remove_older(&dir, age, SystemTime::now())
    }
}

/// A file name as a browser sent it, made a label for the journal: its
/// last part, printable, at most 120 characters (`fallback` when nothing
/// is left).
pub(super) fn label(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    if clean.trim().is_empty() { fallback.to_owned() } else { clean.trim().to_owned() }
}

fn older_than(meta: &std::fs::Metadata, age: Duration, now: SystemTime) -> bool {
    age.is_zero() || meta.modified().ok().and_then(|m| now.duration_since(m).ok()).is_some_and(|d| d > age)
}

/// Removes the uploads of `dir` (plain files named KIND-*.csv) older
/// than `age`; how many.
fn remove_older(dir: &Path, age: Duration, now: SystemTime) -> Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let ours =
            name.to_str().is_some_and(|n| n.ends_with(".csv") && Kind::ALL.iter().any(|k| n.starts_with(k.prefix())));
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
        assert_eq!(label("C:\\Users\\coord\\membres 2027.csv", "roster.csv"), "membres 2027.csv");
        assert_eq!(label("../../etc/passwd", "roster.csv"), "passwd");
        assert_eq!(label("a\u{7}b.csv", "roster.csv"), "ab.csv");
        assert_eq!(label("", "expenses.csv"), "expenses.csv");
    }

    #[test]
    fn only_old_uploads_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("roster-old.csv");
        let spent = dir.path().join("expenses-old.csv");
        let other = dir.path().join("notes.txt");
        for f in [&old, &spent, &other] {
            std::fs::write(f, "x").unwrap();
        }
        assert_eq!(remove_older(dir.path(), KEPT, SystemTime::now()).unwrap(), 0);
        assert!(old.exists(), "a fresh upload is kept");
        assert_eq!(remove_older(dir.path(), KEPT, SystemTime::now() + KEPT + Duration::from_secs(1)).unwrap(), 2);
        assert!(!old.exists() && !spent.exists(), "uploads older than a day are removed, whatever they hold");
        assert!(other.exists(), "a file that is not an upload is left");
    }
}
