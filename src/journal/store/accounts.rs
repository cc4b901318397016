//! Accounts of the web application (migration 0017): the `accounts`
//! projection read, and the two tables beside the journal, `passwords`
//! and `sessions`, read and written (crate::accounts says what they keep).

use rusqlite::{OptionalExtension, params};

use super::personal::resolved;
use super::reads::rows;
use super::{Store, Tx};
use crate::accounts::Role;
use crate::error::Result;

/// One account that can sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account-added entry's sequence number.
    pub id: i64,
    /// The address; None once erased (`charte erase`): such an account
    /// can no longer sign in.
    pub email: Option<String>,
    pub role: Role,
    /// The day it was added (YYYY-MM-DD).
    pub added: String,
}

/// A session as kept: whose, its forms' token, its times (unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub account: i64,
    pub csrf: String,
    pub expires: i64,
    pub seen: i64,
}

const ACCOUNTS: &str = "SELECT a.id, {email}, a.role, a.added FROM accounts a \
                        LEFT JOIN personal pa ON pa.commitment = a.email \
                        WHERE a.removed_seq IS NULL ORDER BY a.id";

fn accounts_sql() -> String {
    ACCOUNTS.replace("{email}", &resolved("a.email", "pa"))
}

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    let role: String = r.get(2)?;
    Ok(Account {
        id: r.get(0)?,
        email: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Committee),
        added: r.get(3)?,
    })
}

impl Store {
    /// The accounts that can sign in, oldest first.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        rows(&self.conn, &self.path, &accounts_sql(), [], account_row)
    }

    /// The password hash of account `account`.
    pub fn password_hash(&self, account: i64) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT hash FROM passwords WHERE account = ?1", [account], |r| r.get(0))
            .optional()
            .map_err(self.sql_err())
    }

    /// Keeps a new session (its token's sha256) for `account`. Not a
    /// change of the year: no journal entry, no date check.
    pub fn open_session(&self, token_sha256: &str, account: i64, csrf: &str, now: i64, expires: i64) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO sessions (token_sha256, account, csrf, created, expires, seen) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
                params![token_sha256, account, csrf, now, expires],
            )
            .map(|_| ())
            .map_err(self.sql_err())
    }

    /// The session whose token hashes to `token_sha256`, if its account
    /// still exists.
    pub fn session(&self, token_sha256: &str) -> Result<Option<StoredSession>> {
        self.conn
            .prepare_cached(
                "SELECT s.account, s.csrf, s.expires, s.seen FROM sessions s \
                 JOIN accounts a ON a.id = s.account AND a.removed_seq IS NULL WHERE s.token_sha256 = ?1",
            )
            .and_then(|mut st| {
                st.query_row([token_sha256], |r| {
                    Ok(StoredSession { account: r.get(0)?, csrf: r.get(1)?, expires: r.get(2)?, seen: r.get(3)? })
                })
                .optional()
            })
            .map_err(self.sql_err())
    }

    /// Notes that a session was used at `now`.
    pub fn session_seen(&self, token_sha256: &str, now: i64) -> Result<()> {
        self.conn
            .execute("UPDATE sessions SET seen = ?2 WHERE token_sha256 = ?1", params![token_sha256, now])
            .map(|_| ())
            .map_err(self.sql_err())
    }

    /// Ends a session (signing out, or found expired), and forgets every
    /// session that ended before `now`.
    pub fn close_session(&self, token_sha256: &str, now: i64, idle: i64) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM sessions WHERE token_sha256 = ?1 OR expires < ?2 OR seen < ?2 - ?3",
                params![token_sha256, now, idle],
            )
            .map(|_| ())
            .map_err(self.sql_err())
    }
}

/// Accounts, read and changed under the write lock.
impl Tx<'_> {
    /// The accounts that can sign in, as [`Store::accounts`].
    pub fn accounts(&self) -> Result<Vec<Account>> {
        rows(&self.tx, &self.path, &accounts_sql(), [], account_row)
    }

    /// Keeps the password hash of `account` (a new account's).
    pub fn set_password(&self, account: i64, hash: &str) -> Result<()> {
        self.tx
            .execute("INSERT OR REPLACE INTO passwords (account, hash) VALUES (?1, ?2)", params![account, hash])
            .map(|_| ())
            .map_err(self.sql_err())
    }

    /// Forgets a removed account's password and ends its sessions.
    pub fn forget_account(&self, account: i64) -> Result<()> {
        self.tx.execute("DELETE FROM passwords WHERE account = ?1", [account]).map_err(self.sql_err())?;
        self.tx.execute("DELETE FROM sessions WHERE account = ?1", [account]).map_err(self.sql_err())?;
        Ok(())
    }
}
