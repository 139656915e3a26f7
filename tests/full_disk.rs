//! A note written to a disk that fills up part way: the append writes what fits, the disk says
//! "no space left", and rapport cuts the file back to its length before the note, so the
//! partnership stays byte for byte as it was (never half a section, never half a character), and
//! the notes stay in the draft it names.
//!
//! The disk is real: a 256 KiB tmpfs mounted in a private mount namespace (`unshare --mount`),
//! filled until only a few pages are left, holding a copy of the ledger's repository. This needs
//! the right to mount, which CI containers running as root have; the test says so when it is
//! missing rather than passing.

#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::process::Command;

use common::northwind_team_ledger as ledger;

/// About 30 KB of notes, Chinese and English, more than the pages left free on the disk.
fn long_notes() -> String {
    let mut notes = String::new();
    for week in 1..=300 {
        notes.push_str(&format!(
            "Week {week}: 深圳试点进展顺利，王伟负责上线；Dana confirmed the budget.\n"
        ));
    }
    notes
}

/// Mounts the small disk, copies the ledger onto it, fills it to `free_pages` pages, runs
/// `rapport note` with `notes` on standard input there, then copies the file back out to `out`.
/// Returns the run's exit code, stdout and stderr (the disk's path written `[DISK]`).
fn note_on_a_full_disk(
    ledger: &Path,
    drafts: &Path,
    out: &Path,
    notes: &str,
) -> (i32, String, String) {
    let mount = tempfile::tempdir().expect("a mount point");
    let script = r#"
set -e
mount -t tmpfs -o size=256k rapport-test "$MNT"
cp -a "$LEDGER/." "$MNT/ledger"
# Keep a few pages, fill the rest until the disk says no, then free the pages kept.
head -c 12288 /dev/zero > "$MNT/reserve"
head -c 1048576 /dev/zero > "$MNT/filler" 2>/dev/null || true
rm "$MNT/reserve"
set +e
(cd "$MNT/ledger" && "$RAPPORT" note northwind --title 'Shenzhen pilot' --date 2024-09-02) \
  < "$NOTES" > "$OUT/stdout" 2> "$OUT/stderr"
echo $? > "$OUT/code"
cp "$MNT/ledger/partners/northwind.md" "$OUT/northwind.md"
"#;
    let notes_file = out.join("notes.txt");
    std::fs::write(&notes_file, notes).expect("write the notes");
    let setup = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", script])
        .env("MNT", mount.path())
        .env("LEDGER", ledger)
        .env("OUT", out)
        .env("NOTES", &notes_file)
        .env("RAPPORT", env!("CARGO_BIN_EXE_rapport"))
        .env("TMPDIR", drafts)
        .env("NO_COLOR", "1")
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .output()
        .expect("unshare runs (util-linux)");
    assert!(
        setup.status.success(),
        "mounting a small disk needs the right to mount (root, or CAP_SYS_ADMIN):\n{}",
        String::from_utf8_lossy(&setup.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(out.join(name)).expect("the run's output");
    let code = read("code").trim().parse().expect("an exit code");
    let disk = mount.path().display().to_string();
    (
        code,
        read("stdout"),
        read("stderr").replace(&disk, "[DISK]"),
    )
}

#[test]
fn a_disk_that_fills_during_the_append_leaves_the_file_whole_and_keeps_the_draft() {
    let script = ledger();
    let drafts = tempfile::tempdir().expect("drafts");
    let out = tempfile::tempdir().expect("results");
    let before = std::fs::read(script.path().join("partners/northwind.md")).expect("read");
    let notes = long_notes();

    let (code, stdout, stderr) =
        note_on_a_full_disk(script.path(), drafts.path(), out.path(), &notes);

    let after = std::fs::read(out.path().join("northwind.md")).expect("read");
    assert_eq!(
        after, before,
        "the file is byte for byte as it was:\n{stderr}"
    );
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    let drafts: Vec<_> = std::fs::read_dir(drafts.path())
        .expect("the drafts folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(drafts.len(), 1, "one draft kept: {drafts:?}\n{stderr}");
    let draft = std::fs::read_to_string(&drafts[0]).expect("the draft is text");
    // The section's template is pinned whole by tests/writing.rs; here what matters is that the
    // heading and every line typed survive.
    assert!(draft.contains("## 2024-09-02 Shenzhen pilot"), "{draft}");
    assert!(draft.contains(&notes), "every line typed is in the draft");
    let expected = format!(
        "note: nothing was added to partners/northwind.md; your notes are kept in {}\n\
         error: not written: cannot write [DISK]/ledger/partners/northwind.md: \
         No space left on device (os error 28)\n",
        drafts[0].display()
    );
    assert_eq!(stderr, expected);
}

#[test]
fn a_note_that_fits_on_the_nearly_full_disk_is_added_whole() {
    let script = ledger();
    let drafts = tempfile::tempdir().expect("drafts");
    let out = tempfile::tempdir().expect("results");
    let before =
        std::fs::read_to_string(script.path().join("partners/northwind.md")).expect("read");
    let notes = "王伟 confirmed the Shenzhen go-live date.\n";

    let (code, stdout, stderr) =
        note_on_a_full_disk(script.path(), drafts.path(), out.path(), notes);

    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let after = std::fs::read_to_string(out.path().join("northwind.md")).expect("read");
    assert!(
        after.starts_with(&before),
        "the note is appended after every byte there was"
    );
    assert!(
        after[before.len()..].contains("## 2024-09-02 Shenzhen pilot"),
        "{after}"
    );
    assert!(after[before.len()..].contains(notes), "{after}");
    assert_eq!(
        std::fs::read_dir(drafts.path()).expect("drafts").count(),
        0,
        "no draft left"
    );
}
