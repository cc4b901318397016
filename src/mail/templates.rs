//! Mail templates: handlebars, strict, one file per part and language.
//!
//! A message template `NAME` in language `LANG` is three files:
//! `NAME.LANG.subject.hbs` (one line; whitespace collapsed),
//! `NAME.LANG.txt.hbs` (plain text, nothing escaped) and
//! `NAME.LANG.html.hbs` (HTML: every `{{value}}` HTML-escaped; `{{{…}}}`
//! is there for a template author who knows better). Built-in templates are
//! compiled into the binary from `templates/mail/`; a file of the same name
//! in a workspace's `templates/mail/` replaces the built-in one (and a new
//! name adds a template).
//!
//! Strict mode: a template that refers to a field the data does not have is
//! an error naming the template, the field and the line, also inside
//! `{{#if}}`, `{{#unless}}`, `{{#each}}` and `{{#with}}` (handlebars alone
//! lets a helper's missing parameter through as false). A field that may be
//! absent is present with the value `null`.
//!
//! # The convocation's data
//!
//! [`Convocation::data`] gives the templates this shape (values in the
//! recipient's language):
//!
//! ```json
//! {
//!   "lang": "fr",
//!   "network": "Coordination sociale d'Ixelles",
//!   "organiser": "CPAS d'Ixelles",
//!   "body": "Assemblée plénière",
//!   "title": "Assemblée de printemps",            // or null
//!   "date": "jeudi 12 mars 2026 à 14h00",          // in words
//!   "day": "jeudi 12 mars 2026",
//!   "time": "14h00",
//!   "date_iso": "2026-03-12T14:00",
//!   "place": "Salle du conseil, …",                // or null
//!   "agenda": [{"number": 1, "item": "Accueil"}],  // may be empty
//!   "clear_days": 10,                              // notice given, in clear days
//!   "required_clear_days": 10,                     // the body's rule
//!   "late_reason": null,                           // or why the notice is short
//!   "recipient": "ASBL Le Pivot",                  // the organisation
//!   "representative": "Marie Dupont",              // or null
//!   "reply_to": "coordination@cpas.example.be"     // where to excuse oneself
//! }
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, JsonTruthy, Output, RenderContext, RenderError,
    RenderErrorReason, Renderable,
};
use serde::Serialize;
use serde_json::{Value, json};

use super::dates::{Lang, long_date, long_date_time, time_of_day};

/// The built-in templates: (file name, text).
const BUILT_IN: &[(&str, &str)] = &[
    ("convocation.fr.subject.hbs", include_str!("../../templates/mail/convocation.fr.subject.hbs")),
    ("convocation.fr.txt.hbs", include_str!("../../templates/mail/convocation.fr.txt.hbs")),
    ("convocation.fr.html.hbs", include_str!("../../templates/mail/convocation.fr.html.hbs")),
    ("convocation.nl.subject.hbs", include_str!("../../templates/mail/convocation.nl.subject.hbs")),
    ("convocation.nl.txt.hbs", include_str!("../../templates/mail/convocation.nl.txt.hbs")),
    ("convocation.nl.html.hbs", include_str!("../../templates/mail/convocation.nl.html.hbs")),
    ("adherence.fr.subject.hbs", include_str!("../../templates/mail/adherence.fr.subject.hbs")),
    ("adherence.fr.txt.hbs", include_str!("../../templates/mail/adherence.fr.txt.hbs")),
    ("adherence.fr.html.hbs", include_str!("../../templates/mail/adherence.fr.html.hbs")),
    ("adherence.nl.subject.hbs", include_str!("../../templates/mail/adherence.nl.subject.hbs")),
    ("adherence.nl.txt.hbs", include_str!("../../templates/mail/adherence.nl.txt.hbs")),
    ("adherence.nl.html.hbs", include_str!("../../templates/mail/adherence.nl.html.hbs")),
    ("adherence-reminder.fr.subject.hbs", include_str!("../../templates/mail/adherence-reminder.fr.subject.hbs")),
    ("adherence-reminder.fr.txt.hbs", include_str!("../../templates/mail/adherence-reminder.fr.txt.hbs")),
    ("adherence-reminder.fr.html.hbs", include_str!("../../templates/mail/adherence-reminder.fr.html.hbs")),
    ("adherence-reminder.nl.subject.hbs", include_str!("../../templates/mail/adherence-reminder.nl.subject.hbs")),
    ("adherence-reminder.nl.txt.hbs", include_str!("../../templates/mail/adherence-reminder.nl.txt.hbs")),
    ("adherence-reminder.nl.html.hbs", include_str!("../../templates/mail/adherence-reminder.nl.html.hbs")),
    ("code.fr.subject.hbs", include_str!("../../templates/mail/code.fr.subject.hbs")),
    ("code.fr.txt.hbs", include_str!("../../templates/mail/code.fr.txt.hbs")),
    ("code.fr.html.hbs", include_str!("../../templates/mail/code.fr.html.hbs")),
    ("code.nl.subject.hbs", include_str!("../../templates/mail/code.nl.subject.hbs")),
    ("code.nl.txt.hbs", include_str!("../../templates/mail/code.nl.txt.hbs")),
    ("code.nl.html.hbs", include_str!("../../templates/mail/code.nl.html.hbs")),
    ("signed.fr.subject.hbs", include_str!("../../templates/mail/signed.fr.subject.hbs")),
    ("signed.fr.txt.hbs", include_str!("../../templates/mail/signed.fr.txt.hbs")),
    ("signed.fr.html.hbs", include_str!("../../templates/mail/signed.fr.html.hbs")),
    ("signed.nl.subject.hbs", include_str!("../../templates/mail/signed.nl.subject.hbs")),
    ("signed.nl.txt.hbs", include_str!("../../templates/mail/signed.nl.txt.hbs")),
    ("signed.nl.html.hbs", include_str!("../../templates/mail/signed.nl.html.hbs")),
    ("letter.fr.subject.hbs", include_str!("../../templates/mail/letter.fr.subject.hbs")),
    ("letter.fr.txt.hbs", include_str!("../../templates/mail/letter.fr.txt.hbs")),
    ("letter.fr.html.hbs", include_str!("../../templates/mail/letter.fr.html.hbs")),
    ("letter.nl.subject.hbs", include_str!("../../templates/mail/letter.nl.subject.hbs")),
    ("letter.nl.txt.hbs", include_str!("../../templates/mail/letter.nl.txt.hbs")),
    ("letter.nl.html.hbs", include_str!("../../templates/mail/letter.nl.html.hbs")),
    ("return-refused.fr.subject.hbs", include_str!("../../templates/mail/return-refused.fr.subject.hbs")),
    ("return-refused.fr.txt.hbs", include_str!("../../templates/mail/return-refused.fr.txt.hbs")),
    ("return-refused.fr.html.hbs", include_str!("../../templates/mail/return-refused.fr.html.hbs")),
    ("return-refused.nl.subject.hbs", include_str!("../../templates/mail/return-refused.nl.subject.hbs")),
    ("return-refused.nl.txt.hbs", include_str!("../../templates/mail/return-refused.nl.txt.hbs")),
    ("return-refused.nl.html.hbs", include_str!("../../templates/mail/return-refused.nl.html.hbs")),
    ("report.fr.subject.hbs", include_str!("../../templates/mail/report.fr.subject.hbs")),
    ("report.fr.txt.hbs", include_str!("../../templates/mail/report.fr.txt.hbs")),
    ("report.fr.html.hbs", include_str!("../../templates/mail/report.fr.html.hbs")),
    ("report.nl.subject.hbs", include_str!("../../templates/mail/report.nl.subject.hbs")),
    ("report.nl.txt.hbs", include_str!("../../templates/mail/report.nl.txt.hbs")),
    ("report.nl.html.hbs", include_str!("../../templates/mail/report.nl.html.hbs")),
];

/// The three parts of a message template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Subject,
    Text,
    Html,
}

impl Part {
    fn suffix(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Text => "txt",
            Part::Html => "html",
        }
    }

    fn of_file(file_name: &str) -> Option<(String, Part)> {
        let stem = file_name.strip_suffix(".hbs")?;
        let (name, suffix) = stem.rsplit_once('.')?;
        let part = match suffix {
            "subject" => Part::Subject,
            "txt" => Part::Text,
            "html" => Part::Html,
            _ => return None,
        };
        Some((name.to_owned(), part))
    }
}

/// A template problem, naming the template (its file name) and, where it
/// applies, the field and the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("mail template {template}: line {line}: no field {field:?} in the data")]
    MissingField { template: String, field: String, line: usize },
    #[error("mail template {template}: {reason}")]
    Invalid { template: String, reason: String },
    #[error("mail template {template}: {reason}")]
    Render { template: String, reason: String },
    #[error("no mail template {template}")]
    NotFound { template: String },
    #[error("{}: {reason}", path.display())]
    Io { path: PathBuf, reason: String },
}

/// Where a template came from, for messages and `charte`'s own listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    Workspace(PathBuf),
}

/// A rendered message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The mail templates of a workspace: built-ins, overridden by its files.
#[derive(Debug)]
pub struct Templates {
    /// Subjects and plain text: no escaping.
    plain: Handlebars<'static>,
    /// HTML: HTML escaping.
    html: Handlebars<'static>,
    origins: BTreeMap<String, Origin>,
}

impl Templates {
    /// The built-in templates, replaced or completed by the `.hbs` files of
    /// `override_dir` (a workspace's `templates/mail/`; a folder that does
    /// not exist overrides nothing).
    pub fn load(override_dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut templates = Templates { plain: registry(false), html: registry(true), origins: BTreeMap::new() };
        for (file, source) in BUILT_IN {
            templates.register(file, source, Origin::BuiltIn)?;
        }
        if let Some(dir) = override_dir.filter(|d| d.is_dir()) {
            let io = |e: std::io::Error| TemplateError::Io { path: dir.to_owned(), reason: e.to_string() };
            let mut files: Vec<PathBuf> = fs::read_dir(dir)
                .map_err(io)?
                .map(|entry| entry.map(|e| e.path()))
                .collect::<Result<_, _>>()
                .map_err(io)?;
            files.sort();
            for path in files {
                let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
                    continue;
                };
                if !file.ends_with(".hbs") || file.starts_with('.') {
                    continue;
                }
                let source = fs::read_to_string(&path)
                    .map_err(|e| TemplateError::Io { path: path.clone(), reason: e.to_string() })?;
                let file = file.to_owned();
                templates.register(&file, &source, Origin::Workspace(path))?;
            }
        }
        Ok(templates)
    }

    fn register(&mut self, file: &str, source: &str, origin: Origin) -> Result<(), TemplateError> {
        let Some((_, part)) = Part::of_file(file) else {
            return Err(TemplateError::Invalid {
                template: file.to_owned(),
                reason: "expected NAME.LANG.subject.hbs, NAME.LANG.txt.hbs or NAME.LANG.html.hbs".into(),
            });
        };
        let registry = match part {
            Part::Html => &mut self.html,
            Part::Subject | Part::Text => &mut self.plain,
        };
        registry
            .register_template_string(file, source)
            .map_err(|e| TemplateError::Invalid { template: file.to_owned(), reason: e.to_string() })?;
        self.origins.insert(file.to_owned(), origin);
        Ok(())
    }

    /// Where each template file comes from.
    pub fn origins(&self) -> &BTreeMap<String, Origin> {
        &self.origins
    }

    /// Renders the three parts of template `name` in `lang`.
    pub fn render<T: Serialize>(&self, name: &str, lang: Lang, data: &T) -> Result<Rendered, TemplateError> {
        let file = |part: Part| format!("{name}.{lang}.{}.hbs", part.suffix());
        let subject = self.render_part(&file(Part::Subject), Part::Subject, data)?;
        Ok(Rendered {
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            text: self.render_part(&file(Part::Text), Part::Text, data)?,
            html: self.render_part(&file(Part::Html), Part::Html, data)?,
        })
    }

    fn render_part<T: Serialize>(&self, file: &str, part: Part, data: &T) -> Result<String, TemplateError> {
        let registry = match part {
            Part::Html => &self.html,
            Part::Subject | Part::Text => &self.plain,
        };
        if !registry.has_template(file) {
            return Err(TemplateError::NotFound { template: file.to_owned() });
        }
        registry.render(file, data).map_err(|e| render_error(file, &e))
    }

    /// The convocation to one organisation, in its language.
    pub fn convocation(&self, convocation: &Convocation) -> Result<Rendered, TemplateError> {
        self.render("convocation", convocation.lang, &convocation.data())
    }
}

fn registry(html: bool) -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    if !html {
        registry.register_escape_fn(handlebars::no_escape);
    }
    registry.register_helper("if", Box::new(StrictIf { positive: true }));
    registry.register_helper("unless", Box::new(StrictIf { positive: false }));
    registry.register_helper("of", Box::new(Words::Of));
    registry.register_helper("the", Box::new(Words::The));
    registry.register_helper("The", Box::new(Words::TheCapital));
    registry.register_helper("count", Box::new(Words::Count));
    registry
}

/// Names and numbers put into words as the template's language wants them
/// (see [`crate::render::grammar`]): `{{of network}}` ("de la Coordination
/// sociale d'Ixelles", "van de Sociale coördinatie Elsene"), `{{the x}}` and
/// `{{The x}}` (with its article, capitalised at the start of a sentence),
/// `{{count n "jour franc" "jours francs"}}` ("1 jour franc", "10 jours
/// francs"). The language is the template file's (`NAME.LANG.part.hbs`).
#[derive(Debug, Clone, Copy)]
enum Words {
    Of,
    The,
    TheCapital,
    Count,
}

impl Words {
    fn name(self) -> &'static str {
        match self {
            Words::Of => "of",
            Words::The => "the",
            Words::TheCapital => "The",
            Words::Count => "count",
        }
    }
}

/// Helper `name`'s parameter `i`, refused when missing from the data (a
/// misspelt field must not read as empty or false).
fn strict_param<'h, 'rc>(
    h: &'h Helper<'rc>,
    name: &'static str,
    i: usize,
) -> Result<&'h handlebars::PathAndJson<'rc>, RenderError> {
    let p = h.param(i).ok_or(RenderErrorReason::ParamNotFoundForIndex(name, i))?;
    if p.is_value_missing() {
        return Err(RenderErrorReason::MissingVariable(p.relative_path().cloned()).into());
    }
    Ok(p)
}

/// The language of the template being rendered, from its file name.
fn template_lang(rc: &RenderContext<'_, '_>) -> crate::roster::Language {
    let name = rc.get_current_template_name().map(String::as_str).unwrap_or("");
    if name.contains(".nl.") { crate::roster::Language::Nl } else { crate::roster::Language::Fr }
}

impl HelperDef for Words {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let name = self.name();
        let param = |i: usize| strict_param(h, name, i);
        let lang = template_lang(rc);
        let text = match self {
            Words::Count => {
                let n = param(0)?.value().as_i64().ok_or(RenderErrorReason::InvalidParamType("a number"))?;
                let one = param(1)?.value().as_str().unwrap_or_default().to_owned();
                let many = param(2)?.value().as_str().unwrap_or_default().to_owned();
                crate::render::grammar::plural(lang.code(), n, &format!("{{n}} {one}"), &format!("{{n}} {many}"))
            }
            _ => {
                let value = param(0)?.value();
                // A null name (an optional field) prints nothing.
                let Some(value) = value.as_str() else {
                    return Ok(());
                };
                match self {
                    Words::Of => crate::render::of(value, lang),
                    Words::The => crate::render::the(value, lang),
                    _ => capitalise(&crate::render::the(value, lang)),
                }
            }
        };
        // A helper's output is not escaped by handlebars: the HTML registry's
        // escape function is applied here, so a name stays text.
        out.write(&r.get_escape_fn()(&text))?;
        Ok(())
    }
}

/// `text` with its first letter in upper case ("la Coordination…" → "La
/// Coordination…").
fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn render_error(file: &str, e: &RenderError) -> TemplateError {
    let template = e.template_name.clone().unwrap_or_else(|| file.to_owned());
    match e.reason() {
        RenderErrorReason::MissingVariable(path) => TemplateError::MissingField {
            template,
            field: path.clone().unwrap_or_default(),
            line: e.line_no.unwrap_or(0),
        },
        reason => TemplateError::Render {
            template,
            reason: match e.line_no {
                Some(line) => format!("line {line}: {reason}"),
                None => reason.to_string(),
            },
        },
    }
}

/// `if` / `unless` that refuse a parameter missing from the data (a
/// misspelt field would otherwise read as false). `each` and `with` are
/// strict already in handlebars' strict mode.
#[derive(Debug, Clone, Copy)]
struct StrictIf {
    positive: bool,
}

impl HelperDef for StrictIf {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let param = strict_param(h, if self.positive { "if" } else { "unless" }, 0)?;
        let include_zero = h.hash_get("includeZero").and_then(|v| v.value().as_bool()).unwrap_or(false);
        let truthy = param.value().is_truthy(include_zero) == self.positive;
        match if truthy { h.template() } else { h.inverse() } {
            Some(t) => t.render(r, ctx, rc, out),
            None => Ok(()),
        }
    }
}

/// What a convocation says, before it is put into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Convocation {
    /// The recipient's language.
    pub lang: Lang,
    /// The network's name in that language.
    pub network: String,
    /// The CPAS (or intercommunal) that runs the network.
    pub organiser: String,
    /// The body's name in that language.
    pub body: String,
    pub title: Option<String>,
    /// Brussels wall-clock time.
    pub when: NaiveDateTime,
    pub place: Option<String>,
    pub agenda: Vec<String>,
    /// Notice given, in clear days (jours francs).
    pub clear_days: i64,
    /// The body's rule, in clear days.
    pub required_clear_days: i64,
    /// Why the notice is shorter than the rule (`charte convoke --late`).
    pub late_reason: Option<String>,
    /// The organisation convoked.
    pub recipient: String,
    pub representative: Option<String>,
    /// The address that receives excuses.
    pub reply_to: String,
}

impl Convocation {
    /// The data the templates see (shape in the module doc).
    pub fn data(&self) -> Value {
        let agenda: Vec<Value> =
            self.agenda.iter().enumerate().map(|(i, item)| json!({"number": i + 1, "item": item})).collect();
        json!({
            "lang": self.lang.code(),
            "network": self.network,
            "organiser": self.organiser,
            "body": self.body,
            "title": self.title,
            "date": long_date_time(self.when, self.lang),
            "day": long_date(self.when.date(), self.lang),
            "time": time_of_day(self.when, self.lang),
            "date_iso": self.when.format("%Y-%m-%dT%H:%M").to_string(),
            "place": self.place,
            "agenda": agenda,
            "clear_days": self.clear_days,
            "required_clear_days": self.required_clear_days,
            "late_reason": self.late_reason,
            "recipient": self.recipient,
            "representative": self.representative,
            "reply_to": self.reply_to,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn convocation(lang: Lang) -> Convocation {
        Convocation {
            lang,
            network: match lang {
                Lang::Fr => "Coordination sociale d'Ixelles".into(),
                Lang::Nl => "Sociale coördinatie Elsene".into(),
            },
            organiser: "CPAS d'Ixelles".into(),
            body: match lang {
                Lang::Fr => "Assemblée plénière".into(),
                Lang::Nl => "Plenaire vergadering".into(),
            },
            title: None,
            when: NaiveDate::from_ymd_opt(2026, 3, 12).and_then(|d| d.and_hms_opt(14, 0, 0)).expect("date"),
            place: Some("Salle <du> conseil & co".into()),
            agenda: vec!["Accueil".into(), "Budget <2026>".into()],
            clear_days: 10,
            required_clear_days: 10,
            late_reason: None,
            recipient: "ASBL \"Le Pivot\" & Cie".into(),
            representative: Some("Marie Dupont".into()),
            reply_to: "coordination@cpas.example.be".into(),
        }
    }

    #[test]
    fn built_in_convocations_render_in_both_languages() {
        let t = Templates::load(None).expect("built-ins");
        let fr = t.convocation(&convocation(Lang::Fr)).expect("fr");
        assert_eq!(fr.subject, "Convocation : Assemblée plénière du jeudi 12 mars 2026 à 14h00");
        assert!(fr.text.contains("jeudi 12 mars 2026 à 14h00"), "{}", fr.text);
        assert!(fr.text.contains("10 jours francs"), "{}", fr.text);
        assert!(fr.text.contains("2. Budget <2026>"), "{}", fr.text);
        assert!(fr.text.contains("ASBL \"Le Pivot\" & Cie"), "{}", fr.text);
        assert!(fr.text.contains("coordination@cpas.example.be"));
        assert!(fr.html.contains("Budget &lt;2026&gt;"), "{}", fr.html);
        assert!(fr.html.contains("Salle &lt;du&gt; conseil &amp; co"));
        assert!(!fr.html.contains("<2026>"));

        let nl = t.convocation(&convocation(Lang::Nl)).expect("nl");
        assert_eq!(nl.subject, "Oproeping: Plenaire vergadering van donderdag 12 maart 2026 om 14.00 uur");
        assert!(nl.text.contains("10 vrije dagen"), "{}", nl.text);
        assert!(nl.html.contains("donderdag 12 maart 2026 om 14.00 uur"));
    }

    #[test]
    fn late_and_singular_notice() {
        let t = Templates::load(None).expect("built-ins");
        let mut c = convocation(Lang::Fr);
        c.clear_days = 1;
        c.late_reason = Some("urgence budgétaire".into());
        let fr = t.convocation(&c).expect("fr");
        assert!(fr.text.contains("1 jour franc "), "{}", fr.text);
        assert!(fr.text.contains("urgence budgétaire"), "{}", fr.text);
        c.lang = Lang::Nl;
        let nl = t.convocation(&c).expect("nl");
        assert!(nl.text.contains("1 vrije dag "), "{}", nl.text);
    }

    #[test]
    fn a_workspace_file_overrides_a_built_in() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("convocation.fr.subject.hbs"), "Réunion {{body}}").expect("write");
        fs::write(dir.path().join("notes.txt"), "not a template").expect("write");
        let t = Templates::load(Some(dir.path())).expect("load");
        let fr = t.convocation(&convocation(Lang::Fr)).expect("fr");
        assert_eq!(fr.subject, "Réunion Assemblée plénière");
        assert!(matches!(t.origins().get("convocation.fr.subject.hbs"), Some(Origin::Workspace(_))));
        assert_eq!(t.origins().get("convocation.fr.txt.hbs"), Some(&Origin::BuiltIn));
        let missing = Templates::load(Some(&dir.path().join("nope"))).expect("no folder");
        assert_eq!(missing.origins().len(), BUILT_IN.len());
    }

    #[test]
    fn a_missing_field_names_template_and_field() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("convocation.fr.txt.hbs"), "Bonjour\n{{recipient}} le {{datum}}\n").expect("write");
        let t = Templates::load(Some(dir.path())).expect("load");
        let err = t.convocation(&convocation(Lang::Fr)).expect_err("missing");
        assert_eq!(
            err,
            TemplateError::MissingField { template: "convocation.fr.txt.hbs".into(), field: "datum".into(), line: 2 }
        );
        assert!(err.to_string().contains("convocation.fr.txt.hbs"));

        fs::write(dir.path().join("convocation.fr.txt.hbs"), "{{#if titel}}x{{/if}}").expect("write");
        let t = Templates::load(Some(dir.path())).expect("load");
        match t.convocation(&convocation(Lang::Fr)) {
            Err(TemplateError::MissingField { field, .. }) => assert_eq!(field, "titel"),
            other => panic!("{other:?}"),
        }
        fs::write(dir.path().join("convocation.fr.txt.hbs"), "{{#each agenda}}{{itme}}{{/each}}").expect("write");
        let t = Templates::load(Some(dir.path())).expect("load");
        match t.convocation(&convocation(Lang::Fr)) {
            Err(TemplateError::MissingField { field, .. }) => assert_eq!(field, "itme"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_broken_template_names_its_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("convocation.nl.html.hbs"), "{{#if x}}").expect("write");
        match Templates::load(Some(dir.path())) {
            Err(TemplateError::Invalid { template, .. }) => {
                assert_eq!(template, "convocation.nl.html.hbs");
            }
            other => panic!("{other:?}"),
        }
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("convocation.fr.text.hbs"), "x").expect("write");
        assert!(matches!(Templates::load(Some(dir.path())), Err(TemplateError::Invalid { .. })));
        let t = Templates::load(None).expect("built-ins");
        assert!(matches!(t.render("rappel", Lang::Fr, &json!({})), Err(TemplateError::NotFound { .. })));
    }
}
