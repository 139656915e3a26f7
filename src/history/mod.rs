//! History: every version of every partnership file, read from git. This stage owns the
//! repository (opening, revisions, the walk) and hands `ledger` types to the stages after it:
//! a [`History`] is a set of [`Timeline`]s up to one commit. Commit order comes from the
//! commit graph, never from dates; dates say when each version happened (see `clock`).

mod clock;
mod git;
mod loose;
mod objects;
mod repo;
pub mod store;
mod timelines;
mod walk;
mod write;

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::ledger::parse::default_id;
use crate::ledger::{Commit, Date, DateWarning, Ladder, ParseCache, Timeline};

pub use git::{CommitId, CommitRef, EntryKind, GitError, Upstream, init, top, user_name};
pub(crate) use repo::shared_info;
pub use repo::{Files, LedgerRepo, Read, discover, explain_missing, read_in_windows, read_lightly};
pub use write::{Author, Scribe, file_entry};

/// Progress of a long step, reported by the stage and drawn (or not) by the command.
pub trait Progress: Sync {
    fn begin(&self, _step: &'static str, _total: u64) {}
    fn advance(&self, _done: u64) {}
    fn finish(&self) {}
}

/// No progress shown.
pub struct Quiet;

impl Progress for Quiet {}

/// Every partnership's timeline up to one commit.
#[derive(Clone, Debug)]
pub struct History {
    /// The commit analysed.
    pub head: Arc<Commit>,
    /// "Now" for an analysis of this history: the latest date on the head's first-parent line
    /// that is not in the future (the head's own date, unless it contradicts the graph or the
    /// clock).
    pub now: Date,
    /// One timeline per partnership, ordered by id.
    pub timelines: Vec<Timeline>,
    /// The commits whose dates contradict the commit graph or the clock, with the dates they
    /// are counted at instead.
    pub warnings: Vec<DateWarning>,
}

impl History {
    pub fn timeline(&self, id: &str) -> Option<&Timeline> {
        self.timelines
            .binary_search_by(|t| t.id.as_str().cmp(id))
            .ok()
            .and_then(|i| self.timelines.get(i))
    }

    /// "Now" for an analysis of this history: the `now` field.
    pub fn now(&self) -> Date {
        self.now
    }
}

/// Every version of every partnership, from the first commit up to `rev`.
pub fn timelines(
    ledger: &LedgerRepo,
    rev: &str,
    ladder: &Ladder,
    progress: &dyn Progress,
) -> Result<History> {
    Ok(whole(ledger, rev, ladder, progress)?.0)
}

/// [`timelines`], with the clock it dated them by.
fn whole(
    ledger: &LedgerRepo,
    rev: &str,
    ladder: &Ladder,
    progress: &dyn Progress,
) -> Result<(History, clock::Clock)> {
    let (found, clock, ()) = partnerships(
        ledger,
        rev,
        None,
        ladder,
        progress,
        &|| Ok(()),
        &|timeline, _, _, _| timeline,
    )?;
    let history = History {
        head: found.head,
        now: found.now,
        timelines: found.results,
        warnings: found.warnings,
    };
    Ok((history, clock))
}

/// The commits (full hex ids) a point in time reaches, for [`each_partnership_since`].
type Reached = std::collections::HashSet<String>;

/// What [`each_partnership`] gives: one result per partnership, ordered by id, with the commit
/// analysed, "now" and the date warnings, as a [`History`] has them.
pub struct Partnerships<T> {
    pub head: Arc<Commit>,
    pub now: Date,
    pub results: Vec<T>,
    pub warnings: Vec<DateWarning>,
}

/// Every partnership's timeline up to `rev`, as [`timelines`] reads them, handed to `each`
/// (with "now") one at a time on every core and dropped once `each` returns: memory follows
/// the largest partnership's history, not the whole ledger's.
pub fn each_partnership<T: Send>(
    ledger: &LedgerRepo,
    rev: &str,
    ladder: &Ladder,
    progress: &dyn Progress,
    each: &(dyn Fn(Timeline, Date) -> T + Sync),
) -> Result<Partnerships<T>> {
    let each = |timeline, now, _: &Reached, _: &()| each(timeline, now);
    Ok(partnerships(ledger, rev, None, ladder, progress, &|| Ok(()), &each)?.0)
}

/// [`each_partnership`], with `beside` run on a thread of its own while the history is listed
/// and walked (the work before the first timeline is read), and what it returns handed to
/// `each` with every timeline: the files at the revision are read and parsed meanwhile. An
/// error from `beside` is returned before any from the history.
pub fn each_partnership_beside<S: Send + Sync, T: Send>(
    ledger: &LedgerRepo,
    rev: &str,
    ladder: &Ladder,
    progress: &dyn Progress,
    beside: &(dyn Fn() -> Result<S> + Sync),
    each: &(dyn Fn(Timeline, Date, &S) -> T + Sync),
) -> Result<(Partnerships<T>, S)> {
    let each = |timeline, now, _: &Reached, side: &S| each(timeline, now, side);
    let (found, _, side) = partnerships(ledger, rev, None, ladder, progress, beside, &each)?;
    Ok((found, side))
}

/// The whole-ledger pass in two steps: the walk compares trees only and records, per
/// partnership, which file version each commit left (small: ids and paths); then each
/// partnership's versions are read, parsed, dated and handed to `each`, on every core, with the
/// commits `since` reaches (empty without it), taken from the same listing.
fn partnerships<S: Send + Sync, T: Send>(
    ledger: &LedgerRepo,
    rev: &str,
    since: Option<git2::Oid>,
    ladder: &Ladder,
    progress: &dyn Progress,
    beside: &(dyn Fn() -> Result<S> + Sync),
    each: &(dyn Fn(Timeline, Date, &Reached, &S) -> T + Sync),
) -> Result<(Partnerships<T>, clock::Clock, S)> {
    use rayon::prelude::*;
    // libgit2's object cache would keep every commit and folder the walk reads, and its pack
    // windows map the whole pack: memory that grows with the history, not the partnership.
    read_in_windows();
    let cache = ParseCache::new(ladder.clone());
    let store = store::Store::open(ledger, ladder);
    let walked = std::thread::scope(|scope| {
        let side = scope.spawn(beside);
        let walked = (|| -> Result<_> {
            let tip = ledger.resolve(rev)?;
            let head = repo::shared_info(&tip);
            let listing = walk::list_children_first(&ledger.repo, tip.id(), store.as_deref())?;
            let clock = clock::clock(&listing.first_parent_line);
            let reached = since
                .map(|since| walk::reachable(&listing.commits, since))
                .unwrap_or_default();
            let walk = walk::walk_all(ledger, &listing.commits, store.as_deref(), progress)?;
            Ok((head, clock, reached, walk))
        })();
        let side = side
            .join()
            .unwrap_or_else(|panicked| std::panic::resume_unwind(panicked));
        side.and_then(|side| walked.map(|walked| (side, walked)))
    });
    let (side, (head, clock, reached, walk)) = walked?;
    let walk::Walk {
        commits, touches, ..
    } = walk;
    let contents = timelines::Contents::new(ledger, &cache, store.as_deref(), Default::default());
    let recorded = timelines::group(ledger, touches, &contents)?;
    progress.begin("reading versions", recorded.len() as u64);
    let done = recorded
        .into_par_iter()
        // A fresh reader every two partnerships: the pack pages a reader mapped are unmapped
        // with it, so memory follows the partnerships at hand, not the whole pack.
        .with_max_len(2)
        .map_init(
            || objects::Objects::new(&contents.git_dir),
            |blobs, one| -> Result<(T, Vec<DateWarning>)> {
                let mut timeline = timelines::build(blobs, &contents, &commits, one)?;
                let warnings = clock::date_one(&mut timeline, clock);
                progress.advance(1);
                Ok((each(timeline, clock.now, &reached, &side), warnings))
            },
        )
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let (results, warned): (Vec<T>, Vec<Vec<DateWarning>>) = done.into_iter().unzip();
    let warnings = clock::gather(warned, clock, &head);
    let found = Partnerships {
        head,
        now: clock.now,
        results,
        warnings,
    };
    Ok((found, clock, side))
}

/// Every partnership's timeline up to `rev`, each with the part of it `since` (an ancestor of
/// `rev`, or `None` for a point before the first commit) reaches, handed to `each` with "now"
/// for `rev`: two points in time from one reading of the history, as the digest compares them.
pub fn each_partnership_since<T: Send>(
    ledger: &LedgerRepo,
    rev: &str,
    since: Option<git2::Oid>,
    ladder: &Ladder,
    progress: &dyn Progress,
    each: &(dyn Fn(Compared, Date) -> T + Sync),
) -> Result<Partnerships<T>> {
    let pair = |head: Timeline, now: Date, reached: &Reached, _: &()| {
        let compared = Compared {
            id: head.id.clone(),
            base: reached_part(&head, reached),
            head,
        };
        each(compared, now)
    };
    Ok(partnerships(ledger, rev, since, ladder, progress, &|| Ok(()), &pair)?.0)
}

/// The last commit on `rev`'s first-parent line authored on or before `date` (the ledger as it
/// stood that day), `None` when every commit is later.
pub fn at_date(ledger: &LedgerRepo, rev: &str, date: Date) -> Result<Option<git2::Oid>> {
    let mut commit = ledger.resolve(rev)?;
    loop {
        if repo::shared_info(&commit).date <= date {
            return Ok(Some(commit.id()));
        }
        match commit.parent(0) {
            Ok(parent) => commit = parent,
            Err(_) => return Ok(None),
        }
    }
}

/// One partnership's timeline up to `rev`: a [`History`] holding that timeline alone, with the
/// warnings about its commits. Reads only that file's history when the partnership exists at
/// `rev`; otherwise (deleted before `rev`) the whole ledger's.
pub fn timeline(
    ledger: &LedgerRepo,
    rev: &str,
    id: &str,
    ladder: &Ladder,
    progress: &dyn Progress,
) -> Result<History> {
    let tip = ledger.resolve(rev)?;
    let head = repo::shared_info(&tip);
    let cache = ParseCache::new(ladder.clone());
    let entries = ledger.entries(&tip.tree()?)?;
    if let Some(path) = find_file(ledger, &entries, id, &cache)? {
        let store = store::Store::open(ledger, ladder);
        let reader = walk::Reader::new(ledger, &cache, store.as_deref());
        let listing = walk::list_children_first(&ledger.repo, tip.id(), store.as_deref())?;
        let clock = clock::clock(&listing.first_parent_line);
        let walk = walk::follow_listed(ledger, &listing.commits, &path, &reader, progress)?;
        if !walk::moves_unpaired(ledger, &walk)? {
            let found = timelines::assemble(ledger, walk, &cache, store.as_deref())?;
            if let Some(timeline) = found.into_iter().find(|t| t.id == id) {
                let mut timelines = vec![timeline];
                let warnings = clock::date_versions(&mut timelines, clock, &head);
                return Ok(History {
                    head,
                    now: clock.now,
                    timelines,
                    warnings,
                });
            }
        }
    }
    let (history, clock) = whole(ledger, rev, ladder, progress)?;
    if history.timelines.is_empty() {
        return Err(Error::EmptyHistory(format!(
            "no commit up to {rev} changed a partnership file under {}",
            ledger.folders.join(", ")
        )));
    }
    let suggestion =
        crate::ledger::yaml::closest(id, history.timelines.iter().map(|t| t.id.as_str()))
            .map(str::to_string);
    let (head, now) = (history.head, history.now);
    match history.timelines.into_iter().find(|t| t.id == id) {
        Some(timeline) => {
            // Dated already; dating it again finds the same dates and gives its own warnings.
            let mut timelines = vec![timeline];
            let warnings = clock::date_versions(&mut timelines, clock, &head);
            Ok(History {
                head,
                now,
                timelines,
                warnings,
            })
        }
        None => Err(Error::UnknownPartnership {
            id: id.to_string(),
            rev: rev.to_string(),
            suggestion,
        }),
    }
}

/// One partnership before and after a change: its timeline up to the change's head, and the
/// part of it the merge base already had.
#[derive(Clone, Debug)]
pub struct Compared {
    pub id: String,
    /// Every version up to the head.
    pub head: Timeline,
    /// The versions the merge base reaches (empty when the change adds the partnership).
    pub base: Timeline,
}

/// A partnership file a change touched: its path (relative to the ledger root) at the merge
/// base and at the head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Touched {
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The partnership files that differ between `base` and `head`, renames paired.
pub fn touched(ledger: &LedgerRepo, base: git2::Oid, head: git2::Oid) -> Result<Vec<Touched>> {
    let mut found: Vec<Touched> = walk::changed_between(ledger, base, head)?
        .into_iter()
        .map(|m| Touched {
            before: m.before.map(|p| ledger.ledger_path(&p).to_string()),
            after: m.after.map(|p| ledger.ledger_path(&p).to_string()),
        })
        .collect();
    found.sort_by(|a, b| (&a.after, &a.before).cmp(&(&b.after, &b.before)));
    Ok(found)
}

/// The partnerships a change touched, before and after, at the change's "now".
#[derive(Clone, Debug)]
pub struct Comparison {
    /// "Now" for the head, as for a [`History`]: both sides are analysed at it.
    pub now: Date,
    /// One per partnership, ordered by id.
    pub partnerships: Vec<Compared>,
    /// The commits of these partnerships' histories (and the head) whose dates contradict the
    /// commit graph or the clock.
    pub warnings: Vec<DateWarning>,
}

/// The timelines of the partnerships whose files are at `paths` (relative to the ledger root;
/// at the head, or where a file deleted by the change was) up to `head`, each with the part
/// `base` (an ancestor of `head`) reaches. The commits are listed once and each file is
/// followed through its own history only, so the work grows with the files asked for, not
/// with the ledger; a move git did not pair falls back to the whole walk.
pub fn compare(
    ledger: &LedgerRepo,
    head: git2::Oid,
    base: git2::Oid,
    paths: &[String],
    ladder: &Ladder,
    progress: &dyn Progress,
) -> Result<Comparison> {
    let head_info = repo::shared_info(&ledger.repo.find_commit(head)?);
    let (listing, clock, mut heads) = listed_and_followed(ledger, head, paths, ladder, progress)?;
    let reached = walk::reachable(&listing.commits, base);
    let lines = Lines {
        head: walk::first_parent_line(&listing.commits, head),
        base: walk::first_parent_line(&listing.commits, base),
    };
    let mut bases = Vec::with_capacity(heads.len());
    let same = base == head;
    for head in &mut heads {
        let (merged, base_side) = base_first(head, &reached);
        *head = merged;
        // Comparing a commit with itself is reading it: its timeline as every reader sees it.
        if !same {
            after_the_merge(head, &base_side, &lines, &head_info);
        }
        let base = base_side;
        bases.push(base);
    }
    let warnings = clock::date_versions(&mut heads, clock, &head_info);
    // The base side keeps the dates its own versions have on the head side.
    for (head, base) in heads.iter().zip(&mut bases) {
        let dates: HashMap<&str, Date> = head
            .versions
            .iter()
            .map(|v| (v.commit.id.as_str(), v.date))
            .collect();
        for version in &mut base.versions {
            if let Some(date) = dates.get(version.commit.id.as_str()) {
                version.date = *date;
            }
        }
    }
    let partnerships = heads
        .into_iter()
        .zip(bases)
        .map(|(head, base)| Compared {
            id: head.id.clone(),
            base,
            head,
        })
        .collect();
    Ok(Comparison {
        now: clock.now,
        partnerships,
        warnings,
    })
}

/// The commits up to `tip` listed once, the clock their dates give, and the timelines of the
/// partnerships whose files are at `paths` (relative to the ledger root) followed through them.
fn listed_and_followed(
    ledger: &LedgerRepo,
    tip: git2::Oid,
    paths: &[String],
    ladder: &Ladder,
    progress: &dyn Progress,
) -> Result<(walk::Listing, clock::Clock, Vec<Timeline>)> {
    let cache = ParseCache::new(ladder.clone());
    let store = store::Store::open(ledger, ladder);
    let listing = walk::list_children_first(&ledger.repo, tip, store.as_deref())?;
    let clock = clock::clock(&listing.first_parent_line);
    let timelines = followed(
        ledger,
        &listing.commits,
        paths,
        &cache,
        store.as_deref(),
        progress,
    )?;
    Ok((listing, clock, timelines))
}

/// The timelines of the partnerships whose files are at `paths` (relative to the ledger root)
/// in the listing's tip, ordered by id, each file followed through its own history only; a move
/// git did not pair falls back to the whole walk.
fn followed(
    ledger: &LedgerRepo,
    listed: &[walk::Listed],
    paths: &[String],
    cache: &ParseCache,
    store: Option<&store::Store>,
    progress: &dyn Progress,
) -> Result<Vec<Timeline>> {
    // Sorted, so paths that share folders are neighbours and resolved together.
    let mut paths: Vec<String> = paths.to_vec();
    paths.sort();
    paths.dedup();
    let full: Vec<String> = paths
        .iter()
        .map(|p| format!("{}{p}", ledger.prefix()))
        .collect();
    let reader = walk::Reader::new(ledger, cache, store);
    let walks = walk::follow_listed_many(ledger, listed, &full, &reader, progress)?;
    let mut heads: Vec<Timeline> = Vec::new();
    let mut whole: Option<Vec<Timeline>> = None;
    for (path, found) in paths.iter().zip(walks) {
        // No version anywhere up to the head (a link or a submodule where a file would be):
        // the whole walk, which records the same versions, would find none either.
        if found.touches.is_empty() {
            continue;
        }
        let timeline = if walk::moves_unpaired(ledger, &found)? {
            None
        } else {
            timelines::assemble(ledger, found, cache, store)?
                .into_iter()
                .next()
        };
        let timeline = match timeline {
            Some(timeline) => timeline,
            None => {
                if whole.is_none() {
                    let walked = walk::walk_all(ledger, listed, store, progress)?;
                    whole = Some(timelines::assemble(ledger, walked, cache, store)?);
                }
                let all = whole.as_deref().unwrap_or_default();
                match all
                    .iter()
                    .find(|t| t.versions.iter().any(|v| v.path == *path))
                {
                    Some(timeline) => timeline.clone(),
                    None => continue,
                }
            }
        };
        heads.push(timeline);
    }
    // Two paths of one partnership (a copy, a move in two steps) are one timeline.
    heads.sort_by(|a, b| a.id.cmp(&b.id));
    heads.dedup_by(|a, b| a.id == b.id);
    Ok(heads)
}

/// The timelines of the partnerships whose files are at `paths` (relative to the ledger root)
/// at `rev`, each followed through its own history only, as `rapport timeline ID` follows one:
/// the work grows with the files asked for, not with the ledger. A path that is no partnership
/// file at `rev` gives no timeline (see `analysis` for files not yet committed).
pub fn timelines_of(
    ledger: &LedgerRepo,
    rev: &str,
    paths: &[String],
    ladder: &Ladder,
    progress: &dyn Progress,
) -> Result<History> {
    let tip = ledger.resolve(rev)?;
    let head = repo::shared_info(&tip);
    let (_, clock, mut timelines) = listed_and_followed(ledger, tip.id(), paths, ladder, progress)?;
    let warnings = clock::date_versions(&mut timelines, clock, &head);
    Ok(History {
        head,
        now: clock.now,
        timelines,
        warnings,
    })
}

/// The first-parent lines of a change's head and of its merge base, newest first.
struct Lines {
    head: Vec<String>,
    base: Vec<String>,
}

/// The version of `timeline` that holds the file as `line`'s first commit has it: the version
/// of the newest commit on that first-parent line that recorded one (each commit of the line
/// either changed the file from its first parent, and so recorded a version, or left it as it
/// was). The timeline's last version is not always that one: a branch merged in with its own
/// versions of the file lists them after the line's.
fn version_on_line(timeline: &Timeline, line: &[String]) -> Option<usize> {
    let mut by_commit: HashMap<&str, usize> = HashMap::new();
    for (i, version) in timeline.versions.iter().enumerate() {
        by_commit.insert(version.commit.id.as_str(), i);
    }
    line.iter()
        .find_map(|commit| by_commit.get(commit.as_str()).copied())
}

/// Makes the head side of a change read as the base's own first-parent line will read after
/// the change is merged into it: the base's history, then the file as the head has it,
/// descending from the file as the base has it. When the head's version already descends from
/// the base's (a branch that started from it, or merged it in and built on it), the timeline
/// is left as it is. Otherwise (a branch that wrote the file on its own line and took the base
/// in with `git merge -s ours`, or merged the base and kept its own version) a version at the
/// head commit is added, so the step from the value the base holds to the one the change
/// brings is one rules see: no merge can hide it.
fn after_the_merge(head: &mut Timeline, base: &Timeline, lines: &Lines, head_commit: &Arc<Commit>) {
    let Some(tip) = version_on_line(head, &lines.head) else {
        return;
    };
    let from = if base.versions.is_empty() {
        None
    } else {
        version_on_line(head, &lines.base)
    };
    let descends = match from {
        Some(from) => {
            let mut at = Some(tip);
            let mut found = false;
            while let Some(i) = at {
                if i == from {
                    found = true;
                    break;
                }
                at = head
                    .versions
                    .get(i)
                    .and_then(|v| v.parent)
                    .filter(|p| *p < i);
            }
            found
        }
        None => true,
    };
    if descends && tip + 1 == head.versions.len() {
        return;
    }
    let Some(state) = head.versions.get(tip) else {
        return;
    };
    let mut version = state.clone();
    version.commit = Arc::clone(head_commit);
    version.date = head_commit.date;
    version.parent = if descends { Some(tip) } else { from };
    head.versions.push(version);
}

/// The head side of a change and its base side: the versions the merge base reaches (as
/// [`reached_part`] keeps them), then the versions the change brings, in their order, each
/// linked to the version it descends from. Rules read a change as what it does to the base:
/// a branch's versions dated before the base's never come first.
fn base_first(
    head: &Timeline,
    reached: &std::collections::HashSet<String>,
) -> (Timeline, Timeline) {
    let base = reached_part(head, reached);
    let mut at: Vec<Option<usize>> = vec![None; head.versions.len()];
    let mut next = 0;
    for (i, version) in head.versions.iter().enumerate() {
        if reached.contains(&version.commit.id) {
            at[i] = Some(next);
            next += 1;
        }
    }
    let mut versions = base.versions.clone();
    for (i, version) in head.versions.iter().enumerate() {
        if reached.contains(&version.commit.id) {
            continue;
        }
        let mut version = version.clone();
        // Indices only go back; the version it descends from is already placed.
        version.parent = version.parent.filter(|p| *p < i).and_then(|p| at[p]);
        at[i] = Some(versions.len());
        versions.push(version);
    }
    (
        Timeline {
            id: head.id.clone(),
            versions,
            ..Default::default()
        },
        base,
    )
}

/// The versions of a timeline whose commits are in `reached`, each linked to the nearest of
/// them it descends from. The versions are the head's, so the base side keeps each version as
/// the whole walk up to the merge base would have recorded it.
fn reached_part(head: &Timeline, reached: &std::collections::HashSet<String>) -> Timeline {
    let mut kept: Vec<Option<usize>> = vec![None; head.versions.len()];
    let mut versions = Vec::new();
    for (i, version) in head.versions.iter().enumerate() {
        if !reached.contains(&version.commit.id) {
            continue;
        }
        let mut parent = version.parent.filter(|p| *p < i);
        while let Some(p) = parent {
            if kept[p].is_some() {
                break;
            }
            parent = head.versions[p].parent.filter(|q| *q < p);
        }
        let mut version = version.clone();
        version.parent = parent.and_then(|p| kept[p]);
        kept[i] = Some(versions.len());
        versions.push(version);
    }
    Timeline {
        id: head.id.clone(),
        versions,
        ..Default::default()
    }
}

/// The file (relative to the ledger root) holding partnership `id` at `rev`, if any: what a
/// file not yet committed continues when it carries that id.
pub fn file_of(
    ledger: &LedgerRepo,
    rev: &str,
    id: &str,
    ladder: &Ladder,
) -> Result<Option<String>> {
    let tip = ledger.resolve(rev)?;
    let entries = ledger.entries(&tip.tree()?)?;
    let cache = ParseCache::new(ladder.clone());
    let found = find_file(ledger, &entries, id, &cache)?;
    Ok(found.map(|path| ledger.ledger_path(&path).to_string()))
}

/// The file holding partnership `id` at the tip: a file named after the id, else one whose
/// front matter sets it.
fn find_file(
    ledger: &LedgerRepo,
    entries: &[(String, git2::Oid)],
    id: &str,
    cache: &ParseCache,
) -> Result<Option<String>> {
    // Blobs over the size limit are not loaded: they cannot hold a valid partnership.
    let read = |oid: git2::Oid| -> Result<Option<Vec<u8>>> {
        Ok(repo::read_blob(&ledger.repo, oid, crate::ledger::load::PARTNERSHIP)?.ok())
    };
    let read_id = |path: &str, oid: git2::Oid| -> Result<Option<String>> {
        Ok(read(oid)?.and_then(|bytes| {
            cache
                .parse(ledger.ledger_path(path), &bytes)
                .ok()
                .map(|s| s.id)
        }))
    };
    for (path, oid) in entries {
        if default_id(path) == id {
            match read_id(path, *oid)? {
                Some(found) if found != id => continue,
                _ => return Ok(Some(path.clone())),
            }
        }
    }
    let needle = format!("id: {id}");
    for (path, oid) in entries {
        let mentions = read(*oid)?
            .is_some_and(|bytes| std::str::from_utf8(&bytes).is_ok_and(|t| t.contains(&needle)));
        if mentions && read_id(path, *oid)?.as_deref() == Some(id) {
            return Ok(Some(path.clone()));
        }
    }
    Ok(None)
}
