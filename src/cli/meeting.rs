//! `charte meeting add|list|cancel`

use std::path::PathBuf;

use super::Ctx;
use crate::error::{Error, Result};
use crate::governance::{self, meeting, notice};
use crate::journal::Event;

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
        #[arg(long)]
        place: Option<String>,
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
        id: String,
        #[arg(long)]
        reason: String,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Add { body, date, place, title, agenda } => add(&body, &date, place, title, agenda, ctx),
        Command::List => list(ctx),
        Command::Cancel { id, reason } => cancel(&id, &reason, ctx),
    }
}

fn add(
    body: &str,
    date: &str,
    place: Option<String>,
    title: Option<String>,
    agenda: Option<PathBuf>,
    ctx: &Ctx,
) -> Result<u8> {
    let mut ws = ctx.writer()?;
    let body = governance::body(&ws.config, body).map_err(|e| Error::usage(format!("--body: {e}")))?;
    let (date, time) = meeting::parse_when(date).map_err(|e| Error::usage(format!("--date: {e}")))?;
    if date < ctx.now {
        return Err(Error::usage(format!(
            "--date: {date} is in the past (today is {}); nothing was recorded",
            ctx.now
        )));
    }
    let agenda = match agenda {
        Some(path) => {
            let bytes = crate::error::read_bounded(&path, meeting::MAX_AGENDA_BYTES, "an agenda")?;
            meeting::agenda(&bytes).map_err(|problems| Error::Input { file: path.clone(), problems })?
        }
        None => Vec::new(),
    };
    let existing: Vec<String> = ws.store.meetings()?.into_iter().map(|r| r.meeting.id).collect();
    let m = meeting::Meeting {
        id: meeting::new_id(&body.key, date, &existing),
        body: body.key.clone(),
        date,
        time,
        place: place.filter(|p| !p.trim().is_empty()),
        title: title.filter(|t| !t.trim().is_empty()),
        agenda,
    };
    ws.store.transaction(ctx.now, |tx| tx.append(&Event::MeetingAdded { meeting: m.clone() }).map(|_| ()))?;
    say!("{}", m.id);
    if let Some(last) = notice::last_sending_day(date, body.notice_clear_days, body.receipt_days)
        && last < ctx.now
    {
        eprintln!(
            "warning: the {} clear days of notice cannot be given any more (the last day was {last}); \
             `charte convoke {} --late REASON` will raise a flag",
            body.notice_clear_days, m.id
        );
    }
    Ok(0)
}

fn list(ctx: &Ctx) -> Result<u8> {
    let ws = ctx.workspace()?;
    let meetings = ws.store.meetings()?;
    let bodies = governance::bodies(&ws.config);
    let last_day = |m: &meeting::Meeting| {
        bodies
            .iter()
            .find(|b| b.key == m.body)
            .and_then(|b| notice::last_sending_day(m.date, b.notice_clear_days, b.receipt_days))
    };
    if ctx.json {
        let rows: Vec<_> = meetings
            .iter()
            .map(|r| {
                let (m, cancelled) = (&r.meeting, &r.cancelled);
                serde_json::json!({
                    "id": m.id, "body": m.body, "date": m.date, "time": m.time.map(|t| t.format("%H:%M").to_string()),
                    "place": m.place, "title": m.title, "agenda": m.agenda, "cancelled": cancelled,
                    "convoke_by": last_day(m),
                })
            })
            .collect();
        return super::print_json(&rows).map(|_| 0);
    }
    if meetings.is_empty() {
        say!("No meeting yet: `charte meeting add --body plenary --date YYYY-MM-DD`.");
    }
    for r in &meetings {
        let (m, cancelled) = (&r.meeting, &r.cancelled);
        let when = m.time.map_or(m.date.to_string(), |t| format!("{} {}", m.date, t.format("%H:%M")));
        let state = match cancelled {
            Some(r) => format!("cancelled: {r}"),
            None => last_day(m).map_or(String::new(), |d| format!("convoke by {d}")),
        };
        say!("{:<32} {:<16} {}  {}", m.id, when, m.place.as_deref().unwrap_or("-"), state);
    }
    Ok(0)
}

fn cancel(id: &str, reason: &str, ctx: &Ctx) -> Result<u8> {
    let mut ws = ctx.writer()?;
    let meetings = ws.store.meetings()?;
    match meetings.iter().find(|r| r.meeting.id == id) {
        None => return Err(Error::not_found(format!("no meeting '{id}' (see `charte meeting list`)"))),
        Some(r) if r.cancelled.is_some() => return Err(Error::usage(format!("meeting '{id}' is already cancelled"))),
        Some(_) => {}
    }
    if reason.trim().is_empty() {
        return Err(Error::usage("--reason: say why the meeting is cancelled"));
    }
    ws.store.transaction(ctx.now, |tx| {
        tx.append(&Event::MeetingCancelled { meeting: id.to_owned(), reason: reason.trim().to_owned() }).map(|_| ())
    })?;
    say!("{id} cancelled");
    Ok(0)
}
