//! Who has a member's rights on a given day. Membership is proof, not
//! declaration (DESIGN.md): where a body's `voters` is "members", only an
//! organisation with a recorded signature of the charter version in force
//! that day (or of the previous version during the grace period after a
//! new one's adoption) votes, and only persons of such organisations are
//! named, proposed and elected. A declared member without that signature
//! attends and is counted present, but does not vote; a former
//! organisation never does.
//!
//! A signature counts from the day it was collected: one collected after a
//! meeting gives no vote at that meeting. Only signatures that count reach
//! here (`Store::adherences`): a return waiting for the coordinator's
//! confirmation, or rejected, counts nowhere; a confirmed one counts from
//! its confirmation; a revoked confirmation no longer counts.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::charter::History;
use crate::collect::Adherence;
use crate::roster::{Organisation, Status};

/// The organisations holding a counted signature on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    day: NaiveDate,
    /// The charter versions whose signatures count that day.
    versions: Vec<String>,
    /// Enterprise numbers (10 digits) with such a signature.
    signed: HashSet<String>,
}

impl Standing {
    /// Who holds a counted signature on `day`, from the adherences
    /// collected (all of them, revoked ones with the day they stopped
    /// counting: `Store::adherence_history`).
    pub fn on(history: &History, adherences: &[Adherence], day: NaiveDate) -> Standing {
        let versions: Vec<String> = history.counting(day).into_iter().map(str::to_owned).collect();
        let day_text = day.to_string();
        let signed = adherences
            .iter()
            .filter(|a| versions.contains(&a.charter_version) && a.collected.as_str() <= day_text.as_str())
            // A revoked confirmation counted until the day it was revoked.
            .filter(|a| a.revoked.as_deref().is_none_or(|r| day_text.as_str() < r))
            .map(|a| a.enterprise_number.clone())
            .collect();
        Standing { day, versions, signed }
    }

    /// Whether `o` has a member's rights that day: a counted signature, and
    /// not former.
    pub fn holds(&self, o: &Organisation) -> bool {
        o.status != Status::Former && self.signed.contains(o.enterprise_number.digits())
    }

    /// Whether the organisation of these 10 digits holds a counted
    /// signature (whatever its status).
    pub fn has_signed(&self, digits: &str) -> bool {
        self.signed.contains(digits)
    }

    /// Why `o` has no member's rights that day, in one sentence.
    pub fn why_not(&self, o: &Organisation) -> String {
        if o.status == Status::Former {
            return format!("{} is a former organisation", o.name);
        }
        let version = self.versions.first().map_or("", String::as_str);
        if o.status.expects_signature() {
            format!(
                "{} is declared {} but has no recorded signature of the charter in force on {} (version {version}): \
                 it attends but does not vote until its signed adherence is collected",
                o.name, o.status, self.day
            )
        } else {
            format!(
                "{} is a {} with no recorded signature of the charter in force on {} (version {version}): \
                 only signatories vote",
                o.name, o.status, self.day
            )
        }
    }
}
