//! What the stages after `history` ask of git beyond the walk: commits by id, merge bases, the
//! kind of a tree entry, the current branch's upstream, git's error. Callers hold commit ids
//! and commits as opaque handles and hand them back here; only `history/` names `git2`.

use std::path::Path;
use std::sync::Arc;

use git2::{ErrorCode, ObjectType, TreeEntry};

use super::repo::{LedgerRepo, is_link};
use crate::error::{Error, Result};
use crate::ledger::Commit;

/// A commit's id, as `history` hands it out and takes it back.
pub type CommitId = git2::Oid;

/// A commit read from the repository, valid while its [`LedgerRepo`] is open.
pub type CommitRef<'r> = git2::Commit<'r>;

/// An error from git that stops a command: git's own message, shown as git gives it.
#[derive(Debug)]
pub struct GitError(pub(super) git2::Error);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for GitError {}

impl From<git2::Error> for Error {
    fn from(error: git2::Error) -> Error {
        Error::Git(GitError(error))
    }
}

/// What a path in a commit's tree is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file (mode 100644 or 100755), the only kind of entry rapport reads.
    File,
    /// A symbolic link (a blob of mode 120000): never followed.
    Link,
    Folder,
    /// A gitlink (mode 160000): another repository's commit.
    Submodule,
    /// Anything else git may store in a tree.
    Other,
}

impl EntryKind {
    /// The kind of a tree entry: the one place a link is told from a file.
    pub(super) fn of(entry: &TreeEntry<'_>) -> EntryKind {
        match entry.kind() {
            Some(ObjectType::Tree) => EntryKind::Folder,
            Some(ObjectType::Commit) => EntryKind::Submodule,
            Some(ObjectType::Blob) if is_link(entry.filemode()) => EntryKind::Link,
            Some(ObjectType::Blob) => EntryKind::File,
            _ => EntryKind::Other,
        }
    }
}

/// The current branch's upstream, as git names it (`origin/main`).
pub enum Upstream {
    Found { branch: String, upstream: String },
    None { branch: String },
    Detached,
}

impl LedgerRepo {
    /// The commit `id` names.
    pub fn commit(&self, id: CommitId) -> Result<CommitRef<'_>> {
        Ok(self.repo.find_commit(id)?)
    }

    /// The facts of the commit `id` names, shared.
    pub fn commit_info(&self, id: CommitId) -> Result<Arc<Commit>> {
        Ok(super::repo::shared_info(&self.commit(id)?))
    }

    /// The commit a revision names, by id.
    pub fn resolve_id(&self, rev: &str) -> Result<CommitId> {
        Ok(self.resolve(rev)?.id())
    }

    /// The best common ancestor of two commits, `None` when they share no history.
    pub fn merge_base(&self, one: CommitId, two: CommitId) -> Result<Option<CommitId>> {
        match self.repo.merge_base(one, two) {
            Ok(id) => Ok(Some(id)),
            Err(error) if error.code() == ErrorCode::NotFound => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// What `path` (relative to the repository's top) is in a commit's tree, `None` when the
    /// tree has nothing there.
    pub fn entry_kind(&self, commit: &CommitRef<'_>, path: &str) -> Result<Option<EntryKind>> {
        match commit.tree()?.get_path(Path::new(path)) {
            Ok(entry) => Ok(Some(EntryKind::of(&entry))),
            Err(error) if error.code() == ErrorCode::NotFound => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Every partnership file in a commit that is a regular file, as paths relative to the
    /// repository's top.
    pub fn partnership_paths(&self, commit: &CommitRef<'_>) -> Result<Vec<String>> {
        Ok(self
            .entries(&commit.tree()?)?
            .into_iter()
            .map(|(path, _)| path)
            .collect())
    }

    /// Whether the repository has no working tree.
    pub fn is_bare(&self) -> bool {
        self.repo.is_bare()
    }

    /// The current branch's upstream.
    pub fn upstream(&self) -> Upstream {
        let repo = &self.repo;
        // An unborn branch (no commit yet) has a name in HEAD but no reference.
        let target = repo
            .find_reference("HEAD")
            .ok()
            .and_then(|head| head.symbolic_target().ok().flatten().map(str::to_string));
        let Some(branch) = target
            .as_deref()
            .and_then(|target| target.strip_prefix("refs/heads/"))
            .map(str::to_string)
        else {
            return Upstream::Detached;
        };
        let found = repo
            .find_branch(&branch, git2::BranchType::Local)
            .and_then(|local| local.upstream())
            .ok()
            .and_then(|up| up.name().ok().flatten().map(str::to_string));
        match found {
            Some(upstream) => Upstream::Found { branch, upstream },
            None => match repo.branch_upstream_name(&format!("refs/heads/{branch}")) {
                // Configured, but its remote branch is not fetched here.
                Ok(name) => Upstream::Found {
                    upstream: name
                        .as_str()
                        .map(|n| n.strip_prefix("refs/remotes/").unwrap_or(n).to_string())
                        .unwrap_or_default(),
                    branch,
                },
                Err(_) => Upstream::None { branch },
            },
        }
    }
}

/// git's `user.name` for the repository at `path` (its own configuration, then the user's).
pub fn user_name(path: &Path) -> Option<String> {
    let config = match git2::Repository::discover(path) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    config
        .get_string("user.name")
        .ok()
        .filter(|name| !name.trim().is_empty())
}

/// Creates an empty repository at `path` (`git init`).
pub fn init(path: &Path) -> Result<()> {
    git2::Repository::init(path)?;
    Ok(())
}

/// The top of the repository holding `dir` (its working tree, or the git folder of a bare
/// one), canonical; `None` outside any repository or in one that cannot be opened.
pub fn top(dir: &Path) -> Option<std::path::PathBuf> {
    git2::Repository::discover(dir).ok().and_then(|repo| {
        repo.workdir()
            .unwrap_or_else(|| repo.path())
            .canonicalize()
            .ok()
    })
}
