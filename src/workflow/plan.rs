//! Where a subject stands in a workflow, and which steps are due today: a
//! pure function of the workflow, the subject, what the journal says was
//! done, and the awaited condition. The runner executes what is due,
//! records it, and asks again (a step due right after another runs the
//! same day).
//!
//! The rules (docs/workflows.md):
//! - a step's reference date is the latest completion of the steps it
//!   follows (the subject's start for a first step), plus its `delay_days`;
//! - a step after an `await` runs while the wait lasts: its reference is
//!   the day the wait began, and it is skipped once the condition is met;
//! - a `remind` step sends its attempts `repeat_days` apart;
//! - a `convoke` step is due `margin_days` before the subject's deadline
//!   (the last day the notice period allows) and is missed after it.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use super::definition::{Kind, Workflow};

/// A subject, as the runner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Stable id: `0123456749@2022-02`, a meeting id, a year, a flag key.
    pub id: String,
    /// For people: the organisation's name, the meeting, the year.
    pub label: String,
    /// The organisation concerned (10 digits), if any.
    pub enterprise_number: Option<String>,
    /// When it entered the workflow (its first steps count from there).
    pub start: NaiveDate,
    /// The last day a `convoke` step may run (meetings).
    pub deadline: Option<NaiveDate>,
    /// When the awaited condition came true, if it has.
    pub met: Option<NaiveDate>,
}

/// A step's state for one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Its prerequisites are not done.
    Blocked,
    /// Will be due on that day (attempt).
    Pending { on: NaiveDate, attempt: u32 },
    /// Due today or overdue: run it.
    Due { attempt: u32 },
    /// Every attempt done; the last one on that day.
    Done { on: NaiveDate, attempts: u32 },
    /// An await step: waiting since that day.
    Waiting { since: NaiveDate },
    /// An await step: the condition came true on that day.
    Met { on: NaiveDate },
    /// Not needed: the wait it belonged to is over.
    Skipped,
    /// A convoke step whose last valid day passed.
    Missed { deadline: NaiveDate },
}

impl State {
    /// Whether nothing more will happen to this step.
    pub fn settled(self) -> bool {
        matches!(self, State::Done { .. } | State::Met { .. } | State::Skipped | State::Missed { .. })
    }
}

/// What the journal says was done: (step index, attempt) → day.
pub type Done = HashMap<(usize, u32), NaiveDate>;

fn plus(d: NaiveDate, days: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX)
}

fn minus(d: NaiveDate, days: u32) -> NaiveDate {
    d.checked_sub_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MIN)
}

/// Every step's state, in the workflow's order.
pub fn states(workflow: &Workflow, subject: &Subject, done: &Done, today: NaiveDate) -> Vec<State> {
    let mut out: Vec<State> = Vec::with_capacity(workflow.steps.len());
    for (i, step) in workflow.steps.iter().enumerate() {
        // The reference date, from the steps this one follows.
        let mut reference = Some(subject.start);
        let mut skipped = false;
        for p in &step.after {
            let from = match (out[*p], &workflow.steps[*p].kind) {
                (State::Met { .. }, _) | (State::Skipped, _) | (State::Missed { .. }, _) => {
                    skipped = true;
                    None
                }
                (State::Waiting { since }, _) => Some(since),
                (State::Done { on, .. }, _) => Some(on),
                _ => None,
            };
            reference = match (reference, from) {
                (Some(r), Some(f)) => Some(r.max(f)),
                _ => None,
            };
        }
        if skipped {
            out.push(State::Skipped);
            continue;
        }
        let Some(reference) = reference.map(|r| plus(r, step.delay_days)) else {
            out.push(State::Blocked);
            continue;
        };
        let state = match &step.kind {
            Kind::Await { .. } => match subject.met {
                Some(on) if on <= today => State::Met { on },
                _ if reference <= today => State::Waiting { since: reference },
                _ => State::Pending { on: reference, attempt: 1 },
            },
            kind => {
                let (first, deadline) = match (kind, subject.deadline) {
                    (Kind::Convoke { margin_days }, Some(d)) => (reference.max(minus(d, *margin_days)), Some(d)),
                    _ => (reference, None),
                };
                let repeat = match kind {
                    Kind::Remind { repeat_days, .. } => *repeat_days,
                    _ => 0,
                };
                let times = kind.times();
                let mut state = State::Done { on: first, attempts: times };
                let mut last = None;
                for attempt in 1..=times {
                    if let Some(on) = done.get(&(i, attempt)) {
                        last = Some(*on);
                        continue;
                    }
                    // Later attempts count from the one before.
                    let on = last.map_or(first, |l| plus(l, repeat));
                    state = match deadline {
                        Some(d) if today > d => State::Missed { deadline: d },
                        _ if on <= today => State::Due { attempt },
                        _ => State::Pending { on, attempt },
                    };
                    break;
                }
                if let (State::Done { .. }, Some(l)) = (state, last) {
                    state = State::Done { on: l, attempts: times };
                }
                state
            }
        };
        out.push(state);
    }
    out
}

/// The steps due today: (step index, attempt).
pub fn due(workflow: &Workflow, subject: &Subject, done: &Done, today: NaiveDate) -> Vec<(usize, u32)> {
    states(workflow, subject, done, today)
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| match s {
            State::Due { attempt } => Some((i, attempt)),
            _ => None,
        })
        .collect()
}

/// The first day after `today` on which one of these steps falls due.
pub fn next_pending(states: &[State], today: NaiveDate) -> Option<NaiveDate> {
    states
        .iter()
        .filter_map(|s| match s {
            State::Pending { on, .. } if *on > today => Some(*on),
            _ => None,
        })
        .min()
}

/// Whether the subject has nothing left to do in the workflow.
pub fn finished(states: &[State]) -> bool {
    states.iter().all(|s| s.settled())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::FlagRules;
    use crate::workflow::definition::{BUILT_IN, parse};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn adhesion() -> Workflow {
        parse("adhesion", BUILT_IN[0].1, Path::new("adhesion.toml"), &FlagRules::default()).unwrap()
    }

    fn org(start: &str, met: Option<&str>) -> Subject {
        Subject {
            id: "0123456749@2022-02".into(),
            label: "Le Pivot".into(),
            enterprise_number: Some("0123456749".into()),
            start: d(start),
            deadline: None,
            met: met.map(d),
        }
    }

    /// Runs the workflow day by day like the runner: executes what is due,
    /// records it, asks again. Returns (day, step name, attempt) in order.
    fn replay(w: &Workflow, subject: &Subject, days: &[&str]) -> Vec<(String, String, u32)> {
        let mut done = Done::new();
        let mut log = Vec::new();
        for day in days {
            let today = d(day);
            loop {
                let due = due(w, subject, &done, today);
                if due.is_empty() {
                    break;
                }
                for (i, attempt) in due {
                    done.insert((i, attempt), today);
                    log.push(((*day).to_owned(), w.steps[i].name.clone(), attempt));
                }
            }
        }
        log
    }

    fn names(log: &[(String, String, u32)]) -> Vec<String> {
        log.iter().map(|(d, s, a)| format!("{d} {s}#{a}")).collect()
    }

    #[test]
    fn adhesion_issues_and_sends_on_day_0_reminds_at_14_escalates_at_45() {
        let w = adhesion();
        let s = org("2026-01-05", None);
        let log = replay(&w, &s, &["2026-01-05", "2026-01-18", "2026-01-19", "2026-02-18", "2026-02-19", "2026-03-30"]);
        assert_eq!(
            names(&log),
            ["2026-01-05 issue#1", "2026-01-05 send#1", "2026-01-19 remind#1", "2026-02-19 escalate#1"]
        );
    }

    #[test]
    fn a_run_after_a_gap_catches_up_without_repeating() {
        let w = adhesion();
        let s = org("2026-01-05", None);
        let log = replay(&w, &s, &["2026-01-05", "2026-03-01", "2026-03-01", "2026-04-01"]);
        assert_eq!(
            names(&log),
            ["2026-01-05 issue#1", "2026-01-05 send#1", "2026-03-01 remind#1", "2026-03-01 escalate#1"]
        );
    }

    #[test]
    fn a_signature_stops_the_reminders_and_the_escalation() {
        let w = adhesion();
        let s = org("2026-01-05", Some("2026-01-12"));
        let mut done = Done::new();
        // Step 0 reads the mailbox (once per run, never per subject).
        done.insert((1, 1), d("2026-01-05"));
        done.insert((2, 1), d("2026-01-05"));
        let st = states(&w, &s, &done, d("2026-03-01"));
        assert_eq!(st[3], State::Met { on: d("2026-01-12") });
        assert_eq!(st[4], State::Skipped);
        assert_eq!(st[5], State::Skipped);
        assert!(finished(&st));
        // Before the signature, the same subject was waiting, with a reminder pending.
        let st = states(&w, &s, &done, d("2026-01-10"));
        assert_eq!(st[3], State::Waiting { since: d("2026-01-05") });
        assert_eq!(st[4], State::Pending { on: d("2026-01-19"), attempt: 1 });
        assert!(!finished(&st));
    }

    #[test]
    fn reminders_repeat_from_the_one_before() {
        let text = BUILT_IN[0]
            .1
            .replace("delay_days = \"adherence_reminder_days\"", "delay_days = 14\ntimes = 2\nrepeat_days = 10");
        let w = parse("adhesion", &text, Path::new("a"), &FlagRules::default()).unwrap();
        let s = org("2026-01-05", None);
        let log = replay(&w, &s, &["2026-01-05", "2026-01-20", "2026-01-29", "2026-01-30", "2026-02-19"]);
        assert_eq!(
            names(&log),
            [
                "2026-01-05 issue#1",
                "2026-01-05 send#1",
                "2026-01-20 remind#1",
                "2026-01-30 remind#2",
                "2026-02-19 escalate#1"
            ]
        );
    }

    #[test]
    fn a_convocation_is_due_margin_days_before_its_deadline_and_missed_after() {
        let w = parse("convocation", BUILT_IN[1].1, Path::new("c"), &FlagRules::default()).unwrap();
        let s = Subject {
            id: "plenary-2026-03-12".into(),
            label: "plenary".into(),
            enterprise_number: None,
            start: d("2026-01-01"),
            deadline: Some(d("2026-03-01")),
            met: None,
        };
        let done = Done::new();
        assert_eq!(states(&w, &s, &done, d("2026-02-01"))[0], State::Pending { on: d("2026-02-27"), attempt: 1 });
        assert_eq!(states(&w, &s, &done, d("2026-02-27"))[0], State::Due { attempt: 1 });
        assert_eq!(states(&w, &s, &done, d("2026-03-01"))[0], State::Due { attempt: 1 });
        assert_eq!(states(&w, &s, &done, d("2026-03-02"))[0], State::Missed { deadline: d("2026-03-01") });
        let mut done = Done::new();
        done.insert((0, 1), d("2026-02-27"));
        assert_eq!(states(&w, &s, &done, d("2026-03-20"))[0], State::Done { on: d("2026-02-27"), attempts: 1 });
    }

    #[test]
    fn a_delay_counts_from_the_latest_prerequisite() {
        let text = "subjects = \"unsigned-organisations\"\n\
                    [[steps]]\nname = \"a\"\nkind = \"issue\"\n\
                    [[steps]]\nname = \"b\"\nkind = \"send\"\nmessage = \"m\"\ndelay_days = 3\n\
                    [[steps]]\nname = \"c\"\nkind = \"send\"\nmessage = \"m\"\nafter = [\"a\", \"b\"]\ndelay_days = 2\n";
        let w = parse("t", text, Path::new("t"), &FlagRules::default()).unwrap();
        let s = org("2026-01-01", None);
        let log = replay(&w, &s, &["2026-01-01", "2026-01-04", "2026-01-05", "2026-01-06"]);
        assert_eq!(names(&log), ["2026-01-01 a#1", "2026-01-04 b#1", "2026-01-06 c#1"]);
    }
}
