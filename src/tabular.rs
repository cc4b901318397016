//! Tabular input as Belgian offices write it: CSV from Excel, comma,
//! semicolon or tab separated, UTF-8 (with or without BOM) or Windows-1252.
//! Shared by every import (roster, attendance, expenses): it decodes, finds
//! the separator, and returns rows with their line numbers (the header is
//! line 1), refusing ragged rows. What the cells mean is the caller's.

use std::path::Path;

use crate::error::{Error, Problem, Result};
use crate::reason::{Reason, Utf8Mark};

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

/// Reads a table from a file no larger than `max_bytes` (a bounded read:
/// see [`crate::error::read_bounded`]); every problem of the file
/// (unreadable, empty, ragged rows) is reported at once.
pub fn read(path: &Path, max_bytes: usize, what: &str) -> Result<Table> {
    let bytes = crate::error::read_bounded(path, max_bytes as u64, what)?;
    parse(&bytes).map_err(|problems| Error::Input { file: path.to_owned(), problems })
}

/// Parses bytes into a table.
pub fn parse(bytes: &[u8]) -> std::result::Result<Table, Vec<Problem>> {
    let (text, encoding) = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(vec![Problem::of_file(Reason::EmptyFile)]);
    }
    // Lines are counted here, from each record's byte offset, not by the
    // CSV reader: the header is line 1 whatever the line endings (CRLF from
    // Excel on Windows, LF, or a lone CR from old Macs).
    let lines = LineIndex::new(text.as_bytes());
    // The reader places a record after the previous one's terminator, so
    // blank lines before it count as its start: its first line is the one
    // of its first byte that is not a line break.
    let line_of = |byte: u64| {
        let skipped = text.as_bytes().iter().skip(byte as usize).take_while(|b| matches!(b, b'\r' | b'\n')).count();
        lines.line_of(byte + skipped as u64)
    };
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
        Some(Err(e)) => return Err(vec![Problem::of_file(Reason::UnreadableHeader { why: e.to_string() })]),
        None => return Err(vec![Problem::of_file(Reason::NoHeader)]),
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_of(p.byte()));
                problems.push(Problem::because(line, None, Reason::UnreadableLine { why: e.to_string() }));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_of(p.byte()));
        if record.iter().all(str::is_empty) {
            continue; // a blank line Excel left at the end
        }
        if record.len() != header.len() {
            problems.push(Problem::because(line, None, Reason::Ragged { fields: record.len(), columns: header.len() }));
            continue;
        }
        // A control character (NUL, escape…) is nothing anyone typed: it
        // would reach documents, mails and the journal as it is. Line
        // breaks and tabs inside a value are the importers' to handle.
        let mut clean = true;
        for (i, cell) in record.iter().enumerate() {
            if let Some(c) = cell.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
                let column = header.get(i).map(String::as_str);
                problems.push(Problem::because(
                    line,
                    column,
                    Reason::ControlCharacter { code: c as u32, remove: true },
                ));
                clean = false;
            }
        }
        if clean {
            rows.push((line, record.iter().map(str::to_owned).collect()));
        }
    }
    if problems.is_empty() { Ok(Table { header, rows, encoding, separator }) } else { Err(problems) }
}

/// Where each line of a text starts, to name the line of a byte offset.
/// A line ends at CRLF, LF or a lone CR.
struct LineIndex {
    starts: Vec<u64>,
}

impl LineIndex {
    fn new(bytes: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 1;
                    starts.push(i as u64 + 1);
                }
                b'\r' | b'\n' => starts.push(i as u64 + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// The 1-based line holding byte `offset`.
    fn line_of(&self, offset: u64) -> u64 {
        self.starts.partition_point(|&s| s <= offset) as u64
    }
}

/// Decodes the whole file one way, decided soundly: UTF-8 (with or
/// without BOM) when it is valid UTF-8; Windows-1252 when it holds no
/// UTF-8 multi-byte character at all (what Excel writes in Belgium); a
/// file that mixes the two (a UTF-8 file with one stray byte) is neither,
/// and is refused with the line and the byte rather than turned into
/// mojibake.
fn decode(bytes: &[u8]) -> std::result::Result<(String, &'static str), Vec<Problem>> {
    let (body, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let error = match std::str::from_utf8(body) {
        Ok(s) => return Ok((s.to_owned(), if bom { "UTF-8 (BOM)" } else { "UTF-8" })),
        Err(e) => e,
    };
    let skipped = if bom { 3 } else { 0 };
    let lines = LineIndex::new(bytes);
    let utf8_mark = if bom {
        Some(Utf8Mark::ByteOrderMark)
    } else {
        first_utf8_multibyte(body).map(|at| Utf8Mark::Line(lines.line_of(at as u64)))
    };
    if let Some(mark) = utf8_mark {
        let offset = skipped + error.valid_up_to();
        return Err(vec![Problem::because(
            lines.line_of(offset as u64),
            None,
            Reason::MixedEncodings { byte: bytes[offset], offset: offset + 1, mark },
        )]);
    }
    // Windows-1252 leaves five bytes undefined: a file holding one is
    // neither encoding.
    if let Some(i) = body.iter().position(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)) {
        return Err(vec![Problem::because(
            lines.line_of(i as u64),
            None,
            Reason::NeitherEncoding { byte: body[i], offset: i + 1 },
        )]);
    }
    Ok((encoding_rs::WINDOWS_1252.decode_without_bom_handling(body).0.into_owned(), "Windows-1252"))
}

/// The offset of the first well-formed UTF-8 multi-byte character in
/// `bytes`, if any: the mark of a UTF-8 file, which Windows-1252 text
/// almost never forms (it would have to read as mojibake such as "Ã©").
fn first_utf8_multibyte(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] >= 0xC2 && bytes[i] <= 0xF4 {
            let len = match bytes[i] {
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            if let Some(seq) = bytes.get(i..i + len)
                && std::str::from_utf8(seq).is_ok()
            {
                return Some(i);
            }
        }
        i += 1;
    }
    None
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
    let (columns, unknown) = map_known_columns(header, fields)?;
    if unknown.is_empty() {
        return Ok(columns);
    }
    let known: Vec<String> = fields.iter().map(|f| f.0.to_owned()).collect();
    Err(unknown
        .iter()
        .map(|h| Problem::because(1, Some(h), Reason::UnknownColumn { header: h.clone(), known: known.clone() }))
        .collect())
}

/// How a column without a title is named in English (the command line);
/// the desk says it in its language ([`crate::reason::column`]).
pub const UNNAMED: &str = "(a column without a name)";

/// As [`map_columns`], but a column the import does not know is no
/// problem: it is left out (its index is `usize::MAX`) and returned by
/// name, for the caller to say it was ignored.
pub fn map_known_columns(
    header: &[String],
    fields: &[(&str, &[&str], bool)],
) -> std::result::Result<(Vec<usize>, Vec<String>), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut columns = Vec::with_capacity(header.len());
    let mut unknown = Vec::new();
    let mut seen: Vec<Option<&str>> = vec![None; fields.len()];
    for h in header {
        let folded = crate::roster::fold(h);
        let words = fold_header(h);
        let matches = |name: &str, aliases: &[&str]| {
            let name = crate::roster::fold(name);
            [&folded, &words].iter().any(|f| **f == name || aliases.contains(&f.as_str()))
        };
        match fields.iter().position(|(name, aliases, _)| matches(name, aliases)) {
            Some(i) => {
                if let Some(first) = seen[i] {
                    problems.push(Problem::because(
                        1,
                        Some(h),
                        Reason::SameColumn {
                            header: h.clone(),
                            first: first.to_owned(),
                            field: fields[i].0.to_owned(),
                        },
                    ));
                }
                seen[i] = Some(h);
                columns.push(i);
            }
            None => {
                unknown.push(if h.is_empty() { UNNAMED.to_owned() } else { h.clone() });
                columns.push(usize::MAX);
            }
        }
    }
    for (i, (name, _, required)) in fields.iter().enumerate() {
        if *required && seen[i].is_none() {
            let reason = Reason::MissingColumn { field: (*name).to_owned(), unknown: unknown.clone() };
            problems.push(Problem::because(1, None, reason));
        }
    }
    if problems.is_empty() { Ok((columns, unknown)) } else { Err(problems) }
}

/// A header as people write it in Excel, folded word by word with the
/// words that carry no meaning left out: "N° BCE" → "bce", "Numéro
/// d'entreprise" → "entreprise", "KBO-nummer" → "kbo", "Courriel du
/// représentant" → "courrielrepresentant".
pub fn fold_header(h: &str) -> String {
    const FILLERS: &[&str] = &[
        "n", "no", "nr", "num", "numero", "nummer", "du", "de", "d", "des", "la", "le", "l", "van", "het", "the", "of",
    ];
    // Split where the folded text would lose a character: "N°", "d'", "-".
    h.split(|c: char| !c.is_alphanumeric())
        .map(crate::roster::fold)
        .filter(|w| !w.is_empty() && !FILLERS.contains(&w.as_str()))
        .collect()
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
pub fn parse_date(v: &str) -> std::result::Result<chrono::NaiveDate, Reason> {
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(v, "%d/%m/%Y"))
        .map_err(|_| Reason::NotADate { value: v.to_owned() })
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
        let (text, enc) = decode(b"Nom;Num\xe9ro\n").unwrap();
        assert_eq!(text, "Nom;Numéro\n");
        assert_eq!(enc, "Windows-1252");
        assert_eq!(decode(b"\xEF\xBB\xBFnom").unwrap().0, "nom");
    }

    #[test]
    fn a_utf8_file_with_one_stray_byte_is_neither() {
        let problems = decode(b"nom\r\nCr\xc3\xa8che\r\nCaf\xe9\r\n").unwrap_err();
        assert_eq!(problems[0].line, Some(3));
        assert!(problems[0].message.contains("byte 0xE9 (byte 18 of the file)"), "{}", problems[0].message);
        assert!(problems[0].message.contains("line 2 holds UTF-8 text"), "{}", problems[0].message);
        let problems = decode(b"\xEF\xBB\xBFnom\nCaf\xe9\n").unwrap_err();
        assert_eq!(problems[0].line, Some(2));
        assert!(decode(b"nom\n\x81\n").unwrap_err()[0].message.contains("0x81"));
    }

    #[test]
    fn lines_count_the_header_as_1_whatever_the_endings() {
        for eol in ["\n", "\r\n", "\r"] {
            let text = ["a,b", "1,2", "\"x", "y\",3", "", "4"].join(eol);
            let problems = parse(text.as_bytes()).unwrap_err();
            assert_eq!(problems[0].line, Some(6), "{eol:?}");
            let table = parse(["a,b", "1,2", "\"x", "y\",3"].join(eol).as_bytes()).unwrap();
            assert_eq!(table.rows.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 3], "{eol:?}");
        }
    }

    #[test]
    fn headers_as_people_write_them() {
        assert_eq!(fold_header("N° BCE"), "bce");
        assert_eq!(fold_header("N° d'entreprise"), "entreprise");
        assert_eq!(fold_header("KBO-nummer"), "kbo");
        assert_eq!(fold_header("Courriel du représentant"), "courrielrepresentant");
        assert_eq!(fold_header("E-mail vertegenwoordiger"), "emailvertegenwoordiger");
    }

    #[test]
    fn ragged_rows_are_named_by_line() {
        let problems = parse(b"a,b\n1,2\n3\n").unwrap_err();
        assert_eq!(problems[0].line, Some(3));
    }
}
