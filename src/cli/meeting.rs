//! `charte meeting add|list|cancel`: the meetings' options, read and
//! printed; scheduling and cancelling are crate::app::meetings'.

use std::path::PathBuf;

use super::Ctx;
use crate::app::meetings::{Listed, NewMeeting};
use crate::error::{Error, Result};
use crate::governance::meeting;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Schedule a meeting; prints its id alone on stdout.
    Add {
        /// plenary, committee, or a working group's key from charte.toml.
        #[arg(long)]
        body: String,
        /// YYYY-MM-DD or YYYY-MM-DDTHH:MM (not before --now).
        #[arg(long)]
        date: String,
        /// Where the meeting is held (an address, a room), printed on the convocations.
        #[arg(long)]
        place: Option<String>,
        /// What the meeting is called, when it has a name of its own
        /// (e.g. "Assemblée générale"), printed on the convocations.
        #[arg(long)]
        title: Option<String>,
        /// A Markdown or text file: its list items (or lines) are the agenda.
        #[arg(long, value_name = "FILE")]
        agenda: Option<PathBuf>,
    },
    /// The meetings, with the last day to convoke each.
    List,
    /// Cancel a meeting (it then no longer counts as held).
    Cancel {
        /// The meeting's id (see `charte meeting list`).
        id: String,
        /// Why it is cancelled, kept in the journal.
        #[arg(long)]
        reason: String,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Add { body, date, place, title, agenda } => add(body, &date, place, title, agenda, ctx),
        Command::List => list(ctx),
        Command::Cancel { id, reason } => {
            ctx.app_writer()?.cancel_meeting(&id, &reason)?;
            say!("{id} cancelled");
            Ok(0)
        }
    }
}

fn add(
    body: String,
    date: &str,
    place: Option<String>,
    title: Option<String>,
    agenda: Option<PathBuf>,
    ctx: &Ctx,
) -> Result<u8> {
    let mut app = ctx.app_writer()?;
    let (date, time) = meeting::parse_when(date).map_err(|e| Error::usage(format!("--date: {e}")))?;
    let agenda = match agenda {
        Some(path) => {
            let bytes = crate::error::read_bounded(&path, meeting::MAX_AGENDA_BYTES, "an agenda")?;
            meeting::agenda(&bytes).map_err(|problems| Error::Input { file: path.clone(), problems })?
        }
        None => Vec::new(),
    };
    let added = app.add_meeting(NewMeeting { body, date, time, place, title, agenda })?;
    say!("{}", added.meeting.id);
    if let Some(last) = added.notice_missed {
        eprintln!(
            "warning: the {} clear days of notice cannot be given any more (the last day was {last}); \
             `charte convoke {} --late REASON` will raise a flag",
            added.notice_clear_days, added.meeting.id
        );
    }
    Ok(0)
}

fn list(ctx: &Ctx) -> Result<u8> {
    let meetings = ctx.app()?.meetings()?;
    if ctx.json {
        let rows: Vec<_> = meetings
            .iter()
            .map(|Listed { meeting: m, cancelled, convoke_by }| {
                serde_json::json!({
                    "id": m.id, "body": m.body, "date": m.date, "time": m.time.map(|t| t.format("%H:%M").to_string()),
                    "place": m.place, "title": m.title, "agenda": m.agenda, "cancelled": cancelled,
                    "convoke_by": convoke_by,
                })
            })
            .collect();
        return super::print_json(&rows).map(|_| 0);
    }
    if meetings.is_empty() {
        say!("No meeting yet: `charte meeting add --body plenary --date YYYY-MM-DD`.");
    }
    for Listed { meeting: m, cancelled, convoke_by } in &meetings {
        let when = m.time.map_or(m.date.to_string(), |t| format!("{} {}", m.date, t.format("%H:%M")));
        let state = match cancelled {
            Some(r) => format!("cancelled: {r}"),
            None => convoke_by.map_or(String::new(), |d| format!("convoke by {d}")),
        };
        say!("{:<32} {:<16} {}  {}", m.id, when, m.place.as_deref().unwrap_or("-"), state);
    }
    Ok(0)
}
