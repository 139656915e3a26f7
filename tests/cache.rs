//! The cache of parsed versions kept between runs: output byte for byte the same with and
//! without it, cold and warm, and smaller than the versions it holds; a damaged segment ignored
//! and what it lost written again; a cache directory
//! inside the repository refused; `--no-cache` writing nothing; two runs at once both right.

#![cfg(unix)]

#[allow(dead_code)]
#[path = "../examples/synth_ledger.rs"]
mod synth;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A generated history: 30 partnerships over 300 commits, checked out.
fn ledger(dir: &Path) -> PathBuf {
    let repo = dir.join("ledger");
    synth::generate(&repo, 30, 300).expect("the ledger is generated");
    let status = Command::new("git")
        .args(["checkout", "-q", "-f", "main"])
        .current_dir(&repo)
        .status()
        .expect("git runs");
    assert!(status.success());
    repo
}

fn command(repo: &Path, cache: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rapport"));
    command
        .args(args)
        .current_dir(repo)
        .env("NO_COLOR", "1")
        .env("RAPPORT_CACHE_DIR", cache)
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_BASE_REF")
        .env_remove("CI_MERGE_REQUEST_DIFF_BASE_SHA")
        .env_remove("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
        .env_remove("GITHUB_STEP_SUMMARY");
    command
}

/// Exit code, standard output and standard error of `rapport ARGS` with the cache at `cache`.
fn run(repo: &Path, cache: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = command(repo, cache, args).output().expect("rapport runs");
    shown(output)
}

fn shown(output: Output) -> (Option<i32>, String, String) {
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every file under `dir`, with its bytes.
fn entries(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                found.push((path, bytes));
            }
        }
    }
    found.sort();
    found
}

/// The partnership file changed in the most commits, relative to the repository.
fn busiest(repo: &Path) -> String {
    let output = Command::new("git")
        .args(["log", "--format=", "--name-only", "--", "partners/"])
        .current_dir(repo)
        .output()
        .expect("git runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for line in text.lines().filter(|l| !l.is_empty()) {
        *counts.entry(line.to_string()).or_default() += 1;
    }
    let busiest = counts
        .into_iter()
        .max_by_key(|(path, n)| (*n, std::cmp::Reverse(path.clone())))
        .map(|(path, _)| path);
    // The file as it stands at the tip (it may have moved under archive/ since).
    let stem = busiest
        .as_deref()
        .and_then(|p| p.rsplit('/').next())
        .unwrap_or_default()
        .to_string();
    let tip = Command::new("git")
        .args(["ls-files", "partners/"])
        .current_dir(repo)
        .output()
        .expect("git runs");
    String::from_utf8_lossy(&tip.stdout)
        .lines()
        .find(|l| l.ends_with(&format!("/{stem}")))
        .expect("the busiest partnership is at the tip")
        .to_string()
}

#[test]
fn output_is_the_same_with_and_without_the_cache_cold_and_warm() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let repo = ledger(dir.path());
    let file = busiest(&repo);
    let id = file
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".md"))
        .unwrap_or_default()
        .to_string();
    let cache = dir.path().join("cache");
    let commands: Vec<Vec<&str>> = vec![
        vec!["check", "--rev", "HEAD"],
        vec!["check", "--rev", "HEAD", "--format", "json"],
        vec!["check", "--fail-on", "never", &file],
        vec!["check", "--fail-on", "never", "--format", "json", &file],
        vec!["portfolio", "--rev", "HEAD", "--format", "json"],
        vec!["timeline", &id],
        vec![
            "digest", "--since", "2w", "--until", "HEAD", "--format", "json",
        ],
    ];
    for args in &commands {
        let mut without = args.clone();
        without.insert(0, "--no-cache");
        let fresh = run(&repo, &cache, &without);
        assert!(
            fresh.1.len() > 100,
            "rapport {args:?} says something: {fresh:?}"
        );
        let cold = run(&repo, &cache, args);
        let stored = entries(&cache).len();
        let warm = run(&repo, &cache, args);
        assert_eq!(cold, fresh, "rapport {args:?}, cold cache");
        assert_eq!(warm, fresh, "rapport {args:?}, warm cache");
        assert!(stored > 0, "rapport {args:?} keeps parsed versions");
        assert_eq!(
            entries(&cache).len(),
            stored,
            "rapport {args:?}: a warm run parses nothing new"
        );
    }
    // Each meeting's text is kept once, not once per version that repeats it: the cache, with
    // the texts of the files at each revision read (compressed), is under two thirds of the
    // versions it holds (kept once per version, it would be well over them).
    let versions = Command::new("git")
        .args([
            "log",
            "--format=",
            "--raw",
            "--no-abbrev",
            "--",
            "partners/",
        ])
        .current_dir(&repo)
        .output()
        .expect("git runs");
    let blobs: std::collections::BTreeSet<String> = String::from_utf8_lossy(&versions.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(3).map(str::to_string))
        .filter(|b| !b.starts_with("0000000"))
        .collect();
    let mut sizes = Command::new("git")
        .args(["cat-file", "--batch-check=%(objectsize)"])
        .current_dir(&repo)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    {
        use std::io::Write;
        let mut input = sizes.stdin.take().expect("git's input");
        for blob in &blobs {
            writeln!(input, "{blob}").expect("git reads");
        }
    }
    let sizes = sizes.wait_with_output().expect("git ends");
    let versions_bytes: u64 = String::from_utf8_lossy(&sizes.stdout)
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .sum();
    let cache_bytes: u64 = entries(&cache).iter().map(|(_, b)| b.len() as u64).sum();
    assert!(blobs.len() > 300, "{} versions", blobs.len());
    assert!(
        cache_bytes * 3 < versions_bytes * 2,
        "the cache ({cache_bytes} bytes) is under two thirds of the versions it holds ({versions_bytes} bytes)"
    );
}

#[test]
fn a_damaged_segment_is_ignored_and_written_again() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let repo = ledger(dir.path());
    let args = ["check", "--rev", "HEAD", "--format", "json"];
    let fresh = run(&repo, &dir.path().join("none"), &{
        let mut without = vec!["--no-cache"];
        without.extend_from_slice(&args);
        without
    });
    type Damage = fn(&[u8]) -> Vec<u8>;
    let damages: [(&str, Damage); 4] = [
        ("truncated", |b| b[..b.len() / 2].to_vec()),
        ("garbage", |_| b"\x00\xffnot a segment".to_vec()),
        // Still readable, but not what was written: every open action item closed.
        ("altered", |b| {
            let from: &[u8] = b"\"done\":false";
            let to: &[u8] = b"\"done\":true ";
            let mut b = b.to_vec();
            let mut at = 0;
            while let Some(found) = b[at..].windows(from.len()).position(|w| w == from) {
                b[at + found..at + found + to.len()].copy_from_slice(to);
                at += found + to.len();
            }
            b
        }),
        ("another build's", |b| {
            let mut b = b.to_vec();
            b[20] ^= 0x01;
            b
        }),
    ];
    for (what, damage) in damages {
        let cache = dir.path().join(what.replace(' ', "-"));
        assert_eq!(run(&repo, &cache, &args), fresh, "{what}: cold");
        let kept = entries(&cache);
        assert_eq!(kept.len(), 1, "{what}: one segment per run");
        for (path, bytes) in &kept {
            std::fs::write(path, damage(bytes)).expect("the segment is overwritten");
        }
        assert_eq!(run(&repo, &cache, &args), fresh, "{what}: damaged");
        let rewritten = entries(&cache);
        assert_eq!(rewritten.len(), 2, "{what}: what was lost is written again");
        assert_eq!(run(&repo, &cache, &args), fresh, "{what}: warm");
        assert_eq!(entries(&cache), rewritten, "{what}: nothing is missing now");
    }
}

#[test]
fn a_cache_directory_inside_the_repository_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let repo = ledger(dir.path());
    let outside = dir.path().join("cache");
    let args = ["check", "--rev", "HEAD", "--format", "json"];
    let fresh = run(
        &repo,
        &outside,
        &["--no-cache", "check", "--rev", "HEAD", "--format", "json"],
    );
    for inside in [
        repo.join(".rapport-cache"),
        repo.join(".git").join("rapport"),
    ] {
        let (code, stdout, stderr) = run(&repo, &inside, &args);
        assert_eq!((code, &stdout), (fresh.0, &fresh.1));
        assert_eq!(
            stderr.matches("warning: the cache directory").count(),
            1,
            "one warning: {stderr}"
        );
        assert!(stderr.contains("inside the repository"), "{stderr}");
        assert!(
            !inside.exists(),
            "nothing is written at {}",
            inside.display()
        );
    }
    // A relative path from inside the repository is inside too.
    let (_, stdout, stderr) = run(&repo, Path::new("partners/../cache"), &args);
    assert_eq!(stdout, fresh.1);
    assert!(stderr.contains("inside the repository"), "{stderr}");
    assert!(!repo.join("cache").exists());
}

#[test]
fn no_cache_writes_nothing() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let repo = ledger(dir.path());
    let cache = dir.path().join("cache");
    let file = busiest(&repo);
    run(&repo, &cache, &["--no-cache", "check", "--rev", "HEAD"]);
    run(&repo, &cache, &["check", "--no-cache", &file]);
    run(&repo, &cache, &["portfolio", "--rev", "HEAD", "--no-cache"]);
    assert!(!cache.exists(), "--no-cache creates no cache directory");
    // Without the flag, the same runs write.
    run(&repo, &cache, &["check", "--rev", "HEAD"]);
    assert!(!entries(&cache).is_empty());
}

#[test]
fn two_runs_at_once_are_both_right() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let repo = ledger(dir.path());
    let cache = dir.path().join("cache");
    let args = ["check", "--rev", "HEAD", "--format", "json"];
    let mut without = vec!["--no-cache"];
    without.extend_from_slice(&args);
    let fresh = run(&repo, &cache, &without);
    for _ in 0..2 {
        let first = command(&repo, &cache, &args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("rapport starts");
        let second = command(&repo, &cache, &args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("rapport starts");
        let first = shown(first.wait_with_output().expect("rapport ends"));
        let second = shown(second.wait_with_output().expect("rapport ends"));
        assert_eq!(first, fresh);
        assert_eq!(second, fresh);
    }
    // No temporary file is left behind.
    assert!(
        entries(&cache)
            .iter()
            .all(|(path, _)| !path.to_string_lossy().contains(".segment-")),
        "only whole entries remain"
    );
}

/// Commits everything in the work tree with a fixed author and date.
fn commit_all(repo: &Path, message: &str) {
    for args in [vec!["add", "-A"], vec!["commit", "-q", "-m", message]] {
        let status = Command::new("git")
            .args(&args)
            .current_dir(repo)
            .env("GIT_AUTHOR_NAME", "Mei Lin")
            .env("GIT_AUTHOR_EMAIL", "mei@example.com")
            .env("GIT_COMMITTER_NAME", "Mei Lin")
            .env("GIT_COMMITTER_EMAIL", "mei@example.com")
            .env("GIT_AUTHOR_DATE", "2020-01-21T10:00:00+08:00")
            .env("GIT_COMMITTER_DATE", "2020-01-21T10:00:00+08:00")
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    }
}

/// What a commit changed is kept between runs under the folders it was read for: a
/// configuration that narrows `paths:` reads the same commits again for the folders it names,
/// and a repository given grafts (which change a commit's parents, not its id) is read as it
/// now stands, not as the cache remembers it.
#[test]
fn commit_facts_kept_between_runs_follow_the_folders_and_the_parents() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let repo = ledger(dir.path());
    let cache = dir.path().join("cache");
    let args = [
        "check",
        "--rev",
        "HEAD",
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    let mut without = vec!["--no-cache"];
    without.extend_from_slice(&args);
    let whole = run(&repo, &cache, &args);
    assert!(
        whole == run(&repo, &cache, &without),
        "the whole ledger, warm"
    );
    let region = std::fs::read_dir(repo.join("partners"))
        .expect("the partners folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .min()
        .expect("a region folder");
    std::fs::write(
        repo.join("rapport.yaml"),
        format!("rapport: 1\npaths: [partners/{region}]\n"),
    )
    .expect("the configuration is written");
    commit_all(&repo, "Read one region only");
    let narrowed = run(&repo, &cache, &without);
    assert_ne!(narrowed.1, whole.1, "the narrower folders read fewer files");
    assert!(run(&repo, &cache, &args) == narrowed, "one region, warm");

    // Grafts: the tip's parent becomes a root commit, so the history rapport reads is cut
    // there, whatever an earlier run kept about that commit's parents.
    let parent = Command::new("git")
        .args(["rev-parse", "HEAD~1"])
        .current_dir(&repo)
        .output()
        .expect("git runs");
    let parent = String::from_utf8_lossy(&parent.stdout).trim().to_string();
    std::fs::create_dir_all(repo.join(".git/info")).expect("the info folder");
    std::fs::write(repo.join(".git/info/grafts"), format!("{parent}\n"))
        .expect("the grafts are written");
    let grafted = run(&repo, &cache, &without);
    assert_ne!(grafted.1, narrowed.1, "the grafted history is shorter");
    assert!(run(&repo, &cache, &args) == grafted, "grafted, warm");
}

/// A second run at the same revision reads no blob it read before: the parsed versions, and the
/// text of each file as it stands at the revision (which findings quote), come from the cache.
/// Shown by taking every blob out of the repository after the first run: the second run gives
/// the same report, where reading one blob would fail.
#[test]
fn a_second_check_reads_no_blob() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let repo = ledger(dir.path());
    let cache = dir.path().join("cache");
    let args = ["check", "--rev", "HEAD", "--fail-on", "never"];
    let first = run(&repo, &cache, &args);
    assert_eq!(first.0, Some(0), "{}", first.2);
    let git = |args: &[&str], input: &[u8]| {
        use std::io::Write;
        let mut child = Command::new("git")
            .args(args)
            .current_dir(&repo)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("git runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("written");
        let out = child.wait_with_output().expect("git ends");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // Every object but the blobs, packed anew; the old packs and loose objects removed.
    let listed = git(
        &[
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objectname) %(objecttype)",
        ],
        b"",
    );
    let kept: String = listed
        .lines()
        .filter(|l| !l.ends_with(" blob"))
        .map(|l| format!("{}\n", &l[..40]))
        .collect();
    assert!(listed.lines().any(|l| l.ends_with(" blob")));
    let packs = repo.join(".git/objects/pack");
    let old: Vec<PathBuf> = std::fs::read_dir(&packs)
        .expect("the pack folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    git(
        &["pack-objects", "-q", ".git/objects/pack/pack"],
        kept.as_bytes(),
    );
    let moved = repo.join(".git/objects/pack");
    for path in old {
        std::fs::remove_file(&path).expect("an old pack is removed");
    }
    for entry in std::fs::read_dir(repo.join(".git/objects"))
        .expect("the objects folder")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.len() == 2 {
            std::fs::remove_dir_all(entry.path()).expect("loose objects are removed");
        }
    }
    assert!(std::fs::read_dir(&moved).expect("packs").count() > 0);
    let without_blobs = run(&repo, &dir.path().join("cold"), &args);
    assert_ne!(without_blobs.0, Some(0), "a cold run needs the blobs");
    assert!(
        run(&repo, &cache, &args) == first,
        "the second run reads no blob"
    );
}
