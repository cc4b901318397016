//! A table a user hands over (a CSV file on the command line, an upload
//! in the browser), already decoded, with the name its problems are
//! reported under: the actions that import lines (attendance, ballots,
//! rounds, events, expenses) take one, so that reading and decoding stay
//! the front end's and every problem still names the file.

use std::path::{Path, PathBuf};

use crate::error::{Error, Problem, Result};
use crate::tabular::Table;

#[derive(Debug, Clone)]
pub struct TableFile {
    /// The file (or the upload's name), as the user named it.
    pub file: PathBuf,
    pub table: Table,
    /// The sha256 of the bytes read, in hex (what an import journals).
    pub sha256: String,
}

impl TableFile {
    /// Reads and decodes `path`, no larger than `max_bytes` (`what` names
    /// it in the refusal: "an attendance list").
    pub fn read(path: &Path, max_bytes: usize, what: &str) -> Result<TableFile> {
        let bytes = crate::error::read_bounded(path, max_bytes as u64, what)?;
        TableFile::from_bytes(path, &bytes)
    }

    /// Decodes `bytes` (an upload, or a file already read) under the name `file`.
    pub fn from_bytes(file: &Path, bytes: &[u8]) -> Result<TableFile> {
        let table =
            crate::tabular::parse(bytes).map_err(|problems| Error::Input { file: file.to_owned(), problems })?;
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
        Ok(TableFile { file: file.to_owned(), table, sha256 })
    }

    /// The refusal of the lines found wrong, naming the file.
    pub fn refused(&self, problems: Vec<Problem>) -> Error {
        Error::Input { file: self.file.clone(), problems }
    }
}
