//! `charte status [WORKFLOW] [--json]`: where each subject stands in each
//! workflow, as of --now (`app::status`), printed.

use super::Ctx;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this workflow (default: every workflow).
    workflow: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    show(args.workflow.as_deref(), ctx)
}

/// Where each subject stands in `workflow` (default: every workflow), as
/// of `ctx.now`.
pub(super) fn show(workflow: Option<&str>, ctx: &Ctx) -> Result<u8> {
    let overview = ctx.app()?.status(workflow)?;
    if ctx.json {
        let rows: Vec<_> = overview.workflows.iter().flat_map(|w| &w.subjects).collect();
        return super::print_json(&rows).map(|_| 0);
    }
    for wf in &overview.workflows {
        let last =
            wf.last_run.as_ref().map_or("never run".to_owned(), |r| format!("last run {} ({} steps)", r.at, r.steps));
        let entering =
            if wf.entering > 0 { format!("; {} would enter on the next run", wf.entering) } else { String::new() };
        say!("{} — {} subjects, {last}{entering}", wf.workflow, wf.subjects.len());
        for s in &wf.subjects {
            say!("  {:<40} {}", s.label, s.summary);
        }
    }
    Ok(0)
}
