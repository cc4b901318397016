//! The data of an adherence document, typed: what `templates/adherence/
//! adherence.typ` reads from `/data.json` (its header documents the same
//! shape). Fill it from the roster and the configuration, then pass
//! `serde_json::to_value(&data)` to [`super::Engine::pdf`].

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{RenderError, adherence_strings, grammar, markdown_blocks};

/// Everything the adherence template prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdherenceData {
    /// `"fr"` or `"nl"`.
    pub lang: String,
    /// The words of the page: `adherence/<lang>.json`.
    pub strings: serde_json::Value,
    /// The network issuing the document.
    pub coordination: CoordinationData,
    /// The organisation it is issued to.
    pub organisation: OrganisationData,
    /// The charter being adhered to.
    pub charter: CharterData,
    /// This document.
    pub document: DocumentData,
}

/// The coordination, as printed on the cover.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoordinationData {
    /// Full name, e.g. "Coordination sociale d'Ixelles".
    pub name: String,
    /// Short name, e.g. "CSI".
    pub short: Option<String>,
    /// Who runs it and signs for it, e.g. "CPAS d'Ixelles".
    pub organiser: String,
    /// Territory covered, e.g. "Ixelles".
    pub territory: Option<String>,
    /// The name after "of", article and elision included: "de la
    /// Coordination sociale d'Ixelles", "van de Sociale coördinatie Elsene".
    #[serde(default)]
    pub of_name: String,
    /// The name with its article, for the middle of a sentence: "la
    /// Coordination sociale d'Ixelles" (the template capitalises it at the
    /// start of one).
    #[serde(default)]
    pub the_name: String,
    /// The organiser after "of": "du CPAS d'Ixelles", "van het OCMW van Elsene".
    #[serde(default)]
    pub of_organiser: String,
    /// The organiser with its article: "le CPAS d'Ixelles".
    #[serde(default)]
    pub the_organiser: String,
    /// How to reach the coordination, when charte.toml says it.
    #[serde(default)]
    pub contact: Option<ContactData>,
}

/// The coordination's postal address, phone and email, in the reader's
/// language, and the place its letters are dated from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactData {
    pub address: String,
    pub phone: String,
    pub email: String,
    pub place: String,
}

impl CoordinationData {
    /// The coordination of charte.toml, as a reader of `lang` reads it.
    pub fn from_config(c: &crate::config::Coordination, lang: crate::roster::Language) -> Self {
        let name = c.name(lang);
        let organiser = c.organiser(lang);
        Self {
            name: name.to_owned(),
            short: Some(c.short.clone()),
            organiser: organiser.to_owned(),
            territory: c.territory(lang).map(str::to_owned),
            of_name: of(name, lang),
            the_name: the(name, lang),
            of_organiser: of(organiser, lang),
            the_organiser: the(organiser, lang),
            contact: c.contact.as_ref().map(|contact| ContactData {
                address: contact.address(lang).to_owned(),
                phone: contact.phone.clone(),
                email: contact.email.clone(),
                place: contact.place(lang),
            }),
        }
    }

    /// The JSON value templates read under `coordination`.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// `name` after "of" in `lang` (see [`super::grammar`]).
pub fn of(name: &str, lang: crate::roster::Language) -> String {
    match lang {
        crate::roster::Language::Fr => grammar::de(name, grammar::french_article(name)),
        crate::roster::Language::Nl => grammar::van(name),
    }
}

/// `name` with its article in `lang`, where it takes one.
pub fn the(name: &str, lang: crate::roster::Language) -> String {
    match lang {
        crate::roster::Language::Fr => grammar::with_article(name, grammar::french_article(name)),
        crate::roster::Language::Nl => grammar::dutch_with_article(name),
    }
}

/// The organisation's identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationData {
    /// Legal name.
    pub name: String,
    /// Formatted as `0123.456.749`.
    pub enterprise_number: String,
    /// Postal address, one line.
    pub address: Option<String>,
    /// Sectors of activity.
    pub sectors: Vec<String>,
    /// Mandated representative.
    pub representative: Option<String>,
    /// Contact address.
    pub email: Option<String>,
    /// The name after "of": "de l'Épicerie sociale…", "d'Alpha Woluwe".
    #[serde(default)]
    pub of_name: String,
}

/// The charter version and its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CharterData {
    /// Version label, e.g. "2022-02".
    pub version: String,
    /// Date the version was adopted.
    #[serde(with = "iso_date_opt")]
    pub adopted: Option<NaiveDate>,
    /// The text, from [`markdown_blocks`].
    pub blocks: serde_json::Value,
    /// The organisation's commitments; `None`: the strings' defaults.
    pub commitments: Option<Vec<String>>,
}

/// The document's own identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentData {
    /// Stable document id.
    pub id: String,
    /// Issue date.
    #[serde(with = "iso_date")]
    pub issued: NaiveDate,
    /// Fingerprint of the key that seals the document (see
    /// `seal::fingerprint`), printed with how to verify it.
    #[serde(default)]
    pub seal_key: Option<String>,
}

impl CharterData {
    /// A charter from its Markdown text.
    pub fn from_markdown(version: &str, adopted: Option<NaiveDate>, markdown: &str) -> Self {
        Self { version: version.to_owned(), adopted, blocks: markdown_blocks(markdown), commitments: None }
    }
}

impl AdherenceData {
    /// Assembles the data, loading the strings for `lang` (workspace
    /// override first, see [`super::load_template`]).
    pub fn new(
        workspace_templates_dir: Option<&Path>,
        lang: &str,
        coordination: CoordinationData,
        organisation: OrganisationData,
        charter: CharterData,
        document: DocumentData,
    ) -> Result<Self, RenderError> {
        Ok(Self {
            lang: lang.to_owned(),
            strings: adherence_strings(workspace_templates_dir, lang)?,
            coordination,
            organisation,
            charter,
            document,
        })
    }

    /// The JSON value the template reads as `/data.json`.
    pub fn to_value(&self) -> serde_json::Value {
        // Plain strings, dates and JSON values: serialisation cannot fail.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Dates as `YYYY-MM-DD` strings (chrono's serde feature is not enabled).
mod iso_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&date.format("%Y-%m-%d"))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(D::Error::custom)
    }
}

mod iso_date_opt {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => s.collect_str(&date.format("%Y-%m-%d")),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(D::Error::custom))
            .transpose()
    }
}
