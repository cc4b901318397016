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
    let flags = flags::evaluate(&loaded.facts(&ws.config, ctx.now, year));
    let statuses = ws.store.flag_statuses()?;
    let status_of = |f: &flags::Flag| statuses.get(&f.key()).map_or("open", |s| s.status.as_str()).to_owned();
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
        say!(
            "{:<32} {:<14} {} (since {}, {})",
            f.rule,
            f.enterprise_number.as_deref().unwrap_or("-"),
            f.name,
            f.since,
            status_of(f)
        );
        for e in &f.evidence {
            match e.seq {
                Some(seq) => say!("    #{seq}: {}", e.text),
                None => say!("    {}", e.text),
            }
        }
    }
    Ok(0)
}

fn mark(key: &str, status: Status, note: Option<String>, ctx: &Ctx) -> Result<u8> {
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
    let flags = flags::evaluate(&loaded.facts(&ws.config, ctx.now, year));
    let statuses = ws.store.flag_statuses()?;
    let dir = ws.out_dir().join("letters");
    let engine = crate::render::Engine::new().map_err(|e| Error::internal(format!("starting the renderer: {e}")))?;
    let mut written = 0;
    for f in &flags {
        if statuses.get(&f.key()).is_some_and(|s| s.status == "resolved") {
            continue;
        }
        if let Some(path) = letter(&ws, &engine, &loaded.members, f, reply_within_days, ctx.now)? {
            say!("{}", path.display());
            written += 1;
        }
    }
    say!("{written} draft letters in {}", dir.display());
    Ok(0)
}

/// Renders the draft interpellation letter about flag `f` to its
/// organisation, in its language, into out/letters/; None for a
/// coordination-level flag (no organisation to write to).
pub fn letter(
    ws: &crate::workspace::Workspace,
    engine: &crate::render::Engine,
    members: &[crate::roster::Member],
    f: &flags::Flag,
    reply_within_days: u32,
    now: chrono::NaiveDate,
) -> Result<Option<std::path::PathBuf>> {
    let Some(member) = f.enterprise_number.as_deref().and_then(|n| crate::roster::resolve(members, n).ok()) else {
        return Ok(None);
    };
    let dir = ws.out_dir().join("letters");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let c = &ws.config.coordination;
    let o = &member.organisation;
    let lang = o.language;
    let id = format!("{}-letter-{}-{}-{}", c.short, f.rule, o.enterprise_number.digits(), now);
    let data = serde_json::json!({
        "coordination": crate::render::CoordinationData::from_config(c, lang).to_value(),
        "organisation": {
            "name": o.name, "enterprise_number": o.enterprise_number.formatted(),
            "address": o.address, "representative": o.representative,
        },
        "flag": {
            "rule": f.rule,
            "since": f.since.to_string(),
            "evidence": f.evidence.iter().map(|e| serde_json::json!({
                "seq": e.seq, "date": e.date.map(|d| d.to_string()), "text": e.in_language(lang),
            })).collect::<Vec<_>>(),
        },
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
    let path = dir.join(format!("{}-{}.pdf", crate::adherence::slug(&o.name), f.rule));
    crate::error::write_atomic(&path, &pdf)?;
    Ok(Some(path))
}
