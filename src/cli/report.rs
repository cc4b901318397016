//! `charte report annual|subsidy --year Y [--json]`

use super::Ctx;
use crate::documents::{DocumentKind, IssuedDocument};
use crate::error::{Error, Result};
use crate::flags;
use crate::report::annual;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The annual evaluation: organisations, each body's meetings against
    /// its minimum, attendance rates, flags. Writes out/reports/annual-Y.csv.
    Annual {
        #[arg(long)]
        year: i32,
    },
    /// The funder's report (COCOM or Walloon Region, per charte.toml), with
    /// the year's expense and staff lines: give --expenses FILE.csv, or
    /// --no-expenses for a report that says it has none.
    Subsidy {
        #[arg(long)]
        year: i32,
        /// Expense and staff lines: date, category (staff, running, project),
        /// description, amount (euros and cents: 1350,00 or 1.350,00 or
        /// 1,350.00), document, person, fte.
        #[arg(long, value_name = "FILE.csv")]
        expenses: Option<std::path::PathBuf>,
        /// Make the report without expense lines, on purpose: the report says
        /// so on its page.
        #[arg(long, conflicts_with = "expenses")]
        no_expenses: bool,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Annual { year } => annual(year, ctx),
        Command::Subsidy { year, expenses, no_expenses } => subsidy(year, expenses.as_deref(), no_expenses, ctx),
    }
}

fn check_year(year: i32) -> Result<()> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(Error::usage(format!("--year: {year} is not a plausible year")))
    }
}

/// The annual figures of `year`, as of `ctx.now`.
fn annual_report(ws: &crate::workspace::Workspace, year: i32, ctx: &Ctx) -> Result<annual::AnnualReport> {
    let loaded = flags::Loaded::load_for(&ws.store, &ws.config, Some(year))?;
    let departures = ws.store.departures()?;
    // Revoked confirmations too, with the day they stopped counting: a
    // past year's figures stay what they were.
    let signatures = ws.store.adherence_history()?;
    Ok(annual::compute(
        year,
        annual::Inputs {
            config: &ws.config,
            members: &loaded.members,
            meetings: &loaded.meetings,
            attendance: &loaded.attendance,
            history: &ws.config.charter.history,
            signatures: &signatures,
            departures: &departures,
            flags: flags::evaluate(&loaded.facts(&ws.config, ctx.now, Some(year))),
            today: ctx.now,
            actions: &ws.store.actions()?,
            statuses: &ws.store.status_entries()?,
            flag_statuses: &ws.store.flag_statuses()?,
        },
    ))
}

/// The words of a report's document id in `lang`: an id is printed on the
/// page, so it reads in the page's language ("CSI-rapport-annuel-2026-…").
fn id_words(kind: &str, lang: crate::roster::Language) -> &'static str {
    use crate::roster::Language::{Fr, Nl};
    match (kind, lang) {
        ("annual-report", Fr) => "rapport-annuel",
        ("annual-report", Nl) => "jaarverslag",
        (_, Fr) => "rapport-subvention",
        (_, Nl) => "subsidieverslag",
    }
}

/// Renders a report in each of `languages` (the first is the network's
/// main language), seals each with the coordination's key (the manifest
/// carries the journal's head, so a funder can ask for proof that the
/// figures come from that journal), writes out/reports/STEM.pdf and
/// STEM.seal.json for the first language and STEM.LANG.pdf and
/// STEM.LANG.seal.json for the others, with `companions` (the report's
/// CSV or JSON), and journals each. Nothing is written until every
/// language rendered and sealed: a report that fails leaves no file
/// behind. Returns the paths of the PDFs, the first language's first.
#[allow(clippy::too_many_arguments)]
fn seal_report(
    ws: &mut crate::workspace::Workspace,
    ctx: &Ctx,
    kind: DocumentKind,
    template: &str,
    year: i32,
    report: serde_json::Value,
    stem: &str,
    languages: &[crate::roster::Language],
    companions: &[(std::path::PathBuf, Vec<u8>)],
) -> Result<Vec<std::path::PathBuf>> {
    let key = super::keys::coordination_key(ws)?;
    let seal_key = crate::seal::fingerprint(&key.verifying_key());
    let head = ws.store.head()?.hash;
    let engine = crate::render::Engine::new().map_err(|e| Error::internal(format!("starting the renderer: {e}")))?;
    let mut made = Vec::new();
    for (i, &lang) in languages.iter().enumerate() {
        let c = &ws.config.coordination;
        let id = format!("{}-{}-{year}-{}", c.short, id_words(kind.code(), lang), &head[..8]);
        let body_names: serde_json::Map<String, serde_json::Value> = crate::governance::bodies(&ws.config)
            .into_iter()
            .map(|b| (b.key.clone(), serde_json::Value::String(b.name(lang).to_owned())))
            .collect();
        let data = serde_json::json!({
            "coordination": crate::render::CoordinationData::from_config(c, lang).to_value(),
            "document": {"id": id, "issued": ctx.now.to_string(), "seal_key": seal_key},
            "journal_head": head,
            "report": report,
            "body_names": body_names,
        });
        let pdf =
            crate::render::document(&engine, Some(&ws.templates_dir()), template, lang.code(), data, ctx.now, &id)
                .map_err(|e| Error::usage(format!("rendering the {kind} report ({}): {e}", lang.code())))?;
        let manifest = crate::seal::Manifest::new(&id, kind.code(), c.name(lang), ctx.now)
            .extra("journal_head", serde_json::Value::String(head.clone()))
            .extra("year", serde_json::json!(year))
            .extra("language", serde_json::json!(lang.code()));
        let sealed =
            crate::seal::seal(&pdf, &manifest, &key).map_err(|e| Error::internal(format!("sealing {id}: {e}")))?;
        // The main language keeps the plain name scripts and workflows know.
        let name = if i == 0 { format!("{stem}.pdf") } else { format!("{stem}.{}.pdf", lang.code()) };
        let path = ws.out_dir().join("reports").join(name);
        let file = path.strip_prefix(&ws.root).unwrap_or(&path).to_string_lossy().into_owned();
        let document = IssuedDocument {
            document_id: id.clone(),
            kind,
            enterprise_number: String::new(),
            charter_version: ws.config.charter.version.clone(),
            inputs_sha256: String::new(),
            sha256: sealed.manifest.sha256.clone(),
            sealed_sha256: sealed.sealed_sha256(),
            length: sealed.pdf.len() as i64,
            file,
            issued: ctx.now,
            seq: 0,
        };
        made.push((path, sealed, document));
    }
    ws.out_folder("reports")?;
    for (path, bytes) in companions {
        crate::error::write_atomic(path, bytes)?;
    }
    let known = ws.store.documents()?;
    let mut paths = Vec::new();
    for (path, sealed, document) in made {
        sealed.write(&path)?;
        let journaled =
            known.iter().any(|d| d.document_id == document.document_id && d.sealed_sha256 == document.sealed_sha256);
        if !journaled {
            ws.store.transaction(ctx.now, |tx| {
                tx.append(&crate::journal::Event::DocumentIssued { document }).map(|_| ())
            })?;
        }
        paths.push(path);
    }
    Ok(paths)
}

fn subsidy(year: i32, expenses: Option<&std::path::Path>, no_expenses: bool, ctx: &Ctx) -> Result<u8> {
    check_year(year)?;
    let mut ws = ctx.writer()?;
    let kind = ws.config.funder.kind;
    if kind == crate::config::FunderKind::None {
        if ctx.json {
            super::print_json(&serde_json::json!({"year": year, "funder": "none", "report": null}))?;
        } else {
            say!(
                "This network has no funder (charte.toml: [funder] kind = \"none\"): there is no subsidy report to make."
            );
        }
        return Ok(0);
    }
    // A report without expenses is a report of 0,00 €: made only when asked
    // for, never because a file was forgotten.
    let lines = match (expenses, no_expenses) {
        (Some(path), _) => {
            let table = crate::tabular::read(path, 64 * 1024 * 1024, "an expenses file")?;
            let project_allowed = kind == crate::config::FunderKind::WalloonRegion;
            Some(
                crate::report::expenses::parse(&table, year, ctx.now, project_allowed)
                    .map_err(|problems| Error::Input { file: path.to_owned(), problems })?,
            )
        }
        (None, true) => None,
        (None, false) => {
            return Err(Error::usage(format!(
                "the subsidy report {year} needs the year's expenses: give --expenses FILE.csv (the expense and \
                 staff lines), or --no-expenses to make a report that says it has none. Nothing was changed."
            )));
        }
    };
    let activity = annual_report(&ws, year, ctx)?;
    let inputs = crate::report::subsidy::Inputs { year, issued: ctx.now, expenses: lines.as_deref(), activity };
    let report = crate::report::subsidy::compute(&ws.config, inputs)
        .ok_or_else(|| Error::internal("a funder without a subsidy report"))?;
    let path = ws.out_dir().join("reports").join(format!("subsidy-{year}.json"));
    let json = serde_json::to_string_pretty(&report).map_err(|e| Error::internal(e.to_string()))?;
    let value = serde_json::to_value(&report).map_err(|e| Error::internal(e.to_string()))?;
    // The funder reads one language: the network's main one.
    let main = [ws.config.coordination.main_language()];
    let pdfs = seal_report(
        &mut ws,
        ctx,
        DocumentKind::SubsidyReport,
        crate::render::SUBSIDY_TEMPLATE,
        year,
        value,
        &format!("subsidy-{year}"),
        &main,
        &[(path.clone(), json.into_bytes())],
    )?;
    if let Some(due) = report.due.filter(|_| report.due_past) {
        eprintln!(
            "warning: the subsidy report {year} was due by {due}: that day is already past on {} (the report's date); \
             the report says so",
            ctx.now
        );
    }
    if ctx.json {
        return super::print_json(&report).map(|_| 0);
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
    say!("written: {} and {} (sealed)", path.display(), paths_list(&pdfs));
    Ok(0)
}

/// "a.pdf" or "a.pdf, a.nl.pdf".
fn paths_list(paths: &[std::path::PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

fn annual(year: i32, ctx: &Ctx) -> Result<u8> {
    check_year(year)?;
    let mut ws = ctx.writer()?;
    let report = annual_report(&ws, year, ctx)?;
    let csv_path = ws.out_dir().join("reports").join(format!("annual-{year}.csv"));
    let csv = annual_csv(&report)?;
    let value = serde_json::to_value(&report).map_err(|e| Error::internal(e.to_string()))?;
    // Every member reads the evaluation: one sealed PDF per language of the
    // network (the figures, CSV and JSON, stay one).
    let mut languages = ws.config.coordination.languages.clone();
    languages.dedup();
    let pdfs = seal_report(
        &mut ws,
        ctx,
        DocumentKind::AnnualReport,
        crate::render::ANNUAL_TEMPLATE,
        year,
        value,
        &format!("annual-{year}"),
        &languages,
        &[(csv_path.clone(), csv)],
    )?;
    if ctx.json {
        return super::print_json(&report).map(|_| 0);
    }
    let o = &report.organisations;
    say!("{} — {year}", ws.config.coordination.name(ws.config.coordination.main_language()));
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
    say!("written: {} and {} (sealed)", csv_path.display(), paths_list(&pdfs));
    Ok(0)
}

/// The report's figures as long-format CSV: one figure per line.
/// The annual figures as the CSV a Belgian spreadsheet opens as it is:
/// UTF-8 with a BOM, `;` between fields, decimals with a comma, every text
/// quoted where needed and a leading = + - @ neutralised (a working
/// group's key or a sector is the coordinator's text, never a formula).
fn annual_csv(report: &annual::AnnualReport) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::from("\u{feff}".as_bytes()));
    let mut rows: Vec<[String; 5]> = vec![["year", "section", "key", "figure", "value"].map(str::to_owned)];
    let mut line = |section: &str, key: &str, figure: &str, value: String| {
        rows.push([report.year.to_string(), section.to_owned(), spreadsheet_text(key), figure.to_owned(), value]);
    };
    let decimal = |x: f64| format!("{x:.3}").replace('.', ",");
    let o = &report.organisations;
    line("organisations", "all", "members", o.members.to_string());
    line("organisations", "all", "declared_not_signed", o.declared_not_signed.to_string());
    line("organisations", "all", "participants", o.participants.to_string());
    line("organisations", "all", "new_adherences", o.new_adherences.to_string());
    line("organisations", "all", "departures", o.departures.to_string());
    for (sector, n) in &o.sectors {
        line("sectors", sector, "organisations", n.to_string());
    }
    for (key, b) in &report.bodies {
        line("bodies", key, "held", b.held.to_string());
        line("bodies", key, "required_min", b.required_min.to_string());
        line("bodies", key, "present", b.present.to_string());
        line("bodies", key, "excused", b.excused.to_string());
        line("bodies", key, "absent", b.absent.to_string());
        line("bodies", key, "attendance_rate", b.attendance_rate.map_or(String::new(), decimal));
    }
    line("flags", "all", "count", report.flags.len().to_string());
    for (status, n) in &report.flags_by_status {
        line("flags", status, "count", n.to_string());
    }
    for o in &report.attendance_by_organisation {
        let key = &o.enterprise_number;
        line("attendance", key, "present", o.present.to_string());
        line("attendance", key, "excused", o.excused.to_string());
        line("attendance", key, "absent", o.absent.to_string());
        line("attendance", key, "attendance_rate", decimal(o.attendance_rate));
    }
    let e = &report.events;
    line("events", "all", "count", e.count.to_string());
    line("events", "all", "participants", e.participants.to_string());
    for (kind, k) in &e.by_kind {
        line("events", kind, "count", k.count.to_string());
        line("events", kind, "participants", k.participants.to_string());
    }
    for m in &report.membership {
        line("membership", &m.month, "members", m.members.to_string());
    }
    for row in &rows {
        w.write_record(row).map_err(|e| Error::internal(format!("writing the CSV: {e}")))?;
    }
    w.into_inner().map_err(|e| Error::internal(format!("writing the CSV: {e}")))
}

/// Text a spreadsheet shows as text: a leading = + - @ (or a tab or
/// carriage return, which some spreadsheets skip) would make it a formula.
fn spreadsheet_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

/// A CSV field that a spreadsheet will neither split nor execute: quoted,
/// and a leading = + - @ neutralised with an apostrophe.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}
