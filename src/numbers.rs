//! How numbers are written, in one place: in prose (`150,000`, `4.5`), as data for charts and
//! field values (`150000`), as percentages (`23%`) and as rates with one decimal (`27.9`).
//! Rules, renderers and the timeline all write numbers through it, so a number reads the same
//! in a message, a table and a chart label.

/// A number in prose: thousands grouped when whole (`150,000`), else at most two decimals with
/// trailing zeros dropped (`4.5`, `0.41`).
pub fn prose(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.fract().abs() < 1e-9 && value.abs() < 1e15 {
        let grouped = group(&format!("{:.0}", value.abs()));
        if value < 0.0 && grouped != "0" {
            format!("-{grouped}")
        } else {
            grouped
        }
    } else {
        let text = format!("{value:.2}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        match text {
            "-0" => "0".to_string(),
            _ => text.to_string(),
        }
    }
}

/// A number as data: as YAML would write it, without separators or a trailing `.0` (`120000`,
/// `-3.5`), for charts and field values.
pub fn plain(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

/// A ratio as a percentage without decimals: `0.23` → `23%`.
pub fn percent(ratio: f64) -> String {
    format!("{:.0}%", ratio * 100.0)
}

/// A rate or multiple with one decimal: `27.9`, `2.0`.
pub fn one_decimal(value: f64) -> String {
    format!("{value:.1}")
}

/// A multiple with two decimals: `0.13`, `1.00`.
pub fn two_decimals(value: f64) -> String {
    format!("{value:.2}")
}

/// A count with thousands separators: `65,000`.
pub fn count(n: usize) -> String {
    group(&n.to_string())
}

/// Digits grouped by thousands with commas.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_groups_whole_numbers_and_trims_fractions() {
        assert_eq!(prose(150000.0), "150,000");
        assert_eq!(prose(-1234567.0), "-1,234,567");
        assert_eq!(prose(4.5), "4.5");
        assert_eq!(prose(0.405), "0.41");
        assert_eq!(prose(0.0), "0");
        assert_eq!(prose(-0.001), "0");
        assert_eq!(prose(99.9), "99.9");
    }

    #[test]
    fn data_is_plain() {
        assert_eq!(plain(120.0), "120");
        assert_eq!(plain(1_250_000.0), "1250000");
        assert_eq!(plain(-3.5), "-3.5");
        assert_eq!(count(65_000), "65,000");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000_000), "1,000,000");
    }

    #[test]
    fn percentages_and_rates() {
        assert_eq!(percent(0.225), "22%");
        assert_eq!(percent(1.375), "138%");
        assert_eq!(one_decimal(27.874), "27.9");
        assert_eq!(one_decimal(2.0), "2.0");
    }
}
