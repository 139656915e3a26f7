//! Sign 1, the value does not show: revenue does not justify what was put in.

use super::{baseline, history, set_in};
use crate::ledger::{Snapshot, Timeline};
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse,
    currency_fact, finding, sign,
};

pub struct ValueGap;

static VALUE_GAP: RuleInfo = RuleInfo {
    id: "value-gap",
    sign: sign::VALUE,
    title: "Revenue stays below what the partnership costs",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "`money.revenue / money.invested` below {min_ratio} now, and not improving: the \
        ratio now is at or below the ratio at the latest version dated at least {window_days} \
        before now (or at the first version, when the history is shorter). Error when the \
        ratio is below {error_ratio} and now is at least {error_after_days} after \
        `since`.",
    why: "Sign 1: the value does not show. A partnership that has not paid back the time and money \
        put in, and is not moving toward it, costs more every month it continues unexamined.",
    example: "2024-01-15  money: { revenue: 50000, invested: 200000 }\n2024-09-01  money: { revenue: 90000, invested: 220000 }\n→ revenue is 0.41× investment (EUR 90,000 against 220,000) and not improving over the last 180 days",
    fix: "Review the business case with the partner's leadership: agree a shared go-to-market plan \
        with revenue milestones, cut the investment to what the plan needs, or end a partnership \
        whose cost outweighs what it returns.",
};

fn ratio(s: &Snapshot) -> Option<(f64, f64, f64)> {
    let money = s.front.money.as_ref()?;
    let (revenue, invested) = (money.revenue?, money.invested?);
    (invested > 0.0).then(|| (revenue / invested, revenue, invested))
}

impl Rule for ValueGap {
    fn info(&self) -> &'static RuleInfo {
        &VALUE_GAP
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.value_gap;
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        let Some((now_ratio, revenue, invested)) = ratio(current) else {
            return Vec::new();
        };
        if now_ratio >= set.min_ratio {
            return Vec::new();
        }
        let window_start = cx.now.sub_days(set.window_days);
        let Some((base_version, (base_ratio, base_revenue, base_invested))) =
            baseline(&versions, window_start, ratio)
        else {
            return Vec::new();
        };
        if now_ratio > base_ratio + 1e-9 {
            return Vec::new();
        }
        let (currency, before_amount) = currency_fact(current);
        let trend = if std::ptr::eq(base_version, now_version) {
            ""
        } else if base_version.date() <= window_start {
            " and not improving over the last {window_days} days"
        } else {
            " and not improving since {since}"
        };
        let template = format!(
            "revenue is {{ratio}}× investment ({before_amount}{{revenue}} against {{invested}}){trend}"
        );
        let mut facts = vec![
            Fact::new("ratio", FactValue::Ratio(now_ratio)),
            Fact::new("revenue", FactValue::Number(revenue)).of("money.revenue"),
            Fact::new("invested", FactValue::Number(invested)).of("money.invested"),
            Fact::new("window_days", FactValue::Number(set.window_days as f64)),
            Fact::new("since", FactValue::Date(base_version.date())),
        ];
        // After the ratio or cut, where the sentence first names it.
        if let Some(currency) = currency {
            facts.insert(1, currency);
        }
        let mut evidence = Vec::new();
        // Each line cites the commit that set the revenue and investment it states.
        let amounts = |s: &Snapshot| ratio(s).map(|(_, revenue, invested)| (revenue, invested));
        let observed = |version, r: f64, rev: f64, inv: f64| {
            Evidence::of(set_in(timeline, version, amounts), "", Some(r)).stating(
                "money.revenue = {revenue}, money.invested = {invested} ({ratio}×)",
                vec![
                    Fact::new("revenue", FactValue::Number(rev)).of("money.revenue"),
                    Fact::new("invested", FactValue::Number(inv)).of("money.invested"),
                    Fact::new("ratio", FactValue::Ratio(r)),
                ],
                None,
            )
        };
        if !std::ptr::eq(base_version, now_version) {
            evidence.push(observed(
                base_version,
                base_ratio,
                base_revenue,
                base_invested,
            ));
        }
        evidence.push(observed(now_version, now_ratio, revenue, invested));
        let year_on = current
            .front
            .since
            .is_some_and(|since| cx.now >= since.add_days(set.error_after_days));
        let severity = if now_ratio < set.error_ratio && year_on {
            Severity::Error
        } else {
            Severity::Warning
        };
        vec![
            finding(&VALUE_GAP, current, "money", "")
                .stating(&template, facts)
                .severity(severity)
                .at_path("money.revenue")
                .evidence(evidence)
                // The ratio, like the evidence values, drawn against `min_ratio`: the ratio at
                // which the partnership counts as paying back what was put in.
                .measure(
                    Measure::new("money.revenue_per_invested", now_ratio, Worse::Lower)
                        .target(Some(set.min_ratio)),
                ),
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

    fn money(revenue: u32, invested: u32) -> String {
        front(&format!(
            "since: 2024-01-15\nterms: {{ currency: EUR }}\nmoney: {{ revenue: {revenue}, invested: {invested} }}\n"
        ))
    }

    #[test]
    fn flat_ratio_below_one_is_a_gap() {
        let timeline = History::new()
            .version("2024-01-15", &money(100000, 220000))
            .version("2024-09-01", &money(90000, 220000))
            .build();
        let findings = run(&ValueGap, &timeline, "2024-09-10");
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(
            f.message,
            "revenue is 0.41× investment (EUR 90,000 against 220,000) and not improving over the last 180 days"
        );
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            evidence(f),
            vec![
                "2024-01-15 c000000 money.revenue = 100,000, money.invested = 220,000 (0.45×)",
                "2024-09-01 c000001 money.revenue = 90,000, money.invested = 220,000 (0.41×)",
            ]
        );
        assert_eq!(f.path.as_deref(), Some("money.revenue"));
        assert_eq!(
            f.measure,
            Some(
                Measure::new(
                    "money.revenue_per_invested",
                    90000.0 / 220000.0,
                    Worse::Lower
                )
                .target(Some(1.0))
            )
        );
    }

    #[test]
    fn a_wider_gap_measures_worse() {
        let gap = |start: u32, now: u32| {
            let timeline = History::new()
                .version("2024-01-15", &money(start, 220000))
                .version("2024-09-01", &money(now, 220000))
                .build();
            measure(&ValueGap, &timeline, "2024-09-10")
        };
        let milder = gap(100000, 90000);
        assert_eq!(gap(100000, 80000).since(&milder), Movement::Worse);
        // From a different start to the same ratio now.
        assert_eq!(gap(120000, 90000).since(&milder), Movement::Same);
    }

    #[test]
    fn error_below_half_a_year_after_since() {
        let timeline = History::new()
            .version("2024-01-15", &money(60000, 200000))
            .version("2024-06-01", &money(80000, 200000))
            .version("2025-02-01", &money(80000, 220000))
            .build();
        let findings = run(&ValueGap, &timeline, "2025-02-01");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].message,
            "revenue is 0.36× investment (EUR 80,000 against 220,000) and not improving over the last 180 days"
        );
        assert_eq!(findings[0].evidence[0].date.to_string(), "2024-06-01");
    }

    #[test]
    fn improving_ratio_stays_silent() {
        let timeline = History::new()
            .version("2024-01-15", &money(50000, 200000))
            .version("2024-09-01", &money(150000, 220000))
            .build();
        assert!(run(&ValueGap, &timeline, "2024-09-10").is_empty());
        let paid_back = History::new()
            .version("2024-01-15", &money(250000, 200000))
            .build();
        assert!(run(&ValueGap, &paid_back, "2024-09-10").is_empty());
    }
}
