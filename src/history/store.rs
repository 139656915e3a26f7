//! The cache of parsed versions kept between runs: a file version's blob id says everything
//! about its bytes, so once a version is parsed, later runs (a second `check`, `portfolio`,
//! `digest`, the pre-commit hook) take the parsed version from here instead of reading and
//! parsing the blob again. Findings are never kept: they depend on the configuration and "now".
//!
//! One entry per version, named by a hash of the blob id, the path it was parsed at, the
//! settings the parse depends on (the seniority ladder), rapport's version and a hash of its
//! parser's sources taken at build time, under the
//! user's cache directory (`RAPPORT_CACHE_DIR`, else `$XDG_CACHE_HOME/rapport` or
//! `~/.cache/rapport`; `~/Library/Caches/rapport` on macOS, `%LOCALAPPDATA%\rapport` on
//! Windows). Entries are written to a temporary file and renamed into place, so a reader sees
//! a whole entry or none, and concurrent runs write the same bytes under the same name. An
//! entry that does not read back (truncated, corrupt, another build's) is ignored and written
//! again. A directory inside the repository is refused with one warning: rapport writes
//! nothing there.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use git2::Oid;

use super::repo::LedgerRepo;
use crate::ledger::{Content, Ladder, stored};

/// Whether the cache is switched off for this process (`--no-cache`).
static DISABLED: AtomicBool = AtomicBool::new(false);

/// Switches the cache off for the rest of the process: nothing is read from it or written to it.
pub fn disable() {
    DISABLED.store(true, Ordering::Relaxed);
}

/// What every entry starts with, before its key and length.
const MAGIC: &str = "rapport-parsed 1";

/// The cache of parsed versions for one ledger and ladder.
pub(crate) struct Store {
    /// The folder entries of this build and ladder go in.
    dir: PathBuf,
    /// What every key starts with: rapport's version, its parser and the ladder.
    salt: String,
}

impl Store {
    /// The cache for `ledger` read with `ladder`, unless it is switched off, no cache directory
    /// can be found, or the directory is inside the repository.
    pub(crate) fn open(ledger: &LedgerRepo, ladder: &Ladder) -> Option<Store> {
        if DISABLED.load(Ordering::Relaxed) {
            return None;
        }
        let root = cache_dir()?;
        if inside_repository(&root, &ledger.git_dir()) {
            static WARNED: Once = Once::new();
            WARNED.call_once(|| {
                eprintln!(
                    "warning: the cache directory {} is inside the repository; rapport writes \
                     nothing there and runs without a cache (set RAPPORT_CACHE_DIR to a folder \
                     outside it, or pass --no-cache)",
                    crate::escape::terminal(&root.to_string_lossy())
                );
            });
            return None;
        }
        let salt = format!(
            "{MAGIC}\0{}\0{}\0{}\0",
            env!("CARGO_PKG_VERSION"),
            env!("RAPPORT_PARSER_ID"),
            ladder.0.join("\u{1f}")
        );
        let bucket = Oid::hash_object(git2::ObjectType::Blob, salt.as_bytes()).ok()?;
        Some(Store {
            dir: root.join(format!("v1-{}", &bucket.to_string()[..16])),
            salt,
        })
    }

    /// The file of the entry for the version of `path` in `blob`, and its key.
    fn entry(&self, blob: Oid, path: &str) -> Option<(PathBuf, String)> {
        let key = Oid::hash_object(
            git2::ObjectType::Blob,
            format!("{}{blob}\0{path}", self.salt).as_bytes(),
        )
        .ok()?
        .to_string();
        let file = self.dir.join(&key[..2]).join(&key[2..]);
        Some((file, key))
    }

    /// The parsed version of `path` in `blob`, if a run parsed it before.
    pub(crate) fn get(&self, blob: Oid, path: &str) -> Option<Content> {
        let (file, key) = self.entry(blob, path)?;
        let bytes = std::fs::read(file).ok()?;
        let newline = bytes.iter().position(|b| *b == b'\n')?;
        let header = std::str::from_utf8(&bytes[..newline]).ok()?;
        let rest = &bytes[newline + 1..];
        let expected = format!("{MAGIC} {key} {}", rest.len());
        if header != expected {
            return None;
        }
        stored::decode(rest)
    }

    /// Keeps the parsed version of `path` in `blob` for later runs. Failing to write is not an
    /// error: the next run parses the version again.
    pub(crate) fn put(&self, blob: Oid, path: &str, content: &Content) {
        let Some(bytes) = stored::encode(content) else {
            return;
        };
        let Some((file, key)) = self.entry(blob, path) else {
            return;
        };
        let Some(folder) = file.parent() else {
            return;
        };
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(folder)?;
            let mut temporary = tempfile::Builder::new()
                .prefix(".entry-")
                .tempfile_in(folder)?;
            writeln!(temporary, "{MAGIC} {key} {}", bytes.len())?;
            temporary.write_all(&bytes)?;
            temporary.persist(&file).map_err(|e| e.error)?;
            Ok(())
        };
        let _ = write();
    }
}

/// The folder the cache lives in: `RAPPORT_CACHE_DIR`, else the platform's cache folder.
fn cache_dir() -> Option<PathBuf> {
    let set = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(dir) = std::env::var_os("RAPPORT_CACHE_DIR").filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return Some(if dir.is_absolute() {
            dir
        } else {
            std::env::current_dir().ok()?.join(dir)
        });
    }
    if cfg!(windows) {
        return set("LOCALAPPDATA").map(|d| d.join("rapport"));
    }
    if cfg!(target_os = "macos") {
        return set("HOME").map(|d| d.join("Library").join("Caches").join("rapport"));
    }
    set("XDG_CACHE_HOME")
        .or_else(|| set("HOME").map(|d| d.join(".cache")))
        .map(|d| d.join("rapport"))
}

/// Whether `dir` is (or would be) inside the working tree or the git directory of the
/// repository at `git_dir`. Compared on resolved paths, through the nearest existing folder, so
/// a link or a `..` does not hide it.
fn inside_repository(dir: &Path, git_dir: &Path) -> bool {
    let resolved = |path: &Path| -> PathBuf {
        let mut existing = path.to_path_buf();
        let mut rest = Vec::new();
        loop {
            if let Ok(found) = existing.canonicalize() {
                let mut found = found;
                for part in rest.iter().rev() {
                    found.push(part);
                }
                return found;
            }
            match (existing.file_name(), existing.parent()) {
                (Some(name), Some(parent)) => {
                    rest.push(name.to_os_string());
                    existing = parent.to_path_buf();
                }
                _ => return path.to_path_buf(),
            }
        }
    };
    let dir = resolved(dir);
    let mut roots = vec![resolved(git_dir)];
    if let Ok(repo) = git2::Repository::open(git_dir) {
        roots.push(resolved(repo.commondir()));
        if let Some(work) = repo.workdir() {
            roots.push(resolved(work));
        }
    }
    roots.iter().any(|root| dir.starts_with(root))
}
