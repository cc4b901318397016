//! The codes of signing links waiting to be typed (migration 0016,
//! `link_codes`): read and written under the write lock only. Not derived
//! from the journal, which never holds a code nor its hash (crate::links).

use rusqlite::{OptionalExtension, params};

use super::Tx;
use crate::error::Result;

/// The code mailed for a link, as kept: salted hash, expiry, and the
/// commitment of the address it went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub link: i64,
    pub salt: Vec<u8>,
    /// Hex, crate::links::code_hash.
    pub hash: String,
    /// Unix seconds.
    pub expires: i64,
    /// The address's commitment (`sha256:…`), as the journal holds it.
    pub address: String,
}

impl Tx<'_> {
    /// The code waiting for link `link`, if any.
    pub fn code(&self, link: i64) -> Result<Option<StoredCode>> {
        self.tx
            .prepare_cached("SELECT link, salt, hash, expires, address FROM link_codes WHERE link = ?1")
            .and_then(|mut s| {
                s.query_row([link], |r| {
                    Ok(StoredCode {
                        link: r.get(0)?,
                        salt: r.get(1)?,
                        hash: r.get(2)?,
                        expires: r.get(3)?,
                        address: r.get(4)?,
                    })
                })
                .optional()
            })
            .map_err(self.sql_err())
    }

    /// Keeps `code` for its link, replacing the one mailed before.
    pub fn set_code(&self, code: &StoredCode) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO link_codes (link, salt, hash, expires, address) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| s.execute(params![code.link, code.salt, code.hash, code.expires, code.address]))
            .map(|_| ())
            .map_err(self.sql_err())
    }

    /// Forgets the code of link `link` (typed right, or the link locked).
    pub fn drop_code(&self, link: i64) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM link_codes WHERE link = ?1")
            .and_then(|mut s| s.execute([link]))
            .map(|_| ())
            .map_err(self.sql_err())
    }
}
