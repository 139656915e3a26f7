//! The sample ledger bundled in the binary, and the replay of its scripted history
//! (`history.yaml`) into a new git repository, so `rapport demo` works anywhere in one command.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};
use serde::Deserialize;

use crate::error::{Error, Result};
pub use crate::history::file_entry;
use crate::history::{Author, CommitId, Scribe};
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
pub fn replay(source: &dyn Source, script: &Script, target: &Path) -> Result<()> {
    // The same branch name whatever `init.defaultBranch` says, so the demo's commands work.
    let scribe = Scribe::init(target, Some("main"))?;
    let mut parent: Option<CommitId> = None;
    for (n, step) in script.commits.iter().enumerate() {
        let mut files = Vec::new();
        if n == 0
            && let Some(config) = source.read(crate::config::FILE_NAME)
        {
            files.push((crate::config::FILE_NAME.to_string(), config));
        }
        files.extend(read_all(source, step, || format!("commit {}", n + 1))?);
        let author = author(step, || format!("commit {}", n + 1))?;
        parent = Some(scribe.commit(
            parent,
            &borrowed(&files),
            &removed(step),
            &author,
            &step.message,
        )?);
    }
    if let (Some(pull), Some(start)) = (&script.pull_request, parent) {
        replay_branch(&scribe, source, pull, start)?;
    }
    Ok(())
}

/// Commits a pull request's branch on top of `start`, building each tree in memory so the work
/// tree and `HEAD` stay on the main branch.
fn replay_branch(
    scribe: &Scribe,
    source: &dyn Source,
    pull: &PullRequest,
    start: CommitId,
) -> Result<()> {
    let mut parent = start;
    for (n, step) in pull.commits.iter().enumerate() {
        let which = || format!("pull request commit {}", n + 1);
        let files = read_all(source, step, which)?;
        let author = author(step, which)?;
        parent = scribe.commit_aside(
            parent,
            &borrowed(&files),
            &removed(step),
            &author,
            &step.message,
        )?;
    }
    scribe.branch(&pull.branch, parent, &pull.title)
}

/// The files a scripted commit writes, `(ledger path, bytes)`, read from the source.
fn read_all(
    source: &dyn Source,
    step: &ScriptCommit,
    which: impl Fn() -> String,
) -> Result<Vec<(String, Vec<u8>)>> {
    step.write
        .iter()
        .map(|(path, from)| {
            let content = source.read(from).ok_or_else(|| {
                Error::Invocation(format!(
                    "history.yaml, {}: `{from}` does not exist",
                    which()
                ))
            })?;
            Ok((path.clone(), content))
        })
        .collect()
}

fn borrowed(files: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    files
        .iter()
        .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
        .collect()
}

fn removed(step: &ScriptCommit) -> Vec<&str> {
    step.remove.iter().map(String::as_str).collect()
}

/// A scripted commit's author: `Name <email>` at an RFC 3339 date.
fn author(step: &ScriptCommit, which: impl Fn() -> String) -> Result<Author> {
    signature(&step.author, &step.date).ok_or_else(|| {
        Error::Invocation(format!(
            "history.yaml, {}: author `{}` or date `{}` is malformed",
            which(),
            step.author,
            step.date
        ))
    })
}

/// `Name <email>` at an RFC 3339 date.
fn signature(author: &str, date: &str) -> Option<Author> {
    let (name, rest) = author.split_once('<')?;
    let email = rest.strip_suffix('>')?;
    let time = chrono::DateTime::parse_from_rfc3339(date).ok()?;
    let offset = time.offset().local_minus_utc() / 60;
    Author::new(name.trim(), email.trim(), time.timestamp(), offset)
}
