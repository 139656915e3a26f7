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

/// The commit script: what each commit writes and removes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
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
    Ok(repo)
}

fn write_file(workdir: &Path, path: &str, content: &[u8]) -> Result<()> {
    let full = workdir.join(path);
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(&full, content).map_err(|source| Error::Io { path: full, source })
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
