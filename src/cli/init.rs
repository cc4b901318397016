//! `charte init DIR`: parses the languages, and says what
//! [`crate::app::init`] created and what to do next.

use std::path::PathBuf;

use super::Ctx;
use crate::app::init::Input;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to create the workspace in (created if missing; must not hold a workspace).
    dir: PathBuf,
    /// A replay workspace (training, a fixture, tests): it may act on dates
    /// after today's (--now). Never for a real network's year: a mistyped
    /// date would be accepted.
    #[arg(long)]
    replay: bool,
    /// The languages the network writes to its members in, the first being
    /// that of its own reports: fr, nl, or fr,nl / nl,fr. A placeholder
    /// charter is written for each (charter/fr.md, charter/nl.md).
    #[arg(long, value_name = "fr,nl", default_value = "fr", value_delimiter = ',')]
    languages: Vec<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let mut languages = Vec::new();
    for code in &args.languages {
        let lang: crate::roster::Language = code
            .trim()
            .parse()
            .map_err(|_| Error::usage(format!("--languages: '{code}' is not a language charte writes in (fr, nl)")))?;
        languages.push(lang);
    }
    let input = Input { dir: args.dir, replay: args.replay, languages };
    let created = crate::app::init::init(&input, ctx.now)?;
    say!("New {}workspace in {}", if input.replay { "replay " } else { "" }, input.dir.display());
    say!("  charte.toml   the network's identity and rules: edit it first");
    say!(
        "  charter/      the charter text ({}): replace the placeholder with your own",
        created.languages.iter().map(|l| format!("{}.md", l.code())).collect::<Vec<_>>().join(", ")
    );
    say!("  charte.db     the journal");
    say!("  keys/         run `charte keys init` to create the coordination's seal");
    say!("  out/          generated documents");
    say!("Next: charte --dir {} members import roster.csv", input.dir.display());
    Ok(0)
}
