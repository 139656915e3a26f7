//! Writing into a ledger, for the commands whose purpose is to write (`init`, `new`, `note`): a
//! file is created only where nothing is, appended to only when it is a regular file, never
//! through a symbolic link, never through a hard link shared with another name, and never inside
//! the repository's git folder. Nothing is ever overwritten or rewritten, and an append that
//! fails (a full disk, a file-size limit) is rolled back: the file is left as it was.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a write was not made.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{} exists already", path.display())]
    Exists { path: PathBuf },
    #[error("{} is a symbolic link", path.display())]
    Link { path: PathBuf },
    #[error("{} is not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("{} is not a folder", path.display())]
    NotAFolder { path: PathBuf },
    #[error("{} is inside .git, which rapport never writes to", path.display())]
    InsideGit { path: PathBuf },
    #[error("{} is inside the repository's git folder {}, which rapport never writes to", path.display(), git_dir.display())]
    InsideGitDir { path: PathBuf, git_dir: PathBuf },
    #[error("{} has {links} hard links: the same file has other names, maybe outside the ledger", path.display())]
    HardLinked { path: PathBuf, links: u64 },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot write {}: {source}; and the part written could not be taken back: remove what follows byte {length} of the file",
        path.display()
    )]
    PartlyWritten {
        path: PathBuf,
        source: std::io::Error,
        /// The file's length before the append.
        length: u64,
    },
}

/// Refuses `path` (absolute) when it is inside `git_dir`, the repository's git folder (named
/// `.git` or not: `git init --separate-git-dir` puts it anywhere). The nearest folder of the
/// path that exists is compared, resolved, so neither links nor `..` hide where it is.
pub fn outside_git_dir(path: &Path, git_dir: &Path) -> Result<(), Refusal> {
    let resolve = |p: &Path| {
        p.ancestors()
            .find_map(|a| a.canonicalize().ok().map(|c| (a.to_path_buf(), c)))
            .map(|(found, canonical)| {
                canonical.join(p.strip_prefix(&found).unwrap_or(Path::new("")))
            })
    };
    let (Some(resolved), Some(git)) = (resolve(path), git_dir.canonicalize().ok()) else {
        return Ok(());
    };
    if resolved.starts_with(&git) {
        return Err(Refusal::InsideGitDir {
            path: path.to_path_buf(),
            git_dir: git,
        });
    }
    Ok(())
}

impl Refusal {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Refusal + '_ {
        move |source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => Refusal::Exists {
                path: path.to_path_buf(),
            },
            _ => Refusal::Io {
                path: path.to_path_buf(),
                source,
            },
        }
    }
}

/// Creates `relative` (a `/`-separated path below `root`) with `bytes`, and the folders above it
/// that are missing. Refused when anything is at the path already, when a folder on the way is a
/// link or not a folder, or when the path goes through `.git`.
pub fn create(root: &Path, relative: &str, bytes: &[u8]) -> Result<PathBuf, Refusal> {
    let path = root.join(relative);
    let parts: Vec<&str> = relative.split('/').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| *p == ".git" || *p == "..") {
        return Err(Refusal::InsideGit { path });
    }
    let mut folder = root.to_path_buf();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        folder.push(part);
        match std::fs::symlink_metadata(&folder) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Refusal::Link { path: folder });
            }
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(Refusal::NotAFolder { path: folder }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir(&folder).map_err(Refusal::io(&folder))?;
            }
            Err(error) => return Err(Refusal::io(&folder)(error)),
        }
    }
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Refusal::Link { path });
    }
    // `create_new` is O_CREAT|O_EXCL: it fails on anything at the path, a dangling link
    // included, so nothing is ever overwritten and no link is ever followed.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(Refusal::io(&path))?;
    file.write_all(bytes).map_err(Refusal::io(&path))?;
    file.sync_all().map_err(Refusal::io(&path))?;
    Ok(path)
}

/// Appends `bytes` to the regular file at `path`, which is never followed if it is a link and
/// never written when it has other names (hard links): every byte already in it stays as it
/// is. When the bytes do not all reach the disk (the disk is full, the file would pass the
/// process's file-size limit), the file is cut back to its length before: it holds all of
/// them or none.
pub fn append(path: &Path, bytes: &[u8]) -> Result<(), Refusal> {
    let mut file = open_regular(path)?;
    let length = file.metadata().map_err(Refusal::io(path))?.len();
    let wanted = length + bytes.len() as u64;
    let written = within_size_limit(wanted)
        .and_then(|()| file.write_all(bytes))
        .and_then(|()| file.sync_all())
        .and_then(|()| match file.metadata()?.len() {
            len if len == wanted => Ok(()),
            len => Err(std::io::Error::other(format!(
                "the file is {len} bytes long after the append, not {wanted}"
            ))),
        });
    if let Err(source) = written {
        return Err(match file.set_len(length).and_then(|()| file.sync_all()) {
            Ok(()) => Refusal::Io {
                path: path.to_path_buf(),
                source,
            },
            Err(_) => Refusal::PartlyWritten {
                path: path.to_path_buf(),
                source,
                length,
            },
        });
    }
    Ok(())
}

/// Refuses, before writing, a file that would grow past the process's file-size limit
/// (`ulimit -f`); writing would fail part way.
fn within_size_limit(wanted: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes the limit into the struct it is given and reads nothing else.
        let known = unsafe { libc::getrlimit(libc::RLIMIT_FSIZE, &mut limit) } == 0;
        if known && limit.rlim_cur != libc::RLIM_INFINITY && wanted > limit.rlim_cur {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!(
                    "it would grow to {wanted} bytes, past this process's file-size limit of {} bytes (ulimit -f)",
                    limit.rlim_cur
                ),
            ));
        }
    }
    Ok(())
}

fn open_regular(path: &Path) -> Result<File, Refusal> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(Refusal::Link {
                path: path.to_path_buf(),
            });
        }
        Ok(meta) if !meta.is_file() => {
            return Err(Refusal::NotAFile {
                path: path.to_path_buf(),
            });
        }
        Ok(_) => {}
        Err(error) => return Err(Refusal::io(path)(error)),
    }
    let mut options = OpenOptions::new();
    options.append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A link put in the file's place after the look above is refused by the kernel.
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(Refusal::io(path))?;
    // What was opened, checked again: a pipe or device swapped in is not written to.
    let meta = file.metadata().map_err(Refusal::io(path))?;
    if !meta.is_file() {
        return Err(Refusal::NotAFile {
            path: path.to_path_buf(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Another name for the same file may be anywhere on the disk, outside the repository:
        // writing here would write there.
        if meta.nlink() > 1 {
            return Err(Refusal::HardLinked {
                path: path.to_path_buf(),
                links: meta.nlink(),
            });
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creating_never_overwrites_and_never_follows_a_link() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path();
        create(root, "partners/emea/a.md", b"one").expect("created with its folders");
        assert_eq!(
            std::fs::read(root.join("partners/emea/a.md")).ok(),
            Some(b"one".to_vec())
        );
        let again = create(root, "partners/emea/a.md", b"two");
        assert!(matches!(again, Err(Refusal::Exists { .. })), "{again:?}");
        assert_eq!(
            std::fs::read(root.join("partners/emea/a.md")).ok(),
            Some(b"one".to_vec())
        );
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().expect("another folder");
            std::os::unix::fs::symlink(outside.path(), root.join("linked")).expect("a link");
            let through = create(root, "linked/b.md", b"x");
            assert!(matches!(through, Err(Refusal::Link { .. })), "{through:?}");
            std::os::unix::fs::symlink(outside.path().join("c.md"), root.join("c.md"))
                .expect("a dangling link");
            let dangling = create(root, "c.md", b"x");
            assert!(
                matches!(dangling, Err(Refusal::Link { .. })),
                "{dangling:?}"
            );
            assert!(!outside.path().join("c.md").exists());
            std::fs::write(outside.path().join("d.md"), b"theirs").expect("write");
            std::os::unix::fs::symlink(outside.path().join("d.md"), root.join("d.md"))
                .expect("a link");
            assert!(matches!(
                append(&root.join("d.md"), b"more"),
                Err(Refusal::Link { .. })
            ));
            assert_eq!(
                std::fs::read(outside.path().join("d.md")).ok(),
                Some(b"theirs".to_vec())
            );
        }
        assert!(matches!(
            create(root, ".git/hooks/pre-commit", b"x"),
            Err(Refusal::InsideGit { .. })
        ));
    }

    #[test]
    fn appending_keeps_every_byte_before() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("a.md");
        let before = "\u{feff}---\r\npartner: 北风\r\n---\r\n笔记".as_bytes();
        std::fs::write(&path, before).expect("write");
        append(&path, b"\r\nmore").expect("appended");
        let after = std::fs::read(&path).expect("read");
        assert_eq!(&after[..before.len()], before);
        assert_eq!(&after[before.len()..], b"\r\nmore");
    }
}
