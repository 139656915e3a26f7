//! The boundaries ARCHITECTURE.md describes, checked on the source: git (the `git2` crate) is
//! named only under `src/history/`, and `src/ledger/` imports no other stage. An exception would
//! be listed by file, as debt to pay off; a new file that crosses a boundary fails.

use std::path::{Path, PathBuf};

/// Files outside `src/history/` that name `git2` today (none): merge bases, commits, tree
/// entries and the repositories a test or a writing command creates are reached through
/// `history::`. Never add one.
const GIT2_OUTSIDE_HISTORY: &[&str] = &[];

/// `src/ledger/` files that import another stage today (none): the ledger knows nothing about
/// git, rules, analysis, rendering or commands.
const LEDGER_IMPORTS_ALLOWED: &[(&str, &str)] = &[];

/// The stages `src/ledger/` must not import.
const LATER_STAGES: &[&str] = &["history", "signs", "analysis", "report", "commands"];

/// What must not import `report/`: the stages before it (their results are what it renders), and
/// the leaf modules every stage may use (`error.rs`, `escape.rs`).
const BEFORE_REPORT: &[&str] = &[
    "src/history/",
    "src/ledger/",
    "src/analysis/",
    "src/error.rs",
    "src/escape.rs",
    "src/numbers.rs",
];

fn source_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            source_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Every `.rs` file under `src/`, as a path from the crate root with `/` separators, and its text.
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    source_files(&root.join("src"), &mut files);
    assert!(files.len() > 50, "the source tree: {files:?}");
    files
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(root)
                .expect("under the crate root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            (name, text)
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The lines (1-based) where `word` stands as a whole identifier.
fn lines_naming(text: &str, word: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            line.match_indices(word).any(|(at, _)| {
                let before = line[..at].chars().next_back();
                let after = line[at + word.len()..].chars().next();
                !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
            })
        })
        .map(|(n, _)| n + 1)
        .collect()
}

/// The top-level modules a file reaches through `crate::…`, grouped imports included
/// (`use crate::{history, ledger::Snapshot}`), each with its line.
fn crate_modules(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut offset_line = Vec::new();
    for (n, line) in text.lines().enumerate() {
        offset_line.extend(std::iter::repeat_n(n + 1, line.len() + 1));
    }
    for (at, _) in text.match_indices("crate::") {
        if text[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let line = offset_line.get(at).copied().unwrap_or(0);
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The first segment of each item of the group, at the group's own depth.
            let mut depth = 0;
            let mut item_start = true;
            let mut name = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if depth == 0 && item_start && is_ident(c) => name.push(c),
                    c if depth == 0 && item_start && !c.is_whitespace() => {
                        if !name.is_empty() {
                            found.push((line, std::mem::take(&mut name)));
                        }
                        item_start = false;
                    }
                    _ => {}
                }
                if c == ',' && depth == 0 && !name.is_empty() {
                    found.push((line, std::mem::take(&mut name)));
                }
            }
            if !name.is_empty() {
                found.push((line, name));
            }
        } else {
            let name: String = rest.chars().take_while(|c| is_ident(*c)).collect();
            found.push((line, name));
        }
    }
    found
}

#[test]
fn git2_is_named_only_in_history() {
    let mut crossing = Vec::new();
    let mut still_naming = Vec::new();
    for (name, text) in sources() {
        if name.starts_with("src/history/") {
            continue;
        }
        let lines = lines_naming(&text, "git2");
        if lines.is_empty() {
            continue;
        }
        // A list's membership: the files that still name git2.
        if GIT2_OUTSIDE_HISTORY.contains(&name.as_str()) {
            still_naming.push(name);
        } else {
            crossing.push(format!("{name}: lines {lines:?}"));
        }
    }
    assert!(
        crossing.is_empty(),
        "git2 is named outside src/history/; reach git through history:: instead:\n{}",
        crossing.join("\n")
    );
    let paid: Vec<&&str> = GIT2_OUTSIDE_HISTORY
        .iter()
        .filter(|file| !still_naming.iter().any(|n| n == *file))
        .collect();
    assert!(
        paid.is_empty(),
        "these files no longer name git2: remove them from GIT2_OUTSIDE_HISTORY: {paid:?}"
    );
}

/// gitoxide (the `gix` crate) reads blobs for the history stage alone, behind its API, in the
/// one file that says why (`objects.rs`).
#[test]
fn gix_is_named_only_where_history_reads_blobs() {
    let crossing: Vec<String> = sources()
        .into_iter()
        .filter(|(name, _)| name != "src/history/objects.rs")
        .filter_map(|(name, text)| {
            let lines = lines_naming(&text, "gix");
            (!lines.is_empty()).then(|| format!("{name}: lines {lines:?}"))
        })
        .collect();
    assert!(
        crossing.is_empty(),
        "gix is named outside src/history/objects.rs:\n{}",
        crossing.join("\n")
    );
}

#[test]
fn the_ledger_imports_no_other_stage() {
    let mut crossing = Vec::new();
    for (name, text) in sources() {
        if !name.starts_with("src/ledger/") {
            continue;
        }
        for (line, module) in crate_modules(&text) {
            // A list's membership: the stages `ledger/` may not import, and the allowed exceptions.
            if LATER_STAGES.contains(&module.as_str())
                && !LEDGER_IMPORTS_ALLOWED.contains(&(name.as_str(), module.as_str()))
            {
                crossing.push(format!("{name}:{line}: crate::{module}"));
            }
        }
    }
    assert!(
        crossing.is_empty(),
        "src/ledger/ imports a later stage; pass the data in instead:\n{}",
        crossing.join("\n")
    );
}

#[test]
fn nothing_before_the_renderers_imports_them() {
    let mut crossing = Vec::new();
    for (name, text) in sources() {
        if !BEFORE_REPORT.iter().any(|before| name.starts_with(before)) {
            continue;
        }
        for (line, module) in crate_modules(&text) {
            if module == "report" {
                crossing.push(format!("{name}:{line}: crate::report"));
            }
        }
    }
    assert!(
        crossing.is_empty(),
        "report/ is imported before it renders; what every stage shares (escaping, redaction) \
         lives in a leaf module or in analysis/:\n{}",
        crossing.join("\n")
    );
}

#[test]
fn imports_are_found_in_paths_and_groups() {
    let text = "use crate::ledger::Snapshot;\nuse crate::{history::{self, Quiet}, signs};\nlet x = crate::report::escape::terminal(t);\nfn f(a: my_crate::analysis::X) {}\n";
    assert_eq!(
        crate_modules(text),
        [
            (1, "ledger".to_string()),
            (2, "history".to_string()),
            (2, "signs".to_string()),
            (3, "report".to_string()),
        ]
    );
    assert_eq!(
        lines_naming(
            "use git2::Oid;\nlet git2x = 1;\n// libgit2 reads it\nfn f() -> git2 {}\n",
            "git2"
        ),
        [1, 4]
    );
}
