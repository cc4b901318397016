//! `adherence-missing`: a declared member or partner with no signature of
//! the current charter on record. `adherence-outdated`: one whose latest
//! signature is of an older version. `adherence-overdue`: one the adhesion
//! workflow escalated (no signed return after its delay), until it signs.

use super::{Evidence, Facts, Flag};

pub fn check(facts: &Facts<'_>, flags: &mut Vec<Flag>) {
    let current = &facts.config.charter.version;
    for m in facts.members {
        let o = &m.organisation;
        if !o.status.expects_signature() {
            continue;
        }
        let (rule, text) = match m.signed_version.as_deref() {
            Some(v) if v == current => continue,
            Some(v) => (
                "adherence-outdated",
                format!(
                    "declared {} on the roster; its signature is of charter {v}, the current one is {current}",
                    o.status
                ),
            ),
            None => (
                "adherence-missing",
                format!("declared {} on the roster; no signature of charter {current} is recorded", o.status),
            ),
        };
        flags.push(Flag {
            rule,
            enterprise_number: Some(o.enterprise_number.formatted()),
            name: o.name.clone(),
            evidence: vec![Evidence { seq: None, date: Some(facts.config.charter.adopted), text }],
            since: facts.config.charter.adopted,
        });
    }
}

/// The escalations of the adhesion workflow still standing: the
/// organisation has not signed the version it was asked to sign.
pub fn overdue(facts: &Facts<'_>, flags: &mut Vec<Flag>) {
    let current = &facts.config.charter.version;
    for r in facts.raised.iter().filter(|r| r.rule == "adherence-overdue") {
        let version = r.subject.rsplit_once('@').map_or(current.as_str(), |(_, v)| v);
        let Some(m) = facts.members.iter().find(|m| m.organisation.enterprise_number.digits() == r.enterprise_number)
        else {
            continue;
        };
        if version != current
            || m.signed_version.as_deref() == Some(current)
            || m.organisation.status == crate::roster::Status::Former
            || !facts.in_year(r.at)
        {
            continue;
        }
        flags.push(Flag {
            rule: "adherence-overdue",
            enterprise_number: Some(m.organisation.enterprise_number.formatted()),
            name: m.organisation.name.clone(),
            evidence: vec![Evidence { seq: Some(r.seq), date: Some(r.at), text: r.evidence.clone() }],
            since: r.at,
        });
    }
}
