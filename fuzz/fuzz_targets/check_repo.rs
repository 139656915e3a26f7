//! Arbitrary bytes as a small repository: a few commits of partnership files (and perhaps a
//! `rapport.yaml`), written with git2 into a temporary directory; then the whole check at `HEAD`,
//! the pull-request review of the last commit and each partnership's timeline, rendered in every
//! format. Findings, diagnostics or an error, never a panic.
//!
//! The input is commits separated by a line `%%%`. Each starts with a header line
//! `PATH [SECONDS [OFFSET]]`: `rapport.yaml`, a partnership file under `partners/` (`kestrel`
//! or `resellers/kestrel` → `partners/resellers/kestrel.md`), or `-PATH` to delete it; then the
//! author time as git writes it (`1700000000 +0200`, any text), by default a month after the
//! previous commit. The rest is the file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use rapport::analysis::base::Base;
use rapport::analysis::{self, LedgerRoot, Request, ReviewRequest, Revision};
use rapport::analysis::timeline::describe;
use rapport::config::Config;
use rapport::history::{self, LedgerRepo, Quiet};
use rapport::report;

const MAX_COMMITS: usize = 6;

/// One scripted commit.
struct Step<'a> {
    path: String,
    remove: bool,
    /// The author and committer time as written in the commit: seconds and a `+HHMM` offset,
    /// whatever the header said (git stores any text there; libgit2 reads what it can).
    when: String,
    content: &'a [u8],
}

/// The ledger path a header names: letters, digits, `-` and `/` kept, at most three folders.
fn ledger_path(token: &str) -> String {
    if token == "rapport.yaml" {
        return token.to_string();
    }
    let clean: String = token
        .trim_end_matches(".md")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '/')
        .take(40)
        .collect();
    let parts: Vec<&str> = clean.split('/').filter(|p| !p.is_empty()).take(3).collect();
    if parts.is_empty() {
        "partners/p.md".to_string()
    } else {
        format!("partners/{}.md", parts.join("/"))
    }
}

fn steps(data: &[u8]) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    let mut seconds = 1_700_000_000i64;
    let mut rest = data;
    while !rest.is_empty() && out.len() < MAX_COMMITS {
        let (chunk, next) = match find(rest, b"\n%%%\n") {
            Some(at) => (&rest[..at], &rest[at + 5..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let (header, content) = match chunk.iter().position(|b| *b == b'\n') {
            Some(at) => (&chunk[..at], &chunk[at + 1..]),
            None => (chunk, &chunk[chunk.len()..]),
        };
        let header = String::from_utf8_lossy(header);
        let mut words = header.split_whitespace();
        let token = words.next().unwrap_or("p");
        let (remove, token) = match token.strip_prefix('-') {
            Some(t) => (true, t),
            None => (false, token),
        };
        seconds = seconds.saturating_add(30 * 86_400);
        let time = words
            .next()
            .map_or_else(|| seconds.to_string(), str::to_string);
        let offset = words.next().unwrap_or("+0000");
        out.push(Step {
            path: ledger_path(token),
            remove,
            when: format!("{time} {offset}"),
            content,
        });
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Commits the steps into a new repository at `dir`; `None` when git refuses one of them.
fn build(dir: &Path, steps: &[Step<'_>]) -> Option<usize> {
    // Bare and without the template's hooks and samples: a repository in a few files.
    let mut options = git2::RepositoryInitOptions::new();
    options.bare(true).external_template(false);
    let repo = git2::Repository::init_opts(dir, &options).ok()?;
    let odb = repo.odb().ok()?;
    let mut index = git2::Index::new().ok()?;
    let mut parent: Option<git2::Oid> = None;
    let mut commits = 0;
    for step in steps {
        if step.remove {
            let _ = index.remove_path(Path::new(&step.path));
        } else {
            let blob = repo.blob(step.content).ok()?;
            let entry = rapport::sample::file_entry(&step.path, blob, step.content.len());
            index.add(&entry).ok()?;
        }
        let tree = index.write_tree_to(&repo).ok()?;
        // Written by hand, as libgit2 would only write times that fit 32 bits.
        let identity = format!("Fuzz <fuzz@example.com> {}", step.when);
        let parent_line = parent.map(|p| format!("parent {p}\n")).unwrap_or_default();
        let text = format!(
            "tree {tree}\n{parent_line}author {identity}\ncommitter {identity}\n\na change\n"
        );
        let id = odb.write(git2::ObjectType::Commit, text.as_bytes()).ok()?;
        parent = Some(id);
        commits += 1;
    }
    repo.reference("refs/heads/main", parent?, true, "fuzz")
        .ok()?;
    repo.set_head("refs/heads/main").ok()?;
    Some(commits)
}

fuzz_target!(|data: &[u8]| {
    let steps = steps(data);
    if steps.is_empty() {
        return;
    }
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let Some(commits) = build(dir.path(), &steps) else {
        return;
    };
    let ledger = LedgerRoot {
        root: dir.path().to_path_buf(),
        config: Config::default(),
        only: None,
        skipped: Vec::new(),
    };
    let request = Request {
        ledger: &ledger,
        revision: Revision::Commit("HEAD".into()),
        as_of: None,
        progress: &Quiet,
        health: true,
        dated: true,
    };
    let Ok(analysis) = analysis::analyse(&request) else {
        return;
    };
    let mut out = Vec::new();
    let _ = report::text::write_check(&mut out, &analysis.state, &analysis.findings);
    let _ = serde_json::to_writer(
        &mut out,
        &report::json::check(&analysis.state, &analysis.findings, analysis.now),
    );
    let portfolio = analysis::portfolio::portfolio(&analysis);
    let _ = report::portfolio::text::write(&mut out, &portfolio);
    let _ = report::portfolio::markdown::render(&portfolio);
    let _ = report::portfolio::html::render(&portfolio);
    if commits > 1 {
        let reviewed = analysis::review::review(&ReviewRequest {
            ledger: &ledger,
            base: Base::given("HEAD~1"),
            head: "HEAD".into(),
            progress: &Quiet,
        });
        if let Ok(review) = reviewed {
            let _ = report::text::write_review(&mut out, &review);
            let _ = report::markdown::render(&review, 65_000);
            let _ = report::sarif::write(&mut out, &review);
            let _ = report::github::write(&mut out, &review);
            let _ = report::gitlab::write(&mut out, &review);
            let _ = serde_json::to_writer(&mut out, &report::json::review(&review));
        }
    }
    let Ok(repo) = LedgerRepo::open_selecting(dir.path(), &analysis.config.selection()) else {
        return;
    };
    for snapshot in &analysis.state.snapshots {
        let found = history::timeline(&repo, "HEAD", &snapshot.id, &analysis.config.ladder, &Quiet);
        if let Ok(history) = found {
            let Some(timeline) = history.timelines.first() else {
                continue;
            };
            let view = describe(history.head.clone(), timeline, &analysis.config);
            let _ = report::timeline::write_text(&mut out, &view);
            let _ = serde_json::to_writer(&mut out, &view);
        }
    }
});
