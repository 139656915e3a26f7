//! Where a ledger is and what of it to read: the root a path belongs to, the files named on the
//! command line (relative to that root), and the refusals of a ledger with nothing to check (a
//! partnership folder that is missing or a submodule, a bare repository without a revision).
//! Nothing to check is never a pass.

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::history::{self, EntryKind, LedgerRepo};
use crate::ledger::selection::is_partnership_path;

/// Where a ledger lives and how it is configured.
#[derive(Clone, Debug)]
pub struct LedgerRoot {
    /// The ledger's folder, absolute.
    pub root: PathBuf,
    pub config: Config,
    /// The files the user named, relative to the root, sorted: only they are checked (each
    /// with its whole history). `None`: the whole ledger.
    pub only: Option<Vec<String>>,
    /// Files the user named that `exclude:` says are not partnerships, with the pattern that
    /// excludes each: left unread, and said so.
    pub skipped: Vec<(String, String)>,
}

impl LedgerRoot {
    /// Whether `file` (relative to the root) is one the user asked for.
    pub fn wants(&self, file: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.binary_search_by(|f| f.as_str().cmp(file)).is_ok())
    }
}

/// The folder that holds partnership files when `rapport.yaml` does not say otherwise; it also
/// marks a ledger root that has no configuration.
const DEFAULT_FOLDER: &str = "partners";

/// Finds the ledger the paths belong to. A folder (the ledger root, `partners/`, any folder
/// inside) stands for its whole ledger; a file is checked alone, by its path relative to the
/// root. The root is the nearest folder at or above holding `rapport.yaml`, else the nearest
/// holding a `partners/` folder the path is in, else the repository's top, else the folder
/// itself. Paths of two ledgers are refused.
pub fn open(paths: &[PathBuf]) -> Result<LedgerRoot> {
    let here = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &here[..] } else { paths };
    let mut found: Option<(PathBuf, &Path)> = None;
    let mut whole = false;
    let mut files = Vec::new();
    for path in paths {
        let (root, file) = locate(path)?;
        match &found {
            Some((first, given)) if *first != root => {
                return Err(Error::SeveralLedgers {
                    paths: [given.display().to_string(), path.display().to_string()],
                    roots: [first.clone(), root],
                });
            }
            Some(_) => {}
            None => found = Some((root, path)),
        }
        match file {
            Some(file) => files.push(file),
            None => whole = true,
        }
    }
    let Some((root, _)) = found else {
        return Err(Error::Invocation("no path to check".into()));
    };
    let config = config::load(&root)?;
    let selection = config.selection();
    // A pre-commit hook passes every staged Markdown file: a README beside the partnerships is
    // skipped with a note, not an error.
    let mut skipped = Vec::new();
    files.retain(|f| match selection.excluded_by(f) {
        Some(pattern) => {
            skipped.push((f.clone(), pattern.to_string()));
            false
        }
        None => true,
    });
    if let Some(file) = files.iter().find(|f| !is_partnership_path(f, &selection)) {
        return Err(Error::NotAPartnershipFile {
            file: file.clone(),
            root,
            folders: config.paths.clone(),
        });
    }
    files.sort();
    files.dedup();
    Ok(LedgerRoot {
        root,
        config,
        only: (!whole).then_some(files),
        skipped: if whole { Vec::new() } else { skipped },
    })
}

/// The root of the ledger a path is in, and the path relative to it when it names a file
/// (`None` for a folder, or for the ledger's `rapport.yaml`, which concerns every file).
fn locate(path: &Path) -> Result<(PathBuf, Option<String>)> {
    if !path.exists() {
        return Err(Error::NoSuchPath {
            path: path.to_path_buf(),
        });
    }
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        let dir = path.canonicalize().map_err(io)?;
        return Ok((root_of(&dir), None));
    }
    // The folder is resolved, not the file: a file is named where it is in the ledger.
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Some(name) = path.file_name() else {
        return Err(Error::NoSuchPath {
            path: path.to_path_buf(),
        });
    };
    let dir = parent.canonicalize().map_err(io)?;
    let root = root_of(&dir);
    let relative = dir
        .join(name)
        .strip_prefix(&root)
        .map(|r| r.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    if relative == config::FILE_NAME {
        return Ok((root, None));
    }
    Ok((root, Some(relative)))
}

/// The ledger root for an absolute folder: see [`open`]. The search stays inside the folder's
/// repository, so a `rapport.yaml` or `partners/` above it is never taken for the ledger's.
fn root_of(dir: &Path) -> PathBuf {
    let top = history::top(dir);
    let within = |folder: &Path| top.as_ref().is_none_or(|top| folder.starts_with(top));
    let ancestors = || dir.ancestors().take_while(|a| within(a));
    ancestors()
        .find(|a| a.join(config::FILE_NAME).is_file())
        .or_else(|| {
            ancestors().find(|a| {
                let folder = a.join(DEFAULT_FOLDER);
                folder.is_dir() && (*a == dir || dir.starts_with(&folder))
            })
        })
        .map(Path::to_path_buf)
        .or(top)
        .unwrap_or_else(|| dir.to_path_buf())
}

/// Whether `config` names its own folders (else it is the default, `partners`).
fn configured(config: &Config) -> bool {
    config.paths != Config::default().paths
}

/// A partnership folder that cannot be read: missing (or not a folder), or a submodule; its
/// path is relative to the ledger root.
enum Unreadable {
    Missing(String),
    Submodule(String),
}

/// The first partnership folder of `repo` (opened for `config`) that the commit's tree does not
/// hold as a folder.
fn unreadable_at(repo: &LedgerRepo, commit: &history::CommitRef<'_>) -> Result<Option<Unreadable>> {
    for folder in &repo.folders {
        let mut prefix = String::new();
        for part in folder.split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            let shown = || repo.ledger_path(&prefix).to_string();
            match repo.entry_kind(commit, &prefix)? {
                Some(EntryKind::Folder) => {}
                // A gitlink: the folder's files are another repository's commit.
                Some(EntryKind::Submodule) => return Ok(Some(Unreadable::Submodule(shown()))),
                // A link where the folder belongs: reading the tree refuses it with a
                // diagnostic of its own, which says more than "missing".
                Some(EntryKind::Link) => return Ok(None),
                Some(EntryKind::File | EntryKind::Other) => {
                    return Ok(Some(Unreadable::Missing(shown())));
                }
                None => {
                    return Ok(Some(Unreadable::Missing(
                        repo.ledger_path(folder).to_string(),
                    )));
                }
            }
        }
    }
    Ok(None)
}

/// Refuses a commit whose tree lacks a partnership folder of `config` (missing, or a
/// submodule): there would be nothing to check. `repo` is opened for `config`.
pub(crate) fn refuse_unreadable_at(
    ledger: &LedgerRoot,
    repo: &LedgerRepo,
    config: &Config,
    commit: &history::CommitRef<'_>,
    rev: &str,
) -> Result<()> {
    match unreadable_at(repo, commit)? {
        None => Ok(()),
        Some(Unreadable::Missing(folder)) => Err(Error::MissingFolder {
            folder,
            root: ledger.root.clone(),
            rev: Some(rev.to_string()),
            configured: configured(config),
        }),
        Some(Unreadable::Submodule(folder)) => Err(submodule(ledger, folder, Some(rev))),
    }
}

/// Refuses a commit whose tree holds a partnership folder as a submodule: its history is not
/// in this repository. A missing folder is left to the caller (a history may still tell of
/// files deleted since).
pub(crate) fn refuse_submodules_at(
    ledger: &LedgerRoot,
    repo: &LedgerRepo,
    commit: &history::CommitRef<'_>,
    rev: &str,
) -> Result<()> {
    match unreadable_at(repo, commit)? {
        Some(Unreadable::Submodule(folder)) => Err(submodule(ledger, folder, Some(rev))),
        _ => Ok(()),
    }
}

fn submodule(ledger: &LedgerRoot, folder: String, rev: Option<&str>) -> Error {
    Error::Submodule {
        folder,
        root: ledger.root.clone(),
        rev: rev.map(str::to_string),
    }
}

/// The repository under a working tree to check (`None` outside one), after refusing what
/// leaves nothing to check: a bare repository (it has no working tree), a partnership folder
/// that is a submodule (a gitlink at `HEAD`, or a folder with a `.git` of its own), or one that
/// does not exist.
pub(crate) fn open_working_tree(ledger: &LedgerRoot) -> Result<Option<LedgerRepo>> {
    let repo = if history::discover(&ledger.root)?.is_some() {
        let repo = LedgerRepo::open_selecting(&ledger.root, &ledger.config.selection())?;
        if repo.is_bare() {
            return Err(Error::BareRepository {
                path: ledger.root.clone(),
            });
        }
        if !repo.is_unborn() {
            let head = repo.resolve("HEAD")?;
            refuse_submodules_at(ledger, &repo, &head, "HEAD")?;
        }
        // Checking the files present as if they were all would pass the others unseen.
        let absent = repo.absent_from_sparse_checkout()?;
        if !absent.is_empty() {
            return Err(Error::SparseCheckout {
                path: ledger.root.clone(),
                absent,
            });
        }
        Some(repo)
    } else {
        None
    };
    for folder in &ledger.config.paths {
        let mut dir = ledger.root.clone();
        let mut shown = String::new();
        for part in folder.split('/').filter(|p| !p.is_empty() && *p != ".") {
            dir.push(part);
            if !shown.is_empty() {
                shown.push('/');
            }
            shown.push_str(part);
            if dir.join(".git").exists() {
                return Err(submodule(ledger, shown, None));
            }
            if !dir.is_dir() {
                return Err(Error::MissingFolder {
                    folder: folder.trim_matches('/').to_string(),
                    root: ledger.root.clone(),
                    rev: None,
                    configured: configured(&ledger.config),
                });
            }
        }
    }
    Ok(repo)
}

/// Nothing found to check: no partnership file under the folders of `config`.
pub(crate) fn nothing_to_check(ledger: &LedgerRoot, config: &Config, rev: Option<&str>) -> Error {
    Error::NoPartnershipFiles {
        folders: config
            .paths
            .iter()
            .map(|f| f.trim_matches('/').to_string())
            .collect(),
        root: ledger.root.clone(),
        rev: rev.map(str::to_string),
        configured: configured(config),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, "").expect("write");
        }
        dir
    }

    #[test]
    fn a_folder_inside_the_ledger_finds_its_root() {
        let dir = ledger(&["partners/emea/a.md", "partners/b.md"]);
        let root = dir.path().canonicalize().expect("canonical");
        for inside in ["", "partners", "partners/emea"] {
            let found = open(&[dir.path().join(inside)]).expect("a ledger");
            assert_eq!(found.root, root, "from {inside:?}");
            assert_eq!(found.only, None);
        }
    }

    #[test]
    fn files_are_named_from_the_root() {
        let dir = ledger(&["rapport.yaml", "partners/emea/a.md", "partners/b.md"]);
        let found = open(&[
            dir.path().join("partners/emea/a.md"),
            dir.path().join("partners/b.md"),
            dir.path().join("partners/b.md"),
        ])
        .expect("a ledger");
        assert_eq!(
            found.only,
            Some(vec!["partners/b.md".into(), "partners/emea/a.md".into()])
        );
        assert!(found.wants("partners/b.md") && !found.wants("partners/c.md"));
        // The configuration concerns every file.
        let found = open(&[dir.path().join("rapport.yaml")]).expect("a ledger");
        assert_eq!(found.only, None);
    }

    #[test]
    fn two_ledgers_and_stray_files_are_refused() {
        let (one, two) = (ledger(&["partners/a.md"]), ledger(&["partners/b.md"]));
        let error = open(&[
            one.path().join("partners/a.md"),
            two.path().join("partners/b.md"),
        ])
        .expect_err("two ledgers");
        assert!(matches!(error, Error::SeveralLedgers { .. }), "{error}");
        let one = ledger(&[
            "rapport.yaml",
            "partners/a.md",
            "notes/x.md",
            "partners/a.txt",
        ]);
        for stray in ["notes/x.md", "partners/a.txt"] {
            let error = open(&[one.path().join(stray)]).expect_err("not a partnership file");
            assert!(
                matches!(&error, Error::NotAPartnershipFile { file, .. } if file == stray),
                "{error}"
            );
        }
    }
}
