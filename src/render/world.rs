//! The Typst `World` of one document: the engine's shared, immutable parts
//! (standard library, font book, fonts) plus the two virtual files of this
//! document — the template as `/main.typ` and the data as `/data.json`.
//!
//! Nothing is read from disk and there is no package registry: any other
//! path is "not found". `today()` is the document's own date, so a template
//! that calls `datetime.today()` stays reproducible.

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use super::Shared;

/// One document's world; cheap to build (two `Arc` clones and a parse).
pub(super) struct DocWorld<'a> {
    pub(super) shared: &'a Shared,
    pub(super) main: Source,
    pub(super) data: Bytes,
    pub(super) today: Datetime,
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.shared.main_id
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.shared.main_id {
            Ok(self.main.clone())
        } else if id == self.shared.data_id {
            // Importing the data as Typst code would evaluate it: refuse.
            Err(FileError::NotSource)
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.data_id {
            Ok(self.data.clone())
        } else if id == self.shared.main_id {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}
