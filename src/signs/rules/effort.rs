//! Sign 12, too much time goes into the relationship for what it returns.

use super::{baseline, history, set_in};
use crate::ledger::{Snapshot, Timeline};
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding,
    sign,
};

pub struct EffortDisproportion;

static EFFORT_DISPROPORTION: RuleInfo = RuleInfo {
    id: "effort-disproportion",
    sign: sign::EFFORT,
    title: "Our effort grows while returns do not",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "`effort.hours_per_month` now at least {min_increase:%} above its value at the \
        latest version dated {window_days} or more before now (or the first version, for a \
        shorter history), while over the same span the returns stayed flat: they grew by less \
        than {min_return_ratio} times the effort's growth. Returns are `money.revenue` (a \
        cumulative total, so one small deal moves it a little) and the mean attainment of the \
        KPIs present at both ends; each known at both ends must be flat (a ratio of 0.5 with \
        hours up 100% asks revenue to grow 50%). A return that starts at zero and rises is not \
        flat. At least one of revenue or KPIs must be known at both ends; with \
        neither, the rule says nothing.",
    why: "Sign 12: too much time goes into the relationship for what it returns. Hours are the \
        cost nobody invoices; when they climb and results stay flat, the partnership is \
        consuming the team.",
    example: "2024-01-15  effort: { hours_per_month: 60 }, money: { revenue: 150000 }\n2024-09-01  effort: { hours_per_month: 120 }, money: { revenue: 150000 }\n→ our effort rose 100%, from 60 to 120 hours a month since 2024-01-15, while revenue stayed at 150,000",
    fix: "Review where the hours go with the team, cut the work that does not serve the agreed \
        plan, and renegotiate what the partner contributes, or scale the partnership down.",
};

fn kpi_progress(base: &Snapshot, now: &Snapshot) -> Option<(f64, f64)> {
    let mut earlier = std::collections::HashMap::new();
    for kpi in &base.front.kpis {
        earlier.entry(kpi.id.as_str()).or_insert(kpi);
    }
    let pairs: Vec<(f64, f64)> = now
        .front
        .kpis
        .iter()
        .filter_map(|k| {
            let before = earlier.get(k.id.as_str())?.attainment()?;
            let after = k.attainment()?;
            (before.is_finite() && after.is_finite()).then_some((before, after))
        })
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    Some((
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    ))
}

/// Growth from `a` to `b` as a fraction of `a` (`None` from zero or below, where a fraction means
/// nothing).
fn growth(a: f64, b: f64) -> Option<f64> {
    (a > 0.0).then(|| (b - a) / a)
}

/// The growth from `a` to `b` as a percentage fact (none from zero).
fn rise(a: f64, b: f64) -> FactValue {
    growth(a, b).map_or(FactValue::Text(String::new()), FactValue::Percent)
}

/// `revenue fell from {revenue_base} to {revenue_now}`, `revenue stayed at {revenue_now}`,
/// `revenue rose only {revenue_rise}, from …`: the sentence for a flat return named `key`.
fn flat_return(key: &str, a: f64, b: f64) -> String {
    let what = if key == "kpi" { "KPI attainment" } else { key };
    if (b - a).abs() < 1e-9 {
        format!("{what} stayed at {{{key}_now}}")
    } else if b < a {
        format!("{what} fell from {{{key}_base}} to {{{key}_now}}")
    } else {
        format!("{what} rose only {{{key}_rise}}, from {{{key}_base}} to {{{key}_now}}")
    }
}

impl Rule for EffortDisproportion {
    fn info(&self) -> &'static RuleInfo {
        &EFFORT_DISPROPORTION
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.effort_disproportion;
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        let hours = |s: &Snapshot| s.front.effort.as_ref()?.hours_per_month;
        let Some(now_hours) = hours(current) else {
            return Vec::new();
        };
        let Some((base_version, base_hours)) =
            baseline(&versions, cx.now.sub_days(set.window_days), hours)
        else {
            return Vec::new();
        };
        if base_hours <= 0.0 || (now_hours - base_hours) / base_hours < set.min_increase - 1e-9 {
            return Vec::new();
        }
        let Some(base) = versions
            .iter()
            .find(|(v, _)| std::ptr::eq(*v, base_version))
            .map(|(_, s)| *s)
        else {
            return Vec::new();
        };
        let revenue = |s: &Snapshot| s.front.money.as_ref()?.revenue;
        let revenue = revenue(base).zip(revenue(current));
        let kpis = kpi_progress(base, current);
        if revenue.is_none() && kpis.is_none() {
            return Vec::new();
        }
        let effort_growth = (now_hours - base_hours) / base_hours;
        let keeps_pace = |(a, b): (f64, f64)| match growth(a, b) {
            Some(g) => g >= set.min_return_ratio * effort_growth - 1e-9,
            // From nothing to something: not flat.
            None => b > 0.0,
        };
        if revenue.is_some_and(keeps_pace) || kpis.is_some_and(keeps_pace) {
            return Vec::new();
        }
        let mut returns = Vec::new();
        let mut facts = vec![
            Fact::new("rise", FactValue::Percent(effort_growth)),
            Fact::new("base_hours", FactValue::Number(base_hours)).of("effort.hours_per_month"),
            Fact::new("now_hours", FactValue::Number(now_hours)).of("effort.hours_per_month"),
            Fact::new("since", FactValue::Date(base_version.date())),
        ];
        if let Some((a, b)) = revenue {
            returns.push(flat_return("revenue", a, b));
            facts.push(Fact::new("revenue_base", FactValue::Number(a)).of("money.revenue"));
            facts.push(Fact::new("revenue_now", FactValue::Number(b)).of("money.revenue"));
            facts.push(Fact::new("revenue_rise", rise(a, b)));
        }
        if let Some((a, b)) = kpis {
            returns.push(flat_return("kpi", a, b));
            facts.push(Fact::new("kpi_base", FactValue::Percent(a)).of("kpis.actual"));
            facts.push(Fact::new("kpi_now", FactValue::Percent(b)).of("kpis.actual"));
            facts.push(Fact::new("kpi_rise", rise(a, b)));
        }
        let template = format!(
            "our effort rose {{rise}}, from {{base_hours}} to {{now_hours}} hours a month since \
             {{since}}, while {}",
            returns.join(" and ")
        );
        let observed = |version, s: &Snapshot, h: f64| {
            let mut template = "effort.hours_per_month = {hours}".to_string();
            let mut facts =
                vec![Fact::new("hours", FactValue::Number(h)).of("effort.hours_per_month")];
            if let Some(r) = s.front.money.as_ref().and_then(|m| m.revenue) {
                template.push_str(", money.revenue = {revenue}");
                facts.push(Fact::new("revenue", FactValue::Number(r)).of("money.revenue"));
            }
            // The commit that set the hours and revenue it states.
            let set = set_in(timeline, version, |s| {
                Some((
                    s.front.effort.as_ref().and_then(|e| e.hours_per_month),
                    s.front.money.as_ref().and_then(|m| m.revenue),
                ))
            });
            Evidence::of(set, "", Some(h)).stating(&template, facts, Some("effort.hours_per_month"))
        };
        vec![
            finding(&EFFORT_DISPROPORTION, current, "effort.hours_per_month", "")
                .stating(&template, facts)
                .at_path("effort.hours_per_month")
                .evidence(vec![
                    observed(base_version, base, base_hours),
                    observed(now_version, current, now_hours),
                ])
                .measure(Measure::new(
                    "effort.hours_per_month",
                    now_hours,
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

    fn effort(hours: u32, revenue: u32, actual: u32) -> String {
        front(&format!(
            "money: {{ revenue: {revenue} }}\neffort: {{ hours_per_month: {hours} }}\nkpis:\n  - {{ id: pipeline, target: 100, actual: {actual} }}\n"
        ))
    }

    #[test]
    fn hours_double_while_returns_stay_flat() {
        let timeline = History::new()
            .version("2024-01-15", &effort(60, 150000, 40))
            .version("2024-09-01", &effort(120, 150000, 35))
            .build();
        let findings = run(&EffortDisproportion, &timeline, "2024-09-02");
        assert_eq!(
            findings[0].message,
            "our effort rose 100%, from 60 to 120 hours a month since 2024-01-15, while revenue stayed at 150,000 and KPI attainment fell from 40% to 35%"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-01-15 c000000 effort.hours_per_month = 60, money.revenue = 150,000",
                "2024-09-01 c000001 effort.hours_per_month = 120, money.revenue = 150,000"
            ]
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("effort.hours_per_month", 120.0, Worse::Higher))
        );
    }

    #[test]
    fn more_hours_measure_worse() {
        let hours = |now: u32, actual: u32| {
            let timeline = History::new()
                .version("2024-01-15", &effort(60, 150000, 40))
                .version("2024-09-01", &effort(now, 150000, actual))
                .build();
            measure(&EffortDisproportion, &timeline, "2024-09-02")
        };
        let milder = hours(120, 35);
        assert_eq!(hours(150, 35).since(&milder), Movement::Worse);
        // The same hours with a KPI further down: the hours are what is measured.
        assert_eq!(hours(120, 30).since(&milder), Movement::Same);
    }

    #[test]
    fn one_small_deal_does_not_switch_the_sign_off() {
        // Cumulative revenue creeps up by one small deal while the hours double.
        let timeline = History::new()
            .version("2024-01-15", &effort(60, 150000, 40))
            .version("2024-05-02", &effort(90, 150000, 40))
            .version("2024-09-01", &effort(120, 162000, 40))
            .build();
        let findings = run(&EffortDisproportion, &timeline, "2024-09-02");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(
            findings[0].message,
            "our effort rose 100%, from 60 to 120 hours a month since 2024-01-15, while revenue rose only 8%, from 150,000 to 162,000 and KPI attainment stayed at 40%"
        );
        // Revenue growing half as fast as the hours keeps pace: the near miss is silent.
        let timeline = History::new()
            .version("2024-01-15", &effort(60, 150000, 40))
            .version("2024-09-01", &effort(120, 225000, 40))
            .build();
        assert!(run(&EffortDisproportion, &timeline, "2024-09-02").is_empty());
        // A KPI creeping up one point is as flat as revenue creeping up.
        let timeline = History::new()
            .version("2024-01-15", &effort(60, 150000, 40))
            .version("2024-09-01", &effort(120, 150000, 41))
            .build();
        assert_eq!(run(&EffortDisproportion, &timeline, "2024-09-02").len(), 1);
    }

    #[test]
    fn the_ratio_is_read_from_rapport_yaml() {
        let timeline = History::new()
            .version("2024-01-15", &effort(60, 150000, 40))
            .version("2024-09-01", &effort(120, 162000, 40))
            .build();
        let config = crate::config::Config::parse(
            "rapport.yaml",
            b"rules:\n  effort-disproportion: { min_return_ratio: 0.05 }\n",
        )
        .expect("valid settings");
        let setup = crate::signs::testing::Setup {
            settings: config.rules,
            ..Default::default()
        };
        // 8% of revenue growth is more than 5% of the hours' 100%.
        assert!(
            EffortDisproportion
                .check(&timeline, &setup.context("2024-09-02"))
                .is_empty()
        );
    }

    #[test]
    fn returns_starting_from_zero_are_not_flat() {
        let timeline = History::new()
            .version("2024-01-15", &effort(60, 0, 0))
            .version("2024-09-01", &effort(120, 20000, 0))
            .build();
        assert!(run(&EffortDisproportion, &timeline, "2024-09-02").is_empty());
    }

    #[test]
    fn more_hours_with_more_revenue_stay_silent() {
        let timeline = History::new()
            .version("2024-01-15", &effort(60, 150000, 40))
            .version("2024-09-01", &effort(120, 250000, 40))
            .build();
        assert!(run(&EffortDisproportion, &timeline, "2024-09-02").is_empty());
        let timeline = History::new()
            .version("2024-01-15", &effort(60, 150000, 40))
            .version("2024-09-01", &effort(80, 150000, 40))
            .build();
        assert!(run(&EffortDisproportion, &timeline, "2024-09-02").is_empty());
    }
}
