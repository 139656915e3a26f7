//! Sign 8, support is weak and error-prone: SLAs missed, breaches and tickets piling up.

use super::{
    MetricIndex, Reading, actual_measure, describe_stated, history, label_fact, readings, set_in,
};
use crate::ledger::{Snapshot, Timeline};
use crate::signs::{
    Context, Evidence, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding, sign,
};
use crate::signs::{Fact, FactValue};

pub struct SupportDegrading;

static SUPPORT_DEGRADING: RuleInfo = RuleInfo {
    id: "support-degrading",
    sign: sign::SUPPORT,
    title: "SLAs are missed or support counts keep rising",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "An SLA of the current version whose actual misses its target in the SLA's direction \
        (`better`): a warning, an error when it was also missed at the previous distinct `as_of` \
        recorded in history. Separately, `support.sla_breaches` or `support.open_tickets` \
        strictly rising over the last {rising_versions} or more values recorded across \
        versions (versions that left the value unchanged are skipped), ending at the current \
        version.",
    why: "Sign 8: support is weak and error-prone. Missed service levels and growing backlogs are \
        what your own customers feel first.",
    example: "slas: [{ id: p1-response, target: 4, actual: 9, better: lower, as_of: 2024-06-30 }]\n→ SLA P1 first response is missed: 9 hours against a target of at most 4 hours as of 2024-06-30",
    fix: "Review the missed SLAs with the partner's support lead, ask for a corrective plan with \
        dates, apply the contract's service credits, and renegotiate the SLAs or the support \
        process where they no longer fit.",
};

impl Rule for SupportDegrading {
    fn info(&self) -> &'static RuleInfo {
        &SUPPORT_DEGRADING
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let rising = cx.settings.support_degrading.rising_versions.max(2);
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        let all = readings(&versions, |s| &s.front.slas);
        let index = MetricIndex::new(timeline, |s| &s.front.slas);
        for (i, sla) in current.front.slas.iter().enumerate() {
            if sla.is_met() != Some(false) {
                continue;
            }
            let history = all.get(sla.id.as_str()).map_or(&[][..], Vec::as_slice);
            let previous: Option<&Reading> = match history {
                [.., before, last] if Some(last.as_of) == sla.as_of => Some(before),
                _ => None,
            }
            .filter(|r| r.metric.is_met() == Some(false));
            let (now, now_facts) = describe_stated("slas", sla, "now");
            let mut observed_facts = now_facts.clone();
            observed_facts.push(Fact::new("id", FactValue::Text(sla.id.clone())).of("slas.id"));
            let mut facts = now_facts;
            facts.push(label_fact("slas", sla, "label"));
            let mut template = format!("SLA {{label}} is missed: {now}");
            let mut observed_now = format!("{{id}}: {now}");
            if let Some(d) = sla.as_of {
                let as_of = Fact::new("as_of", FactValue::Date(d)).of("slas.as_of");
                observed_facts.push(as_of.clone());
                facts.push(as_of);
                template.push_str(" as of {as_of}");
                observed_now = format!("{{id}} as of {{as_of}}: {now}");
            }
            let mut evidence = Vec::new();
            if let Some(before) = previous {
                let (then, mut before_facts) = describe_stated("slas", before.metric, "before");
                before_facts.push(Fact::new("id", FactValue::Text(sla.id.clone())).of("slas.id"));
                let before_as_of =
                    Fact::new("before_as_of", FactValue::Date(before.as_of)).of("slas.as_of");
                before_facts.push(before_as_of.clone());
                template.push_str(", and was missed on {before_as_of} ({before_actual})");
                facts.push(before_as_of);
                facts.extend(
                    before_facts
                        .iter()
                        .filter(|f| f.name == "before_actual")
                        .cloned(),
                );
                evidence.push(
                    Evidence::of(
                        set_in(timeline, before.version, index.reading(&sla.id)),
                        "",
                        before.metric.actual,
                    )
                    .stating(
                        &format!("{{id}} as of {{before_as_of}}: {then}"),
                        before_facts,
                        Some("slas.actual"),
                    ),
                );
            }
            // Each reading cites the commit that recorded it.
            let recorded = set_in(timeline, now_version, index.reading(&sla.id));
            evidence.push(Evidence::of(recorded, "", sla.actual).stating(
                &observed_now,
                observed_facts,
                Some("slas.actual"),
            ));
            let mut found = finding(&SUPPORT_DEGRADING, current, format!("sla:{}", sla.id), "")
                .stating(&template, facts)
                .severity(if previous.is_some() {
                    Severity::Error
                } else {
                    Severity::Warning
                })
                .at_path(format!("slas[{i}].actual"))
                .evidence(evidence);
            // `slas.<id>.actual` against the SLA's target, like the evidence values.
            found.measure = actual_measure("slas", sla);
            findings.push(found);
        }
        type Count = fn(&Snapshot) -> Option<i64>;
        let counts: [(&str, Count); 2] = [
            ("sla_breaches", |s| s.front.support.as_ref()?.sla_breaches),
            ("open_tickets", |s| s.front.support.as_ref()?.open_tickets),
        ];
        for (field, value) in counts {
            if value(current).is_none() {
                continue;
            }
            let series = super::changes(timeline, cx.now, value);
            // Series ends at the current value; take its strictly rising tail.
            let mut start = series.len().saturating_sub(1);
            while start > 0 && series[start - 1].1 < series[start].1 {
                start -= 1;
            }
            let run = &series[start..];
            if run.len() < rising {
                continue;
            }
            let path = format!("support.{field}");
            let mut facts = vec![
                Fact::new("versions", FactValue::Number(run.len() as f64)),
                Fact::new("first", FactValue::Date(run[0].0.date())),
                Fact::new("last", FactValue::Date(run[run.len() - 1].0.date())),
            ];
            let mut values = Vec::new();
            for (k, (_, x)) in run.iter().enumerate() {
                values.push(format!("{{value{k}}}"));
                facts.push(Fact::new(&format!("value{k}"), FactValue::Number(*x as f64)).of(&path));
            }
            let template = format!(
                "{path} rose across {{versions}} versions: {} ({{first}} to {{last}})",
                values.join(" → ")
            );
            let evidence = run
                .iter()
                .map(|(v, x)| Evidence::field(v, &path, *x as f64))
                .collect();
            findings.push(
                finding(&SUPPORT_DEGRADING, current, path.clone(), "")
                    .stating(&template, facts)
                    .at_path(format!("support.{field}"))
                    .evidence(evidence)
                    .measure(Measure::new(
                        format!("support.{field}"),
                        run[run.len() - 1].1 as f64,
                        Worse::Higher,
                    )),
            );
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

    fn sla(actual: u32, as_of: &str) -> String {
        front(&format!(
            "slas:\n  - {{ id: p1-response, name: P1 first response, unit: hours, target: 4, actual: {actual}, better: lower, as_of: {as_of} }}\n"
        ))
    }

    #[test]
    fn missed_sla_twice_is_an_error() {
        let timeline = History::new()
            .version("2024-04-01", &sla(6, "2024-03-31"))
            .version("2024-07-01", &sla(9, "2024-06-30"))
            .build();
        let findings = run(&SupportDegrading, &timeline, "2024-07-02");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].message,
            "SLA P1 first response is missed: 9 hours against a target of at most 4 hours as of 2024-06-30, and was missed on 2024-03-31 (6)"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-04-01 c000000 p1-response as of 2024-03-31: 6 hours against a target of at most 4 hours",
                "2024-07-01 c000001 p1-response as of 2024-06-30: 9 hours against a target of at most 4 hours"
            ]
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("slas.p1-response.actual", 9.0, Worse::Higher).target(Some(4.0)))
        );
    }

    #[test]
    fn an_sla_missed_by_more_measures_worse() {
        let at = |before: u32, now: u32| {
            let timeline = History::new()
                .version("2024-04-01", &sla(before, "2024-03-31"))
                .version("2024-07-01", &sla(now, "2024-06-30"))
                .build();
            measure(&SupportDegrading, &timeline, "2024-07-02")
        };
        let milder = at(6, 9);
        assert_eq!(at(6, 12).since(&milder), Movement::Worse);
        assert_eq!(at(6, 7).since(&milder), Movement::Better);
        // Missed by a different margin last quarter: today's actual is what is measured.
        assert_eq!(at(5, 9).since(&milder), Movement::Same);
    }

    #[test]
    fn met_sla_stays_silent() {
        let timeline = History::new()
            .version("2024-04-01", &sla(6, "2024-03-31"))
            .version("2024-07-01", &sla(4, "2024-06-30"))
            .build();
        assert!(run(&SupportDegrading, &timeline, "2024-07-02").is_empty());
    }

    fn breaches(n: u32) -> String {
        front(&format!("support: {{ sla_breaches: {n} }}\n"))
    }

    #[test]
    fn breaches_rising_over_three_versions() {
        let timeline = History::new()
            .version("2024-01-01", &breaches(5))
            .version("2024-02-01", &breaches(1))
            .version("2024-03-01", &breaches(3))
            .version("2024-03-15", &breaches(3))
            .version("2024-04-01", &breaches(6))
            .build();
        let findings = run(&SupportDegrading, &timeline, "2024-04-02");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "support.sla_breaches rose across 3 versions: 1 → 3 → 6 (2024-02-01 to 2024-04-01)"
        );
        assert_eq!(findings[0].evidence.len(), 3);
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("support.sla_breaches", 6.0, Worse::Higher))
        );
    }

    #[test]
    fn breaches_rising_further_measure_worse() {
        let rising = |counts: &[u32]| {
            let mut history = History::new();
            for (i, n) in counts.iter().enumerate() {
                history = history.version(&format!("2024-0{}-01", i + 1), &breaches(*n));
            }
            measure(&SupportDegrading, &history.build(), "2024-09-01")
        };
        let milder = rising(&[1, 3, 6]);
        assert_eq!(rising(&[1, 3, 8]).since(&milder), Movement::Worse);
        // A longer climb to the same count: the count is the same.
        assert_eq!(rising(&[0, 1, 3, 6]).since(&milder), Movement::Same);
    }

    #[test]
    fn up_then_down_stays_silent() {
        let timeline = History::new()
            .version("2024-01-01", &breaches(1))
            .version("2024-02-01", &breaches(3))
            .version("2024-03-01", &breaches(6))
            .version("2024-04-01", &breaches(2))
            .build();
        assert!(run(&SupportDegrading, &timeline, "2024-04-02").is_empty());
    }
}
