//! A pull request that rewrites a file whole: its field changes are listed up to a bound in every
//! format (the first ones, then how many more), so the review of a file adding thousands of action
//! items stays a few kilobytes instead of megabytes.

mod common;

use common::{Script, partnership, rapport};

/// Northwind's file with `items` open partner action items from the kick-off.
fn with_items(items: usize) -> String {
    let mut body = String::from(
        "\n## 2024-01-10 Kick-off\nAttendees: Dana Whitfield, Priya Raman\n\n\
         The partner takes on the integration checklist, one line per system.\n\n",
    );
    for k in 0..items {
        body.push_str(&format!("- [ ] partner: system {k}\n"));
    }
    partnership(
        "Northwind Analytics",
        "contacts:\n  - { name: Dana Whitfield, side: partner, level: executive, primary: true }\n  \
         - { name: Priya Raman, side: ours, level: manager, primary: true }\n",
        &body,
    )
}

/// A change adding `added` action items to a file that had three.
fn change_adding(added: usize) -> Script {
    Script::new()
        .commit(
            "2024-01-10",
            "Northwind: kick-off",
            &[("partners/northwind.md", &with_items(3))],
        )
        .commit(
            "2024-01-12",
            "Northwind: the integration checklist",
            &[("partners/northwind.md", &with_items(3 + added))],
        )
}

fn report(script: &Script, format: &str) -> String {
    let run = rapport(
        script.path(),
        &[
            "report",
            "--base",
            "HEAD~1",
            "--format",
            format,
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    run.stdout
}

#[test]
fn two_thousand_added_items_are_listed_to_a_hundred_then_counted() {
    let script = change_adding(2_000);

    let json = report(&script, "json");
    let review: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let northwind = &review["partnerships"][0];
    let changes = northwind["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 100);
    assert_eq!(northwind["changes_omitted"], 1_900);
    // The first changes are the first items added, in file order.
    assert!(
        changes[0].to_string().contains("system 3"),
        "{}",
        changes[0]
    );
    assert!(json.len() < 60_000, "{} bytes of JSON", json.len());

    let text = report(&script, "text");
    assert!(
        text.contains("\n  and 1,900 more field changes\n"),
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.contains("system ")).count(),
        100,
        "{text}"
    );

    let markdown = report(&script, "markdown");
    assert!(
        markdown.contains("\n- and 1,900 more field changes\n"),
        "{markdown}"
    );
    assert!(markdown.len() < 30_000, "{} bytes", markdown.len());
}

#[test]
fn a_hundred_changes_are_listed_whole() {
    // The near miss: a list at the bound is not cut, and says nothing of more.
    let script = change_adding(100);
    let json = report(&script, "json");
    let review: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let northwind = &review["partnerships"][0];
    assert_eq!(northwind["changes"].as_array().map(Vec::len), Some(100));
    assert!(northwind.get("changes_omitted").is_none(), "{northwind}");
    assert!(!report(&script, "text").contains("more field changes"));
}
