//! Adherence documents: one per organisation per charter version, rendered
//! from the charter of the organisation's language and sealed. This module
//! decides what to issue: the document id, the file name, and whether the
//! inputs changed since the last document (unchanged inputs are not
//! rendered again: the document id and hash stay the same).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::documents::IssuedDocument;
use crate::error::{Error, Result};
use crate::render::{AdherenceData, CharterData, CoordinationData, DocumentData, OrganisationData, adherence_strings};
use crate::roster::{Language, Member, fold};

/// One document to render and seal.
#[derive(Debug, Clone)]
pub struct Job {
    pub member: Member,
    pub document_id: String,
    /// Relative to the workspace, e.g.
    /// `out/adherence/0437843647-asbl-le-pont-2022-02.pdf`: the enterprise
    /// number makes it unique, the name makes it readable.
    pub file: PathBuf,
    pub inputs_sha256: String,
    /// A document already issued whose file is missing or was altered: it
    /// is made again, byte for byte, from the journal's record (its date,
    /// and the sha256 it must have).
    pub restore: Option<(NaiveDate, String)>,
}

/// What `charte issue` will do.
#[derive(Debug)]
pub struct Plan {
    pub jobs: Vec<Job>,
    /// Organisations whose current document is up to date (and on disk).
    pub unchanged: usize,
    /// Builds each job's data when it is rendered (holding 10,000 documents'
    /// data at once would cost hundreds of megabytes).
    pub data: DataBuilder,
}

/// The parts every document shares (charter text, strings), and how one
/// organisation's data is made from them.
#[derive(Debug)]
pub struct DataBuilder {
    config: Config,
    charters: HashMap<Language, serde_json::Value>,
    strings: HashMap<Language, serde_json::Value>,
    /// Fingerprint of the key that seals this run's documents.
    seal_key: Option<String>,
}

impl DataBuilder {
    /// The template's data (`/data.json`) for `member`.
    pub fn data(&self, member: &Member, document_id: &str, issued: NaiveDate) -> serde_json::Value {
        self.data_with(member, document_id, issued, self.seal_key.clone())
    }

    /// The template's data for `member`, its page naming the key
    /// `seal_key` (a former key, for a document made again as it was).
    pub fn data_sealed_by(
        &self,
        member: &Member,
        document_id: &str,
        issued: NaiveDate,
        seal_key: &str,
    ) -> serde_json::Value {
        self.data_with(member, document_id, issued, Some(seal_key.to_owned()))
    }

    fn data_with(
        &self,
        member: &Member,
        document_id: &str,
        issued: NaiveDate,
        seal_key: Option<String>,
    ) -> serde_json::Value {
        let lang = member.organisation.language;
        let charter = CharterData {
            version: self.config.charter.version.clone(),
            adopted: Some(self.config.charter.adopted),
            blocks: self.charters.get(&lang).cloned().unwrap_or_default(),
            commitments: None,
        };
        AdherenceData {
            lang: lang.code().to_owned(),
            strings: self.strings.get(&lang).cloned().unwrap_or_default(),
            coordination: CoordinationData::from_config(&self.config.coordination, lang),
            organisation: organisation(member),
            charter,
            document: DocumentData { id: document_id.to_owned(), issued, seal_key },
        }
        .to_value()
    }

    /// The data without what does not change the document's text (the
    /// seal key's fingerprint: a document unchanged since an earlier key
    /// keeps that key's seal, and its page names that key).
    fn inputs(&self, member: &Member) -> serde_json::Value {
        let mut value = self.data(member, "", NaiveDate::MIN);
        value["document"]["seal_key"] = serde_json::Value::Null;
        value
    }
}

/// A file-name slug: lowercase ASCII letters and digits joined by `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_alphanumeric()) {
        let w = fold(word);
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
        if out.len() >= 60 {
            break;
        }
    }
    if out.is_empty() { "organisation".to_owned() } else { out }
}

/// The charter text of each language the selected organisations read, as
/// the template's blocks. Refused before anything is done: a language
/// without its charter/<lang>.md (naming the organisations that read it),
/// or a text still the placeholder `charte init` wrote.
fn charters(dir: &Path, members: &[&Member]) -> Result<HashMap<Language, serde_json::Value>> {
    let mut readers: Vec<(Language, Vec<&str>)> = Vec::new();
    for m in members {
        let lang = m.organisation.language;
        match readers.iter_mut().find(|(l, _)| *l == lang) {
            Some((_, names)) => names.push(&m.organisation.name),
            None => readers.push((lang, vec![&m.organisation.name])),
        }
    }
    let mut out = HashMap::new();
    let mut problems = Vec::new();
    for (lang, names) in &readers {
        let path = dir.join(format!("{}.md", lang.code()));
        let who = match names.len() {
            1 => names[0].to_owned(),
            n => format!("{n} organisations ({}{})", names[..n.min(3)].join(", "), if n > 3 { ", …" } else { "" }),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) if crate::workspace::is_placeholder_charter(&text) => problems.push(format!(
                "{} is still the example text `charte init` wrote: write the network's own charter there first",
                path.display()
            )),
            Ok(text) if text.trim().is_empty() => problems.push(format!("{} is empty", path.display())),
            Ok(text) => {
                out.insert(*lang, crate::render::markdown_blocks(&text));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => problems.push(format!(
                "{} is missing: {who} {} {} and the charter has no text in that language",
                path.display(),
                if names.len() == 1 { "reads" } else { "read" },
                match lang {
                    Language::Fr => "French",
                    Language::Nl => "Dutch",
                }
            )),
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Usage(format!("nothing was issued: {}", problems.join("; "))));
    }
    Ok(out)
}

/// Plans the documents of `selected` against the documents already issued.
pub fn plan(
    config: &Config,
    workspace: &Path,
    selected: &[&Member],
    issued: &[IssuedDocument],
    template: &str,
) -> Result<Plan> {
    let version = &config.charter.version;
    let templates_dir = workspace.join("templates");
    let mut strings = HashMap::new();
    for m in selected {
        let lang = m.organisation.language;
        if let std::collections::hash_map::Entry::Vacant(e) = strings.entry(lang) {
            e.insert(
                adherence_strings(Some(&templates_dir), lang.code())
                    .map_err(|e| Error::usage(format!("adherence template strings ({}): {e}", lang.code())))?,
            );
        }
    }
    // The key `charte issue` seals with (keys/coordination.key): its
    // fingerprint is printed on the page. No key yet: issue refuses anyway.
    let seal_key = crate::seal::load_signing_key(&workspace.join("keys").join("coordination.key"))
        .ok()
        .map(|key| crate::seal::fingerprint(&key.verifying_key()));
    let data = DataBuilder {
        config: config.clone(),
        charters: charters(&workspace.join("charter"), selected)?,
        strings,
        seal_key,
    };
    let mut by_org: HashMap<&str, Vec<&IssuedDocument>> = HashMap::new();
    for d in issued.iter().filter(|d| &d.charter_version == version) {
        by_org.entry(d.enterprise_number.as_str()).or_default().push(d);
    }
    let mut jobs = Vec::new();
    let mut unchanged = 0;
    for m in selected {
        let o = &m.organisation;
        // What the document says, apart from its id and date.
        let mut h = Sha256::new();
        h.update(template.as_bytes());
        h.update(serde_json::to_vec(&data.inputs(m)).unwrap_or_default());
        let inputs_sha256 = hex::encode(h.finalize());
        let previous = by_org.get(o.enterprise_number.digits()).map_or(&[][..], Vec::as_slice);
        if let Some(last) = previous.last().filter(|d| d.inputs_sha256 == inputs_sha256) {
            // Up to date in the journal; on disk too, unless its file was
            // deleted or altered since: then it is made again as it was.
            if on_disk_as_journaled(&workspace.join(&last.file), &last.sealed_sha256) {
                unchanged += 1;
            } else {
                jobs.push(Job {
                    member: (*m).clone(),
                    document_id: last.document_id.clone(),
                    file: PathBuf::from(&last.file),
                    inputs_sha256,
                    restore: Some((last.issued, last.sealed_sha256.clone())),
                });
            }
            continue;
        }
        let short = &config.coordination.short;
        let digits = o.enterprise_number.digits();
        let base_id = format!("{short}-{version}-{digits}");
        // The enterprise number makes the name unique whatever the
        // organisations are called; the slug makes it readable.
        let base_file = format!("{digits}-{}", slug(&o.name));
        let (document_id, file) = match previous.len() {
            0 => (base_id, format!("{base_file}-{version}.pdf")),
            n => (format!("{base_id}-r{}", n + 1), format!("{base_file}-{version}-r{}.pdf", n + 1)),
        };
        jobs.push(Job {
            member: (*m).clone(),
            document_id,
            file: Path::new("out").join("adherence").join(file),
            inputs_sha256,
            restore: None,
        });
    }
    Ok(Plan { jobs, unchanged, data })
}

/// Whether the file holds exactly the bytes the journal recorded.
fn on_disk_as_journaled(path: &Path, sealed_sha256: &str) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => {
            std::fs::read(path).is_ok_and(|bytes| hex::encode(Sha256::digest(&bytes)) == sealed_sha256)
        }
        _ => false,
    }
}

fn organisation(m: &Member) -> OrganisationData {
    let o = &m.organisation;
    OrganisationData {
        of_name: crate::render::of(&o.name, o.language),
        name: o.name.clone(),
        enterprise_number: o.enterprise_number.formatted(),
        address: o.address.clone(),
        sectors: o.sectors.clone(),
        representative: o.representative.clone(),
        // None once erased (charte erase).
        email: Some(o.email.clone()).filter(|e| !e.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("Asbl \"L'Étoile\" #1 *test*"), "asbl-l-etoile-1-test");
        assert_eq!(slug("Œuvre des crèches"), "oeuvre-des-creches");
        assert_eq!(slug("#read(\"/etc/passwd\")"), "read-etc-passwd");
        assert_eq!(slug("***"), "organisation");
    }
}
