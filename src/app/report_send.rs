//! `charte report send annual|subsidy --year Y`: the approved report goes
//! to the funder (DESIGN.md "[funder]"), as ONE mail to `[funder] email`
//! in `[funder] language`, holding the report's sealed PDF(s) as made, for
//! the subsidy report the expense lines it was made with
//! (subsidy-Y.expenses.csv), the verification page (out/verify.html,
//! written again) and the signed tree head that covers the report (a
//! checkpoint file, as `charte checkpoint` writes it); the body says which
//! report, which meeting approved it, the sealing key's fingerprint, the
//! `/verify` link when `[serve] public_url` is set, and how to verify
//! offline.
//!
//! Once only: the Message-ID is keyed on the report's kind, year and
//! sealed sha256, and the mail goes through the one send loop
//! (crate::delivery), journaled intended → sent or bounced like every
//! mail. A report made again with other figures is another file, which
//! needs its own approval and is another mail. The funder has no
//! enterprise number: its message is journaled with an empty one and the
//! purpose "report" (a bounce is a coordination-level `mail-bounced`).

use chrono::NaiveDate;
use serde::Serialize;

use super::App;
use super::report::file_name;
use crate::delivery::{MessageRecord, MessageState, Planned};
use crate::documents::IssuedDocument;
use crate::error::{Error, Result};
use crate::mail::{Attachment, Outgoing};
use crate::report::{Kind, NotSent};
use crate::roster::Language;

/// The purpose the journal records a report's mail under.
pub use crate::report::MAIL_PURPOSE as PURPOSE;

/// What `report send` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Handed to the transport (the SMTP server accepted it, or the outbox
    /// wrote it) now.
    Sent,
    /// Sent by an earlier run: nothing was sent.
    AlreadySent,
    /// The funder's server refused it for good (flagged: mail-bounced).
    Bounced(String),
    /// Refused for good at this address by an earlier run: nothing was
    /// sent (a corrected `[funder] email` is another mail).
    BouncedBefore(String),
    /// Another run is sending it at this moment.
    Elsewhere,
}

/// A report's mail to the funder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportSent {
    pub report: &'static str,
    pub year: i32,
    pub outcome: Outcome,
    /// `[funder] email`.
    pub to: String,
    /// fr or nl.
    pub language: &'static str,
    pub message_id: String,
    /// The report's document id (its main file) and the meeting that approved it.
    pub document_id: String,
    pub meeting: String,
    /// The file names attached (empty when nothing was sent now).
    pub attachments: Vec<String>,
    /// The day it was sent (today, or the earlier day it went).
    pub at: NaiveDate,
}

impl App {
    /// The funder's language (`[funder] language`; the network's main one without it).
    fn funder_language(&self) -> Language {
        self.ws.config.funder.language.unwrap_or_else(|| self.ws.config.coordination.main_language())
    }

    /// The mail that carried the report of `kind` and `year` as it is now
    /// (its current file) to the funder, if one was handed over.
    pub fn report_delivery(&self, kind: Kind, year: i32) -> Result<Option<MessageRecord>> {
        let Some(made) = self.report_state(kind, year)?.made else { return Ok(None) };
        self.delivery_about(&made.document_id)
    }

    /// The mail that carried the report `document_id`: the one the server
    /// accepted, else the last one refused for good.
    fn delivery_about(&self, document_id: &str) -> Result<Option<MessageRecord>> {
        let settled: Vec<MessageRecord> = self
            .ws
            .store
            .messages(PURPOSE)?
            .into_iter()
            .filter(|m| m.about == document_id && m.state != MessageState::Intended)
            .collect();
        Ok(settled.iter().find(|m| m.state == MessageState::Sent).or(settled.last()).cloned())
    }

    /// Whether the report of `kind` and `year` as it is now was refused
    /// for good at the address `[funder] email` names now: sending it
    /// again there sends nothing (the address needs correcting first).
    pub fn report_refused_here(&self, kind: Kind, year: i32) -> Result<bool> {
        let state = self.report_state(kind, year)?;
        let (Some(made), Some(to)) = (state.made, state.funder_email) else { return Ok(false) };
        let left = format!("{}@", message_id_left(kind, year, &made, &to));
        Ok(self
            .delivery_about(&made.document_id)?
            .is_some_and(|m| m.state == MessageState::Bounced && m.message_id.starts_with(&left)))
    }

    /// A meeting in words: "Assemblée plénière du jeudi 19 novembre 2026";
    /// its id when the journal does not know it.
    pub fn meeting_words(&self, id: &str, lang: Language) -> Result<String> {
        let found = self.ws.store.meetings()?.into_iter().find(|m| m.meeting.id == id);
        Ok(match found {
            Some(m) => {
                let body = crate::governance::bodies(&self.ws.config)
                    .into_iter()
                    .find(|b| b.key == m.meeting.body)
                    .map_or_else(|| m.meeting.body.clone(), |b| b.name(lang).to_owned());
                let day = crate::mail::long_date(m.meeting.date, lang);
                match lang {
                    Language::Fr => format!("{body} du {day}"),
                    Language::Nl => format!("{body} van {day}"),
                }
            }
            None => id.to_owned(),
        })
    }

    /// Sends the report of `kind` and `year` to the funder, once (see the
    /// module doc). Refused, with nothing sent, when the report is not
    /// made, when no approval holds for its file as it is now, or when
    /// `[funder] email` is not set.
    pub fn send_report(&mut self, kind: Kind, year: i32) -> Result<ReportSent> {
        super::report::check_year(year)?;
        let word = kind.word();
        let state = self.report_state(kind, year)?;
        let Some(made) = state.made.clone() else {
            return Err(Error::NotSent(NotSent::NotMade { kind, year }));
        };
        let Some(approval) = state.holds.clone() else {
            return Err(Error::NotSent(NotSent::NotApproved {
                kind,
                year,
                document_id: made.document_id,
                body: super::approve::body_key(state.body),
                lapsed: state.approval_lapsed(),
            }));
        };
        let Some(to) = state.funder_email.clone() else {
            return Err(Error::NotSent(NotSent::NoEmail));
        };
        let lang = self.funder_language();
        let message_id_left = message_id_left(kind, year, &made, &to);
        let mail = self.ws.mail()?;
        let envelope = crate::governance::convoke::envelope(&mail)?;
        let message_id = format!("{message_id_left}@{}", envelope.domain);
        let sent = |outcome: Outcome, at: NaiveDate, attachments: Vec<String>| ReportSent {
            report: word,
            year,
            outcome,
            to: to.clone(),
            language: lang.code(),
            message_id: message_id.clone(),
            document_id: made.document_id.clone(),
            meeting: approval.meeting.clone(),
            attachments,
            at,
        };
        // Sent before: nothing is made or written again.
        match self.delivery_about(&made.document_id)? {
            Some(before) if before.state == MessageState::Sent => {
                return Ok(ReportSent {
                    to: before.address.clone().unwrap_or_else(|| to.clone()),
                    message_id: before.message_id.clone(),
                    ..sent(Outcome::AlreadySent, before.at, Vec::new())
                });
            }
            Some(before) if before.message_id == message_id => {
                let why = before.reason.clone().unwrap_or_default();
                return Ok(sent(Outcome::BouncedBefore(why), before.at, Vec::new()));
            }
            _ => {}
        }
        let attachments = self.report_attachments(kind, year, &made)?;
        let pdf = attachments.first().map(|a| a.filename.clone()).unwrap_or_default();
        let fingerprint = crate::seal::embedded_key(&attachments.first().map(|a| a.bytes.clone()).unwrap_or_default())
            .map(|k| crate::seal::fingerprint(&k))
            .map_err(|_| {
                Error::NotSent(crate::report::NotSent::FileChanged {
                    file: made.file.clone(),
                    document_id: made.document_id.clone(),
                })
            })?;
        let checkpoint = attachments.iter().rev().find(|a| a.filename.starts_with("checkpoint-"));
        let c = &self.ws.config.coordination;
        let data = serde_json::json!({
            "lang": lang.code(),
            "network": c.name(lang),
            "organiser": c.organiser(lang),
            "report": kind.words(lang),
            "report_title": kind.title(lang),
            "year": year,
            "meeting": self.meeting_words(&approval.meeting, lang)?,
            "phone": c.contact.as_ref().map(|k| k.phone.clone()),
            "fingerprint": fingerprint,
            "verify_url": self.ws.config.serve.public_url.as_ref().map(|u| format!("{}/verify", u.trim_end_matches('/'))),
            "attachments": attachments.iter().map(|a| a.filename.clone()).collect::<Vec<_>>(),
            "pdf": pdf,
            "checkpoint": checkpoint.map(|a| a.filename.clone()),
        });
        let rendered = self
            .ws
            .mail_templates()?
            .render("report", lang, &data)
            .map_err(|e| Error::usage(format!("mail template 'report': {e}")))?;
        let names = attachments.iter().map(|a| a.filename.clone()).collect();
        let planned = Planned {
            outgoing: Outgoing {
                message_id: message_id.clone(),
                date: self.today.and_time(chrono::Utc::now().time()).and_utc(),
                from: envelope.from.clone(),
                reply_to: envelope.reply_to.clone(),
                to: vec![crate::mail::Contact::new(&to)],
                subject: rendered.subject.clone(),
                text: rendered.text.clone(),
                html: Some(rendered.html.clone()),
                attachments,
                calendar: None,
            },
            purpose: PURPOSE,
            about: made.document_id.clone(),
            enterprise_number: String::new(),
            address: to.clone(),
            link: None,
        };
        let mut sender = self.sender()?;
        let report = sender.deliver(&mut self.ws.store, self.today, std::slice::from_ref(&planned), &|| {})?;
        sender.close();
        let outcome = if let Some((_, why)) = report.bounced.first() {
            Outcome::Bounced(why.clone())
        } else if report.sent > 0 {
            Outcome::Sent
        } else if !report.elsewhere.is_empty() {
            Outcome::Elsewhere
        } else if let Some((_, why)) = report.refused.first() {
            return Err(Error::usage(format!("the report's mail was not sent: {why}")));
        } else {
            Outcome::AlreadySent
        };
        Ok(sent(outcome, self.today, names))
    }

    /// The files the report's mail carries: its sealed PDF(s) as made (the
    /// main language first, each the one journaled last at its name and
    /// unchanged on disk), the subsidy report's expense lines, out/verify.html
    /// (written again) and the latest checkpoint covering the report (one
    /// is made when none does).
    fn report_attachments(&mut self, kind: Kind, year: i32, made: &IssuedDocument) -> Result<Vec<Attachment>> {
        let documents = self.ws.store.documents()?;
        let latest_at = |file: &str| documents.iter().rev().find(|d| d.file == file).cloned();
        let mut pdfs = vec![made.clone()];
        if kind == Kind::Annual {
            let mut languages = self.ws.config.coordination.languages.clone();
            languages.dedup();
            let reports = self.ws.out_dir().join("reports");
            // Made together, the other languages' files carry the same
            // journal head at the end of their ids.
            let head = made.document_id.rsplit('-').next().unwrap_or_default();
            for lang in languages.iter().skip(1) {
                let path = reports.join(format!("{}.{}.pdf", kind.stem(year), lang.code()));
                let file = path.strip_prefix(&self.ws.root).unwrap_or(&path).to_string_lossy().into_owned();
                if let Some(doc) = latest_at(&file).filter(|d| d.document_id.ends_with(&format!("-{head}"))) {
                    pdfs.push(doc);
                }
            }
        }
        let mut out = Vec::new();
        for doc in &pdfs {
            let path = self.ws.root.join(&doc.file);
            if crate::error::holds(&path, &doc.sealed_sha256)? != Some(true) {
                return Err(Error::NotSent(NotSent::FileChanged {
                    file: doc.file.clone(),
                    document_id: doc.document_id.clone(),
                }));
            }
            out.push(Attachment {
                filename: file_name(&path),
                content_type: "application/pdf".into(),
                bytes: crate::error::read_bounded(&path, crate::error::MAX_DOCUMENT_BYTES, "a report")?,
            });
        }
        if kind == Kind::Subsidy {
            // The expense lines the sealed figures were made from, and no
            // others: the PDF's seal names their sha256 (made with it).
            let name = super::report::expenses_file(year);
            let path = self.ws.out_dir().join("reports").join(&name);
            let bound = out
                .first()
                .and_then(|pdf| crate::seal::read_manifest(&pdf.bytes).ok())
                .and_then(|m| m.extra.get(super::report::COMPANIONS)?.get(&name)?.as_str().map(str::to_owned));
            let bytes = match crate::error::read_at_most(&path, crate::error::MAX_DOCUMENT_BYTES) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::io(&path, e)),
            };
            let holds = |bytes: &[u8]| {
                use sha2::Digest as _;
                bound.as_deref() == Some(hex::encode(sha2::Sha256::digest(bytes)).as_str())
            };
            match bytes {
                Some(bytes) if holds(&bytes) => {
                    out.push(Attachment { filename: name, content_type: "text/csv".into(), bytes });
                }
                _ => {
                    let file = path.strip_prefix(&self.ws.root).unwrap_or(&path).to_string_lossy().into_owned();
                    return Err(Error::NotSent(NotSent::ExpensesChanged {
                        file,
                        document_id: made.document_id.clone(),
                    }));
                }
            }
        }
        let page = self.write_verify_page()?;
        out.push(Attachment {
            filename: file_name(&page),
            content_type: "text/html".into(),
            bytes: crate::error::read_bounded(&page, crate::error::MAX_DOCUMENT_BYTES, "the verification page")?,
        });
        let covered = pdfs.iter().map(|d| d.seq).max().unwrap_or_default() as u64;
        let found = self
            .checkpoint_files()?
            .into_iter()
            .filter(|f| f.checkpoint.statement.tree_size >= covered)
            .max_by_key(|f| f.checkpoint.statement.tree_size);
        let path = match found {
            Some(f) => self
                .ws
                .out_dir()
                .join("checkpoints")
                .join(super::checkpoint::file_name(f.checkpoint.statement.tree_size)),
            None => self.checkpoint()?.path,
        };
        out.push(Attachment {
            filename: file_name(&path),
            content_type: "application/json".into(),
            bytes: crate::error::read_bounded(&path, 1 << 20, "a checkpoint")?,
        });
        Ok(out)
    }
}

/// The left part of the Message-ID of the mail carrying the report `made`
/// to `to`: keyed on the report (kind, year, sealed file) and the address,
/// a report is delivered once; refused for good at one address, it goes to
/// a corrected one.
fn message_id_left(kind: Kind, year: i32, made: &IssuedDocument, to: &str) -> String {
    use sha2::Digest as _;
    let address_key = hex::encode(sha2::Sha256::digest(to.trim().to_lowercase().as_bytes()));
    format!("{}.{}.{}", crate::report::mail_key(kind.code(), year), &made.sealed_sha256[..16], &address_key[..8])
}
