//! `absences`: an organisation absent without excuse from N consecutive
//! meetings (charte.toml `[flags] absences_threshold`, default 3) of the
//! bodies named in `absences_bodies` (default: the plenary). An excused
//! absence neither counts nor breaks the run; a presence ends it.

use std::collections::BTreeMap;

use super::{Evidence, Facts, Flag};
use crate::governance::attendance::Presence;

pub fn check(facts: &Facts<'_>, flags: &mut Vec<Flag>) {
    let rules = &facts.config.flags;
    let threshold = rules.absences_threshold.max(1) as usize;
    let meetings: BTreeMap<&str, &crate::governance::meeting::Meeting> = facts
        .meetings
        .iter()
        .filter(|r| r.cancelled.is_none() && rules.absences_bodies.contains(&r.meeting.body))
        .map(|r| (r.meeting.id.as_str(), &r.meeting))
        .collect();
    // Per organisation, its lines at those meetings, in date order.
    let mut per_org: BTreeMap<&str, Vec<(&crate::governance::meeting::Meeting, Presence, i64)>> = BTreeMap::new();
    for r in facts.attendance {
        let a = &r.attendance;
        if let Some(m) = meetings.get(a.meeting.as_str()) {
            per_org.entry(a.enterprise_number.digits()).or_default().push((m, a.status, r.seq));
        }
    }
    for (digits, mut lines) in per_org {
        lines.sort_by_key(|(m, _, _)| (m.date, m.time));
        // An organisation present through any of its people was present.
        lines.dedup_by(|b, a| {
            if a.0.id == b.0.id {
                if b.1 == Presence::Present || (b.1 == Presence::Excused && a.1 == Presence::Absent) {
                    a.1 = b.1;
                }
                true
            } else {
                false
            }
        });
        let mut run: Vec<&(&crate::governance::meeting::Meeting, Presence, i64)> = Vec::new();
        let mut worst: Option<Vec<_>> = None;
        for line in &lines {
            match line.1 {
                Presence::Absent => run.push(line),
                Presence::Excused => {}
                Presence::Present => run.clear(),
            }
            if run.len() >= threshold {
                worst = Some(run.clone());
            }
        }
        let Some(run) = worst else { continue };
        if !run.iter().any(|(m, _, _)| facts.in_year(m.date)) {
            continue;
        }
        let since = run[threshold - 1].0.date;
        flags.push(Flag {
            rule: "absences",
            enterprise_number: crate::roster::EnterpriseNumber::parse(digits).ok().map(|n| n.formatted()),
            name: facts.member_name(digits),
            evidence: run
                .iter()
                .map(|(m, _, seq)| {
                    let (fr, nl) = super::dates(m.date);
                    let body = crate::governance::body(facts.config, &m.body).ok();
                    let name = |lang| body.as_ref().map_or(m.body.clone(), |b| b.name(lang).to_owned());
                    Evidence::new(
                        Some(*seq),
                        Some(m.date),
                        format!("absent without excuse from {} ({})", m.id, m.date),
                        format!("absence non excusée : {}, {fr}", name(crate::roster::Language::Fr)),
                        format!("afwezig zonder verontschuldiging: {}, {nl}", name(crate::roster::Language::Nl)),
                    )
                })
                .collect(),
            since,
        });
    }
}
