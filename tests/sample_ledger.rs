//! The bundled sample ledger: every file and every scripted version is valid, and its history
//! replays into a git repository whose head matches the files under `partners/`.

mod common;

use std::path::Path;

use common::Test;
use rapport::ledger::Ladder;
use rapport::ledger::parse::parse_partnership;
use rapport::sample;

fn sample_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/sample-ledger"))
}

#[test]
fn every_sample_file_is_valid() {
    // The sample carries error-level signs by design, so only `--fail-on never` exits 0.
    // The working tree's "now" is fixed at the sample's last day.
    Test::in_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "sample-ledger",
            "--fail-on",
            "never",
            "--as-of",
            "2025-06-30",
        ])
        .snapshot("every_sample_file_is_valid")
        .run();
}

#[test]
fn every_scripted_version_is_valid() {
    let script = sample::script(&sample::Folder(sample_dir())).expect("history.yaml");
    let mut versions = 0;
    for commit in &script.commits {
        for (path, from) in &commit.write {
            if !path.ends_with(".md") {
                continue;
            }
            let bytes = std::fs::read(sample_dir().join(from)).expect("scripted file exists");
            if let Err(diagnostics) = parse_partnership(from, &bytes, &Ladder::default()) {
                panic!(
                    "{from} (written to {path} by \"{}\") is invalid: {diagnostics:#?}",
                    commit.message
                );
            }
            versions += 1;
        }
    }
    assert!(
        versions >= 30,
        "a sample history worth the name: {versions} versions"
    );
}

#[test]
fn the_history_replays_into_a_repository() {
    let script = sample::script(&sample::Folder(sample_dir())).expect("history.yaml");
    let dir = tempfile::TempDir::new().expect("temp dir");
    sample::replay(&sample::Folder(sample_dir()), &script, dir.path()).expect("replay");
    let repo = git2::Repository::open(dir.path()).expect("the replayed repository");
    let mut walk = repo.revwalk().expect("revwalk");
    walk.push_head().expect("head");
    assert_eq!(walk.count(), script.commits.len());
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    assert_eq!(
        head.time().seconds(),
        chrono::DateTime::parse_from_rfc3339(&script.commits.last().expect("commits").date)
            .expect("date")
            .timestamp()
    );
    // The head's partnership files are exactly the files under sample-ledger/partners.
    let tree = head.tree().expect("tree");
    let mut in_repo = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) && root.starts_with("partners/") {
            in_repo.push(format!("{root}{}", entry.name().unwrap_or("")));
        }
        git2::TreeWalkResult::Ok
    })
    .expect("walk");
    let mut on_disk = Vec::new();
    for entry in walk_files(&sample_dir().join("partners")) {
        let relative = entry
            .strip_prefix(sample_dir())
            .expect("inside")
            .to_string_lossy()
            .replace('\\', "/");
        let blob = tree
            .get_path(Path::new(&relative))
            .expect("in head")
            .to_object(&repo)
            .expect("object")
            .peel_to_blob()
            .expect("blob");
        assert_eq!(
            blob.content(),
            std::fs::read(&entry).expect("read"),
            "{relative} differs from its last scripted version"
        );
        on_disk.push(relative);
    }
    in_repo.sort();
    on_disk.sort();
    assert_eq!(in_repo, on_disk);
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk_files(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Replays the sample into `dir` and returns the rules found per partnership at its head.
fn findings_at_head(dir: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let script = sample::script(&sample::Folder(sample_dir())).expect("history.yaml");
    sample::replay(&sample::Folder(sample_dir()), &script, dir).expect("replay");
    // Read rule by rule below, against expected.yaml.
    let output = Test::in_dir(dir)
        .args([
            "check",
            "--rev",
            "HEAD",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .any_stdout()
        .run();
    let json: serde_json::Value = serde_json::from_str(&output.stdout).expect("json");
    let mut found: std::collections::BTreeMap<String, Vec<String>> =
        std::collections::BTreeMap::new();
    for finding in json["findings"].as_array().expect("findings") {
        let id = finding["partnership"]
            .as_str()
            .expect("partnership id")
            .to_string();
        let rule = finding["rule"].as_str().expect("rule").to_string();
        let rules = found.entry(id).or_default();
        // Not an assertion: each rule once per partnership.
        if !rules.contains(&rule) {
            rules.push(rule);
        }
    }
    found
}

#[test]
fn each_sample_partnership_shows_exactly_the_signs_it_was_written_for() {
    let expected_text =
        std::fs::read_to_string(sample_dir().join("expected.yaml")).expect("expected.yaml");
    let expected: std::collections::BTreeMap<String, Vec<String>> =
        serde_saphyr::from_str(&expected_text).expect("expected.yaml parses");
    let dir = tempfile::TempDir::new().expect("temp dir");
    let found = findings_at_head(dir.path());
    for (id, rules) in &expected {
        let mut want = rules.clone();
        want.sort();
        let mut got = found.get(id).cloned().unwrap_or_default();
        got.sort();
        assert_eq!(got, want, "partnership {id}");
    }
    for id in found.keys() {
        // A map's key lookup, not a search in text.
        assert!(
            expected.contains_key(id),
            "{id} has findings but no entry in expected.yaml"
        );
    }
}

#[test]
fn the_portfolio_ranks_the_troubled_partnerships_above_the_healthy_ones() {
    let expected_text =
        std::fs::read_to_string(sample_dir().join("expected.yaml")).expect("expected.yaml");
    let expected: std::collections::BTreeMap<String, Vec<String>> =
        serde_saphyr::from_str(&expected_text).expect("expected.yaml parses");
    let dir = tempfile::TempDir::new().expect("temp dir");
    let script = sample::script(&sample::Folder(sample_dir())).expect("history.yaml");
    sample::replay(&sample::Folder(sample_dir()), &script, dir.path()).expect("replay");
    // Read partnership by partnership below, against expected.yaml.
    let output = Test::in_dir(dir.path())
        .args(["portfolio", "--rev", "HEAD", "--format", "json"])
        .any_stdout()
        .run();
    let json: serde_json::Value = serde_json::from_str(&output.stdout).expect("json");
    let ranked: Vec<(&str, &str)> = json["partnerships"]
        .as_array()
        .expect("partnerships")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("id"),
                p["band"].as_str().expect("band"),
            )
        })
        .collect();
    assert_eq!(ranked.len(), expected.len());
    // Every partnership written with signs comes before every one written healthy, and only
    // the healthy ones are `healthy`.
    let troubled = |id: &str| expected.get(id).is_some_and(|rules| !rules.is_empty());
    let first_healthy = ranked
        .iter()
        .position(|(id, _)| !troubled(id))
        .expect("a healthy partnership");
    assert!(
        ranked[first_healthy..].iter().all(|(id, _)| !troubled(id)),
        "{ranked:?}"
    );
    for (id, band) in &ranked {
        assert_eq!(*band == "healthy", !troubled(id), "{id} is {band}");
    }
    assert_eq!(ranked[0].1, "at-risk");
}

/// `PATH` as a user who installed rapport has it: a folder holding a `rapport` first, then the
/// rest (git is still found).
fn path_with_rapport(folder: &Path) -> std::ffi::OsString {
    std::fs::write(folder.join("rapport"), "#!/bin/sh\n").expect("a stand-in rapport");
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(folder.to_path_buf()).chain(std::env::split_paths(&rest)))
        .expect("a PATH")
}

/// `PATH` without any folder holding a `rapport`, as after `cargo run` on a fresh machine.
fn path_without_rapport() -> std::ffi::OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::env::split_paths(&rest).filter(|dir| !dir.join("rapport").is_file()))
        .expect("a PATH")
}

#[test]
fn demo_replays_the_sample_and_reports_on_it() {
    let installed = tempfile::TempDir::new().expect("temp dir");
    // The pull-request report first, with every status a change can give a finding, then the
    // whole ledger, the portfolio and the commands to explore a kept copy.
    Test::in_dir(installed.path())
        .arg("demo")
        .env("PATH", path_with_rapport(installed.path()))
        .snapshot("demo_replays_the_sample_and_reports_on_it")
        .run();
}

#[test]
fn demo_keeps_its_repository_on_request() {
    let parent = tempfile::TempDir::new().expect("temp dir");
    let dir = parent.path().join("sample");
    let dir_text = dir.to_string_lossy().to_string();
    let installed = tempfile::TempDir::new().expect("temp dir");
    let demo = Test::in_dir(parent.path())
        .args(["demo", "--keep", &dir_text])
        .env("PATH", path_with_rapport(installed.path()))
        .snapshot("demo_keeps_its_repository_on_request")
        .run();
    // The first command it prints reproduces the pull-request report it showed.
    let command = demo
        .stdout
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("rapport report "))
        .and_then(|l| l.split(" #").next())
        .expect("the report command")
        .replace("[ROOT]", &parent.path().to_string_lossy());
    let words: Vec<&str> = command.split_whitespace().skip(1).collect();
    let report = Test::in_dir(parent.path()).args(&words).any_stdout().run();
    let (_, shown) = demo
        .stdout
        .split_once(&report.stdout)
        .unwrap_or_else(|| panic!("{command} shows what the demo showed:\n{}", report.stdout));
    assert!(shown.starts_with('\n'), "{shown}");
    // Findings over time: acknowledged with the net-45 deal, back when the acknowledgement ran out.
    Test::in_dir(parent.path())
        .args(["timeline", "kestrel", "--path", &dir_text])
        .snapshot("the_kept_demo_tells_kestrels_story")
        .run();
    // A second demo into the same, now non-empty, folder is refused.
    Test::in_dir(parent.path())
        .args(["demo", "--keep", &dir_text])
        .status(2)
        .stderr("error: [ROOT]/sample already exists and is not empty; name a new folder for the sample repository
")
        .run();
}

#[test]
fn redacted_fields_are_masked_in_findings() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    findings_at_head(dir.path());
    let config = dir.path().join("rapport.yaml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str("redact: [terms.price]\n");
    std::fs::write(&config, text).expect("write config");
    for format in ["text", "json"] {
        let run = Test::in_dir(dir.path())
            .args([
                "check",
                "--as-of",
                "2025-06-30",
                "--fail-on",
                "never",
                "--format",
                format,
            ])
            .snapshot(&format!("redacted_fields_are_masked_in_findings_{format}"))
            .run();
        // Beside the snapshot, so that accepting a changed one cannot let the prices back in.
        for price in ["180,000", "96,000", "180000", "96000"] {
            assert!(!run.stdout.contains(price), "{price}: {}", run.stdout);
        }
    }
}

/// After `cargo run --release -- demo` on a machine where rapport is not installed, the
/// commands the demo closes with run through cargo, not a `rapport` the shell cannot find.
#[test]
fn demo_run_from_a_build_names_commands_that_run_from_the_build() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    Test::in_dir(dir.path())
        .arg("demo")
        .env("PATH", path_without_rapport())
        .snapshot("demo_run_from_a_build_names_commands_that_run_from_the_build")
        .run();
}
