//! `rapport check FILE...` reads only the named files' histories, as `rapport timeline` reads
//! one, yet says exactly what the whole-ledger check says about those files: the same
//! findings through a move into a subfolder, with a second partnership (written in Chinese)
//! that is a near miss left out; a file new in the working tree still gets its check.

mod common;

use common::{Output, Script, Test, partnership};

/// `rapport ARGS` in `dir`.
fn rapport(dir: &std::path::Path, args: &[&str]) -> Test {
    Test::in_dir(dir).args(args)
}

/// The JSON report of `rapport ARGS`, which must exit with `code`: read finding by finding.
#[track_caller]
fn json(dir: &std::path::Path, args: &[&str], code: i32) -> Output {
    rapport(dir, args).status(code).any_stdout().run()
}

fn terms(days: u32) -> String {
    format!(
        "contacts:\n  - {{ name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }}\n  \
         - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}\n\
         terms: {{ payment_days: {days}, price: 120000, currency: EUR }}\n"
    )
}

fn meeting(day: &str, note: &str) -> String {
    format!("\n## {day} Quarterly review\nAttendees: Dana Whitfield, Priya Raman\n\n{note}\n")
}

/// Northwind's payment terms slip from net-30 to net-90 over six months, across a move into a
/// subfolder; 华信 (Huaxin) stays at net-30 with its notes in Chinese, a near miss.
fn ledger() -> Script {
    let huaxin = |days: u32, notes: &str| {
        partnership(
            "华信科技",
            &format!(
                "id: huaxin\ncontacts:\n  - {{ name: 王芳, side: partner, role: 渠道总监, level: executive, primary: true }}\n  \
                 - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}\n\
                 terms: {{ payment_days: {days}, price: 80000, currency: CNY }}\n"
            ),
            notes,
        )
    };
    let first = meeting("2024-01-20", "Kick-off; pipeline review booked.");
    let second = format!(
        "{first}{}",
        meeting("2024-03-12", "Finance asks for longer terms.")
    );
    let third = format!(
        "{second}{}",
        meeting("2024-06-10", "Terms stretched again; no new pipeline.")
    );
    let china = meeting("2024-02-02", "季度回顾：双方确认渠道计划。");
    Script::new()
        .commit(
            "2024-01-15",
            "Start Northwind and Huaxin",
            &[
                (
                    "partners/northwind.md",
                    &partnership("Northwind", &terms(30), &first),
                ),
                ("partners/huaxin.md", &huaxin(30, "")),
            ],
        )
        .commit(
            "2024-02-02",
            "Huaxin: first review",
            &[("partners/huaxin.md", &huaxin(30, &china))],
        )
        .commit(
            "2024-03-12",
            "Northwind: net-60",
            &[(
                "partners/northwind.md",
                &partnership("Northwind", &terms(60), &second),
            )],
        )
        .rename(
            "2024-04-01",
            "File Northwind under EU",
            "partners/northwind.md",
            "partners/eu/northwind.md",
            None,
        )
        .commit(
            "2024-06-10",
            "Northwind: net-90",
            &[(
                "partners/eu/northwind.md",
                &partnership("Northwind", &terms(90), &third),
            )],
        )
}

/// The findings of a `check --format json` run, each as `(partnership, rule)`.
fn findings(out: &Output) -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    doc["findings"]
        .as_array()
        .expect("a findings list")
        .iter()
        .map(|f| {
            (
                f["partnership"].as_str().unwrap_or_default().to_string(),
                f["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_named_file_gets_the_same_findings_as_the_whole_ledger_check() {
    let script = ledger();
    let dir = script.path();
    let whole = json(dir, &["check", "--rev", "HEAD", "--format", "json"], 1);
    let named = json(
        dir,
        &[
            "check",
            "--rev",
            "HEAD",
            "--format",
            "json",
            "partners/eu/northwind.md",
        ],
        1,
    );
    let whole = findings(&whole);
    let named = findings(&named);
    // The slip is seen through the move.
    assert_eq!(
        named,
        [
            ("northwind".to_string(), "payment-terms-slip".to_string()),
            ("northwind".to_string(), "no-success-metrics".to_string())
        ],
        "{named:?}"
    );
    let expected: Vec<_> = whole
        .iter()
        .filter(|(id, _)| id == "northwind")
        .cloned()
        .collect();
    assert_eq!(named, expected);
    assert!(
        !whole
            .iter()
            .any(|(id, rule)| id == "huaxin" && rule == "payment-terms-slip"),
        "terms that never moved are no slip"
    );

    // The same in the working tree, and in text.
    rapport(
        dir,
        &["check", "--as-of", "2024-06-10", "partners/eu/northwind.md"],
    )
    .snapshot("a_named_file_in_the_working_tree")
    .run();
}

#[test]
fn a_file_new_in_the_working_tree_is_checked_with_the_history_it_continues() {
    let script = ledger();
    let dir = script.path();
    // Moved on disk, not committed: the file continues Northwind's history.
    std::fs::create_dir_all(dir.join("partners/archive")).expect("mkdir");
    std::fs::rename(
        dir.join("partners/eu/northwind.md"),
        dir.join("partners/archive/northwind.md"),
    )
    .expect("mv");
    let out = json(
        dir,
        &[
            "check",
            "--as-of",
            "2024-06-10",
            "--format",
            "json",
            "partners/archive/northwind.md",
        ],
        1,
    );
    let found = findings(&out);
    assert_eq!(
        found,
        [
            ("northwind".to_string(), "payment-terms-slip".to_string()),
            ("northwind".to_string(), "no-success-metrics".to_string())
        ],
        "{found:?}"
    );
}

#[test]
fn a_new_partnership_named_before_its_first_commit_is_checked_alone() {
    let script = ledger();
    let dir = script.path();
    // `rapport new` then the pre-commit hook: the file has no history yet, and its id is no
    // other file's, so it is checked as its own only version.
    let fresh = partnership(
        "Tidewater Data",
        "id: tidewater\ncontacts:\n  - { name: Lena Fischer, side: partner, role: Head of Partnerships, level: director, primary: true }\n\
         terms: { payment_days: 30, price: 80000, currency: EUR }\n",
        &meeting("2024-06-20", "Kick-off: integration plan agreed."),
    );
    std::fs::write(dir.join("partners/eu/tidewater.md"), &fresh).expect("write");
    // Warnings alone do not fail.
    let out = json(
        dir,
        &[
            "check",
            "--as-of",
            "2024-06-21",
            "--format",
            "json",
            "partners/eu/tidewater.md",
        ],
        0,
    );
    let whole = json(
        dir,
        &["check", "--as-of", "2024-06-21", "--format", "json"],
        1,
    );
    let expected: Vec<_> = findings(&whole)
        .into_iter()
        .filter(|(id, _)| id == "tidewater")
        .collect();
    assert!(!expected.is_empty(), "a file with no KPIs is noticed");
    assert_eq!(findings(&out), expected);

    // The same file with a currency written in lower case: reported at its line, exit 2.
    std::fs::write(
        dir.join("partners/eu/tidewater.md"),
        fresh.replace("currency: EUR", "currency: eur"),
    )
    .expect("write");
    rapport(
        dir,
        &["check", "--as-of", "2024-06-21", "partners/eu/tidewater.md"],
    )
    .snapshot("a_new_partnership_with_a_lower_case_currency")
    .run();
}
