//! Signs read the way teams write: conflict words under a negation, prices that change currency,
//! contacts handed down step by step, targets with a period, Chinese labels. Each case is a
//! scripted history with its near miss, checked through the binary as a user would.

mod common;

use common::{Script, Test};
use serde_json::Value;

/// `(rule, message)` of each finding of `rapport check --as-of AS_OF --format json` in `script`.
fn findings(script: &Script, as_of: &str) -> Vec<(String, String)> {
    let json = check_json(script, as_of);
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn messages_of(findings: &[(String, String)], rule: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|(r, _)| r == rule)
        .map(|(_, m)| m.clone())
        .collect()
}

/// A history of `file` with one commit per `(day, text)` version.
fn history(file: &str, versions: &[(&str, String)]) -> Script {
    versions.iter().fold(Script::new(), |script, (day, text)| {
        script.commit(day, &format!("Notes of {day}"), &[(file, text)])
    })
}

const NORTHWIND: &str = "---
rapport: 1
partner: Northwind Analytics
status: active
owner: Priya Raman
contacts:
  - { name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }
  - { name: Omar Haddad, side: partner, role: Partner Manager, level: manager }
  - { name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }
---

# Northwind Analytics
";

/// Northwind's monthly reviews, newest first as the team writes them: three calm ones, then
/// the June review in `june`.
fn northwind_notes(june: &str) -> Vec<(&'static str, String)> {
    let calm = [
        (
            "2024-01-10",
            "The integration is on track. We reviewed the pipeline, agreed the next steps for the EU launch, and the partner presented the roadmap for the second half.",
        ),
        (
            "2024-02-12",
            "The first customer went live. Both teams reviewed the support process and agreed to meet again next month with updated figures for the pipeline.",
        ),
        (
            "2024-03-12",
            "The partner trained our sales team and the pipeline grew again; two hospitals asked for a demo.",
        ),
    ];
    let mut body = String::new();
    let mut versions = Vec::new();
    for (day, note) in calm {
        body = format!(
            "\n## {day} Monthly review\nAttendees: Dana Whitfield, Omar Haddad\n\n{note}\n{body}"
        );
        versions.push((day, format!("{NORTHWIND}{body}")));
    }
    body = format!(
        "\n## 2024-06-12 Monthly review\nAttendees: Dana Whitfield, Omar Haddad\n\n{june}\n{body}"
    );
    versions.push(("2024-06-13", format!("{NORTHWIND}{body}")));
    versions
}

#[test]
fn conflict_words_under_a_negation_do_not_raise_tension() {
    let calm_june = "No complaints this quarter, nobody is frustrated, no dispute on the invoices. \
        The escalation path was never used and the rollout went ahead without escalation.";
    let script = history("partners/northwind.md", &northwind_notes(calm_june));
    let found = findings(&script, "2024-06-20");
    assert_eq!(messages_of(&found, "tension-rising"), Vec::<String>::new());

    // The near miss: the same words, meant.
    let tense_june = "Complaints from three hospitals this quarter; Dana is frustrated, there is \
        a dispute on the invoices, and she will escalate if the rollout slips again.";
    let script = history("partners/northwind.md", &northwind_notes(tense_june));
    let found = findings(&script, "2024-06-20");
    assert_eq!(
        messages_of(&found, "tension-rising"),
        [
            "conflict words rose to 125.0 per 1,000 words in the notes of 2024-06-12 (4 in 1 meeting of the last 90 days), from 0.0 before (0 in 89 words)"
        ]
    );
}

const HANHAI: &str = "---
rapport: 1
partner: 瀚海云计算
status: active
owner: 王伟
contacts:
  - { name: 陈静, side: partner, role: 渠道总监, level: director, primary: true }
  - { name: 刘洋, side: partner, role: 合作经理, level: manager }
  - { name: 王伟, side: ours, role: 联盟经理, level: manager, primary: true }
---

# 瀚海云计算
";

fn hanhai_notes(june: &str) -> Vec<(&'static str, String)> {
    let calm = [
        (
            "2024-01-10",
            "双方回顾了项目进展，集成工作按计划推进，合作伙伴介绍了下半年的产品路线图。",
        ),
        (
            "2024-02-12",
            "第一个客户成功上线，双方团队回顾了支持流程，并同意下个月带着更新的数据再次开会。",
        ),
        (
            "2024-03-12",
            "合作伙伴介绍了新的培训计划，我们讨论了联合营销活动的预算和时间安排，会议气氛良好。",
        ),
    ];
    let mut body = String::new();
    let mut versions = Vec::new();
    for (day, note) in calm {
        body = format!("\n## {day} 月度例会\n参会人员：陈静、刘洋、王伟\n\n{note}\n{body}");
        versions.push((day, format!("{HANHAI}{body}")));
    }
    body = format!("\n## 2024-06-12 月度例会\n参会人员：陈静、刘洋、王伟\n\n{june}\n{body}");
    versions.push(("2024-06-13", format!("{HANHAI}{body}")));
    versions
}

#[test]
fn chinese_conflict_words_under_a_negation_do_not_raise_tension() {
    let calm_june =
        "本季度客户没有投诉，双方毫无争吵，发票也无纠纷，合作伙伴并非不满，从未升级投诉。";
    let script = history("partners/hanhai.md", &hanhai_notes(calm_june));
    let found = findings(&script, "2024-06-20");
    assert_eq!(messages_of(&found, "tension-rising"), Vec::<String>::new());

    // The near miss: a negation in another clause, and 不断 that does not deny.
    let tense_june = "交付没有按期完成，客户很生气，不断投诉，发票也有纠纷。";
    let script = history("partners/hanhai.md", &hanhai_notes(tense_june));
    let found = findings(&script, "2024-06-20");
    assert_eq!(
        messages_of(&found, "tension-rising"),
        [
            "conflict words rose to 81.1 per 1,000 words in the notes of 2024-06-12 (3 in 1 meeting of the last 90 days), from 0.0 before (0 in 151 words)"
        ]
    );
}

/// 瀚海云计算's front matter with its terms at `price` in `currency`.
fn hanhai_terms(price: u32, currency: &str) -> String {
    HANHAI.replacen(
        "---\n\n",
        &format!("terms: {{ payment_days: 30, price: {price}, currency: {currency} }}\n---\n\n"),
        1,
    )
}

#[test]
fn a_change_of_currency_is_not_a_price_cut() {
    // Re-signed in dollars at the same value: CNY 1,200,000 is about USD 168,000.
    let versions = [
        ("2024-01-15", hanhai_terms(1_200_000, "CNY")),
        ("2024-05-01", hanhai_terms(168_000, "USD")),
        ("2024-07-01", hanhai_terms(165_000, "USD")),
    ];
    let script = history("partners/hanhai.md", &versions);
    let found = findings(&script, "2024-09-01");
    assert_eq!(messages_of(&found, "price-cut"), Vec::<String>::new());

    // The near miss: a real cut after the change is measured from the first price in dollars,
    // and never printed in yuan.
    let versions = [
        ("2024-01-15", hanhai_terms(1_200_000, "CNY")),
        ("2024-05-01", hanhai_terms(168_000, "USD")),
        ("2024-09-01", hanhai_terms(84_000, "USD")),
    ];
    let script = history("partners/hanhai.md", &versions);
    let found = findings(&script, "2024-09-02");
    assert_eq!(
        messages_of(&found, "price-cut"),
        [
            "the price was cut 50%, from USD 168,000 (2024-05-01) to USD 84,000 (2024-09-01); priced in USD since 2024-05-01, CNY 1,200,000 before"
        ]
    );
}

/// Northwind with `lead` as the partner's primary contact at `level`, Omar Haddad beside them.
fn northwind_led_by(lead: &str, role: &str, level: &str) -> String {
    format!(
        "---
rapport: 1
partner: Northwind Analytics
status: active
owner: Priya Raman
contacts:
  - {{ name: {lead}, side: partner, role: {role}, level: {level}, primary: true }}
  - {{ name: Omar Haddad, side: partner, role: Partner Manager, level: staff }}
  - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}
---

# Northwind Analytics
"
    )
}

/// The JSON report of `check --as-of AS_OF`: an analysis (exit 0 or 1, findings or none) with
/// nothing on standard error, read finding by finding.
#[track_caller]
fn check_json(script: &Script, as_of: &str) -> Value {
    let run = Test::in_dir(script.path())
        .args(["check", "--as-of", as_of, "--format", "json"])
        .status_in(&[0, 1])
        .any_stdout()
        .run();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// `rule`'s findings as `(severity, message)`.
fn graded(script: &Script, as_of: &str, rule: &str) -> Vec<(String, String)> {
    let json = check_json(script, as_of);
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_downgrade_in_two_steps_is_two_levels() {
    let dana = northwind_led_by("Dana Whitfield", "VP Alliances", "executive");
    let tom = northwind_led_by("Tom Ng", "Director of Partnerships", "director");
    let lee = northwind_led_by("Lee Park", "Partner Manager", "manager");
    let versions = [
        ("2024-01-15", dana.clone()),
        ("2024-02-01", tom.clone()),
        (
            "2024-04-10",
            tom.clone().replace("level: staff", "level: manager"),
        ),
        ("2024-07-01", lee.clone()),
    ];
    let script = history("partners/northwind.md", &versions);
    assert_eq!(
        graded(&script, "2024-07-15", "contact-downgrade"),
        [(
            "error".to_string(),
            "Dana Whitfield (executive) was replaced as primary contact by Lee Park (manager): down two levels in 5 months".to_string()
        )]
    );

    // The near miss: the first step a year and more before the second is another story; the
    // latest step is one level.
    let versions = [
        ("2023-01-15", dana),
        ("2023-02-01", tom.clone()),
        ("2024-07-01", lee),
    ];
    let script = history("partners/northwind.md", &versions);
    assert_eq!(
        graded(&script, "2024-07-15", "contact-downgrade"),
        [(
            "warning".to_string(),
            "Tom Ng (director) was replaced as primary contact by Lee Park (manager): down one level".to_string()
        )]
    );
}

#[test]
fn chinese_owner_labels_and_due_dates_count_as_the_partner_s_items() {
    let meeting = |items: &str| {
        format!(
            "{HANHAI}\n## 2024年6月12日 双周例会\n参会人员：陈静、刘洋、王伟\n\n试点客户反馈良好，双方确认了下一步。\n\n{items}"
        )
    };
    let partner_late = meeting(
        "- [ ] 合作方：提交联合方案（截止 2024-06-30）\n- [x] 我方：安排渠道培训（due 2024-06-20）\n",
    );
    let script = history("partners/hanhai.md", &[("2024-06-12", partner_late)]);
    let json = check_json(&script, "2024-07-15");
    assert_eq!(json.get("file_warnings"), None, "{json:#}");
    assert_eq!(
        messages_of(&findings(&script, "2024-07-15"), "partner-unresponsive"),
        ["1 partner action item overdue: \"提交联合方案\" (due 2024-06-30, 15 days overdue)"]
    );

    // The near miss: the late item is ours, so the partner has nothing overdue.
    let ours_late = meeting(
        "- [x] 合作方：提交联合方案（截止 2024-06-30）\n- [ ] 我方：安排渠道培训（due 2024-06-20）\n",
    );
    let script = history("partners/hanhai.md", &[("2024-06-12", ours_late)]);
    assert_eq!(
        messages_of(&findings(&script, "2024-07-15"), "partner-unresponsive"),
        Vec::<String>::new()
    );
}

/// Northwind with its annual pipeline KPI at `actual` as of `as_of`; `period` adds `from`/`by`.
fn northwind_kpi(actual: u32, as_of: &str, period: &str) -> String {
    NORTHWIND.replacen(
        "---\n\n",
        &format!(
            "since: 2024-01-01\nkpis:\n  - {{ id: sourced-pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: {actual}, as_of: {as_of}{period} }}\n---\n\n"
        ),
        1,
    )
}

#[test]
fn an_annual_target_two_months_in_is_not_missed_and_a_new_kpi_is_a_baseline() {
    const YEAR: &str = ", from: 2024-01-01, by: 2024-12-31";
    // Created with `actual: 0` as the template suggests, then 80,000 by the end of February:
    // 20% of the year's target, ahead of the share due.
    let script = history(
        "partners/northwind.md",
        &[
            ("2024-01-08", northwind_kpi(0, "2024-01-05", YEAR)),
            ("2024-03-01", northwind_kpi(80_000, "2024-02-29", YEAR)),
        ],
    );
    assert_eq!(
        messages_of(&findings(&script, "2024-03-05"), "targets-missed"),
        Vec::<String>::new()
    );
    // A new KPI at `actual: 0` is a baseline, with or without a period.
    let script = history(
        "partners/northwind.md",
        &[("2024-01-08", northwind_kpi(0, "2024-01-05", ""))],
    );
    assert_eq!(
        messages_of(&findings(&script, "2024-01-10"), "targets-missed"),
        Vec::<String>::new()
    );

    // The near misses: the same 80,000 without a period is 20% of target today, and with the
    // period, 120,000 at the end of September is 40% of the share due.
    let script = history(
        "partners/northwind.md",
        &[
            ("2024-01-08", northwind_kpi(0, "2024-01-05", "")),
            ("2024-03-01", northwind_kpi(80_000, "2024-02-29", "")),
        ],
    );
    assert_eq!(
        messages_of(&findings(&script, "2024-03-05"), "targets-missed"),
        [
            "Partner-sourced pipeline is at 20% of target (80,000 EUR against a target of 400,000 EUR) as of 2024-02-29"
        ]
    );
    let script = history(
        "partners/northwind.md",
        &[
            ("2024-01-08", northwind_kpi(0, "2024-01-05", YEAR)),
            ("2024-10-01", northwind_kpi(120_000, "2024-09-30", YEAR)),
        ],
    );
    assert_eq!(
        messages_of(&findings(&script, "2024-10-05"), "targets-missed"),
        [
            "Partner-sourced pipeline is at 40% of the target due so far (120,000 EUR against 299,178 EUR due by 2024-09-30, 75% of the target of 400,000 EUR by 2024-12-31) as of 2024-09-30"
        ]
    );
}
