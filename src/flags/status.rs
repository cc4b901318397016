//! The committee's handling of a flag: open until it is put on the
//! committee's agenda or resolved (`charte flags mark`, or a workflow's
//! `mark` step). The journal keeps it as a word (the event
//! `flag-status-changed` and the store's projection), which this type reads
//! and writes, so that no front end spells the words on its own.

use std::collections::HashMap;

use serde::Serialize;

use super::FlagStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Not (or no longer) handled: the default of every flag.
    Open,
    /// Put on the committee's agenda.
    PutToCommittee,
    /// Settled: the organisation explained, or the rule no longer applies.
    /// A resolved flag gets no letter.
    Resolved,
}

impl Status {
    /// Every status, in the order a report counts them.
    pub const ALL: [Status; 3] = [Status::Open, Status::PutToCommittee, Status::Resolved];

    /// The word the journal and `charte flags` use.
    pub fn code(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::PutToCommittee => "put-to-committee",
            Status::Resolved => "resolved",
        }
    }

    /// The status a journaled word names; None for any other word.
    pub fn parse(word: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == word)
    }

    /// Where the flag `key` stands in the journal's projection: open when
    /// it was never marked.
    pub fn of(statuses: &HashMap<String, FlagStatus>, key: &str) -> Status {
        statuses.get(key).map_or(Status::Open, |s| s.status)
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Status::parse(s)
            .ok_or_else(|| format!("'{s}' is not the status of a flag (expected open, put-to-committee or resolved)"))
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_back() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
        }
        assert_eq!(Status::parse("closed"), None);
    }

    #[test]
    fn a_flag_never_marked_is_open() {
        let mut statuses = HashMap::new();
        statuses.insert(
            "absences:0883.405.625".to_owned(),
            FlagStatus {
                status: Status::Resolved,
                note: None,
                at: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date"),
            },
        );
        assert_eq!(Status::of(&statuses, "absences:0883.405.625"), Status::Resolved);
        assert_eq!(Status::of(&statuses, "breach:0883.405.625"), Status::Open);
    }
}
