//! Errors that stop a command (as opposed to problems in ledger files, which are collected and
//! reported as diagnostics). Each says what to do.

use std::path::PathBuf;

use crate::ledger::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{} does not exist", path.display())]
    NoSuchPath { path: PathBuf },

    #[error("{} belong to different ledgers ({} and {})", paths.join(" and "), roots[0].display(), roots[1].display())]
    SeveralLedgers {
        /// One path from each of two ledgers, as given.
        paths: [String; 2],
        roots: [PathBuf; 2],
    },

    #[error("{file} is not a partnership file of the ledger at {}", root.display())]
    NotAPartnershipFile {
        /// The path relative to the ledger root.
        file: String,
        root: PathBuf,
        folders: Vec<String>,
    },

    #[error("the partnership folder {folder}/ does not exist{}", place(root, rev.as_deref()))]
    MissingFolder {
        folder: String,
        root: PathBuf,
        rev: Option<String>,
        /// Whether `paths:` in rapport.yaml names it (else it is the default, `partners`).
        configured: bool,
    },

    #[error("{folder}/ is a git submodule{}: its files and their history live in a repository of their own, which rapport does not read from here", place(root, rev.as_deref()))]
    Submodule {
        folder: String,
        root: PathBuf,
        rev: Option<String>,
    },

    #[error("{} is a bare repository: it has no working tree to check", path.display())]
    BareRepository { path: PathBuf },

    #[error("no partnership file under {}{}", slashed(folders), place(root, rev.as_deref()))]
    NoPartnershipFiles {
        folders: Vec<String>,
        root: PathBuf,
        rev: Option<String>,
        /// Whether `paths:` in rapport.yaml names the folders (else the default, `partners`).
        configured: bool,
    },

    #[error("{file} is not in {rev}")]
    NotAtRevision { file: String, rev: String },

    #[error("the configuration is invalid")]
    InvalidConfig(Vec<Diagnostic>),

    #[error("{0}")]
    Invocation(String),

    #[error("{path} is not inside a git repository, so it has no history to read")]
    NotARepository { path: PathBuf },

    #[error(
        "git refuses to open the repository at {}: it belongs to another user (git's \"dubious ownership\" check), so rapport cannot read its history", path.display()
    )]
    NotOwned { path: PathBuf },

    #[error("the repository at {} {what}, which rapport cannot read: its history is not checked", path.display())]
    UnsupportedRepository {
        path: PathBuf,
        /// What the repository uses, as a phrase: `uses SHA-256 object ids`.
        what: String,
        kind: Unsupported,
    },

    #[error("cannot open the repository at {}: {reason}", path.display())]
    UnreadableRepository { path: PathBuf, reason: String },

    #[error("the repository at {} is corrupt: {reason}", path.display())]
    CorruptObject {
        path: PathBuf,
        /// The damaged object's file or id, and what is wrong with it.
        reason: String,
    },

    #[error(
        "the repository at {} is a partial clone (made with --filter), and {missing} was not fetched: rapport needs every version of the partnership files", path.display()
    )]
    PartialClone { path: PathBuf, missing: String },

    #[error(
        "the working tree at {} is a sparse checkout, and it leaves out {}: checking only the files present would pass the others unseen", path.display(), absent_files(absent)
    )]
    SparseCheckout { path: PathBuf, absent: Vec<String> },

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

    #[error("not written: {0}")]
    Refused(#[from] crate::ledger::write::Refusal),

    #[error("a partnership with id `{id}` exists already: {path}")]
    DuplicateId { id: String, path: String },

    #[error(
        "`{id}` is not an id: an id is lowercase letters, digits and `-`, starting with a letter or digit"
    )]
    InvalidId { id: String },

    #[error(
        "no id can be made from the name `{name}`: nothing in it transliterates to a letter or digit"
    )]
    NoIdFromName { name: String },

    #[error("no owner: --owner is not given and git has no user.name")]
    NoOwner,

    #[error("no partnership with id `{id}` under {}", folders.join(", "))]
    NoSuchPartnership {
        id: String,
        folders: Vec<String>,
        suggestion: Option<String>,
    },

    #[error("{file} is not a valid partnership file, so nothing was added to it")]
    InvalidFile {
        file: String,
        diagnostics: Vec<Diagnostic>,
    },

    #[error("the editor `{command}` {reason}; nothing was added")]
    Editor { command: String, reason: String },

    #[error("--edit needs an editor, and neither VISUAL nor EDITOR is set; nothing was added")]
    NoEditor,

    #[error("git: {0}")]
    Git(#[from] crate::history::GitError),

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
                Some("pass the ledger's folder (holding rapport.yaml or partners/), a folder inside it, or partnership files".into())
            }
            Error::SeveralLedgers { roots, .. } => Some(format!(
                "check each ledger in its own run: rapport check {} …, then rapport check {} …",
                roots[0].display(),
                roots[1].display()
            )),
            Error::NotAPartnershipFile { folders, .. } => Some(format!(
                "partnership files are Markdown files (.md, not hidden) under {}; name one of those, \
                 or set `paths:` in rapport.yaml to the folders that hold them",
                slashed(folders)
            )),
            Error::MissingFolder {
                folder, configured, ..
            } => Some({
                let folder = inert(folder);
                if *configured {
                format!(
                    "create {folder}/ and add a partnership file to it, or correct `paths:` in rapport.yaml"
                )
            } else {
                format!(
                    "rapport looks for partnership files under {folder}/ by default: add one there \
                     (such as {folder}/northwind.md), or set `paths:` in rapport.yaml to the folders that hold them"
                )
                }
            }),
            Error::Submodule { folder, .. } => Some(format!(
                "run rapport in the submodule's own repository (cd {folder} && rapport check), \
                 with `paths: [.]` in a rapport.yaml there when the files are at its top; \
                 or make {folder}/ an ordinary folder of this repository",
                folder = inert(folder)
            )),
            Error::BareRepository { .. } => Some(
                "name the commit to check: rapport check --rev HEAD (or a branch, tag or commit id)"
                    .into(),
            ),
            Error::NoPartnershipFiles {
                folders,
                configured,
                rev,
                ..
            } => {
                let first = inert(folders.first().map_or("partners", String::as_str));
                let add = format!(
                    "add one, such as {first}/northwind.md: a Markdown file that starts with front matter \
                     (`rapport: 1`, `partner:`, `status:`, `owner:` between two `---` lines)"
                );
                let add = match rev {
                    Some(_) => format!("{add}, and commit it"),
                    None => add,
                };
                Some(if *configured {
                    format!("{add}; or correct `paths:` in rapport.yaml")
                } else {
                    format!("{add}; or set `paths:` in rapport.yaml to the folders that hold them")
                })
            }
            Error::NotAtRevision { .. } => Some(
                "name a file the revision has (git ls-tree -r --name-only REV lists them), or leave out --rev to check the working tree"
                    .into(),
            ),
            Error::NotARepository { .. } => Some(
                "run rapport inside the ledger's git repository (or pass its folder as PATH); \
                 to start one: git init && git add . && git commit -m \"Start the ledger\""
                    .into(),
            ),
            Error::NotOwned { path } => Some(format!(
                "if you trust the repository, add it to git's safe directories, then run rapport again:\n\
                 \x20 git config --global --add safe.directory {}\n\
                 in a CI container, where the checkout belongs to another user than the job, add it in the job before rapport \
                 (GitHub Actions: `git config --global --add safe.directory \"$GITHUB_WORKSPACE\"`); \
                 or run rapport as the user who owns the folder",
                inert(&path.display().to_string())
            )),
            Error::UnsupportedRepository { kind, .. } => Some(match kind {
                Unsupported::Sha256 => "rapport reads repositories with SHA-1 object ids (git's default): \
                     run it on a SHA-1 repository of the ledger (git init --object-format=sha1, then push the files' history there)".into(),
                Unsupported::Reftable => "convert the refs to the files format, which rapport reads: git refs migrate --ref-format=files".into(),
                Unsupported::Extension(name) => format!(
                    "rapport's git library does not know `extensions.{}`; if the repository does not need it, \
                     run rapport on a clone made without it, else on a copy of the ledger in an ordinary repository",
                    inert(name)
                ),
            }),
            Error::CorruptObject { .. } => Some(
                "find and repair the damage with `git fsck --full`; a fresh clone of the repository \
                 (git clone URL) brings whole objects again"
                    .into(),
            ),
            Error::PartialClone { .. } => Some(
                "fetch every object, then run rapport again:\n\
                 \x20 git config --unset remote.origin.partialclonefilter && git fetch --refetch origin\n\
                 or make a full clone, without --filter (in CI, a checkout without a filter)"
                    .into(),
            ),
            Error::SparseCheckout { .. } => Some(
                "check every file: git sparse-checkout disable; or check the committed ledger, \
                 which is whole: rapport check --rev HEAD"
                    .into(),
            ),
            Error::UnreadableRepository { .. } => Some(
                "check the repository with `git status` and `git fsck`; rapport reads only what git itself can read"
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
                Some(id) => format!("did you mean `{}`?", inert(id)),
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
            Error::Refused(crate::ledger::write::Refusal::Exists { .. }) => Some(
                "rapport never overwrites a file: move or rename the one there, or leave it".into(),
            ),
            Error::Refused(crate::ledger::write::Refusal::Link { .. }) => Some(
                "rapport writes only regular files inside the ledger and never through a symbolic link; replace the link with the file or folder itself".into(),
            ),
            Error::Refused(crate::ledger::write::Refusal::HardLinked { .. }) => Some(
                "rapport never writes through a hard link: the other names of the file would change too; \
                 make the file one of its own (cp FILE FILE.new && mv FILE.new FILE), then add the note"
                    .into(),
            ),
            Error::Refused(crate::ledger::write::Refusal::InsideGitDir { .. }) => Some(
                "choose a folder of the working tree, outside the git folder".into(),
            ),
            Error::DuplicateId { id, .. } => Some(format!(
                "choose another id with --id, or add a meeting to the existing one: rapport note {}",
                inert(id)
            )),
            Error::InvalidId { .. } => Some("such as --id northwind or --id beifeng-tech".into()),
            Error::NoIdFromName { .. } => {
                Some("choose the id (and file name) yourself: --id beifeng-tech".into())
            }
            Error::NoOwner => Some(
                "name our accountable owner: --owner \"Priya Raman\", or set git's: git config user.name \"Priya Raman\"".into(),
            ),
            Error::NoSuchPartnership { suggestion, .. } => Some(match suggestion {
                Some(id) => format!("did you mean `{}`?", inert(id)),
                None => "the id is the `id:` field of a partnership file, or its file name without .md; `rapport new NAME` adds one".into(),
            }),
            Error::InvalidFile { file, .. } => Some(format!(
                "fix the problems above (rapport check {} shows them), then add the meeting",
                inert(file)
            )),
            Error::NoEditor => Some(
                "set VISUAL or EDITOR to an editor that waits until the file is closed, such as EDITOR=\"code --wait\" or EDITOR=vim; or leave out --edit and give the notes on standard input".into(),
            ),
            Error::Editor { .. } => Some(
                "set VISUAL or EDITOR to an editor that waits until the file is closed, such as EDITOR=\"code --wait\" or EDITOR=vim".into(),
            ),
            _ => None,
        }
    }
}

/// What a repository uses that rapport cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsupported {
    /// `extensions.objectformat = sha256`.
    Sha256,
    /// `extensions.refstorage = reftable`.
    Reftable,
    /// Any other `extensions.*` setting, by its name.
    Extension(String),
}

/// The first files a sparse checkout leaves out, then how many more.
fn absent_files(absent: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut shown: Vec<String> = absent
        .iter()
        .take(SHOWN)
        .map(|f| inert(f).into_owned())
        .collect();
    if absent.len() > SHOWN {
        shown.push(format!("{} more", absent.len() - SHOWN));
    }
    match shown.len() {
        0 => "partnership files".into(),
        1 => shown.remove(0),
        n => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
    }
}

/// ` in LEDGER` or ` at REV`: where a folder was looked for.
fn place(root: &std::path::Path, rev: Option<&str>) -> String {
    match rev {
        Some(rev) => format!(" at {rev}"),
        None => format!(" in {}", root.display()),
    }
}

/// Text from the ledger or the user quoted in a help line, which must stay one line.
fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    crate::escape::terminal(text)
}

/// `partners/, vendors/`.
fn slashed(folders: &[String]) -> String {
    folders
        .iter()
        .map(|f| match f.trim_matches('/') {
            "" | "." => "the ledger's top folder".to_string(),
            f => format!("{}/", inert(f)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
