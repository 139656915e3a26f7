//! From the walk to timelines, in two steps. [`group`] sorts the walk's versions by partnership
//! (a chain of paths followed through renames and re-adds; chains that end with the same id, an
//! explicit `id` winning over the file stem, are one partnership) and links each to the version
//! it descends from, reading no more than each chain's last valid version. [`build`] then reads
//! and parses one partnership's versions, so a caller can hold one partnership at a time.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use git2::Oid;
use rayon::prelude::*;

use super::objects::Objects;
use super::repo::LedgerRepo;
use super::store::Store;
use super::walk::{Touch, Walk};
use crate::error::Result;
use crate::ledger::load::PARTNERSHIP;
use crate::ledger::parse::{default_id, parse_partnership, too_large};
use crate::ledger::{Commit, Content, ParseCache, Timeline, Version};

/// Groups the walk's versions into timelines, ordered by id, each read and parsed.
pub(crate) fn assemble(
    ledger: &LedgerRepo,
    walk: Walk,
    cache: &ParseCache,
    store: Option<&Store>,
) -> Result<Vec<Timeline>> {
    let Walk {
        commits,
        touches,
        parsed,
    } = walk;
    let contents = Contents::new(ledger, cache, store, parsed);
    let recorded = group(ledger, touches, &contents)?;
    let mut blobs = Objects::new(&contents.git_dir);
    recorded
        .into_iter()
        .map(|one| build(&mut blobs, &contents, &commits, one))
        .collect()
}

/// Reads the content of file versions: parsed already by the walk (the one-file paths parse as
/// they follow), else read from the repository when asked.
pub(crate) struct Contents<'a> {
    pub git_dir: PathBuf,
    cache: &'a ParseCache,
    /// Versions parsed by earlier runs.
    store: Option<&'a Store>,
    /// By blob and path relative to the ledger root.
    parsed: HashMap<(Oid, String), Content>,
}

impl<'a> Contents<'a> {
    pub fn new(
        ledger: &LedgerRepo,
        cache: &'a ParseCache,
        store: Option<&'a Store>,
        parsed: HashMap<(Oid, String), Content>,
    ) -> Contents<'a> {
        Contents {
            git_dir: ledger.git_dir(),
            cache,
            store,
            parsed,
        }
    }

    /// The content of `path` (relative to the ledger root) in blob `oid`, parsed through the
    /// cache so a file's unchanged parts are reused from its previous version.
    fn content(&self, blobs: &mut Objects<'_>, oid: Oid, path: &str) -> Result<Content> {
        if let Some(content) = self.parsed.get(&(oid, path.to_string())) {
            return Ok(content.clone());
        }
        if let Some(content) = self.store.and_then(|s| s.get(oid, path)) {
            return Ok(content);
        }
        let parsed = blobs.with_blob(oid, PARTNERSHIP, |bytes| self.cache.parse(path, bytes))?;
        let content = match parsed {
            Ok(parsed) => Content::from_parse(parsed),
            Err(size) => Content::Invalid {
                diagnostics: Arc::new(vec![too_large(path, size)]),
            },
        };
        if let Some(store) = self.store {
            store.put(oid, path, &content);
        }
        Ok(content)
    }

    /// The partnership id the version of `path` in blob `oid` declares, if it is valid. Parsed
    /// without the cache: the versions read here are each chain's last, and remembering them
    /// all would hold the whole ledger at once. `blobs` opens the repository only when the
    /// version has to be read.
    fn id(&self, blobs: &mut Objects<'_>, oid: Oid, path: &str) -> Result<Option<String>> {
        if let Some(content) = self.parsed.get(&(oid, path.to_string())) {
            return Ok(match content {
                Content::Valid { snapshot } => Some(snapshot.id.clone()),
                _ => None,
            });
        }
        let id = |content: &Content| match content {
            Content::Valid { snapshot } => Some(snapshot.id.clone()),
            _ => None,
        };
        if let Some(id) = self.store.and_then(|s| s.id(oid, path)) {
            return Ok(id);
        }
        let ladder = self.cache.ladder();
        let parsed = blobs.with_blob(oid, PARTNERSHIP, |bytes| {
            Content::from_parse(parse_partnership(path, bytes, ladder))
        })?;
        let Ok(content) = parsed else {
            return Ok(None);
        };
        if let Some(store) = self.store {
            store.put(oid, path, &content);
        }
        Ok(id(&content))
    }
}

/// One partnership's versions as the walk recorded them, in walk order, before their files are
/// read: what [`build`] turns into its timeline.
pub(crate) struct Recorded {
    pub id: String,
    versions: Vec<RecordedVersion>,
}

/// One version before its file is read: its commit (an index into the walk's commits), its path
/// relative to the ledger root, its blob (`None`: the file was deleted), and the index of the
/// version it descends from.
struct RecordedVersion {
    commit: usize,
    path: String,
    blob: Option<Oid>,
    parent: Option<usize>,
}

/// A file state: its path (relative to the ledger root) and blob (`None`: absent).
type Key = (String, Option<Oid>);

/// A version in the making: its place in the walk, its commit, its file state, and the file's
/// state at its commit's first parent.
struct Placed {
    order: usize,
    commit: usize,
    key: Key,
    was: Option<Key>,
}

/// Sorts the walk's versions by partnership, ordered by id, each linked to its parent. Reads the
/// last valid version of each chain of paths (for its id), on every core.
pub(crate) fn group(
    ledger: &LedgerRepo,
    touches: Vec<Touch>,
    contents: &Contents<'_>,
) -> Result<Vec<Recorded>> {
    let mut lineages: BTreeMap<usize, Vec<Placed>> = BTreeMap::new();
    for (order, touch) in touches.into_iter().enumerate() {
        let path = ledger.ledger_path(&touch.path).to_string();
        let was = touch
            .was
            .map(|(p, blob)| (ledger.ledger_path(&p).to_string(), blob));
        lineages.entry(touch.lineage).or_default().push(Placed {
            order,
            commit: touch.commit,
            key: (path, touch.blob),
            was,
        });
    }
    let lineages: Vec<Vec<Placed>> = lineages.into_values().collect();
    let ids = lineages
        .par_iter()
        .map_init(
            || Objects::new(&contents.git_dir),
            |blobs, versions| -> Result<String> {
                for placed in versions.iter().rev() {
                    let (path, Some(blob)) = &placed.key else {
                        continue;
                    };
                    if let Some(id) = contents.id(blobs, *blob, path)? {
                        return Ok(id);
                    }
                }
                Ok(versions
                    .last()
                    .map(|p| default_id(&p.key.0))
                    .unwrap_or_default())
            },
        )
        .collect::<Result<Vec<String>>>()?;
    let mut by_id: BTreeMap<String, Vec<Placed>> = BTreeMap::new();
    for (id, versions) in ids.into_iter().zip(lineages) {
        by_id.entry(id).or_default().extend(versions);
    }
    Ok(by_id
        .into_iter()
        .map(|(id, mut versions)| {
            versions.sort_by_key(|p| p.order);
            // A path deleted in the commit that writes the same partnership elsewhere is a move
            // git did not pair (the text changed too much): the partnership goes on.
            let written: std::collections::HashSet<usize> = versions
                .iter()
                .filter(|p| p.key.1.is_some())
                .map(|p| p.commit)
                .collect();
            versions.retain(|p| p.key.1.is_some() || !written.contains(&p.commit));
            Recorded {
                id,
                versions: link(versions),
            }
        })
        .collect())
}

/// Links each version to the one it descends from: the latest earlier version that recorded
/// the state the file had at the commit's first parent (`was`); when no version did (a move
/// git did not pair, a partnership joined by id, a second root), the version before it.
fn link(versions: Vec<Placed>) -> Vec<RecordedVersion> {
    let mut latest: HashMap<Key, usize> = HashMap::new();
    versions
        .into_iter()
        .enumerate()
        .map(|(i, placed)| {
            let parent = placed
                .was
                .and_then(|was| latest.get(&was).copied())
                .or_else(|| i.checked_sub(1));
            let (path, blob) = placed.key;
            latest.insert((path.clone(), blob), i);
            RecordedVersion {
                commit: placed.commit,
                path,
                blob,
                parent,
            }
        })
        .collect()
}

/// One partnership's timeline: each of its versions read and parsed (each distinct file version
/// once), oldest first. The cache forgets the partnership's files afterwards, so what it holds
/// does not grow with the ledger.
pub(crate) fn build(
    blobs: &mut Objects<'_>,
    contents: &Contents<'_>,
    commits: &[Arc<Commit>],
    recorded: Recorded,
) -> Result<Timeline> {
    let mut seen: HashMap<Key, Content> = HashMap::new();
    let mut versions = Vec::with_capacity(recorded.versions.len());
    for one in recorded.versions {
        let Some(commit) = commits.get(one.commit) else {
            continue;
        };
        let content = match one.blob {
            Some(blob) => match seen.get(&(one.path.clone(), Some(blob))) {
                Some(content) => content.clone(),
                None => {
                    let content = contents.content(blobs, blob, &one.path)?;
                    seen.insert((one.path.clone(), Some(blob)), content.clone());
                    content
                }
            },
            None => Content::Removed,
        };
        versions.push(Version {
            date: commit.date,
            commit: Arc::clone(commit),
            path: one.path,
            content,
            parent: one.parent,
        });
    }
    for (path, _) in seen.keys() {
        contents.cache.forget(path);
    }
    Ok(Timeline {
        id: recorded.id,
        versions,
        ..Default::default()
    })
}
