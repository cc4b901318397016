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

/// A block of the charter's text (src/render/markdown.rs gives them).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
    Heading { level: u8, text: String },
    Paragraph { spans: Vec<Span> },
    List { ordered: bool, items: Vec<Vec<Span>> },
}

/// A run of text, bold or not.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Span {
    pub text: String,
    pub strong: bool,
}

/// The charter's Markdown text as the page's blocks (none when it does
/// not read: the PDF holds the text anyway).
pub fn blocks(markdown: &str) -> Vec<Block> {
    serde_json::from_value(crate::render::markdown_blocks(markdown)).unwrap_or_default()
}

/// What the signing page shows: the organisation's document, the form
/// (its step: details, then the code), the upload.
#[derive(Debug, Clone)]
pub struct SignView {
    pub token: String,
    pub csrf: String,
    pub organisation: String,
    pub enterprise_number: String,
    pub document_id: String,
    pub version: String,
    /// The link's last day, written for the reader.
    pub expires: String,
    pub text: Vec<Block>,
    pub signer: String,
    pub capacity: String,
    pub mandate: bool,
    /// Where the code went (masked), once it was sent.
    pub code_sent: Option<String>,
    /// What went wrong with the last form, in the page's language.
    pub message: Option<String>,
}

#[derive(Debug, Template)]
#[template(path = "sign.html")]
pub struct Sign {
    pub page: Page,
    pub s: SignView,
}

/// What a confirmation page says, in both languages.
#[derive(Debug, Clone)]
pub struct DoneView {
    pub heading_fr: String,
    pub heading_nl: String,
    pub lines_fr: Vec<String>,
    pub lines_nl: Vec<String>,
}

#[derive(Debug, Template)]
#[template(path = "done.html")]
pub struct Done {
    pub page: Page,
    pub d: DoneView,
}

/// The pages' style sheet, served at /site.css.
pub const STYLE: &str = include_str!("../../assets/web/site.css");
