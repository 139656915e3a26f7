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
    pub remedy: &'static str,
    pub fingerprint: Fingerprint,
    pub acknowledgement: Acknowledgement,
}
