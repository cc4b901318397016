//! Checking the journal's hash chain: every entry's hash recomputed and
//! linked to the one before, so an entry changed or removed behind
//! charte's back is named.

use super::App;
use crate::error::Result;
use crate::journal::store::Audit;

impl App {
    /// The journal's chain: intact (how many entries, which head), or
    /// broken at the first entry that does not hold.
    pub fn audit(&self) -> Result<Audit> {
        self.ws.store.audit()
    }
}
