//! Pointing findings at lines. A rule names the front matter field a finding is about (its
//! [`Finding::path`], such as `terms.payment_days` or `contacts[2].level`); the line of that
//! field is found here, in the text of the file the finding is in, one reading of the front
//! matter per file. Findings at a line of the body (a meeting heading, an action item) already
//! carry it, as the ledger read it.

use std::collections::BTreeMap;

use crate::ledger::{parse, yaml};
use crate::signs::Finding;

/// Points each finding that names a field, and is not at a line yet, at the line of that field
/// (or of the nearest enclosing field the file writes). `source` returns the text of a file at
/// the point analysed; a file it does not have, or whose front matter does not parse, leaves
/// its findings at line 1.
pub fn locate<'a>(
    findings: impl IntoIterator<Item = &'a mut Finding>,
    source: &(dyn Fn(&str) -> Option<String> + Sync),
) {
    let mut by_file: BTreeMap<String, Vec<&mut Finding>> = BTreeMap::new();
    for finding in findings.into_iter().filter(|f| unlocated(f)) {
        by_file
            .entry(finding.location.file.clone())
            .or_default()
            .push(finding);
    }
    for (file, findings) in by_file {
        let Some(text) = source(&file) else {
            continue;
        };
        let Some(front) = parse::split(&text) else {
            continue;
        };
        let Ok(tree) = yaml::parse_tree(front.front) else {
            continue;
        };
        let index = yaml::PathIndex::build(&tree);
        for finding in findings {
            if let Some((line, _)) = finding.path.as_deref().and_then(|path| index.locate(path)) {
                finding.location.line = line + front.front_line - 1;
            }
        }
    }
}

/// Whether a finding names a field and is not at a line yet: what [`locate`] points.
pub fn unlocated(finding: &Finding) -> bool {
    finding.location.line <= 1 && finding.path.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::testing::{History, Setup, front};

    /// The findings of one file at `now`, pointed at lines through its text.
    fn located(text: &str, now: &str) -> Vec<Finding> {
        let timeline = History::new().version("2024-06-01", text).build();
        let mut findings = crate::signs::analyse(
            std::slice::from_ref(&timeline),
            &Setup::default().context(now),
        );
        let path = timeline.current().map(|s| s.path.clone());
        locate(&mut findings, &|file: &str| {
            (Some(file) == path.as_deref()).then(|| text.to_string())
        });
        findings
    }

    #[test]
    fn a_finding_points_at_the_line_of_its_field() {
        let text = front(
            "acknowledged:\n  - { rule: price-cut, reason: agreed in the renewal, until: 2024-01-31 }\n",
        );
        let findings = located(&text, "2024-07-01");
        let stale = findings
            .iter()
            .find(|f| f.rule == "stale-acknowledgement")
            .expect("an expired acknowledgement is reported");
        assert_eq!(stale.path.as_deref(), Some("acknowledged[0]"));
        let line = text
            .lines()
            .position(|l| l.contains("rule: price-cut"))
            .expect("the entry is in the text")
            + 1;
        assert!(line > 1);
        assert_eq!(stale.location.line, line);
    }

    #[test]
    fn without_the_text_a_finding_stays_at_line_one() {
        let text = front(
            "acknowledged:\n  - { rule: price-cut, reason: agreed in the renewal, until: 2024-01-31 }\n",
        );
        let timeline = History::new().version("2024-06-01", &text).build();
        let mut findings = crate::signs::analyse(
            std::slice::from_ref(&timeline),
            &Setup::default().context("2024-07-01"),
        );
        locate(&mut findings, &|_| None);
        assert!(findings.iter().all(|f| f.location.line == 1));
        locate(&mut findings, &|_| Some("no front matter".to_string()));
        assert!(findings.iter().all(|f| f.location.line == 1));
    }
}
