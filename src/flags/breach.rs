//! `breach-reported`: the committee noted that an organisation did not
//! practise the charter's principles (`charte breach report ID --about ..`);
//! each breach is evidence, and the flag leads to an interpellation.

use std::collections::BTreeMap;

use super::{Evidence, Facts, Flag};

pub fn check(facts: &Facts<'_>, flags: &mut Vec<Flag>) {
    let mut per_org: BTreeMap<&str, Vec<Evidence>> = BTreeMap::new();
    for b in facts.breaches {
        if !facts.in_year(b.at) {
            continue;
        }
        per_org.entry(b.enterprise_number.as_str()).or_default().push(Evidence::quoted(
            Some(b.seq),
            Some(b.at),
            &b.about,
        ));
    }
    for (digits, evidence) in per_org {
        let since = evidence.iter().filter_map(|e| e.date).min().unwrap_or(facts.today);
        flags.push(Flag {
            rule: "breach-reported",
            enterprise_number: crate::roster::EnterpriseNumber::parse(digits).ok().map(|n| n.formatted()),
            name: facts.member_name(digits),
            evidence,
            since,
        });
    }
}
