//! Sign 4, the customer is unhappy even though the contract is delivered.

use super::{history, set_in};
use crate::ledger::{Snapshot, Timeline};
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding,
    sign,
};

pub struct SatisfactionDecline;

static SATISFACTION_DECLINE: RuleInfo = RuleInfo {
    id: "satisfaction-decline",
    sign: sign::SATISFACTION,
    title: "Satisfaction with the partnership is falling",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "`satisfaction.score` now at least {min_drop} below its highest value in an \
        earlier version. Error when, at the same time, every SLA of the current version has an \
        actual meeting its target (there is at least one SLA): the contract is delivered and \
        people are still unhappy.",
    why: "Sign 4: the customer is unhappy even though the contract is delivered. Falling \
        satisfaction with SLAs met means the contract measures the wrong things, or the \
        relationship fails somewhere the contract does not look.",
    example: "2024-03-31  satisfaction: { score: 4.5 }\n2024-09-30  satisfaction: { score: 3.6 }, every SLA met\n→ error: satisfaction fell from 4.5 (2024-03-31) to 3.6 (2024-09-30) while every SLA is met (2 of 2)",
    fix: "Ask the stakeholders what changed, in their words; bring it to the partner's leadership \
        and add the KPIs or SLAs that capture it, so the contract measures what matters.",
};

impl Rule for SatisfactionDecline {
    fn info(&self) -> &'static RuleInfo {
        &SATISFACTION_DECLINE
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let min_drop = cx.settings.satisfaction_decline.min_drop;
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        let score_of = |s: &crate::ledger::Snapshot| s.front.satisfaction.as_ref()?.score;
        let Some(now_score) = score_of(current) else {
            return Vec::new();
        };
        // The first version holding the highest earlier score.
        let mut peak: Option<(&crate::ledger::Version, f64, Option<crate::ledger::Date>)> = None;
        for (version, snapshot) in &versions[..versions.len() - 1] {
            if let Some(score) = score_of(snapshot)
                && peak.is_none_or(|(_, best, _)| score > best)
            {
                let as_of = snapshot.front.satisfaction.as_ref().and_then(|s| s.as_of);
                peak = Some((version, score, as_of));
            }
        }
        let Some((peak_version, peak_score, peak_as_of)) = peak else {
            return Vec::new();
        };
        if peak_score - now_score < min_drop - 1e-9 {
            return Vec::new();
        }
        let now_as_of = current.front.satisfaction.as_ref().and_then(|s| s.as_of);
        let slas = &current.front.slas;
        let met = slas.iter().filter(|s| s.is_met() == Some(true)).count();
        let all_met = !slas.is_empty() && met == slas.len();
        let field = "satisfaction.score";
        let mut facts = vec![
            Fact::new("peak", FactValue::Number(peak_score)).of(field),
            Fact::new(
                "peak_date",
                FactValue::Date(peak_as_of.unwrap_or(peak_version.date())),
            ),
            Fact::new("now", FactValue::Number(now_score)).of(field),
            Fact::new(
                "now_date",
                FactValue::Date(now_as_of.unwrap_or(now_version.date())),
            ),
        ];
        let mut template =
            "satisfaction fell from {peak} ({peak_date}) to {now} ({now_date})".to_string();
        if all_met {
            template.push_str(" while every SLA is met ({met} of {slas})");
            facts.push(Fact::new("met", FactValue::Number(met as f64)));
            facts.push(Fact::new("slas", FactValue::Number(slas.len() as f64)));
        }
        vec![
            finding(&SATISFACTION_DECLINE, current, field, "")
                .stating(&template, facts)
                .severity(if all_met {
                    Severity::Error
                } else {
                    Severity::Warning
                })
                .at_path("satisfaction.score")
                // Each score cites the commit that recorded it (a new `as_of` is a new
                // measurement, even of the same score).
                .evidence(vec![
                    Evidence::field(set_in(timeline, peak_version, reading), field, peak_score),
                    Evidence::field(set_in(timeline, now_version, reading), field, now_score),
                ])
                .measure(Measure::new("satisfaction.score", now_score, Worse::Lower)),
        ]
    }
}

/// A satisfaction measurement as recorded: the score and its date.
fn reading(s: &Snapshot) -> Option<(Option<f64>, Option<crate::ledger::Date>)> {
    let satisfaction = s.front.satisfaction.as_ref()?;
    Some((satisfaction.score, satisfaction.as_of))
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

    fn score(score: f64, as_of: &str, sla_actual: u32) -> String {
        front(&format!(
            "satisfaction: {{ score: {score}, as_of: {as_of} }}\nslas:\n  - {{ id: p1, target: 4, actual: {sla_actual}, better: lower }}\n"
        ))
    }

    #[test]
    fn falling_while_slas_are_met_is_an_error() {
        let timeline = History::new()
            .version("2024-04-01", &score(4.5, "2024-03-31", 3))
            .version("2024-07-01", &score(4.2, "2024-06-30", 3))
            .version("2024-10-01", &score(3.6, "2024-09-30", 2))
            .build();
        let findings = run(&SatisfactionDecline, &timeline, "2024-10-02");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].message,
            "satisfaction fell from 4.5 (2024-03-31) to 3.6 (2024-09-30) while every SLA is met (1 of 1)"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-04-01 c000000 satisfaction.score = 4.5",
                "2024-10-01 c000002 satisfaction.score = 3.6"
            ]
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("satisfaction.score", 3.6, Worse::Lower))
        );
    }

    #[test]
    fn falling_further_measures_worse() {
        let to = |now: f64, sla_actual: u32| {
            let timeline = History::new()
                .version("2024-04-01", &score(4.5, "2024-03-31", sla_actual))
                .version("2024-10-01", &score(now, "2024-09-30", sla_actual))
                .build();
            measure(&SatisfactionDecline, &timeline, "2024-10-02")
        };
        let milder = to(3.5, 9);
        assert_eq!(to(3.0, 9).since(&milder), Movement::Worse);
        // SLAs now met raise the severity; the score is the same.
        assert_eq!(to(3.5, 3).since(&milder), Movement::Same);
    }

    #[test]
    fn falling_with_slas_missed_is_a_warning() {
        let timeline = History::new()
            .version("2024-04-01", &score(4.5, "2024-03-31", 9))
            .version("2024-10-01", &score(3.5, "2024-09-30", 9))
            .build();
        let findings = run(&SatisfactionDecline, &timeline, "2024-10-02");
        assert_eq!(findings[0].severity, Severity::Warning);
    }

    #[test]
    fn small_dip_stays_silent() {
        let timeline = History::new()
            .version("2024-04-01", &score(4.5, "2024-03-31", 3))
            .version("2024-10-01", &score(4.1, "2024-09-30", 3))
            .build();
        assert!(run(&SatisfactionDecline, &timeline, "2024-10-02").is_empty());
    }
}
