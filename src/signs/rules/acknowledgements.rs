//! `acknowledged` entries: a known sign the team accepts until a date. Matching findings are
//! shown as acknowledged; an entry that expired or matches nothing is itself reported, so
//! acknowledgements do not rot.

use crate::ledger::Snapshot;
use crate::ledger::Timeline;
use crate::signs::{
    Acknowledgement, Context, Evidence, Finding, Rule, RuleInfo, Severity, finding, sign,
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
        partnership (the sign is gone, or the rule id is wrong). Entries for rules disabled in \
        rapport.yaml are left alone.",
    why: "An acknowledgement is a decision with a reason and a date. Left in place after the date \
        or after the sign has gone, it hides the next occurrence and tells readers something \
        that is no longer true.",
    example: "acknowledged:\n  - { rule: payment-terms-slip, reason: Net-45 for a volume discount, until: 2025-01-15 }\n\nanalysed on 2025-03-01: the acknowledgement expired 45 days ago",
    fix: "Review the decision: renew `until` with a fresh reason if the team still accepts the sign, \
        or delete the entry (and deal with the sign) if not.",
    settings: &[],
};

impl Rule for StaleAcknowledgement {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    /// Produced by [`apply`], which needs the other rules' findings.
    fn check(&self, _: &Timeline, _: &Context) -> Vec<Finding> {
        Vec::new()
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
        let message = match (expired, ack.until) {
            (true, Some(until)) => format!(
                "the acknowledgement of {} expired on {until}, {} days ago",
                ack.rule,
                until.days_until(cx.now)
            ),
            _ if matched == 0 => {
                if super::super::find_rule(&ack.rule).is_none() {
                    format!(
                        "the acknowledgement names `{}`, which is not a rule",
                        ack.rule
                    )
                } else {
                    format!("the acknowledgement of {} matches no finding", ack.rule)
                }
            }
            _ => continue,
        };
        let mut f = finding(
            &INFO,
            current,
            format!("acknowledged:{}", ack.rule),
            message,
        )
        .at_path(format!("acknowledged[{i}]"))
        .evidence(vec![Evidence::dated(
            ack.until.unwrap_or(cx.now),
            format!("acknowledged: {} ({})", ack.rule, ack.reason),
            None,
        )]);
        if let Some(severity) = switch.severity {
            f.severity = severity;
        }
        stale.push(f);
    }
    if switch.enabled {
        findings.extend(stale);
    }
}
