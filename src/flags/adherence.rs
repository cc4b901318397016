//! `adherence-missing`: a declared member or partner with no signature of
//! the current charter on record. `adherence-outdated`: one whose latest
//! signature is of an older version. `adherence-overdue`: one the adhesion
//! workflow escalated (no signed return after its delay), until it signs.

use super::{Evidence, Facts, Flag};

pub fn check(facts: &Facts<'_>, flags: &mut Vec<Flag>) {
    let current = &facts.config.charter.version;
    let adopted = facts.config.charter.adopted;
    for m in facts.members {
        let o = &m.organisation;
        if !o.status.expects_signature() {
            continue;
        }
        use crate::roster::Language::{Fr, Nl};
        let (fr, nl) = (o.status.name(Fr), o.status.name(Nl));
        let digits = o.enterprise_number.digits();
        let rule = match m.signed_version.as_deref() {
            Some(v) if v == current => continue,
            Some(_) => "adherence-outdated",
            None => "adherence-missing",
        };
        // The facts began on the later of the version's adoption and the
        // day the organisation was declared a member (DESIGN.md).
        let declared = facts.declared.get(digits).copied();
        let since = declared.map_or(adopted, |(_, d)| d.max(adopted));
        let mut evidence = Vec::new();
        if let Some((seq, day)) = declared {
            let (dfr, dnl) = super::dates(day);
            evidence.push(Evidence::new(
                Some(seq),
                Some(day),
                format!("declared {} on the roster on {day}", o.status),
                format!("inscrite comme {fr} au répertoire le {dfr}"),
                format!("ingeschreven als {nl} in het register op {dnl}"),
            ));
        }
        let (afr, anl) = super::dates(adopted);
        evidence.push(match m.signed_version.as_deref() {
            Some(v) => Evidence::new(
                None,
                Some(adopted),
                format!("its signature is of charter {v}; charter {current}, adopted on {adopted}, is in force"),
                format!(
                    "sa signature porte sur la charte {v} ; la version {current}, adoptée le {afr}, est en vigueur"
                ),
                format!(
                    "haar handtekening geldt voor charter {v}; versie {current}, aangenomen op {anl}, is van kracht"
                ),
            ),
            None => Evidence::new(
                None,
                Some(adopted),
                format!("no signature of charter {current} (adopted on {adopted}) is recorded"),
                format!("aucune signature de la charte {current} (adoptée le {afr}) n'est enregistrée"),
                format!("er is geen handtekening van charter {current} (aangenomen op {anl}) geregistreerd"),
            ),
        });
        let mail_seq = facts.first_adherence_mail(digits).map(|(seq, _)| seq);
        match facts.mailed(digits) {
            super::Mailed::Never => evidence.push(Evidence::new(
                None,
                None,
                "the adherence document was never sent to it: send it before anything else".to_owned(),
                "l'acte d'adhésion ne lui a pas encore été envoyé".to_owned(),
                "het toetredingsdocument werd haar nog niet toegestuurd".to_owned(),
            )),
            super::Mailed::Waiting { sent, until } => {
                // `until` is the first day past the delay: the last day to return it is the day before.
                let until = until.pred_opt().unwrap_or(until);
                let (sfr, snl) = super::dates(sent);
                let (ufr, unl) = super::dates(until);
                evidence.push(Evidence::new(
                    mail_seq,
                    Some(sent),
                    format!("adherence document sent on {sent}: waiting for its return until {until}"),
                    format!("acte d'adhésion envoyé le {sfr} : retour attendu jusqu'au {ufr}"),
                    format!("toetredingsdocument verstuurd op {snl}: terugzending verwacht tot {unl}"),
                ));
            }
            super::Mailed::Overdue { sent } => {
                let (sfr, snl) = super::dates(sent);
                evidence.push(Evidence::new(
                    mail_seq,
                    Some(sent),
                    format!("adherence document sent on {sent}, not returned signed within the delay"),
                    format!("acte d'adhésion envoyé le {sfr}, non revenu signé dans le délai"),
                    format!("toetredingsdocument verstuurd op {snl}, niet ondertekend teruggekomen binnen de termijn"),
                ));
            }
        }
        flags.push(Flag {
            rule,
            enterprise_number: Some(o.enterprise_number.formatted()),
            name: o.name.clone(),
            evidence,
            since,
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
            evidence: vec![r.evidence()],
            since: r.at,
        });
    }
}
