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
        use crate::roster::Language::{Fr, Nl};
        let (fr, nl) = (o.status.name(Fr), o.status.name(Nl));
        let (rule, evidence) = match m.signed_version.as_deref() {
            Some(v) if v == current => continue,
            Some(v) => (
                "adherence-outdated",
                Evidence::new(
                    None,
                    Some(facts.config.charter.adopted),
                    format!(
                        "declared {} on the roster; its signature is of charter {v}, the current one is {current}",
                        o.status
                    ),
                    format!(
                        "inscrite comme {fr} ; sa signature porte sur la charte {v}, la version en vigueur est la {current}"
                    ),
                    format!(
                        "ingeschreven als {nl}; haar handtekening geldt voor charter {v}, de geldende versie is {current}"
                    ),
                ),
            ),
            None => (
                "adherence-missing",
                Evidence::new(
                    None,
                    Some(facts.config.charter.adopted),
                    format!("declared {} on the roster; no signature of charter {current} is recorded", o.status),
                    format!("inscrite comme {fr} ; aucune signature de la charte {current} n'est enregistrée"),
                    format!("ingeschreven als {nl}; er is geen handtekening van charter {current} geregistreerd"),
                ),
            ),
        };
        flags.push(Flag {
            rule,
            enterprise_number: Some(o.enterprise_number.formatted()),
            name: o.name.clone(),
            evidence: vec![evidence],
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
            evidence: vec![Evidence::new(
                Some(r.seq),
                Some(r.at),
                r.evidence.clone(),
                r.evidence_fr.clone(),
                r.evidence_nl.clone(),
            )],
            since: r.at,
        });
    }
}
