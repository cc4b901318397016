//! Built-in templates, embedded in the binary, and their workspace overrides.
//!
//! A template is named by its path under `templates/` (for example
//! `adherence/adherence.typ`). A workspace's `templates/` folder may hold a
//! file of the same name, which then replaces the built-in one; a workspace
//! without that folder or that file simply gets the built-in version.

use std::io::ErrorKind;
use std::path::{Component, Path};

use super::RenderError;

/// Name of the adherence document's Typst template.
pub const ADHERENCE_TEMPLATE: &str = "adherence/adherence.typ";

/// (name, contents) of every built-in template.
const BUILTIN: &[(&str, &str)] = &[
    (ADHERENCE_TEMPLATE, include_str!("../../templates/adherence/adherence.typ")),
    ("adherence/fr.json", include_str!("../../templates/adherence/fr.json")),
    ("adherence/nl.json", include_str!("../../templates/adherence/nl.json")),
    (CONVOCATION_TEMPLATE, include_str!("../../templates/convocation/convocation.typ")),
    ("convocation/fr.json", include_str!("../../templates/convocation/fr.json")),
    ("convocation/nl.json", include_str!("../../templates/convocation/nl.json")),
    (ANNUAL_TEMPLATE, include_str!("../../templates/report/annual.typ")),
    (SUBSIDY_TEMPLATE, include_str!("../../templates/report/subsidy.typ")),
    ("report/fr.json", include_str!("../../templates/report/fr.json")),
    ("report/nl.json", include_str!("../../templates/report/nl.json")),
    (LETTER_TEMPLATE, include_str!("../../templates/letters/interpellation.typ")),
    ("letters/fr.json", include_str!("../../templates/letters/fr.json")),
    ("letters/nl.json", include_str!("../../templates/letters/nl.json")),
];

/// The PDF convocation attached to each convocation email.
pub const CONVOCATION_TEMPLATE: &str = "convocation/convocation.typ";
/// The annual evaluation report.
pub const ANNUAL_TEMPLATE: &str = "report/annual.typ";
/// The funder's subsidy report.
pub const SUBSIDY_TEMPLATE: &str = "report/subsidy.typ";
/// The draft interpellation letter to a flagged organisation.
pub const LETTER_TEMPLATE: &str = "letters/interpellation.typ";

/// Names of the built-in templates.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(name, _)| *name)
}

/// The text of template `name`: the workspace's override
/// (`workspace_templates_dir/name`) if that file exists, else the built-in
/// one. An override that exists but cannot be read (permissions, not UTF-8,
/// a directory) is an error naming its path, not a silent fallback.
pub fn load_template(workspace_templates_dir: Option<&Path>, name: &str) -> Result<String, RenderError> {
    let relative = Path::new(name);
    let plain = relative.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain || name.is_empty() {
        return Err(RenderError::UnknownTemplate(name.to_owned()));
    }
    if let Some(dir) = workspace_templates_dir {
        let path = dir.join(relative);
        match std::fs::read_to_string(&path) {
            Ok(text) => return Ok(text),
            Err(err) if err.kind() == ErrorKind::NotFound => {}
            Err(source) => return Err(RenderError::TemplateRead { path, source }),
        }
    }
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| (*text).to_owned())
        .ok_or_else(|| RenderError::UnknownTemplate(name.to_owned()))
}

/// The adherence document's strings for `lang` (`"fr"` or `"nl"`), from
/// `adherence/<lang>.json` (overridable like any template), as the value to
/// put under `strings` in the document data.
pub fn adherence_strings(workspace_templates_dir: Option<&Path>, lang: &str) -> Result<serde_json::Value, RenderError> {
    strings(workspace_templates_dir, "adherence", lang)
}

/// The strings of a template family (`adherence`, `convocation`, `report`,
/// `letters`) for `lang`, from `<family>/<lang>.json`, overridable.
pub fn strings(
    workspace_templates_dir: Option<&Path>,
    family: &str,
    lang: &str,
) -> Result<serde_json::Value, RenderError> {
    let name = format!("{family}/{lang}.json");
    let text = load_template(workspace_templates_dir, &name)?;
    serde_json::from_str(&text).map_err(|source| RenderError::Strings { name, source })
}
