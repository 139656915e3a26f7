//! The sample ledger, replayed through [`analyse`](super::analyse): a healthy partnership stays
//! silent, and each variant carrying one sign produces exactly the finding it was written for.

use super::testing::{History, Setup, date};
use super::{Acknowledgement, Context, Finding, Severity};
use crate::ledger::Timeline;

/// [`analyse`](super::analyse), then each finding pointed at its line in the text `source`
/// gives, as the analysis does.
fn analyse(
    timelines: &[Timeline],
    cx: &Context,
    source: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Vec<Finding> {
    let mut findings = super::analyse(timelines, cx);
    crate::analysis::locate::locate(&mut findings, source);
    findings
}

/// A partnership in good health on 2024-09-20: value above cost, targets met, SLAs met, scope
/// owned, a monthly review the partner's executive attends.
const HEALTHY: &str = "---
rapport: 1
id: contoso
partner: Contoso Cloud
status: active
owner: Priya Raman
since: 2023-09-01
launched: 2023-11-01
plan: { agreed: 2023-10-15, segments: [EU retail] }
contacts:
  - { name: Ana Lima, side: partner, role: VP Alliances, level: executive, primary: true }
  - { name: Ben Cho, side: partner, role: Partner Manager, level: manager }
  - { name: Cara Diaz, side: partner, role: Solutions Engineer, level: staff }
  - { name: Dev Patel, side: partner, role: Support Engineer, level: staff }
  - { name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }
terms: { payment_days: 30, price: 120000, currency: EUR, renewal: 2025-09-01 }
money: { revenue: 400000, invested: 200000 }
effort: { hours_per_month: 40 }
kpis:
  - { id: pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: 420000, as_of: 2024-08-31 }
slas:
  - { id: p1-response, name: P1 first response, unit: hours, target: 4, actual: 3, better: lower, as_of: 2024-08-31 }
scope:
  - { id: hosting, summary: Managed hosting for EU tenants, owner: partner, sla: p1-response }
  - { id: enablement, summary: Sales enablement for our account teams, owner: shared }
requirements:
  - { id: sso, need: SAML single sign-on, status: met, raised: 2024-01-10 }
offers:
  - { summary: SSO connector, date: 2024-03-01, answers: sso }
invoices:
  - { id: INV-1, payer: partner, amount: 30000, due: 2024-07-31, paid: 2024-07-25 }
support: { open_tickets: 4, sla_breaches: 0 }
satisfaction: { score: 4.4, as_of: 2024-08-31 }
wins:
  - { date: 2024-01-20, summary: Retail chain, value: 90000 }
---

# Contoso Cloud

## 2024-04-17 Monthly review
Attendees: Ana Lima, Ben Cho, Priya Raman

We walked through the retail pipeline account by account and agreed which of the open
opportunities each side leads. The partner shared its hosting roadmap for the year.

## 2024-05-15 Monthly review
Attendees: Ana Lima, Ben Cho, Priya Raman

The first joint campaign went out. Support tickets are down and the onboarding checklist
for new tenants is now shared by both teams.

## 2024-06-12 Monthly review
Attendees: Ana Lima, Ben Cho, Priya Raman

Quarter closed ahead of target. We planned the summer enablement sessions and the partner
introduced its new support lead.

## 2024-07-10 Monthly review
Attendees: Ana Lima, Ben Cho, Priya Raman

The pipeline is ahead of plan and the first retail customers are live. We agreed the
enablement calendar for the autumn and reviewed the support figures together.

- [x] partner: share the Q3 pipeline

## 2024-08-07 Monthly review
Attendees: Ana Lima, Ben Cho, Priya Raman

Two new retail accounts signed. Support response times are within target and the joint
webinar drew a good audience.

- [x] ours: send the webinar list

## 2024-09-04 Monthly review
Attendees: Ana Lima, Ben Cho, Priya Raman

Renewal discussion started on a positive note. Both sides want to extend to the Nordics.
";

/// Replays the healthy history (one version per meeting), then one version per edit set, each
/// applying its replacements to the text before it; analyses at `now`.
fn replay(edits: &[&[(&str, &str)]], now: &str) -> Vec<Finding> {
    let (timeline, last) = history(edits);
    let setup = Setup::default();
    let cx = setup.context(now);
    analyse(&[timeline], &cx, &move |_: &str| Some(last.clone()))
}

fn history(edits: &[&[(&str, &str)]]) -> (Timeline, String) {
    let cut = |marker: &str| HEALTHY.find(marker).map_or(HEALTHY, |i| &HEALTHY[..i]);
    let mut history = History::new()
        .version("2024-07-10", cut("## 2024-08-07"))
        .version("2024-08-07", cut("## 2024-09-04"))
        .version("2024-09-04", HEALTHY);
    let mut text = HEALTHY.to_string();
    for (i, edit) in edits.iter().enumerate() {
        for (from, to) in edit.iter() {
            assert!(text.contains(from), "edit {i}: `{from}` is not in the text");
            text = text.replacen(from, to, 1);
        }
        history = history.version(&format!("2024-09-{:02}", 10 + i), &text);
    }
    (history.build(), text)
}

fn rules(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.rule).collect()
}

#[test]
fn the_healthy_partnership_stays_silent() {
    let findings = replay(&[], "2024-09-20");
    assert!(findings.is_empty(), "{findings:#?}");
}

const NOW: &str = "2024-09-20";

/// A rule, the edit sets that make the healthy partnership carry its sign (and only it), and
/// the date of the analysis.
type Case = (
    &'static str,
    &'static [&'static [(&'static str, &'static str)]],
    &'static str,
);

/// One variant per rule of the catalog.
const VARIANTS: &[Case] = &[
    (
        "value-gap",
        &[&[("revenue: 400000", "revenue: 150000")]],
        NOW,
    ),
    (
        "targets-missed",
        &[&[("actual: 420000", "actual: 90000")]],
        NOW,
    ),
    (
        "no-early-wins",
        &[&[("date: 2024-01-20", "date: 2024-06-20")]],
        NOW,
    ),
    (
        "plan-not-agreed",
        &[&[("agreed: 2023-10-15", "agreed: 2023-12-01")]],
        NOW,
    ),
    (
        "tension-rising",
        &[&[(
            "Renewal discussion started on a positive note.",
            "The team is frustrated and angry: the outage was unacceptable and we will escalate.",
        )]],
        NOW,
    ),
    (
        "satisfaction-decline",
        &[&[("score: 4.4", "score: 3.6")]],
        NOW,
    ),
    (
        "no-success-metrics",
        &[&[(
            "actual: 420000, as_of: 2024-08-31",
            "actual: 420000, as_of: 2024-04-30",
        )]],
        NOW,
    ),
    (
        "vendor-centric",
        &[&[
            ("status: met", "status: open"),
            (
                "{ summary: SSO connector, date: 2024-03-01, answers: sso }",
                "{ summary: Premium analytics bundle, date: 2024-06-01 }",
            ),
        ]],
        NOW,
    ),
    (
        "partner-unresponsive",
        &[&[(
            "Both sides want to extend to the Nordics.\n",
            "Both sides want to extend to the Nordics.\n\n- [ ] partner: send the security questionnaire (due 2024-09-10)\n",
        )]],
        NOW,
    ),
    (
        "partner-turnover",
        &[&[
            (
                "  - { name: Cara Diaz, side: partner, role: Solutions Engineer, level: staff }\n",
                "",
            ),
            (
                "  - { name: Dev Patel, side: partner, role: Support Engineer, level: staff }\n",
                "",
            ),
        ]],
        NOW,
    ),
    (
        "partner-distress",
        &[&[(
            "wins:",
            "events:\n  - { date: 2024-09-01, kind: financial-distress, note: Missed a bond payment }\nwins:",
        )]],
        NOW,
    ),
    (
        "support-degrading",
        &[&[("target: 4, actual: 3", "target: 4, actual: 7")]],
        NOW,
    ),
    (
        "payment-terms-slip",
        &[&[("payment_days: 30", "payment_days: 60")]],
        NOW,
    ),
    ("price-cut", &[&[("price: 120000", "price: 60000")]], NOW),
    ("late-payment", &[&[(", paid: 2024-07-25", "")]], NOW),
    (
        "scope-drift",
        &[
            &[(
                "Managed hosting for EU tenants",
                "Hosting backups and monitoring worldwide",
            )],
            &[(
                "  - { id: enablement, summary: Sales enablement for our account teams, owner: shared }\n",
                "",
            )],
            &[(
                "Hosting backups and monitoring worldwide",
                "Managed hosting for EU tenants",
            )],
        ],
        NOW,
    ),
    ("scope-undefined", &[&[(", sla: p1-response", "")]], NOW),
    (
        "contact-downgrade",
        &[&[(
            "name: Ana Lima, side: partner, role: VP Alliances, level: executive",
            "name: Tom Ng, side: partner, role: Partner Manager, level: manager",
        )]],
        NOW,
    ),
    ("meeting-cadence-drop", &[], "2024-12-10"),
    (
        "effort-disproportion",
        &[&[("hours_per_month: 40", "hours_per_month: 70")]],
        NOW,
    ),
    (
        "stale-acknowledgement",
        &[&[(
            "wins:",
            "acknowledged:\n  - { rule: price-cut, reason: Volume discount, until: 2025-01-01 }\nwins:",
        )]],
        NOW,
    ),
];

#[test]
fn each_sign_carrying_variant_produces_its_finding() {
    for (rule, edits, now) in VARIANTS {
        let findings = replay(edits, now);
        assert_eq!(rules(&findings), vec![*rule], "{rule}: {findings:#?}");
    }
    let covered: Vec<&str> = VARIANTS.iter().map(|c| c.0).collect();
    // renewal-at-risk never comes alone: it is about the other signs (see the test below).
    for rule in super::catalog()
        .iter()
        .filter(|r| r.info().id != super::rules::renewal::ID)
    {
        assert!(
            covered.contains(&rule.info().id),
            "no sample for {}",
            rule.info().id
        );
    }
}

#[test]
fn every_finding_states_its_sentences_with_facts() {
    // Redaction masks facts by field and searches only sentences without a template for
    // redacted values: every rule's message and evidence must come with one.
    for (rule, edits, now) in VARIANTS {
        for finding in replay(edits, now) {
            assert!(finding.template.is_some(), "{rule}: {}", finding.message);
            for evidence in &finding.evidence {
                assert!(
                    evidence.template.is_some(),
                    "{rule}: evidence {}",
                    evidence.observed
                );
            }
        }
    }
}

#[test]
fn every_rule_turns_off_and_on_through_rapport_yaml() {
    for (rule, edits, now) in VARIANTS {
        let (timeline, last) = history(edits);
        let timelines = [timeline];
        let run = |yaml: String| {
            let config = crate::config::Config::parse("rapport.yaml", yaml.as_bytes())
                .unwrap_or_else(|e| panic!("{rule}: {e:#?}"));
            let setup = Setup {
                settings: config.rules,
                ladder: config.ladder,
                vocabulary: config.vocabulary,
            };
            let cx = setup.context(now);
            let last = last.clone();
            analyse(&timelines, &cx, &move |_: &str| Some(last.clone()))
        };
        let off = run(format!("rules:\n  {rule}:\n    enabled: false\n"));
        assert!(off.is_empty(), "{rule} still runs when disabled: {off:#?}");
        let on = run(format!("rules:\n  {rule}:\n    enabled: true\n"));
        assert_eq!(rules(&on), vec![*rule], "{rule} does not run when enabled");
        // Switching another rule off leaves this one running.
        let other = if *rule == "value-gap" {
            "price-cut"
        } else {
            "value-gap"
        };
        let elsewhere = run(format!("rules:\n  {other}: {{ enabled: false }}\n"));
        assert_eq!(rules(&elsewhere), vec![*rule], "{rule} with {other} off");
    }
}

#[test]
fn each_rule_runs_on_the_statuses_of_its_table() {
    use crate::ledger::model::Status;
    let statuses = Status::ALL;
    for (rule, edits, now) in VARIANTS {
        // A KPI without target is reported for every status the rule runs on; staleness only
        // for partnerships expected to report (its prose says so).
        let edits: &[&[(&str, &str)]] = match *rule {
            "no-success-metrics" => &[&[("target: 400000, ", "")]],
            _ => edits,
        };
        let applies = super::find_rule(rule).map(|r| r.info().applies_to());
        for status in statuses {
            let name = super::status_name(status);
            let mut edits: Vec<Vec<(&str, &str)>> = edits.iter().map(|e| e.to_vec()).collect();
            let set_status = format!("status: {name}");
            match edits.last_mut() {
                Some(last) => last.push(("status: active", &set_status)),
                None => edits.push(vec![("status: active", &set_status)]),
            }
            let edits: Vec<&[(&str, &str)]> = edits.iter().map(Vec::as_slice).collect();
            let fired = rules(&replay(&edits, now)).contains(rule);
            let expected = applies.is_some_and(|a| a.contains(&status));
            assert_eq!(fired, expected, "{rule} on a partnership that is {name}");
        }
    }
}

#[test]
fn a_sign_open_close_to_the_renewal_puts_it_at_risk() {
    // Net-30 to net-60 is an error; the renewal on 2025-09-01 is 88 days after 2025-06-05.
    let edits: &[&[(&str, &str)]] = &[&[("payment_days: 30", "payment_days: 60")]];
    let findings = replay(edits, "2024-09-20");
    assert_eq!(rules(&findings), vec!["payment-terms-slip"]);
    let setup = Setup::default();
    let (timeline, _) = history(edits);
    let findings = analyse(&[timeline], &setup.context("2025-06-05"), &|_: &str| None);
    let at_risk: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "renewal-at-risk")
        .collect();
    assert_eq!(at_risk.len(), 1, "{findings:#?}");
    assert_eq!(at_risk[0].severity, Severity::Error);
    assert!(
        at_risk[0]
            .message
            .starts_with("the renewal on 2025-09-01 is in 88 days"),
        "{}",
        at_risk[0].message
    );
    // Off and on again through rapport.yaml, like every other rule.
    for (enabled, expected) in [(false, 0), (true, 1)] {
        let yaml = format!("rules:\n  renewal-at-risk: {{ enabled: {enabled} }}\n");
        let config = crate::config::Config::parse("rapport.yaml", yaml.as_bytes())
            .unwrap_or_else(|e| panic!("{e:#?}"));
        let setup = Setup {
            settings: config.rules,
            ladder: config.ladder,
            vocabulary: config.vocabulary,
        };
        let (timeline, _) = history(edits);
        let found = analyse(&[timeline], &setup.context("2025-06-05"), &|_: &str| None);
        let at_risk = found.iter().filter(|f| f.rule == "renewal-at-risk").count();
        assert_eq!(at_risk, expected, "enabled: {enabled}");
    }
}

#[test]
fn findings_point_at_the_line_of_their_field() {
    let findings = replay(&[&[("payment_days: 30", "payment_days: 60")]], "2024-09-20");
    let line = HEALTHY
        .lines()
        .position(|l| l.starts_with("terms:"))
        .map(|i| i + 1);
    assert_eq!(Some(findings[0].location.line), line);
    assert_eq!(findings[0].location.file, "partners/northwind.md");
    assert_eq!(findings[0].location.partnership, "contoso");
}

#[test]
fn findings_behind_a_byte_order_mark_point_at_the_line_of_their_field() {
    // Editors on Windows save a byte-order mark before the first `---`: the finding stays on
    // the line of `terms:`, as the file's diagnostics do, in English and in Chinese.
    let chinese = HEALTHY.replace("partner: Contoso Cloud", "partner: 康拓云");
    for healthy in [HEALTHY.to_string(), chinese] {
        let edited = healthy.replace("payment_days: 30", "payment_days: 60");
        let timeline = History::new()
            .version("2024-07-10", &healthy)
            .version("2024-09-10", &edited)
            .build();
        let with_bom = format!("\u{feff}{edited}");
        let line = edited
            .lines()
            .position(|l| l.starts_with("terms:"))
            .map(|i| i + 1);
        let cx = Setup::default();
        let findings = analyse(&[timeline], &cx.context(NOW), &move |_: &str| {
            Some(with_bom.clone())
        });
        assert_eq!(rules(&findings), vec!["payment-terms-slip"]);
        assert_eq!(Some(findings[0].location.line), line);
    }
}

#[test]
fn findings_are_identical_across_runs() {
    let edits: &[&[(&str, &str)]] = &[&[
        ("payment_days: 30", "payment_days: 120"),
        ("price: 120000", "price: 60000"),
        ("score: 4.4", "score: 3.6"),
        (", paid: 2024-07-25", ""),
        ("actual: 420000", "actual: 90000"),
    ]];
    let first = replay(edits, "2024-09-20");
    assert_eq!(first.len(), 5);
    assert_eq!(first, replay(edits, "2024-09-20"));
    // Worst first within the partnership, then by rule.
    let order: Vec<(Severity, &str)> = first.iter().map(|f| (f.severity, f.rule)).collect();
    assert_eq!(
        order,
        vec![
            (Severity::Error, "payment-terms-slip"),
            (Severity::Error, "price-cut"),
            (Severity::Error, "satisfaction-decline"),
            (Severity::Warning, "late-payment"),
            (Severity::Warning, "targets-missed"),
        ]
    );
}

#[test]
fn acknowledgements_hold_until_their_date() {
    let acknowledge = |until: &str| {
        format!(
            "acknowledged:\n  - {{ rule: price-cut, reason: Volume discount, until: {until} }}\nwins:"
        )
    };
    let active = acknowledge("2024-12-31");
    let findings = replay(
        &[&[("price: 120000", "price: 60000"), ("wins:", &active)]],
        "2024-09-20",
    );
    assert_eq!(rules(&findings), vec!["price-cut"]);
    assert_eq!(
        findings[0].acknowledgement,
        Acknowledgement::Acknowledged {
            reason: "Volume discount".into(),
            until: Some(date("2024-12-31")),
        }
    );

    let expired = acknowledge("2024-09-01");
    let findings = replay(
        &[&[("price: 120000", "price: 60000"), ("wins:", &expired)]],
        "2024-09-20",
    );
    assert_eq!(rules(&findings), vec!["price-cut", "stale-acknowledgement"]);
    assert_eq!(findings[0].acknowledgement, Acknowledgement::Open);
    assert_eq!(
        findings[1].message,
        "the acknowledgement of price-cut expired on 2024-09-01, 19 days ago"
    );

    let unmatched = replay(&[&[("wins:", &active)]], "2024-09-20");
    assert_eq!(
        unmatched[0].message,
        "the acknowledgement of price-cut matches no finding"
    );
    let typo = replay(
        &[&[("wins:", &active.replace("price-cut", "prize-cut"))]],
        "2024-09-20",
    );
    // Naming no rule is an error of the file (see `analysis`), not a finding.
    assert_eq!(rules(&typo), Vec::<&str>::new());
}

#[test]
fn severity_overrides_and_disabled_rules_apply() {
    let (timeline, last) = history(&[&[
        ("payment_days: 30", "payment_days: 120"),
        ("price: 120000", "price: 60000"),
    ]]);
    let mut setup = Setup::default();
    setup.settings.payment_terms_slip.severity = Some(Severity::Info);
    setup.settings.price_cut.enabled = false;
    let cx = setup.context("2024-09-20");
    let findings = analyse(&[timeline], &cx, &move |_: &str| Some(last.clone()));
    assert_eq!(rules(&findings), vec!["payment-terms-slip"]);
    assert_eq!(findings[0].severity, Severity::Info);
}

#[test]
fn removed_or_invalid_partnerships_produce_nothing() {
    let edits: &[&[(&str, &str)]] = &[&[("price: 120000", "price: 60000")]];
    let setup = Setup::default();
    let cx = setup.context("2024-09-30");
    let (timeline, _) = history(edits);
    let mut removed = timeline.clone();
    let mut invalid = timeline.clone();
    // A file can only be removed or broken once it exists: script it, then take those versions.
    let tail = History::new()
        .version("2024-09-24", HEALTHY)
        .removed("2024-09-25")
        .invalid("2024-09-26")
        .build();
    let (gone, broken) = (tail.versions[1].clone(), tail.versions[2].clone());
    assert!(matches!(gone.content, crate::ledger::Content::Removed));
    assert!(matches!(
        broken.content,
        crate::ledger::Content::Invalid { .. }
    ));
    removed.versions.push(gone);
    invalid.versions.push(broken.clone());
    assert!(analyse(&[removed], &cx, &|_: &str| None).is_empty());
    assert!(analyse(&[invalid], &cx, &|_: &str| None).is_empty());
    // A trend rule skips an invalid version in the middle of history.
    let mut middle = timeline.clone();
    let last = middle.versions.pop();
    middle.versions.push(broken);
    middle.versions.extend(last);
    assert_eq!(
        rules(&analyse(&[middle], &cx, &|_: &str| None)),
        vec!["price-cut"]
    );
}

#[test]
fn no_setting_and_no_now_makes_a_rule_panic() {
    // Every sign at once, with scope changes and departures in several commits, so the window
    // rules have windows to slide.
    let (timeline, last) = history(&[
        &[
            ("revenue: 400000", "revenue: 150000"),
            ("actual: 420000", "actual: 90000"),
            ("payment_days: 30", "payment_days: 60"),
            ("price: 120000", "price: 60000"),
            ("hours_per_month: 40", "hours_per_month: 70"),
            ("score: 4.4", "score: 3.6"),
            (", paid: 2024-07-25", ""),
            (
                "Managed hosting for EU tenants",
                "Hosting backups and monitoring worldwide",
            ),
            (
                "  - { name: Cara Diaz, side: partner, role: Solutions Engineer, level: staff }\n",
                "",
            ),
        ],
        &[
            ("target: 4, actual: 3", "target: 4, actual: 7"),
            (
                "Hosting backups and monitoring worldwide",
                "Managed hosting for EU tenants",
            ),
            (
                "  - { name: Dev Patel, side: partner, role: Support Engineer, level: staff }\n",
                "",
            ),
            (
                "name: Ana Lima, side: partner, role: VP Alliances, level: executive",
                "name: Tom Ng, side: partner, role: Partner Manager, level: manager",
            ),
            (
                "Renewal discussion started on a positive note.",
                "The team is frustrated and angry: the outage was unacceptable and we will escalate.\n\n- [ ] partner: send the security questionnaire (due 2024-09-10)",
            ),
        ],
    ]);
    let mut setup = Setup::default();
    let nows = [
        crate::ledger::Date::MIN,
        date("0000-01-01"),
        date("2024-09-20"),
        date("9999-12-31"),
        crate::ledger::Date::MAX,
    ];
    for pick in 0..64 {
        setup.settings.set_extreme(pick);
        for now in nows {
            let cx = super::Context {
                now,
                ..setup.context("2024-09-20")
            };
            analyse(std::slice::from_ref(&timeline), &cx, &|_: &str| {
                Some(last.clone())
            });
        }
    }
}

#[test]
fn thousands_of_kpis_are_read_once_per_version() {
    // Each KPI was looked up by scanning every KPI of every version: a file of 20,000 KPIs in
    // eight versions took minutes. Every KPI here misses its target and is stale.
    use crate::ledger::{Commit, Content, Version};
    use std::sync::Arc;
    let (timeline, _) = history(&[]);
    let mut snapshot = timeline.current().cloned().expect("a current version");
    let front = Arc::make_mut(&mut snapshot.front);
    let template = front.kpis[0].clone();
    front.kpis = (0..20_000)
        .map(|i| crate::ledger::model::Metric {
            id: format!("kpi-{i}"),
            actual: Some(1.0),
            as_of: None,
            ..template.clone()
        })
        .collect();
    // The first version reports each KPI at 2: the later 1 is a result, not a baseline.
    let mut first = snapshot.clone();
    for kpi in &mut Arc::make_mut(&mut first.front).kpis {
        kpi.actual = Some(2.0);
    }
    let versions = (1..=8)
        .map(|day: usize| Version {
            commit: Arc::new(Commit {
                id: format!("{day:040}"),
                short: format!("{day:08}"),
                author: "Priya Raman".into(),
                time: 0,
                date: date(&format!("2024-01-{day:02}")),
                summary: "version".into(),
            }),
            path: snapshot.path.clone(),
            content: Content::Valid {
                snapshot: Arc::new(if day == 1 {
                    first.clone()
                } else {
                    snapshot.clone()
                }),
            },
            parent: day.checked_sub(2),
            date: date(&format!("2024-01-{day:02}")),
        })
        .collect();
    let timeline = Timeline {
        id: timeline.id.clone(),
        versions,
        ..Default::default()
    };
    let findings = analyse(
        &[timeline],
        &Setup::default().context("2024-09-20"),
        &|_: &str| None,
    );
    let count = |rule: &str| findings.iter().filter(|f| f.rule == rule).count();
    assert_eq!(count("targets-missed"), 20_000);
    assert_eq!(count("no-success-metrics"), 20_000);
}

#[test]
fn default_settings_at_the_calendars_first_day_run_every_rule() {
    // The first crash config_rules found: an empty rapport.yaml, analysed as of the day a
    // commit time chrono cannot place falls back to, overflowed tension-rising's window.
    let (timeline, last) = history(&[]);
    let setup = Setup::default();
    for now in [crate::ledger::Date::MIN, crate::ledger::Date::MAX] {
        let cx = super::Context {
            now,
            ..setup.context("2024-09-20")
        };
        analyse(std::slice::from_ref(&timeline), &cx, &|_: &str| {
            Some(last.clone())
        });
    }
}

/// The texts of the scripted versions of a variant, oldest first, with their commit labels (as
/// [`History::build`] names them) and dates: what `git log -p` shows of the sample.
fn scripted(edits: &[&[(&str, &str)]]) -> Vec<(String, crate::ledger::Date, String)> {
    let (timeline, _) = history(edits);
    let mut texts: Vec<String> = ["## 2024-08-07", "## 2024-09-04"]
        .iter()
        .map(|marker| HEALTHY[..HEALTHY.find(marker).unwrap_or(HEALTHY.len())].to_string())
        .collect();
    texts.push(HEALTHY.to_string());
    let mut text = HEALTHY.to_string();
    for edit in edits {
        for (from, to) in edit.iter() {
            text = text.replacen(from, to, 1);
        }
        texts.push(text.clone());
    }
    timeline
        .versions
        .iter()
        .zip(texts)
        .map(|(v, text)| (v.commit.short.clone(), v.date(), text))
        .collect()
}

/// `git log -S`: the index of the latest version at or before `upto` where `needle` came into
/// the text or left it.
fn pickaxe(
    versions: &[(String, crate::ledger::Date, String)],
    needle: &str,
    upto: usize,
) -> Option<usize> {
    let holds = |i: usize| versions[i].2.contains(needle);
    (0..=upto).rev().find(|&i| {
        if i == 0 {
            holds(0)
        } else {
            holds(i) != holds(i - 1)
        }
    })
}

/// The text a value stated by evidence reads as in the file: `payment_days: 60`,
/// `as_of: 2024-08-31`, `level: executive`. Ids and summaries name what the line is about,
/// not a value it states.
fn as_written(fact: &super::Fact) -> Option<String> {
    let field = fact.field.as_deref()?;
    let key = field.rsplit('.').next()?;
    let value = match &fact.value {
        super::FactValue::Number(n) => crate::numbers::plain(*n),
        super::FactValue::Date(d) => d.to_string(),
        super::FactValue::Text(t) if field.starts_with("contacts.") => t.trim().to_string(),
        _ => return None,
    };
    Some(format!("{key}: {value}"))
}

/// A variant's edits followed by a commit that changes nothing the rules read (the minutes of
/// the last meeting are shared), so that the values set by the edits are still held by a
/// later version than the one that set them.
fn and_a_later_commit<'a>(edits: &[&'a [(&'a str, &'a str)]]) -> Vec<&'a [(&'a str, &'a str)]> {
    const MINUTES: &[(&str, &str)] = &[(
        "Both sides want to extend to the Nordics.\n",
        "Both sides want to extend to the Nordics. The minutes went to both teams.\n",
    )];
    let mut edits = edits.to_vec();
    edits.push(MINUTES);
    edits
}

#[test]
fn each_finding_is_dated_by_the_commit_that_began_it() {
    // When each sample's sign began, worked out from the script: the commit of the edit that
    // makes it (scope-drift needs its third rewording), on that commit's date, or later when
    // time alone completes it (the questionnaire falls overdue the day after it is due; the
    // meetings stop being monthly once twice the usual 28 days have passed since the last),
    // with the commit of the version in force that day.
    for (rule, edits, now) in VARIANTS {
        let edits = &and_a_later_commit(edits);
        let versions = scripted(edits);
        let healthy = 3;
        let (index, day) = match *rule {
            "scope-drift" => (healthy + 2, None),
            "partner-unresponsive" => (healthy, Some(date("2024-09-11"))),
            // With the version then in force: the last, on which the silence grew.
            "meeting-cadence-drop" => (
                versions.len() - 1,
                Some(date("2024-09-04").add_days(2 * 28 + 1)),
            ),
            _ => (healthy, None),
        };
        let (commit, committed, _) = &versions[index];
        let findings = replay(edits, now);
        let since = findings[0].since.as_ref().expect("dated");
        assert_eq!(
            (since.date, since.commit.as_deref()),
            (day.unwrap_or(*committed), Some(commit.as_str())),
            "{rule}: {findings:#?}"
        );
    }
}

#[test]
fn a_finding_dated_alone_is_dated_as_among_all() {
    // A comparison dates only the findings it shows: each one's date is the same as when every
    // finding of the partnership is dated together, on every sample, as of its day and as of a
    // year later (when time alone has brought several signs, the renewal's among them).
    type Case<'a> = (Vec<&'a [(&'a str, &'a str)]>, &'a str);
    let cases: Vec<Case<'_>> = VARIANTS
        .iter()
        .flat_map(|(_, edits, now)| {
            [
                (and_a_later_commit(edits), *now),
                (edits.to_vec(), "2025-06-05"),
            ]
        })
        .collect();
    let mut most = 0;
    let mut seen = 0;
    for (edits, now) in cases {
        let (timeline, _) = history(&edits);
        let setup = Setup::default();
        let cx = setup.context(now);
        let together = super::analyse(std::slice::from_ref(&timeline), &cx);
        let undated = super::analyse_undated(std::slice::from_ref(&timeline), &cx);
        assert_eq!(together.len(), undated.len());
        most = most.max(together.len());
        for (dated, mut alone) in together.iter().zip(undated) {
            assert_eq!(
                (&alone.fingerprint, &alone.since),
                (&dated.fingerprint, &None)
            );
            super::date(&timeline, &cx, std::slice::from_mut(&mut alone));
            assert!(dated.since.is_some(), "{dated:#?}");
            assert_eq!(alone.since, dated.since, "{}", dated.rule);
            seen += 1;
        }
    }
    assert!(seen > 2 * VARIANTS.len() && most >= 3, "{seen} {most}");
}

#[test]
fn each_evidence_line_cites_the_commit_that_set_its_values() {
    // Every evidence line citing a commit names the one where what it states came into the
    // file, as `git log -S` finds it: for each value it states, the latest commit up to the
    // cited one that brought that text in; the line is as new as its newest value.
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (rule, edits, now) in VARIANTS {
        let edits = &and_a_later_commit(edits);
        let versions = scripted(edits);
        for finding in replay(edits, now) {
            for evidence in &finding.evidence {
                let Some(commit) = &evidence.commit else {
                    continue;
                };
                let cited = versions
                    .iter()
                    .position(|(c, _, _)| c == commit)
                    .unwrap_or_else(|| panic!("{rule}: {commit} is not in the history"));
                let written: Vec<String> = evidence.facts.iter().filter_map(as_written).collect();
                let introduced = written
                    .iter()
                    .filter(|w| {
                        versions
                            .iter()
                            .any(|(_, _, text)| text.contains(w.as_str()))
                    })
                    .map(|w| {
                        pickaxe(&versions, w, cited)
                            .unwrap_or_else(|| panic!("{rule}: `{w}` is not in {commit}"))
                    })
                    .max();
                if let Some(introduced) = introduced {
                    let (truth, day, _) = &versions[introduced];
                    if (commit, evidence.date) != (truth, *day) {
                        wrong.push(format!(
                            "{rule}: `{}` cites {commit} on {}, set in {truth} on {day} ({written:?})",
                            evidence.observed, evidence.date
                        ));
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(checked >= 15, "only {checked} evidence lines checked");
}
