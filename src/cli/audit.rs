//! `charte audit`: says whether [`App::audit`](crate::app::App::audit)
//! found the journal's chain intact and the tables derived from it as the
//! journal gives them; exit 1 naming the first broken entry or the first
//! difference.

use super::Ctx;
use crate::error::{Error, Result};
use crate::journal::store::{Audit, Mismatch};

pub fn run(ctx: &Ctx) -> Result<u8> {
    match ctx.app()?.audit()? {
        Audit::Intact { entries, head, tables, personal } => {
            if ctx.json {
                super::print_json(&serde_json::json!({
                    "intact": true, "entries": entries, "head": head, "tables": tables,
                    "personal": {"held": personal.held, "erased": personal.erased},
                }))?;
            } else {
                say!("journal intact: {entries} entries, head {head}");
                say!("derived tables intact: {tables} tables as the journal gives them");
                say!(
                    "personal data intact: {} value(s) held, each matching its commitment; {} erased, each recorded in the journal",
                    personal.held,
                    personal.erased
                );
            }
            Ok(0)
        }
        Audit::Personal(fault) => {
            if ctx.json {
                super::print_json(&serde_json::json!({"intact": false, "personal": fault.to_string()}))?;
            }
            Err(Error::CheckFailed(format!(
                "{fault}; restore charte.db from a backup (the journal itself and the tables derived from it are intact)"
            )))
        }
        Audit::Broken(b) => {
            if ctx.json {
                super::print_json(&serde_json::json!({"intact": false, "broken_at": b.seq, "reason": b.reason}))?;
            }
            Err(Error::CheckFailed(format!("journal broken at entry {}: {}", b.seq, b.reason)))
        }
        Audit::Differs(d) => {
            if ctx.json {
                let (difference, column, stored, journal) = match &d.what {
                    Mismatch::Column { column, stored, journal } => {
                        ("column", Some(column), stored.clone(), journal.clone())
                    }
                    Mismatch::Extra => ("extra-row", None, None, None),
                    Mismatch::Missing => ("missing-row", None, None, None),
                };
                super::print_json(&serde_json::json!({
                    "intact": false, "table": d.table, "key": d.key, "difference": difference,
                    "column": column, "stored": stored, "journal": journal, "reason": d.to_string(),
                }))?;
            }
            Err(Error::CheckFailed(format!(
                "{d}: the database was changed outside charte; restore it from a backup (the journal itself is intact)"
            )))
        }
    }
}
