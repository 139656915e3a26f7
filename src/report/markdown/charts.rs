//! Mermaid line charts of a finding's numbers over time, the x axis time to scale.

use crate::numbers::{plain as number, prose as prose_number};
use crate::report::escape;
use crate::signs::Finding;

/// The chart's configuration: the colours of its lines, in order the measured values (GitHub's
/// accent blue) and the target (grey). Set explicitly, because Mermaid's default theme draws
/// the first line in `#ECECFF`, all but invisible on GitHub's white; these read on light and
/// dark backgrounds alike.
pub(super) const CHART_CONFIG: &str =
    r##"%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0969DA, #6E7781"}}}}%%"##;

/// The most ticks a chart's time axis has: its unit is the shortest of day, week, month,
/// quarter and year that spans the series in at most this many.
pub(super) const CHART_TICKS: i64 = 36;

/// A Mermaid line chart of the finding's numbers over time (and its target), when it has two
/// or more; masked values have none and are not drawn. The x axis is time to scale: one tick
/// per day, week, month, quarter or year from the first value to the last, each showing the
/// value recorded last by the tick's end, so two changes a year apart sit a year apart.
pub(crate) fn chart(partner: &str, f: &Finding) -> Option<String> {
    let mut points: Vec<(crate::ledger::Date, f64)> = f
        .evidence
        .iter()
        .filter_map(|e| Some((e.date, e.value.filter(|v| v.is_finite())?)))
        .collect();
    if points.len() < 2 {
        return None;
    }
    points.sort_by_key(|&(date, _)| date);
    let measured = f
        .measure
        .as_ref()
        .map_or(f.subject.as_str(), |m| m.name.as_str());
    let ticks = time_axis(points[0].0, points[points.len() - 1].0);
    let labels: Vec<String> = ticks
        .iter()
        .map(|(label, _)| format!("\"{}\"", escape::mermaid_label(label)))
        .collect();
    // Every tick ends on or after the first value's date, so each has a value.
    let values: Vec<String> = ticks
        .iter()
        .filter_map(|&(_, end)| points.iter().rev().find(|(date, _)| *date <= end))
        .map(|&(_, v)| number(v))
        .collect();
    let mut out = format!(
        "\n```mermaid\n{CHART_CONFIG}\nxychart-beta\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"{}\"\n    line [{}]\n",
        escape::mermaid_label(&format!("{} · {partner}", f.subject)),
        labels.join(", "),
        escape::mermaid_label(measured),
        values.join(", ")
    );
    let target = f
        .measure
        .as_ref()
        .and_then(|m| m.target)
        .filter(|t| t.is_finite());
    if let Some(target) = target {
        let line = vec![number(target); ticks.len()];
        out.push_str(&format!("    line [{}]\n", line.join(", ")));
    }
    out.push_str("```\n");
    if let Some(target) = target {
        out.push_str(&format!(
            "\n_The flat line is the target, {}._\n",
            prose_number(target)
        ));
    }
    Some(out)
}

/// The ticks of a time axis from `first` to `last`: each tick's label and its last day, in the
/// shortest unit that needs at most `CHART_TICKS` ticks.
pub(super) fn time_axis(
    first: crate::ledger::Date,
    last: crate::ledger::Date,
) -> Vec<(String, crate::ledger::Date)> {
    use crate::ledger::Date;
    use chrono::Datelike;
    let days = first.days_until(last).max(0);
    if days < CHART_TICKS {
        return (0..=days)
            .map(|d| {
                let day = first.add_days(d);
                (day.to_string(), day)
            })
            .collect();
    }
    if days < 7 * CHART_TICKS {
        return (0..=days / 7)
            .map(|w| {
                let start = first.add_days(7 * w);
                (start.to_string(), start.add_days(6))
            })
            .collect();
    }
    // Months counted from year 0: month `m` is year `m / 12`, month `m % 12 + 1`.
    let month = |d: Date| i64::from(d.0.year()) * 12 + i64::from(d.0.month0());
    let (from, to) = (month(first), month(last));
    let months = |unit: i64, label: &dyn Fn(i32, u32) -> String| -> Vec<(String, Date)> {
        (from.div_euclid(unit)..=to.div_euclid(unit))
            .filter_map(|u| {
                let start = u * unit;
                let (year, month0) = (
                    i32::try_from(start.div_euclid(12)).ok()?,
                    u32::try_from(start.rem_euclid(12)).ok()?,
                );
                let next = start + unit;
                let next = Date::from_ymd(
                    i32::try_from(next.div_euclid(12)).ok()?,
                    u32::try_from(next.rem_euclid(12)).ok()? + 1,
                    1,
                )?;
                Some((label(year, month0), next.sub_days(1)))
            })
            .collect()
    };
    if to - from < CHART_TICKS {
        months(1, &|year, month0| format!("{year}-{:02}", month0 + 1))
    } else if to.div_euclid(3) - from.div_euclid(3) < CHART_TICKS {
        months(3, &|year, month0| format!("{year} Q{}", month0 / 3 + 1))
    } else {
        months(12, &|year, _| year.to_string())
    }
}
