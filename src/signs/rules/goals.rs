//! Sign 2, goals missed: KPIs far below target, no early wins after launch, a launch without an
//! agreed plan.

use super::{
    MetricIndex, Reading, actual_measure, describe_stated, history, label_fact, metrics_by_id,
    readings, set_in,
};
use crate::ledger::Timeline;
use crate::signs::{
    Context, Evidence, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding, sign,
};
use crate::signs::{Fact, FactValue};

pub struct TargetsMissed;
pub struct NoEarlyWins;
pub struct PlanNotAgreed;

static TARGETS_MISSED: RuleInfo = RuleInfo {
    id: "targets-missed",
    sign: sign::GOALS,
    title: "A KPI is far below its target",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "A KPI of the current version whose attainment (actual against target, \
        direction-aware: actual/target when higher is better, target/actual when lower is \
        better) is under {min_attainment}. A KPI with a period (`by`, and `from`, else the \
        partnership's `since`, else the date the KPI was first recorded) is judged against the \
        share of its target due at its `as_of` (else the date of the current version), linear \
        between `from` and `by`: an annual target of 400,000 at the end of the first quarter \
        expects about 100,000; nothing is due at the start, and a target whose period has not \
        begun is not judged. A period applies to KPIs where higher is better; a lower-is-better \
        target is a ceiling at all times. A KPI still at its first recorded value with no result \
        yet (`actual: 0` where higher is better, never changed, at most one `as_of`), as the \
        template creates it, is a baseline, never a miss, and neither is that first reading \
        when the KPI is judged later; a first value that is a result (40 of 100) is judged as \
        any other, so a file checked without history still shows its misses. Error when the KPI was also under it at the previous \
        distinct `as_of` date recorded in history (missed at two consecutive reporting dates).",
    why: "Sign 2: goals missed. Results far below the agreed success criteria, quarter after \
        quarter, mean the plan behind the partnership is not working.",
    example: "2024-04-02  kpis: [{ id: pipeline, target: 400000, actual: 120000, as_of: 2024-03-31 }]\n2024-07-01  kpis: [{ id: pipeline, target: 400000, actual: 90000, as_of: 2024-06-30 }]\n→ error: Partner-sourced pipeline is at 22% of target (90,000 EUR against a target of 400,000 EUR) as of 2024-06-30, and was at 30% on 2024-03-31",
    fix: "Hold a joint review of the KPI with the partner's leadership: find why it is missed, agree \
        corrective actions with owners and dates, and reset the target only with both sides' \
        agreement, in writing.",
};

impl Rule for TargetsMissed {
    fn info(&self) -> &'static RuleInfo {
        &TARGETS_MISSED
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let min = cx.settings.targets_missed.min_attainment;
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        let all = readings(&versions, |s| &s.front.kpis);
        let index = MetricIndex::new(timeline, |s| &s.front.kpis);
        let by_id = metrics_by_id(&versions, |s| &s.front.kpis);
        for (i, kpi) in current.front.kpis.iter().enumerate() {
            let history = all.get(kpi.id.as_str()).map_or(&[][..], Vec::as_slice);
            // Each version's actual for this KPI, oldest first: where its period starts by
            // default, and whether it ever moved from its first recorded value.
            let recorded: Vec<(&crate::ledger::Version, f64)> = versions
                .iter()
                .zip(&by_id)
                .filter_map(|((v, _), kpis)| Some((*v, kpis.get(kpi.id.as_str())?.actual?)))
                .collect();
            let no_result = |m: &crate::ledger::model::Metric| {
                m.better == crate::ledger::model::Better::Higher && m.actual == Some(0.0)
            };
            let baseline = no_result(kpi)
                && history.len() <= 1
                && recorded.iter().all(|(_, a)| Some(*a) == kpi.actual);
            if baseline {
                continue;
            }
            let start = current
                .front
                .since
                .or_else(|| recorded.first().map(|(v, _)| v.date()))
                .unwrap_or_else(|| now_version.date());
            let judged =
                |metric: &crate::ledger::model::Metric, at| period_attainment(metric, at, start);
            let at = kpi.as_of.unwrap_or_else(|| now_version.date());
            let Some((attainment, due)) = judged(kpi, at) else {
                continue;
            };
            if attainment >= min {
                continue;
            }
            let previous: Option<&Reading> = match history {
                [.., before, last] if Some(last.as_of) == kpi.as_of => Some(before),
                _ => None,
            };
            // The first recorded value was a baseline, not a miss.
            let first_recorded = |r: &Reading| {
                no_result(r.metric)
                    && history.first().is_some_and(|f| std::ptr::eq(f, r))
                    && recorded.first().map(|(_, a)| *a) == r.metric.actual
            };
            let previous = previous.filter(|r| {
                !first_recorded(r) && judged(r.metric, r.as_of).is_some_and(|(a, _)| a < min)
            });
            let (mut now, mut now_facts) = describe_stated("kpis", kpi, "now");
            if let (Some(due), Some(by), Some(target)) = (due, kpi.by, kpi.target) {
                let unit = kpi
                    .unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default();
                now = "{now_actual}{now_unit} against {now_due}{now_unit} due by {now_at}, \
                       {now_share} of the target of {now_target}{now_unit} by {now_by}"
                    .to_string();
                now_facts = vec![
                    Fact::new("now_actual", FactValue::Number(kpi.actual.unwrap_or(0.0)))
                        .of("kpis.actual"),
                    Fact::new("now_unit", FactValue::Text(unit)).of("kpis.unit"),
                    Fact::new("now_due", FactValue::Number((target * due).round()))
                        .of("kpis.target"),
                    Fact::new("now_at", FactValue::Date(at)),
                    Fact::new("now_share", FactValue::Percent(due)),
                    Fact::new("now_target", FactValue::Number(target)).of("kpis.target"),
                    Fact::new("now_by", FactValue::Date(by)).of("kpis.by"),
                ];
            }
            let id = Fact::new("id", FactValue::Text(kpi.id.clone())).of("kpis.id");
            let mut observed_facts = now_facts.clone();
            observed_facts.push(id);
            let mut facts = now_facts;
            facts.push(label_fact("kpis", kpi, "label"));
            // Attainment is the actual over the target: masked with the actual.
            facts.push(Fact::new("attainment", FactValue::Percent(attainment)).of("kpis.actual"));
            let mut template = if due.is_some() {
                format!("{{label}} is at {{attainment}} of the target due so far ({now})")
            } else {
                format!("{{label}} is at {{attainment}} of target ({now})")
            };
            let mut observed_now = format!("{{id}}: {now}");
            if let Some(d) = kpi.as_of {
                let as_of = Fact::new("as_of", FactValue::Date(d)).of("kpis.as_of");
                observed_facts.push(as_of.clone());
                facts.push(as_of);
                template.push_str(" as of {as_of}");
                observed_now = format!("{{id}} as of {{as_of}}: {now}");
            }
            let mut evidence = Vec::new();
            if let Some(before) = previous {
                let a = judged(before.metric, before.as_of).map_or(0.0, |(a, _)| a);
                let (then, mut before_facts) = describe_stated("kpis", before.metric, "before");
                before_facts.push(Fact::new("id", FactValue::Text(kpi.id.clone())).of("kpis.id"));
                let before_as_of =
                    Fact::new("before_as_of", FactValue::Date(before.as_of)).of("kpis.as_of");
                before_facts.push(before_as_of.clone());
                template.push_str(", and was at {before_attainment} on {before_as_of}");
                facts.push(Fact::new("before_attainment", FactValue::Percent(a)).of("kpis.actual"));
                facts.push(before_as_of);
                evidence.push(
                    Evidence::of(
                        set_in(timeline, before.version, index.reading(&kpi.id)),
                        "",
                        before.metric.actual,
                    )
                    .stating(
                        &format!("{{id}} as of {{before_as_of}}: {then}"),
                        before_facts,
                        Some("kpis.actual"),
                    ),
                );
            }
            // Each reading cites the commit that recorded it.
            let recorded = set_in(timeline, now_version, index.reading(&kpi.id));
            evidence.push(Evidence::of(recorded, "", kpi.actual).stating(
                &observed_now,
                observed_facts,
                Some("kpis.actual"),
            ));
            let severity = if previous.is_some() {
                Severity::Error
            } else {
                Severity::Warning
            };
            let mut found = finding(&TARGETS_MISSED, current, kpi.id.clone(), "")
                .stating(&template, facts)
                .severity(severity)
                .at_path(format!("kpis[{i}].actual"))
                .evidence(evidence);
            // `kpis.<id>.actual` against the KPI's target, like the evidence values.
            found.measure = actual_measure("kpis", kpi);
            findings.push(found);
        }
        findings
    }
}

/// A KPI's attainment at `at`, and the share of its target due then when it has a period
/// (higher is better and `by` set): the actual against that share. `None` when it cannot be
/// judged: no target or actual, or nothing due yet.
fn period_attainment(
    metric: &crate::ledger::model::Metric,
    at: crate::ledger::Date,
    start: crate::ledger::Date,
) -> Option<(f64, Option<f64>)> {
    use crate::ledger::model::Better;
    match metric.share_due(at, start) {
        Some(share) if metric.better == Better::Higher => {
            let (due, actual) = (metric.target? * share, metric.actual?);
            (due > 0.0).then_some((actual / due, Some(share)))
        }
        _ => Some((metric.attainment()?, None)),
    }
}

static NO_EARLY_WINS: RuleInfo = RuleInfo {
    id: "no-early-wins",
    sign: sign::GOALS,
    title: "No significant deal in the first months after launch",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "`launched` is set, now is at least {window_days} after it, and no entry of \
        `wins` is dated within [launched, launched + window_days].",
    why: "Sign 2: goals missed. A partnership that closes no significant deal in its first four \
        months after launch rarely finds its footing later without a change of plan.",
    example: "launched: 2024-03-01, wins: [] (analysed on 2024-08-01)\n→ no win in the 120 days after launch on 2024-03-01 (the window closed on 2024-06-29)",
    fix: "Go back to the go-to-market plan with the partner: pick one segment and a short list of \
        target accounts, staff a joint pursuit, and review it every two weeks until the first win.",
};

impl Rule for NoEarlyWins {
    fn info(&self) -> &'static RuleInfo {
        &NO_EARLY_WINS
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let days = cx.settings.no_early_wins.window_days;
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        let Some(launched) = current.front.launched else {
            return Vec::new();
        };
        let closes = launched.add_days(days);
        if cx.now < closes {
            return Vec::new();
        }
        let wins = &current.front.wins;
        if wins.iter().any(|w| w.date >= launched && w.date <= closes) {
            return Vec::new();
        }
        let mut template =
            "no win in the {days} days after launch on {launched} (the window closed on {closes})"
                .to_string();
        let launched_fact = Fact::new("launched", FactValue::Date(launched)).of("launched");
        let mut facts = vec![
            Fact::new("days", FactValue::Number(days as f64)),
            launched_fact.clone(),
            Fact::new("closes", FactValue::Date(closes)),
        ];
        let first = wins
            .iter()
            .filter(|w| w.date > closes)
            .map(|w| w.date)
            .min();
        // How long the partnership went without a win: to the first one, or to now.
        let waited = launched.days_until(first.unwrap_or(cx.now).min(cx.now));
        if let Some(first) = first {
            template.push_str("; the first came on {first}, {first_days} days after launch");
            facts.push(Fact::new("first", FactValue::Date(first)).of("wins.date"));
            facts.push(Fact::new(
                "first_days",
                FactValue::Number(launched.days_until(first) as f64),
            ));
        }
        vec![
            finding(&NO_EARLY_WINS, current, "wins", "")
                .stating(&template, facts)
                .at_path("launched")
                // The commit that set the launch date and the wins it counts.
                .evidence(vec![
                    Evidence::of(
                        set_in(timeline, now_version, |s| {
                            Some((s.front.launched, s.front.wins.len()))
                        }),
                        "",
                        None,
                    )
                    .stating(
                        "launched: {launched}, wins recorded: {wins}",
                        vec![
                            launched_fact,
                            Fact::new("wins", FactValue::Number(wins.len() as f64)),
                        ],
                        None,
                    ),
                ])
                .measure(Measure::new(
                    "wins.days_after_launch",
                    waited as f64,
                    Worse::Higher,
                )),
        ]
    }
}

static PLAN_NOT_AGREED: RuleInfo = RuleInfo {
    id: "plan-not-agreed",
    sign: sign::GOALS,
    title: "Launched without an agreed go-to-market plan",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "`launched` is set while `plan.agreed` is absent, or `plan.agreed` is later than \
        `launched`.",
    why: "Sign 2: goals missed, delays once the plan is out. Launching before both sides' \
        leadership agreed the plan leaves targets, segments and responsibilities to be argued \
        about afterwards.",
    example: "launched: 2024-03-01\nplan: { agreed: 2024-04-15 }\n→ the go-to-market plan was agreed on 2024-04-15, 45 days after launch on 2024-03-01",
    fix: "Write the go-to-market plan down (segments, targets, who does what) and have both sides' \
        leadership agree it; record the date in `plan.agreed`.",
};

impl Rule for PlanNotAgreed {
    fn info(&self) -> &'static RuleInfo {
        &PLAN_NOT_AGREED
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        let Some(launched) = current.front.launched else {
            return Vec::new();
        };
        let agreed = current.front.plan.as_ref().and_then(|p| p.agreed);
        // How long the partnership ran without a plan: to its agreement, or to now.
        let without = launched.days_until(agreed.unwrap_or(cx.now)).max(0);
        let launched_fact = Fact::new("launched", FactValue::Date(launched)).of("launched");
        let (template, facts, path, observed) = match agreed {
            None => (
                "launched on {launched} without an agreed go-to-market plan",
                vec![launched_fact],
                "launched",
                "launched: {launched}, plan.agreed absent",
            ),
            Some(agreed) if agreed > launched => (
                "the go-to-market plan was agreed on {agreed}, {days} days after launch on \
                 {launched}",
                vec![
                    Fact::new("agreed", FactValue::Date(agreed)).of("plan.agreed"),
                    Fact::new(
                        "days",
                        FactValue::Number(launched.days_until(agreed) as f64),
                    ),
                    launched_fact,
                ],
                "plan.agreed",
                "launched: {launched}, plan.agreed: {agreed}",
            ),
            Some(_) => return Vec::new(),
        };
        vec![
            finding(&PLAN_NOT_AGREED, current, "plan", "")
                .stating(template, facts.clone())
                .at_path(path)
                .evidence(vec![
                    // The dates, without the days between them the evidence does not state.
                    Evidence::of(
                        set_in(timeline, now_version, |s| {
                            Some((
                                s.front.launched,
                                s.front.plan.as_ref().and_then(|p| p.agreed),
                            ))
                        }),
                        "",
                        None,
                    )
                    .stating(
                        observed,
                        facts.into_iter().filter(|f| f.name != "days").collect(),
                        None,
                    ),
                ])
                .measure(Measure::new(
                    "plan.days_after_launch",
                    without as f64,
                    Worse::Higher,
                )),
        ]
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

    fn kpi(actual: u32, as_of: &str) -> String {
        front(&format!(
            "kpis:\n  - {{ id: pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: {actual}, as_of: {as_of} }}\n"
        ))
    }

    #[test]
    fn missed_twice_is_an_error() {
        let timeline = History::new()
            .version("2024-01-05", &kpi(0, "2024-01-05"))
            .version("2024-04-02", &kpi(120000, "2024-03-31"))
            .version("2024-07-01", &kpi(90000, "2024-06-30"))
            .build();
        let findings = run(&TargetsMissed, &timeline, "2024-07-05");
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(
            f.message,
            "Partner-sourced pipeline is at 22% of target (90,000 EUR against a target of 400,000 EUR) as of 2024-06-30, and was at 30% on 2024-03-31"
        );
        assert_eq!(
            evidence(f),
            vec![
                "2024-04-02 c000001 pipeline as of 2024-03-31: 120,000 EUR against a target of 400,000 EUR",
                "2024-07-01 c000002 pipeline as of 2024-06-30: 90,000 EUR against a target of 400,000 EUR",
            ]
        );
        assert_eq!(f.subject, "pipeline");
        assert_eq!(
            f.measure,
            Some(
                Measure::new("kpis.pipeline.actual", 90000.0, Worse::Lower).target(Some(400000.0))
            )
        );
    }

    #[test]
    fn missed_once_is_a_warning_and_lower_is_better_counts() {
        let timeline = History::new()
            .version("2024-04-02", &kpi(300000, "2024-03-31"))
            .version("2024-07-01", &kpi(90000, "2024-06-30"))
            .build();
        let findings = run(&TargetsMissed, &timeline, "2024-07-05");
        assert_eq!(findings[0].severity, Severity::Warning);

        let churn = |actual: u32| {
            front(&format!(
                "kpis:\n  - {{ id: churn, unit: '%', target: 5, actual: {actual}, better: lower }}\n"
            ))
        };
        let lower = History::new()
            .version("2024-01-02", &churn(8))
            .version("2024-04-02", &churn(12))
            .build();
        let findings = run(&TargetsMissed, &lower, "2024-07-05");
        assert_eq!(
            findings[0].message,
            "churn is at 42% of target (12 % against a target of at most 5 %)"
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("kpis.churn.actual", 12.0, Worse::Higher).target(Some(5.0)))
        );
    }

    #[test]
    fn a_kpi_further_behind_measures_worse() {
        let at = |before: u32, now: u32| {
            let timeline = History::new()
                .version("2024-04-02", &kpi(before, "2024-03-31"))
                .version("2024-07-01", &kpi(now, "2024-06-30"))
                .build();
            measure(&TargetsMissed, &timeline, "2024-07-05")
        };
        let milder = at(120000, 90000);
        assert_eq!(at(120000, 60000).since(&milder), Movement::Worse);
        assert_eq!(at(120000, 150000).since(&milder), Movement::Better);
        // Missed once instead of twice changes the severity, not the measure.
        assert_eq!(at(300000, 90000).since(&milder), Movement::Same);

        let churn = |actual: u32| {
            let text = |actual: u32| {
                front(&format!(
                    "kpis:\n  - {{ id: churn, target: 5, actual: {actual}, better: lower }}\n"
                ))
            };
            measure(
                &TargetsMissed,
                &History::new()
                    .version("2024-01-02", &text(9))
                    .version("2024-04-02", &text(actual))
                    .build(),
                "2024-07-05",
            )
        };
        assert_eq!(churn(15).since(&churn(12)), Movement::Worse);
    }

    fn annual(actual: u32, as_of: &str) -> String {
        front(&format!(
            "since: 2024-01-01\nkpis:\n  - {{ id: pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: {actual}, as_of: {as_of}, by: 2024-12-31 }}\n"
        ))
    }

    #[test]
    fn an_annual_target_is_judged_against_the_share_due_so_far() {
        // Two months into the year, 20% of the annual target is ahead of the share due.
        let timeline = History::new()
            .version("2024-01-10", &annual(0, "2024-01-05"))
            .version("2024-03-01", &annual(80000, "2024-02-29"))
            .build();
        assert!(run(&TargetsMissed, &timeline, "2024-03-05").is_empty());
        // At the end of September, 120,000 is 40% of the 300,000 due: a miss.
        let timeline = History::new()
            .version("2024-01-10", &annual(0, "2024-01-05"))
            .version("2024-10-01", &annual(120000, "2024-09-30"))
            .build();
        let findings = run(&TargetsMissed, &timeline, "2024-10-05");
        assert_eq!(
            findings[0].message,
            "Partner-sourced pipeline is at 40% of the target due so far (120,000 EUR against 299,178 EUR due by 2024-09-30, 75% of the target of 400,000 EUR by 2024-12-31) as of 2024-09-30"
        );
    }

    #[test]
    fn a_kpi_at_its_first_recorded_value_is_a_baseline() {
        let timeline = History::new()
            .version("2024-01-10", &kpi(0, "2024-01-05"))
            .version("2024-02-10", &kpi(0, "2024-01-05"))
            .build();
        assert!(run(&TargetsMissed, &timeline, "2024-02-15").is_empty());
        // The near miss: reported again at zero a quarter later is a miss.
        let timeline = History::new()
            .version("2024-01-10", &kpi(0, "2024-01-05"))
            .version("2024-04-02", &kpi(0, "2024-03-31"))
            .build();
        assert_eq!(run(&TargetsMissed, &timeline, "2024-04-05").len(), 1);
    }

    #[test]
    fn near_miss_at_half_stays_silent() {
        let timeline = History::new()
            .version("2024-04-02", &kpi(100000, "2024-03-31"))
            .version("2024-07-01", &kpi(200000, "2024-06-30"))
            .build();
        assert!(run(&TargetsMissed, &timeline, "2024-07-05").is_empty());
    }

    #[test]
    fn no_win_in_the_window() {
        let text =
            front("launched: 2024-03-01\nwins:\n  - { date: 2024-08-20, summary: Late deal }\n");
        let timeline = History::new().version("2024-02-01", &text).build();
        let findings = run(&NoEarlyWins, &timeline, "2024-09-01");
        assert_eq!(
            findings[0].message,
            "no win in the 120 days after launch on 2024-03-01 (the window closed on 2024-06-29); the first came on 2024-08-20, 172 days after launch"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec!["2024-02-01 c000000 launched: 2024-03-01, wins recorded: 1"]
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("wins.days_after_launch", 172.0, Worse::Higher))
        );
    }

    #[test]
    fn still_no_win_measures_worse() {
        let with = |wins: &str| {
            let text = front(&format!("launched: 2024-03-01\nwins:{wins}\n"));
            let timeline = History::new().version("2024-02-01", &text).build();
            measure(&NoEarlyWins, &timeline, "2024-09-01")
        };
        let late = with("\n  - { date: 2024-08-20, summary: Late deal }");
        let none = with(" []");
        assert_eq!(none.value, 184.0);
        assert_eq!(none.since(&late), Movement::Worse);
        // A second late win does not change when the first came.
        let more = with(
            "\n  - { date: 2024-08-20, summary: Late deal }\n  - { date: 2024-08-25, summary: Another }",
        );
        assert_eq!(more.since(&late), Movement::Same);
    }

    #[test]
    fn early_win_or_open_window_stays_silent() {
        let text =
            front("launched: 2024-03-01\nwins:\n  - { date: 2024-06-29, summary: Hospital }\n");
        let timeline = History::new().version("2024-02-01", &text).build();
        assert!(run(&NoEarlyWins, &timeline, "2024-09-01").is_empty());
        let fresh = History::new()
            .version("2024-02-01", &front("launched: 2024-03-01\n"))
            .build();
        assert!(run(&NoEarlyWins, &fresh, "2024-06-28").is_empty());
    }

    #[test]
    fn plan_agreed_after_launch() {
        let timeline = History::new()
            .version(
                "2024-05-01",
                &front("launched: 2024-03-01\nplan: { agreed: 2024-04-15 }\n"),
            )
            .build();
        let findings = run(&PlanNotAgreed, &timeline, "2024-06-01");
        assert_eq!(
            findings[0].message,
            "the go-to-market plan was agreed on 2024-04-15, 45 days after launch on 2024-03-01"
        );
        assert_eq!(findings[0].path.as_deref(), Some("plan.agreed"));
        let late = Measure::new("plan.days_after_launch", 45.0, Worse::Higher);
        assert_eq!(findings[0].measure.as_ref(), Some(&late));
        let none = History::new()
            .version("2024-05-01", &front("launched: 2024-03-01\n"))
            .build();
        let findings = run(&PlanNotAgreed, &none, "2024-06-01");
        assert_eq!(
            findings[0].message,
            "launched on 2024-03-01 without an agreed go-to-market plan"
        );
        // Still no plan 92 days after launch is worse than a plan agreed 45 days after it.
        let none = findings[0].measure.clone().expect("a measure");
        assert_eq!(none.value, 92.0);
        assert_eq!(none.since(&late), Movement::Worse);
        let segments = History::new()
            .version(
                "2024-05-01",
                &front("launched: 2024-03-01\nplan: { agreed: 2024-04-15, segments: [EU] }\n"),
            )
            .build();
        assert_eq!(
            measure(&PlanNotAgreed, &segments, "2024-06-01").since(&late),
            Movement::Same
        );
    }

    #[test]
    fn plan_agreed_before_launch_stays_silent() {
        let timeline = History::new()
            .version(
                "2024-05-01",
                &front("launched: 2024-03-01\nplan: { agreed: 2024-03-01 }\n"),
            )
            .build();
        assert!(run(&PlanNotAgreed, &timeline, "2024-06-01").is_empty());
    }
}
