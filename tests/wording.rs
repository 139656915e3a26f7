//! Words that said something else than what happened: a reader closing the pipe on JSON, a
//! failed write called a read, libgit2's "no error" as a reason, a sentence that stopped short,
//! a UTF-16 file called binary.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;

use common::{Script, northwind_front, partnership, rapport};

fn team_ledger() -> Script {
    Script::new()
        .commit(
            "2024-02-12",
            "Northwind: start",
            &[(
                "partners/northwind.md",
                &partnership("Northwind Analytics", &northwind_front(30, ""), ""),
            )],
        )
        .commit(
            "2024-06-12",
            "Northwind: QBR, terms stretched",
            &[(
                "partners/northwind.md",
                &partnership(
                    "Northwind Analytics",
                    &northwind_front(60, ""),
                    "\n## 2024-06-12 Quarterly business review\nAttendees: Dana Whitfield, Priya Raman\n\n\
                     Pipeline is behind plan; 王伟 joins the next call.\n",
                ),
            )],
        )
}

#[test]
fn json_into_a_pipe_closed_early_exits_as_text_does() {
    // The sample ledger's JSON is far larger than a pipe's buffer.
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = dir.path().join("sample");
    let built = rapport(dir.path(), &["demo", "--keep", &sample.to_string_lossy()]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    for format in ["json", "text"] {
        let mut child = std::process::Command::cargo_bin_path(&sample)
            .args(["check", "--fail-on", "never", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        let mut first = [0u8; 1];
        child
            .stdout
            .take()
            .expect("stdout")
            .read_exact(&mut first)
            .expect("a first byte");
        // The reader is gone (`| head -c1`).
        let output = child.wait_with_output().expect("ends");
        assert_eq!(
            (
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).as_ref()
            ),
            (Some(0), ""),
            "{format}"
        );
    }
}

/// `Command::new(rapport)` in a folder, without colour.
trait RapportIn {
    fn cargo_bin_path(dir: &Path) -> std::process::Command;
}

impl RapportIn for std::process::Command {
    fn cargo_bin_path(dir: &Path) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"));
        command.current_dir(dir).env("NO_COLOR", "1");
        command
    }
}

#[test]
fn a_failed_write_says_cannot_write() {
    let script = team_ledger();
    let missing = script.path().join("no-such-folder/rapport.md");
    let run = rapport(
        script.path(),
        &[
            "report",
            "--base",
            "HEAD~1",
            "--output",
            &format!("markdown={}", missing.display()),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot write {}: No such file or directory",
            missing.display()
        )),
        "{}",
        run.stderr
    );
    // The step summary is a folder: it cannot be written either.
    let out = std::process::Command::cargo_bin_path(script.path())
        .args(["report", "--base", "HEAD~1", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", script.path().join("partners"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: cannot write {}",
            script.path().join("partners").display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_previous_branch_that_is_not_there_is_said_in_words() {
    let script = team_ledger();
    let run = rapport(script.path(), &["check", "--rev", "@{-1}"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "error: unknown revision `@{-1}`: `@{-N}` names the branch checked out N switches ago, \
             and this repository's reflog of HEAD records fewer switches (a fresh clone records none)\n"
        ),
        "{}",
        run.stderr
    );
    // Wording checked across many messages: what must not be said.
    assert!(!run.stderr.contains("no error"), "{}", run.stderr);
}

#[test]
fn terms_out_of_range_are_said_in_a_whole_sentence() {
    let script = team_ledger();
    std::fs::write(
        script.path().join("partners/northwind.md"),
        partnership("Northwind Analytics", &northwind_front(99999, ""), ""),
    )
    .expect("write");
    let run = rapport(script.path(), &["check", "--fail-on", "never"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        // Wording checked across many messages: the sentence that must be said.
        run.stdout.contains(
            "error[out-of-range]: payment terms of 99999 days are out of range: they are from 0 to 3650 days\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_utf16_file_is_named_utf16_with_how_to_convert_it() {
    let script = team_ledger();
    let text = partnership("北风科技", "", "");
    for (bom, units, order) in [
        ([0xff, 0xfe], true, "little-endian"),
        ([0xfe, 0xff], false, "big-endian"),
    ] {
        let mut bytes = bom.to_vec();
        for unit in text.encode_utf16() {
            bytes.extend(if units {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        std::fs::write(script.path().join("partners/beifeng.md"), &bytes).expect("write");
        let run = rapport(script.path(), &["check", "partners/beifeng.md"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stdout.starts_with(&format!(
                "partners/beifeng.md: error[not-utf8]: file is UTF-16 ({order}, with a byte-order mark), not UTF-8\n  \
                 = help: save the file as UTF-8 (most editors have an \"encoding\" setting), or convert it: \
                 iconv -f UTF-16 -t UTF-8 partners/beifeng.md > partners/beifeng.md.utf8 && mv partners/beifeng.md.utf8 partners/beifeng.md\n"
            )),
            "{}",
            run.stdout
        );
        // Wording checked across many messages: what must not be said.
        assert!(!run.stdout.contains("binary"), "{}", run.stdout);
    }
}
