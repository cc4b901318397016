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

/// The key an effect is journaled under.
pub fn key(workflow: &str, subject: &str, step: &str, attempt: u32) -> String {
    format!("{workflow}/{subject}/{step}/{attempt}")
}
