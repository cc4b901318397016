//! `charte report approve annual|subsidy --year Y --meeting ID`: records
//! that a body's meeting approved that year's report (DESIGN.md
//! "[funder]"). Who approves is `[funder] approved_by` ("plenary" or
//! "committee"; without it, the plenary). The meeting must be that body's,
//! not cancelled, and held on or before the app's day; the approval binds
//! the report's sealed file (its sha256): a report made again is another
//! file, which needs its own approval. Also where a report stands for the
//! desk: made, approved, ready to go to the funder or not.

use super::App;
use crate::config::ApprovedBy;
use crate::documents::IssuedDocument;
use crate::error::{Error, Result};
use crate::governance::meeting::Meeting;
use crate::journal::Event;
use crate::report::{Approval, Kind};

/// Where a year's report stands.
#[derive(Debug, Clone)]
pub struct State {
    pub kind: Kind,
    pub year: i32,
    /// The report's file as journaled last (its main language), if made.
    pub made: Option<IssuedDocument>,
    /// Every approval recorded for the year's report, oldest first.
    pub approvals: Vec<Approval>,
    /// The approval of the file as it is now, if any.
    pub holds: Option<Approval>,
    /// The body whose meeting approves it.
    pub body: ApprovedBy,
    /// `[funder] email`, where the report goes.
    pub funder_email: Option<String>,
}

impl State {
    /// An approval was given to an earlier file of the report, and none to this one.
    pub fn approval_lapsed(&self) -> bool {
        self.holds.is_none() && !self.approvals.is_empty()
    }
}

/// The body key ("plenary", "committee") of `by`.
pub fn body_key(by: ApprovedBy) -> &'static str {
    match by {
        ApprovedBy::Plenary => "plenary",
        ApprovedBy::Committee => "committee",
    }
}

impl App {
    /// The body whose meeting approves the reports.
    pub fn approving_body(&self) -> ApprovedBy {
        self.ws.config.funder.approved_by.unwrap_or(ApprovedBy::Plenary)
    }

    /// The file a report of `kind` and `year` is written to (its main
    /// language), relative to the workspace, as the journal names it.
    fn report_file(&self, kind: Kind, year: i32) -> String {
        let path = self.ws.out_dir().join("reports").join(format!("{}.pdf", kind.stem(year)));
        path.strip_prefix(&self.ws.root).unwrap_or(&path).to_string_lossy().into_owned()
    }

    /// Where the report of `kind` and `year` stands.
    pub fn report_state(&self, kind: Kind, year: i32) -> Result<State> {
        let file = self.report_file(kind, year);
        let made = self.ws.store.documents()?.into_iter().rev().find(|d| d.kind == kind.document() && d.file == file);
        let approvals = self.ws.store.approvals(kind.document(), year)?;
        let holds =
            made.as_ref().and_then(|m| approvals.iter().rev().find(|a| a.sealed_sha256 == m.sealed_sha256)).cloned();
        Ok(State {
            kind,
            year,
            made,
            approvals,
            holds,
            body: self.approving_body(),
            funder_email: self.ws.config.funder.email.clone(),
        })
    }

    /// The meetings that may approve a report: the approving body's, not
    /// cancelled, held on or before the app's day; the latest first.
    pub fn approving_meetings(&self) -> Result<Vec<Meeting>> {
        let body = body_key(self.approving_body());
        let mut held: Vec<Meeting> = self
            .ws
            .store
            .meetings()?
            .into_iter()
            .filter(|m| m.cancelled.is_none() && m.meeting.body == body && m.meeting.date <= self.today)
            .map(|m| m.meeting)
            .collect();
        held.reverse();
        Ok(held)
    }

    /// Records that `meeting` approved the report of `kind` and `year` as
    /// it is now (its latest file, unchanged on disk). The same approval
    /// again changes nothing.
    pub fn approve_report(&mut self, kind: Kind, year: i32, meeting: &str) -> Result<Approval> {
        super::report::check_year(year)?;
        let by = self.approving_body();
        let body = body_key(by);
        let file = self.report_file(kind, year);
        let path = self.ws.root.join(&file);
        let today = self.today;
        let what = match kind {
            Kind::Annual => "annual report",
            Kind::Subsidy => "subsidy report",
        };
        let approval = self.ws.store.transaction(today, |tx| {
            let Some(record) = tx.meeting(meeting)? else {
                return Err(Error::not_found(format!(
                    "there is no meeting '{meeting}' (charte meeting list shows their ids): nothing was changed"
                )));
            };
            let m = &record.meeting;
            if m.body != body {
                return Err(Error::usage(format!(
                    "the {what} is approved by the {body} (charte.toml: [funder] approved_by), and '{meeting}' is a \
                     meeting of the {}: nothing was changed",
                    m.body
                )));
            }
            if record.cancelled.is_some() {
                return Err(Error::usage(format!("the meeting '{meeting}' was cancelled: nothing was changed")));
            }
            if m.date > today {
                return Err(Error::usage(format!(
                    "the meeting '{meeting}' is on {}, after today ({today}): a report is approved at a meeting \
                     held; nothing was changed",
                    m.date
                )));
            }
            let Some(doc) = tx.document_at(&file)? else {
                return Err(Error::usage(format!(
                    "the {what} {year} has not been made yet (charte report {} --year {year}): nothing was changed",
                    if kind == Kind::Annual { "annual" } else { "subsidy" }
                )));
            };
            if crate::error::holds(&path, &doc.sealed_sha256)? != Some(true) {
                return Err(Error::usage(format!(
                    "{file} is missing or is not the {what} journaled last ({}): make the report again, then \
                     approve it; nothing was changed",
                    doc.document_id
                )));
            }
            // The same approval again is not journaled twice.
            let known = tx.approvals(kind.document(), year)?;
            if let Some(same) = known.into_iter().find(|a| a.meeting == meeting && a.sealed_sha256 == doc.sealed_sha256)
            {
                return Ok(same);
            }
            let seq = tx.append(&Event::ReportApproved {
                report: kind.code().to_owned(),
                year,
                meeting: meeting.to_owned(),
                document_id: doc.document_id.clone(),
                sealed_sha256: doc.sealed_sha256.clone(),
            })?;
            Ok(Approval {
                year,
                meeting: meeting.to_owned(),
                document_id: doc.document_id,
                sealed_sha256: doc.sealed_sha256,
                at: today.to_string(),
                seq,
            })
        })?;
        Ok(approval)
    }
}

/// The figures of a report as made: read back from the file written
/// beside its PDF (annual-Y.csv, subsidy-Y.json), so that the page shows
/// what the report says, not the figures of today.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Annual: (figure, value) of the organisations: members,
    /// declared_not_signed, participants, new_adherences, departures.
    pub organisations: Vec<(String, String)>,
    /// Annual: each body's key, meetings held, required, attendance rate
    /// (a decimal with a comma, as the CSV writes it).
    pub bodies: Vec<BodyFigures>,
    /// Subsidy: the total of each category (staff, running, project), in cents.
    pub envelopes: Vec<(crate::report::expenses::Category, i64)>,
    pub total_cents: Option<i64>,
    pub grant_cents: Option<i64>,
    pub balance_cents: Option<i64>,
    /// Subsidy: made without expenses, on purpose.
    pub no_expenses: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyFigures {
    pub key: String,
    pub held: String,
    pub required_min: String,
    pub attendance_rate: String,
}

impl App {
    /// The figures of the report of `kind` and `year` as made (None when
    /// its companion file is not there).
    pub fn report_figures(&self, kind: Kind, year: i32) -> Result<Option<Figures>> {
        let dir = self.ws.out_dir().join("reports");
        let path = match kind {
            Kind::Annual => dir.join(format!("{}.csv", kind.stem(year))),
            Kind::Subsidy => dir.join(format!("{}.json", kind.stem(year))),
        };
        let Some(bytes) = crate::error::read_at_most(&path, 16 << 20).ok().flatten() else { return Ok(None) };
        let unreadable =
            |e: String| Error::usage(format!("{} does not read: {e}; make the report again", path.display()));
        match kind {
            Kind::Annual => annual_figures(&bytes).map(Some).map_err(unreadable),
            Kind::Subsidy => subsidy_figures(&bytes).map(Some).map_err(unreadable),
        }
    }
}

/// The annual CSV's organisations and bodies (crate::report::export::annual_csv).
fn annual_figures(bytes: &[u8]) -> std::result::Result<Figures, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut figures = Figures::default();
    for row in reader.records() {
        let row = row.map_err(|e| e.to_string())?;
        let (section, key, figure, value) = (&row[1], &row[2], &row[3], &row[4]);
        match section {
            "organisations" => figures.organisations.push((figure.to_owned(), value.to_owned())),
            "bodies" => {
                if figures.bodies.last().is_none_or(|b| b.key != key) {
                    figures.bodies.push(BodyFigures { key: key.to_owned(), ..BodyFigures::default() });
                }
                if let Some(b) = figures.bodies.last_mut() {
                    match figure {
                        "held" => b.held = value.to_owned(),
                        "required_min" => b.required_min = value.to_owned(),
                        "attendance_rate" => b.attendance_rate = value.to_owned(),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(figures)
}

/// The subsidy JSON's totals (crate::report::subsidy::SubsidyReport).
fn subsidy_figures(bytes: &[u8]) -> std::result::Result<Figures, String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let cents = |key: &str| v.get(key).and_then(serde_json::Value::as_i64);
    let envelopes = v
        .get("envelopes_cents")
        .and_then(serde_json::Value::as_object)
        .map(|m| m.iter().filter_map(|(k, c)| Some((k.parse().ok()?, c.as_i64()?))).collect())
        .unwrap_or_default();
    Ok(Figures {
        envelopes,
        total_cents: cents("eligible_total_cents"),
        grant_cents: cents("grant_cents"),
        balance_cents: cents("balance_cents"),
        no_expenses: v.get("no_expenses").and_then(serde_json::Value::as_bool).unwrap_or(false),
        ..Figures::default()
    })
}
