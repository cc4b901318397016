//! Belgian enterprise numbers (BCE / KBO): 10 digits, the first 0 or 1, the
//! last two a mod-97 check of the first eight (97 - n mod 97).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::reason::NumberError;

/// A valid enterprise number, kept as its 10 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnterpriseNumber(String);

impl EnterpriseNumber {
    /// Accepts the common spellings: `0123.456.749`, `BE0123456749`,
    /// `BE 0123 456 749`, `0123456749`, `0123-456-749`. The error says what is
    /// wrong in words a coordinator understands.
    pub fn parse(input: &str) -> Result<EnterpriseNumber, String> {
        EnterpriseNumber::check(input).map_err(|e| e.to_string())
    }

    /// As [`EnterpriseNumber::parse`], the refusal typed (said in each
    /// language by [`NumberError`]).
    pub fn check(input: &str) -> Result<EnterpriseNumber, NumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NumberError::Empty);
        }
        let value = || trimmed.to_owned();
        let rest = trimmed
            .strip_prefix("BE")
            .or_else(|| trimmed.strip_prefix("be"))
            .or_else(|| trimmed.strip_prefix("Be"))
            .unwrap_or(trimmed);
        let mut digits = String::with_capacity(10);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '.' | ' ' | '-' | '/' | '\u{a0}' => {}
                _ => return Err(NumberError::Unexpected { value: value(), c }),
            }
        }
        if digits.len() != 10 {
            return Err(NumberError::Digits { value: value(), count: digits.len() });
        }
        if !digits.starts_with(['0', '1']) {
            return Err(NumberError::FirstDigit { value: value() });
        }
        let (body, check) = digits.split_at(8);
        let body: u64 = body.parse().map_err(|_| NumberError::NotANumber { value: value() })?;
        let check: u64 = check.parse().map_err(|_| NumberError::NotANumber { value: value() })?;
        let expected = 97 - body % 97;
        if check != expected {
            return Err(NumberError::Mod97 { value: value(), expected });
        }
        Ok(EnterpriseNumber(digits))
    }

    /// As [`EnterpriseNumber::check`], but also reads a number Excel took
    /// for a number and wrote without its leading 0 (`123456749`): nine
    /// digits alone are given their 0 back when the check digits then
    /// hold. The flag says the 0 was restored, for the import to say so.
    pub fn parse_from_excel(input: &str) -> Result<(EnterpriseNumber, bool), NumberError> {
        let trimmed = input.trim();
        match EnterpriseNumber::check(trimmed) {
            Ok(n) => Ok((n, false)),
            Err(e) if trimmed.len() == 9 && trimmed.bytes().all(|b| b.is_ascii_digit()) => {
                EnterpriseNumber::check(&format!("0{trimmed}")).map(|n| (n, true)).map_err(|_| e)
            }
            Err(e) => Err(e),
        }
    }

    /// The 10 digits, no punctuation (the key in the store).
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The official spelling, `0123.456.749`.
    pub fn formatted(&self) -> String {
        let d = &self.0;
        format!("{}.{}.{}", &d[0..4], &d[4..7], &d[7..10])
    }
}

impl fmt::Display for EnterpriseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

impl Serialize for EnterpriseNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.formatted())
    }
}

impl<'de> Deserialize<'de> for EnterpriseNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EnterpriseNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_spellings() {
        for s in ["0123.456.749", "BE0123456749", "BE 0123 456 749", "0123456749", " 0123-456-749 "] {
            assert_eq!(EnterpriseNumber::parse(s).map(|n| n.formatted()), Ok("0123.456.749".to_owned()), "{s}");
        }
    }

    #[test]
    fn refuses_bad_numbers_with_a_reason() {
        assert!(EnterpriseNumber::parse("0123.456.748").unwrap_err().contains("mod-97"));
        assert!(EnterpriseNumber::parse("123.456.749").unwrap_err().contains("9 digits"));
        assert!(EnterpriseNumber::parse("2123.456.749").unwrap_err().contains("first digit"));
        assert!(EnterpriseNumber::parse("0123.456.7x9").unwrap_err().contains("unexpected 'x'"));
        assert!(EnterpriseNumber::parse("").unwrap_err().contains("empty"));
    }

    #[test]
    fn a_leading_0_dropped_by_excel_is_restored_when_the_check_holds() {
        assert_eq!(
            EnterpriseNumber::parse_from_excel("123456749").map(|(n, r)| (n.formatted(), r)),
            Ok(("0123.456.749".to_owned(), true))
        );
        assert_eq!(EnterpriseNumber::parse_from_excel("0123456749").map(|(_, r)| r), Ok(false));
        assert!(EnterpriseNumber::parse_from_excel("123456748").unwrap_err().to_string().contains("9 digits"));
    }

    #[test]
    fn check_of_a_multiple_of_97_is_97() {
        // 00000097 is 97 * 1: 97 - 0 = 97.
        assert!(EnterpriseNumber::parse("0000009797").is_ok());
    }
}
