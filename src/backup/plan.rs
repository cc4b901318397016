//! Which files of a workspace a backup saves: charte.toml, and the folders
//! keys/, charter/, templates/, workflows/ and out/ whole, walked in name
//! order (charte.db is saved as a snapshot, apart). What must not travel
//! is skipped and said: a stale `.charte-*.tmp` file (a run killed while
//! writing), a link (its target may be anywhere; the backup would restore
//! something other than the workspace), anything that is not a regular
//! file or a folder, a name a restore would refuse. Uploads waiting for
//! their confirmation on the desk ([`UPLOADS`]) are not saved either: they
//! are not the workspace's state, last a day, and may hold personal data
//! that `charte erase` removes. The other things at
//! the workspace's root (a roster.csv kept there) are not part of a
//! workspace: they are named, not saved. SQLite's own files (-wal, -shm,
//! -journal) are neither: the snapshot replaces them.

use std::path::{Path, PathBuf};

use super::{FOLDERS, name_problem};
use crate::error::{Error, Result};
use crate::workspace::{CONFIG_FILE, DB_FILE};

/// One folder or file to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its path in the backup, `/`-separated (`out/adherence/x.pdf`).
    pub name: String,
    /// Where it is on disk.
    pub path: PathBuf,
    pub kind: ItemKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A folder, with its permission bits.
    Dir { mode: u32 },
    /// A regular file, with its permission bits.
    File { mode: u32 },
}

/// Something in a saved folder that the backup leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its path in the workspace, `/`-separated.
    pub name: String,
    pub reason: String,
}

/// What a backup of one workspace saves, skips and leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Folders before what they hold, in name order.
    pub items: Vec<Item>,
    pub skipped: Vec<Skipped>,
    /// The names at the workspace's root that are not part of a workspace.
    pub left_out: Vec<String>,
}

impl Plan {
    /// The number of files (folders not counted).
    pub fn files(&self) -> u64 {
        self.items.iter().filter(|i| matches!(i.kind, ItemKind::File { .. })).count() as u64
    }
}

/// What a backup of the workspace in `root` saves besides the snapshot of
/// its journal.
pub fn plan(root: &Path) -> Result<Plan> {
    let mut plan = Plan::default();
    let config = root.join(CONFIG_FILE);
    let meta = std::fs::symlink_metadata(&config).map_err(|e| Error::io(&config, e))?;
    if !meta.is_file() {
        return Err(Error::usage(format!(
            "{} is not a plain file (a link?): a backup saves the workspace's own settings; put the file itself \
             there, then run the backup again",
            config.display()
        )));
    }
    plan.items.push(Item { name: CONFIG_FILE.to_owned(), path: config, kind: ItemKind::File { mode: mode(&meta) } });
    for folder in FOLDERS {
        let path = root.join(folder);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
            Ok(meta) => add(&mut plan, folder.to_owned(), path, &meta)?,
        }
    }
    for entry in sorted(root)? {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = [CONFIG_FILE, DB_FILE].contains(&name.as_str()) || FOLDERS.contains(&name.as_str());
        let sqlite = ["-wal", "-shm", "-journal"].iter().any(|s| name == format!("{DB_FILE}{s}"));
        if !ours && !sqlite && !is_stale(&name) {
            plan.left_out.push(name);
        }
    }
    Ok(plan)
}

/// Adds `path` (named `name` in the backup) and, for a folder, what it holds.
fn add(plan: &mut Plan, name: String, path: PathBuf, meta: &std::fs::Metadata) -> Result<()> {
    let skip = |plan: &mut Plan, reason: &str| plan.skipped.push(Skipped { name: name.clone(), reason: reason.into() });
    if meta.file_type().is_symlink() {
        skip(plan, "a link: what it points to is not saved; put the file or folder itself there");
    } else if meta.is_dir() {
        plan.items.push(Item { name: name.clone(), path: path.clone(), kind: ItemKind::Dir { mode: mode(meta) } });
        for entry in sorted(&path)? {
            let child = entry.path();
            let Some(file_name) = entry.file_name().to_str().map(str::to_owned) else {
                plan.skipped.push(Skipped {
                    name: format!("{name}/{}", entry.file_name().to_string_lossy()),
                    reason: "a name that is not UTF-8 text: rename it".into(),
                });
                continue;
            };
            let child_name = format!("{name}/{file_name}");
            if let Some(problem) = name_problem(&file_name) {
                plan.skipped.push(Skipped { name: child_name, reason: format!("{problem}: rename it") });
                continue;
            }
            if is_stale(&file_name) || child_name == UPLOADS {
                continue;
            }
            let meta = std::fs::symlink_metadata(&child).map_err(|e| Error::io(&child, e))?;
            add(plan, child_name, child, &meta)?;
        }
    } else if meta.is_file() {
        plan.items.push(Item { name, path, kind: ItemKind::File { mode: mode(meta) } });
    } else {
        skip(plan, "not a regular file (a pipe, a socket or a device)");
    }
    Ok(())
}

/// The folder the desk's uploads wait in (crate::app::staging).
pub const UPLOADS: &str = "out/staging";

/// A temporary file of a charte run (error::stage), never part of the state.
fn is_stale(name: &str) -> bool {
    name.starts_with(".charte-") && name.ends_with(".tmp")
}

/// The entries of a folder in name order, so that two backups of the same
/// workspace list the same members in the same order.
fn sorted(dir: &Path) -> Result<Vec<std::fs::DirEntry>> {
    let mut entries = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    Ok(entries)
}

/// The permission bits of a file or folder (0o644 / 0o755 where the system
/// has none).
fn mode(meta: &std::fs::Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o777
    }
    #[cfg(not(unix))]
    if meta.is_dir() { 0o755 } else { 0o644 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_saves_the_workspace_and_says_what_it_skips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join("charte.toml"), "x").expect("writes");
        std::fs::write(root.join("charte.db"), "x").expect("writes");
        std::fs::write(root.join("charte.db-wal"), "x").expect("writes");
        std::fs::write(root.join("roster.csv"), "x").expect("writes");
        std::fs::create_dir_all(root.join("keys/retired")).expect("mkdir");
        std::fs::write(root.join("keys/retired/old.key"), "k").expect("writes");
        std::fs::create_dir_all(root.join("out/adherence")).expect("mkdir");
        std::fs::write(root.join("out/adherence/a.pdf"), "p").expect("writes");
        std::fs::write(root.join("out/adherence/.charte-x1.tmp"), "half").expect("writes");
        std::fs::create_dir_all(root.join("out/staging")).expect("mkdir");
        std::fs::write(root.join("out/staging/roster-0a1b.csv"), "an upload").expect("writes");
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", root.join("out/passwd")).expect("links");
        let plan = plan(root).expect("plans");
        let names: Vec<&str> = plan.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "charte.toml",
                "keys",
                "keys/retired",
                "keys/retired/old.key",
                "out",
                "out/adherence",
                "out/adherence/a.pdf"
            ]
        );
        assert_eq!(plan.files(), 3);
        assert_eq!(plan.left_out, ["roster.csv"]);
        #[cfg(unix)]
        assert_eq!(plan.skipped.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["out/passwd"]);
    }
}
