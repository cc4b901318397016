//! `adherence-missing`: a declared member or partner with no signature of
//! the current charter on record. `adherence-outdated`: one whose latest
//! signature is of an older version.

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
