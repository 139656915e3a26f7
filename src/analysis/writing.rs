//! What the writing commands read and check around a write: the file a partnership id names,
//! and whether a file with something added is still a valid partnership file.

use super::LedgerRoot;
use crate::error::{Error, Result};
use crate::ledger::Snapshot;
use crate::ledger::load;
use crate::ledger::parse::{default_id, parse_partnership};

/// The file of partnership `id` (relative to the ledger root), its bytes and its parsed state.
/// A file that does not parse is refused with its problems: a meeting added to it could not be
/// checked.
pub fn find_partnership(ledger: &LedgerRoot, id: &str) -> Result<(String, Vec<u8>, Snapshot)> {
    let (files, _) = load::read_folder(&ledger.root, &ledger.config.selection());
    let state = load::load(&files, &ledger.config.ladder);
    if let Some(snapshot) = state.snapshots.iter().find(|s| s.id == id) {
        let duplicate = state
            .diagnostics
            .iter()
            .filter(|d| d.file == snapshot.path)
            .cloned()
            .collect::<Vec<_>>();
        if !duplicate.is_empty() {
            return Err(Error::InvalidFile {
                file: snapshot.path.clone(),
                diagnostics: duplicate,
            });
        }
        let bytes = files
            .iter()
            .find(|(path, _)| *path == snapshot.path)
            .map(|(_, bytes)| bytes.clone())
            .unwrap_or_default();
        return Ok((snapshot.path.clone(), bytes, snapshot.clone()));
    }
    if let Some((path, _)) = files.iter().find(|(path, _)| default_id(path) == id) {
        return Err(Error::InvalidFile {
            file: path.clone(),
            diagnostics: state
                .diagnostics
                .iter()
                .filter(|d| d.file == *path)
                .cloned()
                .collect(),
        });
    }
    let suggestion =
        crate::ledger::yaml::closest(id, state.snapshots.iter().map(|s| s.id.as_str()))
            .map(str::to_string);
    Err(Error::NoSuchPartnership {
        id: id.to_string(),
        folders: ledger.config.paths.clone(),
        suggestion,
    })
}

/// The file with the section added, when it still parses and has one meeting more.
pub fn still_valid(
    file: &str,
    after: &[u8],
    ledger: &LedgerRoot,
    before: &Snapshot,
) -> Result<Snapshot> {
    match parse_partnership(file, after, &ledger.config.ladder) {
        Err(diagnostics) => Err(Error::InvalidFile {
            file: file.to_string(),
            diagnostics,
        }),
        Ok(snapshot) if snapshot.body.meetings.len() <= before.body.meetings.len() => {
            Err(Error::Invocation(format!(
                "the note added to {file} has no meeting heading: a meeting starts with a line `## YYYY-MM-DD Title`; nothing was added"
            )))
        }
        Ok(snapshot) => Ok(snapshot),
    }
}
