//! Dates as a Belgian network lives them: Europe/Brussels, whatever the
//! machine's own time zone. A coordinator's "today" changes at midnight in
//! Brussels, not in UTC (a server in UTC would date a 00:30 action of
//! 1 March as 28 February).
//!
//! The rule that ties dates to the journal (time does not go back; a date
//! after today only in a replay workspace) is kept by the store, in the
//! write transaction: see [`crate::journal::Store::check_date`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Brussels;

/// Today's date in Brussels, from the machine's clock.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&Brussels).date_naive()
}

/// The instant that is `day` at the current wall-clock time in Brussels:
/// what a message sent "on `day`" carries as its Date (a replayed day
/// keeps the time of day at which it is replayed).
pub fn moment(day: NaiveDate) -> DateTime<Utc> {
    let time = Utc::now().with_timezone(&Brussels).time();
    at(day.and_time(time))
}

/// A Brussels wall-clock date and time as an instant. In the hour skipped
/// when summer time begins, the time after the jump; in the hour lived twice
/// in October, the first.
pub fn at(local: NaiveDateTime) -> DateTime<Utc> {
    match Brussels.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let later = local + chrono::Duration::hours(1);
            Brussels.from_local_datetime(&later).earliest().map_or_else(|| later.and_utc(), |t| t.with_timezone(&Utc))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("date")
    }

    #[test]
    fn brussels_is_one_hour_ahead_in_winter_and_two_in_summer() {
        assert_eq!(at(local("2026-01-15 10:00")).to_rfc3339(), "2026-01-15T09:00:00+00:00");
        assert_eq!(at(local("2026-07-15 10:00")).to_rfc3339(), "2026-07-15T08:00:00+00:00");
    }

    #[test]
    fn the_skipped_and_the_repeated_hours_have_one_instant_each() {
        // 29 March 2026: 02:00 → 03:00; 25 October 2026: 03:00 → 02:00.
        assert_eq!(at(local("2026-03-29 02:30")).to_rfc3339(), "2026-03-29T01:30:00+00:00");
        assert_eq!(at(local("2026-10-25 02:30")).to_rfc3339(), "2026-10-25T00:30:00+00:00");
    }
}
