//! Sizes that blew up: tens of thousands of action items in one file (under the size cap), and
//! an octopus merge of thousands of branches. Messages and evidence lists stay bounded (the
//! first items, then "and N more"), rendering stays linear, and nothing aborts.

mod common;

use std::time::{Duration, Instant};

use common::{Run, Script, partnership};

/// Northwind's file after a year of meetings in which the partner took on `items` action items
/// and closed none: each line as short as a real one can be, to fit under the 1 MiB cap.
fn flooded(items: usize) -> String {
    let mut body = String::from(
        "\n## 2024-01-10 Kick-off\nAttendees: Dana Whitfield, Priya Raman\n\n\
         The partner takes on the integration checklist, one line per system. 王伟 owns the list.\n\n",
    );
    for k in 0..items {
        body.push_str(&format!("- [ ] partner: {k:x}\n"));
    }
    partnership(
        "Northwind Analytics",
        "contacts:\n  - { name: Dana Whitfield, side: partner, level: executive, primary: true }\n  \
         - { name: Priya Raman, side: ours, level: manager, primary: true }\n",
        &body,
    )
}

fn timed(script: &Script, args: &[&str]) -> (Run, Duration) {
    let started = Instant::now();
    let out = assert_cmd::Command::cargo_bin("rapport")
        .expect("built")
        .args(args)
        .current_dir(script.path())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_BASE_REF")
        // Far above the time it takes (under two seconds in a release build), far below the
        // minutes a quadratic rendering took.
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    (Run::from(out), started.elapsed())
}

#[test]
fn fifty_thousand_action_items_give_a_bounded_message_quickly() {
    let text = flooded(50_000);
    assert!(text.len() < 1024 * 1024, "{} bytes", text.len());
    let script = Script::new()
        .commit(
            "2024-01-10",
            "Northwind: kick-off",
            &[("partners/northwind.md", &flooded(3))],
        )
        .commit(
            "2024-01-12",
            "Northwind: the integration checklist",
            &[("partners/northwind.md", &text)],
        );
    let as_of = ["--as-of", "2024-06-01", "--fail-on", "never"];
    let (run, took) = timed(&script, &[&["check"][..], &as_of].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(took < Duration::from_secs(60), "{took:?}");
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("partner-unresponsive"))
        .expect("the finding");
    assert!(
        line.contains(
            "50,000 partner action items overdue: \"0\" (open since 2024-01-10, 143 days), \"1\""
        ),
        "{line}"
    );
    assert!(
        line.ends_with(", and 49,990 more"),
        "{}",
        &line[line.len() - 200..]
    );
    assert!(line.len() < 1000, "{} bytes", line.len());
    assert!(run.stdout.contains("and 49,950 more"), "evidence bounded");
    assert!(run.stdout.len() < 20_000, "{} bytes", run.stdout.len());

    let (json, _) = timed(
        &script,
        &[&["check", "--format", "json"][..], &as_of].concat(),
    );
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert!(
        json.stdout.len() < 100_000,
        "{} bytes of JSON",
        json.stdout.len()
    );

    // The gate and the pull-request annotations, on the same change.
    let (gate, _) = timed(
        &script,
        &[
            "check",
            "--base",
            "HEAD~1",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(gate.code, 0, "{}", gate.stderr);
    let review: serde_json::Value = serde_json::from_str(&gate.stdout).expect("JSON");
    let findings = review["partnerships"][0]["findings"]
        .as_array()
        .expect("findings");
    assert!(!findings.is_empty());
    for finding in findings {
        let size = serde_json::to_string(finding).expect("JSON").len();
        assert!(size < 20_000, "a finding of {size} bytes");
    }
    let (github, _) = timed(
        &script,
        &[
            "report",
            "--base",
            "HEAD~1",
            "--format",
            "github",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(github.code, 0, "{}", github.stderr);
    let longest = github.stdout.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 4_000, "an annotation line of {longest} bytes");
}

#[test]
fn ten_items_are_listed_whole() {
    // The near miss: a list at the bound is not cut.
    let script = Script::new().commit(
        "2024-01-12",
        "Northwind: the integration checklist",
        &[("partners/northwind.md", &flooded(10))],
    );
    let (run, _) = timed(
        &script,
        &["check", "--as-of", "2024-06-01", "--fail-on", "never"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("partner-unresponsive"))
        .expect("the finding");
    assert!(
        line.contains("\"9\" (open since 2024-01-12, 141 days)"),
        "{line}"
    );
    assert!(!line.contains("more"), "{line}");
}
