//! Text from the ledger and from git is hostile: a partner name, a file name (git allows a
//! newline and ESC in one), meeting titles, action items, a KPI, a commit's author and message
//! carry a colour escape, a terminal hyperlink, a right-to-left override and a newline followed
//! by a workflow command. `check`, `timeline`, `explain` and the errors echo them inert, in the
//! terminal and in logs.

mod common;

use std::path::Path;

use common::{Output, Script, Test};
use git2::Signature;

/// YAML double-quoted: `\e` ESC, `\a` BEL, `\u202E` a right-to-left override, `\n` a newline.
const NAME: &str =
    r#""Acme \e[31mred\e[0m \e]8;;http://evil\alink\e]8;;\a \u202Egnp.exe \n::error::x""#;

/// The file's name: a newline, ESC and a right-to-left override in it.
const FILE: &str = "partners/acme\n::error::x \u{1b}[31m\u{202e}.md";

const AUTHOR: &str = "Eve \u{1b}[31m\u{202e}red \u{1b}]8;;http://evil\u{7}";

const MESSAGE: &str =
    "Terms \u{1b}[31m\u{202e}net-60 \u{1b}]8;;http://evil\u{7}link\n::error::x\n\nbody";

/// The partnership at net-`days`; the last version adds a meeting.
fn file(days: u32, extra: &str) -> String {
    let meeting = if days < 60 {
        ""
    } else {
        "## 2024-06-14 Review \u{1b}[2J \u{202e}txt \u{1b}]8;;http://evil\u{7}link\n\
         Attendees: Priya Raman\n\n\
         - [ ] partner: send \u{1b}]0;title\u{7} the plan \u{202e}now (due 2024-07-01)\n"
    };
    format!(
        "---\nrapport: 1\nid: acme\npartner: {NAME}\nstatus: active\nowner: Priya Raman\nsince: 2024-01-15\n\
         terms: {{ payment_days: {days}, price: 120000, currency: EUR }}\n\
         kpis:\n  - {{ id: pipeline, name: \"Pipeline \\e[31m\\u202E\", unit: EUR, target: 400000, actual: {} }}\n\
         {extra}---\n\n# Acme\n\n{meeting}",
        days * 1000
    )
}

/// Commits `text` at `path` with the hostile author and message.
fn commit(script: &Script, date: &str, path: &str, text: &str) {
    let full = script.path().join(path);
    std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&full, text).expect("write");
    let repo = &script.repo;
    let mut index = repo.index().expect("index");
    index.add_path(Path::new(path)).expect("git add");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let author =
        Signature::new(AUTHOR, "eve@example.com", &common::time(date)).expect("a signature");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &author, &author, MESSAGE, &tree, &parents)
        .expect("commit");
}

fn script() -> Script {
    let script = Script::new();
    commit(&script, "2024-01-15", FILE, &file(30, ""));
    // An invalid version: an unknown field whose name carries an escape.
    commit(
        &script,
        "2024-03-01",
        FILE,
        &file(45, "\"terms\\e[31m\": 1\n"),
    );
    commit(&script, "2024-06-15", FILE, &file(60, ""));
    script
}

/// `rapport ARGS` in `dir`, piped, with nothing said about colour.
fn rapport(dir: &Path, args: &[&str]) -> Test {
    Test::in_dir(dir).args(args).env_remove("NO_COLOR")
}

/// No raw control character, bidi override or workflow command reaches either stream.
#[track_caller]
fn assert_inert(run: &Output) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        for c in text.chars() {
            let hidden = (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
            assert!(!hidden, "raw {c:?} on {stream}:\n{text}");
        }
        assert!(
            !text.lines().any(|l| l.starts_with("::")),
            "an injected line on {stream}:\n{text}"
        );
    }
}

#[test]
fn check_shows_the_ledger_inert() {
    let script = script();
    let run = rapport(
        script.path(),
        &["check", "--fail-on", "never", "--rev", "HEAD"],
    )
    .snapshot("check_shows_the_ledger_inert")
    .run();
    assert_inert(&run);
    // The working tree at the last commit's date, and the file by name: the same report.
    for args in [
        vec!["check", "--fail-on", "never", "--as-of", "2024-06-15"],
        vec!["check", "--fail-on", "never", "--as-of", "2024-06-15", FILE],
    ] {
        rapport(script.path(), &args)
            .stdout(run.stdout.as_str())
            .run();
    }
}

#[test]
fn the_timeline_shows_the_history_inert() {
    let script = script();
    // The header, each version's author (git drops the trailing BEL) and summary, the invalid
    // version's diagnostic, meeting titles and action items, findings and series names.
    let run = rapport(script.path(), &["timeline", "acme"])
        .snapshot("the_timeline_shows_the_history_inert")
        .run();
    assert_inert(&run);
}

#[test]
fn errors_echo_what_they_were_given_inert() {
    let script = script();
    for (args, said) in [
        (
            &["explain", "bad\u{1b}[31m\u{202e}id\n::error::x"][..],
            "error: no rule `bad\\u{1b}[31m\\u{202e}id\\n::error::x`; `rapport rules` lists them (`rapport explain gate`: how the pre-merge gate judges a change)
",
        ),
        (
            &["check", "--rev", "nope\u{1b}[31m\u{202e}\n::error::x"],
            "error: unknown revision `nope\\u{1b}[31m\\u{202e}\\n::error::x`: failed to parse revision specifier - Invalid pattern 'nope\\u{1b}[31m\\u{202e}\\n::error::x'
help: name a commit, branch or tag that exists here, such as HEAD, main or a commit id (`git log --oneline` lists them); a remote branch must be fetched first: git fetch origin BRANCH
",
        ),
        (
            &["timeline", "acme\u{1b}[31m"],
            "error: no partnership with id `acme\\u{1b}[31m` in the history up to HEAD
help: did you mean `acme`?
",
        ),
        (
            &[
                "check",
                "partners/missing\u{1b}]8;;http://evil\u{7}\n::error::x.md",
            ],
            "error: partners/missing\\u{1b}]8;;http://evil\\u{7}\\n::error::x.md does not exist
help: pass the ledger's folder (holding rapport.yaml or partners/), a folder inside it, or partnership files
",
        ),
    ] {
        let run = rapport(script.path(), args).status(2).stderr(said).run();
        assert_inert(&run);
    }
}
