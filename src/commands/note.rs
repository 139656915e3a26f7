//! `rapport note ID`: a dated meeting section added at the end of a partnership file, in the
//! file's own line endings and language, with the notes from standard input or an editor. Every
//! byte already in the file stays as it was, and the file is checked before anything is added.

mod draft;

use std::io::Write;

use crate::analysis::{self, writing};
use crate::cli::NoteArgs;
use crate::error::Result;
use crate::ledger::template::{self, NewMeeting, Style};
use crate::ledger::{Date, write};
use crate::report::escape::terminal;

use draft::{edit, keep_draft, notes_from_stdin};

pub fn run(args: &NoteArgs) -> Result<u8> {
    let ledger = analysis::open(std::slice::from_ref(&args.path))?;
    let (file, bytes, snapshot) = writing::find_partnership(&ledger, &args.id)?;
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
    let written = writing::still_valid(&file, &after, &ledger, &snapshot).and_then(|added| {
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
