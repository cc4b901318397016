//! A meeting of a body: when, where, what is on the agenda.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::error::Problem;

/// The most items an agenda holds: every convocation prints them all, on
/// one or two pages.
pub const MAX_AGENDA_ITEMS: usize = 50;
/// The longest agenda item, in characters.
pub const MAX_AGENDA_ITEM_CHARS: usize = 500;
/// The largest agenda file read: 50 items of 500 characters, with room
/// for headings and markup.
pub const MAX_AGENDA_BYTES: u64 = 64 * 1024;

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

/// A meeting as the journal holds it: as added, and whether it was
/// cancelled since (a cancelled meeting keeps its record: its id is taken,
/// and the flags and reports must know it was not held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRecord {
    pub meeting: Meeting,
    /// The reason given, when it was cancelled.
    pub cancelled: Option<String>,
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
    numbered_agenda_items(text).into_iter().map(|(_, item)| item).collect()
}

/// [`agenda_items`], each with its 1-based line in the file.
fn numbered_agenda_items(text: &str) -> Vec<(u64, String)> {
    let lines: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let items: Vec<(u64, String)> = lines
        .iter()
        .filter_map(|(n, l)| {
            let item = l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")).or_else(|| {
                let (num, rest) = l.split_once(". ")?;
                num.chars().all(|c| c.is_ascii_digit()).then_some(rest)
            })?;
            Some((*n, item.trim().to_owned()))
        })
        .collect();
    if items.is_empty() { lines.into_iter().map(|(n, l)| (n, l.to_owned())).collect() } else { items }
}

/// The agenda of a file's bytes, bounded so that every convocation can
/// print it: at most [`MAX_AGENDA_ITEMS`] items of at most
/// [`MAX_AGENDA_ITEM_CHARS`] characters, UTF-8 text the documents' fonts
/// can print. All problems at once, each with its line.
pub fn agenda(bytes: &[u8]) -> Result<Vec<String>, Vec<Problem>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        vec![Problem::at(line, None, "this is not UTF-8 text: save the agenda as UTF-8 (plain text or Markdown)")]
    })?;
    let items = numbered_agenda_items(text);
    if items.len() > MAX_AGENDA_ITEMS {
        return Err(vec![Problem::file(format!(
            "the agenda has {} items; a meeting's agenda has at most {MAX_AGENDA_ITEMS} (is this the right file?)",
            items.len()
        ))]);
    }
    let mut problems = Vec::new();
    for (line, item) in &items {
        let chars = item.chars().count();
        if chars > MAX_AGENDA_ITEM_CHARS {
            problems.push(Problem::at(
                *line,
                None,
                format!("this item is {chars} characters long; an agenda item is at most {MAX_AGENDA_ITEM_CHARS}"),
            ));
        } else if let Some(c) = item.chars().find(|c| c.is_control()) {
            problems.push(Problem::at(
                *line,
                None,
                format!("the control character U+{:04X} cannot be printed", c as u32),
            ));
        } else if let Err((at, c)) = crate::render::printable(item) {
            problems.push(Problem::at(
                *line,
                None,
                format!(
                    "the character '{c}' (U+{:04X}, character {at} of the item) cannot be printed by the documents' fonts",
                    c as u32
                ),
            ));
        }
    }
    if problems.is_empty() { Ok(items.into_iter().map(|(_, item)| item).collect()) } else { Err(problems) }
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
    fn agenda_is_bounded() {
        assert_eq!(agenda(b"- Accueil\n- Bilan\n"), Ok(vec!["Accueil".to_owned(), "Bilan".to_owned()]));
        let long: String = (0..51).map(|i| format!("- point {i}\n")).collect();
        assert!(agenda(long.as_bytes()).unwrap_err()[0].message.contains("51 items"));
        let wide = format!("- Accueil\n- {}\n", "x".repeat(501));
        assert_eq!(agenda(wide.as_bytes()).unwrap_err()[0].line, Some(2));
        assert!(agenda("- Fête 🎉\n".as_bytes()).unwrap_err()[0].message.contains("U+1F389"));
    }

    #[test]
    fn second_meeting_the_same_day() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
        assert_eq!(new_id("plenary", d, &[]), "plenary-2026-03-12");
        assert_eq!(new_id("plenary", d, &["plenary-2026-03-12".into()]), "plenary-2026-03-12-2");
    }
}
