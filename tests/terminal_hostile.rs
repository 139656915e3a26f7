//! Text from the ledger and from git is hostile: a partner name, a file name (git allows a
//! newline and ESC in one), meeting titles, action items, a KPI, a commit's author and message
//! carry a colour escape, a terminal hyperlink, a right-to-left override and a newline followed
//! by a workflow command. `check`, `timeline`, `explain` and the errors echo them inert, in the
//! terminal and in logs.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::Script;
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

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn rapport(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("rapport")
        .expect("the binary is built")
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("runs");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        out: String::from_utf8(output.stdout).expect("UTF-8"),
        err: String::from_utf8(output.stderr).expect("UTF-8"),
    };
    for (stream, text) in [("stdout", &run.out), ("stderr", &run.err)] {
        for c in text.chars() {
            let hidden = (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
            assert!(!hidden, "{args:?}: raw {c:?} on {stream}:\n{text}");
        }
        assert!(
            !text.lines().any(|l| l.starts_with("::")),
            "{args:?}: an injected line on {stream}:\n{text}"
        );
    }
    run
}

/// Shown as the terminal escape policy writes it.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\u{1b}' => "\\u{1b}".to_string(),
            '\u{7}' => "\\u{7}".to_string(),
            '\u{202e}' => "\\u{202e}".to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[test]
fn check_shows_the_ledger_inert() {
    let script = script();
    let path = visible(FILE);
    for args in [
        vec!["check", "--fail-on", "never"],
        vec!["check", "--fail-on", "never", "--rev", "HEAD"],
        vec!["check", "--fail-on", "never", FILE],
    ] {
        let run = rapport(script.path(), &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.err);
        assert!(
            run.out.contains(&format!(
                "Acme \\u{{1b}}[31mred\\u{{1b}}[0m \\u{{1b}}]8;;http://evil\\u{{7}}link\\u{{1b}}]8;;\\u{{7}} \\u{{202e}}gnp.exe \\n::error::x (acme, {path}): "
            )),
            "{args:?}:\n{}",
            run.out
        );
        assert!(
            run.out
                .contains(&format!("  {path}:8: error[payment-terms-slip]")),
            "{args:?}:\n{}",
            run.out
        );
    }
}

#[test]
fn the_timeline_shows_the_history_inert() {
    let script = script();
    let run = rapport(script.path(), &["timeline", "acme"]);
    assert_eq!(run.code, 0, "{}", run.err);
    let summary = "Terms \\u{1b}[31m\\u{202e}net-60 \\u{1b}]8;;http://evil\\u{7}link ::error::x";
    for expected in [
        // The header: name, id and path.
        format!("\\u{{202e}}gnp.exe \\n::error::x (acme) {}", visible(FILE)),
        // Each version's author (git drops the trailing BEL) and summary.
        format!("  Eve \\u{{1b}}[31m\\u{{202e}}red \\u{{1b}}]8;;http://evil  {summary}"),
        // The invalid version's diagnostic.
        format!(
            "! invalid: {}:11: unknown field `terms\\u{{1b}}[31m`",
            visible(FILE)
        ),
        // Meeting titles and action items, as changes and as open items.
        "+ meeting 2024-06-14 Review \\u{1b}[2J \\u{202e}txt \\u{1b}]8;;http://evil\\u{7}link"
            .into(),
        "  [ ] partner: send \\u{1b}]0;title\\u{7} the plan \\u{202e}now".into(),
        // A finding's message and the series names.
        "! new error[payment-terms-slip] payment terms went from net-30 to net-60".into(),
        "  kpis.pipeline.actual  ".into(),
    ] {
        assert!(run.out.contains(&expected), "{expected:?} in:\n{}", run.out);
    }
}

#[test]
fn errors_echo_what_they_were_given_inert() {
    let script = script();
    let run = rapport(
        script.path(),
        &["explain", "bad\u{1b}[31m\u{202e}id\n::error::x"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.err
            .contains("error: no rule `bad\\u{1b}[31m\\u{202e}id\\n::error::x`"),
        "{}",
        run.err
    );
    let run = rapport(
        script.path(),
        &["check", "--rev", "nope\u{1b}[31m\u{202e}\n::error::x"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.err
            .contains("error: unknown revision `nope\\u{1b}[31m\\u{202e}\\n::error::x`"),
        "{}",
        run.err
    );
    let run = rapport(script.path(), &["timeline", "acme\u{1b}[31m"]);
    assert_eq!(run.code, 2);
    assert!(
        run.err.contains("no partnership with id `acme\\u{1b}[31m`"),
        "{}",
        run.err
    );
    let run = rapport(
        script.path(),
        &[
            "check",
            "partners/missing\u{1b}]8;;http://evil\u{7}\n::error::x.md",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.err
            .contains("missing\\u{1b}]8;;http://evil\\u{7}\\n::error::x.md does not exist"),
        "{}",
        run.err
    );
}
