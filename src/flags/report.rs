//! `report-not-sent`: a report the funder was due to receive by `[funder]
//! annual_due` / `subsidy_due` and that was not sent (the annual-report
//! workflow's `deliver` step raises it once the day has passed, DESIGN.md
//! "[funder]"). It stays until a mail carrying that year's report is
//! accepted by a mail server (written to the outbox is not enough: sent on
//! from there, relayed): each report mail's Message-ID begins with
//! `report.KIND.YEAR.` (crate::report::mail_key), the flag's subject
//! `KIND.YEAR`.

use super::{Facts, Flag};

/// The rule's name.
pub const REPORT_NOT_SENT: &str = "report-not-sent";

/// The flag's subject for the report of kind `code` ("annual-report") and `year`.
pub fn not_sent_subject(code: &str, year: i32) -> String {
    format!("{code}.{year}")
}

/// The flag's name: the report in words and its year, in French as the
/// coordination's other flags name their body ("Rapport annuel
/// d'évaluation 2026"); the subject itself if it is none of ours.
fn named(subject: &str) -> String {
    let found = [crate::report::Kind::Annual, crate::report::Kind::Subsidy].into_iter().find_map(|kind| {
        let year = subject.strip_prefix(kind.code())?.strip_prefix('.')?;
        Some((kind, year))
    });
    match found {
        Some((kind, year)) => format!("{} {year}", kind.title(crate::roster::Language::Fr)),
        None => subject.to_owned(),
    }
}

pub fn check(facts: &Facts<'_>, flags: &mut Vec<Flag>) {
    let mut seen = std::collections::HashSet::new();
    for r in facts.raised.iter().filter(|r| r.rule == REPORT_NOT_SENT) {
        if !seen.insert(r.subject.as_str()) || !facts.in_year(r.at) {
            continue;
        }
        let prefix = format!("report.{}.", r.subject);
        let outbox = facts.config.mail_to_outbox();
        let sent = facts.messages.iter().any(|m| m.reached_server(outbox) && m.message_id.starts_with(&prefix));
        if sent {
            continue;
        }
        flags.push(Flag {
            rule: REPORT_NOT_SENT,
            enterprise_number: None,
            name: named(&r.subject),
            evidence: vec![r.evidence()],
            since: r.at,
        });
    }
}
