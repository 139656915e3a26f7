//! Analysis: the one pipeline every command reuses. A typed [`Request`] (a ledger, a revision
//! or the working tree, "now", progress) gives one [`Analysis`]: the files read, their
//! diagnostics, and the findings, pointed at lines and already redacted, so no renderer can
//! forget either. [`review`] compares two revisions the same way for the pull-request report.

pub mod base;
pub mod buffer;
pub mod compare;
pub mod digest;
pub mod locate;
pub mod portfolio;
pub mod reconfigured;
pub mod redact;
pub mod review;
pub mod root;
pub mod sample;
pub mod timeline;
pub mod writing;

/// The version of the JSON documents rapport prints (the timeline's view carries it too).
pub const JSON_VERSION: u32 = 1;

use std::sync::Arc;

use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::history::{self, LedgerRepo, Progress};
use crate::ledger::load::{self, LedgerState};
use crate::ledger::{Commit, Content, Date, DateWarning, Diagnostic, Timeline, Version};
use crate::signs::{self, Acknowledgement, Context, Finding, Severity};

pub use review::{Review, ReviewRequest};
pub use root::{LedgerRoot, open};

/// Which state of the ledger to analyse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revision {
    /// The files on disk, on top of the history up to `HEAD` (when inside a repository).
    WorkingTree,
    /// The ledger as committed at a revision (branch, tag, commit id).
    Commit(String),
}

/// What to analyse.
pub struct Request<'a> {
    pub ledger: &'a LedgerRoot,
    pub revision: Revision,
    /// "Now" for the rules; by default the revision's commit date, or today for the working tree.
    pub as_of: Option<Date>,
    pub progress: &'a dyn Progress,
    /// Also score each partnership's health and trend (the portfolio) while its history is at
    /// hand, into [`Analysis::standings`].
    pub health: bool,
    /// Also date each finding ([`Finding::since`], rules rerun on earlier versions): for the
    /// outputs that show when a finding began (JSON; the portfolio, which always dates).
    pub dated: bool,
}

/// A ledger validated and analysed at one point in time.
pub struct Analysis {
    /// Every file read, its diagnostics, and the text of the valid ones.
    pub state: LedgerState,
    /// Open and acknowledged findings, pointed at lines, with `redact` applied; dated when the
    /// request asked for it or for health.
    pub findings: Vec<Finding>,
    /// "Now" of the analysis.
    pub now: Date,
    /// The configuration in force (at the revision analysed).
    pub config: Config,
    /// The commit analysed; `None` for a working tree.
    pub head: Option<Arc<Commit>>,
    /// Commits of the history read whose dates contradict the commit graph or the clock.
    pub warnings: Vec<DateWarning>,
    /// Where each partnership stands (the portfolio's rows), when the request asked for health.
    pub standings: Vec<portfolio::Standing>,
}

/// Whether a finding fails a gate at `threshold` (`None`: nothing fails): open, and at or above
/// the threshold.
pub fn fails(finding: &Finding, threshold: Option<Severity>) -> bool {
    threshold
        .is_some_and(|t| finding.acknowledgement == Acknowledgement::Open && finding.severity >= t)
}

/// Validates the ledger and runs the rules over its history. The history is read one
/// partnership at a time and each timeline dropped once its findings are made, so memory
/// follows the largest partnership, not the ledger.
pub fn analyse(request: &Request<'_>) -> Result<Analysis> {
    let ledger = request.ledger;
    let today = || Date(chrono::Local::now().date_naive());
    let dated = request.dated || request.health;
    let (state, results, now, config, head, warnings) = match &request.revision {
        Revision::Commit(rev) => {
            let (repo, config, id) = open_revision(ledger, rev)?;
            let each = |timeline, now, state: &LedgerState| {
                let now = request.as_of.unwrap_or(now);
                let source = |file: &str| state.texts.get(file).cloned();
                findings_of(
                    ledger,
                    timeline,
                    &config,
                    now,
                    &source,
                    request.health,
                    dated,
                )
            };
            let (found, state) = if ledger.only.is_none() {
                // The whole ledger: its files at the revision are read and parsed on a thread
                // of their own while the history is listed and walked.
                let beside = || {
                    let repo = LedgerRepo::open_selecting(&ledger.root, &config.selection())?;
                    files_at_revision(ledger, &repo, &config, id, rev)
                };
                history::each_partnership_beside(
                    &repo,
                    rev,
                    &config.ladder,
                    request.progress,
                    &beside,
                    &each,
                )?
            } else {
                let state = files_at_revision(ledger, &repo, &config, id, rev)?;
                let found = each_partnership(
                    ledger,
                    &repo,
                    rev,
                    None,
                    &config.ladder,
                    request.progress,
                    &|timeline, now| each(timeline, now, &state),
                )?;
                (found, state)
            };
            repo.release();
            let now = request.as_of.unwrap_or(found.now);
            (
                state,
                found.results,
                now,
                config,
                Some(found.head),
                found.warnings,
            )
        }
        Revision::WorkingTree => {
            let repo = root::open_working_tree(ledger)?;
            let state = load_working_tree(ledger)?;
            let now = request.as_of.unwrap_or_else(today);
            let config = ledger.config.clone();
            let overlay = Overlay::new(&state, now);
            let source = |file: &str| state.texts.get(file).cloned();
            let analyse_one = |timeline: Timeline| {
                let id = timeline.id.clone();
                let timeline = overlay.onto(timeline);
                (
                    id,
                    findings_of(
                        ledger,
                        timeline,
                        &config,
                        now,
                        &source,
                        request.health,
                        dated,
                    ),
                )
            };
            let (found, warnings) = match &repo {
                Some(repo) if !repo.is_unborn() => {
                    let found = each_partnership(
                        ledger,
                        repo,
                        "HEAD",
                        Some(&state),
                        &ledger.config.ladder,
                        request.progress,
                        &|timeline, _| analyse_one(timeline),
                    )?;
                    (found.results, found.warnings)
                }
                _ => (Vec::new(), Vec::new()),
            };
            if let Some(repo) = repo {
                repo.release();
            }
            let seen: std::collections::HashSet<&str> =
                found.iter().map(|(id, _)| id.as_str()).collect();
            // Partnerships with no history yet: their files on disk are their only version.
            let mut fresh: Vec<&str> = overlay.ids().filter(|id| !seen.contains(id)).collect();
            fresh.sort_unstable();
            let mut results = Vec::new();
            for id in fresh {
                let timeline = Timeline {
                    id: id.to_string(),
                    versions: Vec::new(),
                    ..Default::default()
                };
                results.push(analyse_one(timeline).1);
            }
            results.extend(found.into_iter().map(|(_, r)| r));
            (state, results, now, config, None, warnings)
        }
    };
    let mut findings = Vec::new();
    let mut standings = Vec::new();
    for (found, standing) in results {
        findings.extend(found);
        standings.extend(standing);
    }
    signs::sort(&mut findings);
    Ok(Analysis {
        state,
        findings,
        now,
        config,
        head,
        warnings,
        standings,
    })
}

/// Each partnership's timeline up to `rev`, handed to `each`: when the user named files, only
/// their histories are read, as `rapport timeline` reads one; otherwise the whole ledger's, one
/// partnership at a time. `disk` is the working tree read on top of `rev`, when it is.
fn each_partnership<T: Send>(
    ledger: &LedgerRoot,
    repo: &LedgerRepo,
    rev: &str,
    disk: Option<&LedgerState>,
    ladder: &crate::ledger::Ladder,
    progress: &dyn Progress,
    each: &(dyn Fn(Timeline, Date) -> T + Sync),
) -> Result<history::Partnerships<T>> {
    use rayon::prelude::*;
    let Some(only) = &ledger.only else {
        return history::each_partnership(repo, rev, ladder, progress, each);
    };
    let paths = match disk {
        Some(disk) => committed_paths(repo, rev, only, disk, ladder)?,
        // At a revision the named files were read from its tree: all of them are there.
        None => only.clone(),
    };
    let named = history::timelines_of(repo, rev, &paths, ladder, progress)?;
    let now = named.now;
    let results = named
        .timelines
        .into_par_iter()
        .map(|timeline| each(timeline, now))
        .collect();
    Ok(history::Partnerships {
        head: named.head,
        now,
        results,
        warnings: named.warnings,
    })
}

/// The files at `rev` whose histories the named files on disk continue: a named file `rev` has
/// is its own; one it does not have (staged, not committed) continues the file at `rev` that
/// holds the same partnership id (a move), else it is a new partnership with no history. That
/// file is found in the one tree at `rev` (by name first), not in the history, so a pre-commit
/// hook on a new file stays on the one-partnership path.
fn committed_paths(
    repo: &LedgerRepo,
    rev: &str,
    only: &[String],
    disk: &LedgerState,
    ladder: &crate::ledger::Ladder,
) -> Result<Vec<String>> {
    let tip = repo.resolve(rev)?;
    // One lookup per named file, not a scan of the tree: the hook names a few.
    let (mut paths, mut uncommitted) = (Vec::new(), Vec::new());
    for file in only {
        let full = format!("{}{file}", repo.prefix());
        // A regular file: a link or a submodule in its place has no history to follow.
        match repo.entry_kind(&tip, &full)? {
            Some(history::EntryKind::File) => paths.push(file.clone()),
            _ => uncommitted.push(file.clone()),
        }
    }
    for file in &uncommitted {
        let Some(snapshot) = disk.snapshots.iter().find(|s| s.path == *file) else {
            continue;
        };
        paths.extend(history::file_of(repo, rev, &snapshot.id, ladder)?);
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// The findings of one partnership, redacted, dated when `dated` (the health needs dates);
/// none when the user named files and this partnership's file is not one of them (named files
/// keep their whole history).
fn findings_of(
    ledger: &LedgerRoot,
    timeline: Timeline,
    config: &Config,
    now: Date,
    source: &(dyn Fn(&str) -> Option<String> + Sync),
    health: bool,
    dated: bool,
) -> (Vec<Finding>, Option<portfolio::Standing>) {
    if ledger.only.is_some() && !timeline.last().is_some_and(|v| ledger.wants(&v.path)) {
        return (Vec::new(), None);
    }
    let timelines = std::slice::from_ref(&timeline);
    let mut findings = if dated || health {
        run_rules(timelines, config, now, source)
    } else {
        let mut findings = findings_as_of(timelines, config, now);
        locate::locate(&mut findings, source);
        findings
    };
    redact::redact(&mut findings, timelines, &config.redact);
    let standing = health
        .then(|| portfolio::standing(&timeline, &findings, config, now))
        .flatten();
    (findings, standing)
}

/// Runs the configured rules over timelines as of `now`; `source` gives the text of a file at
/// the analysed point, for pointing findings at lines. Not redacted.
pub fn run_rules(
    timelines: &[Timeline],
    config: &Config,
    now: Date,
    source: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Vec<Finding> {
    let cx = Context {
        now,
        settings: &config.rules,
        ladder: &config.ladder,
        vocabulary: &config.vocabulary,
    };
    let mut findings = signs::analyse(timelines, &cx);
    locate::locate(&mut findings, source);
    findings
}

/// The configured rules' findings over timelines as of `now`, neither dated (see
/// [`Finding::since`]) nor pointed at lines: what the timeline and the portfolio's trends
/// compare at each version. Not redacted.
pub fn findings_as_of(timelines: &[Timeline], config: &Config, now: Date) -> Vec<Finding> {
    let cx = Context {
        now,
        settings: &config.rules,
        ladder: &config.ladder,
        vocabulary: &config.vocabulary,
    };
    signs::analyse_undated(timelines, &cx)
}

/// Reads and parses the working tree of a ledger (the files the user named, when they did).
/// Finding no partnership file is an error, not an empty pass.
fn load_working_tree(ledger: &LedgerRoot) -> Result<LedgerState> {
    let (files, unreadable) = match &ledger.only {
        // Only the named files are opened: a pre-commit hook on a large ledger reads a few.
        Some(only) => {
            let mut files = Vec::new();
            let mut unreadable = Vec::new();
            for file in only {
                match load::read_regular(&ledger.root, file) {
                    Ok(bytes) => files.push((file.clone(), bytes)),
                    Err(problem) => unreadable.push(*problem),
                }
            }
            (files, unreadable)
        }
        None => load::read_folder(&ledger.root, &ledger.config.selection()),
    };
    if files.is_empty() && unreadable.is_empty() {
        return Err(root::nothing_to_check(ledger, &ledger.config, None));
    }
    let mut state = load::load(&files, &ledger.config.ladder);
    let unknown = unknown_acknowledged_rules(&state);
    add_problems(&mut state, unreadable);
    add_validation_errors(&mut state, unknown);
    Ok(state)
}

/// Each `acknowledged` entry of a valid file that names no rule: it acknowledges nothing, so it
/// is an error at the entry's `rule`, with the closest rule id. The file stays valid for the
/// rules (its findings are shown); the check fails as for any other mistake in a file.
pub(crate) fn unknown_acknowledged_rules(state: &LedgerState) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for snapshot in &state.snapshots {
        for (i, ack) in snapshot.front.acknowledged.iter().enumerate() {
            if signs::find_rule(&ack.rule).is_some() {
                continue;
            }
            let ids = signs::catalog().iter().map(|rule| rule.info().id);
            let help = match crate::ledger::yaml::closest(&ack.rule, ids) {
                Some(id) => format!("did you mean `{id}`? `rapport rules` lists every rule id"),
                None => "name a rule id as `rapport rules` lists them".to_string(),
            };
            let text = state.texts.get(&snapshot.path);
            let position = text
                .and_then(|text| {
                    let parts = crate::ledger::parse::split(text)?;
                    let (line, column) = crate::ledger::yaml::locate(
                        parts.front,
                        &format!("acknowledged[{i}].rule"),
                    )?;
                    Some((line + parts.front_line - 1, column))
                })
                .unwrap_or((0, 0));
            problems.push(Diagnostic::at(
                &snapshot.path,
                text.map_or("", String::as_str),
                position,
                "unknown-rule",
                format!(
                    "`{}` is not a rule, so this acknowledgement acknowledges nothing",
                    ack.rule
                ),
                Some(help),
            ));
        }
    }
    problems
}

/// Adds files that could not be read to a parsed state, keeping diagnostics in file order.
fn add_problems(state: &mut LedgerState, problems: Vec<Diagnostic>) {
    state.files += problems.len();
    add_validation_errors(state, problems);
}

/// Adds problems found in files already counted, keeping diagnostics in file order.
fn add_validation_errors(state: &mut LedgerState, problems: Vec<Diagnostic>) {
    state.diagnostics.extend(problems);
    state
        .diagnostics
        .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
}

/// The configuration a commit holds (`rapport.yaml` in its tree, else the one on disk).
pub(crate) fn config_at(repo: &LedgerRepo, commit: history::CommitId) -> Result<Config> {
    let commit = repo.commit(commit)?;
    match repo.file_at(&commit, config::FILE_NAME, config::LIMIT)? {
        Some(Ok(bytes)) => Config::parse(config::FILE_NAME, &bytes).map_err(Error::InvalidConfig),
        Some(Err(problem)) => Err(Error::InvalidConfig(vec![problem])),
        // A revision without a configuration is read with the defaults: the working tree's
        // `rapport.yaml` (maybe not even committed) says nothing about what was committed.
        None => Ok(Config::default()),
    }
}

/// The configuration committed in revision `rev` (the defaults when it has none): what every
/// reading of a revision, as opposed to the working tree, is judged with.
pub fn config_of_revision(repo: &LedgerRepo, rev: &str) -> Result<Config> {
    let commit = repo.resolve(rev)?.id();
    config_at(repo, commit)
}

/// The repository opened for a configuration's folders (`repo` itself when they are the ones
/// it was opened with).
pub(crate) fn reopen_for(
    ledger: &LedgerRoot,
    repo: LedgerRepo,
    config: &Config,
) -> Result<LedgerRepo> {
    if config.paths == ledger.config.paths && config.exclude == ledger.config.exclude {
        return Ok(repo);
    }
    LedgerRepo::open_selecting(&ledger.root, &config.selection())
}

/// Reads and parses the ledger as it is in commit `rev`: its configuration and partnership files
/// come from that commit's tree.
fn load_revision(ledger: &LedgerRoot, rev: &str) -> Result<(LedgerState, LedgerRepo, Config)> {
    let (repo, config, commit) = open_revision(ledger, rev)?;
    let state = files_at_revision(ledger, &repo, &config, commit, rev)?;
    Ok((state, repo, config))
}

/// The ledger's repository and configuration as commit `rev` (resolved to the id returned)
/// has them, the links and submodules where files would be refused.
fn open_revision(
    ledger: &LedgerRoot,
    rev: &str,
) -> Result<(LedgerRepo, Config, history::CommitId)> {
    history::read_in_windows();
    let repo = LedgerRepo::open_selecting(&ledger.root, &ledger.config.selection())?;
    let id = repo.resolve(rev)?.id();
    let config = config_at(&repo, id)?;
    let repo = reopen_for(ledger, repo, &config)?;
    root::refuse_unreadable_at(ledger, &repo, &config, &repo.commit(id)?, rev)?;
    Ok((repo, config, id))
}

/// The partnership files of commit `id` (named `rev`), read and parsed.
fn files_at_revision(
    ledger: &LedgerRoot,
    repo: &LedgerRepo,
    config: &Config,
    id: history::CommitId,
    rev: &str,
) -> Result<LedgerState> {
    let commit = repo.commit(id)?;
    let ((files, problems), known) = match &ledger.only {
        // Only the named files' blobs are read, as in the working tree.
        Some(only) => {
            let (mut files, mut problems) = (Vec::new(), Vec::new());
            for file in only {
                match repo.file_at(&commit, file, load::PARTNERSHIP)? {
                    Some(Ok(bytes)) => files.push((file.clone(), bytes)),
                    Some(Err(problem)) => problems.push(problem),
                    None => {
                        return Err(Error::NotAtRevision {
                            file: file.clone(),
                            rev: rev.to_string(),
                        });
                    }
                }
            }
            ((files, problems), Vec::new())
        }
        None => repo.files_at(&commit, &config.ladder)?,
    };
    if files.is_empty() && problems.is_empty() {
        return Err(root::nothing_to_check(ledger, config, Some(rev)));
    }
    let mut state = load::load_known(&files, known, &config.ladder);
    let unknown = unknown_acknowledged_rules(&state);
    add_problems(&mut state, problems);
    add_validation_errors(&mut state, unknown);
    Ok(state)
}

/// The working tree as one more version of each partnership where it differs from the history
/// up to `HEAD`: uncommitted edits, new files, deleted files and files that no longer parse.
struct Overlay<'a> {
    state: &'a LedgerState,
    /// The valid files on disk, by partnership id, in path order.
    by_id: std::collections::HashMap<&'a str, Vec<&'a crate::ledger::Snapshot>>,
    commit: Arc<Commit>,
    now: Date,
}

impl<'a> Overlay<'a> {
    fn new(state: &'a LedgerState, now: Date) -> Overlay<'a> {
        let commit = Arc::new(Commit {
            id: String::new(),
            // Evidence from the working tree shows its date alone.
            short: String::new(),
            author: String::new(),
            time: now
                .0
                .and_hms_opt(0, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp()),
            date: now,
            summary: "uncommitted changes".into(),
        });
        let mut by_id: std::collections::HashMap<&str, Vec<&crate::ledger::Snapshot>> =
            std::collections::HashMap::new();
        for snapshot in &state.snapshots {
            by_id
                .entry(snapshot.id.as_str())
                .or_default()
                .push(snapshot);
        }
        Overlay {
            state,
            by_id,
            commit,
            now,
        }
    }

    /// The ids of the partnerships with a valid file on disk.
    fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.by_id.keys().copied()
    }

    /// `timeline` (the history up to `HEAD`, or empty for a partnership new on disk) with the
    /// working tree's version where it differs.
    fn onto(&self, mut timeline: Timeline) -> Timeline {
        let snapshots = self.by_id.get(timeline.id.as_str());
        for snapshot in snapshots.into_iter().flatten() {
            // The working tree follows the state at HEAD: the timeline's last version.
            if timeline.current() != Some(*snapshot) {
                timeline.versions.push(Version {
                    commit: Arc::clone(&self.commit),
                    path: snapshot.path.clone(),
                    content: Content::Valid {
                        snapshot: Arc::new((*snapshot).clone()),
                    },
                    parent: timeline.versions.len().checked_sub(1),
                    date: self.now,
                });
            }
        }
        if snapshots.is_some() || !timeline.is_present() {
            return timeline;
        }
        let Some(path) = timeline.last().map(|v| v.path.clone()) else {
            return timeline;
        };
        let problems: Vec<_> = self
            .state
            .diagnostics
            .iter()
            .filter(|d| d.file == path)
            .cloned()
            .collect();
        let content = if problems.is_empty() {
            Content::Removed
        } else {
            Content::Invalid {
                diagnostics: Arc::new(problems),
            }
        };
        timeline.versions.push(Version {
            commit: Arc::clone(&self.commit),
            path,
            content,
            parent: timeline.versions.len().checked_sub(1),
            date: self.now,
        });
        timeline
    }
}
