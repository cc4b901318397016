//! Attendance lists: who was present, excused or absent at a meeting.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::meeting::Meeting;
use crate::error::Problem;
use crate::roster::{EnterpriseNumber, Member, fold, resolve};
use crate::tabular::{self, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Present,
    Excused,
    Absent,
}

impl Presence {
    pub fn code(self) -> &'static str {
        match self {
            Presence::Present => "present",
            Presence::Excused => "excused",
            Presence::Absent => "absent",
        }
    }
}

impl FromStr for Presence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match fold(s).as_str() {
            "present" | "presente" | "aanwezig" | "p" => Ok(Presence::Present),
            "excused" | "excuse" | "excusee" | "verontschuldigd" | "e" => Ok(Presence::Excused),
            "absent" | "absente" | "afwezig" | "a" => Ok(Presence::Absent),
            _ => Err(format!("'{s}' is not a status (expected present, excused or absent)")),
        }
    }
}

impl fmt::Display for Presence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One line of attendance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub meeting: String,
    pub enterprise_number: EnterpriseNumber,
    /// The person who attended, when the list names one ('' otherwise).
    pub person: String,
    pub status: Presence,
}

/// An attendance line with the journal entry that recorded it last: the
/// entry is the flags' evidence (an absence is cited by its entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRecord {
    pub attendance: Attendance,
    pub seq: i64,
}

const FIELDS: &[tabular::Field] = &[
    ("meeting", &["reunion", "vergadering", "meetingid"], true),
    ("enterprise_number", tabular::ORGANISATION_ALIASES, true),
    ("status", &["statut", "presence", "aanwezigheid"], true),
    ("person", &["personne", "persoon"], false),
];

/// Whether attendance can be recorded at the meeting `id` (`found`, when
/// it exists) on `today`: the same rule for a list's lines and the desk's
/// checklist.
pub fn check_meeting(found: Option<&Meeting>, id: &str, today: NaiveDate) -> Result<(), String> {
    match found {
        None => Err(format!("no meeting '{id}' (see `charte meeting list`)")),
        Some(m) if m.date > today => {
            Err(format!("meeting '{id}' is on {}, after today ({today}): attendance comes after the meeting", m.date))
        }
        Some(_) => Ok(()),
    }
}

/// Validates an attendance table against the meetings and the roster; all
/// problems at once. A meeting dated after `today` cannot have attendance.
pub fn parse(
    table: &Table,
    meetings: &[Meeting],
    members: &[Member],
    today: NaiveDate,
) -> Result<Vec<Attendance>, Vec<Problem>> {
    let columns = tabular::map_columns(&table.header, FIELDS)?;
    let by_id: HashMap<&str, &Meeting> = meetings.iter().map(|m| (m.id.as_str(), m)).collect();
    let mut problems = Vec::new();
    let mut out: Vec<Attendance> = Vec::new();
    let mut seen: HashMap<(String, String, String), u64> = HashMap::new();
    for (line, row) in &table.rows {
        let line = *line;
        let record = tabular::Record::new(table, row, &columns, FIELDS);
        let cell = |name: &str| record.get(name);
        let before = problems.len();
        let (mh, meeting) = cell("meeting");
        if let Err(e) = check_meeting(by_id.get(meeting).copied(), meeting, today) {
            problems.push(Problem::at(line, Some(mh), e));
        }
        let (oh, org) = cell("enterprise_number");
        let number = match resolve(members, org) {
            Ok(m) => Some(m.organisation.enterprise_number.clone()),
            Err(e) => {
                problems.push(Problem::at(line, Some(oh), e));
                None
            }
        };
        let (sh, status) = cell("status");
        let status = status.parse::<Presence>().map_err(|e| problems.push(Problem::at(line, Some(sh), e))).ok();
        let person = cell("person").1.split_whitespace().collect::<Vec<_>>().join(" ");
        if problems.len() > before {
            continue;
        }
        if let (Some(enterprise_number), Some(status)) = (number, status) {
            let key = (meeting.to_owned(), enterprise_number.digits().to_owned(), person.clone());
            if let Some(first) = seen.insert(key, line) {
                problems.push(Problem::at(line, Some(oh), format!("the same attendance is already on line {first}")));
                continue;
            }
            out.push(Attendance { meeting: meeting.to_owned(), enterprise_number, person, status });
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(Problem::file("the file has a header but no attendance"));
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}
