//! `charte audit`: says whether [`App::audit`](crate::app::App::audit)
//! found the journal's chain intact; exit 1 naming the first broken entry.

use super::Ctx;
use crate::error::{Error, Result};
use crate::journal::store::Audit;

pub fn run(ctx: &Ctx) -> Result<u8> {
    match ctx.app()?.audit()? {
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
