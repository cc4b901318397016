//! A roster imported through the browser: uploaded, previewed, then
//! confirmed. The uploaded bytes wait under out/staging/ between the two
//! steps (super::staging); the confirmation names the file by its ID and
//! its sha256, and imports exactly what was previewed, or nothing. What
//! the file says is read by roster::import, as `charte members import`
//! reads it; nothing is read twice over.

use super::App;
use super::staging::{self, label};
use crate::error::{Error, Result};
use crate::roster::import::{self, Plan};

/// How long an uploaded roster waits for its confirmation.
pub use super::staging::KEPT;
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
        if bytes.len() > import::MAX_BYTES {
            return Err(Error::NotImported(import::NotImported::TooLarge {
                name: name.to_owned(),
                limit: import::MAX_BYTES as u64,
            }));
        }
        let staging::Kept { id, path } = self.keep_upload(staging::Kind::Roster, bytes)?;
        let name = label(name, "roster.csv");
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
        let Some(staging::Kept { path, .. }) = self.kept_upload(staging::Kind::Roster, id)? else {
            return Err(Error::NotImported(import::NotImported::Gone));
        };
        let name = label(name, "roster.csv");
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
