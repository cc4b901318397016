//! `charte members import|list|show|set-key`: the roster's actions are
//! [`crate::app::members`]'s; this says what they did, as text or JSON.

use std::path::PathBuf;

use serde::Serialize;

use super::Ctx;
use crate::app::members::KeySet;
use crate::error::{Error, Result};
use crate::roster::Member;
use crate::roster::import::Plan;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Import or update the roster from a CSV file (all or nothing).
    ///
    /// Comma, semicolon or tab separated; UTF-8 (with or without BOM) or
    /// Windows-1252; headers in English, French or Dutch. Every problem of
    /// the file is reported with its line and column, and then nothing is
    /// written. Organisations are matched by enterprise number: a known one is
    /// updated, a new one added, one missing from the file left as it is.
    #[command(after_help = IMPORT_COLUMNS)]
    Import {
        /// The roster file.
        file: PathBuf,
        /// Show what would change, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// List the roster.
    List,
    /// One organisation, with its documents, signatures and history.
    Show {
        /// Enterprise number (any common spelling) or a unique name.
        id: String,
    },
    /// Register an organisation's public key (made by `charte keys member`),
    /// with which it signs its returned documents.
    SetKey {
        /// Enterprise number (any common spelling) or a unique name.
        id: String,
        /// The organisation's public key file (FILE.pub).
        file: PathBuf,
    },
}

/// The roster's columns, as roster::import reads them.
const IMPORT_COLUMNS: &str = "\
Columns, in any order (a column charte does not know is left out, and said so):
  name                  the organisation's name (required)
  enterprise_number     its BCE/KBO enterprise number, in any common spelling (required)
  email                 the address charte writes to it at (required)
  language              fr or nl (default: fr)
  status                participant, member, partner, associate or former (default: participant)
  representative        the person mandated to sign for it
  representative_email  that person's address
  address               its postal address
  sectors               its sectors, separated by |

Headers may be in French or Dutch too: nom/naam, numéro d'entreprise/ondernemingsnummer (or \
BCE/KBO), courriel/e-mail, langue/taal, statut/statuut, représentant/vertegenwoordiger, \
adresse/adres, secteurs/sectoren.";

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Import { file, dry_run } => import_roster(&file, dry_run, ctx),
        Command::List => list(ctx),
        Command::Show { id } => show(&id, ctx),
        Command::SetKey { id, file } => set_key(&id, &file, ctx),
    }
}

fn import_roster(file: &std::path::Path, dry_run: bool, ctx: &Ctx) -> Result<u8> {
    let plan = ctx.app_writer()?.import_roster(file, dry_run)?;
    imported(file, &plan, dry_run, ctx)
}

/// Says what importing the roster `file` did (or would do, `dry_run`).
pub(super) fn imported(file: &std::path::Path, plan: &Plan, dry_run: bool, ctx: &Ctx) -> Result<u8> {
    if ctx.json {
        #[derive(Serialize)]
        struct Changed<'a> {
            enterprise_number: String,
            name: &'a str,
            fields: &'a [String],
        }
        let added: Vec<_> = plan
            .added
            .iter()
            .map(|o| serde_json::json!({"enterprise_number": o.enterprise_number.formatted(), "name": o.name}))
            .collect();
        let changed: Vec<_> = plan
            .changed
            .iter()
            .map(|(o, f)| Changed { enterprise_number: o.enterprise_number.formatted(), name: &o.name, fields: f })
            .collect();
        let notes: Vec<String> = plan.notes.iter().map(ToString::to_string).collect();
        super::print_json(&serde_json::json!({
            "dry_run": dry_run, "added": added, "changed": changed, "unchanged": plan.unchanged,
            "not_in_file": plan.not_in_file.len(), "ignored_columns": plan.ignored_columns, "notes": notes,
        }))?;
        return Ok(0);
    }
    let sep = match plan.separator {
        '\t' => "tab".to_owned(),
        c => format!("'{c}'"),
    };
    say!(
        "{} ({}, {sep} separated): {} added, {} changed, {} unchanged",
        file.display(),
        plan.encoding,
        plan.added.len(),
        plan.changed.len(),
        plan.unchanged
    );
    if !plan.ignored_columns.is_empty() {
        say!("  ignored columns (charte does not use them): {}", plan.ignored_columns.join(", "));
    }
    for note in &plan.notes {
        say!("  note: {note}");
    }
    for o in &plan.added {
        say!("  + {}  {}", o.enterprise_number, o.name);
    }
    for (o, fields) in &plan.changed {
        say!("  ~ {}  {}: {}", o.enterprise_number, o.name, fields.join(", "));
    }
    if !plan.not_in_file.is_empty() {
        say!(
            "  {} organisation(s) of the roster are not in this file and stay as they are (set their status to former to mark a departure)",
            plan.not_in_file.len()
        );
    }
    if dry_run {
        say!("dry run: nothing was written");
    }
    Ok(0)
}

/// The `members list --json` shape (DESIGN.md): scripts rely on these keys.
#[derive(Debug, Serialize)]
struct Listed<'a> {
    name: &'a str,
    enterprise_number: String,
    email: &'a str,
    language: &'a str,
    status: &'a str,
    signed_version: Option<&'a str>,
}

impl<'a> From<&'a Member> for Listed<'a> {
    fn from(m: &'a Member) -> Self {
        let o = &m.organisation;
        Listed {
            name: &o.name,
            enterprise_number: o.enterprise_number.formatted(),
            email: &o.email,
            language: o.language.code(),
            status: o.status.code(),
            signed_version: m.signed_version.as_deref(),
        }
    }
}

fn list(ctx: &Ctx) -> Result<u8> {
    let members = ctx.app()?.members()?;
    if ctx.json {
        super::print_json(&members.iter().map(Listed::from).collect::<Vec<_>>())?;
        return Ok(0);
    }
    if members.is_empty() {
        say!("The roster is empty: import one with `charte members import FILE.csv`.");
        return Ok(0);
    }
    let width = members.iter().map(|m| m.organisation.name.chars().count()).max().unwrap_or(4).min(48);
    say!("{:<12}  {:<width$}  {:<4}  {:<11}  {:<8}  email", "number", "name", "lang", "status", "signed");
    for m in &members {
        let o = &m.organisation;
        let name: String = o.name.chars().take(width).collect();
        say!(
            "{:<12}  {:<width$}  {:<4}  {:<11}  {:<8}  {}",
            o.enterprise_number.formatted(),
            name,
            o.language.code(),
            o.status.code(),
            m.signed_version.as_deref().unwrap_or("-"),
            shown_email(&o.email)
        );
    }
    say!("{} organisations", members.len());
    Ok(0)
}

/// An organisation's address as printed: an erased one (`charte erase`;
/// empty, and so in `--json`) said so.
fn shown_email(email: &str) -> &str {
    if email.is_empty() { "(erased)" } else { email }
}

fn set_key(id: &str, file: &std::path::Path, ctx: &Ctx) -> Result<u8> {
    match ctx.app_writer()?.set_key(id, file)? {
        KeySet::AlreadyRegistered { name } => say!("{name}: this key is already registered; nothing changed"),
        KeySet::Registered { name, fingerprint, replaced } => say!(
            "{name}: key {fingerprint} registered{}",
            if replaced { " (it replaces the previous one)" } else { "" }
        ),
    }
    Ok(0)
}

fn show(id: &str, ctx: &Ctx) -> Result<u8> {
    let file = ctx.app()?.member_file(id)?;
    let (m, documents, adherences, returns, history) =
        (&file.member, &file.documents, &file.adherences, &file.returns, &file.history);
    let o = &m.organisation;
    if ctx.json {
        let mut value = serde_json::to_value(Listed::from(m)).map_err(|e| Error::internal(e.to_string()))?;
        value["representative"] = serde_json::json!(o.representative);
        value["representative_email"] = serde_json::json!(o.representative_email);
        value["address"] = serde_json::json!(o.address);
        value["sectors"] = serde_json::json!(o.sectors);
        value["public_key"] = serde_json::json!(m.public_key);
        value["documents"] = serde_json::json!(documents);
        value["adherences"] = serde_json::json!(adherences);
        value["returns"] = returns
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id, "state": r.state, "document_id": r.adherence.document_id,
                    "charter_version": r.adherence.charter_version, "method": r.adherence.method,
                    "signer": r.adherence.signer, "reason": r.reason, "received": r.received,
                    "decided": r.decided, "note": r.note,
                })
            })
            .collect();
        value["history"] = history
            .iter()
            .map(|e| serde_json::json!({"seq": e.seq, "at": e.at, "kind": e.kind, "hash": e.hash}))
            .collect();
        super::print_json(&value)?;
        return Ok(0);
    }
    say!("{}", o.name);
    say!("  enterprise number  {}", o.enterprise_number);
    say!("  status             {}", o.status);
    say!("  signed charter     {}", m.signed_version.as_deref().unwrap_or("none"));
    say!("  language           {}", o.language);
    say!("  email              {}", shown_email(&o.email));
    if let Some(r) = &o.representative {
        say!(
            "  representative     {r}{}",
            o.representative_email.as_deref().map(|e| format!(" <{e}>")).unwrap_or_default()
        );
    }
    if let Some(a) = &o.address {
        say!("  address            {a}");
    }
    if !o.sectors.is_empty() {
        say!("  sectors            {}", o.sectors.join(", "));
    }
    say!("  key registered     {}", if m.public_key.is_some() { "yes" } else { "no" });
    if !documents.is_empty() {
        say!("documents:");
        for d in documents {
            say!("  {}  charter {}  issued {}  {}", d.document_id, d.charter_version, d.issued, d.file);
        }
    }
    if !adherences.is_empty() {
        say!("signatures:");
        for a in adherences {
            say!(
                "  {}  charter {}  {} by {}  collected {}",
                a.document_id,
                a.charter_version,
                a.method,
                a.signer,
                a.collected
            );
        }
    }
    let waiting: Vec<_> = returns.iter().filter(|r| r.state == crate::collect::ReturnState::Waiting).collect();
    if !waiting.is_empty() {
        say!("waiting for your confirmation (they count for nothing until then):");
        for r in waiting {
            say!(
                "  #{}  {}  {} by {}  received {}: charte returns confirm {}",
                r.id,
                r.adherence.document_id,
                r.adherence.method,
                r.adherence.signer,
                r.received,
                r.id
            );
        }
    }
    say!("history:");
    for e in history {
        say!("  #{:<6} {}  {}", e.seq, e.at, e.kind);
    }
    Ok(0)
}
