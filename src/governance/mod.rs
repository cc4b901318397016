//! Governance: the bodies of the network (plenary, committee, working
//! groups) with their rules, their meetings, the notice period owed before
//! each, and attendance.

pub mod attendance;
pub mod convoke;
pub mod election;
pub mod meeting;
pub mod notice;
pub mod standing;
pub mod vote;

use crate::config::{Config, Majority, Voters};
use crate::roster::{Language, Member, Status};

/// A body and its rules, whichever table of charte.toml they come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// `plenary`, `committee` or a working group's key.
    pub key: String,
    pub name_fr: String,
    pub name_nl: String,
    pub min_meetings_per_year: u32,
    pub notice_clear_days: u32,
    pub receipt_days: u32,
    pub voters: Voters,
    pub majority: Majority,
    pub casting_vote: Option<String>,
}

impl Body {
    pub fn name(&self, lang: Language) -> &str {
        match lang {
            Language::Fr => &self.name_fr,
            Language::Nl => &self.name_nl,
        }
    }

    pub fn is_working_group(&self) -> bool {
        self.key != "plenary" && self.key != "committee"
    }
}

/// Every body of the workspace: plenary, committee, then working groups.
pub fn bodies(config: &Config) -> Vec<Body> {
    let p = &config.bodies.plenary;
    let c = &config.bodies.committee;
    let mut out = vec![
        Body {
            key: "plenary".into(),
            name_fr: p.name_fr.clone(),
            name_nl: p.name_nl.clone(),
            min_meetings_per_year: p.min_meetings_per_year,
            notice_clear_days: p.notice_clear_days,
            receipt_days: p.receipt_days,
            voters: p.voters,
            majority: p.majority,
            casting_vote: p.casting_vote.clone(),
        },
        Body {
            key: "committee".into(),
            name_fr: c.name_fr.clone(),
            name_nl: c.name_nl.clone(),
            min_meetings_per_year: c.min_meetings_per_year,
            notice_clear_days: c.notice_clear_days,
            receipt_days: c.receipt_days,
            voters: c.voters,
            majority: c.majority,
            casting_vote: c.casting_vote.clone(),
        },
    ];
    for (key, wg) in &config.working_groups {
        out.push(Body {
            key: key.clone(),
            name_fr: wg.name_fr.clone(),
            name_nl: wg.name_nl.clone(),
            min_meetings_per_year: wg.min_meetings_per_year,
            notice_clear_days: wg.notice_clear_days,
            receipt_days: wg.receipt_days,
            voters: Voters::Members,
            majority: Majority::Simple,
            casting_vote: None,
        });
    }
    out
}

/// Finds a body by key (case aside), or says which keys exist.
pub fn body(config: &Config, key: &str) -> Result<Body, String> {
    let all = bodies(config);
    let wanted = key.trim().to_lowercase();
    all.iter().find(|b| b.key.to_lowercase() == wanted).cloned().ok_or_else(|| {
        format!(
            "unknown body '{key}' (this workspace has: {})",
            all.iter().map(|b| b.key.as_str()).collect::<Vec<_>>().join(", ")
        )
    })
}

/// Who a body convokes (DESIGN.md): the plenary every organisation but
/// former ones; the committee the organisations of its seats; a working
/// group its members.
pub fn convoked<'a>(config: &Config, body: &Body, members: &'a [Member]) -> Vec<&'a Member> {
    let active = |m: &&Member| m.organisation.status != Status::Former;
    match body.key.as_str() {
        "plenary" => members.iter().filter(active).collect(),
        "committee" => {
            let seats: Vec<&str> = config.bodies.committee.seats.iter().map(|s| s.enterprise_number.digits()).collect();
            members.iter().filter(|m| seats.contains(&m.organisation.enterprise_number.digits())).collect()
        }
        key => {
            let wg: Vec<&str> = config
                .working_groups
                .get(key)
                .map(|w| w.members.iter().map(|n| n.digits()).collect())
                .unwrap_or_default();
            members.iter().filter(|m| wg.contains(&m.organisation.enterprise_number.digits())).filter(active).collect()
        }
    }
}
