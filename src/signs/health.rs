//! The health formula: a partnership's score (0 to 100) and band from its open findings, as
//! configured under `portfolio` in `rapport.yaml`. A pure function of findings, so the same
//! formula scores a partnership now and at any past date.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Acknowledgement, Finding, Severity};

/// The health formula, under `portfolio` in `rapport.yaml`. Each open finding weighs its
/// severity's points, and each distinct sign with an open finding `per_sign` more (trouble on
/// several fronts is worse than the same trouble twice); the score is 100 halved for every
/// `halving` points of that weight. The penalty diminishes rather than stopping at 0, so
/// partnerships in more trouble keep scoring lower than those in less. Acknowledged findings
/// weigh nothing: they are shown apart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HealthFormula {
    /// Points off for each open error.
    pub error: f64,
    /// Points off for each open warning.
    pub warning: f64,
    /// Points off for each open info finding.
    pub info: f64,
    /// Points off for each distinct sign with an open finding.
    pub per_sign: f64,
    /// The score halves for every this many points of open findings.
    pub halving: f64,
    /// A score at or above this is `healthy`.
    pub healthy_from: f64,
    /// A score below this is `at-risk`; from it up to `healthy_from`, `watch`.
    pub at_risk_below: f64,
}

impl Default for HealthFormula {
    fn default() -> Self {
        HealthFormula {
            error: 25.0,
            warning: 10.0,
            info: 2.0,
            per_sign: 5.0,
            halving: 50.0,
            // The same weights as the bands of a score of 100 minus the points: healthy up to
            // about 10 points (a single info or none), at risk from about 43 (an error and a
            // warning on two signs).
            healthy_from: 85.0,
            at_risk_below: 55.0,
        }
    }
}

impl HealthFormula {
    /// Each setting that cannot be: its key under `portfolio`, what is wrong, how to fix it.
    pub fn problems(&self) -> Vec<(String, String, String)> {
        let mut problems = Vec::new();
        for (key, value) in [
            ("error", self.error),
            ("warning", self.warning),
            ("info", self.info),
            ("per_sign", self.per_sign),
        ] {
            if !(0.0..=100.0).contains(&value) {
                problems.push((
                    format!("portfolio.{key}"),
                    format!("`{key}` of portfolio is {value}, out of range"),
                    "write points off the score of 100, from 0 to 100".to_string(),
                ));
            }
        }
        for (key, value) in [
            ("healthy_from", self.healthy_from),
            ("at_risk_below", self.at_risk_below),
        ] {
            if !(0.0..=100.0).contains(&value) {
                problems.push((
                    format!("portfolio.{key}"),
                    format!("`{key}` of portfolio is {value}, out of range"),
                    "write a score from 0 to 100".to_string(),
                ));
            }
        }
        if problems.is_empty() && self.at_risk_below > self.healthy_from {
            problems.push((
                "portfolio.at_risk_below".to_string(),
                format!(
                    "`at_risk_below` ({}) is above `healthy_from` ({})",
                    self.at_risk_below, self.healthy_from
                ),
                "write an `at_risk_below` at or under `healthy_from`".to_string(),
            ));
        }
        if !(1.0..=1000.0).contains(&self.halving) {
            problems.push((
                "portfolio.halving".to_string(),
                format!("`halving` of portfolio is {}, out of range", self.halving),
                "write the points that halve the score, from 1 to 1000".to_string(),
            ));
        }
        problems
    }

    /// The score of a set of findings: 100 halved for every `halving` points they weigh (see
    /// [`HealthFormula::points`]).
    pub fn score<'a>(&self, findings: impl IntoIterator<Item = &'a Finding>) -> u32 {
        let points = self.points(findings);
        (100.0 * 0.5_f64.powf(points / self.halving.max(1.0)))
            .clamp(0.0, 100.0)
            .round() as u32
    }

    /// What a set of findings weighs: only open ones count, each its severity's points, and
    /// each distinct sign among them `per_sign` more.
    pub fn points<'a>(&self, findings: impl IntoIterator<Item = &'a Finding>) -> f64 {
        let mut off = 0.0;
        let mut signs: Vec<(u8, &str)> = Vec::new();
        for f in findings
            .into_iter()
            .filter(|f| f.acknowledgement == Acknowledgement::Open)
        {
            off += match f.severity {
                Severity::Error => self.error,
                Severity::Warning => self.warning,
                Severity::Info => self.info,
            };
            if !signs.contains(&(f.sign.number, f.sign.name)) {
                signs.push((f.sign.number, f.sign.name));
            }
        }
        off + self.per_sign * signs.len() as f64
    }

    pub fn band(&self, score: u32) -> Band {
        let score = f64::from(score);
        if score >= self.healthy_from {
            Band::Healthy
        } else if score >= self.at_risk_below {
            Band::Watch
        } else {
            Band::AtRisk
        }
    }
}

/// A partnership's health at a glance. Ordered worst first.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    AtRisk,
    Watch,
    Healthy,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Band::AtRisk => "at-risk",
            Band::Watch => "watch",
            Band::Healthy => "healthy",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_formula() {
        let formula = HealthFormula::default();
        assert_eq!(formula.band(100), Band::Healthy);
        assert_eq!(formula.band(85), Band::Healthy);
        assert_eq!(formula.band(84), Band::Watch);
        assert_eq!(formula.band(55), Band::Watch);
        assert_eq!(formula.band(54), Band::AtRisk);
        assert!(Band::AtRisk < Band::Watch && Band::Watch < Band::Healthy);
    }

    /// Open findings of `rule` (`severity`) on `sign`.
    fn open(rule: &'static str, severity: Severity, sign: u8) -> Finding {
        let info = crate::signs::find_rule(rule).map(|r| r.info());
        let mut f = crate::signs::testing::finding_of(rule, "northwind", rule);
        f.severity = severity;
        f.sign = crate::signs::Sign {
            number: sign,
            name: info.map_or("", |i| i.sign.name),
        };
        f
    }

    #[test]
    fn more_trouble_keeps_scoring_lower() {
        // Two errors and three warnings once reached the floor of 0, and so did every
        // partnership in more trouble: now each finding more takes the score lower still.
        let formula = HealthFormula::default();
        let kinds = [
            ("price-cut", Severity::Error, 9),
            ("value-gap", Severity::Error, 1),
            ("targets-missed", Severity::Warning, 2),
            ("tension-rising", Severity::Warning, 3),
            ("scope-drift", Severity::Warning, 10),
            ("late-payment", Severity::Warning, 9),
            ("partner-turnover", Severity::Error, 7),
            ("support-degrading", Severity::Warning, 8),
            ("no-success-metrics", Severity::Warning, 5),
            ("effort-disproportion", Severity::Warning, 12),
        ];
        let findings: Vec<Finding> = kinds.iter().map(|(r, s, n)| open(r, *s, *n)).collect();
        let scores: Vec<u32> = (0..=findings.len())
            .map(|n| formula.score(&findings[..n]))
            .collect();
        assert_eq!(scores[0], 100);
        assert!(scores[5] > 0, "{scores:?}");
        assert!(scores.windows(2).all(|w| w[0] > w[1]), "{scores:?}");
        // The sentence the portfolio prints: 100 halved for every 50 points, 25 per error,
        // 10 per warning, 5 per sign. Two errors and three warnings on five signs weigh 105.
        let points = 2.0 * 25.0 + 3.0 * 10.0 + 5.0 * 5.0;
        assert_eq!(formula.points(&findings[..5]), points);
        assert_eq!(
            scores[5],
            (100.0 * 0.5_f64.powf(points / 50.0)).round() as u32
        );
    }
}
