//! `charte vote MEETING --decision TEXT --ballots FILE.csv`

use std::path::PathBuf;

use super::Ctx;
use crate::error::{Error, Result};
use crate::governance::{self, vote};
use crate::journal::Event;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The meeting's id.
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
    let mut ws = ctx.writer()?;
    let meetings = ws.store.meetings()?;
    let crate::governance::meeting::MeetingRecord { meeting, cancelled } = meetings
        .iter()
        .find(|r| r.meeting.id == args.meeting)
        .ok_or_else(|| Error::not_found(format!("no meeting '{}' (see `charte meeting list`)", args.meeting)))?;
    if cancelled.is_some() || meeting.date > ctx.now {
        return Err(Error::usage(format!("meeting {} has not taken place: no vote can be recorded", meeting.id)));
    }
    if args.decision.trim().is_empty() {
        return Err(Error::usage("--decision: say what was put to the vote"));
    }
    let body = governance::body(&ws.config, &meeting.body).map_err(Error::Usage)?;
    let attendance: Vec<_> = ws.store.attendance_at(&meeting.id)?;
    if attendance.is_empty() {
        return Err(Error::usage(format!(
            "no attendance is recorded for {}: the majority counts those present (charte attendance import)",
            meeting.id
        )));
    }
    let members = ws.store.members()?;
    let table = crate::tabular::read(&args.ballots, 16 * 1024 * 1024, "a ballot list")?;
    let standing = ws.standing(meeting.date)?;
    let ballots = vote::parse_ballots(&table, &ws.config, &body, &members, &attendance, &standing)
        .map_err(|problems| Error::Input { file: args.ballots.clone(), problems })?;
    let present = vote::present_voters(&ws.config, &body, &members, &attendance, &standing);
    let outcome = vote::count(&ws.config, &body, &ballots, present);
    ws.store.transaction(ctx.now, |tx| {
        tx.append(&Event::DecisionRecorded {
            meeting: meeting.id.clone(),
            decision: args.decision.trim().to_owned(),
            ballots: ballots.clone(),
            outcome: outcome.clone(),
        })
        .map(|_| ())
    })?;
    if ctx.json {
        return super::print_json(&outcome).map(|_| 0);
    }
    say!(
        "{}: {} ({} yes, {} no, {} abstentions; {} voters present){}",
        args.decision.trim(),
        if outcome.adopted { "adopted" } else { "rejected" },
        outcome.yes,
        outcome.no,
        outcome.abstain,
        outcome.present_voters,
        outcome.casting_vote.as_deref().map(|c| format!("; tie broken by {c}")).unwrap_or_default()
    );
    Ok(0)
}
