//! Ledger files written by anyone with commit access, read unattended in CI: only regular files
//! inside the repository are read. A link (to a file outside, to a device, to a folder), a named
//! pipe or a submodule where a partnership file, a ledger folder or `rapport.yaml` belongs is
//! refused with a diagnostic and never followed or opened; sizes are counted while reading; and
//! whatever a file holds, what rapport prints stays bounded.

// Links and named pipes are made the Unix way.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Output, Script, Test, partnership};
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

/// `rapport ARGS` in `dir`, killed and failed if it has not finished within [`PATIENCE`]: for
/// inputs that would make a careless reader wait or read forever.
/// A check of the working tree counts at a fixed "now", so that the findings do not age.
fn rapport(dir: &Path, args: &[&str]) -> Test {
    let test = Test::in_dir(dir).args(args).timeout(PATIENCE);
    if args.first() == Some(&"check") && !args.iter().any(|a| a.starts_with("--")) {
        test.args(["--as-of", "2024-07-01"])
    } else {
        test
    }
}

/// Beside the pinned outputs, so that accepting a changed one cannot let `text` in.
#[track_caller]
fn assert_unseen(run: &Output, text: &str) {
    for (stream, shown) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        // What must never reach a stream, whatever else changes in it.
        assert!(!shown.contains(text), "{text:?} reached {stream}:\n{shown}");
    }
}

const PATIENCE: Duration = Duration::from_secs(30);

/// What `check` says of a folder outside git.
const NOT_A_REPOSITORY: &str = "note: [ROOT] is not inside a git repository: rapport checks its \
    files only, without history, so the signs a history shows (dates slipping, changes over \
    time) are not looked for\n";

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
    let run = rapport(ledger.path(), &["check"])
        .status(2)
        .stdout("partners/evil.md: error[symlink]: this file is a symbolic link; rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the file itself

Northwind Analytics (northwind, partners/northwind.md): 1 finding
  partners/northwind.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-07-01 kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 problem in 1 of 2 files; 1 warning
")
        .stderr(NOT_A_REPOSITORY)
        .run();
    assert_unseen(&run, SECRET);
    assert_unseen(&run, "no-front-matter");
    // Named on the command line (without a rapport.yaml, its folder is the ledger), the link
    // is refused the same way.
    let run = rapport(ledger.path(), &["check", "partners/evil.md"])
        .status(2)
        .stdout("partners/evil.md: error[symlink]: this file is a symbolic link; rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the file itself

1 problem in 1 of 1 file; no findings
")
        .stderr(NOT_A_REPOSITORY)
        .run();
    assert_unseen(&run, SECRET);
    ledger.write("rapport.yaml", "rapport: 1\n");
    let run = rapport(ledger.path(), &["check", "partners/evil.md"])
        .status(2)
        .stdout("partners/evil.md: error[symlink]: this file is a symbolic link; rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the file itself

1 problem in 1 of 1 file; no findings
")
        .stderr(NOT_A_REPOSITORY)
        .run();
    assert_unseen(&run, SECRET);
}

#[test]
fn a_partnership_file_linked_to_dev_zero_is_refused_at_once() {
    let ledger = Ledger::new();
    ledger.link("partners/zero.md", Path::new("/dev/zero"));
    let run = rapport(ledger.path(), &["check"])
        .status(2)
        .stdout("partners/zero.md: error[symlink]: this file is a symbolic link; rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the file itself

Northwind Analytics (northwind, partners/northwind.md): 1 finding
  partners/northwind.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-07-01 kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 problem in 1 of 2 files; 1 warning
")
        .stderr(NOT_A_REPOSITORY)
        .run();
    assert_unseen(&run, "file-too-large");
    rapport(ledger.path(), &["check", "partners/zero.md"])
        .status(2)
        .stdout("partners/zero.md: error[symlink]: this file is a symbolic link; rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the file itself

1 problem in 1 of 1 file; no findings
")
        .stderr(NOT_A_REPOSITORY)
        .run();
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
    rapport(ledger.path(), &["check"])
        .status(2)
        .stdout("partners/pipe.md: error[not-a-file]: this is a named pipe (FIFO), not a regular file; rapport reads only regular files and does not open anything else
  = help: replace it with the file itself, or move it out of the partnership folders

Northwind Analytics (northwind, partners/northwind.md): 1 finding
  partners/northwind.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-07-01 kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 problem in 1 of 2 files; 1 warning
")
        .stderr(NOT_A_REPOSITORY)
        .run();
    rapport(ledger.path(), &["check", "partners/pipe.md"])
        .status(2)
        .stdout("partners/pipe.md: error[not-a-file]: this is a named pipe (FIFO), not a regular file; rapport reads only regular files and does not open anything else
  = help: replace it with the file itself, or move it out of the partnership folders

1 problem in 1 of 1 file; no findings
")
        .stderr(NOT_A_REPOSITORY)
        .run();
}

#[test]
fn a_linked_partners_folder_is_refused_not_followed() {
    let ledger = Ledger::new();
    std::fs::remove_dir_all(ledger.path().join("partners")).expect("rm");
    ledger.link("partners", ledger.outside.path());
    let run = rapport(ledger.path(), &["check"])
        .status(2)
        .stdout("partners: error[symlink]: this folder is a symbolic link; rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the folder itself

1 problem in 1 of 1 file; no findings
")
        .stderr(NOT_A_REPOSITORY)
        .run();
    assert_unseen(&run, SECRET);
}

#[test]
fn a_folder_linked_inside_the_partners_folder_is_refused_not_followed() {
    let ledger = Ledger::new();
    ledger.link("partners/elsewhere", ledger.outside.path());
    let run = rapport(ledger.path(), &["check"])
        .status(2)
        .stdout("partners/elsewhere: error[symlink]: this folder is a symbolic link; rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the folder itself

Northwind Analytics (northwind, partners/northwind.md): 1 finding
  partners/northwind.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-07-01 kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 problem in 1 of 2 files; 1 warning
")
        .stderr(NOT_A_REPOSITORY)
        .run();
    assert_unseen(&run, SECRET);
}

#[test]
fn a_linked_rapport_yaml_is_refused_not_followed() {
    let ledger = Ledger::new();
    ledger.link("rapport.yaml", &ledger.secret());
    let run = rapport(ledger.path(), &["check"])
        .status(2)
        .stdout("")
        .stderr("rapport.yaml: error[symlink]: this file is a symbolic link; rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the file itself

error: the configuration is invalid
")
        .run();
    assert_unseen(&run, SECRET);
}

#[test]
fn an_oversized_rapport_yaml_is_refused() {
    let ledger = Ledger::new();
    ledger.write(
        "rapport.yaml",
        format!("# {}\nrapport: 1\n", "x".repeat(300 * 1024)),
    );
    rapport(ledger.path(), &["check"])
        .status(2)
        .stdout("")
        .stderr("rapport.yaml: error[file-too-large]: file is 300 KiB; configuration files are limited to 256 KiB
  = help: keep rapport.yaml to settings: folders, ladder, rule settings, vocabulary, redacted fields

error: the configuration is invalid
")
        .run();
}

#[test]
fn a_sparse_file_is_measured_by_reading_it() {
    let ledger = Ledger::new();
    let file = std::fs::File::create(ledger.path().join("partners/sparse.md")).expect("create");
    // Two mebibytes of holes: nothing written, nothing stored, but two mebibytes to read.
    file.set_len(2 * 1024 * 1024).expect("set_len");
    rapport(ledger.path(), &["check"])
        .status(2)
        .stdout("partners/sparse.md: error[file-too-large]: file is 2048 KiB; partnership files are limited to 1024 KiB
  = help: keep one partnership per file and move bulky material (exports, attachments) out of the ledger

Northwind Analytics (northwind, partners/northwind.md): 1 finding
  partners/northwind.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-07-01 kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 problem in 1 of 2 files; 1 warning
")
        .stderr(NOT_A_REPOSITORY)
        .run();
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
    let run = rapport(ledger.path(), &["check"])
        .snapshot("one_line_of_a_mebibyte_is_quoted_in_part")
        .run();
    let shown = run.stdout.len() + run.stderr.len();
    assert!(shown < 4 * 1024, "{shown} bytes of output");
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
    let run = rapport(ledger.path(), &["check"])
        .snapshot("five_hundred_unknown_fields_show_fifty")
        .run();
    let errors = run
        .stdout
        .lines()
        // A count of the error heads in a long report.
        .filter(|l| l.contains(": error["))
        .count();
    assert_eq!(errors, 51, "{}", run.stdout);
    // Read field by field below.
    let json = rapport(ledger.path(), &["check", "--format", "json"])
        .status(2)
        .stderr(NOT_A_REPOSITORY)
        .any_stdout()
        .run();
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
    let run = rapport(ledger.path(), &["check"])
        .snapshot("a_mebibyte_of_bad_fields_gives_bounded_output")
        .run();
    let shown = run.stdout.len() + run.stderr.len();
    assert!(shown < 32 * 1024, "{shown} bytes of output");
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
    let run = rapport(script.path(), &["check", "--rev", "HEAD"])
        .status(2)
        .stdout("partners/evil.md: error[symlink]: this file is a symbolic link in git (mode 120000); rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the file itself

Northwind Analytics (northwind, partners/northwind.md): 1 finding
  partners/northwind.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-01-15 c697f89e kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 problem in 1 of 2 files; 1 warning
")
        .stderr("")
        .run();
    assert_unseen(&run, "TARGET-5d1e");
    assert_unseen(&run, "no-front-matter");
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
    rapport(script.path(), &["check", "--rev", "HEAD"])
        .status(2)
        .stdout("partners/sub.md: error[submodule]: this file is a submodule (a gitlink, mode 160000), not a file of this repository; rapport reads only regular files inside the repository
  = help: replace the submodule with the file itself

Northwind Analytics (northwind, partners/northwind.md): 1 finding
  partners/northwind.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-01-15 c697f89e kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 problem in 1 of 2 files; 1 warning
")
        .stderr("")
        .run();
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
    rapport(script.path(), &["check", "--rev", "HEAD"])
        .status(2)
        .stdout("partners: error[symlink]: this folder is a symbolic link in git (mode 120000); rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the folder itself

1 problem in 1 of 1 file; no findings
")
        .stderr("")
        .run();
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
    let run = rapport(script.path(), &["timeline", "evil"])
        .status(0)
        .stdout("Evil Corp (evil) partners/evil.md
2 versions from 2024-01-20 to 2024-02-01, history read up to dd8933a5

2024-01-20  29528708  Priya Raman  Add Evil
  + created
  ! new warning[no-success-metrics] no KPIs define what success means

2024-02-01  dd8933a5  Priya Raman  Replace Evil by a link
  × file deleted (partners/evil.md)
  ✓ resolved warning[no-success-metrics] no KPIs define what success means
")
        .stderr("rapport: warning: partners/evil.md is not read: this file is a symbolic link in git (mode 120000); rapport reads only regular files inside the repository and never follows a link (replace the link with the file itself)
")
        .run();
    assert_unseen(&run, "TARGET-5d1e");
    // The history of the working tree (on top of HEAD) never reads the link either.
    let check = rapport(script.path(), &["check", "--rev", "HEAD"])
        .status(2)
        .stdout("partners/evil.md: error[symlink]: this file is a symbolic link in git (mode 120000); rapport reads only regular files inside the repository and never follows a link
  = help: replace the link with the file itself

Northwind Analytics (northwind, partners/northwind.md): 1 finding
  partners/northwind.md:4: warning[no-success-metrics]: no KPIs define what success means
    = sign 5: no metrics define success
    = evidence: 2024-01-15 c697f89e kpis absent
    = fix: Agree objective KPIs with targets with the partner from the start, name who reports each one, and review them on a fixed schedule.

1 problem in 1 of 2 files; 1 warning
")
        .stderr("")
        .run();
    assert_unseen(&check, "TARGET-5d1e");
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
        let run = rapport(script.path(), &args)
            .snapshot(&format!("a_link_added_by_a_change_{}", args[0]))
            .run();
        assert_unseen(&run, "TARGET-5d1e");
        assert_unseen(&run, "no-front-matter");
    }
    // Read field by field below.
    let json = rapport(
        script.path(),
        &["report", "--base", "main", "--format", "json"],
    )
    .status(2)
    .any_stdout()
    .run();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["symlink", "symlink"], "{json}");
}
