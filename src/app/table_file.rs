//! A table a user hands over (a CSV file on the command line, an upload
//! in the browser), already decoded, with the name its problems are
//! reported under: the actions that import lines (attendance, ballots,
//! rounds, events) take one, so that reading and decoding stay the front
//! end's and every problem still names the file.

use std::path::{Path, PathBuf};

use crate::error::{Error, Problem, Result};
use crate::tabular::Table;

#[derive(Debug, Clone)]
pub struct TableFile {
    /// The file (or the upload's name), as the user named it.
    pub file: PathBuf,
    pub table: Table,
}

impl TableFile {
    /// Reads and decodes `path`, no larger than `max_bytes` (`what` names
    /// it in the refusal: "an attendance list").
    pub fn read(path: &Path, max_bytes: usize, what: &str) -> Result<TableFile> {
        Ok(TableFile { file: path.to_owned(), table: crate::tabular::read(path, max_bytes, what)? })
    }

    /// The refusal of the lines found wrong, naming the file.
    pub fn refused(&self, problems: Vec<Problem>) -> Error {
        Error::Input { file: self.file.clone(), problems }
    }
}
