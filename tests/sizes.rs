//! Sizes that blew up: tens of thousands of action items in one file (under the size cap), an
//! octopus merge of thousands of branches, and a timeline of hundreds of versions of a large
//! file. Messages and evidence lists stay bounded (the first items, then "and N more"),
//! rendering stays linear, nothing aborts, and peak memory (measured by the kernel for the one
//! process) stays bounded.

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
/// way.
fn octopus(branches: usize) -> tempfile::TempDir {
    use std::fmt::Write as _;
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
    imported(&stream)
}

/// Every command reads the octopus merge, its timeline too, each within 200 MB (under 50 MB
/// in a release build).
#[test]
fn an_octopus_merge_of_three_thousand_branches_is_read() {
    let dir = octopus(3_000);
    for args in [
        &["check", "--fail-on", "never"][..],
        &["check", "--rev", "HEAD", "--fail-on", "never"],
        &["portfolio"],
        &["report", "--base", "HEAD^2", "--fail-on", "never"],
        &["check", "--base", "HEAD~1", "--fail-on", "never"],
        &["timeline", "northwind"],
    ] {
        let (run, peak, took) = measured(dir.path(), args);
        assert_eq!(run.code, 0, "rapport {args:?}:\n{}", run.stderr);
        assert!(
            peak < 200 * MB,
            "rapport {args:?}: a peak of {} MB",
            peak / MB
        );
        // Only a hang fails this: the timeline reruns the rules at each of its 3,002 versions.
        assert!(
            took < Duration::from_secs(600),
            "rapport {args:?}: {took:?}"
        );
    }
}

/// A repository made by `git fast-import` from `stream` (thousands of commits in a second),
/// checked out at `main`.
fn imported(stream: &str) -> tempfile::TempDir {
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

/// Runs rapport in `dir` and measures the most memory it held resident, in bytes, as the
/// kernel accounted it for that one process (`wait4`), and how long it took.
fn measured(dir: &std::path::Path, args: &[&str]) -> (Run, u64, Duration) {
    let cache = tempfile::tempdir().expect("a cache folder");
    measured_with(dir, args, cache.path())
}

/// [`measured`], with the cache of parsed versions in `cache` (empty: a first run; filled by an
/// earlier run: a warm one).
#[expect(
    clippy::zombie_processes,
    reason = "the child is waited for with `wait4`, which also gives its peak memory"
)]
fn measured_with(
    dir: &std::path::Path,
    args: &[&str],
    cache: &std::path::Path,
) -> (Run, u64, Duration) {
    use std::io::Read as _;
    use std::process::Stdio;
    let started = Instant::now();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rapport"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RAPPORT_CACHE_DIR", cache)
        .env_remove("GITHUB_BASE_REF")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value; `wait4` fills it and `status` for the
    // child spawned above, which nothing else waits for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "waited for rapport");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let run = Run {
        code,
        stdout: stdout.join().expect("stdout read"),
        stderr: stderr.join().expect("stderr read"),
    };
    // Linux counts `ru_maxrss` in kibibytes.
    let peak = u64::try_from(usage.ru_maxrss).unwrap_or_default() * 1024;
    (run, peak, started.elapsed())
}

const MB: u64 = 1_000_000;

/// Northwind's file at version `k` of its history: the price changes at every version; the
/// body is the same sixty steering committees of 160 attendees each (168 KB).
fn steering(k: usize) -> String {
    use std::fmt::Write as _;
    let names: Vec<String> = (0..160).map(|p| format!("Guest Number{p:03}")).collect();
    let names = names.join(", ");
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    let mut body = String::new();
    for j in 0..60 {
        let _ = write!(
            body,
            "\n## {} Steering committee {j}\nAttendees: {names}\n\nThe steering committee met.\n",
            start + chrono::Days::new(7 * j)
        );
    }
    partnership(
        "Northwind Analytics",
        &format!(
            "terms: {{ payment_days: {}, price: {}, currency: EUR }}\n",
            30 + k % 60,
            120_000 + k
        ),
        &body,
    )
}

/// A history of `versions` daily commits of Northwind's file, each made by `file(k)`.
fn daily(versions: usize, file: impl Fn(usize) -> String) -> tempfile::TempDir {
    use std::fmt::Write as _;
    let mut stream = String::new();
    for k in 0..versions {
        let text = file(k);
        let _ = write!(
            stream,
            "commit refs/heads/main\ncommitter Priya Raman <priya@example.com> {} +0000\n\
             data 5\nv{k:04}\nM 100644 inline partners/northwind.md\ndata {}\n{text}\n",
            1_704_067_200 + 86_400 * k,
            text.len()
        );
    }
    imported(&stream)
}

#[test]
fn the_versions_of_a_timeline_share_their_meetings() {
    // Every version holds the same sixty meetings: memory used to grow with a copy of them per
    // version (195 MB for these 400 versions), and now holds them once.
    // The same holds when the versions come from the cache a first run left (a warm run).
    let dir = daily(400, steering);
    let cache = tempfile::tempdir().expect("a cache folder");
    let mut outputs = Vec::new();
    for run_is in ["first", "warm"] {
        let (run, peak, _) = measured_with(dir.path(), &["timeline", "northwind"], cache.path());
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout
                .contains("400 versions from 2024-01-01 to 2025-02-03"),
            "{}",
            &run.stdout[..run.stdout.len().min(500)]
        );
        assert!(peak < 100 * MB, "{run_is} run: a peak of {} MB", peak / MB);
        outputs.push(run.stdout);
    }
    assert_eq!(
        outputs[0], outputs[1],
        "the warm run says what the first said"
    );
}

/// Northwind's file on day `k` of a team that writes a meeting every day: the hours spent and
/// the pipeline move with each version, each meeting (in English or Chinese) leaves an action
/// item for one side, every third day checks the one before, and the file keeps the last
/// `window` meetings (about 18 KB), as a team archives older notes.
fn daily_notes(k: usize, window: usize) -> String {
    use std::fmt::Write as _;
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    let mut body = String::new();
    for j in k.saturating_sub(window - 1)..=k {
        let day = start + chrono::Days::new(j as u64);
        let (owner, done) = (
            if j % 2 == 0 { "partner" } else { "ours" },
            if j < k && j % 3 == 2 { "x" } else { " " },
        );
        if j % 4 == 3 {
            let _ = write!(
                body,
                "\n## {day} 周会\n参会：Dana Whitfield、王伟、Priya Raman\n\n\
                 双方回顾了试点医院的集成进度，客户对报表延迟表示关注。下周之前确认培训计划和上线日期。\n\n\
                 - [{done}] {owner}: 提交第 {j} 周的集成计划\n"
            );
        } else {
            let _ = write!(
                body,
                "\n## {day} Weekly sync\nAttendees: Dana Whitfield, Omar Haddad, Priya Raman\n\n\
                 We went through the pilot hospitals' integration status and the reporting delays \
                 the customer raised. Training dates and the go-live plan follow next week; the \
                 pipeline review moves to the quarterly meeting.\n\n\
                 - [{done}] {owner}: send the integration plan for week {j}\n"
            );
        }
    }
    partnership(
        "Northwind Analytics",
        &format!(
            "contacts:\n  - {{ name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }}\n  \
             - {{ name: Omar Haddad, side: partner, role: Partner Manager, level: manager }}\n  \
             - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}\n\
             terms: {{ payment_days: {}, price: 120000, currency: EUR }}\n\
             effort: {{ hours_per_month: {} }}\n\
             kpis:\n  - {{ id: sourced-pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: {} }}\n",
            30 + (k / 500) * 15,
            20 + k % 80,
            1_000 * k
        ),
        &body,
    )
}

#[test]
fn a_timeline_of_two_thousand_versions_stays_small() {
    // Every version used to follow the action items of all the versions before it again, and
    // the versions' findings were all kept to the end: 2,000 versions of this 18 KB file took a
    // minute and peaked at 117 MB in a release build. Items are followed once for all versions,
    // and a version's findings are kept only until the versions after it are compared with them.
    let dir = daily(2_000, |k| daily_notes(k, 25));
    let (run, peak, _) = measured(dir.path(), &["timeline", "northwind"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("2000 versions from 2024-01-01 to 2029-06-22"),
        "{}",
        &run.stdout[..run.stdout.len().min(500)]
    );
    assert!(peak < 100 * MB, "a peak of {} MB", peak / MB);
}
