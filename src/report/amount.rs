//! Amounts in euros as Belgian and English spreadsheets write them, read
//! into integer cents, strictly: a figure that could be read two ways is
//! refused, never guessed (a sealed report certifies its figures, so a
//! misread amount would be certified too).
//!
//! Accepted (each also with "€" or "EUR" before or after, with or without a
//! space):
//!
//! | written | read as |
//! |---|---|
//! | `1350`, `1350,00`, `1350.00`, `1350,5` | 1 350,00 € / 1 350,50 € |
//! | `1.350,00`, `1 350,00` (space, no-break or narrow no-break space) | 1 350,00 € |
//! | `1,350.00`, `1 350.00` | 1 350,00 € |
//! | `1.350.000`, `1 350` | whole euros grouped by three |
//! | `1,35`, `0,05` | 1,35 € / 0,05 € |
//!
//! Refused, with the reason: more than two decimals (`12.3456`, `0.001`,
//! `1350.000`); a single `.` or `,` followed by three digits (`1,350`,
//! `1.350`: thousands or decimals?); groups that are not of three digits
//! (`1.2.3`, `12.34.567`); mixed group separators; a leading or trailing
//! separator; anything else than digits and separators.
//!
//! Negative amounts are refused too: an expense line is a cost with its
//! supporting document; a refund or a credit note lowers the line it
//! corrects. A negative line would let a total shrink with no document to
//! show for it, and the funder reads the lines, not only the total.
//!
//! Invariant: `parse` and `format` agree: `parse(&format(c)) == Ok(c)` for
//! every amount from 0 up to [`MAX_CENTS`].

/// The largest amount read: a thousand million euros, far above any
/// coordination's budget, and far below where cents overflow an `i64`.
pub const MAX_CENTS: i64 = 100_000_000_000;

/// Characters written between groups of three digits besides `.` and `,`:
/// a space, a no-break space (what Excel writes in French) and a narrow
/// no-break space (LibreOffice, and French typography).
const SPACES: [char; 3] = [' ', '\u{a0}', '\u{202f}'];

fn is_separator(c: char) -> bool {
    c == '.' || c == ',' || SPACES.contains(&c)
}

/// Why a cell is not an amount (`shown`: the cell, trimmed): the command
/// line's English ([`std::fmt::Display`]) and the desk's French and Dutch
/// ([`AmountError::say`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    Negative {
        shown: String,
    },
    NotAnAmount {
        shown: String,
    },
    /// "1,350": `a` thousands and `b`, or `a` with three decimals?
    Ambiguous {
        shown: String,
        a: String,
        b: String,
    },
    TooManyDecimals {
        shown: String,
    },
    /// Digits not grouped by three.
    Grouping {
        shown: String,
    },
    TooLarge {
        shown: String,
    },
}

impl std::fmt::Display for AmountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AmountError::Empty => f.write_str("the amount is empty"),
            AmountError::Negative { shown } => write!(
                f,
                "'{shown}' is negative: a refund or a credit note is recorded by lowering the line it corrects, \
                 not as a negative line"
            ),
            AmountError::NotAnAmount { shown } => {
                write!(f, "'{shown}' is not an amount in euros (e.g. 1350,00 or 1.350,00)")
            }
            AmountError::Ambiguous { shown, a, b } => write!(
                f,
                "'{shown}' is ambiguous: {a}{b} euros, or {a} with three decimals? Write {a}{b},00 or {a}.{b},00 for \
                 {a}{b} euros (an amount has at most two decimals, e.g. {a},{})",
                &b[..2]
            ),
            AmountError::TooManyDecimals { shown } => {
                write!(f, "'{shown}' has more than two decimals: amounts are in euros and cents")
            }
            AmountError::Grouping { shown } => write!(
                f,
                "'{shown}' is not an amount in euros: digits are grouped by three (e.g. 1.350,00 or 1 350,00)"
            ),
            AmountError::TooLarge { shown } => write!(f, "'{shown}' is too large for an expense"),
        }
    }
}

impl AmountError {
    /// The sentence in French or Dutch, for a social worker.
    pub fn say(&self, lang: crate::roster::Language) -> String {
        use crate::roster::Language::{Fr, Nl};
        match (self, lang) {
            (AmountError::Empty, Fr) => "le montant est vide".into(),
            (AmountError::Empty, Nl) => "het bedrag is leeg".into(),
            (AmountError::Negative { shown }, Fr) => format!(
                "« {shown} » est négatif : un remboursement ou une note de crédit s'enregistre en diminuant la ligne \
                 qu'il corrige, pas par une ligne négative"
            ),
            (AmountError::Negative { shown }, Nl) => format!(
                "“{shown}” is negatief: een terugbetaling of creditnota wordt geregistreerd door de regel die ze \
                 verbetert te verlagen, niet als negatieve regel"
            ),
            (AmountError::NotAnAmount { shown }, Fr) => {
                format!("« {shown} » n'est pas un montant en euros (par exemple 1350,00 ou 1.350,00)")
            }
            (AmountError::NotAnAmount { shown }, Nl) => {
                format!("“{shown}” is geen bedrag in euro (bijvoorbeeld 1350,00 of 1.350,00)")
            }
            (AmountError::Ambiguous { shown, a, b }, Fr) => format!(
                "« {shown} » se lit de deux façons : {a}{b} euros, ou {a} euros avec trois décimales ? Écrivez \
                 {a}{b},00 ou {a}.{b},00 pour {a}{b} euros (un montant a deux décimales au plus, par exemple {a},{})",
                &b[..2]
            ),
            (AmountError::Ambiguous { shown, a, b }, Nl) => format!(
                "“{shown}” kan op twee manieren gelezen worden: {a}{b} euro, of {a} euro met drie decimalen? Schrijf \
                 {a}{b},00 of {a}.{b},00 voor {a}{b} euro (een bedrag heeft hoogstens twee decimalen, bijvoorbeeld \
                 {a},{})",
                &b[..2]
            ),
            (AmountError::TooManyDecimals { shown }, Fr) => {
                format!("« {shown} » a plus de deux décimales : les montants sont en euros et en cents")
            }
            (AmountError::TooManyDecimals { shown }, Nl) => {
                format!("“{shown}” heeft meer dan twee decimalen: bedragen zijn in euro en cent")
            }
            (AmountError::Grouping { shown }, Fr) => format!(
                "« {shown} » n'est pas un montant en euros : les chiffres se groupent par trois (par exemple 1.350,00 \
                 ou 1 350,00)"
            ),
            (AmountError::Grouping { shown }, Nl) => format!(
                "“{shown}” is geen bedrag in euro: de cijfers worden per drie gegroepeerd (bijvoorbeeld 1.350,00 of \
                 1 350,00)"
            ),
            (AmountError::TooLarge { shown }, Fr) => format!("« {shown} » est trop élevé pour une dépense"),
            (AmountError::TooLarge { shown }, Nl) => format!("“{shown}” is te hoog voor een uitgave"),
        }
    }
}

/// Reads `written` into cents, or says in plain words why it cannot.
pub fn parse(written: &str) -> Result<i64, AmountError> {
    let shown = trim_spaces(written);
    let body = strip_currency(shown);
    if body.is_empty() {
        return Err(AmountError::Empty);
    }
    if body.starts_with(['-', '\u{2212}']) || (body.starts_with('(') && body.ends_with(')')) {
        return Err(AmountError::Negative { shown: shown.to_owned() });
    }
    let not_an_amount = || AmountError::NotAnAmount { shown: shown.to_owned() };
    if !body.chars().all(|c| c.is_ascii_digit() || is_separator(c)) {
        return Err(not_an_amount());
    }
    // Digit groups and the separator before each group but the first.
    let mut groups: Vec<&str> = Vec::new();
    let mut separators: Vec<char> = Vec::new();
    let mut start = 0;
    for (i, c) in body.char_indices() {
        if is_separator(c) {
            if i == start {
                // Two separators in a row, or one at the start.
                return Err(not_an_amount());
            }
            groups.push(&body[start..i]);
            separators.push(c);
            start = i + c.len_utf8();
        }
    }
    if start == body.len() {
        // A separator at the end: "1350," or "1.350.".
        return Err(not_an_amount());
    }
    groups.push(&body[start..]);

    let (whole, decimals): (&[&str], &str) = match separators.last() {
        None => (&groups, ""),
        Some(&last) => {
            let last_group = groups.last().copied().unwrap_or_default();
            let grouping = &separators[..separators.len() - 1];
            let decimal_candidate = (last == '.' || last == ',') && grouping.iter().all(|s| *s != last);
            if !decimal_candidate {
                // Every separator groups thousands: "1.350.000", "1 350".
                (&groups, "")
            } else if last_group.len() <= 2 {
                (&groups[..groups.len() - 1], last_group)
            } else if grouping.is_empty()
                && last_group.len() == 3
                && groups[0].len() <= 3
                && !groups[0].starts_with('0')
            {
                // "1,350" or "1.350": a thousands group, or three decimals?
                let (a, b) = (groups[0].to_owned(), last_group.to_owned());
                return Err(AmountError::Ambiguous { shown: shown.to_owned(), a, b });
            } else {
                return Err(AmountError::TooManyDecimals { shown: shown.to_owned() });
            }
        }
    };
    let grouping = &separators[..whole.len() - 1];
    check_grouping(whole, grouping).map_err(|()| AmountError::Grouping { shown: shown.to_owned() })?;
    let digits: String = whole.concat();
    let too_large = || AmountError::TooLarge { shown: shown.to_owned() };
    let euros: i64 = digits.parse().map_err(|_| too_large())?;
    let cents: i64 = match decimals.len() {
        0 => 0,
        1 => i64::from(decimals.as_bytes()[0] - b'0') * 10,
        _ => i64::from(decimals.as_bytes()[0] - b'0') * 10 + i64::from(decimals.as_bytes()[1] - b'0'),
    };
    euros.checked_mul(100).and_then(|e| e.checked_add(cents)).filter(|c| *c <= MAX_CENTS).ok_or_else(too_large)
}

/// The integer part: one group of digits, or groups of three after a first
/// group of one to three digits (not starting with 0), all separated by the
/// same character.
fn check_grouping(whole: &[&str], separators: &[char]) -> Result<(), ()> {
    let [first, rest @ ..] = whole else { return Err(()) };
    if rest.is_empty() {
        return Ok(());
    }
    let one_separator = separators.windows(2).all(|w| w[0] == w[1]);
    let ok =
        one_separator && (1..=3).contains(&first.len()) && !first.starts_with('0') && rest.iter().all(|g| g.len() == 3);
    if ok { Ok(()) } else { Err(()) }
}

fn trim_spaces(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || SPACES.contains(&c))
}

/// The amount without one currency mark before or after it ("€", or "EUR"
/// in any case).
fn strip_currency(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix('€') {
        return trim_spaces(rest);
    }
    if let Some(rest) = s.strip_suffix('€') {
        return trim_spaces(rest);
    }
    if s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("eur")) {
        return trim_spaces(&s[3..]);
    }
    if s.len() >= 3 && s.get(s.len() - 3..).is_some_and(|p| p.eq_ignore_ascii_case("eur")) {
        return trim_spaces(&s[..s.len() - 3]);
    }
    s
}

/// Cents as euros in a JSON number (1350.0 for 135000): the value the
/// existing float keys have always carried.
pub fn euros(cents: i64) -> f64 {
    // Exact for every amount up to MAX_CENTS: both are below 2^53.
    cents as f64 / 100.0
}

/// Cents written the Belgian way, as the reports print them: "1 350,00"
/// (narrow no-break spaces between groups), "−12,50" when negative.
pub fn format(cents: i64) -> String {
    let sign = if cents < 0 { "\u{2212}" } else { "" };
    let abs = cents.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02}", abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_spreadsheets_write_is_read_exactly() {
        let accepted: &[(&str, i64)] = &[
            ("1350", 135_000),
            ("1350,00", 135_000),
            ("1350.00", 135_000),
            ("1.350,00", 135_000),
            ("1,350.00", 135_000),
            ("1 350,00", 135_000),
            ("1\u{a0}350,00", 135_000),
            ("1\u{202f}350,00", 135_000),
            ("1 350.00", 135_000),
            ("1 350", 135_000),
            ("1.350.000", 135_000_000),
            ("1,350,000", 135_000_000),
            ("1.350.000,25", 135_000_025),
            ("1,35", 135),
            ("1.35", 135),
            ("0,05", 5),
            ("0.5", 50),
            ("1350,5", 135_050),
            ("12,30", 1_230),
            ("0", 0),
            ("€1350", 135_000),
            ("€ 1.350,00", 135_000),
            ("1.350,00 €", 135_000),
            ("1.350,00\u{a0}€", 135_000),
            ("1350 EUR", 135_000),
            ("EUR 1350,00", 135_000),
            ("  412.30  ", 41_230),
            ("999.999.999,99", 99_999_999_999),
        ];
        for (written, cents) in accepted {
            assert_eq!(parse(written), Ok(*cents), "{written:?}");
        }
    }

    #[test]
    fn what_could_be_misread_is_refused_with_the_reason() {
        let refused: &[(&str, &str)] = &[
            ("1350.000", "more than two decimals"),
            ("12.3456", "more than two decimals"),
            ("0.001", "more than two decimals"),
            ("1,2345", "more than two decimals"),
            ("1.350,000", "more than two decimals"),
            ("1.2.3", "grouped by three"),
            ("12.34.567", "grouped by three"),
            ("1.350 000,00", "grouped by three"),
            ("1,350", "ambiguous"),
            ("1.350", "ambiguous"),
            ("12.500", "ambiguous"),
            ("0.350.000", "grouped by three"),
            ("1.350.00", "grouped by three"),
            ("1,350,00", "grouped by three"),
            ("-12.00", "negative"),
            ("\u{2212}12,00", "negative"),
            ("(12,00)", "negative"),
            ("-", "negative"),
            ("", "empty"),
            ("€", "empty"),
            ("douze", "not an amount"),
            ("12,00 $", "not an amount"),
            ("1e3", "not an amount"),
            ("NaN", "not an amount"),
            (",50", "not an amount"),
            ("50,", "not an amount"),
            ("1..350", "not an amount"),
            ("+12", "not an amount"),
            ("€12€", "not an amount"),
            ("1000000000000", "too large"),
            ("99999999999999999999999", "too large"),
        ];
        for (written, reason) in refused {
            let got = parse(written);
            assert!(
                got.as_ref().is_err_and(|e| e.to_string().contains(reason)),
                "{written:?}: {got:?} (expected {reason:?})"
            );
        }
    }

    #[test]
    fn an_ambiguous_amount_says_how_to_write_it() {
        let e = parse("1,350").unwrap_err().to_string();
        assert!(e.contains("1350,00") && e.contains("1.350,00") && e.contains("1,35"), "{e}");
        let fr = parse("1,350").unwrap_err().say(crate::roster::Language::Fr);
        assert!(fr.contains("1350,00") && fr.contains("se lit de deux façons"), "{fr}");
    }

    #[test]
    fn formatting_reads_back_to_the_same_cents() {
        for cents in [0, 5, 99, 100, 135_000, 100_000_000, 123_456_789, MAX_CENTS] {
            assert_eq!(parse(&format(cents)), Ok(cents), "{}", format(cents));
        }
        assert_eq!(format(135_000), "1\u{202f}350,00");
        assert_eq!(format(-1_250), "\u{2212}12,50");
        assert_eq!(euros(135_000), 1350.0);
    }
}
