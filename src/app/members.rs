//! The roster: importing it from the coordinator's spreadsheet, reading
//! it, and registering an organisation's own signing key. The rules of
//! reading a roster file are roster::import's; here they are journaled.

use std::path::Path;

use base64::Engine as _;

use super::App;
use crate::collect::{Adherence, PendingReturn};
use crate::documents::IssuedDocument;
use crate::error::{Error, Result};
use crate::journal::personal::Kind;
use crate::journal::{Entry, Event, RosterEntry, Tx};
use crate::roster::{self, Member, import};

/// One organisation, with all charte knows of it.
#[derive(Debug, Clone)]
pub struct MemberFile {
    pub member: Member,
    /// The documents issued to it, oldest first.
    pub documents: Vec<IssuedDocument>,
    /// Its signatures, as collected.
    pub adherences: Vec<Adherence>,
    /// Its returns that waited (or wait) for the coordinator's
    /// confirmation: apart, since a waiting one counts for nothing.
    pub returns: Vec<PendingReturn>,
    /// The journal's entries about it, oldest first.
    pub history: Vec<Entry>,
}

/// What registering a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySet {
    /// This very key was already the organisation's: nothing changed.
    AlreadyRegistered { name: String },
    /// The key is registered, with its fingerprint; `replaced`: the
    /// organisation had another one, which no longer counts.
    Registered { name: String, fingerprint: String, replaced: bool },
}

impl App {
    /// Imports or updates the roster from a CSV file, all or nothing:
    /// organisations are matched by enterprise number, a known one updated,
    /// a new one added, one missing from the file left as it is. With
    /// `dry_run`, nothing is written. Returns the plan, as carried out.
    pub fn import_roster(&mut self, file: &Path, dry_run: bool) -> Result<import::Plan> {
        let current = self.ws.store.members()?;
        let plan = import::plan(file, &current)?;
        if dry_run {
            return Ok(plan);
        }
        self.ws.store.transaction(self.today, |tx| {
            // Planned again on the roster as it is under the write lock:
            // a change journaled since it was read is seen.
            let plan = plan.against(&tx.members()?);
            if plan.added.is_empty() && plan.changed.is_empty() {
                return Ok(plan);
            }
            // The journal holds the addresses as commitments; their values
            // sit beside it, erasable (crate::journal::personal).
            let entry = |tx: &Tx<'_>, o| RosterEntry::committed(o, |v| tx.personal(Kind::Email, v));
            for o in &plan.added {
                let organisation = entry(tx, o)?;
                tx.append(&Event::OrganisationAdded { organisation })?;
            }
            for (o, fields) in &plan.changed {
                let organisation = entry(tx, o)?;
                tx.append(&Event::OrganisationChanged { organisation, changed: fields.clone() })?;
            }
            tx.append(&Event::RosterImported {
                file: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                // The file as it was read and checked, not read again.
                sha256: plan.sha256.clone(),
                added: plan.added.len() as u64,
                changed: plan.changed.len() as u64,
                unchanged: plan.unchanged as u64,
            })?;
            Ok(plan)
        })
    }

    /// The roster, in the store's order.
    pub fn members(&self) -> Result<Vec<Member>> {
        self.ws.store.members()
    }

    /// The organisation `id` (an enterprise number in any common spelling,
    /// or a unique name), with its documents, signatures and history.
    pub fn member_file(&self, id: &str) -> Result<MemberFile> {
        let store = &self.ws.store;
        let members = store.members()?;
        let member = roster::resolve(&members, id)?.clone();
        let digits = member.organisation.enterprise_number.digits();
        let history = store.entries_about(digits)?;
        let documents = store.documents()?.into_iter().filter(|d| d.enterprise_number == digits).collect();
        let adherences = store.adherences()?.into_iter().filter(|a| a.enterprise_number == digits).collect();
        let returns = store.returns()?.into_iter().filter(|r| r.adherence.enterprise_number == digits).collect();
        Ok(MemberFile { member, documents, adherences, returns, history })
    }

    /// Registers the public key in `key_file` (made by `charte keys
    /// member`) for organisation `id`: its returns signed with that key
    /// count. Each organisation has its own key.
    pub fn set_key(&mut self, id: &str, key_file: &Path) -> Result<KeySet> {
        let members = self.ws.store.members()?;
        let m = roster::resolve(&members, id)?;
        let key = super::keys::read_public_key(key_file)?;
        let public_key = base64::engine::general_purpose::STANDARD.encode(key.as_bytes());
        let name = m.organisation.name.clone();
        let digits = m.organisation.enterprise_number.digits().to_owned();
        let fingerprint = crate::seal::fingerprint(&key);
        // Who has the key, and whether the organisation had one, as they
        // are under the write lock: a key registered meanwhile is seen.
        let replaced = self.ws.store.transaction(self.today, |tx| {
            if let Some(other) = tx.key_owner(&public_key)? {
                if other.organisation.enterprise_number.digits() == digits {
                    return Ok(None);
                }
                return Err(Error::usage(format!(
                    "this key is already registered for {}: each organisation has its own key",
                    other.organisation.name
                )));
            }
            let replaced = tx.member(&digits)?.is_some_and(|m| m.public_key.is_some());
            tx.append(&Event::KeyRegistered {
                enterprise_number: digits.clone(),
                public_key: public_key.clone(),
                fingerprint: fingerprint.clone(),
            })?;
            Ok(Some(replaced))
        })?;
        Ok(match replaced {
            None => KeySet::AlreadyRegistered { name },
            Some(replaced) => KeySet::Registered { name, fingerprint, replaced },
        })
    }
}
