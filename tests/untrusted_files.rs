//! Ledger files written by anyone with commit access, read unattended in CI: only regular files
//! inside the repository are read. A link (to a file outside, to a device, to a folder), a named
//! pipe or a submodule where a partnership file, a ledger folder or `rapport.yaml` belongs is
//! refused with a diagnostic and never followed or opened; sizes are counted while reading; and
//! whatever a file holds, what rapport prints stays bounded.

// Links and named pipes are made the Unix way.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::{Run, Script, partnership};
use git2::{IndexEntry, IndexTime, Oid, Signature};
use tempfile::TempDir;

/// What a file outside the repository holds; it must never reach the output.
const SECRET: &str = "TOP-SECRET-7f3a9c outside the repository";

const VALID: &str = "---
rapport: 1
partner: Northwind Analytics
status: active
owner: Priya Raman
---
# Northwind
";

impl Run {
    fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    fn never_shows(&self, text: &str) -> &Run {
        assert!(
            // Output of a hostile file, sometimes with timings: what must never show.
            !self.output().contains(text),
            "{text:?} reached the output:\n{}",
            self.output()
        );
        self
    }

    fn shows(&self, text: &str) -> &Run {
        assert!(
            // Output of a hostile file, sometimes with timings: the one line that must show.
            self.output().contains(text),
            "expected {text:?} in:\n{}",
            self.output()
        );
        self
    }

    fn exits(&self, code: i32) -> &Run {
        assert_eq!(code, self.code, "{}", self.output());
        self
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("rapport")
        .expect("the binary is built")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    Run::from(output)
}

/// Runs rapport and fails the test if it has not finished within `limit` (killing it): for
/// inputs that would make a careless reader wait or read forever. Output goes to files, so a
/// large output cannot block the process on a full pipe.
fn run_within(limit: Duration, dir: &Path, args: &[&str]) -> Run {
    let out = tempfile::tempfile().expect("a file for stdout");
    let err = tempfile::tempfile().expect("a file for stderr");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("clone"))
        .stderr(err.try_clone().expect("clone"))
        .spawn()
        .expect("rapport starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rapport {args:?} was still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |mut file: std::fs::File| {
        use std::io::{Read, Seek};
        let mut text = String::new();
        file.seek(std::io::SeekFrom::Start(0)).expect("seek");
        file.read_to_string(&mut text).expect("read");
        text
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: read(out),
        stderr: read(err),
    }
}

const PATIENCE: Duration = Duration::from_secs(30);

/// A ledger folder (not a repository) with a valid partnership, and a folder beside it, outside
/// the ledger, holding a secret.
struct Ledger {
    root: TempDir,
    outside: TempDir,
}

impl Ledger {
    fn new() -> Ledger {
        let ledger = Ledger {
            root: TempDir::new().expect("temp dir"),
            outside: TempDir::new().expect("temp dir"),
        };
        ledger.write("partners/northwind.md", VALID);
        std::fs::write(ledger.secret(), format!("{SECRET}\n")).expect("write");
        std::fs::write(
            ledger.outside.path().join("secret.md"),
            partnership(SECRET, "", ""),
        )
        .expect("write");
        ledger
    }

    fn path(&self) -> &Path {
        self.root.path()
    }

    fn secret(&self) -> PathBuf {
        self.outside.path().join("secret.txt")
    }

    fn write(&self, path: &str, text: impl AsRef<[u8]>) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }

    fn link(&self, path: &str, target: &Path) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
        std::os::unix::fs::symlink(target, full).expect("symlink");
    }
}

#[test]
fn a_partnership_file_linked_outside_the_repository_is_refused_unread() {
    let ledger = Ledger::new();
    ledger.link("partners/evil.md", &ledger.secret());
    let run = run_within(PATIENCE, ledger.path(), &["check"]);
    run.exits(2)
        .shows("partners/evil.md: error[symlink]: this file is a symbolic link; rapport reads only regular files inside the repository and never follows a link")
        .shows("= help: replace the link with the file itself")
        .shows("1 problem in 1 of 2 files")
        .never_shows(SECRET)
        .never_shows("no-front-matter");
    // Named on the command line (without a rapport.yaml, its folder is the ledger), the link
    // is refused the same way.
    run_within(PATIENCE, ledger.path(), &["check", "partners/evil.md"])
        .exits(2)
        .shows("evil.md: error[symlink]")
        .never_shows(SECRET);
    ledger.write("rapport.yaml", "rapport: 1\n");
    run_within(PATIENCE, ledger.path(), &["check", "partners/evil.md"])
        .exits(2)
        .shows("partners/evil.md: error[symlink]")
        .never_shows(SECRET);
}

#[test]
fn a_partnership_file_linked_to_dev_zero_is_refused_at_once() {
    let ledger = Ledger::new();
    ledger.link("partners/zero.md", Path::new("/dev/zero"));
    run_within(PATIENCE, ledger.path(), &["check"])
        .exits(2)
        .shows("partners/zero.md: error[symlink]")
        .never_shows("file-too-large");
    run_within(PATIENCE, ledger.path(), &["check", "partners/zero.md"])
        .exits(2)
        .shows("zero.md: error[symlink]");
}

#[test]
fn a_named_pipe_named_like_a_partnership_is_refused_without_opening_it() {
    let ledger = Ledger::new();
    std::fs::create_dir_all(ledger.path().join("partners")).expect("mkdir");
    let made = std::process::Command::new("mkfifo")
        .arg(ledger.path().join("partners/pipe.md"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available here");
        return;
    }
    // Opening the pipe to read it would wait for a writer that never comes.
    run_within(PATIENCE, ledger.path(), &["check"])
        .exits(2)
        .shows(
            "partners/pipe.md: error[not-a-file]: this is a named pipe (FIFO), not a regular file",
        )
        .shows(
            "= help: replace it with the file itself, or move it out of the partnership folders",
        );
    run_within(PATIENCE, ledger.path(), &["check", "partners/pipe.md"])
        .exits(2)
        .shows("pipe.md: error[not-a-file]");
}

#[test]
fn a_linked_partners_folder_is_refused_not_followed() {
    let ledger = Ledger::new();
    std::fs::remove_dir_all(ledger.path().join("partners")).expect("rm");
    ledger.link("partners", ledger.outside.path());
    run_within(PATIENCE, ledger.path(), &["check"])
        .exits(2)
        .shows("partners: error[symlink]: this folder is a symbolic link")
        .shows("= help: replace the link with the folder itself")
        .never_shows(SECRET);
}

#[test]
fn a_folder_linked_inside_the_partners_folder_is_refused_not_followed() {
    let ledger = Ledger::new();
    ledger.link("partners/elsewhere", ledger.outside.path());
    run_within(PATIENCE, ledger.path(), &["check"])
        .exits(2)
        .shows("partners/elsewhere: error[symlink]: this folder is a symbolic link")
        .never_shows(SECRET);
}

#[test]
fn a_linked_rapport_yaml_is_refused_not_followed() {
    let ledger = Ledger::new();
    ledger.link("rapport.yaml", &ledger.secret());
    run_within(PATIENCE, ledger.path(), &["check"])
        .exits(2)
        .shows("rapport.yaml: error[symlink]: this file is a symbolic link")
        .shows("error: the configuration is invalid")
        .never_shows(SECRET);
}

#[test]
fn an_oversized_rapport_yaml_is_refused() {
    let ledger = Ledger::new();
    ledger.write(
        "rapport.yaml",
        format!("# {}\nrapport: 1\n", "x".repeat(300 * 1024)),
    );
    run_within(PATIENCE, ledger.path(), &["check"])
        .exits(2)
        .shows("rapport.yaml: error[file-too-large]: file is 300 KiB; configuration files are limited to 256 KiB");
}

#[test]
fn a_sparse_file_is_measured_by_reading_it() {
    let ledger = Ledger::new();
    let file = std::fs::File::create(ledger.path().join("partners/sparse.md")).expect("create");
    // Two mebibytes of holes: nothing written, nothing stored, but two mebibytes to read.
    file.set_len(2 * 1024 * 1024).expect("set_len");
    run_within(PATIENCE, ledger.path(), &["check"])
        .exits(2)
        .shows("partners/sparse.md: error[file-too-large]: file is 2048 KiB; partnership files are limited to 1024 KiB");
}

#[test]
fn one_line_of_a_mebibyte_is_quoted_in_part_with_the_caret_on_the_problem() {
    let ledger = Ledger::new();
    let long = "x".repeat(1000 * 1024);
    ledger.write(
        "partners/long.md",
        VALID.replace(
            "owner: Priya Raman\n",
            &format!("owner: Priya Raman\nterms: {{ currency: \"{long}\", payment_dayz: 30 }}\n"),
        ),
    );
    let run = run_within(PATIENCE, ledger.path(), &["check"]);
    run.exits(2)
        .shows("partners/long.md:6:")
        .shows("error[unknown-field]: unknown field `payment_dayz` in `terms`");
    assert!(
        run.output().len() < 4 * 1024,
        "{} bytes of output",
        run.output().len()
    );
    // The quoted line and the caret under it: the caret is on the unknown field's first letter.
    // (The currency, not being a currency code, is reported too, on the same line.)
    let lines: Vec<&str> = run.stdout.lines().collect();
    let header = lines
        .iter()
        // Not an assertion: the line of the error, to find the quoted line under it.
        .position(|l| l.contains("error[unknown-field]"))
        .expect("the unknown field reported");
    let quoted = header
        + lines[header..]
            .iter()
            .position(|l| l.starts_with("6 | "))
            .expect("the line is quoted");
    let excerpt: Vec<char> = lines[quoted]["6 | ".len()..].chars().collect();
    let caret = lines[quoted + 1]
        .strip_prefix("  | ")
        .expect("a caret line");
    assert!(excerpt.len() <= 202, "{} characters quoted", excerpt.len());
    assert_eq!(excerpt.first(), Some(&'…'));
    let at = caret.find('^').expect("a caret");
    assert_eq!(caret.trim_start(), "^");
    let pointed: String = excerpt[at..].iter().take("payment_dayz".len()).collect();
    assert_eq!(
        pointed,
        "payment_dayz",
        "{}\n{}",
        lines[quoted],
        lines[quoted + 1]
    );
}

#[test]
fn five_hundred_unknown_fields_show_fifty_and_count_the_rest() {
    let ledger = Ledger::new();
    let fields: String = (1..=500).map(|i| format!("unknown_{i}: 1\n")).collect();
    ledger.write(
        "partners/many.md",
        VALID.replace(
            "owner: Priya Raman\n",
            &format!("owner: Priya Raman\n{fields}"),
        ),
    );
    let run = run_within(PATIENCE, ledger.path(), &["check"]);
    run.exits(2)
        .shows("partners/many.md:56:1: error[too-many-problems]: and 450 more problems in this file, from here on")
        .shows("= help: fix the problems shown and run rapport again to see the rest");
    let errors = run
        .stdout
        .lines()
        // A count of the error heads in a long report.
        .filter(|l| l.contains(": error["))
        .count();
    assert_eq!(errors, 51, "{}", run.stdout);
    let json = run_within(PATIENCE, ledger.path(), &["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(51));
}

#[test]
fn a_mebibyte_of_bad_fields_gives_bounded_output() {
    let ledger = Ledger::new();
    let fields: String = (1..=80_000).map(|i| format!("u{i}: 1\n")).collect();
    ledger.write(
        "partners/many.md",
        VALID.replace(
            "owner: Priya Raman\n",
            &format!("owner: Priya Raman\n{fields}"),
        ),
    );
    let run = run_within(PATIENCE, ledger.path(), &["check"]);
    run.exits(2);
    assert!(
        run.output().len() < 32 * 1024,
        "{} bytes of output",
        run.output().len()
    );
}

// Links and submodules committed in git: a tree entry of mode 120000 is a link whose blob is the
// target's path; 160000 is a submodule. Neither is ever parsed as a partnership.

/// Commits an index entry of `mode` at `path` (its object `id`) on top of the current branch.
fn commit_entry(script: &Script, date: &str, message: &str, path: &str, mode: u32, id: Oid) {
    let repo = &script.repo;
    let mut index = repo.index().expect("index");
    index
        .add(&IndexEntry {
            ctime: IndexTime::new(0, 0),
            mtime: IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: 0,
            id,
            flags: 0,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        })
        .expect("git add");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .expect("a commit");
    let sig =
        Signature::new("Priya Raman", "priya@example.com", &common::time(date)).expect("signature");
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&head])
        .expect("commit");
}

/// Commits a link at `path` to `target`.
fn commit_link(script: &Script, date: &str, message: &str, path: &str, target: &str) {
    let blob = script.repo.blob(target.as_bytes()).expect("blob");
    commit_entry(script, date, message, path, 0o120000, blob);
}

/// A link target whose text, parsed as a file, would be quoted in a diagnostic.
const TARGET: &str = "../../../outside/TARGET-5d1e-secret.md";

fn ledger_with_northwind() -> Script {
    Script::new().commit(
        "2024-01-15",
        "Start the ledger",
        &[("partners/northwind.md", VALID)],
    )
}

#[test]
fn a_link_committed_in_git_is_refused_at_a_revision() {
    let script = ledger_with_northwind();
    commit_link(
        &script,
        "2024-02-01",
        "Link a file",
        "partners/evil.md",
        TARGET,
    );
    run(script.path(), &["check", "--rev", "HEAD"])
        .exits(2)
        .shows("partners/evil.md: error[symlink]: this file is a symbolic link in git (mode 120000); rapport reads only regular files inside the repository and never follows a link")
        .shows("= help: replace the link with the file itself")
        .never_shows("TARGET-5d1e")
        .never_shows("no-front-matter");
}

#[test]
fn a_submodule_committed_where_a_file_belongs_is_refused_at_a_revision() {
    let script = ledger_with_northwind();
    let head = script
        .repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .expect("a commit")
        .id();
    commit_entry(
        &script,
        "2024-02-01",
        "Add a submodule",
        "partners/sub.md",
        0o160000,
        head,
    );
    run(script.path(), &["check", "--rev", "HEAD"])
        .exits(2)
        .shows(
            "partners/sub.md: error[submodule]: this file is a submodule (a gitlink, mode 160000)",
        )
        .shows("= help: replace the submodule with the file itself");
}

#[test]
fn a_partners_folder_committed_as_a_link_is_refused_at_a_revision() {
    let script = Script::new().commit("2024-01-15", "Start", &[("README.md", "# Ledger\n")]);
    commit_link(
        &script,
        "2024-02-01",
        "Link the folder",
        "partners",
        "../elsewhere",
    );
    run(script.path(), &["check", "--rev", "HEAD"])
        .exits(2)
        .shows("partners: error[symlink]: this folder is a symbolic link in git (mode 120000)")
        .shows("= help: replace the link with the folder itself");
}

#[test]
fn a_file_replaced_by_a_link_ends_its_timeline_with_a_warning() {
    let script = ledger_with_northwind().commit(
        "2024-01-20",
        "Add Evil",
        &[("partners/evil.md", &partnership("Evil Corp", "", ""))],
    );
    commit_link(
        &script,
        "2024-02-01",
        "Replace Evil by a link",
        "partners/evil.md",
        TARGET,
    );
    let run = run(script.path(), &["timeline", "evil"]);
    run.exits(0)
        .shows("rapport: warning: partners/evil.md is not read: this file is a symbolic link in git (mode 120000)")
        .shows("replace the link with the file itself")
        .shows("Evil Corp")
        .never_shows("TARGET-5d1e");
    assert!(
        // A timeline of a hostile history: the deletion is looked for.
        run.stdout.contains("× file deleted (partners/evil.md)"),
        "{}",
        run.stdout
    );
    // The history of the working tree (on top of HEAD) never reads the link either.
    let check = run_within(PATIENCE, script.path(), &["check", "--rev", "HEAD"]);
    check.exits(2).never_shows("TARGET-5d1e");
}

#[test]
fn a_link_added_by_a_change_fails_the_pre_merge_gate() {
    let script = ledger_with_northwind()
        .commit(
            "2024-01-20",
            "Add Evil",
            &[("partners/evil.md", &partnership("Evil Corp", "", ""))],
        )
        .branch("change");
    commit_link(
        &script,
        "2024-02-01",
        "Link a new file",
        "partners/new.md",
        TARGET,
    );
    commit_link(
        &script,
        "2024-02-02",
        "Replace Evil by a link",
        "partners/evil.md",
        TARGET,
    );
    for args in [["report", "--base", "main"], ["check", "--base", "main"]] {
        run(script.path(), &args)
            .exits(2)
            .shows("partners/new.md: error[symlink]")
            .shows("partners/evil.md: error[symlink]")
            .never_shows("TARGET-5d1e")
            .never_shows("no-front-matter");
    }
    let json = run(
        script.path(),
        &["report", "--base", "main", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["symlink", "symlink"], "{json}");
}
