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
    /// `[serve]`: the web application's address and its signing links.
    #[serde(default)]
    pub serve: ServeSettings,
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

/// `[serve]`: where the web application is reached, and how long a
/// signing link lives (DESIGN.md "The web application").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServeSettings {
    /// The address the links in mails start with: https, or http for this
    /// machine only (localhost, 127.0.0.1). Without it, mails carry no link.
    #[serde(deserialize_with = "public_url")]
    pub public_url: Option<String>,
    /// A signing link's life in days (1 to 365).
    #[serde(deserialize_with = "link_days")]
    pub link_days: u32,
    /// When the server runs the workflows each day, Brussels time
    /// (`"06:30"`), or `"off"` (a cron job runs `charte run` instead).
    #[serde(deserialize_with = "daily_run")]
    pub daily_run: Option<chrono::NaiveTime>,
}

/// The daily run's hour when charte.toml says nothing.
pub const DAILY_RUN: (u32, u32) = (6, 30);

impl Default for ServeSettings {
    fn default() -> ServeSettings {
        ServeSettings {
            public_url: None,
            link_days: 60,
            daily_run: chrono::NaiveTime::from_hms_opt(DAILY_RUN.0, DAILY_RUN.1, 0),
        }
    }
}

/// `serve.daily_run`: `"HH:MM"` (Brussels time) or `"off"`.
fn daily_run<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<chrono::NaiveTime>, D::Error> {
    let text = String::deserialize(d)?;
    if text.trim() == "off" {
        return Ok(None);
    }
    chrono::NaiveTime::parse_from_str(text.trim(), "%H:%M").map(Some).map_err(|_| {
        serde::de::Error::custom(format!(
            "serve.daily_run = {text:?}: the hour of the daily run as HH:MM, Brussels time (e.g. \"06:30\"), \
             or \"off\""
        ))
    })
}

/// `serve.public_url`: `https://HOST[:PORT][/PATH]`, or `http://` for
/// localhost or 127.0.0.1 (a link sent by mail must not travel in clear);
/// no query, fragment or credentials. Kept without its trailing '/'.
fn public_url<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    let url = String::deserialize(d)?;
    check_public_url(&url)
        .map(|()| Some(url.trim().trim_end_matches('/').to_owned()))
        .map_err(|why| serde::de::Error::custom(format!("serve.public_url = {url:?}: {why}")))
}

fn check_public_url(url: &str) -> std::result::Result<(), String> {
    let url = url.trim();
    let example = "(e.g. \"https://charte.cpas-exemple.be\", the address the reverse proxy serves)";
    let (local_only, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (false, rest),
        (None, Some(rest)) => (true, rest),
        _ => return Err(format!("the address must start with https:// {example}")),
    };
    if rest.contains(['?', '#', '@', ' ', '\\']) || rest.chars().any(char::is_control) {
        return Err(format!("an address without query, fragment, login or spaces {example}"));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => host,
        Some(_) => return Err(format!("the port is not a number {example}")),
        None => authority,
    };
    let valid_host = !host.is_empty()
        && host.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !valid_host {
        return Err(format!("no host name after the scheme {example}"));
    }
    if local_only && !matches!(host, "localhost" | "127.0.0.1") {
        return Err(format!(
            "http:// is for this machine only (localhost, 127.0.0.1): links travel by mail, use https:// {example}"
        ));
    }
    Ok(())
}

/// `serve.link_days`: 1 to 365.
fn link_days<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<u32, D::Error> {
    let days = i64::deserialize(d)?;
    u32::try_from(days).ok().filter(|d| (1..=365).contains(d)).ok_or_else(|| {
        serde::de::Error::custom(format!("serve.link_days = {days}: a signing link lives 1 to 365 days (default 60)"))
    })
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
    /// How members reach the coordination: printed on letters and documents.
    #[serde(default)]
    pub contact: Option<Contact>,
}

/// `[coordination.contact]`: the coordination's postal address, phone and
/// email, printed wherever a member reads how to reach it (letters, the
/// adherence document), and the place letters are written from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Postal address, one line: "Rue Exemple 1, 1000 Exemple".
    pub address_fr: String,
    /// The same address as a Dutch reader writes it (street and
    /// municipality names in Dutch); the French one where absent.
    #[serde(default)]
    pub address_nl: Option<String>,
    /// The place a letter is dated from ("Ixelles, le 3 mars 2026");
    /// default: the municipality of the address.
    #[serde(default)]
    pub place_fr: Option<String>,
    #[serde(default)]
    pub place_nl: Option<String>,
    /// A phone number as people dial it in Belgium: "02 123 45 67".
    pub phone: String,
    pub email: String,
}

impl Contact {
    /// The postal address in `lang`.
    pub fn address(&self, lang: Language) -> &str {
        match lang {
            Language::Fr => &self.address_fr,
            Language::Nl => self.address_nl.as_deref().unwrap_or(&self.address_fr),
        }
    }

    /// The place letters are dated from, in `lang`: the configured one, else
    /// the municipality after the postcode of the address in that language.
    pub fn place(&self, lang: Language) -> String {
        let configured = match lang {
            Language::Fr => self.place_fr.as_deref(),
            Language::Nl => self.place_nl.as_deref(),
        };
        configured.map(str::to_owned).unwrap_or_else(|| municipality(self.address(lang)))
    }

    fn validate(&self) -> std::result::Result<(), String> {
        for (key, value) in [("address_fr", Some(&self.address_fr)), ("address_nl", self.address_nl.as_ref())] {
            if let Some(value) = value
                && (value.trim().is_empty() || !value.contains(','))
            {
                return Err(format!(
                    "coordination.contact.{key} = {value:?}: write the street and the municipality on one line, \
                     separated by a comma (\"Rue Exemple 1, 1000 Exemple\")"
                ));
            }
        }
        let digits = self.phone.chars().filter(char::is_ascii_digit).count();
        if !(9..=15).contains(&digits) || !self.phone.chars().all(|c| c.is_ascii_digit() || " +./()-".contains(c)) {
            return Err(format!(
                "coordination.contact.phone = {:?}: write a phone number (\"02 123 45 67\" or \"+32 2 123 45 67\")",
                self.phone
            ));
        }
        if !crate::roster::import::valid_email(&self.email) {
            return Err(format!("coordination.contact.email = {:?} is not an email address", self.email));
        }
        Ok(())
    }
}

/// "Rue Gray 212, 1050 Ixelles" → "Ixelles": the words after a Belgian
/// postcode in the address's last part, or that whole last part.
fn municipality(address: &str) -> String {
    let last = address.rsplit(',').next().unwrap_or(address).trim();
    match last.split_once(' ') {
        Some((code, rest)) if code.len() == 4 && code.chars().all(|c| c.is_ascii_digit()) => rest.trim().to_owned(),
        _ => last.to_owned(),
    }
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

/// `[funder]`: who funds the network, what it grants, when its reports are
/// due and where they go. Every value is checked when charte.toml is read
/// (a report must never print a grant of "NaN EUR" or a deadline that does
/// not exist); the error names the key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Funder {
    #[serde(default)]
    pub kind: FunderKind,
    pub programme: Option<String>,
    /// The yearly grant, in cents (written in euros: `grant = 71500.0`).
    #[serde(default, rename = "grant", deserialize_with = "grant_cents")]
    pub grant_cents: Option<i64>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    /// When the annual evaluation is due, in the year after the report's.
    #[serde(default, deserialize_with = "annual_due")]
    pub annual_due: Option<MonthDay>,
    /// When the subsidy report is due, in the year after the report's.
    #[serde(default, deserialize_with = "subsidy_due")]
    pub subsidy_due: Option<MonthDay>,
    /// The funder's service that receives the reports.
    pub email: Option<String>,
    /// The language the funder is written to.
    pub language: Option<Language>,
    /// The body that approves each report before it is sent.
    pub approved_by: Option<ApprovedBy>,
}

impl Funder {
    /// The day the subsidy report of `year` is due: charte.toml's
    /// `subsidy_due`, else the Walloon Region's 1 March; COCOM's dates come
    /// from its circular, so without one there is none.
    pub fn subsidy_due_for(&self, year: i32) -> Option<NaiveDate> {
        self.subsidy_due.or(self.default_due()).and_then(|d| d.in_year(year + 1))
    }

    /// The day the annual evaluation of `year` is due (same rules).
    pub fn annual_due_for(&self, year: i32) -> Option<NaiveDate> {
        self.annual_due.or(self.default_due()).and_then(|d| d.in_year(year + 1))
    }

    fn default_due(&self) -> Option<MonthDay> {
        match self.kind {
            FunderKind::WalloonRegion => Some(MonthDay { month: 3, day: 1 }),
            FunderKind::Cocom | FunderKind::None => None,
        }
    }
}

/// Who approves a report before it goes to the funder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApprovedBy {
    Plenary,
    Committee,
}

/// A day of the year, written MM-DD ("03-01"). 02-29 is refused: a
/// deadline must exist every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    pub fn parse(s: &str) -> std::result::Result<MonthDay, String> {
        let expected = "expected MM-DD, the month then the day, e.g. \"03-01\" for 1 March";
        let (m, d) = s.split_once('-').ok_or_else(|| format!("'{s}' is not a day of the year ({expected})"))?;
        let two_digits = |x: &str| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(m) || !two_digits(d) {
            return Err(format!("'{s}' is not a day of the year ({expected})"));
        }
        let (month, day) = (m.parse().unwrap_or(0), d.parse().unwrap_or(0));
        if (month, day) == (2, 29) {
            return Err(format!(
                "'{s}': 29 February is not in every year; write \"02-28\" or \"03-01\" so the deadline always exists"
            ));
        }
        // 2001 is not a leap year: every day it has exists every year.
        if NaiveDate::from_ymd_opt(2001, month, day).is_none() {
            return Err(format!("'{s}' is not a day of the year ({expected})"));
        }
        Ok(MonthDay { month, day })
    }

    /// This day in `year`.
    pub fn in_year(self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }
}

fn month_day<'de, D: serde::Deserializer<'de>>(d: D, key: &str) -> std::result::Result<Option<MonthDay>, D::Error> {
    let s = String::deserialize(d)?;
    MonthDay::parse(&s).map(Some).map_err(|e| serde::de::Error::custom(format!("{key}: {e}")))
}

fn annual_due<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<MonthDay>, D::Error> {
    month_day(d, "funder.annual_due")
}

fn subsidy_due<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<MonthDay>, D::Error> {
    month_day(d, "funder.subsidy_due")
}

/// `grant`: euros, a finite amount, 0 or more, at most two decimals; an
/// integer (`71500`) or a float (`71500.0`) as toml writes them.
fn grant_cents<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<i64>, D::Error> {
    let euros = f64::deserialize(d)?;
    let bad = |why: &str| {
        serde::de::Error::custom(format!(
            "funder.grant = {euros}: {why} (the yearly grant in euros, e.g. grant = 71500.0)"
        ))
    };
    if !euros.is_finite() {
        return Err(bad("not an amount"));
    }
    if euros < 0.0 {
        return Err(bad("a grant cannot be negative"));
    }
    let cents = (euros * 100.0).round();
    if cents > crate::report::amount::MAX_CENTS as f64 {
        return Err(bad("too large"));
    }
    // 71500.1 * 100 is 7150010.000000001: a float's noise, not a third decimal.
    if (euros * 100.0 - cents).abs() > 1e-6 {
        return Err(bad("more than two decimals"));
    }
    Ok(Some(cents as i64))
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

/// What every body of `[bodies]` says of itself: its names, how often it
/// meets, the notice its convocations owe, who votes and how a vote is
/// won. The plenary is just this; the committee adds its composition
/// ([`CommitteeRules`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
    /// The role (of a committee seat) whose holder breaks a tie.
    pub casting_vote: Option<String>,
}

/// `[bodies.committee]`: a body's rules, written in the same table as its
/// composition (seats, mandates, the election's constraints). The rules
/// are flattened so that charte.toml keeps one flat table; a key neither
/// part knows is refused here, naming it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeRules {
    #[serde(flatten)]
    pub body: BodyRules,
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
    /// The journal entry that recorded the seat (an election's result);
    /// None for a seat written in charte.toml.
    #[serde(skip)]
    pub recorded: Option<i64>,
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
    /// Whether mail is written to out/outbox/ (`[mail] transport =
    /// "outbox"`, or no `[mail]`) rather than handed to an SMTP server:
    /// there, "sent" means "sent on" (`charte outbox send`).
    pub fn mail_to_outbox(&self) -> bool {
        self.mail.as_ref().is_none_or(|m| m.transport == crate::mail::TransportKind::Outbox)
    }

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
        if let Some(contact) = &self.coordination.contact {
            contact.validate().map_err(bad)?;
        }
        let version = &self.charter.version;
        if !crate::charter::is_valid_label(version) {
            return Err(bad(format!(
                "charter.version = {version:?}: use at most 40 letters, digits, '-' and '.' (e.g. \"2026-01\"); \
                 it goes into document ids and file names"
            )));
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
            if name.is_empty()
                || name.len() > 40
                || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(bad(format!(
                    "working_groups.{name:?}: a working group's key is what `charte meeting add --body` takes and \
                     what meeting ids are made of: use at most 40 letters, digits, '-' and '_' (its names in \
                     French and Dutch go in name_fr and name_nl)"
                )));
            }
        }
        if let Some(mail) = &self.mail {
            mail.validate().map_err(|e| bad(e.to_string()))?;
        }
        if let Some(email) = &self.funder.email
            && !crate::roster::import::valid_email(email)
        {
            return Err(bad(format!(
                "funder.email = {email:?} is not an email address (the funder's service, e.g. \"rapports@funder.example.be\")"
            )));
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
        assert_eq!(c.coordination.organiser(Language::Fr), "CPAS d'Exemple");
        assert_eq!(c.coordination.organiser(Language::Nl), "CPAS d'Exemple");
        assert_eq!(c.coordination.territory(Language::Fr), Some("Exemple"));
        assert_eq!(c.notes.len(), 2, "{:?}", c.notes);
        assert!(c.notes[0].contains("organiser_fr"), "{:?}", c.notes);
    }

    #[test]
    fn the_contact_block_gives_the_address_and_place_in_each_language() {
        let c = Config::parse(crate::workspace::CONFIG_TEMPLATE, Path::new("charte.toml")).expect("template parses");
        let contact = c.coordination.contact.expect("the template has a contact block");
        assert_eq!(contact.address(Language::Nl), "Voorbeeldstraat 1, 1000 Voorbeeld");
        assert_eq!(contact.place(Language::Fr), "Exemple");
        assert_eq!(contact.place(Language::Nl), "Voorbeeld");
        let text =
            crate::workspace::CONFIG_TEMPLATE.replace("# place_fr = \"Exemple\"", "place_fr = \"Exemple-Ville\"");
        let c = Config::parse(&text, Path::new("charte.toml")).expect("parses");
        assert_eq!(c.coordination.contact.expect("contact").place(Language::Fr), "Exemple-Ville");
        for (from, to, key) in [
            ("phone = \"02 000 00 00\"", "phone = \"12\"", "phone"),
            ("email = \"coordination@cpas.example.be\"\n\n[charter]", "email = \"x\"\n\n[charter]", "email"),
            ("address_fr = \"Rue Exemple 1, 1000 Exemple\"", "address_fr = \"\"", "address_fr"),
        ] {
            let err = Config::parse(&crate::workspace::CONFIG_TEMPLATE.replace(from, to), Path::new("charte.toml"))
                .expect_err(key);
            assert!(err.to_string().contains(&format!("coordination.contact.{key}")), "{err}");
        }
    }

    fn with_funder(lines: &str) -> std::result::Result<Config, String> {
        let text =
            crate::workspace::CONFIG_TEMPLATE.replace("kind = \"none\"\n", &format!("kind = \"cocom\"\n{lines}\n"));
        Config::parse(&text, Path::new("charte.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn the_grant_is_a_finite_amount_in_cents() {
        assert_eq!(with_funder("grant = 71500.0").unwrap().funder.grant_cents, Some(7_150_000));
        assert_eq!(with_funder("grant = 71500").unwrap().funder.grant_cents, Some(7_150_000));
        assert_eq!(with_funder("grant = 71500.1").unwrap().funder.grant_cents, Some(7_150_010));
        assert_eq!(with_funder("grant = 0").unwrap().funder.grant_cents, Some(0));
        for (bad, why) in [
            ("grant = nan", "not an amount"),
            ("grant = inf", "not an amount"),
            ("grant = -5", "cannot be negative"),
            ("grant = 12.345", "more than two decimals"),
            ("grant = 1e15", "too large"),
        ] {
            let e = with_funder(bad).unwrap_err();
            assert!(e.contains("funder.grant") && e.contains(why) && e.contains("line"), "{bad}: {e}");
        }
    }

    #[test]
    fn due_dates_are_real_days_of_the_year() {
        let c = with_funder("subsidy_due = \"06-30\"\nannual_due = \"03-01\"").unwrap();
        assert_eq!(c.funder.subsidy_due_for(2026), NaiveDate::from_ymd_opt(2027, 6, 30));
        assert_eq!(c.funder.annual_due_for(2026), NaiveDate::from_ymd_opt(2027, 3, 1));
        // COCOM without its circular's dates: no deadline; the Walloon Region: 1 March.
        assert_eq!(with_funder("").unwrap().funder.subsidy_due_for(2026), None);
        let walloon = Funder { kind: FunderKind::WalloonRegion, ..Funder::default() };
        assert_eq!(walloon.subsidy_due_for(2026), NaiveDate::from_ymd_opt(2027, 3, 1));
        for (bad, key) in [
            ("subsidy_due = \"02-30\"", "funder.subsidy_due"),
            ("subsidy_due = \"02-29\"", "funder.subsidy_due"),
            ("annual_due = \"13-01\"", "funder.annual_due"),
            ("annual_due = \"3-1\"", "funder.annual_due"),
            ("annual_due = \"2027-03-01\"", "funder.annual_due"),
        ] {
            let e = with_funder(bad).unwrap_err();
            assert!(e.contains(key) && (e.contains("MM-DD") || e.contains("29 February")), "{bad}: {e}");
        }
    }

    #[test]
    fn where_reports_go_is_checked() {
        let c = with_funder("email = \"rapports@cocom.example.be\"\nlanguage = \"nl\"\napproved_by = \"committee\"")
            .unwrap();
        assert_eq!(c.funder.language, Some(Language::Nl));
        assert_eq!(c.funder.approved_by, Some(ApprovedBy::Committee));
        assert!(with_funder("email = \"rapports\"").unwrap_err().contains("funder.email"));
        assert!(with_funder("language = \"de\"").unwrap_err().contains("language"));
        assert!(with_funder("approved_by = \"president\"").unwrap_err().contains("approved_by"));
    }

    #[test]
    fn the_committee_reads_its_body_rules_and_refuses_a_typo_in_the_same_table() {
        let c = Config::parse(crate::workspace::CONFIG_TEMPLATE, Path::new("charte.toml")).expect("template parses");
        assert!(!c.bodies.committee.body.name_fr.is_empty());
        let committee = crate::workspace::CONFIG_TEMPLATE.find("[bodies.committee]").expect("a committee table");
        let (head, tail) = crate::workspace::CONFIG_TEMPLATE.split_at(committee);
        let text = format!("{head}{}", tail.replacen("elected_seats", "elected_seatz", 1));
        let err = Config::parse(&text, Path::new("charte.toml")).unwrap_err().to_string();
        assert!(err.contains("elected_seatz") && err.contains("line"), "{err}");
        let text = format!("{head}{}", tail.replacen("notice_clear_days", "notice_clear_dayz", 1));
        let err = Config::parse(&text, Path::new("charte.toml")).unwrap_err().to_string();
        assert!(err.contains("notice_clear_dayz") && err.contains("line"), "{err}");
    }

    fn with_serve(lines: &str) -> std::result::Result<Config, String> {
        let text = crate::workspace::CONFIG_TEMPLATE.replacen("[serve]\n", &format!("[serve]\n{lines}\n"), 1);
        Config::parse(&text, Path::new("charte.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn the_public_url_is_https_or_this_machine_and_links_live_60_days_by_default() {
        let c = Config::parse(crate::workspace::CONFIG_TEMPLATE, Path::new("charte.toml")).expect("template parses");
        assert_eq!(c.serve, ServeSettings::default());
        assert_eq!(c.serve.daily_run, chrono::NaiveTime::from_hms_opt(6, 30, 0));
        assert_eq!(with_serve("daily_run = \"off\"").unwrap().serve.daily_run, None);
        assert_eq!(
            with_serve("daily_run = \"22:05\"").unwrap().serve.daily_run,
            chrono::NaiveTime::from_hms_opt(22, 5, 0)
        );
        assert!(with_serve("daily_run = \"25:00\"").unwrap_err().contains("serve.daily_run"));
        let c = with_serve("public_url = \"https://charte.cpas-exemple.be/\"\nlink_days = 30").unwrap();
        assert_eq!(c.serve.public_url.as_deref(), Some("https://charte.cpas-exemple.be"));
        assert_eq!(c.serve.link_days, 30);
        for good in ["http://localhost:8080", "http://127.0.0.1", "https://cpas.example.be:8443/charte"] {
            assert!(with_serve(&format!("public_url = \"{good}\"")).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("public_url = \"http://charte.example.be\"", "this machine only"),
            ("public_url = \"charte.example.be\"", "https://"),
            ("public_url = \"https://\"", "no host"),
            ("public_url = \"https://a.be/?x=1\"", "without query"),
            ("public_url = \"https://a.be:port\"", "port"),
            ("link_days = 0", "1 to 365"),
            ("link_days = 400", "1 to 365"),
        ] {
            let e = with_serve(bad).unwrap_err();
            assert!(
                e.contains("charte.toml") && e.contains("line") && e.contains("serve.") && e.contains(why),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn a_typo_is_refused_with_its_line() {
        let text = crate::workspace::CONFIG_TEMPLATE.replace("notice_clear_days = 10", "notice_clear_dayz = 10");
        let err = Config::parse(&text, Path::new("charte.toml")).unwrap_err().to_string();
        assert!(err.contains("notice_clear_dayz"), "{err}");
        assert!(err.contains("line"), "{err}");
    }
}
