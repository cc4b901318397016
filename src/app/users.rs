//! Accounts of the web application and their sessions (`charte users`,
//! `/login`): crate::accounts keeps the rules, here they are journaled.
//! That an account was added or removed, and by whom, is history; its
//! password and its sessions are secrets kept beside the journal.

use super::App;
use crate::accounts::{self, Role};
use crate::error::{Error, Result};
use crate::journal::personal::Kind;
use crate::journal::{Account, Event};

/// A session just opened: the cookie's token (given once, kept nowhere)
/// and the token its forms carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub token: String,
    pub csrf: String,
    pub expires: i64,
}

/// Who a session belongs to, as a request reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub account: i64,
    pub email: String,
    pub role: Role,
    pub csrf: String,
}

/// The account of `accounts` whose address is `email`, compared as
/// addresses are (ignoring case).
pub(super) fn find<'a>(accounts: &'a [Account], email: &str) -> Option<&'a Account> {
    accounts.iter().find(|a| a.email.as_deref().is_some_and(|e| Kind::Email.matches(e, email)))
}

impl App {
    /// Adds an account for `email` with `role` and `password` (checked,
    /// then hashed: never journaled); `by`: who adds it (the system
    /// user running the command). Refused when the address has one.
    pub fn add_user(&mut self, email: &str, role: Role, password: &str, by: &str) -> Result<Account> {
        let email = crate::roster::import::plain_address(email)
            .map_err(|why| Error::usage(format!("'{}' is not an address an account can use: {why}", email.trim())))?;
        accounts::check_password(password)?;
        // Hashed before the write lock is taken: it takes a while, on purpose.
        let hash = accounts::hash_password(password)?;
        self.ws.store.transaction(self.today, |tx| {
            if find(&tx.accounts()?, &email).is_some() {
                return Err(Error::usage(format!(
                    "{email} already has an account: nothing was changed (remove it first to give it another role or \
                     password: charte users remove {email})"
                )));
            }
            let committed = tx.personal(Kind::Email, &email)?;
            let by = tx.personal(Kind::Login, by)?;
            let id =
                tx.append(&Event::AccountAdded { email: committed.into(), role: role.code().into(), by: by.into() })?;
            tx.set_password(id, &hash)?;
            Ok(Account { id, email: Some(email.clone()), role, added: self.today.to_string() })
        })
    }

    /// The accounts that can sign in, oldest first.
    pub fn users(&self) -> Result<Vec<Account>> {
        self.ws.store.accounts()
    }

    /// Removes the account of `email`: it can no longer sign in, its
    /// sessions end now, its password is forgotten.
    pub fn remove_user(&mut self, email: &str, by: &str) -> Result<Account> {
        self.ws.store.transaction(self.today, |tx| {
            let accounts = tx.accounts()?;
            let account = find(&accounts, email)
                .cloned()
                .ok_or_else(|| Error::not_found(format!("no account has the address {}", email.trim())))?;
            let by = tx.personal(Kind::Login, by)?;
            tx.append(&Event::AccountRemoved { account: account.id, by: Some(by.into()) })?;
            tx.forget_account(account.id)?;
            Ok(account)
        })
    }

    /// Signs in: a new session for the account of `email` if `password`
    /// is its own, at `now` (unix seconds, the wall clock). A wrong
    /// password and an unknown address are refused alike, and take as
    /// long (the decoy hash).
    pub fn login(&self, email: &str, password: &str, now: i64) -> Result<Opened> {
        let refused = || Error::refused(crate::error::Kind::Unauthorized, "the address or the password is wrong");
        let accounts = self.ws.store.accounts()?;
        let account = find(&accounts, email);
        let hash = match account {
            Some(a) => self.ws.store.password_hash(a.id)?,
            None => None,
        };
        let matches = accounts::password_matches(password, hash.as_deref().unwrap_or_else(|| accounts::decoy_hash()));
        let account = account.filter(|_| matches && hash.is_some()).ok_or_else(refused)?;
        let opened = Opened {
            token: accounts::random_token()?,
            csrf: accounts::random_token()?,
            expires: now + accounts::SESSION_SECONDS,
        };
        self.ws.store.open_session(
            &accounts::token_hash(&opened.token),
            account.id,
            &opened.csrf,
            now,
            opened.expires,
        )?;
        Ok(opened)
    }
}

/// The account signed in with the session `token`, at `now`; None when
/// the token is unknown, its session ended (signed out, a working day
/// passed, unused too long) or its account was removed.
///
/// Read on the journal's store alone: what a server asks of every
/// request, without opening the rest of the workspace.
pub fn session(store: &crate::journal::Store, token: &str, now: i64) -> Result<Option<SignedIn>> {
    let hash = accounts::token_hash(token);
    let Some(s) = store.session(&hash)? else { return Ok(None) };
    if now > s.expires || now - s.seen > accounts::IDLE_SECONDS {
        // Forgotten when the workspace is free; ended all the same.
        let _ = store.close_session(&hash, now, accounts::IDLE_SECONDS);
        return Ok(None);
    }
    let Some(account) = store.accounts()?.into_iter().find(|a| a.id == s.account) else { return Ok(None) };
    let Some(email) = account.email else { return Ok(None) };
    if now - s.seen >= accounts::SEEN_EVERY {
        // A page is not refused because a long command holds the
        // workspace: its use is noted at the next one.
        let _ = store.session_seen(&hash, now);
    }
    Ok(Some(SignedIn { account: account.id, email, role: account.role, csrf: s.csrf }))
}

impl App {
    /// Signs out: the session of `token` ends (and every ended one is
    /// forgotten).
    pub fn logout(&self, token: &str, now: i64) -> Result<()> {
        self.ws.store.close_session(&accounts::token_hash(token), now, accounts::IDLE_SECONDS)
    }
}
