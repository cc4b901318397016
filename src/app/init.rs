//! Creating a workspace: the one action that comes before any App, since
//! there is no workspace to open yet. The work is workspace::init's.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::error::Result;
use crate::roster::Language;

/// Where and how to create a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The folder (created if missing; must not hold a workspace).
    pub dir: PathBuf,
    /// A replay workspace (training, a fixture, tests): it may act on dates
    /// after today's.
    pub replay: bool,
    /// The languages the network writes to its members in, the first being
    /// that of its own reports.
    pub languages: Vec<Language>,
}

/// A workspace created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Its languages, each once, in the order given.
    pub languages: Vec<Language>,
    /// The folders and files made.
    pub paths: Vec<PathBuf>,
}

/// Creates a workspace, dated `today` (the action `charte init`).
pub fn init(input: &Input, today: NaiveDate) -> Result<Created> {
    let mut languages = Vec::new();
    for &lang in &input.languages {
        if !languages.contains(&lang) {
            languages.push(lang);
        }
    }
    let paths = crate::workspace::init(&input.dir, today, input.replay, &languages)?;
    Ok(Created { languages, paths })
}
