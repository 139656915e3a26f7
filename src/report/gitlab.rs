//! GitLab Code Quality report (the `codequality` artifact of a merge request pipeline): one
//! issue per finding a change introduced or worsened and per problem in its files, in the subset
//! of the Code Climate format GitLab reads.
//!
//! Only new and worsened findings, because the merge request widget shows what the report
//! holds: GitLab compares the head's report with the target branch's, so a report of every
//! finding would list old ones as soon as the target branch has no report of its own, and a
//! reviewer would see the ledger's whole past instead of what the change did. Resolved findings
//! need no issue; an unchanged, improved or acknowledged one is not the change's doing.

use std::io::{self, Write};

use serde::Serialize;

use super::escape;
use super::sarif::diagnostic_fingerprints;
use crate::analysis::review::{Review, Status};
use crate::signs::Severity;

/// One Code Quality issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// Always `issue`, Code Climate's type for a finding.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The rule id; GitLab groups by it.
    pub check_name: String,
    /// One line, as the widget shows it.
    pub description: String,
    /// Unique in the report and stable across pipelines: the finding's fingerprint (hex).
    pub fingerprint: String,
    pub severity: CodeQualitySeverity,
    pub location: IssueLocation,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IssueLocation {
    /// Relative to the repository's top.
    pub path: String,
    pub lines: Lines,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Lines {
    /// 1-based; a problem with the whole file points at its first line.
    pub begin: usize,
}

/// The severities GitLab knows, least to most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeQualitySeverity {
    Info,
    Minor,
    Major,
    Critical,
    Blocker,
}

impl CodeQualitySeverity {
    /// A finding's severity; `minor` is unused so a warning shows as the problem it is.
    pub fn of(severity: Severity) -> CodeQualitySeverity {
        match severity {
            Severity::Info => CodeQualitySeverity::Info,
            Severity::Warning => CodeQualitySeverity::Major,
            Severity::Error => CodeQualitySeverity::Critical,
        }
    }
}

/// Writes the report of `review`, with paths as the review has them: relative to the ledger
/// root, which is the repository's top in the usual layout.
pub fn write(out: &mut dyn Write, review: &Review) -> io::Result<()> {
    write_under(out, review, "")
}

/// Writes the report for a ledger in a folder of its repository: `prefix` is that folder
/// relative to the repository's top, `/`-terminated (`ledger/`), or empty.
pub fn write_under(out: &mut dyn Write, review: &Review, prefix: &str) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &issues(review, prefix))?;
    writeln!(out)
}

/// The issues: diagnostics (blockers: the file cannot be analysed until fixed) first, then the
/// new and worsened findings in the review's order.
pub fn issues(review: &Review, prefix: &str) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (diagnostic, fingerprint) in review
        .diagnostics
        .iter()
        .zip(diagnostic_fingerprints(&review.diagnostics))
    {
        let mut description = format!("Invalid ledger file: {}", diagnostic.message);
        if let Some(help) = &diagnostic.help {
            description.push_str(" — ");
            description.push_str(help);
        }
        issues.push(Issue {
            kind: "issue",
            check_name: super::sarif::INVALID_FILE_RULE.to_string(),
            description: escape::plain_line(&description),
            fingerprint: fingerprint.0,
            severity: CodeQualitySeverity::Blocker,
            location: location(prefix, &diagnostic.file, diagnostic.line),
        });
    }
    for (_, reviewed) in review.findings() {
        if !matches!(
            reviewed.status,
            Status::New | Status::Worsened | Status::Silenced
        ) {
            continue;
        }
        let finding = &reviewed.finding;
        let mut description = format!(
            "{} ({}): {}",
            finding.location.name,
            reviewed.status.as_str(),
            finding.message
        );
        if reviewed.status == Status::Silenced {
            description.push_str(&super::github::silenced_by(reviewed));
        }
        issues.push(Issue {
            kind: "issue",
            check_name: finding.rule.to_string(),
            description: escape::plain_line(&description),
            fingerprint: finding.fingerprint.0.clone(),
            severity: CodeQualitySeverity::of(finding.severity),
            location: location(prefix, &finding.location.file, finding.location.line),
        });
    }
    issues
}

fn location(prefix: &str, file: &str, line: usize) -> IssueLocation {
    IssueLocation {
        path: format!("{prefix}{file}"),
        lines: Lines { begin: line.max(1) },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::Value;

    use super::*;
    use crate::report::fixture;

    fn render(review: &Review) -> String {
        let mut out = Vec::new();
        write(&mut out, review).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("UTF-8")
    }

    /// The fixture with its file invalid too, so one report has every kind of issue.
    fn everything() -> Review {
        let mut review = fixture::review();
        review.diagnostics = fixture::invalid_review().diagnostics;
        let mut twin = review.diagnostics[0].clone();
        twin.line = 14;
        review.diagnostics.push(twin);
        review
    }

    #[test]
    fn code_quality_of_the_fixture_review() {
        insta::assert_snapshot!(render(&fixture::review()));
    }

    #[test]
    fn code_quality_names_a_silenced_finding() {
        insta::assert_snapshot!(render(&fixture::silenced_review()));
    }

    #[test]
    fn code_quality_of_an_invalid_file() {
        insta::assert_snapshot!(render(&fixture::invalid_review()));
    }

    #[test]
    fn report_is_an_array_of_well_formed_issues() {
        for review in [
            everything(),
            fixture::review(),
            fixture::quiet_review(),
            fixture::invalid_review(),
        ] {
            let report: Value = serde_json::from_str(&render(&review)).expect("JSON");
            let issues = report.as_array().expect("a JSON array");
            let mut fingerprints = HashSet::new();
            for issue in issues {
                let fingerprint = issue["fingerprint"].as_str().expect("fingerprint");
                assert!(
                    fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
                    "{issue}"
                );
                assert!(fingerprints.insert(fingerprint), "duplicate {fingerprint}");
                let severity = issue["severity"].as_str().expect("severity");
                assert!(
                    ["info", "minor", "major", "critical", "blocker"].contains(&severity),
                    "{issue}"
                );
                assert!(issue["description"].as_str().is_some_and(|d| !d.is_empty()));
                assert!(issue["check_name"].as_str().is_some_and(|c| !c.is_empty()));
                assert!(issue["location"]["path"].as_str().is_some());
                assert!(
                    issue["location"]["lines"]["begin"]
                        .as_u64()
                        .is_some_and(|l| l >= 1)
                );
                assert_eq!(issue["type"], "issue");
            }
        }
    }

    #[test]
    fn only_new_and_worsened_findings_and_diagnostics() {
        let issues = issues(&everything(), "");
        let checks: Vec<(&str, CodeQualitySeverity)> = issues
            .iter()
            .map(|i| (i.check_name.as_str(), i.severity))
            .collect();
        assert_eq!(
            checks,
            [
                ("invalid-ledger-file", CodeQualitySeverity::Blocker),
                ("invalid-ledger-file", CodeQualitySeverity::Blocker),
                ("payment-terms-slip", CodeQualitySeverity::Critical),
                ("targets-missed", CodeQualitySeverity::Major),
            ]
        );
        assert!(super::issues(&fixture::quiet_review(), "").is_empty());
    }

    #[test]
    fn descriptions_stay_on_one_visible_line_and_paths_get_the_prefix() {
        for issue in issues(&everything(), "ledger/") {
            assert!(
                !issue
                    .description
                    .contains(['\n', '\r', '\u{1b}', '\u{202e}']),
                "{:?}",
                issue.description
            );
            assert!(issue.location.path.starts_with("ledger/partners/"));
        }
    }
}
