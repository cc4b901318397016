//! The verification page out/verify.html (src/verify_page.rs), written
//! beside every report with what the workspace trusts today: its keys and
//! its members' registered keys.

use super::App;
use crate::Result;
use crate::error::{Error, stage_with_mode};
use crate::seal;
use crate::verify_page::{Assets, Held, HeldKey, MemberKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use std::path::PathBuf;

/// The page's file name in out/.
pub const FILE: &str = "verify.html";

impl App {
    /// What the verification page holds: the coordination's keys (the
    /// current one first, then each former one with the day it retired,
    /// as the journal's chain of keys gives them) and the register of the
    /// members' keys.
    pub fn verify_page_held(&self) -> Result<Held> {
        let (current, chain) = super::keys::trusted_chain(&self.ws)?;
        let key = |k: &ed25519_dalek::VerifyingKey, retired: Option<String>| HeldKey {
            public_key: BASE64.encode(k.as_bytes()),
            fingerprint: seal::fingerprint(k),
            retired,
        };
        let mut keys = vec![key(&current, None)];
        if let Some(chain) = chain {
            for link in chain.links().iter().rev() {
                keys.push(key(&link.previous, Some(link.date.format("%Y-%m-%d").to_string())));
            }
        }
        let members = self
            .ws
            .store
            .members()?
            .into_iter()
            .filter_map(|m| {
                Some(MemberKey {
                    public_key: m.public_key?,
                    organisation: m.organisation.name,
                    enterprise_number: m.organisation.enterprise_number.to_string(),
                })
            })
            .collect();
        let c = &self.ws.config.coordination;
        Ok(Held {
            language: c.main_language(),
            name_fr: c.name_fr.clone(),
            name_nl: c.name_nl.clone(),
            keys,
            members,
            written: self.today,
        })
    }

    /// Writes out/verify.html (replacing the one before: the page is made
    /// again from the workspace each time) and returns its path.
    pub fn write_verify_page(&self) -> Result<PathBuf> {
        let held = self.verify_page_held()?;
        let html = crate::verify_page::page(&held, Assets::Inline)?;
        let path = self.ws.out_dir().join(FILE);
        // Readable by all (0644): the page is made to be handed out.
        stage_with_mode(&path, html.as_bytes(), 0o644).and_then(|staged| staged.replace(&path)).map_err(|e| {
            Error::internal(format!("the report was made, but the verification page could not be written: {e}"))
        })?;
        Ok(path)
    }
}
