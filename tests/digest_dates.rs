//! `rapport digest --format json`: each finding shown is dated (`since`) and pointed at its line
//! as the side it was found on found it: a new one in the later ledger, a resolved one in the
//! earlier ledger, a silenced one in the later ledger as the earlier configuration judges it.

mod common;

use common::{Script, partnership, rapport};

/// Northwind: the partner owes the enablement plan by 2024-06-12; the payment terms slipped
/// from net-30 to net-60 in April.
fn northwind(item: &str) -> String {
    partnership(
        "Northwind Analytics",
        &format!(
            "since: 2024-01-15\n\
             contacts:\n  - {{ name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }}\n  \
             - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}\n\
             terms: {{ payment_days: {}, renewal: 2025-09-30, notice_days: 60 }}\n",
            if item.is_empty() { 30 } else { 60 }
        ),
        &format!(
            "\n## 2024-05-29 Weekly sync\nAttendees: Dana Whitfield, Priya Raman\n\n\
             Pipeline review went well.\n\n- {item}\n"
        ),
    )
}

const OPEN: &str = "[ ] partner: send revised enablement plan (due 2024-06-12)";
const DONE: &str = "[x] partner: send revised enablement plan (due 2024-06-12)";

fn ledger() -> Script {
    Script::new()
        .commit(
            "2024-03-01",
            "Northwind",
            &[("partners/northwind.md", &northwind(""))],
        )
        .commit(
            "2024-05-29",
            "Northwind: weekly sync, terms net-60",
            &[("partners/northwind.md", &northwind(OPEN))],
        )
}

/// Each finding of the digest's JSON as `change rule since-date line`.
fn shown(script: &Script, since: &str, until: &str) -> Vec<String> {
    let run = rapport(
        script.path(),
        &[
            "digest", "--since", since, "--until", until, "--format", "json",
        ],
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let mut out = Vec::new();
    for owner in json["owners"].as_array().expect("owners") {
        for partnership in owner["partnerships"].as_array().expect("partnerships") {
            for f in partnership["findings"].as_array().expect("findings") {
                out.push(format!(
                    "{} {} {} {}",
                    f["change"].as_str().unwrap_or("?"),
                    f["rule"].as_str().unwrap_or("?"),
                    f["since"]["date"].as_str().unwrap_or("undated"),
                    f["line"],
                ));
            }
        }
    }
    out
}

#[test]
fn a_new_finding_is_dated_when_it_began_and_points_at_its_line() {
    let script = ledger();
    assert_eq!(
        shown(&script, "2024-06-07", "2024-06-14"),
        ["new partner-unresponsive 2024-06-13 20"]
    );
}

#[test]
fn a_resolved_finding_keeps_the_date_the_earlier_ledger_gave_it() {
    let script = ledger().commit(
        "2024-07-02",
        "Northwind sent the plan",
        &[("partners/northwind.md", &northwind(DONE))],
    );
    assert_eq!(
        shown(&script, "2024-06-28", "2024-07-05"),
        ["resolved partner-unresponsive 2024-06-13 20"]
    );
}

#[test]
fn a_silenced_finding_is_dated_as_the_earlier_configuration_judges_the_later_ledger() {
    let script = ledger().commit(
        "2024-06-20",
        "Stop reporting partner items",
        &[(
            "rapport.yaml",
            "rapport: 1\nrules:\n  partner-unresponsive: { enabled: false }\n  payment-terms-slip: { enabled: false }\n",
        )],
    );
    assert_eq!(
        shown(&script, "2024-06-14", "2024-06-21"),
        [
            "silenced payment-terms-slip 2024-05-29 10",
            "silenced partner-unresponsive 2024-06-13 20"
        ]
    );
}
