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
//!   individual account.
//!
//! Amounts are integer cents from the expense lines to the page: every
//! `_cents` key is exact, and the euro key beside it (`eligible_total`,
//! `cost`, …: the keys scripts have always read) is the same value divided
//! by 100. The deadline is `[funder] subsidy_due` in the year after the
//! report's (the Walloon Region's default is 1 March; COCOM's comes from its
//! circular, so none is printed without it), and `due_past` says whether it
//! had already passed on the day the report was made.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::amount::euros;
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
    pub cost_cents: i64,
    /// The cost per month worked, rounded to the cent (half up).
    pub monthly_average_cents: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CostLine {
    pub date: NaiveDate,
    pub category: Category,
    pub description: String,
    pub amount: f64,
    pub amount_cents: i64,
    pub document: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tranche {
    pub number: u8,
    pub share: f64,
    pub amount: Option<f64>,
    pub amount_cents: Option<i64>,
    /// Only a date charte.toml gives; null otherwise (see `when`).
    pub due: Option<NaiveDate>,
    /// What the payment waits for: "claim" (the claim and the project, on
    /// the date the funder's circular sets) or "report" (after the report).
    pub when: &'static str,
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
    pub grant_cents: Option<i64>,
    /// Totals per category (staff, running, project).
    pub envelopes: BTreeMap<Category, f64>,
    pub envelopes_cents: BTreeMap<Category, i64>,
    pub eligible_total: f64,
    pub eligible_total_cents: i64,
    /// Grant minus eligible costs (negative: costs exceed the grant).
    pub balance: Option<f64>,
    pub balance_cents: Option<i64>,
    pub staff: Vec<StaffAccount>,
    pub costs: Vec<CostLine>,
    pub tranches: Vec<Tranche>,
    /// Walloon Region: the statements that go with the report.
    pub statements: Vec<&'static str>,
    /// The day the report is due (`[funder] subsidy_due`), if known.
    pub due: Option<NaiveDate>,
    /// The due day was already past on the report's date.
    pub due_past: bool,
    /// Made without an expenses file, on purpose (`--no-expenses`): the
    /// report says so rather than show zeros as if they were the year's
    /// costs.
    pub no_expenses: bool,
    pub activity: AnnualReport,
}

/// What the report is made of besides the configuration.
#[derive(Debug)]
pub struct Inputs<'a> {
    pub year: i32,
    /// The day the report is made (`--now`).
    pub issued: NaiveDate,
    /// None: made without expenses (`--no-expenses`).
    pub expenses: Option<&'a [Expense]>,
    pub activity: AnnualReport,
}

/// None when the network has no funder.
pub fn compute(config: &Config, inputs: Inputs<'_>) -> Option<SubsidyReport> {
    let Inputs { year, issued, expenses, activity } = inputs;
    let funder = match config.funder.kind {
        FunderKind::Cocom => "cocom",
        FunderKind::WalloonRegion => "walloon-region",
        FunderKind::None => return None,
    };
    let no_expenses = expenses.is_none();
    let expenses = expenses.unwrap_or_default();
    let totals = super::expenses::totals(expenses);
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
            cost_cents: cents,
            monthly_average_cents: i64::try_from(months).ok().filter(|m| *m > 0).map(|m| (2 * cents + m) / (2 * m)),
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
            amount_cents: e.cents,
            document: e.document.clone(),
        })
        .collect();
    let grant = config.funder.grant_cents;
    let (tranches, statements) = match config.funder.kind {
        FunderKind::Cocom => {
            // Two halves; an odd cent goes to the first, so they add up to the grant.
            let second = grant.map(|g| g / 2);
            let first = grant.zip(second).map(|(g, s)| g - s);
            let tranche = |number, cents: Option<i64>, when, requires| Tranche {
                number,
                share: 0.5,
                amount: cents.map(euros),
                amount_cents: cents,
                due: None,
                when,
                requires,
            };
            (
                vec![
                    tranche(1, first, "claim", vec!["claim", "detailed project"]),
                    tranche(2, second, "report", vec!["activity report", "claim", "supporting documents"]),
                ],
                vec![],
            )
        }
        _ => (vec![], vec!["recap statement", "sworn statement", "individual accounts of subsidised workers"]),
    };
    let due = config.funder.subsidy_due_for(year);
    let balance = grant.map(|g| g - total);
    Some(SubsidyReport {
        year,
        funder,
        programme: config.funder.programme.clone(),
        period_start: config.funder.period_start,
        period_end: config.funder.period_end,
        grant: grant.map(euros),
        grant_cents: grant,
        envelopes: totals.iter().map(|(c, v)| (*c, euros(*v))).collect(),
        envelopes_cents: totals,
        eligible_total: euros(total),
        eligible_total_cents: total,
        balance: balance.map(euros),
        balance_cents: balance,
        staff,
        costs,
        tranches,
        statements,
        due,
        due_past: due.is_some_and(|d| d < issued),
        no_expenses,
        activity,
    })
}
