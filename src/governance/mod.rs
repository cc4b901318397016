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

use crate::config::{BodyRules, Config, Majority, Voters};
use crate::roster::{Language, Member, Status};

/// A body and its rules, whichever table of charte.toml they come from:
/// the rules are read through the body (`body.notice_clear_days`), the key
/// is what meetings are filed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// `plenary`, `committee` or a working group's key.
    pub key: String,
    pub rules: BodyRules,
}

impl std::ops::Deref for Body {
    type Target = BodyRules;
    fn deref(&self) -> &BodyRules {
        &self.rules
    }
}

impl Body {
    /// The body `key` under `rules`.
    pub fn new(key: &str, rules: &BodyRules) -> Body {
        Body { key: key.to_owned(), rules: rules.clone() }
    }

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

/// Every body of the workspace: plenary, committee, then working groups
/// (which meet and are convoked like the others, and vote as members
/// present, by simple majority, with no casting vote).
pub fn bodies(config: &Config) -> Vec<Body> {
    let mut out =
        vec![Body::new("plenary", &config.bodies.plenary), Body::new("committee", &config.bodies.committee.body)];
    for (key, wg) in &config.working_groups {
        out.push(Body::new(
            key,
            &BodyRules {
                name_fr: wg.name_fr.clone(),
                name_nl: wg.name_nl.clone(),
                min_meetings_per_year: wg.min_meetings_per_year,
                notice_clear_days: wg.notice_clear_days,
                receipt_days: wg.receipt_days,
                voters: Voters::Members,
                majority: Majority::Simple,
                casting_vote: None,
            },
        ));
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
