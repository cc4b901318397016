//! STUB of the lead's desk skeleton (issue 19), only to compile the
//! documents and returns parts against its announced interface; replaced
//! by the lead's file at the merge.

pub mod documents;
pub mod jobs;
pub mod returns;

use super::Site;
use crate::accounts::Role;
use crate::app::App;
use crate::roster::Language;
use axum::extract::FromRequestParts;
use axum::http::request::Parts as RequestParts;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Viewer {
    pub email: String,
    pub role: Role,
    pub csrf: String,
    pub lang: Language,
    pub chosen: bool,
}

#[derive(Debug, Clone)]
pub struct Coordinator(pub Viewer);

#[derive(Debug)]
pub struct Form<T>(pub Coordinator, pub T);

#[derive(Debug)]
pub struct Upload(pub Coordinator, pub Parts);

#[derive(Debug, Default)]
pub struct Parts {
    pub fields: BTreeMap<String, String>,
    pub file: Option<(String, Vec<u8>)>,
}

impl FromRequestParts<Arc<Site>> for Viewer {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut RequestParts, _: &Arc<Site>) -> Result<Self, Self::Rejection> {
        let committee = parts.headers.contains_key("x-stub-committee");
        Ok(Viewer {
            email: "stub@example.be".into(),
            role: if committee { Role::Committee } else { Role::Coordinator },
            csrf: "stub".into(),
            lang: Language::Fr,
            chosen: false,
        })
    }
}

impl FromRequestParts<Arc<Site>> for Coordinator {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut RequestParts, site: &Arc<Site>) -> Result<Self, Self::Rejection> {
        let v = Viewer::from_request_parts(parts, site).await?;
        if v.role != Role::Coordinator {
            return Err(axum::http::StatusCode::FORBIDDEN.into_response());
        }
        Ok(Coordinator(v))
    }
}

impl<T: serde::de::DeserializeOwned + Send> axum::extract::FromRequest<Arc<Site>> for Form<T> {
    type Rejection = Response;
    async fn from_request(req: axum::extract::Request, site: &Arc<Site>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let c = Coordinator::from_request_parts(&mut parts, site).await?;
        let req = axum::extract::Request::from_parts(parts, body);
        let axum::Form(t) = axum::Form::<T>::from_request(req, site).await.map_err(IntoResponse::into_response)?;
        Ok(Form(c, t))
    }
}

#[derive(Debug, Clone)]
pub struct Frame {
    pub page: super::pages::Page,
    pub email: String,
    pub coordinator: bool,
    pub csrf: String,
    pub section: &'static str,
}

impl Frame {
    pub fn new(app: &App, viewer: &Viewer, section: &'static str) -> Frame {
        Frame {
            page: super::pages::Page::new(app, viewer.lang),
            email: viewer.email.clone(),
            coordinator: viewer.role == Role::Coordinator,
            csrf: viewer.csrf.clone(),
            section,
        }
    }
}

pub fn date(d: chrono::NaiveDate, _lang: Language) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub fn routes() -> axum::Router<Arc<Site>> {
    axum::Router::new().merge(documents::routes()).merge(returns::routes())
}
