//! Repositories rapport cannot read whole: another user's (git's "dubious ownership"), SHA-256,
//! reftable refs, an unknown extension, a sparse checkout, a blobless partial clone, a corrupt
//! object. Each stops with exit 2, says why and what to do, and never passes on the files alone;
//! outside any repository the files are checked and rapport says the history is not.

#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Run, Script, partnership, rapport};

impl Run {
    fn refused_with(&self, lines: &[&str]) -> &Run {
        assert_eq!(
            (self.code, self.stdout.as_str()),
            (2, ""),
            "stderr:\n{}",
            self.stderr
        );
        for line in lines {
            // Each line as said; the rest of the message names temporary folders.
            assert!(
                self.stderr.contains(line),
                "expected {line:?} in:\n{}",
                self.stderr
            );
        }
        self
    }
}

fn terms(partner: &str, days: u32, body: &str) -> String {
    partnership(
        partner,
        &format!("terms: {{ payment_days: {days}, price: 120000, currency: EUR }}\n"),
        body,
    )
}

/// The ledger of an alliance team over half a year, three versions: Northwind's terms stretch
/// from 30 to 90 days, a sign only the history shows; Beifeng's notes are in Chinese.
/// A commit of the ledger: its date, its message, and each file's partner, terms and notes.
type Version = (
    &'static str,
    &'static str,
    [(&'static str, u32, &'static str); 2],
);

const VERSIONS: [Version; 3] = [
    (
        "2024-01-15T10:00:00+01:00",
        "Start the ledger",
        [
            (
                "Northwind Analytics",
                30,
                "\n## 2024-01-12 Kick-off\n\nDana and Omar agreed the plan.\n",
            ),
            (
                "北风科技",
                30,
                "\n## 2024-01-10 启动会\n\n王磊确认了合作计划。\n",
            ),
        ],
    ),
    (
        "2024-03-20T16:30:00+01:00",
        "Northwind asks for longer terms",
        [
            (
                "Northwind Analytics",
                60,
                "\n## 2024-03-18 Quarterly review\n\nOmar asked for net-60.\n",
            ),
            (
                "北风科技",
                30,
                "\n## 2024-03-05 季度回顾\n\n双方对进展满意。\n",
            ),
        ],
    ),
    (
        "2024-06-14T09:15:00+02:00",
        "Northwind stretches terms again",
        [
            (
                "Northwind Analytics",
                90,
                "\n## 2024-06-12 Renewal talk\n\nDana wants net-90.\n",
            ),
            ("北风科技", 30, "\n## 2024-06-02 季度回顾\n\n没有新问题。\n"),
        ],
    ),
];

const FILES: [&str; 2] = ["partners/northwind.md", "partners/beifeng.md"];

/// `git ARGS` in `dir`, which must succeed.
fn git(dir: &Path, args: &[&str]) -> String {
    git_dated(dir, args, "2024-07-01T12:00:00+00:00")
}

/// `git ARGS` in `dir` committing at `date`, which must succeed.
fn git_dated(dir: &Path, args: &[&str], date: &str) -> String {
    let out = Command::new("git")
        .args(args)
        .env("GIT_COMMITTER_DATE", date)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Priya Raman")
        .env("GIT_AUTHOR_EMAIL", "priya@example.com")
        .env("GIT_COMMITTER_NAME", "Priya Raman")
        .env("GIT_COMMITTER_EMAIL", "priya@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The team's ledger committed by the git command line into a repository made by `git init
/// INIT...` in a new folder of `into`.
fn ledger_by_git(into: &Path, init: &[&str]) -> PathBuf {
    let dir = into.join("ledger");
    std::fs::create_dir_all(dir.join("partners")).expect("mkdir");
    let mut args = vec!["init", "-q", "-b", "main"];
    args.extend_from_slice(init);
    git(&dir, &args);
    for (date, message, files) in VERSIONS {
        for (path, (partner, days, body)) in FILES.iter().zip(files) {
            std::fs::write(dir.join(path), terms(partner, days, body)).expect("write");
        }
        git(&dir, &["add", "-A"]);
        git_dated(&dir, &["commit", "-q", "-m", message, "--date", date], date);
    }
    dir
}

/// The same ledger, scripted through git2.
fn ledger_by_script() -> Script {
    let mut script = Script::new();
    for (date, message, files) in VERSIONS {
        let texts: Vec<String> = files
            .iter()
            .map(|(partner, days, body)| terms(partner, *days, body))
            .collect();
        let files: Vec<(&str, &str)> = FILES
            .iter()
            .copied()
            .zip(texts.iter().map(String::as_str))
            .collect();
        script = script.commit(&date[..10], message, &files);
    }
    script
}

const AS_OF: [&str; 4] = ["--as-of", "2024-07-01", "--fail-on", "never"];

/// `rapport check ARGS` as of the first of July.
fn check(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&AS_OF);
    rapport(dir, &all)
}

/// What `check` says of the ledger when its history can be read: the near miss of every test
/// below, pinned by `the_history_finds_what_the_files_alone_do_not`.
fn readable() -> String {
    let script = ledger_by_script();
    let run = check(script.path(), &[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    run.stdout
}

/// The commands that read a ledger's history, each of which must refuse a repository it cannot
/// read: the working tree, the pre-commit hook's named file, a revision, the portfolio, the
/// timeline and the pull-request report.
fn every_reader(dir: &Path, lines: &[&str]) {
    for args in [
        &["check"][..],
        &["check", "partners/northwind.md"],
        &["check", "--rev", "HEAD"],
        &["portfolio"],
        &["timeline", "northwind"],
        &["report", "--base", "HEAD~1"],
    ] {
        let run = rapport(dir, args);
        assert_eq!(
            run.code, 2,
            "rapport {args:?}:\n{}{}",
            run.stdout, run.stderr
        );
        run.refused_with(lines);
    }
}

/// The folder as rapport names it in messages.
fn shown(dir: &Path) -> String {
    dir.canonicalize().expect("canonical").display().to_string()
}

#[test]
fn the_history_finds_what_the_files_alone_do_not() {
    // The near miss of every test below: the same ledger, readable, shows the stretched terms.
    insta::assert_snapshot!("the_readable_ledger", readable());
}

#[test]
fn a_repository_of_another_user_is_refused_with_safe_directory() {
    // SAFETY: geteuid reads the process's effective user id and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        assert!(
            std::env::var_os("CI").is_none(),
            "making a repository owned by another user needs root (chown)"
        );
        eprintln!("skipped: making a repository owned by another user needs root");
        return;
    }
    let script = ledger_by_script();
    let status = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(script.path())
        .status()
        .expect("chown runs");
    assert!(status.success());
    let top = shown(script.path());
    every_reader(
        script.path(),
        &[
            &format!(
                "error: git refuses to open the repository at {top}: it belongs to another user \
                 (git's \"dubious ownership\" check), so rapport cannot read its history"
            ),
            &format!("git config --global --add safe.directory {top}"),
        ],
    );
    // From a folder inside, the advice names the top, the folder git wants.
    rapport(&script.path().join("partners"), &["check"])
        .refused_with(&[&format!("safe.directory {top}\n")]);
    // Following the advice reads the history again.
    let home = tempfile::tempdir().expect("home");
    let status = Command::new("git")
        .args(["config", "--global", "--add", "safe.directory", &top])
        .env("HOME", home.path())
        .status()
        .expect("git runs");
    assert!(status.success());
    let out = assert_cmd::Command::cargo_bin("rapport")
        .expect("built")
        .args(["check", "--as-of", "2024-07-01", "--fail-on", "never"])
        .current_dir(script.path())
        .env("HOME", home.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let run = Run::from(out);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout, readable());
}

#[test]
fn a_sha256_repository_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ledger = ledger_by_git(dir.path(), &["--object-format=sha256"]);
    every_reader(
        &ledger,
        &[
            &format!(
                "error: the repository at {} uses SHA-256 object ids, which rapport cannot read: \
                 its history is not checked",
                shown(&ledger)
            ),
            "help: rapport reads repositories with SHA-1 object ids",
        ],
    );
}

#[test]
fn reftable_refs_are_refused_with_how_to_convert() {
    let dir = tempfile::tempdir().expect("tempdir");
    // git 2.45 makes reftable repositories; an older git only has its configuration set,
    // which is what libgit2 refuses.
    let made = Command::new("git")
        .args(["init", "-q", "--ref-format=reftable"])
        .arg(dir.path().join("probe"))
        .output()
        .is_ok_and(|out| out.status.success());
    let script;
    let ledger = if made {
        ledger_by_git(dir.path(), &["--ref-format=reftable"])
    } else {
        script = ledger_by_script();
        script.git(&["config", "core.repositoryformatversion", "1"]);
        script.git(&["config", "extensions.refStorage", "reftable"]);
        script.path_buf()
    };
    every_reader(
        &ledger,
        &[
            "keeps its refs in the reftable format (extensions.refstorage), which rapport cannot read",
            "help: convert the refs to the files format, which rapport reads: git refs migrate --ref-format=files",
        ],
    );
}

#[test]
fn an_unknown_extension_is_refused_by_name() {
    let script = ledger_by_script();
    script.git(&["config", "core.repositoryformatversion", "1"]);
    script.git(&["config", "extensions.worktreeLayout", "nested"]);
    every_reader(
        script.path(),
        &[&format!(
            "error: the repository at {} sets `extensions.worktreelayout`, which rapport cannot read",
            shown(script.path())
        )],
    );
}

#[test]
fn outside_any_repository_only_the_files_are_checked_and_said_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, _, files) = VERSIONS[2];
    for (path, (partner, days, body)) in FILES.iter().zip(files) {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, terms(partner, days, body)).expect("write");
    }
    let note = format!(
        "note: {} is not inside a git repository: rapport checks its files only, without history, \
         so the signs a history shows (dates slipping, changes over time) are not looked for\n",
        shown(dir.path())
    );
    for (args, name) in [
        (&[][..], "the_files_alone"),
        (&["partners/northwind.md"], "the_named_file_alone"),
    ] {
        let run = check(dir.path(), args);
        assert_eq!((run.code, run.stderr.as_str()), (0, note.as_str()));
        insta::assert_snapshot!(name, run.stdout);
    }
    let run = rapport(dir.path(), &["portfolio", "--as-of", "2024-07-01"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, note.as_str()));
    // Timelines need a history: refused as before.
    let run = rapport(dir.path(), &["timeline", "northwind"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// The loose object file of `spec` (`HEAD~2:partners/northwind.md`) in a scripted repository.
fn loose_object(script: &Script, spec: &str) -> PathBuf {
    let id = script
        .repo
        .revparse_single(spec)
        .expect("the object")
        .id()
        .to_string();
    script
        .path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..])
}

/// Each reader of the history, given at most ten seconds.
fn every_reader_within_seconds(dir: &Path, lines: &[&str]) {
    for args in [
        &["check"][..],
        &["check", "partners/northwind.md"],
        &["check", "--rev", "HEAD"],
        &["portfolio"],
        &["timeline", "northwind"],
        &["report", "--base", "HEAD~2"],
    ] {
        let started = Instant::now();
        let out = assert_cmd::Command::cargo_bin("rapport")
            .expect("built")
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_BASE_REF")
            .timeout(Duration::from_secs(10))
            .output()
            .expect("runs");
        let run = Run::from(out);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "rapport {args:?} hung"
        );
        assert_eq!(
            run.code, 2,
            "rapport {args:?}:\n{}{}",
            run.stdout, run.stderr
        );
        run.refused_with(lines);
    }
}

#[test]
fn a_truncated_loose_object_stops_every_reader_within_seconds() {
    let script = ledger_by_script();
    let file = loose_object(&script, "HEAD~2:partners/northwind.md");
    let bytes = std::fs::read(&file).expect("read");
    let id = file
        .parent()
        .and_then(Path::file_name)
        .map(|d| {
            format!(
                "{}{}",
                d.to_string_lossy(),
                file.file_name().expect("name").to_string_lossy()
            )
        })
        .expect("an id");
    let mut permissions = std::fs::metadata(&file).expect("meta").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&file, permissions).expect("chmod");
    std::fs::write(&file, &bytes[..bytes.len() / 2]).expect("truncate");
    every_reader_within_seconds(
        script.path(),
        &[
            &format!(
                "error: the repository at {} is corrupt: the object {id} ({}): it is cut short: \
                 its compressed data ends before the object does",
                shown(script.path()),
                file.display()
            ),
            "help: find and repair the damage with `git fsck --full`",
        ],
    );
}

#[test]
fn a_missing_object_names_it_and_git_fsck() {
    let script = ledger_by_script();
    let file = loose_object(&script, "HEAD~1:partners/beifeng.md");
    let id = script
        .repo
        .revparse_single("HEAD~1:partners/beifeng.md")
        .expect("blob")
        .id()
        .to_string();
    std::fs::remove_file(&file).expect("rm");
    let run = check(script.path(), &[]);
    run.refused_with(&[
        &format!(
            "error: the repository at {} is corrupt: the object {id} is missing",
            shown(script.path())
        ),
        "git fsck --full",
    ]);
}

#[test]
fn a_blobless_clone_says_so_and_how_to_fetch_the_rest() {
    let script = ledger_by_script();
    script.git(&["config", "uploadpack.allowFilter", "true"]);
    let into = tempfile::tempdir().expect("tempdir");
    let clone = into.path().join("clone");
    git(
        into.path(),
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            &format!("file://{}", script.path().display()),
            "clone",
        ],
    );
    let lines = [
        &format!(
            "error: the repository at {} is a partial clone (made with --filter), and the object ",
            shown(&clone)
        )[..],
        " was not fetched: rapport needs every version of the partnership files\n",
        "git config --unset remote.origin.partialclonefilter && git fetch --refetch origin",
    ];
    for args in [
        &["check"][..],
        &["check", "--rev", "HEAD"],
        &["timeline", "northwind"],
        &["portfolio"],
    ] {
        rapport(&clone, args).refused_with(&lines);
    }
    // The advice works.
    git(
        &clone,
        &["config", "--unset", "remote.origin.partialclonefilter"],
    );
    git(&clone, &["fetch", "-q", "--refetch", "origin"]);
    let run = check(&clone, &[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout, readable());
}

#[test]
fn a_sparse_checkout_names_the_files_it_leaves_out() {
    let script = ledger_by_script();
    let into = tempfile::tempdir().expect("tempdir");
    let clone = into.path().join("clone");
    git(
        into.path(),
        &["clone", "-q", &script.path().to_string_lossy(), "clone"],
    );
    git(
        &clone,
        &[
            "sparse-checkout",
            "set",
            "--no-cone",
            "partners/northwind.md",
        ],
    );
    assert!(!clone.join("partners/beifeng.md").exists());
    rapport(&clone, &["check"]).refused_with(&[
        &format!(
            "error: the working tree at {} is a sparse checkout, and it leaves out \
             partners/beifeng.md: checking only the files present would pass the others unseen\n",
            shown(&clone)
        ),
        "help: check every file: git sparse-checkout disable; or check the committed ledger, \
         which is whole: rapport check --rev HEAD\n",
    ]);
    // The committed ledger is whole.
    let run = check(&clone, &["--rev", "HEAD"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout, readable());
    git(&clone, &["sparse-checkout", "disable"]);
    assert_eq!(check(&clone, &[]).code, 0);
}

/// A pack damaged where the file versions lie (`git gc` writes commits and trees first and
/// blobs last) stops every reader within seconds with an error that says the repository is
/// damaged and how to repair it, whichever library reads the blob (gitoxide first, libgit2 for
/// what it cannot read): a damaged version is never taken for a version, and nothing panics or
/// hangs.
#[test]
fn a_damaged_pack_stops_every_reader_within_seconds() {
    let into = tempfile::tempdir().expect("tempdir");
    let dir = ledger_by_git(into.path(), &[]);
    git(&dir, &["gc", "-q"]);
    let packs: Vec<PathBuf> = std::fs::read_dir(dir.join(".git/objects/pack"))
        .expect("the pack folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pack"))
        .collect();
    assert_eq!(packs.len(), 1, "one pack: {packs:?}");
    let pack = &packs[0];
    let mut bytes = std::fs::read(pack).expect("read");
    let len = bytes.len();
    // The second half, short of the trailing checksum.
    for byte in &mut bytes[len / 2..len - 20] {
        *byte ^= 0x5a;
    }
    let mut permissions = std::fs::metadata(pack).expect("meta").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(pack, permissions).expect("chmod");
    std::fs::write(pack, &bytes).expect("damage");
    every_reader_within_seconds(
        &dir,
        &[
            &format!(
                "error: the repository at {} is corrupt: an object cannot be read (",
                shown(&dir)
            ),
            "help: find and repair the damage with `git fsck --full`",
        ],
    );
}
