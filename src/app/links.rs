//! Signing links and their codes (crate::links; DESIGN.md "The web
//! application"), for the signing page and the coordinator.
//!
//! The page calls [`App::link`] to show the organisation's document, then
//! [`App::send_code`] (a code mailed at once to the organisation's
//! registered address), then [`App::sign_with_code`]: the code checked,
//! and, when it is right, the link marked used and the web signature's
//! events appended by the page's own `record`, in one transaction
//! ([`App::check_code`] checks and spends a code alone; [`use_link`] marks
//! a link used inside another transaction). Every link that does not open the
//! page (used, expired, superseded, locked, unknown) is the one
//! [`Error::LinkNotValid`]. Codes and their 10 minutes use the wall clock
//! (`now`); links' days use the App's `today`. Every decision is taken
//! inside the write transaction: two requests never both use one code, and
//! the wrong codes are counted under the lock.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::App;
use crate::documents::IssuedDocument;
use crate::error::{Error, Result};
use crate::journal::personal::{Kind, Personal};
use crate::journal::store::StoredCode;
use crate::journal::{Event, Tx};
use crate::links::{CODE_MINUTES, Link, LinkState, MAX_WRONG_CODES};
use crate::roster::{EnterpriseNumber, Language, Member};

/// What the signing page shows of an open link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    pub link: Link,
    /// The organisation asked to sign.
    pub member: Member,
    /// The document to sign, as issued.
    pub document: IssuedDocument,
    /// The organisation's language: the page's, unless the visitor chose.
    pub language: Language,
    /// `signer`, prefilled: the roster's representative.
    pub signer: Option<String>,
}

/// A code mailed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSent {
    pub link: i64,
    /// Where it went, as a page may show it (`a…@example.be`).
    pub to: String,
    /// Until when it may be typed.
    pub expires: DateTime<Utc>,
}

/// What a typed code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeChecked {
    /// The right code: the page may record the signature now (and mark
    /// the link used in that transaction). The code is spent.
    Right(Confirmed),
    /// A wrong code; `left` more tries before the link locks.
    Wrong { left: u32 },
    /// The last wrong code: the link is locked until the coordinator
    /// reopens it (`charte links reopen ID`).
    Locked,
    /// No code waits (none asked, or already spent) or it is older than
    /// its 10 minutes: ask for a new one. Counted as no try.
    Expired,
}

/// What [`App::sign_with_code`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing<T> {
    /// The right code: the link is used and `record`'s outcome is committed.
    Signed(Confirmed, T),
    /// No signature: why (never [`CodeChecked::Right`]).
    Refused(CodeChecked),
}

/// A right code: who the signature is for, and the address the code went
/// to (what a web signature records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub link: i64,
    /// The organisation's 10 digits.
    pub enterprise_number: String,
    pub document_id: String,
    pub email: String,
}

/// A link as the coordinator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub link: Link,
    /// The organisation's name, else its number.
    pub name: String,
    /// As people write it (0123.456.749).
    pub enterprise_number: String,
    /// open, expired, used, locked or superseded, on the App's day.
    pub state: &'static str,
}

/// A locked link opened again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reopened {
    pub listed: Listed,
    /// Past its last day: reopened, it still opens nothing (a new mail
    /// brings a new link).
    pub expired: bool,
}

impl App {
    /// The link `token` (as its URL carries it) if it opens the signing
    /// page today; else [`Error::LinkNotValid`], whatever the reason.
    pub fn link(&self, token: &str) -> Result<LinkView> {
        let hash = crate::links::token_sha256(token).ok_or(Error::LinkNotValid)?;
        let link = self
            .ws
            .store
            .link_by_hash(&hash)?
            .filter(|l| crate::links::same_hash(&l.token_sha256, &hash))
            .ok_or(Error::LinkNotValid)?;
        if !link.opens(self.today, &self.ws.config.charter.version) {
            return Err(Error::LinkNotValid);
        }
        let number = EnterpriseNumber::parse(&link.enterprise_number).map_err(|_| Error::LinkNotValid)?;
        let member = self.ws.store.member(&number)?.ok_or(Error::LinkNotValid)?;
        // Its document must still be the organisation's latest adherence
        // document of the version in force: one issued again since (a
        // renamed organisation, say) supersedes the links to the first.
        let document = self
            .ws
            .store
            .documents()?
            .into_iter()
            .rfind(|d| {
                d.kind == crate::documents::DocumentKind::Adherence
                    && d.enterprise_number == link.enterprise_number
                    && d.charter_version == link.charter_version
            })
            .filter(|d| d.document_id == link.document_id)
            .ok_or(Error::LinkNotValid)?;
        let language = member.organisation.language;
        let signer = member.organisation.representative.clone();
        Ok(LinkView { link, member, document, language, signer })
    }

    /// Mails a new code for link `token` to the organisation's registered
    /// address, at once, through the configured transport; the code it
    /// replaces is void. Journaled (`link-code-sent`, the address as a
    /// commitment; never the code).
    pub fn send_code(&mut self, token: &str, now: DateTime<Utc>) -> Result<CodeSent> {
        let hash = crate::links::token_sha256(token).ok_or(Error::LinkNotValid)?;
        let code = crate::links::new_code()?;
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| Error::internal(format!("no randomness for a code's salt: {e}")))?;
        let expires = now + chrono::Duration::minutes(CODE_MINUTES);
        let (today, version) = (self.today, self.ws.config.charter.version.clone());
        // The settings first: a workspace that cannot mail changes nothing.
        let mail = self.ws.mail()?;
        let envelope = crate::governance::convoke::envelope(&mail)?;
        let templates = self.ws.mail_templates()?;
        let mut sender = self.sender()?;
        let config = &self.ws.config;
        let (link, member, planned) = self.ws.store.transaction(today, |tx| {
            let link = open_link(tx, &hash, today, &version)?;
            let member = tx.member(&link.enterprise_number)?.ok_or(Error::LinkNotValid)?;
            let address = member.organisation.email.clone();
            if address.is_empty() {
                return Err(Error::usage(NO_ADDRESS));
            }
            let planned = code_message(config, &envelope, &templates, link.id, &member.organisation, &code, now)?;
            let commitment = tx.personal(Kind::Email, &address)?;
            tx.set_code(&StoredCode {
                link: link.id,
                salt: salt.to_vec(),
                hash: crate::links::code_hash(&salt, &code),
                expires: expires.timestamp(),
                address: commitment.as_str().to_owned(),
            })?;
            tx.append(&Event::LinkCodeSent {
                link: link.id,
                address: commitment.into(),
                expires: expires.to_rfc3339(),
            })?;
            Ok((link, member, planned))
        })?;
        let report = sender.deliver(&mut self.ws.store, self.today, &[planned], &|| {})?;
        sender.close();
        if let Some((_, reason)) = report.bounced.first() {
            return Err(Error::usage(format!(
                "the organisation's registered address refused the code ({reason}): ask the coordination"
            )));
        }
        Ok(CodeSent { link: link.id, to: crate::links::masked(&member.organisation.email), expires })
    }

    /// Checks `typed` against the code mailed for link `token`, at `now`.
    /// A wrong code is counted, under the lock; the [`MAX_WRONG_CODES`]th
    /// locks the link (journaled). A typed text that is not 6 digits is
    /// refused and counts as no try.
    pub fn check_code(&mut self, token: &str, typed: &str, now: DateTime<Utc>) -> Result<CodeChecked> {
        let no_record = None::<fn(&mut Tx<'_>, &Confirmed) -> Result<()>>;
        Ok(match self.code_then(token, typed, now, no_record)? {
            Signing::Signed(confirmed, _) => CodeChecked::Right(confirmed),
            Signing::Refused(checked) => checked,
        })
    }

    /// Checks `typed` as [`App::check_code`] does and, when it is right,
    /// in the same transaction, marks the link used and runs `record` (the
    /// web signature's events): all of it is committed, or none (a right
    /// code then stays unspent). Wrong codes are counted as by
    /// `check_code`, and `record` is not run.
    pub fn sign_with_code<T>(
        &mut self,
        token: &str,
        typed: &str,
        now: DateTime<Utc>,
        record: impl FnOnce(&mut Tx<'_>, &Confirmed) -> Result<T>,
    ) -> Result<Signing<T>> {
        Ok(match self.code_then(token, typed, now, Some(record))? {
            Signing::Signed(confirmed, Some(recorded)) => Signing::Signed(confirmed, recorded),
            Signing::Signed(..) => return Err(Error::internal("a signature was checked but not recorded")),
            Signing::Refused(checked) => Signing::Refused(checked),
        })
    }

    /// The code checked, under the lock; when it is right, spent, and with
    /// `record`, the link used and `record` run, in the same transaction.
    fn code_then<T>(
        &mut self,
        token: &str,
        typed: &str,
        now: DateTime<Utc>,
        record: Option<impl FnOnce(&mut Tx<'_>, &Confirmed) -> Result<T>>,
    ) -> Result<Signing<Option<T>>> {
        let hash = crate::links::token_sha256(token).ok_or(Error::LinkNotValid)?;
        let typed = crate::links::typed_code(typed)?;
        let (today, version) = (self.today, self.ws.config.charter.version.clone());
        self.ws.store.transaction(today, |tx| {
            let link = open_link(tx, &hash, today, &version)?;
            let Some(code) = tx.code(link.id)?.filter(|c| now.timestamp() <= c.expires) else {
                return Ok(Signing::Refused(CodeChecked::Expired));
            };
            if crate::links::same_hash(&code.hash, &crate::links::code_hash(&code.salt, &typed)) {
                tx.drop_code(link.id)?;
                let email = tx.personal_value(&Personal::read(&code.address))?.unwrap_or_default();
                let confirmed = Confirmed {
                    link: link.id,
                    enterprise_number: link.enterprise_number,
                    document_id: link.document_id,
                    email,
                };
                let recorded = match record {
                    Some(record) => {
                        use_link(tx, link.id, today, &version)?;
                        Some(record(tx, &confirmed)?)
                    }
                    None => None,
                };
                return Ok(Signing::Signed(confirmed, recorded));
            }
            let wrong = link.wrong_codes + 1;
            tx.append(&Event::LinkCodeRefused { link: link.id, wrong })?;
            if wrong < MAX_WRONG_CODES {
                return Ok(Signing::Refused(CodeChecked::Wrong { left: MAX_WRONG_CODES - wrong }));
            }
            tx.drop_code(link.id)?;
            tx.append(&Event::LinkLocked { link: link.id })?;
            Ok(Signing::Refused(CodeChecked::Locked))
        })
    }

    /// Marks link `id` used, in a transaction of its own: see [`use_link`]
    /// for the one a signature is recorded in.
    pub fn use_link(&mut self, id: i64) -> Result<Link> {
        let (today, version) = (self.today, self.ws.config.charter.version.clone());
        self.ws.store.transaction(today, |tx| use_link(tx, id, today, &version))
    }

    /// Every link, the latest minted first (never a token: only its hash
    /// is known).
    pub fn links(&self) -> Result<Vec<Listed>> {
        let members = self.ws.store.members()?;
        Ok(self.ws.store.links()?.into_iter().map(|l| self.listed(l, &members)).collect())
    }

    /// `charte links reopen ID`: a link locked by wrong codes opens again,
    /// its wrong codes counted from nought. Journaled.
    pub fn links_reopen(&mut self, id: i64) -> Result<Reopened> {
        let link = self.ws.store.transaction(self.today, |tx| {
            let Some(link) = tx.link(id)? else {
                return Err(Error::NotFound(format!(
                    "there is no signing link #{id}: `charte links list` lists them; nothing was changed"
                )));
            };
            if link.state != LinkState::Locked {
                return Err(Error::usage(format!(
                    "signing link #{id} is {}, not locked: there is nothing to reopen; nothing was changed",
                    link.state
                )));
            }
            tx.append(&Event::LinkReopened { link: id })?;
            Ok(Link { state: LinkState::Open, wrong_codes: 0, ..link })
        })?;
        let expired = link.valid_until < self.today;
        let members = self.ws.store.members()?;
        Ok(Reopened { listed: self.listed(link, &members), expired })
    }

    fn listed(&self, link: Link, members: &[Member]) -> Listed {
        let number = EnterpriseNumber::parse(&link.enterprise_number).ok();
        let name = members
            .iter()
            .find(|m| number.as_ref().is_some_and(|n| &m.organisation.enterprise_number == n))
            .map_or_else(|| link.enterprise_number.clone(), |m| m.organisation.name.clone());
        let enterprise_number = number.map_or_else(|| link.enterprise_number.clone(), |n| n.formatted());
        let state = link.shown_state(self.today);
        Listed { link, name, enterprise_number, state }
    }
}

/// The code mail, FR or NL, to the organisation's registered address only.
fn code_message(
    config: &crate::config::Config,
    envelope: &crate::mail::Envelope,
    templates: &crate::mail::Templates,
    link: i64,
    o: &crate::roster::Organisation,
    code: &str,
    now: DateTime<Utc>,
) -> Result<crate::delivery::Planned> {
    let lang = o.language;
    let data = json!({
        "lang": lang.code(),
        "network": config.coordination.name(lang),
        "organiser": config.coordination.organiser(lang),
        "recipient": o.name,
        "code": code,
        "minutes": CODE_MINUTES,
        "tries": MAX_WRONG_CODES,
    });
    let rendered =
        templates.render("code", lang, &data).map_err(|e| Error::usage(format!("mail template 'code': {e}")))?;
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| Error::internal(format!("no randomness for a Message-ID: {e}")))?;
    let about = link.to_string();
    let letter = crate::delivery::Letter {
        envelope,
        rendered: &rendered,
        date: now,
        id: format!("code.{link}.{}", hex::encode(random)),
        purpose: "code",
        about: &about,
    };
    crate::delivery::to_registered_address(o, &letter)?.ok_or_else(|| Error::usage(NO_ADDRESS))
}

/// Why no code can be sent.
const NO_ADDRESS: &str = "the organisation has no registered address to send a code to: ask the coordination";

/// Marks link `id` used inside `tx`, the transaction that records the
/// signature made through it (dated `today`; `version`, the charter
/// version in force): refused with [`Error::LinkNotValid`] unless it still
/// opens the page, so that one link records one signature.
pub fn use_link(tx: &mut Tx<'_>, id: i64, today: NaiveDate, version: &str) -> Result<Link> {
    let link = tx.link(id)?.ok_or(Error::LinkNotValid)?;
    if !link.opens(today, version) {
        return Err(Error::LinkNotValid);
    }
    tx.append(&Event::LinkUsed { link: id })?;
    Ok(Link { state: LinkState::Used, ..link })
}

/// The link `token` (as its URL carries it), read under the lock, if it
/// opens the page on `today` and its document is still the organisation's
/// latest adherence document of `version`; else the neutral error.
pub(super) fn open_link_of(tx: &Tx<'_>, token: &str, today: NaiveDate, version: &str) -> Result<Link> {
    let hash = crate::links::token_sha256(token).ok_or(Error::LinkNotValid)?;
    let link = open_link(tx, &hash, today, version)?;
    let latest = tx.documents_of(&link.enterprise_number, version)?.into_iter().next_back();
    match latest {
        Some(d) if d.document_id == link.document_id => Ok(link),
        _ => Err(Error::LinkNotValid),
    }
}

/// The link whose token hashes to `hash`, read under the lock, if it opens
/// the page on `today`; else the neutral error.
fn open_link(tx: &Tx<'_>, hash: &str, today: NaiveDate, version: &str) -> Result<Link> {
    let link = tx.link_by_hash(hash)?.filter(|l| crate::links::same_hash(&l.token_sha256, hash));
    match link {
        Some(l) if l.opens(today, version) => Ok(l),
        _ => Err(Error::LinkNotValid),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::app::init;
    use crate::links::LinkSettings;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    fn noon(d: &str) -> DateTime<Utc> {
        Utc.from_utc_datetime(&day(d).and_hms_opt(12, 0, 0).expect("a time"))
    }

    /// A workspace with `public_url` set, one organisation (its own
    /// address, and its representative's), one adherence document issued
    /// to it on 2026-03-02, and one link to it: its token.
    fn workspace() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().expect("tempdir");
        let today = day("2026-03-02");
        let input = init::Input { dir: dir.path().to_owned(), replay: true, languages: vec![Language::Fr] };
        init::init(&input, today).expect("a workspace");
        let config = dir.path().join("charte.toml");
        let text = std::fs::read_to_string(&config).expect("reads");
        let text =
            text.replacen("[serve]\n", "[serve]\npublic_url = \"https://charte.example.be\"\nlink_days = 30\n", 1);
        std::fs::write(&config, text).expect("writes");
        let roster = dir.path().join("roster.csv");
        std::fs::write(
            &roster,
            "name,enterprise_number,email,representative,representative_email\n\
             Les Amis du Quartier,0203.201.340,amis@example.be,Marie Dupont,marie@example.be\n",
        )
        .expect("writes");
        let mut app = App::writer(dir.path(), today).expect("opens");
        app.import_roster(&roster, false).expect("imports");
        let document = IssuedDocument {
            document_id: "ADH-0203201340-1".into(),
            kind: crate::documents::DocumentKind::Adherence,
            enterprise_number: "0203201340".into(),
            charter_version: app.ws.config.charter.version.clone(),
            inputs_sha256: "0".repeat(64),
            sha256: "1".repeat(64),
            sealed_sha256: "2".repeat(64),
            length: 1,
            file: "out/adherence/ADH-0203201340-1.pdf".into(),
            issued: today,
            seq: 0,
        };
        let settings = LinkSettings::of(&app.ws.config).expect("public_url is set");
        let minted = settings.mint(today, &document).expect("mints");
        app.ws
            .store
            .transaction(today, |tx| {
                tx.append(&Event::DocumentIssued { document: document.clone() })?;
                tx.append(&Event::LinkMinted { link: minted.link.clone() })
            })
            .expect("journals");
        let token = minted.url.rsplit('/').next().expect("a token").to_owned();
        (dir, token)
    }

    /// The code in the latest code mail of the outbox, and who it went to.
    fn mailed_code(dir: &std::path::Path) -> (String, String) {
        let mut codes: Vec<_> = std::fs::read_dir(dir.join("out/outbox"))
            .expect("an outbox")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("code.")))
            .map(|p| (std::fs::metadata(&p).and_then(|m| m.modified()).expect("a time"), p))
            .collect();
        codes.sort();
        let eml = std::fs::read(&codes.last().expect("a code mail").1).expect("reads");
        let message = mail_parser::MessageParser::default().parse(&eml).expect("a message");
        let text = message.body_text(0).expect("a text part").into_owned();
        assert!(text.contains("Personne de la coordination ne vous demandera jamais ce code"), "{text}");
        let code = text
            .split_whitespace()
            .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
            .expect("6 digits")
            .to_owned();
        let to = message.to().and_then(|a| a.first()).and_then(|a| a.address()).expect("a recipient").to_owned();
        (code, to)
    }

    fn audit_holds(dir: &std::path::Path, today: NaiveDate) {
        let (_, difference) = App::open(dir, today).expect("opens").ws.store.check_projections().expect("audits");
        assert_eq!(difference, None, "the links replay from the journal");
    }

    #[test]
    fn a_link_shows_its_document_and_a_mailed_code_confirms_once() {
        let (dir, token) = workspace();
        let today = day("2026-03-03");
        let mut app = App::writer(dir.path(), today).expect("opens");
        let view = app.link(&token).expect("opens the page");
        assert_eq!(view.member.organisation.name, "Les Amis du Quartier");
        assert_eq!(view.document.document_id, "ADH-0203201340-1");
        assert_eq!((view.language, view.signer.as_deref()), (Language::Fr, Some("Marie Dupont")));

        let sent = app.send_code(&token, noon("2026-03-03")).expect("mails a code");
        assert_eq!(sent.to, "a…@example.be");
        let (code, to) = mailed_code(dir.path());
        assert_eq!(to, "amis@example.be", "to the registered address only, not the representative's");
        let journal = std::fs::read(dir.path().join("charte.db")).expect("reads");
        let wal = std::fs::read(dir.path().join("charte.db-wal")).unwrap_or_default();
        for bytes in [&journal, &wal] {
            assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "never the token");
        }
        let entries = app.ws.store.entries_about(&sent.link.to_string()).expect("reads");
        assert!(entries.iter().any(|e| e.kind == "link-code-sent" && !e.payload.contains(&code)));
        assert!(!entries.iter().any(|e| e.payload.contains("amis@example.be")), "the address as a commitment");

        let checked = app.check_code(&token, &code, noon("2026-03-03")).expect("checks");
        let CodeChecked::Right(confirmed) = checked else { panic!("the right code: {checked:?}") };
        assert_eq!(confirmed.email, "amis@example.be");
        assert_eq!(
            app.check_code(&token, &code, noon("2026-03-03")).expect("checks"),
            CodeChecked::Expired,
            "a code confirms once"
        );
        app.use_link(confirmed.link).expect("used");
        let signed = app.sign_with_code(&token, &code, noon("2026-03-03"), |_, _| Ok(()));
        assert!(matches!(signed, Err(Error::LinkNotValid)), "a used link signs nothing more");
        assert!(matches!(app.link(&token), Err(Error::LinkNotValid)), "a used link is neutral");
        assert!(matches!(app.use_link(confirmed.link), Err(Error::LinkNotValid)), "one signature per link");
        assert!(matches!(app.send_code(&token, noon("2026-03-03")), Err(Error::LinkNotValid)));
        audit_holds(dir.path(), today);
    }

    /// The signature's events and the link's use in one transaction: a
    /// record that fails leaves the link open and the code unspent.
    #[test]
    fn a_signature_is_recorded_with_the_link_used_or_not_at_all() {
        let (dir, token) = workspace();
        let mut app = App::writer(dir.path(), day("2026-03-03")).expect("opens");
        let at = noon("2026-03-03");
        app.send_code(&token, at).expect("mails a code");
        let (code, _) = mailed_code(dir.path());
        let failed = app.sign_with_code(&token, &code, at, |tx, _| -> Result<i64> {
            tx.append(&Event::Note { text: "signed".into() })?;
            Err(Error::temporary("the disk is full"))
        });
        assert!(failed.is_err());
        app.link(&token).expect("still open");
        let signed = app
            .sign_with_code(&token, &code, at, |tx, c| tx.append(&Event::Note { text: format!("signed {}", c.email) }))
            .expect("signs");
        let Signing::Signed(confirmed, seq) = signed else { panic!("{signed:?}") };
        assert_eq!(confirmed.email, "amis@example.be");
        assert!(seq > 0);
        assert!(matches!(app.link(&token), Err(Error::LinkNotValid)), "used");
        assert_eq!(app.links().expect("lists")[0].state, "used");
        audit_holds(dir.path(), day("2026-03-03"));
    }

    /// A workspace that cannot mail (no [mail] table) keeps no code and
    /// journals nothing.
    #[test]
    fn a_code_that_cannot_be_mailed_changes_nothing() {
        let (dir, token) = workspace();
        let config = dir.path().join("charte.toml");
        let text = std::fs::read_to_string(&config).expect("reads");
        let text = text.replace("[mail]\n", "[mail_off]\n").replace("transport = \"outbox\"\n", "");
        let text = text.replace("[mail_off]\n", "").replace("from = \"coordination@cpas.example.be\"\n", "");
        std::fs::write(&config, text).expect("writes");
        let mut app = App::writer(dir.path(), day("2026-03-03")).expect("opens");
        let before = app.ws.store.head().expect("reads");
        let err = app.send_code(&token, noon("2026-03-03")).expect_err("no [mail]");
        assert_eq!(err.kind(), crate::error::Kind::Invalid, "{err}");
        assert_eq!(app.ws.store.head().expect("reads"), before, "nothing journaled");
        assert_eq!(app.links().expect("lists")[0].link.codes_sent, 0);
        assert_eq!(
            app.check_code(&token, "123456", noon("2026-03-03")).expect("checks"),
            CodeChecked::Expired,
            "no code kept"
        );
    }

    #[test]
    fn a_code_older_than_ten_minutes_is_refused_and_a_new_one_replaces_it() {
        let (dir, token) = workspace();
        let mut app = App::writer(dir.path(), day("2026-03-03")).expect("opens");
        let at = noon("2026-03-03");
        app.send_code(&token, at).expect("mails a code");
        let (first, _) = mailed_code(dir.path());
        let late = at + chrono::Duration::minutes(CODE_MINUTES) + chrono::Duration::seconds(1);
        assert_eq!(app.check_code(&token, &first, late).expect("checks"), CodeChecked::Expired);
        std::thread::sleep(std::time::Duration::from_millis(20));
        app.send_code(&token, late).expect("mails another");
        let (second, _) = mailed_code(dir.path());
        if first != second {
            assert_eq!(
                app.check_code(&token, &first, late).expect("checks"),
                CodeChecked::Wrong { left: MAX_WRONG_CODES - 1 },
                "the new code replaces the old one"
            );
        }
        assert!(matches!(app.check_code(&token, &second, late).expect("checks"), CodeChecked::Right(_)));
        assert!(app.check_code(&token, "12a456", late).is_err(), "not 6 digits: refused, not counted");
    }

    #[test]
    fn five_wrong_codes_lock_the_link_until_the_coordinator_reopens_it() {
        let (dir, token) = workspace();
        let today = day("2026-03-03");
        let mut app = App::writer(dir.path(), today).expect("opens");
        let at = noon("2026-03-03");
        app.send_code(&token, at).expect("mails a code");
        let (code, _) = mailed_code(dir.path());
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for left in (1..MAX_WRONG_CODES).rev() {
            assert_eq!(app.check_code(&token, wrong, at).expect("checks"), CodeChecked::Wrong { left });
        }
        assert_eq!(app.check_code(&token, wrong, at).expect("checks"), CodeChecked::Locked);
        assert!(matches!(app.check_code(&token, &code, at), Err(Error::LinkNotValid)), "locked: even the right code");
        assert!(matches!(app.link(&token), Err(Error::LinkNotValid)), "a locked link is neutral");
        let listed = app.links().expect("lists");
        assert_eq!((listed[0].state, listed[0].link.wrong_codes), ("locked", MAX_WRONG_CODES));
        audit_holds(dir.path(), today);

        let reopened = app.links_reopen(listed[0].link.id).expect("reopens");
        assert!(!reopened.expired);
        assert_eq!((reopened.listed.state, reopened.listed.link.wrong_codes), ("open", 0));
        let err = app.links_reopen(listed[0].link.id).expect_err("open: nothing to reopen");
        assert!(err.to_string().contains("is open, not locked"), "{err}");
        assert_eq!(app.links_reopen(9999).expect_err("no such link").kind(), crate::error::Kind::NotFound);
        app.link(&token).expect("opens the page again");
        assert_eq!(app.check_code(&token, &code, at).expect("checks"), CodeChecked::Expired, "the old code is void");
        app.send_code(&token, at).expect("mails a code");
        let (code, _) = mailed_code(dir.path());
        assert!(matches!(app.check_code(&token, &code, at).expect("checks"), CodeChecked::Right(_)));
        audit_holds(dir.path(), today);
    }

    #[test]
    fn an_expired_unknown_or_superseded_link_is_the_one_neutral_error() {
        let (dir, token) = workspace();
        let app = App::open(dir.path(), day("2026-04-01")).expect("opens");
        app.link(&token).expect("its last day: 30 days after 2026-03-02");
        let app = App::open(dir.path(), day("2026-04-02")).expect("opens");
        let expired = app.link(&token).expect_err("expired");
        assert!(matches!(expired, Error::LinkNotValid));
        assert_eq!(app.links().expect("lists")[0].state, "expired");
        let mut unknown = token.clone().into_bytes();
        unknown[0] = if unknown[0] == b'A' { b'B' } else { b'A' };
        let unknown = String::from_utf8(unknown).expect("ascii");
        let today = App::open(dir.path(), day("2026-03-03")).expect("opens");
        for t in [unknown.as_str(), "x", ""] {
            let err = today.link(t).expect_err("unknown");
            assert_eq!(err.to_string(), expired.to_string(), "one neutral answer");
            assert_eq!(err.kind(), crate::error::Kind::NotFound);
        }

        std::fs::write(dir.path().join("charter/fr.md"), "Charte, nouvelle version.\n").expect("writes");
        let mut app = App::writer(dir.path(), day("2026-03-10")).expect("opens");
        app.adopt_charter("2099-02", day("2026-03-10")).expect("adopts");
        let app = App::open(dir.path(), day("2026-03-10")).expect("opens");
        assert!(matches!(app.link(&token), Err(Error::LinkNotValid)), "superseded");
        assert_eq!(app.links().expect("lists")[0].state, "superseded");
        audit_holds(dir.path(), day("2026-03-10"));
    }
}
