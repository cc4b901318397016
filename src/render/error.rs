//! Errors of the render module.

use std::fmt;
use std::path::PathBuf;

use chrono::NaiveDate;

/// A problem Typst reported, located in the template or the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What went wrong, as Typst says it.
    pub message: String,
    /// `"template"`, `"data"`, or another virtual path; `None` when Typst
    /// could not tie the problem to a file.
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    /// 1-based column (characters) in `file`.
    pub column: Option<usize>,
    /// Typst's hints, if any.
    pub hints: Vec<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, self.column) {
            (Some(file), Some(line), Some(col)) => write!(f, "{file}:{line}:{col}: ")?,
            (Some(file), _, _) => write!(f, "{file}: ")?,
            _ => {}
        }
        f.write_str(&self.message)?;
        for hint in &self.hints {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Why a document could not be rendered or a template loaded.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The template does not compile with this data.
    #[error("template error: {}", summary(.0))]
    Template(Vec<Diagnostic>),
    /// The document compiled but is not valid PDF/A-3b (or export failed).
    #[error("PDF export error: {}", summary(.0))]
    Export(Vec<Diagnostic>),
    /// The data could not be serialised to JSON.
    #[error("cannot serialise the document data: {0}")]
    Data(#[source] serde_json::Error),
    /// The engine's threads could not be started.
    #[error("cannot start the rendering threads: {0}")]
    Threads(String),
    /// Typst panicked (a bug in Typst or in charte).
    #[error("the Typst compiler crashed: {0}")]
    Panic(String),
    /// A date Typst cannot represent.
    #[error("date {0} is out of range")]
    Date(NaiveDate),
    /// An override template exists but cannot be read.
    #[error("cannot read template {}: {source}", path.display())]
    TemplateRead {
        /// The file that could not be read.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Neither the workspace nor the binary has a template by this name.
    #[error("no template named {name:?} (built-in: {builtin})", name = .0, builtin = super::builtin_names().collect::<Vec<_>>().join(", "))]
    UnknownTemplate(String),
    /// A strings file (e.g. `adherence/fr.json`) is not valid JSON.
    #[error("template {name} is not valid JSON: {source}")]
    Strings {
        /// The template name.
        name: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
}

impl RenderError {
    /// The diagnostics of a template or export error; empty otherwise.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Self::Template(d) | Self::Export(d) => d,
            _ => &[],
        }
    }
}

fn summary(diags: &[Diagnostic]) -> String {
    match diags {
        [] => "unknown error".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}
