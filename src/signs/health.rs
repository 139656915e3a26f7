//! The health formula: a partnership's score (0 to 100) and band from its open findings, as
//! configured under `portfolio` in `rapport.yaml`. A pure function of findings, so the same
//! formula scores a partnership now and at any past date.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Acknowledgement, Finding, Severity};

/// The health formula, under `portfolio` in `rapport.yaml`. A partnership starts at 100; each
/// open finding takes its severity's weight off, and each distinct sign with an open finding
/// takes `per_sign` more (trouble on several fronts is worse than the same trouble twice).
/// Acknowledged findings take nothing off: they are shown apart. The score never goes below 0.
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
            healthy_from: 90.0,
            at_risk_below: 60.0,
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
        problems
    }

    /// The score of a set of findings: only open ones count.
    pub fn score<'a>(&self, findings: impl IntoIterator<Item = &'a Finding>) -> u32 {
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
        off += self.per_sign * signs.len() as f64;
        (100.0 - off).clamp(0.0, 100.0).round() as u32
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
        assert_eq!(formula.band(90), Band::Healthy);
        assert_eq!(formula.band(85), Band::Watch);
        assert_eq!(formula.band(60), Band::Watch);
        assert_eq!(formula.band(59), Band::AtRisk);
        assert!(Band::AtRisk < Band::Watch && Band::Watch < Band::Healthy);
    }
}
