//! `charte charter adopt VERSION --date D` / `charte charter list`

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::Ctx;
use crate::error::{Error, Result};
use crate::journal::Event;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record a new version of the charter, adopted on DATE, whose text is
    /// now in charter/ (one file per language). Every organisation signs
    /// it again; signatures of the previous version still count for
    /// `[charter] grace_days` after DATE.
    Adopt {
        /// The version's label, e.g. 2027-01 (letters, digits, '-' and '.').
        version: String,
        /// The day the body adopted it (YYYY-MM-DD), not after --now.
        #[arg(long, value_name = "DATE")]
        date: String,
    },
    /// The charter's versions, with the day each was adopted and the one in force.
    List,
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Adopt { version, date } => adopt(&version, &date, ctx),
        Command::List => list(ctx),
    }
}

fn adopt(version: &str, date: &str, ctx: &Ctx) -> Result<u8> {
    let adopted = super::parse_date("--date", date)?;
    let mut ws = ctx.writer()?;
    let version = version.trim();
    if !crate::charter::is_valid_label(version) {
        return Err(Error::usage(format!(
            "'{version}' cannot be a version's label: use at most 40 letters, digits, '-' and '.' (e.g. 2027-01); \
             it goes into document ids and file names"
        )));
    }
    let history = &ws.config.charter.history;
    if let Some(v) = history.get(version) {
        return Err(Error::usage(format!("version {version} was already adopted, on {}", v.adopted)));
    }
    if let Some(last) = history.versions().last() {
        if adopted <= last.adopted {
            return Err(Error::usage(format!(
                "--date {adopted}: version {} was adopted on {}; a new version comes after it",
                last.label, last.adopted
            )));
        }
        // Labels are compared as text where signatures are recorded: a new
        // one sorts after the last (2027-01 after 2022-02; not v10 after v9).
        if version <= last.label.as_str() {
            return Err(Error::usage(format!(
                "'{version}' does not sort after the last version's label '{}': label versions so that a later \
                 one sorts after, e.g. by year and month (2027-01)",
                last.label
            )));
        }
    }
    // Who voted at a meeting already recorded was decided by the version
    // in force that day: adopting on an earlier day would change it.
    let meetings = ws.store.meetings()?;
    let attended: std::collections::HashSet<String> = ws.store.attendance()?.into_iter().map(|a| a.meeting).collect();
    if let Some(m) = meetings
        .iter()
        .filter(|r| r.cancelled.is_none() && r.meeting.date >= adopted && attended.contains(&r.meeting.id))
        .map(|r| &r.meeting)
        .max_by_key(|m| m.date)
    {
        return Err(Error::usage(format!(
            "--date {adopted}: the meeting {} of {} has its attendance recorded, and who voted there was decided by \
             the version then in force; a version adopted before it would change that. Give the day it was \
             adopted, after {}",
            m.id, m.date, m.date
        )));
    }
    if adopted > ctx.now {
        return Err(Error::usage(format!(
            "--date {adopted} is after today ({}): record a version once it is adopted",
            ctx.now
        )));
    }
    let mut texts = BTreeMap::new();
    for lang in &ws.config.coordination.languages {
        let path = ws.charter_dir().join(format!("{}.md", lang.code()));
        let text = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        if String::from_utf8_lossy(&text).trim().is_empty() {
            return Err(Error::usage(format!("{} is empty: write the new version's text first", path.display())));
        }
        texts.insert(lang.code().to_owned(), hex::encode(Sha256::digest(&text)));
    }
    let previous = ws.config.charter.history.versions().last().map(|v| v.label.clone());
    ws.store.transaction(ctx.now, |tx| {
        tx.append(&Event::CharterAdopted { version: version.to_owned(), adopted, texts: texts.clone() }).map(|_| ())
    })?;
    let grace = ws.config.charter.history.grace_days();
    say!("charter {version} adopted on {adopted}: every organisation signs it again (charte issue --all).");
    if let Some(previous) = previous
        && let Some(end) = adopted.checked_add_days(chrono::Days::new(u64::from(grace)))
    {
        say!("  signatures of {previous} still count until {} ({grace} days of grace)", end.pred_opt().unwrap_or(end));
    }
    for (lang, sha) in &texts {
        say!("  charter/{lang}.md  sha256 {sha}");
    }
    Ok(0)
}

#[derive(Debug, serde::Serialize)]
struct Listed {
    version: String,
    adopted: chrono::NaiveDate,
    in_force: bool,
}

fn list(ctx: &Ctx) -> Result<u8> {
    let ws = ctx.workspace()?;
    let history = &ws.config.charter.history;
    let current = history.in_force(ctx.now).map(|v| v.label.clone());
    let listed: Vec<Listed> = history
        .versions()
        .iter()
        .map(|v| Listed {
            version: v.label.clone(),
            adopted: v.adopted,
            in_force: current.as_deref() == Some(v.label.as_str()),
        })
        .collect();
    if ctx.json {
        return super::print_json(&listed).map(|_| 0);
    }
    for v in &listed {
        say!("{}  adopted {}{}", v.version, v.adopted, if v.in_force { "  (in force)" } else { "" });
    }
    Ok(0)
}
