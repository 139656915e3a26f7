//! The commit listing every reading of history shares: each commit reachable from a tip, in
//! graph order (children first, dates only breaking ties), so the whole walk and the one-file
//! follow take commits in one order by construction.

use std::collections::HashMap;

use git2::{Oid, Repository};

use super::super::repo::author_date;
use crate::error::Result;
use crate::ledger::Date;

/// Every commit reachable from `tip`, each read once, in graph order: every commit before its
/// parents, and among the commits whose children are all listed, the latest by committer time
/// first (then by id), as `git rev-list --date-order` lists them. Dates only break ties, so a
/// commit dated wrong never comes before one of its children or after one of its parents; the
/// whole walk takes this order backwards and the one-file paths take it as it is, so every path
/// sees the same history.
pub(crate) fn list_children_first(repo: &Repository, tip: Oid) -> Result<Listing> {
    // Read newest first by time, so a commit's parents, read to list it, are still in the
    // object cache when their turn comes. Where dates agree with the graph that is already the
    // graph order; where a parent comes out before one of its children, the listing is put in
    // graph order in memory.
    const QUEUED: usize = usize::MAX;
    let mut queue = std::collections::BinaryHeap::new();
    // Each commit's index in `listed` once listed.
    let mut at: HashMap<Oid, usize> = HashMap::new();
    let first = repo.find_commit(tip)?;
    queue.push((first.time().seconds(), first.id()));
    at.insert(first.id(), QUEUED);
    let mut listed = Vec::new();
    let mut in_order = true;
    while let Some((time, oid)) = queue.pop() {
        let commit = repo.find_commit(oid)?;
        if let Some(slot) = at.get_mut(&oid) {
            *slot = listed.len();
        }
        let mut parents = Vec::with_capacity(1);
        let mut parent_ids = Vec::with_capacity(1);
        for parent in commit.parents() {
            parents.push(parent.tree_id());
            parent_ids.push(parent.id());
            match at.entry(parent.id()) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(QUEUED);
                    queue.push((parent.time().seconds(), parent.id()));
                }
                std::collections::hash_map::Entry::Occupied(slot) => {
                    in_order &= *slot.get() == QUEUED;
                }
            }
        }
        let when = commit.author().when();
        listed.push(Listed {
            commit: oid,
            tree: commit.tree_id(),
            parents,
            parent_ids,
            time,
            authored: when.seconds(),
            date: author_date(when),
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
/// committer time (for ordering) and its author time and date (for "now").
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
