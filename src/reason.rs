//! Why a line or a field of an input is refused, or what was changed in
//! it, typed (issue 19): the checks (the tabular reader, the roster's
//! rows, an enterprise number, an email address) produce a [`Reason`]
//! with the data its sentence needs, and the front end chooses the
//! wording: the command line's English ([`fmt::Display`], which tests
//! check word for word) or the desk's French and Dutch ([`Reason::say`]).
//! Each sentence is written once per language, here.

use std::fmt;

use crate::roster::Language;

/// The characters an address may hold before its @, besides letters,
/// digits and dots (RFC 5321's atom without quoting).
pub const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";

/// Why an enterprise number is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    Empty,
    Unexpected { value: String, c: char },
    Digits { value: String, count: usize },
    FirstDigit { value: String },
    NotANumber { value: String },
    Mod97 { value: String, expected: u64 },
}

/// Why an email address is not a plain one a mail server takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressError {
    /// A name, spaces or <> around it.
    NotPlain {
        value: String,
    },
    NoAt {
        value: String,
    },
    QuotedLocal {
        value: String,
    },
    BadLocal {
        value: String,
    },
    IpLiteral {
        value: String,
    },
    BadIdn {
        value: String,
        domain: String,
    },
    BadDomain {
        value: String,
    },
    TooLong {
        value: String,
        max: usize,
    },
}

/// What makes a file UTF-8 when a byte of it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Utf8Mark {
    ByteOrderMark,
    Line(u64),
}

/// Why an action was not done, where no line or field of an input says
/// it: the command line's English ([`fmt::Display`]) and the desk's French
/// and Dutch ([`NotDone::say`]). Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotDone {
    /// A subsidy report asked for without expenses while none are
    /// recorded for its year (and "without expenses" not asked for).
    NoExpenses { year: i32 },
}

impl fmt::Display for NotDone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotDone::NoExpenses { year } => write!(
                f,
                "the subsidy report {year} needs the year's expenses, and none are recorded for {year}: import them \
                 first (charte expenses import FILE.csv), or give --expenses FILE.csv, or --no-expenses to make a \
                 report that says it has none. Nothing was changed."
            ),
        }
    }
}

impl NotDone {
    /// The sentence in French or Dutch, for a social worker.
    pub fn say(&self, lang: Language) -> String {
        match (self, lang) {
            (NotDone::NoExpenses { year }, Language::Fr) => format!(
                "Le rapport de subvention {year} reprend les dépenses de l'année, et aucune n'est enregistrée pour \
                 {year} : importez-les d'abord (page « Activités et dépenses »), ou cochez « Sans dépenses, volontairement » pour faire un \
                 rapport qui dit n'en avoir aucune. Rien n'a été modifié."
            ),
            (NotDone::NoExpenses { year }, Language::Nl) => format!(
                "Het subsidieverslag {year} neemt de uitgaven van het jaar over, en er zijn er geen geregistreerd \
                 voor {year}: importeer ze eerst (pagina ‘Activiteiten en uitgaven’), of vink ‘Zonder uitgaven, met opzet’ aan voor een verslag \
                 dat zegt er geen te hebben. Er werd niets gewijzigd."
            ),
        }
    }
}

/// Why a line or a field is refused, or what was changed in it (a note).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    // --- the file, as the tabular reader reads it
    EmptyFile,
    NoHeader,
    UnreadableHeader {
        why: String,
    },
    UnreadableLine {
        why: String,
    },
    Ragged {
        fields: usize,
        columns: usize,
    },
    /// A control character in a cell; `remove`: said as the reader says it.
    ControlCharacter {
        code: u32,
        remove: bool,
    },
    MixedEncodings {
        byte: u8,
        offset: usize,
        mark: Utf8Mark,
    },
    NeitherEncoding {
        byte: u8,
        offset: usize,
    },
    SameColumn {
        header: String,
        first: String,
        field: String,
    },
    MissingColumn {
        field: String,
        unknown: Vec<String>,
    },
    UnknownColumn {
        header: String,
        known: Vec<String>,
    },
    // --- a roster's rows
    AlreadyOnLine {
        number: String,
        first: u64,
    },
    NoOrganisation,
    NameEmpty,
    EmailEmpty,
    LeadingZeroRestored {
        value: String,
        restored: String,
    },
    Number(NumberError),
    Address(AddressError),
    AsciiForm {
        value: String,
        ascii: String,
    },
    UnknownLanguage {
        value: String,
    },
    UnknownStatus {
        value: String,
    },
    SectorTooLong {
        len: usize,
        max: usize,
    },
    LineBreak,
    /// A form's field changed by someone else since the form was shown:
    /// `now` is its value today.
    ChangedMeanwhile {
        now: String,
    },
    TooLong {
        len: usize,
        max: usize,
    },
    Unprintable {
        c: char,
        at: usize,
    },
    // --- an expense or staff line (crate::report::expenses)
    /// Dated after the day the lines are read: not yet spent.
    NotYetSpent {
        date: chrono::NaiveDate,
        today: chrono::NaiveDate,
    },
    NotInYear {
        date: chrono::NaiveDate,
        year: i32,
    },
    UnknownCategory {
        value: String,
    },
    NoProjectEnvelope,
    NoSupportingDocument,
    DescriptionEmpty,
    NotAnFte {
        value: String,
    },
    StaffLineIncomplete,
    /// An amount that does not read (crate::report::amount).
    Amount(crate::report::amount::AmountError),
    /// A date that does not read (crate::tabular::parse_date).
    NotADate {
        value: String,
    },
    // --- an events file (crate::actions)
    UnknownEventKind {
        value: String,
    },
    TitleEmpty,
    NotParticipants {
        value: String,
    },
    /// The same event (date and title) on an earlier line.
    SameEvent {
        first: u64,
    },
    NoEvent,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::Empty => f.write_str("the enterprise number is empty"),
            NumberError::Unexpected { value, c } => {
                write!(f, "'{value}' is not an enterprise number (unexpected '{c}')")
            }
            NumberError::Digits { value, count } => {
                write!(f, "'{value}' has {count} digits; an enterprise number has 10 (e.g. 0123.456.749)")
            }
            NumberError::FirstDigit { value } => {
                write!(f, "'{value}' is not an enterprise number (the first digit must be 0 or 1)")
            }
            NumberError::NotANumber { value } => write!(f, "'{value}' is not a number"),
            NumberError::Mod97 { value, expected } => write!(
                f,
                "'{value}' fails the mod-97 check (its last two digits should be {expected:02}): a typing error?"
            ),
        }
    }
}

impl NumberError {
    /// The sentence in French or Dutch.
    pub fn say(&self, lang: Language) -> String {
        let fr = lang == Language::Fr;
        match self {
            NumberError::Empty if fr => "le numéro d'entreprise est vide".into(),
            NumberError::Empty => "het ondernemingsnummer is leeg".into(),
            NumberError::Unexpected { value, c } if fr => {
                format!("« {value} » n'est pas un numéro d'entreprise (le caractère « {c} » n'y a pas sa place)")
            }
            NumberError::Unexpected { value, c } => {
                format!("“{value}” is geen ondernemingsnummer (het teken “{c}” hoort er niet in)")
            }
            NumberError::Digits { value, count } if fr => format!(
                "« {value} » compte {count} chiffres ; un numéro d'entreprise en a 10 (par exemple 0123.456.749)"
            ),
            NumberError::Digits { value, count } => {
                format!(
                    "“{value}” telt {count} cijfers; een ondernemingsnummer heeft er 10 (bijvoorbeeld 0123.456.749)"
                )
            }
            NumberError::FirstDigit { value } if fr => {
                format!("« {value} » n'est pas un numéro d'entreprise (un numéro d'entreprise commence par 0 ou 1)")
            }
            NumberError::FirstDigit { value } => {
                format!("“{value}” is geen ondernemingsnummer (een ondernemingsnummer begint met 0 of 1)")
            }
            NumberError::NotANumber { value } if fr => format!("« {value} » n'est pas un nombre"),
            NumberError::NotANumber { value } => format!("“{value}” is geen getal"),
            NumberError::Mod97 { value, expected } if fr => format!(
                "« {value} » n'est pas un numéro d'entreprise valide : ses deux derniers chiffres (le contrôle) \
                 devraient être {expected:02}. Une faute de frappe ?"
            ),
            NumberError::Mod97 { value, expected } => format!(
                "“{value}” is geen geldig ondernemingsnummer: de laatste twee cijfers (de controle) zouden \
                 {expected:02} moeten zijn. Een tikfout?"
            ),
        }
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::NotPlain { value } => write!(
                f,
                "'{value}' is not a plain address: write the address alone (such as info@asbl.be), without a name, \
                 spaces or <>"
            ),
            AddressError::NoAt { value } => write!(f, "'{value}' is not an email address (no @)"),
            AddressError::QuotedLocal { value } => {
                write!(f, "'{value}' has a quoted or doubled local part: write a plain address, such as info@asbl.be")
            }
            AddressError::BadLocal { value } => write!(
                f,
                "'{value}' is not a valid email address: before the @ only ASCII letters, digits, dots (not doubled, \
                 not first or last) and {SPECIALS}, at most 64 characters"
            ),
            AddressError::IpLiteral { value } => {
                write!(f, "'{value}' names an IP address, not a domain: give the address with its domain")
            }
            AddressError::BadIdn { value, domain } => {
                write!(f, "'{domain}' in '{value}' is not a valid domain name")
            }
            AddressError::BadDomain { value } => write!(
                f,
                "'{value}' is not a valid email address: after the @, a domain such as asbl.be (letters, digits, \
                 hyphens and dots)"
            ),
            AddressError::TooLong { value, max } => {
                write!(f, "'{value}' is longer than the {max} characters a mail server takes")
            }
        }
    }
}

impl AddressError {
    /// The sentence in French or Dutch.
    pub fn say(&self, lang: Language) -> String {
        let fr = lang == Language::Fr;
        match self {
            AddressError::NotPlain { value } if fr => format!(
                "« {value} » n'est pas une simple adresse : écrivez l'adresse seule (comme info@asbl.be), sans nom, \
                 sans espace ni <>"
            ),
            AddressError::NotPlain { value } => format!(
                "“{value}” is geen gewoon adres: schrijf alleen het adres (zoals info@vzw.be), zonder naam, spaties \
                 of <>"
            ),
            AddressError::NoAt { value } if fr => {
                format!("« {value} » n'est pas une adresse e-mail (il y manque le @)")
            }
            AddressError::NoAt { value } => format!("“{value}” is geen e-mailadres (de @ ontbreekt)"),
            AddressError::QuotedLocal { value } if fr => format!(
                "« {value} » a des guillemets ou un @ de trop avant le @ : écrivez une adresse simple, comme \
                 info@asbl.be"
            ),
            AddressError::QuotedLocal { value } => format!(
                "“{value}” heeft aanhalingstekens of een @ te veel vóór de @: schrijf een gewoon adres, zoals \
                 info@vzw.be"
            ),
            AddressError::BadLocal { value } if fr => format!(
                "« {value} » n'est pas une adresse e-mail valide : avant le @, seulement des lettres sans accent, des \
                 chiffres, des points (ni doublés, ni au début ni à la fin) et {SPECIALS}, 64 caractères au plus"
            ),
            AddressError::BadLocal { value } => format!(
                "“{value}” is geen geldig e-mailadres: vóór de @ alleen letters zonder accent, cijfers, punten (niet \
                 dubbel, niet vooraan of achteraan) en {SPECIALS}, hoogstens 64 tekens"
            ),
            AddressError::IpLiteral { value } if fr => {
                format!("« {value} » désigne une adresse IP, pas un nom de domaine : donnez l'adresse avec son domaine")
            }
            AddressError::IpLiteral { value } => {
                format!("“{value}” noemt een IP-adres, geen domeinnaam: geef het adres met zijn domein")
            }
            AddressError::BadIdn { value, domain } if fr => {
                format!("« {domain} » n'est pas un nom de domaine valide (dans « {value} »)")
            }
            AddressError::BadIdn { value, domain } => {
                format!("“{domain}” is geen geldige domeinnaam (in “{value}”)")
            }
            AddressError::BadDomain { value } if fr => format!(
                "« {value} » n'est pas une adresse e-mail valide : après le @, un domaine comme asbl.be (lettres, \
                 chiffres, traits d'union et points)"
            ),
            AddressError::BadDomain { value } => format!(
                "“{value}” is geen geldig e-mailadres: na de @ een domein zoals vzw.be (letters, cijfers, \
                 koppeltekens en punten)"
            ),
            AddressError::TooLong { value, max } if fr => {
                format!("« {value} » dépasse les {max} caractères qu'un serveur de courrier accepte")
            }
            AddressError::TooLong { value, max } => {
                format!("“{value}” is langer dan de {max} tekens die een mailserver aanvaardt")
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::EmptyFile => f.write_str("the file is empty: expected a header line, then one line per record"),
            Reason::NoHeader => f.write_str("the file has no header line"),
            Reason::UnreadableHeader { why } => write!(f, "unreadable header: {why}"),
            Reason::UnreadableLine { why } => write!(f, "unreadable line: {why}"),
            Reason::Ragged { fields, columns } => write!(f, "{fields} fields, but the header has {columns} columns"),
            Reason::ControlCharacter { code, remove } => {
                write!(f, "contains the control character U+{code:04X}, which cannot be printed")?;
                if *remove { f.write_str(": remove it") } else { Ok(()) }
            }
            Reason::MixedEncodings { byte, offset, mark } => {
                let why = match mark {
                    Utf8Mark::ByteOrderMark => "the file starts with a UTF-8 byte order mark".to_owned(),
                    Utf8Mark::Line(l) => format!("line {l} holds UTF-8 text"),
                };
                write!(
                    f,
                    "byte 0x{byte:02X} (byte {offset} of the file) is not UTF-8, yet {why}: the file mixes two \
                     encodings; fix that character, or save the file again as \"CSV UTF-8\""
                )
            }
            Reason::NeitherEncoding { byte, offset } => write!(
                f,
                "byte 0x{byte:02X} (byte {offset} of the file) is neither UTF-8 nor Windows-1252: save the file again \
                 as \"CSV UTF-8\""
            ),
            Reason::SameColumn { header, first, field } => {
                write!(f, "'{header}' and '{first}' are the same column ({field})")
            }
            Reason::MissingColumn { field, unknown } => {
                write!(f, "the required column '{field}' is missing")?;
                if unknown.is_empty() { Ok(()) } else { write!(f, " (columns not recognised: {})", unknown.join(", ")) }
            }
            Reason::UnknownColumn { header, known } => write!(
                f,
                "unknown column '{header}' (known columns: {}, or their French/Dutch names)",
                known.join(", ")
            ),
            Reason::AlreadyOnLine { number, first } => {
                write!(f, "{number} is already on line {first} (one line per organisation)")
            }
            Reason::NoOrganisation => f.write_str("the file has a header but no organisation"),
            Reason::NameEmpty => f.write_str("the name is empty"),
            Reason::EmailEmpty => f.write_str("the email address is empty"),
            Reason::LeadingZeroRestored { value, restored } => write!(
                f,
                "{value} has 9 digits: the leading 0 Excel dropped was restored ({restored}, its check digits hold)"
            ),
            Reason::Number(e) => e.fmt(f),
            Reason::Address(e) => e.fmt(f),
            Reason::AsciiForm { value, ascii } => {
                write!(f, "'{value}' is written in its ASCII form, {ascii}, which every mail server takes")
            }
            Reason::UnknownLanguage { value } => write!(f, "'{value}' is not a language (expected fr or nl)"),
            Reason::UnknownStatus { value } => write!(
                f,
                "'{value}' is not a status: expected participant, member, partner, associate or former \
                 (en français : participant, membre, partenaire, associé, ancien; \
                 in het Nederlands: deelnemer, lid, partner, geassocieerd lid, voormalig)"
            ),
            Reason::SectorTooLong { len, max } => write!(f, "a sector is {len} characters long; at most {max}"),
            Reason::LineBreak => f.write_str("a line break or tab inside the value was turned into a space"),
            Reason::ChangedMeanwhile { now } => write!(
                f,
                "this organisation was changed since its page was opened (this field is now '{now}'): look at it \
                 again"
            ),
            Reason::TooLong { len, max } => {
                write!(f, "is {len} characters long; at most {max} fit a document and a mail")
            }
            Reason::Unprintable { c, at } => write!(
                f,
                "the character '{c}' (U+{:04X}, character {at} of the value) cannot be printed by the documents' \
                 fonts: remove or replace it",
                *c as u32
            ),
            Reason::NotYetSpent { date, today } => write!(f, "{date} is after today ({today}): not yet spent"),
            Reason::NotInYear { date, year } => write!(f, "{date} is not in {year}, the year of the report"),
            Reason::UnknownCategory { value } => {
                write!(f, "unknown category '{value}' (expected staff, running or project)")
            }
            Reason::NoProjectEnvelope => f.write_str("this funder has no project envelope: use staff or running"),
            Reason::NoSupportingDocument => f.write_str("every expense needs its supporting document's reference"),
            Reason::DescriptionEmpty => f.write_str("the description is empty"),
            Reason::NotAnFte { value } => write!(f, "'{value}' is not a full-time equivalent (0 < fte ≤ 1)"),
            Reason::StaffLineIncomplete => {
                f.write_str("a staff line names the person and the full-time equivalent (fte)")
            }
            Reason::Amount(e) => e.fmt(f),
            Reason::NotADate { value } => write!(f, "'{value}' is not a date (expected YYYY-MM-DD or DD/MM/YYYY)"),
            Reason::UnknownEventKind { value } => write!(
                f,
                "'{value}' is not a kind of event (expected colloquium, network-day, campaign, bourse or other)"
            ),
            Reason::TitleEmpty => f.write_str("the title is empty"),
            Reason::NotParticipants { value } => {
                write!(f, "'{value}' is not a number of participants (a whole number, 0 or more)")
            }
            Reason::SameEvent { first } => write!(f, "the same event (date and title) is already on line {first}"),
            Reason::NoEvent => f.write_str("the file has a header but no event"),
        }
    }
}

/// A column in words, in quotes: « numéro d'entreprise » / “ondernemingsnummer”
/// for a column of the roster named as charte names it, else as written.
pub fn column(header: &str, lang: Language) -> String {
    if header == crate::tabular::UNNAMED {
        return column_without_title(lang).to_owned();
    }
    let words = crate::roster::field_words(header, lang).unwrap_or(header);
    match lang {
        Language::Fr => format!("« {words} »"),
        Language::Nl => format!("“{words}”"),
    }
}

/// A column without a title, in words.
pub fn column_without_title(lang: Language) -> &'static str {
    match lang {
        Language::Fr => "(une colonne sans titre)",
        Language::Nl => "(een kolom zonder titel)",
    }
}

fn columns(list: &[String], lang: Language) -> String {
    list.iter().map(|c| column(c, lang)).collect::<Vec<_>>().join(", ")
}

impl Reason {
    /// The sentence in French or Dutch, for a social worker.
    pub fn say(&self, lang: Language) -> String {
        let fr = lang == Language::Fr;
        match self {
            Reason::EmptyFile if fr => {
                "le fichier est vide : il faut une ligne de titres de colonnes, puis une ligne par fiche".into()
            }
            Reason::EmptyFile => {
                "het bestand is leeg: eerst een regel met de kolomtitels, dan één regel per fiche".into()
            }
            Reason::NoHeader if fr => "le fichier n'a pas de ligne de titres de colonnes".into(),
            Reason::NoHeader => "het bestand heeft geen regel met kolomtitels".into(),
            Reason::UnreadableHeader { why } if fr => format!("la ligne des titres de colonnes est illisible ({why})"),
            Reason::UnreadableHeader { why } => format!("de regel met kolomtitels is onleesbaar ({why})"),
            Reason::UnreadableLine { why } if fr => format!("la ligne est illisible ({why})"),
            Reason::UnreadableLine { why } => format!("de regel is onleesbaar ({why})"),
            Reason::Ragged { fields, columns } if fr => {
                format!("{fields} cellules, alors que la ligne des titres compte {columns} colonnes")
            }
            Reason::Ragged { fields, columns } => {
                format!("{fields} cellen, terwijl de regel met kolomtitels {columns} kolommen telt")
            }
            Reason::ControlCharacter { code, remove } if fr => format!(
                "contient le caractère de contrôle U+{code:04X}, qui ne peut pas être imprimé{}",
                if *remove { " : supprimez-le" } else { "" }
            ),
            Reason::ControlCharacter { code, remove } => format!(
                "bevat het stuurteken U+{code:04X}, dat niet afgedrukt kan worden{}",
                if *remove { ": verwijder het" } else { "" }
            ),
            Reason::MixedEncodings { byte, offset, mark } if fr => {
                let why = match mark {
                    Utf8Mark::ByteOrderMark => "le fichier commence par la marque UTF-8".to_owned(),
                    Utf8Mark::Line(l) => format!("la ligne {l} contient du texte en UTF-8"),
                };
                format!(
                    "l'octet 0x{byte:02X} (octet n° {offset} du fichier) n'est pas de l'UTF-8, alors que {why} : le \
                     fichier mélange deux encodages. Corrigez ce caractère, ou enregistrez à nouveau le fichier en \
                     « CSV UTF-8 »"
                )
            }
            Reason::MixedEncodings { byte, offset, mark } => {
                let why = match mark {
                    Utf8Mark::ByteOrderMark => "het bestand met de UTF-8-markering begint".to_owned(),
                    Utf8Mark::Line(l) => format!("regel {l} UTF-8-tekst bevat"),
                };
                format!(
                    "byte 0x{byte:02X} (byte nr. {offset} van het bestand) is geen UTF-8, terwijl {why}: het bestand \
                     mengt twee coderingen. Verbeter dat teken, of bewaar het bestand opnieuw als “CSV UTF-8”"
                )
            }
            Reason::NeitherEncoding { byte, offset } if fr => format!(
                "l'octet 0x{byte:02X} (octet n° {offset} du fichier) n'est ni de l'UTF-8 ni du Windows-1252 : \
                 enregistrez à nouveau le fichier en « CSV UTF-8 »"
            ),
            Reason::NeitherEncoding { byte, offset } => format!(
                "byte 0x{byte:02X} (byte nr. {offset} van het bestand) is geen UTF-8 en geen Windows-1252: bewaar \
                 het bestand opnieuw als “CSV UTF-8”"
            ),
            Reason::SameColumn { header, first, field } if fr => format!(
                "« {header} » et « {first} » sont la même colonne ({}) : gardez-en une seule",
                column(field, lang)
            ),
            Reason::SameColumn { header, first, field } => {
                format!("“{header}” en “{first}” zijn dezelfde kolom ({}): behoud er maar één", column(field, lang))
            }
            Reason::MissingColumn { field, unknown } => {
                let mut said = if fr {
                    format!("la colonne obligatoire {} manque", column(field, lang))
                } else {
                    format!("de verplichte kolom {} ontbreekt", column(field, lang))
                };
                if !unknown.is_empty() {
                    let (words, list) = (
                        if fr { "colonnes non reconnues :" } else { "niet herkende kolommen:" },
                        columns(unknown, lang),
                    );
                    said.push_str(&format!(" ({words} {list})"));
                }
                said
            }
            Reason::UnknownColumn { header, known } if fr => format!(
                "colonne inconnue « {header} » (colonnes connues : {}, ou leur nom en français ou en néerlandais)",
                columns(known, lang)
            ),
            Reason::UnknownColumn { header, known } => format!(
                "onbekende kolom “{header}” (bekende kolommen: {}, of hun Franse of Nederlandse naam)",
                columns(known, lang)
            ),
            Reason::AlreadyOnLine { number, first } if fr => {
                format!("{number} figure déjà à la ligne {first} (une seule ligne par organisation)")
            }
            Reason::AlreadyOnLine { number, first } => {
                format!("{number} staat al op regel {first} (één regel per organisatie)")
            }
            Reason::NoOrganisation if fr => {
                "le fichier a une ligne de titres de colonnes, mais aucune organisation".into()
            }
            Reason::NoOrganisation => {
                "het bestand heeft een regel met kolomtitels, maar geen enkele organisatie".into()
            }
            Reason::NameEmpty if fr => "le nom est vide".into(),
            Reason::NameEmpty => "de naam is leeg".into(),
            Reason::EmailEmpty if fr => "l'adresse e-mail est vide".into(),
            Reason::EmailEmpty => "het e-mailadres is leeg".into(),
            Reason::LeadingZeroRestored { value, restored } if fr => format!(
                "{value} n'a que 9 chiffres : le 0 du début, qu'Excel avait supprimé, a été remis ({restored} ; ses \
                 chiffres de contrôle sont corrects)"
            ),
            Reason::LeadingZeroRestored { value, restored } => format!(
                "{value} telt maar 9 cijfers: de 0 vooraan, die Excel had weggelaten, werd teruggezet ({restored}; \
                 de controlecijfers kloppen)"
            ),
            Reason::Number(e) => e.say(lang),
            Reason::Address(e) => e.say(lang),
            Reason::AsciiForm { value, ascii } if fr => format!(
                "« {value} » est enregistrée sous sa forme ASCII, {ascii}, que tout serveur de courrier accepte"
            ),
            Reason::AsciiForm { value, ascii } => {
                format!("“{value}” wordt bewaard in zijn ASCII-vorm, {ascii}, die elke mailserver aanvaardt")
            }
            Reason::UnknownLanguage { value } if fr => {
                format!("« {value} » n'est pas une langue : écrivez fr (français) ou nl (néerlandais)")
            }
            Reason::UnknownLanguage { value } => {
                format!("“{value}” is geen taal: schrijf fr (Frans) of nl (Nederlands)")
            }
            Reason::UnknownStatus { value } if fr => {
                format!("« {value} » n'est pas un statut : écrivez participant, membre, partenaire, associé ou ancien")
            }
            Reason::UnknownStatus { value } => {
                format!("“{value}” is geen statuut: schrijf deelnemer, lid, partner, geassocieerd lid of voormalig")
            }
            Reason::SectorTooLong { len, max } if fr => {
                format!("un secteur compte {len} caractères ; {max} au plus")
            }
            Reason::SectorTooLong { len, max } => format!("een sector telt {len} tekens; hoogstens {max}"),
            Reason::LineBreak if fr => {
                "un retour à la ligne ou une tabulation dans la valeur a été remplacé par une espace".into()
            }
            Reason::LineBreak => "een regeleinde of tab in de waarde werd door een spatie vervangen".into(),
            Reason::ChangedMeanwhile { now } if fr => format!(
                "cette organisation a été modifiée depuis que vous avez ouvert sa page (ce champ vaut maintenant \
                 « {now} ») : regardez-la à nouveau"
            ),
            Reason::ChangedMeanwhile { now } => format!(
                "deze organisatie werd gewijzigd sinds u haar pagina opende (dit veld is nu “{now}”): bekijk ze \
                 opnieuw"
            ),
            Reason::TooLong { len, max } if fr => {
                format!("compte {len} caractères ; {max} au plus tiennent dans un document et un e-mail")
            }
            Reason::TooLong { len, max } => {
                format!("telt {len} tekens; hoogstens {max} passen in een document en een e-mail")
            }
            Reason::Unprintable { c, at } if fr => format!(
                "le caractère « {c} » (U+{:04X}, caractère n° {at} de la valeur) ne peut pas être imprimé avec les \
                 polices des documents : supprimez-le ou remplacez-le",
                *c as u32
            ),
            Reason::Unprintable { c, at } => format!(
                "het teken “{c}” (U+{:04X}, teken nr. {at} van de waarde) kan niet worden afgedrukt met de \
                 lettertypes van de documenten: verwijder of vervang het",
                *c as u32
            ),
            Reason::NotYetSpent { date, today } if fr => format!(
                "le {} est après aujourd'hui ({}) : cette dépense n'est pas encore faite",
                date.format("%d/%m/%Y"),
                today.format("%d/%m/%Y")
            ),
            Reason::NotYetSpent { date, today } => format!(
                "{} valt na vandaag ({}): deze uitgave is nog niet gedaan",
                date.format("%d/%m/%Y"),
                today.format("%d/%m/%Y")
            ),
            Reason::NotInYear { date, year } if fr => {
                format!("le {} n'est pas en {year}, l'année du rapport", date.format("%d/%m/%Y"))
            }
            Reason::NotInYear { date, year } => {
                format!("{} valt niet in {year}, het jaar van het verslag", date.format("%d/%m/%Y"))
            }
            Reason::UnknownCategory { value } if fr => format!(
                "« {value} » n'est pas une catégorie : écrivez personnel, fonctionnement ou projet (staff, running, \
                 project)"
            ),
            Reason::UnknownCategory { value } => {
                format!("“{value}” is geen categorie: schrijf personeel, werking of project (staff, running, project)")
            }
            Reason::NoProjectEnvelope if fr => {
                "ce pouvoir subsidiant n'a pas d'enveloppe « projets » : choisissez personnel ou fonctionnement".into()
            }
            Reason::NoProjectEnvelope => {
                "deze subsidiënt heeft geen enveloppe voor projecten: kies personeel of werking".into()
            }
            Reason::NoSupportingDocument if fr => {
                "chaque dépense a besoin de la référence de sa pièce justificative".into()
            }
            Reason::NoSupportingDocument => "elke uitgave heeft de referentie van haar bewijsstuk nodig".into(),
            Reason::DescriptionEmpty if fr => "l'objet de la dépense est vide".into(),
            Reason::DescriptionEmpty => "de omschrijving van de uitgave is leeg".into(),
            Reason::NotAnFte { value } if fr => {
                format!("« {value} » n'est pas un temps de travail (ETP) : un nombre plus grand que 0, 1 au plus")
            }
            Reason::NotAnFte { value } => {
                format!("“{value}” is geen arbeidstijd (VTE): een getal groter dan 0, hoogstens 1")
            }
            Reason::StaffLineIncomplete if fr => {
                "une ligne de personnel indique le nom du travailleur et son temps de travail (ETP)".into()
            }
            Reason::StaffLineIncomplete => {
                "een personeelsregel vermeldt de naam van de werknemer en zijn arbeidstijd (VTE)".into()
            }
            Reason::Amount(e) => e.say(lang),
            Reason::NotADate { value } if fr => {
                format!("« {value} » n'est pas une date (écrivez-la 30/11/2026 ou 2026-11-30)")
            }
            Reason::NotADate { value } => format!("“{value}” is geen datum (schrijf 30/11/2026 of 2026-11-30)"),
            Reason::UnknownEventKind { value } if fr => format!(
                "« {value} » n'est pas un genre d'événement : écrivez colloque, journée de réseau, campagne, bourse \
                 ou autre"
            ),
            Reason::UnknownEventKind { value } => {
                format!("“{value}” is geen soort evenement: schrijf studiedag, netwerkdag, campagne, beurs of andere")
            }
            Reason::TitleEmpty if fr => "le titre est vide".into(),
            Reason::TitleEmpty => "de titel is leeg".into(),
            Reason::NotParticipants { value } if fr => {
                format!("« {value} » n'est pas un nombre de participants (un nombre entier, 0 ou plus)")
            }
            Reason::NotParticipants { value } => {
                format!("“{value}” is geen aantal deelnemers (een geheel getal, 0 of meer)")
            }
            Reason::SameEvent { first } if fr => {
                format!("le même événement (date et titre) est déjà à la ligne {first}")
            }
            Reason::SameEvent { first } => format!("hetzelfde evenement (datum en titel) staat al op regel {first}"),
            Reason::NoEvent if fr => "le fichier a une ligne de titres mais aucun événement".into(),
            Reason::NoEvent => "het bestand heeft een regel met titels maar geen enkel evenement".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_check_digit_in_three_languages() {
        let r = Reason::Number(NumberError::Mod97 { value: "0241.029.458".into(), expected: 59 });
        assert_eq!(
            r.to_string(),
            "'0241.029.458' fails the mod-97 check (its last two digits should be 59): a typing error?"
        );
        assert_eq!(
            r.say(Language::Fr),
            "« 0241.029.458 » n'est pas un numéro d'entreprise valide : ses deux derniers chiffres (le contrôle) \
             devraient être 59. Une faute de frappe ?"
        );
        assert_eq!(
            r.say(Language::Nl),
            "“0241.029.458” is geen geldig ondernemingsnummer: de laatste twee cijfers (de controle) zouden 59 \
             moeten zijn. Een tikfout?"
        );
    }

    #[test]
    fn a_restored_zero_and_an_address_in_three_languages() {
        let r = Reason::LeadingZeroRestored { value: "205893980".into(), restored: "0205.893.980".into() };
        assert!(r.to_string().starts_with("205893980 has 9 digits: the leading 0 Excel dropped"), "{r}");
        assert!(r.say(Language::Fr).contains("le 0 du début, qu'Excel avait supprimé, a été remis (0205.893.980"));
        assert!(r.say(Language::Nl).contains("de 0 vooraan, die Excel had weggelaten, werd teruggezet"));
        let a = Reason::Address(AddressError::NoAt { value: "info.asbl.be".into() });
        assert_eq!(a.to_string(), "'info.asbl.be' is not an email address (no @)");
        assert_eq!(a.say(Language::Fr), "« info.asbl.be » n'est pas une adresse e-mail (il y manque le @)");
        assert_eq!(a.say(Language::Nl), "“info.asbl.be” is geen e-mailadres (de @ ontbreekt)");
    }

    #[test]
    fn a_missing_column_is_named_in_words() {
        let r = Reason::MissingColumn { field: "enterprise_number".into(), unknown: vec!["BCE-num".into()] };
        assert_eq!(
            r.to_string(),
            "the required column 'enterprise_number' is missing (columns not recognised: BCE-num)"
        );
        assert_eq!(
            r.say(Language::Fr),
            "la colonne obligatoire « numéro d'entreprise » manque (colonnes non reconnues : « BCE-num »)"
        );
        assert_eq!(
            r.say(Language::Nl),
            "de verplichte kolom “ondernemingsnummer” ontbreekt (niet herkende kolommen: “BCE-num”)"
        );
        let r = Reason::MissingColumn { field: "email".into(), unknown: vec![crate::tabular::UNNAMED.into()] };
        assert!(r.to_string().ends_with("(columns not recognised: (a column without a name))"), "{r}");
        assert!(r.say(Language::Fr).ends_with("(colonnes non reconnues : (une colonne sans titre))"));
        assert!(r.say(Language::Nl).starts_with("de verplichte kolom “e-mailadres” ontbreekt"));
        let s = Reason::UnknownLanguage { value: "de".into() };
        assert_eq!(s.say(Language::Fr), "« de » n'est pas une langue : écrivez fr (français) ou nl (néerlandais)");
    }

    #[test]
    fn a_problem_names_its_line_and_column_in_words() {
        use crate::error::Problem;
        let mod97 = || Reason::Number(NumberError::Mod97 { value: "0241.029.458".into(), expected: 59 });
        let p = Problem::because(3, Some("enterprise_number"), mod97());
        assert!(p.to_string().starts_with("line 3, column enterprise_number: '0241.029.458' fails"), "{p}");
        assert!(p.say(Language::Fr).starts_with("ligne 3, colonne « numéro d'entreprise » : « 0241.029.458 »"));
        assert!(p.say(Language::Nl).starts_with("regel 3, kolom “ondernemingsnummer”: “0241.029.458”"));
        // A column as the file names it stays as written.
        let p = Problem::because(4, Some("N° BCE"), mod97());
        assert!(p.say(Language::Fr).starts_with("ligne 4, colonne « N° BCE » : "), "{}", p.say(Language::Fr));
        // A form's field (no line): named in words, unquoted.
        let p = Problem::because(0, Some("representative_email"), Reason::EmailEmpty);
        assert_eq!(p.say(Language::Fr), "adresse e-mail du ou de la représentant·e : l'adresse e-mail est vide");
        assert_eq!(p.say(Language::Nl), "e-mailadres van de vertegenwoordiger: het e-mailadres is leeg");
        // A problem not typed yet keeps its English.
        assert_eq!(Problem::at(2, None, "odd").say(Language::Nl), "regel 2: odd");
    }

    #[test]
    fn a_charter_refusal_in_three_languages() {
        use crate::charter::NotAdopted;
        let on = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let r = NotAdopted::AlreadyAdopted { version: "2026-03".into(), on };
        assert_eq!(r.to_string(), "version 2026-03 was already adopted, on 2026-03-02");
        assert_eq!(r.say(Language::Fr), "la version 2026-03 a déjà été adoptée, le lundi 2 mars 2026");
        assert_eq!(r.say(Language::Nl), "versie 2026-03 werd al aangenomen, op maandag 2 maart 2026");
        let r = NotAdopted::Placeholder { lang: Language::Nl, path: "charter/nl.md".into() };
        assert!(r.to_string().starts_with("charter/nl.md is still the example text"), "{r}");
        assert!(r.say(Language::Fr).starts_with("le texte en néerlandais est encore l'exemple"));
        assert!(r.say(Language::Nl).starts_with("de Nederlandse tekst is nog het voorbeeld"));
    }
}
