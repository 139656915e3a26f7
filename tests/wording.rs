//! Words that said something else than what happened: a reader closing the pipe on JSON, a
//! failed write called a read, libgit2's "no error" as a reason, a sentence that stopped short,
//! a UTF-16 file called binary.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Stdio;

use common::{Script, Test, northwind_front, partnership};

/// `rapport ARGS` in `dir`.
fn rapport(dir: &Path, args: &[&str]) -> Test {
    Test::in_dir(dir).args(args)
}

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
    // The demo's report is pinned by sample_ledger's tests.
    rapport(dir.path(), &["demo", "--keep", &sample.to_string_lossy()])
        .any_stdout()
        .run();
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
    rapport(
        script.path(),
        &[
            "report",
            "--base",
            "HEAD~1",
            "--output",
            &format!("markdown={}", missing.display()),
        ],
    )
    .status(2)
    .stdout("Change f56a7862..22fe458d (merge base of HEAD~1, from --base; analysed as of 2024-06-12)

Northwind Analytics (northwind): modified partners/northwind.md
  ~ terms.payment_days: 30 → 60
  + meeting 2024-06-12 Quarterly business review (Dana Whitfield, Priya Raman)
  new   partners/northwind.md:13: error[payment-terms-slip]: payment terms went from net-30 to net-60 in 4 months
    = sign 9: payments delayed, terms stretched, prices cut
    = evidence: 2024-02-12 f56a7862 terms.payment_days = 30
                2024-06-12 22fe458d terms.payment_days = 60
    = fix: Renegotiate: tie longer terms to something you get in return (a discount, volume), put the terms back on the agenda of the next contract review, and check the partner's financial health.

1 partnership touched; finding: 1 new
")
    .stderr("error: cannot write [ROOT]/no-such-folder/rapport.md: No such file or directory (os error 2)
")
    .run();
    // The step summary is a folder: it cannot be written either.
    rapport(
        script.path(),
        &["report", "--base", "HEAD~1", "--format", "github"],
    )
    .env("GITHUB_STEP_SUMMARY", script.path().join("partners"))
    .status(2)
    .stdout("::error file=partners/northwind.md,line=13,title=rapport payment-terms-slip (new)::Northwind Analytics: payment terms went from net-30 to net-60 in 4 months%0ARemedy: Renegotiate: tie longer terms to something you get in return (a discount, volume), put the terms back on the agenda of the next contract review, and check the partner's financial health.
")
    .stderr("error: cannot write [ROOT]/partners: Is a directory (os error 21)
")
    .run();
}

#[test]
fn a_previous_branch_that_is_not_there_is_said_in_words() {
    let script = team_ledger();
    // Said in words, never libgit2's "no error" as a reason.
    rapport(script.path(), &["check", "--rev", "@{-1}"])
        .status(2)
        .stderr("error: unknown revision `@{-1}`: `@{-N}` names the branch checked out N switches ago, and this repository's reflog of HEAD records fewer switches (a fresh clone records none)
help: name a commit, branch or tag that exists here, such as HEAD, main or a commit id (`git log --oneline` lists them); a remote branch must be fetched first: git fetch origin BRANCH
")
        .run();
}

#[test]
fn terms_out_of_range_are_said_in_a_whole_sentence() {
    let script = team_ledger();
    std::fs::write(
        script.path().join("partners/northwind.md"),
        partnership("Northwind Analytics", &northwind_front(99999, ""), ""),
    )
    .expect("write");
    rapport(
        script.path(),
        &["check", "--fail-on", "never", "--as-of", "2024-06-12"],
    )
    .status(2)
    .stdout("partners/northwind.md:13:10: error[out-of-range]: payment terms of 99999 days are out of range: they are from 0 to 3650 days
   |
13 | terms: { payment_days: 99999, price: 120000, currency: EUR, renewal: 2025-01-15 }
   |          ^
  = help: write the net payment days as a number from 0 to 3650 (net-30 is `30`)

1 problem in 1 of 1 file; no findings
")
    .run();
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
        // Named UTF-16, never binary, with how to convert it.
        rapport(
            script.path(),
            &["check", "partners/beifeng.md", "--as-of", "2024-06-12"],
        )
        .snapshot(&format!("a_utf16_file_{order}"))
        .run();
    }
}
