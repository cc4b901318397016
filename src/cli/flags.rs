//! `charte flags [--year Y] [--json]`, `charte flags mark KEY STATUS`,
//! `charte flags letters`

use super::Ctx;
use crate::error::{Error, Result};
use crate::flags;
use crate::journal::Event;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Only the flags whose evidence falls in this year.
    #[arg(long)]
    year: Option<i32>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Draft an interpellation letter to each flagged organisation, in its
    /// language, into out/letters/.
    Letters {
        /// Only the flags of this year.
        #[arg(long)]
        year: Option<i32>,
        /// Days the organisation is given to answer.
        #[arg(long, default_value_t = 30)]
        reply_within_days: u32,
    },
    /// Record the committee's handling of a flag (KEY as `charte flags` shows it).
    Mark {
        /// The flag's key, e.g. absences:0883.405.625
        key: String,
        #[arg(value_enum)]
        status: Status,
        /// A note for the record (the committee's decision, a date).
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Status {
    /// Back to open.
    Open,
    /// Put on the committee's agenda.
    PutToCommittee,
    /// Settled: the organisation explained, or the rule no longer applies.
    Resolved,
}

impl Status {
    fn code(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::PutToCommittee => "put-to-committee",
            Status::Resolved => "resolved",
        }
    }
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    match args.command {
        Some(Command::Mark { key, status, note }) => mark(&key, status, note, ctx),
        Some(Command::Letters { year, reply_within_days }) => letters(year, reply_within_days, ctx),
        None => list(args.year, ctx),
    }
}

fn list(year: Option<i32>, ctx: &Ctx) -> Result<u8> {
    let ws = ctx.workspace()?;
    let loaded = flags::Loaded::load_for(&ws.store, &ws.config, year)?;
    let facts = loaded.facts(&ws.config, ctx.now, year);
    let flags = flags::evaluate(&facts);
    for w in flags::warnings(&facts) {
        eprintln!("warning: {w}");
    }
    let statuses = ws.store.flag_statuses()?;
    let status_of =
        |f: &flags::Flag| statuses.get(&f.key()).map_or(flags::Status::Open, |s| s.status).code().to_owned();
    if ctx.json {
        let rows: Vec<serde_json::Value> = flags
            .iter()
            .map(|f| {
                let mut v = serde_json::to_value(f).unwrap_or_default();
                v["key"] = serde_json::json!(f.key());
                v["status"] = serde_json::json!(status_of(f));
                v
            })
            .collect();
        return super::print_json(&rows).map(|_| 0);
    }
    if flags.is_empty() {
        say!("No flag: nothing for the committee to look at.");
    }
    for f in &flags {
        say!("{} — {} (since {}, {})", f.key(), f.name, f.since, status_of(f));
        for e in &f.evidence {
            match e.seq {
                Some(seq) => say!("    #{seq}: {}", e.text),
                None => say!("    {}", e.text),
            }
        }
    }
    Ok(0)
}

/// A flag's key as `charte flags` prints it (`rule:0123.456.749`), from
/// any spelling of the enterprise number (BE0123456749, 0123456749…).
fn normalise_key(key: &str) -> String {
    let key = key.trim();
    match key.split_once(':') {
        Some((rule, subject)) => match crate::roster::EnterpriseNumber::parse(subject.trim()) {
            Ok(n) => format!("{}:{}", rule.trim(), n.formatted()),
            Err(_) => format!("{}:{}", rule.trim(), subject.trim()),
        },
        None => key.to_owned(),
    }
}

fn mark(key: &str, status: Status, note: Option<String>, ctx: &Ctx) -> Result<u8> {
    let key = normalise_key(key);
    let key = key.as_str();
    let mut ws = ctx.writer()?;
    let loaded = flags::Loaded::load_for(&ws.store, &ws.config, None)?;
    let flags = flags::evaluate(&loaded.facts(&ws.config, ctx.now, None));
    if !flags.iter().any(|f| f.key() == key) && !ws.store.flag_statuses()?.contains_key(key) {
        return Err(Error::not_found(format!("no flag '{key}' (see `charte flags` for the keys)")));
    }
    ws.store.transaction(ctx.now, |tx| {
        tx.append(&Event::FlagStatusChanged {
            key: key.to_owned(),
            status: status.code().to_owned(),
            note: note.clone(),
        })
        .map(|_| ())
    })?;
    say!("{key}: {}", status.code());
    Ok(0)
}

fn letters(year: Option<i32>, reply_within_days: u32, ctx: &Ctx) -> Result<u8> {
    let ws = ctx.workspace()?;
    let loaded = flags::Loaded::load_for(&ws.store, &ws.config, year)?;
    let facts = loaded.facts(&ws.config, ctx.now, year);
    let flags = flags::evaluate(&facts);
    let statuses = ws.store.flag_statuses()?;
    let dir = ws.out_dir().join("letters");
    let engine = crate::render::Engine::new().map_err(|e| Error::internal(format!("starting the renderer: {e}")))?;
    let (ready, waiting) = flags::for_letters(&flags, &statuses, &facts);
    let mut written = 0;
    for (_, group) in flags::by_organisation(&ready) {
        if let Some(path) = letter(&ws, &engine, &loaded.members, &group, reply_within_days, ctx.now)? {
            say!("{}", path.display());
            written += 1;
        }
    }
    let waiting_orgs = flags::by_organisation(&waiting).len();
    say!("{written} draft letters in {} (one per organisation, covering all its open flags)", dir.display());
    if waiting_orgs > 0 {
        say!(
            "{waiting_orgs} organisations not written to: their adherence document was never sent, or its return is \
             awaited until {} days after it was",
            ws.config.flags.adherence_overdue_days
        );
    }
    Ok(0)
}

/// Renders the draft interpellation letter to one organisation about all
/// of `flags` (its open flags), in its language, into out/letters/; None
/// when the organisation is not on the roster.
pub fn letter(
    ws: &crate::workspace::Workspace,
    engine: &crate::render::Engine,
    members: &[crate::roster::Member],
    flags: &[&flags::Flag],
    reply_within_days: u32,
    now: chrono::NaiveDate,
) -> Result<Option<std::path::PathBuf>> {
    let Some(first) = flags.first() else { return Ok(None) };
    let Some(member) = first.enterprise_number.as_deref().and_then(|n| crate::roster::resolve(members, n).ok()) else {
        return Ok(None);
    };
    let dir = ws.out_folder("letters")?;
    let c = &ws.config.coordination;
    let o = &member.organisation;
    let lang = o.language;
    // One letter per organisation and day: its name comes from the
    // enterprise number, which no other organisation shares.
    let word = match lang {
        crate::roster::Language::Fr => "lettre",
        crate::roster::Language::Nl => "brief",
    };
    let id = format!("{}-{word}-{}-{}", c.short, o.enterprise_number.digits(), now);
    let flag_data: Vec<serde_json::Value> = flags
        .iter()
        .map(|f| {
            serde_json::json!({
                "rule": f.rule,
                "since": f.since.to_string(),
                "evidence": f.evidence.iter().map(|e| serde_json::json!({
                    "seq": e.seq, "date": e.date.map(|d| d.to_string()), "text": e.in_language(lang),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let data = serde_json::json!({
        "coordination": crate::render::CoordinationData::from_config(c, lang).to_value(),
        "organisation": {
            "name": o.name, "enterprise_number": o.enterprise_number.formatted(),
            "address": o.address, "representative": o.representative,
        },
        // `flag` (the first) for templates written before letters covered several.
        "flag": flag_data.first(),
        "flags": flag_data,
        "document": {"id": id, "issued": now.to_string()},
        "reply_within_days": reply_within_days,
    });
    let pdf = crate::render::document(
        engine,
        Some(&ws.templates_dir()),
        crate::render::LETTER_TEMPLATE,
        lang.code(),
        data,
        now,
        &id,
    )
    .map_err(|e| Error::usage(format!("the letter to {}: {e}", o.name)))?;
    let path = dir.join(format!("{id}.pdf"));
    crate::error::write_atomic(&path, &pdf)?;
    Ok(Some(path))
}
