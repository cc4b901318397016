//! The annual evaluation's figures (`charte report annual --year Y`).
//!
//! Definitions (DESIGN.md): a body's meetings `held` in a year are those
//! dated in that year, on or before today, and not cancelled, whether or not
//! attendance was recorded; its `attendance_rate` is present / (present +
//! excused + absent) over the attendance recorded at its meetings that year.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::Config;
use crate::flags::Flag;
use crate::governance::attendance::{Attendance, Presence};
use crate::governance::meeting::Meeting;
use crate::roster::{Member, Status};

#[derive(Debug, Clone, Serialize)]
pub struct AnnualReport {
    pub year: i32,
    pub organisations: Organisations,
    pub bodies: BTreeMap<String, BodyFigures>,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Organisations {
    /// Members and partners (signatories) on the roster.
    pub members: usize,
    /// Participants and associate members.
    pub participants: usize,
    /// Signatures of the charter collected during the year.
    pub new_adherences: usize,
    /// Organisations whose status became `former` during the year.
    pub departures: usize,
    /// Sectors covered by active organisations, with how many work in each.
    pub sectors: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BodyFigures {
    pub held: usize,
    pub required_min: u32,
    /// None when no attendance was recorded.
    pub attendance_rate: Option<f64>,
    pub present: usize,
    pub excused: usize,
    pub absent: usize,
}

/// What the annual report reads.
#[derive(Debug)]
pub struct Inputs<'a> {
    pub config: &'a Config,
    pub members: &'a [Member],
    pub meetings: &'a [(Meeting, Option<String>)],
    pub attendance: &'a [Attendance],
    /// Dates of adherences collected (one per signature).
    pub adherences: &'a [NaiveDate],
    /// Dates on which an organisation became former.
    pub departures: &'a [NaiveDate],
    pub flags: Vec<Flag>,
    pub today: NaiveDate,
}

pub fn compute(year: i32, input: Inputs<'_>) -> AnnualReport {
    let mut organisations = Organisations::default();
    for m in input.members {
        match m.organisation.status {
            Status::Member | Status::Partner => organisations.members += 1,
            Status::Participant | Status::Associate => organisations.participants += 1,
            Status::Former => continue,
        }
        for s in &m.organisation.sectors {
            *organisations.sectors.entry(s.clone()).or_default() += 1;
        }
    }
    organisations.new_adherences = input.adherences.iter().filter(|d| d.year() == year).count();
    organisations.departures = input.departures.iter().filter(|d| d.year() == year).count();

    let held: HashMap<&str, &Meeting> = input
        .meetings
        .iter()
        .filter(|(m, cancelled)| cancelled.is_none() && m.date.year() == year && m.date <= input.today)
        .map(|(m, _)| (m.id.as_str(), m))
        .collect();
    let mut bodies = BTreeMap::new();
    for body in crate::governance::bodies(input.config) {
        let ids: BTreeSet<&str> = held.values().filter(|m| m.body == body.key).map(|m| m.id.as_str()).collect();
        let count =
            |p: Presence| input.attendance.iter().filter(|a| a.status == p && ids.contains(a.meeting.as_str())).count();
        let (present, excused, absent) = (count(Presence::Present), count(Presence::Excused), count(Presence::Absent));
        let total = present + excused + absent;
        bodies.insert(
            body.key.clone(),
            BodyFigures {
                held: ids.len(),
                required_min: body.min_meetings_per_year,
                attendance_rate: (total > 0).then(|| round3(present as f64 / total as f64)),
                present,
                excused,
                absent,
            },
        );
    }
    AnnualReport { year, organisations, bodies, flags: input.flags }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
