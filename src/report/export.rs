//! The reports' figures as files a coordinator opens in a spreadsheet:
//! CSV that a Belgian spreadsheet reads as it is, and never executes.

use super::annual::AnnualReport;
use crate::error::{Error, Result};

/// The annual figures, one figure per line (year, section, key, figure,
/// value), as the CSV a Belgian spreadsheet opens as it is:
/// UTF-8 with a BOM, `;` between fields, decimals with a comma, every text
/// quoted where needed and a leading = + - @ neutralised (a working
/// group's key or a sector is the coordinator's text, never a formula).
pub fn annual_csv(report: &AnnualReport) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::from("\u{feff}".as_bytes()));
    let mut rows: Vec<[String; 5]> = vec![["year", "section", "key", "figure", "value"].map(str::to_owned)];
    let mut line = |section: &str, key: &str, figure: &str, value: String| {
        rows.push([report.year.to_string(), section.to_owned(), spreadsheet_text(key), figure.to_owned(), value]);
    };
    let decimal = |x: f64| format!("{x:.3}").replace('.', ",");
    let o = &report.organisations;
    line("organisations", "all", "members", o.members.to_string());
    line("organisations", "all", "declared_not_signed", o.declared_not_signed.to_string());
    line("organisations", "all", "participants", o.participants.to_string());
    line("organisations", "all", "new_adherences", o.new_adherences.to_string());
    line("organisations", "all", "departures", o.departures.to_string());
    for (sector, n) in &o.sectors {
        line("sectors", sector, "organisations", n.to_string());
    }
    for (key, b) in &report.bodies {
        line("bodies", key, "held", b.held.to_string());
        line("bodies", key, "required_min", b.required_min.to_string());
        line("bodies", key, "present", b.present.to_string());
        line("bodies", key, "excused", b.excused.to_string());
        line("bodies", key, "absent", b.absent.to_string());
        line("bodies", key, "attendance_rate", b.attendance_rate.map_or(String::new(), decimal));
    }
    line("flags", "all", "count", report.flags.len().to_string());
    for (status, n) in &report.flags_by_status {
        line("flags", status, "count", n.to_string());
    }
    for o in &report.attendance_by_organisation {
        let key = &o.enterprise_number;
        line("attendance", key, "present", o.present.to_string());
        line("attendance", key, "excused", o.excused.to_string());
        line("attendance", key, "absent", o.absent.to_string());
        line("attendance", key, "attendance_rate", decimal(o.attendance_rate));
    }
    let e = &report.events;
    line("events", "all", "count", e.count.to_string());
    line("events", "all", "participants", e.participants.to_string());
    for (kind, k) in &e.by_kind {
        line("events", kind, "count", k.count.to_string());
        line("events", kind, "participants", k.participants.to_string());
    }
    for m in &report.membership {
        line("membership", &m.month, "members", m.members.to_string());
    }
    for row in &rows {
        w.write_record(row).map_err(|e| Error::internal(format!("writing the CSV: {e}")))?;
    }
    w.into_inner().map_err(|e| Error::internal(format!("writing the CSV: {e}")))
}

/// The expense and staff lines a subsidy report was made with, as the
/// funder's accountant opens them (`subsidy-Y.expenses.csv`, sent with the
/// report): the columns `charte expenses import` reads (date, category,
/// description, amount, document, person, fte), amounts with a decimal
/// comma, in the CSV shape of [`annual_csv`]. No lines (a report made
/// without expenses): the header alone.
pub fn expenses_csv(lines: &[super::expenses::Expense]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::from("\u{feff}".as_bytes()));
    let fail = |e: csv::Error| Error::internal(format!("writing the expenses CSV: {e}"));
    w.write_record(["date", "category", "description", "amount", "document", "person", "fte"]).map_err(fail)?;
    for e in lines {
        let amount =
            format!("{}{},{:02}", if e.cents < 0 { "-" } else { "" }, e.cents.abs() / 100, e.cents.abs() % 100);
        w.write_record([
            e.date.to_string(),
            e.category.code().to_owned(),
            spreadsheet_text(&e.description),
            amount,
            spreadsheet_text(&e.document),
            e.person.as_deref().map(spreadsheet_text).unwrap_or_default(),
            e.fte.map(|f| f.to_string().replace('.', ",")).unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    w.into_inner().map_err(|e| Error::internal(format!("writing the expenses CSV: {e}")))
}

/// Text a spreadsheet shows as text: a leading = + - @ (or a tab or
/// carriage return, which some spreadsheets skip) would make it a formula.
pub fn spreadsheet_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

/// A CSV field that a spreadsheet will neither split nor execute: quoted,
/// and a leading = + - @ neutralised with an apostrophe.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_stays_text() {
        assert_eq!(spreadsheet_text("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(spreadsheet_text("\tx"), "'\tx");
        assert_eq!(spreadsheet_text("santé"), "santé");
        assert_eq!(csv_field("@cmd"), "\"'@cmd\"");
        assert_eq!(csv_field("say \"hi\", then"), "\"say \"\"hi\"\", then\"");
    }
}
