//! The digest: what changed in the whole ledger between two points in time. Unlike the
//! pull-request review, each side is analysed at its own "now", so time passing is itself a
//! change (an item going overdue, a silence, a KPI going stale, a deadline coming close). The
//! history is read once, up to the later point; the earlier side is the part of each timeline
//! the earlier commit reaches, and the findings of the two sides go through the review's
//! classifier.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use super::compare::{Reading, Reviewed, Status, classify};
use super::redact;
use super::{LedgerRoot, config_at, findings_as_of, load_revision};
use crate::config::{Config, Handles};
use crate::error::{Error, Result};
use crate::history::{self, Compared, LedgerRepo, Progress};
use crate::ledger::model::{Side as ContactSide, Status as Lifecycle};
use crate::ledger::{Commit, Content, Date, DateWarning, Diagnostic, Snapshot};
use crate::signs::{self, Acknowledgement, Context, Finding, Fingerprint, Severity};

/// Days before a deadline at which the digest names it: the first one crossed in the period.
pub const THRESHOLDS: [i64; 3] = [30, 15, 7];

/// A point in time as the command line gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum When {
    /// A calendar date: the ledger as the first-parent line of the later point stood that day.
    Date(Date),
    /// Days, weeks or months before the later point (`7d`, `1w`, `1m`).
    Before(Span),
    /// A revision (branch, tag, commit id): its tree, at its commit date.
    Rev(String),
}

/// A length of time written `7d`, `2w` or `1m`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Days(u32),
    Months(u32),
}

impl When {
    /// `2024-06-10`, `7d` / `1w` / `1m`, or anything else as a revision.
    pub fn parse(text: &str) -> std::result::Result<When, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("give a date (2024-06-10), a span (7d, 1w, 1m) or a revision".into());
        }
        // Digits and dashes are a date, or a mistake in one (not a branch name).
        if text.contains('-') && text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return Date::parse(text).map(When::Date);
        }
        let (number, unit) = text.split_at(text.len() - 1);
        if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
            let n: u32 = number
                .parse()
                .map_err(|_| format!("`{text}` is too long a span"))?;
            return match unit {
                "d" => Ok(When::Before(Span::Days(n))),
                "w" => n
                    .checked_mul(7)
                    .map(|days| When::Before(Span::Days(days)))
                    .ok_or_else(|| format!("`{text}` is too long a span")),
                "m" => Ok(When::Before(Span::Months(n))),
                _ => Ok(When::Rev(text.to_string())),
            };
        }
        Ok(When::Rev(text.to_string()))
    }
}

impl Span {
    fn before(self, date: Date) -> Result<Date> {
        let found = match self {
            Span::Days(n) => date.0.checked_sub_days(chrono::Days::new(u64::from(n))),
            Span::Months(n) => date.0.checked_sub_months(chrono::Months::new(n)),
        };
        found
            .map(Date)
            .ok_or_else(|| Error::Invocation("that span reaches before any calendar date".into()))
    }
}

/// What to digest.
pub struct DigestRequest<'a> {
    pub ledger: &'a LedgerRoot,
    pub since: When,
    /// The later point; `None` is today, on top of `HEAD`.
    pub until: Option<When>,
    /// Today, for `until: None` and spans before it.
    pub today: Date,
    pub progress: &'a dyn Progress,
    /// Also date the findings shown ([`Finding::since`], rules rerun on earlier versions): for
    /// the JSON, the one format that shows when each began.
    pub dated: bool,
}

/// One of the two points: the date it is analysed at and the commit it reads.
#[derive(Clone, Debug)]
pub struct Point {
    pub date: Date,
    /// `None` when the ledger had no commit yet at that date (everything after it is new).
    pub commit: Option<Arc<Commit>>,
}

/// Which deadline of a contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineKind {
    /// `terms.renewal` minus `terms.notice_days`: the last day to give notice.
    Notice,
    /// `terms.renewal` itself.
    Renewal,
}

impl DeadlineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Notice => "notice",
            DeadlineKind::Renewal => "renewal",
        }
    }
}

/// A deadline that came inside one of the [`THRESHOLDS`] during the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Alert {
    pub kind: DeadlineKind,
    pub date: Date,
    /// Days from the later point to the deadline.
    pub days_left: i64,
    /// The threshold crossed: 30, 15 or 7 days (the first one crossed in the period).
    pub within: i64,
}

/// One partnership with something new in the period.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: String,
    pub partner: String,
    /// `owner:` at the later point (the earlier one when the file is gone).
    pub owner: String,
    /// Our side's contacts, by name.
    pub ours: Vec<String>,
    /// The file at the later point, else where it was.
    pub file: String,
    /// Whether the file is valid at the later point (an invalid one has no findings).
    pub valid: bool,
    /// The findings that moved in the period, in the review's order (new first, worst first).
    pub findings: Vec<Reviewed>,
    pub alerts: Vec<Alert>,
    /// The commits of the period that touched the file, oldest first.
    pub commits: Vec<Arc<Commit>>,
}

impl Entry {
    /// The worst severity among new and worsened findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|r| matches!(r.status, Status::New | Status::Worsened))
            .map(|r| r.finding.severity)
            .max()
    }

    fn order(&self) -> impl Ord + '_ {
        let soonest = self.alerts.iter().map(|a| a.days_left).min();
        (
            std::cmp::Reverse(self.worst()),
            self.valid,
            soonest.unwrap_or(i64::MAX),
            self.id.as_str(),
        )
    }
}

/// The digest of one period.
#[derive(Clone, Debug)]
pub struct Digest {
    pub since: Point,
    pub until: Point,
    /// How many partnerships the later point holds.
    pub partnerships: usize,
    /// The partnerships with something new, worst first.
    pub entries: Vec<Entry>,
    /// The handles of `notify:` at the later point.
    pub notify: BTreeMap<String, Handles>,
    /// Problems in the ledger's files at the later point.
    pub diagnostics: Vec<Diagnostic>,
    pub warnings: Vec<DateWarning>,
}

/// The partnerships of one owner, worst first.
pub struct OwnerGroup<'a> {
    pub owner: &'a str,
    pub entries: Vec<&'a Entry>,
}

impl Digest {
    /// Nothing new: no finding moved, no deadline came close, no file broke.
    pub fn is_quiet(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many findings of each status moved in the period, in the review's status order,
    /// statuses with none left out.
    pub fn counts(&self) -> Vec<(Status, usize)> {
        let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
        for reviewed in self.entries.iter().flat_map(|e| &e.findings) {
            *counts.entry(reviewed.status).or_default() += 1;
        }
        counts.into_iter().collect()
    }

    pub fn alerts(&self) -> usize {
        self.entries.iter().map(|e| e.alerts.len()).sum()
    }

    /// The entries grouped by owner; the owner of the worst entry first.
    pub fn by_owner(&self) -> Vec<OwnerGroup<'_>> {
        let mut groups: Vec<OwnerGroup<'_>> = Vec::new();
        for entry in &self.entries {
            match groups.iter_mut().find(|g| g.owner == entry.owner) {
                Some(group) => group.entries.push(entry),
                None => groups.push(OwnerGroup {
                    owner: &entry.owner,
                    entries: vec![entry],
                }),
            }
        }
        groups
    }

    /// The handles of the people to tell about an entry: its owner's, then our contacts' that
    /// `notify:` names, each once. Only handles from the configuration, never ledger text.
    pub fn handles<'a>(&'a self, entry: &'a Entry) -> Vec<(&'a str, &'a Handles)> {
        let mut seen = HashSet::new();
        std::iter::once(&entry.owner)
            .chain(&entry.ours)
            .filter_map(|name| {
                let (name, handles) = self.notify.get_key_value(name.as_str())?;
                seen.insert(name.as_str())
                    .then_some((name.as_str(), handles))
            })
            .collect()
    }

    /// The handles of an owner, when `notify:` names them.
    pub fn owner_handles(&self, owner: &str) -> Option<&Handles> {
        self.notify.get(owner)
    }
}

/// Compares the ledger at two points in time.
pub fn digest(request: &DigestRequest<'_>) -> Result<Digest> {
    let ledger = request.ledger;
    let repo = LedgerRepo::open_selecting(&ledger.root, &ledger.config.selection())?;
    let (until_id, until_date) = match &request.until {
        None => (repo.resolve("HEAD")?.id(), request.today),
        Some(When::Rev(rev)) => {
            let commit = repo.resolve(rev)?;
            let date = history::shared_info(&commit).date.min(request.today);
            (commit.id(), date)
        }
        Some(When::Date(date)) => (commit_by(&repo, "HEAD", *date)?, *date),
        Some(When::Before(span)) => {
            let date = span.before(request.today)?;
            (commit_by(&repo, "HEAD", date)?, date)
        }
    };
    let until_rev = until_id.to_string();
    let (since_id, since_date) = match &request.since {
        When::Date(date) => (history::at_date(&repo, &until_rev, *date)?, *date),
        When::Before(span) => {
            let date = span.before(until_date)?;
            (history::at_date(&repo, &until_rev, date)?, date)
        }
        When::Rev(rev) => {
            let given = repo.resolve(rev)?.id();
            // A revision off the later point's line is compared from where the two meet.
            let id = repo
                .merge_base(given, until_id)
                .ok()
                .flatten()
                .ok_or_else(|| Error::NoMergeBase {
                    base: rev.clone(),
                    head: until_rev.clone(),
                })?;
            let date = repo.commit_info(id)?.date;
            (Some(id), date)
        }
    };
    if since_date > until_date {
        return Err(Error::Invocation(format!(
            "--since ({since_date}) is after --until ({until_date}): the digest covers the time from --since to --until"
        )));
    }
    drop(repo);
    let (state, repo, until_config) = load_revision(ledger, &until_rev)?;
    let since_config = match since_id {
        // A configuration the earlier point cannot read is no reason to refuse the digest.
        Some(id) => config_at(&repo, id).unwrap_or_else(|_| until_config.clone()),
        None => until_config.clone(),
    };
    // The earlier point's texts are read for the resolved findings alone, once they are known.
    let since_texts = HashMap::new();
    let sides = Sides {
        until: Side {
            config: &until_config,
            texts: &state.texts,
            now: until_date,
        },
        since: since_id.map(|_| Side {
            config: &since_config,
            texts: &since_texts,
            now: since_date,
        }),
        dated: request.dated,
    };
    let found = history::each_partnership_since(
        &repo,
        &until_rev,
        since_id,
        &until_config.ladder,
        request.progress,
        &|pair, _| digest_one(&pair, &sides),
    )?;
    let mut entries: Vec<Entry> = found
        .results
        .into_iter()
        .flatten()
        // Partnership files named on the command line: only theirs.
        .filter(|e| ledger.only.is_none() || ledger.wants(&e.file))
        .collect();
    entries.sort_by(|a, b| a.order().cmp(&b.order()));
    if let Some(id) = since_id {
        locate_resolved(&repo, id, &mut entries)?;
    }
    let since_commit = match since_id {
        Some(id) => Some(repo.commit_info(id)?),
        None => None,
    };
    // Freeing the repository's caches takes longer than the command has left to live.
    std::mem::forget(repo);
    Ok(Digest {
        since: Point {
            date: since_date,
            commit: since_commit,
        },
        until: Point {
            date: until_date,
            commit: Some(found.head),
        },
        partnerships: state.snapshots.len(),
        entries,
        notify: until_config.notify.clone(),
        diagnostics: state.diagnostics,
        warnings: found.warnings,
    })
}

/// The commit a date reads on `rev`'s first-parent line; an error when the ledger had none yet.
fn commit_by(repo: &LedgerRepo, rev: &str, date: Date) -> Result<history::CommitId> {
    history::at_date(repo, rev, date)?.ok_or_else(|| {
        Error::Invocation(format!(
            "the ledger has no commit on or before {date}: give a later --until"
        ))
    })
}

/// Points the resolved findings shown at lines of their files as the earlier point has them,
/// reading only those files.
fn locate_resolved(
    repo: &LedgerRepo,
    since: history::CommitId,
    entries: &mut [Entry],
) -> Result<()> {
    let resolved = || {
        entries
            .iter()
            .flat_map(|e| &e.findings)
            .filter(|r| r.status == Status::Resolved && super::locate::unlocated(&r.finding))
    };
    let mut files: Vec<&str> = resolved()
        .map(|r| r.finding.location.file.as_str())
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    files.sort_unstable();
    files.dedup();
    let commit = repo.commit(since)?;
    let mut texts = HashMap::new();
    for file in files {
        if let Some(Ok(bytes)) = repo.file_at(&commit, file, crate::ledger::load::PARTNERSHIP)?
            && let Ok(text) = String::from_utf8(bytes)
        {
            texts.insert(file.to_string(), text);
        }
    }
    let resolved = entries
        .iter_mut()
        .flat_map(|e| &mut e.findings)
        .filter(|r| r.status == Status::Resolved)
        .map(|r| &mut r.finding);
    super::locate::locate(resolved, &|file: &str| texts.get(file).cloned());
    Ok(())
}

/// One point's configuration, file texts and "now".
struct Side<'a> {
    config: &'a Config,
    texts: &'a HashMap<String, String>,
    now: Date,
}

struct Sides<'a> {
    until: Side<'a>,
    /// `None` when the earlier point precedes the first commit.
    since: Option<Side<'a>>,
    /// Whether the findings shown are dated.
    dated: bool,
}

/// One partnership's part of the digest: `None` when nothing about it moved. Head findings,
/// base findings and each side's configuration meet in [`classify`], as in the review. They are
/// compared undated and unlocated; only the findings the digest shows are then dated and
/// pointed at lines, each on the side it was found on.
fn digest_one(pair: &Compared, sides: &Sides<'_>) -> Option<Entry> {
    let (head, base) = (&pair.head, &pair.base);
    let last = head.last()?;
    let removed = matches!(last.content, Content::Removed);
    let valid = removed || head.current().is_some();
    let at_head = if valid {
        findings_at(head, &sides.until)
    } else {
        Vec::new()
    };
    let mut at_base = match &sides.since {
        Some(side) if base.is_present() => findings_at(base, side),
        _ => Vec::new(),
    };
    // One partnership on both sides, whatever its file was called then.
    for finding in &mut at_base {
        if finding.location.partnership != pair.id {
            finding.location.partnership.clone_from(&pair.id);
            finding.fingerprint = Fingerprint::new(finding.rule, &pair.id, &finding.subject);
        }
    }
    let mut seen = HashSet::new();
    let in_base: HashSet<&str> = base.versions.iter().map(|v| v.commit.id.as_str()).collect();
    let commits: Vec<Arc<Commit>> = head
        .versions
        .iter()
        .filter(|v| !in_base.contains(v.commit.id.as_str()) && seen.insert(v.commit.id.clone()))
        .map(|v| Arc::clone(&v.commit))
        .collect();
    // A configuration changed between the two points: the later ledger judged as the earlier
    // configuration judged it tells what the change of configuration silenced.
    let reconfigured = sides
        .since
        .as_ref()
        .filter(|since| valid && since.config != sides.until.config);
    let judged_as_before = reconfigured.map(|since| {
        findings_at(
            head,
            &Side {
                config: since.config,
                texts: sides.until.texts,
                now: sides.until.now,
            },
        )
    });
    let mut findings = if valid {
        classify(
            &at_head,
            &at_base,
            judged_as_before.as_deref(),
            Reading::Gate,
        )
    } else {
        Vec::new()
    };
    let acknowledged_before: HashSet<&str> = at_base
        .iter()
        .filter(|f| f.acknowledgement != Acknowledgement::Open)
        .map(|f| f.fingerprint.0.as_str())
        .collect();
    findings.retain(|r| is_news(r, &acknowledged_before, !commits.is_empty()));
    date_shown(&mut findings, pair, sides);
    if let Some(since) = reconfigured {
        let changes = super::reconfigured::differences(since.config, sides.until.config, None);
        for reviewed in &mut findings {
            if reviewed.status == super::review::Status::Silenced {
                reviewed.silenced_by =
                    super::reconfigured::affecting(&changes, reviewed.finding.rule);
            }
        }
    }
    redact_both(&mut findings, pair, sides);

    let (now_snapshot, then_snapshot) = (head.current(), base.current());
    let alerts = match now_snapshot {
        Some(now) if !removed => alerts(
            now,
            then_snapshot,
            sides.since.as_ref().map(|s| s.now),
            sides.until.now,
            &sides.until.config.redact,
        ),
        _ => Vec::new(),
    };
    let broke = !valid && !commits.is_empty();
    if findings.is_empty() && alerts.is_empty() && !broke {
        return None;
    }
    let shown = now_snapshot.or(then_snapshot);
    Some(Entry {
        id: pair.id.clone(),
        partner: shown.map_or_else(|| pair.id.clone(), |s| s.front.partner.clone()),
        owner: shown.map(|s| s.front.owner.clone()).unwrap_or_default(),
        ours: shown
            .map(|s| {
                s.front
                    .contacts
                    .iter()
                    .filter(|c| c.side == ContactSide::Ours)
                    .map(|c| c.name.clone())
                    .collect()
            })
            .unwrap_or_default(),
        file: last.path.clone(),
        valid,
        findings,
        alerts,
        commits,
    })
}

/// The findings of a timeline as one side judges it, neither dated nor pointed at lines.
fn findings_at(timeline: &crate::ledger::Timeline, side: &Side<'_>) -> Vec<Finding> {
    findings_as_of(std::slice::from_ref(timeline), side.config, side.now)
}

/// Points the findings the digest shows at lines, and dates them when asked, each as the side
/// it was found on found it: a resolved one in the earlier timeline, as the earlier configuration
/// judged it then (with the id the partnership had there); a silenced one in the later
/// timeline as the earlier configuration judges it; every other one in the later timeline.
fn date_shown(findings: &mut [Reviewed], pair: &Compared, sides: &Sides<'_>) {
    let until = &sides.until;
    let mut on_head: Vec<&mut Reviewed> = Vec::new();
    let mut silenced: Vec<&mut Reviewed> = Vec::new();
    let mut resolved: Vec<&mut Reviewed> = Vec::new();
    for reviewed in findings.iter_mut() {
        match reviewed.status {
            Status::Resolved => resolved.push(reviewed),
            Status::Silenced => silenced.push(reviewed),
            _ => on_head.push(reviewed),
        }
    }
    let dated = sides.dated;
    date_on(&mut on_head, &pair.head, until, None, dated);
    if let Some(since) = &sides.since {
        let judged_as_before = Side {
            config: since.config,
            texts: until.texts,
            now: until.now,
        };
        date_on(&mut silenced, &pair.head, &judged_as_before, None, dated);
        let id = pair.base.current().map(|s| s.id.as_str());
        date_on(&mut resolved, &pair.base, since, id, dated);
    }
}

/// Points findings of `timeline` as `side` judges it at lines in its texts, and dates them
/// when `dated`. `id` is the partnership's id in that timeline, when the findings now carry
/// another one.
fn date_on(
    findings: &mut [&mut Reviewed],
    timeline: &crate::ledger::Timeline,
    side: &Side<'_>,
    id: Option<&str>,
    dated: bool,
) {
    if findings.is_empty() {
        return;
    }
    let cx = Context {
        now: side.now,
        settings: &side.config.rules,
        ladder: &side.config.ladder,
        vocabulary: &side.config.vocabulary,
    };
    // The fingerprints as the timeline's own analysis makes them.
    let mut found: Vec<Finding> = findings
        .iter()
        .map(|r| {
            let mut finding = r.finding.clone();
            if let Some(id) = id {
                finding.fingerprint = Fingerprint::new(finding.rule, id, &finding.subject);
            }
            finding
        })
        .collect();
    if dated {
        signs::date(timeline, &cx, &mut found);
    }
    let texts = side.texts;
    super::locate::locate(&mut found, &|file: &str| texts.get(file).cloned());
    for (reviewed, dated) in findings.iter_mut().zip(found) {
        reviewed.finding.since = dated.since;
        reviewed.finding.location.line = dated.location.line;
    }
}

/// Whether a classified finding is news for the period. Unchanged ones are not; nor is an
/// acknowledgement already in force at the earlier point; nor a measure that moved with no
/// commit touching the partnership and no change of severity (an overdue item one week older
/// is the same news as last week). Every other status is news, whatever the classifier adds.
fn is_news(reviewed: &Reviewed, acknowledged_before: &HashSet<&str>, touched: bool) -> bool {
    match reviewed.status {
        Status::Unchanged => false,
        Status::Acknowledged => {
            !acknowledged_before.contains(reviewed.finding.fingerprint.0.as_str())
        }
        Status::Worsened | Status::Improved => {
            let severity_moved = reviewed
                .before
                .as_ref()
                .is_some_and(|b| b.severity != reviewed.finding.severity);
            touched || severity_moved
        }
        _ => true,
    }
}

/// Masks what either side's `redact` names, in the findings and in what they were before, as
/// the review does: classified on the real values, masked only then.
fn redact_both(findings: &mut [Reviewed], pair: &Compared, sides: &Sides<'_>) {
    let mut fields: Vec<String> = sides.until.config.redact.clone();
    if let Some(since) = &sides.since {
        fields.extend(since.config.redact.iter().cloned());
    }
    if fields.is_empty() {
        return;
    }
    let timelines = [pair.head.clone(), pair.base.clone()];
    super::review::redact_reviewed(findings, &timelines, &fields);
}

/// The contract's deadlines that came inside a threshold during the period, each at the first
/// threshold it crossed: inside it at the later point and not at the earlier one (a deadline
/// written in or moved during the period counts from the later point's file alone).
fn alerts(
    now: &Snapshot,
    then: Option<&Snapshot>,
    since: Option<Date>,
    until: Date,
    redacted: &[String],
) -> Vec<Alert> {
    if now.front.status == Lifecycle::Ended
        || redact::is_redacted("terms.renewal", redacted)
        || redact::is_redacted("terms.notice_days", redacted)
    {
        return Vec::new();
    }
    let deadline = |snapshot: &Snapshot, kind: DeadlineKind| -> Option<Date> {
        let terms = snapshot.front.terms.as_ref()?;
        let renewal = terms.renewal?;
        match kind {
            DeadlineKind::Renewal => Some(renewal),
            DeadlineKind::Notice => terms.notice_days.map(|days| renewal.sub_days(days)),
        }
    };
    let mut found = Vec::new();
    for kind in [DeadlineKind::Notice, DeadlineKind::Renewal] {
        let Some(date) = deadline(now, kind) else {
            continue;
        };
        let days_left = until.days_until(date);
        if days_left < 0 {
            continue;
        }
        let before = match (then, since) {
            (Some(then), Some(since)) if deadline(then, kind) == Some(date) => {
                Some(since.days_until(date))
            }
            _ => None,
        };
        let crossed = THRESHOLDS
            .iter()
            .copied()
            .filter(|t| days_left <= *t && before.is_none_or(|b| b > *t))
            .max();
        if let Some(within) = crossed {
            found.push(Alert {
                kind,
                date,
                days_left,
                within,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_reads_dates_spans_and_revisions() {
        let date = Date::from_ymd(2024, 6, 10).expect("a valid date");
        assert_eq!(When::parse("2024-06-10"), Ok(When::Date(date)));
        assert_eq!(When::parse("7d"), Ok(When::Before(Span::Days(7))));
        assert_eq!(When::parse("2w"), Ok(When::Before(Span::Days(14))));
        assert_eq!(When::parse("1m"), Ok(When::Before(Span::Months(1))));
        assert_eq!(When::parse("main"), Ok(When::Rev("main".into())));
        assert_eq!(When::parse("v1.2"), Ok(When::Rev("v1.2".into())));
        assert_eq!(When::parse("HEAD~3"), Ok(When::Rev("HEAD~3".into())));
        assert!(
            When::parse("2024-6-1").is_err(),
            "a date written wrong is not a revision"
        );
        assert!(When::parse("2024-02-30").is_err());
        assert!(When::parse("").is_err());
        assert!(When::parse("99999999999d").is_err());
    }

    #[test]
    fn spans_count_back_in_days_and_calendar_months() {
        let day = |y, m, d| Date::from_ymd(y, m, d).expect("a valid date");
        assert_eq!(
            Span::Days(7)
                .before(day(2024, 3, 3))
                .expect("in the calendar"),
            day(2024, 2, 25)
        );
        assert_eq!(
            Span::Months(1)
                .before(day(2024, 3, 31))
                .expect("in the calendar"),
            day(2024, 2, 29)
        );
    }
}
