//! The committee's composition as it stands (charte.toml's ex-officio seats,
//! and the elected seats of the latest election, else charte.toml's; see
//! `governance::election::apply_elected_seats`):
//! `committee-one-per-institution` (two elected seats from one
//! institution), `committee-not-in-working-group` (an elected member whose
//! institution sits in no working group), `committee-mandate-expired`.

use super::{Evidence, Facts, Flag};
use crate::config::SeatKind;

pub fn check(facts: &Facts<'_>, flags: &mut Vec<Flag>) {
    let rules = &facts.config.bodies.committee;
    let elected: Vec<_> = rules.seats.iter().filter(|s| s.kind == SeatKind::Elected).collect();
    // An elected seat cites the journal entry of the election's result; a
    // seat written in charte.toml holds since the workspace began.
    let seat_evidence = |seat: &crate::config::Seat, text: String, fr: String, nl: String| {
        Evidence::new(seat.recorded, seat.since, text, fr, nl)
    };
    let since_default = facts.opened;
    if rules.one_per_institution {
        for (i, seat) in elected.iter().enumerate() {
            if let Some(first) = elected[..i].iter().find(|s| s.enterprise_number == seat.enterprise_number) {
                flags.push(Flag {
                    rule: "committee-one-per-institution",
                    enterprise_number: Some(seat.enterprise_number.formatted()),
                    name: facts.member_name(seat.enterprise_number.digits()),
                    evidence: vec![seat_evidence(
                        seat,
                        format!("elected seats of {} and {} come from the same institution", first.person, seat.person),
                        format!(
                            "les sièges élus de {} et de {} relèvent de la même institution",
                            first.person, seat.person
                        ),
                        format!(
                            "de verkozen zetels van {} en {} horen bij dezelfde instelling",
                            first.person, seat.person
                        ),
                    )],
                    since: seat.since.unwrap_or(since_default),
                });
            }
        }
    }
    if rules.elected_must_sit_in_working_group {
        for seat in &elected {
            if !facts.config.sits_in_a_working_group(&seat.enterprise_number) {
                flags.push(Flag {
                    rule: "committee-not-in-working-group",
                    enterprise_number: Some(seat.enterprise_number.formatted()),
                    name: facts.member_name(seat.enterprise_number.digits()),
                    evidence: vec![seat_evidence(
                        seat,
                        format!("{} holds an elected seat; the institution sits in no working group", seat.person),
                        format!(
                            "{} occupe un siège élu ; son institution ne participe à aucun groupe de travail",
                            seat.person
                        ),
                        format!(
                            "{} bekleedt een verkozen zetel; de instelling neemt aan geen werkgroep deel",
                            seat.person
                        ),
                    )],
                    since: seat.since.unwrap_or(since_default),
                });
            }
        }
    }
    for seat in &elected {
        if let Some(until) = seat.until
            && until < facts.today
        {
            flags.push(Flag {
                rule: "committee-mandate-expired",
                enterprise_number: Some(seat.enterprise_number.formatted()),
                name: facts.member_name(seat.enterprise_number.digits()),
                evidence: vec![{
                    let (fr, nl) = super::dates(until);
                    seat_evidence(
                        seat,
                        format!("the mandate of {} ended on {until}", seat.person),
                        format!("le mandat de {} a pris fin le {fr}", seat.person),
                        format!("het mandaat van {} liep af op {nl}", seat.person),
                    )
                }],
                since: until.succ_opt().unwrap_or(until),
            });
        }
    }
}
