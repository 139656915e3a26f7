//! `rapport new NAME`: a new partnership file from the template, under the first partnership
//! folder, refused when its id is taken; checked before it is written, so it passes
//! `rapport check` as created.

use std::io::Write;

use crate::analysis;
use crate::cli::{NewArgs, StatusArg};
use crate::error::{Error, Result};
use crate::ledger::load;
use crate::ledger::parse::{default_id, parse_partnership};
use crate::ledger::template::{self, NewPartnership};
use crate::ledger::{Date, write};
use crate::report::escape::terminal;

pub fn run(args: &NewArgs) -> Result<u8> {
    let ledger = analysis::open(std::slice::from_ref(&args.path))?;
    let id = match &args.id {
        Some(id) => id.clone(),
        None => template::slug(&args.name).ok_or_else(|| Error::NoIdFromName {
            name: args.name.clone(),
        })?,
    };
    if !is_id(&id) {
        return Err(Error::InvalidId { id });
    }
    if let Some(path) = holder_of(&ledger, &id) {
        return Err(Error::DuplicateId { id, path });
    }
    let owner = match &args.owner {
        Some(owner) => owner.clone(),
        None => crate::history::user_name(&ledger.root).ok_or(Error::NoOwner)?,
    };
    let text = template::partnership(&NewPartnership {
        id: &id,
        partner: &args.name,
        status: status(args.status),
        owner: &owner,
        since: args.since.unwrap_or_else(Date::today),
    });
    let relative = file_path(&ledger.config.paths, args.folder.as_deref(), &id)?;
    // The template is the program's: a file it writes that does not parse is a bug, refused
    // here rather than left in the ledger.
    if let Err(diagnostics) = parse_partnership(&relative, text.as_bytes(), &ledger.config.ladder) {
        return Err(Error::InvalidFile {
            file: relative,
            diagnostics,
        });
    }
    super::refuse_git_dirs(&ledger.root, &ledger.root.join(&relative))?;
    write::create(&ledger.root, &relative, text.as_bytes())?;
    let mut out = anstream::stdout().lock();
    writeln!(out, "created {}", terminal(&relative))?;
    writeln!(
        out,
        "next: fill in the commented blocks, then `rapport note {id} --title \"Kick-off\"` adds a meeting"
    )?;
    Ok(crate::exit::CLEAN)
}

/// `[a-z0-9][a-z0-9-]*`, the id's format.
fn is_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The file (relative to the ledger root) of a partnership with `id`: one whose front matter
/// says so, or, when a file does not parse, one whose name does.
fn holder_of(ledger: &analysis::LedgerRoot, id: &str) -> Option<String> {
    let (files, _) = load::read_folder(&ledger.root, &ledger.config.selection());
    let state = load::load(&files, &ledger.config.ladder);
    let parsed = state.snapshots.iter().find(|s| s.id == id);
    parsed.map(|s| s.path.clone()).or_else(|| {
        files
            .iter()
            .map(|(path, _)| path)
            .find(|path| default_id(path) == id)
            .cloned()
    })
}

/// `FOLDER/SUBFOLDER/ID.md` under the first partnership folder.
fn file_path(folders: &[String], subfolder: Option<&str>, id: &str) -> Result<String> {
    let mut parts: Vec<&str> = Vec::new();
    let first = folders.first().map_or("partners", |f| f.trim_matches('/'));
    if !first.is_empty() && first != "." {
        parts.push(first);
    }
    if let Some(sub) = subfolder {
        for part in sub.split('/').filter(|p| !p.is_empty() && *p != ".") {
            if part == ".." || part.starts_with('.') || part.starts_with('_') {
                return Err(Error::Invocation(format!(
                    "--folder {sub}: `{part}` would put the file outside the partnership folder or where rapport does not read it"
                )));
            }
            parts.push(part);
        }
    }
    let file = format!("{id}.md");
    parts.push(&file);
    Ok(parts.join("/"))
}

fn status(status: StatusArg) -> &'static str {
    match status {
        StatusArg::Prospect => "prospect",
        StatusArg::Onboarding => "onboarding",
        StatusArg::Active => "active",
        StatusArg::Paused => "paused",
        StatusArg::Ending => "ending",
        StatusArg::Ended => "ended",
    }
}
