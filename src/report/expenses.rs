//! Expense and staff lines for the funder's report, from a CSV file with the
//! same robustness as the roster: every problem at once, with line and
//! column; one bad line and nothing is used.
//!
//! Columns: date, category (staff, running, project), description, amount
//! (euros and cents, read strictly by [`super::amount::parse`]: `1234,56`,
//! `1.234,56`, `1 234,56`, `1,234.56`; an amount that could be read two
//! ways is refused), document (the supporting document's reference), person
//! and fte (staff lines only).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Problem;
use crate::reason::Reason;
use crate::tabular::{self, Table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Staff,
    Running,
    Project,
}

impl Category {
    /// The word the journal, the JSON and the command line use.
    pub fn code(self) -> &'static str {
        match self {
            Category::Staff => "staff",
            Category::Running => "running",
            Category::Project => "project",
        }
    }

    /// The word a member or a funder reads.
    pub fn label(self, lang: crate::roster::Language) -> &'static str {
        use crate::roster::Language::{Fr, Nl};
        match (self, lang) {
            (Category::Staff, Fr) => "Frais de personnel",
            (Category::Staff, Nl) => "Personeelskosten",
            (Category::Running, Fr) => "Frais de fonctionnement",
            (Category::Running, Nl) => "Werkingskosten",
            (Category::Project, Fr) => "Projets",
            (Category::Project, Nl) => "Projecten",
        }
    }
}

impl std::str::FromStr for Category {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Category, String> {
        match s {
            "staff" => Ok(Category::Staff),
            "running" => Ok(Category::Running),
            "project" => Ok(Category::Project),
            _ => Err(format!("'{s}' is not an expense category")),
        }
    }
}

/// The total of each category, in cents (only the categories present).
pub fn totals(lines: &[Expense]) -> BTreeMap<Category, i64> {
    let mut totals = BTreeMap::new();
    for e in lines {
        *totals.entry(e.category).or_default() += e.cents;
    }
    totals
}

/// The import whose lines hold for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpenseImport {
    pub year: i32,
    /// The file's name as it was given.
    pub file: String,
    pub sha256: String,
    /// The sha256 of the import it replaced, if any.
    pub replaced: Option<String>,
    pub lines: usize,
    /// The day it was journaled.
    pub at: String,
    pub seq: i64,
}

/// One expense or staff line, as the file gave it and the journal records
/// it (`expenses-imported`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expense {
    pub line: u64,
    pub date: NaiveDate,
    pub category: Category,
    pub description: String,
    /// In cents, to add without rounding errors.
    pub cents: i64,
    pub document: String,
    pub person: Option<String>,
    pub fte: Option<f64>,
}

const FIELDS: &[tabular::Field] = &[
    ("date", &["datum"], true),
    ("category", &["categorie", "rubriek", "type"], true),
    ("description", &["libelle", "omschrijving", "objet"], true),
    ("amount", &["montant", "bedrag"], true),
    ("document", &["piece", "piecejustificative", "justificatif", "bewijsstuk", "reference"], true),
    ("person", &["personne", "persoon", "travailleur", "werknemer"], false),
    ("fte", &["etp", "vte"], false),
];

/// The year a file's lines are about: that of its first line's date
/// (the parser then holds every other line to it); None when no first
/// date reads.
pub fn year_of(table: &Table) -> Option<i32> {
    let columns = tabular::map_columns(&table.header, FIELDS).ok()?;
    let (_, row) = table.rows.first()?;
    let record = tabular::Record::new(table, row, &columns, FIELDS);
    tabular::parse_date(record.get("date").1).ok().map(|d| d.year())
}

/// Validates the lines for `year`, none dated after `today` (an expense
/// not yet made is a typing error); `project_allowed` for funders with a
/// project envelope (the Walloon Region).
pub fn parse(table: &Table, year: i32, today: NaiveDate, project_allowed: bool) -> Result<Vec<Expense>, Vec<Problem>> {
    let columns = tabular::map_columns(&table.header, FIELDS)?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (line, row) in &table.rows {
        let line = *line;
        let record = tabular::Record::new(table, row, &columns, FIELDS);
        let cell = |name: &str| record.get(name);
        let before = problems.len();
        let (h, v) = cell("date");
        let date = match tabular::parse_date(v) {
            Ok(d) if d > today => {
                problems.push(Problem::because(line, Some(h), Reason::NotYetSpent { date: d, today }));
                None
            }
            Ok(d) if d.year() == year => Some(d),
            Ok(d) => {
                problems.push(Problem::because(line, Some(h), Reason::NotInYear { date: d, year }));
                None
            }
            Err(e) => {
                problems.push(Problem::because(line, Some(h), e));
                None
            }
        };
        let (h, v) = cell("category");
        let category = match crate::roster::fold(v).as_str() {
            // As the desk's page tells a coordinator to write them, in French and Dutch.
            "staff" | "personnel" | "fraisdepersonnel" | "personeel" | "personeelskosten" => Some(Category::Staff),
            "running" | "fonctionnement" | "fraisdefonctionnement" | "werking" | "werkingskosten" => {
                Some(Category::Running)
            }
            "project" | "projet" | "projets" | "projecten" => Some(Category::Project),
            _ => {
                problems.push(Problem::because(line, Some(h), Reason::UnknownCategory { value: v.to_owned() }));
                None
            }
        };
        if category == Some(Category::Project) && !project_allowed {
            problems.push(Problem::because(line, Some(h), Reason::NoProjectEnvelope));
        }
        let (h, v) = cell("amount");
        let cents =
            super::amount::parse(v).map_err(|e| problems.push(Problem::because(line, Some(h), Reason::Amount(e)))).ok();
        let (h, document) = cell("document");
        if document.is_empty() {
            problems.push(Problem::because(line, Some(h), Reason::NoSupportingDocument));
        }
        let (dh, description) = cell("description");
        if description.is_empty() {
            problems.push(Problem::because(line, Some(dh), Reason::DescriptionEmpty));
        }
        let person = Some(cell("person").1.to_owned()).filter(|p| !p.is_empty());
        let (fh, fte) = cell("fte");
        let fte = if fte.is_empty() {
            None
        } else {
            match fte.replace(',', ".").parse::<f64>() {
                Ok(x) if x > 0.0 && x <= 1.0 => Some(x),
                _ => {
                    problems.push(Problem::because(line, Some(fh), Reason::NotAnFte { value: fte.to_owned() }));
                    None
                }
            }
        };
        if category == Some(Category::Staff) && (person.is_none() || fte.is_none()) && problems.len() == before {
            problems.push(Problem::because(line, None, Reason::StaffLineIncomplete));
        }
        if problems.len() > before {
            continue;
        }
        if let (Some(date), Some(category), Some(cents)) = (date, category, cents) {
            out.push(Expense {
                line,
                date,
                category,
                description: description.to_owned(),
                cents,
                document: document.to_owned(),
                person,
                fte,
            });
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file written as the desk's page (in French and in Dutch) tells a
    /// coordinator to write it is read.
    #[test]
    fn a_file_written_as_the_desk_says_is_read() {
        let text = "Date;Catégorie;Objet;Montant;Pièce justificative;Personne;ETP\n\
                    2026-02-01;personeel;Loon februari;1200,00;FICHE-2;Ann Peeters;0,5\n\
                    2026-02-03;werking;Huur;300,00;HUUR-2;;\n\
                    2026-02-05;projecten;Brochure;150,00;FACT-9;;\n\
                    2026-02-07;frais de fonctionnement;Timbres;20,00;TIMB-1;;\n";
        let table = tabular::parse(text.as_bytes()).expect("reads");
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a day");
        let lines = parse(&table, 2026, today, true).expect("every line is read");
        let categories: Vec<Category> = lines.iter().map(|l| l.category).collect();
        assert_eq!(categories, [Category::Staff, Category::Running, Category::Project, Category::Running]);
    }
}
