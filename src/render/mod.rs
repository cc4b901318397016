//! Rendering: a Typst template plus a JSON value become a PDF/A-3b file.
//!
//! Invariants:
//! - Values never become markup. The template reads its data from the
//!   virtual file `/data.json` (`json("/data.json")`); an organisation named
//!   `#read("/data.json")` prints exactly that. Charter texts written in
//!   Markdown are turned into JSON blocks by [`markdown_blocks`], not into
//!   Typst markup, for the same reason.
//! - Reproducible output: no system fonts (only the fonts bundled with
//!   typst-assets), no clock (the document date is an argument, and it is
//!   also what `datetime.today()` returns), a caller-chosen PDF identifier.
//!   Same inputs, same bytes.
//! - One [`Engine`] serves a whole run, from any number of threads: the
//!   standard library and the font book are built once; each document gets
//!   a throw-away world holding only its template and data, and is compiled
//!   on the engine's own threads (see [`Engine`] for why).
//!
//! Typst memoizes across compilations in a process-wide cache (comemo) that
//! never shrinks on its own; the engine evicts old entries every few
//! documents (see [`Engine::with_evict_every`]).

mod adherence;
mod coverage;
mod error;
pub mod grammar;
mod markdown;
mod templates;
mod world;

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use chrono::{Datelike, NaiveDate};
use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

pub use adherence::{
    AdherenceData, CharterData, ContactData, CoordinationData, DocumentData, OrganisationData, of, the,
};
pub use coverage::{can_print, printable};
pub use error::{Diagnostic, RenderError};
pub use markdown::markdown_blocks;
pub use templates::{
    ADHERENCE_TEMPLATE, ANNUAL_TEMPLATE, CONVOCATION_TEMPLATE, LETTER_TEMPLATE, SUBSIDY_TEMPLATE, adherence_strings,
    builtin_names, load_template, strings,
};

/// Renders the template `name` (e.g. [`ANNUAL_TEMPLATE`]) in `lang` with
/// `data`, to which the family's strings and the language are added; the
/// workspace's templates folder overrides the built-in files.
pub fn document(
    engine: &Engine,
    templates_dir: Option<&std::path::Path>,
    name: &str,
    lang: &str,
    mut data: serde_json::Value,
    date: NaiveDate,
    ident: &str,
) -> Result<Vec<u8>, RenderError> {
    let template = load_template(templates_dir, name)?;
    let family = name.split('/').next().unwrap_or(name);
    data["strings"] = strings(templates_dir, family, lang)?;
    data["lang"] = serde_json::Value::String(lang.to_owned());
    engine.pdf(&template, &data, date, ident)
}

use world::DocWorld;

/// Path of the template inside the virtual project.
const MAIN_PATH: &str = "/main.typ";
/// Path of the data inside the virtual project; templates read it with
/// `json("/data.json")`.
pub const DATA_PATH: &str = "/data.json";

/// Default number of documents between two cache evictions. Measured on
/// 300 adherence documents: every 1, 2, 4, 8 documents cost the same CPU
/// (about 20 ms a document) but peak at 48, 56, 70, 90 MB.
const DEFAULT_EVICT_EVERY: usize = 2;
/// Cache entries unused for this many evictions are dropped.
const EVICT_MAX_AGE: usize = 2;

/// Stack of the engine's threads. Typst's layout recurses deeply, and a
/// thread may run a second document while waiting inside the first (see
/// [`Engine`]); this is address space, committed only as it is touched.
const STACK_SIZE: usize = 32 << 20;

/// The Typst compiler set up once for many documents.
///
/// `Engine` is `Sync`: share it by reference between threads (rayon
/// workers, for instance) and call [`Engine::pdf`] from each.
///
/// Compilations run on the engine's own thread pool, never on the caller's
/// thread. Typst parallelises internally with rayon; run on a rayon worker
/// of the caller's pool, a compilation waiting for its own sub-tasks would
/// steal the caller's next documents and nest them on the same stack,
/// without bound (measured: 143 nested documents, then a stack overflow,
/// in a plain `par_iter` over 600 documents). The caller therefore waits
/// on a channel (an operating-system wait, which steals nothing), and at
/// most one document per engine thread is in flight, which bounds the
/// nesting inside the engine's pool to its number of threads.
pub struct Engine {
    shared: Arc<Shared>,
    pool: rayon::ThreadPool,
    slots: Slots,
    evict_every: usize,
    rendered: AtomicUsize,
    /// The last template parsed: a run renders one template many times.
    parsed: Mutex<Option<Source>>,
}

/// What every document's world shares.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main_id: FileId,
    data_id: FileId,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("threads", &self.pool.current_num_threads())
            .field("fonts", &self.shared.fonts.len())
            .field("evict_every", &self.evict_every)
            .field("rendered", &self.rendered.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine with one thread per available core.
    pub fn new() -> Result<Self, RenderError> {
        Self::with_threads(std::thread::available_parallelism().map_or(2, usize::from))
    }

    /// An engine compiling at most `threads` documents at once. Builds the
    /// standard library and the font book from the bundled fonts.
    pub fn with_threads(threads: usize) -> Result<Self, RenderError> {
        let threads = threads.max(1);
        let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
        let book = FontBook::from_fonts(&fonts);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("charte-typst-{i}"))
            .build()
            .map_err(|e| RenderError::Threads(e.to_string()))?;
        Ok(Self {
            shared: Arc::new(Shared {
                library: LazyHash::new(Library::builder().build()),
                book: LazyHash::new(book),
                fonts,
                main_id: virtual_file(MAIN_PATH),
                data_id: virtual_file(DATA_PATH),
            }),
            pool,
            slots: Slots::new(threads),
            evict_every: DEFAULT_EVICT_EVERY,
            rendered: AtomicUsize::new(0),
            parsed: Mutex::new(None),
        })
    }

    /// Evicts Typst's cache every `n` documents (0: never; then call
    /// [`Engine::evict`] yourself). Smaller saves memory, larger saves time
    /// when documents share much (same template, same charter).
    #[must_use]
    pub fn with_evict_every(mut self, n: usize) -> Self {
        self.evict_every = n;
        self
    }

    /// Drops cached results unused during the last `max_age` evictions
    /// (0 clears the cache). The cache is process-wide.
    pub fn evict(&self, max_age: usize) {
        comemo::evict(max_age);
    }

    /// Number of documents rendered (successfully or not) by this engine.
    pub fn rendered(&self) -> usize {
        self.rendered.load(Ordering::Relaxed)
    }

    /// Renders `template` (Typst source) with `data` as `/data.json` into a
    /// PDF/A-3b file dated `date`. `ident` is the stable identifier hashed
    /// into the PDF's /ID (use the document id): same arguments, same bytes.
    /// Blocks until the document is rendered.
    pub fn pdf(
        &self,
        template: &str,
        data: &serde_json::Value,
        date: NaiveDate,
        ident: &str,
    ) -> Result<Vec<u8>, RenderError> {
        let data = serde_json::to_vec(data).map_err(RenderError::Data)?;
        let template = self.parse(template);
        let result = if self.pool.current_thread_index().is_some() {
            // Already on one of the engine's threads: compile here.
            render(&self.shared, template, data, date, ident)
        } else {
            let _slot = self.slots.acquire();
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            let shared = Arc::clone(&self.shared);
            let ident = ident.to_owned();
            self.pool.spawn(move || {
                let result =
                    std::panic::catch_unwind(AssertUnwindSafe(|| render(&shared, template, data, date, &ident)))
                        .unwrap_or_else(|panic| Err(RenderError::Panic(panic_message(&panic))));
                // The receiver waits for this; it cannot be gone.
                let _ = tx.send(result);
            });
            rx.recv().unwrap_or_else(|_| Err(RenderError::Panic("render thread vanished".into())))
        };
        let n = self.rendered.fetch_add(1, Ordering::Relaxed) + 1;
        if self.evict_every > 0 && n.is_multiple_of(self.evict_every) {
            comemo::evict(EVICT_MAX_AGE);
        }
        result
    }

    /// `template` parsed, reusing the last parse when the text is the same
    /// (a clone shares the syntax tree and its hash).
    fn parse(&self, template: &str) -> Source {
        let mut parsed = self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        match &*parsed {
            Some(source) if source.text() == template => source.clone(),
            _ => {
                let source = Source::new(self.shared.main_id, template.to_owned());
                *parsed = Some(source.clone());
                source
            }
        }
    }
}

/// Compiles and exports one document.
fn render(
    shared: &Shared,
    template: Source,
    data: Vec<u8>,
    date: NaiveDate,
    ident: &str,
) -> Result<Vec<u8>, RenderError> {
    let world = DocWorld { shared, main: template, data: Bytes::new(data), today: typst_date(date)? };

    let Warned { output, .. } = typst::compile::<PagedDocument>(&world);
    let document = output.map_err(|errors| RenderError::Template(diagnostics(&world, &errors)))?;

    let options = PdfOptions {
        ident: Smart::Custom(ident.to_owned()),
        timestamp: Some(Timestamp::new_utc(typst_datetime(date)?)),
        standards: pdf_a3b(),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| RenderError::Export(diagnostics(&world, &errors)))
}

/// A counting semaphore: at most `n` documents in flight.
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

/// A held slot, given back on drop.
struct Slot<'a>(&'a Slots);

impl Slots {
    fn new(n: usize) -> Self {
        Self { free: Mutex::new(n), freed: Condvar::new() }
    }

    fn acquire(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

fn virtual_file(path: &str) -> FileId {
    // Both paths are constants that always parse.
    let vpath = VirtualPath::new(path).expect("constant virtual path is valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

fn pdf_a3b() -> PdfStandards {
    PdfStandards::new(&[PdfStandard::A_3b]).expect("PDF/A-3b alone is a valid standard set")
}

fn typst_date(date: NaiveDate) -> Result<Datetime, RenderError> {
    let month = u8::try_from(date.month()).map_err(|_| RenderError::Date(date))?;
    let day = u8::try_from(date.day()).map_err(|_| RenderError::Date(date))?;
    Datetime::from_ymd(date.year(), month, day).ok_or(RenderError::Date(date))
}

fn typst_datetime(date: NaiveDate) -> Result<Datetime, RenderError> {
    let month = u8::try_from(date.month()).map_err(|_| RenderError::Date(date))?;
    let day = u8::try_from(date.day()).map_err(|_| RenderError::Date(date))?;
    Datetime::from_ymd_hms(date.year(), month, day, 0, 0, 0).ok_or(RenderError::Date(date))
}

/// Turns Typst diagnostics into ours, with file and 1-based line/column.
fn diagnostics(world: &DocWorld<'_>, errors: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|diag| {
            let (file, line, column) = locate(world, diag);
            Diagnostic {
                message: diag.message.to_string(),
                file,
                line,
                column,
                hints: diag.hints.iter().map(|h| h.v.to_string()).collect(),
            }
        })
        .collect()
}

fn locate(world: &DocWorld<'_>, diag: &SourceDiagnostic) -> (Option<String>, Option<usize>, Option<usize>) {
    let Some(id) = diag.span.id() else {
        return (None, None, None);
    };
    let file = if id == world.shared.main_id {
        "template".to_owned()
    } else if id == world.shared.data_id {
        "data".to_owned()
    } else {
        id.vpath().get_with_slash().to_owned()
    };
    let text: &str = if id == world.shared.main_id {
        world.main.text()
    } else if id == world.shared.data_id {
        std::str::from_utf8(world.data.as_slice()).unwrap_or("")
    } else {
        ""
    };
    match world.range(diag.span) {
        Some(range) => {
            let (line, column) = line_column(text, range.start);
            (Some(file), Some(line), Some(column))
        }
        None => (Some(file), None, None),
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
pub(crate) mod tests;
