//! Every `rapport …` command the README and `docs/*.md` show in a shell code block runs: on the
//! sample ledger's repository (as `rapport demo --keep` leaves it, with an `origin` that has the
//! main branch), none ends in a usage error, a refused input or a crash (exit 2, or no exit code
//! at all). A command renamed, a flag dropped or a file moved in the code fails here until the
//! documentation follows. The partnership files the docs show (fenced `markdown` blocks that
//! start with front matter) parse as valid.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

/// Commands shown in the documentation that cannot run here, each with the reason. A command
/// listed here must still be shown somewhere (a stale entry fails the test).
const SKIPPED: &[(&str, &str)] = &[
    // A command that needs the network (a webhook, a release download), a CI runner's
    // environment (GITHUB_STEP_SUMMARY, a merge request's API token) or a client on its standard
    // input belongs here, with why.
    (
        "rapport lsp",
        "a language server speaks to an editor on its standard input; tests/lsp.rs and tests/editors.rs drive it",
    ),
];

/// The documents whose shell blocks are run: the README, then `docs/*.md` by name.
fn documents() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("a docs/ folder")
        .map(|entry| entry.expect("a docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    let mut all = vec![root.join("README.md")];
    all.extend(docs);
    all
}

/// The lines of fenced code blocks marked as shell (`sh`, `shell`, `bash`, `console`) that start
/// with `rapport` (after an optional `$ ` prompt), each with its line number.
fn shown_commands(text: &str) -> Vec<(usize, String)> {
    let mut commands = Vec::new();
    let mut fence: Option<(String, bool)> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed
            .strip_prefix("```")
            .or_else(|| trimmed.strip_prefix("~~~"))
        {
            let marker = trimmed[..3].to_string();
            match &fence {
                Some((open, _)) if *open == marker && rest.trim().is_empty() => fence = None,
                Some(_) => {}
                None => {
                    let lang = rest.split_whitespace().next().unwrap_or("");
                    let shell = matches!(lang, "sh" | "shell" | "bash" | "console");
                    fence = Some((marker, shell));
                }
            }
            continue;
        }
        if let Some((_, true)) = fence {
            let command = trimmed.strip_prefix("$ ").unwrap_or(trimmed);
            if command == "rapport" || command.starts_with("rapport ") {
                commands.push((n + 1, command.to_string()));
            }
        }
    }
    commands
}

/// The words of the first command on a shell line: quotes removed, stopping at a comment, a
/// redirection, a pipe or a list operator (what follows them is the shell's, not rapport's).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    in_word = true;
                }
                '#' if !in_word => break,
                '>' | '<' | '|' | '&' | ';' => break,
                c if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                c => {
                    word.push(c);
                    in_word = true;
                }
            },
        }
    }
    assert!(quote.is_none(), "an unclosed quote in: {line}");
    if in_word {
        words.push(word);
    }
    words
}

/// The sample ledger's repository, as `rapport demo --keep` leaves it, with `origin/main` and
/// `origin/HEAD` so commands that find their base the way CI does find one.
fn sample_repository(dir: &Path) {
    let script = rapport::sample::script(&rapport::sample::SAMPLE).expect("the sample's script");
    rapport::sample::replay(&rapport::sample::SAMPLE, &script, dir).expect("the sample replays");
    let repo = git2::Repository::open(dir).expect("the sample's repository");
    let main = repo
        .find_reference("refs/heads/main")
        .expect("a main branch")
        .target()
        .expect("main points at a commit");
    repo.reference("refs/remotes/origin/main", main, true, "origin")
        .expect("origin/main");
    repo.reference_symbolic(
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/main",
        true,
        "origin/HEAD",
    )
    .expect("origin/HEAD");
}

fn run(dir: &Path, home: &Path, args: &[String]) -> std::process::Output {
    let mut command = Command::cargo_bin("rapport").expect("the rapport binary");
    command
        .args(&args[1..])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .write_stdin("Pipeline is on plan; the partner asked for a joint webinar.\n")
        .timeout(Duration::from_secs(300));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key == "CI" || key.starts_with("GITHUB_") || key.starts_with("CI_") || key == "GITLAB_CI"
        {
            command.env_remove(&key);
        }
    }
    command.output().expect("rapport runs")
}

#[test]
fn every_command_shown_in_the_docs_runs() {
    let mut ran = 0;
    let mut shown_skips = Vec::new();
    let mut failures = Vec::new();
    for document in documents() {
        let text = std::fs::read_to_string(&document).expect("a readable document");
        let commands = shown_commands(&text);
        if commands.is_empty() {
            continue;
        }
        // A fresh repository per document; within one, commands run in the order shown (a
        // `rapport new` before the `rapport note` on what it created).
        let temp = tempfile::TempDir::new().expect("a temporary folder");
        let dir = temp.path().join("ledger");
        let home = temp.path().join("home");
        std::fs::create_dir_all(&home).expect("a home folder");
        // A newcomer's git knows their name (`rapport new` takes the owner from it).
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Priya Raman\n\temail = priya@example.com\n",
        )
        .expect("a git configuration");
        sample_repository(&dir);
        let name = document
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&document)
            .display()
            .to_string();
        for (line, command) in commands {
            // Matched on the words run, so a comment after the command does not matter.
            let run_words = words(&command).join(" ");
            if let Some((_, why)) = SKIPPED.iter().find(|(skip, _)| *skip == run_words) {
                assert!(!why.is_empty(), "say why {command} is skipped");
                shown_skips.push(run_words);
                continue;
            }
            let args = words(&command);
            let output = run(&dir, &home, &args);
            ran += 1;
            let code = output.status.code();
            if !matches!(code, Some(0 | 1)) {
                failures.push(format!(
                    "{name}:{line}: `{command}` exited {code:?}\n--- stderr\n{}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (skip, _) in SKIPPED {
        assert!(
            shown_skips.iter().any(|shown| shown == skip),
            "{skip} is skipped but no longer shown in the docs: remove it from SKIPPED"
        );
    }
    assert!(
        ran >= 30,
        "only {ran} commands found in the docs' shell blocks"
    );
}

/// The fenced `markdown` blocks that are partnership files (they start with front matter).
fn shown_partnership_files(text: &str) -> Vec<(usize, String)> {
    let mut files = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        match &mut open {
            None if line.trim_end() == "```markdown" => open = Some((n + 2, String::new())),
            None => {}
            Some(_) if line.trim_end() == "```" => {
                if let Some((start, file)) = open.take()
                    && file.starts_with("---\n")
                {
                    files.push((start, file));
                }
            }
            Some((_, file)) => {
                file.push_str(line);
                file.push('\n');
            }
        }
    }
    files
}

#[test]
fn every_partnership_file_shown_in_the_docs_is_valid() {
    let mut shown = 0;
    for document in documents() {
        let text = std::fs::read_to_string(&document).expect("a readable document");
        for (line, file) in shown_partnership_files(&text) {
            shown += 1;
            if let Err(diagnostics) = rapport::ledger::parse::parse_partnership(
                "partners/example.md",
                file.as_bytes(),
                &rapport::ledger::Ladder::default(),
            ) {
                panic!(
                    "{}:{line}: the partnership file shown is invalid: {diagnostics:#?}",
                    document.display()
                );
            }
        }
    }
    // The README's example and the format reference's.
    assert!(
        shown >= 2,
        "only {shown} partnership files shown in the docs"
    );
}

#[test]
fn the_configuration_shown_is_valid() {
    // docs/configuration.md opens with a `rapport.yaml` using every top-level key.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configuration.md");
    let text = std::fs::read_to_string(path).expect("docs/configuration.md");
    let block = text
        .split("## `rapport.yaml`\n")
        .nth(1)
        .and_then(|section| section.split("```yaml\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("a YAML block under ## `rapport.yaml`");
    if let Err(diagnostics) = rapport::config::Config::parse("rapport.yaml", block.as_bytes()) {
        panic!("{path}: the rapport.yaml shown is invalid: {diagnostics:#?}");
    }
}

#[test]
fn shell_lines_are_split_into_rapport_words() {
    assert_eq!(
        words(r#"rapport new "Kestrel Distribution GmbH"   # from the template"#),
        ["rapport", "new", "Kestrel Distribution GmbH"]
    );
    assert_eq!(
        words("rapport portfolio --format html > p.html"),
        ["rapport", "portfolio", "--format", "html"]
    );
    assert_eq!(
        words("rapport completions zsh  > \"${fpath[1]}/_rapport\""),
        ["rapport", "completions", "zsh"]
    );
    assert_eq!(
        words("rapport check partners/a#b.md | head"),
        ["rapport", "check", "partners/a#b.md"]
    );
    let text = "```sh\nrapport check\n$ rapport rules\ncargo test\n```\n\n```yaml\nrun: rapport check\n```\n    rapport indented\n";
    assert_eq!(
        shown_commands(text),
        [
            (2, "rapport check".to_string()),
            (3, "rapport rules".to_string())
        ]
    );
}
