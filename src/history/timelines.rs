//! From the walk to timelines: versions are grouped by partnership (a chain of paths followed
//! through renames and re-adds; chains that end with the same id, an explicit `id` winning over
//! the file stem, are one partnership), each sharing the snapshot parsed once per distinct file
//! version, and each linked to the version it descends from.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use git2::Oid;

use super::repo::{LedgerRepo, read_blob};
use super::walk::Walk;
use crate::error::Result;
use crate::ledger::load::PARTNERSHIP;
use crate::ledger::parse::{default_id, too_large};
use crate::ledger::{Content, ParseCache, Timeline, Version};

/// Groups the walk's versions into timelines, ordered by id.
pub(crate) fn assemble(
    ledger: &LedgerRepo,
    walk: Walk,
    cache: &ParseCache,
) -> Result<Vec<Timeline>> {
    let Walk {
        commits,
        touches,
        mut parsed,
    } = walk;
    let mut lineages: BTreeMap<usize, Vec<Placed>> = BTreeMap::new();
    for (order, touch) in touches.into_iter().enumerate() {
        let path = ledger.ledger_path(&touch.path).to_string();
        let content = match touch.blob {
            Some(oid) => match parsed.get(&(oid, path.clone())) {
                Some(content) => content.clone(),
                // The walk parses every version it records; this is only a safety net.
                None => {
                    let content = match read_blob(&ledger.repo, oid, PARTNERSHIP)? {
                        Ok(bytes) => Content::from_parse(cache.parse(&path, &bytes)),
                        Err(size) => Content::Invalid {
                            diagnostics: Arc::new(vec![too_large(&path, size)]),
                        },
                    };
                    parsed.insert((oid, path.clone()), content.clone());
                    content
                }
            },
            None => Content::Removed,
        };
        let Some(commit) = commits.get(touch.commit) else {
            continue;
        };
        let key = (path.clone(), touch.blob);
        let was = touch
            .was
            .map(|(p, blob)| (ledger.ledger_path(&p).to_string(), blob));
        let version = Version {
            date: commit.date,
            commit: Arc::clone(commit),
            path,
            content,
            parent: None,
        };
        lineages
            .entry(touch.lineage)
            .or_default()
            .push((order, version, key, was));
    }
    drop(parsed);
    let mut by_id: BTreeMap<String, Vec<Placed>> = BTreeMap::new();
    for versions in lineages.into_values() {
        let id = versions
            .iter()
            .rev()
            .find_map(|(_, v, ..)| v.snapshot().map(|s| s.id.clone()))
            .or_else(|| versions.last().map(|(_, v, ..)| default_id(&v.path)))
            .unwrap_or_default();
        by_id.entry(id).or_default().extend(versions);
    }
    Ok(by_id
        .into_iter()
        .map(|(id, mut versions)| {
            versions.sort_by_key(|(order, ..)| *order);
            // A path deleted in the commit that writes the same partnership elsewhere is a move
            // git did not pair (the text changed too much): the partnership goes on.
            let written: std::collections::HashSet<&str> = versions
                .iter()
                .filter(|(_, v, ..)| !matches!(v.content, Content::Removed))
                .map(|(_, v, ..)| v.commit.id.as_str())
                .collect();
            let moved: Vec<bool> = versions
                .iter()
                .map(|(_, v, ..)| {
                    matches!(v.content, Content::Removed) && written.contains(v.commit.id.as_str())
                })
                .collect();
            let versions = versions
                .into_iter()
                .zip(moved)
                .filter(|(_, moved)| !moved)
                .map(|((_, v, key, was), _)| (v, key, was))
                .collect();
            Timeline {
                id,
                versions: link(versions),
            }
        })
        .collect())
}

/// A file state: its path (relative to the ledger root) and blob (`None`: absent).
type Key = (String, Option<Oid>);

/// A version with its place in the walk, its file state, and the file's state at its commit's
/// first parent.
type Placed = (usize, Version, Key, Option<Key>);

/// Links each version to the one it descends from: the latest earlier version that recorded
/// the state the file had at the commit's first parent (`was`); when no version did (a move
/// git did not pair, a partnership joined by id, a second root), the version before it.
fn link(versions: Vec<(Version, Key, Option<Key>)>) -> Vec<Version> {
    let mut latest: HashMap<Key, usize> = HashMap::new();
    versions
        .into_iter()
        .enumerate()
        .map(|(i, (mut version, key, was))| {
            version.parent = was
                .and_then(|was| latest.get(&was).copied())
                .or_else(|| i.checked_sub(1));
            latest.insert(key, i);
            version
        })
        .collect()
}
