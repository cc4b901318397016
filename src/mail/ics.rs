//! The calendar invitation sent with a convocation (RFC 5545).
//!
//! Written by hand (a hundred lines) rather than with a crate, to control
//! exactly what calendar clients see:
//!
//! - `METHOD:REQUEST` (or `CANCEL`), one `VEVENT` whose `UID` the caller
//!   keeps stable per meeting, so a new `SEQUENCE` replaces the entry in
//!   the recipient's calendar instead of adding a second one;
//! - `DTSTAMP` from the caller's timestamp, never the clock: the same
//!   inputs give the same bytes;
//! - times are Brussels wall-clock times (`DTSTART;TZID=Europe/Brussels`)
//!   with the `VTIMEZONE` included, as Outlook and Google write them: a
//!   meeting stays at 14:00 local whatever the DST date, and no time-zone
//!   database is needed to write it (the EU rule since 1996: last Sunday
//!   of March and of October);
//! - CRLF line ends, lines folded at 75 octets (never inside a UTF-8
//!   character), `\`, `;`, `,` and newlines escaped in text values, and
//!   `"` removed from quoted parameter values (RFC 5545 has no escape for it).

use chrono::{DateTime, NaiveDateTime, Utc};

use super::message::Contact;

/// The time zone of every time in an invitation.
pub const TZID: &str = "Europe/Brussels";

const VTIMEZONE_BRUSSELS: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Brussels",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// One meeting, as an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// Stable per meeting, e.g. `meeting-12@cpas.example.be`.
    pub uid: String,
    /// 0 for the first convocation, then one more for each change.
    pub sequence: u32,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
    /// Brussels wall-clock time.
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// When this version of the invitation was made (DTSTAMP).
    pub stamp: DateTime<Utc>,
    pub organizer: Contact,
    pub attendees: Vec<Contact>,
    /// The meeting is called off: `METHOD:CANCEL`, `STATUS:CANCELLED`.
    pub cancelled: bool,
}

/// Why an invitation could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcsError {
    #[error("calendar UID is empty")]
    EmptyUid,
    #[error("the meeting ends ({end}) before it starts ({start})")]
    EndBeforeStart { start: NaiveDateTime, end: NaiveDateTime },
    #[error("{0:?} cannot go in a calendar address")]
    Address(String),
}

/// The invitation as an `.ics` text (see the module doc).
pub fn invite(invite: &Invite) -> Result<String, IcsError> {
    if invite.uid.trim().is_empty() {
        return Err(IcsError::EmptyUid);
    }
    if invite.end < invite.start {
        return Err(IcsError::EndBeforeStart { start: invite.start, end: invite.end });
    }
    let method = if invite.cancelled { "CANCEL" } else { "REQUEST" };
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        format!("PRODID:-//charte//charte {}//FR", env!("CARGO_PKG_VERSION")),
        "CALSCALE:GREGORIAN".into(),
        format!("METHOD:{method}"),
    ];
    lines.extend(VTIMEZONE_BRUSSELS.iter().map(|l| (*l).to_owned()));
    lines.push("BEGIN:VEVENT".into());
    lines.push(format!("UID:{}", text(&invite.uid)));
    lines.push(format!("SEQUENCE:{}", invite.sequence));
    lines.push(format!("DTSTAMP:{}", invite.stamp.format("%Y%m%dT%H%M%SZ")));
    lines.push(format!("DTSTART;TZID={TZID}:{}", invite.start.format("%Y%m%dT%H%M%S")));
    lines.push(format!("DTEND;TZID={TZID}:{}", invite.end.format("%Y%m%dT%H%M%S")));
    lines.push(format!("SUMMARY:{}", text(&invite.summary)));
    if !invite.description.is_empty() {
        lines.push(format!("DESCRIPTION:{}", text(&invite.description)));
    }
    if let Some(location) = invite.location.as_deref().filter(|l| !l.is_empty()) {
        lines.push(format!("LOCATION:{}", text(location)));
    }
    lines.push(format!("ORGANIZER{}:{}", cn(&invite.organizer), mailto(&invite.organizer)?));
    for attendee in &invite.attendees {
        lines.push(format!(
            "ATTENDEE{};CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:{}",
            cn(attendee),
            mailto(attendee)?
        ));
    }
    let status = if invite.cancelled { "CANCELLED" } else { "CONFIRMED" };
    lines.push(format!("STATUS:{status}"));
    lines.push("TRANSP:OPAQUE".into());
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());

    let mut out = String::new();
    for line in &lines {
        fold_into(line, &mut out);
    }
    Ok(out)
}

/// A TEXT value (RFC 5545 §3.3.11): `\`, `;`, `,` and newlines escaped,
/// other control characters dropped.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `;CN="…"` for a contact with a name (quotes and controls removed).
fn cn(contact: &Contact) -> String {
    match contact.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => {
            let clean: String = name.chars().filter(|c| *c != '"' && !c.is_control()).collect();
            format!(";CN=\"{clean}\"")
        }
        None => String::new(),
    }
}

fn mailto(contact: &Contact) -> Result<String, IcsError> {
    let address = contact.address.trim();
    let ok = !address.is_empty()
        && address.contains('@')
        && address.chars().all(|c| !c.is_control() && !c.is_whitespace() && !matches!(c, '"' | '<' | '>'));
    if ok { Ok(format!("mailto:{address}")) } else { Err(IcsError::Address(contact.address.clone())) }
}

/// Appends `line` folded at 75 octets (RFC 5545 §3.1), each physical line
/// ending in CRLF and each continuation starting with one space.
pub fn fold_into(line: &str, out: &mut String) {
    const LIMIT: usize = 75;
    let mut budget = LIMIT;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > budget {
            out.push_str("\r\n ");
            // The leading space counts toward the next line's 75 octets.
            budget = LIMIT - 1;
            used = 0;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn sample() -> Invite {
        let day = NaiveDate::from_ymd_opt(2026, 3, 12).expect("date");
        Invite {
            uid: "meeting-12@cpas.example.be".into(),
            sequence: 0,
            summary: "Assemblée plénière".into(),
            description: "Ordre du jour:\n1. Accueil; 2. Budget, comptes\\bilan".into(),
            location: Some("Salle du conseil, rue de la Croix 1".into()),
            start: day.and_hms_opt(14, 0, 0).expect("time"),
            end: day.and_hms_opt(16, 30, 0).expect("time"),
            stamp: DateTime::from_timestamp(1_772_000_000, 0).expect("stamp"),
            organizer: Contact::named("Coordination \"sociale\"", "coordination@cpas.example.be"),
            attendees: vec![Contact::named("ASBL Le Pivot", "info@pivot.example.be")],
            cancelled: false,
        }
    }

    /// Undoes the folding, for checks on logical lines.
    fn unfold(ics: &str) -> Vec<String> {
        ics.replace("\r\n ", "").split("\r\n").filter(|l| !l.is_empty()).map(str::to_owned).collect()
    }

    #[test]
    fn escapes_text_values() {
        assert_eq!(text("a,b;c\\d\ne\r\nf\rg"), "a\\,b\\;c\\\\d\\ne\\nf\\ng");
        assert_eq!(text("tab\there\u{7}"), "tab here");
        let ics = invite(&sample()).expect("ics");
        let lines = unfold(&ics);
        assert!(lines.contains(&"DESCRIPTION:Ordre du jour:\\n1. Accueil\\; 2. Budget\\, comptes\\\\bilan".to_owned()));
        assert!(lines.contains(&"LOCATION:Salle du conseil\\, rue de la Croix 1".to_owned()));
        let organizer = lines.iter().find(|l| l.starts_with("ORGANIZER")).expect("organizer");
        assert_eq!(organizer, "ORGANIZER;CN=\"Coordination sociale\":mailto:coordination@cpas.example.be");
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "é".repeat(100));
        fold_into(&long, &mut out);
        assert!(out.ends_with("\r\n"));
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets: {physical}", physical.len());
        }
        assert_eq!(unfold(&out), vec![long.clone()]);

        let mut short = String::new();
        fold_into("SUMMARY:court", &mut short);
        assert_eq!(short, "SUMMARY:court\r\n");

        let exactly = "X".repeat(75);
        let mut one = String::new();
        fold_into(&exactly, &mut one);
        assert_eq!(one, format!("{exactly}\r\n"));
        let mut two = String::new();
        fold_into(&format!("{exactly}Y"), &mut two);
        assert_eq!(two, format!("{exactly}\r\n Y\r\n"));
    }

    #[test]
    fn every_line_ends_in_crlf_and_fits() {
        let mut long = sample();
        long.description = "Point à l'ordre du jour, très long; ".repeat(20);
        let ics = invite(&long).expect("ics");
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
    }

    #[test]
    fn invite_is_a_stable_request() {
        let ics = invite(&sample()).expect("ics");
        let lines = unfold(&ics);
        for expected in [
            "METHOD:REQUEST",
            "UID:meeting-12@cpas.example.be",
            "SEQUENCE:0",
            "DTSTAMP:20260225T061320Z",
            "DTSTART;TZID=Europe/Brussels:20260312T140000",
            "DTEND;TZID=Europe/Brussels:20260312T163000",
            "TZID:Europe/Brussels",
            "STATUS:CONFIRMED",
        ] {
            assert!(lines.contains(&expected.to_owned()), "{expected} in {ics}");
        }
        assert_eq!(ics, invite(&sample()).expect("ics"), "reproducible");

        let mut update = sample();
        update.sequence = 1;
        update.cancelled = true;
        let lines = unfold(&invite(&update).expect("ics"));
        assert!(lines.contains(&"SEQUENCE:1".to_owned()));
        assert!(lines.contains(&"METHOD:CANCEL".to_owned()));
        assert!(lines.contains(&"UID:meeting-12@cpas.example.be".to_owned()));
    }

    #[test]
    fn refuses_what_cannot_work() {
        let mut bad = sample();
        bad.end = bad.start - chrono::Duration::hours(1);
        assert!(matches!(invite(&bad), Err(IcsError::EndBeforeStart { .. })));
        let mut bad = sample();
        bad.uid = " ".into();
        assert_eq!(invite(&bad), Err(IcsError::EmptyUid));
        let mut bad = sample();
        bad.attendees.push(Contact::new("x@y\r\nATTENDEE:mailto:z@w"));
        assert!(matches!(invite(&bad), Err(IcsError::Address(_))));
    }
}
