//! The command line: clap types, and one file per command. This is the only
//! place that prints; each command parses its arguments, calls one action
//! of the application layer ([`crate::app`]) and prints its outcome. Exit codes: 0 success, 1 a check failed, 2 bad input or
//! usage (nothing was changed), 3 stopped by a temporary failure (run
//! again), 4 done but for the items named, 70 a bug: crate::error::Kind.

/// `println!` that ends the process quietly when stdout is closed (a
/// pipe into `head`), instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($arg)*);
        if writeln!(std::io::stdout().lock(), "{line}").is_err() {
            std::process::exit(0);
        }
    }};
}

mod attendance;
mod audit;
mod backup;
mod breach;
mod charter;
mod collect;
mod convoke;
mod demo;
mod election;
mod erase;
mod events;
mod evidence;
mod expenses;
mod flags;
mod init;
mod issue;
mod keys;
mod links;
mod meeting;
mod members;
mod outbox;
mod report;
mod restore;
mod returns;
mod run;
mod serve;
mod sign;
mod status;
mod users;
mod verify;
mod vote;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::app::{App, Options, Progress};
use crate::error::{Error, Result};

#[derive(Debug, Parser)]
#[command(
    name = "charte",
    version,
    about = "The document-workflow engine of a social-coordination network",
    long_about = "charte runs a social-coordination network's year: the roster of member organisations, \
                  the charter and its signed adherences, convocations, attendance and votes, the annual \
                  evaluation and the funder's report, and the organisations the committee must interpellate. \
                  Everything lives in one workspace folder (see `charte init`)."
)]
pub struct Cli {
    /// The workspace folder.
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// The date to act on (YYYY-MM-DD), so a year can be replayed; default: today.
    #[arg(long, global = true, value_name = "DATE", env = "CHARTE_NOW")]
    now: Option<String>,
    /// Print machine-readable JSON (on commands that list or report).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new workspace: charte.toml, charter/, charte.db, keys/, out/.
    Init(init::Args),
    /// The roster: import, list, show.
    #[command(subcommand)]
    Members(members::Command),
    /// The coordination's seal key, and organisations' signing keys.
    #[command(subcommand)]
    Keys(keys::Command),
    /// The charter's versions: adopt a new one, list them.
    #[command(subcommand)]
    Charter(charter::Command),
    /// Render and seal adherence documents into out/adherence/.
    Issue(issue::Args),
    /// The organisation's side: sign the issued document with its own key.
    Sign(sign::Args),
    /// Ingest returned documents and record the adherences they prove.
    Collect(collect::Args),
    /// Is this sealed document authentic and unaltered? (exit 1 if not)
    Verify(verify::Args),
    /// Returns waiting for your confirmation: list, confirm, reject, revoke.
    Returns(returns::Args),
    /// Meetings of the plenary, the committee and the working groups.
    #[command(subcommand)]
    Meeting(meeting::Command),
    /// Convoke a meeting's body by email, respecting the notice period.
    Convoke(convoke::Args),
    /// What the outbox transport wrote in out/outbox/: list it, send it on through [mail.smtp].
    #[command(subcommand, after_long_help = outbox::ABOUT)]
    Outbox(outbox::Command),
    /// Attendance lists of meetings.
    #[command(subcommand)]
    Attendance(attendance::Command),
    /// Record a decision and its vote, counted by the body's rules.
    Vote(vote::Args),
    /// Committee elections without candidates: rounds, proposal, objections, vote, seats.
    #[command(subcommand, long_about = election::LONG_ABOUT)]
    Election(election::Command),
    /// The network's events and actions: colloquia, network days, campaigns, bourses.
    #[command(subcommand)]
    Events(events::Command),
    /// The year's expense and staff lines, which the subsidy report reads.
    #[command(subcommand)]
    Expenses(expenses::Command),
    /// Reports: the annual evaluation and the funder's subsidy report, sealed.
    #[command(subcommand)]
    Report(report::Command),
    /// Breaches of the charter noted by the committee.
    #[command(subcommand)]
    Breach(breach::Command),
    /// Organisations and bodies the committee must look at, with evidence.
    Flags(flags::Args),
    /// Advance a workflow (adhesion, convocation, annual-report, interpellation…) as far as it goes today.
    Run(run::Args),
    /// Where each subject stands in each workflow.
    Status(status::Args),
    /// Replay a fixture's whole year into a fresh folder, and say where to look.
    Demo(demo::Args),
    /// Verify the journal: its hash chain, its Merkle tree, every checkpoint, the tables derived from it; exit 1 naming the first thing that does not hold.
    #[command(long_about = audit::LONG_ABOUT)]
    Audit(audit::Args),
    /// Sign the journal's tree head into out/checkpoints/: a checkpoint anyone can later hold it to.
    #[command(long_about = audit::CHECKPOINT_ABOUT)]
    Checkpoint,
    /// Erase personal data kept outside the journal (GDPR), leaving the chain intact.
    Erase(erase::Args),
    /// Write one journal entry with its inclusion proof against the latest checkpoint, for a funder.
    #[command(long_about = evidence::LONG_ABOUT)]
    Evidence(evidence::Args),
    /// Save the whole workspace (journal, keys, charter, templates, workflows, out/) in one file.
    #[command(long_about = backup::LONG_ABOUT)]
    Backup(backup::Args),
    /// Restore a backup into a new folder, audit it, and only then put it in place.
    #[command(long_about = restore::LONG_ABOUT)]
    Restore(restore::Args),
    /// The web application: the verification page (/verify) and, later, the signing pages.
    #[command(long_about = serve::LONG_ABOUT)]
    Serve(serve::Args),
    /// The organisations' signing links: list them, reopen a locked one.
    #[command(subcommand)]
    Links(links::Command),
    /// Accounts of the web application: add, list, remove.
    #[command(subcommand)]
    Users(users::Command),
}

/// What every command receives: validated global settings.
#[derive(Debug)]
pub struct Ctx {
    pub dir: PathBuf,
    pub now: NaiveDate,
    pub json: bool,
}

impl Ctx {
    /// The application on `--now`'s date, to read; what charte.toml's
    /// reading noted goes to stderr, long work shows a progress bar there.
    pub fn app(&self) -> Result<App> {
        self.ready(App::open(&self.dir, self.now)?)
    }

    /// The application on `--now`'s date, to change: refused before any
    /// work when the journal would refuse that date (App::writer).
    pub fn app_writer(&self) -> Result<App> {
        self.ready(App::writer(&self.dir, self.now)?)
    }

    fn ready(&self, app: App) -> Result<App> {
        for note in &app.ws.config.notes {
            eprintln!("note: {note}");
        }
        Ok(app.with_progress(std::sync::Arc::new(Terminal::default())).with_options(Options::from_env()))
    }
}

/// Progress as a bar on stderr; invisible when stderr is not a terminal
/// (scripts, tests).
#[derive(Default)]
struct Terminal(std::sync::Mutex<Option<indicatif::ProgressBar>>);

impl Progress for Terminal {
    fn start(&self, len: u64, what: &str) {
        if let Ok(mut bar) = self.0.lock() {
            *bar = Some(progress(len, what));
        }
    }
    fn advance(&self, n: u64) {
        if let Ok(bar) = self.0.lock()
            && let Some(bar) = bar.as_ref()
        {
            bar.inc(n);
        }
    }
    fn finish(&self) {
        if let Ok(mut bar) = self.0.lock()
            && let Some(bar) = bar.take()
        {
            bar.finish_and_clear();
        }
    }
}

/// "N being sent by another run at the same time, " when another run
/// had claimed messages of this one (crate::delivery), else nothing: what
/// a send summary says before its bounces.
pub fn elsewhere(n: usize) -> String {
    if n == 0 { String::new() } else { format!("{n} being sent by another run at the same time, ") }
}

/// Parses a YYYY-MM-DD date, naming the option in the error.
pub fn parse_date(option: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::usage(format!("{option}: '{s}' is not a date (expected YYYY-MM-DD, e.g. 2026-03-12)")))
}

/// Entry point of the binary: parse, run, and turn the outcome into an exit
/// code, which the error's kind decides (crate::error::Kind).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            match e.kind() {
                // The work was done for the others: say so before what was not.
                crate::error::Kind::Partial => eprintln!("partly done: {e}"),
                crate::error::Kind::Temporary => eprintln!("stopped: {e}"),
                _ => eprintln!("error: {e}"),
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    let now = match &cli.now {
        Some(s) => parse_date("--now", s)?,
        None => crate::time::today(),
    };
    let ctx = Ctx { dir: cli.dir, now, json: cli.json };
    match cli.command {
        Command::Init(args) => init::run(args, &ctx),
        Command::Members(cmd) => members::run(cmd, &ctx),
        Command::Keys(cmd) => keys::run(cmd, &ctx),
        Command::Charter(cmd) => charter::run(cmd, &ctx),
        Command::Issue(args) => issue::run(args, &ctx),
        Command::Verify(args) => verify::run(args, &ctx),
        Command::Sign(args) => sign::run(args, &ctx),
        Command::Collect(args) => collect::run(args, &ctx),
        Command::Returns(args) => returns::run(args, &ctx),
        Command::Links(cmd) => links::run(cmd, &ctx),
        Command::Users(cmd) => users::run(cmd, &ctx),
        Command::Meeting(cmd) => meeting::run(cmd, &ctx),
        Command::Convoke(args) => convoke::run(args, &ctx),
        Command::Outbox(cmd) => outbox::run(cmd, &ctx),
        Command::Attendance(cmd) => attendance::run(cmd, &ctx),
        Command::Flags(args) => flags::run(args, &ctx),
        Command::Breach(cmd) => breach::run(cmd, &ctx),
        Command::Report(cmd) => report::run(cmd, &ctx),
        Command::Vote(args) => vote::run(args, &ctx),
        Command::Run(args) => run::run(args, &ctx),
        Command::Status(args) => status::run(args, &ctx),
        Command::Election(cmd) => election::run(cmd, &ctx),
        Command::Events(cmd) => events::run(cmd, &ctx),
        Command::Expenses(cmd) => expenses::run(cmd, &ctx),
        Command::Demo(args) => demo::run(args, &ctx),
        Command::Audit(args) => audit::run(args, &ctx),
        Command::Checkpoint => audit::checkpoint(&ctx),
        Command::Erase(args) => erase::run(args, &ctx),
        Command::Evidence(args) => evidence::run(args, &ctx),
        Command::Backup(args) => backup::run(args, &ctx),
        Command::Restore(args) => restore::run(args, &ctx),
        Command::Serve(args) => serve::run(args, &ctx, cli.now.is_some()),
    }
}

/// A progress bar on stderr for long work; invisible when stderr is not a
/// terminal (scripts, tests).
pub fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} ({eta} left)") {
        bar.set_style(style);
    }
    bar.set_message(what.to_owned());
    bar
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::internal(format!("cannot encode JSON: {e}")))?;
    say!("{text}");
    Ok(())
}
