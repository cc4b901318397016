//! `charte erase SUBJECT --reason TEXT [--json]`: a thin shell over
//! [`crate::app::erase`], which says what is erased and what is not.

use std::collections::BTreeMap;

use super::Ctx;
use crate::error::Result;

/// What erasure does and does not, under `--help`.
const ABOUT: &str = "\
charte keeps the personal data a person may ask to have erased (the email addresses it writes to, and \
later the IP address and browser of a web signature) in a table beside the journal; the journal holds \
only a salted commitment to each value, so erasing the value leaves its hash chain, and `charte audit`, \
intact. `erase` clears every value equal to SUBJECT (an email address, compared ignoring case; an IP \
address) and journals one personal-data-erased entry with the commitments and your reason, never the \
value: do not write the value, nor the person's name, in the reason. A message whose address was erased \
can no longer be sent on (`charte outbox send` names it). What it cannot erase it names: journal entries \
written before charte kept personal data apart (they hold the value in the chain itself), the roster \
file you import (remove the address there too), the .eml files of out/outbox/. Exit 2 when nothing is \
held for SUBJECT (nothing was changed).";

#[derive(Debug, clap::Args)]
#[command(after_long_help = ABOUT)]
pub struct Args {
    /// The value to erase: an email address, an IP address…
    subject: String,
    /// Why (e.g. "demande d'effacement du 2026-03-02"), journaled for
    /// good: without the value itself, nor the person's name.
    #[arg(long, value_name = "TEXT")]
    reason: String,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let erased = ctx.app_writer()?.erase(&args.subject, &args.reason)?;
    if ctx.json {
        let kinds: BTreeMap<&str, u64> = erased.kinds.iter().map(|(k, n)| (k.code(), *n)).collect();
        let roster: Vec<_> =
            erased.roster.iter().map(|(name, field)| serde_json::json!({"name": name, "field": field})).collect();
        super::print_json(&serde_json::json!({
            "erased": erased.count(), "entry": erased.seq, "kinds": kinds,
            "used_by": erased.uses.committed, "in_the_clear": erased.uses.plain,
            "roster": roster, "files": erased.files, "staged_removed": erased.staged,
        }))?;
        return Ok(0);
    }
    let kinds: Vec<String> = erased.kinds.iter().map(|(k, n)| k.counted(*n)).collect();
    say!("erased {} personal value(s) equal to the subject: {}", erased.count(), kinds.join(", "));
    say!("  where they were used: {}", counted(&erased.uses.committed, "journal entry", "journal entries"));
    say!("  journaled as entry {} (personal-data-erased: the commitments and the reason, never the value)", erased.seq);
    say!("  the journal's chain is unchanged: it held only the values' commitments, and `charte audit` still holds");
    if !erased.roster.is_empty() {
        let names: Vec<String> = erased.roster.iter().map(|(name, field)| format!("{name} ({field})")).collect();
        say!(
            "  the roster no longer holds it for {}: remove it from your roster file too, or the next \
             `charte members import` records it again",
            names.join(", ")
        );
    }
    if !erased.files.is_empty() {
        say!(
            "  {} file(s) of out/outbox/ still hold it (never sent on now); delete them if you keep no copy:",
            erased.files.len()
        );
        for f in &erased.files {
            say!("    {f}");
        }
    }
    if erased.staged > 0 {
        say!(
            "  {} roster upload(s) waiting for their confirmation on the desk (out/staging/) were removed, as \
             they may name it: upload the corrected roster again",
            erased.staged
        );
    }
    let clear: u64 = erased.uses.plain.values().sum();
    if clear > 0 {
        say!(
            "  {} still hold it in the clear (written before charte kept personal data beside the journal): \
             the chain cannot be rewritten, so they keep it",
            counted(&erased.uses.plain, "journal entry", "journal entries")
        );
    }
    Ok(0)
}

/// "3 journal entries (2 message-intended, 1 organisation-added)".
fn counted(by_kind: &BTreeMap<String, u64>, one: &str, many: &str) -> String {
    let total: u64 = by_kind.values().sum();
    let parts: Vec<String> = by_kind.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    match total {
        0 => format!("no {one}"),
        1 => format!("1 {one} ({})", parts.join(", ")),
        n => format!("{n} {many} ({})", parts.join(", ")),
    }
}
