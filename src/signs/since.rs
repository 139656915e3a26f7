//! When each finding began: the first version from which it has held, by fingerprint, without
//! a break up to now. Found by analysing the history up to each earlier version as of that
//! version's date (as `rapport timeline` does), walking back until the finding is absent.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Context, Finding, Fingerprint, Since};
use crate::ledger::{Content, Date, Timeline};

/// Analyses a timeline as of a date, running only the rules named (and those they read).
pub type Analyser<'a> = &'a dyn Fn(&Timeline, &Context, &HashSet<&'static str>) -> Vec<Finding>;

/// Dates every finding of `timeline` (its findings as of `cx.now`, all or some of them) with
/// [`Since`]: the date and commit of the first version, on the line of versions the current
/// one descends from, from which the finding has held at every version up to now. What the
/// findings themselves say (they hold as of now) is not computed again.
///
/// A version holds a finding when the history up to it, analysed as of its date, has it. A
/// finding that began with time alone, between two versions (an item fell overdue, a silence
/// grew long), is dated the day it began, with the version then in force: that day is found by
/// analysing that version on the days of its period. A version that does not parse is passed
/// over (nothing can be read of it); a deletion is a break.
pub fn date_findings(
    timeline: &Timeline,
    cx: &Context,
    findings: &mut [Finding],
    analyse: Analyser<'_>,
) {
    if findings.is_empty() {
        return;
    }
    // The version in force now: the last one dated on or before now.
    let Some(last) = timeline.versions.iter().rposition(|v| v.date() <= cx.now) else {
        return;
    };
    let mut rules: HashSet<&'static str> = findings.iter().map(|f| f.rule).collect();
    let mut pending: HashMap<Fingerprint, &'static str> = findings
        .iter()
        .map(|f| (f.fingerprint.clone(), f.rule))
        .collect();
    let mut dated: HashMap<Fingerprint, Since> = HashMap::new();
    let mut now_holds: Option<HashSet<Fingerprint>> = Some(pending.keys().cloned().collect());
    let since_at = |index: usize, date: Date| Since {
        date,
        commit: timeline
            .versions
            .get(index)
            .map(|v| v.commit.short.clone())
            .filter(|s| !s.is_empty()),
    };
    let upto = |index: usize| timeline.upto(index);
    // The version after the one looked at, on the line walked back, and the date from which
    // it (or now) holds every pending finding.
    let mut later: (usize, Date) = (last, cx.now);
    let mut at = Some(last);
    while let Some(index) = at {
        if pending.is_empty() {
            break;
        }
        let version = &timeline.versions[index];
        match version.content {
            Content::Invalid { .. } => {
                at = version.parent.filter(|p| *p < index);
                continue;
            }
            Content::Removed => break,
            Content::Valid { .. } => {}
        }
        let prefix = upto(index);
        let date = version.date().min(cx.now);
        // The fingerprints this version holds as of each day looked at.
        let mut days: BTreeMap<Date, HashSet<Fingerprint>> = BTreeMap::new();
        if index == last && last + 1 == timeline.versions.len() {
            // The whole timeline as of now: the findings being dated hold then, as found.
            days.insert(cx.now, now_holds.take().unwrap_or_default());
        }
        let mut holds = |day: Date, fingerprint: &Fingerprint, rules: &HashSet<&'static str>| {
            days.entry(day)
                .or_insert_with(|| {
                    let cx = Context { now: day, ..*cx };
                    analyse(&prefix, &cx, rules)
                        .into_iter()
                        .map(|f| f.fingerprint)
                        .collect()
                })
                .contains(fingerprint)
        };
        let mut broken: Vec<Fingerprint> = pending
            .keys()
            .filter(|fp| !holds(date, fp, &rules))
            .cloned()
            .collect();
        broken.sort();
        for fingerprint in broken {
            pending.remove(&fingerprint);
            // When the version after it (or now) holds it: if this version holds it by then
            // too, time alone brought it while this version was in force.
            let end = later.1;
            let began = if end > date && holds(end, &fingerprint, &rules) {
                // The first day of (date, end] it holds on.
                let (mut lo, mut hi) = (date, end);
                while lo.days_until(hi) > 1 {
                    let mid = lo.add_days(lo.days_until(hi) / 2);
                    if holds(mid, &fingerprint, &rules) {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
                since_at(index, hi)
            } else {
                since_at(later.0, later.1)
            };
            dated.insert(fingerprint, began);
        }
        for fingerprint in pending.keys() {
            dated.insert(fingerprint.clone(), since_at(index, date));
        }
        rules = pending.values().copied().collect();
        later = (index, date);
        at = version.parent.filter(|p| *p < index);
    }
    for finding in findings.iter_mut() {
        if let Some(since) = dated.get(&finding.fingerprint) {
            finding.since = Some(since.clone());
        }
    }
}
