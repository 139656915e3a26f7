//! Histories written on purpose: a new repository and the commits of a script, for the sample
//! ledger's replay (`rapport demo`) and for tests. Nothing here touches a user's repository.

use std::path::{Path, PathBuf};

use super::git::CommitId;
use crate::error::{Error, Result};

/// Who wrote a scripted commit, and when: author and committer alike.
pub struct Author(git2::Signature<'static>);

impl Author {
    /// `name <email>` at `seconds` since the epoch in a zone `offset_minutes` east of UTC;
    /// `None` when git refuses the name or the address.
    pub fn new(name: &str, email: &str, seconds: i64, offset_minutes: i32) -> Option<Author> {
        git2::Signature::new(name, email, &git2::Time::new(seconds, offset_minutes))
            .ok()
            .map(Author)
    }
}

/// A new repository that scripted commits are written into.
pub struct Scribe {
    repo: git2::Repository,
    workdir: PathBuf,
}

impl Scribe {
    /// Creates a repository at `target` (which must not hold one yet), its `HEAD` on `branch`
    /// when one is given, whatever `init.defaultBranch` says.
    pub fn init(target: &Path, branch: Option<&str>) -> Result<Scribe> {
        let repo = git2::Repository::init(target)?;
        if let Some(branch) = branch {
            repo.set_head(&format!("refs/heads/{branch}"))?;
        }
        let workdir = repo
            .workdir()
            .ok_or_else(|| Error::Invocation("the demo repository has no work tree".into()))?
            .to_path_buf();
        Ok(Scribe { repo, workdir })
    }

    /// Commits on `HEAD`, after `parent`: removes `remove` from the work tree, writes each file
    /// of `write` into it, and commits them all.
    pub fn commit(
        &self,
        parent: Option<CommitId>,
        write: &[(&str, &[u8])],
        remove: &[&str],
        author: &Author,
        message: &str,
    ) -> Result<CommitId> {
        let mut index = self.repo.index()?;
        for path in remove {
            let _ = std::fs::remove_file(self.workdir.join(path));
            index.remove_path(Path::new(path))?;
        }
        for (path, content) in write {
            write_file(&self.workdir, path, content)?;
            index.add_path(Path::new(path))?;
        }
        index.write()?;
        let tree = self.repo.find_tree(index.write_tree()?)?;
        let parents: Vec<git2::Commit> = parent
            .map(|id| self.repo.find_commit(id))
            .transpose()?
            .into_iter()
            .collect();
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        Ok(self.repo.commit(
            Some("HEAD"),
            &author.0,
            &author.0,
            message,
            &tree,
            &parent_refs,
        )?)
    }

    /// Commits on top of `parent` without moving `HEAD` or touching the work tree: the tree is
    /// `parent`'s, less `remove`, with `write`'s files.
    pub fn commit_aside(
        &self,
        parent: CommitId,
        write: &[(&str, &[u8])],
        remove: &[&str],
        author: &Author,
        message: &str,
    ) -> Result<CommitId> {
        let parent = self.repo.find_commit(parent)?;
        let mut index = git2::Index::new()?;
        index.read_tree(&parent.tree()?)?;
        for path in remove {
            index.remove_path(Path::new(path))?;
        }
        for (path, content) in write {
            index.add(&file_entry(path, self.repo.blob(content)?, content.len()))?;
        }
        let tree = self.repo.find_tree(index.write_tree_to(&self.repo)?)?;
        Ok(self
            .repo
            .commit(None, &author.0, &author.0, message, &tree, &[&parent])?)
    }

    /// Points the branch `name` at `id`, with `message` in its reflog.
    pub fn branch(&self, name: &str, id: CommitId, message: &str) -> Result<()> {
        self.repo
            .reference(&format!("refs/heads/{name}"), id, true, message)?;
        Ok(())
    }
}

/// An index entry for a regular file at `path` holding `blob` of `size` bytes, for building
/// commits in memory (no work tree, no file times).
pub fn file_entry(path: &str, blob: git2::Oid, size: usize) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: u32::try_from(size).unwrap_or(u32::MAX),
        id: blob,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

fn write_file(workdir: &Path, path: &str, content: &[u8]) -> Result<()> {
    let full = workdir.join(path);
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(&full, content).map_err(|source| Error::Write { path: full, source })
}
