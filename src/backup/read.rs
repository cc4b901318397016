//! Reading a backup, which may come from anywhere: a copy damaged on its
//! way, or a file made to harm. It is read twice, from the start, through
//! the same checks: first to check it whole without writing anything
//! ([`Backup::check`]), then to extract it ([`Backup::extract`]); the
//! second reading checks again as it writes, so a file changed between the
//! two is caught too.
//!
//! The checks, each a refusal that names the file:
//! - the file is a charte backup: an age file, or a tar archive whose first
//!   member is the label (else: not a backup, unusable input);
//! - encrypted, its passphrase opens it (else: unusable input); every
//!   chunk is authentic (age);
//! - every member is a folder or a regular file at a path of a workspace's
//!   own (no absolute path, no `..`, no link, no device, each folder
//!   before what it holds, no path twice); the label comes first, the sums
//!   and the trailer last; GNU long names are read here, bounded (the tar
//!   crate's own reading of them is not), and nothing else (no PAX header:
//!   charte writes none);
//! - every file's sha256 is the one in the sums, every byte of the file is
//!   under the trailer's hash, nothing follows it.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::write::HashingReader;
use super::{
    AGE_MAGIC, FOLDERS, FORMAT, LABEL, Label, PRIVATE_FOLDER, ROOT_FILES, SUMS, TRAILER, TRAILER_LEN, VERSION,
    name_problem, trailer,
};
use crate::error::{Error, Result};

/// The largest label read (a few hundred bytes when charte writes it).
pub const MAX_LABEL_BYTES: u64 = 64 * 1024;
/// The largest sums member read: about 100 bytes a file, so half a
/// million files.
const MAX_SUMS_BYTES: u64 = 64 << 20;
/// The longest path a GNU long-name member may give.
const MAX_NAME_BYTES: u64 = 4096;

/// A backup file opened for reading: what it is (encrypted or not) is
/// known, its passphrase given when it needs one.
pub struct Backup {
    path: PathBuf,
    file: File,
    len: u64,
    passphrase: Option<SecretString>,
}

impl std::fmt::Debug for Backup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backup").field("path", &self.path).field("encrypted", &self.encrypted()).finish()
    }
}

/// What a backup holds, as read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub label: Label,
    /// Files and folders restored (or to restore).
    pub files: u64,
    pub folders: u64,
    /// The files' bytes together.
    pub bytes: u64,
}

/// One member of the workspace, its path checked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Member {
    Dir { name: String, mode: u32 },
    File { name: String, mode: u32 },
}

impl Backup {
    /// Opens `path` and tells an encrypted backup from a plain one from
    /// anything else; refuses a passphrase missing or given for nothing.
    pub fn open(path: &Path, passphrase: Option<SecretString>) -> Result<Backup> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let meta = file.metadata().map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            return Err(not_a_backup(path, "it is not a regular file"));
        }
        let mut head = [0u8; 512];
        let n = read_up_to(&mut (&file), &mut head).map_err(|e| Error::io(path, e))?;
        let encrypted = head[..n].starts_with(AGE_MAGIC);
        if !encrypted && !is_label_header(&head[..n]) {
            return Err(not_a_backup(path, "it does not begin with charte's label, and is not encrypted with age"));
        }
        match (&passphrase, encrypted) {
            (None, true) => {
                return Err(Error::usage(format!(
                    "{} is encrypted: give its passphrase with --passphrase-env VAR (VAR, an environment variable \
                     holding it); nothing was restored",
                    path.display()
                )));
            }
            (Some(_), false) => {
                return Err(Error::usage(format!(
                    "{} is not encrypted, yet a passphrase was given: is it the backup you meant? If it is, run \
                     the restore again without --passphrase-env; nothing was restored",
                    path.display()
                )));
            }
            _ => {}
        }
        Ok(Backup { path: path.to_owned(), file, len: meta.len(), passphrase })
    }

    pub fn encrypted(&self) -> bool {
        self.passphrase.is_some()
    }

    /// The file's size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads the whole backup and checks it, writing nothing; `read` is
    /// told how many bytes of the file were read, as they are.
    pub fn check(&self, read: &dyn Fn(u64)) -> Result<Checked> {
        self.walk(read, &mut |_, _| Ok(()))
    }

    /// Extracts the backup into `into` (an empty folder of charte's own),
    /// checking it again as it goes; `done` is told of each member written.
    /// Files under keys/ are readable by their owner only.
    pub fn extract(&self, into: &Path, done: &dyn Fn(u64)) -> Result<Checked> {
        self.walk(&|_| {}, &mut |member, data| {
            write_member(into, member, data)?;
            done(1);
            Ok(())
        })
    }

    /// The file's plain bytes from the start: decrypted when it is
    /// encrypted; `read` told of the file's bytes as they are read.
    fn plaintext<'a>(&'a self, read: &'a dyn Fn(u64)) -> Result<Box<dyn Read + 'a>> {
        let mut file = self.file.try_clone().map_err(|e| Error::io(&self.path, e))?;
        file.seek(SeekFrom::Start(0)).map_err(|e| Error::io(&self.path, e))?;
        let counted = BufReader::with_capacity(1 << 20, Counting { inner: file, read });
        let Some(passphrase) = &self.passphrase else { return Ok(Box::new(counted)) };
        let decryptor = age::Decryptor::new_buffered(counted).map_err(|e| self.decrypt_error(e))?;
        let identity = age::scrypt::Identity::new(passphrase.clone());
        let reader =
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(|e| self.decrypt_error(e))?;
        Ok(Box::new(reader))
    }

    /// age's refusal in words: a wrong passphrase is the user's to fix, a
    /// header that does not hold is damage.
    fn decrypt_error(&self, e: age::DecryptError) -> Error {
        use age::DecryptError as D;
        let file = self.path.display();
        match e {
            D::DecryptionFailed | D::KeyDecryptionFailed => Error::usage(format!(
                "{file}: the passphrase does not open this backup (a wrong passphrase, or its first lines are \
                 damaged); check the passphrase and run again; nothing was restored"
            )),
            D::NoMatchingKeys => Error::usage(format!(
                "{file} is encrypted to a key, not with a passphrase: it is not a charte backup; nothing was restored"
            )),
            D::ExcessiveWork { .. } => Error::usage(format!(
                "{file}: opening it would take this computer too long (its passphrase was stretched for a much \
                 faster one); restore it on a faster computer; nothing was restored"
            )),
            D::UnknownFormat => not_a_backup(&self.path, "an age file of a version charte does not read"),
            other => damaged(&self.path, &format!("its encryption does not hold: {other}")),
        }
    }

    /// Reads the backup from its start through every check, handing each
    /// workspace member to `visit` (its data to read, or not); returns what
    /// it holds once every check passed.
    fn walk(&self, read: &dyn Fn(u64), visit: &mut dyn FnMut(&Member, &mut dyn Read) -> Result<()>) -> Result<Checked> {
        let path = self.path.as_path();
        let encrypted = self.encrypted();
        let broken = |e: io::Error| {
            let what = match e.kind() {
                io::ErrorKind::UnexpectedEof => "it ends in the middle of a member: it was cut short".to_owned(),
                _ if encrypted => format!("its bytes do not decrypt ({e}): a byte was changed, or it was cut short"),
                _ => format!("it does not read as an archive ({e}): a byte was changed, or it was cut short"),
            };
            damaged(path, &what)
        };
        let mut archive = tar::Archive::new(Tail::new(self.plaintext(read)?));
        let mut state = Walk::default();
        let mut long_name: Option<Vec<u8>> = None;
        for entry in archive.entries().map_err(broken)?.raw(true) {
            let mut entry = entry.map_err(broken)?;
            let kind = entry.header().entry_type();
            if kind.is_gnu_longname() {
                long_name = Some(read_long_name(path, &mut entry, long_name.is_some())?);
                continue;
            }
            let raw = long_name.take().unwrap_or_else(|| entry.header().path_bytes().into_owned());
            let size = entry.header().entry_size().map_err(broken)?;
            let mode = entry.header().mode().map_err(broken)?;
            match state.next(path, encrypted, &raw, kind, size, mode)? {
                Step::Label => {
                    let bytes = bounded(path, &mut entry, MAX_LABEL_BYTES, LABEL)?;
                    state.label = Some(label(path, &bytes)?);
                }
                Step::Sums => {
                    let bytes = bounded(path, &mut entry, MAX_SUMS_BYTES, SUMS)?;
                    state.sums = Some(sums(path, &bytes)?);
                }
                Step::Trailer => {}
                Step::Member(member) => {
                    let mut data = HashingReader { inner: &mut entry, hasher: Sha256::new(), read: 0 };
                    visit(&member, &mut data)?;
                    io::copy(&mut data, &mut io::sink()).map_err(broken)?;
                    if let Member::File { name, .. } = member {
                        state.bytes += data.read;
                        state.hashes.insert(name, hex::encode(data.hasher.finalize()));
                    }
                }
            }
        }
        if long_name.is_some() || !state.trailer {
            return Err(damaged(path, "it ends before its last member: it was cut short"));
        }
        let mut tail = archive.into_inner();
        io::copy(&mut tail, &mut io::sink()).map_err(broken)?;
        state.finish(path, tail.finish())
    }
}

/// Where a reading of the archive stands, member after member.
#[derive(Default)]
struct Walk {
    /// Members seen (the label first).
    seen: u64,
    label: Option<Label>,
    sums: Option<BTreeMap<String, String>>,
    trailer: bool,
    /// Every path given, and which are folders.
    paths: HashSet<String>,
    folders: HashSet<String>,
    /// Each file's sha256 as read.
    hashes: BTreeMap<String, String>,
    bytes: u64,
}

/// What a member is, once its place and path are checked.
enum Step {
    Label,
    Sums,
    Trailer,
    Member(Member),
}

impl Walk {
    /// Checks the next member (its raw path, type, size and mode) against
    /// the format: the label first, then the workspace, the sums, the
    /// trailer, nothing after.
    fn next(
        &mut self,
        file: &Path,
        encrypted: bool,
        raw: &[u8],
        kind: tar::EntryType,
        size: u64,
        mode: u32,
    ) -> Result<Step> {
        self.seen += 1;
        let shown = String::from_utf8_lossy(raw).into_owned();
        if self.trailer {
            return Err(damaged(file, &format!("a member ({shown}) follows its last one")));
        }
        if self.seen == 1 {
            return if raw == LABEL.as_bytes() && kind.is_file() {
                Ok(Step::Label)
            } else if encrypted {
                Err(not_a_backup(file, "once decrypted, it does not begin with charte's label"))
            } else {
                Err(damaged(file, "its first member is not charte's label"))
            };
        }
        if raw == SUMS.as_bytes() && kind.is_file() && self.sums.is_none() {
            return Ok(Step::Sums);
        }
        if raw == TRAILER.as_bytes() && kind.is_file() && self.sums.is_some() {
            self.trailer = true;
            return Ok(Step::Trailer);
        }
        if self.sums.is_some() {
            return Err(damaged(file, &format!("a member ({shown}) follows its list of sha256 sums")));
        }
        let name = member_name(raw).map_err(|why| hostile(file, &shown, why))?;
        let member = if kind.is_dir() {
            Member::Dir { name: name.clone(), mode }
        } else if kind.is_file() {
            Member::File { name: name.clone(), mode }
        } else {
            return Err(hostile(file, &shown, member_kind(kind)));
        };
        if kind.is_dir() && size != 0 {
            return Err(hostile(file, &shown, "a folder with data"));
        }
        let (top, parent) = (name.split('/').next().unwrap_or_default(), name.rsplit_once('/').map(|(p, _)| p));
        let top_is_folder = FOLDERS.contains(&top);
        match parent {
            None if top_is_folder && !kind.is_dir() => {
                return Err(hostile(file, &shown, "a file where charte keeps a folder"));
            }
            None if !top_is_folder && !kind.is_file() => {
                return Err(hostile(file, &shown, "a folder where charte keeps a file"));
            }
            Some(parent) if !self.folders.contains(parent) => {
                return Err(hostile(file, &shown, "a member whose folder comes neither first nor at all"));
            }
            _ => {}
        }
        if !self.paths.insert(name.clone()) {
            return Err(hostile(file, &shown, "a path given twice (the second would replace the first)"));
        }
        if kind.is_dir() {
            self.folders.insert(name);
        }
        Ok(Step::Member(member))
    }

    /// The checks of the whole, once the archive is read to its end: the
    /// sums against the files (naming a damaged file), the trailer's hash
    /// (every byte), then the label against what was found.
    fn finish(self, file: &Path, (prefix, tail): (String, Vec<u8>)) -> Result<Checked> {
        let (Some(label), Some(sums)) = (self.label, self.sums) else {
            return Err(damaged(file, "its label or its list of sha256 sums is missing"));
        };
        for (name, sha256) in &self.hashes {
            match sums.get(name) {
                Some(listed) if listed == sha256 => {}
                Some(_) => return Err(damaged(file, &format!("{name} does not match its sha256 in {SUMS}"))),
                None => return Err(damaged(file, &format!("{name} is missing from {SUMS}"))),
            }
        }
        if let Some(name) = sums.keys().find(|n| !self.hashes.contains_key(*n)) {
            return Err(damaged(file, &format!("{name}, listed in {SUMS}, is not in the archive")));
        }
        if tail != trailer(&prefix) {
            return Err(damaged(
                file,
                "its bytes do not hash to the sha256 it ends with: a byte was changed, or it was cut short",
            ));
        }
        let files = self.hashes.len() as u64;
        if label.files != files {
            return Err(damaged(file, &format!("its label announces {} files, it holds {files}", label.files)));
        }
        if let Some(missing) = ROOT_FILES.iter().find(|f| !self.hashes.contains_key(**f)) {
            return Err(damaged(file, &format!("it holds no {missing}")));
        }
        Ok(Checked { label, files, folders: self.folders.len() as u64, bytes: self.bytes })
    }
}

/// Whether `head` (a file's first bytes) is the header of charte's label.
fn is_label_header(head: &[u8]) -> bool {
    head.len() == 512 && head[..100].split(|b| *b == 0).next() == Some(LABEL.as_bytes())
}

/// The path of a workspace member, checked: UTF-8, relative, without `.`,
/// `..` or empty parts, under one of a workspace's own names; a folder's
/// trailing `/` dropped.
fn member_name(raw: &[u8]) -> std::result::Result<String, &'static str> {
    let text = std::str::from_utf8(raw).map_err(|_| "a name that is not UTF-8 text")?;
    if let Some(problem) = name_problem(text) {
        return Err(problem);
    }
    if text.starts_with('/') {
        return Err("an absolute path, outside the folder restored to");
    }
    let text = text.strip_suffix('/').unwrap_or(text);
    let parts: Vec<&str> = text.split('/').collect();
    if parts.contains(&"..") {
        return Err("a path with '..', which leads outside the folder restored to");
    }
    if parts.iter().any(|p| p.is_empty() || *p == ".") {
        return Err("a path with an empty or '.' part");
    }
    let top = parts[0];
    let ours = FOLDERS.contains(&top) || (parts.len() == 1 && ROOT_FILES.contains(&top));
    if !ours {
        return Err("a path that is not part of a workspace");
    }
    Ok(text.to_owned())
}

/// A member type charte never writes, in words.
fn member_kind(kind: tar::EntryType) -> &'static str {
    match kind {
        tar::EntryType::Symlink | tar::EntryType::Link => "a link",
        tar::EntryType::Char | tar::EntryType::Block => "a device",
        tar::EntryType::Fifo => "a pipe",
        _ => "a member type charte never writes",
    }
}

/// Reads a GNU long-name member: the path of the member after it.
fn read_long_name(file: &Path, entry: &mut impl Read, twice: bool) -> Result<Vec<u8>> {
    if twice {
        return Err(hostile(file, "././@LongLink", "two long names for one member"));
    }
    let mut name = bounded(file, entry, MAX_NAME_BYTES, "a long name")?;
    if name.last() == Some(&0) {
        name.pop();
    }
    Ok(name)
}

/// A member's whole data, refused beyond `max` bytes.
fn bounded(file: &Path, entry: &mut impl Read, max: u64, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    entry.take(max + 1).read_to_end(&mut bytes).map_err(|e| damaged(file, &format!("{what} cannot be read: {e}")))?;
    if bytes.len() as u64 > max {
        return Err(hostile(file, what, "a member far larger than charte writes it"));
    }
    Ok(bytes)
}

/// The label, read: this format, a version this charte reads.
fn label(file: &Path, bytes: &[u8]) -> Result<Label> {
    let label: Label =
        serde_json::from_slice(bytes).map_err(|e| damaged(file, &format!("its label does not read: {e}")))?;
    if label.format != FORMAT {
        return Err(not_a_backup(file, "its label is not charte's"));
    }
    if label.version > VERSION {
        return Err(Error::usage(format!(
            "{}: made by a newer charte ({}, format version {}): restore it with that charte or a newer one; \
             nothing was restored",
            file.display(),
            label.charte,
            label.version
        )));
    }
    Ok(label)
}

/// The sums: `<sha256>  <path>` a line.
fn sums(file: &Path, bytes: &[u8]) -> Result<BTreeMap<String, String>> {
    let text = std::str::from_utf8(bytes).map_err(|_| damaged(file, &format!("{SUMS} is not UTF-8 text")))?;
    let mut sums = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let Some((sha256, name)) = line.split_once("  ") else {
            return Err(damaged(file, &format!("line {} of {SUMS} is not '<sha256>  <path>'", n + 1)));
        };
        if sums.insert(name.to_owned(), sha256.to_owned()).is_some() {
            return Err(damaged(file, &format!("{name} is listed twice in {SUMS}")));
        }
    }
    Ok(sums)
}

/// Writes one checked member under `into`: a folder, or a new file (never
/// replacing one). Nothing under `into` is a link (charte made the folder
/// and writes only folders and files into it), so nothing lands outside.
fn write_member(into: &Path, member: &Member, data: &mut dyn Read) -> Result<()> {
    use crate::workspace::restrict_to_owner;
    match member {
        Member::Dir { name, mode } => {
            let path = into.join(name);
            std::fs::create_dir(&path).map_err(|e| Error::io(&path, e))?;
            let private = name.split('/').next() == Some(PRIVATE_FOLDER);
            restrict_to_owner(&path, if private { 0o700 } else { (mode & 0o755) | 0o700 })
        }
        Member::File { name, mode } => {
            let path = into.join(name);
            let private = name.split('/').next() == Some(PRIVATE_FOLDER);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(if private { 0o600 } else { (mode & 0o755) | 0o600 });
            }
            #[cfg(not(unix))]
            let _ = mode;
            let mut out = options.open(&path).map_err(|e| Error::io(&path, e))?;
            io::copy(data, &mut out).map_err(|e| Error::io(&path, e))?;
            out.sync_all().map_err(|e| Error::io(&path, e))?;
            if private { restrict_to_owner(&path, 0o600) } else { Ok(()) }
        }
    }
}

/// Reads as many bytes as there are, up to `buf`'s length.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A reader that hashes what it reads except the last [`TRAILER_LEN`]
/// bytes, which it keeps: at the end, the hash of the archive before its
/// trailer, and the trailer.
struct Tail<R> {
    inner: R,
    hasher: Sha256,
    tail: Vec<u8>,
}

impl<R> Tail<R> {
    fn new(inner: R) -> Tail<R> {
        Tail { inner, hasher: Sha256::new(), tail: Vec::with_capacity(2 * TRAILER_LEN) }
    }

    /// The hash of every byte but the last [`TRAILER_LEN`], and those.
    fn finish(self) -> (String, Vec<u8>) {
        (hex::encode(self.hasher.finalize()), self.tail)
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.tail.extend_from_slice(&buf[..n]);
        if self.tail.len() > TRAILER_LEN {
            let spill = self.tail.len() - TRAILER_LEN;
            self.hasher.update(&self.tail[..spill]);
            self.tail.drain(..spill);
        }
        Ok(n)
    }
}

/// A reader that says how many bytes it read.
struct Counting<'a, R> {
    inner: R,
    read: &'a dyn Fn(u64),
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.read)(n as u64);
        Ok(n)
    }
}

/// The refusal of a file that is not a charte backup (unusable input).
fn not_a_backup(file: &Path, why: &str) -> Error {
    Error::usage(format!(
        "{} is not a charte backup ({why}); nothing was restored. A backup is a file `charte backup` wrote.",
        file.display()
    ))
}

/// The refusal of a backup that does not hold (a failed check).
fn damaged(file: &Path, what: &str) -> Error {
    Error::CheckFailed(format!(
        "{} is damaged: {what}. Nothing was restored; restore from another copy of the backup.",
        file.display()
    ))
}

/// The refusal of a member charte never writes (a failed check: the file
/// was made or changed by something else).
fn hostile(file: &Path, member: &str, what: &str) -> Error {
    Error::CheckFailed(format!(
        "{} holds a member charte never writes ({member}: {what}): this file was made or changed by something \
         else than charte. Nothing was restored.",
        file.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths_stay_inside_the_workspace() {
        assert_eq!(member_name(b"out/adherence/a.pdf"), Ok("out/adherence/a.pdf".to_owned()));
        assert_eq!(member_name(b"keys/"), Ok("keys".to_owned()));
        assert_eq!(member_name(b"charte.db"), Ok("charte.db".to_owned()));
        for bad in [
            &b"/etc/passwd"[..],
            b"../evil",
            b"out/../../evil",
            b"out//a",
            b"./out/a",
            b"roster.csv",
            b"charte.db/x",
            b"out/\xff",
            b"out/a\\..\\b",
        ] {
            assert!(member_name(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_tail_reader_keeps_the_last_bytes_apart() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut tail = Tail::new(&data[..]);
        let mut buf = [0u8; 333];
        while tail.read(&mut buf).expect("reads") > 0 {}
        let (hash, kept) = tail.finish();
        assert_eq!(kept, &data[data.len() - TRAILER_LEN..]);
        assert_eq!(hash, hex::encode(Sha256::digest(&data[..data.len() - TRAILER_LEN])));
    }
}
