//! The year's expense and staff lines (`charte expenses import`), which the
//! subsidy report reads. A file holds every line of one year, read by the
//! same parser as `report subsidy --expenses FILE` (crate::report::expenses:
//! every problem at once, one bad line and nothing is recorded). A second
//! import of the same year replaces the lines of the first, journaled with
//! both files' sha256: no line is ever counted twice, and the same file
//! imported again changes nothing.

use std::collections::BTreeMap;

use super::{App, TableFile, staging};
use crate::config::FunderKind;
use crate::error::{Error, Result};
use crate::journal::Event;
use crate::report::expenses::{self, Category, Expense, ExpenseImport};

/// The largest expenses file read.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// A year's lines and their totals.
#[derive(Debug, Clone, PartialEq)]
pub struct Lines {
    pub year: i32,
    pub lines: Vec<Expense>,
    /// The total of each category present, in cents.
    pub totals: BTreeMap<Category, i64>,
    /// All categories, in cents.
    pub total: i64,
}

impl Lines {
    fn new(year: i32, lines: Vec<Expense>) -> Lines {
        let totals = expenses::totals(&lines);
        let total = totals.values().sum();
        Lines { year, lines, totals, total }
    }
}

/// What importing an expenses file did, or would do.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The file's lines, checked.
    pub lines: Lines,
    /// The file's name as given, and its sha256.
    pub file: String,
    pub sha256: String,
    /// The import of the same year whose lines these replace (all of them).
    pub replaces: Option<ExpenseImport>,
    /// The very file that holds for the year already: nothing recorded.
    pub unchanged: bool,
    /// Nothing was changed (a dry run, or a preview).
    pub dry_run: bool,
}

/// The lines journaled for a year, and the import they came from.
#[derive(Debug, Clone)]
pub struct Listed {
    pub lines: Lines,
    /// None: no file was imported for that year.
    pub import: Option<ExpenseImport>,
}

impl App {
    /// Records the expense and staff lines of `file` for `year` (by
    /// default the year of its first line's date): all lines checked
    /// first, one bad line and nothing is recorded. They replace the lines
    /// an earlier import of that year recorded. `dry_run`: say what would
    /// change, change nothing.
    pub fn import_expenses(&mut self, file: &TableFile, year: Option<i32>, dry_run: bool) -> Result<Imported> {
        self.import_expenses_over(file, year, dry_run, None)
    }

    /// [`App::import_expenses`]; with `expected`, only if the import it
    /// replaces is still that one (its sha256, or None for none): what a
    /// preview showed.
    fn import_expenses_over(
        &mut self,
        file: &TableFile,
        year: Option<i32>,
        dry_run: bool,
        expected: Option<Option<&str>>,
    ) -> Result<Imported> {
        let year =
            year.or_else(|| expenses::year_of(&file.table)).unwrap_or_else(|| chrono::Datelike::year(&self.today));
        super::report::check_year(year)?;
        let project_allowed = self.ws.config.funder.kind == FunderKind::WalloonRegion;
        let lines = expenses::parse(&file.table, year, self.today, project_allowed).map_err(|p| file.refused(p))?;
        let name =
            file.file.file_name().map_or_else(|| file.file.display().to_string(), |n| n.to_string_lossy().into_owned());
        let sha256 = file.sha256.clone();
        let decide = |held: Option<ExpenseImport>| {
            let unchanged = held.as_ref().is_some_and(|h| h.sha256 == sha256);
            (held, unchanged)
        };
        let (replaces, unchanged) = if dry_run {
            decide(self.ws.store.expense_import(year)?)
        } else {
            // What the import replaces is read under the write lock: two
            // imports at once each replace the other, never add to it.
            self.ws.store.transaction(self.today, |tx| {
                let (held, unchanged) = decide(tx.expense_import(year)?);
                if let Some(expected) = expected
                    && expected != held.as_ref().map(|h| h.sha256.as_str())
                {
                    return Err(Error::usage(format!(
                        "another expenses file of {year} was imported since this one was previewed: nothing was \
                         changed; send the file again to see what it would replace now"
                    )));
                }
                if !unchanged {
                    tx.append(&Event::ExpensesImported {
                        year,
                        file: name.clone(),
                        sha256: sha256.clone(),
                        replaced: held.as_ref().map(|h| h.sha256.clone()),
                        lines: lines.clone(),
                    })?;
                }
                Ok((held, unchanged))
            })?
        };
        Ok(Imported { lines: Lines::new(year, lines), file: name, sha256, replaces, unchanged, dry_run })
    }

    /// The lines journaled for `year` (by default the latest year with an
    /// import; the app's year when there is none).
    pub fn expenses(&self, year: Option<i32>) -> Result<Listed> {
        let latest = self.ws.store.expense_years()?.first().copied();
        let year = year.or(latest).unwrap_or_else(|| chrono::Datelike::year(&self.today));
        let import = self.ws.store.expense_import(year)?;
        Ok(Listed { lines: Lines::new(year, self.ws.store.expenses(year)?), import })
    }

    /// The years with journaled expense lines, the latest first.
    pub fn expense_years(&self) -> Result<Vec<i32>> {
        self.ws.store.expense_years()
    }
}

/// An uploaded expenses file, kept until it is confirmed, with what
/// importing it would do.
#[derive(Debug, Clone)]
pub struct Preview {
    /// Names the kept file in the confirmation: 32 hex digits.
    pub id: String,
    pub imported: Imported,
}

impl App {
    /// Reads the expenses file `bytes` (sent as `name`) and says what
    /// importing it would do, keeping it for a day under out/staging/
    /// (super::staging) and writing nothing else. A file with a bad line
    /// is not kept: its problems are the error, each with its line and
    /// column, as the command line gives them.
    pub fn preview_expenses(&mut self, name: &str, bytes: &[u8]) -> Result<Preview> {
        let (kept, file) = self.keep_table(staging::Kind::Expenses, name, bytes, MAX_BYTES)?;
        match self.import_expenses(&file, None, true) {
            Ok(imported) => Ok(Preview { id: kept.id, imported }),
            Err(e) => {
                // Nothing to confirm: the file is not kept.
                let _ = std::fs::remove_file(&kept.path);
                Err(e)
            }
        }
    }

    /// Imports the expenses file [`App::preview_expenses`] kept as `id`
    /// for `year`, if it is still the file whose sha256 is `sha256` and
    /// the import it replaces is still `replaces` (as the preview showed);
    /// the kept file is removed once imported.
    pub fn confirm_expenses(
        &mut self,
        id: &str,
        sha256: &str,
        year: i32,
        name: &str,
        replaces: Option<&str>,
    ) -> Result<Imported> {
        let (kept, file) = self.kept_table(staging::Kind::Expenses, id, sha256, name, MAX_BYTES)?;
        let done = self.import_expenses_over(&file, Some(year), false, Some(replaces))?;
        std::fs::remove_file(&kept.path).map_err(|e| Error::io(&kept.path, e))?;
        Ok(done)
    }
}

/// The refusal of a subsidy report asked for without expenses while none
/// are journaled for its year.
pub(super) fn none_journaled(year: i32) -> Error {
    Error::NotDone(crate::reason::NotDone::NoExpenses { year })
}
