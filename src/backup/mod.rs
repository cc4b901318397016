//! A workspace in one file (`charte backup FILE`, `charte restore FILE
//! DIR`), in a format documented in docs/backup.md so that it can be
//! checked and opened without charte:
//!
//! - a tar archive (the `tar` crate writes and reads it) whose first member
//!   is [`LABEL`] (what the backup holds: the coordination, the day, the
//!   journal's head), then the workspace's folders and files, then
//!   [`SUMS`] (the sha256 of every file, in `sha256sum`'s format), and last
//!   [`TRAILER`]: the sha256 of every byte of the archive before that last
//!   member's header. The last [`TRAILER_LEN`] bytes of a backup are thus
//!   a function of the hash of the bytes before them ([`trailer`]), so
//!   that every byte of the file is checked: a file cut short or with one
//!   byte changed anywhere is refused;
//! - encrypted, the same archive as an age file (the `age` crate, the
//!   passphrase's scrypt recipient), which authenticates every 64 KiB
//!   chunk and its end as well.
//!
//! The members hold only what a workspace is made of ([`ROOT_FILES`],
//! [`FOLDERS`]), as regular files and folders, each folder before what it
//! holds; a restore refuses any other member (a link, a device, a path
//! outside the workspace) before it writes anything (`read.rs`).
//!
//! - `plan.rs`: which files of a workspace a backup saves, which it skips
//!   and why;
//! - `write.rs`: the archive written, hashed as it goes, encrypted or not;
//! - `read.rs`: the archive checked whole, then extracted.

mod plan;
mod read;
mod write;

pub use plan::{Item, ItemKind, Plan, Skipped, plan};
pub use read::{Backup, Checked, MAX_LABEL_BYTES};
pub use write::{Writer, exists};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The first member: what the backup holds ([`Label`], JSON).
pub const LABEL: &str = "charte-backup.json";
/// The second-to-last member: `<sha256>  <path>` for every file, one a line.
pub const SUMS: &str = "charte-backup.sha256sums";
/// The last member: the sha256 of every byte before its header, and a newline.
pub const TRAILER: &str = "charte-backup.sha256";
/// The length of the trailer: its header, its 65 bytes padded to a 512-byte
/// block, and the archive's end (two zero blocks).
pub const TRAILER_LEN: usize = 2048;
/// [`Label::format`].
pub const FORMAT: &str = "charte-backup";
/// The version of the format this charte writes and reads.
pub const VERSION: u32 = 1;
/// How an age file begins (age-encryption.org/v1, binary form).
pub const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// The workspace's files at its root that a backup saves; `charte.db` is
/// saved as a snapshot (journal::Store::snapshot), never copied while in use.
pub const ROOT_FILES: [&str; 2] = ["charte.toml", "charte.db"];
/// The workspace's folders a backup saves whole (sub-folders included: the
/// keys of a rotation in keys/, checkpoints in out/).
pub const FOLDERS: [&str; 5] = ["keys", "charter", "templates", "workflows", "out"];
/// The folder whose files are restored readable by their owner only.
pub const PRIVATE_FOLDER: &str = "keys";

/// What a backup holds, written first so that a restore knows early what
/// it reads, and checked against what it restores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written by this charte.
    pub version: u32,
    /// The coordination's name (charte.toml, `name_fr`).
    pub coordination: String,
    /// The day of the backup (`--now`).
    pub created: NaiveDate,
    /// The charte that wrote it.
    pub charte: String,
    /// The journal in the backup's snapshot of charte.db.
    pub journal: JournalHead,
    /// The number of files (members other than folders and these three).
    pub files: u64,
}

/// The journal a backup holds: the number of entries and the last one's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHead {
    pub entries: i64,
    pub head: String,
}

/// The header of the [`TRAILER`] member: the same bytes in every backup, so
/// the trailer depends on the hash alone.
fn trailer_header() -> tar::Header {
    let mut header = tar::Header::new_gnu();
    // A short plain name: set_path cannot refuse it.
    let _ = header.set_path(TRAILER);
    header.set_size(65);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    header
}

/// The last [`TRAILER_LEN`] bytes of a backup whose bytes before them hash
/// to `hex`: the trailer member and the archive's end, as the tar crate
/// writes them (the writer appends the very same through its builder).
pub fn trailer(hex: &str) -> Vec<u8> {
    let mut bytes = trailer_header().as_bytes().to_vec();
    bytes.extend_from_slice(hex.as_bytes());
    bytes.push(b'\n');
    bytes.resize(TRAILER_LEN, 0);
    bytes
}

/// Why a name cannot be a member's (a file of the workspace that a backup
/// skips, a member a restore refuses): a name must be UTF-8 text without
/// control characters or backslashes (sha256sum's format escapes those,
/// and Windows reads a backslash as a separator).
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.chars().any(|c| c.is_control() || c == '\\') {
        Some("a name with a control character or a backslash")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trailer_is_the_archive_end_the_tar_crate_writes() {
        let hex = "ab".repeat(32);
        let mut builder = tar::Builder::new(Vec::new());
        builder.append(&trailer_header(), format!("{hex}\n").as_bytes()).expect("appends");
        let written = builder.into_inner().expect("finishes");
        assert_eq!(written, trailer(&hex));
        assert_eq!(written.len(), TRAILER_LEN);
    }

    #[test]
    fn names_with_control_characters_or_backslashes_are_refused() {
        assert!(name_problem("out/adherence/0203201340-2022-02-fr.pdf").is_none());
        assert!(name_problem("out/évaluation annuelle.pdf").is_none());
        assert!(name_problem("out/a\nb").is_some());
        assert!(name_problem("out\\b").is_some());
    }
}
