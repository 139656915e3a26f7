//! The `Test` builder of `tests/common` fails when a run differs from what it expects in any
//! part: exit code, standard output, standard error. Without these, a test written with it
//! could pass whatever rapport did.

mod common;

use common::{Script, Test, partnership};

/// A ledger with one valid partnership, checked at a fixed "now".
fn ledger() -> Script {
    Script::new().commit(
        "2024-06-12",
        "Start",
        &[(
            "partners/northwind.md",
            &partnership(
                "Northwind Analytics",
                "kpis:\n  - { id: pipeline, target: 100, actual: 100, as_of: 2024-06-01 }\n",
                "",
            ),
        )],
    )
}

const CLEAN: &str = "1 partnership file checked: all valid; no findings\n";

#[test]
fn a_run_that_is_as_expected_passes() {
    Test::new(ledger())
        .args(["check", "--as-of", "2024-06-12"])
        .stdout(CLEAN)
        .run();
}

#[test]
#[should_panic(expected = "stdout differs")]
fn by_default_standard_output_must_be_empty() {
    Test::new(ledger())
        .args(["check", "--as-of", "2024-06-12"])
        .run();
}

#[test]
#[should_panic(expected = "stdout differs")]
fn a_different_standard_output_fails() {
    Test::new(ledger())
        .args(["check", "--as-of", "2024-06-12"])
        .stdout(CLEAN.replace("no findings", "no finding"))
        .run();
}

#[test]
#[should_panic(expected = "exit code 2 (expected [0])")]
fn by_default_the_exit_code_must_be_0() {
    Test::new(ledger())
        .args(["check", "--rev", "no-such-branch"])
        .any_stderr()
        .run();
}

#[test]
#[should_panic(expected = "stderr differs")]
fn by_default_standard_error_must_be_empty() {
    Test::new(ledger())
        .args(["check", "--rev", "no-such-branch"])
        .status(2)
        .run();
}

#[test]
fn temporary_paths_read_as_placeholders() {
    let script = ledger();
    let root = script.path().to_path_buf();
    let canonical = root.canonicalize().expect("the ledger's folder");
    assert_eq!(
        common::placeholders(&format!("in {}/partners", canonical.display()), &root),
        "in [ROOT]/partners"
    );
    assert_eq!(
        common::placeholders(&format!("at {}/partners", root.display()), &root),
        "at [ROOT]/partners"
    );
}
