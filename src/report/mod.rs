//! Reports: the annual evaluation and the funder's subsidy report, computed
//! from the journal's projections as of a date.

pub mod amount;
pub mod annual;
pub mod expenses;
pub mod subsidy;
