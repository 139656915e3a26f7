//! The writing commands in temporary repositories: `init`, `new` and `note` leave a ledger that
//! `rapport check` passes, never overwrite, never touch `.git`, and `note` keeps every byte of
//! the file it adds to (Chinese text, CRLF line endings, a byte-order mark, no final newline).
//! Also what `exclude:` keeps from being read, and the completion scripts and the manual page.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{Script, northwind_front, partnership};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::cargo_bin("rapport").expect("the binary is built");
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .env_remove("GITHUB_BASE_REF")
        .env_remove("CI_MERGE_REQUEST_DIFF_BASE_SHA")
        .env_remove("CI_MERGE_REQUEST_TARGET_BRANCH_NAME");
    command
}

fn run(mut command: Command) -> Run {
    let output = command.output().expect("runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn rapport(dir: &Path, args: &[&str]) -> Run {
    run(command(dir, args))
}

impl Run {
    fn ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    fn refused(&self) -> &Run {
        assert_eq!(
            self.code, 2,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Every file under `.git`, by path, with its bytes: equal before and after means untouched.
fn git_folder(repo: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&repo.join(".git"), &mut out);
    assert!(!out.is_empty(), "a .git folder to compare");
    out
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

/// A ledger as a team keeps it: Northwind since early 2024 with months of notes, Kestrel moved
/// into a resellers folder.
fn team_ledger() -> Script {
    Script::new()
        .commit(
            "2024-02-12",
            "Northwind: start",
            &[(
                "partners/northwind.md",
                &partnership("Northwind Analytics", &northwind_front(30, ""), ""),
            )],
        )
        .commit(
            "2024-03-05",
            "Kestrel: start",
            &[(
                "partners/kestrel.md",
                &partnership(
                    "Kestrel Distribution GmbH",
                    "contacts:\n  - { name: Jonas Weber, side: ours, level: manager, primary: true }\n  - { name: Katrin Vogel, side: partner, level: director, primary: true }\n",
                    "",
                ),
            )],
        )
        .commit(
            "2024-06-12",
            "Northwind: QBR",
            &[(
                "partners/northwind.md",
                &partnership(
                    "Northwind Analytics",
                    &northwind_front(45, ""),
                    "\n## 2024-06-12 Quarterly business review\nAttendees: Dana Whitfield, Priya Raman\n\nPipeline is behind plan.\n\n- [ ] partner: send the revised enablement plan (due 2024-06-30)\n",
                ),
            )],
        )
        .rename(
            "2024-07-01",
            "Kestrel: into resellers",
            "partners/kestrel.md",
            "partners/resellers/kestrel.md",
            None,
        )
}

#[test]
fn init_makes_a_ledger_that_check_passes_and_a_second_init_overwrites_nothing() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let first = rapport(dir.path(), &["init", "ledger"]);
    first.ok();
    let ledger = dir.path().join("ledger");
    assert!(ledger.join(".git").is_dir(), "git init ran");
    for file in [
        "rapport.yaml",
        "partners/northwind.md",
        "schema/partnership.schema.json",
        "schema/rapport.schema.json",
        ".github/workflows/rapport.yml",
        ".github/workflows/rapport-digest.yml",
        ".pre-commit-config.yaml",
    ] {
        assert!(ledger.join(file).is_file(), "{file} is written");
        let said = format!(
            "created  {}\n",
            ledger.canonicalize().expect("path").join(file).display()
        );
        assert!(first.stdout.contains(&said), "{said} in {}", first.stdout);
    }
    // The YAML extension does not read front matter inside Markdown: no mapping is written,
    // the language server is recommended instead.
    assert!(
        !ledger.join(".vscode").exists(),
        "no editor settings written"
    );
    assert!(
        first
            .stdout
            .contains("  in your editor, start `rapport lsp` for the partnership files: editors/vscode in rapport's sources builds the VS Code extension; docs/editors.md shows Neovim, Helix and Zed\n"),
        "{}",
        first.stdout
    );
    let config = read(ledger.join("rapport.yaml"));
    assert!(config.starts_with("# yaml-language-server: $schema=./schema/rapport.schema.json\n"));
    assert!(
        config.contains("# exclude: [\"README.md\",\"_*\"]"),
        "{config}"
    );
    assert!(config.contains("#   payment-terms-slip: {"), "{config}");
    let pre_commit = read(ledger.join(".pre-commit-config.yaml"));
    // On commit, the staged files are passed: `rapport check FILE...` reads only their histories.
    let on_commit = pre_commit
        .split("- id: rapport-report")
        .next()
        .expect("the commit hook first");
    assert!(
        on_commit.contains("entry: rapport check --fail-on error\n"),
        "{pre_commit}"
    );
    assert!(!on_commit.contains("pass_filenames"), "{pre_commit}");

    let check = rapport(&ledger, &["check"]);
    check.ok();
    assert_eq!(
        check.stdout,
        "1 partnership file checked: all valid; no findings\n"
    );

    // The team edits its configuration; init again changes nothing and says what it skipped.
    std::fs::write(
        ledger.join("rapport.yaml"),
        "rapport: 1\nredact: [terms.price]\n",
    )
    .expect("write");
    let git_before = git_folder(&ledger);
    let second = rapport(dir.path(), &["init", "ledger"]);
    second.ok();
    assert_eq!(
        second
            .stdout
            .matches("exists already, left as it is")
            .count(),
        7
    );
    assert!(
        second.stdout.contains("7 file(s) skipped"),
        "{}",
        second.stdout
    );
    assert!(!second.stdout.contains("created"), "{}", second.stdout);
    assert_eq!(
        read(ledger.join("rapport.yaml")),
        "rapport: 1\nredact: [terms.price]\n"
    );
    assert_eq!(git_folder(&ledger), git_before);
}

#[test]
fn init_in_a_folder_of_a_repository_leaves_git_alone_and_points_ci_at_the_folder() {
    let script = team_ledger();
    let before = git_folder(script.path());
    rapport(script.path(), &["init", "ops/ledger"]).ok();
    assert_eq!(git_folder(script.path()), before, ".git is untouched");
    let workflow = read(script.path().join(".github/workflows/rapport.yml"));
    assert!(
        workflow.contains("\"ops/ledger/partners/**\""),
        "{workflow}"
    );
    assert!(workflow.contains("path: ops/ledger\n"), "{workflow}");
    let digest = read(script.path().join(".github/workflows/rapport-digest.yml"));
    assert!(
        digest.contains("rapport digest ops/ledger --since 7d"),
        "{digest}"
    );
    let hooks = read(script.path().join(".pre-commit-config.yaml"));
    assert!(
        hooks.contains("files: '^ops/ledger/(partners/.*\\.md|rapport\\.yaml)$'"),
        "{hooks}"
    );
    assert!(
        script
            .path()
            .join("ops/ledger/partners/northwind.md")
            .is_file()
    );
    rapport(&script.path().join("ops/ledger"), &["check"]).ok();
    // The repository's own ledger is where it was, untouched.
    assert!(!script.path().join("rapport.yaml").exists());
}

#[test]
fn new_writes_a_partnership_that_check_passes_and_refuses_a_taken_id() {
    let script = team_ledger();
    let before = git_folder(script.path());
    let created = rapport(
        script.path(),
        &[
            "new",
            "Tidewater Data Platforms",
            "--owner",
            "Lena Hoffmann",
            "--status",
            "active",
            "--since",
            "2025-03-01",
            "--folder",
            "software",
        ],
    );
    created.ok();
    assert_eq!(
        created.stdout.lines().next(),
        Some("created partners/software/tidewater-data-platforms.md")
    );
    let text = read(
        script
            .path()
            .join("partners/software/tidewater-data-platforms.md"),
    );
    for line in [
        "rapport: 1\n",
        "id: tidewater-data-platforms\n",
        "partner: \"Tidewater Data Platforms\"\n",
        "status: active ",
        "owner: \"Lena Hoffmann\"\n",
        "since: 2025-03-01\n",
        "# terms: { payment_days: 30",
        "# kpis:\n",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    let check = rapport(script.path(), &["check", "--fail-on", "never"]);
    check.ok();
    assert!(
        check
            .stdout
            .contains("3 partnership files checked: all valid"),
        "{}",
        check.stdout
    );
    assert_eq!(git_folder(script.path()), before, ".git is untouched");
    // As a pre-commit hook checks it once staged: a file with no history yet.
    let hook = rapport(
        script.path(),
        &["check", "partners/software/tidewater-data-platforms.md"],
    );
    hook.ok();
    assert!(
        hook.stdout
            .ends_with("1 partnership file checked: all valid; 1 warning\n"),
        "{}",
        hook.stdout
    );
    assert!(
        hook.stdout.contains("warning[no-success-metrics]"),
        "{}",
        hook.stdout
    );

    // The id is taken: by Northwind's file name, and by the new file.
    let taken = rapport(script.path(), &["new", "Northwind", "--owner", "X"]);
    taken.refused();
    assert_eq!(
        taken.stderr,
        "error: a partnership with id `northwind` exists already: partners/northwind.md\n\
         help: choose another id with --id, or add a meeting to the existing one: rapport note northwind\n"
    );
    let again = rapport(
        script.path(),
        &["new", "Tidewater Data Platforms", "--owner", "X"],
    );
    again.refused();
    assert!(
        again
            .stderr
            .contains("exists already: partners/software/tidewater-data-platforms.md"),
        "{}",
        again.stderr
    );
}

#[test]
fn new_takes_a_chinese_name_with_an_id_and_the_owner_from_git() {
    let script = team_ledger();
    script
        .repo
        .config()
        .expect("config")
        .set_str("user.name", "王伟")
        .expect("user.name");
    // Without --id, the name in pinyin, one syllable per character; taken the second time.
    let pinyin = rapport(script.path(), &["new", "北风科技"]);
    pinyin.ok();
    assert!(
        pinyin.stdout.contains("partners/bei-feng-ke-ji.md"),
        "{}",
        pinyin.stdout
    );
    let taken = rapport(script.path(), &["new", "北风科技"]);
    taken.refused();
    assert!(
        taken
            .stderr
            .starts_with("error: a partnership with id `bei-feng-ke-ji` exists already: partners/bei-feng-ke-ji.md\n"),
        "{}",
        taken.stderr
    );
    for (name, file) in [
        (
            "Müller Systemhaus GmbH",
            "partners/muller-systemhaus-gmbh.md",
        ),
        ("Société Générale", "partners/societe-generale.md"),
    ] {
        let made = rapport(script.path(), &["new", name]);
        made.ok();
        assert!(made.stdout.contains(file), "{}", made.stdout);
    }
    // A name with nothing to transliterate needs an id chosen by hand.
    let no_id = rapport(script.path(), &["new", "——"]);
    no_id.refused();
    assert!(
        no_id
            .stderr
            .contains("help: choose the id (and file name) yourself: --id")
    );
    rapport(
        script.path(),
        &["new", "北风科技: \"云\" #1", "--id", "beifeng"],
    )
    .ok();
    let text = read(script.path().join("partners/beifeng.md"));
    assert!(
        text.contains("partner: \"北风科技: \\\"云\\\" #1\"\n"),
        "{text}"
    );
    assert!(text.contains("owner: \"王伟\"\n"), "{text}");
    let json = rapport(
        script.path(),
        &[
            "check",
            "partners/beifeng.md",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    json.ok();
    let bad_id = rapport(
        script.path(),
        &["new", "X", "--id", "Bei Feng", "--owner", "X"],
    );
    bad_id.refused();
}

/// Beifeng's file as its team writes it on Windows: a byte-order mark, CRLF line endings,
/// Chinese notes, and no newline after the last line.
const BEIFENG: &str = "\u{feff}---\r\nrapport: 1\r\nid: beifeng\r\npartner: 北风科技\r\nstatus: active\r\nowner: Priya Raman\r\ncontacts:\r\n  - { name: 王伟, side: partner, level: director, primary: true }\r\n  - { name: 李娜, side: partner, level: manager }\r\n  - { name: Priya Raman, side: ours, level: manager, primary: true }\r\nkpis:\r\n  - { id: leads, name: 合作线索, unit: count, target: 40, actual: 25, as_of: 2025-06-30 }\r\n---\r\n\r\n# 北风科技\r\n\r\n## 2025-06-12 季度业务回顾\r\n参会人员：王伟、李娜、Priya Raman\r\n\r\n线索进展顺利，双方同意下季度加大投入。\r\n\r\n- [x] ours: 分享第三季度预测";

fn beifeng_ledger() -> Script {
    team_ledger().commit(
        "2025-06-13",
        "Beifeng: QBR notes",
        &[("partners/asia/beifeng.md", BEIFENG)],
    )
}

#[test]
fn note_keeps_every_byte_of_a_crlf_chinese_file_and_writes_its_way() {
    let script = beifeng_ledger();
    let file = script.path().join("partners/asia/beifeng.md");
    let before_git = git_folder(script.path());
    let mut note = command(
        script.path(),
        &[
            "note",
            "beifeng",
            "--title",
            "供应链研讨会",
            "--date",
            "2025-07-08",
        ],
    );
    note.write_stdin("王伟介绍了新的供应链方案。\n- [ ] partner: 发送报价 (due 2025-07-31)\n");
    let added = run(note);
    added.ok();
    assert_eq!(
        added.stdout,
        "added `## 2025-07-08 供应链研讨会` to partners/asia/beifeng.md\n"
    );
    let after = std::fs::read(&file).expect("read");
    assert_eq!(
        &after[..BEIFENG.len()],
        BEIFENG.as_bytes(),
        "every byte kept"
    );
    let addition = std::str::from_utf8(&after[BEIFENG.len()..]).expect("UTF-8");
    assert_eq!(
        addition.split("<!--").next(),
        Some(
            "\r\n\r\n## 2025-07-08 供应链研讨会\r\n参会人员：王伟、Priya Raman\r\n\r\n\
             王伟介绍了新的供应链方案。\r\n- [ ] partner: 发送报价 (due 2025-07-31)\r\n\r\n"
        )
    );
    assert!(addition.ends_with("-->\r\n"), "{addition:?}");
    assert_eq!(
        addition.matches('\n').count(),
        addition.matches("\r\n").count(),
        "CRLF only: {addition:?}"
    );
    assert_eq!(git_folder(script.path()), before_git, ".git is untouched");

    // The file still passes, and the new meeting and its action item are read.
    let check = rapport(
        script.path(),
        &["check", "partners/asia/beifeng.md", "--fail-on", "never"],
    );
    check.ok();
    assert!(
        check
            .stdout
            .contains("1 partnership file checked: all valid"),
        "{}",
        check.stdout
    );
    let timeline = rapport(script.path(), &["timeline", "beifeng", "--format", "json"]);
    timeline.ok();
}

#[test]
fn note_without_notes_writes_the_heading_attendees_and_stubs() {
    let script = team_ledger();
    let file = script.path().join("partners/northwind.md");
    let before = read(&file);
    rapport(
        script.path(),
        &[
            "note",
            "northwind",
            "--title",
            "Renewal prep",
            "--date",
            "2024-09-02",
        ],
    )
    .ok();
    let after = read(&file);
    assert!(after.starts_with(&before));
    assert_eq!(
        &after[before.len()..],
        "\n## 2024-09-02 Renewal prep\nAttendees: Dana Whitfield, Priya Raman\n\n\
         <!-- What was said and agreed. -->\n\n\
         <!-- Action items, one per line: `- [ ] partner: what they do next (due YYYY-MM-DD)`, \
         `- [ ] ours: what we do next`; check one (`- [x]`) when it is done. -->\n"
    );
    rapport(script.path(), &["check", "--fail-on", "never"]).ok();
}

#[cfg(unix)]
fn fake_editor(dir: &Path, script: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-editor");
    // The file to edit comes last, after any arguments the variable carries (`--wait`).
    std::fs::write(&path, format!("#!/bin/sh\nshift $(($# - 1))\n{script}\n")).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

#[cfg(unix)]
#[test]
fn note_edit_opens_the_editor_on_the_new_section_and_adds_what_it_leaves() {
    let script = beifeng_ledger();
    let tools = tempfile::tempdir().expect("a folder for the editor");
    // The editor replaces the notes placeholder and adds an action item, as a user would.
    let editor = fake_editor(
        tools.path(),
        "sed -i 's/<!-- What was said and agreed. -->/李娜将离职，交接给王伟。/' \"$1\"\n\
         printf -- '- [ ] ours: 安排交接会议 (due 2025-07-20)\\n' >> \"$1\"",
    );
    let file = script.path().join("partners/asia/beifeng.md");
    let mut note = command(
        script.path(),
        &[
            "note",
            "beifeng",
            "--edit",
            "--title",
            "人员变动",
            "--date",
            "2025-07-09",
        ],
    );
    note.env("EDITOR", format!("{} --wait", editor.display()));
    // Standard input is ignored with --edit.
    note.write_stdin("not these notes\n");
    run(note).ok();
    let after = read(&file);
    let addition = &after[BEIFENG.len()..];
    assert!(
        addition.contains("## 2025-07-09 人员变动\r\n参会人员：王伟、Priya Raman\r\n"),
        "{addition:?}"
    );
    assert!(
        addition.contains("李娜将离职，交接给王伟。\r\n"),
        "{addition:?}"
    );
    assert!(
        addition.ends_with("- [ ] ours: 安排交接会议 (due 2025-07-20)\r\n"),
        "{addition:?}"
    );
    assert!(!addition.contains("not these notes"));
    rapport(script.path(), &["check", "--fail-on", "never"]).ok();

    // An editor that fails adds nothing; VISUAL comes before EDITOR.
    let failing = fake_editor(tools.path(), "exit 3");
    let mut note = command(script.path(), &["note", "beifeng", "--edit"]);
    note.env("VISUAL", &failing).env("EDITOR", &editor);
    let refused = run(note);
    refused.refused();
    assert!(
        refused
            .stderr
            .contains("exited with exit status: 3; nothing was added"),
        "{}",
        refused.stderr
    );
    assert_eq!(read(&file), after);

    // No editor at all.
    let none = rapport(script.path(), &["note", "beifeng", "--edit"]);
    none.refused();
    assert!(
        none.stderr.contains("help: set VISUAL or EDITOR"),
        "{}",
        none.stderr
    );
    assert_eq!(read(&file), after);
}

#[test]
fn note_refuses_an_invalid_file_an_unknown_id_and_notes_that_break_the_file() {
    let script = team_ledger();
    let broken = "---\nrapport: 1\npartner: Osprey\nstatus: activ\nowner: Priya Raman\n---\n";
    std::fs::write(script.path().join("partners/osprey.md"), broken).expect("write");
    let invalid = rapport(script.path(), &["note", "osprey"]);
    invalid.refused();
    assert!(
        invalid.stderr.contains("partners/osprey.md:4:"),
        "{}",
        invalid.stderr
    );
    assert!(
        invalid.stderr.contains(
            "error: partners/osprey.md is not a valid partnership file, so nothing was added to it"
        ),
        "{}",
        invalid.stderr
    );
    assert_eq!(read(script.path().join("partners/osprey.md")), broken);

    let unknown = rapport(script.path(), &["note", "northwnd"]);
    unknown.refused();
    assert_eq!(
        unknown.stderr,
        "error: no partnership with id `northwnd` under partners\nhelp: did you mean `northwind`?\n"
    );

    // Notes with a meeting heading dated 2024-02-30 would break the file: refused.
    let file = script.path().join("partners/northwind.md");
    let before = read(&file);
    let mut note = command(
        script.path(),
        &["note", "northwind", "--date", "2024-09-02"],
    );
    note.write_stdin("## 2024-02-30 Follow-up\nnothing\n");
    run(note).refused();
    assert_eq!(read(&file), before);
}

#[test]
fn readmes_underscored_and_hidden_files_are_not_partnerships_in_the_tree_or_the_history() {
    let script = team_ledger().commit(
        "2024-08-01",
        "Ledger notes and a template",
        &[
            (
                "partners/README.md",
                "# Our partnerships\n\nOne file per partner.\n",
            ),
            ("partners/_template.md", "---\npartner: \n---\n"),
            ("partners/_archive/old.md", "not front matter\n"),
        ],
    );
    std::fs::write(script.path().join("partners/.draft.md"), "---\nbroken: [\n").expect("write");
    #[cfg(unix)]
    {
        // Opening a pipe would block: an excluded one is never looked at.
        let pipe = script.path().join("partners/_pipe.md");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    }
    let tree = rapport(script.path(), &["check", "--fail-on", "never"]);
    tree.ok();
    assert!(
        tree.stdout
            .contains("2 partnership files checked: all valid"),
        "{}",
        tree.stdout
    );
    let at_head = rapport(
        script.path(),
        &["check", "--rev", "HEAD", "--fail-on", "never"],
    );
    at_head.ok();
    assert!(
        at_head
            .stdout
            .contains("2 partnership files checked: all valid"),
        "{}",
        at_head.stdout
    );

    // A pre-commit hook passes every staged Markdown file.
    let hook = rapport(
        script.path(),
        &[
            "check",
            "partners/README.md",
            "partners/northwind.md",
            "--fail-on",
            "never",
        ],
    );
    hook.ok();
    assert_eq!(
        hook.stderr,
        "note: partners/README.md is not a partnership file (`exclude:` has `README.md`); not checked\n"
    );
    assert!(
        hook.stdout.contains("1 partnership file checked"),
        "{}",
        hook.stdout
    );
    let only_readme = rapport(script.path(), &["check", "partners/README.md"]);
    only_readme.ok();
    assert_eq!(only_readme.stdout, "");

    // `exclude:` replaces the defaults: the README is read again, the archive folder is not.
    let script = script.commit(
        "2024-08-02",
        "Configure exclusions",
        &[(
            "rapport.yaml",
            "rapport: 1\nexclude: [\"partners/_archive/**\", \"_*\"]\n",
        )],
    );
    let readme_read = rapport(script.path(), &["check", "--rev", "HEAD"]);
    readme_read.refused();
    assert!(
        readme_read.stdout.contains("partners/README.md"),
        "{}",
        readme_read.stdout
    );
    assert!(
        !readme_read.stdout.contains("_archive"),
        "{}",
        readme_read.stdout
    );

    let bad = script.commit(
        "2024-08-03",
        "A pattern that is no glob",
        &[(
            "rapport.yaml",
            "rapport: 1\nexclude: [README.md, \"partners/[z-a].md\"]\n",
        )],
    );
    let refused = rapport(bad.path(), &["check"]);
    refused.refused();
    assert!(
        refused.stderr.contains("rapport.yaml:2:"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("is not a glob"),
        "{}",
        refused.stderr
    );
}

#[test]
fn check_of_named_files_gives_what_the_whole_check_gives_for_them() {
    // Northwind stretched its terms over months; Kestrel was moved into a folder.
    let script = team_ledger().commit(
        "2024-10-01",
        "Northwind: net-120",
        &[(
            "partners/northwind.md",
            &partnership("Northwind Analytics", &northwind_front(120, ""), ""),
        )],
    );
    let whole = rapport(
        script.path(),
        &[
            "check",
            "--rev",
            "HEAD",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    whole.ok();
    let named = rapport(
        script.path(),
        &[
            "check",
            "--rev",
            "HEAD",
            "partners/northwind.md",
            "partners/resellers/kestrel.md",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    named.ok();
    let findings = |json: &str| -> serde_json::Value {
        let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
        value["findings"].clone()
    };
    assert_eq!(findings(&named.stdout), findings(&whole.stdout));
    assert!(
        named.stdout.contains("payment-terms-slip"),
        "the stretched terms are found through the file's own history"
    );
    let tree_whole = rapport(
        script.path(),
        &[
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--as-of",
            "2024-10-02",
        ],
    );
    let tree_named = rapport(
        script.path(),
        &[
            "check",
            "partners/northwind.md",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--as-of",
            "2024-10-02",
        ],
    );
    let northwind = |json: &str| -> Vec<serde_json::Value> {
        findings(json)
            .as_array()
            .map(|all| {
                all.iter()
                    .filter(|f| f["partnership"] == "northwind")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(northwind(&tree_named.stdout), northwind(&tree_whole.stdout));
    assert!(!northwind(&tree_named.stdout).is_empty());
}

#[test]
fn completions_for_each_shell_and_the_manual_page() {
    let dir = tempfile::tempdir().expect("a folder");
    for (shell, marker) in [
        ("bash", "_rapport()"),
        ("zsh", "#compdef rapport"),
        ("fish", "complete -c rapport"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = rapport(dir.path(), &["completions", shell]);
        out.ok();
        assert!(out.stdout.contains(marker), "{shell}: {marker}");
        for command in ["init", "new", "note", "check", "report"] {
            assert!(out.stdout.contains(command), "{shell} completes {command}");
        }
    }
    let unknown = rapport(dir.path(), &["completions", "tcsh"]);
    assert_eq!(unknown.code, 2);
    let man = rapport(dir.path(), &["man"]);
    man.ok();
    assert!(man.stdout.contains(".TH rapport"), "{}", man.stdout);
    assert!(
        man.stdout.contains(".SH \"RAPPORT NOTE\""),
        "a section per subcommand"
    );
    assert!(man.stdout.contains("\\-\\-edit"), "with its options");
}

#[test]
fn note_reads_chinese_owner_labels_and_warns_before_writing_what_check_would_not_read() {
    let script = beifeng_ledger();
    let file = script.path().join("partners/asia/beifeng.md");
    let mut note = command(
        script.path(),
        &[
            "note",
            "beifeng",
            "--title",
            "双周例会",
            "--date",
            "2025-07-08",
        ],
    );
    note.write_stdin(
        "- [ ] 合作方：发送报价（截止 2025-07-31）\n- [ ] 我方：安排渠道培训（due 2025-07-20）\n",
    );
    let added = run(note);
    added.ok();
    assert_eq!(added.stderr, "", "the team's own labels are read");
    let check = rapport(
        script.path(),
        &[
            "check",
            "partners/asia/beifeng.md",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    check.ok();
    assert!(!check.stdout.contains("file_warnings"), "{}", check.stdout);

    // The near miss: an owner and a due date `check` cannot read are said before writing, at
    // their lines, and the note is still added.
    let before = std::fs::read(&file).expect("read");
    let mut note = command(
        script.path(),
        &[
            "note",
            "beifeng",
            "--title",
            "供应链研讨会",
            "--date",
            "2025-07-22",
        ],
    );
    note.write_stdin("- [ ] 伙伴：确认交付计划\n- [ ] ours: 更新预测 (due next Friday)\n");
    let added = run(note);
    added.ok();
    assert_eq!(
        added.stderr,
        "partners/asia/beifeng.md:35:1: warning[unread-item-owner]: `伙伴:` is not an owner rapport reads, so this action item counts as nobody's
   |
35 | - [ ] 伙伴：确认交付计划
   | ^
  = help: did you mean `partner:`? an item's owner is `partner:` or `ours:` (any case), or `合作方：` or `我方：`

partners/asia/beifeng.md:36:1: warning[unread-due-date]: the due date `next Friday` is not a date rapport reads, so this action item counts as having none
   |
36 | - [ ] ours: 更新预测 (due next Friday)
   | ^
  = help: write the due date as `(due YYYY-MM-DD)`

"
    );
    assert_eq!(
        added.stdout,
        "added `## 2025-07-22 供应链研讨会` to partners/asia/beifeng.md\n"
    );
    assert!(std::fs::read(&file).expect("read").len() > before.len());
}
