//! Dates as teams write them in the body: the ISO form (`2024-06-12`) and the Chinese form
//! (`2024年6月12日`) that rapport reads, and the other forms (`2024/06/12`, `12.06.2024`,
//! `June 12, 2024`) it recognises only to say so, with their ISO rewrite.

use std::sync::OnceLock;

use regex::Regex;

use super::date::Date;

/// What a piece of text starts with, as far as dates go.
#[derive(Clone, Debug, PartialEq)]
pub enum Leading {
    /// A date in a form rapport reads, written in the first `len` bytes.
    Read { date: Date, len: usize },
    /// A form rapport reads, but no such day (`2024-02-30`): why not.
    Impossible { message: String },
    /// A date in a form rapport does not read, as written, with the days it can mean (two for
    /// `06/12/2024`, none when no reading is a real day).
    Unread {
        written: String,
        meanings: Vec<Date>,
    },
    /// Not a date.
    Nothing,
}

impl Leading {
    /// How to write an unread date so rapport reads it: `2024-06-12`, or both readings of an
    /// ambiguous one.
    pub fn rewrite(meanings: &[Date]) -> Option<String> {
        match meanings {
            [] => None,
            [one] => Some(format!("`{one}`")),
            [first, second, ..] => {
                Some(format!("`{first}` (or `{second}` if the day comes first)"))
            }
        }
    }
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(pattern).expect("the patterns of this module are checked by its tests")
    })
}

fn iso() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(&CELL, r"^([0-9]{4})-([0-9]{2})-([0-9]{2})")
}

fn chinese() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(
        &CELL,
        r"^([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]",
    )
}

fn numeric() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(
        &CELL,
        r"^([0-9]{1,4})([./-])([0-9]{1,2})([./-])([0-9]{1,4})",
    )
}

const MONTHS: &str = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

fn month_first() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(
        &CELL,
        &format!(r"(?i)^({MONTHS})\.?\s+([0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+([0-9]{{4}})"),
    )
}

fn day_first() -> &'static Regex {
    static CELL: OnceLock<Regex> = OnceLock::new();
    regex(
        &CELL,
        &format!(r"(?i)^([0-9]{{1,2}})(?:st|nd|rd|th)?\s+({MONTHS})\.?,?\s+([0-9]{{4}})"),
    )
}

fn month_number(name: &str) -> u32 {
    let name = name.to_ascii_lowercase();
    const ORDER: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    ORDER
        .iter()
        .position(|m| name.starts_with(m))
        .map_or(0, |i| i as u32 + 1)
}

/// Whether the date ends where a word would: a date glued to more digits or Latin letters
/// (`2024-06-123`, `2024-06-12T10:00`) is something else.
fn ends_cleanly(text: &str, len: usize) -> bool {
    text[len..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_ascii_alphanumeric())
}

fn number(text: &str) -> u32 {
    text.parse().unwrap_or(0)
}

/// Reads the date `text` starts with, if any.
pub fn leading(text: &str) -> Leading {
    if let Some(m) = iso().captures(text)
        && !ends_cleanly(text, m[0].len())
        && text[m[0].len()..].starts_with(|c: char| c.is_ascii_alphabetic())
    {
        // `2024-06-12T10:00`, `2024-06-12Kickoff`: the date is there, glued to what follows.
        return unread(&m[0], &[(number(&m[1]), number(&m[2]), number(&m[3]))]);
    }
    if let Some(m) = iso().captures(text)
        && ends_cleanly(text, m[0].len())
    {
        let (year, month, day) = (number(&m[1]) as i32, number(&m[2]), number(&m[3]));
        return match Date::checked(year, month, day, &m[0]) {
            Ok(date) => Leading::Read {
                date,
                len: m[0].len(),
            },
            Err(message) => Leading::Impossible { message },
        };
    }
    if let Some(m) = chinese().captures(text) {
        let (year, month, day) = (number(&m[1]) as i32, number(&m[2]), number(&m[3]));
        return match Date::checked(year, month, day, &m[0]) {
            Ok(date) => Leading::Read {
                date,
                len: m[0].len(),
            },
            Err(message) => Leading::Impossible { message },
        };
    }
    if let Some(m) = numeric().captures(text)
        && m[2] == m[4]
        && ends_cleanly(text, m[0].len())
    {
        let (a, b, c) = (&m[1], &m[3], &m[5]);
        // (year, month, day) readings of the three numbers.
        let readings: Vec<(u32, u32, u32)> = if a.len() == 4 && c.len() <= 2 {
            vec![(number(a), number(b), number(c))]
        } else if c.len() == 4 && a.len() <= 2 {
            let (first, second, year) = (number(a), number(b), number(c));
            if &m[2] == "." || first > 12 {
                vec![(year, second, first)]
            } else if second > 12 || first == second {
                vec![(year, first, second)]
            } else {
                vec![(year, first, second), (year, second, first)]
            }
        } else {
            Vec::new()
        };
        if !readings.is_empty() {
            return unread(&m[0], &readings);
        }
    }
    for (pattern, month_at, day_at) in [(month_first(), 1, 2), (day_first(), 2, 1)] {
        if let Some(m) = pattern.captures(text)
            && ends_cleanly(text, m[0].len())
        {
            let reading = (
                number(&m[3]),
                month_number(&m[month_at]),
                number(&m[day_at]),
            );
            return unread(&m[0], &[reading]);
        }
    }
    Leading::Nothing
}

fn unread(written: &str, readings: &[(u32, u32, u32)]) -> Leading {
    Leading::Unread {
        written: written.to_string(),
        meanings: readings
            .iter()
            .filter_map(|&(y, m, d)| Date::from_ymd(i32::try_from(y).ok()?, m, d))
            .collect(),
    }
}

/// Whether `text` holds, anywhere, something that reads or looks like a date.
pub fn mentions_date(text: &str) -> bool {
    text.char_indices()
        .filter(|(i, _)| {
            // Dates start at a word's start: not inside a longer number.
            !text[..*i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        })
        .any(|(i, _)| !matches!(leading(&text[i..]), Leading::Nothing))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).expect("a date")
    }

    fn meanings(text: &str) -> Vec<String> {
        match leading(text) {
            Leading::Unread { meanings, .. } => meanings.iter().map(Date::to_string).collect(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn reads_iso_and_chinese_dates() {
        assert_eq!(
            leading("2024-06-12 Quarterly business review"),
            Leading::Read {
                date: date("2024-06-12"),
                len: 10
            }
        );
        let text = "2024年9月12日 季度业务回顾";
        assert_eq!(
            leading(text),
            Leading::Read {
                date: date("2024-09-12"),
                len: "2024年9月12日".len()
            }
        );
        assert!(matches!(
            leading("2024 年 09 月 12 号"),
            Leading::Read { .. }
        ));
        assert!(matches!(leading("2024-06-12: call"), Leading::Read { .. }));
    }

    #[test]
    fn impossible_days_say_why() {
        let Leading::Impossible { message } = leading("2024年2月30日 回顾") else {
            panic!("an impossible day")
        };
        assert!(message.contains("February 2024 has 29 days"), "{message}");
        assert!(matches!(
            leading("2024-13-01 Call"),
            Leading::Impossible { .. }
        ));
    }

    #[test]
    fn other_forms_are_recognised_with_their_iso_rewrite() {
        assert_eq!(meanings("2024/06/12 QBR"), ["2024-06-12"]);
        assert_eq!(meanings("2024.6.12"), ["2024-06-12"]);
        assert_eq!(meanings("2024-6-12 call"), ["2024-06-12"]);
        assert_eq!(meanings("12.06.2024 Review"), ["2024-06-12"]);
        assert_eq!(meanings("June 12, 2024 QBR"), ["2024-06-12"]);
        assert_eq!(meanings("Sept. 3rd 2024"), ["2024-09-03"]);
        assert_eq!(meanings("12 June 2024"), ["2024-06-12"]);
        assert_eq!(meanings("25/06/2024"), ["2024-06-25"]);
        assert_eq!(meanings("06/25/2024"), ["2024-06-25"]);
        assert_eq!(meanings("06/12/2024"), ["2024-06-12", "2024-12-06"]);
        assert_eq!(meanings("2024/02/30"), Vec::<String>::new());
        assert_eq!(meanings("2024-06-12T10:00 call"), ["2024-06-12"]);
    }

    #[test]
    fn text_that_only_resembles_a_date_is_not_one() {
        for text in [
            "Background",
            "2024 roadmap",
            "Q3 2024 plan",
            "12 open items",
            "3.5 release notes",
            "1.2.3 upgrade",
            "2024-06-123",
            "Mayday drill 2024",
            "",
        ] {
            assert_eq!(leading(text), Leading::Nothing, "{text}");
        }
    }

    #[test]
    fn finds_dates_inside_text() {
        assert!(mentions_date("send the plan by 2024/06/30"));
        assert!(mentions_date("6月30日前 2024年6月30日"));
        assert!(!mentions_date("send the due diligence pack"));
        assert!(!mentions_date("order 12024-06-12x"));
    }

    #[test]
    fn rewrites_name_every_meaning() {
        assert_eq!(Leading::rewrite(&[]), None);
        assert_eq!(
            Leading::rewrite(&[date("2024-06-12"), date("2024-12-06")]).as_deref(),
            Some("`2024-06-12` (or `2024-12-06` if the day comes first)")
        );
    }
}
