//! `charte run WORKFLOW [--dry-run]`: the workflow runner
//! ([`crate::app::App::run_workflow`]), and what it did, in words.

use super::Ctx;
use crate::app::run::Fetch;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
#[command(after_help = "The built-in workflows are adhesion, convocation, annual-report and interpellation; \
                        a workspace's workflows/NAME.toml replaces or adds one (docs/workflows.md). \
                        `charte status` shows where each subject stands.")]
pub struct Args {
    /// The workflow's name.
    workflow: String,
    /// Print what would be done today, and change nothing.
    #[arg(long)]
    dry_run: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let mut app = ctx.app_writer()?;
    let outcome = app.run_workflow(&args.workflow, args.dry_run)?;
    for p in &outcome.planned {
        say!("{} {}: {} ({})", ctx.now, p.step, p.label, p.subject);
    }
    say!(
        "{} {}{}: {} subjects ({} new), {} steps",
        outcome.workflow,
        ctx.now,
        if outcome.dry_run { " (dry run: nothing changed)" } else { "" },
        outcome.subjects,
        outcome.entering,
        outcome.steps()
    );
    let verb = if outcome.dry_run { "would run" } else { "ran" };
    for (step, n) in &outcome.ran {
        say!("  {verb} {step:<12} {n}");
    }
    let summary = format!(
        "  {} finished, {} waiting{}",
        outcome.finished,
        outcome.waiting,
        outcome.next.map_or(String::new(), |d| format!(", next step due on {d}"))
    );
    match &outcome.fetched {
        Some(Fetch::Read(fetched)) => {
            say!("fetch: the mailbox");
            super::collect::say_fetched(fetched);
        }
        Some(Fetch::Skipped(note)) => say!("note: {note}"),
        None => {}
    }
    // Said also when some subjects failed: the run is recorded either way.
    if let Some(c) = &outcome.checkpoint {
        say!("  checkpoint: {} (the journal's {} entries, signed)", c.path.display(), c.head.size);
    }
    if let Some(why) = &outcome.checkpoint_skipped {
        eprintln!("warning: no checkpoint was written at the end of this run: {why}");
    }
    if !outcome.failed.is_empty() {
        return Err(Error::Partial { done: format!("{summary}; the steps of the others ran"), failed: outcome.failed });
    }
    say!("{summary}");
    Ok(0)
}
