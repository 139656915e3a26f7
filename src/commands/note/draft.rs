//! The notes of `rapport note`: piped in on standard input or typed in an editor, in a draft
//! kept until they are in the file, and said where they are when they could not be added.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::ledger::load::read_capped;
use crate::ledger::parse::MAX_FILE_BYTES;
use crate::ledger::template;
use crate::report::escape::terminal;

/// Says where the notes are kept when they could not be added: in the editor's draft, else in
/// a draft written now; when no draft can be written, the notes themselves, on standard error.
pub(super) fn keep_draft(draft: Option<PathBuf>, section: &str, file: &str) {
    let draft = draft.or_else(|| {
        let mut kept = tempfile::Builder::new()
            .prefix("rapport-note-")
            .suffix(".md")
            .tempfile()
            .ok()?;
        kept.write_all(section.as_bytes()).ok()?;
        kept.flush().ok()?;
        kept.keep().ok().map(|(_, path)| path)
    });
    let file = terminal(file);
    match draft {
        Some(draft) => eprintln!(
            "note: nothing was added to {file}; your notes are kept in {}",
            terminal(&draft.display().to_string())
        ),
        None => eprintln!(
            "note: nothing was added to {file}, and no draft could be written; your notes:\n{}",
            section
                .lines()
                .map(|line| terminal(line).into_owned())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// The notes piped in, when standard input is not a terminal: `echo "..." | rapport note ID`.
pub(super) fn notes_from_stdin() -> Result<Option<String>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let bytes = read_capped(stdin.lock(), MAX_FILE_BYTES)?.ok_or_else(|| {
        Error::Invocation(format!(
            "the notes on standard input are over {} KiB, the limit of a partnership file",
            MAX_FILE_BYTES / 1024
        ))
    })?;
    let notes = String::from_utf8(bytes)
        .map_err(|_| Error::Invocation("the notes on standard input are not UTF-8 text".into()))?;
    Ok((!notes.trim().is_empty()).then_some(notes))
}

/// The section as the user leaves it in their editor, and the draft file it was edited in, kept
/// from then on.
pub(super) fn edit(section: &str) -> Result<(String, PathBuf)> {
    let command = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .ok_or(Error::NoEditor)?;
    let mut draft = tempfile::Builder::new()
        .prefix("rapport-note-")
        .suffix(".md")
        .tempfile()
        .map_err(|source| Error::Io {
            path: std::env::temp_dir(),
            source,
        })?;
    draft.write_all(template::with_endings(section, false).as_bytes())?;
    draft.flush()?;
    // `code --wait`, `emacsclient -t`: the variable may carry arguments.
    let mut words = command.split_whitespace();
    let program = words.next().unwrap_or_default();
    let status = std::process::Command::new(program)
        .args(words)
        .arg(draft.path())
        .status()
        .map_err(|error| Error::Editor {
            command: command.clone(),
            reason: format!("could not be started: {error}"),
        })?;
    if !status.success() {
        return Err(Error::Editor {
            command,
            reason: format!("exited with {status}"),
        });
    }
    let mut edited = String::new();
    std::fs::File::open(draft.path())
        .and_then(|mut file| file.read_to_string(&mut edited))
        .map_err(|source| Error::Io {
            path: draft.path().to_path_buf(),
            source,
        })?;
    if edited.trim().is_empty() {
        return Err(Error::Editor {
            command,
            reason: "left the note empty".into(),
        });
    }
    if !edited.ends_with('\n') {
        edited.push('\n');
    }
    let path = draft.path().to_path_buf();
    let (_, kept) = draft.keep().map_err(|error| Error::Io {
        path,
        source: error.error,
    })?;
    Ok((edited, kept))
}
