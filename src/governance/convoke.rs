//! Convocations: one message per recipient address of the body convoked, in
//! the organisation's language, with the agenda, the notice given, the PDF
//! convocation and a calendar invitation. This module builds the messages;
//! [`crate::delivery`] sends them durably.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::meeting::Meeting;
use super::{Body, convoked, notice};
use crate::config::Config;
use crate::delivery::Planned;
use crate::error::{Error, Result};
use crate::mail::{Attachment, Contact, Convocation, Invite, MailSettings, Outgoing, Templates};
use crate::roster::{Language, Member};

/// A meeting without a time is convoked for 9:30, and lasts two hours.
const DEFAULT_START: (u32, u32) = (9, 30);
const DURATION_HOURS: i64 = 2;

/// Checks the notice period: Ok(clear days given), or the error that says
/// the last valid day to send.
pub fn check_notice(body: &Body, meeting: &Meeting, today: NaiveDate, late: Option<&str>) -> Result<i64> {
    if meeting.date < today {
        return Err(Error::usage(format!(
            "meeting {} was on {}: it is too late to convoke it",
            meeting.id, meeting.date
        )));
    }
    let given = notice::clear_days(today, meeting.date);
    if notice::respected(today, meeting.date, body.notice_clear_days, body.receipt_days) {
        return Ok(given);
    }
    if late.is_some() {
        return Ok(given);
    }
    let last = notice::last_sending_day(meeting.date, body.notice_clear_days, body.receipt_days)
        .map_or("-".to_owned(), |d| d.to_string());
    Err(Error::usage(format!(
        "the {} needs {} clear days of notice{}: the last day to send for {} was {last} (today {today} gives {}). \
         Nothing was sent. To send anyway: charte convoke {} --late \"REASON\" (the committee will see a notice-too-short flag)",
        body.key,
        body.notice_clear_days,
        if body.receipt_days > 0 { format!(" plus {} for delivery", body.receipt_days) } else { String::new() },
        meeting.id,
        given.max(0),
        meeting.id
    )))
}

/// What each convocation is built from.
#[derive(Debug)]
pub struct Context<'a> {
    pub config: &'a Config,
    pub mail: &'a MailSettings,
    pub templates: &'a Templates,
    pub body: &'a Body,
    pub meeting: &'a Meeting,
    pub clear_days: i64,
    pub late: Option<&'a str>,
    /// The Date header of the messages.
    pub date: DateTime<Utc>,
    /// The PDF convocation per language (none: no attachment).
    pub pdfs: &'a HashMap<Language, Vec<u8>>,
}

fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("charte.invalid", |(_, d)| d.trim_end_matches('>'))
}

/// One message per address of every organisation the body convokes.
pub fn messages(ctx: &Context<'_>, members: &[Member]) -> Result<Vec<Planned>> {
    let recipients = convoked(ctx.config, ctx.body, members);
    if recipients.is_empty() {
        return Err(Error::usage(format!(
            "the {} has no one to convoke (no organisation on the roster{})",
            ctx.body.key,
            if ctx.body.key == "plenary" { "" } else { " among its members or seats in charte.toml" }
        )));
    }
    let bad_mail = |e: crate::mail::SettingsError| Error::Config { file: "charte.toml".into(), message: e.to_string() };
    let from = ctx.mail.sender().map_err(bad_mail)?;
    let reply_to = ctx.mail.reply_to_contact().map_err(bad_mail)?;
    let domain = domain_of(&from.address).to_owned();
    let time = ctx
        .meeting
        .time
        .unwrap_or_else(|| NaiveTime::from_hms_opt(DEFAULT_START.0, DEFAULT_START.1, 0).unwrap_or(NaiveTime::MIN));
    let start = ctx.meeting.date.and_time(time);
    let end = start + chrono::Duration::hours(DURATION_HOURS);
    let mut out = Vec::new();
    for m in recipients {
        let o = &m.organisation;
        let lang = o.language;
        let convocation = Convocation {
            lang,
            network: ctx.config.coordination.name(lang).to_owned(),
            organiser: ctx.config.coordination.organiser.clone(),
            body: ctx.body.name(lang).to_owned(),
            title: ctx.meeting.title.clone(),
            when: start,
            place: ctx.meeting.place.clone(),
            agenda: ctx.meeting.agenda.clone(),
            clear_days: ctx.clear_days,
            required_clear_days: i64::from(ctx.body.notice_clear_days),
            late_reason: ctx.late.map(str::to_owned),
            recipient: o.name.clone(),
            representative: o.representative.clone(),
            reply_to: reply_to.as_ref().unwrap_or(&from).address.clone(),
        };
        let rendered =
            ctx.templates.convocation(&convocation).map_err(|e| Error::usage(format!("convocation template: {e}")))?;
        let pdf = ctx.pdfs.get(&lang);
        for (k, (name, address)) in o.recipients().into_iter().enumerate() {
            let to = match name {
                Some(n) => Contact::named(n, address),
                None => Contact::new(address),
            };
            let calendar = crate::mail::invite(&Invite {
                uid: format!("{}@{domain}", ctx.meeting.id),
                sequence: 0,
                summary: format!("{} — {}", ctx.body.name(lang), ctx.config.coordination.name(lang)),
                description: ctx.meeting.agenda.join("\n"),
                location: ctx.meeting.place.clone(),
                start,
                end,
                stamp: ctx.date,
                organizer: from.clone(),
                attendees: vec![to.clone()],
                cancelled: false,
            })
            .map_err(|e| Error::usage(format!("calendar invitation for {}: {e}", o.name)))?;
            let mut attachments = Vec::new();
            if let Some(bytes) = pdf {
                attachments.push(Attachment {
                    filename: format!("convocation-{}-{}.pdf", ctx.meeting.id, lang.code()),
                    content_type: "application/pdf".into(),
                    bytes: bytes.clone(),
                });
            }
            out.push(Planned {
                outgoing: Outgoing {
                    message_id: format!("convocation.{}.{}.{k}@{domain}", ctx.meeting.id, o.enterprise_number.digits()),
                    date: ctx.date,
                    from: from.clone(),
                    reply_to: reply_to.clone(),
                    to: vec![to],
                    subject: rendered.subject.clone(),
                    text: rendered.text.clone(),
                    html: Some(rendered.html.clone()),
                    attachments,
                    calendar: Some(calendar),
                },
                purpose: "convocation",
                about: ctx.meeting.id.clone(),
                enterprise_number: o.enterprise_number.digits().to_owned(),
                address: address.to_owned(),
            });
        }
    }
    Ok(out)
}
