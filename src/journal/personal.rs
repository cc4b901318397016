//! Personal data that may have to be erased (DESIGN.md "Personal data";
//! docs/journal.md, "Personal data"). The journal is append-only and
//! hash-chained, so such a datum (a recipient's email address, a signer's
//! IP address or user agent) never enters it: an event holds a salted
//! [`Commitment`] to the value instead, and the value sits in a table beside
//! the journal (the store's `personal`), which `charte erase` can clear
//! without touching the chain.
//!
//! A commitment is `sha256:` followed by the lowercase hex of
//! `sha256("charte-personal/1\n" || salt || "\n" || value)`, the salt being
//! 16 random bytes and the value its UTF-8 bytes: anyone holding the value
//! and its salt can check it against the journal, and without the salt
//! (erased with the value) a commitment cannot be tested against a guess.
//!
//! Each use of a value gets its own salt and commitment
//! ([`crate::journal::Tx::personal`]): two entries about the same person
//! cannot be linked through their commitments, and storing a value never
//! reads the table. Erasing a value clears every row that holds it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// What a commitment's hash starts with (docs/journal.md).
pub const DOMAIN: &[u8] = b"charte-personal/1\n";

/// The text before a commitment's hex digest.
pub const PREFIX: &str = "sha256:";

/// The length of a salt, in bytes.
pub const SALT_LEN: usize = 16;

/// What kind of personal datum a value is: how it is compared with what
/// a person asking for its erasure writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An email address (a message's recipient, a mail's sender).
    Email,
    /// The IP address a web signature came from.
    IpAddress,
    /// The browser's user agent of a web signature.
    UserAgent,
    /// The name of the system user who ran a command (`charte users`).
    Login,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Email, Kind::IpAddress, Kind::UserAgent, Kind::Login];

    /// The text the `personal` table holds.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::IpAddress => "ip-address",
            Kind::UserAgent => "user-agent",
            Kind::Login => "login",
        }
    }

    /// `n` of them, in words for a coordinator ("2 email addresses").
    pub fn counted(self, n: u64) -> String {
        let (one, many) = match self {
            Kind::Email => ("email address", "email addresses"),
            Kind::IpAddress => ("IP address", "IP addresses"),
            Kind::UserAgent => ("user agent", "user agents"),
            Kind::Login => ("system user name", "system user names"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }

    /// Whether `held` (a value of this kind) is what `subject` names: an
    /// email address ignoring case, an IP address in any of its spellings
    /// (`::ffff:192.0.2.1` is `192.0.2.1`), a user agent or a login exactly.
    pub fn matches(self, held: &str, subject: &str) -> bool {
        let (held, subject) = (held.trim(), subject.trim());
        match self {
            // (The common case, ASCII, compared without a copy: an erasure
            // compares every value held.)
            Kind::Email if held.is_ascii() && subject.is_ascii() => held.eq_ignore_ascii_case(subject),
            Kind::Email => held.to_lowercase() == subject.to_lowercase(),
            Kind::IpAddress => match (held.parse::<std::net::IpAddr>(), subject.parse::<std::net::IpAddr>()) {
                (Ok(a), Ok(b)) => a.to_canonical() == b.to_canonical(),
                _ => held == subject,
            },
            Kind::UserAgent | Kind::Login => held == subject,
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Kind, String> {
        Kind::ALL.into_iter().find(|k| k.code() == s).ok_or_else(|| {
            format!("'{s}' is not a kind of personal datum (expected email, ip-address, user-agent or login)")
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A salted commitment to a personal value: `sha256:<64 lowercase hex>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Commitment(String);

impl Commitment {
    /// The commitment to `value` under `salt` (see the module doc).
    pub fn of(salt: &[u8], value: &str) -> Commitment {
        let mut h = Sha256::new();
        h.update(DOMAIN);
        h.update(salt);
        h.update(b"\n");
        h.update(value.as_bytes());
        Commitment(format!("{PREFIX}{}", hex::encode(h.finalize())))
    }

    /// `s` if it is a commitment's text.
    pub fn parse(s: &str) -> Option<Commitment> {
        let hex = s.strip_prefix(PREFIX)?;
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
            .then(|| Commitment(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its first hex digits, enough to tell it apart in a message.
    pub fn short(&self) -> &str {
        &self.0[..PREFIX.len() + 12]
    }

    /// Whether `value` under `salt` gives this commitment.
    pub fn holds(&self, salt: &[u8], value: &str) -> bool {
        salt.len() == SALT_LEN && Commitment::of(salt, value) == *self
    }
}

impl fmt::Display for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Commitment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Commitment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Commitment, D::Error> {
        let s = String::deserialize(d)?;
        Commitment::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not a commitment")))
    }
}

/// A personal datum as an event holds it: a commitment, or, in an entry
/// written before charte kept personal data beside the journal (schema
/// version 15), the value itself, which stays in the chain for good.
/// Written as one JSON string either way; an email address, an IP address
/// or a user agent never reads as a commitment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Personal {
    Committed(Commitment),
    /// An older entry's value, in the clear.
    Plain(String),
}

impl Personal {
    /// The text the event (and the projection) holds.
    pub fn as_str(&self) -> &str {
        match self {
            Personal::Committed(c) => c.as_str(),
            Personal::Plain(v) => v,
        }
    }

    /// What the text of an event or a projection holds.
    pub fn read(text: &str) -> Personal {
        Commitment::parse(text).map_or_else(|| Personal::Plain(text.to_owned()), Personal::Committed)
    }
}

impl From<Commitment> for Personal {
    fn from(c: Commitment) -> Personal {
        Personal::Committed(c)
    }
}

impl Serialize for Personal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Personal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Personal, D::Error> {
        Ok(Personal::read(&String::deserialize(d)?))
    }
}

/// `text` (a mail server's refusal, which often quotes the recipient)
/// with each of `values` replaced by `[address]`, ignoring case, so that
/// the journal never holds them in the clear.
pub fn redact(text: &str, values: &[&str]) -> String {
    let mut out = text.to_owned();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        out = replace_ignoring_case(&out, value, "[address]");
    }
    out
}

/// Every occurrence of `needle` in `hay`, compared ignoring ASCII case,
/// replaced by `with`.
fn replace_ignoring_case(hay: &str, needle: &str, with: &str) -> String {
    let (lower_hay, lower_needle) = (hay.to_ascii_lowercase(), needle.to_ascii_lowercase());
    let mut out = String::with_capacity(hay.len());
    let mut from = 0;
    // ASCII lowercasing keeps every byte offset, so the offsets found in
    // the lowercased text are the original's.
    while let Some(i) = lower_hay[from..].find(&lower_needle) {
        out.push_str(&hay[from..from + i]);
        out.push_str(with);
        from += i + needle.len();
    }
    out.push_str(&hay[from..]);
    out
}

/// Whether `payload` (an entry's JSON) holds `subject`, ignoring ASCII
/// case, as a whole value: not inside a longer address
/// (`marie@example.be` is not in `annemarie@example.be`).
pub fn mentions(payload: &str, subject: &str) -> bool {
    let subject = subject.trim().to_ascii_lowercase();
    if subject.is_empty() {
        return false;
    }
    let payload = payload.to_ascii_lowercase();
    let part_of_address = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "._%+-@".contains(c));
    let mut from = 0;
    while let Some(i) = payload[from..].find(&subject) {
        let start = from + i;
        let end = start + subject.len();
        if !part_of_address(payload[..start].chars().next_back()) && !part_of_address(payload[end..].chars().next()) {
            return true;
        }
        from = start + 1;
        while !payload.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commitment_is_the_documented_hash_and_checks_only_with_its_salt() {
        let salt = [7u8; SALT_LEN];
        let c = Commitment::of(&salt, "marie@lepont.example.be");
        // docs/journal.md: sha256("charte-personal/1\n" || salt || "\n" || value).
        let mut data = b"charte-personal/1\n".to_vec();
        data.extend_from_slice(&salt);
        data.push(b'\n');
        data.extend_from_slice(b"marie@lepont.example.be");
        assert_eq!(c.as_str(), format!("sha256:{}", hex::encode(Sha256::digest(&data))));
        assert!(c.holds(&salt, "marie@lepont.example.be"));
        assert!(!c.holds(&salt, "Marie@lepont.example.be"), "the value as stored, byte for byte");
        assert!(!c.holds(&[8u8; SALT_LEN], "marie@lepont.example.be"));
        assert!(!c.holds(&salt[..15], "marie@lepont.example.be"), "a salt of another length");
        assert_eq!(Commitment::parse(c.as_str()), Some(c.clone()));
    }

    #[test]
    fn only_a_commitment_reads_as_one() {
        for text in [
            "marie@lepont.example.be",
            "sha256:",
            "sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
            "sha256:abc",
            "192.0.2.1",
        ] {
            assert_eq!(Personal::read(text), Personal::Plain(text.to_owned()), "{text}");
        }
        let c = Commitment::of(&[1; SALT_LEN], "x");
        assert_eq!(Personal::read(c.as_str()), Personal::Committed(c.clone()));
        let json = serde_json::to_string(&Personal::from(c.clone())).expect("encodes");
        assert_eq!(json, format!("\"{c}\""));
        assert_eq!(serde_json::from_str::<Personal>("\"a@b.be\"").expect("reads"), Personal::Plain("a@b.be".into()));
        assert!(serde_json::from_str::<Commitment>("\"a@b.be\"").is_err());
    }

    #[test]
    fn each_kind_compares_as_its_values_are_written() {
        assert!(Kind::Email.matches("Marie@LePont.example.be", " marie@lepont.example.be "));
        assert!(!Kind::Email.matches("marie@lepont.example.be", "annemarie@lepont.example.be"));
        assert!(Kind::IpAddress.matches("::ffff:192.0.2.1", "192.0.2.1"));
        assert!(Kind::IpAddress.matches("2001:db8::1", "2001:0DB8:0:0::1"));
        assert!(!Kind::IpAddress.matches("192.0.2.1", "192.0.2.10"));
        assert!(Kind::UserAgent.matches("Mozilla/5.0 (X11)", "Mozilla/5.0 (X11)"));
        assert!(!Kind::UserAgent.matches("Mozilla/5.0 (X11)", "mozilla/5.0 (x11)"));
        for k in Kind::ALL {
            assert_eq!(k.code().parse::<Kind>(), Ok(k));
        }
    }

    #[test]
    fn a_server_refusal_loses_the_address_it_quotes() {
        let reason = "RCPT TO: 550 5.1.1 <Bounce-Gone@fermee.example.be>: recipient address rejected";
        assert_eq!(
            redact(reason, &["bounce-gone@fermee.example.be"]),
            "RCPT TO: 550 5.1.1 <[address]>: recipient address rejected"
        );
        assert_eq!(redact("550 no such user", &["a@b.be", ""]), "550 no such user");
    }

    #[test]
    fn a_payload_mentions_a_whole_address_only() {
        let payload = r#"{"type":"message-intended","address":"Marie@lepont.example.be"}"#;
        assert!(mentions(payload, "marie@lepont.example.be"));
        assert!(!mentions(payload, "rie@lepont.example.be"));
        assert!(!mentions(payload, "marie@lepont.example"));
        assert!(mentions("550 <marie@lepont.example.be>: unknown", "marie@lepont.example.be"));
        assert!(!mentions(payload, " "));
    }
}
