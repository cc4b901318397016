//! A workspace saved in one file (`charte backup FILE`) and put back
//! (`charte restore FILE DIR`); the format is crate::backup's.
//!
//! A backup takes the journal first, as a snapshot at one commit
//! (journal::Store::snapshot: other commands may go on writing), then the
//! files: a document is put in place before the entry that records it, so
//! every file the snapshot's journal names is in the backup (a few more
//! may be, written meanwhile and not yet journaled: a later run keeps them
//! as it keeps the file of a run interrupted after writing it).
//!
//! A restore checks the whole file before it writes anything, extracts it
//! into a staging folder beside DIR, opens it as a workspace and audits it
//! as `charte audit` does, and only then renames it to DIR: a failure at
//! any step leaves nothing in DIR.

use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use chrono::NaiveDate;

use super::{App, Bar, Progress};
use crate::backup::{self, Backup, ItemKind, JournalHead, Label, Skipped};
use crate::error::{Error, Kind, Result};
use crate::journal::store::Audit;

/// The shortest passphrase a backup is encrypted with: the private key is
/// inside, and anyone holding the file may try passphrases offline.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// What to save, where.
#[derive(Debug)]
pub struct Input {
    /// The backup file to write (it must not exist).
    pub file: PathBuf,
    /// Encrypt it with this passphrase (age, scrypt).
    pub passphrase: Option<SecretString>,
}

/// A backup written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub file: PathBuf,
    /// Files saved, charte.db's snapshot included.
    pub files: u64,
    /// The backup's size.
    pub bytes: u64,
    /// The journal saved.
    pub journal: JournalHead,
    pub encrypted: bool,
    /// Left out of the saved folders, and why.
    pub skipped: Vec<Skipped>,
    /// At the workspace's root, not part of a workspace: not saved.
    pub left_out: Vec<String>,
}

impl App {
    /// Saves the workspace in one new file (crate::backup): the journal
    /// as a snapshot, then charte.toml, keys/, charter/, templates/,
    /// workflows/ and out/.
    pub fn backup(&self, input: &Input) -> Result<Saved> {
        let file = &input.file;
        if std::fs::symlink_metadata(file).is_ok() {
            return Err(backup::exists(file));
        }
        self.refuse_inside(file)?;
        if let Some(p) = &input.passphrase {
            use age::secrecy::ExposeSecret;
            if p.expose_secret().chars().count() < MIN_PASSPHRASE_CHARS {
                return Err(Error::usage(format!(
                    "the passphrase is shorter than {MIN_PASSPHRASE_CHARS} characters: the backup holds the \
                     private key, and anyone holding the file may try passphrases; choose a longer one (a few \
                     words); nothing was written"
                )));
            }
        }
        let plan = backup::plan(&self.ws.root)?;
        let root = &self.ws.root;
        // The snapshot in the workspace, beside the database: the same disk,
        // and a name (`.charte-*.tmp`) nothing reads, removed when dropped.
        let snapshot = tempfile::Builder::new()
            .prefix(".charte-")
            .suffix(".tmp")
            .tempfile_in(root)
            .map_err(|e| Error::io(root, e))?;
        let head = self.ws.store.snapshot(snapshot.path())?;
        let journal = JournalHead { entries: head.seq, head: head.hash };
        let label = Label {
            format: backup::FORMAT.to_owned(),
            version: backup::VERSION,
            coordination: self.coordination_name().to_owned(),
            created: self.today,
            charte: env!("CARGO_PKG_VERSION").to_owned(),
            journal: journal.clone(),
            files: plan.files() + 1,
        };
        let bar = self.bar(plan.items.len() as u64 + 1, "files saved");
        let mut writer = backup::Writer::create(file, input.passphrase.as_ref())?;
        writer.label(&label)?;
        add_file(&mut writer, crate::workspace::DB_FILE, snapshot.path(), 0o600)?;
        bar.inc(1);
        for item in &plan.items {
            match item.kind {
                ItemKind::Dir { mode } => writer.dir(&item.name, mode, mtime(&item.path))?,
                ItemKind::File { mode } => add_file(&mut writer, &item.name, &item.path, mode)?,
            }
            bar.inc(1);
        }
        let bytes = writer.finish()?;
        Ok(Saved {
            file: file.clone(),
            files: label.files,
            bytes,
            journal,
            encrypted: input.passphrase.is_some(),
            skipped: plan.skipped,
            left_out: plan.left_out,
        })
    }

    /// Refuses a backup written into the workspace it saves: it would be
    /// lost with it, and saved again in the next one.
    fn refuse_inside(&self, file: &Path) -> Result<()> {
        let folder = crate::error::folder_of(file);
        let folder = folder.canonicalize().map_err(|e| Error::io(folder, e))?;
        let root = self.ws.root.canonicalize().map_err(|e| Error::io(&self.ws.root, e))?;
        if folder.starts_with(&root) {
            return Err(Error::usage(format!(
                "{} is inside the workspace it would save: a backup kept there is lost with it; write it to \
                 another disk or a USB key; nothing was written",
                file.display()
            )));
        }
        Ok(())
    }
}

/// Adds the file at `path` as `name`, read through one open handle (its
/// length taken from that handle: a file replaced meanwhile is read whole,
/// old or new).
fn add_file(writer: &mut backup::Writer, name: &str, path: &Path, mode: u32) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    writer.file(name, mode, mtime(path), std::io::BufReader::new(file), meta.len())
}

/// A file's modification time in seconds (0 when unknown), as tar keeps it.
fn mtime(path: &Path) -> u64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

/// What to restore, where.
#[derive(Debug)]
pub struct RestoreInput {
    pub file: PathBuf,
    /// The folder to restore into: it must not exist, or be empty.
    pub dir: PathBuf,
    /// The passphrase of an encrypted backup.
    pub passphrase: Option<SecretString>,
}

/// A backup restored and audited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub dir: PathBuf,
    /// What the backup said it holds.
    pub label: Label,
    pub files: u64,
    pub folders: u64,
    /// The files' bytes together.
    pub bytes: u64,
    pub encrypted: bool,
    /// The audit of the restored journal: its entries, its head, the
    /// derived tables compared.
    pub entries: i64,
    pub head: String,
    pub tables: usize,
}

/// Restores the backup `input.file` into `input.dir` (the action `charte
/// restore`): checked whole, extracted beside DIR, audited (App::audit),
/// then put in place; `today` is the day the restored workspace is opened
/// on for its audit. Any failure leaves DIR as it was.
pub fn restore(input: &RestoreInput, today: NaiveDate, progress: &dyn Progress) -> Result<Restored> {
    let dir = &input.dir;
    refuse_unless_empty(dir)?;
    let backup = Backup::open(&input.file, input.passphrase.clone())?;
    let members = {
        let bar = Bar::start(progress, backup.len(), "bytes checked");
        let checked = backup.check(&|n| bar.inc(n))?;
        checked.files + checked.folders
    };
    let parent = crate::error::folder_of(dir);
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    // Beside DIR (the same file system, so the last step is a rename),
    // readable by its owner only, removed with all it holds when dropped.
    let staging =
        tempfile::Builder::new().prefix(".charte-restore-").tempdir_in(parent).map_err(|e| Error::io(parent, e))?;
    crate::workspace::restrict_to_owner(staging.path(), 0o700)?;
    let checked = {
        let bar = Bar::start(progress, members, "files restored");
        backup.extract(staging.path(), &|n| bar.inc(n)).map_err(nothing_restored)?
    };
    let report = App::open(staging.path(), today).and_then(|app| app.audit(&[])).map_err(nothing_restored)?;
    let not_restored =
        |what: String| Error::CheckFailed(format!("{}: {what}. Nothing was restored.", input.file.display()));
    let (entries, head, tables) = match report.audit {
        Audit::Intact { entries, head, tables, .. } => (entries, head, tables),
        Audit::Broken(b) => {
            return Err(not_restored(format!("the journal it holds is broken at entry {}: {}", b.seq, b.reason)));
        }
        Audit::Differs(d) => return Err(not_restored(format!("in the database it holds, {d}"))),
        Audit::Tree(reason) | Audit::Checkpoint(reason) => {
            return Err(not_restored(format!("in what it holds, {reason}")));
        }
        Audit::Personal(fault) => return Err(not_restored(format!("in the database it holds, {fault}"))),
    };
    if entries != checked.label.journal.entries || head != checked.label.journal.head {
        return Err(Error::CheckFailed(format!(
            "{}: its label announces a journal of {} entries (head {}), it holds {entries} (head {head}). \
             Nothing was restored.",
            input.file.display(),
            checked.label.journal.entries,
            checked.label.journal.head
        )));
    }
    refuse_unless_empty(dir)?;
    let staged = staging.keep();
    // Replaces DIR when it is an empty folder; refused if anything came in.
    if let Err(e) = std::fs::rename(&staged, dir) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(nothing_restored(Error::io(dir, e)));
    }
    Ok(Restored {
        dir: dir.clone(),
        label: checked.label,
        files: checked.files,
        folders: checked.folders,
        bytes: checked.bytes,
        encrypted: backup.encrypted(),
        entries,
        head,
        tables,
    })
}

/// Refuses a DIR that exists and is not an empty folder (a link included).
fn refuse_unless_empty(dir: &Path) -> Result<()> {
    let meta = match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
        Ok(meta) => meta,
    };
    let empty = meta.is_dir() && std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?.next().is_none();
    if !empty {
        return Err(Error::usage(format!(
            "{} exists and is not an empty folder: a restore never mixes a backup with other files; give a new \
             folder; nothing was restored",
            dir.display()
        )));
    }
    Ok(())
}

/// An error met after the checks (a disk full, a workspace that does not
/// open), saying that nothing was restored: the staging folder is gone.
fn nothing_restored(e: Error) -> Error {
    let text = e.to_string();
    if text.contains("othing was restored") {
        return e;
    }
    match e.kind() {
        Kind::Invalid | Kind::NotFound | Kind::Forbidden | Kind::TooLarge | Kind::Unauthorized => {
            Error::usage(format!("{text}; nothing was restored"))
        }
        Kind::CheckFailed => Error::CheckFailed(format!("{text}; nothing was restored")),
        Kind::Temporary | Kind::Partial | Kind::TooMany => {
            Error::temporary(format!("{text}; nothing was restored: run it again"))
        }
        Kind::Internal => e,
    }
}
