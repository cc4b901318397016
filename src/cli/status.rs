//! `charte status [WORKFLOW] [--json]`: where each subject stands in each
//! workflow, as of --now: what was done and when, what it waits for since
//! when, what comes next and on which day.

use serde::Serialize;

use super::Ctx;
use crate::error::Result;
use crate::workflow::plan::{self, Done, State};
use crate::workflow::{self, Kind, Until, Workflow};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this workflow (default: every workflow).
    workflow: Option<String>,
}

/// One step of one subject, as `--json` prints it.
#[derive(Debug, Serialize)]
struct StepView {
    step: String,
    kind: &'static str,
    /// blocked, pending, due, done, waiting, met, skipped, missed
    state: &'static str,
    /// The day it was done, met, began waiting, or will be due.
    on: Option<String>,
    attempt: Option<u32>,
}

#[derive(Debug, Serialize)]
struct SubjectView {
    workflow: String,
    subject: String,
    label: String,
    enterprise_number: Option<String>,
    entered: String,
    finished: bool,
    steps: Vec<StepView>,
}

fn view(state: State) -> (&'static str, Option<String>, Option<u32>) {
    match state {
        State::Blocked => ("blocked", None, None),
        State::Pending { on, attempt } => ("pending", Some(on.to_string()), Some(attempt)),
        State::Due { attempt } => ("due", None, Some(attempt)),
        State::Done { on, attempts } => ("done", Some(on.to_string()), Some(attempts)),
        State::Waiting { since } => ("waiting", Some(since.to_string()), None),
        State::Met { on } => ("met", Some(on.to_string()), None),
        State::Skipped => ("skipped", None, None),
        State::Missed { deadline } => ("missed", Some(deadline.to_string()), None),
    }
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

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let ws = ctx.workspace()?;
    let workflows = match &args.workflow {
        Some(name) => vec![workflow::load(&ws.root, name, &ws.config.flags)?],
        None => workflow::load_all(&ws.root, &ws.config.flags)?,
    };
    let runs = ws.store.workflow_runs()?;
    let mut rows = Vec::new();
    for wf in &workflows {
        let found = workflow::subjects::gather(&ws.store, &ws.config, wf, ctx.now)?;
        let done = workflow::done_by_subject(&ws.store, wf)?;
        let entered: Vec<_> = found.iter().filter(|f| !f.new).collect();
        let new = found.len() - entered.len();
        if !ctx.json {
            let last =
                runs.get(&wf.name).map_or("never run".to_owned(), |r| format!("last run {} ({} steps)", r.at, r.steps));
            say!(
                "{} — {} subjects, {last}{}",
                wf.name,
                entered.len(),
                if new > 0 { format!("; {new} would enter on the next run") } else { String::new() }
            );
        }
        for f in entered {
            let empty = Done::new();
            let d = done.get(&f.subject.id).unwrap_or(&empty);
            let states = plan::states(wf, &f.subject, d, ctx.now);
            if ctx.json {
                rows.push(SubjectView {
                    workflow: wf.name.clone(),
                    subject: f.subject.id.clone(),
                    label: f.subject.label.clone(),
                    enterprise_number: f.subject.enterprise_number.clone(),
                    entered: f.subject.start.to_string(),
                    finished: plan::finished(&states),
                    steps: wf
                        .steps
                        .iter()
                        .zip(&states)
                        .map(|(step, s)| {
                            let (state, on, attempt) = view(*s);
                            StepView { step: step.name.clone(), kind: step.kind.code(), state, on, attempt }
                        })
                        .collect(),
                });
            } else {
                say!("  {:<40} {}", f.subject.label, sentence(wf, &states, d));
            }
        }
    }
    if ctx.json {
        super::print_json(&rows)?;
    }
    Ok(0)
}
