//! Where each subject stands in each workflow, as of the app's day: what
//! was done and when, what it waits for since when, what comes next and on
//! which day. It reads the plan ([`crate::workflow::plan`]) the runner
//! follows, so what it says is what a run would do; it changes nothing.

use chrono::NaiveDate;
use serde::Serialize;

use super::App;
use crate::error::Result;
use crate::workflow::plan::{self, Done, State};
use crate::workflow::{self, Kind, Until, Workflow};

/// The workflows looked at, in their order.
#[derive(Debug)]
pub struct Overview {
    pub workflows: Vec<WorkflowStatus>,
}

/// One workflow and its subjects.
#[derive(Debug)]
pub struct WorkflowStatus {
    pub workflow: String,
    /// The day of its last run and the steps that run did; None if never run.
    pub last_run: Option<crate::workflow::LastRun>,
    /// Subjects that have not entered yet and would on the next run.
    pub entering: usize,
    /// The subjects that entered, in a stable order.
    pub subjects: Vec<SubjectStatus>,
}

/// One subject of one workflow: a row of `charte status --json`.
#[derive(Debug, Serialize)]
pub struct SubjectStatus {
    pub workflow: String,
    pub subject: String,
    pub label: String,
    pub enterprise_number: Option<String>,
    /// The day it entered the workflow.
    pub entered: NaiveDate,
    pub finished: bool,
    pub steps: Vec<StepStatus>,
    /// Its situation in words: what was done, what it waits for, what
    /// comes next.
    #[serde(skip)]
    pub summary: String,
}

/// One step of one subject.
#[derive(Debug, Serialize)]
pub struct StepStatus {
    pub step: String,
    pub kind: &'static str,
    /// blocked, pending, due, done, waiting, met, skipped, missed
    pub state: &'static str,
    /// The day it was done, met, began waiting, or will be due.
    pub on: Option<NaiveDate>,
    pub attempt: Option<u32>,
}

impl App {
    /// Where every subject stands in `workflow` (by name), or in every
    /// workflow of the workspace.
    pub fn status(&self, workflow: Option<&str>) -> Result<Overview> {
        let ws = &self.ws;
        let workflows = match workflow {
            Some(name) => vec![workflow::load(&ws.root, name, &ws.config.flags)?],
            None => workflow::load_all(&ws.root, &ws.config.flags)?,
        };
        let runs = ws.store.workflow_runs()?;
        let mut out = Vec::new();
        for wf in &workflows {
            let found = workflow::subjects::gather(&ws.store, &ws.config, wf, self.today)?;
            let done = workflow::done_by_subject(&ws.store, wf)?;
            let empty = Done::new();
            let subjects: Vec<SubjectStatus> = found
                .iter()
                .filter(|f| !f.new)
                .map(|f| {
                    let d = done.get(&f.subject.id).unwrap_or(&empty);
                    let states = plan::states(wf, &f.subject, d, self.today);
                    SubjectStatus {
                        workflow: wf.name.clone(),
                        subject: f.subject.id.clone(),
                        label: f.subject.label.clone(),
                        enterprise_number: f.subject.enterprise_number.clone(),
                        entered: f.subject.start,
                        finished: plan::finished(&states),
                        steps: wf.steps.iter().zip(&states).map(|(step, s)| step_status(step, *s)).collect(),
                        summary: sentence(wf, &states, d),
                    }
                })
                .collect();
            out.push(WorkflowStatus {
                workflow: wf.name.clone(),
                last_run: runs.get(&wf.name).copied(),
                entering: found.len() - subjects.len(),
                subjects,
            });
        }
        Ok(Overview { workflows: out })
    }
}

fn step_status(step: &workflow::Step, state: State) -> StepStatus {
    let (word, on, attempt) = match state {
        State::Blocked => ("blocked", None, None),
        State::Pending { on, attempt } => ("pending", Some(on), Some(attempt)),
        State::Due { attempt } => ("due", None, Some(attempt)),
        State::Done { on, attempts } => ("done", Some(on), Some(attempts)),
        State::Waiting { since } => ("waiting", Some(since), None),
        State::Met { on } => ("met", Some(on), None),
        State::Skipped => ("skipped", None, None),
        State::Missed { deadline } => ("missed", Some(deadline), None),
    };
    StepStatus { step: step.name.clone(), kind: step.kind.code(), state: word, on, attempt }
}

/// The subject's situation in words.
fn sentence(wf: &Workflow, states: &[State], done: &Done) -> String {
    let mut parts = Vec::new();
    for (step, state) in wf.steps.iter().zip(states) {
        let what = match &step.kind {
            Kind::Await { until: Until::Signed } => "a signature",
            Kind::Await { until: Until::Resolved } => "the committee's resolution",
            _ => "",
        };
        match state {
            State::Done { .. } => {
                let mut days: Vec<_> =
                    done.iter().filter(|((i, _), _)| wf.steps[*i].name == step.name).map(|(_, d)| *d).collect();
                days.sort();
                let list: Vec<String> = days.iter().map(ToString::to_string).collect();
                parts.push(format!("{} on {}", step.name, list.join(", ")));
            }
            State::Waiting { since } => parts.push(format!("waiting for {what} since {since}")),
            State::Met { on } => {
                let met = if matches!(step.kind, Kind::Await { until: Until::Signed }) { "signed" } else { "resolved" };
                parts.push(format!("{met} on {on}"));
            }
            State::Missed { deadline } => parts
                .push(format!("{} missed: its last valid day was {deadline} (convoke by hand with --late)", step.name)),
            _ => {}
        }
    }
    let next = states.iter().zip(&wf.steps).find_map(|(s, step)| match s {
        State::Due { .. } => Some(format!("next: {} is due now", step.name)),
        State::Pending { on, .. } if !matches!(step.kind, Kind::Await { .. }) => {
            Some(format!("next: {} on {on}", step.name))
        }
        _ => None,
    });
    parts.extend(next);
    if plan::finished(states) {
        parts.push("finished".into());
    }
    parts.join("; ")
}
