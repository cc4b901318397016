//! `charte audit`

use super::Ctx;
use crate::error::{Error, Result};
use crate::journal::store::Audit;

pub fn run(ctx: &Ctx) -> Result<u8> {
    let ws = ctx.workspace()?;
    match ws.store.audit()? {
        Audit::Intact { entries, head } => {
            if ctx.json {
                super::print_json(&serde_json::json!({"intact": true, "entries": entries, "head": head}))?;
            } else {
                say!("journal intact: {entries} entries, head {head}");
            }
            Ok(0)
        }
        Audit::Broken(b) => {
            if ctx.json {
                super::print_json(&serde_json::json!({"intact": false, "broken_at": b.seq, "reason": b.reason}))?;
            }
            Err(Error::CheckFailed(format!("journal broken at entry {}: {}", b.seq, b.reason)))
        }
    }
}
