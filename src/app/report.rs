//! The annual evaluation and the funder's subsidy report, as actions: the
//! figures ([`crate::report`]) computed from the journal as of the app's
//! day, rendered in their languages, sealed with the coordination's key
//! (the manifest carries the journal's head, so a funder can ask for proof
//! that the figures come from that journal) and journaled as issued
//! documents. The command line and the workflow's `report` step both make
//! their reports here, so a report is the same file whoever asked for it.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::App;
use crate::config::FunderKind;
use crate::error::{Error, Result};
use crate::flags;
use crate::report::{Kind, annual, export, subsidy};
use crate::roster::Language;

/// The expense lines a subsidy report is made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expenses {
    /// The year's expense and staff lines, in a CSV file.
    File(PathBuf),
    /// None, on purpose: the report says on its page that it has none.
    NoExpenses,
    /// Neither was said: the lines journaled for the year (`charte
    /// expenses import`); refused when there are none, because a report
    /// without expenses is a report of 0,00 €, made only when asked for,
    /// never because a file was forgotten.
    Journaled,
}

/// A sealed annual evaluation and where it was written.
#[derive(Debug)]
pub struct Annual {
    pub report: annual::AnnualReport,
    /// out/reports/annual-Y.csv: the figures for a spreadsheet.
    pub csv: PathBuf,
    /// The sealed PDFs, one per language of the network, the main one first.
    pub pdfs: Vec<PathBuf>,
    /// out/verify.html, written again: the page on which a funder checks them.
    pub page: PathBuf,
}

/// What asking for a subsidy report did.
#[derive(Debug)]
pub enum Subsidy {
    /// The network has no funder (charte.toml: `[funder] kind = "none"`):
    /// there is no report to make, and nothing was written.
    NoFunder,
    /// The report was made and sealed.
    Made(Box<SealedSubsidy>),
}

/// A sealed subsidy report and where it was written.
#[derive(Debug)]
pub struct SealedSubsidy {
    pub report: subsidy::SubsidyReport,
    /// out/reports/subsidy-Y.json: the figures for the funder's scripts.
    pub json: PathBuf,
    /// The sealed PDF, in the network's main language (the funder reads one).
    pub pdfs: Vec<PathBuf>,
    /// out/verify.html, written again: the page on which the funder checks it.
    pub page: PathBuf,
    /// What the coordinator should know: the deadline had already passed
    /// on the report's date (the report says so on its page too).
    pub warnings: Vec<String>,
}

/// The years a report can be about: a typo (`--year 226`) is refused
/// before anything is written.
pub(super) fn check_year(year: i32) -> Result<()> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(Error::usage(format!("--year: {year} is not a plausible year")))
    }
}

impl Kind {
    /// The template that renders it (a workspace's templates/ may replace it).
    fn template(self) -> &'static str {
        match self {
            Kind::Annual => crate::render::ANNUAL_TEMPLATE,
            Kind::Subsidy => crate::render::SUBSIDY_TEMPLATE,
        }
    }
}

/// One report to seal ([`App::seal_report`]).
struct Sealing<'a> {
    kind: Kind,
    year: i32,
    /// The figures, as the template reads them.
    report: serde_json::Value,
    /// The languages to render it in, the network's main one first.
    languages: &'a [Language],
    /// Files written beside the PDFs (the report's CSV or JSON), with them
    /// or not at all; each one's sha256 is in the seal's manifest
    /// ([`COMPANIONS`]), so a file is known to be the one made with the PDF.
    companions: &'a [(PathBuf, Vec<u8>)],
}

impl App {
    /// Makes the annual evaluation of `year` as of the app's day: writes
    /// out/reports/annual-Y.csv and one sealed PDF per language of the
    /// network (every member reads it; the figures stay one), each
    /// journaled as an issued document.
    pub fn annual_report(&mut self, year: i32) -> Result<Annual> {
        check_year(year)?;
        let report = self.annual_figures(year)?;
        let csv = self.ws.out_dir().join("reports").join(format!("{}.csv", Kind::Annual.stem(year)));
        let bytes = export::annual_csv(&report)?;
        let value = serde_json::to_value(&report).map_err(|e| Error::internal(e.to_string()))?;
        let mut languages = self.ws.config.coordination.languages.clone();
        languages.dedup();
        let pdfs = self.seal_report(&Sealing {
            kind: Kind::Annual,
            year,
            report: value,
            languages: &languages,
            companions: &[(csv.clone(), bytes)],
        })?;
        let page = self.write_verify_page()?;
        Ok(Annual { report, csv, pdfs, page })
    }

    /// Makes the funder's report of `year` (COCOM or Walloon Region, per
    /// charte.toml) as of the app's day, with `expenses`: writes
    /// out/reports/subsidy-Y.json and the sealed PDF in the network's main
    /// language, journaled as an issued document. A network without a
    /// funder gets [`Subsidy::NoFunder`]; [`Expenses::Missing`] is refused
    /// before anything is written, as is an expenses file with a bad line
    /// (every problem at once, with line and column).
    pub fn subsidy_report(&mut self, year: i32, expenses: &Expenses) -> Result<Subsidy> {
        check_year(year)?;
        let kind = self.ws.config.funder.kind;
        if kind == FunderKind::None {
            return Ok(Subsidy::NoFunder);
        }
        let lines = match expenses {
            Expenses::File(path) => {
                let table = crate::tabular::read(path, 64 * 1024 * 1024, "an expenses file")?;
                let project_allowed = kind == FunderKind::WalloonRegion;
                Some(
                    crate::report::expenses::parse(&table, year, self.today, project_allowed)
                        .map_err(|problems| Error::Input { file: path.clone(), problems })?,
                )
            }
            Expenses::NoExpenses => None,
            Expenses::Journaled => {
                if self.ws.store.expense_import(year)?.is_none() {
                    return Err(super::expenses::none_journaled(year));
                }
                Some(self.ws.store.expenses(year)?)
            }
        };
        let activity = self.annual_figures(year)?;
        let inputs = subsidy::Inputs { year, issued: self.today, expenses: lines.as_deref(), activity };
        let report = subsidy::compute(&self.ws.config, inputs)
            .ok_or_else(|| Error::internal("a funder without a subsidy report"))?;
        let json = self.ws.out_dir().join("reports").join(format!("{}.json", Kind::Subsidy.stem(year)));
        let text = serde_json::to_string_pretty(&report).map_err(|e| Error::internal(e.to_string()))?;
        let value = serde_json::to_value(&report).map_err(|e| Error::internal(e.to_string()))?;
        // The lines themselves, for the funder's accountant (sent with the
        // report: `charte report send`).
        let expenses_csv = self.ws.out_dir().join("reports").join(expenses_file(year));
        let expense_lines = export::expenses_csv(lines.as_deref().unwrap_or_default())?;
        let main = [self.ws.config.coordination.main_language()];
        let pdfs = self.seal_report(&Sealing {
            kind: Kind::Subsidy,
            year,
            report: value,
            languages: &main,
            companions: &[(json.clone(), text.into_bytes()), (expenses_csv.clone(), expense_lines)],
        })?;
        let warnings =
            report.due.filter(|_| report.due_past).map(|due| past_due(year, due, self.today)).into_iter().collect();
        let page = self.write_verify_page()?;
        Ok(Subsidy::Made(Box::new(SealedSubsidy { report, json, pdfs, page, warnings })))
    }

    /// The annual figures of `year`, as of the app's day: what the annual
    /// evaluation shows and the subsidy report's activity part.
    fn annual_figures(&self, year: i32) -> Result<annual::AnnualReport> {
        let ws = &self.ws;
        let loaded = flags::Loaded::load_for(&ws.store, &ws.config, Some(year))?;
        let departures = ws.store.departures()?;
        // Revoked confirmations too, with the day they stopped counting: a
        // past year's figures stay what they were.
        let signatures = ws.store.adherence_history()?;
        Ok(annual::compute(
            year,
            annual::Inputs {
                config: &ws.config,
                members: &loaded.members,
                meetings: &loaded.meetings,
                attendance: &loaded.attendance,
                history: &ws.config.charter.history,
                signatures: &signatures,
                departures: &departures,
                flags: flags::evaluate(&loaded.facts(&ws.config, self.today, Some(year))),
                today: self.today,
                actions: &ws.store.actions()?,
                statuses: &ws.store.status_entries()?,
                flag_statuses: &ws.store.flag_statuses()?,
            },
        ))
    }

    /// Renders a report in each of its languages, seals each with the
    /// coordination's key, writes out/reports/STEM.pdf and STEM.seal.json
    /// for the first language and STEM.LANG.pdf and STEM.LANG.seal.json for
    /// the others, with the companions, and journals each PDF once (the
    /// same report made again the same day is not journaled twice).
    /// Nothing is written until every language rendered and sealed, and the
    /// companions go in place with the PDFs, under the journal's lock: a
    /// report that fails (or that another run made meanwhile) leaves no
    /// file behind, never a CSV beside another run's PDF. Returns the paths
    /// of the PDFs, the first language's first.
    fn seal_report(&mut self, s: &Sealing<'_>) -> Result<Vec<PathBuf>> {
        // A date the journal would refuse is refused first, whoever opened the App.
        self.ws.check_date(self.today)?;
        let sealer = self.sealer()?;
        let seal_key = sealer.fingerprint();
        let last = self.ws.store.head()?;
        let head = last.hash;
        // The tree of the journal the figures were read from, signed (a
        // checkpoint the report embeds), and the proof that it extends the
        // tree the previous report of this kind embedded.
        let signer = self.signer()?;
        let tree = self.ws.store.verified_tree_head_at(last.seq as u64)?;
        let checkpoint: serde_json::Value = serde_json::from_slice(&signer.head(tree))
            .map_err(|e| Error::internal(format!("the report's checkpoint does not read back: {e}")))?;
        let consistency = self.consistency_since_previous(s.kind.document(), tree)?;
        let engine = App::engine()?;
        let (kind, year, stem) = (s.kind.code(), s.year, s.kind.stem(s.year));
        let companions: serde_json::Map<String, serde_json::Value> = s
            .companions
            .iter()
            .map(|(path, bytes)| {
                use sha2::Digest as _;
                (file_name(path), serde_json::Value::String(hex::encode(sha2::Sha256::digest(bytes))))
            })
            .collect();
        let ws = &self.ws;
        let mut made = Vec::new();
        for (i, &lang) in s.languages.iter().enumerate() {
            let c = &ws.config.coordination;
            let id = format!("{}-{}-{year}-{}", c.short, s.kind.id_words(lang), &head[..8]);
            let body_names: serde_json::Map<String, serde_json::Value> = crate::governance::bodies(&ws.config)
                .into_iter()
                .map(|b| (b.key.clone(), serde_json::Value::String(b.name(lang).to_owned())))
                .collect();
            let data = serde_json::json!({
                "coordination": crate::render::CoordinationData::from_config(c, lang).to_value(),
                "document": {"id": id, "issued": self.today.to_string(), "seal_key": seal_key},
                "journal_head": head,
                "report": s.report,
                "body_names": body_names,
            });
            let pdf = crate::render::document(
                &engine,
                Some(&ws.templates_dir()),
                s.kind.template(),
                lang.code(),
                data,
                self.today,
                &id,
            )
            .map_err(|e| Error::usage(format!("rendering the {kind} report ({}): {e}", lang.code())))?;
            let manifest = crate::seal::Manifest::new(&id, kind, c.name(lang), self.today)
                .extra("journal_head", serde_json::Value::String(head.clone()))
                .extra("year", serde_json::json!(year))
                .extra("language", serde_json::json!(lang.code()))
                .extra(COMPANIONS, serde_json::Value::Object(companions.clone()))
                .extra(crate::journal::checkpoint::FIELD, checkpoint.clone());
            let manifest = match &consistency {
                Some(c) => manifest.extra(CONSISTENCY, c.clone()),
                None => manifest,
            };
            let sealed = sealer.seal(&pdf, &manifest).map_err(|e| Error::internal(format!("sealing {id}: {e}")))?;
            // The main language keeps the plain name scripts and workflows know.
            let name = if i == 0 { format!("{stem}.pdf") } else { format!("{stem}.{}.pdf", lang.code()) };
            let path = ws.out_dir().join("reports").join(name);
            let file = path.strip_prefix(&ws.root).unwrap_or(&path).to_string_lossy().into_owned();
            let document = crate::documents::IssuedDocument {
                document_id: id.clone(),
                kind: s.kind.document(),
                enterprise_number: String::new(),
                charter_version: ws.config.charter.version.clone(),
                inputs_sha256: String::new(),
                sha256: sealed.manifest.sha256.clone(),
                sealed_sha256: sealed.sealed_sha256(),
                length: sealed.pdf.len() as i64,
                file,
                issued: self.today,
                seq: 0,
            };
            made.push((path, sealed, document));
        }
        ws.out_folder("reports")?;
        let mut companions = Vec::with_capacity(s.companions.len());
        for (path, bytes) in s.companions {
            companions.push((crate::error::stage(path, bytes)?, path.clone()));
        }
        // Each PDF and its seal are staged in a temporary file of this
        // run's own; under the journal's write lock the report is journaled
        // and renamed into place in one step, so the file always holds the
        // document journaled last for it, whoever else makes a report.
        let mut staged = Vec::with_capacity(made.len());
        for (path, sealed, document) in made {
            staged.push((sealed.stage(&path)?, path, document));
        }
        let today = self.today;
        let checkpoints = ws.out_folder("checkpoints")?;
        let (paths, pending) = self.ws.store.transaction(today, |tx| {
            let mut to_place = Vec::with_capacity(staged.len());
            let mut journaled = false;
            for (files, path, document) in staged {
                match tx.document(&document.document_id)? {
                    // The same report made again before anything else was
                    // journaled: not journaled twice.
                    Some(known) if known.sealed_sha256 == document.sealed_sha256 => {}
                    Some(known) => {
                        return Err(Error::temporary(format!(
                            "another charte command made this report ({}) meanwhile, on {}; nothing was changed by \
                             this one: run it again",
                            known.document_id, known.issued
                        )));
                    }
                    None => {
                        tx.append(&crate::journal::Event::DocumentIssued { document: document.clone() })?;
                        journaled = true;
                    }
                }
                to_place.push((files, path, document));
            }
            // Put in place last, once everything is journaled (only a
            // failed commit can then leave a file the journal lacks), and
            // only where this report is the one journaled last for its
            // file: a report another run journaled after it is kept.
            let mut paths = Vec::with_capacity(to_place.len());
            let mut main_is_ours = false;
            for (files, path, document) in to_place {
                let latest = tx.document_at(&document.file)?;
                let ours = latest.is_none_or(|l| l.document_id == document.document_id);
                if ours && !files.in_place(&path)? {
                    files.replace(&path)?;
                }
                main_is_ours |= paths.is_empty() && ours;
                paths.push(path);
            }
            // The companions go with the main PDF: beside another run's
            // report they would not be the ones its seal names.
            if main_is_ours {
                for (staged, path) in companions {
                    staged.replace(&path)?;
                }
            }
            // A checkpoint after the report's own entries, so that they
            // too are covered by a signed tree head.
            let pending = if journaled { Some(signer.sign(tx)?) } else { None };
            Ok((paths, pending))
        })?;
        if let Some(pending) = pending {
            pending.place(&checkpoints)?;
        }
        Ok(paths)
    }

    /// The consistency proof from the tree the previous report of `kind`
    /// embeds (the latest journaled) to `tree`; none when there is no such
    /// report, or it predates checkpoints. Refused when that report's file
    /// is missing or changed (put it back), and when this journal does not
    /// extend its tree (the history it vouched for was rewritten).
    fn consistency_since_previous(
        &self,
        kind: crate::documents::DocumentKind,
        tree: crate::journal::store::TreeHead,
    ) -> Result<Option<serde_json::Value>> {
        let documents = self.ws.store.documents()?;
        // The latest report of this kind: the one whose history the new
        // one must be shown to extend. Never an older one in its place (a
        // report missing or replaced would let a history forked after it
        // chain from before the fork).
        let Some(doc) = documents.iter().rev().find(|d| d.kind == kind) else {
            return Ok(None);
        };
        let path = self.ws.root.join(&doc.file);
        let missing = || {
            Error::usage(format!(
                "the previous report of this kind, {} ({}), is missing or was changed, and so is its seal beside it: \
                 put one of them back (from a backup: charte restore), so that the new report can prove that its \
                 history extends the one behind it; nothing was made",
                doc.document_id, doc.file
            ))
        };
        // The PDF as journaled, or else its detached seal (the same seal:
        // the manifest names the document and the hash of its rendered
        // bytes, as the journal recorded them).
        let manifest = if crate::error::holds(&path, &doc.sealed_sha256)? == Some(true) {
            let bytes = crate::error::read_bounded(&path, crate::error::MAX_DOCUMENT_BYTES, "a report")?;
            crate::seal::read_manifest(&bytes).map_err(|_| missing())?
        } else {
            let seal = path.with_extension("seal.json");
            let bytes = crate::error::read_at_most(&seal, 1 << 20).ok().flatten().ok_or_else(missing)?;
            let manifest = crate::seal::read_manifest(&bytes).map_err(|_| missing())?;
            if manifest.document_id != doc.document_id || manifest.sha256 != doc.sha256 {
                return Err(missing());
            }
            manifest
        };
        // A report made before charte signed its tree heads: no proof.
        let Some(value) = manifest.extra.get(crate::journal::checkpoint::FIELD) else {
            return Ok(None);
        };
        let previous = crate::journal::checkpoint::from_value(value)
            .map_err(|e| Error::CheckFailed(format!("the previous report {}: {e}", doc.document_id)))?;
        let old = previous.head();
        if old.size > tree.size || self.ws.store.tree_head_at(old.size)?.root != old.root {
            return Err(Error::CheckFailed(format!(
                "the previous report {} vouched for the journal's first {} entries, and this journal does not begin \
                 with them any more: nothing was made; run `charte audit`",
                doc.document_id, old.size
            )));
        }
        let proof = self.ws.store.consistency_proof(old.size, tree.size)?;
        Ok(Some(serde_json::json!({
            "from": {"document_id": doc.document_id, "tree_size": old.size, "root": hex::encode(old.root)},
            "proof": proof.iter().map(hex::encode).collect::<Vec<_>>(),
        })))
    }
}

/// The expense lines a subsidy report of `year` was made with, beside it
/// in out/reports/.
pub fn expenses_file(year: i32) -> String {
    format!("{}.expenses.csv", Kind::Subsidy.stem(year))
}

/// The manifest's `extra` key of a report's consistency proof.
pub const CONSISTENCY: &str = "consistency";

/// The manifest's `extra` key of the files made with a report (its CSV or
/// JSON beside it in out/reports/): each file's name and the sha256 of its
/// bytes, so `charte report send` mails only the expense lines the sealed
/// figures were made from.
pub const COMPANIONS: &str = "companions";

/// A path's file name.
pub(super) fn file_name(path: &std::path::Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The warning of a subsidy report made after its deadline.
fn past_due(year: i32, due: NaiveDate, today: NaiveDate) -> String {
    format!(
        "the subsidy report {year} was due by {due}: that day is already past on {today} (the report's date); the \
         report says so"
    )
}
