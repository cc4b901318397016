//! The crate-wide error type. Every variant carries what a user needs to act
//! (the file, the line, the field, what was expected), and has a [`Kind`]
//! that decides, in one place, the exit code (DESIGN.md "Exit codes") and
//! the HTTP status:
//!
//! | kind | exit | HTTP | meaning |
//! |---|---|---|---|
//! | [`Kind::Invalid`] | 2 | 422 | bad input or usage; nothing was changed |
//! | [`Kind::NotFound`] | 2 | 404 | what was named does not exist; nothing was changed |
//! | [`Kind::CheckFailed`] | 1 | 422 | a check failed: audit, verify, a forged or altered document |
//! | [`Kind::Temporary`] | 3 | 503 | stopped part-way by a temporary failure; what was done is journaled, running again finishes |
//! | [`Kind::Partial`] | 4 | 207 | done for every item but those named |
//! | [`Kind::Internal`] | 70 | 500 | a bug to report |
//! | [`Kind::Forbidden`] | 2 | 403 | not allowed to whoever asks (no CSRF token, a read-only role) |
//! | [`Kind::TooMany`] | 3 | 429 | too many attempts (codes, logins): wait and try again |
//! | [`Kind::TooLarge`] | 2 | 413 | a request or file over the size allowed |
//! | [`Kind::Unauthorized`] | 2 | 401 | not signed in, or a wrong address or password |
//!
//! No raw database message reaches a user: the store turns SQLite's errors
//! into [`Error::Store`], which says what happened in words.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::reason::Reason;
use crate::roster::Language;

/// One problem found in an input file: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the file (the header is line 1), when it applies.
    pub line: Option<u64>,
    /// The column or field concerned, as the user wrote it.
    pub field: Option<String>,
    /// The sentence in English, as the command line says it.
    pub message: String,
    /// Why, typed, where the check says it so: the desk says it in
    /// French or Dutch ([`Problem::say`]); `message` is its English.
    pub reason: Option<Reason>,
}

impl Problem {
    pub fn at(line: u64, field: Option<&str>, message: impl Into<String>) -> Self {
        Problem { line: Some(line), field: field.map(str::to_owned), message: message.into(), reason: None }
    }

    pub fn file(message: impl Into<String>) -> Self {
        Problem { line: None, field: None, message: message.into(), reason: None }
    }

    /// A problem on `line` (0: none), in `field`, for a typed reason.
    pub fn because(line: u64, field: Option<&str>, reason: Reason) -> Self {
        Problem {
            line: (line > 0).then_some(line),
            field: field.map(str::to_owned),
            message: reason.to_string(),
            reason: Some(reason),
        }
    }

    /// A problem of the whole file, for a typed reason.
    pub fn of_file(reason: Reason) -> Self {
        Problem { line: None, field: None, message: reason.to_string(), reason: Some(reason) }
    }

    /// What the problem says, without its line and field, in French or
    /// Dutch (the English where it has no typed reason yet).
    pub fn said(&self, lang: Language) -> String {
        self.reason.as_ref().map_or_else(|| self.message.clone(), |r| r.say(lang))
    }

    /// The problem's field in words (a roster's column as charte names
    /// it), else as written.
    fn field_words(&self, lang: Language) -> &str {
        let field = self.field.as_deref().unwrap_or_default();
        crate::roster::field_words(field, lang).unwrap_or(field)
    }

    /// The problem in French or Dutch, its line and column named in
    /// words: « ligne 3, colonne « numéro d'entreprise » : … »; a form's
    /// field (no line) by its name alone: « adresse e-mail : … ».
    pub fn say(&self, lang: Language) -> String {
        let what = self.said(lang);
        let column = self.field.as_deref().map(|c| crate::reason::column(c, lang));
        match (lang, self.line, column) {
            (Language::Fr, Some(l), Some(c)) => format!("ligne {l}, colonne {c} : {what}"),
            (Language::Fr, Some(l), None) => format!("ligne {l} : {what}"),
            // A field of a form: named in words, unquoted.
            (Language::Fr, None, Some(_)) => format!("{} : {what}", self.field_words(lang)),
            (Language::Nl, Some(l), Some(c)) => format!("regel {l}, kolom {c}: {what}"),
            (Language::Nl, Some(l), None) => format!("regel {l}: {what}"),
            (Language::Nl, None, Some(_)) => format!("{}: {what}", self.field_words(lang)),
            (_, None, None) => what,
        }
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

/// What kind of failure an error is: decides the exit code and the HTTP
/// status (see the module's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invalid,
    NotFound,
    CheckFailed,
    Temporary,
    Partial,
    Internal,
    /// Not allowed to whoever asks (a form without its CSRF token, a
    /// read-only role asking for a change).
    Forbidden,
    /// Too many attempts in too little time (codes, logins): wait.
    TooMany,
    /// A file or request over the size allowed.
    TooLarge,
    /// Not signed in, or signing in with a wrong address or password.
    Unauthorized,
}

impl Kind {
    /// The process exit code (DESIGN.md).
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Invalid | Kind::NotFound | Kind::Forbidden | Kind::TooLarge | Kind::Unauthorized => 2,
            Kind::CheckFailed => 1,
            Kind::Temporary | Kind::TooMany => 3,
            Kind::Partial => 4,
            Kind::Internal => 70,
        }
    }

    /// The HTTP status a web front end answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Kind::Invalid | Kind::CheckFailed => 422,
            Kind::NotFound => 404,
            Kind::Temporary => 503,
            Kind::Partial => 207,
            Kind::Internal => 500,
            Kind::Forbidden => 403,
            Kind::TooMany => 429,
            Kind::TooLarge => 413,
            Kind::Unauthorized => 401,
        }
    }
}

/// One item of a batch that could not be done, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// The item as a user names it (an organisation's name and number).
    pub item: String,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Wrong use of the command line or of the workspace.
    #[error("{0}")]
    Usage(String),
    /// What was named (a meeting, an organisation, an election) does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Stopped by a temporary failure (a mail server's 4xx, a server down,
    /// the workspace busy): what was done is journaled, running again
    /// finishes the work.
    #[error("{0}")]
    Temporary(String),
    /// A batch done for every item but `failed`; `done` says what was done.
    #[error("{}", render_partial(.done, .failed))]
    Partial { done: String, failed: Vec<Failed> },
    /// A bug: something charte itself got wrong.
    #[error("internal error, please report it: {0}")]
    Internal(String),
    /// An input file with one or more problems; all of them are listed.
    #[error("{}", render_problems(.file, .problems))]
    Input { file: PathBuf, problems: Vec<Problem> },
    /// charte.toml (or another settings file) is invalid.
    #[error("{}: {message}", .file.display())]
    Config { file: PathBuf, message: String },
    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// The database could not do an operation; `message` says it in words
    /// (never SQLite's own text), `kind` is Temporary when another writer
    /// held the workspace too long, else Internal.
    #[error("{}: {message}", .path.display())]
    Store { path: PathBuf, message: String, kind: Kind },
    /// A check failed: the journal is broken, a document is forged or altered.
    #[error("{0}")]
    CheckFailed(String),
    /// Refused to whoever asked: see [`Kind::Forbidden`], [`Kind::TooMany`],
    /// [`Kind::TooLarge`].
    #[error("{message}")]
    Refused { kind: Kind, message: String },
    /// A signing link that opens nothing: used, expired, superseded,
    /// locked or unknown, one and the same to the visitor (the signing
    /// page's neutral page; no hint of which organisations exist).
    #[error("{}", crate::links::NEUTRAL)]
    LinkNotValid,
    /// A committee account asked for a change: it reads, it changes
    /// nothing (403, said as such, not as a form without its token).
    #[error("a committee account reads; it changes nothing")]
    ReadOnly,
    /// A charter version that cannot be adopted, and why (said in
    /// English here, in French or Dutch on the desk).
    #[error("{0}")]
    NotAdopted(crate::charter::NotAdopted),
    /// A charter text that is not saved, and why.
    #[error("{0}")]
    NotSaved(crate::charter::NotSaved),
    /// An action not done, and why (said in French or Dutch on the desk).
    #[error("{0}")]
    NotDone(crate::reason::NotDone),
    /// A vote that is not recorded, and why.
    #[error("{0}")]
    NotVoted(crate::governance::vote::NotVoted),
    /// An election that is not opened, and why (with the field).
    #[error("{0}")]
    NotOpened(crate::governance::election::NotOpened),
    /// A roster sent to the desk that is not imported, and why.
    #[error("{0}")]
    NotImported(crate::roster::import::NotImported),
    /// A report not sent to the funder, and why.
    #[error("{0}")]
    NotSent(crate::report::NotSent),
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

fn render_partial(done: &str, failed: &[Failed]) -> String {
    let mut out = match failed.len() {
        1 => format!("{done}; 1 not done, its data needs a fix:"),
        n => format!("{done}; {n} not done, their data needs a fix:"),
    };
    for f in failed.iter().take(50) {
        out.push_str(&format!("\n  {}: {}", f.item, f.reason));
    }
    if failed.len() > 50 {
        out.push_str(&format!("\n  … and {} more", failed.len() - 50));
    }
    out
}

impl Error {
    /// The same error, its message followed by `note` (what was done
    /// besides, what to do), where the error is a sentence of ours;
    /// otherwise unchanged.
    #[must_use]
    pub fn noted(self, note: &str) -> Error {
        match self {
            Error::Temporary(m) => Error::Temporary(m + note),
            Error::Usage(m) => Error::Usage(m + note),
            Error::Config { file, message } => Error::Config { file, message: message + note },
            e => e,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> Kind {
        match self {
            Error::Usage(_)
            | Error::Input { .. }
            | Error::Config { .. }
            | Error::NotAdopted(_)
            | Error::NotSaved(_)
            | Error::NotSent(_)
            | Error::NotVoted(_)
            | Error::NotDone(_) => Kind::Invalid,
            Error::NotFound(_) | Error::LinkNotValid => Kind::NotFound,
            Error::ReadOnly => Kind::Forbidden,
            Error::CheckFailed(_) => Kind::CheckFailed,
            Error::Temporary(_) => Kind::Temporary,
            Error::Partial { .. } => Kind::Partial,
            Error::Internal(_) => Kind::Internal,
            Error::Store { kind, .. } => *kind,
            Error::Io { source, .. } => io_kind(source),
            Error::Refused { kind, .. } => *kind,
            Error::NotImported(why) => why.kind(),
            Error::NotOpened(why) => why.kind(),
        }
    }

    /// The process exit code this error stands for (see DESIGN.md).
    pub fn exit_code(&self) -> u8 {
        self.kind().exit_code()
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Error::NotFound(message.into())
    }

    /// A refusal of kind `kind` (Forbidden, TooMany, TooLarge, Unauthorized).
    pub fn refused(kind: Kind, message: impl Into<String>) -> Self {
        Error::Refused { kind, message: message.into() }
    }

    pub fn temporary(message: impl Into<String>) -> Self {
        Error::Temporary(message.into())
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }
}

/// A file charte was told to read that is missing or unreadable is the
/// user's to fix; a disk that is full or failing is not their input, and
/// running again may succeed.
fn io_kind(e: &std::io::Error) -> Kind {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound
        | K::PermissionDenied
        | K::AlreadyExists
        | K::InvalidInput
        | K::InvalidData
        | K::IsADirectory
        | K::NotADirectory
        | K::InvalidFilename
        | K::ReadOnlyFilesystem
        | K::DirectoryNotEmpty => Kind::Invalid,
        K::StorageFull | K::QuotaExceeded | K::WouldBlock | K::TimedOut | K::Interrupted | K::ResourceBusy => {
            Kind::Temporary
        }
        _ => Kind::Internal,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Reads a whole file, naming it in the error. Only for files charte
/// wrote itself; a file a user names goes through [`read_bounded`].
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// The largest document charte reads back: a returned document is at most
/// 20 MB, whatever the channel (DESIGN.md); a sealed document or report
/// charte wrote is far smaller.
pub const MAX_DOCUMENT_BYTES: u64 = 20 * 1024 * 1024;

/// The largest key file read: a charte key file is under 100 bytes.
pub const MAX_KEY_BYTES: u64 = 4 * 1024;

/// Reads a file a user named, refusing it when it holds more than
/// `max_bytes` (`what` says what the file should be, e.g. "a roster").
///
/// The length the file system reports is not enough: it is 0 for special
/// files (`/dev/zero`, a pipe), which would then be read until memory runs
/// out. So the read itself is bounded: at most `max_bytes + 1` bytes are
/// ever read, and one byte too many is a refusal naming the limit.
pub fn read_bounded(path: &Path, max_bytes: u64, what: &str) -> Result<Vec<u8>> {
    read_at_most(path, max_bytes).map_err(|e| Error::io(path, e))?.ok_or_else(|| too_big(path, max_bytes, what))
}

/// The refusal of a file larger than `max_bytes` (`what` says what it
/// should be).
pub fn too_big(path: &Path, max_bytes: u64, what: &str) -> Error {
    Error::Input {
        file: path.to_owned(),
        problems: vec![Problem::file(format!(
            "the file is larger than {limit}: {what} is at most {limit} (is this the right file?)",
            limit = size_in_words(max_bytes)
        ))],
    }
}

/// A file's bytes if it holds at most `max_bytes`, else None: a regular
/// file too large is refused before a byte of it is read, anything else
/// (a pipe, /dev/zero) stops one byte past the limit.
pub fn read_at_most(path: &Path, max_bytes: u64) -> std::io::Result<Option<Vec<u8>>> {
    at_most(std::fs::File::open(path)?, max_bytes)
}

/// As [`read_at_most`], but only a plain file and never through a link:
/// the file opened must be the one `lstat` saw (a link put in its place
/// meanwhile opens another file, and is refused). Written by hand: std
/// has no O_NOFOLLOW without the libc crate; comparing device and inode
/// does the same here.
pub fn read_plain_at_most(path: &Path, max_bytes: u64) -> std::io::Result<Option<Vec<u8>>> {
    let seen = std::fs::symlink_metadata(path)?;
    if !seen.file_type().is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a plain file"));
    }
    let file = std::fs::File::open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let opened = file.metadata()?;
        if (opened.dev(), opened.ino()) != (seen.dev(), seen.ino()) {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "the file changed"));
        }
    }
    at_most(file, max_bytes)
}

fn at_most(file: std::fs::File, max_bytes: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let announced = file.metadata().map(|m| m.len()).unwrap_or(0);
    if announced > max_bytes {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(announced as usize);
    file.take(max_bytes.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max_bytes).then_some(bytes))
}

/// A size limit in words: "16 MB", "64 KB", "512 bytes".
pub fn size_in_words(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Writes a file atomically: a temporary file beside it, then a rename, so a
/// reader never sees half a file and an interrupted write leaves nothing.
///
/// The temporary file is created exclusively (O_EXCL) under an
/// unpredictable name, so a link planted in the folder cannot redirect the
/// write; the rename replaces a link at `path` rather than following it.
/// A killed run leaves at most a `.charte-*.tmp` file, which nothing reads.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    persist(path, bytes, true)
}

/// Writes a new file atomically, as [`write_atomic`], but never replaces
/// one: a file already at `path` holding exactly `bytes` is left as it is
/// (a run interrupted after writing it); any other is refused, naming it.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    match holds(path, &sha256_hex(bytes))? {
        None => persist(path, bytes, false),
        Some(true) => Ok(()),
        Some(false) => Err(not_ours(path)),
    }
}

fn persist(path: &Path, bytes: &[u8], replace: bool) -> Result<()> {
    let staged = stage(path, bytes)?;
    if replace { staged.replace(path) } else { staged.place_new(path).map(|_| ()) }
}

/// A file written and synced under a temporary name of its own in the
/// folder it goes to (`.charte-*.tmp`, created exclusively), not yet in
/// place: a writer stages its files before taking the journal's lock,
/// then, under the lock, puts them in place (a rename, never a copy) or
/// drops them. Dropped, the temporary file is removed.
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    sha256: String,
}

/// The folder `path` is in: its parent, or the current folder for a bare
/// file name.
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Stages `bytes` for `path` (see [`Staged`]), readable and writable by
/// its owner only (mode 0600).
pub fn stage(path: &Path, bytes: &[u8]) -> Result<Staged> {
    stage_as(path, bytes, None)
}

/// Stages `bytes` for `path` as [`stage`] does, with the permission bits
/// `mode` (on unix): a public key, 0644, beside the private ones.
pub fn stage_with_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<Staged> {
    stage_as(path, bytes, Some(mode))
}

fn stage_as(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<Staged> {
    use std::io::Write;
    let dir = folder_of(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".charte-").suffix(".tmp");
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    Ok(Staged { tmp, sha256: sha256_hex(bytes) })
}

impl Staged {
    /// The refusal to replace `path`, a file charte did not write there.
    pub fn refusal(path: &Path) -> Error {
        not_ours(path)
    }

    /// The sha256 of the staged bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Renames the file to `path`, replacing what is there (a link at
    /// `path` is replaced, not followed).
    pub fn replace(self, path: &Path) -> Result<()> {
        self.tmp.persist(path).map_err(|e| Error::io(path, e.error)).map(|_| ())
    }

    /// Puts the file at `path` if nothing is there (true). A file already
    /// there holding these very bytes is kept and the staged one dropped
    /// (false); any other is refused, naming it, and never replaced.
    pub fn place_new(self, path: &Path) -> Result<bool> {
        match holds(path, &self.sha256)? {
            Some(true) => Ok(false),
            Some(false) => Err(not_ours(path)),
            None => match self.tmp.persist_noclobber(path) {
                Ok(_) => Ok(true),
                Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(not_ours(path)),
                Err(e) => Err(Error::io(path, e.error)),
            },
        }
    }
}

/// What is at `path`: nothing (None), a plain file whose bytes hash to
/// `sha256` (true), or anything else (false: other bytes, a link, a folder).
pub fn holds(path: &Path, sha256: &str) -> Result<Option<bool>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
        Ok(meta) => Ok(Some(meta.is_file() && std::fs::read(path).is_ok_and(|b| sha256_hex(&b) == sha256))),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The refusal to replace a file charte did not write for this document.
fn not_ours(path: &Path) -> Error {
    Error::Usage(format!(
        "{} already exists and is not the file charte is writing there: charte never replaces a file it did \
         not write for this document; move that file away, then run the command again",
        path.display()
    ))
}

/// Creates `dir` (and its parents) as real folders: one that is a symbolic
/// link is refused, so nothing charte writes lands outside the workspace.
pub fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let meta = std::fs::symlink_metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !meta.is_dir() {
        return Err(Error::Usage(format!(
            "{} is a link, not a folder: charte writes only into the workspace's own folders; replace it with a folder",
            dir.display()
        )));
    }
    Ok(())
}
