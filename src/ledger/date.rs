//! Calendar dates as the ledger writes them (`2024-06-12`), with errors that say why a date
//! cannot be, instead of a parser's generic complaint.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 8601 calendar date (`YYYY-MM-DD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl Date {
    /// Today in the local time zone: "now" for the working tree, and the date a note is for.
    pub fn today() -> Date {
        Date(chrono::Local::now().date_naive())
    }

    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date)
    }

    /// Parses `YYYY-MM-DD`, explaining what is wrong when it is not a real date.
    pub fn parse(text: &str) -> Result<Date, String> {
        let text = text.trim();
        let parts: Vec<&str> = text.split('-').collect();
        let shape_ok = parts.len() == 3
            && parts[0].len() == 4
            && parts[1].len() == 2
            && parts[2].len() == 2
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !shape_ok {
            return Err(format!(
                "`{text}` is not a date; write dates as YYYY-MM-DD, for example 2024-06-12"
            ));
        }
        let year: i32 = parts[0]
            .parse()
            .map_err(|_| format!("bad year in `{text}`"))?;
        let month: u32 = parts[1]
            .parse()
            .map_err(|_| format!("bad month in `{text}`"))?;
        let day: u32 = parts[2]
            .parse()
            .map_err(|_| format!("bad day in `{text}`"))?;
        Date::checked(year, month, day, text)
    }

    /// The date of `year`, `month` and `day` as `text` writes them, explaining what is wrong
    /// when there is no such day.
    pub fn checked(year: i32, month: u32, day: u32, text: &str) -> Result<Date, String> {
        if !(1..=12).contains(&month) {
            return Err(format!(
                "`{text}` is not a date: there is no month {month} (months run 01 to 12)"
            ));
        }
        match NaiveDate::from_ymd_opt(year, month, day) {
            Some(date) => Ok(Date(date)),
            None => {
                let days = days_in_month(year, month);
                Err(format!(
                    "`{text}` is not a date: {} {year} has {days} days",
                    month_name(month)
                ))
            }
        }
    }

    /// The first day the calendar can hold: commit times chrono cannot place fall back to it.
    pub const MIN: Date = Date(NaiveDate::MIN);
    /// The last day the calendar can hold.
    pub const MAX: Date = Date(NaiveDate::MAX);

    /// Whole days from `self` to `later` (negative when `later` is earlier). Never overflows:
    /// the whole calendar spans fewer than 200 million days.
    pub fn days_until(self, later: Date) -> i64 {
        later.0.signed_duration_since(self.0).num_days()
    }

    /// `days` later (earlier when negative), held at the calendar's first or last day: a window
    /// reaching past either end covers everything up to that end.
    pub fn add_days(self, days: i64) -> Date {
        let moved = if days >= 0 {
            self.0
                .checked_add_days(chrono::Days::new(days.unsigned_abs()))
        } else {
            self.0
                .checked_sub_days(chrono::Days::new(days.unsigned_abs()))
        };
        match moved {
            Some(date) => Date(date),
            None if days >= 0 => Date::MAX,
            None => Date::MIN,
        }
    }

    /// `days` earlier (later when negative), held at the calendar's ends like [`Date::add_days`].
    pub fn sub_days(self, days: i64) -> Date {
        match days.checked_neg() {
            Some(back) => self.add_days(back),
            None => Date::MAX,
        }
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)
        .and_then(|first| first.pred_opt())
        .map(|last| last.day())
        .unwrap_or(31)
}

fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("that month")
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl serde::de::Visitor<'_> for DateVisitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date written YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(DateVisitor)
    }
}

impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "An ISO 8601 calendar date, YYYY-MM-DD"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_impossible_dates() {
        assert_eq!(
            Date::parse("2024-02-30").expect_err("refused"),
            "`2024-02-30` is not a date: February 2024 has 29 days"
        );
        assert_eq!(
            Date::parse("2023-02-29").expect_err("refused"),
            "`2023-02-29` is not a date: February 2023 has 28 days"
        );
        assert!(
            Date::parse("2024-13-01")
                .expect_err("refused")
                .contains("no month 13")
        );
        assert!(
            Date::parse("12/06/2024")
                .expect_err("refused")
                .contains("YYYY-MM-DD")
        );
        assert_eq!(
            Date::parse("2024-02-29").expect("a valid date").to_string(),
            "2024-02-29"
        );
    }

    #[test]
    fn adding_days_holds_at_the_calendars_ends() {
        let day = Date::parse("2024-01-01").expect("a valid date");
        assert_eq!(day.add_days(31).to_string(), "2024-02-01");
        assert_eq!(day.add_days(-1).to_string(), "2023-12-31");
        assert_eq!(day.add_days(i64::MAX), Date::MAX);
        assert_eq!(day.add_days(i64::MIN), Date::MIN);
        assert_eq!(Date::MIN.add_days(-180), Date::MIN);
        assert_eq!(Date::MAX.add_days(36_500), Date::MAX);
        assert_eq!(Date::MIN.add_days(1).days_until(Date::MIN), -1);
        assert_eq!(day.sub_days(1).to_string(), "2023-12-31");
        assert_eq!(day.sub_days(i64::MIN), Date::MAX);
        assert_eq!(day.sub_days(i64::MAX), Date::MIN);
    }

    #[test]
    fn days_span_the_whole_calendar() {
        assert!(Date::MIN.days_until(Date::MAX) > 190_000_000);
        assert_eq!(
            Date::MAX.days_until(Date::MIN),
            -Date::MIN.days_until(Date::MAX)
        );
    }

    #[test]
    fn counts_days() {
        let a = Date::parse("2024-01-01").expect("a valid date");
        let b = Date::parse("2024-03-01").expect("a valid date");
        assert_eq!(a.days_until(b), 60);
        assert_eq!(b.days_until(a), -60);
    }
}
