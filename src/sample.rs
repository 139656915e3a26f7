//! The sample ledger bundled in the binary, and the replay of its scripted history
//! (`history.yaml`) into a new git repository, so `rapport demo` works anywhere in one command.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::ledger::yaml;

/// The `sample-ledger/` folder of the source tree, embedded at build time.
pub static SAMPLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/sample-ledger");

/// The commit script: what each commit writes and removes, then a pull-request branch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub commits: Vec<ScriptCommit>,
    /// A branch started from the last commit, as a teammate would open a pull request.
    #[serde(default)]
    pub pull_request: Option<PullRequest>,
}

/// A branch of commits on top of the scripted history; `HEAD` stays on the main branch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    /// The branch name, such as `q3-partner-updates`.
    pub branch: String,
    /// The pull request's title, as a reviewer sees it.
    pub title: String,
    pub commits: Vec<ScriptCommit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptCommit {
    /// RFC 3339 date, used as author and committer date.
    pub date: String,
    /// `Name <email>`.
    pub author: String,
    pub message: String,
    /// Ledger path ← path of the content in the sample folder.
    #[serde(default)]
    pub write: BTreeMap<String, String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

/// Something that reads the files of a scripted ledger: the embedded sample, or a folder.
pub trait Source {
    fn read(&self, path: &str) -> Option<Vec<u8>>;
}

impl Source for Dir<'static> {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.get_file(path).map(|f| f.contents().to_vec())
    }
}

/// A scripted ledger in a folder on disk.
pub struct Folder<'a>(pub &'a Path);

impl Source for Folder<'_> {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        std::fs::read(self.0.join(path)).ok()
    }
}

/// Parses `history.yaml` from a source.
pub fn script(source: &dyn Source) -> Result<Script> {
    let bytes = source
        .read("history.yaml")
        .ok_or_else(|| Error::Invocation("the sample ledger has no history.yaml".into()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::Invocation("history.yaml is not UTF-8".into()))?;
    yaml::parse_typed(&text).map_err(|p| {
        Error::Invocation(format!(
            "history.yaml:{}:{}: {}",
            p.line, p.column, p.message
        ))
    })
}

/// Replays a script into a new repository at `target` (which must not hold one yet): each
/// commit writes its files into the work tree and commits them with the scripted author and date.
/// Also writes `rapport.yaml` from the source when it has one, in the first commit.
pub fn replay(source: &dyn Source, script: &Script, target: &Path) -> Result<git2::Repository> {
    let repo = git2::Repository::init(target)?;
    // The same branch name whatever `init.defaultBranch` says, so the demo's commands work.
    repo.set_head("refs/heads/main")?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::Invocation("the demo repository has no work tree".into()))?
        .to_path_buf();
    let mut parent: Option<git2::Oid> = None;
    for (n, step) in script.commits.iter().enumerate() {
        let mut index = repo.index()?;
        if n == 0
            && let Some(config) = source.read(crate::config::FILE_NAME)
        {
            write_file(&workdir, crate::config::FILE_NAME, &config)?;
            index.add_path(Path::new(crate::config::FILE_NAME))?;
        }
        for path in &step.remove {
            let _ = std::fs::remove_file(workdir.join(path));
            index.remove_path(Path::new(path))?;
        }
        for (path, from) in &step.write {
            let content = source.read(from).ok_or_else(|| {
                Error::Invocation(format!(
                    "history.yaml, commit {}: `{from}` does not exist",
                    n + 1
                ))
            })?;
            write_file(&workdir, path, &content)?;
            index.add_path(Path::new(path))?;
        }
        index.write()?;
        let tree = repo.find_tree(index.write_tree()?)?;
        let signature = signature(&step.author, &step.date).ok_or_else(|| {
            Error::Invocation(format!(
                "history.yaml, commit {}: author `{}` or date `{}` is malformed",
                n + 1,
                step.author,
                step.date
            ))
        })?;
        let parents: Vec<git2::Commit> = parent
            .map(|id| repo.find_commit(id))
            .transpose()?
            .into_iter()
            .collect();
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        parent = Some(repo.commit(
            Some("HEAD"),
            &signature,
            &signature,
            &step.message,
            &tree,
            &parent_refs,
        )?);
    }
    if let (Some(pull), Some(start)) = (&script.pull_request, parent) {
        replay_branch(&repo, source, pull, start)?;
    }
    Ok(repo)
}

/// Commits a pull request's branch on top of `start`, building each tree in memory so the work
/// tree and `HEAD` stay on the main branch.
fn replay_branch(
    repo: &git2::Repository,
    source: &dyn Source,
    pull: &PullRequest,
    start: git2::Oid,
) -> Result<()> {
    let reference = format!("refs/heads/{}", pull.branch);
    let mut parent = repo.find_commit(start)?;
    for (n, step) in pull.commits.iter().enumerate() {
        let mut index = git2::Index::new()?;
        index.read_tree(&parent.tree()?)?;
        for path in &step.remove {
            index.remove_path(Path::new(path))?;
        }
        for (path, from) in &step.write {
            let content = source.read(from).ok_or_else(|| {
                Error::Invocation(format!(
                    "history.yaml, pull request commit {}: `{from}` does not exist",
                    n + 1
                ))
            })?;
            index.add(&file_entry(path, repo.blob(&content)?, content.len()))?;
        }
        let tree = repo.find_tree(index.write_tree_to(repo)?)?;
        let signature = signature(&step.author, &step.date).ok_or_else(|| {
            Error::Invocation(format!(
                "history.yaml, pull request commit {}: author `{}` or date `{}` is malformed",
                n + 1,
                step.author,
                step.date
            ))
        })?;
        let id = repo.commit(
            None,
            &signature,
            &signature,
            &step.message,
            &tree,
            &[&parent],
        )?;
        parent = repo.find_commit(id)?;
    }
    repo.reference(&reference, parent.id(), true, &pull.title)?;
    Ok(())
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

/// `Name <email>` at an RFC 3339 date.
fn signature(author: &str, date: &str) -> Option<git2::Signature<'static>> {
    let (name, rest) = author.split_once('<')?;
    let email = rest.strip_suffix('>')?;
    let time = chrono::DateTime::parse_from_rfc3339(date).ok()?;
    let offset = time.offset().local_minus_utc() / 60;
    git2::Signature::new(
        name.trim(),
        email.trim(),
        &git2::Time::new(time.timestamp(), offset),
    )
    .ok()
}
