//! `meetings-below-minimum`: a body that met fewer times in a year than its
//! rules require. It is a flag only once the year is over (DESIGN.md); for
//! a year still running, the coordinator sees a warning when even the
//! meetings already scheduled cannot reach the minimum.

use chrono::{Datelike, NaiveDate};

use super::{Evidence, Facts, Flag};

/// A body's shortfall in a year: its rule, the meetings held by today and
/// those scheduled (held or not, not cancelled).
#[derive(Debug, Clone)]
pub struct Shortfall {
    pub body: crate::governance::Body,
    pub held: usize,
    pub scheduled: usize,
}

/// The bodies whose meetings scheduled in `year` (held or not, not
/// cancelled) are fewer than their rules' minimum.
pub fn shortfalls(facts: &Facts<'_>, year: i32) -> Vec<Shortfall> {
    let mut out = Vec::new();
    for body in crate::governance::bodies(facts.config) {
        if body.min_meetings_per_year == 0 {
            continue;
        }
        let planned: Vec<_> = facts
            .meetings
            .iter()
            .filter(|r| r.cancelled.is_none() && r.meeting.body == body.key && r.meeting.date.year() == year)
            .map(|r| &r.meeting)
            .collect();
        if planned.len() as u32 >= body.min_meetings_per_year {
            continue;
        }
        let held = planned.iter().filter(|m| m.date <= facts.today).count();
        out.push(Shortfall { body, held, scheduled: planned.len() });
    }
    out
}

pub fn check(facts: &Facts<'_>, flags: &mut Vec<Flag>) {
    let year = facts.year.unwrap_or_else(|| facts.today.year() - 1);
    let Some(last) = NaiveDate::from_ymd_opt(year, 12, 31) else { return };
    // Only a year that is over, and in which the journal was kept.
    if facts.today <= last || year < facts.opened.year() {
        return;
    }
    for s in shortfalls(facts, year) {
        let (body, held, min) = (&s.body, s.held, s.body.min_meetings_per_year);
        flags.push(Flag {
            rule: "meetings-below-minimum",
            enterprise_number: None,
            name: body.name_fr.clone(),
            evidence: vec![Evidence::new(
                None,
                Some(last),
                format!("{} requires {min} meetings in {year}; {held} held", body.key),
                format!("{} : {min} réunions requises en {year} ; {}", body.name_fr, held_fr(held)),
                format!("{}: {min} vergaderingen vereist in {year}; {held} gehouden", body.name_nl),
            )],
            since: last,
        });
    }
}

/// For the year running: bodies whose scheduled meetings cannot reach
/// their minimum (a warning for the coordinator, not yet a flag).
pub fn warnings(facts: &Facts<'_>) -> Vec<String> {
    let year = facts.year.unwrap_or_else(|| facts.today.year());
    let Some(last) = NaiveDate::from_ymd_opt(year, 12, 31) else { return Vec::new() };
    if facts.today > last || facts.today.year() != year {
        return Vec::new();
    }
    shortfalls(facts, year)
        .into_iter()
        .map(|s| {
            format!(
                "the {} requires {} meetings in {year}: {} held and {} scheduled in all so far \
                 (schedule more with `charte meeting add`; a flag only once the year is over)",
                s.body.key, s.body.min_meetings_per_year, s.held, s.scheduled
            )
        })
        .collect()
}

fn held_fr(held: usize) -> String {
    match held {
        0 => "aucune tenue".to_owned(),
        1 => "1 tenue".to_owned(),
        n => format!("{n} tenues"),
    }
}
