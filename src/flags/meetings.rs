//! `meetings-below-minimum`: a body that met fewer times in a year than its
//! rules require. For a year still running, the meetings already scheduled
//! count: the flag rises only when even they cannot reach the minimum.

use chrono::{Datelike, NaiveDate};

use super::{Evidence, Facts, Flag};

pub fn check(facts: &Facts<'_>, flags: &mut Vec<Flag>) {
    let year = facts.year.unwrap_or_else(|| facts.today.year());
    let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) else {
        return;
    };
    if facts.today < first {
        return;
    }
    for body in crate::governance::bodies(facts.config) {
        if body.min_meetings_per_year == 0 {
            continue;
        }
        let planned: Vec<_> = facts
            .meetings
            .iter()
            .filter(|(m, cancelled)| cancelled.is_none() && m.body == body.key && m.date.year() == year)
            .map(|(m, _)| m)
            .collect();
        if planned.len() as u32 >= body.min_meetings_per_year {
            continue;
        }
        let held = planned.iter().filter(|m| m.date <= facts.today).count();
        flags.push(Flag {
            rule: "meetings-below-minimum",
            enterprise_number: None,
            name: body.name_fr.clone(),
            evidence: vec![Evidence::new(
                None,
                Some(last.min(facts.today)),
                format!(
                    "{} requires {} meetings in {year}; {held} held, {} scheduled in all",
                    body.key,
                    body.min_meetings_per_year,
                    planned.len()
                ),
                format!(
                    "{} : {} réunions requises en {year} ; {held} tenues, {} prévues en tout",
                    body.name_fr,
                    body.min_meetings_per_year,
                    planned.len()
                ),
                format!(
                    "{}: {} vergaderingen vereist in {year}; {held} gehouden, {} gepland in totaal",
                    body.name_nl,
                    body.min_meetings_per_year,
                    planned.len()
                ),
            )],
            since: last.min(facts.today),
        });
    }
}
