//! Signing links (DESIGN.md "The web application"): the personal link an
//! adherence mail carries to the organisation's signing page, and the code
//! that confirms a signature made there.
//!
//! A link is 128 random bits, written base64url without padding in
//! `PUBLIC_URL/s/TOKEN`. Only the sha256 of those 16 bytes is kept (the
//! journal's `link-minted` entry, the `links` table): the token itself
//! lives in the mail alone. A link is bound to one organisation and one
//! document; it opens the page through `valid_until` (`[serve] link_days`
//! after the day it was minted), until it is used, or superseded by a new
//! charter version, or locked by [`MAX_WRONG_CODES`] wrong codes (until
//! the coordinator reopens it).
//!
//! A code is 6 random digits, valid [`CODE_MINUTES`] minutes of wall-clock
//! time; only a salted hash of it is kept, beside the journal and never in
//! it (its hash would give it away in a million tries).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::error::{Error, Result};

/// The random bytes of a link's token: 128 bits.
pub const TOKEN_BYTES: usize = 16;
/// How long a code may be typed after it was mailed.
pub const CODE_MINUTES: i64 = 10;
/// Wrong codes that lock a link, until the coordinator reopens it.
pub const MAX_WRONG_CODES: u32 = 5;
/// The digits of a code.
pub const CODE_DIGITS: usize = 6;

/// What a signing page says of any link that does not open it (used,
/// expired, superseded, locked, or unknown), whichever it is: no hint of
/// which organisations exist.
pub const NEUTRAL: &str = "this signing link is not valid (it may have been used, have expired or have been \
                           replaced); ask the coordination for a new one";

/// Where a link stands, as the journal records it. The code is the text
/// the database holds. (Expiry is a date, not a state: see [`Link::opens`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkState {
    /// It opens the signing page (until its last day).
    Open,
    /// A signature was recorded through it.
    Used,
    /// Locked by wrong codes, until the coordinator reopens it.
    Locked,
    /// Its document belongs to a charter version replaced since.
    Superseded,
}

impl LinkState {
    pub const ALL: [LinkState; 4] = [LinkState::Open, LinkState::Used, LinkState::Locked, LinkState::Superseded];

    pub fn code(self) -> &'static str {
        match self {
            LinkState::Open => "open",
            LinkState::Used => "used",
            LinkState::Locked => "locked",
            LinkState::Superseded => "superseded",
        }
    }
}

impl FromStr for LinkState {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        LinkState::ALL
            .into_iter()
            .find(|l| l.code() == s)
            .ok_or_else(|| format!("'{s}' is not the state of a link (expected open, used, locked or superseded)"))
    }
}

impl fmt::Display for LinkState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A new link, as its `link-minted` entry records it (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLink {
    /// Hex sha256 of the token's 16 bytes.
    pub token_sha256: String,
    /// The organisation's 10 digits.
    pub enterprise_number: String,
    pub document_id: String,
    /// The document's charter version: a new one supersedes the link.
    pub charter_version: String,
    /// The mail that carries it (filled in when the message is addressed).
    pub message_id: String,
    /// The last day it opens the page.
    pub valid_until: NaiveDate,
}

/// A link as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// What the coordinator types (`charte links reopen ID`): the sequence
    /// number of its `link-minted` entry.
    pub id: i64,
    pub token_sha256: String,
    pub enterprise_number: String,
    pub document_id: String,
    pub charter_version: String,
    pub message_id: String,
    pub minted: NaiveDate,
    pub valid_until: NaiveDate,
    pub state: LinkState,
    /// Wrong codes since it was minted or last reopened.
    pub wrong_codes: u32,
    pub codes_sent: u32,
}

impl Link {
    /// Whether it opens the signing page on `day`, `version` being the
    /// charter version in force: open, not past its last day, its document
    /// of that version.
    pub fn opens(&self, day: NaiveDate, version: &str) -> bool {
        self.state == LinkState::Open && day <= self.valid_until && self.charter_version == version
    }

    /// Its state in words on `day`: `expired` for an open link past its
    /// last day.
    pub fn shown_state(&self, day: NaiveDate) -> &'static str {
        if self.state == LinkState::Open && day > self.valid_until { "expired" } else { self.state.code() }
    }
}

/// The settings that make links (`[serve]`): none without `public_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSettings {
    /// `[serve] public_url`, without a trailing '/'.
    pub public_url: String,
    /// `[serve] link_days`.
    pub days: u32,
}

impl LinkSettings {
    /// The settings of `config`, when links are to be made.
    pub fn of(config: &crate::config::Config) -> Option<LinkSettings> {
        let url = config.serve.public_url.as_deref()?;
        Some(LinkSettings { public_url: url.trim_end_matches('/').to_owned(), days: config.serve.link_days })
    }

    /// A new link to `document`, minted on `today`: its token (for the
    /// mail alone), its address, and what the journal records of it.
    pub fn mint(&self, today: NaiveDate, document: &crate::documents::IssuedDocument) -> Result<Minted> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no randomness for a signing link: {e}")))?;
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let valid_until = today
            .checked_add_days(chrono::Days::new(u64::from(self.days)))
            .ok_or_else(|| Error::internal("a link's last day is out of the calendar"))?;
        Ok(Minted {
            url: format!("{}/s/{token}", self.public_url),
            link: NewLink {
                token_sha256: hex::encode(Sha256::digest(bytes)),
                enterprise_number: document.enterprise_number.clone(),
                document_id: document.document_id.clone(),
                charter_version: document.charter_version.clone(),
                message_id: String::new(),
                valid_until,
            },
        })
    }
}

/// A link just made: its address (with the token: for the mail only) and
/// its record.
#[derive(Debug, Clone)]
pub struct Minted {
    pub url: String,
    pub link: NewLink,
}

/// The hex sha256 of a token as a URL carries it, or `None` when it is not
/// one (not 22 base64url characters giving 16 bytes).
pub fn token_sha256(token: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    (bytes.len() == TOKEN_BYTES).then(|| hex::encode(Sha256::digest(&bytes)))
}

/// Whether two hashes (hex) are the same, in time that does not depend on
/// where they differ.
pub fn same_hash(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A new code: [`CODE_DIGITS`] random digits, every value as likely.
pub fn new_code() -> Result<String> {
    // 4 294 000 000 is the largest multiple of a million under 2^32:
    // drawing again above it keeps the digits uniform.
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no randomness for a code: {e}")))?;
        let n = u32::from_le_bytes(bytes);
        if n < 4_294_000_000 {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// A code as typed (spaces allowed: "123 456"), or why it cannot be one.
pub fn typed_code(typed: &str) -> Result<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != CODE_DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::usage(format!("the code is {CODE_DIGITS} digits, as the mail gives it")));
    }
    Ok(code)
}

/// The salted hash of a code, as the store keeps it.
pub fn code_hash(salt: &[u8], code: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"charte-code/1\n");
    h.update(salt);
    h.update(b"\n");
    h.update(code.as_bytes());
    hex::encode(h.finalize())
}

/// An address as a page may show it: its first letter and its domain
/// (`a…@example.be`).
pub fn masked(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> crate::documents::IssuedDocument {
        crate::documents::IssuedDocument {
            document_id: "ADH-1".into(),
            kind: crate::documents::DocumentKind::Adherence,
            enterprise_number: "0203201340".into(),
            charter_version: "2026-01".into(),
            inputs_sha256: String::new(),
            sha256: String::new(),
            sealed_sha256: String::new(),
            length: 0,
            file: "out/adherence/ADH-1.pdf".into(),
            issued: NaiveDate::from_ymd_opt(2026, 1, 5).expect("a date"),
            seq: 0,
        }
    }

    #[test]
    fn a_link_holds_128_random_bits_and_only_their_hash_is_recorded() {
        let settings = LinkSettings { public_url: "https://charte.example.be".into(), days: 60 };
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).expect("a date");
        let a = settings.mint(day, &document()).expect("mints");
        let b = settings.mint(day, &document()).expect("mints");
        let token = a.url.strip_prefix("https://charte.example.be/s/").expect("the page's path");
        assert_eq!(token.len(), 22, "16 bytes, base64url without padding: {token}");
        assert_ne!(a.url, b.url, "each link its own token");
        assert_eq!(token_sha256(token).as_deref(), Some(a.link.token_sha256.as_str()));
        assert!(!serde_json::to_string(&a.link).expect("encodes").contains(token), "never the token itself");
        assert_eq!(a.link.valid_until, NaiveDate::from_ymd_opt(2026, 3, 6).expect("a date"));
        assert_eq!(token_sha256("not-a-token"), None);
        assert_eq!(token_sha256(&format!("{token}AA")), None, "18 bytes are no token");
    }

    #[test]
    fn codes_are_six_digits_and_compared_by_their_salted_hash() {
        for _ in 0..50 {
            let code = new_code().expect("a code");
            assert_eq!(typed_code(&code).expect("reads"), code);
        }
        assert_eq!(typed_code(" 123 456 ").expect("reads"), "123456");
        assert!(typed_code("12345").is_err() && typed_code("12345a").is_err());
        let h = code_hash(b"salt", "123456");
        assert!(same_hash(&h, &code_hash(b"salt", "123456")));
        assert!(!same_hash(&h, &code_hash(b"salt", "123457")));
        assert!(!same_hash(&h, &code_hash(b"other", "123456")));
        assert_eq!(masked("amis@example.be"), "a…@example.be");
    }
}
