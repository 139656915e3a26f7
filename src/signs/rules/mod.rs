//! The rules, one file per sign (or group of signs), each rule a unit struct with its
//! documentation next to its code.

pub mod acknowledgements;
pub mod communication;
pub mod effort;
pub mod goals;
pub mod metrics;
pub mod partner;
pub mod payments;
pub mod renewal;
pub mod satisfaction;
pub mod scope;
pub mod support;
pub mod tension;
pub mod value;
pub mod vendor;

use crate::ledger::model::{Better, Metric};
use crate::ledger::{Date, Snapshot, Timeline, Version};
use crate::signs::{Fact, FactValue, Measure, Worse};

/// Valid versions dated on or before `now`, oldest first: the history as it stood at `now`.
pub(crate) fn history(timeline: &Timeline, now: Date) -> Vec<(&Version, &Snapshot)> {
    timeline.valid().filter(|(v, _)| v.date() <= now).collect()
}

/// Each valid version dated on or before `now` with the valid version it descends from (see
/// [`Timeline::pairs`]), oldest first: what a rule comparing a version with the one before it
/// reads, so that two merged branches are never compared with each other.
pub(crate) fn pairs(
    timeline: &Timeline,
    now: Date,
) -> impl Iterator<Item = ((&Version, &Snapshot), (&Version, &Snapshot))> {
    timeline.pairs().filter(move |(_, (v, _))| v.date() <= now)
}

/// A value at each valid version dated on or before `now` that has it, with the value at the
/// nearest version it descends from that has it (`None` when none does), oldest first.
pub(crate) type Descent<'a, T> = (Option<(&'a Version, T)>, (&'a Version, T));

pub(crate) fn descents<'a, T: Clone>(
    timeline: &'a Timeline,
    now: Date,
    value: impl Fn(&'a Snapshot) -> Option<T>,
) -> Vec<Descent<'a, T>> {
    let versions = &timeline.versions;
    // For each version, the nearest version at or before it in its descent with a value.
    let mut holder: Vec<Option<(usize, T)>> = Vec::with_capacity(versions.len());
    let mut out = Vec::new();
    for (i, version) in versions.iter().enumerate() {
        let inherited = version
            .parent
            .filter(|p| *p < i)
            .and_then(|p| holder.get(p).cloned().flatten());
        let own = version
            .snapshot()
            .filter(|_| version.date() <= now)
            .and_then(&value);
        match own {
            Some(x) => {
                let before = inherited.and_then(|(j, y)| Some((versions.get(j)?, y)));
                out.push((before, (version, x.clone())));
                holder.push(Some((i, x)));
            }
            None => holder.push(inherited),
        }
    }
    out
}

/// The series of a value across versions dated on or before `now`, keeping only the versions
/// where it differs from the version they descend from (or where it first appears).
pub(crate) fn changes<'a, T: PartialEq + Clone>(
    timeline: &'a Timeline,
    now: Date,
    value: impl Fn(&'a Snapshot) -> Option<T>,
) -> Vec<(&'a Version, T)> {
    descents(timeline, now, value)
        .into_iter()
        .filter(|(before, (_, x))| before.as_ref().is_none_or(|(_, y)| y != x))
        .map(|(_, after)| after)
        .collect()
}

/// The version where what `version` holds of `value` came into the file: the earliest of the
/// versions it descends from (passing over versions that do not parse, stopping at a deletion)
/// that hold the same value with no other value between. What an evidence line cites, so that
/// `git log` finds the value set in that commit, not merely still there.
pub(crate) fn set_in<'a, T: PartialEq>(
    timeline: &'a Timeline,
    version: &'a Version,
    value: impl Fn(&Snapshot) -> Option<T>,
) -> &'a Version {
    let versions = &timeline.versions;
    let Some(start) = versions.iter().position(|v| std::ptr::eq(v, version)) else {
        return version;
    };
    let Some(held) = version.snapshot().map(&value) else {
        return version;
    };
    let mut set = version;
    let mut at = version.parent.filter(|p| *p < start);
    while let Some(index) = at {
        let Some(earlier) = versions.get(index) else {
            break;
        };
        match &earlier.content {
            crate::ledger::Content::Removed => break,
            crate::ledger::Content::Invalid { .. } => {}
            crate::ledger::Content::Valid { snapshot } => {
                if value(snapshot) != held {
                    break;
                }
                set = earlier;
            }
        }
        at = earlier.parent.filter(|p| *p < index);
    }
    set
}

/// Each valid version's KPIs or SLAs by id, found by the version's snapshot: what [`set_in`]
/// reads for a metric, so that a file of thousands of metrics is not scanned once per metric
/// per version.
pub(crate) struct MetricIndex<'a> {
    by_snapshot:
        std::collections::HashMap<*const Snapshot, std::collections::HashMap<&'a str, &'a Metric>>,
}

/// A metric's reading as a version records it: its actual, target, unit and `as_of`, the
/// values its evidence states.
pub(crate) type MetricReading = (Option<f64>, Option<f64>, Option<String>, Option<Date>);

impl<'a> MetricIndex<'a> {
    pub(crate) fn new(
        timeline: &'a Timeline,
        block: fn(&Snapshot) -> &[Metric],
    ) -> MetricIndex<'a> {
        let by_snapshot = timeline
            .valid()
            .map(|(_, snapshot)| {
                let mut by_id = std::collections::HashMap::new();
                for metric in block(snapshot) {
                    by_id.entry(metric.id.as_str()).or_insert(metric);
                }
                (snapshot as *const Snapshot, by_id)
            })
            .collect();
        MetricIndex { by_snapshot }
    }

    /// The reading of metric `id` in a version's snapshot, if it has one.
    pub(crate) fn reading<'b>(
        &'b self,
        id: &'b str,
    ) -> impl Fn(&Snapshot) -> Option<MetricReading> + 'b {
        move |s| {
            let metric = self.by_snapshot.get(&(s as *const Snapshot))?.get(id)?;
            Some((
                metric.actual,
                metric.target,
                metric.unit.clone(),
                metric.as_of,
            ))
        }
    }
}

/// The value at the latest version dated on or before `at`, else at the first version that has
/// it (for histories shorter than the window).
pub(crate) fn baseline<'a, T: Clone>(
    versions: &[(&'a Version, &'a Snapshot)],
    at: Date,
    value: impl Fn(&Snapshot) -> Option<T>,
) -> Option<(&'a Version, T)> {
    let with: Vec<(&Version, T)> = versions
        .iter()
        .filter_map(|(v, s)| value(s).map(|x| (*v, x)))
        .collect();
    with.iter()
        .rev()
        .find(|(v, _)| v.date() <= at)
        .or_else(|| with.first())
        .cloned()
}

/// One dated reading of a KPI or SLA: the last version that reported it for that `as_of`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reading<'a> {
    pub version: &'a Version,
    pub as_of: Date,
    pub metric: &'a crate::ledger::model::Metric,
}

/// The readings of every metric in `block` (KPIs or SLAs) by id, one per distinct `as_of`, oldest
/// first. One pass over the versions: looking each metric up in every version took time in the
/// square of the metrics (minutes for a file of thousands of KPIs).
pub(crate) fn readings<'a>(
    versions: &[(&'a Version, &'a Snapshot)],
    block: fn(&Snapshot) -> &[crate::ledger::model::Metric],
) -> std::collections::HashMap<&'a str, Vec<Reading<'a>>> {
    let mut by_id: std::collections::HashMap<&str, std::collections::BTreeMap<Date, Reading<'a>>> =
        Default::default();
    for (version, snapshot) in versions {
        for metric in block(snapshot) {
            if let Some(as_of) = metric.as_of {
                by_id.entry(metric.id.as_str()).or_default().insert(
                    as_of,
                    Reading {
                        version,
                        as_of,
                        metric,
                    },
                );
            }
        }
    }
    by_id
        .into_iter()
        .map(|(id, by_date)| (id, by_date.into_values().collect()))
        .collect()
}

/// Each version's metrics of `block` by id (the first of a repeated id), for rules that look a
/// metric up in every version.
pub(crate) fn metrics_by_id<'a>(
    versions: &[(&'a Version, &'a Snapshot)],
    block: fn(&Snapshot) -> &[crate::ledger::model::Metric],
) -> Vec<std::collections::HashMap<&'a str, &'a Metric>> {
    versions
        .iter()
        .map(|(_, snapshot)| {
            let mut by_id = std::collections::HashMap::new();
            for metric in block(snapshot) {
                by_id.entry(metric.id.as_str()).or_insert(metric);
            }
            by_id
        })
        .collect()
}

/// The measure of a KPI or SLA finding (`block` is `kpis` or `slas`): the metric's actual, drawn
/// against its target, worse in the direction its `better` calls bad. Named
/// `<block>.<id>.actual`. The actual rather than the attainment because the evidence values of
/// these findings are actuals and charts draw them against `target`; a changed target alone does
/// not move the measure (it can still change the severity). `None` without an actual.
pub(crate) fn actual_measure(block: &str, metric: &Metric) -> Option<Measure> {
    let worse = match metric.better {
        Better::Higher => Worse::Lower,
        Better::Lower => Worse::Higher,
    };
    Some(
        Measure::new(
            format!("{block}.{}.actual", metric.id),
            metric.actual?,
            worse,
        )
        .target(metric.target),
    )
}

/// `9 hours against a target of at most 4 hours`, `90,000 EUR against a target of 400,000 EUR`,
/// as a sentence with facts named `<key>_actual`, `<key>_target` and `<key>_unit`,
/// read from `<block>.actual`, `<block>.target` and `<block>.unit`.
pub(crate) fn describe_stated(block: &str, metric: &Metric, key: &str) -> (String, Vec<Fact>) {
    let number_or_unknown = |name: &str, value: Option<f64>, field: &str| match value {
        Some(v) => Fact::new(name, FactValue::Number(v)).of(&format!("{block}.{field}")),
        None => Fact::new(name, FactValue::Text("?".into())),
    };
    let unit = metric
        .unit
        .as_deref()
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    let bound = match metric.better {
        Better::Higher => "",
        Better::Lower => "at most ",
    };
    (
        format!(
            "{{{key}_actual}}{{{key}_unit}} against a target of {bound}{{{key}_target}}{{{key}_unit}}"
        ),
        vec![
            number_or_unknown(&format!("{key}_actual"), metric.actual, "actual"),
            number_or_unknown(&format!("{key}_target"), metric.target, "target"),
            Fact::new(&format!("{key}_unit"), FactValue::Text(unit)).of(&format!("{block}.unit")),
        ],
    )
}

/// A metric's name (or id) as a fact named `key`, read from `<block>.name` when it has one.
pub(crate) fn label_fact(block: &str, metric: &Metric, key: &str) -> Fact {
    let fact = Fact::new(key, FactValue::Text(metric.label().to_string()));
    match metric.name {
        Some(_) => fact.of(&format!("{block}.name")),
        None => fact.of(&format!("{block}.id")),
    }
}
