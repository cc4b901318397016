//! `charte issue [--all | ID...]`: the coordinator's word for "make the
//! adherence documents"; the work is [`App::issue`](crate::app::App::issue).

use super::Ctx;
use crate::app::issue::Which;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Every organisation on the roster but former ones.
    #[arg(long, conflicts_with = "ids")]
    all: bool,
    /// Enterprise numbers (any spelling) or unique names.
    ids: Vec<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let mut app = ctx.app_writer()?;
    let which = if args.all { Which::All } else { Which::Ids(args.ids) };
    let outcome = app.issue(&which)?;
    let done = format!(
        "{} adherence documents issued (charter {}), {} unchanged{}; in {}",
        outcome.issued,
        app.ws.config.charter.version,
        outcome.unchanged,
        match outcome.restored {
            0 => String::new(),
            n => format!(", {n} missing or altered on disk made again from the journal"),
        },
        outcome.folder.display()
    );
    if !outcome.failed.is_empty() {
        return Err(Error::Partial { done, failed: outcome.failed });
    }
    say!("{done}");
    Ok(0)
}
