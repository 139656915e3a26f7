//! `acknowledged` entries: a known sign the team accepts until a date. Matching findings are
//! shown as acknowledged; an entry that expired or matches nothing is itself reported, so
//! acknowledgements do not rot.

use crate::ledger::Snapshot;
use crate::ledger::Timeline;
use crate::signs::{
    Acknowledgement, Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo,
    Severity, Worse, finding, sign,
};

pub const ID: &str = "stale-acknowledgement";

pub struct StaleAcknowledgement;

static INFO: RuleInfo = RuleInfo {
    id: ID,
    sign: sign::HYGIENE,
    title: "An acknowledgement expired or matches no finding",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "An `acknowledged` entry in the current file whose `until` date is before now (the \
        finding it covered is shown again), or whose rule produced no finding for this \
        partnership (the sign is gone). Entries for rules disabled in rapport.yaml are left \
        alone; an entry naming no rule at all is an error of the file (`unknown-rule`, with the \
        closest rule id).",
    why: "An acknowledgement is a decision with a reason and a date. Left in place after the date \
        or after the sign has gone, it hides the next occurrence and tells readers something \
        that is no longer true.",
    example: "acknowledged:\n  - { rule: payment-terms-slip, reason: Net-45 for a volume discount, until: 2025-01-15 }\n\nanalysed on 2025-03-01: the acknowledgement expired 45 days ago",
    fix: "Review the decision: renew `until` with a fresh reason if the team still accepts the sign, \
        or delete the entry (and deal with the sign) if not.",
};

impl Rule for StaleAcknowledgement {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    /// Produced by [`apply`], which needs the other rules' findings.
    fn check(&self, _: &Timeline, _: &Context) -> Vec<Finding> {
        Vec::new()
    }

    fn after(&self, current: &Snapshot, findings: &mut Vec<Finding>, cx: &Context) {
        apply(current, findings, cx);
    }
}

/// Marks findings covered by an unexpired acknowledgement and adds a finding for each entry that
/// expired or matched nothing.
pub fn apply(current: &Snapshot, findings: &mut Vec<Finding>, cx: &Context) {
    let switch = cx.settings.switch(ID);
    let mut stale = Vec::new();
    for (i, ack) in current.front.acknowledged.iter().enumerate() {
        if !cx.settings.switch(&ack.rule).enabled {
            continue;
        }
        let expired = ack.until.is_some_and(|until| until < cx.now);
        let mut matched = 0;
        for f in findings.iter_mut().filter(|f| f.rule == ack.rule) {
            matched += 1;
            if !expired {
                f.acknowledgement = Acknowledgement::Acknowledged {
                    reason: ack.reason.clone(),
                    until: ack.until,
                };
            }
        }
        // An expired entry is measured by the days since it expired; one that matches nothing
        // is a fact with no number to it.
        let mut measure = None;
        let rule = Fact::new("rule", FactValue::Text(ack.rule.clone())).of("acknowledged.rule");
        let (template, facts) = match (expired, ack.until) {
            (true, Some(until)) => {
                let days = until.days_until(cx.now);
                measure = Some(Measure::new(
                    "acknowledged.days_expired",
                    days as f64,
                    Worse::Higher,
                ));
                (
                    "the acknowledgement of {rule} expired on {until}, {days} days ago",
                    vec![
                        rule.clone(),
                        Fact::new("until", FactValue::Date(until)).of("acknowledged.until"),
                        Fact::new("days", FactValue::Number(days as f64)),
                    ],
                )
            }
            // An entry naming no rule is an error of the file, reported by its validation.
            _ if matched == 0 && super::super::find_rule(&ack.rule).is_none() => continue,
            _ if matched == 0 => (
                "the acknowledgement of {rule} matches no finding",
                vec![rule.clone()],
            ),
            _ => continue,
        };
        let mut evidence = Evidence::dated(ack.until.unwrap_or(cx.now), "", None).stating(
            "acknowledged: {rule} ({reason})",
            vec![
                rule,
                Fact::new("reason", FactValue::Text(ack.reason.clone())).of("acknowledged.reason"),
            ],
            None,
        );
        if ack.until.is_some() {
            evidence = evidence.dated_by(&["acknowledged.until"]);
        }
        let mut f = finding(&INFO, current, format!("acknowledged:{}", ack.rule), "")
            .stating(template, facts)
            .at_path(format!("acknowledged[{i}]"))
            .evidence(vec![evidence]);
        f.measure = measure;
        if let Some(severity) = switch.severity {
            f.severity = severity;
        }
        stale.push(f);
    }
    if switch.enabled {
        findings.extend(stale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::Movement;
    use crate::signs::testing::{History, Setup, front};

    /// The stale-acknowledgement findings of a file acknowledging payment-terms-slip `until`,
    /// with no other finding, at `now`.
    fn stale(until: &str, reason: &str, now: &str) -> Vec<Finding> {
        let text = front(&format!(
            "acknowledged:\n  - {{ rule: payment-terms-slip, reason: {reason}, until: {until} }}\n"
        ));
        let timeline = History::new().version("2024-06-01", &text).build();
        let current = timeline.current().expect("a current version");
        let setup = Setup::default();
        let mut findings = Vec::new();
        apply(current, &mut findings, &setup.context(now));
        findings
    }

    #[test]
    fn an_expired_acknowledgement_measures_the_days_since() {
        let findings = stale("2025-01-15", "Net-45 for a volume discount", "2025-03-01");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "the acknowledgement of payment-terms-slip expired on 2025-01-15, 45 days ago"
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new(
                "acknowledged.days_expired",
                45.0,
                Worse::Higher
            ))
        );
    }

    #[test]
    fn an_older_expiry_measures_worse() {
        let measure = |until: &str, reason: &str| {
            stale(until, reason, "2025-03-01")[0]
                .measure
                .clone()
                .expect("a measure")
        };
        let milder = measure("2025-01-15", "Net-45 for a volume discount");
        assert_eq!(
            measure("2024-12-01", "Net-45 for a volume discount").since(&milder),
            Movement::Worse
        );
        // A new reason with the same date: as stale as before.
        assert_eq!(
            measure("2025-01-15", "Net-45 while volumes grow").since(&milder),
            Movement::Same
        );
    }

    #[test]
    fn an_acknowledgement_matching_nothing_has_no_measure() {
        let findings = stale("2025-12-31", "Net-45 for a volume discount", "2025-03-01");
        assert_eq!(
            findings[0].message,
            "the acknowledgement of payment-terms-slip matches no finding"
        );
        assert_eq!(findings[0].measure, None);
    }
}
