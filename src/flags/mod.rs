//! Interpellation flags: what the committee must look at, each with its
//! evidence. One rule per file; every rule reads the same [`Facts`] and is a
//! pure function of them, so the flags of a year can be recomputed at will.

mod absences;
mod adherence;
mod breach;
mod committee;
mod mail;
mod meetings;
mod records;
mod report;
mod status;

pub use meetings::{Shortfall, shortfalls};
pub use records::{Breach, FlagMark, FlagStatus, RaisedFlag};
pub use report::{REPORT_NOT_SENT, not_sent_subject};

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::delivery::{MessageRecord, MessageState};
use crate::governance::attendance::AttendanceRecord;
use crate::governance::convoke::LateConvocation;
use crate::governance::meeting::MeetingRecord;
use crate::roster::Member;

pub use status::Status;

/// Days an interpellation letter gives the organisation to answer, unless
/// told otherwise (`flags letters --reply-within-days`, a workflow's
/// letter step): the desk's letters give as many.
pub const REPLY_WITHIN_DAYS: u32 = 30;

/// What the rules read.
#[derive(Debug)]
pub struct Facts<'a> {
    pub config: &'a Config,
    pub members: &'a [Member],
    /// Meetings with their cancellation reason, if cancelled.
    pub meetings: &'a [MeetingRecord],
    /// Attendance lines with the journal entry that recorded them.
    pub attendance: &'a [AttendanceRecord],
    /// Messages sent (convocations, documents) with their state.
    pub messages: &'a [MessageRecord],
    pub late: &'a [LateConvocation],
    /// Breaches reported by the committee.
    pub breaches: &'a [Breach],
    /// Flags raised by workflows' escalations.
    pub raised: &'a [RaisedFlag],
    /// When each organisation's current declaration as member or partner
    /// began (10 digits → the journal entry and its date).
    pub declared: &'a HashMap<String, (i64, NaiveDate)>,
    /// The adherence mails sent to each organisation (10 digits → the
    /// journal entries and their dates, oldest first).
    pub adherence_mails: &'a HashMap<String, Vec<(i64, NaiveDate)>>,
    /// The journal's first day: what charte.toml says holds since then.
    pub opened: NaiveDate,
    pub today: NaiveDate,
    /// The year looked at (`--year`), or all time.
    pub year: Option<i32>,
}

/// Where an organisation stands with the adherence mail (DESIGN.md): it is
/// waiting, not in breach, until `adherence_overdue_days` after its first
/// adherence mail; one never mailed gets no letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mailed {
    /// The adherence document was never sent to it.
    Never,
    /// Sent on `sent`; its delay runs until `until` (exclusive).
    Waiting { sent: NaiveDate, until: NaiveDate },
    /// Sent on `sent`; the delay is over.
    Overdue { sent: NaiveDate },
}

/// One piece of evidence: a journal entry, or a setting of charte.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The journal entry's sequence number, when the evidence is one.
    pub seq: Option<i64>,
    pub date: Option<NaiveDate>,
    /// For the coordinator (the command line is in English).
    pub text: String,
    /// The same in French and in Dutch, for the organisation's letter.
    pub fr: String,
    pub nl: String,
}

impl Evidence {
    /// A piece of evidence in English, French and Dutch.
    pub fn new(seq: Option<i64>, date: Option<NaiveDate>, text: String, fr: String, nl: String) -> Evidence {
        Evidence { seq, date, text, fr, nl }
    }

    /// Someone's own words (the committee's), the same in every language.
    pub fn quoted(seq: Option<i64>, date: Option<NaiveDate>, words: &str) -> Evidence {
        Evidence::new(seq, date, words.to_owned(), words.to_owned(), words.to_owned())
    }

    /// The text in `lang`.
    pub fn in_language(&self, lang: crate::roster::Language) -> &str {
        match lang {
            crate::roster::Language::Fr => &self.fr,
            crate::roster::Language::Nl => &self.nl,
        }
    }
}

/// A date in words, in French and in Dutch.
fn dates(date: NaiveDate) -> (String, String) {
    use crate::mail::{Lang, long_date};
    (long_date(date, Lang::Fr), long_date(date, Lang::Nl))
}

/// A flag, in the shape of `charte flags --json` (DESIGN.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub rule: &'static str,
    /// As 0123.456.749; None for a coordination-level flag.
    pub enterprise_number: Option<String>,
    pub name: String,
    pub evidence: Vec<Evidence>,
    /// The day the condition was first met.
    pub since: NaiveDate,
}

/// The store's data the rules read, loaded once.
#[derive(Debug)]
pub struct Loaded {
    pub members: Vec<Member>,
    pub meetings: Vec<MeetingRecord>,
    pub attendance: Vec<AttendanceRecord>,
    pub messages: Vec<MessageRecord>,
    pub late: Vec<LateConvocation>,
    pub breaches: Vec<Breach>,
    /// Flags raised by workflows' escalations.
    pub raised: Vec<RaisedFlag>,
    pub declared: HashMap<String, (i64, NaiveDate)>,
    pub adherence_mails: HashMap<String, Vec<(i64, NaiveDate)>>,
    pub opened: NaiveDate,
}

impl Loaded {
    pub fn load(store: &crate::journal::Store) -> crate::Result<Loaded> {
        Self::with_attendance(store, store.attendance_entries()?)
    }

    /// Like [`Loaded::load`], with only the attendance the flags and a
    /// year's figures read: the absences bodies' (any date) and, with a
    /// year, every line of that year's meetings. Far less to read in a
    /// large journal; the flags are the same.
    pub fn load_for(store: &crate::journal::Store, config: &Config, year: Option<i32>) -> crate::Result<Loaded> {
        let bounds = year.and_then(|y| Some((NaiveDate::from_ymd_opt(y, 1, 1)?, NaiveDate::from_ymd_opt(y, 12, 31)?)));
        let (from, to) = bounds.unwrap_or((NaiveDate::MAX, NaiveDate::MIN));
        Self::with_attendance(store, store.attendance_entries_of(&config.flags.absences_bodies, from, to)?)
    }

    fn with_attendance(store: &crate::journal::Store, attendance: Vec<AttendanceRecord>) -> crate::Result<Loaded> {
        let mut messages = store.messages("convocation")?;
        let adherence = store.messages("adherence")?;
        let mut adherence_mails: HashMap<String, Vec<(i64, NaiveDate)>> = HashMap::new();
        for m in adherence.iter().filter(|m| m.state == MessageState::Sent) {
            adherence_mails.entry(m.enterprise_number.clone()).or_default().push((m.seq, m.at));
        }
        for mails in adherence_mails.values_mut() {
            mails.sort_by_key(|&(seq, at)| (at, seq));
        }
        messages.extend(adherence);
        // The funder's reports (`charte report send`): a bounce there is
        // the coordination's own flag.
        messages.extend(store.messages(crate::report::MAIL_PURPOSE)?);
        // What delivery reports in the mailbox said did not arrive.
        messages.extend(store.reported_undelivered()?);
        // The start of each organisation's current run as a declared member
        // or partner: a status given again does not move it.
        let mut declared: HashMap<String, (i64, NaiveDate)> = HashMap::new();
        for e in store.status_entries()? {
            if e.status.expects_signature() {
                declared.entry(e.enterprise_number).or_insert((e.seq, e.at));
            } else {
                declared.remove(&e.enterprise_number);
            }
        }
        let opened = store.date_span()?.map_or(NaiveDate::MIN, |span| span.first);
        Ok(Loaded {
            members: store.members()?,
            meetings: store.meetings()?,
            attendance,
            messages,
            late: store.late_convocations()?,
            breaches: store.breaches()?,
            raised: store.raised_flags()?,
            declared,
            adherence_mails,
            opened,
        })
    }

    pub fn facts<'a>(&'a self, config: &'a Config, today: NaiveDate, year: Option<i32>) -> Facts<'a> {
        Facts {
            config,
            members: &self.members,
            meetings: &self.meetings,
            attendance: &self.attendance,
            messages: &self.messages,
            late: &self.late,
            breaches: &self.breaches,
            raised: &self.raised,
            declared: &self.declared,
            adherence_mails: &self.adherence_mails,
            opened: self.opened,
            today,
            year,
        }
    }
}

impl Flag {
    /// A stable key for the committee's handling of this flag:
    /// `rule:subject` (the enterprise number, or the body or meeting).
    pub fn key(&self) -> String {
        format!("{}:{}", self.rule, self.enterprise_number.as_deref().unwrap_or(&self.name))
    }
}

/// A flag's key as [`Flag::key`] writes it (`rule:0123.456.749`), from any
/// spelling of the enterprise number a coordinator may type (BE0123456749,
/// 0123456749…); a subject that is no enterprise number stays as given.
pub fn normalise_key(key: &str) -> String {
    let key = key.trim();
    match key.split_once(':') {
        Some((rule, subject)) => match crate::roster::EnterpriseNumber::parse(subject.trim()) {
            Ok(n) => format!("{}:{}", rule.trim(), n.formatted()),
            Err(_) => format!("{}:{}", rule.trim(), subject.trim()),
        },
        None => key.to_owned(),
    }
}

/// Every rule, in the order flags are listed.
pub fn evaluate(facts: &Facts<'_>) -> Vec<Flag> {
    let mut flags = Vec::new();
    adherence::check(facts, &mut flags);
    adherence::overdue(facts, &mut flags);
    absences::check(facts, &mut flags);
    breach::check(facts, &mut flags);
    committee::check(facts, &mut flags);
    meetings::check(facts, &mut flags);
    mail::check(facts, &mut flags);
    report::check(facts, &mut flags);
    flags
}

/// What the coordinator should know but is not (yet) a flag: a body that
/// cannot reach its minimum of meetings in a year still running.
pub fn warnings(facts: &Facts<'_>) -> Vec<String> {
    meetings::warnings(facts)
}

/// The rules about an organisation's adherence, which wait for the delay
/// after its adherence mail before anything is drafted or put to the
/// committee.
pub fn is_adherence_rule(rule: &str) -> bool {
    matches!(rule, "adherence-missing" | "adherence-outdated" | "adherence-overdue")
}

impl Facts<'_> {
    /// Whether a date falls in the year looked at.
    pub fn in_year(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        self.year.is_none_or(|y| date.year() == y)
    }

    /// Where the organisation (10 digits) stands with its adherence mail.
    /// The first adherence mail sent to the organisation (10 digits) for the
    /// charter version in force: one sent for an earlier version does not
    /// start the delay to sign the new one.
    pub fn first_adherence_mail(&self, digits: &str) -> Option<(i64, NaiveDate)> {
        let adopted = self.config.charter.adopted;
        self.adherence_mails.get(digits)?.iter().find(|(_, at)| *at >= adopted).copied()
    }

    pub fn mailed(&self, digits: &str) -> Mailed {
        let Some((_, sent)) = self.first_adherence_mail(digits) else { return Mailed::Never };
        let days = chrono::Days::new(u64::from(self.config.flags.adherence_overdue_days));
        match sent.checked_add_days(days) {
            Some(until) if self.today < until => Mailed::Waiting { sent, until },
            _ => Mailed::Overdue { sent },
        }
    }

    /// Whether a letter may be drafted, or the flag put to the committee,
    /// for `flag` today: an adherence flag waits for the delay after the
    /// organisation's first adherence mail, and one never mailed gets none.
    pub fn may_interpellate(&self, flag: &Flag) -> bool {
        if !is_adherence_rule(flag.rule) {
            return true;
        }
        let Some(number) = &flag.enterprise_number else { return true };
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        matches!(self.mailed(&digits), Mailed::Overdue { .. })
    }

    pub fn member_name(&self, digits: &str) -> String {
        self.members
            .iter()
            .find(|m| m.organisation.enterprise_number.digits() == digits)
            .map_or_else(|| digits.to_owned(), |m| m.organisation.name.clone())
    }
}

/// The flags a letter is written about today, and those that wait: a flag
/// the committee resolved gets none, and an adherence flag waits for its
/// delay ([`Facts::may_interpellate`]). `charte flags letters` and the
/// interpellation workflow both write from this.
pub fn for_letters<'a>(
    flags: &'a [Flag],
    statuses: &HashMap<String, FlagStatus>,
    facts: &Facts<'_>,
) -> (Vec<&'a Flag>, Vec<&'a Flag>) {
    flags.iter().filter(|f| Status::of(statuses, &f.key()) != Status::Resolved).partition(|f| facts.may_interpellate(f))
}

/// The flags about organisations, one group per organisation (its number
/// as 0123.456.749), in the order of the organisations' first flag.
pub fn by_organisation<'a>(flags: &[&'a Flag]) -> Vec<(String, Vec<&'a Flag>)> {
    let mut out: Vec<(String, Vec<&Flag>)> = Vec::new();
    for f in flags {
        let Some(number) = &f.enterprise_number else { continue };
        match out.iter_mut().find(|(n, _)| n == number) {
            Some((_, group)) => group.push(f),
            None => out.push((number.clone(), vec![f])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalise_key;

    #[test]
    fn a_key_reads_whatever_the_enterprise_number_s_spelling() {
        assert_eq!(normalise_key(" absences : BE0461013383 "), "absences:0461.013.383");
        assert_eq!(normalise_key("absences:0461.013.383"), "absences:0461.013.383");
        // A body or a meeting is no enterprise number: kept as typed.
        assert_eq!(normalise_key("meetings:plenary"), "meetings:plenary");
        assert_eq!(normalise_key("typo"), "typo");
    }
}
