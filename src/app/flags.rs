//! Interpellation flags as actions: list them with the committee's handling
//! of each, record that handling, and draft the letters to the flagged
//! organisations. The rules are [`crate::flags`]'; the letters are written
//! here, for `charte flags letters` and the interpellation workflow's
//! `letter` step alike, so both write the same file.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use super::App;
use crate::error::{Error, Result};
use crate::flags::{self, Flag, Status};
use crate::journal::Event;
use crate::workspace::Workspace;

/// The flags of a year (or of all time) as of the app's day.
#[derive(Debug)]
pub struct Listing {
    /// In the order the rules list them.
    pub flags: Vec<Listed>,
    /// What the coordinator should know but is not (yet) a flag: a body
    /// that cannot reach its minimum of meetings in a year still running.
    pub warnings: Vec<String>,
}

/// A flag with its key and the committee's handling of it: one row of
/// `charte flags --json` (DESIGN.md).
#[derive(Debug, Serialize)]
pub struct Listed {
    #[serde(flatten)]
    pub flag: Flag,
    /// What `flags mark` takes: `rule:subject`.
    pub key: String,
    pub status: Status,
}

/// A flag's handling, recorded.
#[derive(Debug)]
pub struct Marked {
    /// The flag's key as the journal holds it (the enterprise number
    /// written as `charte flags` shows it, whatever spelling was given).
    pub key: String,
    pub status: Status,
}

/// Which interpellation letters to draft.
#[derive(Debug, Clone)]
pub struct LettersInput {
    /// Only the flags whose evidence falls in this year.
    pub year: Option<i32>,
    /// Days the organisation is given to answer, printed in the letter.
    pub reply_within_days: u32,
    /// Only the organisations of these flags (their keys): the workflow's
    /// subjects. Each letter still covers all its organisation's open
    /// flags that may be written about, as a letter from `flags letters`
    /// would: never a letter with fewer flags under the same name.
    pub only: Option<Vec<String>>,
}

/// The letters drafted.
#[derive(Debug)]
pub struct LettersOutcome {
    /// One per organisation written about, in the order of the
    /// organisations' first flag (of `only`'s keys, when given).
    pub letters: Vec<Letter>,
    /// Where the letters go: out/letters/.
    pub folder: PathBuf,
    /// Organisations not written to because their adherence flags wait:
    /// the adherence document was never sent, or its return is awaited
    /// until `adherence_overdue_days` after it was.
    pub waiting_organisations: usize,
    /// charte.toml's `[flags] adherence_overdue_days`, the delay they wait for.
    pub adherence_overdue_days: u32,
}

/// The letter to one organisation.
#[derive(Debug)]
pub struct Letter {
    /// As 0123.456.749.
    pub enterprise_number: String,
    /// The keys of every flag the letter covers, in the rules' order.
    pub keys: Vec<String>,
    /// The PDF drafted; None when the organisation is not on the roster
    /// (there is no one to write to).
    pub path: Option<PathBuf>,
}

impl LettersOutcome {
    /// The letter that covers the flag `key`, if one was drafted about it.
    pub fn covering(&self, key: &str) -> Option<&Letter> {
        self.letters.iter().find(|l| l.keys.iter().any(|k| k == key))
    }
}

impl App {
    /// The flags whose evidence falls in `year` (or all of them), each
    /// with its key and the committee's handling (open when never marked).
    pub fn flags(&self, year: Option<i32>) -> Result<Listing> {
        let loaded = flags::Loaded::load_for(&self.ws.store, &self.ws.config, year)?;
        self.listing(&loaded, year)
    }

    /// [`App::flags`] from the store's data already `loaded` (for `year`):
    /// the year at a glance reads the tables once for its other figures too.
    pub(crate) fn listing(&self, loaded: &flags::Loaded, year: Option<i32>) -> Result<Listing> {
        let ws = &self.ws;
        let facts = loaded.facts(&ws.config, self.today, year);
        let statuses = ws.store.flag_statuses()?;
        let flags = flags::evaluate(&facts)
            .into_iter()
            .map(|flag| {
                let key = flag.key();
                Listed { status: Status::of(&statuses, &key), key, flag }
            })
            .collect();
        Ok(Listing { flags, warnings: flags::warnings(&facts) })
    }

    /// Records the committee's handling of the flag `key` (any spelling of
    /// its enterprise number), with `note` for the record. A key that is
    /// neither a flag today nor one marked before is refused (not found):
    /// a typo is not journaled.
    pub fn mark_flag(&mut self, key: &str, status: Status, note: Option<String>) -> Result<Marked> {
        let key = flags::normalise_key(key);
        let ws = &mut self.ws;
        let loaded = flags::Loaded::load_for(&ws.store, &ws.config, None)?;
        let current = flags::evaluate(&loaded.facts(&ws.config, self.today, None));
        let flag_today = current.iter().any(|f| f.key() == key);
        ws.store.transaction(self.today, |tx| {
            // A key marked before is read under the write lock.
            if !flag_today && !tx.flag_marked(&key)? {
                return Err(Error::not_found(format!("no flag '{key}' (see `charte flags` for the keys)")));
            }
            tx.append(&Event::FlagStatusChanged { key: key.clone(), status: status.code().to_owned(), note })
                .map(|_| ())
        })?;
        Ok(Marked { key, status })
    }

    /// Drafts the interpellation letters of the app's day into
    /// out/letters/: one per organisation, in its language, covering all
    /// its open flags that may be written about today (a resolved flag
    /// gets none; an adherence flag waits for its delay,
    /// [`flags::for_letters`]). Nothing is journaled: a letter is a draft
    /// the coordinator reads and sends.
    pub fn letters(&mut self, input: &LettersInput) -> Result<LettersOutcome> {
        write_letters(&self.ws, self.today, input)
    }
}

/// The letters [`App::letters`] drafts: the flags that may be written
/// about on `today`, one letter per organisation.
fn write_letters(ws: &Workspace, today: NaiveDate, input: &LettersInput) -> Result<LettersOutcome> {
    let loaded = flags::Loaded::load_for(&ws.store, &ws.config, input.year)?;
    let facts = loaded.facts(&ws.config, today, input.year);
    let flags = flags::evaluate(&facts);
    let (ready, waiting) = flags::for_letters(&flags, &ws.store.flag_statuses()?, &facts);
    let organisations = match &input.only {
        None => flags::by_organisation(&ready).into_iter().map(|(number, _)| number).collect(),
        Some(keys) => {
            let asked: Vec<&Flag> = keys.iter().filter_map(|k| ready.iter().find(|f| f.key() == *k).copied()).collect();
            flags::by_organisation(&asked).into_iter().map(|(number, _)| number).collect::<Vec<_>>()
        }
    };
    let engine = App::engine()?;
    let mut letters = Vec::new();
    for number in organisations {
        let all: Vec<&Flag> =
            ready.iter().filter(|f| f.enterprise_number.as_deref() == Some(number.as_str())).copied().collect();
        let path = letter(ws, &engine, &loaded.members, &all, input.reply_within_days, today)?;
        letters.push(Letter { keys: all.iter().map(|f| f.key()).collect(), enterprise_number: number, path });
    }
    Ok(LettersOutcome {
        letters,
        folder: ws.out_dir().join("letters"),
        waiting_organisations: flags::by_organisation(&waiting).len(),
        adherence_overdue_days: ws.config.flags.adherence_overdue_days,
    })
}

/// Renders the draft interpellation letter to one organisation about all
/// of `flags` (its open flags), in its language, into out/letters/; None
/// when the organisation is not on the roster.
fn letter(
    ws: &Workspace,
    engine: &crate::render::Engine,
    members: &[crate::roster::Member],
    flags: &[&Flag],
    reply_within_days: u32,
    now: NaiveDate,
) -> Result<Option<PathBuf>> {
    let Some(first) = flags.first() else { return Ok(None) };
    let Some(member) = first.enterprise_number.as_deref().and_then(|n| crate::roster::resolve(members, n).ok()) else {
        return Ok(None);
    };
    let dir = ws.out_folder("letters")?;
    let c = &ws.config.coordination;
    let o = &member.organisation;
    let lang = o.language;
    // One letter per organisation and day: its name comes from the
    // enterprise number, which no other organisation shares.
    let word = match lang {
        crate::roster::Language::Fr => "lettre",
        crate::roster::Language::Nl => "brief",
    };
    let id = format!("{}-{word}-{}-{}", c.short, o.enterprise_number.digits(), now);
    let flag_data: Vec<serde_json::Value> = flags
        .iter()
        .map(|f| {
            serde_json::json!({
                "rule": f.rule,
                "since": f.since.to_string(),
                "evidence": f.evidence.iter().map(|e| serde_json::json!({
                    "seq": e.seq, "date": e.date.map(|d| d.to_string()), "text": e.in_language(lang),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let data = serde_json::json!({
        "coordination": crate::render::CoordinationData::from_config(c, lang).to_value(),
        "organisation": {
            "name": o.name, "enterprise_number": o.enterprise_number.formatted(),
            "address": o.address, "representative": o.representative,
        },
        // `flag` (the first) for templates written before letters covered several.
        "flag": flag_data.first(),
        "flags": flag_data,
        "document": {"id": id, "issued": now.to_string()},
        "reply_within_days": reply_within_days,
    });
    let pdf = crate::render::document(
        engine,
        Some(&ws.templates_dir()),
        crate::render::LETTER_TEMPLATE,
        lang.code(),
        data,
        now,
        &id,
    )
    .map_err(|e| Error::usage(format!("the letter to {}: {e}", o.name)))?;
    let path = dir.join(format!("{id}.pdf"));
    crate::error::write_atomic(&path, &pdf)?;
    Ok(Some(path))
}

impl App {
    /// Each flag's markings, oldest first, by key: what the committee
    /// decided about it, when, and why.
    pub fn flag_marks(&self) -> Result<std::collections::HashMap<String, Vec<flags::FlagMark>>> {
        let mut by_key: std::collections::HashMap<String, Vec<flags::FlagMark>> = std::collections::HashMap::new();
        for m in self.ws.store.flag_marks()? {
            by_key.entry(m.key.clone()).or_default().push(m);
        }
        Ok(by_key)
    }
}

/// A drafted letter sent by mail to its organisation, or found sent before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterSent {
    pub organisation: String,
    pub address: String,
    /// Sent now (else sent before: a letter is never sent twice).
    pub sent: bool,
    /// Refused for good by the server: why.
    pub bounced: Option<String>,
}

impl App {
    /// Mails the drafted letter `file` of out/letters/ to its organisation's
    /// registered address, the PDF attached, through `[mail]`'s transport.
    /// Its Message-ID comes from the file's name, so the journal's
    /// once-only sending never sends the same letter twice.
    pub fn send_letter(&mut self, file: &str) -> Result<LetterSent> {
        let pdf = self.out_file(super::glance::Folder::Letters, file)?;
        let stem = pdf.name.strip_suffix(".pdf").unwrap_or(&pdf.name).to_owned();
        let digits = stem.split('-').find(|p| p.len() == 10 && p.chars().all(|c| c.is_ascii_digit()));
        let member = digits
            .and_then(|d| crate::roster::EnterpriseNumber::parse(d).ok())
            .map(|n| self.ws.store.member(&n))
            .transpose()?
            .flatten()
            .ok_or_else(|| Error::not_found(format!("the letter {file} names no organisation of the roster")))?;
        let o = &member.organisation;
        let lang = o.language;
        let mail = self.ws.mail()?;
        let envelope = crate::governance::convoke::envelope(&mail)?;
        let c = &self.ws.config.coordination;
        let data = serde_json::json!({
            "lang": lang.code(), "network": c.name(lang), "organiser": c.organiser(lang), "recipient": o.name,
        });
        let rendered = self
            .ws
            .mail_templates()?
            .render("letter", lang, &data)
            .map_err(|e| Error::usage(format!("mail template 'letter': {e}")))?;
        let letter = crate::delivery::Letter {
            envelope: &envelope,
            rendered: &rendered,
            date: self.today.and_time(chrono::Utc::now().time()).and_utc(),
            id: format!("letter.{stem}"),
            purpose: "letter",
            about: &stem,
        };
        let attachment = crate::mail::Attachment {
            filename: pdf.name.clone(),
            content_type: pdf.content_type.into(),
            bytes: pdf.bytes,
        };
        let planned = crate::delivery::to_registered_address_with(o, &letter, &|_| {
            Ok(crate::delivery::Parts { attachments: vec![attachment.clone()], ..Default::default() })
        })?
        .ok_or_else(|| Error::usage(format!("{} has no registered address", o.name)))?;
        let mut sender = self.sender()?;
        let report = sender.deliver(&mut self.ws.store, self.today, std::slice::from_ref(&planned), &|| {})?;
        sender.close();
        Ok(LetterSent {
            organisation: o.name.clone(),
            address: planned.address,
            sent: report.sent > 0,
            bounced: report.bounced.first().map(|(_, why)| why.clone()),
        })
    }

    /// The letters mailed, by file name's stem: the day each left.
    pub fn letters_sent(&self) -> Result<std::collections::HashMap<String, NaiveDate>> {
        Ok(self
            .ws
            .store
            .messages("letter")?
            .into_iter()
            .filter(|m| m.state == crate::delivery::MessageState::Sent)
            .map(|m| (m.about, m.at))
            .collect())
    }
}
