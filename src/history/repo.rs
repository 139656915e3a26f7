//! The ledger's repository: found from a path, refused when shallow, revisions resolved with
//! errors that say what to do, and the ledger's files read from the tree of a commit.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{FixedOffset, TimeZone};
use git2::{ErrorCode, FileMode, ObjectType, Oid, Repository, Tree};

use crate::error::{Error, Result, Unsupported};
use crate::ledger::load::{Limit, PARTNERSHIP};
use crate::ledger::parse::too_large;
use crate::ledger::selection::{Selection, is_partnership_path};
use crate::ledger::{Commit, Content, Date, Diagnostic, Ladder, Snapshot};

/// Files read from a tree, `(path relative to the ledger root, bytes)`, and the problems of
/// those that could not be read.
pub type Files = (Vec<(String, Vec<u8>)>, Vec<Diagnostic>);

/// What each file of [`Files`] parses to, in the same order, where an earlier run parsed that
/// version (kept by the cache between runs, see `store`); `None` where it has to be parsed.
pub type Known = Vec<Option<std::result::Result<Snapshot, Vec<Diagnostic>>>>;

/// A ledger inside a git repository.
pub struct LedgerRepo {
    pub(super) repo: Repository,
    /// The ledger root relative to the repository's top, `/`-terminated; empty at the top.
    prefix: String,
    /// The partnership folders relative to the repository's top, and the files in them that
    /// are not partnerships.
    pub(crate) folders: Selection,
}

/// The repository `path` lies in: `None` outside any; an error saying why and what to do when
/// there is one that cannot be opened (another user's, SHA-256, reftable, an unknown
/// extension). Such a repository is never taken for "no repository": its history would be
/// silently left out.
pub fn discover(path: &Path) -> Result<Option<Repository>> {
    match Repository::discover(path) {
        Ok(repo) => Ok(Some(repo)),
        Err(error) if error.code() == ErrorCode::NotFound => Ok(None),
        Err(error) => Err(unopenable(path, &error)),
    }
}

/// Why the repository holding `path` cannot be opened, from libgit2's error.
fn unopenable(path: &Path, error: &git2::Error) -> Error {
    let path = top_of(path);
    if error.code() == ErrorCode::Owner {
        return Error::NotOwned { path };
    }
    let message = error.message();
    let unsupported = |what: &str, kind| Error::UnsupportedRepository {
        path: path.clone(),
        what: what.to_string(),
        kind,
    };
    if message.contains("object format") {
        return unsupported("uses SHA-256 object ids", Unsupported::Sha256);
    }
    if let Some(name) = message
        .split_once("extension name extensions.")
        .map(|(_, name)| name.trim().to_string())
    {
        return match name.to_ascii_lowercase().as_str() {
            "refstorage" => unsupported(
                "keeps its refs in the reftable format (extensions.refstorage)",
                Unsupported::Reftable,
            ),
            "objectformat" => unsupported("uses SHA-256 object ids", Unsupported::Sha256),
            _ => unsupported(
                &format!("sets `extensions.{}`", crate::escape::terminal(&name)),
                Unsupported::Extension(name),
            ),
        };
    }
    Error::UnreadableRepository {
        path,
        reason: message.to_string(),
    }
}

/// Why a revision names no commit, in words: libgit2's message, or what it leaves unsaid.
fn revision_reason(rev: &str, message: &str) -> String {
    if !message.is_empty() && message != "no error" {
        return message.to_string();
    }
    if rev.contains("@{-") {
        "`@{-N}` names the branch checked out N switches ago, and this repository's reflog of HEAD \
         records fewer switches (a fresh clone records none)"
            .into()
    } else {
        "git found nothing it names".into()
    }
}

/// The repository last opened in this process: its top, and whether it is a partial clone.
static OPENED: std::sync::Mutex<Option<(PathBuf, bool)>> = std::sync::Mutex::new(None);

fn remember_opened(repo: &Repository) {
    let top = repo
        .workdir()
        .unwrap_or_else(|| repo.path())
        .components()
        .collect();
    if let Ok(mut opened) = OPENED.lock() {
        *opened = Some((top, is_partial_clone(repo)));
    }
}

/// Whether a repository is a partial clone (`git clone --filter=...`): objects it was cloned
/// without are promised by a remote and fetched by git on demand, which libgit2 does not do.
fn is_partial_clone(repo: &Repository) -> bool {
    let Ok(config) = repo.config() else {
        return false;
    };
    if config.get_string("extensions.partialclone").is_ok() {
        return true;
    }
    config
        .entries(Some(r"remote\..*\.promisor"))
        .is_ok_and(|mut entries| {
            let mut any = false;
            while let Some(Ok(entry)) = entries.next() {
                any |= matches!(entry.value(), Ok("true" | "1" | "yes" | "on"));
            }
            any
        })
}

/// An object missing from the repository opened last, said as what it means: a partial clone
/// that was not given it, or a damaged repository; an object that cannot be read (a damaged
/// pack or loose object: its data does not inflate, a delta's base is wrong) is damage too.
/// Other errors are returned as they are.
pub fn explain_missing(error: Error) -> Error {
    let Error::Git(super::GitError(git)) = &error else {
        return error;
    };
    let missing = git.class() == git2::ErrorClass::Odb && git.code() == ErrorCode::NotFound;
    // Not an ambiguous or unknown short id a user typed: those are the user's to fix.
    let unreadable = git.class() == git2::ErrorClass::Zlib
        || (git.class() == git2::ErrorClass::Odb && git.code() == ErrorCode::GenericError);
    if !missing && !unreadable {
        return error;
    }
    let Some((path, partial)) = OPENED.lock().ok().and_then(|o| o.clone()) else {
        return error;
    };
    let message = git.message();
    if unreadable {
        return Error::CorruptObject {
            path,
            reason: format!("an object cannot be read ({message})"),
        };
    }
    let id = message
        .rsplit_once('(')
        .map(|(_, rest)| rest.trim_end_matches(')'))
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()));
    let object = match id {
        Some(id) => format!("the object {id}"),
        None => "an object".to_string(),
    };
    if partial {
        Error::PartialClone {
            path,
            missing: object,
        }
    } else {
        Error::CorruptObject {
            path,
            reason: format!("{object} is missing ({message})"),
        }
    }
}

/// The top of the working tree (or the git folder) holding `path`, found by the `.git` entry
/// git itself looks for; `path` itself when there is none.
fn top_of(path: &Path) -> PathBuf {
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    absolute
        .ancestors()
        .find(|dir| dir.join(".git").symlink_metadata().is_ok())
        .unwrap_or(&absolute)
        .to_path_buf()
}

impl LedgerRepo {
    /// Lets the repository go without waiting for it: freeing libgit2's object cache (every
    /// commit of a history read) takes a tenth of a one-file check's time, so it is done on a
    /// thread of its own, which a process about to exit does not wait for; a long-running one
    /// (the language server) gets the memory back all the same.
    pub fn release(self) {
        let _ = std::thread::Builder::new()
            .name("release-repository".into())
            .spawn(move || drop(self));
    }

    /// Opens the repository holding the ledger at `ledger_root`, whose partnership files are
    /// under `folders` (relative to the ledger root), less the default exclusions. A shallow
    /// clone is refused.
    pub fn open(ledger_root: &Path, folders: &[String]) -> Result<LedgerRepo> {
        LedgerRepo::open_selecting(ledger_root, &Selection::with_default_exclude(folders))
    }

    /// Opens the repository holding the ledger at `ledger_root`, whose partnership files are
    /// the ones `selection` (relative to the ledger root) names. A shallow clone is refused.
    pub fn open_selecting(ledger_root: &Path, selection: &Selection) -> Result<LedgerRepo> {
        let repo = discover(ledger_root)?.ok_or_else(|| Error::NotARepository {
            path: ledger_root.to_path_buf(),
        })?;
        // Objects are only read: checking each one's hash on every read costs a fifth of the
        // walk, and `git fsck` is the tool for that.
        git2::opts::strict_hash_verification(false);
        if repo.is_shallow() {
            return Err(Error::Shallow {
                path: repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf(),
            });
        }
        // libgit2 hangs on a loose object cut short: checked before any is read.
        super::loose::check(repo.commondir()).map_err(|damaged| Error::CorruptObject {
            path: repo
                .workdir()
                .unwrap_or_else(|| repo.path())
                .components()
                .collect(),
            reason: format!(
                "the object {} ({}): {}",
                damaged.id,
                damaged.file.display(),
                damaged.what
            ),
        })?;
        remember_opened(&repo);
        let prefix = match repo.workdir() {
            Some(top) => relative_prefix(top, ledger_root),
            None => String::new(),
        };
        let folders = selection.within(&prefix);
        Ok(LedgerRepo {
            repo,
            prefix,
            folders,
        })
    }

    /// The partnership files (relative to the ledger root) that a sparse checkout leaves out
    /// of the working tree: in the index with git's skip-worktree flag, and not on disk.
    pub(crate) fn absent_from_sparse_checkout(&self) -> Result<Vec<String>> {
        const SKIP_WORKTREE: u16 = 1 << 14;
        let sparse = self
            .repo
            .config()
            .and_then(|c| c.get_bool("core.sparseCheckout"))
            .unwrap_or(false);
        let Some(top) = self.repo.workdir().filter(|_| sparse) else {
            return Ok(Vec::new());
        };
        let mut absent = Vec::new();
        for entry in self.repo.index()?.iter() {
            if entry.flags_extended & SKIP_WORKTREE == 0 {
                continue;
            }
            let Ok(path) = std::str::from_utf8(&entry.path) else {
                continue;
            };
            if self.is_partnership(path) && top.join(path).symlink_metadata().is_err() {
                absent.push(self.ledger_path(path).to_string());
            }
        }
        Ok(absent)
    }

    /// The ledger root relative to the repository's top, `/`-terminated; empty at the top.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The `.git` folder, for opening the repository again on other threads.
    pub(crate) fn git_dir(&self) -> PathBuf {
        self.repo.path().to_path_buf()
    }

    /// Resolves a revision (`HEAD`, a branch, a tag, a commit id, `main~3`...) to a commit.
    pub fn resolve(&self, rev: &str) -> Result<git2::Commit<'_>> {
        let unknown = |reason: String| Error::UnknownRevision {
            rev: rev.to_string(),
            reason,
        };
        let object = self.repo.revparse_single(rev).map_err(|error| {
            if matches!(error.code(), ErrorCode::UnbornBranch)
                || (rev == "HEAD"
                    && self.repo.head().is_err()
                    && self.repo.is_empty().unwrap_or(false))
            {
                Error::EmptyHistory("the repository has no commits yet".into())
            } else {
                match error.code() {
                    ErrorCode::NotFound | ErrorCode::InvalidSpec | ErrorCode::Ambiguous => {
                        unknown(revision_reason(rev, error.message()))
                    }
                    // libgit2 fails `@{-N}` with no message ("no error") when the reflog
                    // holds fewer switches.
                    _ if error.message().is_empty() || error.message() == "no error" => {
                        unknown(revision_reason(rev, ""))
                    }
                    _ => error.into(),
                }
            }
        })?;
        object
            .peel_to_commit()
            .map_err(|_| unknown("it does not name a commit".into()))
    }

    /// Whether the current branch has no commit yet.
    pub fn is_unborn(&self) -> bool {
        self.repo
            .head()
            .is_err_and(|e| e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound)
    }

    /// A file (relative to the ledger root) in a commit, if it is there: its bytes when it is a
    /// regular file within `limit`, else why it is not read (a link or a submodule is never
    /// read; a file over the limit is not read either).
    pub fn file_at(
        &self,
        commit: &git2::Commit<'_>,
        path: &str,
        limit: Limit,
    ) -> Result<Option<Read>> {
        let tree = commit.tree()?;
        let full = format!("{}{path}", self.prefix);
        let entry = match tree.get_path(Path::new(&full)) {
            Ok(entry) => entry,
            Err(error) if error.code() == ErrorCode::NotFound => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        let folder = self.folders.contains(&full);
        if let Some(refused) = refusal(path, &entry, folder) {
            return Ok(Some(Err(refused)));
        }
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        Ok(Some(
            read_blob(&self.repo, entry.id(), limit)?.map_err(|size| limit.refuse(path, size)),
        ))
    }

    /// A path relative to the repository's top, relative to the ledger root instead.
    pub(crate) fn ledger_path<'p>(&self, repo_path: &'p str) -> &'p str {
        repo_path.strip_prefix(&self.prefix).unwrap_or(repo_path)
    }

    /// Whether a repository path is a partnership file of this ledger.
    pub(crate) fn is_partnership(&self, repo_path: &str) -> bool {
        is_partnership_path(repo_path, &self.folders)
    }

    /// The partnership files in a commit's tree, `(path relative to the ledger root, bytes)`,
    /// ordered by path, with the problems of the entries not read (links, submodules, files
    /// over the size limit), and what each file parses to where an earlier run parsed that
    /// version with `ladder`. Blobs are read on every core.
    pub fn files_at(&self, commit: &git2::Commit<'_>, ladder: &Ladder) -> Result<(Files, Known)> {
        use rayon::prelude::*;
        let tree = commit.tree()?;
        let (found, mut problems) = self.scan(&tree)?;
        let found: Vec<(String, Oid)> = found
            .into_iter()
            .map(|(path, oid)| (self.ledger_path(&path).to_string(), oid))
            .collect();
        let store = super::store::Store::open(self, ladder);
        let store = store.as_deref();
        let git_dir = self.git_dir();
        // Read on every core, each worker with its own handle on the repository.
        let mut read = found
            .into_par_iter()
            .with_max_len(64)
            .map_init(
                || super::objects::Objects::new(&git_dir),
                |blobs, (shown, oid)| -> Result<_> {
                    let parsed = store
                        .and_then(|s| s.get(oid, &shown))
                        .and_then(|c| match c {
                            Content::Valid { snapshot } => Some(Ok(Arc::unwrap_or_clone(snapshot))),
                            Content::Invalid { diagnostics } => {
                                Some(Err(Arc::unwrap_or_clone(diagnostics)))
                            }
                            Content::Removed => None,
                        });
                    // Its text, kept by an earlier run that read it here, else read and kept.
                    let kept = store.filter(|_| parsed.is_some()).and_then(|s| s.text(oid));
                    let bytes = match kept {
                        Some(text) => Ok(text),
                        None => {
                            let bytes = blobs.with_blob(oid, PARTNERSHIP, <[u8]>::to_vec)?;
                            if let (Some(store), Ok(bytes)) = (store, &bytes) {
                                store.keep_text(oid, bytes);
                            }
                            bytes
                        }
                    };
                    Ok((shown, bytes, parsed))
                },
            )
            .collect::<Result<Vec<_>>>()?;
        read.sort_by(|a, b| a.0.cmp(&b.0));
        read.dedup_by(|a, b| a.0 == b.0);
        let mut files = Vec::with_capacity(read.len());
        let mut known = Vec::with_capacity(read.len());
        for (shown, bytes, parsed) in read {
            match bytes {
                Ok(bytes) => {
                    files.push((shown, bytes));
                    known.push(parsed);
                }
                Err(size) => problems.push(too_large(&shown, size)),
            }
        }
        problems.sort_by(|a, b| a.file.cmp(&b.file));
        problems.dedup();
        Ok(((files, problems), known))
    }

    /// Every partnership file in a tree that is a regular file: `(repository path, blob id)`.
    pub(crate) fn entries(&self, tree: &Tree<'_>) -> Result<Vec<(String, Oid)>> {
        Ok(self.scan(tree)?.0)
    }

    /// The problems of a commit's entries that are not read: links and submodules where a
    /// partnership file or a ledger folder would be. Nothing is read to find them.
    pub fn refused_at(&self, commit: &git2::Commit<'_>) -> Result<Vec<Diagnostic>> {
        Ok(self.scan(&commit.tree()?)?.1)
    }

    /// The regular partnership files of a tree, `(repository path, blob id)`, and the problems
    /// of the links and submodules found instead of partnership files or ledger folders.
    fn scan(&self, tree: &Tree<'_>) -> Result<Scanned> {
        let mut out = Vec::new();
        let mut refused = Vec::new();
        for folder in &self.folders {
            let sub = if folder.is_empty() {
                tree.clone()
            } else {
                match self.folder_in(tree, folder)? {
                    Ok(Some(sub)) => sub,
                    Ok(None) => continue,
                    Err(problem) => {
                        refused.push(problem);
                        continue;
                    }
                }
            };
            let base = if folder.is_empty() {
                String::new()
            } else {
                format!("{folder}/")
            };
            // libgit2 walks subtrees by recursion: a tree nested deeper than any ledger stops
            // the walk at its limit instead of running the stack out.
            let mut too_deep = None;
            let walked = sub.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(ObjectType::Tree)
                    && base.matches('/').count() + dir.matches('/').count()
                        >= super::walk::MAX_DEPTH
                {
                    too_deep = Some(format!("{base}{dir}{}", entry.name().unwrap_or("?")));
                    return git2::TreeWalkResult::Abort;
                }
                let Ok(name) = entry.name() else {
                    return git2::TreeWalkResult::Ok;
                };
                let path = format!("{base}{dir}{name}");
                if !self.is_partnership(&path) {
                    return git2::TreeWalkResult::Ok;
                }
                match refusal(self.ledger_path(&path), entry, false) {
                    Some(problem) => refused.push(problem),
                    None if entry.kind() == Some(ObjectType::Blob) => out.push((path, entry.id())),
                    None => {}
                }
                git2::TreeWalkResult::Ok
            });
            if let Some(path) = too_deep {
                return Err(Error::too_deep(&path, super::walk::MAX_DEPTH));
            }
            walked?;
        }
        Ok((out, refused))
    }

    /// The tree of a ledger folder (a repository path), `None` when it is not there, or the
    /// problem when it, or a folder above it, is a link or a submodule.
    fn folder_in<'r>(
        &'r self,
        tree: &Tree<'r>,
        folder: &str,
    ) -> Result<std::result::Result<Option<Tree<'r>>, Diagnostic>> {
        let mut current = tree.clone();
        let mut walked = String::new();
        for part in folder.split('/').filter(|p| !p.is_empty()) {
            if !walked.is_empty() {
                walked.push('/');
            }
            walked.push_str(part);
            let Some(entry) = current.get_name(part) else {
                return Ok(Ok(None));
            };
            if let Some(problem) = refusal(self.ledger_path(&walked), &entry, true) {
                return Ok(Err(problem));
            }
            if entry.kind() != Some(ObjectType::Tree) {
                return Ok(Ok(None));
            }
            let id = entry.id();
            drop(entry);
            current = self.repo.find_tree(id)?;
        }
        Ok(Ok(Some(current)))
    }
}

/// The regular partnership files of a tree, `(repository path, blob id)`, and the problems of
/// the entries refused.
type Scanned = (Vec<(String, Oid)>, Vec<Diagnostic>);

/// A file's bytes, or why it was not read.
pub type Read = std::result::Result<Vec<u8>, Diagnostic>;

/// Whether a tree entry is a regular file (a blob of mode 100644 or 100755), the only kind of
/// entry rapport reads: a blob of mode 120000 is a symbolic link, and 160000 a submodule.
pub(crate) fn is_regular(mode: i32) -> bool {
    mode == i32::from(FileMode::Blob) || mode == i32::from(FileMode::BlobExecutable)
}

/// Whether a tree entry's mode is a symbolic link's (120000).
pub(super) fn is_link(mode: i32) -> bool {
    mode == i32::from(FileMode::Link)
}

/// Why a tree entry (at `shown`, relative to the ledger root) is not read: a link or a
/// submodule, where a file (or a folder, when `folder`) is expected.
fn refusal(shown: &str, entry: &git2::TreeEntry<'_>, folder: bool) -> Option<Diagnostic> {
    let what = if folder { "folder" } else { "file" };
    let kind = super::EntryKind::of(entry);
    if kind == super::EntryKind::Link {
        return Some(Diagnostic::file(
            shown,
            "symlink",
            format!(
                "this {what} is a symbolic link in git (mode 120000); rapport reads only regular files inside the repository and never follows a link"
            ),
            format!("replace the link with the {what} itself"),
        ));
    }
    if kind == super::EntryKind::Submodule {
        return Some(Diagnostic::file(
            shown,
            "submodule",
            format!(
                "this {what} is a submodule (a gitlink, mode 160000), not a {what} of this repository; rapport reads only regular files inside the repository"
            ),
            format!("replace the submodule with the {what} itself"),
        ));
    }
    None
}

/// The size of a blob, from the object's header: the blob itself is not loaded.
pub(crate) fn blob_size(repo: &Repository, oid: Oid) -> Result<usize> {
    Ok(repo.odb()?.read_header(oid)?.0)
}

/// The bytes of a blob when it is at most `limit` long, else its size; the size is read from
/// the object's header, before the blob itself.
pub(crate) fn read_blob(
    repo: &Repository,
    oid: Oid,
    limit: Limit,
) -> Result<std::result::Result<Vec<u8>, u64>> {
    let size = blob_size(repo, oid)?;
    if size > limit.bytes {
        return Ok(Err(size as u64));
    }
    Ok(Ok(repo.find_blob(oid)?.content().to_vec()))
}

/// [`read_blob`] handing the bytes to `read` where they lie, without copying them.
pub(crate) fn with_blob<R>(
    repo: &Repository,
    oid: Oid,
    limit: Limit,
    read: impl FnOnce(&[u8]) -> R,
) -> Result<std::result::Result<R, u64>> {
    let size = blob_size(repo, oid)?;
    if size > limit.bytes {
        return Ok(Err(size as u64));
    }
    Ok(Ok(read(repo.find_blob(oid)?.content())))
}

/// Whether the repository has grafts (`info/grafts`): libgit2 then gives commits the parents
/// the grafts say, not the ones their objects (and ids) hold.
pub(crate) fn has_grafts(repo: &Repository) -> bool {
    repo.commondir().join("info").join("grafts").exists()
}

/// Keeps libgit2's pack windows small, for commands that read a few files' histories (the
/// pull-request report): memory should follow the files read, not the repository.
pub fn read_lightly() {
    read_packs(1 << 20, 8 << 20);
}

/// Maps packs in windows of 32 MB, at most 128 MB at once, for the whole-ledger pass: mapped
/// whole, a pack's pages all stay resident (a 200 MB pack at three times the benchmark's
/// ledger), while windows much smaller than that are mapped and unmapped tens of thousands of
/// times under libgit2's lock.
pub fn read_in_windows() {
    read_packs(32 << 20, 128 << 20);
}

/// Turns libgit2's object cache off and sets its pack windows (`window` bytes each, `mapped` in
/// all) for the process, once: they apply to what is read after, so the first command to read
/// history decides and a later call changes nothing. The readers remember what they looked up
/// themselves (a folder by its tree id, a version by its blob id), so the cache only held every
/// object read, on each worker's handle, a tree's parsed entries uncounted (the pull-request
/// report on the benchmark's ledger: 73 MB with it, 60 MB without, and faster).
fn read_packs(window: usize, mapped: usize) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::enable_caching(false);
        // SAFETY: libgit2's global options are plain values read when packs are mapped;
        // `call_once` sets them once, before this command reads any object.
        unsafe {
            let _ = git2::opts::set_mwindow_size(window);
            let _ = git2::opts::set_mwindow_mapped_limit(mapped);
        }
    });
}

/// `ledger_root` relative to the repository's top, `/`-terminated, or empty.
fn relative_prefix(top: &Path, ledger_root: &Path) -> String {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (top, root) = (canonical(top), canonical(ledger_root));
    match root.strip_prefix(&top) {
        Ok(rel) if !rel.as_os_str().is_empty() => {
            format!("{}/", rel.to_string_lossy().replace('\\', "/"))
        }
        _ => String::new(),
    }
}

/// The facts of a commit rapport shows and reasons with.
pub(crate) fn commit_info(commit: &git2::Commit<'_>) -> Commit {
    let author = commit.author();
    let when = author.when();
    commit_of(
        commit.id(),
        String::from_utf8_lossy(author.name_bytes()).into_owned(),
        when.seconds(),
        author_date(when),
        String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
    )
}

/// A commit's facts from their parts (the short id derived from the id).
pub(crate) fn commit_of(id: Oid, author: String, time: i64, date: Date, summary: String) -> Commit {
    let id = id.to_string();
    Commit {
        short: id.chars().take(8).collect(),
        id,
        author,
        time,
        date,
        summary,
    }
}

/// The calendar date of a git time, in its own time zone.
pub(crate) fn author_date(when: git2::Time) -> Date {
    let offset = FixedOffset::east_opt(when.offset_minutes() * 60)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero is a valid offset"));
    offset
        .timestamp_opt(when.seconds(), 0)
        .single()
        .map(|t| Date(t.date_naive()))
        .unwrap_or(Date(chrono::NaiveDate::MIN))
}

/// A commit's facts, shared.
pub(crate) fn shared_info(commit: &git2::Commit<'_>) -> Arc<Commit> {
    Arc::new(commit_info(commit))
}
