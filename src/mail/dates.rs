//! Dates in words, as a Belgian administration writes them in a letter.
//!
//! French: "jeudi 12 mars 2026 à 14h00", "dimanche 1er mars 2026 à 9h30".
//! Dutch: "donderdag 12 maart 2026 om 14.00 uur".
//! Weekday and month in lower case in both languages, as their style
//! guides want them in running text.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// The language of a member: the roster's.
pub use crate::roster::Language as Lang;

const WEEKDAYS_FR: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
const WEEKDAYS_NL: [&str; 7] = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// "jeudi 12 mars 2026" / "donderdag 12 maart 2026".
pub fn long_date(date: NaiveDate, lang: Lang) -> String {
    let weekday = date.weekday().num_days_from_monday() as usize;
    let month = date.month0() as usize;
    match lang {
        Lang::Fr => {
            let day = if date.day() == 1 { "1er".to_owned() } else { date.day().to_string() };
            format!("{} {day} {} {}", WEEKDAYS_FR[weekday], MONTHS_FR[month], date.year())
        }
        Lang::Nl => format!("{} {} {} {}", WEEKDAYS_NL[weekday], date.day(), MONTHS_NL[month], date.year()),
    }
}

/// "14h00" / "14.00 uur".
pub fn time_of_day(when: NaiveDateTime, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{}h{:02}", when.hour(), when.minute()),
        Lang::Nl => format!("{}.{:02} uur", when.hour(), when.minute()),
    }
}

/// "jeudi 12 mars 2026 à 14h00" / "donderdag 12 maart 2026 om 14.00 uur".
pub fn long_date_time(when: NaiveDateTime, lang: Lang) -> String {
    let joint = match lang {
        Lang::Fr => "à",
        Lang::Nl => "om",
    };
    format!("{} {joint} {}", long_date(when.date(), lang), time_of_day(when, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("valid")
    }

    #[test]
    fn french() {
        assert_eq!(long_date_time(at(2026, 3, 12, 14, 0), Lang::Fr), "jeudi 12 mars 2026 à 14h00");
        assert_eq!(long_date_time(at(2026, 3, 1, 9, 30), Lang::Fr), "dimanche 1er mars 2026 à 9h30");
        assert_eq!(long_date(at(2026, 8, 15, 0, 0).date(), Lang::Fr), "samedi 15 août 2026");
        assert_eq!(long_date(at(2026, 12, 31, 0, 0).date(), Lang::Fr), "jeudi 31 décembre 2026");
    }

    #[test]
    fn dutch() {
        assert_eq!(long_date_time(at(2026, 3, 12, 14, 0), Lang::Nl), "donderdag 12 maart 2026 om 14.00 uur");
        assert_eq!(long_date_time(at(2026, 3, 1, 9, 5), Lang::Nl), "zondag 1 maart 2026 om 9.05 uur");
        assert_eq!(long_date(at(2027, 1, 4, 0, 0).date(), Lang::Nl), "maandag 4 januari 2027");
    }

    #[test]
    fn every_weekday_and_month_has_a_name() {
        let mut day = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        for _ in 0..366 {
            for lang in [Lang::Fr, Lang::Nl] {
                assert!(!long_date(day, lang).is_empty());
            }
            day = day.succ_opt().expect("next");
        }
        assert_eq!("NL".parse::<Lang>(), Ok(Lang::Nl));
        assert!("de".parse::<Lang>().is_err());
    }
}
