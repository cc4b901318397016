//! Workflows: the network's year as steps over subjects, with delays,
//! reminders and escalations (docs/workflows.md).
//!
//! - [`definition`]: the workflow files (built-in, or a workspace's
//!   workflows/), parsed and checked: unknown kinds, cycles, delays that are
//!   not a number of days are refused with the file and the line;
//! - [`plan`]: where a subject stands and what is due today, a pure
//!   function of what the journal records;
//! - [`subjects`]: who each workflow is about, read from the store.
//!
//! `charte run` (in [`crate::cli`]) executes what is due; every effect is
//! journaled under its key (workflow, subject, step, attempt), so a second
//! run the same day does nothing and an interrupted run resumes.

pub mod definition;
pub mod messages;
pub mod plan;
pub mod subjects;

pub use definition::{Kind, ReportKind, Step, Subjects, Until, Workflow, load, load_all};
pub use plan::{Done, State, Subject};

/// A subject as it entered a workflow: the journal remembers it, even once
/// it stops matching the selector, so its state can still be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRecord {
    pub label: String,
    pub entered: chrono::NaiveDate,
}

/// One step a workflow did for a subject (its effect is journaled under
/// the key workflow/subject/step/attempt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub subject: String,
    pub step: String,
    pub attempt: u32,
    pub at: chrono::NaiveDate,
    pub outcome: String,
}

/// A workflow's last run: `charte status` shows it, and `charte run`
/// records at most one run a day that does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastRun {
    pub at: chrono::NaiveDate,
    /// The steps it ran.
    pub steps: i64,
}

/// One recorded run of a workflow (`workflow-run`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub workflow: String,
    pub at: chrono::NaiveDate,
    /// The steps it ran.
    pub steps: i64,
    pub seq: i64,
}

/// The key an effect is journaled under.
pub fn key(workflow: &str, subject: &str, step: &str, attempt: u32) -> String {
    format!("{workflow}/{subject}/{step}/{attempt}")
}

/// The first day after `today` on which a step of `workflow` will be due
/// (None if nothing is scheduled).
pub fn next_due(
    store: &crate::journal::Store,
    config: &crate::config::Config,
    workflow: &Workflow,
    today: chrono::NaiveDate,
) -> crate::Result<Option<chrono::NaiveDate>> {
    let found = subjects::gather(store, config, workflow, today)?;
    let done = done_by_subject(store, workflow)?;
    let empty = Done::new();
    Ok(found
        .iter()
        .filter_map(|f| {
            let states = plan::states(workflow, &f.subject, done.get(&f.subject.id).unwrap_or(&empty), today);
            plan::next_pending(&states, today)
        })
        .min())
}

/// What the journal says each subject's steps did: subject → (step, attempt) → day.
pub fn done_by_subject(
    store: &crate::journal::Store,
    workflow: &Workflow,
) -> crate::Result<std::collections::HashMap<String, Done>> {
    let index: std::collections::HashMap<&str, usize> =
        workflow.steps.iter().enumerate().map(|(i, s)| (s.name.as_str(), i)).collect();
    let mut out: std::collections::HashMap<String, Done> = std::collections::HashMap::new();
    for r in store.workflow_steps(&workflow.name)? {
        // A step removed from the workflow file since: its record stays in the journal.
        if let Some(i) = index.get(r.step.as_str()) {
            out.entry(r.subject).or_default().insert((*i, r.attempt), r.at);
        }
    }
    Ok(out)
}
