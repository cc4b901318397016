//! Convoking a meeting: one message per address of every organisation its
//! body convokes, with the PDF convocation and a calendar invitation,
//! sent durably (crate::delivery: running it again sends only what was not
//! sent). The notice the body owes is checked first; a short notice needs
//! a reason, which is journaled (raising the notice-too-short flag) just
//! before the first message goes, so that a run that sends nothing records
//! nothing. The command line and the workflow runner both convoke through
//! [`App::convoke`].

use std::path::PathBuf;

use super::{App, Bar};
use crate::error::{Error, Failed, Result};
use crate::governance::{self, convoke};
use crate::journal::Event;

/// Organisations whose messages are built and sent together: each message
/// carries its own copy of the PDF, and 10,000 organisations at once would
/// hold gigabytes.
const BATCH: usize = 250;

/// What convoking did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The meeting's id.
    pub meeting: String,
    /// Messages sent by this run.
    pub sent: usize,
    /// Messages sent (or bounced) by an earlier run, not sent again.
    pub already: usize,
    /// Messages another run, convoking the same meeting at the same time,
    /// had claimed: left to it.
    pub elsewhere: usize,
    /// (address, reason) of the messages refused for good by this run.
    pub bounced: Vec<(String, String)>,
    /// The clear days of notice given.
    pub clear_days: i64,
    /// The notice was short of the body's (sent with a reason, flagged).
    pub short: bool,
    /// Where the messages were written, when the transport is the outbox.
    pub outbox: Option<PathBuf>,
    /// Organisations whose messages could not be built, with why; the
    /// others were convoked.
    pub failed: Vec<Failed>,
}

impl App {
    /// Convokes `meeting`'s body. `late`: the reason to send although the
    /// notice is short (blank is refused). Refused, with nothing sent, when
    /// the meeting is cancelled or past, the notice is short without a
    /// reason, nobody is to be convoked, or not one message could be built
    /// (a common cause: the template).
    pub fn convoke(&mut self, meeting: &str, late: Option<&str>) -> Result<Outcome> {
        let reason = late.map(str::trim).filter(|r| !r.is_empty());
        if late.is_some() && reason.is_none() {
            return Err(Error::usage("--late: say why the notice is short"));
        }
        let crate::governance::meeting::MeetingRecord { meeting, cancelled } = self.meeting(meeting)?;
        if let Some(why) = cancelled {
            return Err(cancelled_meeting(&meeting.id, &why));
        }
        let today = self.today;
        let body = governance::body(&self.ws.config, &meeting.body).map_err(Error::Usage)?;
        // The same rule, computed the same way, as the meeting's page shows.
        let notice = self.notice(&body, meeting.date);
        let clear_days = convoke::check_notice(&body, &meeting, &notice, today, reason)?;
        let short = !notice.in_time;
        let mail = self.ws.mail()?;
        let templates = self.ws.mail_templates()?;
        let members = self.ws.store.members()?;
        let context = convoke::Context {
            config: &self.ws.config,
            mail: &mail,
            templates: &templates,
            body: &body,
            meeting: &meeting,
            clear_days,
            late: if short { reason } else { None },
            date: today.and_time(chrono::Utc::now().time()).and_utc(),
        };
        let total = convoke::check_recipients(&self.ws.config, &body, &members)?;
        let pdfs = context.pdfs(&members, &App::engine()?, &self.ws.templates_dir(), today)?;
        let mut late_pending = match (short, reason) {
            (true, Some(reason)) => Some(Event::ConvocationLate {
                meeting: meeting.id.clone(),
                reason: reason.to_owned(),
                clear_days,
                required: i64::from(body.notice_clear_days + body.receipt_days),
            }),
            _ => None,
        };
        let mut sender = self.sender()?;
        // The store changes while the bar runs: the bar holds the progress
        // alone, not the whole App.
        let bar = Bar::start(self.progress.as_ref(), total as u64, "convocations");
        let mut failed = Vec::new();
        for chunk in members.chunks(BATCH) {
            let (planned, not_built) = convoke::messages(&context, chunk, &pdfs)?;
            failed.extend(not_built);
            if planned.is_empty() {
                continue;
            }
            // Before each batch, under the write lock: a meeting cancelled
            // meanwhile gets no more convocations.
            let late_event = late_pending.take();
            self.ws.store.transaction(today, |tx| {
                if let Some(why) = tx.meeting_cancelled(&meeting.id)? {
                    return Err(cancelled_meeting(&meeting.id, &why));
                }
                // Recorded once, whichever run (two at once) comes first.
                if let Some(event) = &late_event
                    && !tx.convocation_late(&meeting.id)?
                {
                    tx.append(event)?;
                }
                Ok(())
            })?;
            sender.deliver(&mut self.ws.store, today, &planned, &|| bar.inc(1))?;
        }
        let report = sender.close();
        drop(bar);
        if !failed.is_empty() && report.sent + report.already + report.elsewhere.len() + report.bounced.len() == 0 {
            // Not one message could be built: a common cause (the template), not one organisation's data.
            let first = &failed[0];
            return Err(Error::Usage(format!("{}: {}; nothing was sent", first.item, first.reason)));
        }
        Ok(Outcome {
            meeting: meeting.id,
            sent: report.sent,
            already: report.already,
            elsewhere: report.elsewhere.len(),
            bounced: report.bounced,
            clear_days,
            short,
            outbox: (mail.transport == crate::mail::TransportKind::Outbox).then(|| self.ws.out_dir().join("outbox")),
            failed,
        })
    }
}

/// Why a cancelled meeting gets no convocation, checked when the action
/// starts and again under the write lock before each batch.
fn cancelled_meeting(id: &str, why: &str) -> Error {
    Error::usage(format!("meeting {id} is cancelled ({why}): nothing to convoke"))
}
