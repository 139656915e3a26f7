//! Comparing the findings of one partnership at two points: the review (merge base and head),
//! the digest (the start and the end of a period) and the timeline (each version and the one it
//! descends from) all match findings by fingerprint here and give each one [`Status`].

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::reconfigured::ConfigChange;
use crate::signs::{Acknowledgement, Finding, Measure, Movement, Severity};

// The words of the review (head, merge base) are the schema's; in a digest or a timeline they
// stand for the later and the earlier point.
/// How a finding fared in the change.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Gone at head, or lower there, because the change reconfigured rapport (a rule switched
    /// off, a threshold relaxed, a severity lowered) while the ledger at head still shows it
    /// as the merge base's configuration judged it. Never good news; listed first.
    Silenced,
    /// Present at head, absent at the merge base.
    New,
    /// Present at both, with a higher severity or a measurably worse value at head.
    Worsened,
    /// Acknowledged at the earlier point, open at the later one: its acknowledgement ran out
    /// or was withdrawn. Only a history reads it apart ([`Reading::History`]); a gate counts it
    /// as worsened, so a review never shows it.
    #[schemars(skip)]
    Reopened,
    /// Present at the merge base, gone at head.
    Resolved,
    /// Present at both, with a lower severity or a measurably better value at head.
    Improved,
    /// Matched at head by an unexpired `acknowledged` entry.
    Acknowledged,
    /// Present at both, the same.
    Unchanged,
}

impl Status {
    /// The statuses a review and a digest show, in report order.
    pub const ALL: [Status; 7] = [
        Status::Silenced,
        Status::New,
        Status::Worsened,
        Status::Resolved,
        Status::Improved,
        Status::Acknowledged,
        Status::Unchanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Silenced => "silenced",
            Status::New => "new",
            Status::Worsened => "worsened",
            Status::Reopened => "reopened",
            Status::Resolved => "resolved",
            Status::Improved => "improved",
            Status::Acknowledged => "acknowledged",
            Status::Unchanged => "unchanged",
        }
    }
}

/// How a comparison reads acknowledgements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// As a gate (the review, the digest): every acknowledged finding is [`Status::Acknowledged`],
    /// and one whose acknowledgement ran out counts as [`Status::Worsened`]: it fails the gate
    /// again.
    Gate,
    /// As a history (the timeline): an acknowledgement made is [`Status::Acknowledged`], one
    /// run out [`Status::Reopened`], and a finding acknowledged at both points moved as its
    /// values did.
    History,
}

/// What a finding was at the earlier point, when it was there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Before {
    pub severity: Severity,
    pub message: String,
    pub measure: Option<Measure>,
}

/// One finding with its status between the two points.
#[derive(Clone, Debug, PartialEq)]
pub struct Reviewed {
    pub status: Status,
    /// The finding at the later point; at the earlier one for a resolved one (its location is
    /// then the file as it was there).
    pub finding: Finding,
    /// The same finding at the earlier point, for worsened, improved, unchanged and
    /// acknowledged ones that were there.
    pub before: Option<Before>,
    /// For a silenced finding, the settings of `rapport.yaml` replaced in between that can
    /// have silenced it (old → new).
    pub silenced_by: Vec<ConfigChange>,
}

/// Matches findings by fingerprint and gives each its status, as `reading` reads
/// acknowledgements. `judged_as_before` is the later ledger judged with the earlier
/// configuration, when rapport was reconfigured in between: a finding it has that the later
/// point has not, or has lower, was silenced by the configuration, not resolved or improved by
/// the ledger. A finding the ledger resolved stays resolved even when the configuration changed
/// too. Ordered by status, then severity (worst first), rule and subject.
pub fn classify(
    at_head: &[Finding],
    at_base: &[Finding],
    judged_as_before: Option<&[Finding]>,
    reading: Reading,
) -> Vec<Reviewed> {
    let index = |findings: &'_ [Finding]| -> HashMap<String, usize> {
        findings
            .iter()
            .enumerate()
            .map(|(i, f)| (f.fingerprint.0.clone(), i))
            .collect()
    };
    let before_at = index(at_base);
    let judged_at = judged_as_before.map(index).unwrap_or_default();
    let judged = |key: &str| -> Option<&Finding> {
        judged_as_before.and_then(|all| all.get(*judged_at.get(key)?))
    };
    let before_of = |w: &Finding| Before {
        severity: w.severity,
        message: w.message.clone(),
        measure: w.measure.clone(),
    };
    let mut out: Vec<Reviewed> = at_head
        .iter()
        .map(|finding| {
            let key = finding.fingerprint.0.as_str();
            let was = before_at.get(key).map(|&i| &at_base[i]);
            let mut status = match (reading, was) {
                (Reading::Gate, _) if !is_open(finding) => Status::Acknowledged,
                (Reading::Gate, Some(was)) if !is_open(was) => Status::Worsened,
                (Reading::History, Some(was)) if is_open(was) && !is_open(finding) => {
                    Status::Acknowledged
                }
                (Reading::History, Some(was)) if !is_open(was) && is_open(finding) => {
                    Status::Reopened
                }
                (_, None) if is_open(finding) => Status::New,
                (_, None) => Status::Acknowledged,
                (_, Some(was)) => movement(was, finding),
            };
            // Lower than the old configuration judges the same ledger: silenced, and shown as
            // the old configuration judges it.
            let mut shown = finding;
            if let Some(judged) = judged(key).filter(|j| {
                matches!(status, Status::Improved | Status::New)
                    && j.acknowledgement == Acknowledgement::Open
                    && movement(j, finding) == Status::Improved
            }) {
                status = Status::Silenced;
                shown = judged;
            }
            Reviewed {
                status,
                finding: shown.clone(),
                before: was.map(before_of),
                silenced_by: Vec::new(),
            }
        })
        .collect();
    let now: HashSet<&str> = at_head.iter().map(|f| f.fingerprint.0.as_str()).collect();
    out.extend(
        at_base
            .iter()
            .filter(|f| !now.contains(f.fingerprint.0.as_str()))
            .map(|f| match judged(&f.fingerprint.0) {
                // Still there for the old configuration: the new one hid it. Shown as the old
                // configuration judges the head's ledger.
                Some(still) if still.acknowledgement == Acknowledgement::Open => Reviewed {
                    status: Status::Silenced,
                    finding: still.clone(),
                    before: Some(before_of(f)),
                    silenced_by: Vec::new(),
                },
                _ => Reviewed {
                    status: Status::Resolved,
                    finding: f.clone(),
                    before: None,
                    silenced_by: Vec::new(),
                },
            }),
    );
    // What the change brings that the old configuration finds and the new one hides.
    if let Some(all) = judged_as_before {
        out.extend(
            all.iter()
                .filter(|f| {
                    let key = f.fingerprint.0.as_str();
                    f.acknowledgement == Acknowledgement::Open
                        && !now.contains(key)
                        && !before_at.contains_key(key)
                })
                .map(|f| Reviewed {
                    status: Status::Silenced,
                    finding: f.clone(),
                    before: None,
                    silenced_by: Vec::new(),
                }),
        );
    }
    out.sort_by(|a, b| {
        (
            a.status,
            std::cmp::Reverse(a.finding.severity),
            a.finding.rule,
            &a.finding.subject,
        )
            .cmp(&(
                b.status,
                std::cmp::Reverse(b.finding.severity),
                b.finding.rule,
                &b.finding.subject,
            ))
    });
    out
}

fn is_open(finding: &Finding) -> bool {
    finding.acknowledgement == Acknowledgement::Open
}

/// Worse, better or the same: severity first, then the finding's measure.
fn movement(before: &Finding, after: &Finding) -> Status {
    if after.severity != before.severity {
        return if after.severity > before.severity {
            Status::Worsened
        } else {
            Status::Improved
        };
    }
    match (&before.measure, &after.measure) {
        (Some(was), Some(is)) => match is.since(was) {
            Movement::Worse => Status::Worsened,
            Movement::Better => Status::Improved,
            Movement::Same => Status::Unchanged,
        },
        _ => Status::Unchanged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::testing::finding_of;

    fn acknowledged(mut finding: Finding) -> Finding {
        finding.acknowledgement = Acknowledgement::Acknowledged {
            reason: "agreed with finance".into(),
            until: None,
        };
        finding
    }

    fn statuses(later: &[Finding], earlier: &[Finding], reading: Reading) -> Vec<Status> {
        classify(later, earlier, None, reading)
            .iter()
            .map(|r| r.status)
            .collect()
    }

    #[test]
    fn an_acknowledgement_that_ran_out_is_reopened_in_a_history_and_worse_at_a_gate() {
        let open = finding_of("payment-terms-slip", "northwind", "terms.payment_days");
        let was = [acknowledged(open.clone())];
        let now = [open];
        assert_eq!(statuses(&now, &was, Reading::History), [Status::Reopened]);
        assert_eq!(statuses(&now, &was, Reading::Gate), [Status::Worsened]);
    }

    #[test]
    fn a_finding_acknowledged_at_both_points_moved_only_with_its_values_in_a_history() {
        let open = finding_of("payment-terms-slip", "northwind", "terms.payment_days");
        let both = [acknowledged(open.clone())];
        assert_eq!(
            statuses(&both, &both, Reading::History),
            [Status::Unchanged]
        );
        assert_eq!(
            statuses(&both, &both, Reading::Gate),
            [Status::Acknowledged]
        );
        // Acknowledged after being open, or from the start: news either way.
        for earlier in [&[open][..], &[]] {
            assert_eq!(
                statuses(&both, earlier, Reading::History),
                [Status::Acknowledged]
            );
        }
        assert_eq!(
            statuses(&[], &both, Reading::History),
            [Status::Resolved],
            "gone is resolved"
        );
    }
}
