//! The notice period in clear days ("jours francs"): neither the day the
//! convocation is sent nor the day of the meeting counts. A convocation sent
//! on the 1st for a meeting on the 12th gives 10 clear days. A body may add
//! days for the mail to arrive (`receipt_days`).

use chrono::{Days, NaiveDate};

/// Clear days between sending on `sent` and meeting on `meeting`.
pub fn clear_days(sent: NaiveDate, meeting: NaiveDate) -> i64 {
    (meeting - sent).num_days() - 1
}

/// The last day a convocation can be sent to give `clear` clear days plus
/// `receipt` days for delivery.
pub fn last_sending_day(meeting: NaiveDate, clear: u32, receipt: u32) -> Option<NaiveDate> {
    meeting.checked_sub_days(Days::new(u64::from(clear) + u64::from(receipt) + 1))
}

/// A body's notice rule applied to one meeting on one day: what the desk
/// shows before the coordinator convokes, and what `convoke` checks (both
/// read this one value, so the page and the refusal cannot disagree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    /// The clear days the body requires.
    pub clear: u32,
    /// The days the body adds for the mail to arrive.
    pub receipt: u32,
    /// The last day to send with that notice (None: before the calendar).
    pub last_day: Option<NaiveDate>,
    /// Sending on `today` gives the notice.
    pub in_time: bool,
    /// The clear days sending on `today` gives (negative once the meeting is past).
    pub given: i64,
}

impl Notice {
    /// The rule of `clear` + `receipt` days for a meeting on `meeting`, sent on `today`.
    pub fn new(clear: u32, receipt: u32, meeting: NaiveDate, today: NaiveDate) -> Notice {
        Notice {
            clear,
            receipt,
            last_day: last_sending_day(meeting, clear, receipt),
            in_time: respected(today, meeting, clear, receipt),
            given: clear_days(today, meeting),
        }
    }
}

/// Whether sending on `sent` respects the period.
pub fn respected(sent: NaiveDate, meeting: NaiveDate, clear: u32, receipt: u32) -> bool {
    clear_days(sent, meeting) >= i64::from(clear) + i64::from(receipt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_first_to_the_twelfth_is_ten_clear_days() {
        assert_eq!(clear_days(d("2026-03-01"), d("2026-03-12")), 10);
        assert!(respected(d("2026-03-01"), d("2026-03-12"), 10, 0));
        assert!(!respected(d("2026-03-02"), d("2026-03-12"), 10, 0));
        assert_eq!(last_sending_day(d("2026-03-12"), 10, 0), Some(d("2026-03-01")));
    }

    #[test]
    fn receipt_days_move_the_last_day_earlier() {
        assert_eq!(last_sending_day(d("2026-03-12"), 10, 2), Some(d("2026-02-27")));
        assert!(!respected(d("2026-03-01"), d("2026-03-12"), 10, 2));
    }

    #[test]
    fn the_notice_is_in_time_up_to_its_last_day_itself() {
        let meeting = d("2026-03-20");
        let early = Notice::new(15, 0, meeting, d("2026-03-01"));
        assert_eq!(early.last_day, Some(d("2026-03-04")));
        assert!(early.in_time);
        let last = Notice::new(15, 0, meeting, d("2026-03-04"));
        assert!(last.in_time, "the last day itself is in time: {last:?}");
        assert_eq!(last.given, 15);
        let late = Notice::new(15, 0, meeting, d("2026-03-05"));
        assert!(!late.in_time, "one day late");
        assert_eq!((late.given, late.last_day), (14, Some(d("2026-03-04"))));
    }

    #[test]
    fn the_notice_counts_the_days_for_delivery() {
        let meeting = d("2026-03-20");
        let n = Notice::new(15, 3, meeting, d("2026-03-01"));
        assert_eq!((n.clear, n.receipt, n.last_day), (15, 3, Some(d("2026-03-01"))));
        assert!(n.in_time);
        assert!(
            !Notice::new(15, 3, meeting, d("2026-03-02")).in_time,
            "in time without the delivery days, not with them"
        );
    }

    #[test]
    fn across_a_month_and_a_leap_day() {
        assert_eq!(clear_days(d("2028-02-20"), d("2028-03-02")), 10);
    }
}
