//! The roster: the network's member organisations, as the coordinator
//! declares them (CSV import), plus what charte has proof of (the charter
//! version each one signed, the key it registered).

mod enterprise;
pub mod import;

pub use enterprise::EnterpriseNumber;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The language an organisation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Fr,
    Nl,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::Nl => "nl",
        }
    }

    /// A size as people read it in this language, the one way every page
    /// writes one: 12 Ko / 12 kB, 1,4 Mo / 1,4 MB, 20 Mo / 20 MB (the
    /// command line's English is [`crate::error::size_in_words`]).
    pub fn size(self, bytes: u64) -> String {
        const MB: u64 = 1024 * 1024;
        let (k, m) = match self {
            Language::Fr => ("Ko", "Mo"),
            Language::Nl => ("kB", "MB"),
        };
        if bytes < MB {
            format!("{} {k}", bytes.div_ceil(1024))
        } else if bytes.is_multiple_of(MB) {
            format!("{} {m}", bytes / MB)
        } else {
            format!("{:.1} {m}", bytes as f64 / MB as f64).replace('.', ",")
        }
    }

    /// Reads what people write in a roster: codes and names in FR/NL/EN.
    pub fn from_roster(s: &str) -> Option<Language> {
        match fold(s).as_str() {
            "fr" | "f" | "francais" | "french" | "frans" => Some(Language::Fr),
            "nl" | "n" | "nederlands" | "neerlandais" | "dutch" | "vlaams" | "flamand" => Some(Language::Nl),
            _ => None,
        }
    }
}

impl FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Language::from_roster(s)
            .ok_or_else(|| crate::reason::Reason::UnknownLanguage { value: s.to_owned() }.to_string())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What the coordinator declares an organisation to be (DESIGN.md, Domain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Attends, does not vote.
    Participant,
    /// Signed the charter, votes.
    Member,
    /// A relais social's signatory partner.
    Partner,
    /// A relais social's associate member (sits in the general assembly).
    Associate,
    /// Left the network.
    Former,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Participant, Status::Member, Status::Partner, Status::Associate, Status::Former];

    pub fn code(self) -> &'static str {
        match self {
            Status::Participant => "participant",
            Status::Member => "member",
            Status::Partner => "partner",
            Status::Associate => "associate",
            Status::Former => "former",
        }
    }

    /// The status in words, in `lang`.
    pub fn name(self, lang: Language) -> &'static str {
        match (self, lang) {
            (Status::Participant, Language::Fr) => "participant",
            (Status::Participant, Language::Nl) => "deelnemer",
            (Status::Member, Language::Fr) => "membre",
            (Status::Member, Language::Nl) => "lid",
            (Status::Partner, Language::Fr) => "partenaire",
            (Status::Partner, Language::Nl) => "partner",
            (Status::Associate, Language::Fr) => "membre associé",
            (Status::Associate, Language::Nl) => "geassocieerd lid",
            (Status::Former, Language::Fr) => "ancien membre",
            (Status::Former, Language::Nl) => "voormalig lid",
        }
    }

    /// Statuses whose holders are expected to have signed the current charter.
    pub fn expects_signature(self) -> bool {
        matches!(self, Status::Member | Status::Partner)
    }

    /// Reads what people write in a roster, in French, Dutch or English.
    pub fn from_roster(s: &str) -> Option<Status> {
        match fold(s).as_str() {
            "participant" | "participante" | "deelnemer" | "deelneemster" => Some(Status::Participant),
            "member" | "membre" | "lid" | "membreeffectif" | "effectieflid" => Some(Status::Member),
            "partner" | "partenaire" => Some(Status::Partner),
            "associate" | "associe" | "associee" | "membreassocie" | "membreassociee" | "associatemember"
            | "geassocieerdlid" | "geassocieerd" => Some(Status::Associate),
            "former" | "ancien" | "ancienne" | "ancienmembre" | "anciennemembre" | "formermember" | "voormalig"
            | "voormaliglid" | "gewezenlid" | "exmembre" | "exlid" => Some(Status::Former),
            _ => None,
        }
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Status::from_roster(s).ok_or_else(|| crate::reason::Reason::UnknownStatus { value: s.to_owned() }.to_string())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A status an organisation was given, and the journal entry that gave it:
/// declared by a roster import, given by a counted signature (a
/// participant becomes a member), or restored by a revoked confirmation.
/// In order, they say who was what on any day (a year's figures, how long
/// a member has gone without signing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub at: chrono::NaiveDate,
    /// The organisation's 10 digits.
    pub enterprise_number: String,
    pub status: Status,
    pub seq: i64,
}

/// The roster's columns in words: (column, French, Dutch).
const FIELD_WORDS: [(&str, &str, &str); 9] = [
    ("name", "nom", "naam"),
    ("enterprise_number", "numéro d'entreprise", "ondernemingsnummer"),
    ("email", "adresse e-mail", "e-mailadres"),
    ("language", "langue", "taal"),
    ("status", "statut", "statuut"),
    ("representative", "représentant·e", "vertegenwoordiger"),
    ("representative_email", "adresse e-mail du ou de la représentant·e", "e-mailadres van de vertegenwoordiger"),
    ("address", "adresse postale", "postadres"),
    ("sectors", "secteurs", "sectoren"),
];

/// A roster column, named as charte names it (`enterprise_number`), in
/// words; `None` for any other name.
pub fn field_words(field: &str, lang: Language) -> Option<&'static str> {
    FIELD_WORDS.iter().find(|(f, _, _)| *f == field).map(|(_, fr, nl)| if lang == Language::Fr { *fr } else { *nl })
}

/// An organisation of the roster, as declared by the coordinator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub name: String,
    pub enterprise_number: EnterpriseNumber,
    /// Empty once erased (`charte erase`): read back from the journal's
    /// commitment, there is nothing left to write to.
    pub email: String,
    pub language: Language,
    pub status: Status,
    pub representative: Option<String>,
    pub representative_email: Option<String>,
    pub address: Option<String>,
    pub sectors: Vec<String>,
}

impl Organisation {
    /// The fields that differ from `other`, by their roster column name.
    pub fn changed_fields(&self, other: &Organisation) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |name: &str, differs: bool| {
            if differs {
                out.push(name.to_owned());
            }
        };
        check("name", self.name != other.name);
        check("email", self.email != other.email);
        check("language", self.language != other.language);
        check("status", self.status != other.status);
        check("representative", self.representative != other.representative);
        check("representative_email", self.representative_email != other.representative_email);
        check("address", self.address != other.address);
        check("sectors", self.sectors != other.sectors);
        out
    }

    /// The value of the field named by its roster column (as
    /// [`Organisation::changed_fields`] names them), as a roster line
    /// would hold it; empty for a field it does not have.
    pub fn value_of(&self, field: &str) -> String {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        match field {
            "name" => self.name.clone(),
            "enterprise_number" => self.enterprise_number.formatted(),
            "email" => self.email.clone(),
            "language" => self.language.code().to_owned(),
            "status" => self.status.code().to_owned(),
            "representative" => text(&self.representative),
            "representative_email" => text(&self.representative_email),
            "address" => text(&self.address),
            "sectors" => self.sectors.join(" | "),
            _ => String::new(),
        }
    }

    /// Addresses to write to: the organisation's (rank 0), then its
    /// representative's (rank 1), each with the name to write to and its
    /// rank (a Message-ID's `.K`, the same whether or not the other
    /// address is there). An address erased (`charte erase`) is none.
    pub fn recipients(&self) -> Vec<(usize, Option<&str>, &str)> {
        let mut out = Vec::new();
        if !self.email.is_empty() {
            out.push((0, Some(self.name.as_str()), self.email.as_str()));
        }
        if let Some(e) = self.representative_email.as_deref()
            && !e.eq_ignore_ascii_case(&self.email)
        {
            out.push((1, self.representative.as_deref(), e));
        }
        out
    }
}

/// An organisation with what charte has recorded about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub organisation: Organisation,
    /// The latest charter version it signed (a collected signature).
    pub signed_version: Option<String>,
    /// Its registered ed25519 public key (base64).
    pub public_key: Option<String>,
}

/// Finds one organisation by enterprise number (any spelling) or by name:
/// an exact name (case and accents aside), else a unique part of a name.
pub fn resolve<'a>(members: &'a [Member], id: &str) -> Result<&'a Member, Unresolved> {
    let looks_like_a_number = id.chars().filter(char::is_ascii_digit).count() >= 9
        && id.trim_start_matches(['B', 'E', 'b', 'e']).chars().all(|c| c.is_ascii_digit() || " .-/".contains(c));
    if looks_like_a_number {
        let n = EnterpriseNumber::parse(id).map_err(Unresolved::Invalid)?;
        return members
            .iter()
            .find(|m| m.organisation.enterprise_number == n)
            .ok_or_else(|| Unresolved::NotFound(format!("no organisation with enterprise number {n} on the roster")));
    }
    let wanted = fold(id);
    if wanted.is_empty() {
        return Err(Unresolved::Invalid(format!("'{id}' is neither an enterprise number nor a name")));
    }
    if let Some(m) = members.iter().find(|m| fold(&m.organisation.name) == wanted) {
        return Ok(m);
    }
    let partial: Vec<&Member> = members.iter().filter(|m| fold(&m.organisation.name).contains(&wanted)).collect();
    match partial.as_slice() {
        [one] => Ok(one),
        [] => Err(Unresolved::NotFound(format!("no organisation named '{id}' on the roster"))),
        many => Err(Unresolved::Invalid(format!(
            "'{id}' matches {} organisations: {}; give the enterprise number",
            many.len(),
            many.iter()
                .take(5)
                .map(|m| format!("{} ({})", m.organisation.name, m.organisation.enterprise_number))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Why [`resolve`] found no organisation: none matches, or the words given
/// cannot name one (a bad number, several names match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    NotFound(String),
    Invalid(String),
}

impl std::fmt::Display for Unresolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unresolved::NotFound(m) | Unresolved::Invalid(m) => f.write_str(m),
        }
    }
}

impl From<Unresolved> for String {
    fn from(u: Unresolved) -> String {
        u.to_string()
    }
}

impl From<Unresolved> for crate::Error {
    fn from(u: Unresolved) -> crate::Error {
        match u {
            Unresolved::NotFound(m) => crate::Error::NotFound(m),
            Unresolved::Invalid(m) => crate::Error::Usage(m),
        }
    }
}

/// Folds a word for lenient matching: lowercase, accents removed, only
/// letters and digits kept ("Numéro d'entreprise" → "numerodentreprise").
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'œ' => {
                out.push('o');
                'e'
            }
            'æ' => {
                out.push('a');
                'e'
            }
            c => c,
        };
        if base.is_ascii_alphanumeric() {
            out.push(base);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Language;

    #[test]
    fn a_size_is_written_in_the_pages_language() {
        assert_eq!(Language::Fr.size(12_000), "12 Ko");
        assert_eq!(Language::Nl.size(12_000), "12 kB");
        assert_eq!(Language::Nl.size(1_468_006), "1,4 MB");
        assert_eq!(Language::Fr.size(20 * 1024 * 1024), "20 Mo");
    }

    use super::*;

    #[test]
    fn fold_removes_accents_case_and_punctuation() {
        assert_eq!(fold("Numéro d'entreprise"), "numerodentreprise");
        assert_eq!(fold("E-mail"), "email");
        assert_eq!(fold("Représentant"), "representant");
        assert_eq!(fold("Œuvre"), "oeuvre");
    }

    #[test]
    fn statuses_and_languages_in_three_languages() {
        assert_eq!(Status::from_roster("Membre"), Some(Status::Member));
        assert_eq!(Status::from_roster("LID"), Some(Status::Member));
        assert_eq!(Status::from_roster("membre associé"), Some(Status::Associate));
        assert_eq!(Status::from_roster("friend"), None);
        for (written, status) in [
            ("participant", Status::Participant),
            ("deelnemer", Status::Participant),
            ("partenaire", Status::Partner),
            ("associé", Status::Associate),
            ("geassocieerd lid", Status::Associate),
            ("ancien", Status::Former),
            ("voormalig", Status::Former),
            ("voormalig lid", Status::Former),
        ] {
            assert_eq!(Status::from_roster(written), Some(status), "{written}");
        }
        let e = "vriend".parse::<Status>().unwrap_err();
        assert!(e.contains("membre") && e.contains("lid") && e.contains("member"), "{e}");
        assert_eq!(Language::from_roster("Néerlandais"), Some(Language::Nl));
        assert_eq!(Language::from_roster("FR"), Some(Language::Fr));
        assert_eq!(Language::from_roster("de"), None);
    }
}
