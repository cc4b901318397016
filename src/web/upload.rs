//! The signing page's upload (`POST /s/TOKEN/upload`, multipart fields
//! `csrf` then `file`): a PDF signed in a reader, or a scan, handed to
//! [`App::upload_return`], which examines and records it as `charte
//! collect` would. The CSRF token is checked before the file is read; the
//! file is read chunk by chunk and refused (413) as soon as it passes the
//! 20 MB a returned document may weigh, never read whole first. The
//! visitor reads what happened in words, in the page's language; the
//! exact reason of a refusal is in the journal, for the coordinator.

use super::sign::{Step, limited, page_for, page_of, signable};
use super::{Choice, Failure, Site, guard, lang, pages, render};
use crate::app::collect::What;
use crate::app::upload::{Upload, Uploaded};
use crate::error::{Kind, MAX_DOCUMENT_BYTES};
use crate::{Error, Result};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::sync::Arc;

/// POST /s/TOKEN/upload.
pub(crate) async fn upload(
    State(site): State<Arc<Site>>,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
    headers: HeaderMap,
    multipart: Multipart,
) -> std::result::Result<Response, Failure> {
    let secure = site.secure;
    let bytes = read_form(multipart, &headers, secure).await.map_err(Failure)?;
    let limits = Arc::clone(&site);
    site.write(move |app| {
        let choice = choice.lang.as_deref();
        let view = match signable(app, &token, choice, &headers, secure)? {
            Ok(view) => view,
            Err(page) => return Ok(page),
        };
        let Some(bytes) = bytes else {
            let message = (
                "Choisissez le fichier à renvoyer (le document signé, en PDF, ou son scan).".into(),
                "Kies het bestand om terug te sturen (het ondertekende document, als pdf, of de scan ervan).".into(),
            );
            let step = Step { message: Some(message), ..Step::default() };
            return Ok(page_for(app, &token, &view, choice, &headers, step, secure));
        };
        limited(&limits.uploads_per_link, &view.link.id.to_string())?;
        let uploaded = match app.upload_return(&Upload { token: token.clone(), bytes }) {
            Err(Error::LinkNotValid) => return Ok(page_of(app, &token, choice, &headers, Step::default(), secure)),
            other => other?,
        };
        let Some((heading, lines)) = said(&uploaded) else {
            // Refused: the page again, saying why, to try another file.
            let step = Step { message: Some(refusal(&uploaded)), ..Step::default() };
            let mut response = page_for(app, &token, &view, choice, &headers, step, secure);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        };
        let language = lang::choose(choice, &headers, Some(view.language), app.ws.config.coordination.main_language());
        let d = pages::DoneView { heading_fr: heading.0, heading_nl: heading.1, lines_fr: lines.0, lines_nl: lines.1 };
        Ok(render(
            &pages::Done { page: pages::Page::new(app, language), d },
            StatusCode::OK,
            choice.is_some(),
            language,
        ))
    })
    .await
}

/// The form's file, once its `csrf` field (which must come first) is
/// checked; None when no file was chosen. Over [`MAX_DOCUMENT_BYTES`], the
/// refusal comes at the chunk that passes it.
async fn read_form(mut multipart: Multipart, headers: &HeaderMap, secure: bool) -> Result<Option<Vec<u8>>> {
    let unreadable = |_| Error::refused(Kind::Invalid, "the upload form does not read");
    let mut checked = false;
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") if !checked => {
                let typed = field.text().await.map_err(unreadable)?;
                guard::check(headers, Some(&typed), secure)?;
                checked = true;
            }
            Some("file") if checked && file.is_none() => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if (bytes.len() + chunk.len()) as u64 > MAX_DOCUMENT_BYTES {
                        return Err(Error::refused(Kind::TooLarge, "a returned document is at most 20 MB"));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some(bytes).filter(|b| !b.is_empty());
            }
            // A file before its token, or a field twice: not our form.
            _ => return Err(forbidden()),
        }
    }
    if !checked {
        return Err(forbidden());
    }
    Ok(file)
}

fn forbidden() -> Error {
    Error::refused(Kind::Forbidden, "the upload form came without its security token, or not as the page sends it")
}

type Both<T> = (T, T);

/// What the visitor reads when the file was kept or known, in French and
/// Dutch; None when it was refused.
fn said(u: &Uploaded) -> Option<(Both<String>, Both<Vec<String>>)> {
    let (name, id) = (&u.organisation, &u.document_id);
    Some(match &u.what {
        What::Accepted { adherence, .. } => (
            (format!("Merci : {name} a signé la charte"), format!("Dank u: {name} heeft het charter ondertekend")),
            (
                vec![
                    format!("Le document {id} signé par {} est reçu et sa signature est vérifiée.", adherence.signer),
                    "L'adhésion est enregistrée : il n'y a rien d'autre à faire.".into(),
                ],
                vec![
                    format!("Het document {id}, ondertekend door {}, is ontvangen en de handtekening is nagekeken.", adherence.signer),
                    "De toetreding is geregistreerd: er hoeft niets meer te gebeuren.".into(),
                ],
            ),
        ),
        What::Waiting { adherence, .. } => {
            let (why_fr, why_nl) = if adherence.method == "scan" {
                (
                    "Une signature sur papier scannée doit être confirmée par la coordination, qui vérifie le document signé.",
                    "Een ingescande handtekening op papier moet door de coördinatie bevestigd worden, die het ondertekende document nakijkt.",
                )
            } else {
                (
                    "La signature électronique est intacte, mais la coordination doit confirmer qui l'a faite (son certificat n'est pas rattaché à une autorité qu'elle reconnaît, ou le nom n'est pas celui de la personne qu'elle connaît comme représentant).",
                    "De elektronische handtekening is ongeschonden, maar de coördinatie moet bevestigen wie ze plaatste (het certificaat is niet verbonden aan een autoriteit die ze erkent, of de naam is niet die van de vertegenwoordiger die ze kent).",
                )
            };
            (
                (
                    "Document reçu : il attend la confirmation de la coordination".to_owned(),
                    "Document ontvangen: het wacht op de bevestiging van de coördinatie".to_owned(),
                ),
                (
                    vec![
                        format!("Le document {id} de {name} est bien reçu et conservé."),
                        why_fr.into(),
                        "Vous n'avez rien d'autre à faire : la coordination vous recontactera si nécessaire.".into(),
                    ],
                    vec![
                        format!("Het document {id} van {name} is goed ontvangen en bewaard."),
                        why_nl.into(),
                        "U hoeft niets meer te doen: de coördinatie neemt zo nodig contact met u op.".into(),
                    ],
                ),
            )
        }
        What::Duplicate { .. } | What::Known { .. } => (
            (format!("{name} a déjà renvoyé ce document"), format!("{name} heeft dit document al teruggestuurd")),
            (
                vec!["Sa signature était déjà enregistrée : cet envoi ne change rien, et il n'y a rien d'autre à faire.".into()],
                vec!["Haar handtekening was al geregistreerd: deze zending verandert niets, en er hoeft niets meer te gebeuren.".into()],
            ),
        ),
        What::Refused { .. } => return None,
    })
}

/// Why a file was refused, in words for the visitor (the exact reason
/// is journaled, for the coordinator).
fn refusal(u: &Uploaded) -> Both<String> {
    let reason = match &u.what {
        What::Refused { reason, .. } => reason.as_str(),
        _ => "",
    };
    let id = &u.document_id;
    let (fr, nl): Both<String> = if reason.contains("this link is for") {
        (
            format!(
                "Ce fichier n'est pas le document {id} que ce lien invite à signer (c'est un autre document, ou celui d'une autre organisation)."
            ),
            format!(
                "Dit bestand is niet het document {id} dat u via deze link kunt ondertekenen (het is een ander document, of dat van een andere organisatie)."
            ),
        )
    } else if reason.contains("neither a PDF") {
        (
            "Ce fichier n'est ni un PDF ni une image (JPEG ou PNG).".into(),
            "Dit bestand is geen pdf en geen afbeelding (JPEG of PNG).".into(),
        )
    } else if reason.contains("which a scan never does") {
        (
            "Ce PDF contient des éléments actifs (un script, une pièce jointe…) qu'un scan ne contient jamais : par sécurité, il est refusé.".into(),
            "Deze pdf bevat actieve elementen (een script, een bijlage…) die een scan nooit bevat: veiligheidshalve wordt hij geweigerd.".into(),
        )
    } else if reason.contains("empty") {
        ("Ce fichier est vide.".into(), "Dit bestand is leeg.".into())
    } else {
        (
            "Ce document a été modifié après son envoi par la coordination, ou sa signature ne se vérifie pas : il ne peut pas être accepté.".into(),
            "Dit document werd gewijzigd nadat de coördinatie het verstuurde, of de handtekening klopt niet: het kan niet aanvaard worden.".into(),
        )
    };
    (
        format!(
            "{fr} Le fichier n'a pas été conservé. Renvoyez le document téléchargé sur cette page, signé sans autre modification, ou le scan du document signé sur papier."
        ),
        format!(
            "{nl} Het bestand werd niet bewaard. Stuur het document terug dat u op deze pagina downloadde, ondertekend zonder andere wijziging, of de scan van het op papier ondertekende document."
        ),
    )
}
