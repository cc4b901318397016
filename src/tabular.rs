//! Tabular input as Belgian offices write it: CSV from Excel, comma,
//! semicolon or tab separated, UTF-8 (with or without BOM) or Windows-1252.
//! Shared by every import (roster, attendance, expenses): it decodes, finds
//! the separator, and returns rows with their line numbers (the header is
//! line 1), refusing ragged rows. What the cells mean is the caller's.

use std::path::Path;

use crate::error::{Error, Problem, Result};

/// A decoded table: trimmed cells, blank lines skipped.
#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<String>,
    /// Each row with its 1-based line number in the file.
    pub rows: Vec<(u64, Vec<String>)>,
    pub encoding: &'static str,
    pub separator: char,
}

impl Table {
    /// The separator in words, for messages.
    pub fn separator_name(&self) -> String {
        match self.separator {
            '\t' => "tab".to_owned(),
            c => format!("'{c}'"),
        }
    }
}

/// Reads a table from a file no larger than `max_bytes`; every problem of
/// the file (unreadable, empty, ragged rows) is reported at once.
pub fn read(path: &Path, max_bytes: usize, what: &str) -> Result<Table> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() as usize > max_bytes {
        return Err(Error::Input {
            file: path.to_owned(),
            problems: vec![Problem::file(format!(
                "the file is {:.1} MB; {what} is at most {} MB (is this the right file?)",
                meta.len() as f64 / 1_048_576.0,
                max_bytes / 1_048_576
            ))],
        });
    }
    let bytes = crate::error::read_file(path)?;
    parse(&bytes).map_err(|problems| Error::Input { file: path.to_owned(), problems })
}

/// Parses bytes into a table.
pub fn parse(bytes: &[u8]) -> std::result::Result<Table, Vec<Problem>> {
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(vec![Problem::file("the file is empty: expected a header line, then one line per record")]);
    }
    let separator = sniff_separator(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator as u8)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(str::to_owned).collect(),
        Some(Err(e)) => return Err(vec![Problem::file(format!("unreadable header: {e}"))]),
        None => return Err(vec![Problem::file("the file has no header line")]),
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(Problem::at(line, None, format!("unreadable line: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue; // a blank line Excel left at the end
        }
        if record.len() != header.len() {
            problems.push(Problem::at(
                line,
                None,
                format!("{} fields, but the header has {} columns", record.len(), header.len()),
            ));
            continue;
        }
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    if problems.is_empty() { Ok(Table { header, rows, encoding, separator }) } else { Err(problems) }
}

/// Decodes: UTF-8 (with or without BOM), else Windows-1252.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice())
        && let Ok(s) = std::str::from_utf8(rest)
    {
        return (s.to_owned(), "UTF-8 (BOM)");
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), "UTF-8"),
        Err(_) => (encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(), "Windows-1252"),
    }
}

/// The separator of the header line: the most frequent of `;`, tab and `,`
/// outside quotes (`,` when there is none: a one-column file).
fn sniff_separator(text: &str) -> char {
    let header = text.lines().next().unwrap_or("");
    let mut counts = [(';', 0), ('\t', 0), (',', 0)];
    let mut quoted = false;
    for c in header.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            for (sep, n) in counts.iter_mut() {
                if c == *sep {
                    *n += 1;
                }
            }
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map_or(',', |(c, _)| *c)
}

/// Finds each wanted column in a header by its aliases (compared folded:
/// case, accents and punctuation aside). Unknown and doubled columns are
/// problems on line 1; so are missing required ones. Returns, per header
/// column, the index of the field it holds.
pub fn map_columns(
    header: &[String],
    fields: &[(&str, &[&str], bool)],
) -> std::result::Result<Vec<usize>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut columns = Vec::with_capacity(header.len());
    let mut seen: Vec<Option<&str>> = vec![None; fields.len()];
    for h in header {
        let folded = crate::roster::fold(h);
        match fields
            .iter()
            .position(|(name, aliases, _)| crate::roster::fold(name) == folded || aliases.contains(&folded.as_str()))
        {
            Some(i) => {
                if let Some(first) = seen[i] {
                    problems.push(Problem::at(
                        1,
                        Some(h),
                        format!("'{h}' and '{first}' are the same column ({})", fields[i].0),
                    ));
                }
                seen[i] = Some(h);
                columns.push(i);
            }
            None => {
                let known: Vec<&str> = fields.iter().map(|f| f.0).collect();
                problems.push(Problem::at(
                    1,
                    Some(h),
                    format!("unknown column '{h}' (known columns: {}, or their French/Dutch names)", known.join(", ")),
                ));
                columns.push(usize::MAX);
            }
        }
    }
    for (i, (name, _, required)) in fields.iter().enumerate() {
        if *required && seen[i].is_none() {
            problems.push(Problem::at(1, None, format!("the required column '{name}' is missing")));
        }
    }
    if problems.is_empty() { Ok(columns) } else { Err(problems) }
}

/// A column of an import: its canonical name, its other spellings
/// (folded), and whether the file must have it.
pub type Field = (&'static str, &'static [&'static str], bool);

/// Spellings of a column that names an organisation, by enterprise number
/// or by name (attendance lists, ballots).
pub const ORGANISATION_ALIASES: &[&str] = &[
    "bce",
    "kbo",
    "numeroentreprise",
    "numerodentreprise",
    "ondernemingsnummer",
    "name",
    "nom",
    "naam",
    "organisation",
];

/// A date cell as Belgian spreadsheets write it: YYYY-MM-DD or DD/MM/YYYY.
pub fn parse_date(v: &str) -> std::result::Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(v, "%d/%m/%Y"))
        .map_err(|_| format!("'{v}' is not a date (expected YYYY-MM-DD or DD/MM/YYYY)"))
}

/// One row of a table, read by canonical column name.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    header: &'a [String],
    row: &'a [String],
    columns: &'a [usize],
    fields: &'a [Field],
}

impl<'a> Record<'a> {
    pub fn new(table: &'a Table, row: &'a [String], columns: &'a [usize], fields: &'a [Field]) -> Record<'a> {
        Record { header: &table.header, row, columns, fields }
    }

    /// (the header as the file wrote it, the cell) of column `name`; two
    /// empty strings when the file has no such column.
    pub fn get(&self, name: &str) -> (&'a str, &'a str) {
        self.columns
            .iter()
            .position(|&c| self.fields.get(c).is_some_and(|f| f.0 == name))
            .map_or(("", ""), |i| (self.header[i].as_str(), self.row[i].as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_sniffed_outside_quotes() {
        assert_eq!(sniff_separator("nom;bce;courriel\n"), ';');
        assert_eq!(sniff_separator("naam\tkbo\te-mail\n"), '\t');
        assert_eq!(sniff_separator("\"a;b\",c,d\n"), ',');
    }

    #[test]
    fn windows_1252_is_decoded() {
        let (text, enc) = decode(b"Nom;Num\xe9ro\n");
        assert_eq!(text, "Nom;Numéro\n");
        assert_eq!(enc, "Windows-1252");
        assert_eq!(decode(b"\xEF\xBB\xBFnom").0, "nom");
    }

    #[test]
    fn ragged_rows_are_named_by_line() {
        let problems = parse(b"a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(problems[0].line, Some(3));
    }
}
