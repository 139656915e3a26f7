//! The portfolio as Markdown for a weekly review issue or a wiki page: the table worst first,
//! Mermaid charts of the bands now and over the last twelve month-ends, then the open findings
//! of every partnership not healthy. Ledger text is escaped with [`escape::markdown`].

use std::fmt::Write;

use chrono::Datelike;

use super::{
    band_counts, band_label, change_text, renewal_text, scores_with_now, sparkline, top_rules,
};
use crate::analysis::portfolio::Portfolio;
use crate::report::escape;
use crate::report::text::plural;
use crate::signs::health::Band;

pub fn render(portfolio: &Portfolio) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Partnership portfolio, {}\n", portfolio.as_of);
    let _ = writeln!(
        md,
        "{} partnership{}: {}.\n",
        portfolio.partnerships.len(),
        plural(portfolio.partnerships.len()),
        band_counts(portfolio)
    );
    md.push_str("| partner | owner | health | trend | next deadline | top signs |\n");
    md.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for h in &portfolio.partnerships {
        let health = match h.band {
            Band::Healthy => format!("{} {}", h.band.as_str(), h.score),
            _ => format!("**{}** {}", h.band.as_str(), h.score),
        };
        let deadline = h
            .renewal
            .as_ref()
            .map(|r| format!("{} ({})", renewal_text(r), r.deadline))
            .unwrap_or_default();
        let (rules, rest) = top_rules(h, 3);
        let mut signs = rules
            .iter()
            .map(|r| escape::markdown(r))
            .collect::<Vec<_>>()
            .join(", ");
        if rest > 0 {
            let _ = write!(signs, " \\+{rest}");
        }
        let _ = writeln!(
            md,
            "| {} | {} | {health} | {} {} | {deadline} | {signs} |",
            escape::markdown(&h.partner),
            escape::markdown(&h.owner),
            sparkline(&scores_with_now(h)),
            change_text(h),
        );
    }
    md.push('\n');
    charts(&mut md, portfolio);
    for h in portfolio
        .partnerships
        .iter()
        .filter(|h| h.band != Band::Healthy)
    {
        let _ = writeln!(
            md,
            "## {} ({}, {})\n",
            escape::markdown(&h.partner),
            band_label(h.band),
            h.score
        );
        let _ = writeln!(
            md,
            "Owner: {}. File: {}.\n",
            escape::markdown(&h.owner),
            escape::markdown(&h.file)
        );
        for f in &h.findings {
            let _ = writeln!(
                md,
                "- **{}** {}: {} (since {})",
                f.severity,
                escape::markdown(&f.rule),
                escape::markdown(&f.message),
                f.since
            );
        }
        md.push('\n');
    }
    let acknowledged: Vec<_> = portfolio
        .partnerships
        .iter()
        .filter(|h| !h.acknowledged.is_empty())
        .collect();
    if !acknowledged.is_empty() {
        md.push_str("<details><summary>Acknowledged (not scored)</summary>\n\n");
        for h in acknowledged {
            for f in &h.acknowledged {
                let _ = writeln!(
                    md,
                    "- {}: {} {}: {}",
                    escape::markdown(&h.partner),
                    f.severity,
                    escape::markdown(&f.rule),
                    escape::markdown(&f.message)
                );
            }
        }
        md.push_str("\n</details>\n\n");
    }
    if !portfolio.invalid.is_empty() {
        md.push_str("Not scored, because they do not parse (see `rapport check`):\n\n");
        for file in &portfolio.invalid {
            let _ = writeln!(md, "- {}", escape::markdown(file));
        }
        md.push('\n');
    }
    let _ = writeln!(
        md,
        "{} Trend: the last {} month-ends, then now. Acknowledged findings are not scored.",
        super::formula(portfolio),
        portfolio.months.len()
    );
    md
}

/// A pie of the bands now, and the partnerships at risk and on watch at each month-end. The
/// labels are rapport's own words and dates, never ledger text.
fn charts(md: &mut String, portfolio: &Portfolio) {
    if portfolio.partnerships.is_empty() {
        return;
    }
    md.push_str("```mermaid\npie title Health bands now\n");
    for band in [Band::AtRisk, Band::Watch, Band::Healthy] {
        let count = portfolio
            .partnerships
            .iter()
            .filter(|h| h.band == band)
            .count();
        if count > 0 {
            let _ = writeln!(md, "    \"{}\" : {count}", band_label(band));
        }
    }
    md.push_str("```\n\n");
    let months: Vec<String> = portfolio
        .months
        .iter()
        .map(|m| format!("\"{}-{:02}\"", m.year(), m.0.month()))
        .collect();
    let count = |band: Band| -> Vec<String> {
        (0..portfolio.months.len())
            .map(|i| {
                portfolio
                    .partnerships
                    .iter()
                    .filter(|h| {
                        h.trend
                            .get(i)
                            .copied()
                            .flatten()
                            .is_some_and(|s| portfolio.formula.band(s) == band)
                    })
                    .count()
                    .to_string()
            })
            .collect()
    };
    let _ = writeln!(
        md,
        "```mermaid\nxychart-beta\n    title \"At risk (bars) and on watch (line) at each month-end\"\n    x-axis [{}]\n    y-axis \"partnerships\"\n    bar [{}]\n    line [{}]\n```\n",
        months.join(", "),
        count(Band::AtRisk).join(", "),
        count(Band::Watch).join(", ")
    );
}
