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
        // Not an assertion: the line of the finding in a long report.
        .find(|l| l.contains("partner-unresponsive"))
        .expect("the finding");
    assert!(
        // A 50,000-item finding: its head is pinned, the rest is bounded below.
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
    // A report bounded in size: the count that replaces the rest.
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
        // Not an assertion: the line of the finding in a long report.
        .find(|l| l.contains("partner-unresponsive"))
        .expect("the finding");
    assert!(
        // A finding over ten items: one item's wording, and no count of more.
        line.contains("\"9\" (open since 2024-01-12, 141 days)"),
        "{line}"
    );
    assert!(!line.contains("more"), "{line}");
}

/// An octopus merge of `branches` branches, each of which stretched Northwind's terms its own
/// way, made with `git fast-import` (thousands of commits in a second).
fn octopus(branches: usize) -> tempfile::TempDir {
    use std::fmt::Write as _;
    use std::io::Write as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("git runs")
    };
    assert!(
        git(&["init", "-q", "-b", "main"])
            .wait()
            .expect("git")
            .success()
    );
    let file = |days: usize| {
        partnership(
            "Northwind Analytics",
            &format!("terms: {{ payment_days: {days}, price: 120000, currency: EUR }}\n"),
            "",
        )
    };
    let blob = |text: String| format!("data {}\n{text}\n", text.len());
    let start = 1_704_067_200;
    let mut stream = format!(
        "commit refs/heads/main\nmark :1\ncommitter Priya Raman <priya@example.com> {start} +0000\n\
         data 5\nstart\nM 100644 inline partners/northwind.md\n{}",
        blob(file(30))
    );
    for k in 0..branches {
        let _ = write!(
            stream,
            "commit refs/heads/b{k}\nmark :{}\ncommitter Omar Haddad <omar@example.com> {} +0000\n\
             data 6\nterms\nfrom :1\nM 100644 inline partners/northwind.md\n{}",
            k + 2,
            start + 60 * (k + 1),
            blob(file(31 + k % 60))
        );
    }
    let _ = write!(
        stream,
        "commit refs/heads/main\ncommitter Priya Raman <priya@example.com> {} +0000\ndata 7\n\
         octopus\nfrom :1\n",
        start + 86_400 * 90
    );
    for k in 0..branches {
        let _ = writeln!(stream, "merge :{}", k + 2);
    }
    let _ = write!(
        stream,
        "M 100644 inline partners/northwind.md\n{}",
        blob(file(90))
    );
    let mut import = git(&["fast-import", "--quiet"]);
    import
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream.as_bytes())
        .expect("the stream");
    assert!(import.wait().expect("fast-import").success());
    assert!(
        git(&["reset", "-q", "--hard", "main"])
            .wait()
            .expect("git")
            .success()
    );
    dir
}

#[test]
fn an_octopus_merge_of_three_thousand_branches_is_read() {
    let dir = octopus(3_000);
    for args in [
        &["check", "--fail-on", "never"][..],
        &["check", "--rev", "HEAD", "--fail-on", "never"],
        &["portfolio"],
        &["report", "--base", "HEAD^2", "--fail-on", "never"],
        &["check", "--base", "HEAD~1", "--fail-on", "never"],
    ] {
        let out = assert_cmd::Command::cargo_bin("rapport")
            .expect("built")
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_BASE_REF")
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs");
        let run = Run::from(out);
        assert_eq!(run.code, 0, "rapport {args:?}:\n{}", run.stderr);
    }
}
