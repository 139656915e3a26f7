//! `rapport portfolio` for people and machines: a terminal table with sparklines, a markdown
//! page for a weekly review, versioned JSON, and one self-contained HTML page with inline SVG
//! charts. Only formats the [`Portfolio`] it is given; every ledger string goes through
//! [`escape`](super::escape).

pub mod html;
pub mod markdown;
pub mod text;

use serde::Serialize;

use crate::analysis::portfolio::{Health, Portfolio, Renewal};
use crate::ledger::DateWarning;
use crate::signs::health::Band;

/// What `rapport portfolio --format json` prints. Its JSON Schema is
/// `schema/portfolio.schema.json`.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    title = "rapport portfolio output",
    description = "What `rapport portfolio --format json` prints, version 1"
)]
pub struct PortfolioDocument<'a> {
    pub version: u32,
    #[serde(flatten)]
    pub portfolio: &'a Portfolio,
    /// Commits whose dates contradict the commit graph or the clock, with the dates they count
    /// at instead (absent when there are none).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub warnings: &'a [DateWarning],
}

pub fn document<'a>(
    portfolio: &'a Portfolio,
    warnings: &'a [DateWarning],
) -> PortfolioDocument<'a> {
    PortfolioDocument {
        version: super::json::JSON_VERSION,
        portfolio,
        warnings,
    }
}

pub fn schema() -> schemars::Schema {
    schemars::schema_for!(PortfolioDocument<'static>)
}

/// How the score is made, in one sentence: `Score: 100, halved for every 50 points of open
/// findings: 25 per error, …, at risk below 60.` (numbers only, nothing from the ledger).
pub fn formula(portfolio: &Portfolio) -> String {
    let f = &portfolio.formula;
    let n = crate::signs::number;
    format!(
        "Score: 100, halved for every {} points of open findings: {} per error, {} per warning, {} per info and {} per sign with an open finding; healthy from {}, at risk below {}.",
        n(f.halving),
        n(f.error),
        n(f.warning),
        n(f.info),
        n(f.per_sign),
        n(f.healthy_from),
        n(f.at_risk_below),
    )
}

/// `4 at risk, 3 watch, 4 healthy` (bands with no partnership left out).
pub fn band_counts(portfolio: &Portfolio) -> String {
    let parts: Vec<String> = [Band::AtRisk, Band::Watch, Band::Healthy]
        .into_iter()
        .filter_map(|band| {
            let n = portfolio
                .partnerships
                .iter()
                .filter(|h| h.band == band)
                .count();
            (n > 0).then(|| format!("{n} {}", band_label(band)))
        })
        .collect();
    if parts.is_empty() {
        "no partnership".to_string()
    } else {
        parts.join(", ")
    }
}

/// `at risk`, `watch`, `healthy`.
pub fn band_label(band: Band) -> &'static str {
    match band {
        Band::AtRisk => "at risk",
        Band::Watch => "watch",
        Band::Healthy => "healthy",
    }
}

/// `notice in 61 days`, `renewal in 15 days`, `renewal today`.
pub fn renewal_text(renewal: &Renewal) -> String {
    match renewal.days_left {
        0 => format!("{} today", renewal.kind),
        1 => format!("{} in 1 day", renewal.kind),
        n => format!("{} in {n} days", renewal.kind),
    }
}

/// The rule ids of the worst open findings, at most `max`, then `+N` for the rest (unescaped).
pub fn top_rules(health: &Health, max: usize) -> (Vec<&str>, usize) {
    let mut rules: Vec<&str> = Vec::new();
    for f in &health.findings {
        if !rules.contains(&f.rule.as_str()) {
            rules.push(&f.rule);
        }
    }
    let rest = rules.len().saturating_sub(max);
    rules.truncate(max);
    (rules, rest)
}

/// The current score after the month-end scores: what sparklines and charts draw.
pub fn scores_with_now(health: &Health) -> Vec<Option<u32>> {
    let mut scores = health.trend.clone();
    scores.push(Some(health.score));
    scores
}

/// Scores on a fixed 0 to 100 scale with the eight block heights (a gap where there is no
/// score), so two partnerships' lines compare.
pub fn sparkline(scores: &[Option<u32>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    scores
        .iter()
        .map(|s| match s {
            Some(score) => BARS[((*score).min(100) as usize * 7 + 50) / 100],
            None => ' ',
        })
        .collect()
}

/// `↓40`, `↑12`, `=` (score now against three month-ends back), or empty.
pub fn change_text(health: &Health) -> String {
    match health.change {
        Some(0) => "=".to_string(),
        Some(n) if n < 0 => format!("↓{}", -n),
        Some(n) => format!("↑{n}"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_use_a_fixed_scale() {
        assert_eq!(sparkline(&[Some(100), Some(50), Some(0), None]), "█▅▁ ");
        assert_eq!(sparkline(&[Some(90), Some(90)]), "▇▇");
    }
}
