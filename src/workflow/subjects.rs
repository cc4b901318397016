//! Who a workflow is about today: the subjects that entered it before (the
//! journal remembers them, even once they stop matching, so their state can
//! still be shown) and the ones that match its selector now.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};

use super::definition::{Subjects, Workflow};
use super::plan::Subject;
use crate::config::Config;
use crate::error::Result;
use crate::journal::Store;
use crate::roster::Status;

/// A subject and whether it enters the workflow with this run.
#[derive(Debug, Clone)]
pub struct Found {
    pub subject: Subject,
    pub new: bool,
}

/// The subjects of `workflow` as of `today`, in a stable order.
pub fn gather(store: &Store, config: &Config, workflow: &Workflow, today: NaiveDate) -> Result<Vec<Found>> {
    let known = store.workflow_subjects(&workflow.name)?;
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    let mut add =
        |id: String, label: String, number: Option<String>, start: NaiveDate, deadline, met, candidate: bool| {
            let (label, start, new) = match known.get(&id) {
                Some(s) => (s.label.clone(), s.entered, false),
                None if candidate => (label, start, true),
                None => return,
            };
            found.insert(
                id.clone(),
                Found { subject: Subject { id, label, enterprise_number: number, start, deadline, met }, new },
            );
        };
    match workflow.subjects {
        Subjects::UnsignedOrganisations => {
            let version = &config.charter.version;
            let mut signed: HashMap<String, NaiveDate> = HashMap::new();
            // Only adherences that count end the wait: a return waiting for
            // the coordinator's confirmation (or rejected, or revoked) is
            // not among them, so the await step goes on waiting for it.
            for a in store.adherences()? {
                if &a.charter_version == version
                    && let Ok(day) = a.collected.parse::<NaiveDate>()
                {
                    signed.entry(a.enterprise_number.clone()).and_modify(|d| *d = (*d).min(day)).or_insert(day);
                }
            }
            for m in store.members()? {
                let o = &m.organisation;
                let digits = o.enterprise_number.digits().to_owned();
                if o.status == Status::Former {
                    continue; // left the network: nothing more to send
                }
                let met = signed.get(&digits).copied();
                add(format!("{digits}@{version}"), o.name.clone(), Some(digits), today, None, met, met.is_none());
            }
        }
        Subjects::UpcomingMeetings => {
            for r in store.meetings()? {
                if r.cancelled.is_some() {
                    continue;
                }
                let m = r.meeting;
                let body = crate::governance::body(config, &m.body).map_err(crate::Error::Usage)?;
                let deadline =
                    crate::governance::notice::last_sending_day(m.date, body.notice_clear_days, body.receipt_days);
                let label = format!("{} {}", m.body, m.date);
                add(m.id.clone(), label, None, today, deadline, None, m.date >= today);
            }
        }
        Subjects::Years => {
            let first = store.date_span()?.map_or(today.year(), |span| span.first.year());
            for year in first..=today.year() {
                let Some(end) = NaiveDate::from_ymd_opt(year, 12, 31) else { continue };
                if end <= today {
                    add(year.to_string(), format!("the year {year}"), None, end, None, None, true);
                }
            }
        }
        Subjects::Flags => {
            let loaded = crate::flags::Loaded::load_for(store, config, None)?;
            let flags = crate::flags::evaluate(&loaded.facts(config, today, None));
            let statuses = store.flag_statuses()?;
            let resolved =
                |key: &str| statuses.get(key).filter(|s| s.status == crate::flags::Status::Resolved).map(|s| s.at);
            for f in &flags {
                let Some(number) = &f.enterprise_number else { continue };
                let key = f.key();
                let met = resolved(&key);
                let digits: String = number.chars().filter(char::is_ascii_digit).collect();
                add(key, format!("{} — {}", f.rule, f.name), Some(digits), today, None, met, met.is_none());
            }
            // A flag that no longer shows (its cause went away) ends its wait.
            for (id, s) in &known {
                if !found.contains_key(id) {
                    let met = resolved(id).or(Some(today));
                    let number = id.split(':').nth(1).map(|n| n.chars().filter(char::is_ascii_digit).collect());
                    found.insert(
                        id.clone(),
                        Found {
                            subject: Subject {
                                id: id.clone(),
                                label: s.label.clone(),
                                enterprise_number: number,
                                start: s.entered,
                                deadline: None,
                                met,
                            },
                            new: false,
                        },
                    );
                }
            }
        }
    }
    Ok(found.into_values().collect())
}
