//! The portfolio: every partnership's health band and score from its open findings, the same
//! score at each of the last twelve month-ends (its trend), its next renewal or notice deadline,
//! and the numeric series a page draws. Built on one [`Analysis`]; the month-end scores come
//! from findings derived once per version, never from an analysis per month.

use std::collections::BTreeMap;

use chrono::Datelike;
use schemars::JsonSchema;
use serde::Serialize;

use super::Analysis;
use super::redact::is_redacted;
use crate::config::Config;
use crate::ledger::changes::series;
use crate::ledger::model::{Better, Status};
use crate::ledger::{Content, Date, Timeline};
use crate::signs::health::Band;
use crate::signs::rules::renewal::Deadline;
use crate::signs::{Acknowledgement, Finding, Severity};

/// How many month-ends the trend covers.
pub const MONTHS: usize = 12;

/// Every partnership of a ledger, worst first.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Portfolio {
    /// "Now" of the analysis.
    pub as_of: Date,
    /// The month-ends the trends are scored at, oldest first (the last one on or before now).
    pub months: Vec<Date>,
    pub formula: crate::signs::health::HealthFormula,
    pub partnerships: Vec<Health>,
    /// Partnership files that do not parse now: not scored, listed so none goes unseen.
    pub invalid: Vec<String>,
}

/// One partnership's health.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Health {
    pub id: String,
    pub partner: String,
    pub owner: String,
    pub file: String,
    pub status: Status,
    pub band: Band,
    /// 0 to 100 (see `formula`).
    pub score: u32,
    /// The score at each of `months` (`null` before the partnership's first valid version).
    pub trend: Vec<Option<u32>>,
    /// The score now minus the score at the month-end three months back: negative is worse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<i64>,
    /// The next renewal or notice deadline, when `terms.renewal` is ahead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal: Option<Renewal>,
    /// Open findings by severity.
    pub open: Counts,
    /// The signs with open findings, worst first.
    pub signs: Vec<SignHealth>,
    /// The open findings, worst first, each with the date it first shows in the evidence.
    pub findings: Vec<Marked>,
    /// Findings the team acknowledged: shown apart, not scored.
    pub acknowledged: Vec<Marked>,
    /// Numeric series for charts: payment days, price, KPI attainment (percent of target,
    /// direction-aware), satisfaction. Redacted fields are left out.
    pub series: Vec<Points>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

/// The next deadline of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Renewal {
    pub renewal: Date,
    /// `renewal` minus `terms.notice_days`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<Date>,
    /// The next deadline: the notice deadline while it is ahead, else the renewal.
    pub deadline: Date,
    /// `notice` or `renewal`.
    pub kind: &'static str,
    pub days_left: i64,
}

/// A sign with open findings in one partnership.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct SignHealth {
    /// 1 to 12; 0 for the ledger's own hygiene and the renewal.
    pub number: u8,
    pub name: String,
    /// The worst open finding's severity.
    pub severity: Severity,
    pub rules: Vec<String>,
}

/// A finding placed on the time axis.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Marked {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub fingerprint: String,
    /// When it began: the date of the first version from which it has held without a break
    /// (see [`Finding::since`]).
    pub since: Date,
    /// That version's abbreviated commit id, when it is committed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// A numeric series: `(date, value)` points, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Points {
    /// Such as `terms.payment_days`, `kpis.pipeline.attainment`, `satisfaction.score`.
    pub name: String,
    pub points: Vec<(Date, f64)>,
}

/// Where one partnership stands now: scored, or left out because its file does not parse.
#[derive(Clone, Debug)]
pub enum Standing {
    Scored(Box<Health>),
    /// The file that does not parse now.
    Invalid(String),
}

/// Where one partnership stands, from its history and its findings now (redacted). Called
/// while its history is at hand, so the trends cost no second reading of the ledger.
pub fn standing(
    timeline: &Timeline,
    findings: &[Finding],
    config: &Config,
    now: Date,
) -> Option<Standing> {
    if let Some(last) = timeline.last()
        && matches!(last.content, Content::Invalid { .. })
    {
        return Some(Standing::Invalid(last.path.clone()));
    }
    let current = timeline.current()?;
    let months = month_ends(now, MONTHS);
    let findings: Vec<&Finding> = findings.iter().collect();
    Some(Standing::Scored(Box::new(health(
        timeline, current, &findings, config, now, &months,
    ))))
}

/// The portfolio of a ledger analysed with [`Request::health`](super::Request::health) set.
pub fn portfolio(analysis: &Analysis) -> Portfolio {
    let now = analysis.now;
    let mut partnerships: Vec<Health> = Vec::new();
    let mut invalid: Vec<String> = Vec::new();
    for standing in &analysis.standings {
        match standing {
            Standing::Scored(health) => partnerships.push((**health).clone()),
            Standing::Invalid(path) => invalid.push(path.clone()),
        }
    }
    // Worst first; at the same score (0 is a floor), more errors, then more warnings, first.
    partnerships.sort_by(|a, b| {
        (a.band, a.score, b.open.error, b.open.warning, &a.id).cmp(&(
            b.band,
            b.score,
            a.open.error,
            a.open.warning,
            &b.id,
        ))
    });
    invalid.sort();
    Portfolio {
        as_of: now,
        months: month_ends(now, MONTHS),
        formula: analysis.config.portfolio.clone(),
        partnerships,
        invalid,
    }
}

fn health(
    timeline: &Timeline,
    current: &crate::ledger::Snapshot,
    findings: &[&Finding],
    config: &Config,
    now: Date,
    months: &[Date],
) -> Health {
    let formula = &config.portfolio;
    let score = formula.score(findings.iter().copied());
    let trend = trend(timeline, config, months);
    let change = trend
        .len()
        .checked_sub(4)
        .and_then(|i| trend.get(i).copied().flatten())
        .map(|then| i64::from(score) - i64::from(then));
    let open: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| f.acknowledgement == Acknowledgement::Open)
        .collect();
    let mut counts = Counts::default();
    for f in &open {
        match f.severity {
            Severity::Error => counts.error += 1,
            Severity::Warning => counts.warning += 1,
            Severity::Info => counts.info += 1,
        }
    }
    let mut signs: Vec<SignHealth> = Vec::new();
    for f in &open {
        match signs
            .iter_mut()
            .find(|s| s.number == f.sign.number && s.name == f.sign.name)
        {
            Some(sign) => {
                sign.severity = sign.severity.max(f.severity);
                if !sign.rules.iter().any(|r| r == f.rule) {
                    sign.rules.push(f.rule.to_string());
                }
            }
            None => signs.push(SignHealth {
                number: f.sign.number,
                name: f.sign.name.to_string(),
                severity: f.severity,
                rules: vec![f.rule.to_string()],
            }),
        }
    }
    signs.sort_by(|a, b| {
        (b.severity, b.rules.len(), a.number).cmp(&(a.severity, a.rules.len(), b.number))
    });
    let marked = |f: &&Finding| Marked {
        rule: f.rule.to_string(),
        severity: f.severity,
        message: f.message.clone(),
        fingerprint: f.fingerprint.0.clone(),
        since: f.since.as_ref().map_or(now, |s| s.date).min(now),
        commit: f.since.as_ref().and_then(|s| s.commit.clone()),
    };
    let mut marked_open: Vec<Marked> = open.iter().map(marked).collect();
    marked_open.sort_by(|a, b| (b.severity, a.since).cmp(&(a.severity, b.since)));
    let acknowledged = findings
        .iter()
        .filter(|f| f.acknowledgement != Acknowledgement::Open)
        .map(marked)
        .collect();
    // The deadline shows the dates: not when either is redacted.
    let secret = ["terms.renewal", "terms.notice_days"]
        .iter()
        .any(|field| is_redacted(field, &config.redact));
    let renewal = Deadline::of(current, now)
        .filter(|_| !secret)
        .map(|d| Renewal {
            renewal: d.renewal,
            notice: d.notice,
            deadline: d.date(),
            kind: if d.is_notice { "notice" } else { "renewal" },
            days_left: d.days_left,
        });
    Health {
        id: timeline.id.clone(),
        partner: current.front.partner.clone(),
        owner: current.front.owner.clone(),
        file: current.path.clone(),
        status: current.front.status,
        band: formula.band(score),
        score,
        trend,
        change,
        renewal,
        open: counts,
        signs,
        findings: marked_open,
        acknowledged,
        series: chart_series(timeline, &config.redact),
    }
}

/// The score at each month-end: that of the last valid version dated on or before it, from the
/// findings of the history up to that version as of its date (as `rapport timeline` shows them).
/// Each version is analysed once however many month-ends it stands for, so the cost follows
/// the versions, not the months. A sign that grows with time alone (a silence, an overdue item)
/// shows from the next version on; the current score is as of now.
fn trend(timeline: &Timeline, config: &Config, months: &[Date]) -> Vec<Option<u32>> {
    let in_force: Vec<Option<usize>> = months
        .iter()
        .map(|&end| {
            timeline
                .versions
                .iter()
                .rposition(|v| v.date() <= end)
                .filter(|&i| timeline.versions[i].snapshot().is_some())
        })
        .collect();
    let mut scores: BTreeMap<usize, u32> = BTreeMap::new();
    for index in in_force.iter().flatten() {
        if scores.contains_key(index) {
            continue;
        }
        let upto = timeline.upto(*index);
        let date = timeline.versions[*index].date();
        let findings = super::findings_as_of(std::slice::from_ref(&upto), config, date);
        scores.insert(*index, config.portfolio.score(&findings));
    }
    in_force
        .iter()
        .map(|i| i.and_then(|i| scores.get(&i).copied()))
        .collect()
}

/// The last `count` month-ends on or before `now`, oldest first.
pub fn month_ends(now: Date, count: usize) -> Vec<Date> {
    let mut ends = Vec::with_capacity(count);
    // The first of now's month, then back a month at a time: the day before each first.
    let mut first = now.0.with_day(1).unwrap_or(now.0);
    if is_month_end(now) {
        ends.push(now);
    }
    while ends.len() < count {
        let Some(end) = first.pred_opt() else {
            break;
        };
        ends.push(Date(end));
        first = end.with_day(1).unwrap_or(end);
    }
    ends.reverse();
    ends
}

fn is_month_end(date: Date) -> bool {
    date.0.succ_opt().is_none_or(|next| next.day() == 1)
}

/// The series a page draws: payment days, price, satisfaction, and each KPI's attainment in
/// percent of its target (direction-aware, so 100 is on target either way). A redacted field's
/// series is left out, and an attainment when the KPI's actual or target is redacted.
fn chart_series(timeline: &Timeline, redact: &[String]) -> Vec<Points> {
    let mut all = series(timeline);
    all.retain(|s| {
        matches!(
            s.name.as_str(),
            "terms.payment_days" | "terms.price" | "satisfaction.score"
        )
    });
    let mut kpis: BTreeMap<String, Vec<(Date, f64)>> = BTreeMap::new();
    for (version, snapshot) in timeline.valid() {
        for kpi in &snapshot.front.kpis {
            let (Some(actual), Some(target)) = (kpi.actual, kpi.target) else {
                continue;
            };
            let ratio = match kpi.better {
                Better::Higher if target != 0.0 => actual / target,
                Better::Lower if actual != 0.0 => target / actual,
                _ => continue,
            };
            if !ratio.is_finite() {
                continue;
            }
            let points = kpis.entry(kpi.id.clone()).or_default();
            let point = (
                kpi.as_of.unwrap_or(version.date()),
                (ratio * 1000.0).round() / 10.0,
            );
            if points.last() != Some(&point) {
                points.push(point);
            }
        }
    }
    for (id, mut points) in kpis {
        points.sort_by_key(|(date, _)| *date);
        points.dedup_by_key(|(date, _)| *date);
        // Hidden when the actual or the target is.
        let hidden = |field: &str| is_redacted(&format!("kpis.{id}.{field}"), redact);
        if !hidden("actual") && !hidden("target") {
            all.push(crate::ledger::changes::Series {
                name: format!("kpis.{id}.attainment"),
                points,
            });
        }
    }
    super::redact::redact_series(&mut all, redact);
    all.into_iter()
        .map(|s| Points {
            name: s.name,
            points: s.points,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).expect("a date")
    }

    #[test]
    fn month_ends_are_the_last_days_of_the_months_before_now() {
        let ends = month_ends(d("2025-06-30"), 3);
        assert_eq!(
            ends,
            vec![d("2025-04-30"), d("2025-05-31"), d("2025-06-30")]
        );
        let ends = month_ends(d("2025-03-15"), 3);
        assert_eq!(
            ends,
            vec![d("2024-12-31"), d("2025-01-31"), d("2025-02-28")]
        );
    }
}
