//! The annual evaluation's figures (`charte report annual --year Y`).
//!
//! Definitions (DESIGN.md): a body's meetings `held` in a year are those
//! dated in that year, on or before today, and not cancelled, whether or not
//! attendance was recorded; its `attendance_rate` is present / (present +
//! excused + absent) over the attendance recorded at its meetings that year.
//!
//! Membership is proof, not declaration (DESIGN.md): `organisations.members`
//! counts the organisations (not former) holding a recorded signature of
//! the charter in force at the year's end (or today, if earlier);
//! `declared_not_signed` those the coordinator declared member or partner
//! without one; `participants` the others. Membership over time counts the
//! same, at the end of each month, with the statuses and signatures the
//! journal held by that day, so the year's last point equals
//! `organisations.members` when the report is made after the year.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::Config;
use crate::flags::{Flag, Status as FlagStatus};
use crate::governance::attendance::{AttendanceRecord, Presence};
use crate::governance::meeting::{Meeting, MeetingRecord};
use crate::governance::standing::Standing;
use crate::roster::{Member, Status, StatusEntry};

#[derive(Debug, Clone, Serialize)]
pub struct AnnualReport {
    pub year: i32,
    pub organisations: Organisations,
    pub bodies: BTreeMap<String, BodyFigures>,
    pub flags: Vec<Flag>,
    /// Each working group's activity (its figures of `bodies`, with its names).
    pub working_groups: BTreeMap<String, WorkingGroupActivity>,
    /// The network's events and actions of the year.
    pub events: Events,
    /// Members at the end of each month of the year, up to today.
    pub membership: Vec<MonthCount>,
    /// Each organisation's attendance over the year's meetings, lowest rate first.
    pub attendance_by_organisation: Vec<OrganisationAttendance>,
    /// The year's flags by the committee's handling: open, put-to-committee, resolved.
    pub flags_by_status: BTreeMap<String, usize>,
}

/// One organisation's attendance over the year.
#[derive(Debug, Clone, Serialize)]
pub struct OrganisationAttendance {
    /// As 0123.456.749.
    pub enterprise_number: String,
    pub name: String,
    pub present: usize,
    pub excused: usize,
    pub absent: usize,
    pub attendance_rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkingGroupActivity {
    pub name_fr: String,
    pub name_nl: String,
    /// Organisations named in charte.toml as sitting in the group.
    pub members: usize,
    pub held: usize,
    pub required_min: u32,
    pub attendance_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Events {
    pub count: usize,
    /// Participants summed over the events that counted them.
    pub participants: u64,
    pub by_kind: BTreeMap<String, KindTotal>,
    pub list: Vec<crate::actions::Action>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct KindTotal {
    pub count: usize,
    pub participants: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonthCount {
    /// YYYY-MM.
    pub month: String,
    pub members: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Organisations {
    /// Organisations with a recorded signature of the charter in force.
    pub members: usize,
    /// Declared members or partners without that signature: counted apart,
    /// they do not vote.
    pub declared_not_signed: usize,
    /// Participants and associate members without a signature.
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
    pub meetings: &'a [MeetingRecord],
    /// Attendance lines (with their journal entry): at least those of the year's meetings.
    pub attendance: &'a [AttendanceRecord],
    /// The charter's versions, and the signatures collected: who is a member when.
    pub history: &'a crate::charter::History,
    pub signatures: &'a [crate::collect::Adherence],
    /// Dates on which an organisation became former.
    pub departures: &'a [NaiveDate],
    pub flags: Vec<Flag>,
    pub today: NaiveDate,
    /// The network's events and actions (all years).
    pub actions: &'a [crate::actions::Action],
    /// Every status an organisation was given, by date, in journal order.
    pub statuses: &'a [StatusEntry],
    /// The committee's status of each flag, by key (absent: open).
    pub flag_statuses: &'a HashMap<String, crate::flags::FlagStatus>,
}

pub fn compute(year: i32, input: Inputs<'_>) -> AnnualReport {
    let mut organisations = Organisations::default();
    let cut = year_end(year).min(input.today);
    let standing = Standing::on(input.history, input.signatures, cut);
    // Each organisation's status as the journal held it on the cut day
    // (one added after it is not counted; one that left after it is).
    let mut status_at_cut: HashMap<&str, Status> = HashMap::new();
    for e in input.statuses.iter().filter(|e| e.at <= cut) {
        status_at_cut.insert(e.enterprise_number.as_str(), e.status);
    }
    for m in input.members {
        let o = &m.organisation;
        let digits = o.enterprise_number.digits();
        let Some(&status) = status_at_cut.get(digits) else { continue };
        if status == Status::Former {
            continue;
        }
        if standing.has_signed(digits) {
            organisations.members += 1;
        } else if status.expects_signature() {
            organisations.declared_not_signed += 1;
        } else {
            organisations.participants += 1;
        }
        for s in &o.sectors {
            *organisations.sectors.entry(s.clone()).or_default() += 1;
        }
    }
    // Organisations that signed in the year, each once (DESIGN.md).
    organisations.new_adherences = input
        .signatures
        .iter()
        .filter(|a| a.collected.parse::<NaiveDate>().is_ok_and(|d| d.year() == year && d <= cut))
        .filter(|a| a.revoked.as_deref().is_none_or(|r| r > cut.to_string().as_str()))
        .map(|a| a.enterprise_number.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    organisations.departures = input.departures.iter().filter(|d| d.year() == year).count();

    let held = held_in(input.meetings, year, input.today);
    // One pass over the attendance: each line counts for its meeting's body
    // when the meeting was held that year.
    let mut counts: HashMap<&str, [usize; 3]> = HashMap::new();
    let mut by_organisation: HashMap<&str, [usize; 3]> = HashMap::new();
    for a in input.attendance.iter().map(|r| &r.attendance) {
        if let Some(m) = held.get(a.meeting.as_str()) {
            let k = match a.status {
                Presence::Present => 0,
                Presence::Excused => 1,
                Presence::Absent => 2,
            };
            counts.entry(m.body.as_str()).or_default()[k] += 1;
            by_organisation.entry(a.enterprise_number.digits()).or_default()[k] += 1;
        }
    }
    let by_number: HashMap<&str, &Member> =
        input.members.iter().map(|m| (m.organisation.enterprise_number.digits(), m)).collect();
    let mut attendance_by_organisation: Vec<OrganisationAttendance> = by_organisation
        .into_iter()
        .filter_map(|(digits, [present, excused, absent])| {
            let member = by_number.get(digits);
            let total = present + excused + absent;
            (total > 0).then(|| OrganisationAttendance {
                enterprise_number: member
                    .map_or_else(|| digits.to_owned(), |m| m.organisation.enterprise_number.formatted()),
                name: member.map_or_else(|| digits.to_owned(), |m| m.organisation.name.clone()),
                present,
                excused,
                absent,
                attendance_rate: round3(present as f64 / total as f64),
            })
        })
        .collect();
    attendance_by_organisation
        .sort_by(|a, b| a.attendance_rate.total_cmp(&b.attendance_rate).then_with(|| a.name.cmp(&b.name)));
    let bodies = body_figures(input.config, &held, &counts);
    let working_groups = input
        .config
        .working_groups
        .iter()
        .filter_map(|(key, wg)| {
            let b = bodies.get(key)?;
            Some((
                key.clone(),
                WorkingGroupActivity {
                    name_fr: wg.name_fr.clone(),
                    name_nl: wg.name_nl.clone(),
                    members: wg.members.len(),
                    held: b.held,
                    required_min: b.required_min,
                    attendance_rate: b.attendance_rate,
                },
            ))
        })
        .collect();
    let mut events = Events::default();
    for a in input.actions.iter().filter(|a| a.date.year() == year && a.date <= input.today) {
        let n = u64::from(a.participants.unwrap_or(0));
        events.count += 1;
        events.participants += n;
        let k = events.by_kind.entry(a.kind.code().to_owned()).or_default();
        k.count += 1;
        k.participants += n;
        events.list.push(a.clone());
    }
    let membership =
        membership(year, input.statuses, input.today, |day| Standing::on(input.history, input.signatures, day));
    let mut flags_by_status: BTreeMap<String, usize> =
        FlagStatus::ALL.iter().map(|s| (s.code().to_owned(), 0)).collect();
    let keys: Vec<String> = input.flags.iter().map(Flag::key).collect();
    for key in &keys {
        let status = input.flag_statuses.get(key).map_or(FlagStatus::Open, |s| s.status);
        *flags_by_status.entry(status.code().to_owned()).or_default() += 1;
    }
    // Flags resolved during the year whose cause has gone since.
    let shown: std::collections::HashSet<&String> = keys.iter().collect();
    for (key, st) in input.flag_statuses {
        if st.status == FlagStatus::Resolved && !shown.contains(key) && st.at.year() == year {
            *flags_by_status.entry(FlagStatus::Resolved.code().to_owned()).or_default() += 1;
        }
    }
    AnnualReport {
        year,
        organisations,
        bodies,
        flags: input.flags,
        working_groups,
        events,
        membership,
        attendance_by_organisation,
        flags_by_status,
    }
}

/// The meetings held in `year` (DESIGN.md): dated in that year, on or
/// before `today`, not cancelled; by id.
fn held_in(meetings: &[MeetingRecord], year: i32, today: NaiveDate) -> HashMap<&str, &Meeting> {
    meetings
        .iter()
        .filter(|r| r.cancelled.is_none() && r.meeting.date.year() == year && r.meeting.date <= today)
        .map(|r| (r.meeting.id.as_str(), &r.meeting))
        .collect()
}

/// Each body's figures from the meetings `held` and the attendance
/// `counts` (present, excused, absent) by body.
fn body_figures(
    config: &Config,
    held: &HashMap<&str, &Meeting>,
    counts: &HashMap<&str, [usize; 3]>,
) -> BTreeMap<String, BodyFigures> {
    let mut bodies = BTreeMap::new();
    for body in crate::governance::bodies(config) {
        let meetings = held.values().filter(|m| m.body == body.key).count();
        let [present, excused, absent] = counts.get(body.key.as_str()).copied().unwrap_or_default();
        let total = present + excused + absent;
        bodies.insert(
            body.key.clone(),
            BodyFigures {
                held: meetings,
                required_min: body.min_meetings_per_year,
                attendance_rate: (total > 0).then(|| round3(present as f64 / total as f64)),
                present,
                excused,
                absent,
            },
        );
    }
    bodies
}

/// The `bodies` of `report annual --json` for `year` as of `today`, without
/// the attendance (its rate is None): the meetings held against each
/// body's minimum, as the year at a glance shows them.
pub fn meetings_held(
    config: &Config,
    meetings: &[MeetingRecord],
    year: i32,
    today: NaiveDate,
) -> BTreeMap<String, BodyFigures> {
    body_figures(config, &held_in(meetings, year, today), &HashMap::new())
}

/// Members (not former, with a counted signature) at the end of each month
/// of `year` that has begun by `today`, counted as of that day or today if
/// earlier.
fn membership(
    year: i32,
    statuses: &[StatusEntry],
    today: NaiveDate,
    standing: impl Fn(NaiveDate) -> Standing,
) -> Vec<MonthCount> {
    let mut out = Vec::new();
    let mut current: HashMap<&str, Status> = HashMap::new();
    let mut next = 0;
    for month in 1..=12 {
        let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else { continue };
        if first > today {
            break;
        }
        let end = first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
        let cut = end.min(today);
        while let Some(e) = statuses.get(next)
            && e.at <= cut
        {
            current.insert(e.enterprise_number.as_str(), e.status);
            next += 1;
        }
        let signed = standing(cut);
        let members = current.iter().filter(|(n, s)| **s != Status::Former && signed.has_signed(n)).count();
        out.push(MonthCount { month: format!("{year}-{month:02}"), members });
    }
    out
}

fn year_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
