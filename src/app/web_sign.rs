//! A web signature (DESIGN.md, "The web application"; docs/seal.md, "The
//! web signature"): the organisation's representative typed the right
//! code on the signing page, and the server calls
//! [`App::sign_on_the_web`]. The action writes the signed PDF (the issued
//! bytes, then the record of the signature signed by the coordination's
//! key) and records it as `charte collect` records any return
//! (super::collect::record: the same file again is known, one adherence
//! per organisation and charter version, another valid return a
//! `duplicate`, the status by the rules), with the method `web`. The
//! address the code went to, the IP address and the user agent enter the
//! journal only as salted commitments (crate::journal::personal).

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::App;
use super::collect::{What, record};
use crate::collect::{self, Outcome, Register};
use crate::documents::{DocumentKind, IssuedDocument};
use crate::error::{Error, MAX_DOCUMENT_BYTES, Result};
use crate::journal::personal::Kind;
use crate::roster::{EnterpriseNumber, Status};
use crate::seal::WebRecord;

/// The longest name or capacity a signer may type.
const MAX_TYPED: usize = 200;

/// What the signing page gathered, once the right code was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSigning {
    /// The organisation the signing link is bound to (any spelling).
    pub enterprise_number: String,
    /// The document the link is bound to.
    pub document_id: String,
    /// The name typed in `signer`.
    pub signer: String,
    /// The capacity typed in `capacity`.
    pub capacity: String,
    /// Whether `mandate` was ticked ("I am mandated by … to sign").
    pub mandate: bool,
    /// The address the code was mailed to.
    pub email: String,
    /// The visitor's IP address.
    pub ip_address: String,
    /// The visitor's browser's user agent.
    pub user_agent: String,
    /// When the right code was typed.
    pub at: DateTime<Utc>,
}

/// What a web signature did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSigned {
    /// The signed PDF, under out/signed/ (for the confirmation mail).
    pub path: PathBuf,
    /// The record the coordination signed.
    pub record: WebRecord,
    /// The sha256 of the record file (its first 16 digits name the PDF).
    pub record_sha256: String,
    /// What it proved: accepted (counted), a duplicate of an adherence
    /// already counted, or the very same file recorded before.
    pub what: What,
}

impl WebSigned {
    /// The status the signature gave (a participant becomes a member), if any.
    pub fn new_status(&self) -> Option<Status> {
        match &self.what {
            What::Accepted { new_status, .. } => *new_status,
            _ => None,
        }
    }
}

/// A web signature made and checked, not yet recorded: the signed PDF
/// staged beside its place, the return examined as `collect` examines
/// one. [`Prepared::record`] records it inside a write transaction (the
/// one in which the signing page's code is checked and its link used).
#[derive(Debug)]
pub struct Prepared {
    number: EnterpriseNumber,
    organisation: String,
    doc: IssuedDocument,
    version: String,
    adherence: Box<crate::collect::Adherence>,
    email: String,
    ip_address: String,
    user_agent: String,
    path: PathBuf,
    relative: String,
    file_sha256: String,
    staged: crate::error::Staged,
    record: WebRecord,
    record_sha256: String,
}

impl App {
    /// Records a web signature of the document `input` names (the action
    /// the signing page calls after the right code): the document must be
    /// the organisation's current adherence document, not superseded, and
    /// the code must have gone to the organisation's registered address.
    pub fn sign_on_the_web(&mut self, input: &WebSigning) -> Result<WebSigned> {
        let prepared = self.prepare_web_signature(input)?;
        self.ws.store.transaction(self.today, |tx| prepared.record(tx))
    }

    /// Everything of [`App::sign_on_the_web`] before its transaction: the
    /// input checked, the signed PDF made, examined and staged.
    pub fn prepare_web_signature(&self, input: &WebSigning) -> Result<Prepared> {
        let number = EnterpriseNumber::parse(&input.enterprise_number).map_err(Error::usage)?;
        let signer = typed("signer", &input.signer)?;
        let capacity = typed("capacity", &input.capacity)?;
        if !input.mandate {
            return Err(Error::usage("the signer must declare being mandated by the organisation (mandate)"));
        }
        let version = self.ws.config.charter.version.clone();
        let member = self
            .ws
            .store
            .member(&number)?
            .ok_or_else(|| Error::not_found(format!("no organisation {number} on the roster")))?;
        if !Kind::Email.matches(&member.organisation.email, &input.email) {
            return Err(Error::usage(format!(
                "the code must go to the address registered for {}, not to another one",
                member.organisation.name
            )));
        }
        let documents = self.ws.store.documents()?;
        let doc = documents
            .iter()
            .find(|d| d.document_id == input.document_id)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("no document {} was issued", input.document_id)))?;
        let issued_path = self.ws.root.join(&doc.file);
        let sealed = crate::error::read_bounded(&issued_path, MAX_DOCUMENT_BYTES, "an issued document")?;
        if hex::encode(Sha256::digest(&sealed)) != doc.sealed_sha256 {
            return Err(Error::CheckFailed(format!(
                "{}: the file is no longer the document issued as {} (its sha256 differs from the journal's)",
                doc.file, doc.document_id
            )));
        }
        let current = documents.iter().rfind(|d| {
            d.kind == DocumentKind::Adherence && d.enterprise_number == number.digits() && d.charter_version == version
        });
        refuse_unless_current(&doc, number.digits(), current, &version)?;
        let manifest = crate::seal::read_manifest(&sealed).map_err(|e| Error::CheckFailed(e.to_string()))?;
        let record_in = WebRecord::new(&manifest, &signer, &capacity, input.email.trim(), input.at);
        let (pdf, web) = self.sealer()?.sign_web(&sealed, &record_in).map_err(Error::internal)?;
        let file_sha256 = hex::encode(Sha256::digest(&pdf));

        // The signed file examined as any return is: the sealed part against
        // the journal, the web signature with the coordination's keys.
        let (coordination_key, former_keys) = super::keys::trusted_keys(&self.ws)?;
        let issued = [doc.clone()];
        let members = [member.clone()];
        let known = HashMap::new();
        let register = Register::new(&coordination_key, &issued, &members, &known, &[]).with_former_keys(&former_keys);
        let outcome = collect::examine(&pdf, &file_sha256, &register);
        let Outcome::Accepted(adherence) = outcome else {
            return Err(Error::internal(format!("the web-signed file does not verify: {outcome:?}")));
        };

        let dir = self.ws.out_folder("signed")?;
        let record_sha256 = web.record_sha256();
        let name = format!("{}-web-{}.pdf", doc.document_id, &record_sha256[..16]);
        let path = dir.join(&name);
        let staged = crate::error::stage(&path, &pdf)?;
        Ok(Prepared {
            number,
            organisation: member.organisation.name.clone(),
            doc,
            version,
            adherence,
            email: input.email.trim().to_owned(),
            ip_address: input.ip_address.clone(),
            user_agent: input.user_agent.clone(),
            path,
            relative: format!("out/signed/{name}"),
            file_sha256,
            staged,
            record: web.record,
            record_sha256,
        })
    }
}

impl Prepared {
    /// The document this signature is of.
    pub fn document_id(&self) -> &str {
        &self.doc.document_id
    }

    /// The address the record names (the one the code went to).
    pub fn email(&self) -> &str {
        &self.email
    }

    /// Records it in `tx`: decided again under the write lock (the document
    /// is still the organisation's current one: a newer document, or a new
    /// charter version, supersedes it), journaled through collect's one
    /// recording path, the signed PDF put in place.
    pub fn record(self, tx: &mut crate::journal::Tx<'_>) -> Result<WebSigned> {
        let Prepared {
            number,
            organisation,
            doc,
            version,
            mut adherence,
            email,
            ip_address,
            user_agent,
            path,
            relative,
            file_sha256,
            staged,
            record: web_record,
            record_sha256,
        } = self;
        let current = tx.documents_of(number.digits(), &version)?.into_iter().next_back();
        refuse_unless_current(&doc, number.digits(), current.as_ref(), &version)?;
        if let Some(details) = adherence.details.as_object_mut() {
            details.insert("email".into(), tx.personal(Kind::Email, &email)?.as_str().into());
            details.insert("ip_address".into(), tx.personal(Kind::IpAddress, &ip_address)?.as_str().into());
            details.insert("user_agent".into(), tx.personal(Kind::UserAgent, &user_agent)?.as_str().into());
        }
        let what =
            record(tx, &version, |_| Some(organisation.clone()), &relative, file_sha256, Outcome::Accepted(adherence))?;
        staged.place_new(&path)?;
        Ok(WebSigned { path, record: web_record, record_sha256, what })
    }
}

/// A name or capacity as typed: trimmed, not empty, printable, not too long.
fn typed(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::usage(format!("{field} is empty")));
    }
    if value.chars().count() > MAX_TYPED || value.chars().any(char::is_control) {
        return Err(Error::usage(format!("{field} must be one line of at most {MAX_TYPED} characters")));
    }
    Ok(value.to_owned())
}

/// Refuses a document that is not `current`, the latest adherence
/// document of the organisation (`digits`) for the charter `version`.
fn refuse_unless_current(
    doc: &IssuedDocument,
    digits: &str,
    current: Option<&IssuedDocument>,
    version: &str,
) -> Result<()> {
    if doc.kind != DocumentKind::Adherence || doc.enterprise_number != digits {
        return Err(Error::usage(format!("{} is not this organisation's adherence document", doc.document_id)));
    }
    if doc.charter_version != version {
        return Err(Error::usage(format!(
            "{} is for charter {}, superseded by charter {version}",
            doc.document_id, doc.charter_version
        )));
    }
    match current {
        Some(c) if c.document_id == doc.document_id => Ok(()),
        Some(c) => Err(Error::usage(format!("{} is superseded by {}", doc.document_id, c.document_id))),
        None => Err(Error::usage(format!("{} is not the organisation's document", doc.document_id))),
    }
}

impl App {
    /// Mails the signed PDF of `signed` to the organisation's registered
    /// address (FR or NL, its language), at once, through the configured
    /// transport: the confirmation DESIGN.md's signing flow ends with. The
    /// signature is recorded whatever becomes of this mail; a failure is
    /// returned for the caller to log.
    pub fn mail_signed_copy(&mut self, signed: &WebSigned, now: DateTime<Utc>) -> Result<()> {
        let number = EnterpriseNumber::parse(&signed.record.enterprise_number).map_err(Error::usage)?;
        let member = self
            .ws
            .store
            .member(&number)?
            .ok_or_else(|| Error::not_found(format!("no organisation {number} on the roster")))?;
        let o = &member.organisation;
        let lang = o.language;
        let mail = self.ws.mail()?;
        let envelope = crate::governance::convoke::envelope(&mail)?;
        let templates = self.ws.mail_templates()?;
        let signed_at = signed.record.signed_at().map_or(self.today, |d| d.date_naive());
        let config = &self.ws.config;
        let data = serde_json::json!({
            "lang": lang.code(),
            "network": config.coordination.name(lang),
            "organiser": config.coordination.organiser(lang),
            "recipient": o.name,
            "signer": signed.record.signer,
            "capacity": signed.record.capacity,
            "document": signed.record.document_id,
            "date": crate::mail::long_date(signed_at, lang),
        });
        let rendered = templates
            .render("signed", lang, &data)
            .map_err(|e| Error::usage(format!("mail template 'signed': {e}")))?;
        let bytes = crate::error::read_bounded(&signed.path, MAX_DOCUMENT_BYTES, "the signed document")?;
        let filename = signed.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let letter = crate::delivery::Letter {
            envelope: &envelope,
            rendered: &rendered,
            date: now,
            id: format!("signed.{}.{}", signed.record.document_id, &signed.record_sha256[..16]),
            purpose: "signed",
            about: &signed.record.document_id,
        };
        let attachment = crate::mail::Attachment { filename, content_type: "application/pdf".into(), bytes };
        let planned = crate::delivery::to_registered_address_with(o, &letter, &|_| {
            Ok(crate::delivery::Parts { attachments: vec![attachment.clone()], ..Default::default() })
        })?
        .into_iter()
        .collect::<Vec<_>>();
        let mut sender = self.sender()?;
        let report = sender.deliver(&mut self.ws.store, self.today, &planned, &|| {})?;
        sender.close();
        if let Some((_, reason)) = report.bounced.first() {
            return Err(Error::usage(format!(
                "the confirmation was refused by the organisation's mail server: {reason}"
            )));
        }
        Ok(())
    }
}
