//! `rapport digest` for people, machines and chat: a terminal summary, an issue body, versioned
//! JSON, and the payloads Slack's and Microsoft Teams' incoming webhooks take. Only formats the
//! [`Digest`] it is given; every string from the ledger or its commits goes through
//! [`escape`](super::escape), and mentions are made from `notify:` handles alone.

pub mod chat;
pub mod markdown;
pub mod text;

use std::collections::BTreeMap;

use serde::Serialize;

use super::json::{CommitView, ReviewedView, reviewed};
use crate::analysis::digest::{Alert, DeadlineKind, Digest, Entry, Point};
use crate::config::Handles;
use crate::ledger::{Date, DateWarning, Diagnostic};
use crate::report::text::plural;

/// The summary of a period, nothing from the ledger: `2 new, 1 resolved, 1 deadline in 3
/// partnerships`, or `nothing new in 12 partnerships`.
pub fn summary(digest: &Digest) -> String {
    if digest.is_quiet() {
        return format!(
            "nothing new in {} partnership{}",
            digest.partnerships,
            plural(digest.partnerships)
        );
    }
    let mut parts: Vec<String> = digest
        .counts()
        .into_iter()
        .map(|(status, n)| format!("{n} {}", status.as_str()))
        .collect();
    let alerts = digest.alerts();
    if alerts > 0 {
        parts.push(format!("{alerts} deadline{}", plural(alerts)));
    }
    let broken = digest.entries.iter().filter(|e| !e.valid).count();
    if broken > 0 {
        parts.push(format!("{broken} file{} broken", plural(broken)));
    }
    let n = digest.entries.len();
    format!("{} in {n} partnership{}", parts.join(", "), plural(n))
}

/// `2024-06-03 → 2024-06-10`.
pub fn period(digest: &Digest) -> String {
    format!("{} → {}", digest.since.date, digest.until.date)
}

/// A deadline alert as a sentence, nothing from the ledger: `notice is due by 2024-07-15, in 28
/// days (inside 30 days)`.
pub fn alert_text(alert: &Alert) -> String {
    let when = match alert.days_left {
        0 => "today".to_string(),
        1 => "in 1 day".to_string(),
        n => format!("in {n} days"),
    };
    let what = match alert.kind {
        DeadlineKind::Notice => "notice is due by",
        DeadlineKind::Renewal => "the contract renews on",
    };
    format!(
        "{what} {}, {when} (now inside {} days)",
        alert.date, alert.within
    )
}

/// The owner's name as shown: `(no owner)` when the file is gone and said none.
pub fn owner_label(owner: &str) -> &str {
    if owner.trim().is_empty() {
        "(no owner)"
    } else {
        owner
    }
}

/// What `rapport digest --format json` prints. Its JSON Schema is `schema/digest.schema.json`.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    title = "rapport digest output",
    description = "What `rapport digest --format json` prints, version 1: what changed in the ledger between two points in time"
)]
pub struct DigestDocument<'a> {
    pub version: u32,
    /// The earlier point.
    pub since: PointView<'a>,
    /// The later point.
    pub until: PointView<'a>,
    /// How many partnerships the ledger holds at the later point.
    pub partnerships: usize,
    /// Nothing new in the period.
    pub quiet: bool,
    /// Findings that moved in the period, by status.
    pub counts: BTreeMap<&'static str, usize>,
    /// Deadlines that came inside 30, 15 or 7 days in the period.
    pub alerts: usize,
    /// The partnerships with something new, grouped by owner, worst first.
    pub owners: Vec<OwnerView<'a>>,
    /// Problems in the ledger's files at the later point.
    pub diagnostics: &'a [Diagnostic],
    /// Commits whose dates contradict the commit graph or the clock (absent when there are none).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub warnings: &'a [DateWarning],
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct PointView<'a> {
    /// The date the point is analysed at.
    pub date: Date,
    /// The commit read at that point; absent when the ledger had none yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitView<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct OwnerView<'a> {
    /// `owner:` as the files write it.
    pub owner: &'a str,
    /// The owner's handles from `notify:` in rapport.yaml, when it names them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handles: Option<&'a Handles>,
    pub partnerships: Vec<EntryView<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct EntryView<'a> {
    pub id: &'a str,
    pub partner: &'a str,
    pub file: &'a str,
    /// Whether the file is valid at the later point.
    pub valid: bool,
    /// The people `notify:` names for this partnership (its owner, our contacts), by name.
    pub notify: Vec<&'a str>,
    /// The findings that moved in the period, with their status.
    pub findings: Vec<ReviewedView<'a>>,
    /// Deadlines that came inside a threshold in the period.
    pub deadlines: &'a [Alert],
    /// The commits of the period that touched the file, oldest first.
    pub commits: Vec<CommitView<'a>>,
}

fn point(point: &Point) -> PointView<'_> {
    PointView {
        date: point.date,
        commit: point.commit.as_deref().map(CommitView::of),
    }
}

fn entry<'a>(digest: &'a Digest, entry: &'a Entry) -> EntryView<'a> {
    EntryView {
        id: &entry.id,
        partner: &entry.partner,
        file: &entry.file,
        valid: entry.valid,
        notify: digest.handles(entry).into_iter().map(|(n, _)| n).collect(),
        findings: entry.findings.iter().map(reviewed).collect(),
        deadlines: &entry.alerts,
        commits: entry.commits.iter().map(|c| CommitView::of(c)).collect(),
    }
}

pub fn document(digest: &Digest) -> DigestDocument<'_> {
    DigestDocument {
        version: super::json::JSON_VERSION,
        since: point(&digest.since),
        until: point(&digest.until),
        partnerships: digest.partnerships,
        quiet: digest.is_quiet(),
        counts: digest
            .counts()
            .into_iter()
            .map(|(s, n)| (s.as_str(), n))
            .collect(),
        alerts: digest.alerts(),
        owners: digest
            .by_owner()
            .into_iter()
            .map(|group| OwnerView {
                owner: group.owner,
                handles: digest.owner_handles(group.owner),
                partnerships: group.entries.iter().map(|e| entry(digest, e)).collect(),
            })
            .collect(),
        diagnostics: &digest.diagnostics,
        warnings: &digest.warnings,
    }
}

pub fn schema() -> schemars::Schema {
    schemars::schema_for!(DigestDocument<'static>)
}
