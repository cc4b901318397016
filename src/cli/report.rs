//! `charte report annual|subsidy --year Y [--json]`: the reports are made
//! by the application layer (`app::report`); this prints what was made.

use std::path::PathBuf;

use super::Ctx;
use crate::app::report::{Expenses, Subsidy};
use crate::app::report_send::Outcome;
use crate::error::{Error, Failed, Result};
use crate::report::{Kind, NotSent};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The annual evaluation: organisations, each body's meetings against
    /// its minimum, attendance rates, flags. Writes out/reports/annual-Y.csv.
    Annual {
        /// The year to evaluate (a year still running: as of --now).
        #[arg(long)]
        year: i32,
    },
    /// The funder's report (COCOM or Walloon Region, per charte.toml), with
    /// the year's expense and staff lines: those `charte expenses import`
    /// recorded for the year, or --expenses FILE.csv, or --no-expenses for
    /// a report that says it has none.
    Subsidy {
        /// The subsidised year the report accounts for.
        #[arg(long)]
        year: i32,
        /// Expense and staff lines: date, category (staff, running, project),
        /// description, amount (euros and cents: 1350,00 or 1.350,00 or
        /// 1,350.00), document, person, fte.
        #[arg(long, value_name = "FILE.csv")]
        expenses: Option<PathBuf>,
        /// Make the report without expense lines, on purpose: the report says
        /// so on its page.
        #[arg(long, conflicts_with = "expenses")]
        no_expenses: bool,
    },
    /// Record that a meeting of the body that approves reports (charte.toml:
    /// [funder] approved_by, "plenary" or "committee"; the plenary without
    /// it) approved the year's report as it is now: the meeting must be
    /// that body's and held on or before today. A report made again is
    /// another file, which needs a new approval.
    Approve {
        /// annual or subsidy.
        report: Which,
        /// The report's year.
        #[arg(long)]
        year: i32,
        /// The meeting's id (charte meeting list), e.g. plenary-2026-11-19.
        #[arg(long)]
        meeting: String,
    },
    /// Mail the approved report to the funder (charte.toml: [funder] email,
    /// in [funder] language): one mail with its sealed PDF(s), for the
    /// subsidy report the expense lines, the verification page
    /// (out/verify.html) and the signed tree head, the key's fingerprint
    /// and how to verify in its text. Once only: the same report again
    /// sends nothing. Refused before the report is approved.
    Send {
        /// annual or subsidy.
        report: Which,
        /// The report's year.
        #[arg(long)]
        year: i32,
    },
}

/// A report, as the command line names it.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Which {
    Annual,
    Subsidy,
}

impl Which {
    fn kind(self) -> Kind {
        match self {
            Which::Annual => Kind::Annual,
            Which::Subsidy => Kind::Subsidy,
        }
    }
}

/// Exit codes (DESIGN.md): 0 sent, sent before or being sent by another
/// run; 4 when the funder's server refused the mail for good now (done:
/// the refusal is journaled and flagged; the one item, the funder's
/// address, needs a fix); 2 when it was refused before at the address
/// charte.toml still names (nothing was sent: correct the address).
fn send(kind: Kind, year: i32, ctx: &Ctx) -> Result<u8> {
    let sent = ctx.app_writer()?.send_report(kind, year)?;
    let what = format!("the {} report {year} ({})", sent.report, sent.document_id);
    if ctx.json {
        super::print_json(&sent)?;
    } else {
        say_sent(&sent, &what);
    }
    match &sent.outcome {
        Outcome::Bounced(why) => Err(Error::Partial {
            done: "the refusal is journaled and flagged (mail-bounced)".into(),
            failed: vec![Failed {
                item: what,
                reason: format!(
                    "the funder's mail server refused {} for good ({why}): correct charte.toml's [funder] email, \
                     then send again",
                    sent.to
                ),
            }],
        }),
        Outcome::BouncedBefore(why) => {
            Err(Error::NotSent(NotSent::RefusedBefore { address: sent.to.clone(), on: sent.at, why: why.clone() }))
        }
        Outcome::Sent | Outcome::AlreadySent | Outcome::Elsewhere => Ok(0),
    }
}

fn say_sent(sent: &crate::app::report_send::ReportSent, what: &str) {
    match &sent.outcome {
        Outcome::Sent => {
            say!("{what}, approved by the meeting {}, was sent to {} ({})", sent.meeting, sent.to, sent.language);
            say!("  attached: {}", sent.attachments.join(", "));
        }
        Outcome::AlreadySent => {
            say!("{what} was already sent to {} on {}: nothing was sent", sent.to, sent.at);
        }
        // Said by the refusal (exit 2).
        Outcome::BouncedBefore(_) => {}
        Outcome::Elsewhere => {
            say!("{what} is being sent by another charte command at this moment: nothing more was sent");
        }
        Outcome::Bounced(why) => {
            say!("{what}: the mail server refused {} for good ({why}); it is flagged (mail-bounced)", sent.to);
        }
    }
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Annual { year } => annual(year, ctx),
        Command::Subsidy { year, expenses, no_expenses } => {
            let expenses = match (expenses, no_expenses) {
                (Some(path), _) => Expenses::File(path),
                (None, true) => Expenses::NoExpenses,
                (None, false) => Expenses::Journaled,
            };
            subsidy(year, &expenses, ctx)
        }
        Command::Send { report, year } => send(report.kind(), year, ctx),
        Command::Approve { report, year, meeting } => {
            let kind = report.kind();
            let approval = ctx.app_writer()?.approve_report(kind, year, &meeting)?;
            if ctx.json {
                return super::print_json(&approval).map(|_| 0);
            }
            say!(
                "the {} report {year} ({}, sha256 {}) is approved by the meeting {}",
                if matches!(report, Which::Annual) { "annual" } else { "subsidy" },
                approval.document_id,
                &approval.sealed_sha256[..approval.sealed_sha256.len().min(16)],
                approval.meeting
            );
            Ok(0)
        }
    }
}

fn subsidy(year: i32, expenses: &Expenses, ctx: &Ctx) -> Result<u8> {
    let made = ctx.app_writer()?.subsidy_report(year, expenses)?;
    let Subsidy::Made(made) = made else {
        if ctx.json {
            super::print_json(&serde_json::json!({"year": year, "funder": "none", "report": null}))?;
        } else {
            say!(
                "This network has no funder (charte.toml: [funder] kind = \"none\"): there is no subsidy report to make."
            );
        }
        return Ok(0);
    };
    for w in &made.warnings {
        eprintln!("warning: {w}");
    }
    let report = &made.report;
    if ctx.json {
        return super::print_json(report).map(|_| 0);
    }
    // Plain spaces between thousands: a terminal may not show the page's
    // narrow no-break space.
    let format = |cents: i64| crate::report::amount::format(cents).replace('\u{202f}', " ");
    say!("{} subsidy report {year} ({})", report.funder, report.programme.as_deref().unwrap_or("no programme named"));
    if report.no_expenses {
        say!("  made without expenses (--no-expenses): the report says no expense lines were given");
    }
    for (category, total) in &report.envelopes_cents {
        say!("  {:<10} {:>16} EUR", format!("{category:?}").to_lowercase(), format(*total));
    }
    say!("  {:<10} {:>16} EUR", "total", format(report.eligible_total_cents));
    if let (Some(grant), Some(balance)) = (report.grant_cents, report.balance_cents) {
        say!("  grant {} EUR, balance {} EUR", format(grant), format(balance));
    }
    match (report.due, report.due_past) {
        (Some(due), false) => say!("  due by {due}"),
        (Some(due), true) => say!("  was due by {due}: already past"),
        (None, _) => say!("  no deadline printed: charte.toml's [funder] has no subsidy_due"),
    }
    say!("written: {} and {} (sealed)", made.json.display(), paths_list(&made.pdfs));
    say!("the funder can check it on {}: open it in a browser and choose the PDF", made.page.display());
    Ok(0)
}

/// "a.pdf" or "a.pdf, a.nl.pdf".
fn paths_list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

fn annual(year: i32, ctx: &Ctx) -> Result<u8> {
    let mut app = ctx.app_writer()?;
    let made = app.annual_report(year)?;
    let report = &made.report;
    if ctx.json {
        return super::print_json(report).map(|_| 0);
    }
    let o = &report.organisations;
    let c = &app.ws.config.coordination;
    say!("{} — {year}", c.name(c.main_language()));
    say!(
        "organisations: {} members (signed the charter in force), {} declared but not signed, {} participants, \
         {} new adherences, {} departures",
        o.members,
        o.declared_not_signed,
        o.participants,
        o.new_adherences,
        o.departures
    );
    for (key, b) in &report.bodies {
        let rate =
            b.attendance_rate.map_or("no attendance recorded".to_owned(), |r| format!("attendance {:.0}%", r * 100.0));
        let mark = if b.held as u32 >= b.required_min { "" } else { "  (below minimum)" };
        say!("  {key:<24} {} held / {} required, {rate}{mark}", b.held, b.required_min);
    }
    say!("flags: {}", report.flags.len());
    say!("written: {} and {} (sealed)", made.csv.display(), paths_list(&made.pdfs));
    say!("anyone can check them on {}: open it in a browser and choose the PDF", made.page.display());
    Ok(0)
}
