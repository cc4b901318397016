//! Dates as a Belgian network lives them: Europe/Brussels, whatever the
//! machine's own time zone. A coordinator's "today" changes at midnight in
//! Brussels, not in UTC (a server in UTC would date a 00:30 action of
//! 1 March as 28 February).
//!
//! The rule that ties dates to the journal (time does not go back; a date
//! after today only in a replay workspace) is kept by the store, in the
//! write transaction: see [`crate::journal::Store::check_date`].

use chrono::{NaiveDate, Utc};
use chrono_tz::Europe::Brussels;

/// Today's date in Brussels, from the machine's clock.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&Brussels).date_naive()
}
