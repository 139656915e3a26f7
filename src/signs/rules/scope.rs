//! Sign 10, the scope is unclear: responsibilities that keep moving or were never pinned down.

use super::{history, pairs, set_in};
use crate::ledger::changes::{Change, scope_changes};
use crate::ledger::model::ScopeOwner;
use crate::ledger::{Timeline, Version};
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding,
    sign,
};

pub struct ScopeDrift;
pub struct ScopeUndefined;

static SCOPE_DRIFT: RuleInfo = RuleInfo {
    id: "scope-drift",
    sign: sign::SCOPE,
    title: "The scope keeps changing",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "Commits that change `scope` against the valid version they descend from (a merge \
        against its first parent, never one branch against another): an item added or \
        removed (by `id`), or reworded (its `summary` similar to the previous one by less than \
        {min_similarity}, as a word-level diff ratio). Fires when at least {min_commits} such \
        commits fall within {window_days} of each other anywhere in history (the \
        busiest window is reported). The first version's scope is where it starts, not a \
        change.",
    why: "Sign 10: the scope is unclear. A scope rewritten every few weeks means nobody has pinned \
        down who is responsible for what, and each side works to its own version.",
    example: "2024-01-15  scope: [eu-hosting]\n2024-02-01  scope: [eu-hosting, analytics]          (added)\n2024-03-10  scope: [eu-hosting: reworded, analytics]\n2024-05-20  scope: [eu-hosting]                     (removed analytics)\n→ the scope changed in 3 commits within 180 days (2024-02-01 to 2024-05-20)",
    fix: "Hold a scope workshop with both sides, write down each responsibility with an owner and \
        an SLA, and change it only through the governance meeting.",
};

impl Rule for ScopeDrift {
    fn info(&self) -> &'static RuleInfo {
        &SCOPE_DRIFT
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.scope_drift;
        let versions = history(timeline, cx.now);
        let Some(&(_, current)) = versions.last() else {
            return Vec::new();
        };
        // Each commit's changes as what happened and to which item id.
        let mut changed: Vec<(&Version, Vec<(&str, String)>)> = Vec::new();
        // Each version against the one it descends from, never against a branch merged beside it.
        for ((_, was), (version, is)) in pairs(timeline, cx.now) {
            let mut scope = Vec::new();
            scope_changes(&was.front.scope, &is.front.scope, &mut scope);
            let what: Vec<(&str, String)> = scope
                .into_iter()
                .filter_map(|change| match change {
                    Change::ScopeAdded { id, .. } => Some(("added", id)),
                    Change::ScopeRemoved { id, .. } => Some(("removed", id)),
                    Change::ScopeReworded { id, similarity, .. }
                        if f64::from(similarity) < set.min_similarity =>
                    {
                        Some(("reworded", id))
                    }
                    _ => None,
                })
                .collect();
            if !what.is_empty() {
                changed.push((version, what));
            }
        }
        changed.sort_by_key(|(v, _)| v.date());
        let mut best: Option<(usize, usize)> = None;
        for end in 0..changed.len() {
            let from = changed[end].0.date().sub_days(set.window_days);
            // At most `end`: a window can only reach back, whatever the setting says.
            let start = changed
                .iter()
                .position(|(v, _)| v.date() >= from)
                .unwrap_or(end)
                .min(end);
            if best.is_none_or(|(s, e)| end + 1 - start >= e + 1 - s) {
                best = Some((start, end));
            }
        }
        let Some((start, end)) = best else {
            return Vec::new();
        };
        let group = &changed[start..=end];
        if group.len() < set.min_commits.max(1) {
            return Vec::new();
        }
        let mut facts = vec![
            Fact::new("commits", FactValue::Number(group.len() as f64)),
            Fact::new("window_days", FactValue::Number(set.window_days as f64)),
            Fact::new("from", FactValue::Date(group[0].0.date())),
            Fact::new("to", FactValue::Date(group[group.len() - 1].0.date())),
        ];
        let mut commits = Vec::new();
        let mut evidence = Vec::new();
        for (c, (version, what)) in group.iter().enumerate() {
            // Each change's item id is a fact, `id<commit>_<change>` in the message.
            let mut parts = Vec::new();
            let mut observed = Vec::new();
            let mut observed_facts = Vec::new();
            for (k, (verb, id)) in what.iter().enumerate() {
                parts.push(format!("{verb} {{id{c}_{k}}}"));
                facts.push(
                    Fact::new(&format!("id{c}_{k}"), FactValue::Text(id.clone())).of("scope.id"),
                );
                observed.push(format!("{verb} {{id{k}}}"));
                observed_facts
                    .push(Fact::new(&format!("id{k}"), FactValue::Text(id.clone())).of("scope.id"));
            }
            commits.push(parts.join(", "));
            evidence.push(Evidence::of(version, "", None).stating(
                &format!("scope: {}", observed.join(", ")),
                observed_facts,
                None,
            ));
        }
        let template = format!(
            "the scope changed in {{commits}} commits within {{window_days}} days ({{from}} to \
             {{to}}): {}",
            crate::signs::finding::list(&commits, "; ")
        );
        vec![
            finding(&SCOPE_DRIFT, current, "scope", "")
                .stating(&template, facts)
                .at_path("scope")
                .evidence(evidence)
                // The commits changing the scope in the busiest window, as the message counts.
                .measure(Measure::new(
                    "scope.changes_in_window",
                    group.len() as f64,
                    Worse::Higher,
                )),
        ]
    }
}

static SCOPE_UNDEFINED: RuleInfo = RuleInfo {
    id: "scope-undefined",
    sign: sign::SCOPE,
    title: "A responsibility has no owner or no service level",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "In the current version: a `scope` item without `owner`; a partner-owned item without \
        `sla`. One finding per item and problem. An `sla` that names no entry of `slas` is not a \
        finding but an error in the file (`broken-reference`, with the closest SLA id): the \
        format refuses it, as it refuses any reference to nothing.",
    why: "Sign 10: the scope is unclear, responsibilities, KPIs and SLAs not pinned down. What has \
        no owner is done by nobody; what the partner owns without a service level cannot be held \
        to account.",
    example: "scope:\n  - { id: eu-hosting, summary: Managed hosting for EU tenants, owner: partner }\n→ partner-owned scope item eu-hosting has no SLA",
    fix: "Give every scope item an owner, and every partner-owned item an SLA with a target, agreed \
        with the partner and written in `slas`.",
};

impl Rule for ScopeUndefined {
    fn info(&self) -> &'static RuleInfo {
        &SCOPE_UNDEFINED
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        // One finding per item and problem, each a fact with no number to it: no measure.
        let mut findings = Vec::new();
        for (i, item) in current.front.scope.iter().enumerate() {
            let id = Fact::new("id", FactValue::Text(item.id.clone())).of("scope.id");
            let problem = match (item.owner, &item.sla) {
                (None, _) => Some((
                    "owner",
                    "scope item {id} has no owner",
                    vec![id.clone()],
                    format!("scope[{i}]"),
                )),
                (Some(ScopeOwner::Partner), None) => Some((
                    "sla",
                    "partner-owned scope item {id} has no SLA",
                    vec![id.clone()],
                    format!("scope[{i}]"),
                )),
                _ => None,
            };
            if let Some((kind, template, facts, path)) = problem {
                findings.push(
                    finding(&SCOPE_UNDEFINED, current, format!("{}:{kind}", item.id), "")
                        .stating(template, facts)
                        .at_path(path)
                        // The commit from which the item has been as it is now.
                        .evidence(vec![
                            Evidence::of(
                                set_in(timeline, now_version, |s| {
                                    let it = s.front.scope.iter().find(|it| it.id == item.id)?;
                                    Some((it.summary.clone(), it.owner, it.sla.clone()))
                                }),
                                "",
                                None,
                            )
                            .stating(
                                "scope {id}: {summary}",
                                vec![
                                    id.clone(),
                                    Fact::new("summary", FactValue::Text(item.summary.clone()))
                                        .of("scope.summary"),
                                ],
                                None,
                            ),
                        ]),
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

    fn scope(items: &[(&str, &str)]) -> String {
        let mut text =
            String::from("slas:\n  - { id: p1, target: 4, actual: 3, better: lower }\nscope:\n");
        for (id, summary) in items {
            text.push_str(&format!(
                "  - {{ id: {id}, summary: {summary}, owner: partner, sla: p1 }}\n"
            ));
        }
        front(&text)
    }

    /// Five versions over four months: a service added, one rewritten, the added one dropped.
    fn drifting() -> Timeline {
        History::new()
            .version(
                "2024-01-15",
                &scope(&[("eu-hosting", "Managed hosting for EU tenants")]),
            )
            .version(
                "2024-02-01",
                &scope(&[
                    ("eu-hosting", "Managed hosting for EU tenants"),
                    ("analytics", "Usage analytics"),
                ]),
            )
            .version(
                "2024-03-10",
                &scope(&[
                    ("eu-hosting", "Hosting and backups worldwide"),
                    ("analytics", "Usage analytics"),
                ]),
            )
            .version(
                "2024-03-11",
                &scope(&[
                    ("eu-hosting", "Hosting and backups worldwide"),
                    ("analytics", "Usage analytics"),
                ]),
            )
            .version(
                "2024-05-20",
                &scope(&[("eu-hosting", "Hosting and backups worldwide")]),
            )
            .build()
    }

    #[test]
    fn a_negative_window_reaches_back_nowhere_instead_of_panicking() {
        // A window that ended after its last change put the group's start past its end.
        let timeline = drifting();
        let mut setup = crate::signs::testing::Setup::default();
        setup.settings.scope_drift.window_days = -40;
        setup.settings.scope_drift.min_commits = 1;
        let findings = ScopeDrift.check(&timeline, &setup.context("2024-06-01"));
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0]
                .message
                .starts_with("the scope changed in 1 commits within -40 days"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn three_changes_in_180_days() {
        let timeline = drifting();
        let findings = run(&ScopeDrift, &timeline, "2024-06-01");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "the scope changed in 3 commits within 180 days (2024-02-01 to 2024-05-20): added analytics; reworded eu-hosting; removed analytics"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-02-01 c000001 scope: added analytics",
                "2024-03-10 c000002 scope: reworded eu-hosting",
                "2024-05-20 c000004 scope: removed analytics"
            ]
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("scope.changes_in_window", 3.0, Worse::Higher))
        );
    }

    #[test]
    fn more_scope_changes_measure_worse() {
        let history = || {
            History::new()
                .version("2024-01-15", &scope(&[("eu-hosting", "Managed hosting")]))
                .version(
                    "2024-02-01",
                    &scope(&[
                        ("eu-hosting", "Managed hosting"),
                        ("analytics", "Analytics"),
                    ]),
                )
                .version("2024-03-01", &scope(&[("eu-hosting", "Managed hosting")]))
                .version(
                    "2024-04-01",
                    &scope(&[
                        ("eu-hosting", "Managed hosting"),
                        ("training", "Sales training for the EU team"),
                    ]),
                )
        };
        let milder = measure(&ScopeDrift, &history().build(), "2024-06-01");
        let more = history()
            .version("2024-05-01", &scope(&[("eu-hosting", "Managed hosting")]))
            .build();
        assert_eq!(
            measure(&ScopeDrift, &more, "2024-06-01").since(&milder),
            Movement::Worse
        );
        // A light edit of a summary is not a change of scope.
        let edited = history()
            .version(
                "2024-05-01",
                &scope(&[
                    ("eu-hosting", "Managed hosting"),
                    ("training", "Sales training for the whole EU team"),
                ]),
            )
            .build();
        assert_eq!(
            measure(&ScopeDrift, &edited, "2024-06-01").since(&milder),
            Movement::Same
        );
    }

    #[test]
    fn rewording_once_and_light_edits_stay_silent() {
        let timeline = History::new()
            .version(
                "2024-01-15",
                &scope(&[("eu-hosting", "Managed hosting for EU tenants")]),
            )
            .version(
                "2024-02-01",
                &scope(&[("eu-hosting", "Managed hosting for all EU tenants")]),
            )
            .version(
                "2024-03-01",
                &scope(&[("eu-hosting", "Managed hosting for all the EU tenants")]),
            )
            .version(
                "2024-04-01",
                &scope(&[("eu-hosting", "Hosting and backups worldwide")]),
            )
            .build();
        assert!(run(&ScopeDrift, &timeline, "2024-06-01").is_empty());
    }

    #[test]
    fn unowned_and_unserviced_items() {
        let text = front(
            "scope:\n  - { id: eu-hosting, summary: Managed hosting, owner: partner }\n  - { id: training, summary: Sales training }\n  - { id: billing, summary: Billing, owner: ours }\n",
        );
        let timeline = History::new().version("2024-01-15", &text).build();
        let findings = run(&ScopeUndefined, &timeline, "2024-02-01");
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "partner-owned scope item eu-hosting has no SLA",
                "scope item training has no owner"
            ]
        );
        assert_eq!(
            evidence(&findings[0]),
            vec!["2024-01-15 c000000 scope eu-hosting: Managed hosting"]
        );
        // An item without owner or SLA is a fact with no number to it.
        assert!(findings.iter().all(|f| f.measure.is_none()));
    }

    #[test]
    fn defined_scope_stays_silent() {
        let timeline = History::new()
            .version("2024-01-15", &scope(&[("eu-hosting", "Managed hosting")]))
            .build();
        assert!(run(&ScopeUndefined, &timeline, "2024-02-01").is_empty());
    }
}
