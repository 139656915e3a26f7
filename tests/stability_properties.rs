//! Properties of the output over time and place: the same repository gives byte-identical
//! JSON (`check --rev`, `report`) run after run, on any number of threads and in a fresh clone;
//! and fingerprints survive edits that move lines or reword what a finding does not rest on
//! (contacts, KPIs, meetings and blocks reordered, blank lines and notes inserted, meeting
//! prose and titles reworded) over a year of an English and a Chinese partnership, the facts
//! behind the findings held fixed.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use common::Script;
use proptest::prelude::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// The ledger: two partnerships, their people, KPIs and meetings, and the facts of each version.

struct Person {
    name: &'static str,
    side: &'static str,
    role: &'static str,
    level: &'static str,
    email: Option<&'static str>,
}

struct Kpi {
    id: &'static str,
    name: &'static str,
    unit: &'static str,
    target: u32,
}

struct Meeting {
    date: &'static str,
    /// What the team might call it; any of them is the same meeting.
    titles: [&'static str; 3],
    attendees: &'static str,
    /// What happened: the text the findings may rest on (tension words included).
    facts: &'static str,
    items: &'static [&'static str],
}

/// The facts of one version of a partnership.
struct Stage {
    date: &'static str,
    message: &'static str,
    days: u32,
    price: u32,
    /// The primary contact of each side, by name.
    primary: [&'static str; 2],
    /// Each KPI's actual, in the order of `Partnership::kpis`.
    actuals: [Option<u32>; 2],
    /// How many of the partnership's meetings the file holds.
    meetings: usize,
}

struct Partnership {
    file: &'static str,
    id: &'static str,
    partner: &'static str,
    owner: &'static str,
    since: &'static str,
    plan: &'static str,
    currency: &'static str,
    people: [Person; 4],
    kpis: [Kpi; 2],
    intro: &'static str,
    meetings: &'static [Meeting],
    stages: &'static [Stage],
    /// Words that change nothing: prose a meeting may open with, notes above fields.
    prose: [&'static str; 4],
    notes: [&'static str; 3],
}

const NORTHWIND: Partnership = Partnership {
    file: "partners/software/northwind.md",
    id: "northwind",
    partner: "Northwind Analytics",
    owner: "Priya Raman",
    since: "2024-01-15",
    plan: "{ agreed: 2024-02-10, segments: [EU healthcare, Nordic hospitals] }",
    currency: "EUR",
    people: [
        Person {
            name: "Dana Whitfield",
            side: "partner",
            role: "VP Alliances",
            level: "executive",
            email: Some("dana.whitfield@northwind.example"),
        },
        Person {
            name: "Omar Haddad",
            side: "partner",
            role: "Partner Manager",
            level: "manager",
            email: None,
        },
        Person {
            name: "Priya Raman",
            side: "ours",
            role: "Alliance Manager",
            level: "manager",
            email: Some("priya.raman@example.com"),
        },
        Person {
            name: "Lars Eriksen",
            side: "ours",
            role: "Solutions Architect",
            level: "staff",
            email: None,
        },
    ],
    kpis: [
        Kpi {
            id: "sourced-pipeline",
            name: "Partner-sourced pipeline",
            unit: "EUR",
            target: 400_000,
        },
        Kpi {
            id: "certified-engineers",
            name: "Certified engineers",
            unit: "engineers",
            target: 10,
        },
    ],
    intro: "Northwind resells our analytics platform to hospitals in the EU; we co-sell and \
            they run first-line support.",
    meetings: &[
        Meeting {
            date: "2024-02-01",
            titles: ["Kick-off", "Kickoff meeting", "Partnership kick-off"],
            attendees: "Dana Whitfield, Omar Haddad, Priya Raman",
            facts: "Agreed the EU healthcare plan and the first three target accounts.",
            items: &[
                "- [x] partner: send the enablement plan (due 2024-02-28)",
                "- [x] ours: share the Q1 forecast",
            ],
        },
        Meeting {
            date: "2024-03-14",
            titles: ["Launch review", "Launch retrospective", "Go-live review"],
            attendees: "Dana Whitfield, Omar Haddad, Priya Raman, Lars Eriksen",
            facts: "Launch went well; two hospitals asked for a demo.",
            items: &[],
        },
        Meeting {
            date: "2024-04-18",
            titles: ["Pipeline sync", "Pipeline call", "Monthly pipeline sync"],
            attendees: "Omar Haddad, Priya Raman",
            facts: "Three new opportunities in the Nordics.",
            items: &[],
        },
        Meeting {
            date: "2024-06-12",
            titles: ["Quarterly business review", "QBR", "Q2 business review"],
            attendees: "Omar Haddad, Priya Raman",
            facts: "Dana has moved to the group's new venture; Omar now leads the alliance. \
                    Pipeline is behind plan.",
            items: &["- [ ] partner: send the revised enablement plan (due 2024-06-30)"],
        },
        Meeting {
            date: "2024-09-19",
            titles: ["Renewal talks", "Renewal meeting", "Contract renewal"],
            attendees: "Omar Haddad, Priya Raman",
            facts: "We are frustrated: the revised plan is still missing and the new price is \
                    unacceptable. We will escalate to Dana.",
            items: &[],
        },
        Meeting {
            date: "2024-11-14",
            titles: ["Steering committee", "Steering meeting", "Joint steering"],
            attendees: "Omar Haddad, Priya Raman, Lars Eriksen",
            facts: "The team is disappointed with the support response; a formal complaint went \
                    to Omar. Lars is fed up with the excuses.",
            items: &[],
        },
    ],
    stages: &[
        Stage {
            date: "2024-01-15",
            message: "Start the Northwind partnership",
            days: 30,
            price: 120_000,
            primary: ["Dana Whitfield", "Priya Raman"],
            actuals: [None, Some(2)],
            meetings: 0,
        },
        Stage {
            date: "2024-02-01",
            message: "Northwind kick-off notes",
            days: 30,
            price: 120_000,
            primary: ["Dana Whitfield", "Priya Raman"],
            actuals: [None, Some(2)],
            meetings: 1,
        },
        Stage {
            date: "2024-03-14",
            message: "Northwind launch review",
            days: 30,
            price: 120_000,
            primary: ["Dana Whitfield", "Priya Raman"],
            actuals: [Some(40_000), Some(4)],
            meetings: 2,
        },
        Stage {
            date: "2024-04-18",
            message: "Northwind asks for net-45",
            days: 45,
            price: 120_000,
            primary: ["Dana Whitfield", "Priya Raman"],
            actuals: [Some(40_000), Some(4)],
            meetings: 3,
        },
        Stage {
            date: "2024-06-12",
            message: "Northwind QBR: Omar takes over, net-60",
            days: 60,
            price: 120_000,
            primary: ["Omar Haddad", "Priya Raman"],
            actuals: [Some(90_000), Some(5)],
            meetings: 4,
        },
        Stage {
            date: "2024-09-19",
            message: "Northwind renewal: net-90 at half the price",
            days: 90,
            price: 60_000,
            primary: ["Omar Haddad", "Priya Raman"],
            actuals: [Some(90_000), Some(5)],
            meetings: 5,
        },
        Stage {
            date: "2024-11-14",
            message: "Northwind steering committee",
            days: 90,
            price: 60_000,
            primary: ["Omar Haddad", "Priya Raman"],
            actuals: [Some(95_000), Some(5)],
            meetings: 6,
        },
    ],
    prose: [
        "",
        "Good progress on the integration work.",
        "Both sides walked through the account list and the demo schedule.",
        "Notes taken by Priya; slides are in the shared folder.",
    ],
    notes: [
        "# updated after the call",
        "# figures from the partner portal",
        "# see the contract folder",
    ],
};

const HUAXIN: Partnership = Partnership {
    file: "partners/cloud/huaxin.md",
    id: "huaxin",
    partner: "华信云联科技有限公司",
    owner: "陈思远",
    since: "2024-01-08",
    plan: "{ agreed: 2024-02-22, segments: [在华外资制造企业, 医疗设备服务商] }",
    currency: "CNY",
    people: [
        Person {
            name: "赵敏",
            side: "partner",
            role: "大客户总监",
            level: "director",
            email: Some("zhao.min@huaxincloud.example"),
        },
        Person {
            name: "孙凯",
            side: "partner",
            role: "技术支持经理",
            level: "manager",
            email: None,
        },
        Person {
            name: "陈思远",
            side: "ours",
            role: "亚太合作经理",
            level: "manager",
            email: Some("chen.siyuan@example.com"),
        },
        Person {
            name: "马骁",
            side: "ours",
            role: "中国区运维负责人",
            level: "manager",
            email: None,
        },
    ],
    kpis: [
        Kpi {
            id: "cn-tenants",
            name: "中国区在线租户数",
            unit: "个",
            target: 30,
        },
        Kpi {
            id: "on-time-migration",
            name: "租户按期迁移率",
            unit: "percent",
            target: 95,
        },
    ],
    intro: "华信云联为我们托管中国区租户，负责基础设施运维和 7x24 故障响应；我方负责应用发布和版本升级。",
    meetings: &[
        Meeting {
            date: "2024-01-11",
            titles: ["项目启动会", "启动会议", "合作启动会"],
            attendees: "赵敏, 孙凯, 陈思远, 马骁",
            facts: "双方确认合作范围：华信云联负责中国区租户的托管、基础设施运维和 7x24 故障响应，我方负责应用发布和版本升级。",
            items: &["- [x] partner: 提供上海、北京两个可用区的部署方案 (due 2024-02-02)"],
        },
        Meeting {
            date: "2024-03-21",
            titles: ["中国区上线复盘", "上线复盘会", "上线总结"],
            attendees: "赵敏, 孙凯, 陈思远",
            facts: "3 月 18 日按计划上线，首批 8 个租户完成迁移。",
            items: &["- [x] ours: 通知销售团队中国区已可售"],
        },
        Meeting {
            date: "2024-05-09",
            titles: ["月度运营例会", "运营例会", "五月运营例会"],
            attendees: "赵敏, 孙凯, 陈思远, 马骁",
            facts: "4 月可用性 99.97%，P1 首次响应平均 20 分钟。",
            items: &[],
        },
        Meeting {
            date: "2024-08-15",
            titles: ["月度运营例会", "运营例会", "八月运营例会"],
            attendees: "孙凯, 陈思远, 马骁",
            facts: "赵敏调往集团总部，孙凯接任华信云联方面的主要联系人。",
            items: &["- [ ] partner: 提交 P1 响应改进计划 (due 2024-09-30)"],
        },
        Meeting {
            date: "2024-10-17",
            titles: ["季度业务回顾", "三季度业务回顾", "季度回顾会"],
            attendees: "孙凯, 陈思远, 马骁",
            facts: "业务部门对故障处理非常不满，对改进计划再次拖延表示失望，已提交正式投诉。",
            items: &[],
        },
        Meeting {
            date: "2024-11-21",
            titles: ["月度运营例会", "运营例会", "十一月运营例会"],
            attendees: "孙凯, 陈思远",
            facts: "华信云联对故障原因互相推诿，双方矛盾加深。",
            items: &[],
        },
    ],
    stages: &[
        Stage {
            date: "2024-01-08",
            message: "Add 华信云联",
            days: 60,
            price: 960_000,
            primary: ["赵敏", "陈思远"],
            actuals: [None, None],
            meetings: 0,
        },
        Stage {
            date: "2024-01-11",
            message: "华信云联：项目启动会纪要",
            days: 60,
            price: 960_000,
            primary: ["赵敏", "陈思远"],
            actuals: [None, None],
            meetings: 1,
        },
        Stage {
            date: "2024-03-21",
            message: "华信云联：上线复盘",
            days: 60,
            price: 960_000,
            primary: ["赵敏", "陈思远"],
            actuals: [Some(8), Some(100)],
            meetings: 2,
        },
        Stage {
            date: "2024-05-09",
            message: "华信云联：五月例会",
            days: 60,
            price: 960_000,
            primary: ["赵敏", "陈思远"],
            actuals: [Some(15), Some(97)],
            meetings: 3,
        },
        Stage {
            date: "2024-08-15",
            message: "华信云联：孙凯接任，账期 90 天",
            days: 90,
            price: 960_000,
            primary: ["孙凯", "陈思远"],
            actuals: [Some(15), Some(97)],
            meetings: 4,
        },
        Stage {
            date: "2024-10-17",
            message: "华信云联：三季度回顾，账期 120 天，降价",
            days: 120,
            price: 640_000,
            primary: ["孙凯", "陈思远"],
            actuals: [Some(12), Some(88)],
            meetings: 5,
        },
        Stage {
            date: "2024-11-21",
            message: "华信云联：十一月例会",
            days: 120,
            price: 640_000,
            primary: ["孙凯", "陈思远"],
            actuals: [Some(12), Some(88)],
            meetings: 6,
        },
    ],
    prose: [
        "",
        "双方回顾了本月的工作进展。",
        "会议讨论了下一阶段的安排。",
        "技术团队介绍了最新的部署情况。",
    ],
    notes: [
        "# 根据会议纪要更新",
        "# 数据来自合作伙伴门户",
        "# 详见合同文件夹",
    ],
};

const PARTNERSHIPS: [&Partnership; 2] = [&NORTHWIND, &HUAXIN];

/// The analysis date of every comparison: after the last commit of either history.
const AS_OF: &str = "2024-12-02";

// ---------------------------------------------------------------------------------------------
// How a version is written down: everything here may change without changing a fact.

#[derive(Clone, Debug)]
struct Layout {
    /// The order of the movable front matter blocks (since, plan, contacts, terms, kpis).
    blocks: Vec<usize>,
    contacts: Vec<usize>,
    kpis: Vec<usize>,
    /// Lists written as block mappings (one key per line) instead of flow mappings.
    block_style: bool,
    /// Keys of each list entry written in reverse order.
    reversed_keys: bool,
    /// Per block: a blank line above it, a note (a YAML comment) above it.
    blank: [bool; 5],
    note: [Option<usize>; 5],
    /// Meetings newest first.
    newest_first: bool,
    /// Per meeting: which of its titles, which opening prose, blank lines above it.
    titles: Vec<usize>,
    prose: Vec<usize>,
    gaps: Vec<bool>,
    /// A paragraph of notes between the introduction and the first meeting.
    body_note: bool,
}

impl Layout {
    /// The file as first written: nothing moved, no notes, first titles, no prose.
    fn plain() -> Layout {
        Layout {
            blocks: (0..5).collect(),
            contacts: (0..4).collect(),
            kpis: (0..2).collect(),
            block_style: false,
            reversed_keys: false,
            blank: [false; 5],
            note: [None; 5],
            newest_first: false,
            titles: vec![0; 6],
            prose: vec![0; 6],
            gaps: vec![false; 6],
            body_note: false,
        }
    }
}

fn layout() -> impl Strategy<Value = Layout> {
    let permutation = |n: usize| Just((0..n).collect::<Vec<_>>()).prop_shuffle();
    (
        (permutation(5), permutation(4), permutation(2)),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        proptest::array::uniform5(any::<bool>()),
        proptest::array::uniform5(proptest::option::of(0usize..3)),
        proptest::collection::vec(0usize..3, 6),
        proptest::collection::vec(0usize..4, 6),
        proptest::collection::vec(any::<bool>(), 6),
    )
        .prop_map(
            |(
                (blocks, contacts, kpis),
                (block_style, reversed_keys, newest_first, body_note),
                blank,
                note,
                titles,
                prose,
                gaps,
            )| Layout {
                blocks,
                contacts,
                kpis,
                block_style,
                reversed_keys,
                blank,
                note,
                newest_first,
                titles,
                prose,
                gaps,
                body_note,
            },
        )
}

/// One list entry, `(key, value)` pairs in the layout's key order and style.
fn entry(pairs: Vec<(&str, String)>, layout: &Layout) -> String {
    let mut pairs = pairs;
    if layout.reversed_keys {
        pairs.reverse();
    }
    if layout.block_style {
        let lines: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("  - {}\n", lines.join("\n    "))
    } else {
        let fields: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("  - {{ {} }}\n", fields.join(", "))
    }
}

/// The file of partnership `p` at `stage`, written down as `layout` says.
fn render(p: &Partnership, stage: &Stage, layout: &Layout) -> String {
    let contacts: String = layout
        .contacts
        .iter()
        .map(|&i| {
            let person = &p.people[i];
            let mut pairs = vec![
                ("name", person.name.to_string()),
                ("side", person.side.to_string()),
                ("role", person.role.to_string()),
                ("level", person.level.to_string()),
            ];
            // A list's membership: the person among the stage's primary contacts.
            if stage.primary.contains(&person.name) {
                pairs.push(("primary", "true".into()));
            }
            if let Some(email) = person.email {
                pairs.push(("email", email.into()));
            }
            entry(pairs, layout)
        })
        .collect();
    let kpis: String = layout
        .kpis
        .iter()
        .map(|&i| {
            let kpi = &p.kpis[i];
            let mut pairs = vec![
                ("id", kpi.id.to_string()),
                ("name", kpi.name.to_string()),
                ("unit", kpi.unit.to_string()),
                ("target", kpi.target.to_string()),
            ];
            if let Some(actual) = stage.actuals[i] {
                pairs.push(("actual", actual.to_string()));
            }
            entry(pairs, layout)
        })
        .collect();
    let blocks = [
        format!("since: {}\n", p.since),
        format!("plan: {}\n", p.plan),
        format!("contacts:\n{contacts}"),
        format!(
            "terms: {{ payment_days: {}, price: {}, currency: {} }}\n",
            stage.days, stage.price, p.currency
        ),
        format!("kpis:\n{kpis}"),
    ];
    let mut front = format!(
        "rapport: 1\nid: {}\npartner: {}\nstatus: active\nowner: {}\n",
        p.id, p.partner, p.owner
    );
    for &b in &layout.blocks {
        if layout.blank[b] {
            front.push('\n');
        }
        if let Some(n) = layout.note[b] {
            front.push_str(p.notes[n]);
            front.push('\n');
        }
        front.push_str(&blocks[b]);
    }
    let mut body = format!("# {}\n\n{}\n", p.partner, p.intro);
    if layout.body_note {
        body.push_str(&format!("\n{}\n", p.prose[3]));
    }
    let mut meetings: Vec<usize> = (0..stage.meetings).collect();
    if layout.newest_first {
        meetings.reverse();
    }
    for i in meetings {
        let m = &p.meetings[i];
        if layout.gaps[i] {
            body.push('\n');
        }
        let prose = p.prose[layout.prose[i]];
        body.push_str(&format!(
            "\n## {} {}\nAttendees: {}\n\n{}{}{}\n",
            m.date,
            m.titles[layout.titles[i]],
            m.attendees,
            prose,
            if prose.is_empty() { "" } else { " " },
            m.facts
        ));
        if !m.items.is_empty() {
            body.push_str(&format!("\n{}\n", m.items.join("\n")));
        }
    }
    format!("---\n{front}---\n\n{body}")
}

/// Every version of both partnerships in date order: `(partnership, stage)`.
fn commits() -> Vec<(usize, usize)> {
    let mut all: Vec<(usize, usize)> = PARTNERSHIPS
        .iter()
        .enumerate()
        .flat_map(|(p, partnership)| (0..partnership.stages.len()).map(move |s| (p, s)))
        .collect();
    all.sort_by_key(|&(p, s)| PARTNERSHIPS[p].stages[s].date);
    all
}

/// The ledger's history on `main`, each commit written down as `layouts` says (the last layout
/// repeats when there are fewer layouts than commits).
fn ledger(layouts: &[Layout]) -> Script {
    let mut script = Script::new().commit(
        "2024-01-02",
        "Start the ledger",
        &[("rapport.yaml", "rapport: 1\npaths: [partners]\n")],
    );
    for (n, (p, s)) in commits().into_iter().enumerate() {
        let partnership = PARTNERSHIPS[p];
        let stage = &partnership.stages[s];
        let layout = &layouts[n.min(layouts.len() - 1)];
        script = script.commit(
            stage.date,
            stage.message,
            &[(partnership.file, &render(partnership, stage, layout))],
        );
    }
    script
}

/// Both files rewritten as `layouts` say (one per partnership), facts as at the end of the
/// history, in one commit on `date`.
fn rewrite(script: Script, date: &str, layouts: &[Layout; 2]) -> Script {
    let files: Vec<(&str, String)> = PARTNERSHIPS
        .iter()
        .zip(layouts)
        .map(|(p, layout)| {
            let last = p.stages.last().expect("a history");
            (p.file, render(p, last, layout))
        })
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(f, t)| (*f, t.as_str())).collect();
    script.commit(date, "Tidy the partnership files", &files)
}

// ---------------------------------------------------------------------------------------------
// Running rapport.

fn rapport(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("rapport").expect("binary");
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    for var in [
        "GITHUB_BASE_REF",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
        "GITHUB_STEP_SUMMARY",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// stdout of a run that must exit with `code`.
fn output(cmd: &mut Command, code: i32) -> Vec<u8> {
    let out = cmd.output().expect("rapport runs");
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Each finding of `check --rev REV --as-of AS_OF` as `fingerprint → (rule, severity)`.
fn fingerprints(dir: &Path, rev: &str) -> BTreeMap<String, (String, String)> {
    let json = output(
        &mut rapport(
            dir,
            &[
                "check",
                "--rev",
                rev,
                "--as-of",
                AS_OF,
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
        ),
        0,
    );
    let check: Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(check["valid"], true, "{check:#}");
    check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (text("fingerprint"), (text("rule"), text("severity")))
        })
        .collect()
}

/// The rules the facts must produce in both partnerships, so the properties compare something.
const EXPECTED_RULES: [&str; 6] = [
    "payment-terms-slip",
    "price-cut",
    "contact-downgrade",
    "targets-missed",
    "partner-unresponsive",
    "tension-rising",
];

fn assert_realistic(found: &BTreeMap<String, (String, String)>) {
    for rule in EXPECTED_RULES {
        let count = found.values().filter(|(r, _)| r == rule).count();
        assert!(count >= 2, "{rule} found {count} times: {found:#?}");
    }
}

/// The findings of the history as first written, computed once.
fn plain_fingerprints() -> &'static BTreeMap<String, (String, String)> {
    static PLAIN: std::sync::OnceLock<BTreeMap<String, (String, String)>> =
        std::sync::OnceLock::new();
    PLAIN.get_or_init(|| fingerprints(ledger(&[Layout::plain()]).path(), "HEAD"))
}

#[test]
fn the_plain_history_shows_the_signs_of_both_partnerships() {
    assert_realistic(plain_fingerprints());
    let script = ledger(&[Layout::plain()]);
    // `check` at head fails on the errors (the price cut in half, net-30 to net-90).
    output(&mut rapport(script.path(), &["check", "--rev", "HEAD"]), 1);
}

// ---------------------------------------------------------------------------------------------
// Determinism.

/// The plain history and a branch `pr` that stretches Northwind's terms and cuts its price.
fn with_pull_request() -> Script {
    let last = NORTHWIND.stages.last().expect("a history");
    let stage = Stage {
        date: "2024-11-28",
        message: "Northwind: net-120 and another price cut",
        days: 120,
        price: 45_000,
        ..*last
    };
    ledger(&[Layout::plain()]).branch("pr").commit(
        stage.date,
        stage.message,
        &[(
            NORTHWIND.file,
            &render(&NORTHWIND, &stage, &Layout::plain()),
        )],
    )
}

/// The outputs compared byte for byte, with their exit codes: `check --rev HEAD` and the
/// report, in JSON and in every report format.
fn outputs(dir: &Path, threads: &str) -> Vec<(String, Vec<u8>)> {
    let runs: [(&[&str], i32); 7] = [
        (&["check", "--rev", "HEAD", "--format", "json"], 1),
        (&["report", "--base", "main", "--format", "json"], 0),
        (&["report", "--base", "main", "--format", "text"], 0),
        (&["report", "--base", "main", "--format", "markdown"], 0),
        (&["report", "--base", "main", "--format", "sarif"], 0),
        (&["report", "--base", "main", "--format", "github"], 0),
        (&["report", "--base", "main", "--format", "gitlab"], 0),
    ];
    runs.iter()
        .map(|(args, code)| {
            let mut cmd = rapport(dir, args);
            cmd.env("RAYON_NUM_THREADS", threads);
            (args.join(" "), output(&mut cmd, *code))
        })
        .collect()
}

#[test]
fn output_is_byte_identical_across_runs_threads_and_clones() {
    let script = with_pull_request();
    let first = outputs(script.path(), "4");
    let report: Value = serde_json::from_slice(&first[1].1).expect("JSON");
    assert_eq!(report["counts"]["worsened"], 2, "{report:#}");
    let check: Value = serde_json::from_slice(&first[0].1).expect("JSON");
    assert!(check["findings"].as_array().is_some_and(|f| f.len() > 10));

    let same = |label: &str, other: Vec<(String, Vec<u8>)>| {
        for ((args, a), (_, b)) in first.iter().zip(&other) {
            assert!(
                a == b,
                "{label}: `rapport {args}` differs\n--- first\n{}\n--- {label}\n{}",
                String::from_utf8_lossy(a),
                String::from_utf8_lossy(b)
            );
        }
    };
    same("again", outputs(script.path(), "4"));
    same("one thread", outputs(script.path(), "1"));
    same("sixteen threads", outputs(script.path(), "16"));

    // A fresh clone: other object files and pack, other mtimes, other folder.
    let elsewhere = tempfile::tempdir().expect("a folder");
    let clone = elsewhere.path().join("ledger");
    let url = format!("file://{}", script.path().display());
    let git = |dir: &Path, args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(
        elsewhere.path(),
        &["clone", "-q", "--no-local", &url, "ledger"],
    );
    git(&clone, &["branch", "main", "origin/main"]);
    same("a fresh clone", outputs(&clone, "4"));
}

// ---------------------------------------------------------------------------------------------
// Fingerprints survive line moves and rewording.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// The same facts, each version written down differently: the same findings at head.
    #[test]
    fn every_version_written_differently_gives_the_same_fingerprints(
        layouts in proptest::collection::vec(layout(), commits().len())
    ) {
        let edited = ledger(&layouts);
        prop_assert_eq!(&fingerprints(edited.path(), "HEAD"), plain_fingerprints());
    }

    /// A commit that only moves lines and rewords: the same findings after it, and a pull
    /// request of it changes no finding and no field.
    #[test]
    fn a_tidying_commit_changes_no_finding(northwind in layout(), huaxin in layout()) {
        let script = ledger(&[Layout::plain()]);
        let before = fingerprints(script.path(), "main");
        let script = rewrite(script.branch("tidy"), "2024-11-29", &[northwind, huaxin]);
        prop_assert_eq!(&fingerprints(script.path(), "tidy"), &before);

        let json = output(
            &mut rapport(script.path(), &["report", "--base", "main", "--head", "tidy", "--format", "json"]),
            0,
        );
        let report: Value = serde_json::from_slice(&json).expect("JSON");
        for status in ["new", "resolved", "acknowledged"] {
            prop_assert_eq!(&report["counts"][status], 0, "{}: {:#}", status, report);
        }
        // Every finding is unchanged, but for the rate of conflict words per 1,000 words
        // of notes, which rewording moves by design.
        for p in report["partnerships"].as_array().into_iter().flatten() {
            for f in p["findings"].as_array().into_iter().flatten() {
                prop_assert!(
                    f["change"] == "unchanged" || f["rule"] == "tension-rising",
                    "{}: {:#}", p["id"], f
                );
            }
        }
        // Reordered lists, blocks and keys are no change; a renamed meeting is one removed and
        // one added.
        for p in report["partnerships"].as_array().into_iter().flatten() {
            for change in p["changes"].as_array().into_iter().flatten() {
                let kind = change["kind"].as_str().unwrap_or_default();
                prop_assert!(
                    kind == "meeting-added" || kind == "meeting-removed",
                    "{}: {:#}", p["id"], change
                );
            }
        }
    }
}
