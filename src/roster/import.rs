//! Roster import: what Excel writes in Belgium, read leniently where it is
//! harmless (separator, encoding, header language, number spelling) and
//! strictly where it matters (every row valid, or nothing is written).
//!
//! The import is planned first ([`plan`]) against the current roster; the
//! plan lists every problem of the file at once, each with its line (the
//! header is line 1) and column, or what would be added and changed.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::{EnterpriseNumber, Language, Member, Organisation, Status};
use crate::error::{Error, Problem, Result};
use crate::reason::{AddressError, Reason, SPECIALS};
use crate::tabular::{self, Table};

/// The largest roster accepted: ten times a federation of 10,000.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The roster's columns: canonical name, folded aliases, required.
const FIELDS: &[tabular::Field] = &[
    (
        "name",
        &[
            "nom",
            "naam",
            "organisation",
            "organisatie",
            "denomination",
            "nomorganisation",
            "naamorganisatie",
            "denominationsociale",
            "raisonsociale",
        ],
        true,
    ),
    (
        "enterprise_number",
        &[
            "enterprisenumber",
            "bce",
            "kbo",
            "numeroentreprise",
            "numerodentreprise",
            "numerobce",
            "ondernemingsnummer",
            "kbonummer",
            "nentreprise",
            "entreprise",
            "onderneming",
            "bcekbo",
            "kbobce",
        ],
        true,
    ),
    ("email", &["courriel", "mail", "adresseemail", "adressecourriel", "adressemail", "emailadres", "mailadres"], true),
    ("language", &["langue", "taal"], false),
    ("status", &["statut", "statuut"], false),
    (
        "representative",
        &["representant", "vertegenwoordiger", "mandataire", "nomrepresentant", "naamvertegenwoordiger"],
        false,
    ),
    (
        "representative_email",
        &[
            "representativeemail",
            "courrielrepresentant",
            "emailrepresentant",
            "mailrepresentant",
            "representantcourriel",
            "representantemail",
            "emailvertegenwoordiger",
            "mailvertegenwoordiger",
            "emailadresvertegenwoordiger",
            "vertegenwoordigeremail",
        ],
        false,
    ),
    ("address", &["adresse", "adres"], false),
    ("sectors", &["secteurs", "sectoren", "secteur", "sector"], false),
];

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
    /// Columns of the file charte does not know, left out.
    pub ignored_columns: Vec<String>,
    /// What the import changed in the values as written (a line break
    /// turned into a space, a leading 0 restored, a domain in its ASCII
    /// form), each with its line and column, for the user to check.
    pub notes: Vec<Problem>,
    /// The sha256 of the file as it was read (the import journals it).
    pub sha256: String,
    /// The file's organisations, each with its line, as read and checked:
    /// what [`Plan::against`] plans again.
    file: Vec<(u64, Organisation)>,
}

impl Plan {
    /// The same file planned against `current`, the roster as it is now
    /// (under the write lock): what is added, changed or unchanged is
    /// decided on it, not on the roster read before.
    #[must_use]
    pub fn against(&self, current: &[Member]) -> Plan {
        Plan {
            encoding: self.encoding,
            separator: self.separator,
            ignored_columns: self.ignored_columns.clone(),
            notes: self.notes.clone(),
            sha256: self.sha256.clone(),
            ..diff(self.file.clone(), current)
        }
    }

    /// What carrying the plan out would write, as a sha256 in hex: each
    /// organisation added with all its fields, each one changed with the
    /// fields it changes and their new values. A preview shows it; its
    /// confirmation carries it back, and an import whose plan, made again
    /// under the write lock, digests otherwise is refused
    /// ([`NotImported::PlanChanged`]): nothing is done the preview did
    /// not show.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        // Each value length-prefixed: no two plans write the same bytes.
        let mut put = |tag: &str, v: &str| {
            h.update(tag.as_bytes());
            h.update((v.len() as u64).to_be_bytes());
            h.update(v.as_bytes());
        };
        for o in &self.added {
            put("added", o.enterprise_number.digits());
            for (f, _, _) in FIELDS {
                put(f, &o.value_of(f));
            }
        }
        for (o, fields) in &self.changed {
            put("changed", o.enterprise_number.digits());
            for f in fields {
                put(f, &o.value_of(f));
            }
        }
        hex::encode(h.finalize())
    }
}

/// The longest organisation name accepted, in characters: it must fit a
/// document's cover and an email's header.
pub const MAX_NAME: usize = 200;
/// The longest representative's name accepted, in characters.
pub const MAX_PERSON: usize = 120;
/// The longest address accepted, in characters.
const MAX_ADDRESS: usize = 300;
/// The longest sector name accepted, in characters.
const MAX_SECTOR: usize = 100;

/// What [`parse`] accepted, and what it changed on the way.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Each organisation with its line.
    pub organisations: Vec<(u64, Organisation)>,
    pub ignored_columns: Vec<String>,
    pub notes: Vec<Problem>,
}

/// Reads a roster file and plans its import against the current roster.
pub fn plan(path: &Path, current: &[Member]) -> Result<Plan> {
    let bytes = crate::error::read_bounded(path, MAX_BYTES as u64, "a roster")?;
    let input = |problems| Error::Input { file: path.to_owned(), problems };
    let table = tabular::parse(&bytes).map_err(input)?;
    let parsed = parse(&table).map_err(input)?;
    let mut plan = diff(parsed.organisations, current);
    plan.encoding = table.encoding;
    plan.separator = table.separator;
    plan.ignored_columns = parsed.ignored_columns;
    plan.notes = parsed.notes;
    plan.sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    Ok(plan)
}

/// Validates every row; returns all problems at once.
pub fn parse(table: &Table) -> std::result::Result<Parsed, Vec<Problem>> {
    let (columns, ignored_columns) = tabular::map_known_columns(&table.header, FIELDS)?;
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let mut organisations = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for (line, record) in &table.rows {
        let line = *line;
        let cells: BTreeMap<&str, (&str, &str)> = columns
            .iter()
            .zip(table.header.iter())
            .zip(record.iter())
            .filter_map(|((f, h), v)| FIELDS.get(*f).map(|f| (f.0, (h.as_str(), v.as_str()))))
            .collect();
        if let Some(o) = organisation(line, &cells, &mut notes, &mut problems) {
            let key = o.enterprise_number.digits().to_owned();
            if let Some(first) = first_line.get(&key) {
                problems.push(Problem::because(
                    line,
                    Some(cells["enterprise_number"].0),
                    Reason::AlreadyOnLine { number: o.enterprise_number.formatted(), first: *first },
                ));
            } else {
                first_line.insert(key, line);
                organisations.push((line, o));
            }
        }
    }
    if organisations.is_empty() && problems.is_empty() {
        problems.push(Problem::of_file(Reason::NoOrganisation));
    }
    if problems.is_empty() { Ok(Parsed { organisations, ignored_columns, notes }) } else { Err(problems) }
}

/// One row being read: its cells by field, and where its problems and
/// notes go.
struct Row<'a, 'c> {
    line: u64,
    cells: &'a BTreeMap<&'c str, (&'c str, &'c str)>,
    notes: &'a mut Vec<Problem>,
    problems: &'a mut Vec<Problem>,
}

impl<'c> Row<'_, 'c> {
    /// (the header as written, the cell) of a field the file has.
    fn get(&self, field: &str) -> Option<(&'c str, &'c str)> {
        self.cells.get(field).copied()
    }

    fn header(&self, field: &'static str) -> &'c str {
        self.get(field).map_or(field, |(h, _)| h)
    }

    fn bad(&mut self, field: &'static str, reason: Reason) {
        self.problems.push(Problem::because(self.line, Some(self.header(field)), reason));
    }

    fn note(&mut self, field: &'static str, reason: Reason) {
        self.notes.push(Problem::because(self.line, Some(self.header(field)), reason));
    }

    /// A value printed in documents and mails (see [`printable_text`]);
    /// `None` when the file has no such column, the cell is empty, or the
    /// value is refused.
    fn text(&mut self, field: &'static str, max: usize) -> Option<String> {
        let (_, v) = self.get(field)?;
        let (value, note, problem) = printable_text(v, max);
        if let Some(n) = note {
            self.note(field, n);
        }
        if let Some(p) = problem {
            self.bad(field, p);
            return None;
        }
        Some(value).filter(|v| !v.is_empty())
    }

    /// An address as [`plain_address`] accepts it, the change said.
    fn address(&mut self, field: &'static str) -> Option<String> {
        let (_, v) = self.get(field).filter(|(_, v)| !v.is_empty())?;
        match check_address(v) {
            Ok(a) => {
                if a != v.trim() {
                    self.note(field, Reason::AsciiForm { value: v.to_owned(), ascii: a.clone() });
                }
                Some(a)
            }
            Err(e) => {
                self.bad(field, Reason::Address(e));
                None
            }
        }
    }
}

/// One organisation from its fields' values (by column name: "email",
/// "status", "sectors" separated by |…), checked by the very rules a
/// roster's row is: the organisation and what was changed in the values
/// as written, or every problem, each naming its field (and no line).
pub fn organisation_from(
    values: &BTreeMap<&'static str, String>,
) -> std::result::Result<(Organisation, Vec<Problem>), Vec<Problem>> {
    let cells: BTreeMap<&str, (&str, &str)> = values.iter().map(|(f, v)| (*f, (*f, v.as_str()))).collect();
    let (mut notes, mut problems) = (Vec::new(), Vec::new());
    let found = organisation(0, &cells, &mut notes, &mut problems);
    let unlined =
        |list: Vec<Problem>| -> Vec<Problem> { list.into_iter().map(|p| Problem { line: None, ..p }).collect() };
    match found {
        Some(o) if problems.is_empty() => Ok((o, unlined(notes))),
        _ => Err(unlined(problems)),
    }
}

/// Builds one organisation from its cells, pushing a problem per bad cell
/// and a note per value it had to change.
fn organisation(
    line: u64,
    cells: &BTreeMap<&str, (&str, &str)>,
    notes: &mut Vec<Problem>,
    problems: &mut Vec<Problem>,
) -> Option<Organisation> {
    let before = problems.len();
    let mut row = Row { line, cells, notes, problems };

    let name = row.text("name", MAX_NAME);
    if name.is_none() && row.get("name").is_some_and(|(_, v)| v.trim().is_empty()) {
        row.bad("name", Reason::NameEmpty);
    }
    let number = match row.get("enterprise_number").map(|(_, v)| (v, EnterpriseNumber::parse_from_excel(v))) {
        Some((_, Ok((n, false)))) => Some(n),
        Some((v, Ok((n, true)))) => {
            row.note("enterprise_number", Reason::LeadingZeroRestored { value: v.to_owned(), restored: n.formatted() });
            Some(n)
        }
        Some((_, Err(e))) => {
            row.bad("enterprise_number", Reason::Number(e));
            None
        }
        None => None,
    };
    let email = row.address("email");
    if row.get("email").is_none_or(|(_, v)| v.is_empty()) {
        row.bad("email", Reason::EmailEmpty);
    }
    let language = match row.get("language").map(|(_, v)| v).filter(|v| !v.is_empty()) {
        None => Language::Fr,
        Some(v) => Language::from_roster(v).unwrap_or_else(|| {
            row.bad("language", Reason::UnknownLanguage { value: v.to_owned() });
            Language::Fr
        }),
    };
    let status = match row.get("status").map(|(_, v)| v).filter(|v| !v.is_empty()) {
        None => Status::Participant,
        Some(v) => Status::from_roster(v).unwrap_or_else(|| {
            row.bad("status", Reason::UnknownStatus { value: v.to_owned() });
            Status::Participant
        }),
    };
    let representative = row.text("representative", MAX_PERSON);
    let representative_email = row.address("representative_email");
    let address = row.text("address", MAX_ADDRESS);
    let mut sectors = Vec::new();
    if let Some(all) = row.text("sectors", usize::MAX) {
        for sector in all.split('|').map(str::trim).filter(|s| !s.is_empty()) {
            if sector.chars().count() > MAX_SECTOR {
                row.bad("sectors", Reason::SectorTooLong { len: sector.chars().count(), max: MAX_SECTOR });
            }
            sectors.push(sector.to_owned());
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(Organisation {
        name: name?,
        enterprise_number: number?,
        email: email?,
        language,
        status,
        representative,
        representative_email,
        address,
        sectors,
    })
}

/// A cell as it will be printed: line breaks and tabs inside it turned
/// into spaces (which is said, in the note), runs of spaces made one,
/// then checked. Returns the value, the note, and the problem that
/// refuses it: a control character, more than `max` characters, or a
/// character the documents' fonts cannot print (an emoji, say), named by
/// its position and code point.
fn printable_text(v: &str, max: usize) -> (String, Option<Reason>, Option<Reason>) {
    let note = v.contains(['\n', '\r', '\t']).then_some(Reason::LineBreak);
    let value = v.split_whitespace().collect::<Vec<_>>().join(" ");
    let problem = if let Some(c) = value.chars().find(|c| c.is_control()) {
        Some(Reason::ControlCharacter { code: c as u32, remove: false })
    } else if value.chars().count() > max {
        Some(Reason::TooLong { len: value.chars().count(), max })
    } else if let Err((at, c)) = crate::render::printable(&value) {
        Some(Reason::Unprintable { c, at })
    } else {
        None
    };
    (value, note, problem)
}

/// An address a mail server will take: a valid local part and a domain
/// with a dot (see [`plain_address`]).
pub fn valid_email(s: &str) -> bool {
    plain_address(s).is_ok()
}

/// The longest address SMTP carries (RFC 5321 4.5.3.1: a 256-octet path
/// less its angle brackets).
const MAX_ADDRESS_LEN: usize = 254;

/// Checks an address as RFC 5321 allows it without quoting, and returns
/// it with an internationalised domain in its ASCII form (IDNA: "café.be"
/// becomes "xn--caf-dma.be"), which every mail server takes. A display
/// name ("Evil <e@x.be>"), a quoted local part ("x,y"@x.be), a comment,
/// an IP literal or a non-ASCII local part are refused, each with why:
/// they would break the header of every mail sent to the organisation.
pub fn plain_address(s: &str) -> std::result::Result<String, String> {
    check_address(s).map_err(|e| e.to_string())
}

/// As [`plain_address`], the refusal typed (said in each language by
/// [`AddressError`]).
pub fn check_address(s: &str) -> std::result::Result<String, AddressError> {
    let s = s.trim();
    let value = || s.to_owned();
    if s.contains(['<', '>']) || s.contains(char::is_whitespace) {
        return Err(AddressError::NotPlain { value: value() });
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return Err(AddressError::NoAt { value: value() });
    };
    if local.starts_with('"') || local.contains('@') {
        return Err(AddressError::QuotedLocal { value: value() });
    }
    let atom = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c));
    if local.is_empty() || local.len() > 64 || !local.split('.').all(atom) {
        return Err(AddressError::BadLocal { value: value() });
    }
    if domain.starts_with('[') {
        return Err(AddressError::IpLiteral { value: value() });
    }
    let ascii = if domain.is_ascii() {
        domain.to_owned()
    } else {
        idna::domain_to_ascii_strict(domain)
            .map_err(|_| AddressError::BadIdn { value: value(), domain: domain.to_owned() })?
    };
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let labels: Vec<&str> = ascii.split('.').collect();
    let top_level_ok = labels.last().is_some_and(|t| !t.chars().all(|c| c.is_ascii_digit()));
    if labels.len() < 2 || !labels.iter().all(|l| label(l)) || !top_level_ok || ascii.len() > 253 {
        return Err(AddressError::BadDomain { value: value() });
    }
    let address = format!("{local}@{ascii}");
    if address.len() > MAX_ADDRESS_LEN {
        return Err(AddressError::TooLong { value: value(), max: MAX_ADDRESS_LEN });
    }
    Ok(address)
}

fn diff(file: Vec<(u64, Organisation)>, current: &[Member]) -> Plan {
    let by_number: HashMap<&str, &Organisation> =
        current.iter().map(|m| (m.organisation.enterprise_number.digits(), &m.organisation)).collect();
    let mut plan = Plan { file: file.clone(), ..Plan::default() };
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

/// Why a roster sent to the desk is not imported (besides its own
/// problems): the English of the application layer ([`std::fmt::Display`])
/// and the desk's French and Dutch ([`NotImported::say`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotImported {
    /// Larger than `limit` bytes ([`MAX_BYTES`]).
    TooLarge { name: String, limit: u64 },
    /// No longer waiting for its confirmation (imported, or older than a day).
    Gone,
    /// Not the file that was previewed any more.
    ChangedSincePreview { name: String },
    /// The file is, but the roster changed since its preview: importing
    /// it now would do something the preview did not show.
    PlanChanged { name: String },
}

impl NotImported {
    /// What kind of refusal it is (the HTTP status).
    pub fn kind(&self) -> crate::error::Kind {
        match self {
            NotImported::Gone => crate::error::Kind::NotFound,
            NotImported::TooLarge { .. }
            | NotImported::ChangedSincePreview { .. }
            | NotImported::PlanChanged { .. } => crate::error::Kind::Invalid,
        }
    }

    /// The refusal in French or Dutch, for the coordinator.
    pub fn say(&self, lang: Language) -> String {
        match (self, lang) {
            (NotImported::TooLarge { name, limit }, Language::Fr) => format!(
                "{name} dépasse {} : une liste des membres n'est jamais aussi grande ; est-ce bien le bon fichier ?",
                Language::Fr.size(*limit)
            ),
            (NotImported::TooLarge { name, limit }, Language::Nl) => format!(
                "{name} is groter dan {}: een ledenlijst is nooit zo groot; is dit wel het juiste bestand?",
                Language::Nl.size(*limit)
            ),
            (NotImported::Gone, Language::Fr) => "cette liste n'attend plus de confirmation (elle a été importée, ou \
                 envoyée il y a plus d'un jour) : rien n'a été modifié ; envoyez-la à nouveau"
                .to_owned(),
            (NotImported::Gone, Language::Nl) => "deze lijst wacht niet meer op bevestiging (ze werd ingevoerd, of \
                 meer dan een dag geleden verstuurd): er werd niets gewijzigd; stuur ze opnieuw"
                .to_owned(),
            (NotImported::ChangedSincePreview { name }, Language::Fr) => format!(
                "{name} n'est plus le fichier dont vous avez vu l'aperçu : rien n'a été modifié ; envoyez-le à \
                 nouveau pour voir ce qu'il changerait"
            ),
            (NotImported::ChangedSincePreview { name }, Language::Nl) => format!(
                "{name} is niet meer het bestand waarvan u het overzicht zag: er werd niets gewijzigd; stuur het \
                 opnieuw om te zien wat het zou veranderen"
            ),
            (NotImported::PlanChanged { name }, Language::Fr) => format!(
                "la liste des membres a changé depuis l'aperçu de {name} : l'importer maintenant ferait autre chose \
                 que ce que l'aperçu montrait ; rien n'a été modifié ; envoyez-le à nouveau pour revoir l'aperçu"
            ),
            (NotImported::PlanChanged { name }, Language::Nl) => format!(
                "de ledenlijst is veranderd sinds het overzicht van {name}: het nu invoeren zou iets anders doen dan \
                 het overzicht toonde; er werd niets gewijzigd; stuur het opnieuw om het overzicht opnieuw te zien"
            ),
        }
    }
}

impl std::fmt::Display for NotImported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotImported::TooLarge { name, limit } => write!(
                f,
                "{name} is larger than {}: a roster is at most that; is this the right file?",
                crate::error::size_in_words(*limit)
            ),
            NotImported::Gone => f.write_str(
                "this roster is no longer waiting for its confirmation (it was imported, or it was sent more than a \
                 day ago): nothing was changed; upload it again",
            ),
            NotImported::ChangedSincePreview { name } => write!(
                f,
                "{name} is no longer the file that was previewed: nothing was changed; upload it again to see what \
                 it would change"
            ),
            NotImported::PlanChanged { name } => write!(
                f,
                "the roster changed since {name} was previewed: importing it now would do what the preview did not \
                 show; nothing was changed; upload it again to see the preview again"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_three_languages() {
        let header: Vec<String> =
            ["Nom", "Numéro d'entreprise", "E-mail", "Vertegenwoordiger"].iter().map(|s| s.to_string()).collect();
        assert!(tabular::map_columns(&header, FIELDS).is_ok());
        let header: Vec<String> = ["naam", "KBO", "courriel", "fax"].iter().map(|s| s.to_string()).collect();
        let (_, ignored) = tabular::map_known_columns(&header, FIELDS).unwrap();
        assert_eq!(ignored, ["fax"]);
        let header: Vec<String> =
            ["N° BCE", "Dénomination", "Courriel", "Courriel du représentant", "N° d'entreprise", "Téléphone"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let problems = tabular::map_known_columns(&header, FIELDS).unwrap_err();
        assert!(problems[0].message.contains("'N° d'entreprise' and 'N° BCE' are the same column"), "{problems:?}");
    }

    #[test]
    fn emails() {
        assert!(valid_email("info@asbl.example.be"));
        assert!(valid_email("o'brien+roster@asbl-1.example.be"));
        assert!(!valid_email("info@@example.be"));
        assert!(!valid_email("info@localhost"));
        assert!(!valid_email("info example.be"));
        assert!(!valid_email("Evil <e@x.be>"));
        assert!(!valid_email("\"x,y\"@x.be"));
        assert!(!valid_email("a..b@x.be"));
        assert!(!valid_email("é@x.be"));
        assert!(!valid_email("a@[10.0.0.1]"));
        assert!(!valid_email("a@x.123"));
        assert_eq!(plain_address("info@café.be").as_deref(), Ok("info@xn--caf-dma.be"));
        assert_eq!(plain_address("Info@ASBL.be").as_deref(), Ok("Info@ASBL.be"));
    }

    #[test]
    fn values_are_made_printable_or_refused() {
        let (v, note, problem) = printable_text("ASBL Ligne\r\nBrisée", 200);
        assert_eq!((v.as_str(), note.is_some(), problem), ("ASBL Ligne Brisée", true, None));
        assert!(printable_text("Café 😀", 200).2.unwrap().to_string().contains("U+1F600"));
        assert!(printable_text(&"x".repeat(201), 200).2.unwrap().to_string().contains("201 characters"));
        assert!(printable_text("a\u{7}b", 200).2.unwrap().to_string().contains("U+0007"));
    }
}
