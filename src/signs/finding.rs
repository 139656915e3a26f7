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

/// What a masked value is shown as.
pub const REDACTED: &str = "[redacted]";

/// A number, date or word a finding states, with the front matter field it was read from: text
/// and Markdown render the sentence from it, charts read it without parsing the sentence, and
/// redaction masks it by its field.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Fact {
    /// Its name in the sentence: `revenue` stands for `{revenue}`.
    pub name: String,
    #[serde(flatten)]
    pub value: FactValue,
    /// The field it was read from (`money.revenue`); none for a number derived from several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The fields a derived value was computed from (a notice deadline from `terms.renewal`
    /// and `terms.notice_days`): it tells them, so it is masked when any of them is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub derived_from: Vec<String>,
}

/// The value of a [`Fact`], and how the sentence writes it.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum FactValue {
    /// `150,000`.
    Number(f64),
    /// A multiple with two decimals: `0.13`.
    Ratio(f64),
    /// A rate or multiple with one decimal: `2.9`, `2.0`.
    Rate(f64),
    /// A fraction written as a percentage: `0.47` is `47%`.
    Percent(f64),
    Date(Date),
    /// Words from the ledger, such as a currency.
    Text(String),
    /// Masked by `redact` in rapport.yaml.
    Redacted,
}

impl Fact {
    pub fn new(name: &str, value: FactValue) -> Fact {
        Fact {
            name: name.to_string(),
            value,
            field: None,
            derived_from: Vec::new(),
        }
    }

    /// The fact was computed from `fields`, and tells their values.
    pub fn derived(mut self, fields: &[&str]) -> Fact {
        self.derived_from = fields.iter().map(|f| f.to_string()).collect();
        self
    }

    /// Whether a field `redacted` covers is the one it was read from or one it was derived from.
    pub fn is_redacted(&self, redacted: &dyn Fn(&str) -> bool) -> bool {
        self.field.as_deref().is_some_and(redacted) || self.derived_from.iter().any(|f| redacted(f))
    }

    /// The number it states, if it is one.
    pub fn number(&self) -> Option<f64> {
        match self.value {
            FactValue::Number(n)
            | FactValue::Ratio(n)
            | FactValue::Rate(n)
            | FactValue::Percent(n) => Some(n),
            _ => None,
        }
    }

    /// The fact was read from `field` (a front matter path such as `money.revenue`).
    pub fn of(mut self, field: &str) -> Fact {
        self.field = Some(field.to_string());
        self
    }

    fn render(&self) -> String {
        use crate::numbers;
        match &self.value {
            FactValue::Number(n) => numbers::prose(*n),
            FactValue::Ratio(n) => numbers::two_decimals(*n),
            FactValue::Rate(n) => numbers::one_decimal(*n),
            FactValue::Percent(n) => numbers::percent(*n),
            FactValue::Date(d) => d.to_string(),
            FactValue::Text(t) => t.clone(),
            FactValue::Redacted => REDACTED.to_string(),
        }
    }
}

/// A sentence with `{name}` where each fact goes: the facts are the data, the sentence is how
/// text and Markdown show them. A fact's value is never read as a template, so ledger text in a
/// fact cannot inject one.
pub fn render(template: &str, facts: &[Fact]) -> String {
    let mut out = String::with_capacity(template.len() + 16 * facts.len());
    // Each placeholder is looked up by name once: a linear search per placeholder would make
    // a sentence of thousands of facts quadratic.
    let by_name: std::collections::HashMap<&str, &Fact> = facts
        .iter()
        .rev()
        .map(|fact| (fact.name.as_str(), fact))
        .collect();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let fact = after
            .find('}')
            .and_then(|close| Some((close, *by_name.get(&after[..close])?)));
        match fact {
            Some((close, fact)) => {
                out.push_str(&fact.render());
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// How many items a sentence lists before "and N more", and how many pieces of evidence a
/// finding keeps before one saying how many more there are: a file may hold tens of thousands
/// of action items, and every report of them must stay readable and small.
pub const LISTED: usize = 10;
pub const EVIDENCE: usize = 50;

/// The items of a sentence's list joined by `separator`: the first [`LISTED`], then `and N
/// more`. The items are templates; the facts of those left out are not stated.
pub fn list(items: &[String], separator: &str) -> String {
    if items.len() <= LISTED {
        return items.join(separator);
    }
    format!(
        "{}{separator}and {} more",
        items[..LISTED].join(separator),
        crate::numbers::prose((items.len() - LISTED) as f64)
    )
}

/// The facts, less those of the items a bounded list left out: numbered facts (`item12`,
/// `id3_0`) the template does not name. Facts without a number are kept stated or not: charts
/// read some the sentence does not show.
pub(crate) fn stated(template: &str, facts: Vec<Fact>) -> Vec<Fact> {
    let mut named = std::collections::HashSet::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                named.insert(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    facts
        .into_iter()
        .filter(|fact| {
            named.contains(fact.name.as_str()) || !fact.name.bytes().any(|b| b.is_ascii_digit())
        })
        .collect()
}

/// Masks the facts read from a field `redacted` covers; whether any was.
pub fn mask(facts: &mut [Fact], redacted: &dyn Fn(&str) -> bool) -> bool {
    let mut masked = false;
    for fact in facts {
        if fact.is_redacted(redacted) {
            fact.value = FactValue::Redacted;
            masked = true;
        }
    }
    masked
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
    /// The numbers `observed` states, with their fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    /// `observed` with `{name}` where each fact goes; `None` when it states no facts.
    #[serde(skip)]
    #[schemars(skip)]
    pub template: Option<String>,
    /// The field `value` was read from, masked with it.
    #[serde(skip)]
    #[schemars(skip)]
    pub value_field: Option<String>,
    /// The fields `date` was read or derived from (a renewal date): the date tells them, so
    /// the evidence is left out when any of them is redacted.
    #[serde(skip)]
    #[schemars(skip)]
    pub date_from: Vec<String>,
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
    /// The numbers, dates and words `message` states, with the fields they were read from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    /// `message` with `{name}` where each fact goes; `None` when it states no facts.
    #[serde(skip)]
    pub template: Option<String>,
    pub evidence: Vec<Evidence>,
    /// The number the finding is about, for telling worse from better between two analyses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
    pub remedy: &'static str,
    pub fingerprint: Fingerprint,
    pub acknowledgement: Acknowledgement,
    /// When it began: the first version from which it has held without a break up to now
    /// (set by [`analyse`](super::analyse); `None` for a rule run on its own).
    pub since: Option<Since>,
}

/// When a finding began: the date and commit of the first version from which it has held, by
/// fingerprint, without a break up to now. A finding that time alone brought (an item fell
/// overdue) is dated the day it began, with the commit of the version then in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Since {
    pub date: Date,
    /// Abbreviated id of the version's commit; none for uncommitted changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}
