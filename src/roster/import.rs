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
use crate::tabular::{self, Table};

/// The largest roster accepted: ten times a federation of 10,000.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// The roster's columns: canonical name, folded aliases, required.
const FIELDS: &[tabular::Field] = &[
    ("name", &["nom", "naam", "organisation", "organisatie", "denomination"], true),
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
        ],
        true,
    ),
    ("email", &["courriel", "mail", "adresseemail", "emailadres"], true),
    ("language", &["langue", "taal"], false),
    ("status", &["statut", "statuut"], false),
    ("representative", &["representant", "vertegenwoordiger", "mandataire"], false),
    (
        "representative_email",
        &[
            "representativeemail",
            "courrielrepresentant",
            "emailrepresentant",
            "emailvertegenwoordiger",
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
}

/// Reads a roster file and plans its import against the current roster.
pub fn plan(path: &Path, current: &[Member]) -> Result<Plan> {
    let table = tabular::read(path, MAX_BYTES, "a roster")?;
    let organisations = parse(&table).map_err(|problems| Error::Input { file: path.to_owned(), problems })?;
    let mut plan = diff(organisations, current);
    plan.encoding = table.encoding;
    plan.separator = table.separator;
    Ok(plan)
}

/// Validates every row; returns all problems at once.
pub fn parse(table: &Table) -> std::result::Result<Vec<(u64, Organisation)>, Vec<Problem>> {
    let columns = tabular::map_columns(&table.header, FIELDS)?;
    let mut problems = Vec::new();
    let mut organisations = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for (line, record) in &table.rows {
        let line = *line;
        let cells: BTreeMap<&str, (&str, &str)> = columns
            .iter()
            .zip(table.header.iter())
            .zip(record.iter())
            .map(|((f, h), v)| (FIELDS[*f].0, (h.as_str(), v.as_str())))
            .collect();
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
    if problems.is_empty() { Ok(organisations) } else { Err(problems) }
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
    fn headers_in_three_languages() {
        let header: Vec<String> =
            ["Nom", "Numéro d'entreprise", "E-mail", "Vertegenwoordiger"].iter().map(|s| s.to_string()).collect();
        assert!(tabular::map_columns(&header, FIELDS).is_ok());
        let header: Vec<String> = ["naam", "KBO", "courriel", "fax"].iter().map(|s| s.to_string()).collect();
        let problems = tabular::map_columns(&header, FIELDS).unwrap_err();
        assert!(problems[0].message.contains("unknown column 'fax'"));
    }

    #[test]
    fn emails() {
        assert!(valid_email("info@asbl.example.be"));
        assert!(!valid_email("info@@example.be"));
        assert!(!valid_email("info@localhost"));
        assert!(!valid_email("info example.be"));
    }
}
