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
    fn across_a_month_and_a_leap_day() {
        assert_eq!(clear_days(d("2028-02-20"), d("2028-03-02")), 10);
    }
}
