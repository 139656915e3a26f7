//! A ledger at one point in time: every partnership file under the configured folders, parsed in
//! parallel, with the checks that need all files at once (duplicate ids).

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use super::Snapshot;
use super::diagnostic::Diagnostic;
use super::ladder::Ladder;
use super::parse::parse_partnership;

/// Partnership files as read: `(path relative to the ledger root, bytes)`.
pub type Files = Vec<(String, Vec<u8>)>;

/// The files of a ledger at one revision (or in the working tree), parsed.
#[derive(Debug, Default)]
pub struct LedgerState {
    /// Valid partnerships, ordered by path.
    pub snapshots: Vec<Snapshot>,
    /// Every problem in every file, ordered by file and line.
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read.
    pub files: usize,
    /// The text of each valid file, by path, for pointing findings at lines.
    pub texts: std::collections::HashMap<String, String>,
}

/// Whether a path (relative, `/`-separated) is a partnership file under one of `folders`.
pub fn is_partnership_path(path: &str, folders: &[String]) -> bool {
    path.ends_with(".md")
        && folders.iter().any(|folder| {
            let folder = folder.trim_matches('/');
            folder.is_empty()
                || folder == "."
                || path
                    .strip_prefix(folder)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

/// Reads partnership files from a folder on disk: `(path relative to root, bytes)`.
/// Unreadable files become diagnostics instead of stopping the walk.
pub fn read_folder(root: &Path, folders: &[String]) -> (Vec<(String, Vec<u8>)>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for folder in folders {
        let start = root.join(folder.trim_matches('/'));
        if !start.is_dir() {
            continue;
        }
        walk(root, &start, &mut files, &mut problems);
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    (files, problems)
}

fn walk(
    root: &Path,
    dir: &Path,
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
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(root, &path, files, problems);
        } else if path.extension().is_some_and(|e| e == "md") {
            let shown = relative(root, &path);
            match std::fs::metadata(&path) {
                Ok(meta) if meta.len() > super::parse::MAX_FILE_BYTES as u64 => {
                    problems.push(super::parse::too_large(&shown, meta.len()));
                }
                _ => match std::fs::read(&path) {
                    Ok(bytes) => files.push((shown, bytes)),
                    Err(error) => problems.push(Diagnostic::file(
                        &shown,
                        "unreadable",
                        format!("cannot read file: {error}"),
                        "check the file's permissions",
                    )),
                },
            }
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Parses every file (in parallel) and checks what spans files.
pub fn load(files: &[(String, Vec<u8>)], ladder: &Ladder) -> LedgerState {
    let results: Vec<Result<Snapshot, Vec<Diagnostic>>> = files
        .par_iter()
        .map(|(path, bytes)| parse_partnership(path, bytes, ladder))
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
