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
use crate::mail::{Attachment, Convocation, Invite, MailSettings, Templates};
use crate::roster::{Language, Member};

/// A convocation sent with less notice than the body's rule
/// (`charte convoke --late`), as the journal recorded it: what the
/// `notice-too-short` flag reads, and what keeps a second run from
/// recording it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateConvocation {
    pub meeting: String,
    /// Why the notice is short, in the coordinator's words.
    pub reason: String,
    /// The clear days given, and those the rule requires.
    pub clear_days: i64,
    pub required: i64,
    pub at: NaiveDate,
    pub seq: i64,
}

/// A meeting without a time is convoked for 9:30, and lasts two hours.
const DEFAULT_START: (u32, u32) = (9, 30);
const DURATION_HOURS: i64 = 2;

/// Checks the notice period (`notice`, the body's rule applied to the
/// meeting today: [`notice::Notice`]): Ok(clear days given), or the error
/// that says the last valid day to send.
pub fn check_notice(
    body: &Body,
    meeting: &Meeting,
    notice: &notice::Notice,
    today: NaiveDate,
    late: Option<&str>,
) -> Result<i64> {
    if meeting.date < today {
        return Err(Error::usage(format!(
            "meeting {} was on {}: it is too late to convoke it",
            meeting.id, meeting.date
        )));
    }
    let given = notice.given;
    if notice.in_time || late.is_some() {
        return Ok(given);
    }
    let last = notice.last_day.map_or("-".to_owned(), |d| d.to_string());
    Err(Error::usage(format!(
        "the {} needs {} clear days of notice{}: the last day to send for {} was {last} (today {today} gives {}). \
         Nothing was sent. To send anyway: charte convoke {} --late \"REASON\" (the committee will see a notice-too-short flag)",
        body.key,
        notice.clear,
        if notice.receipt > 0 { format!(" plus {} for delivery", notice.receipt) } else { String::new() },
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
}

impl Context<'_> {
    fn start(&self) -> chrono::NaiveDateTime {
        let time = self
            .meeting
            .time
            .unwrap_or_else(|| NaiveTime::from_hms_opt(DEFAULT_START.0, DEFAULT_START.1, 0).unwrap_or(NaiveTime::MIN));
        self.meeting.date.and_time(time)
    }

    /// What the convocation says, in `lang`, to `to` (or to no one in
    /// particular, for the PDF every recipient of that language receives).
    pub fn convocation(&self, lang: Language, to: Option<&crate::roster::Organisation>, reply_to: &str) -> Convocation {
        Convocation {
            lang,
            network: self.config.coordination.name(lang).to_owned(),
            organiser: self.config.coordination.organiser(lang).to_owned(),
            body: self.body.name(lang).to_owned(),
            title: self.meeting.title.clone(),
            when: self.start(),
            place: self.meeting.place.clone(),
            agenda: self.meeting.agenda.clone(),
            clear_days: self.clear_days,
            required_clear_days: i64::from(self.body.notice_clear_days),
            late_reason: self.late.map(str::to_owned),
            recipient: to.map(|o| o.name.clone()).unwrap_or_default(),
            representative: to.and_then(|o| o.representative.clone()),
            reply_to: reply_to.to_owned(),
        }
    }

    /// The address excuses go to.
    pub fn reply_address(&self) -> Result<String> {
        Ok(envelope(self.mail)?.reply_address().to_owned())
    }

    /// The PDF convocation of each language the recipients read.
    pub fn pdfs(
        &self,
        members: &[Member],
        engine: &crate::render::Engine,
        templates_dir: &std::path::Path,
        today: NaiveDate,
    ) -> Result<HashMap<Language, Vec<u8>>> {
        let reply_to = self.reply_address()?;
        let mut out = HashMap::new();
        for m in convoked(self.config, self.body, members) {
            let lang = m.organisation.language;
            if out.contains_key(&lang) {
                continue;
            }
            let mut data = self.convocation(lang, None, &reply_to).data();
            data["meeting_id"] = serde_json::Value::String(self.meeting.id.clone());
            // The network's name with its article and its contact block, in
            // the page's language (see templates/convocation/convocation.typ).
            data["coordination"] =
                crate::render::CoordinationData::from_config(&self.config.coordination, lang).to_value();
            let pdf = crate::render::document(
                engine,
                Some(templates_dir),
                crate::render::CONVOCATION_TEMPLATE,
                lang.code(),
                data,
                today,
                &format!("{}-{}", self.meeting.id, lang.code()),
            )
            .map_err(|e| Error::usage(format!("the PDF convocation ({}): {e}", lang.code())))?;
            out.insert(lang, pdf);
        }
        Ok(out)
    }
}

/// The settings' envelope, a settings error naming charte.toml.
pub fn envelope(mail: &MailSettings) -> Result<crate::mail::Envelope> {
    mail.envelope().map_err(|e| Error::Config { file: "charte.toml".into(), message: e.to_string() })
}

/// Refuses a body with no one to convoke.
pub fn check_recipients(config: &Config, body: &Body, members: &[Member]) -> Result<usize> {
    let n: usize = convoked(config, body, members).iter().map(|m| m.organisation.recipients().len()).sum();
    if n == 0 {
        return Err(Error::usage(format!(
            "the {} has no one to convoke (no organisation on the roster{})",
            body.key,
            if body.key == "plenary" { "" } else { " among its members or seats in charte.toml" }
        )));
    }
    Ok(n)
}

/// One message per address of every organisation of `members` the body
/// convokes (call it on a slice of the roster to build a batch at a time),
/// and the organisations whose messages could not be built, with why (the
/// others are not held back by them).
pub fn messages(
    ctx: &Context<'_>,
    members: &[Member],
    pdfs: &HashMap<Language, Vec<u8>>,
) -> Result<(Vec<Planned>, Vec<crate::error::Failed>)> {
    let recipients = convoked(ctx.config, ctx.body, members);
    if recipients.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let envelope = envelope(ctx.mail)?;
    let mut out = Vec::new();
    let mut failed = Vec::new();
    for m in recipients {
        match organisation_messages(ctx, &envelope, m, pdfs) {
            Ok(planned) => out.extend(planned),
            Err(e) => failed.push(crate::error::Failed {
                item: format!("{} ({})", m.organisation.name, m.organisation.enterprise_number.formatted()),
                reason: e.to_string(),
            }),
        }
    }
    Ok((out, failed))
}

/// The convocations of one organisation, one per address.
fn organisation_messages(
    ctx: &Context<'_>,
    envelope: &crate::mail::Envelope,
    m: &Member,
    pdfs: &HashMap<Language, Vec<u8>>,
) -> Result<Vec<Planned>> {
    let start = ctx.start();
    let end = start + chrono::Duration::hours(DURATION_HOURS);
    let o = &m.organisation;
    let lang = o.language;
    let convocation = ctx.convocation(lang, Some(o), envelope.reply_address());
    let rendered =
        ctx.templates.convocation(&convocation).map_err(|e| Error::usage(format!("the convocation template: {e}")))?;
    let pdf = pdfs.get(&lang);
    let letter = crate::delivery::Letter {
        envelope,
        rendered: &rendered,
        date: ctx.date,
        id: format!("convocation.{}.{}", ctx.meeting.id, o.enterprise_number.digits()),
        purpose: "convocation",
        about: &ctx.meeting.id,
    };
    crate::delivery::to_organisation(o, &letter, |to| {
        let calendar = crate::mail::invite(&Invite {
            uid: format!("{}@{}", ctx.meeting.id, envelope.domain),
            sequence: 0,
            summary: format!("{} — {}", ctx.body.name(lang), ctx.config.coordination.name(lang)),
            description: ctx.meeting.agenda.join("\n"),
            location: ctx.meeting.place.clone(),
            start,
            end,
            stamp: ctx.date,
            organizer: envelope.from.clone(),
            attendees: vec![to.clone()],
            cancelled: false,
        })
        .map_err(|e| Error::usage(format!("its calendar invitation: {e}")))?;
        let attachments = pdf
            .map(|bytes| Attachment {
                filename: format!("convocation-{}-{}.pdf", ctx.meeting.id, lang.code()),
                content_type: "application/pdf".into(),
                bytes: bytes.clone(),
            })
            .into_iter()
            .collect();
        Ok((attachments, Some(calendar)))
    })
}
