//! charte.toml → a validated [`Config`]. Unknown keys are refused (a typo in
//! a rule must not silently fall back to a default), and every error names
//! the file and, where toml knows it, the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::roster::{EnterpriseNumber, Language};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub coordination: Coordination,
    pub charter: Charter,
    #[serde(default)]
    pub funder: Funder,
    pub bodies: Bodies,
    #[serde(default)]
    pub working_groups: BTreeMap<String, WorkingGroup>,
    /// The `[mail]` table (DESIGN.md's names).
    #[serde(default)]
    pub mail: Option<crate::mail::MailSettings>,
    #[serde(default)]
    pub flags: FlagRules,
    #[serde(default)]
    pub workspace: WorkspaceSettings,
    /// What charte noticed while reading the file and the coordinator
    /// should know (an old key read under its new name): printed, never fatal.
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// `[workspace]`: how the workspace itself behaves.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkspaceSettings {
    /// A replay workspace (a fixture, the demo, a test, a training copy)
    /// may act on dates after the machine's own date; a real one may not,
    /// so a typing error in `--now` cannot block its year.
    pub replay: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coordination {
    pub name_fr: String,
    pub name_nl: String,
    pub short: String,
    pub kind: NetworkKind,
    /// The CPAS (or intercommunal) that runs the network, in each language.
    #[serde(default)]
    pub organiser_fr: Option<String>,
    #[serde(default)]
    pub organiser_nl: Option<String>,
    /// Where the network works, in each language.
    #[serde(default)]
    pub territory_fr: Option<String>,
    #[serde(default)]
    pub territory_nl: Option<String>,
    /// The single values of workspaces made before the names had two
    /// languages: read as the French ones (with a note).
    #[serde(default)]
    organiser: Option<String>,
    #[serde(default)]
    territory: Option<String>,
    pub languages: Vec<Language>,
}

impl Coordination {
    pub fn name(&self, lang: Language) -> &str {
        match lang {
            Language::Fr => &self.name_fr,
            Language::Nl => &self.name_nl,
        }
    }

    /// Who runs the network, in `lang` (the French name where no Dutch one
    /// is given).
    pub fn organiser(&self, lang: Language) -> &str {
        let fr = self.organiser_fr.as_deref().unwrap_or_default();
        match lang {
            Language::Fr => fr,
            Language::Nl => self.organiser_nl.as_deref().unwrap_or(fr),
        }
    }

    /// Where the network works, in `lang`, when charte.toml says it.
    pub fn territory(&self, lang: Language) -> Option<&str> {
        match lang {
            Language::Fr => self.territory_fr.as_deref(),
            Language::Nl => self.territory_nl.as_deref().or(self.territory_fr.as_deref()),
        }
    }

    /// Reads the keys of older workspaces under their new names, noting it.
    fn upgrade(&mut self, notes: &mut Vec<String>) {
        for (old, fr, nl) in [
            ("organiser", &mut self.organiser, &mut self.organiser_fr),
            ("territory", &mut self.territory, &mut self.territory_fr),
        ] {
            if let Some(value) = fr.take() {
                if nl.is_none() {
                    *nl = Some(value);
                    notes.push(format!(
                        "charte.toml: coordination.{old} is read as {old}_fr; rename it {old}_fr and add {old}_nl \
                         (the Dutch one) so that Dutch-speaking members read it in Dutch"
                    ));
                } else {
                    notes.push(format!("charte.toml: coordination.{old} is ignored: {old}_fr is set"));
                }
            }
        }
    }

    /// The language of the network's own reports.
    pub fn main_language(&self) -> Language {
        self.languages.first().copied().unwrap_or(Language::Fr)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkKind {
    CoordinationSociale,
    RelaisSocial,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Charter {
    /// The version in force: charte.toml's, or the latest adopted since by
    /// `charte charter adopt` (the workspace sets it for its day).
    pub version: String,
    pub adopted: NaiveDate,
    /// Days after a new version's adoption during which a signature of the
    /// previous version still counts (default: `[flags]
    /// adherence_overdue_days`).
    #[serde(default)]
    pub grace_days: Option<u32>,
    /// Every version adopted, charte.toml's first (filled in by the workspace).
    #[serde(skip)]
    pub history: crate::charter::History,
}

impl Charter {
    /// Sets the history of versions and the version in force on `today`.
    pub fn apply(&mut self, journaled: Vec<crate::charter::Version>, overdue_days: u32, today: NaiveDate) {
        let mut versions = vec![crate::charter::Version { label: self.version.clone(), adopted: self.adopted }];
        versions.extend(journaled);
        self.history = crate::charter::History::new(versions, self.grace_days.unwrap_or(overdue_days));
        if let Some(v) = self.history.in_force(today) {
            self.version = v.label.clone();
            self.adopted = v.adopted;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FunderKind {
    Cocom,
    WalloonRegion,
    #[default]
    None,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Funder {
    #[serde(default)]
    pub kind: FunderKind,
    pub programme: Option<String>,
    pub grant: Option<f64>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bodies {
    pub plenary: BodyRules,
    pub committee: CommitteeRules,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Voters {
    #[default]
    Members,
    Seats,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Majority {
    #[default]
    Simple,
    Absolute,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyRules {
    pub name_fr: String,
    pub name_nl: String,
    #[serde(default)]
    pub min_meetings_per_year: u32,
    #[serde(default)]
    pub notice_clear_days: u32,
    #[serde(default)]
    pub receipt_days: u32,
    #[serde(default)]
    pub voters: Voters,
    #[serde(default)]
    pub majority: Majority,
    pub casting_vote: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeRules {
    pub name_fr: String,
    pub name_nl: String,
    #[serde(default)]
    pub min_meetings_per_year: u32,
    #[serde(default)]
    pub notice_clear_days: u32,
    #[serde(default)]
    pub receipt_days: u32,
    #[serde(default)]
    pub voters: Voters,
    #[serde(default)]
    pub majority: Majority,
    pub casting_vote: Option<String>,
    #[serde(default)]
    pub ex_officio_seats: u32,
    #[serde(default)]
    pub elected_seats: u32,
    #[serde(default)]
    pub mandate_years: u32,
    #[serde(default)]
    pub one_per_institution: bool,
    #[serde(default)]
    pub elected_must_sit_in_working_group: bool,
    #[serde(default)]
    pub seats: Vec<Seat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeatKind {
    ExOfficio,
    Elected,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seat {
    pub person: String,
    pub role: Option<String>,
    pub kind: SeatKind,
    pub enterprise_number: EnterpriseNumber,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingGroup {
    pub name_fr: String,
    pub name_nl: String,
    #[serde(default)]
    pub min_meetings_per_year: u32,
    #[serde(default)]
    pub notice_clear_days: u32,
    #[serde(default)]
    pub receipt_days: u32,
    #[serde(default)]
    pub members: Vec<EnterpriseNumber>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FlagRules {
    pub absences_threshold: u32,
    pub absences_bodies: Vec<String>,
    pub adherence_reminder_days: u32,
    pub adherence_overdue_days: u32,
}

impl Default for FlagRules {
    fn default() -> Self {
        FlagRules {
            absences_threshold: 3,
            absences_bodies: vec!["plenary".into()],
            adherence_reminder_days: 14,
            adherence_overdue_days: 45,
        }
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| Error::Config { file: path.to_owned(), message: e.to_string() })?;
        let mut notes = Vec::new();
        config.coordination.upgrade(&mut notes);
        // Until the workspace adds the journaled versions: charte.toml's alone.
        let overdue = config.flags.adherence_overdue_days;
        config.charter.apply(Vec::new(), overdue, config.charter.adopted);
        config.notes = notes;
        config.validate(path)?;
        Ok(config)
    }

    /// Whether the organisation is a member of one of the working groups.
    pub fn sits_in_a_working_group(&self, number: &crate::roster::EnterpriseNumber) -> bool {
        self.working_groups.values().any(|wg| wg.members.contains(number))
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let bad = |message: String| Error::Config { file: PathBuf::from(path), message };
        if self.coordination.languages.is_empty() {
            return Err(bad("coordination.languages is empty: name at least one of \"fr\", \"nl\"".into()));
        }
        if self.coordination.organiser_fr.as_deref().is_none_or(|o| o.trim().is_empty()) {
            return Err(bad(
                "coordination.organiser_fr is missing: name the CPAS (or intercommunal) that runs the network".into(),
            ));
        }
        let short = &self.coordination.short;
        if short.is_empty() || !short.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad(format!(
                "coordination.short = {short:?}: use letters, digits and '-' only (it goes into file names)"
            )));
        }
        for name in self.working_groups.keys() {
            if name == "plenary" || name == "committee" {
                return Err(bad(format!("working_groups.{name}: this name is reserved for a body")));
            }
        }
        if let Some(mail) = &self.mail {
            mail.validate().map_err(|e| bad(e.to_string()))?;
        }
        if let (Some(a), Some(b)) = (self.funder.period_start, self.funder.period_end)
            && b < a
        {
            return Err(bad("funder.period_end is before funder.period_start".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_init_template_is_valid() {
        let c = Config::parse(crate::workspace::CONFIG_TEMPLATE, Path::new("charte.toml")).expect("template parses");
        assert_eq!(c.bodies.plenary.notice_clear_days, 10);
        assert_eq!(c.flags.absences_threshold, 3);
    }

    #[test]
    fn the_single_organiser_and_territory_of_older_workspaces_are_read_as_french_with_a_note() {
        let text = crate::workspace::CONFIG_TEMPLATE
            .replace("organiser_fr = ", "organiser = ")
            .replace("organiser_nl = \"OCMW van Voorbeeld\"\n", "")
            .replace("territory_fr = ", "territory = ");
        let c = Config::parse(&text, Path::new("charte.toml")).expect("an older charte.toml still reads");
        assert_eq!(c.coordination.organiser(Language::Fr), "CPAS de Exemple");
        assert_eq!(c.coordination.organiser(Language::Nl), "CPAS de Exemple");
        assert_eq!(c.coordination.territory(Language::Fr), Some("Exemple"));
        assert_eq!(c.notes.len(), 2, "{:?}", c.notes);
        assert!(c.notes[0].contains("organiser_fr"), "{:?}", c.notes);
    }

    #[test]
    fn a_typo_is_refused_with_its_line() {
        let text = crate::workspace::CONFIG_TEMPLATE.replace("notice_clear_days = 10", "notice_clear_dayz = 10");
        let err = Config::parse(&text, Path::new("charte.toml")).unwrap_err().to_string();
        assert!(err.contains("notice_clear_dayz"), "{err}");
        assert!(err.contains("line"), "{err}");
    }
}
