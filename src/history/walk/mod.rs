//! The walk: which commits changed which partnership files, in one commit listing shared by
//! every reader of history. Split by job: `listing` (the commits in graph order), `trees` (tree
//! comparison), `renames` (rename detection), `whole` (the whole-ledger walk, trees only) and
//! `follow` (one file, or a few, followed through renames). This module holds what they share:
//! the recorded states ([`Touch`], [`Walk`]) and the reader that parses versions as the follow
//! finds them.

mod commits;
mod follow;
mod listing;
mod renames;
mod trees;
mod whole;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use git2::{Oid, Repository};

use super::objects::Objects;
use super::repo::LedgerRepo;
use super::store::Store;
use crate::error::{Error, Result};
use crate::ledger::load::PARTNERSHIP;
use crate::ledger::parse::too_large;
use crate::ledger::selection::Selection;
use crate::ledger::{Commit, Content, ParseCache};

pub(crate) use follow::{follow_listed, follow_listed_many, moves_unpaired};
pub(crate) use listing::{Listed, Listing, first_parent_line, list_children_first, reachable};
pub(crate) use trees::changed_between;
pub(crate) use whole::walk_all;

/// How many folders deep, from the repository's top, rapport reads a tree. git refuses trees
/// deeper than 4,096 levels (`core.maxTreeDepth`), but no ledger nests partnership files more
/// than a few folders down: a deeper tree is refused with an error rather than descended into
/// until the stack runs out.
pub(crate) const MAX_DEPTH: usize = 256;

/// One recorded state of one file: its content (`None` when deleted) at a commit.
#[derive(Clone, Debug)]
pub(crate) struct Touch {
    /// Index into [`Walk::commits`].
    pub commit: usize,
    /// The path relative to the repository's top.
    pub path: String,
    pub blob: Option<Oid>,
    /// Which chain of paths (followed through renames, deletions and re-adds) it belongs to.
    pub lineage: usize,
    /// The file at the commit's first parent: where it was (the path it was moved from, for a
    /// move) and its blob there (`None`: absent); `None` for a root commit. The version this
    /// one descends from is the one that recorded that state.
    pub was: Was,
}

/// A file's path (relative to the repository's top) and blob (`None`: absent) at a commit's
/// first parent; `None` when the commit has no parent.
pub(crate) type Was = Option<(String, Option<Oid>)>;

/// The commits that changed partnership files, oldest first, what each changed, and the
/// parsed content of each file version (by blob and path relative to the ledger root).
#[derive(Debug, Default)]
pub(crate) struct Walk {
    pub commits: Vec<Arc<Commit>>,
    pub touches: Vec<Touch>,
    pub parsed: HashMap<(Oid, String), Content>,
}

/// Reads and parses file versions as the walk finds them, so parsing runs alongside the walk
/// on every core; each distinct version once.
pub(crate) struct Reader<'a> {
    pub folders: Selection,
    /// The ledger root relative to the repository's top, `/`-terminated or empty.
    pub prefix: String,
    pub cache: &'a ParseCache,
    parsed: Mutex<HashMap<(Oid, String), Content>>,
    /// Versions parsed by earlier runs.
    pub store: Option<&'a Store>,
}

impl<'a> Reader<'a> {
    pub fn new(ledger: &LedgerRepo, cache: &'a ParseCache, store: Option<&'a Store>) -> Reader<'a> {
        Reader {
            folders: ledger.folders.clone(),
            prefix: ledger.prefix().to_string(),
            cache,
            parsed: Mutex::default(),
            store,
        }
    }

    /// Parses the version of `path` (relative to the repository's top) in blob `oid`, unless
    /// it was parsed already.
    fn read(&self, objects: &mut Objects<'_>, oid: Oid, path: &str) -> Result<()> {
        let path = path.strip_prefix(&self.prefix).unwrap_or(path).to_string();
        let key = (oid, path);
        if self.lock().contains_key(&key) {
            return Ok(());
        }
        if let Some(content) = self.store.and_then(|s| s.get(oid, &key.1)) {
            self.lock().insert(key, content);
            return Ok(());
        }
        // The size comes from the object's header: a blob over the limit is never loaded.
        let content =
            match objects.with_blob(oid, PARTNERSHIP, |bytes| self.cache.parse(&key.1, bytes))? {
                Ok(parsed) => Content::from_parse(parsed),
                Err(size) => Content::Invalid {
                    diagnostics: Arc::new(vec![too_large(&key.1, size)]),
                },
            };
        if let Some(store) = self.store {
            store.put(oid, &key.1, &content);
        }
        self.lock().insert(key, content);
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Oid, String), Content>> {
        self.parsed.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self) -> HashMap<(Oid, String), Content> {
        std::mem::take(&mut *self.lock())
    }
}

/// A handle on the repository opened on first use: a worker that finds everything it needs
/// in the cache never opens one.
pub(crate) struct Lazy<'p> {
    git_dir: &'p std::path::Path,
    repo: Option<std::result::Result<Repository, git2::Error>>,
}

impl<'p> Lazy<'p> {
    pub fn new(git_dir: &'p std::path::Path) -> Lazy<'p> {
        Lazy {
            git_dir,
            repo: None,
        }
    }

    pub fn get(&mut self) -> Result<&Repository> {
        self.repo
            .get_or_insert_with(|| Repository::open(self.git_dir))
            .as_ref()
            .map_err(copy_error)
    }
}

pub(crate) fn copy_error(error: &git2::Error) -> Error {
    git2::Error::new(error.code(), error.class(), error.message()).into()
}
