//! One run of the binary, described and checked whole: the ledger it runs in (a scripted
//! history or any folder), its arguments, environment, standard input and working directory,
//! and what it must do. By default a run must exit 0, write nothing to standard error and
//! nothing to standard output; `.stdout(..)`, `.stderr(..)` and `.status(..)` say otherwise,
//! and `.snapshot(..)` pins a long run (exit code and both streams together) with insta.
//!
//! A run never depends on the day it runs: rapport's "now" is the analysed commit's date, so a
//! scripted history fixes it; a check of a working tree or a folder outside git passes
//! `--as-of DATE`. Colour is off (`NO_COLOR`) unless `.colour()` forces it on, and the CI
//! variables that choose a base are cleared unless `.env(..)` sets them.
//!
//! Temporary paths in either stream are replaced by `[ROOT]` (the ledger) or `[TEMP]` (the
//! system's temporary folder) before comparing, so a pinned output reads the same on every
//! machine.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::Script;

/// What the ledger of a run is: a scripted history it owns, or a folder someone else owns.
enum Ledger {
    Script(Script),
    Folder(PathBuf),
}

/// One run of `rapport`, built then checked by [`Test::run`].
#[must_use = "a Test does nothing until `.run()`"]
pub struct Test {
    ledger: Ledger,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    env_remove: Vec<OsString>,
    stdin: Option<Vec<u8>>,
    dir: Option<PathBuf>,
    timeout: Option<std::time::Duration>,
    status: Vec<i32>,
    stdout: Option<String>,
    stderr: Option<String>,
    snapshot: Option<String>,
}

/// What a run did: its exit code (-1 when killed) and both streams as text; through
/// [`Test::run`], with temporary paths already replaced.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Output {
    fn from(output: std::process::Output) -> Output {
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Variables that change what rapport does and that a developer's shell or a CI runner may set.
const CLEARED: &[&str] = &[
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "GITHUB_BASE_REF",
    "GITHUB_STEP_SUMMARY",
    "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "VISUAL",
    "EDITOR",
];

impl Test {
    /// A run in a scripted history, which the test keeps alive until the run is checked.
    pub fn new(script: Script) -> Test {
        Test::with_ledger(Ledger::Script(script))
    }

    /// A run in a folder the caller keeps alive (a plain folder, a clone, a worktree).
    pub fn in_dir(dir: impl Into<PathBuf>) -> Test {
        Test::with_ledger(Ledger::Folder(dir.into()))
    }

    fn with_ledger(ledger: Ledger) -> Test {
        Test {
            ledger,
            args: Vec::new(),
            env: vec![("NO_COLOR".into(), "1".into())],
            env_remove: CLEARED.iter().map(OsString::from).collect(),
            stdin: None,
            dir: None,
            timeout: None,
            status: vec![0],
            stdout: Some(String::new()),
            stderr: Some(String::new()),
            snapshot: None,
        }
    }

    /// The ledger's root folder.
    pub fn root(&self) -> &Path {
        match &self.ledger {
            Ledger::Script(script) => script.path(),
            Ledger::Folder(dir) => dir,
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Test {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets a variable for the run (it is no longer cleared if it was).
    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Test {
        self.env_remove.retain(|k| k != key);
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    /// Removes a variable for the run, including the `NO_COLOR` a run sets by default.
    pub fn env_remove(mut self, key: &str) -> Test {
        self.env.retain(|(k, _)| k != key);
        self.env_remove.push(key.into());
        self
    }

    /// Colour forced on, as a terminal would get it.
    pub fn colour(self) -> Test {
        self.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1")
    }

    pub fn stdin(mut self, text: impl Into<Vec<u8>>) -> Test {
        self.stdin = Some(text.into());
        self
    }

    /// Runs in this folder, relative to the ledger's root.
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Test {
        self.dir = Some(dir.into());
        self
    }

    /// Kills the run after `limit`, which then fails with exit code -1.
    pub fn timeout(mut self, limit: std::time::Duration) -> Test {
        self.timeout = Some(limit);
        self
    }

    /// The exit code the run must end with (0 unless said).
    pub fn status(mut self, code: i32) -> Test {
        self.status = vec![code];
        self
    }

    /// Any of these exit codes, for a run whose answer the test does not fix (an analysis of
    /// extreme input: findings or none, 0 or 1, but never an error or a crash).
    pub fn status_in(mut self, codes: &[i32]) -> Test {
        self.status = codes.to_vec();
        self
    }

    /// The whole standard output the run must write.
    pub fn stdout(mut self, text: impl Into<String>) -> Test {
        self.stdout = Some(text.into());
        self
    }

    /// The whole standard error the run must write.
    pub fn stderr(mut self, text: impl Into<String>) -> Test {
        self.stderr = Some(text.into());
        self
    }

    /// Standard output is not compared: the test reads it from the returned [`Output`] (JSON it
    /// parses, or a part it cannot pin, each said where it is read).
    pub fn any_stdout(mut self) -> Test {
        self.stdout = None;
        self
    }

    /// Standard error is not compared: the test reads it from the returned [`Output`].
    pub fn any_stderr(mut self) -> Test {
        self.stderr = None;
        self
    }

    /// Pins the whole run (exit code, standard output, standard error) in the insta snapshot
    /// `tests/snapshots/FILE__NAME.snap`; the streams are then not compared inline.
    pub fn snapshot(mut self, name: &str) -> Test {
        self.snapshot = Some(name.to_string());
        self.stdout = None;
        self.stderr = None;
        self
    }

    /// Runs the binary and checks the exit code, both streams and the snapshot; returns what
    /// it did and the ledger, for a further run or a look at the files it wrote.
    #[track_caller]
    pub fn run(self) -> Output {
        self.run_keep().0
    }

    /// As [`Test::run`], handing the scripted history back for a further run.
    #[track_caller]
    pub fn run_keep(self) -> (Output, Option<Script>) {
        let root = self.root().to_path_buf();
        let mut command =
            assert_cmd::Command::cargo_bin("rapport").expect("the rapport binary is built");
        command
            .args(&self.args)
            .current_dir(self.dir.as_ref().map_or(root.clone(), |d| root.join(d)));
        // Every run has a cache of parsed versions of its own, gone with the run, unless the
        // test names one: no run reads what another left, or writes the user's cache.
        let cache = tempfile::tempdir().expect("a temporary folder for the cache");
        command.env("RAPPORT_CACHE_DIR", cache.path());
        for key in &self.env_remove {
            command.env_remove(key);
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        if let Some(stdin) = &self.stdin {
            command.write_stdin(stdin.clone());
        }
        if let Some(limit) = self.timeout {
            command.timeout(limit);
        }
        let output = command.output().expect("rapport runs");
        let output = Output {
            code: output.status.code().unwrap_or(-1),
            stdout: placeholders(&String::from_utf8_lossy(&output.stdout), &root),
            stderr: placeholders(&String::from_utf8_lossy(&output.stderr), &root),
        };
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| visible(&a.to_string_lossy()))
            .collect();
        let whole = format!(
            "rapport {}\n--- exit code: {}\n--- stdout\n{}--- stderr\n{}",
            placeholders(&args.join(" "), &root),
            output.code,
            output.stdout,
            output.stderr
        );
        if let Some(name) = &self.snapshot {
            let file = module_path!().split("::").next().unwrap_or("tests");
            let mut settings = insta::Settings::clone_current();
            settings
                .set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            settings.bind(|| insta::assert_snapshot!(format!("{file}__{name}"), whole));
        } else {
            assert!(
                // A list's membership: the exit codes allowed.
                self.status.contains(&output.code),
                "exit code {} (expected {:?}) of\n{whole}",
                output.code,
                self.status
            );
        }
        if let Some(expected) = &self.stdout {
            pretty_eq("stdout", expected, &output.stdout, &whole);
        }
        if let Some(expected) = &self.stderr {
            pretty_eq("stderr", expected, &output.stderr, &whole);
        }
        let script = match self.ledger {
            Ledger::Script(script) => Some(script),
            Ledger::Folder(_) => None,
        };
        (output, script)
    }
}

/// An argument as the header of a snapshot shows it: control characters and bidi overrides
/// written as `\u{..}`, so that a snapshot file holds none raw.
fn visible(arg: &str) -> String {
    arg.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Fails with both texts in full, and the actual one as a Rust literal, so a new expectation
/// can be read off the message.
#[track_caller]
fn pretty_eq(stream: &str, expected: &str, actual: &str, whole: &str) {
    assert!(
        expected == actual,
        "{stream} differs.\n=== expected {stream}\n{expected}=== actual {stream}\n{actual}=== \
         as a Rust literal\n{actual:?}\n=== the whole run\n{whole}"
    );
}

/// Replaces the ledger's root (as given and as the system resolves it) with `[ROOT]` and the
/// temporary folder with `[TEMP]`, longest first.
pub fn placeholders(text: &str, root: &Path) -> String {
    let mut out = text.to_string();
    let temp = std::env::temp_dir();
    let mut paths: Vec<(String, &str)> = Vec::new();
    for (path, name) in [(root.to_path_buf(), "[ROOT]"), (temp, "[TEMP]")] {
        if let Ok(canonical) = path.canonicalize() {
            paths.push((canonical.to_string_lossy().into_owned(), name));
        }
        paths.push((path.to_string_lossy().into_owned(), name));
    }
    paths.sort_by_key(|(path, _)| std::cmp::Reverse(path.len()));
    for (path, name) in paths {
        let path = path.trim_end_matches('/');
        if !path.is_empty() && path != "/" {
            out = out.replace(path, name);
        }
    }
    random_names(&out)
}

/// `note` keeps notes it could not add in `[TEMP]/rapport-note-XXXXXX.md`, six random
/// characters: they read `[RANDOM]`.
fn random_names(text: &str) -> String {
    const PREFIX: &str = "[TEMP]/rapport-note-";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        let (before, after) = rest.split_at(at + PREFIX.len());
        out.push_str(before);
        let random: String = after.chars().take(6).collect();
        if random.len() == 6 && random.chars().all(|c| c.is_ascii_alphanumeric()) {
            out.push_str("[RANDOM]");
            rest = &after[6..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}
