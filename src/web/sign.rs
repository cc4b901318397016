//! The signing page (DESIGN.md "The web application"): `/s/TOKEN`, the
//! organisation's own page to sign its adherence document. Thin handlers
//! over the application layer: [`App::link`] opens the page,
//! [`App::send_code`] mails the code, [`App::sign_with_code`] checks it
//! and, in the same transaction, uses the link and records the web
//! signature ([`crate::app::web_sign::Prepared::record`]).
//!
//! Every link that opens nothing (used, expired, superseded, locked,
//! unknown) answers the one neutral page. Every POST carries its CSRF
//! token. Codes are rate-limited per link, per address and per visitor's
//! IP address (429), on top of the 5 wrong codes that lock a link.

use super::{Choice, Failure, Site, guard, lang, pages, render};
use crate::app::App;
use crate::app::links::{CodeChecked, Signing};
use crate::app::web_sign::WebSigning;
use crate::error::Kind;
use crate::mail::long_date;
use crate::roster::Language;
use crate::{Error, Result};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// The fields of the signing forms (DESIGN.md): `signer`, `capacity`,
/// `mandate`, then `code`; and `csrf`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Form {
    csrf: Option<String>,
    signer: Option<String>,
    capacity: Option<String>,
    mandate: Option<String>,
    code: Option<String>,
}

impl Form {
    fn mandate(&self) -> bool {
        self.mandate.as_deref().is_some_and(|m| !m.is_empty())
    }
}

/// What a step of the page shows besides the link's own data.
#[derive(Debug, Default)]
pub(super) struct Step {
    pub(super) signer: Option<String>,
    pub(super) capacity: String,
    pub(super) mandate: bool,
    pub(super) code_sent: Option<String>,
    pub(super) message: Option<(String, String)>,
}

/// The page of `token` at `step`, or the neutral page.
pub(super) fn page_of(
    app: &App,
    token: &str,
    choice: Option<&str>,
    headers: &HeaderMap,
    step: Step,
    secure: bool,
) -> Response {
    match app.link(token) {
        Ok(view) => page_for(app, token, &view, choice, headers, step, secure),
        Err(Error::LinkNotValid) => neutral(app, choice, headers, app.ws.config.coordination.main_language()),
        Err(e) => Failure(e).into_response(),
    }
}

/// The page of the link `view` (of `token`, as [`App::link`] gave it
/// during this request) at `step`.
pub(super) fn page_for(
    app: &App,
    token: &str,
    view: &crate::app::links::LinkView,
    choice: Option<&str>,
    headers: &HeaderMap,
    step: Step,
    secure: bool,
) -> Response {
    let main = app.ws.config.coordination.main_language();
    let language = lang::choose(choice, headers, Some(view.language), main);
    let page = pages::Page::new(app, language);
    let csrf = match guard::issue(headers, secure) {
        Ok(c) => c,
        Err(e) => return Failure(e).into_response(),
    };
    let organisation = view.member.organisation.name.clone();
    if signed_already(view) {
        let done = already_signed(&organisation);
        return render(&pages::Done { page, d: done }, StatusCode::OK, choice.is_some(), language);
    }
    let markdown = std::fs::read_to_string(app.ws.charter_dir().join(format!("{}.md", language.code())))
        .ok()
        .filter(|_| view.link.charter_version == app.ws.config.charter.version);
    let message = step.message.map(|(fr, nl)| if language == Language::Fr { fr } else { nl });
    let s = pages::SignView {
        token: token.to_owned(),
        csrf: csrf.token.clone(),
        organisation,
        enterprise_number: view.member.organisation.enterprise_number.to_string(),
        document_id: view.document.document_id.clone(),
        version: view.link.charter_version.clone(),
        expires: long_date(view.link.valid_until, language),
        text: markdown.as_deref().map(pages::blocks).unwrap_or_default(),
        signer: step.signer.or_else(|| view.signer.clone()).unwrap_or_default(),
        capacity: step.capacity,
        mandate: step.mandate,
        code_sent: step.code_sent,
        message,
    };
    let mut response = render(&pages::Sign { page, s }, StatusCode::OK, choice.is_some(), language);
    if let Some(cookie) = csrf.set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Whether the organisation signed the link's charter version already
/// (through another link, a PDF returned, paper): nothing more to sign.
fn signed_already(view: &crate::app::links::LinkView) -> bool {
    view.member.signed_version.as_deref() == Some(view.link.charter_version.as_str())
}

/// The view of link `token` when it opens a page with something left to
/// sign; else the page to answer with: the neutral page, or "signed
/// already" (through another link, a PDF returned, paper).
pub(super) fn signable(
    app: &App,
    token: &str,
    choice: Option<&str>,
    headers: &HeaderMap,
    secure: bool,
) -> Result<std::result::Result<crate::app::links::LinkView, Response>> {
    match app.link(token) {
        Ok(view) if !signed_already(&view) => Ok(Ok(view)),
        Ok(view) => Ok(Err(page_for(app, token, &view, choice, headers, Step::default(), secure))),
        Err(Error::LinkNotValid) => Ok(Err(neutral(app, choice, headers, app.ws.config.coordination.main_language()))),
        Err(e) => Err(e),
    }
}

fn neutral(app: &App, choice: Option<&str>, headers: &HeaderMap, main: Language) -> Response {
    let language = lang::choose(choice, headers, None, main);
    render(&pages::Neutral { page: pages::Page::new(app, language) }, StatusCode::NOT_FOUND, choice.is_some(), language)
}

fn already_signed(organisation: &str) -> pages::DoneView {
    pages::DoneView {
        heading_fr: format!("{organisation} a déjà signé la charte"),
        heading_nl: format!("{organisation} heeft het charter al ondertekend"),
        lines_fr: vec!["Sa signature de cette version est enregistrée : il n'y a rien d'autre à faire.".into()],
        lines_nl: vec!["Haar handtekening van deze versie is geregistreerd: er hoeft niets meer te gebeuren.".into()],
    }
}

/// GET /s/TOKEN: the page, first step.
pub(crate) async fn page(
    State(site): State<Arc<Site>>,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
    headers: HeaderMap,
) -> std::result::Result<Response, Failure> {
    let secure = site.secure;
    site.read(move |app| Ok(page_of(app, &token, choice.lang.as_deref(), &headers, Step::default(), secure))).await
}

/// GET /s/TOKEN/document.pdf: the document as issued.
pub(crate) async fn document(
    State(site): State<Arc<Site>>,
    Path(token): Path<String>,
) -> std::result::Result<Response, Failure> {
    let (name, bytes) = site
        .read(move |app| {
            let view = app.link(&token)?;
            let path = app.ws.root.join(&view.document.file);
            let bytes = crate::error::read_bounded(&path, crate::error::MAX_DOCUMENT_BYTES, "an issued document")?;
            Ok((format!("{}.pdf", view.document.document_id), bytes))
        })
        .await?;
    let disposition = format!("attachment; filename=\"{}\"", name.replace(['"', '\\'], "_"));
    Ok(([(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

/// The visitor's address: the peer's, or, when the peer is a reverse proxy
/// on this machine (a loopback address), the last address that proxy put
/// in X-Forwarded-For (the one it saw; earlier ones the client can write).
pub(crate) fn client_ip(peer: SocketAddr, headers: &HeaderMap) -> String {
    if peer.ip().is_loopback()
        && let Some(forwarded) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|a| a.parse::<std::net::IpAddr>().is_ok())
    {
        return forwarded.to_owned();
    }
    peer.ip().to_string()
}

/// Refuses with 429 when `limit` says so for `key`.
pub(super) fn limited(limit: &super::limit::Limit, key: &str) -> Result<()> {
    if limit.allow(key, Instant::now()) {
        Ok(())
    } else {
        Err(Error::refused(Kind::TooMany, "too many attempts in too little time"))
    }
}

/// The signer's details as typed, or the message saying what is missing.
fn details(form: &Form) -> std::result::Result<(String, String), (String, String)> {
    let signer = form.signer.as_deref().unwrap_or("").trim().to_owned();
    let capacity = form.capacity.as_deref().unwrap_or("").trim().to_owned();
    if signer.is_empty() || capacity.is_empty() || !form.mandate() {
        return Err((
            "Indiquez le nom et la fonction de la personne qui signe, et cochez la case qui confirme son mandat."
                .into(),
            "Vul de naam en de functie in van wie ondertekent, en vink het vakje aan dat het mandaat bevestigt.".into(),
        ));
    }
    Ok((signer, capacity))
}

/// POST /s/TOKEN/code: the details checked, a code mailed at once to the
/// organisation's registered address; the page's second step.
pub(crate) async fn send_code(
    State(site): State<Arc<Site>>,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> std::result::Result<Response, Failure> {
    guard::check(&headers, form.csrf.as_deref(), site.secure).map_err(Failure)?;
    let secure = site.secure;
    let limits = Arc::clone(&site);
    let (signer, capacity) = match details(&form) {
        Ok(d) => d,
        Err(message) => {
            let step = Step {
                signer: form.signer.clone(),
                capacity: form.capacity.clone().unwrap_or_default(),
                mandate: form.mandate(),
                message: Some(message),
                ..Step::default()
            };
            return site
                .read(move |app| Ok(page_of(app, &token, choice.lang.as_deref(), &headers, step, secure)))
                .await;
        }
    };
    site.write(move |app| {
        let view = match signable(app, &token, choice.lang.as_deref(), &headers, secure)? {
            Ok(view) => view,
            Err(page) => return Ok(page),
        };
        limited(&limits.codes_per_link, &view.link.id.to_string())?;
        limited(&limits.codes_per_address, &view.member.organisation.email.to_lowercase())?;
        limited(&limits.codes_per_visitor, &client_ip(peer, &headers))?;
        let sent = app.send_code(&token, chrono::Utc::now())?;
        let step = Step { signer: Some(signer), capacity, mandate: true, code_sent: Some(sent.to), message: None };
        Ok(page_for(app, &token, &view, choice.lang.as_deref(), &headers, step, secure))
    })
    .await
}

/// POST /s/TOKEN/sign: the code checked and, when right, the web signature
/// recorded with the link used, in one transaction; the confirmation.
pub(crate) async fn sign(
    State(site): State<Arc<Site>>,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Form>,
) -> std::result::Result<Response, Failure> {
    guard::check(&headers, form.csrf.as_deref(), site.secure).map_err(Failure)?;
    let secure = site.secure;
    let limits = Arc::clone(&site);
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    site.write(move |app| {
        let choice = choice.lang.as_deref();
        let view = match signable(app, &token, choice, &headers, secure)? {
            Ok(view) => view,
            Err(page) => return Ok(page),
        };
        let (signer, capacity) = match details(&form) {
            Ok(d) => d,
            Err(message) => {
                let step = Step { message: Some(message), ..Step::default() };
                return Ok(page_for(app, &token, &view, choice, &headers, step, secure));
            }
        };
        let visitor = client_ip(peer, &headers);
        let again = |message: (String, String), sent: bool| Step {
            signer: Some(signer.clone()),
            capacity: capacity.clone(),
            mandate: true,
            code_sent: sent.then(|| crate::links::masked(&view.member.organisation.email)),
            message: Some(message),
        };
        let Ok(typed) = crate::links::typed_code(form.code.as_deref().unwrap_or("")) else {
            let message = ("Le code a 6 chiffres.".into(), "De code heeft 6 cijfers.".into());
            return Ok(page_for(app, &token, &view, choice, &headers, again(message, true), secure));
        };
        // Only a code that could be right is counted against the visitor.
        limited(&limits.tries_per_visitor, &visitor)?;
        let now = chrono::Utc::now();
        // The signature's time: the day the server acts on (pinned in a
        // replay workspace), at the wall clock's time of day.
        let at = match limits.pinned {
            Some(day) => day.and_time(now.time()).and_utc(),
            None => now,
        };
        let prepared = app.prepare_web_signature(&WebSigning {
            enterprise_number: view.member.organisation.enterprise_number.to_string(),
            document_id: view.document.document_id.clone(),
            signer: signer.clone(),
            capacity: capacity.clone(),
            mandate: true,
            email: view.member.organisation.email.clone(),
            ip_address: visitor.clone(),
            user_agent: user_agent.clone(),
            at,
        })?;
        let signed = app.sign_with_code(&token, &typed, now, |tx, confirmed| {
            // The code went to the address the record names, for this document.
            if confirmed.document_id != prepared.document_id()
                || !crate::journal::personal::Kind::Email.matches(&confirmed.email, prepared.email())
            {
                return Err(Error::LinkNotValid);
            }
            prepared.record(tx)
        });
        // A link used or locked meanwhile (another tab, another visitor):
        // the neutral page, as for any link that opens nothing.
        let signed = match signed {
            Err(Error::LinkNotValid) => return Ok(page_of(app, &token, choice, &headers, Step::default(), secure)),
            other => other?,
        };
        match signed {
            Signing::Signed(_, signed) => {
                // The confirmation with the signed PDF: the signature holds
                // whatever becomes of it (a failure is logged, without the
                // address).
                if let Err(e) = app.mail_signed_copy(&signed, now) {
                    eprintln!("{}", serde_json::json!({"mail": "signed", "error": format!("{:?}", e.kind())}));
                }
                let language = lang::choose(choice, &headers, Some(view.language), app.ws.config.coordination.main_language());
                let page = pages::Page::new(app, language);
                let name = view.member.organisation.name.clone();
                let file = signed.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
                let d = pages::DoneView {
                    heading_fr: format!("Merci : {name} a signé la charte"),
                    heading_nl: format!("Dank u: {name} heeft het charter ondertekend"),
                    lines_fr: vec![
                        format!("{signer} ({capacity}) a signé le document {} au nom de {name}.", view.document.document_id),
                        format!("La coordination a scellé la signature. Le document signé ({file}) vient d'être envoyé à l'adresse de {name} connue de la coordination ; il se vérifie sur sa page de vérification."),
                    ],
                    lines_nl: vec![
                        format!("{signer} ({capacity}) heeft het document {} ondertekend in naam van {name}.", view.document.document_id),
                        format!("De coördinatie heeft de handtekening verzegeld. Het ondertekende document ({file}) werd net gestuurd naar het adres van {name} dat de coördinatie kent; het kan op haar verificatiepagina nagegaan worden."),
                    ],
                };
                Ok(render(&pages::Done { page, d }, StatusCode::OK, choice.is_some(), language))
            }
            Signing::Refused(CodeChecked::Wrong { left }) => {
                let message = (
                    format!("Ce code n'est pas le bon. Encore {left} essai(s) avant que le lien soit bloqué."),
                    format!("Deze code is niet de juiste. Nog {left} poging(en) voor de link geblokkeerd wordt."),
                );
                let step = again(message, true);
                let mut response = page_for(app, &token, &view, choice, &headers, step, secure);
                *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                Ok(response)
            }
            Signing::Refused(CodeChecked::Locked) => {
                let language = lang::choose(choice, &headers, Some(view.language), app.ws.config.coordination.main_language());
                let d = pages::DoneView {
                    heading_fr: "Ce lien est bloqué".into(),
                    heading_nl: "Deze link is geblokkeerd".into(),
                    lines_fr: vec!["Cinq codes erronés ont été saisis : par sécurité, ce lien ne peut plus servir tant que la coordination ne l'a pas rouvert. Contactez-la.".into()],
                    lines_nl: vec!["Er werden vijf verkeerde codes ingevuld: veiligheidshalve kan deze link niet meer gebruikt worden tot de coördinatie hem opnieuw opent. Neem contact met haar op.".into()],
                };
                Ok(render(&pages::Done { page: pages::Page::new(app, language), d }, StatusCode::FORBIDDEN, choice.is_some(), language))
            }
            Signing::Refused(CodeChecked::Expired | CodeChecked::Right(_)) => {
                let message = (
                    "Ce code a expiré (il vaut 10 minutes) : demandez-en un nouveau.".into(),
                    "Deze code is verlopen (hij is 10 minuten geldig): vraag een nieuwe.".into(),
                );
                Ok(page_for(app, &token, &view, choice, &headers, again(message, false), secure))
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visitors_address_is_the_one_a_proxy_on_this_machine_saw() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("10.9.9.9, 203.0.113.7"));
        let local: SocketAddr = "127.0.0.1:50000".parse().expect("an address");
        let remote: SocketAddr = "198.51.100.4:50000".parse().expect("an address");
        assert_eq!(client_ip(local, &h), "203.0.113.7", "the address the proxy appended, not one the client wrote");
        assert_eq!(client_ip(remote, &h), "198.51.100.4", "a header from a visitor who is not the proxy is ignored");
        assert_eq!(client_ip(local, &HeaderMap::new()), "127.0.0.1");
        h.insert("x-forwarded-for", HeaderValue::from_static("not an address"));
        assert_eq!(client_ip(local, &h), "127.0.0.1");
    }
}
