//! A meeting of a body: when, where, what is on the agenda.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// `<body>-<YYYY-MM-DD>`, with `-2`, `-3`… for a second meeting that day.
    pub id: String,
    pub body: String,
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
    pub place: Option<String>,
    pub title: Option<String>,
    pub agenda: Vec<String>,
}

/// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`.
pub fn parse_when(s: &str) -> Result<(NaiveDate, Option<NaiveTime>), String> {
    let bad = || format!("'{s}' is not a date (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM, e.g. 2026-03-12T14:00)");
    let (date, time) = match s.trim().split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s.trim(), None),
    };
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?;
    let time = time.map(|t| NaiveTime::parse_from_str(t, "%H:%M")).transpose().map_err(|_| bad())?;
    Ok((date, time))
}

/// The agenda items of a Markdown or text file: list items (`- `, `* `,
/// `1. `) when there are any, else every non-empty line.
pub fn agenda_items(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let items: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")).or_else(|| {
                let (num, rest) = l.split_once(". ")?;
                num.chars().all(|c| c.is_ascii_digit()).then_some(rest)
            })
        })
        .map(|s| s.trim().to_owned())
        .collect();
    if items.is_empty() { lines.into_iter().map(str::to_owned).collect() } else { items }
}

/// The id of a new meeting, given those that exist.
pub fn new_id(body: &str, date: NaiveDate, existing: &[String]) -> String {
    let base = format!("{body}-{date}");
    if !existing.contains(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}-{n}")).find(|id| !existing.contains(id)).unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_with_and_without_time() {
        assert_eq!(parse_when("2026-03-12").unwrap().1, None);
        assert_eq!(parse_when("2026-03-12T14:30").unwrap().1, NaiveTime::from_hms_opt(14, 30, 0));
        assert!(parse_when("2026-02-30").is_err());
        assert!(parse_when("12/03/2026").is_err());
    }

    #[test]
    fn agenda_from_lists_or_lines() {
        assert_eq!(agenda_items("# Ordre du jour\n- Accueil\n- Bilan\n\nNote"), vec!["Accueil", "Bilan"]);
        assert_eq!(agenda_items("1. Accueil\n2. Bilan"), vec!["Accueil", "Bilan"]);
        assert_eq!(agenda_items("Accueil\nBilan\n"), vec!["Accueil", "Bilan"]);
    }

    #[test]
    fn second_meeting_the_same_day() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
        assert_eq!(new_id("plenary", d, &[]), "plenary-2026-03-12");
        assert_eq!(new_id("plenary", d, &["plenary-2026-03-12".into()]), "plenary-2026-03-12-2");
    }
}
