//! The messages of the adhesion workflow's `send` and `remind` steps: the
//! sealed adherence document, in the organisation's language, to its
//! address and its representative's. Message-IDs come from the step's key,
//! so a repeated run recognises what it already sent.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use crate::config::Config;
use crate::delivery::Planned;
use crate::documents::IssuedDocument;
use crate::error::{Error, Result};
use crate::mail::{Attachment, Templates, long_date};
use crate::roster::Member;

/// What every message of one step shares.
#[derive(Debug)]
pub struct Context<'a> {
    pub config: &'a Config,
    /// Sender, reply-to and Message-ID domain, from the settings once.
    pub envelope: crate::mail::Envelope,
    pub templates: &'a Templates,
    /// The message template: `adherence`, `adherence-reminder`, or a workspace's own.
    pub template: &'a str,
    /// The Date header.
    pub date: DateTime<Utc>,
    /// `[serve]`'s, when each message carries a new signing link.
    pub links: Option<crate::links::LinkSettings>,
    /// The day links are minted.
    pub today: NaiveDate,
}

/// When the document was first sent, and the date the reply is asked by
/// (the escalation's), for the templates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dates {
    pub sent: Option<NaiveDate>,
    pub reply_by: Option<NaiveDate>,
}

/// The message-ID's left part from a step's key: letters, digits, '.', '-'.
fn id_part(key: &str) -> String {
    key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '.' }).collect()
}

/// One message per address of the organisation, with the document
/// attached; each with a new signing link of its own when `[serve]
/// public_url` is set (the templates' `link` and `link_until`, else null).
pub fn messages(
    ctx: &Context<'_>,
    key: &str,
    about: &str,
    member: &Member,
    document: &IssuedDocument,
    pdf: &[u8],
    dates: Dates,
) -> Result<Vec<Planned>> {
    let envelope = &ctx.envelope;
    let o = &member.organisation;
    let lang = o.language;
    let data = json!({
        "lang": lang.code(),
        "network": ctx.config.coordination.name(lang),
        "organiser": ctx.config.coordination.organiser(lang),
        "recipient": o.name,
        "representative": o.representative,
        "charter_version": document.charter_version,
        "document_id": document.document_id,
        "issued": long_date(document.issued, lang),
        "sent": dates.sent.map(|d| long_date(d, lang)),
        "reply_by": dates.reply_by.map(|d| long_date(d, lang)),
        "reply_to": envelope.reply_address(),
        "link": null,
        "link_until": null,
    });
    let render = |data: &serde_json::Value| {
        ctx.templates
            .render(ctx.template, lang, data)
            .map_err(|e| Error::usage(format!("mail template '{}': {e}", ctx.template)))
    };
    let rendered = render(&data)?;
    let file_name = std::path::Path::new(&document.file)
        .file_name()
        .map_or_else(|| format!("{}.pdf", document.document_id), |n| n.to_string_lossy().into_owned());
    let letter = crate::delivery::Letter {
        envelope,
        rendered: &rendered,
        date: ctx.date,
        id: id_part(key),
        purpose: "adherence",
        about,
    };
    crate::delivery::to_each_address(o, &letter, |_| {
        let pdf =
            Attachment { filename: file_name.clone(), content_type: "application/pdf".into(), bytes: pdf.to_vec() };
        let mut parts = crate::delivery::Parts { attachments: vec![pdf], ..Default::default() };
        if let Some(settings) = &ctx.links {
            let minted = settings.mint(ctx.today, document)?;
            let mut data = data.clone();
            data["link"] = json!(minted.url);
            data["link_until"] = json!(long_date(minted.link.valid_until, lang));
            parts.rendered = Some(render(&data)?);
            parts.link = Some(minted.link);
        }
        Ok(parts)
    })
}

#[cfg(test)]
mod tests {
    use super::id_part;

    #[test]
    fn a_key_makes_a_valid_message_id() {
        assert_eq!(id_part("adhesion/0123456749@2022-02/send/1"), "adhesion.0123456749.2022-02.send.1");
    }
}
