//! `mail-bounced`: a message the mail server refused for good (an address
//! that no longer exists). `notice-too-short`: a convocation sent with less
//! notice than the body's rule (`charte convoke --late`).

use super::{Evidence, Facts, Flag};

pub fn check(facts: &Facts<'_>, flags: &mut Vec<Flag>) {
    for m in facts.messages.iter().filter(|m| m.state == crate::delivery::MessageState::Bounced) {
        let date = m.at;
        if !facts.in_year(date) {
            continue;
        }
        flags.push(Flag {
            rule: "mail-bounced",
            enterprise_number: crate::roster::EnterpriseNumber::parse(&m.enterprise_number).ok().map(|n| n.formatted()),
            // A mail to no organisation (the funder's report): named by
            // what it carried.
            name: if m.enterprise_number.is_empty() {
                m.about.clone()
            } else {
                facts.member_name(&m.enterprise_number)
            },
            evidence: vec![{
                let reason = m.reason.as_deref().unwrap_or("-");
                // An address erased since (charte erase) is not named.
                let (en, fr, nl) = match &m.address {
                    Some(a) => (a.clone(), format!("l'adresse {a}"), format!("het adres {a}")),
                    None => ("an erased address".into(), "une adresse effacée".into(), "een gewist adres".into()),
                };
                match reason.strip_prefix(crate::delivery::REPORTED) {
                    // A delivery report read from the mailbox: anyone can
                    // write one, so the flag says it is a report.
                    Some(status) => Evidence::new(
                        Some(m.seq),
                        Some(date),
                        format!("a delivery report says {en} did not receive {} (status {status})", m.about),
                        format!(
                            "un avis de non-distribution reçu par la coordination dit que le courriel n'a pas \
                             atteint {fr} (code {status}) : à vérifier avec l'organisation"
                        ),
                        format!(
                            "een melding van niet-aflevering die de coördinatie ontving, zegt dat de e-mail \
                             {nl} niet bereikte (code {status}): na te gaan met de organisatie"
                        ),
                    ),
                    None => Evidence::new(
                        Some(m.seq),
                        Some(date),
                        format!("{en} refused for {} ({reason})", m.about),
                        format!("le serveur de courrier a refusé {fr} ({reason})"),
                        format!("de mailserver weigerde {nl} ({reason})"),
                    ),
                }
            }],
            since: date,
        });
    }
    for late in facts.late {
        let date = late.at;
        if !facts.in_year(date) {
            continue;
        }
        flags.push(Flag {
            rule: "notice-too-short",
            enterprise_number: None,
            name: late.meeting.clone(),
            evidence: vec![Evidence::new(
                Some(late.seq),
                Some(date),
                format!("convoked with {} clear days instead of {}: {}", late.clear_days, late.required, late.reason),
                format!(
                    "convoquée avec {} jours francs au lieu de {} : {}",
                    late.clear_days, late.required, late.reason
                ),
                format!(
                    "bijeengeroepen met {} volle dagen in plaats van {}: {}",
                    late.clear_days, late.required, late.reason
                ),
            )],
            since: date,
        });
    }
}
