//! `charte links list [--json]` and `charte links reopen ID`: the
//! organisations' signing links (crate::app::links); this lists and says
//! them. A token is never shown: charte knows only its hash.

use serde_json::json;

use super::Ctx;
use crate::error::Result;

#[derive(Debug, clap::Subcommand)]
#[command(after_help = "\
A signing link goes with each adherence mail and reminder when charte.toml's [serve] public_url is \
set. It opens the organisation's signing page until its last day, until a signature is made through \
it, or until a new charter version is adopted; 5 wrong codes lock it until you reopen it.")]
pub enum Command {
    /// Every signing link: organisation, document, minted, last day,
    /// state, wrong codes (never the link itself).
    List,
    /// A link locked after 5 wrong codes opens again (journaled).
    Reopen {
        /// The link's number, as `charte links list` shows it.
        id: i64,
    },
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    match cmd {
        Command::List => list(ctx),
        Command::Reopen { id } => {
            let r = ctx.app_writer()?.links_reopen(id)?;
            let l = &r.listed;
            say!(
                "reopened #{id}: the signing link of {} ({}) for {} opens again, wrong codes counted from 0",
                l.name,
                l.enterprise_number,
                l.link.document_id
            );
            if r.expired {
                say!(
                    "note: its last day was {}: it opens nothing any more; the next reminder brings a new link",
                    l.link.valid_until
                );
            }
            Ok(0)
        }
    }
}

fn list(ctx: &Ctx) -> Result<u8> {
    let links = ctx.app()?.links()?;
    if ctx.json {
        let out: Vec<_> = links
            .iter()
            .map(|l| {
                json!({
                    "id": l.link.id,
                    "enterprise_number": l.enterprise_number,
                    "name": l.name,
                    "document_id": l.link.document_id,
                    "charter_version": l.link.charter_version,
                    "minted": l.link.minted,
                    "valid_until": l.link.valid_until,
                    "state": l.state,
                    "wrong_codes": l.link.wrong_codes,
                    "codes_sent": l.link.codes_sent,
                })
            })
            .collect();
        super::print_json(&out)?;
        return Ok(0);
    }
    if links.is_empty() {
        say!("No signing link yet: mails carry one when charte.toml's [serve] public_url is set.");
        return Ok(0);
    }
    say!(
        "{:<6} {:<11} {:<12} {:<11} {:<3} {:<28} document",
        "id",
        "state",
        "minted",
        "valid until",
        "wc",
        "organisation"
    );
    for l in &links {
        say!(
            "#{:<5} {:<11} {:<12} {:<11} {:<3} {:<28} {}",
            l.link.id,
            l.state,
            l.link.minted.to_string(),
            l.link.valid_until.to_string(),
            l.link.wrong_codes,
            format!("{} ({})", l.name, l.enterprise_number),
            l.link.document_id
        );
    }
    say!("(wc: wrong codes; a locked link opens again with `charte links reopen ID`)");
    Ok(0)
}
