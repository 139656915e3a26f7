//! When things happened, from the commit graph first and commit dates second: "now" for a
//! revision, the date each version counts at, and a warning naming each commit whose date had
//! to be corrected. Commit order never comes from dates (see `walk::list_children_first`), so a
//! wrong date moves no version and drops none; it only changes the date the version counts at.
//!
//! The rules, exactly:
//! - A date is *in the future* when it is later than the wall clock plus one day (time zones).
//!   When every commit on the tip's first-parent line is in the future, the clock is the one
//!   that is wrong, and no date counts as in the future.
//! - "Now" for a revision is the latest date on its first-parent line (the tip, its first
//!   parent, that commit's first parent...) that is not in the future.
//! - A version's commit date is *plausible* when it is neither in the future nor after "now".
//!   A version counts at its commit date if plausible, else at the earliest plausible commit
//!   date of the versions descending from it (else "now"); and never before the date of the
//!   version it descends from (so dates never go backwards along history, and no version is
//!   after "now").

use std::collections::HashSet;

use crate::ledger::{Commit, Date, DateWarning, Timeline};

/// "Now" and the line after which dates are in the future.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    pub now: Date,
    /// Author times (seconds since the epoch) after this are in the future.
    pub limit: i64,
}

/// The wall clock, seconds since the Unix epoch.
fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// "Now" for a history, from the author times and dates on its tip's first-parent line.
pub(crate) fn clock(line: &[(i64, Date)]) -> Clock {
    let limit = wall_clock().saturating_add(86_400);
    let limit = if line.iter().any(|(t, _)| *t <= limit) {
        limit
    } else {
        i64::MAX
    };
    let now = line
        .iter()
        .filter(|(t, _)| *t <= limit)
        .map(|(_, d)| *d)
        .max()
        .unwrap_or(Date(chrono::NaiveDate::MIN));
    Clock { now, limit }
}

/// Sets the date each version counts at (see the module's rules) and returns a warning for each
/// commit whose date was corrected, and for the analysed commit `head` when its own date is not
/// "now"; one per commit, in the order of the dates they count at.
pub(crate) fn date_versions(
    timelines: &mut [Timeline],
    clock: Clock,
    head: &Commit,
) -> Vec<DateWarning> {
    let each: Vec<Vec<DateWarning>> = timelines
        .iter_mut()
        .map(|timeline| date_one(timeline, clock))
        .collect();
    gather(each, clock, head)
}

/// Sets the date each version of one timeline counts at; a warning for each of its commits
/// whose date was corrected. [`gather`] merges the warnings of several timelines.
pub(crate) fn date_one(timeline: &mut Timeline, clock: Clock) -> Vec<DateWarning> {
    let mut warnings = Vec::new();
    date_timeline(timeline, clock, &mut HashSet::new(), &mut warnings);
    warnings
}

/// The warnings of several timelines (each from [`date_one`], in the order of the timelines),
/// one per commit: a commit several timelines warn about keeps the first timeline's warning.
/// With a warning for `head` when its own date is not "now", ordered by the dates they count at.
pub(crate) fn gather(
    each: impl IntoIterator<Item = Vec<DateWarning>>,
    clock: Clock,
    head: &Commit,
) -> Vec<DateWarning> {
    let mut warned = HashSet::new();
    let mut warnings: Vec<DateWarning> = each
        .into_iter()
        .flatten()
        .filter(|w| warned.insert(w.commit.clone()))
        .collect();
    if head.date != clock.now && warned.insert(head.id.clone()) {
        let (code, what) = if head.time > clock.limit {
            ("date-in-future", "in the future".to_string())
        } else {
            (
                "date-before-parent",
                "before commits it descends from".to_string(),
            )
        };
        warnings.push(warning(
            head,
            clock.now,
            code,
            format!(
                "the commit analysed, {}, is dated {}, {what}; time is counted up to {}, the latest plausible date on its first-parent line",
                head.short, head.date, clock.now
            ),
        ));
    }
    warnings.sort_by(|a, b| (a.counted, &a.short).cmp(&(b.counted, &b.short)));
    warnings
}

fn date_timeline(
    timeline: &mut Timeline,
    clock: Clock,
    warned: &mut HashSet<String>,
    warnings: &mut Vec<DateWarning>,
) {
    let versions = &mut timeline.versions;
    let n = versions.len();
    let plausible = |c: &Commit| -> Option<Date> {
        (c.time <= clock.limit && c.date <= clock.now).then_some(c.date)
    };
    // The parent of a version comes before it; a link that does not is ignored.
    let parent = |i: usize, p: Option<usize>| p.filter(|p| *p < i);
    // The earliest plausible date among the versions descending from each version.
    let mut after: Vec<Option<Date>> = vec![None; n];
    for i in (0..n).rev() {
        let Some(p) = parent(i, versions[i].parent) else {
            continue;
        };
        let own = plausible(&versions[i].commit).or(after[i]);
        if let Some(date) = own {
            after[p] = Some(after[p].map_or(date, |d| d.min(date)));
        }
    }
    let mut counted: Vec<Date> = Vec::with_capacity(n);
    for i in 0..n {
        let commit = std::sync::Arc::clone(&versions[i].commit);
        let guess = plausible(&commit).unwrap_or_else(|| after[i].unwrap_or(clock.now));
        let before = parent(i, versions[i].parent).and_then(|p| counted.get(p).map(|d| (p, *d)));
        let date = match before {
            Some((_, floor)) => guess.max(floor),
            None => guess,
        };
        counted.push(date);
        versions[i].date = date;
        if date == commit.date || !warned.insert(commit.id.clone()) {
            continue;
        }
        let (code, what) = if commit.time > clock.limit {
            ("date-in-future", "in the future".to_string())
        } else if commit.date > clock.now {
            (
                "date-after-now",
                format!(
                    "after the history that follows it (latest plausible date {})",
                    clock.now
                ),
            )
        } else {
            let (p, floor) = before.unwrap_or((i, date));
            (
                "date-before-parent",
                format!(
                    "before the version it follows ({}, counted at {floor})",
                    versions[p].commit.short
                ),
            )
        };
        warnings.push(warning(
            &commit,
            date,
            code,
            format!(
                "commit {} is dated {}, {what}; rapport counts it at {date}",
                commit.short, commit.date
            ),
        ));
    }
}

fn warning(commit: &Commit, counted: Date, code: &'static str, message: String) -> DateWarning {
    DateWarning {
        commit: commit.id.clone(),
        short: commit.short.clone(),
        date: commit.date,
        counted,
        code,
        message,
        help:
            "rapport keeps the commit where the commit graph puts it and counts it at the nearest \
               date that fits; check the clock of the machine it was made on (a rebase also keeps \
               old author dates). A commit not yet shared can be re-dated with \
               `git commit --amend --no-edit --date=YYYY-MM-DD`"
                .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::ledger::{Content, Version};

    fn date(text: &str) -> Date {
        Date::parse(text).expect("a date")
    }

    fn seconds(text: &str) -> i64 {
        date(text)
            .0
            .and_hms_opt(12, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp())
    }

    fn version(n: usize, day: &str, parent: Option<usize>) -> Version {
        let commit = Commit {
            id: format!("{n:040}"),
            short: format!("{n:08}"),
            author: String::new(),
            time: seconds(day),
            date: date(day),
            summary: String::new(),
        };
        Version {
            commit: Arc::new(commit),
            path: "partners/a.md".into(),
            content: Content::Removed,
            parent,
            date: date(day),
        }
    }

    #[test]
    fn now_skips_dates_in_the_future_unless_the_clock_is_the_odd_one_out() {
        let line = [
            (seconds("2099-01-01"), date("2099-01-01")),
            (seconds("2024-05-01"), date("2024-05-01")),
            (seconds("2024-06-01"), date("2024-06-01")),
        ];
        assert_eq!(clock(&line).now, date("2024-06-01"));
        let all_ahead = [(seconds("2199-01-01"), date("2199-01-01"))];
        let wrong = clock(&all_ahead);
        assert_eq!(wrong.now, date("2199-01-01"));
        assert_eq!(wrong.limit, i64::MAX);
    }

    #[test]
    fn a_future_date_with_two_branches_after_it_counts_at_the_earlier_one() {
        // 0 ← 1 (2099) ← 2 (branch, 2024-04-01) and ← 3 (branch, 2024-03-01) ← 4 (1971).
        let mut timeline = Timeline {
            id: "a".into(),
            versions: vec![
                version(0, "2024-01-15", None),
                version(1, "2099-01-01", Some(0)),
                version(2, "2024-04-01", Some(1)),
                version(3, "2024-03-01", Some(1)),
                version(4, "1971-01-01", Some(3)),
            ],
            ..Default::default()
        };
        let head = Arc::clone(&timeline.versions[4].commit);
        let clock = Clock {
            now: date("2024-04-01"),
            limit: seconds("2026-01-01"),
        };
        let warnings = date_versions(std::slice::from_mut(&mut timeline), clock, &head);
        let counted: Vec<String> = timeline
            .versions
            .iter()
            .map(|v| v.date().to_string())
            .collect();
        assert_eq!(
            counted,
            [
                "2024-01-15",
                "2024-03-01",
                "2024-04-01",
                "2024-03-01",
                "2024-03-01"
            ]
        );
        let named: Vec<(&str, &str)> = warnings
            .iter()
            .map(|w| (w.short.as_str(), w.code))
            .collect();
        assert_eq!(
            named,
            [
                ("00000001", "date-in-future"),
                ("00000004", "date-before-parent")
            ]
        );
    }
}
