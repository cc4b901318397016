//! Writing a backup: members appended to a tar archive as they are read,
//! every byte hashed on its way to the file (for the trailer) and every
//! file's bytes too (for the sums), the whole encrypted on the fly when a
//! passphrase is given. The archive goes to a temporary file beside FILE,
//! created exclusively and readable by its owner only, synced, then put
//! in place only if nothing is at FILE (never replacing a file, never
//! following a link): a backup cut short by a crash leaves a
//! `.charte-*.tmp`, never a FILE that looks complete.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::{LABEL, Label, SUMS, trailer_header};
use crate::error::{Error, Result};

/// A backup being written; [`Writer::finish`] puts it in place.
pub struct Writer {
    builder: tar::Builder<Hashing<Sink>>,
    tmp: tempfile::NamedTempFile,
    /// Where the backup goes.
    path: PathBuf,
    /// [`SUMS`]'s lines so far.
    sums: String,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Writer {
    /// Starts a backup for `path` (a temporary file beside it, mode 0600),
    /// encrypted with `passphrase` when there is one. `path` itself is
    /// not touched until [`Writer::finish`].
    pub fn create(path: &Path, passphrase: Option<&SecretString>) -> Result<Writer> {
        let dir = crate::error::folder_of(path);
        // tempfile creates it exclusively (O_EXCL), mode 0600 on Unix.
        let tmp = tempfile::Builder::new()
            .prefix(".charte-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, e))?;
        let file = BufWriter::with_capacity(1 << 20, tmp.as_file().try_clone().map_err(|e| Error::io(tmp.path(), e))?);
        let sink = match passphrase {
            None => Sink::Plain(file),
            Some(p) => Sink::Sealed(
                age::Encryptor::with_user_passphrase(p.clone()).wrap_output(file).map_err(|e| Error::io(path, e))?,
            ),
        };
        let builder = tar::Builder::new(Hashing { inner: sink, hasher: Sha256::new() });
        Ok(Writer { builder, tmp, path: path.to_owned(), sums: String::new() })
    }

    /// The first member: what the backup holds.
    pub fn label(&mut self, label: &Label) -> Result<()> {
        let json = serde_json::to_vec_pretty(label).map_err(|e| Error::internal(format!("encoding the label: {e}")))?;
        self.append(LABEL, 0o644, 0, &json[..], json.len() as u64).map(|_| ())
    }

    /// A folder (before what it holds).
    pub fn dir(&mut self, name: &str, mode: u32, mtime: u64) -> Result<()> {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_size(0);
        header.set_mode(mode);
        header.set_mtime(mtime);
        self.builder.append_data(&mut header, name, io::empty()).map_err(|e| Error::io(&self.path, e))
    }

    /// A file of `len` bytes read from `data`, listed in the sums. Fewer
    /// bytes than `len` (a file cut while it was read) is refused: the
    /// archive would be wrong from there on.
    pub fn file(&mut self, name: &str, mode: u32, mtime: u64, data: impl Read, len: u64) -> Result<()> {
        let sha256 = self.append(name, mode, mtime, data, len)?;
        self.sums.push_str(&format!("{sha256}  {name}\n"));
        Ok(())
    }

    /// Appends a regular file member; returns the sha256 of its bytes.
    fn append(&mut self, name: &str, mode: u32, mtime: u64, data: impl Read, len: u64) -> Result<String> {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(len);
        header.set_mode(mode);
        header.set_mtime(mtime);
        let mut reader = HashingReader { inner: data.take(len), hasher: Sha256::new(), read: 0 };
        self.builder.append_data(&mut header, name, &mut reader).map_err(|e| Error::io(&self.path, e))?;
        if reader.read != len {
            return Err(Error::temporary(format!(
                "{name} changed while it was being saved ({} bytes instead of {len}); nothing was saved: run \
                 the backup again",
                reader.read
            )));
        }
        Ok(hex::encode(reader.hasher.finalize()))
    }

    /// Writes the sums and the trailer, closes the archive (and its
    /// encryption), syncs it and puts it at its path, which must still be
    /// free. Returns the backup's size in bytes.
    pub fn finish(mut self) -> Result<u64> {
        let sums = std::mem::take(&mut self.sums);
        self.append(SUMS, 0o644, 0, sums.as_bytes(), sums.len() as u64)?;
        let hex = hex::encode(self.builder.get_ref().hasher.clone().finalize());
        let io_err = |e| Error::io(&self.path, e);
        self.builder.append(&trailer_header(), format!("{hex}\n").as_bytes()).map_err(io_err)?;
        let hashing = self.builder.into_inner().map_err(io_err)?;
        let file = hashing.inner.finish().map_err(io_err)?.into_inner().map_err(|e| io_err(e.into_error()))?;
        file.sync_all().map_err(io_err)?;
        let bytes = file.metadata().map_err(io_err)?.len();
        match self.tmp.persist_noclobber(&self.path) {
            Ok(_) => Ok(bytes),
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Err(exists(&self.path)),
            Err(e) => Err(Error::io(&self.path, e.error)),
        }
    }
}

/// The refusal to write a backup over what is at `path`.
pub fn exists(path: &Path) -> Error {
    Error::usage(format!(
        "{} already exists: a backup never replaces a file; give a new file name (the date in it, say), \
         nothing was written",
        path.display()
    ))
}

/// Where the archive's bytes go: the file, or age's encryption of it.
enum Sink {
    Plain(BufWriter<File>),
    Sealed(age::stream::StreamWriter<BufWriter<File>>),
}

impl Sink {
    /// Ends the stream (age's last chunk) and gives back the file's writer.
    fn finish(self) -> io::Result<BufWriter<File>> {
        match self {
            Sink::Plain(w) => Ok(w),
            Sink::Sealed(w) => w.finish(),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Sealed(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Sealed(w) => w.flush(),
        }
    }
}

/// A writer that hashes every byte written through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that hashes and counts every byte read through it.
pub(super) struct HashingReader<R> {
    pub(super) inner: R,
    pub(super) hasher: Sha256,
    pub(super) read: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}
