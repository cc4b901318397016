//! `charte convoke MEETING [--late REASON]`: prints what
//! crate::app::convoke did.

use super::Ctx;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The meeting's id (see `charte meeting list`).
    meeting: String,
    /// Send although the notice period is not met, saying why; raises a
    /// notice-too-short flag for the committee.
    #[arg(long, value_name = "REASON")]
    late: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let done = ctx.app_writer()?.convoke(&args.meeting, args.late.as_deref())?;
    say!(
        "{}: {} convocations sent, {} already sent before, {}{} bounced ({} clear days of notice{})",
        done.meeting,
        done.sent,
        done.already,
        super::elsewhere(done.elsewhere),
        done.bounced.len(),
        done.clear_days,
        if done.short { ", short: flagged" } else { "" }
    );
    for (address, reason) in &done.bounced {
        say!("  bounced: {address}: {reason}");
    }
    if let Some(outbox) = &done.outbox {
        say!("messages in {}", outbox.display());
    }
    if !done.failed.is_empty() {
        return Err(Error::Partial {
            done: format!("{}: the others were convoked", done.meeting),
            failed: done.failed,
        });
    }
    Ok(0)
}
