//! The funder's subsidy report, one shape per funder in charte.toml:
//!
//! - COCOM (Brussels coordinations, art. 62 of the CPAS organic law): the
//!   subsidised period, the grant, eligible costs (staff: person, FTE,
//!   cost; running costs with their supporting documents), and the two 50%
//!   tranches: the first against a claim and the project by 30 June, the
//!   second against the activity report, a claim and the supporting
//!   documents.
//! - Walloon Region (relais sociaux): staff, running and project envelopes,
//!   the recap statement, the sworn statement and each subsidised worker's
//!   individual account, due by 1 March of the following year.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::annual::AnnualReport;
use super::expenses::{Category, Expense};
use crate::config::{Config, FunderKind};

#[derive(Debug, Clone, Serialize)]
pub struct StaffAccount {
    pub person: String,
    /// Average full-time equivalent over the lines of the year.
    pub fte: f64,
    pub months: usize,
    pub cost: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CostLine {
    pub date: NaiveDate,
    pub category: Category,
    pub description: String,
    pub amount: f64,
    pub document: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tranche {
    pub number: u8,
    pub share: f64,
    pub amount: Option<f64>,
    pub due: Option<NaiveDate>,
    pub requires: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubsidyReport {
    pub year: i32,
    pub funder: &'static str,
    pub programme: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub grant: Option<f64>,
    /// Totals per category (staff, running, project).
    pub envelopes: BTreeMap<Category, f64>,
    pub eligible_total: f64,
    /// Grant minus eligible costs (negative: costs exceed the grant).
    pub balance: Option<f64>,
    pub staff: Vec<StaffAccount>,
    pub costs: Vec<CostLine>,
    pub tranches: Vec<Tranche>,
    /// Walloon Region: the statements that go with the report.
    pub statements: Vec<&'static str>,
    pub due: Option<NaiveDate>,
    pub activity: AnnualReport,
}

fn euros(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// None when the network has no funder.
pub fn compute(config: &Config, year: i32, expenses: &[Expense], activity: AnnualReport) -> Option<SubsidyReport> {
    let funder = match config.funder.kind {
        FunderKind::Cocom => "cocom",
        FunderKind::WalloonRegion => "walloon-region",
        FunderKind::None => return None,
    };
    let mut totals: BTreeMap<Category, i64> = BTreeMap::new();
    for e in expenses {
        *totals.entry(e.category).or_default() += e.cents;
    }
    let total: i64 = totals.values().sum();
    let mut staff: BTreeMap<&str, (f64, usize, i64)> = BTreeMap::new();
    for e in expenses.iter().filter(|e| e.category == Category::Staff) {
        let s = staff.entry(e.person.as_deref().unwrap_or("?")).or_default();
        s.0 += e.fte.unwrap_or(0.0);
        s.1 += 1;
        s.2 += e.cents;
    }
    let staff = staff
        .into_iter()
        .map(|(person, (fte, months, cents))| StaffAccount {
            person: person.to_owned(),
            fte: (fte / months.max(1) as f64 * 100.0).round() / 100.0,
            months,
            cost: euros(cents),
        })
        .collect();
    let costs = expenses
        .iter()
        .filter(|e| e.category != Category::Staff)
        .map(|e| CostLine {
            date: e.date,
            category: e.category,
            description: e.description.clone(),
            amount: euros(e.cents),
            document: e.document.clone(),
        })
        .collect();
    let grant = config.funder.grant;
    let (tranches, statements, due) = match config.funder.kind {
        FunderKind::Cocom => (
            vec![
                Tranche {
                    number: 1,
                    share: 0.5,
                    amount: grant.map(|g| g / 2.0),
                    due: NaiveDate::from_ymd_opt(year, 6, 30),
                    requires: vec!["claim", "detailed project"],
                },
                Tranche {
                    number: 2,
                    share: 0.5,
                    amount: grant.map(|g| g / 2.0),
                    due: None,
                    requires: vec!["activity report", "claim", "supporting documents"],
                },
            ],
            vec![],
            NaiveDate::from_ymd_opt(year, 6, 30),
        ),
        _ => (
            vec![],
            vec!["recap statement", "sworn statement", "individual accounts of subsidised workers"],
            NaiveDate::from_ymd_opt(year + 1, 3, 1),
        ),
    };
    Some(SubsidyReport {
        year,
        funder,
        programme: config.funder.programme.clone(),
        period_start: config.funder.period_start,
        period_end: config.funder.period_end,
        grant,
        envelopes: totals.into_iter().map(|(c, v)| (c, euros(v))).collect(),
        eligible_total: euros(total),
        balance: grant.map(|g| ((g - euros(total)) * 100.0).round() / 100.0),
        staff,
        costs,
        tranches,
        statements,
        due,
        activity,
    })
}
