//! `rapport note ID`: a dated meeting section added at the end of a partnership file, in the
//! file's own line endings and language, with the notes from standard input or an editor. Every
//! byte already in the file stays as it was, and the file is checked before anything is added.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use crate::analysis::{self, LedgerRoot};
use crate::cli::NoteArgs;
use crate::error::{Error, Result};
use crate::ledger::load::{self, read_capped};
use crate::ledger::parse::{MAX_FILE_BYTES, default_id, parse_partnership};
use crate::ledger::template::{self, NewMeeting, Style};
use crate::ledger::{Date, Snapshot, write};
use crate::report::escape::terminal;

pub fn run(args: &NoteArgs) -> Result<u8> {
    let ledger = analysis::open(std::slice::from_ref(&args.path))?;
    let (file, bytes, snapshot) = find(&ledger, &args.id)?;
    let text = String::from_utf8_lossy(&bytes);
    let style = Style::of(&text);
    let attendees: Vec<_> = snapshot
        .front
        .contacts
        .iter()
        .filter(|c| c.primary)
        .collect();
    let date = args.date.unwrap_or_else(Date::today);
    let notes = if args.edit { None } else { notes_from_stdin()? };
    let mut section = template::meeting(
        &NewMeeting {
            date,
            title: &args.title,
            attendees: &attendees,
            notes: notes.as_deref(),
        },
        style,
    );
    // The notes typed in the editor stay in their draft until they are in the file.
    let mut draft = None;
    if args.edit {
        let (edited, kept) = edit(&section)?;
        section = template::with_endings(&edited, style.crlf);
        draft = Some(kept);
    }
    let addition = format!("{}{section}", template::separator(&text, style));
    let mut after = bytes.clone();
    after.extend_from_slice(addition.as_bytes());
    let target = ledger.root.join(&file);
    let written = still_valid(&file, &after, &ledger, &snapshot).and_then(|added| {
        super::refuse_git_dirs(&ledger.root, &target)?;
        // What `check` would warn about in the added section, said before it is written.
        let first_added_line = text.lines().count();
        let mut err = anstream::stderr().lock();
        for warning in added.warnings.iter().filter(|w| w.line > first_added_line) {
            crate::report::text::write_file_warning(&mut err, warning)?;
        }
        drop(err);
        Ok(write::append(&target, addition.as_bytes())?)
    });
    if let Err(problem) = written {
        keep_draft(draft, &section, &file);
        return Err(problem);
    }
    if let Some(draft) = draft {
        // In the file now: the draft has served.
        let _ = std::fs::remove_file(draft);
    }
    let mut out = anstream::stdout().lock();
    writeln!(
        out,
        "added `## {date} {}` to {}",
        terminal(args.title.trim()),
        terminal(&file)
    )?;
    Ok(crate::exit::CLEAN)
}

/// The file of partnership `id` (relative to the ledger root), its bytes and its parsed state.
/// A file that does not parse is refused with its problems: a meeting added to it could not be
/// checked.
fn find(ledger: &LedgerRoot, id: &str) -> Result<(String, Vec<u8>, Snapshot)> {
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

/// Says where the notes are kept when they could not be added: in the editor's draft, else in
/// a draft written now; when no draft can be written, the notes themselves, on standard error.
fn keep_draft(draft: Option<PathBuf>, section: &str, file: &str) {
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
fn notes_from_stdin() -> Result<Option<String>> {
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
fn edit(section: &str) -> Result<(String, PathBuf)> {
    let command = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .ok_or_else(|| Error::Editor {
            command: String::new(),
            reason: "is not set (neither VISUAL nor EDITOR)".into(),
        })?;
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

/// The file with the section added, when it still parses and has one meeting more.
fn still_valid(
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
