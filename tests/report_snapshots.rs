//! Snapshots of what people and machines read, on the sample ledger replayed into a repository:
//! the text report, the JSON document and a partnership's timeline. The replay is deterministic
//! (fixed authors, dates and contents), so commit ids are too. Review a changed snapshot like code.

use std::path::Path;

use assert_cmd::Command;

fn replayed() -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let sample = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/sample-ledger"));
    let script = rapport::sample::script(&rapport::sample::Folder(sample)).expect("history.yaml");
    rapport::sample::replay(&rapport::sample::Folder(sample), &script, dir.path()).expect("replay");
    dir
}

fn run(dir: &Path, args: &[&str]) -> String {
    let output = Command::cargo_bin("rapport")
        .expect("binary")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn check_text_on_the_sample() {
    let dir = replayed();
    insta::assert_snapshot!(run(
        dir.path(),
        &["check", "--rev", "HEAD", "--fail-on", "never"]
    ));
}

#[test]
fn check_json_on_the_sample() {
    let dir = replayed();
    insta::assert_snapshot!(run(
        dir.path(),
        &[
            "check",
            "--rev",
            "HEAD",
            "--fail-on",
            "never",
            "--format",
            "json"
        ]
    ));
}

#[test]
fn timeline_text_of_a_troubled_partnership() {
    let dir = replayed();
    insta::assert_snapshot!(run(dir.path(), &["timeline", "kestrel"]));
}

#[test]
fn timeline_json_of_a_chinese_partnership() {
    let dir = replayed();
    insta::assert_snapshot!(run(dir.path(), &["timeline", "huaxin", "--format", "json"]));
}
