//! Errors that stop a command (as opposed to problems in ledger files, which are collected and
//! reported as diagnostics). Each says what to do.

use std::path::PathBuf;

use crate::ledger::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{path} does not exist")]
    NoSuchPath { path: PathBuf },

    #[error("the configuration is invalid")]
    InvalidConfig(Vec<Diagnostic>),

    #[error("{0}")]
    Invocation(String),

    #[error("{path} is not inside a git repository, so it has no history to read")]
    NotARepository { path: PathBuf },

    #[error(
        "the repository at {path} is a shallow clone: its history is cut off, and rapport does not report on part of a history"
    )]
    Shallow { path: PathBuf },

    #[error("unknown revision `{rev}`: {reason}")]
    UnknownRevision { rev: String, reason: String },

    #[error("no history: {0}")]
    EmptyHistory(String),

    #[error("no partnership with id `{id}` in the history up to {rev}")]
    UnknownPartnership {
        id: String,
        rev: String,
        suggestion: Option<String>,
    },

    #[error("no base revision to compare with: tried {}", tried.join(", "))]
    NoBase { tried: Vec<String> },

    #[error("{base} and {head} share no history, so there is no change between them to report")]
    NoMergeBase { base: String, head: String },

    #[error(
        "`{path}` is nested more than {limit} folders deep, deeper than any ledger: rapport does not read trees this deep"
    )]
    TooDeep { path: String, limit: usize },

    #[error("git: {0}")]
    Git(#[from] git2::Error),

    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),

    #[error("cannot encode JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// A tree nested too deep, named by the start of its path (the rest can run to kilobytes).
    pub fn too_deep(path: &str, limit: usize) -> Error {
        const SHOWN: usize = 80;
        let path = match path.char_indices().nth(SHOWN) {
            Some((cut, _)) => format!("{}…", &path[..cut]),
            None => path.to_string(),
        };
        Error::TooDeep { path, limit }
    }

    /// What the user can do about it, when there is something to say.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::NoSuchPath { .. } => {
                Some("pass the folder that holds rapport.yaml (or `partners/`)".into())
            }
            Error::NotARepository { .. } => Some(
                "run rapport inside the ledger's git repository (or pass its folder as PATH); \
                 to start one: git init && git add . && git commit -m \"Start the ledger\""
                    .into(),
            ),
            Error::Shallow { .. } => Some(
                "fetch the whole history, then run rapport again:\n\
                 \x20 git fetch --unshallow\n\
                 or fetch enough of it: git fetch --deepen=N (N commits more)\n\
                 in GitHub Actions, check out with the whole history:\n\
                 \x20 - uses: actions/checkout@v4\n\
                 \x20   with:\n\
                 \x20     fetch-depth: 0\n\
                 in GitLab CI, set the variable GIT_DEPTH: 0"
                    .into(),
            ),
            Error::UnknownRevision { .. } => Some(
                "name a commit, branch or tag that exists here, such as HEAD, main or a commit id \
                 (`git log --oneline` lists them); a remote branch must be fetched first: \
                 git fetch origin BRANCH"
                    .into(),
            ),
            Error::EmptyHistory(_) => Some(
                "commit the partnership files first: git add partners && git commit -m \"Add partnerships\""
                    .into(),
            ),
            Error::UnknownPartnership { suggestion, .. } => Some(match suggestion {
                Some(id) => format!("did you mean `{id}`?"),
                None => "the id is the `id:` field of a partnership file, or its file name without .md; `rapport check` lists the files".into(),
            }),
            Error::NoBase { .. } => Some(
                "name the revision the change is compared with, such as --base origin/main; \
                 in CI, fetch the target branch first (git fetch origin main), \
                 or set origin/HEAD: git remote set-head origin --auto"
                    .into(),
            ),
            Error::TooDeep { .. } => Some(
                "keep partnership files a few folders under the ledger folder; if this tree is \
                 not a ledger, name the folders that hold partnership files in rapport.yaml \
                 (`paths: [partners]`)"
                    .into(),
            ),
            Error::NoMergeBase { .. } => Some(
                "compare a branch with the branch it was started from; \
                 in CI, fetch the whole history (fetch-depth: 0) so the common ancestor is there"
                    .into(),
            ),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
