//! Charter versions: which text is in force on a day, and whose signatures
//! count then (DESIGN.md "Membership is proof, not declaration").
//!
//! The versions are charte.toml's `[charter] version`/`adopted` (the one a
//! workspace starts with) and every version journaled since by `charte
//! charter adopt`. The version in force on a day is the latest adopted on
//! or before it; during `grace_days` after a version's adoption, a
//! signature of the version before it still counts, so a network's members
//! keep their vote while they sign the new text.

use chrono::NaiveDate;

/// Whether `label` can name a version: it goes into document ids and file
/// names, so at most 40 letters, digits, '-' and '.', not starting with '.'.
pub fn is_valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 40
        && !label.starts_with('.')
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// One version of the charter and the day it was adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub label: String,
    pub adopted: NaiveDate,
}

/// Every version of the charter, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    versions: Vec<Version>,
    grace_days: u32,
}

impl History {
    /// The versions from charte.toml's and the journal's, in order of
    /// adoption (a label given twice keeps its first adoption).
    pub fn new(mut versions: Vec<Version>, grace_days: u32) -> History {
        versions.sort_by_key(|v| v.adopted);
        let mut seen = std::collections::HashSet::new();
        versions.retain(|v| seen.insert(v.label.clone()));
        History { versions, grace_days }
    }

    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    pub fn grace_days(&self) -> u32 {
        self.grace_days
    }

    /// The version in force on `day`: the latest adopted on or before it
    /// (the first one, before any was adopted: a workspace replaying a
    /// year from before its charter's date still has a text to issue).
    pub fn in_force(&self, day: NaiveDate) -> Option<&Version> {
        self.versions.iter().rev().find(|v| v.adopted <= day).or_else(|| self.versions.first())
    }

    /// The labels whose signatures count on `day`: the version in force,
    /// and the one before it during the grace period after the new one's
    /// adoption.
    pub fn counting(&self, day: NaiveDate) -> Vec<&str> {
        let Some(i) = self.versions.iter().rposition(|v| v.adopted <= day) else {
            return self.versions.first().map(|v| vec![v.label.as_str()]).unwrap_or_default();
        };
        let current = &self.versions[i];
        let mut out = vec![current.label.as_str()];
        if i > 0
            && let Some(end) = current.adopted.checked_add_days(chrono::Days::new(u64::from(self.grace_days)))
            && day < end
        {
            out.push(self.versions[i - 1].label.as_str());
        }
        out
    }

    /// The label's version, if it was adopted.
    pub fn get(&self, label: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.label == label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn history() -> History {
        History::new(
            vec![
                Version { label: "2027-01".into(), adopted: d("2027-01-15") },
                Version { label: "2022-02".into(), adopted: d("2022-02-10") },
            ],
            30,
        )
    }

    #[test]
    fn the_version_in_force_is_the_latest_adopted_on_or_before_the_day() {
        let h = history();
        assert_eq!(h.in_force(d("2026-12-31")).map(|v| v.label.as_str()), Some("2022-02"));
        assert_eq!(h.in_force(d("2027-01-15")).map(|v| v.label.as_str()), Some("2027-01"));
        assert_eq!(h.in_force(d("2020-01-01")).map(|v| v.label.as_str()), Some("2022-02"), "before any: the first");
    }

    #[test]
    fn the_previous_version_counts_during_the_grace_period_only() {
        let h = history();
        assert_eq!(h.counting(d("2026-06-01")), ["2022-02"]);
        assert_eq!(h.counting(d("2027-01-15")), ["2027-01", "2022-02"]);
        // 30 days of grace: the 15th of January plus 30 days is the 14th of February.
        assert_eq!(h.counting(d("2027-02-13")), ["2027-01", "2022-02"]);
        assert_eq!(h.counting(d("2027-02-14")), ["2027-01"]);
    }
}
