//! The network's events and actions (DESIGN.md "Event / action"): colloquia,
//! network days, campaigns, "bourses aux associations" and others, with
//! their date and number of participants. Imported from a CSV file with the
//! same robustness as the roster: every problem at once, with line and
//! column; one bad line and nothing is recorded.
//!
//! Columns: date, kind, title, participants (optional). An event is known
//! by its date and title: importing the same file again changes nothing,
//! and a line whose kind or participants changed updates the event.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Problem;
use crate::reason::Reason;
use crate::roster::fold;
use crate::tabular::{self, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Colloquium,
    NetworkDay,
    Campaign,
    /// Bourse aux associations.
    Bourse,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Colloquium, Kind::NetworkDay, Kind::Campaign, Kind::Bourse, Kind::Other];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Colloquium => "colloquium",
            Kind::NetworkDay => "network-day",
            Kind::Campaign => "campaign",
            Kind::Bourse => "bourse",
            Kind::Other => "other",
        }
    }

    /// The kind in words, for a member or the coordinator's page.
    pub fn label(self, lang: crate::roster::Language) -> &'static str {
        use crate::roster::Language::{Fr, Nl};
        match (self, lang) {
            (Kind::Colloquium, Fr) => "Colloque",
            (Kind::Colloquium, Nl) => "Studiedag",
            (Kind::NetworkDay, Fr) => "Journée de réseau",
            (Kind::NetworkDay, Nl) => "Netwerkdag",
            (Kind::Campaign, Fr) => "Campagne",
            (Kind::Campaign, Nl) => "Campagne",
            (Kind::Bourse, Fr) => "Bourse aux associations",
            (Kind::Bourse, Nl) => "Verenigingenbeurs",
            (Kind::Other, Fr) => "Autre",
            (Kind::Other, Nl) => "Andere",
        }
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match fold(s).as_str() {
            "colloquium" | "colloque" | "congres" | "studiedag" | "studievoormiddag" | "seminaire" => {
                Ok(Kind::Colloquium)
            }
            "networkday" | "journeedureseau" | "journeedereseau" | "journeedelacoordination" | "netwerkdag" => {
                Ok(Kind::NetworkDay)
            }
            "campaign" | "campagne" => Ok(Kind::Campaign),
            "bourse" | "bourseauxassociations" | "beurs" | "verenigingenbeurs" => Ok(Kind::Bourse),
            "other" | "autre" | "ander" | "andere" => Ok(Kind::Other),
            _ => Err(format!(
                "'{s}' is not a kind of event (expected colloquium, network-day, campaign, bourse or other)"
            )),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One event or action of the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub date: NaiveDate,
    pub kind: Kind,
    pub title: String,
    /// How many took part, when counted.
    pub participants: Option<u32>,
}

impl Action {
    /// What identifies an event across imports.
    pub fn key(&self) -> (NaiveDate, String) {
        (self.date, fold(&self.title))
    }
}

const FIELDS: &[tabular::Field] = &[
    ("date", &["datum"], true),
    ("kind", &["type", "genre", "soort", "sorte"], true),
    ("title", &["titre", "titel", "intitule", "nom", "naam", "name"], true),
    ("participants", &["participantes", "deelnemers", "nombre", "aantal", "public"], false),
];

/// Validates an events file; every problem at once.
pub fn parse(table: &Table) -> Result<Vec<Action>, Vec<Problem>> {
    let columns = tabular::map_columns(&table.header, FIELDS)?;
    let mut problems = Vec::new();
    let mut out: Vec<Action> = Vec::new();
    let mut seen: HashMap<(NaiveDate, String), u64> = HashMap::new();
    for (line, row) in &table.rows {
        let line = *line;
        let record = tabular::Record::new(table, row, &columns, FIELDS);
        let before = problems.len();
        let (h, v) = record.get("date");
        let date = tabular::parse_date(v).map_err(|e| problems.push(Problem::because(line, Some(h), e))).ok();
        let (h, v) = record.get("kind");
        let kind = v
            .parse::<Kind>()
            .map_err(|_| {
                problems.push(Problem::because(line, Some(h), Reason::UnknownEventKind { value: v.to_owned() }))
            })
            .ok();
        let (h, v) = record.get("title");
        let title = v.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            problems.push(Problem::because(line, Some(h), Reason::TitleEmpty));
        }
        let (h, v) = record.get("participants");
        let participants = match v.trim() {
            "" => None,
            n => n
                .parse::<u32>()
                .map_err(|_| {
                    problems.push(Problem::because(line, Some(h), Reason::NotParticipants { value: n.to_owned() }))
                })
                .ok(),
        };
        let (Some(date), Some(kind)) = (date, kind) else { continue };
        if problems.len() > before {
            continue;
        }
        let action = Action { date, kind, title, participants };
        if let Some(first) = seen.insert(action.key(), line) {
            problems.push(Problem::because(line, None, Reason::SameEvent { first }));
            continue;
        }
        out.push(action);
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(Problem::of_file(Reason::NoEvent));
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// The lines of `incoming` that are new or differ from what is recorded.
pub fn changes(incoming: Vec<Action>, known: &[Action]) -> Vec<Action> {
    let known: HashMap<(NaiveDate, String), &Action> = known.iter().map(|a| (a.key(), a)).collect();
    incoming.into_iter().filter(|a| known.get(&a.key()).is_none_or(|k| *k != a)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_in_three_languages() {
        assert_eq!("Bourse aux associations".parse::<Kind>(), Ok(Kind::Bourse));
        assert_eq!("Journée du réseau".parse::<Kind>(), Ok(Kind::NetworkDay));
        // As the desk's page names it.
        assert_eq!("journée de réseau".parse::<Kind>(), Ok(Kind::NetworkDay));
        assert_eq!("netwerkdag".parse::<Kind>(), Ok(Kind::NetworkDay));
        assert!("fête".parse::<Kind>().is_err());
    }

    #[test]
    fn problems_are_named_by_line_and_column() {
        let t = tabular::parse(
            "date;type;titre;participants\n2026-13-01;campagne;A;10\n2026-03-01;fête;B;-3\n2026-03-01;autre;C;\n2026-03-01;autre;c;4\n"
                .as_bytes(),
        )
        .unwrap();
        let p = parse(&t).unwrap_err();
        let lines: Vec<_> = p.iter().map(|p| (p.line, p.field.clone())).collect();
        assert_eq!(
            lines,
            vec![
                (Some(2), Some("date".into())),
                (Some(3), Some("type".into())),
                (Some(3), Some("participants".into())),
                (Some(5), None)
            ]
        );
    }
}
