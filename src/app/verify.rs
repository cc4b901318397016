//! Is this sealed document authentic and unaltered? Needs nothing but the
//! file and the coordination's public key; works outside any workspace
//! (a funder's machine).
//!
//! A sealed document is checked as issued (docs/seal.md, section 5). A
//! returned document, signed after the seal, is checked in two parts: the
//! sealed part with the coordination's key, then the signature that follows
//! it with the checks `charte collect` makes on the file alone
//! ([`collect::check_signature`]): both hold, or the verdict names what
//! does not. Who signed is said as far as it was checked, and what was not
//! checked is said plainly:
//! - own key: the signature holds for the key the file carries; that this
//!   key is the organisation's is checked against the signer's key given,
//!   or the workspace's register when run in the coordination's workspace;
//!   otherwise the verdict says it was not checked;
//! - PAdES: the signature's integrity over the whole file; the certificate
//!   chain only against keys/trusted-roots/ of the workspace, if any, and
//!   never revocation: the PDF reader's check is the one to rely on there.
//!
//! After a key rotation (docs/seal.md, "Key rotation") the seal may be by
//! another key than the one given, and still hold ([`SealKey`]): in the
//! coordination's workspace, without --key, a former key its journal
//! knows; anywhere, a successor of the key given, through the rotation
//! statements of the workspace or those the document carries. Never a key
//! older than the one given: trust goes forward only.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use chrono::NaiveDate;
use serde_json::json;
use sha2::{Digest, Sha256};

use ed25519_dalek::VerifyingKey;

use super::keys::{journaled_chain, read_public_key};
use crate::collect::{self, ReturnSignature};
use crate::error::{Error, Result};
use crate::seal::{self, KeyChain, Manifest};
use crate::workspace::Workspace;

/// What to verify, against what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// A sealed document (PDF), as issued or returned signed.
    pub file: PathBuf,
    /// The coordination's public key; `None`: keys/coordination.pub of the
    /// folder verify runs in.
    pub key: Option<PathBuf>,
    /// For a document signed with the organisation's own key: that
    /// organisation's public key, to check who signed; `None`: the key
    /// registered in the workspace, if verify runs in one.
    pub signer_key: Option<PathBuf>,
}

/// What a verification found.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Sealed, and unaltered since: the document as issued.
    AsIssued(seal::Verdict),
    /// Sealed, then signed after the seal: both hold.
    Signed { sealed: seal::Verdict, signature: Signature },
    /// A key rotation statement (docs/seal.md, section 8) signed by the
    /// key given: that key names its successor.
    Rotation(Box<seal::Rotation>),
    /// Not authentic: why, in words.
    NotAuthentic { reason: String },
}

/// A signature that holds, said for a person.
#[derive(Debug, Clone)]
pub struct Signature {
    /// "X (how) on DATE".
    pub by: String,
    /// What was checked, one sentence each.
    pub checked: Vec<String>,
    /// What was not, and where to check it.
    pub not_checked: Vec<String>,
    /// The signature as `charte verify --json` describes it (DESIGN.md).
    pub json: serde_json::Value,
}

/// The key that sealed the document, when it is not the one given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealKey {
    /// The key given (without --key: the workspace's keys/coordination.pub).
    Given,
    /// A former key of the coordination whose workspace verify runs in,
    /// retired on `retired` for the key that followed; `current` is the
    /// coordination's key now.
    Former { fingerprint: String, retired: NaiveDate, current: String },
    /// A successor of the key given (`anchor`), through the rotations of
    /// `dates`, whose statements the document carries (`carried`) or the
    /// workspace holds.
    Successor { fingerprint: String, anchor: String, dates: Vec<NaiveDate>, carried: bool },
}

impl SealKey {
    /// One sentence for a person, when the key is not the one given.
    pub fn sentence(&self) -> Option<String> {
        match self {
            SealKey::Given => None,
            SealKey::Former { fingerprint, retired, current } => Some(format!(
                "sealed with the coordination's former key {fingerprint}, retired on {retired}; the current key is \
                 {current}"
            )),
            SealKey::Successor { fingerprint, anchor, dates, carried } => {
                let dates: Vec<String> = dates.iter().map(ToString::to_string).collect();
                Some(format!(
                    "sealed with key {fingerprint}, the successor of the key given ({anchor}) through the rotation \
                     statement{} of {} signed by the key{} before, {}",
                    if dates.len() > 1 { "s" } else { "" },
                    dates.join(", "),
                    if dates.len() > 1 { "s" } else { "" },
                    if *carried { "carried in the document" } else { "in this workspace's keys/rotations/" }
                ))
            }
        }
    }

    /// As `charte verify --json` says it.
    pub fn json(&self, given: &str) -> serde_json::Value {
        match self {
            SealKey::Given => json!({"fingerprint": given, "trusted_as": "given"}),
            SealKey::Former { fingerprint, retired, current } => json!({
                "fingerprint": fingerprint, "trusted_as": "former", "retired": retired.to_string(), "current": current,
            }),
            SealKey::Successor { fingerprint, anchor, dates, carried } => json!({
                "fingerprint": fingerprint, "trusted_as": "successor", "anchor": anchor,
                "rotations": dates.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "chain": if *carried { "document" } else { "workspace" },
            }),
        }
    }
}

/// A verdict, the key that sealed, and what reading the workspace's
/// charte.toml noted on the way (when the register was looked up).
#[derive(Debug, Clone)]
pub struct Verified {
    pub verdict: Verdict,
    pub key: SealKey,
    pub notes: Vec<String>,
}

/// Verifies `input.file`, run in folder `dir` (the coordination's
/// workspace, or any folder) on `today`.
pub fn verify(dir: &Path, today: NaiveDate, input: &Input) -> Result<Verified> {
    let key_path = input.key.clone().unwrap_or_else(|| dir.join("keys").join(super::keys::COORDINATION_PUB));
    let given = read_public_key(&key_path)
        .map_err(|e| Error::usage(format!("{e} (give the coordination's public key with --key FILE.pub)")))?;
    let bytes = crate::error::read_bounded(&input.file, crate::error::MAX_DOCUMENT_BYTES, "a charte document")?;
    // The coordination's workspace, when verify runs in one: its journal
    // knows the former keys, its register the organisations' keys.
    let ws = if dir.join(crate::workspace::DB_FILE).is_file() { Workspace::open(dir, today).ok() } else { None };
    if bytes.starts_with(b"{") {
        // In the workspace, without --key, its own statements are checked
        // with the former key that signed them, which its journal knows.
        let own = match (&ws, input.key.is_none()) {
            (Some(ws), true) => journaled_chain(ws).ok().flatten(),
            _ => None,
        };
        return Ok(Verified {
            verdict: statement(&input.file, &bytes, &given, own.as_ref()),
            key: SealKey::Given,
            notes: Vec::new(),
        });
    }
    let mut notes = Vec::new();
    let not_authentic = |reason: String, notes: Vec<String>| {
        Ok(Verified { verdict: Verdict::NotAuthentic { reason }, key: SealKey::Given, notes })
    };
    let chosen = match sealing_key(ws.as_ref(), input.key.is_none(), &given, &bytes) {
        Ok(chosen) => chosen,
        Err(reason) => return not_authentic(reason, notes),
    };
    let verdict = match seal::verify_sealed_part(&bytes, &chosen.key) {
        Ok(verdict) => verdict,
        Err(e) => return not_authentic(e.to_string(), notes),
    };
    if let Some(reason) = chosen.sealed_after_retirement(&verdict.manifest) {
        return not_authentic(reason, notes);
    }
    let key = chosen.said;
    if verdict.sealed_len == bytes.len() {
        return Ok(Verified { verdict: Verdict::AsIssued(verdict), key, notes });
    }

    // Something follows the seal: the organisation's signature, or a change.
    let m = &verdict.manifest;
    let sealed_len = verdict.sealed_len;
    let sealed_sha256 = hex::encode(Sha256::digest(&bytes[..sealed_len]));
    let roots = collect::trusted_roots(dir)?;
    let sealing = chosen.key;
    let signed = match collect::check_signature(&bytes, sealed_len, m, &sealed_sha256, &roots) {
        Ok(ReturnSignature::Web(sig)) => web(&sig, ws.as_ref(), &given, &sealing, m),
        Ok(ReturnSignature::OwnKey(sig)) => {
            let register = Register { ws: ws.as_ref(), notes: &mut notes };
            own_key(&sig, m, input.signer_key.as_deref(), register)
        }
        Ok(ReturnSignature::Pades(v)) => Ok(pades(&v)),
        Err(reason) => Err(format!(
            "the sealed part is authentic ({} as issued), but the {} bytes that follow the seal are not a valid \
             signature: {reason}. The document was changed after it was sealed, or its signature was altered",
            m.document_id,
            bytes.len() - sealed_len
        )),
    };
    match signed {
        Ok(signature) => Ok(Verified { verdict: Verdict::Signed { sealed: verdict, signature }, key, notes }),
        Err(reason) => not_authentic(reason, notes),
    }
}

/// A key rotation statement, checked with the key it must retire: the one
/// the verifier trusts. Trust goes forward only, so a statement is never
/// checked with the key it names.
fn statement(file: &Path, bytes: &[u8], given: &VerifyingKey, own: Option<&KeyChain>) -> Verdict {
    let rotation = match seal::Rotation::read(&file.display().to_string(), bytes) {
        Ok(rotation) => rotation,
        Err(e) => return Verdict::NotAuthentic { reason: e.to_string() },
    };
    // The workspace's own chain: a statement it journaled, by a key it
    // retired (the statement's signature was checked by Rotation::read).
    if own.is_some_and(|chain| chain.links().iter().any(|r| r.bytes == rotation.bytes)) {
        return Verdict::Rotation(Box::new(rotation));
    }
    if rotation.previous != *given {
        let named = if rotation.next == *given { " (it names the key given as the successor)" } else { "" };
        return Verdict::NotAuthentic {
            reason: format!(
                "the statement is signed by key {}, not by the key given ({}){named}: a rotation statement is \
                 trusted through the key it retires; check it with that key (keys/retired/{}.pub)",
                rotation.previous_fingerprint(),
                seal::fingerprint(given),
                rotation.previous_fingerprint()
            ),
        };
    }
    Verdict::Rotation(Box::new(rotation))
}

/// The key to verify a document with, and why it is trusted.
struct Chosen {
    key: VerifyingKey,
    said: SealKey,
    /// When and by which statement the coordination retired that key, if
    /// its workspace's journal says so.
    retired: Option<(NaiveDate, String)>,
}

impl Chosen {
    /// A retired key never seals again: a seal dated after the key's
    /// retirement is not the coordination's.
    fn sealed_after_retirement(&self, m: &Manifest) -> Option<String> {
        let (retired, statement) = self.retired.as_ref()?;
        let issued = m.issued_date()?;
        (issued > *retired).then(|| {
            format!(
                "sealed with key {} on {issued}, after the coordination retired that key on {retired} ({statement}): \
                 charte never seals with a retired key, so this seal is not the coordination's",
                seal::fingerprint(&self.key)
            )
        })
    }
}

/// Which key to verify `file` with: the key `given`; in the coordination's
/// workspace `ws` and without --key (`own_keys`), a former key its
/// journal knows; or a successor of `given` through the rotation
/// statements of `ws` or those the document carries. A seal by a key
/// older than `given` is refused, saying so: trust goes forward only.
/// Anything else is left to the seal's own check (with `given`), which
/// says whose key it is not.
fn sealing_key(
    ws: Option<&Workspace>,
    own_keys: bool,
    given: &VerifyingKey,
    file: &[u8],
) -> std::result::Result<Chosen, String> {
    let fp = seal::fingerprint;
    let as_given = |retired| Chosen { key: *given, said: SealKey::Given, retired };
    let Ok((key, manifest)) = seal::embedded_seal(file) else { return Ok(as_given(None)) };
    let own = match ws {
        Some(ws) => journaled_chain(ws).map_err(|e| e.to_string())?,
        None => None,
    };
    let retired = own.as_ref().and_then(|c| c.retirement(&key)).map(|r| (r.date, r.name.clone()));
    if key == *given {
        return Ok(as_given(retired));
    }
    if own_keys
        && let Some(chain) = &own
        && let Some((date, _)) = &retired
    {
        let said = SealKey::Former { fingerprint: fp(&key), retired: *date, current: fp(&chain.current()) };
        return Ok(Chosen { key, said, retired });
    }
    let carried = KeyChain::from_manifest(&manifest).map_err(|e| e.to_string())?;
    for (chain, carried) in [(&own, false), (&carried, true)] {
        if let Some(links) = chain.as_ref().and_then(|c| c.path(given, &key)) {
            let dates = links.iter().map(|r| r.date).collect();
            let said = SealKey::Successor { fingerprint: fp(&key), anchor: fp(given), dates, carried };
            return Ok(Chosen { key, said, retired });
        }
    }
    let older = [&own, &carried].into_iter().flatten().find_map(|c| c.path(&key, given)?.first());
    if let Some(r) = older {
        return Err(format!(
            "sealed with key {}, a former key of the coordination (retired on {}), not with the key given ({}), \
             which came after it: trust goes forward only, a key vouches for its successor, never for the key \
             before it. Verify this document with the former key {} (keys/retired/{}.pub of the coordination), or \
             with `charte verify` in the coordination's workspace",
            fp(&key),
            r.date,
            fp(given),
            fp(&key),
            fp(&key)
        ));
    }
    Ok(as_given(None))
}

/// Where the organisations' registered keys may be: the coordination's
/// workspace, when verify runs in one (its charte.toml's notes kept when
/// the register is looked up).
struct Register<'a> {
    ws: Option<&'a Workspace>,
    notes: &'a mut Vec<String>,
}

impl Register<'_> {
    /// The organisation's registered key (base64), when verify runs in the
    /// coordination's workspace and the document names an organisation of
    /// its roster; `None` elsewhere (a funder's machine, any other folder).
    fn key(self, m: &Manifest) -> Option<String> {
        let ws = self.ws?;
        let number = crate::roster::EnterpriseNumber::parse(m.enterprise_number.as_deref()?).ok()?;
        self.notes.extend(ws.config.notes.iter().cloned());
        ws.store.member(&number).ok()??.public_key
    }
}

/// The own-key signature holds for the key it carries; whose key that is
/// is checked against `signer_key`, else the workspace's register, else
/// said to be unchecked. A key that is not the expected one is a failure.
///
/// (Keys are read through [`read_public_key`], bounded: a key path a user
/// gives may be anything, /dev/zero included.)
fn own_key(
    sig: &collect::signature::SignatureFile,
    m: &Manifest,
    signer_key: Option<&Path>,
    register: Register<'_>,
) -> std::result::Result<Signature, String> {
    let fp = &sig.statement.key_fingerprint;
    let org = m.organisation.clone().unwrap_or_else(|| "the organisation".into());
    let expected = match signer_key {
        Some(path) => {
            let key = read_public_key(path).map_err(|e| format!("--signer-key: {e}"))?;
            let b64 = base64::engine::general_purpose::STANDARD.encode(key.as_bytes());
            Some((b64, format!("the key given with --signer-key ({})", seal::fingerprint(&key))))
        }
        None => register.key(m).map(|key| (key, format!("the key registered for {org} in this workspace"))),
    };
    let mut checked = vec![format!(
        "the signature of {} with key {fp}, dated {}, covers the whole sealed document as issued",
        m.document_id, sig.statement.signed
    )];
    let mut not_checked = Vec::new();
    let by = match &expected {
        Some((key, source)) if *key == sig.public_key => {
            checked.push(format!("key {fp} is {source}"));
            format!("{org} (own key {fp}) on {}", sig.statement.signed)
        }
        Some((_, source)) => {
            return Err(format!(
                "the document was signed with key {fp}, which is not {source}: someone else signed it"
            ));
        }
        None => {
            not_checked.push(format!(
                "whether key {fp} is the one {org} registered with the coordination: ask the coordination for the \
                 fingerprint of the key it registered (charte members set-key prints it), or give the organisation's \
                 public key with --signer-key"
            ));
            format!("the holder of key {fp} (own key; for {org}) on {}", sig.statement.signed)
        }
    };
    let json = json!({
        "method": "own-key",
        "key_fingerprint": fp,
        "signed": sig.statement.signed,
        "key_checked": expected.is_some(),
        "checked": checked,
        "not_checked": not_checked,
    });
    Ok(Signature { by, checked, not_checked, json })
}

/// A web signature: the record holds (checked by [`seal::check_web`]);
/// its key must be the coordination's: the key given, the key that sealed
/// the document, or a successor of the key given through the rotation
/// statements of the workspace (whose current key it may be) or those the
/// document carries.
fn web(
    sig: &seal::WebSignature,
    ws: Option<&Workspace>,
    given: &VerifyingKey,
    sealing: &VerifyingKey,
    m: &Manifest,
) -> std::result::Result<Signature, String> {
    let r = &sig.record;
    let own = ws.and_then(|ws| journaled_chain(ws).ok().flatten());
    let carried = KeyChain::from_manifest(m).ok().flatten();
    let through_chain =
        [&own, &carried].into_iter().flatten().any(|c| c.path(given, &sig.key).is_some() || c.current() == sig.key);
    if sig.key != *given && sig.key != *sealing && !through_chain {
        return Err(format!(
            "the sealed part is authentic ({} as issued), but its web signature's record is signed by key {}, not \
             by the coordination's key {}: a record made by someone else",
            m.document_id,
            r.key_fingerprint,
            seal::fingerprint(given)
        ));
    }
    let by = format!(
        "{} ({}) on the signing page on {}, the code mailed to {}; the coordination vouches for it (key {})",
        r.signer, r.capacity, r.signed_at, r.email, r.key_fingerprint
    );
    let checked = vec![
        format!(
            "the coordination's key {} signed the record of this web signature (a simple electronic signature: a \
             name typed and a code mailed to {}), which names this very document as issued",
            r.key_fingerprint, r.email
        ),
        format!(
            "{} declared being mandated by {} to sign, in the capacity of {}",
            r.signer, r.organisation, r.capacity
        ),
        "nothing follows the web signature".to_owned(),
    ];
    let not_checked = vec![
        "the signer's identity beyond the code mailed to the organisation's address: the coordination's journal \
         keeps the rest of the evidence (time, IP address, browser)"
            .to_owned(),
    ];
    let json = json!({
        "method": "web",
        "signer": r.signer,
        "capacity": r.capacity,
        "mandate": r.mandate,
        "email": r.email,
        "signed_at": r.signed_at,
        "key_fingerprint": r.key_fingerprint,
        "record_sha256": sig.record_sha256(),
        "checked": checked,
        "not_checked": not_checked,
    });
    Ok(Signature { by, checked, not_checked, json })
}

fn pades(v: &collect::pades::PadesVerdict) -> Signature {
    let serial = v.signer_serial.as_deref().map(|s| format!(", serial {s}")).unwrap_or_default();
    let when = v.signing_time.as_deref().unwrap_or("a date the signature does not give");
    let by = format!("{} (PAdES, certificate of {}{serial}) on {when}", v.signer_name, v.signer_name);
    let checked = vec![
        format!(
            "the PDF signature ({}) holds over the whole file, which begins with the sealed document as issued",
            v.digest_algorithm
        ),
        "the signing update changes nothing of the issued document a reader displays".to_owned(),
    ];
    let mut not_checked = vec![
        "revocation of the certificate, and the signing time (it comes from the signer's computer): the PDF \
         reader shows both"
            .to_owned(),
    ];
    if !v.chain_validated {
        not_checked.push(v.chain_note.clone());
    }
    let json = json!({
        "method": "pades",
        "signer": v.signer_name,
        "signer_serial": v.signer_serial,
        "certificate_sha256": v.certificate_sha256,
        "signing_time": v.signing_time,
        "chain_validated": v.chain_validated,
        "checked": checked,
        "not_checked": not_checked,
    });
    let mut checked = checked;
    if v.chain_validated {
        checked.push(v.chain_note.clone());
    }
    Signature { by, checked, not_checked, json }
}
