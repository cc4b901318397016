//! Checking the journal's hash chain (every entry's hash recomputed and
//! linked to the one before, so an entry changed or removed behind
//! charte's back is named), then the tables derived from it (the journal
//! replayed in memory and compared with them, so a row changed behind
//! charte's back is named too).

use super::App;
use crate::error::Result;
use crate::journal::store::Audit;

impl App {
    /// The journal's chain, then the derived tables: intact (how many
    /// entries, which head, how many tables), broken at the first entry
    /// that does not hold, or differing at the first row that does not.
    pub fn audit(&self) -> Result<Audit> {
        self.ws.store.audit()
    }
}
