//! `charte convoke MEETING [--late REASON]`

use std::time::Duration;

use super::Ctx;
use crate::error::{Error, Result};
use crate::governance::{self, convoke};
use crate::journal::Event;
use crate::mail::{RetryPolicy, SmtpOptions};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The meeting's id (see `charte meeting list`).
    meeting: String,
    /// Send although the notice period is not met, saying why; raises a
    /// notice-too-short flag for the committee.
    #[arg(long, value_name = "REASON")]
    late: Option<String>,
}

/// Settings the environment may give: a private CA for the SMTP server
/// (`CHARTE_SMTP_CA`, a PEM file) and the first retry delay in milliseconds
/// (`CHARTE_RETRY_BASE_MS`, default 2000).
pub fn smtp_options() -> SmtpOptions {
    SmtpOptions { extra_root_pem: std::env::var_os("CHARTE_SMTP_CA").map(Into::into), ..SmtpOptions::default() }
}

pub fn retry_policy() -> RetryPolicy {
    let base = std::env::var("CHARTE_RETRY_BASE_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    RetryPolicy { attempts: 4, base_delay: Duration::from_millis(base) }
}

/// Organisations whose messages are built and sent together.
const BATCH: usize = 250;

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let mut ws = ctx.writer()?;
    let late = args.late.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if args.late.is_some() && late.is_none() {
        return Err(Error::usage("--late: say why the notice is short"));
    }
    let meetings = ws.store.meetings()?;
    let crate::governance::meeting::MeetingRecord { meeting, cancelled } = meetings
        .iter()
        .find(|r| r.meeting.id == args.meeting)
        .ok_or_else(|| Error::not_found(format!("no meeting '{}' (see `charte meeting list`)", args.meeting)))?;
    if let Some(reason) = cancelled {
        return Err(Error::usage(format!("meeting {} is cancelled ({reason}): nothing to convoke", meeting.id)));
    }
    let body = governance::body(&ws.config, &meeting.body).map_err(Error::Usage)?;
    let clear_days = convoke::check_notice(&body, meeting, ctx.now, late)?;
    let short = !governance::notice::respected(ctx.now, meeting.date, body.notice_clear_days, body.receipt_days);
    let mail = ws.mail()?;
    let templates = ws.mail_templates()?;
    let members = ws.store.members()?;
    let date = ctx.now.and_time(chrono::Utc::now().time()).and_utc();
    let context = convoke::Context {
        config: &ws.config,
        mail: &mail,
        templates: &templates,
        body: &body,
        meeting,
        clear_days,
        late: if short { late } else { None },
        date,
    };
    let total = convoke::check_recipients(&ws.config, &body, &members)?;
    let engine = crate::render::Engine::new().map_err(|e| Error::internal(format!("starting the renderer: {e}")))?;
    let pdfs = context.pdfs(&members, &engine, &ws.templates_dir(), ctx.now)?;
    // A late convocation is journaled (raising notice-too-short) just
    // before its first message goes: one that sends nothing records nothing.
    let mut late_pending = match (short, late) {
        (true, Some(reason)) => {
            let already = ws.store.late_convocations()?.iter().any(|l| l.meeting == meeting.id);
            (!already).then(|| Event::ConvocationLate {
                meeting: meeting.id.clone(),
                reason: reason.to_owned(),
                clear_days,
                required: i64::from(body.notice_clear_days + body.receipt_days),
            })
        }
        _ => None,
    };
    let outbox = ws.out_dir().join("outbox");
    let mut transport = crate::mail::transport_for(&mail, &outbox, smtp_options())
        .map_err(|e| Error::Config { file: ws.root.join("charte.toml"), message: format!("[mail]: {e}") })?;
    let bar = super::progress(total as u64, "convocations");
    // Messages are built a batch of organisations at a time: each carries
    // its own copy of the PDF, and 10,000 organisations at once would hold
    // gigabytes.
    let mut report = crate::delivery::Report::default();
    let mut failed = Vec::new();
    for chunk in members.chunks(BATCH) {
        let (planned, not_built) = convoke::messages(&context, chunk, &pdfs)?;
        failed.extend(not_built);
        if !planned.is_empty()
            && let Some(event) = late_pending.take()
        {
            ws.store.transaction(ctx.now, |tx| tx.append(&event).map(|_| ()))?;
        }
        let r = crate::delivery::deliver(&mut ws.store, ctx.now, transport.as_mut(), &planned, retry_policy(), &|| {
            bar.inc(1)
        });
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                bar.finish_and_clear();
                return Err(e);
            }
        };
        report.sent += r.sent;
        report.already += r.already;
        report.bounced.extend(r.bounced);
    }
    transport.close();
    bar.finish_and_clear();
    let summary = format!(
        "{}: {} convocations sent, {} already sent before, {} bounced ({} clear days of notice{})",
        meeting.id,
        report.sent,
        report.already,
        report.bounced.len(),
        clear_days,
        if short { ", short: flagged" } else { "" }
    );
    if !failed.is_empty() && report.sent + report.already + report.bounced.len() == 0 {
        // Not one message could be built: a common cause (the template), not one organisation's data.
        let first = &failed[0];
        return Err(Error::Usage(format!("{}: {}; nothing was sent", first.item, first.reason)));
    }
    say!("{summary}");
    for (address, reason) in &report.bounced {
        say!("  bounced: {address}: {reason}");
    }
    if mail.transport == crate::mail::TransportKind::Outbox {
        say!("messages in {}", outbox.display());
    }
    if !failed.is_empty() {
        return Err(Error::Partial { done: format!("{}: the others were convoked", meeting.id), failed });
    }
    Ok(0)
}
