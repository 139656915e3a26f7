//! Sign 5, no metrics define success, no full reporting.

use super::{history, set_in};
use crate::ledger::{Date, Timeline, Version};
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding,
    sign,
};

pub struct NoSuccessMetrics;

static NO_SUCCESS_METRICS: RuleInfo = RuleInfo {
    id: "no-success-metrics",
    sign: sign::METRICS,
    title: "Success is not defined or not reported",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "In the current version: no `kpis` at all (any status but `ended`); a KPI without \
        `target`; or, for `onboarding` and `active` partnerships, a KPI last updated more than \
        {stale_days} before now. A KPI's last update is its `as_of`, or without one the \
        date of the version where its `actual` last changed.",
    why: "Sign 5: no metrics define success, no full reporting. Without written targets, kept up to \
        date, neither side can tell whether the partnership works, and every review becomes a \
        matter of opinion.",
    example: "kpis:\n  - { id: pipeline, target: 400000, actual: 90000, as_of: 2024-01-31 }\n(analysed on 2024-09-01)\n→ KPI pipeline was last updated on 2024-01-31, 214 days ago",
    fix: "Agree objective KPIs with targets with the partner from the start, name who reports each \
        one, and review them on a fixed schedule.",
};

impl Rule for NoSuccessMetrics {
    fn info(&self) -> &'static RuleInfo {
        &NO_SUCCESS_METRICS
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        use crate::ledger::model::Status;
        let stale_days = cx.settings.no_success_metrics.stale_days;
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        let status = current.front.status;
        if status == Status::Ended {
            return Vec::new();
        }
        if current.front.kpis.is_empty() {
            return vec![
                // Sentences with no facts in them, stated so that nothing is searched for.
                finding(&NO_SUCCESS_METRICS, current, "kpis", "")
                    .stating("no KPIs define what success means", Vec::new())
                    .at_path("status")
                    .evidence(vec![
                        Evidence::of(
                            set_in(timeline, now_version, |s| Some(s.front.kpis.is_empty())),
                            "",
                            None,
                        )
                        .stating("kpis absent", Vec::new(), None),
                    ]),
            ];
        }
        // No KPIs, or a KPI without target, is a fact with no number to it: no measure. A stale
        // KPI is measured by the days since its last update.
        let mut findings = Vec::new();
        // Each version's KPIs by id, read when a KPI without `as_of` needs its history.
        let mut by_id = None;
        let index = super::MetricIndex::new(timeline, |s| &s.front.kpis);
        for (i, kpi) in current.front.kpis.iter().enumerate() {
            let id = Fact::new("id", FactValue::Text(kpi.id.clone())).of("kpis.id");
            if kpi.target.is_none() {
                findings.push(
                    finding(
                        &NO_SUCCESS_METRICS,
                        current,
                        format!("{}:target", kpi.id),
                        "",
                    )
                    .stating("KPI {id} has no target", vec![id.clone()])
                    .at_path(format!("kpis[{i}]"))
                    .evidence(vec![
                        // The commit from which the KPI has had no target.
                        Evidence::of(
                            set_in(timeline, now_version, |s| {
                                Some(index.reading(&kpi.id)(s)?.1.is_none())
                            }),
                            "",
                            None,
                        )
                        .stating(
                            &format!("kpis[{i}] {{id}}: target absent"),
                            vec![id.clone()],
                            None,
                        ),
                    ]),
                );
            }
            if !status.is_live() {
                continue;
            }
            // The last update: as_of, else the version where the actual last changed.
            let (updated, version): (Date, &Version) = match kpi.as_of {
                Some(as_of) => (as_of, now_version),
                None => {
                    let mut since = now_version;
                    let by_id = by_id
                        .get_or_insert_with(|| super::metrics_by_id(&versions, |s| &s.front.kpis));
                    for ((version, _), kpis) in versions.iter().zip(by_id.iter()).rev() {
                        let actual = kpis.get(kpi.id.as_str()).and_then(|k| k.actual);
                        if actual.is_none() || actual != kpi.actual {
                            break;
                        }
                        since = version;
                    }
                    (since.date(), since)
                }
            };
            let age = updated.days_until(cx.now);
            if age > stale_days {
                // The date is `as_of` when the KPI has one, else the version's date.
                let updated_fact = Fact::new("updated", FactValue::Date(updated));
                let updated_fact = match kpi.as_of {
                    Some(_) => updated_fact.of("kpis.as_of"),
                    None => updated_fact,
                };
                let mut observed = "{id}: actual {actual}".to_string();
                let mut observed_facts = vec![
                    id.clone(),
                    match kpi.actual {
                        Some(a) => Fact::new("actual", FactValue::Number(a)).of("kpis.actual"),
                        None => Fact::new("actual", FactValue::Text("absent".into())),
                    },
                ];
                if let Some(as_of) = kpi.as_of {
                    observed.push_str(" as of {as_of}");
                    observed_facts
                        .push(Fact::new("as_of", FactValue::Date(as_of)).of("kpis.as_of"));
                }
                findings.push(
                    finding(
                        &NO_SUCCESS_METRICS,
                        current,
                        format!("{}:stale", kpi.id),
                        "",
                    )
                    .stating(
                        "KPI {id} was last updated on {updated}, {age} days ago",
                        vec![
                            id.clone(),
                            updated_fact,
                            Fact::new("age", FactValue::Number(age as f64)),
                        ],
                    )
                    .at_path(if kpi.as_of.is_some() {
                        format!("kpis[{i}].as_of")
                    } else {
                        format!("kpis[{i}].actual")
                    })
                    // The commit that recorded the actual (and `as_of`) it states.
                    .evidence(vec![
                        Evidence::of(
                            set_in(timeline, version, |s| {
                                let k = s.front.kpis.iter().find(|k| k.id == kpi.id)?;
                                Some((k.actual, k.as_of))
                            }),
                            "",
                            kpi.actual,
                        )
                        .stating(
                            &observed,
                            observed_facts,
                            Some("kpis.actual"),
                        ),
                    ])
                    .measure(Measure::new(
                        format!("kpis.{}.days_since_update", kpi.id),
                        age as f64,
                        Worse::Higher,
                    )),
                );
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::Movement;
    use crate::signs::testing::{History, evidence, front, run};

    /// The measure of the only finding of `rule` on `timeline` at `now`.
    fn measure(rule: &dyn Rule, timeline: &Timeline, now: &str) -> Measure {
        let findings = run(rule, timeline, now);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        findings[0].measure.clone().expect("a measure")
    }

    #[test]
    fn missing_kpis_and_targets() {
        let none = History::new().version("2024-01-10", &front("")).build();
        let findings = run(&NoSuccessMetrics, &none, "2024-02-01");
        assert_eq!(findings[0].message, "no KPIs define what success means");
        assert_eq!(findings[0].measure, None);
        let untargeted = History::new()
            .version(
                "2024-01-10",
                &front("kpis:\n  - { id: pipeline, actual: 5, as_of: 2024-01-10 }\n"),
            )
            .build();
        let findings = run(&NoSuccessMetrics, &untargeted, "2024-02-01");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, "KPI pipeline has no target");
        assert_eq!(findings[0].subject, "pipeline:target");
        assert_eq!(findings[0].measure, None);
    }

    #[test]
    fn stale_kpi_without_as_of_dates_from_its_last_change() {
        let kpi = |actual: u32| {
            front(&format!(
                "kpis:\n  - {{ id: pipeline, target: 100, actual: {actual} }}\n"
            ))
        };
        let timeline = History::new()
            .version("2024-01-10", &kpi(10))
            .version("2024-02-10", &kpi(20))
            .version("2024-05-01", &kpi(20))
            .build();
        let findings = run(&NoSuccessMetrics, &timeline, "2024-07-01");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "KPI pipeline was last updated on 2024-02-10, 142 days ago"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec!["2024-02-10 c000001 pipeline: actual 20"]
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new(
                "kpis.pipeline.days_since_update",
                142.0,
                Worse::Higher
            ))
        );
    }

    #[test]
    fn staler_kpis_measure_worse() {
        let kpi = |actual: u32| {
            front(&format!(
                "kpis:\n  - {{ id: pipeline, target: 100, actual: {actual} }}\n"
            ))
        };
        let updated = |on: &str, unchanged: &[&str]| {
            let mut history = History::new()
                .version("2024-01-01", &kpi(10))
                .version(on, &kpi(20));
            for day in unchanged {
                history = history.version(day, &kpi(20));
            }
            measure(&NoSuccessMetrics, &history.build(), "2024-07-01")
        };
        let milder = updated("2024-02-10", &["2024-05-01"]);
        assert_eq!(
            updated("2024-01-20", &["2024-05-01"]).since(&milder),
            Movement::Worse
        );
        // Versions that leave the actual alone do not refresh it.
        assert_eq!(
            updated("2024-02-10", &["2024-03-01", "2024-06-01"]).since(&milder),
            Movement::Same
        );
    }

    #[test]
    fn fresh_kpis_stay_silent() {
        let timeline = History::new()
            .version(
                "2024-01-10",
                &front("kpis:\n  - { id: pipeline, target: 100, actual: 20, as_of: 2024-03-31 }\n"),
            )
            .build();
        assert!(run(&NoSuccessMetrics, &timeline, "2024-07-29").is_empty());
    }
}
