//! From the walk to timelines: every distinct file version is read and parsed once (in
//! parallel, reusing the parts of a file seen in earlier versions), then versions are grouped by
//! partnership: a chain of paths followed through renames and re-adds, and chains that end with
//! the same id (an explicit `id` wins over the file stem) are one partnership.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use git2::{Oid, Repository};
use rayon::prelude::*;

use super::Progress;
use super::repo::LedgerRepo;
use super::walk::Walk;
use crate::error::Result;
use crate::ledger::parse::default_id;
use crate::ledger::{Content, ParseCache, Timeline, Version};

/// Parses every distinct `(blob, path)` of the walk, then groups versions into timelines,
/// ordered by id.
pub(crate) fn assemble(
    ledger: &LedgerRepo,
    walk: Walk,
    cache: &ParseCache,
    progress: &dyn Progress,
) -> Result<Vec<Timeline>> {
    let unique: HashSet<(Oid, &str)> = walk
        .touches
        .iter()
        .filter_map(|t| Some((t.blob?, ledger.ledger_path(&t.path))))
        .collect();
    let unique: Vec<(Oid, &str)> = unique.into_iter().collect();
    progress.begin("parsing versions", unique.len() as u64);
    let git_dir = ledger.git_dir();
    let parsed: Vec<((Oid, &str), Content)> = unique
        .par_iter()
        .with_min_len(16)
        .map_init(
            || Repository::open(&git_dir),
            |repo, &(oid, path)| {
                let repo = repo
                    .as_ref()
                    .map_err(|e| git2::Error::new(e.code(), e.class(), e.message()))?;
                let blob = repo.find_blob(oid)?;
                let content = match cache.parse(path, blob.content()) {
                    Ok(snapshot) => Content::Valid {
                        snapshot: Arc::new(snapshot),
                    },
                    Err(diagnostics) => Content::Invalid {
                        diagnostics: Arc::new(diagnostics),
                    },
                };
                progress.advance(1);
                Ok(((oid, path), content))
            },
        )
        .collect::<Result<_, git2::Error>>()?;
    progress.finish();
    let parsed: HashMap<(Oid, &str), Content> = parsed.into_iter().collect();

    let mut lineages: BTreeMap<usize, Vec<(usize, Version)>> = BTreeMap::new();
    for (order, touch) in walk.touches.iter().enumerate() {
        let path = ledger.ledger_path(&touch.path);
        let content = match touch.blob {
            Some(oid) => match parsed.get(&(oid, path)) {
                Some(content) => content.clone(),
                None => continue,
            },
            None => Content::Removed,
        };
        let version = Version {
            commit: Arc::clone(&walk.commits[touch.commit]),
            path: path.to_string(),
            content,
        };
        lineages
            .entry(touch.lineage)
            .or_default()
            .push((order, version));
    }
    let mut by_id: BTreeMap<String, Vec<(usize, Version)>> = BTreeMap::new();
    for versions in lineages.into_values() {
        let id = versions
            .iter()
            .rev()
            .find_map(|(_, v)| v.snapshot().map(|s| s.id.clone()))
            .or_else(|| versions.last().map(|(_, v)| default_id(&v.path)))
            .unwrap_or_default();
        by_id.entry(id).or_default().extend(versions);
    }
    Ok(by_id
        .into_iter()
        .map(|(id, mut versions)| {
            versions.sort_by_key(|(order, _)| *order);
            Timeline {
                id,
                versions: versions.into_iter().map(|(_, v)| v).collect(),
            }
        })
        .collect())
}
