//! The charter's versions: adopting a new one (journaled with the sha256
//! of each language's text) and listing them. A new version makes every
//! organisation sign again; signatures of the previous one still count
//! for `[charter] grace_days` after its adoption.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::App;
use crate::charter::NotAdopted;
use crate::error::{Error, Result};
use crate::journal::Event;
use crate::roster::Language;

/// A version adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adopted {
    pub version: String,
    pub adopted: NaiveDate,
    /// The version it follows, and the last day its signatures still
    /// count (the grace period's end); `None` for the first version.
    pub previous: Option<(String, NaiveDate)>,
    /// The grace period, in days.
    pub grace_days: u32,
    /// The sha256 of each language's text, by language code.
    pub texts: BTreeMap<String, String>,
}

/// A version of the charter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Listed {
    pub version: String,
    pub adopted: NaiveDate,
    /// The version in force today.
    pub in_force: bool,
}

/// One language's text of the charter, as charter/LANG.md holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharterText {
    pub lang: Language,
    /// Empty when the file is missing.
    pub text: String,
    /// Still the example `charte init` wrote, which `issue` refuses.
    pub placeholder: bool,
}

/// What saving a charter text did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// The file now holds the text.
    Written,
    /// The file held that very text already: nothing was written.
    Unchanged,
}

/// The longest charter text accepted: a charter is a few pages.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

impl App {
    /// The charter's text in each of the coordination's languages.
    pub fn charter_texts(&self) -> Result<Vec<CharterText>> {
        let mut out = Vec::new();
        for &lang in &self.ws.config.coordination.languages {
            let path = self.charter_path(lang);
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(Error::io(&path, e)),
            };
            let placeholder = crate::workspace::is_placeholder_charter(&text);
            out.push(CharterText { lang, text, placeholder });
        }
        Ok(out)
    }

    /// Writes `text` as the charter's text in `lang` (charter/LANG.md,
    /// atomically, its line ends made Unix ones). The text counts once a
    /// version is adopted (`adopt_charter`), which records its sha256; it
    /// is what the next documents are issued with.
    pub fn save_charter_text(&self, lang: Language, text: &str) -> Result<Saved> {
        use crate::charter::NotSaved;
        if !self.ws.config.coordination.languages.contains(&lang) {
            return Err(Error::NotSaved(NotSaved::OtherLanguage { lang }));
        }
        let mut text = text.replace("\r\n", "\n").replace('\r', "\n");
        if text.trim().is_empty() {
            return Err(Error::NotSaved(NotSaved::Empty));
        }
        if text.len() > MAX_TEXT_BYTES {
            return Err(Error::NotSaved(NotSaved::TooLarge { limit: MAX_TEXT_BYTES as u64 }));
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let path = self.charter_path(lang);
        if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
            return Ok(Saved::Unchanged);
        }
        crate::error::create_dir(&self.ws.charter_dir())?;
        crate::error::write_atomic(&path, text.as_bytes())?;
        Ok(Saved::Written)
    }

    fn charter_path(&self, lang: Language) -> std::path::PathBuf {
        self.ws.charter_dir().join(format!("{}.md", lang.code()))
    }

    /// Records version `version` of the charter, adopted on `adopted`,
    /// whose text is now in charter/ (one file per language).
    pub fn adopt_charter(&mut self, version: &str, adopted: NaiveDate) -> Result<Adopted> {
        let ws = &mut self.ws;
        let version = version.trim();
        if !crate::charter::is_valid_label(version) {
            return Err(Error::NotAdopted(NotAdopted::BadLabel { version: version.to_owned() }));
        }
        // Checked first on what was read, before the texts are read;
        // checked again under the write lock, on what is journaled then.
        let meetings = ws.store.meetings()?;
        let attended: std::collections::HashSet<String> =
            ws.store.attendance()?.into_iter().map(|a| a.meeting).collect();
        let last_attended = meetings
            .iter()
            .filter(|r| r.cancelled.is_none())
            .map(|r| &r.meeting)
            .filter(|m| m.date >= adopted && attended.contains(&m.id))
            .max_by_key(|m| m.date)
            .map(|m| (m.id.clone(), m.date));
        refuse_adoption(&ws.config.charter.history, version, adopted, last_attended)?;
        if adopted > self.today {
            return Err(Error::NotAdopted(NotAdopted::AfterToday { adopted, today: self.today }));
        }
        let mut texts = BTreeMap::new();
        for lang in &ws.config.coordination.languages {
            let path = ws.charter_dir().join(format!("{}.md", lang.code()));
            let text = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            if String::from_utf8_lossy(&text).trim().is_empty() {
                return Err(Error::NotAdopted(NotAdopted::EmptyText { lang: *lang, path }));
            }
            // As `issue` refuses it: a version is the network's own text.
            if crate::workspace::is_placeholder_charter(&String::from_utf8_lossy(&text)) {
                return Err(Error::NotAdopted(NotAdopted::Placeholder { lang: *lang, path }));
            }
            texts.insert(lang.code().to_owned(), hex::encode(Sha256::digest(&text)));
        }
        let known = &ws.config.charter.history;
        let grace_days = known.grace_days();
        let previous = ws.store.transaction(self.today, |tx| {
            // The versions as journaled under the lock: another adoption
            // committed since this one read them is seen.
            let mut versions = known.versions().to_vec();
            versions.extend(tx.charter_versions()?);
            let history = crate::charter::History::new(versions, grace_days);
            refuse_adoption(&history, version, adopted, tx.attended_meeting_from(adopted)?)?;
            let previous = history.versions().last().map(|v| v.label.clone());
            tx.append(&Event::CharterAdopted { version: version.to_owned(), adopted, texts: texts.clone() })?;
            Ok(previous)
        })?;
        // The grace period's last day: its end, less the day it ends on.
        let previous = previous.and_then(|label| {
            let end = adopted.checked_add_days(chrono::Days::new(u64::from(grace_days)))?;
            Some((label, end.pred_opt().unwrap_or(end)))
        });
        // The charter in force for this App's later actions, as a new App
        // would read it (a long-lived App, a web session, issues for the
        // version just adopted once it is in force).
        let root = self.ws.root.clone();
        self.ws = crate::workspace::Workspace::open(&root, self.today)?;
        Ok(Adopted { version: version.to_owned(), adopted, previous, grace_days, texts })
    }

    /// The charter's versions, oldest first, the one in force today marked.
    pub fn charter_versions(&self) -> Vec<Listed> {
        let history = &self.ws.config.charter.history;
        let current = history.in_force(self.today).map(|v| v.label.clone());
        history
            .versions()
            .iter()
            .map(|v| Listed {
                version: v.label.clone(),
                adopted: v.adopted,
                in_force: current.as_deref() == Some(v.label.as_str()),
            })
            .collect()
    }
}

/// Refuses adopting `version` on `adopted` after the versions of `history`
/// (already adopted, not after the last one), or before `last_attended`,
/// the latest meeting dated `adopted` or later whose attendance is recorded.
fn refuse_adoption(
    history: &crate::charter::History,
    version: &str,
    adopted: NaiveDate,
    last_attended: Option<(String, NaiveDate)>,
) -> Result<()> {
    if let Some(v) = history.get(version) {
        return Err(Error::NotAdopted(NotAdopted::AlreadyAdopted { version: version.to_owned(), on: v.adopted }));
    }
    if let Some(last) = history.versions().last() {
        if adopted <= last.adopted {
            return Err(Error::NotAdopted(NotAdopted::NotAfterLast {
                adopted,
                last: last.label.clone(),
                last_on: last.adopted,
            }));
        }
        // Labels are compared as text where signatures are recorded: a new
        // one sorts after the last (2027-01 after 2022-02; not v10 after v9).
        if version <= last.label.as_str() {
            return Err(Error::NotAdopted(NotAdopted::LabelNotAfter {
                version: version.to_owned(),
                last: last.label.clone(),
            }));
        }
    }
    // Who voted at a meeting already recorded was decided by the version
    // in force that day: adopting on an earlier day would change it.
    if let Some((id, date)) = last_attended {
        return Err(Error::NotAdopted(NotAdopted::MeetingRecorded { adopted, meeting: id, on: date }));
    }
    Ok(())
}
