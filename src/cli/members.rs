//! `charte members import|list|show`

use std::path::PathBuf;

use serde::Serialize;

use super::Ctx;
use crate::error::{Error, Result};
use crate::journal::Event;
use crate::roster::{self, Member, import};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Import or update the roster from a CSV file (all or nothing).
    ///
    /// Comma, semicolon or tab separated; UTF-8 (with or without BOM) or
    /// Windows-1252; headers in English, French or Dutch. Every problem of
    /// the file is reported with its line and column, and then nothing is
    /// written. Organisations are matched by enterprise number: a known one is
    /// updated, a new one added, one missing from the file left as it is.
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

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::Import { file, dry_run } => import_roster(&file, dry_run, ctx),
        Command::List => list(ctx),
        Command::Show { id } => show(&id, ctx),
        Command::SetKey { id, file } => set_key(&id, &file, ctx),
    }
}

fn import_roster(file: &std::path::Path, dry_run: bool, ctx: &Ctx) -> Result<u8> {
    let mut ws = ctx.writer()?;
    let current = ws.store.members()?;
    let plan = import::plan(file, &current)?;
    if !dry_run && (!plan.added.is_empty() || !plan.changed.is_empty()) {
        // The file as it was read and checked, not read again.
        let sha256 = plan.sha256.clone();
        ws.store.transaction(ctx.now, |tx| {
            for o in &plan.added {
                tx.append(&Event::OrganisationAdded { organisation: o.clone() })?;
            }
            for (o, fields) in &plan.changed {
                tx.append(&Event::OrganisationChanged { organisation: o.clone(), changed: fields.clone() })?;
            }
            tx.append(&Event::RosterImported {
                file: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                sha256,
                added: plan.added.len() as u64,
                changed: plan.changed.len() as u64,
                unchanged: plan.unchanged as u64,
            })?;
            Ok(())
        })?;
    }
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
    let ws = ctx.workspace()?;
    let members = ws.store.members()?;
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
            o.email
        );
    }
    say!("{} organisations", members.len());
    Ok(0)
}

fn set_key(id: &str, file: &std::path::Path, ctx: &Ctx) -> Result<u8> {
    let mut ws = ctx.writer()?;
    let members = ws.store.members()?;
    let m = roster::resolve(&members, id)?;
    let key = super::verify::read_public_key(file)?;
    use base64::Engine as _;
    let public_key = base64::engine::general_purpose::STANDARD.encode(key.as_bytes());
    if let Some(other) = members.iter().find(|o| o.public_key.as_deref() == Some(public_key.as_str())) {
        if other.organisation.enterprise_number == m.organisation.enterprise_number {
            say!("{}: this key is already registered; nothing changed", m.organisation.name);
            return Ok(0);
        }
        return Err(Error::usage(format!(
            "this key is already registered for {}: each organisation has its own key",
            other.organisation.name
        )));
    }
    let fingerprint = crate::seal::fingerprint(&key);
    ws.store.transaction(ctx.now, |tx| {
        tx.append(&Event::KeyRegistered {
            enterprise_number: m.organisation.enterprise_number.digits().to_owned(),
            public_key: public_key.clone(),
            fingerprint: fingerprint.clone(),
        })
        .map(|_| ())
    })?;
    say!(
        "{}: key {fingerprint} registered{}",
        m.organisation.name,
        if m.public_key.is_some() { " (it replaces the previous one)" } else { "" }
    );
    Ok(0)
}

fn show(id: &str, ctx: &Ctx) -> Result<u8> {
    let ws = ctx.workspace()?;
    let members = ws.store.members()?;
    let m = roster::resolve(&members, id)?;
    let o = &m.organisation;
    let history = ws.store.entries_about(o.enterprise_number.digits())?;
    let digits = o.enterprise_number.digits();
    let documents: Vec<_> = ws.store.documents()?.into_iter().filter(|d| d.enterprise_number == digits).collect();
    let adherences: Vec<_> = ws.store.adherences()?.into_iter().filter(|a| a.enterprise_number == digits).collect();
    // Returns that waited for the coordinator's confirmation: shown apart,
    // since a waiting one counts for nothing.
    let returns: Vec<_> = ws.store.returns()?.into_iter().filter(|r| r.adherence.enterprise_number == digits).collect();
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
    say!("  email              {}", o.email);
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
        for d in &documents {
            say!("  {}  charter {}  issued {}  {}", d.document_id, d.charter_version, d.issued, d.file);
        }
    }
    if !adherences.is_empty() {
        say!("signatures:");
        for a in &adherences {
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
    for e in &history {
        say!("  #{:<6} {}  {}", e.seq, e.at, e.kind);
    }
    Ok(0)
}
