//! The daily run: every workflow `charte run` knows (the built-in ones and
//! the workspace's workflows/*.toml), run one after the other as `charte
//! run NAME` runs it, by the web server once a day (and on demand), and
//! what the runs did, read back from the journal so that it survives a
//! restart.
//!
//! Two runs at once are harmless, only slower: each effect is journaled
//! under its key (workflow, subject, step, attempt) inside the journal's
//! write lock, so a `charte run` from a terminal beside the server's run
//! waits on that lock step by step and finds done what the other did.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::App;
use super::run::Outcome;
use crate::error::{Failed, Kind, Result};
use crate::workflow;

/// What one daily run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daily {
    /// Each workflow that ran, in the order they ran.
    pub runs: Vec<Outcome>,
    /// The workflows that could not run, and why (a setting missing, a
    /// mail server down: the others ran).
    pub stopped: Vec<Failed>,
    /// One of them stopped on a temporary failure (a mail server down or
    /// answering "try later", the journal busy): the day's run is to be
    /// tried again soon, not tomorrow; what was done is journaled.
    pub again: bool,
}

/// What the workflows did on one day, from the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDay {
    pub day: NaiveDate,
    pub workflows: Vec<WorkflowDay>,
}

/// One workflow's runs of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowDay {
    pub workflow: String,
    /// How many runs were recorded that day.
    pub runs: usize,
    /// Each step that did something: its name, its kind (`send`,
    /// `escalate`… as workflow files write them; empty for a step the
    /// workflow no longer has), and how many subjects it did.
    pub steps: Vec<(String, &'static str, i64)>,
}

impl App {
    /// The names of the workflows `charte run` knows, in their order.
    pub fn workflow_names(&self) -> Result<Vec<String>> {
        Ok(workflow::load_all(&self.ws.root, &self.ws.config.flags)?.into_iter().map(|w| w.name).collect())
    }

    /// Runs every workflow once, as `charte run NAME` does. A workflow that
    /// cannot run (its settings or templates missing) or that stopped on a
    /// temporary failure (a mail server down: [`Daily::again`]) is named
    /// and the others run, so that a mailbox out of reach does not hold
    /// back a convocation due today; a bug stops the whole run.
    pub fn daily_run(&mut self) -> Result<Daily> {
        let mut daily = Daily { runs: Vec::new(), stopped: Vec::new(), again: false };
        for name in self.workflow_names()? {
            match self.run_workflow(&name, false) {
                Ok(outcome) => daily.runs.push(outcome),
                Err(e) if e.kind() == Kind::Internal => return Err(e),
                Err(e) => {
                    daily.again |= e.kind() == Kind::Temporary;
                    daily.stopped.push(Failed { item: name, reason: e.to_string() });
                }
            }
        }
        Ok(daily)
    }

    /// Whether every workflow has a run recorded on the app's day (by the
    /// server or from a terminal): then the day's run is done.
    pub fn daily_run_done(&self) -> Result<bool> {
        let runs = self.ws.store.workflow_runs()?;
        Ok(self.workflow_names()?.iter().all(|name| runs.get(name).is_some_and(|r| r.at >= self.today)))
    }

    /// What the workflows did each day of the last `days` days (up to the
    /// app's day), latest first, from the journal.
    pub fn run_log(&self, days: i64) -> Result<Vec<RunDay>> {
        let from = self.today - chrono::Duration::days(days);
        let kinds: HashMap<(String, String), &'static str> = workflow::load_all(&self.ws.root, &self.ws.config.flags)?
            .into_iter()
            .flat_map(|w| {
                let name = w.name.clone();
                w.steps.into_iter().map(move |s| ((name.clone(), s.name), s.kind.code()))
            })
            .collect();
        let mut out: Vec<RunDay> = Vec::new();
        for r in self.ws.store.workflow_runs_since(from)? {
            let day = day_of(&mut out, r.at);
            match day.workflows.iter_mut().find(|w| w.workflow == r.workflow) {
                Some(w) => w.runs += 1,
                None => day.workflows.push(WorkflowDay { workflow: r.workflow, runs: 1, steps: Vec::new() }),
            }
        }
        for (wf, step, at, n) in self.ws.store.steps_by_day(from)? {
            let kind = kinds.get(&(wf.clone(), step.clone())).copied().unwrap_or("");
            let day = day_of(&mut out, at);
            let w = match day.workflows.iter().position(|w| w.workflow == wf) {
                Some(i) => &mut day.workflows[i],
                None => {
                    day.workflows.push(WorkflowDay { workflow: wf, runs: 0, steps: Vec::new() });
                    let last = day.workflows.len() - 1;
                    &mut day.workflows[last]
                }
            };
            w.steps.push((step, kind, n));
        }
        out.sort_by_key(|d| std::cmp::Reverse(d.day));
        Ok(out)
    }
}

/// The entry of `day` in `days`, added when missing.
fn day_of(days: &mut Vec<RunDay>, day: NaiveDate) -> &mut RunDay {
    let i = match days.iter().position(|d| d.day == day) {
        Some(i) => i,
        None => {
            days.push(RunDay { day, workflows: Vec::new() });
            days.len() - 1
        }
    };
    &mut days[i]
}
