//! `charte erase SUBJECT --reason TEXT`: erases, on a person's request
//! (GDPR art. 17), the personal values charte keeps beside the journal
//! that equal SUBJECT (an email address compared ignoring case, an IP
//! address in any spelling, a user agent exactly;
//! crate::journal::personal), and journals that it did. The journal holds
//! only the values' commitments, so its chain, and `charte audit`, still
//! hold after.
//!
//! What cannot be erased is said plainly: journal entries written before
//! charte kept personal data beside the journal hold the value in the
//! chain itself (counted), the roster file the coordinator imports still
//! names the address, and the .eml files the outbox wrote still hold it.

use std::collections::BTreeMap;

use super::App;
use crate::error::{Error, Result};
use crate::journal::personal::{Commitment, Kind};
use crate::journal::store::JournalUses;

/// The longest subject or reason taken (a value charte keeps is shorter).
const MAX_TEXT: usize = 2000;

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// The `personal-data-erased` entry that records it.
    pub seq: i64,
    /// How many values were erased, by kind.
    pub kinds: BTreeMap<Kind, u64>,
    /// Where they were used: the journal entries holding their
    /// commitments, and the entries holding the subject itself (in the
    /// chain for good), by kind of entry.
    pub uses: JournalUses,
    /// The organisations whose roster address it was, and which field
    /// (`email`, `representative_email`): the next roster import that
    /// still names it records it again.
    pub roster: Vec<(String, &'static str)>,
    /// The files of out/outbox/ written to it: they still hold it.
    pub files: Vec<String>,
    /// How many roster uploads waiting for their confirmation on the
    /// desk (out/staging/) were removed: any may name the subject, and
    /// confirmed it would record it again.
    pub staged: usize,
}

impl Erased {
    /// How many values were erased.
    pub fn count(&self) -> u64 {
        self.kinds.values().sum()
    }
}

impl App {
    /// Erases every personal value held equal to `subject`, in one write
    /// transaction with the `personal-data-erased` entry that records it
    /// (its commitments and `reason`, never the value). Refused, nothing
    /// changed: an empty subject or reason, a reason that names the
    /// subject (it would enter the journal), and a subject for which
    /// nothing is held (exit 2, saying how many journal entries hold it
    /// in the clear, if any).
    pub fn erase(&mut self, subject: &str, reason: &str) -> Result<Erased> {
        let (subject, reason) = (subject.trim(), reason.trim());
        if subject.is_empty() {
            return Err(Error::usage("erase: give the value to erase (an email address, an IP address…)"));
        }
        if reason.is_empty() {
            return Err(Error::usage(
                "erase: --reason is empty: say why (e.g. \"demande d'effacement du 2026-03-02\"); nothing was changed",
            ));
        }
        if subject.chars().count() > MAX_TEXT || reason.chars().count() > MAX_TEXT {
            return Err(Error::usage(format!(
                "erase: the value and the reason are at most {MAX_TEXT} characters; nothing was changed"
            )));
        }
        if reason.to_lowercase().contains(&subject.to_lowercase()) {
            return Err(Error::usage(
                "erase: the reason names the value to erase, and the reason is journaled for good: \
                 write it without the value (nor the person's name); nothing was changed",
            ));
        }
        let erased = self.ws.store.transaction(self.today, |tx| {
            // Decided under the write lock: a value stored since this
            // command started is erased too.
            let held = tx.personal_matching(subject)?;
            if held.is_empty() {
                return Ok(None);
            }
            let mut roster = Vec::new();
            for m in tx.members()? {
                let o = &m.organisation;
                if Kind::Email.matches(&o.email, subject) {
                    roster.push((o.name.clone(), "email"));
                }
                if o.representative_email.as_deref().is_some_and(|e| Kind::Email.matches(e, subject)) {
                    roster.push((o.name.clone(), "representative_email"));
                }
            }
            // An account whose address goes can no longer sign in: it is
            // removed, its password and sessions forgotten.
            if let Some(account) = super::users::find(&tx.accounts()?, subject).map(|a| a.id) {
                tx.append(&crate::journal::Event::AccountRemoved { account, by: None })?;
                tx.forget_account(account)?;
            }
            let mut commitments: Vec<Commitment> = held.iter().map(|h| h.commitment.clone()).collect();
            commitments.sort();
            let seq = tx.erase_personal(&commitments, reason)?;
            let mut kinds = BTreeMap::new();
            for h in &held {
                *kinds.entry(h.kind).or_default() += 1;
            }
            Ok(Some((seq, kinds, roster, commitments)))
        })?;
        let store = &self.ws.store;
        let Some((seq, kinds, roster, commitments)) = erased else {
            let clear: u64 = store.journal_uses(subject, &[])?.plain.values().sum();
            let mut message = format!(
                "charte holds no personal value equal to {subject}: nothing was changed. Check the spelling; \
                 a value erased before is gone (each erasure is journaled as personal-data-erased)."
            );
            if clear > 0 {
                message.push_str(&format!(
                    " {clear} journal {} it in the clear, written before charte kept personal data beside the \
                     journal: the chain cannot be rewritten, so {} it.",
                    if clear == 1 { "entry holds" } else { "entries hold" },
                    if clear == 1 { "that entry keeps" } else { "those entries keep" }
                ));
            }
            return Err(Error::not_found(message));
        };
        // Read once the erasure is committed: no lock held while the
        // journal is read through.
        let uses = store.journal_uses(subject, &commitments)?;
        let outbox = self.ws.out_dir().join("outbox");
        let files = store
            .messages_to(&commitments)?
            .into_iter()
            .map(|id| format!("{}.eml", crate::mail::transport::file_stem(&id)))
            .filter(|name| outbox.join(name).is_file())
            .map(|name| format!("out/outbox/{name}"))
            .collect();
        let staged = self.purge_staged(std::time::Duration::ZERO)?;
        Ok(Erased { seq, kinds, uses, roster, files, staged })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::error::Kind as ErrorKind;
    use crate::journal::Event;
    use crate::journal::personal::Personal;

    const MARIE: &str = "marie@lepont.example.be";

    fn message(n: u32, address: Personal) -> Event {
        Event::MessageIntended {
            message_id: format!("m{n}@example.be"),
            purpose: "convocation".into(),
            about: "plenary".into(),
            enterprise_number: "0606997096".into(),
            address,
        }
    }

    /// A workspace upgraded from before schema version 15: its entries
    /// hold the address itself, which no erasure can reach.
    #[test]
    fn entries_written_before_personal_values_are_counted_as_keeping_the_address() {
        let dir = tempfile::tempdir().expect("tempdir");
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        let input = super::super::init::Input {
            dir: dir.path().to_owned(),
            replay: true,
            languages: vec![crate::roster::Language::Fr],
        };
        super::super::init::init(&input, day).expect("a workspace");
        let mut app = App::writer(dir.path(), day).expect("opens");
        app.ws
            .store
            .transaction(day, |tx| tx.append(&message(1, Personal::Plain("Marie@LePont.example.be".into()))))
            .expect("journals");

        let err = app.erase(MARIE, "request").expect_err("nothing held");
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        assert!(err.to_string().contains("nothing was changed"), "{err}");
        assert!(err.to_string().contains("1 journal entry holds it in the clear"), "{err}");

        app.ws
            .store
            .transaction(day, |tx| {
                let c = tx.personal(Kind::Email, MARIE)?;
                tx.append(&message(2, c.into()))
            })
            .expect("journals");
        let erased = app.erase(MARIE, "request").expect("erases");
        assert_eq!(erased.count(), 1);
        assert_eq!(erased.kinds, BTreeMap::from([(Kind::Email, 1)]));
        assert_eq!(erased.uses.committed, BTreeMap::from([("message-intended".to_owned(), 1)]));
        assert_eq!(erased.uses.plain, BTreeMap::from([("message-intended".to_owned(), 1)]), "the older entry");
        assert!(matches!(app.audit(&[]).expect("audits").audit, crate::journal::store::Audit::Intact { .. }));
    }
}
