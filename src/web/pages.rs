//! The server-rendered pages (askama templates in assets/web/, checked at
//! compile time): each is a struct holding what it shows, escaped by
//! askama (HTML) wherever it is written.

use crate::app::App;
use crate::roster::Language;
use askama::Template;

/// What every page's layout shows.
#[derive(Debug, Clone)]
pub struct Page {
    pub lang: &'static str,
    pub fr: bool,
    /// The coordination's name in the page's language.
    pub coordination: String,
    pub contact_email: Option<String>,
    pub contact_address: Option<String>,
}

impl Page {
    pub fn new(app: &App, lang: Language) -> Page {
        let c = &app.ws.config.coordination;
        let contact = c.contact.as_ref();
        Page {
            lang: lang.code(),
            fr: lang == Language::Fr,
            coordination: c.name(lang).to_owned(),
            contact_email: contact.map(|k| k.email.clone()),
            contact_address: contact.map(|k| match lang {
                Language::Nl => k.address_nl.clone().unwrap_or_else(|| k.address_fr.clone()),
                Language::Fr => k.address_fr.clone(),
            }),
        }
    }
}

/// One page for a signing link that cannot be used, whatever the reason
/// (used, expired, superseded, locked, unknown): it says nothing of which
/// organisations or links exist.
#[derive(Debug, Template)]
#[template(path = "neutral.html")]
pub struct Neutral {
    pub page: Page,
}

/// The privacy notice (DESIGN.md "Personal data"): what is kept, why, for
/// how long, whom to ask.
#[derive(Debug, Template)]
#[template(path = "privacy.html")]
pub struct Privacy {
    pub page: Page,
}

/// The pages' style sheet, served at /site.css.
pub const STYLE: &str = include_str!("../../assets/web/site.css");
