//! Roster import: what Excel writes in Belgium, read leniently where it is
//! harmless (separator, encoding, header language, number spelling) and
//! strictly where it matters (every row valid, or nothing is written).
//!
//! The import is planned first ([`plan`]) against the current roster; the
//! plan lists every problem of the file at once, each with its line (the
//! header is line 1) and column, or what would be added and changed.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::{EnterpriseNumber, Language, Member, Organisation, Status, fold};
use crate::error::{Error, Problem, Result};

/// The largest roster accepted: ten times a federation of 10,000.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    EnterpriseNumber,
    Email,
    Language,
    Status,
    Representative,
    RepresentativeEmail,
    Address,
    Sectors,
}

impl Field {
    const ALL: [Field; 9] = [
        Field::Name,
        Field::EnterpriseNumber,
        Field::Email,
        Field::Language,
        Field::Status,
        Field::Representative,
        Field::RepresentativeEmail,
        Field::Address,
        Field::Sectors,
    ];

    fn canonical(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::EnterpriseNumber => "enterprise_number",
            Field::Email => "email",
            Field::Language => "language",
            Field::Status => "status",
            Field::Representative => "representative",
            Field::RepresentativeEmail => "representative_email",
            Field::Address => "address",
            Field::Sectors => "sectors",
        }
    }

    /// Header spellings, already folded (see [`fold`]).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Name => &["name", "nom", "naam", "organisation", "organisatie", "denomination"],
            Field::EnterpriseNumber => &[
                "enterprisenumber",
                "bce",
                "kbo",
                "numeroentreprise",
                "numerodentreprise",
                "numerobce",
                "ondernemingsnummer",
                "kbonummer",
                "nentreprise",
            ],
            Field::Email => &["email", "courriel", "mail", "adresseemail", "emailadres"],
            Field::Language => &["language", "langue", "taal"],
            Field::Status => &["status", "statut", "statuut"],
            Field::Representative => &["representative", "representant", "vertegenwoordiger", "mandataire"],
            Field::RepresentativeEmail => &[
                "representativeemail",
                "courrielrepresentant",
                "emailrepresentant",
                "emailvertegenwoordiger",
                "vertegenwoordigeremail",
            ],
            Field::Address => &["address", "adresse", "adres"],
            Field::Sectors => &["sectors", "secteurs", "sectoren", "secteur", "sector"],
        }
    }

    fn from_header(h: &str) -> Option<Field> {
        let f = fold(h);
        Field::ALL.into_iter().find(|field| field.aliases().contains(&f.as_str()))
    }
}

/// What an import would do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub added: Vec<Organisation>,
    /// Each changed organisation, with the names of the changed fields.
    pub changed: Vec<(Organisation, Vec<String>)>,
    pub unchanged: usize,
    /// Organisations of the roster the file does not mention (left as they are).
    pub not_in_file: Vec<Organisation>,
    /// The encoding and separator detected, for the user's information.
    pub encoding: &'static str,
    pub separator: char,
}

/// Reads a roster file and plans its import against the current roster.
pub fn plan(path: &Path, current: &[Member]) -> Result<Plan> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() as usize > MAX_BYTES {
        return Err(Error::Input {
            file: path.to_owned(),
            problems: vec![Problem::file(format!(
                "the file is {:.1} MB; a roster is at most {} MB (is this the right file?)",
                meta.len() as f64 / 1_048_576.0,
                MAX_BYTES / 1_048_576
            ))],
        });
    }
    let bytes = crate::error::read_file(path)?;
    let (organisations, encoding, separator) =
        parse(&bytes).map_err(|problems| Error::Input { file: path.to_owned(), problems })?;
    let mut plan = diff(organisations, current);
    plan.encoding = encoding;
    plan.separator = separator;
    Ok(plan)
}

/// Decodes: UTF-8 (with or without BOM), else Windows-1252.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).map_or((bytes, false), |b| (b, true));
    match std::str::from_utf8(bytes.0) {
        Ok(s) => (s.to_owned(), if bytes.1 { "UTF-8 (BOM)" } else { "UTF-8" }),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes.0);
            (text.into_owned(), "Windows-1252")
        }
    }
}

/// The separator of the header line: the most frequent of `;`, tab and `,`
/// outside quotes.
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

type Parsed = (Vec<(u64, Organisation)>, &'static str, char);

/// Parses and validates every row; returns all problems at once.
pub fn parse(bytes: &[u8]) -> std::result::Result<Parsed, Vec<Problem>> {
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(vec![Problem::file("the file is empty: expected a header line and one organisation per line")]);
    }
    let separator = sniff_separator(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator as u8)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut problems = Vec::new();

    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(vec![Problem::file(format!("unreadable header: {e}"))]),
        None => return Err(vec![Problem::file("the file has no header line")]),
    };
    let mut columns: Vec<Field> = Vec::with_capacity(header.len());
    let mut seen: HashMap<&'static str, String> = HashMap::new();
    for h in header.iter() {
        match Field::from_header(h) {
            Some(f) => {
                if let Some(first) = seen.insert(f.canonical(), h.to_owned()) {
                    problems.push(Problem::at(
                        1,
                        Some(h),
                        format!("'{h}' and '{first}' are the same column ({})", f.canonical()),
                    ));
                }
                columns.push(f);
            }
            None => {
                let known: Vec<&str> = Field::ALL.iter().map(|f| f.canonical()).collect();
                problems.push(Problem::at(
                    1,
                    Some(h),
                    format!("unknown column '{h}' (known columns: {}, or their French/Dutch names)", known.join(", ")),
                ));
                columns.push(Field::Name); // placeholder; the file is refused anyway
            }
        }
    }
    for required in [Field::Name, Field::EnterpriseNumber, Field::Email] {
        if !seen.contains_key(required.canonical()) {
            problems.push(Problem::at(1, None, format!("the required column '{}' is missing", required.canonical())));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut organisations = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
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
        if record.len() != columns.len() {
            problems.push(Problem::at(
                line,
                None,
                format!("{} fields, but the header has {} columns", record.len(), columns.len()),
            ));
            continue;
        }
        let cells: BTreeMap<&str, (&str, &str)> =
            columns.iter().zip(header.iter()).zip(record.iter()).map(|((f, h), v)| (f.canonical(), (h, v))).collect();
        if let Some(o) = organisation(line, &cells, &mut problems) {
            let key = o.enterprise_number.digits().to_owned();
            if let Some(first) = first_line.get(&key) {
                problems.push(Problem::at(
                    line,
                    Some(cells["enterprise_number"].0),
                    format!("{} is already on line {first} (one line per organisation)", o.enterprise_number),
                ));
            } else {
                first_line.insert(key, line);
                organisations.push((line, o));
            }
        }
    }
    if organisations.is_empty() && problems.is_empty() {
        problems.push(Problem::file("the file has a header but no organisation"));
    }
    if problems.is_empty() { Ok((organisations, encoding, separator)) } else { Err(problems) }
}

/// Builds one organisation from its cells, pushing a problem per bad cell.
fn organisation(line: u64, cells: &BTreeMap<&str, (&str, &str)>, problems: &mut Vec<Problem>) -> Option<Organisation> {
    let before = problems.len();
    let get = |f: &str| cells.get(f).map(|(h, v)| (*h, *v));
    let mut bad = |field: &str, message: String| {
        let header = get(field).map_or(field, |(h, _)| h);
        problems.push(Problem::at(line, Some(header), message));
    };

    let name = match get("name") {
        Some((_, v)) if v.chars().any(|c| c.is_control() && !c.is_whitespace()) => {
            bad("name", "contains control characters".into());
            String::new()
        }
        Some((_, v)) if !v.is_empty() => v.split_whitespace().collect::<Vec<_>>().join(" "),
        _ => {
            bad("name", "the name is empty".into());
            String::new()
        }
    };
    let number = get("enterprise_number").map(|(_, v)| EnterpriseNumber::parse(v));
    let number = match number {
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            bad("enterprise_number", e);
            None
        }
        None => None,
    };
    let email = get("email").map(|(_, v)| v).unwrap_or("");
    if email.is_empty() {
        bad("email", "the email address is empty".into());
    } else if !valid_email(email) {
        bad("email", format!("'{email}' is not a valid email address"));
    }
    let language = match get("language").map(|(_, v)| v).filter(|v| !v.is_empty()) {
        None => Language::Fr,
        Some(v) => Language::from_roster(v).unwrap_or_else(|| {
            bad("language", format!("'{v}' is not a language (expected fr or nl)"));
            Language::Fr
        }),
    };
    let status = match get("status").map(|(_, v)| v).filter(|v| !v.is_empty()) {
        None => Status::Participant,
        Some(v) => v.parse().unwrap_or_else(|e| {
            bad("status", e);
            Status::Participant
        }),
    };
    let optional =
        |f: &str| get(f).map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|v| !v.is_empty());
    let representative = optional("representative");
    let representative_email = optional("representative_email");
    if let Some(e) = &representative_email
        && !valid_email(e)
    {
        bad("representative_email", format!("'{e}' is not a valid email address"));
    }
    let sectors = get("sectors")
        .map(|(_, v)| v.split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    if problems.len() > before {
        return None;
    }
    Some(Organisation {
        name,
        enterprise_number: number?,
        email: email.to_owned(),
        language,
        status,
        representative,
        representative_email,
        address: optional("address"),
        sectors,
    })
}

/// An address a mail server will take: a valid local part and a domain
/// with a dot.
pub fn valid_email(s: &str) -> bool {
    email_address::EmailAddress::is_valid(s)
        && s.rsplit_once('@').is_some_and(|(_, domain)| domain.contains('.') && !domain.starts_with('['))
}

fn diff(file: Vec<(u64, Organisation)>, current: &[Member]) -> Plan {
    let by_number: HashMap<&str, &Organisation> =
        current.iter().map(|m| (m.organisation.enterprise_number.digits(), &m.organisation)).collect();
    let mut plan = Plan::default();
    let mut mentioned = std::collections::HashSet::new();
    for (_, o) in file {
        mentioned.insert(o.enterprise_number.digits().to_owned());
        match by_number.get(o.enterprise_number.digits()) {
            None => plan.added.push(o),
            Some(old) => {
                let changed = o.changed_fields(old);
                if changed.is_empty() {
                    plan.unchanged += 1;
                } else {
                    plan.changed.push((o, changed));
                }
            }
        }
    }
    plan.not_in_file = current
        .iter()
        .filter(|m| !mentioned.contains(m.organisation.enterprise_number.digits()))
        .map(|m| m.organisation.clone())
        .collect();
    plan
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
    fn headers_in_three_languages() {
        assert_eq!(Field::from_header("Numéro d'entreprise"), Some(Field::EnterpriseNumber));
        assert_eq!(Field::from_header("KBO"), Some(Field::EnterpriseNumber));
        assert_eq!(Field::from_header("E-mail"), Some(Field::Email));
        assert_eq!(Field::from_header("Vertegenwoordiger"), Some(Field::Representative));
        assert_eq!(Field::from_header("fax"), None);
    }

    #[test]
    fn emails() {
        assert!(valid_email("info@asbl.example.be"));
        assert!(!valid_email("info@@example.be"));
        assert!(!valid_email("info@localhost"));
        assert!(!valid_email("info example.be"));
    }
}
