//! `charte flags [--year Y] [--json]`, `charte flags mark KEY STATUS`,
//! `charte flags letters`: the flags, their handling and the letters come
//! from the application layer (`app::flags`); this prints them.

use super::Ctx;
use crate::app::flags::LettersInput;
use crate::error::Result;
use crate::flags;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Only the flags whose evidence falls in this year.
    #[arg(long)]
    year: Option<i32>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Draft an interpellation letter to each flagged organisation, in its
    /// language, into out/letters/.
    Letters {
        /// Only the flags of this year.
        #[arg(long)]
        year: Option<i32>,
        /// Days the organisation is given to answer.
        #[arg(long, default_value_t = crate::flags::REPLY_WITHIN_DAYS)]
        reply_within_days: u32,
    },
    /// Record the committee's handling of a flag (KEY as `charte flags` shows it).
    Mark {
        /// The flag's key, e.g. absences:0883.405.625
        key: String,
        /// The committee's handling of it: open, put-to-committee or resolved.
        #[arg(value_enum)]
        status: Status,
        /// A note for the record (the committee's decision, a date).
        #[arg(long)]
        note: Option<String>,
    },
}

/// The statuses `flags mark` takes, as clap lists them.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Status {
    /// Back to open.
    Open,
    /// Put on the committee's agenda.
    PutToCommittee,
    /// Settled: the organisation explained, or the rule no longer applies.
    Resolved,
}

impl From<Status> for flags::Status {
    fn from(s: Status) -> flags::Status {
        match s {
            Status::Open => flags::Status::Open,
            Status::PutToCommittee => flags::Status::PutToCommittee,
            Status::Resolved => flags::Status::Resolved,
        }
    }
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    match args.command {
        Some(Command::Mark { key, status, note }) => {
            let marked = ctx.app_writer()?.mark_flag(&key, status.into(), note)?;
            say!("{}: {}", marked.key, marked.status);
            Ok(0)
        }
        Some(Command::Letters { year, reply_within_days }) => letters(year, reply_within_days, ctx),
        None => list(args.year, ctx),
    }
}

/// The flags (of `year` only, when given), as of `ctx.now`.
pub(super) fn list(year: Option<i32>, ctx: &Ctx) -> Result<u8> {
    let listing = ctx.app()?.flags(year)?;
    for w in &listing.warnings {
        eprintln!("warning: {w}");
    }
    if ctx.json {
        // Through a JSON value, so each row's keys come out as they always
        // did (sorted), whatever the struct's order.
        let rows = serde_json::to_value(&listing.flags)
            .map_err(|e| crate::error::Error::internal(format!("cannot encode JSON: {e}")))?;
        return super::print_json(&rows).map(|_| 0);
    }
    if listing.flags.is_empty() {
        say!("No flag: nothing for the committee to look at.");
    }
    for listed in &listing.flags {
        let f = &listed.flag;
        say!("{} — {} (since {}, {})", listed.key, f.name, f.since, listed.status);
        for e in &f.evidence {
            match e.seq {
                Some(seq) => say!("    #{seq}: {}", e.text),
                None => say!("    {}", e.text),
            }
        }
    }
    Ok(0)
}

fn letters(year: Option<i32>, reply_within_days: u32, ctx: &Ctx) -> Result<u8> {
    // Drafts only: nothing is journaled, so any --now may draft them.
    let drafted = ctx.app()?.letters(&LettersInput { year, reply_within_days, only: None })?;
    let written: Vec<_> = drafted.letters.iter().filter_map(|l| l.path.as_ref()).collect();
    for path in &written {
        say!("{}", path.display());
    }
    say!(
        "{} draft letters in {} (one per organisation, covering all its open flags)",
        written.len(),
        drafted.folder.display()
    );
    if drafted.waiting_organisations > 0 {
        say!(
            "{} organisations not written to: their adherence document was never sent, or its return is \
             awaited until {} days after it was",
            drafted.waiting_organisations,
            drafted.adherence_overdue_days
        );
    }
    Ok(0)
}
