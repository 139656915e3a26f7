//! The writing commands when writing goes wrong or must not happen: a note whose append fails
//! (the file moved away while the editor was open, made read-only, past the file-size limit)
//! leaves the file byte for byte as it was and keeps what was typed in a draft it names; a
//! file with other names (a hard link) and a git folder not named `.git` are never written.

#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{Run, northwind_after_qbr as northwind, northwind_team_ledger as team_ledger};

/// What the user types in the editor: the notes they would hate to lose.
const TYPED: &str = "Dana confirmed the renewal budget; 王伟 takes over the Shenzhen pilot.";

/// An editor that types [`TYPED`] into the draft, then runs `then` (with `$1` the draft).
fn editor(dir: &Path, then: &str) -> PathBuf {
    let path = dir.join("fake-editor");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nshift $(($# - 1))\n\
             sed -i 's/<!-- What was said and agreed. -->/{TYPED}/' \"$1\"\n{then}\n"
        ),
    )
    .expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn command(dir: &Path, args: &[&str], drafts: &Path) -> Command {
    let mut command = Command::cargo_bin("rapport").expect("the binary is built");
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TMPDIR", drafts)
        .env_remove("VISUAL")
        .env_remove("EDITOR");
    command
}

const NOTE: [&str; 7] = [
    "note",
    "northwind",
    "--edit",
    "--title",
    "Renewal prep",
    "--date",
    "2024-09-02",
];

/// The drafts left in `drafts`, with their text.
fn drafts_in(drafts: &Path) -> Vec<(PathBuf, String)> {
    let mut found: Vec<_> = std::fs::read_dir(drafts)
        .expect("the drafts folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("rapport-note-"))
        })
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("a draft is text");
            (p, text)
        })
        .collect();
    found.sort();
    found
}

/// Exit 2, nothing added, and the one draft named on standard error holds what was typed.
fn draft_kept(run: &Run, drafts: &Path, cause: &str) {
    assert_eq!(
        run.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(run.stdout, "");
    assert!(
        // A refusal whose message names a temporary draft and an OS error: the cause is looked for.
        run.stderr.contains(cause),
        "expected {cause:?} in:\n{}",
        run.stderr
    );
    let kept = drafts_in(drafts);
    assert_eq!(kept.len(), 1, "one draft kept: {kept:?}\n{}", run.stderr);
    let (path, text) = &kept[0];
    assert!(
        // The draft's name is random: the line is built from the draft found.
        run.stderr.contains(&format!(
            "note: nothing was added to partners/northwind.md; your notes are kept in {}\n",
            path.display()
        )),
        "{}",
        run.stderr
    );
    // The draft the editor left: what was typed, and the heading.
    assert!(text.contains(TYPED), "{text}");
    // The draft the editor left: the meeting's heading.
    assert!(text.contains("## 2024-09-02 Renewal prep"), "{text}");
}

#[test]
fn a_file_moved_away_while_the_editor_is_open_keeps_the_draft() {
    let script = team_ledger();
    let drafts = tempfile::tempdir().expect("drafts");
    let elsewhere = tempfile::tempdir().expect("elsewhere");
    let file = script.path().join("partners/northwind.md");
    let moved = elsewhere.path().join("northwind.md");
    let tool = editor(
        drafts.path(),
        &format!("mv '{}' '{}'", file.display(), moved.display()),
    );
    let mut note = command(script.path(), &NOTE, drafts.path());
    note.env("EDITOR", &tool);
    let run = Run::from(note.output().expect("runs"));
    draft_kept(&run, drafts.path(), "error: not written: cannot write ");
    assert!(!file.exists());
    assert_eq!(std::fs::read_to_string(&moved).expect("moved"), northwind());
}

#[test]
fn a_file_made_read_only_keeps_the_draft() {
    // Root writes to read-only files: the note is added by another user.
    // SAFETY: geteuid reads the process's effective user id and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let script = team_ledger();
    let drafts = tempfile::tempdir().expect("drafts");
    let file = script.path().join("partners/northwind.md");
    let tool = editor(drafts.path(), &format!("chmod 444 '{}'", file.display()));
    let mut note = if root {
        for path in [script.path(), drafts.path()] {
            let status = std::process::Command::new("chown")
                .args(["-R", "65534:65534"])
                .arg(path)
                .status()
                .expect("chown runs");
            assert!(status.success());
        }
        let mut note = Command::new("setpriv");
        note.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_rapport"))
            .args(NOTE)
            .current_dir(script.path())
            .env("NO_COLOR", "1")
            .env("TMPDIR", drafts.path())
            .env_remove("VISUAL");
        note
    } else {
        command(script.path(), &NOTE, drafts.path())
    };
    note.env("EDITOR", &tool);
    let run = Run::from(note.output().expect("runs"));
    draft_kept(&run, drafts.path(), "Permission denied");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), northwind());
}

#[test]
fn past_the_file_size_limit_the_file_is_left_whole_and_the_draft_kept() {
    let script = team_ledger();
    let drafts = tempfile::tempdir().expect("drafts");
    let file = script.path().join("partners/northwind.md");
    // The file is padded to just under 10 KiB with a long meeting in Chinese; `ulimit -f 10`
    // lets it grow by a few bytes only, fewer than the note, and cuts a write mid-character.
    let mut text = northwind();
    text.push_str("\n## 2024-07-01 Shenzhen rollout\n\n");
    while text.len() < 10 * 1024 - 60 {
        text.push_str("深圳试点进展顺利。");
    }
    text.push('\n');
    std::fs::write(&file, &text).expect("write");
    let before = std::fs::read(&file).expect("read");
    let tool = editor(drafts.path(), "");
    let mut note = Command::new("bash");
    note.arg("-c")
        .arg("ulimit -f 10 && exec \"$@\"")
        .arg("limited")
        .arg(env!("CARGO_BIN_EXE_rapport"))
        .args(NOTE)
        .current_dir(script.path())
        .env("NO_COLOR", "1")
        .env("TMPDIR", drafts.path())
        .env_remove("VISUAL")
        .env("EDITOR", &tool);
    let run = Run::from(note.output().expect("runs"));
    draft_kept(
        &run,
        drafts.path(),
        "file-size limit of 10240 bytes (ulimit -f)",
    );
    assert_eq!(std::fs::read(&file).expect("read"), before, "byte for byte");
}

#[test]
fn a_note_that_is_added_leaves_no_draft_behind() {
    let script = team_ledger();
    let drafts = tempfile::tempdir().expect("drafts");
    let tool = editor(drafts.path(), "");
    let mut note = command(script.path(), &NOTE, drafts.path());
    note.env("EDITOR", &tool);
    let run = Run::from(note.output().expect("runs"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(drafts_in(drafts.path()).is_empty());
    let after = std::fs::read_to_string(script.path().join("partners/northwind.md")).expect("read");
    // The file the editor wrote: what was typed is in it.
    assert!(after.contains(TYPED), "{after}");
}

#[test]
fn a_hard_link_to_a_file_outside_is_never_written() {
    let script = team_ledger();
    let drafts = tempfile::tempdir().expect("drafts");
    let outside = tempfile::tempdir_in(script.path().parent().expect("parent")).expect("outside");
    let secret = outside.path().join("board-minutes.md");
    std::fs::write(&secret, northwind()).expect("write");
    let file = script.path().join("partners/northwind.md");
    std::fs::remove_file(&file).expect("rm");
    std::fs::hard_link(&secret, &file).expect("a hard link");
    let mut note = command(
        script.path(),
        &[
            "note",
            "northwind",
            "--title",
            "Renewal prep",
            "--date",
            "2024-09-02",
        ],
        drafts.path(),
    );
    note.write_stdin(format!("{TYPED}\n"));
    let run = Run::from(note.output().expect("runs"));
    draft_kept(
        &run,
        drafts.path(),
        "partners/northwind.md has 2 hard links: the same file has other names, maybe outside the ledger",
    );
    assert!(
        run.stderr
            // A refusal whose message names a temporary folder: its help is looked for.
            .contains("help: rapport never writes through a hard link")
    );
    assert_eq!(std::fs::read_to_string(&secret).expect("read"), northwind());
}

/// Every file under `dir`, by path, with its bytes.
fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.insert(path.clone(), Vec::new());
                walk(&path, out);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

#[test]
fn init_refuses_a_git_folder_whatever_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (git_dir, work) = (dir.path().join("ledger-git"), dir.path().join("ledger"));
    let status = std::process::Command::new("git")
        .args(["init", "-q", "--separate-git-dir"])
        .arg(&git_dir)
        .arg(&work)
        .status()
        .expect("git runs");
    assert!(status.success());
    let before = files_under(&git_dir);
    let shown = git_dir.canonicalize().expect("canonical");
    for target in [git_dir.clone(), git_dir.join("refs/heads/ledger")] {
        let run = Run::from(
            command(dir.path(), &["init"], dir.path())
                .arg(&target)
                .output()
                .expect("runs"),
        );
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{}", run.stderr);
        assert!(
            // The message names a canonical temporary folder: the sentence is looked for.
            run.stderr.contains(&format!(
                "is inside the repository's git folder {}, which rapport never writes to",
                shown.display()
            )),
            "{}",
            run.stderr
        );
        assert_eq!(files_under(&git_dir), before, "the git folder is untouched");
    }
    // From inside the git folder too.
    let run = Run::from(
        command(&git_dir, &["init"], dir.path())
            .output()
            .expect("runs"),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(files_under(&git_dir), before);
    // The working tree is where the ledger goes.
    let run = Run::from(
        command(dir.path(), &["init"], dir.path())
            .arg(&work)
            .output()
            .expect("runs"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(work.join("partners/northwind.md").is_file());
}
