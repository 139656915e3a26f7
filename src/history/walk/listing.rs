//! The commit listing every reading of history shares: each commit reachable from a tip, in
//! graph order (children first, dates only breaking ties), so the whole walk and the one-file
//! follow take commits in one order by construction.

use std::collections::HashMap;
use std::sync::Arc;

use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use super::super::objects::Objects;
use super::super::repo::{author_date, commit_of, has_grafts, shared_info};
use super::super::store::Store;
use super::commits;
use crate::error::Result;
use crate::ledger::{Commit, Date};

/// Every commit reachable from `tip`, each read once, in graph order: every commit before its
/// parents, and among the commits whose children are all listed, the latest by committer time
/// first (then by id), as `git rev-list --date-order` lists them. Dates only break ties, so a
/// commit dated wrong never comes before one of its children or after one of its parents; the
/// whole walk takes this order backwards and the one-file paths take it as it is, so every path
/// sees the same history.
pub(crate) fn list_children_first(
    repo: &Repository,
    tip: Oid,
    store: Option<&Store>,
) -> Result<Listing> {
    // Read newest first by time, so a commit's parents, read to list it, are still in the
    // object cache when their turn comes. Where dates agree with the graph that is already the
    // graph order; where a parent comes out before one of its children, the listing is put in
    // graph order in memory.
    const QUEUED: usize = usize::MAX;
    let mut queue = std::collections::BinaryHeap::new();
    // Each commit's index in `listed` once listed.
    let mut at: HashMap<Oid, usize> = HashMap::new();
    let mut reader = CommitReader {
        repo,
        objects: (!has_grafts(repo)).then(|| Objects::new(repo.path())),
        store,
        ahead: HashMap::default(),
        known: HashMap::default(),
    };
    let first = reader.facts(tip)?;
    queue.push((first.time, tip));
    at.insert(tip, QUEUED);
    let mut listed = Vec::new();
    let mut in_order = true;
    let mut next = Some(first);
    while let Some((time, oid)) = queue.pop() {
        let commit = match next.take() {
            Some(known) => known,
            None => reader.facts(oid)?,
        };
        if let Some(slot) = at.get_mut(&oid) {
            *slot = listed.len();
        }
        for parent in &commit.parents {
            match at.entry(parent.id) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(QUEUED);
                    queue.push((parent.time, parent.id));
                }
                std::collections::hash_map::Entry::Occupied(slot) => {
                    in_order &= *slot.get() == QUEUED;
                }
            }
        }
        listed.push(Listed {
            commit: oid,
            tree: commit.tree,
            parents: commit.parents.iter().map(|p| p.tree).collect(),
            parent_ids: commit.parents.iter().map(|p| p.id).collect(),
            time,
            authored: commit.authored,
            date: commit.date,
            shown: commit.shown.map(Box::new),
        });
    }
    let mut first_parent_line = Vec::new();
    let mut next = Some(0);
    while let Some(one) = next.and_then(|i| listed.get(i)) {
        first_parent_line.push((one.authored, one.date));
        next = one.parent_ids.first().and_then(|p| at.get(p)).copied();
    }
    if !in_order {
        children_first(&mut listed, &at);
    }
    Ok(Listing {
        commits: listed,
        first_parent_line,
    })
}

/// Commits reachable from a tip, in graph order, and the dates on the tip's first-parent line.
pub(crate) struct Listing {
    /// Every commit, children first (see [`list_children_first`]).
    pub commits: Vec<Listed>,
    /// The author time (seconds since the epoch) and date of each commit on the tip's
    /// first-parent line, the tip first.
    pub first_parent_line: Vec<(i64, Date)>,
}

/// Puts listed commits in graph order, in place (Kahn's algorithm: a commit is placed once all
/// its children are, the latest by committer time first among those ready); `at` gives each
/// commit's index in `listed`.
fn children_first(listed: &mut [Listed], at: &HashMap<Oid, usize>) {
    let mut children = vec![0usize; listed.len()];
    for one in listed.iter() {
        for parent in &one.parent_ids {
            if let Some(&i) = at.get(parent) {
                children[i] += 1;
            }
        }
    }
    let mut ready: std::collections::BinaryHeap<(i64, Oid, usize)> = children
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == 0)
        .map(|(i, _)| (listed[i].time, listed[i].commit, i))
        .collect();
    // Where each listed commit goes.
    let mut place = vec![0usize; listed.len()];
    let mut placed = 0;
    while let Some((_, _, i)) = ready.pop() {
        place[i] = placed;
        placed += 1;
        for parent in &listed[i].parent_ids {
            if let Some(&j) = at.get(parent) {
                children[j] -= 1;
                if children[j] == 0 {
                    ready.push((listed[j].time, listed[j].commit, j));
                }
            }
        }
    }
    // Every commit is reachable from the tip, so every one was placed; move each to its place.
    for i in 0..listed.len() {
        while place[i] != i {
            let j = place[i];
            listed.swap(i, j);
            place.swap(i, j);
        }
    }
}

/// A commit as listed by the walk: its id, its tree, its parents' trees and their ids, its
/// committer time (for ordering), its author time and date (for "now"), and what a version
/// shows of it.
pub(crate) struct Listed {
    pub commit: Oid,
    pub(super) tree: Oid,
    pub(super) parents: Vec<Oid>,
    pub parent_ids: Vec<Oid>,
    time: i64,
    /// Author time, seconds since the Unix epoch.
    pub authored: i64,
    /// The author date in the author's time zone.
    pub date: Date,
    /// What a version shows of the commit, when the listing holds it.
    shown: Option<Box<Shown>>,
}

struct Shown {
    author: String,
    /// The first line of the message.
    summary: String,
}

impl Listed {
    /// Whether the listing holds what a version shows of the commit.
    pub fn holds_info(&self) -> bool {
        self.shown.is_some()
    }

    /// The commit's facts, as a version shows them: from the listing when it holds them, else
    /// read from the repository `repo` gives (opened only then).
    pub fn info<'r>(&self, repo: impl FnOnce() -> Result<&'r Repository>) -> Result<Arc<Commit>> {
        Ok(match &self.shown {
            Some(shown) => Arc::new(commit_of(
                self.commit,
                shown.author.clone(),
                self.authored,
                self.date,
                shown.summary.clone(),
            )),
            None => shared_info(&repo()?.find_commit(self.commit)?),
        })
    }
}

/// What the listing needs of a commit, read from its object or kept by an earlier run.
struct Facts {
    tree: Oid,
    parents: Vec<Parent>,
    /// Committer time.
    time: i64,
    authored: i64,
    date: Date,
    /// Held only when a cache is kept, where the commit would otherwise be read again for it;
    /// without one, a version's commit is read when it is recorded (libgit2 keeps a summary it
    /// worked out with the commit), and the listing of a large history stays small.
    shown: Option<Shown>,
}

struct Parent {
    id: Oid,
    tree: Oid,
    /// Committer time.
    time: i64,
}

/// The name [`Store::keep_fact`] keeps a commit's [`Facts`] under, with the encoding's version.
const LISTED: &str = "listed 1";

/// A commit's [`Facts`] as kept between runs.
#[derive(Serialize, Deserialize)]
struct KeptFacts {
    tree: String,
    /// Each parent's id, tree and committer time.
    parents: Vec<(String, String, i64)>,
    time: i64,
    authored: i64,
    /// The author's offset from UTC, in minutes.
    offset: i32,
    author: String,
    summary: String,
}

/// Reads each commit's [`Facts`] for the listing, each commit object once: a commit's parents
/// are read when it is listed (their trees and times are among its facts) and kept until their
/// own turn.
struct CommitReader<'r> {
    repo: &'r Repository,
    /// The reader of plain commit objects; `None` in a repository with grafts.
    objects: Option<Objects<'r>>,
    store: Option<&'r Store>,
    /// Commits read as parents, not listed yet.
    ahead: foldhash::HashMap<Oid, Own>,
    /// The tree and committer time of each commit read.
    known: foldhash::HashMap<Oid, (Oid, i64)>,
}

/// What a commit's own object says (its parents' trees and times are in theirs).
struct Own {
    tree: Oid,
    parents: Vec<Oid>,
    time: i64,
    authored: i64,
    /// The author's offset from UTC, in minutes.
    offset: i32,
    shown: Option<Shown>,
}

impl CommitReader<'_> {
    /// A commit's facts: kept by an earlier run (a commit id fixes its parents, dates and
    /// message for good; a shallow clone, whose commits lose parents, is refused before any
    /// listing), else read from the repository and kept for the next run.
    fn facts(&mut self, oid: Oid) -> Result<Facts> {
        if let Some(facts) = self
            .store
            .and_then(|s| s.fact(LISTED, oid))
            .and_then(|b| from_kept(&b))
        {
            // Read ahead as a parent before its own facts were found kept: not needed now.
            self.ahead.remove(&oid);
            self.known.insert(oid, (facts.tree, facts.time));
            for parent in &facts.parents {
                self.known.insert(parent.id, (parent.tree, parent.time));
            }
            return Ok(facts);
        }
        let own = match self.ahead.remove(&oid) {
            Some(own) => own,
            None => self.own(oid)?,
        };
        let mut parents = Vec::with_capacity(own.parents.len());
        for &id in &own.parents {
            let (tree, time) = match self.known.get(&id) {
                Some(known) => *known,
                None => {
                    let parent = self.own(id)?;
                    let known = (parent.tree, parent.time);
                    self.ahead.insert(id, parent);
                    known
                }
            };
            parents.push(Parent { id, tree, time });
        }
        let facts = Facts {
            tree: own.tree,
            parents,
            time: own.time,
            authored: own.authored,
            date: author_date(git2::Time::new(own.authored, own.offset)),
            shown: own.shown,
        };
        if let (Some(store), Some(shown)) = (self.store, &facts.shown) {
            let kept = KeptFacts {
                tree: facts.tree.to_string(),
                parents: facts
                    .parents
                    .iter()
                    .map(|p| (p.id.to_string(), p.tree.to_string(), p.time))
                    .collect(),
                time: facts.time,
                authored: facts.authored,
                offset: own.offset,
                author: shown.author.clone(),
                summary: shown.summary.clone(),
            };
            if let Ok(body) = serde_json::to_vec(&kept) {
                store.keep_fact(LISTED, oid, &body);
            }
        }
        Ok(facts)
    }

    /// What commit `oid`'s object says, parsed without libgit2 when written the plain way.
    fn own(&mut self, oid: Oid) -> Result<Own> {
        let keep = self.store.is_some();
        let plain = self
            .objects
            .as_mut()
            .and_then(|o| o.commit_through_gix(oid))
            .and_then(commits::parse);
        let own = match plain {
            Some(parsed) => Own {
                tree: parsed.tree,
                parents: parsed.parents,
                time: parsed.committed,
                authored: parsed.authored,
                offset: parsed.offset,
                shown: keep.then(|| Shown {
                    author: String::from_utf8_lossy(parsed.author).into_owned(),
                    summary: String::from_utf8_lossy(&commits::summary(parsed.message))
                        .into_owned(),
                }),
            },
            None => {
                let commit = self.repo.find_commit(oid)?;
                let author = commit.author();
                let when = author.when();
                Own {
                    tree: commit.tree_id(),
                    parents: commit.parent_ids().collect(),
                    time: commit.time().seconds(),
                    authored: when.seconds(),
                    offset: when.offset_minutes(),
                    shown: keep.then(|| Shown {
                        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
                        summary: String::from_utf8_lossy(
                            commit.summary_bytes().unwrap_or_default(),
                        )
                        .into_owned(),
                    }),
                }
            }
        };
        self.known.insert(oid, (own.tree, own.time));
        Ok(own)
    }
}

fn from_kept(body: &[u8]) -> Option<Facts> {
    let kept: KeptFacts = serde_json::from_slice(body).ok()?;
    let oid = |hex: &str| Oid::from_str(hex).ok();
    let parents = kept
        .parents
        .iter()
        .map(|(id, tree, time)| {
            Some(Parent {
                id: oid(id)?,
                tree: oid(tree)?,
                time: *time,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Facts {
        tree: oid(&kept.tree)?,
        parents,
        time: kept.time,
        authored: kept.authored,
        date: author_date(git2::Time::new(kept.authored, kept.offset)),
        shown: Some(Shown {
            author: kept.author,
            summary: kept.summary,
        }),
    })
}

/// The commits of a listing reachable from `from` (itself included), as full hex ids: the
/// part of the history an ancestor of the listing's tip had.
pub(crate) fn reachable(listed: &[Listed], from: Oid) -> std::collections::HashSet<String> {
    let by_id: HashMap<Oid, &Listed> = listed.iter().map(|l| (l.commit, l)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![from];
    while let Some(oid) = stack.pop() {
        if !seen.insert(oid) {
            continue;
        }
        if let Some(listed) = by_id.get(&oid) {
            stack.extend(listed.parent_ids.iter().copied());
        }
    }
    seen.into_iter().map(|oid| oid.to_string()).collect()
}

/// The commits of `from`'s first-parent line, `from` first, as object ids in hex: the commits
/// whose own changes make up what a branch reads as its line.
pub(crate) fn first_parent_line(listed: &[Listed], from: Oid) -> Vec<String> {
    let by_id: HashMap<Oid, &Listed> = listed.iter().map(|l| (l.commit, l)).collect();
    let mut line = Vec::new();
    let mut next = Some(from);
    while let Some(oid) = next {
        let Some(listed) = by_id.get(&oid) else {
            break;
        };
        line.push(oid.to_string());
        next = listed.parent_ids.first().copied();
    }
    line
}
