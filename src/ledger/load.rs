//! A ledger at one point in time: every partnership file under the configured folders, parsed in
//! parallel, with the checks that need all files at once (duplicate ids).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use super::Snapshot;
use super::diagnostic::Diagnostic;
use super::ladder::Ladder;
use super::parse::parse_partnership;
use super::selection::{Selection, is_partnership_path};

/// Partnership files as read: `(path relative to the ledger root, bytes)`.
pub type Files = Vec<(String, Vec<u8>)>;

/// The files of a ledger at one revision (or in the working tree), parsed.
#[derive(Debug, Default)]
pub struct LedgerState {
    /// Valid partnerships, ordered by path.
    pub snapshots: Vec<Snapshot>,
    /// Every problem in every file, ordered by file and line.
    pub diagnostics: Vec<Diagnostic>,
    /// What valid files write in forms rapport does not read, ordered by file and line.
    pub warnings: Vec<Diagnostic>,
    /// How many files were read.
    pub files: usize,
    /// The text of each valid file, by path, for pointing findings at lines.
    pub texts: std::collections::HashMap<String, String>,
}

/// How large a file rapport reads may be, and what to say about a larger one.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub bytes: usize,
    /// What is limited, in the plural: "partnership files".
    pub what: &'static str,
    pub help: &'static str,
}

/// The limit of a partnership file.
pub const PARTNERSHIP: Limit = Limit {
    bytes: super::parse::MAX_FILE_BYTES,
    what: "partnership files",
    help: "keep one partnership per file and move bulky material (exports, attachments) out of the ledger",
};

impl Limit {
    /// The problem of a file over the limit; `len` is its size when known (a file that grew
    /// while read is larger than its size said).
    pub fn refuse(&self, file: &str, len: u64) -> Diagnostic {
        let limit = self.bytes / 1024;
        let message = if len > self.bytes as u64 {
            format!(
                "file is {} KiB; {} are limited to {limit} KiB",
                len / 1024,
                self.what
            )
        } else {
            format!(
                "file is over {limit} KiB; {} are limited to {limit} KiB",
                self.what
            )
        };
        Diagnostic::file(file, "file-too-large", message, self.help)
    }
}

/// Reads the partnership files `selection` names from a folder on disk: `(path relative to
/// root, bytes)`. Only regular files are read, never through a link; links, pipes and devices,
/// and files that cannot be read, become diagnostics instead of stopping the walk. An excluded
/// file is never opened.
pub fn read_folder(
    root: &Path,
    selection: &Selection,
) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for folder in selection.folders() {
        if folder.is_empty() {
            walk(root, root, selection, &mut files, &mut problems);
            continue;
        }
        if let Some(link) = link_along(root, folder, true) {
            problems.push(link);
            continue;
        }
        let start = root.join(folder);
        if std::fs::symlink_metadata(&start).is_ok_and(|m| m.is_dir()) {
            walk(root, &start, selection, &mut files, &mut problems);
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    problems.sort_by(|a, b| (&a.file, a.code).cmp(&(&b.file, b.code)));
    problems.dedup_by(|a, b| a.file == b.file && a.code == b.code);
    (files, problems)
}

fn walk(
    root: &Path,
    dir: &Path,
    selection: &Selection,
    files: &mut Vec<(String, Vec<u8>)>,
    problems: &mut Vec<Diagnostic>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(Diagnostic::file(
                &relative(root, dir),
                "unreadable",
                format!("cannot read folder: {error}"),
                "check the folder's permissions",
            ));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        // The entry itself, not what a link points to: nothing is opened to find out.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(root, &path, selection, files, problems);
        } else if kind.is_symlink() && std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
            // A linked folder could hold partnership files from anywhere: refused, not skipped
            // in silence (`metadata` only asks what the link points to; nothing is opened).
            if let Some(refused) = refusal(&relative(root, &path), kind, true) {
                problems.push(refused);
            }
        } else if path.extension().is_some_and(|e| e == "md") {
            let shown = relative(root, &path);
            if !is_partnership_path(&shown, selection) {
                continue;
            }
            match refusal(&shown, kind, false) {
                Some(refused) => problems.push(refused),
                None => match read_opened(&path, &shown, PARTNERSHIP) {
                    Ok(bytes) => files.push((shown, bytes)),
                    Err(problem) => problems.push(*problem),
                },
            }
        }
    }
}

/// Reads one partnership file (relative to the ledger root) as [`read_folder`] reads each:
/// a regular file inside the ledger, under the size limit, or the problem with it.
pub fn read_regular(root: &Path, relative: &str) -> Result<Vec<u8>, Box<Diagnostic>> {
    read_bounded(root, relative, PARTNERSHIP)?.ok_or_else(|| {
        Box::new(unreadable(
            relative,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ))
    })
}

/// The absolute path of a file named on the command line, with the folders above it resolved
/// but not the file itself: a link there stays a link, to be refused when read.
pub fn resolve_folders(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let (Some(name), Some(parent)) = (path.file_name(), path.parent()) else {
        return path.canonicalize();
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    Ok(parent.canonicalize()?.join(name))
}

/// Reads a regular file (relative to `root`) of at most `limit` bytes, never through a link
/// (in the file's name or in the folders above it, up to `root`) and never opening anything
/// else; `None` when there is nothing at the path.
pub fn read_bounded(
    root: &Path,
    relative: &str,
    limit: Limit,
) -> Result<Option<Vec<u8>>, Box<Diagnostic>> {
    let relative = relative.trim_matches('/');
    if let Some(link) = link_along(root, relative, false) {
        return Err(Box::new(link));
    }
    let path = root.join(relative);
    let kind = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta.file_type(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(Box::new(unreadable(relative, error))),
    };
    if let Some(refused) = refusal(relative, kind, false) {
        return Err(Box::new(refused));
    }
    read_opened(&path, relative, limit).map(Some)
}

/// Reads a file already seen to be a regular file, at most `limit` bytes of it: the size is
/// counted as it is read, not taken from the file's metadata.
fn read_opened(path: &Path, shown: &str, limit: Limit) -> Result<Vec<u8>, Box<Diagnostic>> {
    let unreadable = |error| Box::new(unreadable(shown, error));
    let file = std::fs::File::open(path).map_err(unreadable)?;
    // What was opened, checked again: the path could have been replaced since it was seen.
    let meta = file.metadata().map_err(unreadable)?;
    if let Some(refused) = refusal(shown, meta.file_type(), false) {
        return Err(Box::new(refused));
    }
    match read_capped(file, limit.bytes) {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(Box::new(limit.refuse(shown, meta.len()))),
        Err(error) => Err(unreadable(error)),
    }
}

/// At most `limit` bytes from `reader`; `None` as soon as more arrive.
pub fn read_capped(reader: impl Read, limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}

/// The first link among the folders of `relative` below `root` (and `relative` itself when
/// `itself`), as the problem it is.
fn link_along(root: &Path, relative: &str, itself: bool) -> Option<Diagnostic> {
    let parts: Vec<&str> = relative.split('/').filter(|p| !p.is_empty()).collect();
    let folders = if itself {
        parts.len()
    } else {
        parts.len().saturating_sub(1)
    };
    let mut path = root.to_path_buf();
    for (i, part) in parts.iter().take(folders).enumerate() {
        path.push(part);
        let kind = std::fs::symlink_metadata(&path).ok()?.file_type();
        if kind.is_symlink() {
            return refusal(&parts[..=i].join("/"), kind, true);
        }
    }
    None
}

/// Why an entry of the ledger that is not a regular file (or a folder, when `folder`) is not
/// read, from its type alone.
fn refusal(shown: &str, kind: std::fs::FileType, folder: bool) -> Option<Diagnostic> {
    let what = if folder { "folder" } else { "file" };
    if kind.is_symlink() {
        return Some(Diagnostic::file(
            shown,
            "symlink",
            format!(
                "this {what} is a symbolic link; rapport reads only regular files inside the repository and never follows a link"
            ),
            format!("replace the link with the {what} itself"),
        ));
    }
    if kind.is_file() || (folder && kind.is_dir()) {
        return None;
    }
    Some(Diagnostic::file(
        shown,
        "not-a-file",
        format!(
            "this is {}, not a regular file; rapport reads only regular files and does not open anything else",
            special_kind(kind)
        ),
        "replace it with the file itself, or move it out of the partnership folders",
    ))
}

#[cfg(unix)]
fn special_kind(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "something other than a file"
    }
}

#[cfg(not(unix))]
fn special_kind(kind: std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a folder"
    } else {
        "something other than a file"
    }
}

fn unreadable(shown: &str, error: std::io::Error) -> Diagnostic {
    Diagnostic::file(
        shown,
        "unreadable",
        format!("cannot read file: {error}"),
        "check the file's permissions",
    )
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Parses every file (in parallel) and checks what spans files.
pub fn load(files: &[(String, Vec<u8>)], ladder: &Ladder) -> LedgerState {
    load_known(files, Vec::new(), ladder)
}

/// [`load`], taking what a file parses to from `known` (in the order of `files`) where it has
/// it, as parsed by an earlier run, instead of parsing the file again.
pub fn load_known(
    files: &[(String, Vec<u8>)],
    mut known: Vec<Option<Result<Snapshot, Vec<Diagnostic>>>>,
    ladder: &Ladder,
) -> LedgerState {
    known.resize_with(files.len(), || None);
    let results: Vec<Result<Snapshot, Vec<Diagnostic>>> = files
        .par_iter()
        .zip(known.into_par_iter())
        .map(|((path, bytes), known)| {
            known.unwrap_or_else(|| parse_partnership(path, bytes, ladder))
        })
        .collect();
    let mut state = LedgerState {
        files: files.len(),
        ..LedgerState::default()
    };
    for (result, (path, bytes)) in results.into_iter().zip(files) {
        match result {
            Ok(snapshot) => {
                if let Ok(text) = std::str::from_utf8(bytes) {
                    state.texts.insert(path.clone(), text.to_string());
                }
                state.warnings.extend(snapshot.warnings.iter().cloned());
                state.snapshots.push(snapshot)
            }
            Err(diagnostics) => state.diagnostics.extend(diagnostics),
        }
    }
    state
        .diagnostics
        .extend(duplicate_ids(&state.snapshots, files));
    state
        .diagnostics
        .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    state
}

/// Two files claiming one id would merge two partnerships' histories: an error in both files.
pub fn duplicate_ids(snapshots: &[Snapshot], files: &[(String, Vec<u8>)]) -> Vec<Diagnostic> {
    let mut by_id: BTreeMap<&str, Vec<&Snapshot>> = BTreeMap::new();
    for snapshot in snapshots {
        by_id.entry(&snapshot.id).or_default().push(snapshot);
    }
    let mut diagnostics = Vec::new();
    for (id, claimants) in by_id.into_iter().filter(|(_, c)| c.len() > 1) {
        for snapshot in &claimants {
            let others: Vec<&str> = claimants
                .iter()
                .filter(|s| s.path != snapshot.path)
                .map(|s| s.path.as_str())
                .collect();
            let text = files
                .iter()
                .find(|(p, _)| *p == snapshot.path)
                .and_then(|(_, b)| std::str::from_utf8(b).ok())
                .unwrap_or("");
            let position = super::parse::split(text)
                .and_then(|parts| {
                    super::yaml::locate(parts.front, "id")
                        .map(|(l, c)| (l + parts.front_line - 1, c))
                })
                .unwrap_or((1, 1));
            diagnostics.push(Diagnostic::at(
                &snapshot.path,
                text,
                position,
                "duplicate-id",
                format!("id `{id}` is also used by {}", others.join(", ")),
                Some(
                    "give each partnership its own `id:` (without one, the file name is the id)"
                        .into(),
                ),
            ));
        }
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_one_byte_past_the_limit_whatever_the_source() {
        // An endless source, as /dev/zero or a file that keeps growing would be.
        assert_eq!(read_capped(std::io::repeat(0), 1024).ok(), Some(None));
        assert_eq!(
            read_capped(&b"abc"[..], 3).ok(),
            Some(Some(b"abc".to_vec()))
        );
        assert_eq!(read_capped(&b"abcd"[..], 3).ok(), Some(None));
    }

    #[test]
    fn a_file_over_the_limit_says_by_how_much_when_it_is_known() {
        let known = PARTNERSHIP.refuse("a.md", 3 * 1024 * 1024);
        assert_eq!(
            known.message,
            "file is 3072 KiB; partnership files are limited to 1024 KiB"
        );
        let grown = PARTNERSHIP.refuse("a.md", 10);
        assert_eq!(
            grown.message,
            "file is over 1024 KiB; partnership files are limited to 1024 KiB"
        );
    }
}
