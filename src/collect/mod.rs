//! Returned documents: what an association sends back, checked against the
//! document charte issued. Three ways back (DESIGN.md): signed with the
//! organisation's own registered key ([`signature`]), signed in a PDF
//! reader (PAdES, e.g. a Belgian eID), or a paper signature scanned and
//! attested by the coordinator.
//!
//! [`check_signature`] checks the signature a returned file adds after its
//! sealed part, with nothing but the file: `charte collect` (which then
//! compares the signer with the register) and `charte verify` (which says
//! what it could and could not check) share it, so a file one accepts the
//! other never calls altered.
//!
//! One adherence per organisation and charter version: [`examine`] only
//! says whether a file is valid proof; whether it is new, the same file
//! again ("already known") or another valid return of an adherence already
//! counted (a `duplicate`, journaled and counted nowhere) is decided by the
//! caller inside the write transaction.
//!
//! A valid return is not always proof enough by itself (DESIGN.md): a
//! scan, and a PAdES signature whose certificate chain does not reach a
//! root in keys/trusted-roots/ ([`trusted_roots`]) or whose signer is not
//! the organisation's representative ([`same_person`]), is
//! [`Outcome::Pending`]: it waits for the coordinator's confirmation
//! (`charte returns`) and counts for nothing until then. Anyone can make a
//! certificate in any name; only a chain to a trusted root says who issued
//! it, and only the representative speaks for the organisation.

pub mod pades;
pub mod reply;
mod returns;
pub mod signature;

pub use pades::{same_person, trusted_roots};
pub use returns::{Adherence, KnownReturn, PendingReturn, ReturnState};

use std::collections::HashMap;

use ed25519_dalek::VerifyingKey;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::documents::IssuedDocument;
use crate::roster::{Member, Status};

/// What became of one returned file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Accepted(Box<Adherence>),
    /// A valid return that is not proof enough by itself: it waits for the
    /// coordinator's confirmation, and `reason` says why, in plain words.
    Pending {
        adherence: Box<Adherence>,
        reason: String,
    },
    /// This very file was collected before.
    AlreadyKnown {
        document_id: String,
    },
    Refused {
        /// What kind of refusal, for the answer the organisation gets.
        why: Why,
        /// In plain words, for the coordinator (English, as the command
        /// line speaks).
        reason: String,
    },
}

/// Why a returned file is refused, as the organisation is told (the
/// answer to a refused reply, crate::app::mailbox): each kind with its
/// explanation and what to do, in French and Dutch ([`Why::explain`]).
/// The coordinator reads the refusal's own words (`reason`), which say
/// more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Not a document this coordination issued (no seal of its key, a
    /// document id it never issued, a web record signed by another key).
    NotOurs,
    /// The document issued, changed after it was sealed.
    Altered,
    /// Signed, but the signature does not hold (forged, about another
    /// document, not readable).
    BadSignature,
    /// Signed by someone else than the organisation (another key than
    /// the one it registered, another organisation's).
    OtherSigner,
    /// Signed with a key, but the organisation has none registered: the
    /// coordination must register it (`charte members set-key`).
    NoKey,
    /// More than a returned document may be.
    TooLarge,
    /// Not a PDF or an image, or a PDF with active content, or empty.
    NotADocument,
    /// No adherence document was issued to the organisation for the
    /// charter in force (yet).
    NotIssued,
    /// Refused for a reason only the coordinator can act on (the
    /// organisation left the roster, a command's option): no answer.
    Other,
}

impl Why {
    /// The code journaled with a refused message (`mail-read`).
    pub fn code(self) -> &'static str {
        match self {
            Why::NotOurs => "not-ours",
            Why::Altered => "altered",
            Why::BadSignature => "bad-signature",
            Why::OtherSigner => "other-signer",
            Why::NoKey => "no-key",
            Why::TooLarge => "too-large",
            Why::NotADocument => "not-a-document",
            Why::NotIssued => "not-issued",
            Why::Other => "other",
        }
    }

    /// Every kind, in the order they are checked for.
    pub const ALL: [Why; 9] = [
        Why::NotOurs,
        Why::Altered,
        Why::BadSignature,
        Why::OtherSigner,
        Why::NoKey,
        Why::TooLarge,
        Why::NotADocument,
        Why::NotIssued,
        Why::Other,
    ];

    pub fn parse(code: &str) -> Option<Why> {
        Why::ALL.into_iter().find(|w| w.code() == code)
    }

    /// Whether the organisation is told: not for a refusal only the
    /// coordinator can act on.
    pub fn answered(self) -> bool {
        self != Why::Other
    }

    /// Why, and what to do, in the organisation's language: two
    /// sentences for a social worker who signed a document.
    pub fn explain(self, lang: crate::roster::Language) -> (&'static str, &'static str) {
        use crate::roster::Language::{Fr, Nl};
        match (self, lang) {
            (Why::NotOurs, Fr) => (
                "Le document que vous nous avez envoyé n'est pas celui que la coordination vous a adressé : \
                 il ne porte pas son sceau, ou elle ne l'a jamais émis.",
                "Signez le document PDF joint à notre courriel d'adhésion (ou celui de votre page de \
                 signature), puis renvoyez-le en réponse à ce courriel d'adhésion.",
            ),
            (Why::NotOurs, Nl) => (
                "Het document dat u ons stuurde, is niet het document dat de coördinatie u bezorgde: het \
                 draagt haar zegel niet, of ze heeft het nooit uitgegeven.",
                "Onderteken het PDF-document uit onze e-mail over de toetreding (of dat van uw \
                 ondertekeningspagina) en stuur het terug als antwoord op die e-mail.",
            ),
            (Why::Altered, Fr) => (
                "Le document a été modifié après que la coordination l'a scellé (une page changée, un texte \
                 ajouté, un nouvel enregistrement du fichier), et la coordination ne peut plus le reconnaître.",
                "Signez le fichier d'origine tel que vous l'avez reçu, sans le modifier ni l'imprimer en PDF ; \
                 ou signez-le sur papier et renvoyez-en un scan depuis l'adresse de votre organisation.",
            ),
            (Why::Altered, Nl) => (
                "Het document werd gewijzigd nadat de coördinatie het verzegelde (een gewijzigde pagina, \
                 toegevoegde tekst, het bestand opnieuw opgeslagen), zodat de coördinatie het niet meer herkent.",
                "Onderteken het oorspronkelijke bestand zoals u het ontving, zonder het te wijzigen of als PDF \
                 af te drukken; of onderteken het op papier en stuur een scan vanaf het adres van uw organisatie.",
            ),
            (Why::BadSignature, Fr) => (
                "La signature ajoutée au document ne peut pas être vérifiée : elle ne correspond pas au \
                 document, ou le fichier a été modifié après la signature.",
                "Signez à nouveau le fichier d'origine (avec votre carte d'identité électronique ou sur votre \
                 page de signature) et renvoyez-le sans le modifier.",
            ),
            (Why::BadSignature, Nl) => (
                "De handtekening op het document kan niet worden gecontroleerd: ze hoort niet bij het document, \
                 of het bestand werd na de ondertekening gewijzigd.",
                "Onderteken het oorspronkelijke bestand opnieuw (met uw elektronische identiteitskaart of op \
                 uw ondertekeningspagina) en stuur het ongewijzigd terug.",
            ),
            (Why::OtherSigner, Fr) => (
                "Le document est signé par quelqu'un d'autre que votre organisation : la clé ou le certificat \
                 utilisé n'est pas celui que la coordination a enregistré pour vous.",
                "Faites signer le document par la personne qui représente votre organisation, ou contactez la \
                 coordination si votre représentant a changé.",
            ),
            (Why::OtherSigner, Nl) => (
                "Het document is ondertekend door iemand anders dan uw organisatie: de gebruikte sleutel of \
                 het certificaat is niet wat de coördinatie voor u registreerde.",
                "Laat het document ondertekenen door de persoon die uw organisatie vertegenwoordigt, of neem \
                 contact op met de coördinatie als uw vertegenwoordiger veranderd is.",
            ),
            (Why::NoKey, Fr) => (
                "Le document est signé avec une clé de signature que la coordination n'a pas encore \
                 enregistrée pour votre organisation.",
                "Envoyez à la coordination la clé publique de votre organisation (le fichier .pub), ou \
                 contactez-la : elle l'enregistrera, puis votre document signé pourra être accepté.",
            ),
            (Why::NoKey, Nl) => (
                "Het document is ondertekend met een sleutel die de coördinatie nog niet voor uw \
                 organisatie registreerde.",
                "Stuur de coördinatie de publieke sleutel van uw organisatie (het .pub-bestand), of neem \
                 contact met haar op: zodra ze geregistreerd is, kan uw ondertekende document aanvaard worden.",
            ),
            (Why::TooLarge, Fr) => (
                "Le message ou son fichier joint dépasse 20 Mo, la taille la plus grande qu'un document signé \
                 peut avoir.",
                "Renvoyez le document signé seul, ou scannez-le en noir et blanc à une résolution plus faible \
                 (200 ppp suffisent).",
            ),
            (Why::TooLarge, Nl) => (
                "Het bericht of de bijlage is groter dan 20 MB, het maximum voor een ondertekend document.",
                "Stuur het ondertekende document alleen terug, of scan het in zwart-wit met een lagere \
                 resolutie (200 dpi volstaat).",
            ),
            (Why::NotADocument, Fr) => (
                "Le fichier envoyé n'est pas un document que la coordination peut accepter : ni un PDF ni une \
                 image JPEG ou PNG, un fichier vide, ou un PDF qui contient un programme ou un autre fichier.",
                "Renvoyez le document signé en PDF, ou un scan de la version papier signée en PDF, JPEG ou PNG.",
            ),
            (Why::NotADocument, Nl) => (
                "Het verstuurde bestand is geen document dat de coördinatie kan aanvaarden: geen PDF of JPEG- of \
                 PNG-afbeelding, een leeg bestand, of een PDF met een programma of een ander bestand erin.",
                "Stuur het ondertekende document als PDF, of een scan van de ondertekende papieren versie als \
                 PDF, JPEG of PNG.",
            ),
            (Why::NotIssued, Fr) => (
                "La coordination ne vous a pas encore envoyé le document d'adhésion de la charte en vigueur : \
                 le document renvoyé ne peut pas être enregistré.",
                "Attendez le courriel de la coordination avec votre document d'adhésion, puis signez celui-là.",
            ),
            (Why::NotIssued, Nl) => (
                "De coördinatie heeft u het toetredingsdocument voor het geldende charter nog niet gestuurd: \
                 het teruggestuurde document kan niet worden geregistreerd.",
                "Wacht op de e-mail van de coördinatie met uw toetredingsdocument en onderteken dat document.",
            ),
            (Why::Other, Fr) => ("Le document renvoyé n'a pas pu être enregistré.", "La coordination vous contactera."),
            (Why::Other, Nl) => {
                ("Het teruggestuurde document kon niet worden geregistreerd.", "De coördinatie neemt contact met u op.")
            }
        }
    }
}

/// What a collection run checks returned files against, indexed once.
#[derive(Debug)]
pub struct Register<'a> {
    coordination_key: &'a VerifyingKey,
    /// The coordination's former keys: documents issued before a rotation
    /// are sealed with one of them.
    former_keys: &'a [VerifyingKey],
    /// Issued documents by id.
    issued: HashMap<&'a str, &'a IssuedDocument>,
    /// Organisations by their 10 digits.
    members: HashMap<&'a str, &'a Member>,
    /// Organisations by registered public key.
    keys: HashMap<&'a str, &'a Member>,
    /// The files already collected: sha256 → document id.
    known_files: &'a HashMap<String, String>,
    /// DER certificates of trusted roots for PAdES signatures.
    trusted_roots: &'a [Vec<u8>],
}

impl<'a> Register<'a> {
    pub fn new(
        coordination_key: &'a VerifyingKey,
        issued: &'a [IssuedDocument],
        members: &'a [Member],
        known_files: &'a HashMap<String, String>,
        trusted_roots: &'a [Vec<u8>],
    ) -> Register<'a> {
        Register {
            coordination_key,
            former_keys: &[],
            issued: issued.iter().map(|d| (d.document_id.as_str(), d)).collect(),
            members: members.iter().map(|m| (m.organisation.enterprise_number.digits(), m)).collect(),
            keys: members.iter().filter_map(|m| Some((m.public_key.as_deref()?, m))).collect(),
            known_files,
            trusted_roots,
        }
    }

    /// The coordination's former keys (after a key rotation), whose seals
    /// count as the current key's do.
    #[must_use]
    pub fn with_former_keys(mut self, keys: &'a [VerifyingKey]) -> Register<'a> {
        self.former_keys = keys;
        self
    }

    /// The key to check a file's seal with: the key it names when that is
    /// a former key of the coordination, else the current key (whose check
    /// then says the seal is someone else's).
    fn sealing_key(&self, file: &[u8]) -> &'a VerifyingKey {
        if self.former_keys.is_empty() {
            return self.coordination_key;
        }
        crate::seal::embedded_key(file)
            .ok()
            .and_then(|named| self.former_keys.iter().find(|k| **k == named))
            .unwrap_or(self.coordination_key)
    }

    /// The organisation with these 10 digits, if on the roster.
    pub fn member(&self, digits: &str) -> Option<&'a Member> {
        self.members.get(digits).copied()
    }
}

fn refused(why: Why, reason: impl Into<String>) -> Outcome {
    Outcome::Refused { why, reason: reason.into() }
}

/// The kind of refusal a seal that does not verify is: a file with no
/// charte seal, or sealed by another key, is not the coordination's; one
/// whose sealed bytes changed is altered.
fn not_authentic(e: &crate::seal::VerifyError) -> Why {
    use crate::seal::VerifyError as V;
    match e {
        V::NotSealed | V::WrongKey { .. } => Why::NotOurs,
        V::NotPdf => Why::NotADocument,
        _ => Why::Altered,
    }
}

/// Examines a file returned signed (by the organisation's key or in a PDF
/// reader); `file_sha256` is its hash (lowercase hex), computed once by the
/// caller.
pub fn examine(file: &[u8], file_sha256: &str, reg: &Register<'_>) -> Outcome {
    let file_sha256 = file_sha256.to_owned();
    // These very bytes were checked and accepted before.
    if let Some(document_id) = reg.known_files.get(&file_sha256) {
        return Outcome::AlreadyKnown { document_id: document_id.clone() };
    }
    let verdict = match crate::seal::verify_sealed_part(file, reg.sealing_key(file)) {
        Ok(v) => v,
        Err(e) => return refused(not_authentic(&e), format!("the issued part is not authentic: {e}")),
    };
    let id = &verdict.manifest.document_id;
    let Some(doc) = reg.issued.get(id.as_str()).copied() else {
        return refused(Why::NotOurs, format!("document {id} was never issued by this coordination's journal"));
    };
    let sealed = &file[..verdict.sealed_len];
    if hex::encode(Sha256::digest(sealed)) != doc.sealed_sha256 {
        return refused(Why::Altered, format!("the file does not begin with the bytes issued as {id}"));
    }
    let Some(member) = reg.members.get(doc.enterprise_number.as_str()).copied() else {
        return refused(
            Why::Other,
            format!("document {id} was issued to {}, who is no longer on the roster", doc.enterprise_number),
        );
    };
    let base = |method: &str, signer: String, signed: Option<String>, details: serde_json::Value| Adherence {
        file_sha256: file_sha256.clone(),
        document_id: id.clone(),
        enterprise_number: doc.enterprise_number.clone(),
        charter_version: doc.charter_version.clone(),
        method: method.to_owned(),
        signer,
        signed,
        sealed_sha256: doc.sealed_sha256.clone(),
        details,
        collected: String::new(),
        revoked: None,
    };
    let sig = match check_signature(file, verdict.sealed_len, &verdict.manifest, &doc.sealed_sha256, reg.trusted_roots)
    {
        Ok(ReturnSignature::Pades(verdict)) => {
            let details = serde_json::to_value(&verdict).unwrap_or_default();
            let waits = pades::why_pending(&verdict, member);
            let adherence = Box::new(base("pades", verdict.signer_name, None, details));
            return match waits {
                Some(reason) => Outcome::Pending { adherence, reason },
                None => Outcome::Accepted(adherence),
            };
        }
        Ok(ReturnSignature::Web(web)) => {
            let trusted = web.key == *reg.coordination_key || reg.former_keys.contains(&web.key);
            if !trusted {
                return refused(
                    Why::NotOurs,
                    format!(
                        "the web signature's record is signed by key {}, not by the coordination's key {}",
                        web.record.key_fingerprint,
                        crate::seal::fingerprint(reg.coordination_key)
                    ),
                );
            }
            return Outcome::Accepted(Box::new(base(
                "web",
                web.record.signer.clone(),
                Some(web.record.signed_at.get(..10).unwrap_or_default().to_owned()),
                web_details(&web),
            )));
        }
        Ok(ReturnSignature::OwnKey(sig)) => sig,
        Err(reason) => return refused(Why::BadSignature, reason),
    };
    let fp = sig.statement.key_fingerprint.clone();
    let registered = member.public_key.as_deref();
    if registered != Some(sig.public_key.as_str()) {
        let owner = reg.keys.get(sig.public_key.as_str()).map(|m| m.organisation.name.clone());
        let why = if owner.is_none() && registered.is_none() { Why::NoKey } else { Why::OtherSigner };
        return refused(
            why,
            match (owner, registered) {
                (Some(other), _) => {
                    format!(
                        "signed with the key registered for {other}, not with the key of {}",
                        member.organisation.name
                    )
                }
                (None, None) => format!(
                    "{} has no registered key (charte members set-key); the signing key {fp} is unknown",
                    member.organisation.name
                ),
                (None, Some(_)) => {
                    format!("signed by key {fp}, which is not the key registered for {}", member.organisation.name)
                }
            },
        );
    }
    Outcome::Accepted(Box::new(base(
        "own-key",
        fp.clone(),
        Some(sig.statement.signed.clone()),
        json!({"key_fingerprint": fp, "signature": sig.signature}),
    )))
}

/// What the journal keeps of a web signature's record (an
/// [`Adherence`]'s `details`): its hash and what a coordinator reads;
/// the address the code went to is in the signed file, not in the journal
/// (personal data: the action that records a signature on the page adds
/// it as a commitment).
pub fn web_details(web: &crate::seal::WebSignature) -> serde_json::Value {
    json!({
        "capacity": web.record.capacity,
        "signed_at": web.record.signed_at,
        "record_sha256": web.record_sha256(),
        "key_fingerprint": web.record.key_fingerprint,
    })
}

/// A paper signature, scanned: the coordinator attests it; the file is kept
/// by its hash. The organisation's document for the current charter must
/// have been issued. A scan is not proof enough by itself: it waits for
/// the coordinator's confirmation (`charte returns confirm`).
pub fn attest_scan(
    file: &[u8],
    file_sha256: &str,
    member: &Member,
    version: &str,
    issued: &[IssuedDocument],
    known: &HashMap<String, String>,
) -> Outcome {
    if file.is_empty() {
        return refused(Why::NotADocument, "the scan is an empty file: scan the signed paper again");
    }
    let file_sha256 = file_sha256.to_owned();
    let Some(doc) = issued.iter().rev().find(|d| {
        d.enterprise_number == member.organisation.enterprise_number.digits() && d.charter_version == version
    }) else {
        return refused(
            Why::NotIssued,
            format!(
                "no adherence document for charter {version} was issued to {}: issue it first (charte issue)",
                member.organisation.name
            ),
        );
    };
    if let Some(document_id) = known.get(&file_sha256) {
        return Outcome::AlreadyKnown { document_id: document_id.clone() };
    }
    Outcome::Pending {
        reason: "a scanned paper signature is not proof by itself: confirm it once you have seen the signed \
                 paper"
            .into(),
        adherence: Box::new(Adherence {
            file_sha256,
            document_id: doc.document_id.clone(),
            enterprise_number: doc.enterprise_number.clone(),
            charter_version: doc.charter_version.clone(),
            method: "scan".into(),
            signer: "attested by the coordinator".into(),
            signed: None,
            sealed_sha256: doc.sealed_sha256.clone(),
            details: json!({"attestation": "paper signature scanned and attested by the coordinator", "bytes": file.len()}),
            collected: String::new(),
            revoked: None,
        }),
    }
}

/// The status a signature of the current charter gives: a participant
/// becomes a member, an associate a partner.
pub fn status_after_signing(status: Status) -> Option<Status> {
    match status {
        Status::Participant => Some(Status::Member),
        Status::Associate => Some(Status::Partner),
        _ => None,
    }
}

/// The signature a returned file adds after its sealed part, checked.
#[derive(Debug, Clone)]
pub enum ReturnSignature {
    /// The organisation's own ed25519 key (docs/seal.md, section 7): valid
    /// for the key the file carries. Whether that key is the one the
    /// organisation registered is the caller's question (the register).
    OwnKey(signature::SignatureFile),
    /// A PDF reader's signature (docs/pades.md): the CMS holds over the
    /// whole file; the chain is validated only against the roots given.
    Pades(pades::PadesVerdict),
    /// A web signature (docs/seal.md, "The web signature"): a typed name
    /// and capacity, a code mailed to the organisation's address, the
    /// record signed by the key it names. Whether that key is the
    /// coordination's is the caller's question (the keys it trusts).
    Web(Box<crate::seal::WebSignature>),
}

/// Checks what `file` adds after its sealed part (`file[..sealed_len]`,
/// already verified by the caller, whose sha256 is `sealed_sha256`) as a
/// signature of the document `manifest` describes: a web signature when
/// the update is laid out as one, a PAdES signature when it holds a
/// `/ByteRange`, else the organisation's own-key signature. The error
/// says, in plain words, what does not hold.
pub fn check_signature(
    file: &[u8],
    sealed_len: usize,
    manifest: &crate::seal::Manifest,
    sealed_sha256: &str,
    trusted_roots: &[Vec<u8>],
) -> Result<ReturnSignature, String> {
    let document_id = manifest.document_id.as_str();
    let tail = file.get(sealed_len..).ok_or("the file is shorter than the issued document")?;
    // The web signature's layout is anchored at the update's head, whatever
    // its record says (a signer's name may hold any text): looked at first.
    if crate::seal::is_web(tail) {
        return crate::seal::check_web(file, sealed_len, manifest).map(|w| ReturnSignature::Web(Box::new(w)));
    }
    if crate::pdf::find(tail, b"/ByteRange").is_some() {
        return pades::verify(file, sealed_len, trusted_roots).map(ReturnSignature::Pades).map_err(|e| e.to_string());
    }
    let sig = signature::extract(file, sealed_len)?;
    if !sig.valid() {
        return Err("the organisation's signature does not verify (forged or altered)".into());
    }
    if sig.statement.document_id != document_id || sig.statement.sealed_sha256 != sealed_sha256 {
        return Err("the signature is about another document".into());
    }
    Ok(ReturnSignature::OwnKey(sig))
}

/// Examines a file uploaded on an organisation's signing page, as
/// `charte collect` would: a PDF carrying a charte seal is a signed return
/// ([`examine`]); a PDF without one, or a JPEG or PNG image, is a scan of
/// the paper signed by `member` ([`attest_scan`]: it waits for the
/// coordinator's confirmation), unless the PDF holds active content (a
/// script, a launch action, an attached file), which the coordinator
/// would run by opening it; anything else is refused.
pub fn examine_upload(
    file: &[u8],
    file_sha256: &str,
    reg: &Register<'_>,
    member: &Member,
    version: &str,
    issued: &[IssuedDocument],
) -> Outcome {
    if !file.starts_with(b"%PDF-") {
        return match is_image(file) {
            true => attest_scan(file, file_sha256, member, version, issued, reg.known_files),
            false => refused(Why::NotADocument, "the file is neither a PDF nor a JPEG or PNG image"),
        };
    }
    match crate::seal::read_manifest(file) {
        Err(crate::seal::VerifyError::NotSealed) => match active_content(file) {
            Some(what) => refused(Why::NotADocument, format!("the PDF holds {what}, which a scan never does")),
            None => attest_scan(file, file_sha256, member, version, issued, reg.known_files),
        },
        _ => examine(file, file_sha256, reg),
    }
}

/// A JPEG or PNG image, by its first bytes.
pub fn is_image(file: &[u8]) -> bool {
    file.starts_with(b"\xff\xd8\xff") || file.starts_with(b"\x89PNG\r\n\x1a\n")
}

/// What active content a PDF holds, if any: what would run or open when
/// the coordinator opens the file. Read from the parsed objects (those of
/// object streams included, names with their `#xx` escapes decoded), not
/// from the raw bytes, where a name can hide.
fn active_content(file: &[u8]) -> Option<&'static str> {
    use lopdf::Object;
    fn named(name: &[u8]) -> Option<&'static str> {
        match name {
            b"JavaScript" | b"JS" => Some("a script"),
            b"Launch" => Some("an action launching a program"),
            b"EmbeddedFile" | b"EmbeddedFiles" => Some("an attached file"),
            b"RichMedia" => Some("embedded media"),
            b"XFA" => Some("an XFA form"),
            b"SubmitForm" | b"ImportData" => Some("a form sending or reading data"),
            _ => None,
        }
    }
    let Ok(doc) = lopdf::Document::load_mem(file) else {
        return Some("a structure no PDF reader agrees on");
    };
    /// The first active thing in `object`, nested dictionaries and arrays
    /// included (a reference is one of `doc`'s objects, walked on its own).
    fn within(object: &Object, depth: usize) -> Option<&'static str> {
        if depth > 32 {
            return Some("objects nested deeper than any PDF needs");
        }
        match object {
            Object::Name(n) => named(n),
            Object::Array(items) => items.iter().find_map(|o| within(o, depth + 1)),
            Object::Dictionary(d) => d.iter().find_map(|(k, v)| named(k).or_else(|| within(v, depth + 1))),
            Object::Stream(s) => s.dict.iter().find_map(|(k, v)| named(k).or_else(|| within(v, depth + 1))),
            _ => None,
        }
    }
    doc.objects.values().find_map(|object| within(object, 0))
}

#[cfg(test)]
mod tests {
    use super::Why;
    use crate::roster::Language;

    /// Each kind of refusal is journaled by a code that reads back, and is
    /// explained to the organisation in both languages, differently.
    #[test]
    fn each_refusal_reads_back_and_is_said_in_french_and_dutch() {
        let mut said = std::collections::HashSet::new();
        for why in Why::ALL {
            assert_eq!(Why::parse(why.code()), Some(why));
            let (fr, nl) = (why.explain(Language::Fr), why.explain(Language::Nl));
            assert!(!fr.0.is_empty() && !fr.1.is_empty() && fr != nl, "{why:?}");
            assert!(said.insert(fr.0), "{why:?} says what another says");
        }
        assert_eq!(Why::parse("unknown"), None);
        assert!(!Why::Other.answered() && Why::Altered.answered());
    }
}
