//! `charte vote MEETING --decision TEXT --ballots FILE.csv`: reads the
//! ballots, prints what crate::app::vote recorded. Also the one way a
//! vote's outcome is told, which `charte election` shares.

use std::path::PathBuf;

use super::Ctx;
use crate::app::{TableFile, vote::MAX_BALLOTS_BYTES};
use crate::error::Result;
use crate::governance::vote::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The meeting's id (see `charte meeting list`).
    meeting: String,
    /// What was put to the vote.
    #[arg(long)]
    decision: String,
    /// The ballots: enterprise_number (or name), vote (yes, no, abstain),
    /// person (who voted; for a body of seats, the seat holder).
    #[arg(long, value_name = "FILE.csv")]
    ballots: PathBuf,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let mut app = ctx.app_writer()?;
    let ballots = TableFile::read(&args.ballots, MAX_BALLOTS_BYTES, "a ballot list")?;
    let done = app.vote(&args.meeting, &args.decision, &ballots)?;
    if ctx.json {
        return super::print_json(&done.outcome).map(|_| 0);
    }
    say!("{}", told(&done.decision, &done.outcome, &DECISION));
    if !done.recorded {
        say!("(recorded already with these votes: nothing was changed)");
    }
    Ok(0)
}

/// The words a vote's outcome is told in.
#[derive(Debug, Clone, Copy)]
pub(super) struct Words {
    /// What was voted on, before "adopted" or "rejected" ("proposal "), if said.
    pub what: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    /// Who was counted present: voters, members.
    pub voters: &'static str,
    /// What a rejection says (what to do next, where there is something).
    pub rejected: &'static str,
}

/// A decision's vote.
pub(super) const DECISION: Words = Words { what: "", yes: "yes", no: "no", voters: "voters", rejected: "rejected" };

/// The vote on an election's proposal.
pub(super) const PROPOSAL: Words = Words {
    what: "proposal ",
    yes: "for",
    no: "against",
    voters: "members",
    rejected: "rejected: propose again, then vote",
};

/// A vote's outcome in one line, the same for a decision and an election:
/// `WHAT: adopted (3 yes, 1 no, 0 abstentions; 4 voters present)`, and who
/// broke a tie.
pub(super) fn told(what: &str, outcome: &Outcome, words: &Words) -> String {
    format!(
        "{what}: {}{} ({} {}, {} {}, {} abstentions; {} {} present){}",
        words.what,
        if outcome.adopted { "adopted" } else { words.rejected },
        outcome.yes,
        words.yes,
        outcome.no,
        words.no,
        outcome.abstain,
        outcome.present_voters,
        words.voters,
        outcome.casting_vote.as_deref().map(|c| format!("; tie broken by {c}")).unwrap_or_default()
    )
}
