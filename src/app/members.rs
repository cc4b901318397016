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

/// The fields of an organisation a coordinator changes by hand (the
/// roster's columns but its name and number), each a `T`: the one mapping
/// from a roster column's name to its field, for the changes the
/// application makes ([`MemberChanges`]) and the desk's form.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct Editable<T> {
    pub email: T,
    pub language: T,
    pub status: T,
    pub representative: T,
    pub representative_email: T,
    pub address: T,
    /// Several, separated by `|`, as in a roster.
    pub sectors: T,
}

impl<T> Editable<T> {
    /// The fields, by roster column name, in the form's order.
    pub const FIELDS: [&'static str; 7] =
        ["email", "language", "status", "representative", "representative_email", "address", "sectors"];

    /// The field named by its roster column (`sectors` for any other name).
    pub fn field_mut(&mut self, field: &str) -> &mut T {
        match field {
            "email" => &mut self.email,
            "language" => &mut self.language,
            "status" => &mut self.status,
            "representative" => &mut self.representative,
            "representative_email" => &mut self.representative_email,
            "address" => &mut self.address,
            _ => &mut self.sectors,
        }
    }
}

/// The changes a coordinator makes by hand, as typed: `None` leaves the
/// field as it is, an empty text clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberChanges {
    pub fields: Editable<Option<String>>,
    /// The values a form showed of the fields it changes (by roster
    /// column name, as [`roster::Organisation::value_of`] writes them):
    /// a field changed by someone else since (its value no longer the one
    /// shown, nor the one typed) is refused, not overwritten.
    pub shown: std::collections::BTreeMap<&'static str, String>,
}

/// Which version of the charter an organisation signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    /// It signed the version in force.
    Signed,
    /// It signed only an older version (which may still count while the
    /// version in force's grace period runs).
    Outdated,
    /// It signed no version.
    Unsigned,
}

impl Standing {
    pub const ALL: [Standing; 3] = [Standing::Signed, Standing::Outdated, Standing::Unsigned];

    pub fn code(self) -> &'static str {
        match self {
            Standing::Signed => "signed",
            Standing::Outdated => "outdated",
            Standing::Unsigned => "unsigned",
        }
    }
}

/// What editing an organisation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub name: String,
    /// The fields changed, by their roster column name; none: nothing was
    /// changed (the values given are the ones it had).
    pub changed: Vec<String>,
    /// What was changed in the values as typed (an address written in its
    /// ASCII form, a line break made a space), each naming its field.
    pub notes: Vec<crate::error::Problem>,
}

impl App {
    /// Imports or updates the roster from a CSV file, all or nothing:
    /// organisations are matched by enterprise number, a known one updated,
    /// a new one added, one missing from the file left as it is. With
    /// `dry_run`, nothing is written. Returns the plan, as carried out.
    pub fn import_roster(&mut self, file: &Path, dry_run: bool) -> Result<import::Plan> {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.import_roster_as(file, &name, None, dry_run)
    }

    /// [`App::import_roster`], journaling the file as `name`; when
    /// `previewed` is given (the file's sha256 and its plan's
    /// [`import::Plan::digest`], as a preview showed them), refused unless
    /// the bytes read hash to that sha256 and the plan made under the
    /// write lock digests the same: an import does what its preview
    /// showed, or nothing.
    pub(super) fn import_roster_as(
        &mut self,
        file: &Path,
        name: &str,
        previewed: Option<(&str, &str)>,
        dry_run: bool,
    ) -> Result<import::Plan> {
        let current = self.ws.store.members()?;
        let plan = import::plan(file, &current)?;
        if previewed.is_some_and(|(sha256, _)| sha256 != plan.sha256) {
            return Err(Error::NotImported(import::NotImported::ChangedSincePreview { name: name.to_owned() }));
        }
        if dry_run {
            return Ok(plan);
        }
        self.ws.store.transaction(self.today, |tx| {
            // Planned again on the roster as it is under the write lock:
            // a change journaled since it was read is seen.
            let plan = plan.against(&tx.members()?);
            if previewed.is_some_and(|(_, digest)| digest != plan.digest()) {
                return Err(Error::NotImported(import::NotImported::PlanChanged { name: name.to_owned() }));
            }
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
                file: name.to_owned(),
                // The file as it was read and checked, not read again.
                sha256: plan.sha256.clone(),
                added: plan.added.len() as u64,
                changed: plan.changed.len() as u64,
                unchanged: plan.unchanged as u64,
            })?;
            Ok(plan)
        })
    }

    /// Changes the fields `changes` gives of organisation `id` (an
    /// enterprise number in any spelling, or a unique name), checked by
    /// the rules a roster import checks its columns with, and journaled as
    /// an import journals a change (the addresses as commitments). Every
    /// problem is returned at once, each naming its field; then nothing
    /// was changed.
    pub fn edit_member(&mut self, id: &str, changes: &MemberChanges) -> Result<Edited> {
        let members = self.ws.store.members()?;
        let number = roster::resolve(&members, id)?.organisation.enterprise_number.clone();
        self.ws.store.transaction(self.today, |tx| {
            // The organisation as it is under the write lock: a change
            // journaled since the form was shown is kept where the form
            // does not change it, and refused where it does.
            let Some(current) = tx.member(number.digits())? else {
                return Err(Error::not_found(format!("no organisation with enterprise number {number} on the roster")));
            };
            let old = current.organisation;
            let (new, notes) = import::organisation_from(&changes.applied_to(&old))
                .map_err(|problems| Error::Input { file: format!("{} ({number})", old.name).into(), problems })?;
            let changed = new.changed_fields(&old);
            let meanwhile: Vec<crate::error::Problem> = changed
                .iter()
                .filter_map(|f| {
                    let (was, now) = (changes.shown.get(f.as_str())?, old.value_of(f));
                    (*was != now).then(|| {
                        crate::error::Problem::because(0, Some(f), crate::reason::Reason::ChangedMeanwhile { now })
                    })
                })
                .collect();
            if !meanwhile.is_empty() {
                return Err(Error::Input { file: format!("{} ({number})", old.name).into(), problems: meanwhile });
            }
            if !changed.is_empty() {
                let organisation = RosterEntry::committed(&new, |v| tx.personal(Kind::Email, v))?;
                tx.append(&Event::OrganisationChanged { organisation, changed: changed.clone() })?;
            }
            Ok(Edited { name: new.name, changed, notes })
        })
    }

    /// The roster, in the store's order.
    pub fn members(&self) -> Result<Vec<Member>> {
        self.ws.store.members()
    }

    /// The roster, each organisation with the version it signed against
    /// the one in force ([`super::glance::signed_in_force`]) and its stage
    /// (none: a former member), both by the rule the year's page counts
    /// by.
    pub fn roster(&self) -> Result<Vec<(Member, Standing, Option<super::glance::Stage>)>> {
        let version = self.ws.config.charter.version.as_str();
        Ok(self
            .stages()?
            .into_iter()
            .map(|(m, stage)| {
                let standing = match m.signed_version.as_deref() {
                    _ if super::glance::signed_in_force(&m, version) => Standing::Signed,
                    Some(_) => Standing::Outdated,
                    None => Standing::Unsigned,
                };
                (m, standing, stage)
            })
            .collect())
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

impl MemberChanges {
    /// The values of `o`'s fields, by roster column name, with these
    /// changes applied: what a roster line for it would hold.
    fn applied_to(&self, o: &roster::Organisation) -> std::collections::BTreeMap<&'static str, String> {
        let f = &self.fields;
        let pick = |change: &Option<String>, old: String| change.clone().unwrap_or(old);
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        std::collections::BTreeMap::from([
            ("name", o.name.clone()),
            ("enterprise_number", o.enterprise_number.formatted()),
            ("email", pick(&f.email, o.email.clone())),
            ("language", pick(&f.language, o.language.code().to_owned())),
            ("status", pick(&f.status, o.status.code().to_owned())),
            ("representative", pick(&f.representative, text(&o.representative))),
            ("representative_email", pick(&f.representative_email, text(&o.representative_email))),
            ("address", pick(&f.address, text(&o.address))),
            ("sectors", pick(&f.sectors, o.sectors.join("|"))),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::init;
    use chrono::NaiveDate;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).expect("a day")
    }

    /// A workspace with one organisation, Les Amis du Quartier.
    fn workspace() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = init::Input { dir: dir.path().to_owned(), replay: true, languages: vec![roster::Language::Fr] };
        init::init(&input, day()).expect("a workspace");
        let roster = dir.path().join("roster.csv");
        std::fs::write(&roster, "name,enterprise_number,email\nLes Amis du Quartier,0203.201.340,amis@example.be\n")
            .expect("writes");
        let mut app = App::writer(dir.path(), day()).expect("opens");
        app.import_roster(&roster, false).expect("imports");
        (dir, app)
    }

    #[test]
    fn each_edited_column_names_its_own_field() {
        let mut e = Editable::<String>::default();
        for f in Editable::<String>::FIELDS {
            *e.field_mut(f) = f.to_owned();
        }
        let expected = Editable {
            email: "email".to_owned(),
            language: "language".to_owned(),
            status: "status".to_owned(),
            representative: "representative".to_owned(),
            representative_email: "representative_email".to_owned(),
            address: "address".to_owned(),
            sectors: "sectors".to_owned(),
        };
        assert_eq!(e, expected);
    }

    #[test]
    fn an_edit_is_checked_by_the_roster_rules_each_problem_naming_its_field() {
        let (_dir, mut app) = workspace();
        let before = app.ws.store.head().expect("head").seq;
        let changes = MemberChanges {
            fields: Editable {
                email: Some("Evil <e@x.be>".into()),
                status: Some("friend".into()),
                representative: Some("Marie 😀".into()),
                ..Editable::default()
            },
            ..MemberChanges::default()
        };
        let Err(Error::Input { problems, .. }) = app.edit_member("0203201340", &changes) else {
            panic!("a bad edit is refused with its problems");
        };
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_deref().unwrap_or("")).collect();
        assert_eq!(fields, ["email", "status", "representative"], "{problems:?}");
        assert!(problems.iter().all(|p| p.line.is_none()), "no line in a form: {problems:?}");
        assert!(problems[0].message.contains("plain address"), "{problems:?}");
        assert_eq!(app.ws.store.head().expect("head").seq, before, "nothing journaled");
    }

    #[test]
    fn an_edit_journals_the_changed_fields_and_an_unchanged_one_nothing() {
        let (_dir, mut app) = workspace();
        let changes = MemberChanges {
            fields: Editable {
                email: Some("contact@amis.example.be".into()),
                status: Some("membre".into()),
                sectors: Some("logement | santé".into()),
                ..Editable::default()
            },
            ..MemberChanges::default()
        };
        let edited = app.edit_member("Amis du Quartier", &changes).expect("edits");
        assert_eq!(edited.changed, ["email", "status", "sectors"]);
        let m = &app.members().expect("roster")[0].organisation;
        assert_eq!(m.email, "contact@amis.example.be");
        assert_eq!(m.status, roster::Status::Member);
        assert_eq!(m.sectors, ["logement", "santé"]);
        let last = app.ws.store.entries_about("0203201340").expect("history");
        let entry = last.last().expect("an entry");
        assert_eq!(entry.kind, "organisation-changed");
        assert!(!entry.payload.contains("contact@amis"), "the address is a commitment: {}", entry.payload);
        let seq = app.ws.store.head().expect("head").seq;
        let again = app.edit_member("0203201340", &changes).expect("edits");
        assert!(again.changed.is_empty());
        assert_eq!(app.ws.store.head().expect("head").seq, seq, "nothing journaled when nothing changes");
        // Clearing an optional field, and an address in its ASCII form noted.
        let edited = app
            .edit_member(
                "0203201340",
                &MemberChanges {
                    fields: Editable {
                        representative_email: Some("marie@café.be".into()),
                        sectors: Some(String::new()),
                        ..Editable::default()
                    },
                    ..MemberChanges::default()
                },
            )
            .expect("edits");
        assert_eq!(edited.changed, ["representative_email", "sectors"]);
        assert_eq!(edited.notes.len(), 1, "{:?}", edited.notes);
        let m = &app.members().expect("roster")[0].organisation;
        assert_eq!(m.representative_email.as_deref(), Some("marie@xn--caf-dma.be"));
        assert!(m.sectors.is_empty());
    }
}
