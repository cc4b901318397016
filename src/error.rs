//! The crate-wide error type. Every variant carries what a user needs to act
//! (the file, the line, the field, what was expected) and decides the exit
//! code: 1 when a check failed (audit, verify, a forged document), 2 for bad
//! input or usage — in which case nothing was changed.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in an input file: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file (the header is line 1), when it applies.
    pub line: Option<u64>,
    /// The column or field concerned, as the user wrote it.
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn at(line: u64, field: Option<&str>, message: impl Into<String>) -> Self {
        Problem { line: Some(line), field: field.map(str::to_owned), message: message.into() }
    }

    pub fn file(message: impl Into<String>) -> Self {
        Problem { line: None, field: None, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.line, &self.field) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            (None, Some(c)) => write!(f, "column {c}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Wrong use of the command line or of the workspace.
    #[error("{0}")]
    Usage(String),
    /// An input file with one or more problems; all of them are listed.
    #[error("{}", render_problems(.file, .problems))]
    Input { file: PathBuf, problems: Vec<Problem> },
    /// charte.toml (or another settings file) is invalid.
    #[error("{}: {message}", .file.display())]
    Config { file: PathBuf, message: String },
    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// The database refused an operation.
    #[error("database {}: {message}", .path.display())]
    Store { path: PathBuf, message: String },
    /// A check failed: the journal is broken, a document is forged or altered.
    #[error("{0}")]
    CheckFailed(String),
}

fn render_problems(file: &Path, problems: &[Problem]) -> String {
    let mut out = match problems.len() {
        1 => format!("{}: 1 problem, nothing was changed:", file.display()),
        n => format!("{}: {n} problems, nothing was changed:", file.display()),
    };
    // A file with thousands of problems is the wrong file, or one mistake
    // repeated: the first ones say enough.
    const SHOWN: usize = 50;
    for p in problems.iter().take(SHOWN) {
        out.push_str("\n  ");
        out.push_str(&p.to_string());
    }
    if problems.len() > SHOWN {
        out.push_str(&format!("\n  … and {} more", problems.len() - SHOWN));
    }
    out
}

impl Error {
    /// The process exit code this error stands for (see DESIGN.md).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::CheckFailed(_) => 1,
            _ => 2,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Reads a whole file, naming it in the error.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Writes a file atomically: a temporary file beside it, then a rename, so a
/// reader never sees half a file and an interrupted write leaves nothing.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}
