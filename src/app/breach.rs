//! A breach of the charter the committee notes against an organisation:
//! journaled in the committee's words, it raises the breach-reported flag.

use super::App;
use crate::error::{Error, Result};
use crate::journal::Event;

/// A breach recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// The organisation's name on the roster.
    pub organisation: String,
    pub enterprise_number: crate::roster::EnterpriseNumber,
}

impl App {
    /// Records that `organisation` (enterprise number in any spelling, or a
    /// unique name) breached the charter, as `about` says (its blanks
    /// folded).
    pub fn report_breach(&mut self, organisation: &str, about: &str) -> Result<Reported> {
        let members = self.ws.store.members()?;
        let m = crate::roster::resolve(&members, organisation)?;
        let about = about.split_whitespace().collect::<Vec<_>>().join(" ");
        if about.is_empty() {
            return Err(Error::usage("--about: say what the breach is"));
        }
        self.ws.store.transaction(self.today, |tx| {
            tx.append(&Event::BreachReported {
                enterprise_number: m.organisation.enterprise_number.digits().to_owned(),
                about: about.clone(),
            })
            .map(|_| ())
        })?;
        Ok(Reported {
            organisation: m.organisation.name.clone(),
            enterprise_number: m.organisation.enterprise_number.clone(),
        })
    }
}
