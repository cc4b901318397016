//! The desk's returns (`/returns`): the returns waiting for the
//! coordinator's confirmation ([`App::returns`]) with their organisation,
//! how they came and why they wait, their file (`/returns/ID/file`), and
//! the three decisions ([`App::confirm_return`], [`App::reject_return`],
//! [`App::revoke_return`]); then the ones decided lately. A decision the
//! application refuses (no reason given, a return decided meanwhile) is
//! said next to its form, in the page's language; nothing was changed.

use super::documents::{attachment, method_words};
use super::{Coordinator, Form, Frame, journal_date};
use crate::app::App;
use crate::app::returns::{Listed, Why};
use crate::collect::ReturnState;
use crate::roster::Language;
use crate::web::{Failure, Site, render};
use crate::{Error, Result};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::sync::Arc;

/// Decided returns shown under the waiting ones.
const RECENT: usize = 10;

pub fn routes() -> Router<Arc<Site>> {
    Router::new()
        .route("/returns", get(page))
        .route("/returns/{id}/file", get(file))
        .route("/returns/{id}/confirm", post(confirm))
        .route("/returns/{id}/reject", post(reject))
        .route("/returns/{id}/revoke", post(revoke))
}

/// A decision on a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Confirm,
    Reject,
    Revoke,
}

/// One return, in the page's words.
#[derive(Debug, Clone)]
pub struct ReturnView {
    pub id: i64,
    pub name: String,
    pub number: String,
    pub document_id: String,
    pub method: &'static str,
    pub signer: Option<String>,
    pub why: &'static str,
    pub received: String,
    /// Its state, in words (decided ones).
    pub state: &'static str,
    pub decided: Option<String>,
    pub note: Option<String>,
    /// Confirmed: its confirmation may be revoked.
    pub confirmed: bool,
    /// Waiting for a decision.
    pub waiting: bool,
    /// A refusal of a decision on it, said by its form.
    pub error: Option<String>,
    /// The reason typed with the refused decision, given back.
    pub reason: String,
}

#[derive(Debug, Template)]
#[template(path = "desk/returns.html")]
pub struct ReturnsPage {
    pub f: Frame,
    pub waiting: Vec<ReturnView>,
    pub decided: Vec<ReturnView>,
    /// What was just decided, in words.
    pub said: Option<String>,
    /// A refusal about no return on the page (one that does not exist).
    pub error: Option<String>,
}

/// `?decided=ID`: the return just decided (the page after a decision).
#[derive(Debug, serde::Deserialize)]
pub struct After {
    decided: Option<i64>,
}

/// GET /returns.
async fn page(
    State(site): State<Arc<Site>>,
    Coordinator(viewer): Coordinator,
    Query(after): Query<After>,
) -> std::result::Result<Response, Failure> {
    super::shown(site, viewer, move |app, viewer| {
        let mut page = returns_page(app, Frame::new(app, viewer, "returns"))?;
        page.said = after.decided.and_then(|id| {
            let r = page.decided.iter().chain(&page.waiting).find(|r| r.id == id)?;
            Some(just_decided(r, viewer.lang))
        });
        Ok(page)
    })
    .await
}

fn returns_page(app: &App, f: Frame) -> Result<ReturnsPage> {
    let lang = if f.page.fr { Language::Fr } else { Language::Nl };
    let all = app.returns(true)?;
    let waiting = all.iter().filter(|l| l.ret.state == ReturnState::Waiting).map(|l| view(l, lang)).collect();
    let mut decided: Vec<&Listed> = all.iter().filter(|l| l.ret.state != ReturnState::Waiting).collect();
    // The latest decisions first (a decision's day, then its order).
    decided.sort_by(|a, b| b.ret.decided.cmp(&a.ret.decided).then(b.ret.id.cmp(&a.ret.id)));
    let decided = decided.into_iter().take(RECENT).map(|l| view(l, lang)).collect();
    Ok(ReturnsPage { f, waiting, decided, said: None, error: None })
}

fn view(l: &Listed, lang: Language) -> ReturnView {
    let fr = lang == Language::Fr;
    let (r, a) = (&l.ret, &l.ret.adherence);
    let day = |d: &str| journal_date(d, lang);
    let why = match (l.why(), fr) {
        (Why::Scan, true) => {
            "Un scan ne prouve pas la signature à lui seul : confirmez-le une fois la signature vérifiée sur le papier."
        }
        (Why::Scan, false) => {
            "Een scan bewijst de handtekening niet op zich: bevestig hem zodra u de handtekening op papier hebt \
             nagekeken."
        }
        (Why::UnknownIssuer, true) => {
            "Le certificat de la signature ne mène à aucune autorité de confiance : rien ne montre qui l'a délivré \
             (n'importe qui peut en créer un à n'importe quel nom)."
        }
        (Why::UnknownIssuer, false) => {
            "Het certificaat van de handtekening leidt naar geen vertrouwde instantie: niets toont wie het heeft \
             uitgereikt (iedereen kan er een maken op eender welke naam)."
        }
        (Why::NotRepresentative, true) => {
            "Le certificat est valable, mais il n'est pas au nom du représentant de l'organisation dans la liste des \
             membres."
        }
        (Why::NotRepresentative, false) => {
            "Het certificaat is geldig, maar staat niet op naam van de vertegenwoordiger van de organisatie in de \
             ledenlijst."
        }
    };
    let state = match (r.state, fr) {
        (ReturnState::Waiting, true) => "en attente",
        (ReturnState::Waiting, false) => "wacht",
        (ReturnState::Confirmed, true) => "confirmé",
        (ReturnState::Confirmed, false) => "bevestigd",
        (ReturnState::Rejected, true) => "rejeté",
        (ReturnState::Rejected, false) => "geweigerd",
        (ReturnState::Revoked, true) => "confirmation retirée",
        (ReturnState::Revoked, false) => "bevestiging ingetrokken",
    };
    ReturnView {
        id: r.id,
        name: l.name.clone(),
        number: l.enterprise_number.clone(),
        document_id: a.document_id.clone(),
        method: method_words(&a.method, lang),
        // A scan's signer is the coordinator's attestation, not a name.
        signer: (a.method != "scan").then(|| a.signer.clone()),
        why,
        received: day(&r.received),
        state,
        decided: r.decided.as_deref().map(day),
        note: r.note.clone(),
        confirmed: r.state == ReturnState::Confirmed,
        waiting: r.state == ReturnState::Waiting,
        error: None,
        reason: String::new(),
    }
}

/// "Return n° 12 (Les Amis du Quartier): confirmed."
fn just_decided(r: &ReturnView, lang: Language) -> String {
    match lang {
        Language::Fr => format!("Retour n° {} ({}) : {}. C'est enregistré dans le journal.", r.id, r.name, r.state),
        Language::Nl => {
            format!("Terugzending nr. {} ({}): {}. Dit is in het journaal geregistreerd.", r.id, r.name, r.state)
        }
    }
}

/// GET /returns/ID/file: the returned file, a PDF shown in the browser.
async fn file(
    State(site): State<Arc<Site>>,
    Coordinator(_): Coordinator,
    Path(id): Path<String>,
) -> std::result::Result<Response, Failure> {
    let id: i64 = super::url_number(&id)?;
    let file = site.read(move |app| app.return_file(id)).await?;
    Ok(attachment(file, true))
}

/// The reason typed in a rejection or revocation form.
#[derive(Debug, serde::Deserialize)]
pub struct Reason {
    #[serde(default)]
    reason: String,
}

async fn confirm(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
    Form(Coordinator(viewer), _): Form<super::documents::Nothing>,
) -> std::result::Result<Response, Failure> {
    decide(&site, viewer, super::url_number(&id)?, Decision::Confirm, String::new()).await
}

async fn reject(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
    Form(Coordinator(viewer), Reason { reason }): Form<Reason>,
) -> std::result::Result<Response, Failure> {
    decide(&site, viewer, super::url_number(&id)?, Decision::Reject, reason).await
}

async fn revoke(
    State(site): State<Arc<Site>>,
    Path(id): Path<String>,
    Form(Coordinator(viewer), Reason { reason }): Form<Reason>,
) -> std::result::Result<Response, Failure> {
    decide(&site, viewer, super::url_number(&id)?, Decision::Revoke, reason).await
}

/// Takes the decision; on success, the page again saying so (303, so a
/// reload does not decide twice); refused for a reason the coordinator can
/// fix, the page with the refusal by the return's form (422).
async fn decide(
    site: &Arc<Site>,
    viewer: super::Viewer,
    id: i64,
    decision: Decision,
    reason: String,
) -> std::result::Result<Response, Failure> {
    let (lang, chosen) = (viewer.lang, viewer.chosen);
    let typed = reason.clone();
    let outcome = site
        .write(move |app| {
            let done = match decision {
                Decision::Confirm => app.confirm_return(id),
                Decision::Reject => app.reject_return(id, &reason),
                Decision::Revoke => app.revoke_return(id, &reason),
            };
            match done {
                Ok(_) => Ok(None),
                Err(e) if super::fixable(e.kind()) => {
                    let mut page = returns_page(app, Frame::new(app, &viewer, "returns"))?;
                    refused(&mut page, id, decision, &typed, &e, lang);
                    Ok(Some(page))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    Ok(match outcome {
        None => Redirect::to(&format!("/returns?decided={id}")).into_response(),
        Some(page) => render(&page, StatusCode::UNPROCESSABLE_ENTITY, chosen, lang),
    })
}

/// Puts the refusal of `decision` on return `id` by its form, in words:
/// read from the page as it is now (the return's state), not from the
/// English message, which goes to the log.
fn refused(page: &mut ReturnsPage, id: i64, decision: Decision, typed: &str, e: &Error, lang: Language) {
    let fr = lang == Language::Fr;
    eprintln!("{}", serde_json::json!({"refused": format!("{decision:?}"), "return": id, "why": e.to_string()}));
    let found = page.waiting.iter_mut().chain(page.decided.iter_mut()).find(|r| r.id == id);
    let Some(r) = found else {
        page.error = Some(if fr {
            format!("Il n'y a pas de retour n° {id} : la liste ci-dessous est à jour. Rien n'a été modifié.")
        } else {
            format!("Er is geen terugzending nr. {id}: de lijst hieronder is bijgewerkt. Er werd niets gewijzigd.")
        });
        return;
    };
    let message = match (decision, r.waiting, typed.trim().is_empty()) {
        (Decision::Reject | Decision::Revoke, _, true) if fr => {
            "Indiquez la raison en quelques mots : elle est gardée dans le journal. Rien n'a été modifié.".to_owned()
        }
        (Decision::Reject | Decision::Revoke, _, true) => {
            "Geef de reden in enkele woorden: ze wordt in het journaal bewaard. Er werd niets gewijzigd.".to_owned()
        }
        // Still waiting, yet not confirmed: another signature of this
        // organisation counts already.
        (Decision::Confirm, true, _) if fr => {
            "L'adhésion de cette organisation à cette version de la charte compte déjà (un autre document signé) : \
             il n'y a rien à confirmer ; rejetez plutôt ce retour. Rien n'a été modifié."
                .to_owned()
        }
        (Decision::Confirm, true, _) => {
            "De toetreding van deze organisatie tot deze versie van het charter telt al (een ander ondertekend \
             document): er valt niets te bevestigen; weiger deze terugzending liever. Er werd niets gewijzigd."
                .to_owned()
        }
        (_, _, _) if fr => format!(
            "Ce retour est maintenant « {} » : cette décision ne s'applique plus. Rien n'a été modifié.",
            r.state
        ),
        (_, _, _) => {
            format!("Deze terugzending is nu „{}”: deze beslissing geldt niet meer. Er werd niets gewijzigd.", r.state)
        }
    };
    r.error = Some(message);
    r.reason = typed.to_owned();
}
