//! The twelve warning signs: rules that read a partnership's timeline and return findings.
//! A rule is a pure function of a timeline, its settings and "now"; it never touches git.
//! [`analyse`] runs the catalog, re-grades, applies acknowledgements and sorts.

pub mod finding;
pub mod rules;
pub mod settings;
pub mod vocabulary;

#[cfg(test)]
mod docs;
#[cfg(test)]
mod samples;
#[cfg(test)]
pub(crate) mod testing;

use rayon::prelude::*;

use crate::ledger::{Date, Ladder, Snapshot, Timeline, Version, parse, yaml};

pub use finding::{
    Acknowledgement, Evidence, Finding, Fingerprint, Location, Measure, Movement, Severity, Sign,
    Worse,
};
pub use settings::{Settings, Vocabulary};

/// One configuration key of a rule, for `rapport explain`.
#[derive(Debug, serde::Serialize)]
pub struct SettingDoc {
    pub key: &'static str,
    pub default: &'static str,
    pub meaning: &'static str,
}

/// A rule's documentation, in the style of lint catalogs: one place says what it detects, why
/// it matters, an example, how to fix it and how to configure it.
#[derive(Debug, serde::Serialize)]
pub struct RuleInfo {
    /// Stable id, such as `payment-terms-slip`.
    pub id: &'static str,
    pub sign: Sign,
    /// One line.
    pub title: &'static str,
    pub default_severity: Severity,
    /// Whether some findings are raised to `error` (the `detects` text says when).
    pub escalates: bool,
    /// What it detects, with the exact interpretation of its thresholds.
    pub detects: &'static str,
    /// Why it matters: the sign behind it.
    pub why: &'static str,
    /// A history that triggers it.
    pub example: &'static str,
    /// How to fix it; also each finding's remedy.
    pub fix: &'static str,
    /// Its keys under `rules.<id>` in rapport.yaml (besides `enabled` and `severity`).
    pub settings: &'static [SettingDoc],
}

/// A rule: a pure function from a partnership's timeline to findings.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding>;
}

/// What every rule reads besides the timeline.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The date of the analysis: the analysed revision's commit date, or `--as-of`.
    pub now: Date,
    pub settings: &'a Settings,
    pub ladder: &'a Ladder,
    pub vocabulary: &'a Vocabulary,
}

/// The signs, numbered as in the catalogue; 0 is the ledger's own hygiene.
pub mod sign {
    use super::Sign;

    const fn s(number: u8, name: &'static str) -> Sign {
        Sign { number, name }
    }
    pub const HYGIENE: Sign = s(0, "ledger hygiene");
    pub const VALUE: Sign = s(1, "the value does not show");
    pub const GOALS: Sign = s(2, "goals missed");
    pub const TENSION: Sign = s(3, "tension shows");
    pub const SATISFACTION: Sign = s(4, "unhappy although the contract is delivered");
    pub const METRICS: Sign = s(5, "no metrics define success");
    pub const VENDOR: Sign = s(6, "the solution serves the seller");
    pub const PARTNER: Sign = s(7, "partner dysfunction");
    pub const SUPPORT: Sign = s(8, "support is weak and error-prone");
    pub const PAYMENTS: Sign = s(9, "payments delayed, terms stretched, prices cut");
    pub const SCOPE: Sign = s(10, "the scope is unclear");
    pub const COMMUNICATION: Sign = s(11, "communication breaks down");
    pub const EFFORT: Sign = s(12, "too much time for what it returns");
}

/// Every rule, ordered by sign then id.
pub fn catalog() -> &'static [&'static dyn Rule] {
    use rules::*;
    static CATALOG: &[&dyn Rule] = &[
        &acknowledgements::StaleAcknowledgement,
        &value::ValueGap,
        &goals::NoEarlyWins,
        &goals::PlanNotAgreed,
        &goals::TargetsMissed,
        &tension::TensionRising,
        &satisfaction::SatisfactionDecline,
        &metrics::NoSuccessMetrics,
        &vendor::VendorCentric,
        &partner::PartnerDistress,
        &partner::PartnerTurnover,
        &partner::PartnerUnresponsive,
        &support::SupportDegrading,
        &payments::LatePayment,
        &payments::PaymentTermsSlip,
        &payments::PriceCut,
        &scope::ScopeDrift,
        &scope::ScopeUndefined,
        &communication::ContactDowngrade,
        &communication::MeetingCadenceDrop,
        &effort::EffortDisproportion,
    ];
    CATALOG
}

/// The rule with this id.
pub fn find_rule(id: &str) -> Option<&'static dyn Rule> {
    catalog().iter().copied().find(|r| r.info().id == id)
}

/// Runs every enabled rule over every present partnership, then re-grades findings as
/// configured, applies the current `acknowledged` entries, points each finding at its line in
/// the current file, and sorts (partnership, severity worst first, rule, subject).
///
/// `source` returns the text of a file at the analysed revision (the current version's path);
/// without it findings point at line 1 of their field.
pub fn analyse(
    timelines: &[Timeline],
    cx: &Context,
    source: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = timelines
        .par_iter()
        .flat_map_iter(|timeline| analyse_one(timeline, cx, source))
        .collect();
    sort(&mut findings);
    findings
}

/// Puts findings in report order: by partnership, the most severe first, then by rule and
/// subject. [`analyse`] returns them so; findings gathered a partnership at a time are sorted
/// with this.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.location.partnership, b.severity, a.rule, &a.subject).cmp(&(
            &b.location.partnership,
            a.severity,
            b.rule,
            &b.subject,
        ))
    });
}

fn analyse_one(
    timeline: &Timeline,
    cx: &Context,
    source: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Vec<Finding> {
    let Some(current) = timeline.current() else {
        // Removed or invalid at the end of history: nothing to analyse.
        return Vec::new();
    };
    let mut findings = Vec::new();
    for rule in catalog() {
        let id = rule.info().id;
        if id == rules::acknowledgements::ID {
            continue;
        }
        let switch = cx.settings.switch(id);
        if !switch.enabled {
            continue;
        }
        for mut finding in rule.check(timeline, cx) {
            if let Some(severity) = switch.severity {
                finding.severity = severity;
            }
            findings.push(finding);
        }
    }
    rules::acknowledgements::apply(current, &mut findings, cx);
    // Point each finding at the line of its field: one reading of the front matter per file.
    if findings
        .iter()
        .any(|f| f.location.line <= 1 && f.path.is_some())
    {
        let text = source(&current.path);
        let located = text.as_deref().and_then(parse::split).and_then(|front| {
            let tree = yaml::parse_tree(front.front).ok()?;
            Some((yaml::PathIndex::build(&tree), front.front_line))
        });
        if let Some((index, first_line)) = located {
            for finding in findings.iter_mut().filter(|f| f.location.line <= 1) {
                if let Some((line, _)) = finding.path.as_deref().and_then(|path| index.locate(path))
                {
                    finding.location.line = line + first_line - 1;
                }
            }
        }
    }
    findings
}

/// Starts a finding of `info` in `snapshot` with its default severity.
pub fn finding(
    info: &'static RuleInfo,
    snapshot: &Snapshot,
    subject: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    let subject = subject.into();
    Finding {
        rule: info.id,
        sign: info.sign,
        severity: info.default_severity,
        location: Location {
            partnership: snapshot.id.clone(),
            name: snapshot.front.partner.clone(),
            file: snapshot.path.clone(),
            line: 1,
        },
        fingerprint: Fingerprint::new(info.id, &snapshot.id, &subject),
        subject,
        path: None,
        message: message.into(),
        evidence: Vec::new(),
        measure: None,
        remedy: info.fix,
        acknowledgement: Acknowledgement::Open,
    }
}

impl Finding {
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    /// Points at a front matter field, such as `terms.payment_days` or `kpis[0].actual`.
    pub fn at_path(mut self, path: impl Into<String>) -> Finding {
        self.path = Some(path.into());
        self
    }

    /// Points at a line of the body (a meeting heading, an action item).
    pub fn at_line(mut self, line: usize) -> Finding {
        self.location.line = line;
        self
    }

    pub fn evidence(mut self, evidence: Vec<Evidence>) -> Finding {
        self.evidence = evidence;
        self
    }

    /// The number the finding is about (see [`Measure`]).
    pub fn measure(mut self, measure: Measure) -> Finding {
        self.measure = Some(measure);
        self
    }
}

impl Evidence {
    /// A fact observed in a version of the file.
    pub fn of(version: &Version, observed: impl Into<String>, value: Option<f64>) -> Evidence {
        Evidence {
            date: version.date(),
            commit: Some(version.commit.short.clone()).filter(|s| !s.is_empty()),
            observed: observed.into(),
            value,
        }
    }

    /// A fact first seen in a commit, known by its date and short id.
    pub fn in_commit(
        date: Date,
        commit: &str,
        observed: impl Into<String>,
        value: Option<f64>,
    ) -> Evidence {
        Evidence {
            date,
            commit: Some(commit.to_string()).filter(|s| !s.is_empty()),
            observed: observed.into(),
            value,
        }
    }

    /// A fact carrying its own date (a meeting, an invoice, an event).
    pub fn dated(date: Date, observed: impl Into<String>, value: Option<f64>) -> Evidence {
        Evidence {
            date,
            commit: None,
            observed: observed.into(),
            value,
        }
    }
}

/// Numbers as people read them in messages: `150,000`, `4.5`, `0.41`.
/// `EUR ` when the terms name a currency, to put before amounts; empty otherwise.
pub fn currency_prefix(snapshot: &crate::ledger::Snapshot) -> String {
    snapshot
        .front
        .terms
        .as_ref()
        .and_then(|t| t.currency.as_deref())
        .map(|c| format!("{c} "))
        .unwrap_or_default()
}

pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.fract().abs() < 1e-9 {
        let digits = format!("{:.0}", value.abs());
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if value < 0.0 {
            grouped.insert(0, '-');
        }
        grouped
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A percentage without decimals: `0.23` → `23%`.
pub fn percent(ratio: f64) -> String {
    format!("{:.0}%", ratio * 100.0)
}

/// Whole calendar months from `from` to `to` (0 when under a month).
pub fn months_between(from: Date, to: Date) -> i64 {
    use chrono::Datelike;
    let (a, b) = (from.0, to.0);
    let mut months =
        i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month());
    if b.day() < a.day() {
        months -= 1;
    }
    months.max(0)
}

/// `in 7 months`, `in 1 month`, `in 12 days`.
pub fn span(from: Date, to: Date) -> String {
    let months = months_between(from, to);
    if months >= 1 {
        format!("in {months} month{}", if months == 1 { "" } else { "s" })
    } else {
        let days = from.days_until(to);
        format!("in {days} day{}", if days == 1 { "" } else { "s" })
    }
}

/// The median of some numbers (`None` when there are none).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(150000.0), "150,000");
        assert_eq!(number(-1234567.0), "-1,234,567");
        assert_eq!(number(4.5), "4.5");
        assert_eq!(number(0.0), "0");
        assert_eq!(percent(0.225), "22%");
    }

    #[test]
    fn months_are_calendar_months() {
        let d = |s: &str| Date::parse(s).unwrap();
        assert_eq!(months_between(d("2024-01-15"), d("2024-08-14")), 6);
        assert_eq!(months_between(d("2024-01-15"), d("2024-08-15")), 7);
        assert_eq!(span(d("2024-01-15"), d("2024-01-27")), "in 12 days");
    }

    #[test]
    fn catalog_is_ordered_and_unique() {
        let ids: Vec<(u8, &str)> = catalog()
            .iter()
            .map(|r| (r.info().sign.number, r.info().id))
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert_eq!(ids.len(), 21);
    }
}
