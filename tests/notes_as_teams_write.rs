//! Ledgers written the way alliance teams write them (Chinese and English notes, meeting dates
//! in local forms, owners in capitals, items carried over from meeting to meeting, names
//! corrected, typos in fields), checked as a user would: what rapport reads is counted, and
//! what it cannot read is said, at its line, never dropped in silence. Each case has its near
//! miss.

mod common;

use common::{Output, Script, Test};
use serde_json::Value;

/// A JSON report, read finding by finding.
struct Report(Output);

impl Report {
    fn json(&self) -> Value {
        serde_json::from_str(&self.0.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.0.stdout))
    }

    /// `(rule, message)` of each finding in a JSON run.
    fn findings(&self) -> Vec<(String, String)> {
        self.json()["findings"]
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

    fn messages_of(&self, rule: &str) -> Vec<String> {
        self.findings()
            .into_iter()
            .filter(|(r, _)| r == rule)
            .map(|(_, m)| m)
            .collect()
    }
}

/// `rapport check --as-of AS_OF ARGS` in the scripted repository.
fn check(script: &Script, as_of: &str, args: &[&str]) -> Test {
    Test::in_dir(script.path())
        .args(["check", "--as-of", as_of])
        .args(args)
}

/// The JSON report of `check --as-of AS_OF`: an analysis (exit 0 or 1, findings or none)
/// with nothing on standard error.
#[track_caller]
fn check_json(script: &Script, as_of: &str) -> Report {
    Report(
        check(script, as_of, &["--format", "json"])
            .status_in(&[0, 1])
            .any_stdout()
            .run(),
    )
}

const HANHAI_FRONT: &str = "---
rapport: 1
partner: 瀚海云计算
status: active
owner: 王伟
contacts:
  - { name: 陈静, side: partner, role: 渠道总监, level: director, primary: true, email: chen.jing@hanhai.example }
  - { name: 刘洋, side: partner, role: 合作经理, level: manager }
  - { name: 王伟, side: ours, role: 联盟经理, level: manager, primary: true }
---

# 瀚海云计算
";

/// One more fortnightly working meeting, newest first, as the Chinese team writes them.
fn hanhai_meeting(day: &str, note: &str) -> String {
    format!("\n## {day} 双周例会\n参会人员：陈静、刘洋、王伟\n\n{note}\n")
}

/// Months of a Chinese team's fortnightly meetings, one commit each, dated the Chinese way.
fn hanhai_history() -> Script {
    let meetings = [
        ("2024-03-07", "2024年3月7日", "确认联合方案的范围。"),
        ("2024-03-21", "2024年3月21日", "渠道培训已排期。"),
        ("2024-04-04", "2024年4月4日", "首批商机已登记。"),
        ("2024-04-18", "2024年4月18日", "试点客户反馈良好。"),
        ("2024-05-02", "2024年5月2日", "讨论第二季度的联合营销。"),
    ];
    let mut body = String::new();
    let mut script = Script::new();
    for (commit_day, heading_day, note) in meetings {
        body = format!("{}{body}", hanhai_meeting(heading_day, note));
        script = script.commit(
            commit_day,
            &format!("{heading_day} 例会纪要"),
            &[("partners/hanhai.md", &format!("{HANHAI_FRONT}{body}"))],
        );
    }
    script
}

#[test]
fn chinese_meeting_dates_count_as_meetings() {
    let script = hanhai_history();
    // Ten weeks after a fortnightly rhythm stopped: the silence is measured on the meetings.
    let run = check_json(&script, "2024-07-15");
    assert_eq!(
        run.messages_of("meeting-cadence-drop"),
        ["74 days since the last meeting on 2024-05-02, 5.3× the usual 14 days between meetings"]
    );
    assert_eq!(run.json().get("file_warnings"), None, "nothing left unread");

    // The near miss: two weeks and a half after the last meeting, the rhythm holds.
    let run = check_json(&script, "2024-05-20");
    assert_eq!(
        run.messages_of("meeting-cadence-drop"),
        Vec::<String>::new()
    );
}

const NORTHWIND_FRONT: &str = "---
rapport: 1
partner: Northwind Analytics
status: active
owner: Priya Raman
since: 2024-01-15
contacts:
  - { name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true, email: dana@northwind.example }
  - { name: Omar Haddad, side: partner, role: Partner Manager, level: manager, email: omar@northwind.example }
  - { name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }
---

# Northwind Analytics
";

#[test]
fn a_heading_dated_another_way_is_warned_about_at_its_line_with_the_iso_rewrite() {
    let body = "
## 2024-06-12 Quarterly business review
Attendees: Dana Whitfield, Priya Raman

Pipeline is behind plan.

## 2024/06/26 Working session
Attendees: Omar Haddad, Priya Raman

The SSO work slipped again; Omar is frustrated with the delays.

- [ ] partner: confirm the SSO delivery date

## June 12, 2025 Planning

## 2024 roadmap

Not a meeting: a plan for the year.
";
    let script = Script::new().commit(
        "2024-06-27",
        "Notes of the working session",
        &[("partners/northwind.md", &format!("{NORTHWIND_FRONT}{body}"))],
    );
    // Warnings do not fail the check.
    // The near miss: `## 2024 roadmap` (line 29) is not a date, and is not warned about.
    check(&script, "2024-06-28", &[])
        .snapshot("meeting_dates_in_local_forms_are_warned_about")
        .run();

    let json = check_json(&script, "2024-06-28").json();
    let warnings = json["file_warnings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let codes: Vec<(&str, u64)> = warnings
        .iter()
        .map(|w| {
            (
                w["code"].as_str().unwrap_or(""),
                w["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [("unread-meeting-date", 20), ("unread-meeting-date", 27)]
    );
}

/// A weekly sync's items, as the team types them: capitals, `(Due …)`, `(due: …)`.
const ITEMS_IN_CAPITALS: &str = "
## 2024-06-12 Quarterly business review
Attendees: Dana Whitfield, Omar Haddad, Priya Raman

- [ ] Partner: send the revised enablement plan (Due 2024-06-30)
- [ ] PARTNER: name a support lead (due: 2024-07-05)
- [ ] Ours: share the Q3 forecast (due: 2024-06-20)
- [ ] Note: the SSO work slipped
";

#[test]
fn owners_in_any_case_and_due_dates_with_a_colon_are_read() {
    let script = Script::new().commit(
        "2024-06-12",
        "QBR notes",
        &[(
            "partners/northwind.md",
            &format!("{NORTHWIND_FRONT}{ITEMS_IN_CAPITALS}"),
        )],
    );
    let run = check_json(&script, "2024-08-14");
    assert_eq!(
        run.messages_of("partner-unresponsive"),
        [
            "2 partner action items overdue: \"send the revised enablement plan\" (due 2024-06-30, 45 days overdue), \"name a support lead\" (due 2024-07-05, 40 days overdue)"
        ]
    );
    assert_eq!(run.json().get("file_warnings"), None, "`Note:` is no owner");
    // The near miss: before the due dates, nothing is overdue.
    let run = check_json(&script, "2024-06-25");
    assert_eq!(
        run.messages_of("partner-unresponsive"),
        Vec::<String>::new()
    );
}

#[test]
fn owners_and_due_dates_rapport_cannot_read_are_warned_about() {
    let body = "
## 2024年6月12日 季度业务回顾
参会人员：Dana Whitfield、Priya Raman

- [ ] Partnr: send the revised enablement plan
- [ ] partner: name a support lead (due next Friday)
- [ ] partner: 提交联合方案白皮书（截止 2024年6月30日）
- [ ] ours: share the Q3 forecast (due: 2024年6月20日)
- [ ] ours: send the due diligence pack
";
    let script = Script::new().commit(
        "2024-06-12",
        "季度业务回顾纪要",
        &[("partners/northwind.md", &format!("{NORTHWIND_FRONT}{body}"))],
    );
    let run = check_json(&script, "2024-06-13");
    let json = run.json();
    let warnings: Vec<(u64, String, String)> = json["file_warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            (
                w["line"].as_u64().unwrap_or(0),
                w["code"].as_str().unwrap_or("").to_string(),
                w["help"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        warnings,
        [
            (
                18,
                "unread-item-owner".to_string(),
                "did you mean `partner:`? an item's owner is `partner:` or `ours:` (any case), or `合作方：` or `我方：`"
                    .to_string()
            ),
            (
                19,
                "unread-due-date".to_string(),
                "write the due date as `(due YYYY-MM-DD)`".to_string()
            ),
        ],
        "the Chinese due dates in `（截止 …）` and `(due: …)` are read, and a due diligence pack is no due date"
    );
}

/// The team's file after meetings on `days` (newest first), each listing the open reference
/// list item again; `checked_in_last` ticks it in the latest meeting's list.
fn carried_over(days: &[&str], checked_in_last: bool) -> String {
    let mut body = String::new();
    for (i, day) in days.iter().enumerate() {
        let tick = if checked_in_last && i + 1 == days.len() {
            "x"
        } else {
            " "
        };
        body = format!(
            "\n## {day} Weekly sync\nAttendees: Omar Haddad, Priya Raman\n\n- [{tick}] partner: send the reference customer list\n{body}"
        );
    }
    format!("{NORTHWIND_FRONT}{body}")
}

fn carried_over_history(checked_in_last: bool) -> Script {
    let days = ["2024-05-08", "2024-06-05", "2024-07-03"];
    let mut script = Script::new();
    for n in 1..=days.len() {
        script = script.commit(
            days[n - 1],
            "Sync notes",
            &[(
                "partners/northwind.md",
                &carried_over(&days[..n], checked_in_last && n == days.len()),
            )],
        );
    }
    script
}

#[test]
fn an_item_carried_over_to_later_meetings_is_one_item_opened_when_first_written() {
    let run = check_json(&carried_over_history(false), "2024-07-20");
    assert_eq!(
        run.messages_of("partner-unresponsive"),
        [
            "1 partner action item overdue: \"send the reference customer list\" (open since 2024-05-08, 73 days)"
        ]
    );
    // The near miss: ticked where it was last listed, the item is closed, copies and all.
    let run = check_json(&carried_over_history(true), "2024-07-20");
    assert_eq!(
        run.messages_of("partner-unresponsive"),
        Vec::<String>::new()
    );
}

#[test]
fn every_problem_of_a_file_is_reported_in_one_run() {
    let broken = "---
rapport: 1
partner: Northwind Analytics
status: actve
owner: Priya Raman
terms: { payment_dayz: 30, currency: usd }
slas:
  - { id: p1-response, target: 4, actual: 9, better: lower }
scope:
  - { id: eu-hosting, summary: Managed hosting, owner: partner, sla: p1-respons }
satisfaction: { score: 7 }
---
";
    let script = Script::new().commit(
        "2024-06-12",
        "Northwind",
        &[("partners/northwind.md", broken)],
    );
    check(&script, "2024-06-13", &[])
        .snapshot("typos_in_fields_are_errors_at_their_column")
        .run();
    // The near miss: the same file, corrected, is valid.
    let fixed = broken
        .replace("actve", "active")
        .replace("payment_dayz", "payment_days")
        .replace("usd", "USD")
        .replace("p1-respons ", "p1-response ")
        .replace("score: 7", "score: 4");
    let script = Script::new().commit(
        "2024-06-12",
        "Northwind",
        &[("partners/northwind.md", &fixed)],
    );
    check(&script, "2024-06-13", &[])
        .stdout("Northwind Analytics (northwind, partners/northwind.md): 2 findings
  partners/northwind.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-06-12 ed04970b kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.
  partners/northwind.md:8: warning[support-degrading]: SLA p1-response is missed: 9 against a target of at most 4
    = sign 8: support is weak and error-prone
    = evidence: 2024-06-12 ed04970b p1-response: 9 against a target of at most 4
    = fix: Review the missed SLAs with the partner's support lead, ask for a corrective plan with dates, apply the contract's service credits, and renegotiate the SLAs or the support process where they no longer fit.

1 partnership file checked: all valid; 2 warnings
")
        .run();
}

#[test]
fn an_acknowledgement_of_a_rule_that_does_not_exist_is_an_error_with_the_closest_rule() {
    let front = |rule: &str| {
        NORTHWIND_FRONT.replace(
            "---\n\n#",
            &format!(
                "terms: {{ payment_days: 60 }}\nacknowledged:\n  - {{ rule: {rule}, reason: Net-60 for a volume discount, until: 2025-01-15 }}\n---\n\n#"
            ),
        )
    };
    // Net-30, then net-60 acknowledged under the rule id `named`.
    let checked = |named: &str| {
        Script::new()
            .commit(
                "2024-01-15",
                "Start",
                &[(
                    "partners/northwind.md",
                    &front("payment-terms-slip").replace("payment_days: 60", "payment_days: 30"),
                )],
            )
            .commit(
                "2024-06-12",
                "Net-60, acknowledged",
                &[("partners/northwind.md", &front(named))],
            )
    };
    // The slip is still shown, unacknowledged.
    check(&checked("payment-term-slip"), "2024-06-13", &[])
        .snapshot("an_acknowledgement_of_a_misspelt_rule")
        .run();
    // The near miss: the rule named right acknowledges the slip.
    check(&checked("payment-terms-slip"), "2024-06-13", &[])
        .snapshot("an_acknowledgement_of_the_rule_named_right")
        .run();
}

/// Northwind's contacts as written in one version: `dana` and `omar` are how their names are
/// spelt; both keep their emails.
fn northwind_contacts(dana: &str, omar: &str, more: &str) -> String {
    format!(
        "---
rapport: 1
partner: Northwind Analytics
status: active
owner: Priya Raman
contacts:
  - {{ name: {dana}, side: partner, role: VP Alliances, level: executive, primary: true, email: dana@northwind.example }}
  - {{ name: {omar}, side: partner, role: Partner Manager, level: manager, email: omar@northwind.example }}
{more}  - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}
---

# Northwind Analytics
"
    )
}

#[test]
fn a_corrected_name_is_the_same_person_and_real_departures_are_counted() {
    let lena =
        "  - { name: Lena Hoffmann, side: partner, role: Solutions Architect, level: staff }\n";
    let script = Script::new()
        .commit(
            "2024-01-15",
            "Northwind contacts",
            &[(
                "partners/northwind.md",
                &northwind_contacts("Dana Whitfeld", "Omar Hadad", lena),
            )],
        )
        .commit(
            "2024-02-20",
            "Fix Dana's name",
            &[(
                "partners/northwind.md",
                &northwind_contacts("Dana Whitfield", "Omar Hadad", lena),
            )],
        )
        .commit(
            "2024-04-02",
            "Omar's name as he writes it",
            &[(
                "partners/northwind.md",
                &northwind_contacts("Dana Whitfield", "Omar Haddad", lena),
            )],
        );
    let run = check_json(&script, "2024-06-01");
    assert_eq!(run.messages_of("partner-turnover"), Vec::<String>::new());
    assert_eq!(run.messages_of("contact-downgrade"), Vec::<String>::new());

    // The near miss: Lena (no email) leaves, and Omar is replaced by someone with his title.
    let script = Script::new()
        .commit(
            "2024-01-15",
            "Northwind contacts",
            &[(
                "partners/northwind.md",
                &northwind_contacts("Dana Whitfeld", "Omar Hadad", lena),
            )],
        )
        .commit(
            "2024-03-20",
            "Lena left",
            &[(
                "partners/northwind.md",
                &northwind_contacts("Dana Whitfield", "Omar Hadad", ""),
            )],
        )
        .commit(
            "2024-04-02",
            "Omar left; Ada took over",
            &[(
                "partners/northwind.md",
                &northwind_contacts("Dana Whitfield", "Omar Hadad", "")
                    .replace("Omar Hadad", "Ada Lin")
                    .replace("omar@", "ada@"),
            )],
        );
    let run = check_json(&script, "2024-06-01");
    assert_eq!(
        run.messages_of("partner-turnover"),
        [
            "2 partner contacts left within 180 days: Lena Hoffmann (2024-03-20), Omar Hadad (2024-04-02)"
        ]
    );
}

#[test]
fn without_a_primary_the_lead_is_called_the_most_senior_partner_contact() {
    let team = |lead: &str, level: &str| {
        format!(
            "---
rapport: 1
partner: 瀚海云计算
status: active
owner: 王伟
contacts:
  - {{ name: {lead}, side: partner, level: {level} }}
  - {{ name: 刘洋, side: partner, level: staff }}
---

# 瀚海云计算
"
        )
    };
    let script = Script::new()
        .commit(
            "2024-01-15",
            "联系人",
            &[("partners/hanhai.md", &team("陈静", "executive"))],
        )
        .commit(
            "2024-06-01",
            "陈静调岗，张磊接手",
            &[("partners/hanhai.md", &team("张磊", "manager"))],
        );
    let run = check_json(&script, "2024-06-02");
    let messages = run.messages_of("contact-downgrade");
    assert_eq!(
        messages,
        [
            "陈静 (executive) was replaced as most senior partner contact by 张磊 (manager): down two levels"
        ]
    );
    // Nowhere in the whole report, beside the one message pinned above.
    assert!(!run.0.stdout.contains("primary"), "{}", run.0.stdout);

    // The near miss: the same person, only the level written again the same, is no drop.
    let script = Script::new()
        .commit(
            "2024-01-15",
            "联系人",
            &[("partners/hanhai.md", &team("陈静", "executive"))],
        )
        .commit(
            "2024-06-01",
            "联系人",
            &[("partners/hanhai.md", &team("陈静 ", "executive"))],
        );
    let run = check_json(&script, "2024-06-02");
    assert_eq!(run.messages_of("contact-downgrade"), Vec::<String>::new());
}
