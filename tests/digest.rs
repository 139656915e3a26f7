//! `rapport digest`: what changed in the ledger between two points in time, each side at its own
//! "now", on histories written like a team's: an item going overdue with no commit, a notice
//! deadline coming close week after week, a calm week, a fix during the week, owners with and
//! without handles, English and Chinese partnerships.

mod common;

use common::{Script, partnership, rapport};

/// Northwind, owned by Priya: weekly syncs through June 2024; the partner owes the revised
/// enablement plan by 2024-06-12. `extra` adds meeting sections after the first.
fn northwind(item: &str, extra: &str) -> String {
    partnership(
        "Northwind Analytics",
        "since: 2024-01-15\n\
         contacts:\n  - { name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }\n  \
         - { name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }\n  \
         - { name: Tomás Ruiz, side: ours, role: Solutions Engineer, level: staff }\n\
         terms: { payment_days: 30, renewal: 2024-09-30, notice_days: 60 }\n\
         kpis:\n  - { id: sourced-pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: 310000, as_of: 2024-05-31 }\n",
        &format!(
            "\n## 2024-05-29 Weekly sync\nAttendees: Dana Whitfield, Priya Raman\n\n\
             Pipeline review went well; the @security-team asked for the SSO plan.\n\n\
             - {item}\n{extra}"
        ),
    )
}

const ITEM_OPEN: &str =
    "[ ] partner: send revised enablement plan to @security-team (due 2024-06-12)";
const ITEM_DONE: &str =
    "[x] partner: send revised enablement plan to @security-team (due 2024-06-12)";

/// 华星云 (Huaxing Cloud), owned by 王芳, notes in Chinese; renewal far away.
fn huaxing(extra: &str) -> String {
    "---\nrapport: 1\npartner: 华星云\nstatus: active\nowner: 王芳\nsince: 2024-02-01\n\
     contacts:\n  - { name: 李伟, side: partner, role: 渠道总监, level: director, primary: true }\n  \
     - { name: 王芳, side: ours, role: 合作经理, level: manager, primary: true }\n\
     terms: { payment_days: 45, renewal: 2025-06-30 }\n\
     kpis:\n  - { id: joint-deals, name: 联合签约, unit: deals, target: 10, actual: 7, as_of: 2024-05-31 }\n---\n\n\
     # 华星云\n\n## 2024年5月28日 周会\n参会人员：李伟、王芳\n\n进展顺利，双方确认了第三季度计划。\n\n\
     - [ ] partner: 提供华东区客户名单 (due 2024-06-14)\n"
        .to_string()
        + extra
}

const NOTIFY: &str = "rapport: 1\nnotify:\n  Priya Raman: { github: priya, slack: U024BE7LH, teams: priya@example.com }\n  Tomás Ruiz: { github: truiz, slack: U0G9QF9C6 }\n";

/// Two partnerships committed at the end of May; nothing else is committed until late June.
fn ledger() -> Script {
    Script::new()
        .commit(
            "2024-05-20",
            "Who the digest tells",
            &[("rapport.yaml", NOTIFY)],
        )
        .commit(
            "2024-05-29",
            "Northwind: weekly sync notes",
            &[("partners/northwind.md", &northwind(ITEM_OPEN, ""))],
        )
        .commit(
            "2024-05-30",
            "华星云：周会纪要",
            &[("partners/huaxing.md", &huaxing(""))],
        )
}

/// The weeks after: a calm note on 2024-06-25, the enablement plan received on 2024-07-02.
fn later(script: Script) -> Script {
    let calm = "\n## 2024-06-25 Weekly sync\nAttendees: Dana Whitfield, Priya Raman\n\nAll on track; nothing to escalate.\n";
    script
        .commit(
            "2024-06-25",
            "Northwind: calm weekly sync",
            &[("partners/northwind.md", &northwind(ITEM_OPEN, calm))],
        )
        .commit(
            "2024-07-02",
            "Northwind sent the revised enablement plan",
            &[("partners/northwind.md", &northwind(ITEM_DONE, calm))],
        )
}

fn digest(script: &Script, since: &str, until: &str, format: &str) -> common::Run {
    rapport(
        script.path(),
        &[
            "digest", "--since", since, "--until", until, "--format", format,
        ],
    )
}

#[test]
fn an_item_going_overdue_with_no_commit_is_new_that_week_and_only_that_week() {
    let script = ledger();
    let run = digest(&script, "2024-06-07", "2024-06-14", "text");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.stdout,
        "rapport digest 2024-06-07 → 2024-06-14: 1 new in 1 partnership.\n\
         \n\
         Priya Raman\n  \
         Northwind Analytics  partners/northwind.md\n    \
         new       warning partner-unresponsive: 1 partner action item overdue: \"send revised enablement plan to @security-team\" (due 2024-06-12, 2 days overdue)\n"
    );
    // The next week Northwind's item is one week more overdue, which is no news; the Chinese
    // partnership's item, due on the 14th, is.
    let run = digest(&script, "2024-06-14", "2024-06-21", "text");
    assert_eq!(
        run.stdout,
        "rapport digest 2024-06-14 → 2024-06-21: 1 new in 1 partnership.\n\
         \n\
         王芳\n  \
         华星云  partners/huaxing.md\n    \
         new       warning partner-unresponsive: 1 partner action item overdue: \"提供华东区客户名单\" (due 2024-06-14, 7 days overdue)\n"
    );
}

#[test]
fn a_week_with_only_a_calm_note_is_quiet_in_one_line() {
    let script = later(ledger());
    let run = digest(&script, "2024-06-21", "2024-06-28", "text");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "rapport digest 2024-06-21 → 2024-06-28: quiet, nothing new in 2 partnerships.\n",
            ""
        )
    );
    let run = digest(&script, "2024-06-21", "2024-06-28", "markdown");
    assert_eq!(
        run.stdout,
        "<!-- rapport-digest -->\n### rapport digest 2024-06-21 → 2024-06-28: quiet, nothing new in 2 partnerships.\n"
    );
    // A scheduled job asks for nothing at all on a quiet week.
    for format in ["text", "markdown", "json", "slack", "teams"] {
        let run = rapport(
            script.path(),
            &[
                "digest",
                "--since",
                "2024-06-21",
                "--until",
                "2024-06-28",
                "--format",
                format,
                "--skip-quiet",
            ],
        );
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{format}");
    }
    let run = rapport(
        script.path(),
        &[
            "digest",
            "--since",
            "2024-06-07",
            "--until",
            "2024-06-14",
            "--skip-quiet",
        ],
    );
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(run.stdout.contains("1 new"), "{}", run.stdout);
}

#[test]
fn a_fix_committed_during_the_week_is_resolved_with_its_commit() {
    let script = later(ledger());
    let run = digest(&script, "2024-06-28", "2024-07-05", "text");
    assert_eq!(
        run.stdout,
        "rapport digest 2024-06-28 → 2024-07-05: 1 resolved, 1 deadline in 1 partnership.\n\
         \n\
         Priya Raman\n  \
         Northwind Analytics  partners/northwind.md\n    \
         resolved  warning partner-unresponsive: 1 partner action item overdue: \"send revised enablement plan to @security-team\" (due 2024-06-12, 16 days overdue)\n    \
         deadline  notice is due by 2024-08-01, in 27 days (now inside 30 days)\n    \
         commit    28d5fb82 2024-07-02 Northwind sent the revised enablement plan\n"
    );
}

#[test]
fn a_notice_deadline_is_named_once_at_30_days_then_once_at_15_then_at_7() {
    let script = later(ledger());
    // Northwind's notice is due on 2024-08-01 (60 days before the renewal on 2024-09-30).
    let weeks = [
        ("2024-06-19", "2024-06-26", None),
        (
            "2024-06-26",
            "2024-07-03",
            Some("in 29 days (now inside 30 days)"),
        ),
        ("2024-07-03", "2024-07-10", None),
        (
            "2024-07-10",
            "2024-07-17",
            Some("in 15 days (now inside 15 days)"),
        ),
        ("2024-07-17", "2024-07-24", None),
        (
            "2024-07-24",
            "2024-07-31",
            Some("in 1 day (now inside 7 days)"),
        ),
        // Past the notice deadline, the renewal itself is two months away: nothing to say.
        ("2024-07-31", "2024-08-07", None),
    ];
    for (since, until, alert) in weeks {
        let run = digest(&script, since, until, "json");
        let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        let deadlines: Vec<String> = json["owners"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|o| o["partnerships"].as_array().cloned().unwrap_or_default())
            .flat_map(|p| p["deadlines"].as_array().cloned().unwrap_or_default())
            .map(|d| {
                format!(
                    "{} {} {} {}",
                    d["kind"], d["date"], d["days_left"], d["within"]
                )
            })
            .collect();
        let text = digest(&script, since, until, "text").stdout;
        match alert {
            Some(words) => {
                assert_eq!(deadlines.len(), 1, "{since}..{until}: {deadlines:?}");
                assert!(
                    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
                    text.contains(&format!("deadline  notice is due by 2024-08-01, {words}")),
                    "{since}..{until}: {text}"
                );
            }
            None => assert!(deadlines.is_empty(), "{since}..{until}: {deadlines:?}"),
        }
    }
    // A month at once names the deadline once, at the first threshold it crossed.
    let run = digest(&script, "2024-06-26", "2024-07-26", "json");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let northwind = &json["owners"][0]["partnerships"][0];
    assert_eq!(northwind["id"], "northwind");
    assert_eq!(
        northwind["deadlines"],
        serde_json::json!([{ "kind": "notice", "date": "2024-08-01", "days_left": 6, "within": 30 }])
    );
}

#[test]
fn a_renewal_written_in_during_the_week_is_named_when_already_close() {
    let front = |terms: &str| {
        partnership(
            "Contoso Logistics",
            &format!("since: 2023-04-01\n{terms}"),
            "\n## 2024-06-03 Steering meeting\nAll fine.\n",
        )
    };
    let script = Script::new()
        .commit(
            "2024-06-03",
            "Contoso: steering notes",
            &[("partners/contoso.md", &front(""))],
        )
        .commit(
            "2024-06-05",
            "Contoso: the renewal date from the contract",
            &[(
                "partners/contoso.md",
                &front("terms: { renewal: 2024-06-20 }\n"),
            )],
        );
    let run = digest(&script, "2024-06-01", "2024-06-08", "text");
    assert!(
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        run.stdout.contains(
            "deadline  the contract renews on 2024-06-20, in 12 days (now inside 30 days)"
        ),
        "{}",
        run.stdout
    );
    // The week after, the same renewal crosses 7 days; the one before, it was not written yet.
    let run = digest(&script, "2024-06-08", "2024-06-15", "text");
    assert!(
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        run.stdout.contains("in 5 days (now inside 7 days)"),
        "{}",
        run.stdout
    );
    let run = digest(&script, "2024-05-25", "2024-06-04", "text");
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(!run.stdout.contains("deadline"), "{}", run.stdout);
}

#[test]
fn owners_with_handles_are_mentioned_and_the_others_are_not() {
    let script = later(ledger());
    let run = digest(&script, "2024-06-07", "2024-06-21", "markdown");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = run.stdout;
    assert!(md.starts_with("<!-- rapport-digest -->\n### rapport digest 2024-06-07 → 2024-06-21: 2 new in 2 partnerships\n"), "{md}");
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(md.contains("\n#### Priya Raman (@priya)\n"), "{md}");
    assert!(
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        md.contains("**Northwind Analytics** · `partners/northwind.md` · cc @truiz\n"),
        "{md}"
    );
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(md.contains("\n#### 王芳\n"), "{md}");
    // Only the two handles from rapport.yaml mention anyone; the ledger's @security-team is split.
    let mentions: Vec<&str> = md
        .match_indices('@')
        .map(|(i, _)| md[i..].split([' ', ')', '\n']).next().unwrap_or(""))
        .collect();
    assert_eq!(
        mentions,
        ["@priya", "@truiz", "@&#8203;security\\-team&quot;"],
        "{md}"
    );
}

#[test]
fn the_chat_payloads_mention_only_configured_members() {
    let script = later(ledger());
    let slack = digest(&script, "2024-06-07", "2024-06-21", "slack").stdout;
    let slack: serde_json::Value = serde_json::from_str(&slack).expect("slack json");
    let texts = slack_texts(&slack);
    let all = texts.join("\n");
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(all.contains("*Priya Raman* <@U024BE7LH>"), "{all}");
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(all.contains("cc <@U0G9QF9C6>"), "{all}");
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(all.contains("@\u{200b}security-team"), "{all}");
    assert_eq!(all.matches("<@").count(), 2, "{all}");
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(!all.contains("王芳* <"), "{all}");

    let teams = digest(&script, "2024-06-07", "2024-06-21", "teams").stdout;
    let teams: serde_json::Value = serde_json::from_str(&teams).expect("teams json");
    let card = &teams["attachments"][0]["content"];
    let entities = card["msteams"]["entities"].as_array().expect("entities");
    assert_eq!(entities.len(), 1, "{card}");
    assert_eq!(entities[0]["mentioned"]["id"], "priya@example.com");
    let text: String = card["body"]
        .as_array()
        .expect("body")
        .iter()
        .map(|b| b["text"].as_str().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(text.matches("<at>").count(), 1, "{text}");
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(text.contains("@\u{200b}security\\-team"), "{text}");
}

/// Every `text` of a Slack payload's blocks (section text, header text, context elements).
fn slack_texts(payload: &serde_json::Value) -> Vec<String> {
    let mut texts = vec![payload["text"].as_str().unwrap_or("").to_string()];
    for block in payload["blocks"].as_array().into_iter().flatten() {
        if let Some(t) = block["text"]["text"].as_str() {
            texts.push(t.to_string());
        }
        for element in block["elements"].as_array().into_iter().flatten() {
            texts.push(element["text"].as_str().unwrap_or("").to_string());
        }
    }
    texts
}

#[test]
fn the_same_two_points_give_the_same_digest_and_a_past_week_replays() {
    let early = ledger();
    let before: Vec<String> = ["text", "markdown", "json", "slack", "teams"]
        .iter()
        .map(|f| digest(&early, "2024-06-07", "2024-06-14", f).stdout)
        .collect();
    let again: Vec<String> = ["text", "markdown", "json", "slack", "teams"]
        .iter()
        .map(|f| digest(&early, "2024-06-07", "2024-06-14", f).stdout)
        .collect();
    assert_eq!(before, again);
    // Weeks of history later, that week's digest reads the same.
    let grown = later(early);
    let replayed: Vec<String> = ["text", "markdown", "json", "slack", "teams"]
        .iter()
        .map(|f| digest(&grown, "2024-06-07", "2024-06-14", f).stdout)
        .collect();
    assert_eq!(before, replayed);
    // Spans count back from --until: a week before the 14th is the 7th.
    assert_eq!(digest(&grown, "1w", "2024-06-14", "text").stdout, before[0]);
    assert_eq!(digest(&grown, "7d", "2024-06-14", "text").stdout, before[0]);
}

#[test]
fn revisions_mark_the_points_too() {
    let script = later(ledger());
    script.git(&["tag", "before-fix", "HEAD~1"]);
    let run = rapport(
        script.path(),
        &["digest", "--since", "before-fix", "--until", "HEAD"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("rapport digest 2024-06-25 → 2024-07-02: 1 resolved"),
        "{}",
        run.stdout
    );
}

#[test]
fn points_in_the_wrong_order_or_before_the_ledger_are_refused() {
    let script = ledger();
    let run = digest(&script, "2024-06-14", "2024-06-07", "text");
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
            .contains("--since (2024-06-14) is after --until (2024-06-07)"),
        "{}",
        run.stderr
    );
    let run = digest(&script, "2024-01-01", "2024-02-01", "text");
    assert_eq!(run.code, 2);
    assert!(
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        run.stderr.contains("no commit on or before 2024-02-01"),
        "{}",
        run.stderr
    );
    let run = rapport(script.path(), &["digest", "--since", "3x"]);
    assert_eq!(run.code, 2);
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(run.stderr.contains("3x"), "{}", run.stderr);
    // A period starting before the first commit: everything there is new.
    let run = digest(&script, "2024-05-01", "2024-06-14", "text");
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(run.stdout.contains("1 new"), "{}", run.stdout);
}

#[test]
fn a_handle_that_is_not_one_is_refused_where_it_is_written() {
    let script = Script::new().commit(
        "2024-05-20",
        "notify",
        &[
            (
                "rapport.yaml",
                "rapport: 1\nnotify:\n  Priya Raman: { github: \"priya <script>\" }\n",
            ),
            ("partners/northwind.md", &northwind(ITEM_OPEN, "")),
        ],
    );
    let run = digest(&script, "2024-06-07", "2024-06-14", "text");
    assert_eq!(run.code, 2, "{}", run.stdout);
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(run.stderr.contains("rapport.yaml:3:"), "{}", run.stderr);
    assert!(
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        run.stderr.contains("is not a GitHub login"),
        "{}",
        run.stderr
    );
}

/// Northwind's overdue item written by someone hostile to every reader of the digest.
const HOSTILE_ITEM: &str = "[ ] partner: ping <!channel> & <at>Priya Raman</at> @here at https://evil.example/x [click](https://evil.example) {{DATE(2017-02-14T06:00:00Z, SHORT)}} *now* <script>alert(1)</script> (due 2024-06-12)";

fn hostile() -> Script {
    Script::new()
        .commit(
            "2024-05-20",
            "Who the digest tells",
            &[("rapport.yaml", NOTIFY)],
        )
        .commit(
            "2024-05-29",
            "Northwind: weekly sync notes",
            &[("partners/northwind.md", &northwind(HOSTILE_ITEM, ""))],
        )
}

#[test]
fn the_json_follows_its_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schema/digest.schema.json"
        ))
        .expect("the schema"),
    )
    .expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let script = later(ledger());
    for (since, until) in [
        ("2024-06-07", "2024-06-21"),
        ("2024-06-21", "2024-06-28"),
        ("2024-06-28", "2024-07-05"),
    ] {
        let doc: serde_json::Value =
            serde_json::from_str(&digest(&script, since, until, "json").stdout).expect("json");
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert_eq!(errors, Vec::<String>::new(), "{since}..{until}");
        assert_eq!(doc["version"], 1);
    }
    let doc: serde_json::Value =
        serde_json::from_str(&digest(&script, "2024-06-28", "2024-07-05", "json").stdout)
            .expect("json");
    assert_eq!(doc["quiet"], false);
    assert_eq!(doc["counts"], serde_json::json!({ "resolved": 1 }));
    let owner = &doc["owners"][0];
    assert_eq!(owner["owner"], "Priya Raman");
    assert_eq!(owner["handles"]["github"], "priya");
    let northwind = &owner["partnerships"][0];
    assert_eq!(
        northwind["notify"],
        serde_json::json!(["Priya Raman", "Tomás Ruiz"])
    );
    assert_eq!(northwind["findings"][0]["change"], "resolved");
    assert_eq!(northwind["findings"][0]["rule"], "partner-unresponsive");
    assert_eq!(
        northwind["commits"][0]["summary"],
        "Northwind sent the revised enablement plan"
    );
    let quiet: serde_json::Value =
        serde_json::from_str(&digest(&script, "2024-06-21", "2024-06-28", "json").stdout)
            .expect("json");
    assert_eq!(quiet["quiet"], true);
    assert_eq!(quiet["owners"], serde_json::json!([]));
}

#[test]
fn the_markdown_renders_as_github_flavoured_markdown_with_nothing_live_from_the_ledger() {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};
    for script in [later(ledger()), hostile()] {
        let md = digest(&script, "2024-06-07", "2024-07-05", "markdown").stdout;
        let mut html = Vec::new();
        let mut headings = Vec::new();
        for event in Parser::new_ext(&md, Options::all()) {
            match event {
                Event::Start(Tag::Link { dest_url, .. }) => panic!("a link to {dest_url}: {md}"),
                Event::Start(Tag::Image { dest_url, .. }) => panic!("an image: {dest_url}"),
                Event::Start(Tag::Heading { level, .. }) => headings.push(level),
                Event::Html(h) | Event::InlineHtml(h) => html.push(h.trim().to_string()),
                _ => {}
            }
        }
        let ours = [
            "<!-- rapport-digest -->",
            "<details><summary>",
            "</summary>",
            "</details>",
        ];
        for h in &html {
            assert!(
                ours.iter().any(|o| h.starts_with(o)),
                "HTML from the ledger: {h}\n{md}"
            );
        }
        assert_eq!(headings.first(), Some(&HeadingLevel::H3), "{md}");
        assert!(headings[1..].iter().all(|h| *h == HeadingLevel::H4), "{md}");
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        assert!(!md.contains("@here") && !md.contains("<script>"), "{md}");
    }
}

#[test]
fn the_markdown_stays_under_the_limit_cutting_the_least_urgent_first() {
    // Forty partnerships whose items all go overdue in the same week, each with long notes.
    let mut script = Script::new();
    let long = "x".repeat(1500);
    for i in 0..40 {
        let item = format!(
            "[ ] partner: deliver part {i} {long} (due 2024-06-1{})",
            i % 5
        );
        let text = northwind(&item, "").replace("Northwind Analytics", &format!("Partner {i:02}"));
        script = script.commit(
            "2024-05-29",
            &format!("Partner {i:02}: notes"),
            &[(&format!("partners/p{i:02}.md"), &text)],
        );
    }
    let md = digest(&script, "2024-06-07", "2024-06-21", "markdown").stdout;
    assert!(md.chars().count() <= 65_000, "{}", md.chars().count());
    assert!(md.starts_with("<!-- rapport-digest -->\n### rapport digest 2024-06-07 → 2024-06-21: 40 new in 40 partnerships\n"));
    assert!(
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        md.contains("more partnerships not shown"),
        "{}",
        &md[md.len() - 400..]
    );
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(md.contains("`rapport digest --since 2024-06-07 --until 2024-06-21`"));
}

/// The Slack message as Block Kit documents it: `text` and at most 50 blocks, a header's
/// `plain_text` at most 150 characters, a section's text at most 3,000, a context's elements at
/// most 10; in mrkdwn, `<` only opens a member mention and `&` only an entity.
fn assert_slack_shape(payload: &serde_json::Value) {
    let object = payload.as_object().expect("an object");
    assert!(
        object.keys().all(|k| k == "text" || k == "blocks"),
        "{payload}"
    );
    assert!(payload["text"].is_string());
    let blocks = payload["blocks"].as_array().expect("blocks");
    assert!(!blocks.is_empty() && blocks.len() <= 50, "{}", blocks.len());
    let mention = regex::Regex::new(r"^<@[UW][A-Z0-9]+>").expect("regex");
    let check_mrkdwn = |text: &str| {
        for (i, _) in text.match_indices('<') {
            assert!(mention.is_match(&text[i..]), "live markup: {text}");
        }
        for (i, _) in text.match_indices('&') {
            let rest = &text[i..];
            assert!(
                rest.starts_with("&amp;") || rest.starts_with("&lt;") || rest.starts_with("&gt;"),
                "{text}"
            );
        }
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        assert!(!text.contains("://"), "a live link: {text}");
    };
    check_mrkdwn(payload["text"].as_str().unwrap_or(""));
    for block in blocks {
        match block["type"].as_str() {
            Some("header") => {
                assert_eq!(block["text"]["type"], "plain_text");
                assert!(
                    block["text"]["text"]
                        .as_str()
                        .expect("text")
                        .chars()
                        .count()
                        <= 150
                );
            }
            Some("section") => {
                assert_eq!(block["text"]["type"], "mrkdwn");
                let text = block["text"]["text"].as_str().expect("text");
                // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
                assert!((1..=3000).contains(&text.chars().count()));
                check_mrkdwn(text);
            }
            Some("context") => {
                let elements = block["elements"].as_array().expect("elements");
                // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
                assert!((1..=10).contains(&elements.len()));
                for e in elements {
                    assert_eq!(e["type"], "mrkdwn");
                    check_mrkdwn(e["text"].as_str().expect("text"));
                }
            }
            other => panic!("a block Slack does not take here: {other:?}"),
        }
    }
}

/// The Teams message as its incoming-webhook documentation gives it: a `message` whose one
/// attachment is an Adaptive Card (`contentType`, `content` with `$schema`, `type`, `version`,
/// `body` of `TextBlock`s), each `<at>` tag in the text backed by a `msteams.entities` mention
/// and none left over; no `{{` function and no live link from the ledger.
fn assert_teams_shape(payload: &serde_json::Value) {
    assert_eq!(payload["type"], "message");
    let attachments = payload["attachments"].as_array().expect("attachments");
    assert_eq!(attachments.len(), 1);
    assert_eq!(
        attachments[0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachments[0]["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(
        card["$schema"],
        "http://adaptivecards.io/schemas/adaptive-card.json"
    );
    assert!(
        card["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("1."))
    );
    let mut tags = Vec::new();
    for block in card["body"].as_array().expect("body") {
        assert_eq!(block["type"], "TextBlock", "{block}");
        let text = block["text"].as_str().expect("text");
        assert!(
            // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
            !text.contains("{{"),
            "a date function from the ledger: {text}"
        );
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        assert!(!text.contains("://"), "a live link: {text}");
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        assert!(!text.contains("]("), "a link: {text}");
        let mut rest = text;
        while let Some(start) = rest.find("<at>") {
            let end = rest[start..].find("</at>").expect("a closed tag") + start + 5;
            tags.push(rest[start..end].to_string());
            rest = &rest[end..];
        }
    }
    let entities: Vec<String> = card["msteams"]["entities"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            assert_eq!(e["type"], "mention");
            assert!(e["mentioned"]["id"].is_string() && e["mentioned"]["name"].is_string());
            e["text"].as_str().expect("text").to_string()
        })
        .collect();
    tags.sort();
    tags.dedup();
    let mut named = entities.clone();
    named.sort();
    assert_eq!(tags, named, "every mention tag has its entity and no other");
}

#[test]
fn the_chat_payloads_take_the_shapes_their_documentation_gives() {
    for script in [later(ledger()), hostile()] {
        for (since, until) in [("2024-06-07", "2024-07-05"), ("2024-06-21", "2024-06-28")] {
            let slack: serde_json::Value =
                serde_json::from_str(&digest(&script, since, until, "slack").stdout).expect("json");
            assert_slack_shape(&slack);
            let teams: serde_json::Value =
                serde_json::from_str(&digest(&script, since, until, "teams").stdout).expect("json");
            assert_teams_shape(&teams);
        }
    }
    let slack = digest(&hostile(), "2024-06-07", "2024-06-14", "slack").stdout;
    // The notes are read as Markdown, so tags and link syntax are gone before any rule sees
    // them; what is left is made inert for each reader.
    assert!(
        slack.contains("ping  &amp; Priya Raman @\u{200b}here at https:\u{200b}//evil"),
        "{slack}"
    );
    let teams = digest(&hostile(), "2024-06-07", "2024-06-14", "teams").stdout;
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(teams.contains("{\u{200b}{DATE\\\\(2017"), "{teams}");
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(teams.contains("@\u{200b}here"), "{teams}");
}

#[test]
fn a_file_broken_during_the_week_is_named_and_a_redacted_renewal_is_not() {
    let script = ledger()
        .commit(
            "2024-06-11",
            "Northwind: half-written terms",
            &[(
                "partners/northwind.md",
                &northwind(ITEM_OPEN, "").replace("payment_days: 30", "payment_days: [30"),
            )],
        )
        .commit(
            "2024-06-12",
            "Keep contract dates private",
            &[(
                "rapport.yaml",
                &format!("{NOTIFY}redact: [terms.renewal]\n"),
            )],
        );
    let run = digest(&script, "2024-06-07", "2024-06-14", "text");
    assert_eq!(run.code, 0);
    assert!(
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        run.stdout.contains(
            "  Northwind Analytics  partners/northwind.md\n    broken    the file no longer parses"
        ),
        "{}",
        run.stdout
    );
    assert!(
        // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
        run.stderr.contains("partners/northwind.md:"),
        "{}",
        run.stderr
    );

    // Huaxing's renewal is far; a near one under `redact` is not named in any format.
    let near = huaxing("").replace("renewal: 2025-06-30", "renewal: 2024-07-10");
    let script = script.commit(
        "2024-06-13",
        "华星云：续约日期",
        &[("partners/huaxing.md", &near)],
    );
    for format in ["text", "markdown", "json", "slack", "teams"] {
        let out = digest(&script, "2024-06-07", "2024-06-14", format).stdout;
        assert!(
            // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
            !out.contains("2024-07-10") && !out.contains("renews"),
            "{format}: {out}"
        );
    }
}

#[test]
fn a_named_file_digests_that_partnership_alone() {
    let script = later(ledger());
    let run = rapport(
        script.path(),
        &[
            "digest",
            "partners/huaxing.md",
            "--since",
            "2024-06-07",
            "--until",
            "2024-06-21",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(run.stdout.contains("华星云"), "{}", run.stdout);
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(!run.stdout.contains("Northwind"), "{}", run.stdout);
}

#[test]
fn a_silence_that_grows_with_no_commit_is_new_the_week_it_passes_the_threshold() {
    // Quarterly steering meetings, the last on 2024-03-04: 90 days without one is reached on
    // 2024-06-02.
    let text = partnership(
        "Contoso Logistics",
        "since: 2023-04-01\n",
        "\n## 2023-09-04 Steering meeting\nAll fine.\n\n## 2023-12-04 Steering meeting\nAll fine.\n\n\
         ## 2024-03-04 Steering meeting\nAll fine.\n",
    );
    let script = Script::new().commit(
        "2024-03-04",
        "Contoso: steering notes",
        &[("partners/contoso.md", &text)],
    );
    let before = digest(&script, "2024-05-20", "2024-05-27", "text");
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(before.stdout.contains(": quiet,"), "{}", before.stdout);
    let week = digest(&script, "2024-05-27", "2024-06-03", "text");
    assert!(
        week.stdout
            // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
            .contains("    new       warning meeting-cadence-drop: "),
        "{}",
        week.stdout
    );
    let after = digest(&script, "2024-06-03", "2024-06-10", "text");
    // Searched, not pinned: digest.rs moves onto the Test builder in a change of its own.
    assert!(after.stdout.contains(": quiet,"), "{}", after.stdout);
}
