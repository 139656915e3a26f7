//! Reviews built by hand for the renderers' tests: one with every status, field changes, an
//! added meeting and hostile text in every string a ledger file controls.

use std::sync::Arc;

use crate::analysis::base::Base;
use crate::analysis::reconfigured::ConfigChange;
use crate::analysis::review::{Before, FileChange, PartnershipReview, Review, Reviewed, Status};
use crate::ledger::body::MeetingData;
use crate::ledger::changes::Change;
use crate::ledger::model::Side;
use crate::ledger::{ActionItem, Commit, Date, Diagnostic, Meeting};
use crate::signs::testing::finding;
use crate::signs::{Acknowledgement, Evidence, Measure, Severity, Worse};

/// Hostile text as a partner name, a meeting title or a note could carry it.
pub const HOSTILE: &str = "Acme <img src=x onerror=alert(1)> [win](https://evil.example) @octocat #12\n::error::injected %0A \u{1b}[31mred\u{1b}[0m \u{202e}gnp.exe";

fn date(text: &str) -> Date {
    Date::parse(text).unwrap_or(Date(chrono::NaiveDate::MIN))
}

fn commit(id: &str, day: &str, summary: &str) -> Arc<Commit> {
    Arc::new(Commit {
        id: id.repeat(40 / id.len()),
        short: id.repeat(8 / id.len()),
        author: "Priya Raman".into(),
        time: 0,
        date: date(day),
        summary: summary.into(),
    })
}

/// A review with every status: `kestrel` (hostile name) has a new error with a numeric series,
/// a worsened KPI, a resolved and an unchanged finding, an acknowledged one, field changes and
/// an added meeting; `cobalt` was only moved, its finding unchanged.
pub fn review() -> Review {
    let name = HOSTILE;
    let file = "partners/resellers/kestrel.md";
    let mut slip = finding(
        "payment-terms-slip",
        "kestrel",
        name,
        file,
        12,
        "terms.payment_days",
    );
    slip.severity = Severity::Error;
    slip.message = "payment terms went from net-30 to net-120 in 19 months".into();
    slip.evidence = vec![
        Evidence::in_commit(
            date("2023-09-12"),
            "aaaaaaaa",
            "terms.payment_days = 30",
            Some(30.0),
        ),
        Evidence::in_commit(
            date("2024-08-07"),
            "bbbbbbbb",
            "terms.payment_days = 45",
            Some(45.0),
        ),
        Evidence::in_commit(
            date("2025-02-03"),
            "cccccccc",
            "terms.payment_days = 60",
            Some(60.0),
        ),
        Evidence::in_commit(
            date("2025-04-19"),
            "dddddddd",
            "terms.payment_days = 120",
            Some(120.0),
        ),
    ];
    slip.measure = Some(Measure::new("terms.payment_days", 120.0, Worse::Higher));
    let mut missed = finding(
        "targets-missed",
        "kestrel",
        name,
        file,
        20,
        "sourced-pipeline",
    );
    missed.message = format!("KPI `sourced-pipeline` at 90,000 of 400,000 (22%) <b>{HOSTILE}</b>");
    missed.evidence = vec![
        Evidence::dated(
            date("2025-03-31"),
            "sourced-pipeline = 150,000 of 400,000",
            Some(150000.0),
        ),
        Evidence::dated(
            date("2025-06-30"),
            "sourced-pipeline = 90,000 of 400,000",
            Some(90000.0),
        ),
    ];
    missed.measure = Some(
        Measure::new("kpis.sourced-pipeline.actual", 90000.0, Worse::Lower).target(Some(400000.0)),
    );
    let mut late = finding("late-payment", "kestrel", name, file, 31, "invoices");
    late.message = "2 partner invoices paid late".into();
    let mut cadence = finding(
        "meeting-cadence-drop",
        "kestrel",
        name,
        file,
        40,
        "meetings",
    );
    cadence.message = "no meeting for 137 days".into();
    let mut price = finding("price-cut", "kestrel", name, file, 12, "terms.price");
    price.message = "price cut from [redacted] to [redacted] (-47%)".into();
    price.acknowledgement = Acknowledgement::Acknowledged {
        reason: format!("volume discount agreed {HOSTILE}"),
        until: Some(date("2025-12-31")),
    };
    let kestrel = PartnershipReview {
        id: "kestrel".into(),
        name: name.into(),
        file: FileChange::Modified,
        path: Some(file.into()),
        base_path: Some(file.into()),
        valid: true,
        changes_omitted: 0,
        changes: vec![
            Change::Field {
                path: "terms.payment_days".into(),
                from: Some("60".into()),
                to: Some("120".into()),
            },
            Change::Field {
                path: "terms.price".into(),
                from: Some("[redacted]".into()),
                to: Some("[redacted]".into()),
            },
            Change::ContactLevelChanged {
                name: format!("Dana {HOSTILE}"),
                side: Side::Partner,
                from: Some("executive".into()),
                to: Some("manager".into()),
            },
            Change::ScopeReworded {
                id: "l2-support".into(),
                from: "Second-line support for EU customers".into(),
                to: "Second-line support for EU customers, <script>alert(1)</script> best effort"
                    .into(),
                similarity: 0.7,
            },
            Change::MeetingAdded {
                date: date("2025-06-20"),
                title: HOSTILE.into(),
            },
        ],
        meetings: vec![Meeting::from(MeetingData {
            date: date("2025-06-20"),
            title: HOSTILE.into(),
            line: 44,
            attendees: vec!["Dana Whitfield".into(), "@octocat".into()],
            items: vec![ActionItem {
                text: format!("send the revised plan {HOSTILE}"),
                owner: Some(Side::Partner),
                due: Some(date("2025-07-15")),
                done: false,
                line: 48,
            }],
            text: Arc::from(format!("Quarterly review. {HOSTILE}")),
        })],
        hidden_meetings: Vec::new(),
        findings: vec![
            Reviewed {
                status: Status::New,
                finding: slip,
                before: None,
                silenced_by: Vec::new(),
            },
            Reviewed {
                status: Status::Worsened,
                finding: missed.clone(),
                before: Some(Before {
                    severity: Severity::Warning,
                    message: "KPI `sourced-pipeline` at 150,000 of 400,000 (37%)".into(),
                    measure: Some(
                        Measure::new("kpis.sourced-pipeline.actual", 150000.0, Worse::Lower)
                            .target(Some(400000.0)),
                    ),
                }),
                silenced_by: Vec::new(),
            },
            Reviewed {
                status: Status::Resolved,
                finding: late,
                before: None,
                silenced_by: Vec::new(),
            },
            Reviewed {
                status: Status::Acknowledged,
                finding: price.clone(),
                before: Some(Before {
                    severity: price.severity,
                    message: price.message.clone(),
                    measure: None,
                }),
                silenced_by: Vec::new(),
            },
            Reviewed {
                status: Status::Unchanged,
                finding: cadence.clone(),
                before: Some(Before {
                    severity: cadence.severity,
                    message: cadence.message.clone(),
                    measure: None,
                }),
                silenced_by: Vec::new(),
            },
        ],
    };
    let mut downgrade = finding(
        "contact-downgrade",
        "cobalt",
        "Cobalt Cloud",
        "partners/cloud/cobalt-cloud.md",
        9,
        "partner",
    );
    downgrade.message = "the partner's primary contact went from executive to manager".into();
    let cobalt = PartnershipReview {
        id: "cobalt".into(),
        name: "Cobalt Cloud".into(),
        file: FileChange::Moved,
        path: Some("partners/cloud/cobalt-cloud.md".into()),
        base_path: Some("partners/cobalt.md".into()),
        valid: true,
        changes_omitted: 0,
        changes: vec![Change::Moved {
            from: "partners/cobalt.md".into(),
            to: "partners/cloud/cobalt-cloud.md".into(),
        }],
        meetings: Vec::new(),
        hidden_meetings: Vec::new(),
        findings: vec![Reviewed {
            status: Status::Unchanged,
            before: Some(Before {
                severity: downgrade.severity,
                message: downgrade.message.clone(),
                measure: None,
            }),
            finding: downgrade,
            silenced_by: Vec::new(),
        }],
    };
    Review {
        base: Base {
            rev: "origin/main".into(),
            source: "GITHUB_BASE_REF".into(),
        },
        head_rev: "HEAD".into(),
        merge_base: commit("1234", "2025-06-01", "Cobalt: June sync"),
        head: commit("abcd", "2025-06-30", "Kestrel: new terms <b>bold</b>"),
        now: date("2025-06-30"),
        config_changed: false,
        config_changes: Vec::new(),
        partnerships: vec![kestrel, cobalt],
        diagnostics: Vec::new(),
        file_warnings: Vec::new(),
        prefix: String::new(),
        warnings: Vec::new(),
    }
}

/// The review of [`review`] where the change also switched `tension-rising` off in
/// `rapport.yaml` (and added an exclusion whose glob is hostile text): one finding silenced.
pub fn silenced_review() -> Review {
    let mut review = review();
    let file = "partners/resellers/kestrel.md";
    let mut tension = finding("tension-rising", "kestrel", HOSTILE, file, 52, "notes");
    tension.message = format!("conflict words at 14 per 1,000 words in the last 90 days {HOSTILE}");
    let switched_off = ConfigChange {
        key: "rules.tension-rising.enabled".into(),
        before: "true".into(),
        after: "false".into(),
        line: Some(4),
    };
    review.config_changed = true;
    review.config_changes = vec![
        ConfigChange {
            key: "exclude".into(),
            before: r#"["README.md","_*"]"#.into(),
            // As serde_json writes a list of globs a file controls.
            after: serde_json::to_string(&["README.md", "_*", &format!("```{HOSTILE}")])
                .unwrap_or_default(),
            line: Some(2),
        },
        switched_off.clone(),
    ];
    if let Some(kestrel) = review.partnerships.first_mut() {
        kestrel.findings.insert(
            0,
            Reviewed {
                status: Status::Silenced,
                before: Some(Before {
                    severity: tension.severity,
                    message: tension.message.clone(),
                    measure: None,
                }),
                finding: tension,
                silenced_by: vec![switched_off],
            },
        );
    }
    review
}

/// A review whose change only added a calm meeting note: nothing new, nothing resolved.
pub fn quiet_review() -> Review {
    let mut review = review();
    review.partnerships.truncate(1);
    if let Some(p) = review.partnerships.first_mut() {
        p.changes
            .retain(|c| matches!(c, Change::MeetingAdded { .. }));
        p.findings.retain(|r| r.status == Status::Unchanged);
    }
    review
}

/// A review whose change left a file invalid at head.
pub fn invalid_review() -> Review {
    let mut review = quiet_review();
    if let Some(p) = review.partnerships.first_mut() {
        p.valid = false;
        p.findings.clear();
    }
    review.diagnostics = vec![Diagnostic::file(
        "partners/resellers/kestrel.md",
        "unknown-field",
        format!("unknown field `payment_dayz` {HOSTILE}"),
        "did you mean `payment_days`?",
    )];
    review
}
