//! A finding: one warning sign in one partnership, with the evidence a person can check, the
//! remedy, and a fingerprint that stays the same while the sign stays the same.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ledger::Date;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of the twelve warning signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Sign {
    /// 1 to 12, in the order of the catalogue.
    pub number: u8,
    pub name: &'static str,
}

/// Identity of a finding across revisions: rule, partnership and subject (a KPI id, a contact, a
/// field), never line numbers or wording. Shown as a short hex digest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Fingerprint(pub String);

impl Fingerprint {
    pub fn new(rule: &str, partnership: &str, subject: &str) -> Fingerprint {
        // FNV-1a, 64-bit: stable across platforms and releases, unlike std's hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in rule
            .bytes()
            .chain([0])
            .chain(partnership.bytes())
            .chain([0])
            .chain(subject.bytes())
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Fingerprint(format!("{hash:016x}"))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One fact behind a finding: a version (or dated field) and the value it showed.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Evidence {
    pub date: Date,
    /// Abbreviated commit id, when the fact comes from a version in history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// What was observed, such as `terms.payment_days = 60`.
    pub observed: String,
    /// A number behind the fact, for charts (payment days, a KPI's actual).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// Where a finding points: the partnership and the line of the field or meeting that shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Location {
    pub partnership: String,
    pub name: String,
    pub file: String,
    /// 1-based line in the file at the analysed revision; 1 when nothing more precise exists.
    pub line: usize,
}

/// Which way a measure gets worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Worse {
    /// More is worse: payment days, SLA breaches, hours spent.
    Higher,
    /// Less is worse: a KPI's actual, a satisfaction score, a price.
    Lower,
}

/// The number a finding is about, so two analyses of the same finding can tell whether it got
/// worse or better, and a chart can draw it against its target.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Measure {
    /// What is measured, such as `terms.payment_days` or `kpis.sourced-pipeline.actual`.
    pub name: String,
    pub value: f64,
    pub worse: Worse,
    /// The value the partnership should reach (a KPI's or SLA's target), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
}

/// How a measure moved between two analyses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Movement {
    Worse,
    Better,
    Same,
}

impl Measure {
    /// A measure of `name` at `value`, worse when it moves the `worse` way.
    pub fn new(name: impl Into<String>, value: f64, worse: Worse) -> Measure {
        Measure {
            name: name.into(),
            value,
            worse,
            target: None,
        }
    }

    pub fn target(mut self, target: Option<f64>) -> Measure {
        self.target = target;
        self
    }

    /// How this measure moved since `before`; measures of different things are the same.
    pub fn since(&self, before: &Measure) -> Movement {
        let scale = self.value.abs().max(before.value.abs()).max(1.0);
        if self.name != before.name || (self.value - before.value).abs() <= scale * 1e-9 {
            return Movement::Same;
        }
        let higher = self.value > before.value;
        match (self.worse, higher) {
            (Worse::Higher, true) | (Worse::Lower, false) => Movement::Worse,
            _ => Movement::Better,
        }
    }
}

/// Whether the team has accepted the finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Acknowledgement {
    Open,
    Acknowledged { reason: String, until: Option<Date> },
}

/// One warning sign found in one partnership.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub sign: Sign,
    pub severity: Severity,
    pub location: Location,
    /// What the finding is about inside the partnership (`terms.payment_days`, a KPI id, a
    /// contact's name); part of the fingerprint.
    pub subject: String,
    /// The field path to point at (`terms.payment_days`, `kpis[0].actual`), if any.
    #[serde(skip)]
    pub path: Option<String>,
    /// One line with the numbers: `payment terms went from net-30 to net-180 in 7 months`.
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// The number the finding is about, for telling worse from better between two analyses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
    pub remedy: &'static str,
    pub fingerprint: Fingerprint,
    pub acknowledgement: Acknowledgement,
}
