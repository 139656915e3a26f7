//! The writing commands in temporary repositories: `init`, `new` and `note` leave a ledger that
//! `rapport check` passes, never overwrite, never touch `.git`, and `note` keeps every byte of
//! the file it adds to (Chinese text, CRLF line endings, a byte-order mark, no final newline).
//! Also what `exclude:` keeps from being read, and the completion scripts and the manual page.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Script, Test, northwind_front, partnership};

/// `rapport ARGS` in `dir`.
fn rapport(dir: &Path, args: &[&str]) -> Test {
    Test::in_dir(dir).args(args)
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
    rapport(dir.path(), &["init", "ledger"])
        .snapshot("init_says_what_it_created")
        .run();
    let ledger = dir.path().join("ledger");
    assert!(ledger.join(".git").is_dir(), "git init ran");
    // The YAML extension does not read front matter inside Markdown: no mapping is written,
    // the language server is recommended instead (the snapshot says so).
    assert!(
        !ledger.join(".vscode").exists(),
        "no editor settings written"
    );
    insta::assert_snapshot!("init_rapport_yaml", read(ledger.join("rapport.yaml")));
    // On commit, the staged files are passed: `rapport check FILE...` reads only their histories.
    insta::assert_snapshot!(
        "init_pre_commit_config",
        read(ledger.join(".pre-commit-config.yaml"))
    );

    rapport(&ledger, &["check"])
        .stdout("1 partnership file checked: all valid; no findings\n")
        .run();
    // The team edits its configuration; init again changes nothing and says what it skipped.
    std::fs::write(
        ledger.join("rapport.yaml"),
        "rapport: 1\nredact: [terms.price]\n",
    )
    .expect("write");
    let git_before = git_folder(&ledger);
    rapport(dir.path(), &["init", "ledger"])
        .snapshot("a_second_init_skips_every_file")
        .run();
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
    rapport(script.path(), &["init", "ops/ledger"])
        .snapshot("init_in_a_folder_of_a_repository")
        .run();
    assert_eq!(git_folder(script.path()), before, ".git is untouched");
    for (name, file) in [
        ("init_in_a_folder_workflow", ".github/workflows/rapport.yml"),
        (
            "init_in_a_folder_digest_workflow",
            ".github/workflows/rapport-digest.yml",
        ),
        (
            "init_in_a_folder_pre_commit_config",
            ".pre-commit-config.yaml",
        ),
    ] {
        insta::assert_snapshot!(name, read(script.path().join(file)));
    }
    assert!(
        script
            .path()
            .join("ops/ledger/partners/northwind.md")
            .is_file()
    );
    rapport(&script.path().join("ops/ledger"), &["check"])
        .stdout("1 partnership file checked: all valid; no findings\n")
        .run();
    // The repository's own ledger is where it was, untouched.
    assert!(!script.path().join("rapport.yaml").exists());
}

#[test]
fn new_writes_a_partnership_that_check_passes_and_refuses_a_taken_id() {
    let script = team_ledger();
    let before = git_folder(script.path());
    rapport(
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
    )
    .snapshot("new_says_what_it_created")
    .run();
    insta::assert_snapshot!(
        "new_partnership_file",
        read(
            script
                .path()
                .join("partners/software/tidewater-data-platforms.md"),
        )
    );
    rapport(
        script.path(),
        &["check", "--fail-on", "never", "--as-of", "2025-03-02"],
    )
    .snapshot("a_new_partnership_passes_the_check")
    .run();
    assert_eq!(git_folder(script.path()), before, ".git is untouched");
    // As a pre-commit hook checks it once staged: a file with no history yet.
    rapport(
        script.path(),
        &[
            "check",
            "partners/software/tidewater-data-platforms.md",
            "--as-of",
            "2025-03-02",
        ],
    )
    .snapshot("a_new_partnership_checked_by_name")
    .run();

    // The id is taken: by Northwind's file name, and by the new file.
    rapport(script.path(), &["new", "Northwind", "--owner", "X"])
        .status(2)
        .stderr(
        "error: a partnership with id `northwind` exists already: partners/northwind.md\n\
         help: choose another id with --id, or add a meeting to the existing one: rapport note northwind\n",
        )
        .run();
    rapport(
        script.path(),
        &["new", "Tidewater Data Platforms", "--owner", "X"],
    )
    .status(2)
    .stderr("error: a partnership with id `tidewater-data-platforms` exists already: partners/software/tidewater-data-platforms.md
help: choose another id with --id, or add a meeting to the existing one: rapport note tidewater-data-platforms
")
    .run();
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
    rapport(script.path(), &["new", "北风科技"])
        .stdout("created partners/bei-feng-ke-ji.md
next: fill in the commented blocks, then `rapport note bei-feng-ke-ji --title \"Kick-off\"` adds a meeting
")
        .run();
    rapport(script.path(), &["new", "北风科技"])
        .status(2)
        .stderr("error: a partnership with id `bei-feng-ke-ji` exists already: partners/bei-feng-ke-ji.md
help: choose another id with --id, or add a meeting to the existing one: rapport note bei-feng-ke-ji
")
        .run();
    for (name, id) in [
        ("Müller Systemhaus GmbH", "muller-systemhaus-gmbh"),
        ("Société Générale", "societe-generale"),
    ] {
        rapport(script.path(), &["new", name])
            .stdout(format!(
                "created partners/{id}.md\nnext: fill in the commented blocks, then \
                 `rapport note {id} --title \"Kick-off\"` adds a meeting\n"
            ))
            .run();
    }
    // A name with nothing to transliterate needs an id chosen by hand.
    rapport(script.path(), &["new", "——"])
        .status(2)
        .stderr("error: no id can be made from the name `——`: nothing in it transliterates to a letter or digit
help: choose the id (and file name) yourself: --id beifeng-tech
")
        .run();
    rapport(
        script.path(),
        &[
            "new",
            "北风科技: \"云\" #1",
            "--id",
            "beifeng",
            "--since",
            "2025-03-01",
        ],
    )
    .stdout(
        "created partners/beifeng.md
next: fill in the commented blocks, then `rapport note beifeng --title \"Kick-off\"` adds a meeting
",
    )
    .run();
    let text = read(script.path().join("partners/beifeng.md"));
    insta::assert_snapshot!("new_with_a_chinese_name_and_owner", text);
    rapport(
        script.path(),
        &[
            "check",
            "partners/beifeng.md",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--as-of",
            "2025-03-02",
        ],
    )
    .snapshot("new_with_a_chinese_name_checked_as_json")
    .run();
    rapport(
        script.path(),
        &["new", "X", "--id", "Bei Feng", "--owner", "X"],
    )
    .status(2)
    .stderr("error: `Bei Feng` is not an id: an id is lowercase letters, digits and `-`, starting with a letter or digit
help: such as --id northwind or --id beifeng-tech
")
    .run();
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
    rapport(
        script.path(),
        &[
            "note",
            "beifeng",
            "--title",
            "供应链研讨会",
            "--date",
            "2025-07-08",
        ],
    )
    .stdin("王伟介绍了新的供应链方案。\n- [ ] partner: 发送报价 (due 2025-07-31)\n")
    .stdout("added `## 2025-07-08 供应链研讨会` to partners/asia/beifeng.md\n")
    .run();
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
    rapport(
        script.path(),
        &[
            "check",
            "partners/asia/beifeng.md",
            "--fail-on",
            "never",
            "--as-of",
            "2025-07-08",
        ],
    )
    .snapshot("a_noted_crlf_chinese_file_passes_the_check")
    .run();
    rapport(script.path(), &["timeline", "beifeng", "--format", "json"])
        .snapshot("a_noted_crlf_chinese_file_timeline")
        .run();
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
    .stdout("added `## 2024-09-02 Renewal prep` to partners/northwind.md\n")
    .run();
    let after = read(&file);
    assert!(after.starts_with(&before));
    assert_eq!(
        &after[before.len()..],
        "\n## 2024-09-02 Renewal prep\nAttendees: Dana Whitfield, Priya Raman\n\n\
         <!-- What was said and agreed. -->\n\n\
         <!-- Action items, one per line: `- [ ] partner: what they do next (due YYYY-MM-DD)`, \
         `- [ ] ours: what we do next`; check one (`- [x]`) when it is done. -->\n"
    );
    rapport(
        script.path(),
        &["check", "--fail-on", "never", "--as-of", "2024-09-02"],
    )
    .snapshot("a_note_without_notes_passes_the_check")
    .run();
}

#[cfg(unix)]
fn fake_editor(dir: &Path, name: &str, script: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    // The file to edit comes last, after any arguments the variable carries (`--wait`).
    std::fs::write(&path, format!("#!/bin/sh\nshift $(($# - 1))\n{script}\n")).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

#[cfg(unix)]
#[test]
fn note_edit_opens_the_editor_on_the_new_section_and_adds_what_it_leaves() {
    let script = beifeng_ledger();
    // The editors live beside the ledger, outside `partners/`, so their paths read `[ROOT]/…`.
    let tools = script.path_buf();
    // The editor replaces the notes placeholder and adds an action item, as a user would.
    let editor = fake_editor(
        &tools,
        "editor",
        "sed -i 's/<!-- What was said and agreed. -->/李娜将离职，交接给王伟。/' \"$1\"\n\
         printf -- '- [ ] ours: 安排交接会议 (due 2025-07-20)\\n' >> \"$1\"",
    );
    let file = script.path().join("partners/asia/beifeng.md");
    // Standard input is ignored with --edit.
    rapport(
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
    )
    .env("EDITOR", format!("{} --wait", editor.display()))
    .stdin("not these notes\n")
    .stdout(
        "added `## 2025-07-09 人员变动` to partners/asia/beifeng.md
",
    )
    .run();
    let after = read(&file);
    assert_eq!(
        &after[BEIFENG.len()..],
        "\r\n\r\n## 2025-07-09 人员变动\r\n参会人员：王伟、Priya Raman\r\n\r\n\
         李娜将离职，交接给王伟。\r\n\r\n<!-- Action items, one per line: \
         `- [ ] partner: what they do next (due YYYY-MM-DD)`, `- [ ] ours: what we do next`; \
         check one (`- [x]`) when it is done. -->\r\n- [ ] ours: 安排交接会议 (due 2025-07-20)\r\n",
        "{after:?}"
    );
    rapport(
        script.path(),
        &["check", "--fail-on", "never", "--as-of", "2025-07-09"],
    )
    .snapshot("a_note_from_the_editor_passes_the_check")
    .run();

    // An editor that fails adds nothing; VISUAL comes before EDITOR.
    let failing = fake_editor(&tools, "failing-editor", "exit 3");
    rapport(script.path(), &["note", "beifeng", "--edit"])
        .env("VISUAL", &failing)
        .env("EDITOR", &editor)
        .status(2)
        .stderr("error: the editor `[ROOT]/failing-editor` exited with exit status: 3; nothing was added
help: set VISUAL or EDITOR to an editor that waits until the file is closed, such as EDITOR=\"code --wait\" or EDITOR=vim
")
        .run();
    assert_eq!(read(&file), after);

    // No editor at all.
    rapport(script.path(), &["note", "beifeng", "--edit"])
        .status(2)
        .stderr("error: --edit needs an editor, and neither VISUAL nor EDITOR is set; nothing was added
help: set VISUAL or EDITOR to an editor that waits until the file is closed, such as EDITOR=\"code --wait\" or EDITOR=vim; or leave out --edit and give the notes on standard input
")
        .run();
    assert_eq!(read(&file), after);
}

#[test]
fn note_refuses_an_invalid_file_an_unknown_id_and_notes_that_break_the_file() {
    let script = team_ledger();
    let broken = "---\nrapport: 1\npartner: Osprey\nstatus: activ\nowner: Priya Raman\n---\n";
    std::fs::write(script.path().join("partners/osprey.md"), broken).expect("write");
    rapport(script.path(), &["note", "osprey"])
        .status(2)
        .stderr("partners/osprey.md:4:9: error[invalid-value]: `activ` is not an allowed value for `status`
  |
4 | status: activ
  |         ^
  = help: did you mean `active`? allowed: prospect, onboarding, active, paused, ending, ended

error: partners/osprey.md is not a valid partnership file, so nothing was added to it
help: fix the problems above (rapport check partners/osprey.md shows them), then add the meeting
")
        .run();
    assert_eq!(read(script.path().join("partners/osprey.md")), broken);

    rapport(script.path(), &["note", "northwnd"])
        .status(2)
        .stderr(
            "error: no partnership with id `northwnd` under partners\nhelp: did you mean `northwind`?\n",
        )
        .run();

    // Notes with a meeting heading dated 2024-02-30 would break the file: refused.
    let file = script.path().join("partners/northwind.md");
    let before = read(&file);
    rapport(
        script.path(),
        &["note", "northwind", "--date", "2024-09-02"],
    )
    .stdin("## 2024-02-30 Follow-up\nnothing\n")
    .status(2)
    .stderr("note: nothing was added to partners/northwind.md; your notes are kept in [TEMP]/rapport-note-[RANDOM].md
partners/northwind.md:32:4: error[invalid-date]: meeting heading: `2024-02-30` is not a date: February 2024 has 29 days
   |
32 | ## 2024-02-30 Follow-up
   |    ^
  = help: a meeting is a level-2 heading starting with a real date, like `## 2024-06-12 Quarterly business review`

error: partners/northwind.md is not a valid partnership file, so nothing was added to it
help: fix the problems above (rapport check partners/northwind.md shows them), then add the meeting
")
    .run();
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
    rapport(
        script.path(),
        &["check", "--fail-on", "never", "--as-of", "2024-08-01"],
    )
    .snapshot("readmes_and_hidden_files_are_not_read_in_the_tree")
    .run();
    let at_head = rapport(
        script.path(),
        &["check", "--rev", "HEAD", "--fail-on", "never"],
    )
    .any_stdout()
    .run();
    // The same findings at HEAD as in the tree, whose files are HEAD's.
    let in_tree = rapport(
        script.path(),
        &["check", "--fail-on", "never", "--as-of", "2024-08-01"],
    )
    .any_stdout()
    .run();
    assert_eq!(at_head.stdout, in_tree.stdout);

    // A pre-commit hook passes every staged Markdown file.
    rapport(
        script.path(),
        &[
            "check",
            "partners/README.md",
            "partners/northwind.md",
            "--fail-on",
            "never",
            "--as-of",
            "2024-08-01",
        ],
    )
    .snapshot("a_readme_passed_by_a_hook_is_not_checked")
    .run();
    rapport(script.path(), &["check", "partners/README.md"])
        .stderr(
            "note: partners/README.md is not a partnership file (`exclude:` has `README.md`); not checked\n",
        )
        .run();

    // `exclude:` replaces the defaults: the README is read again, the archive folder is not.
    let script = script.commit(
        "2024-08-02",
        "Configure exclusions",
        &[(
            "rapport.yaml",
            "rapport: 1\nexclude: [\"partners/_archive/**\", \"_*\"]\n",
        )],
    );
    rapport(script.path(), &["check", "--rev", "HEAD"])
        .snapshot("exclude_replaces_the_defaults")
        .run();

    let bad = script.commit(
        "2024-08-03",
        "A pattern that is no glob",
        &[(
            "rapport.yaml",
            "rapport: 1\nexclude: [README.md, \"partners/[z-a].md\"]\n",
        )],
    );
    rapport(bad.path(), &["check"])
        .status(2)
        .stderr("rapport.yaml:2:22: error[invalid-setting]: `partners/[z-a].md` is not a glob: invalid range; 'z' > 'a'
  |
2 | exclude: [README.md, \"partners/[z-a].md\"]
  |                      ^
  = help: write a glob such as `README.md`, `_*` or `partners/archive/**`

error: the configuration is invalid
")
        .run();
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
    )
    .any_stdout()
    .run();
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
    )
    .any_stdout()
    .run();
    let findings = |json: &str| -> serde_json::Value {
        let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
        value["findings"].clone()
    };
    assert_eq!(findings(&named.stdout), findings(&whole.stdout));
    // The stretched terms are found through the file's own history.
    let rules: Vec<_> = findings(&named.stdout)
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| format!("{} {}", f["partnership"], f["rule"]))
        .collect();
    assert_eq!(
        rules,
        [
            "\"kestrel\" \"no-success-metrics\"",
            "\"northwind\" \"payment-terms-slip\""
        ]
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
    )
    .any_stdout()
    .run();
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
    )
    .any_stdout()
    .run();
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
    // The scripts are clap's, hundreds of lines that change with every option: each is
    // known by a line that starts as the shell expects and searched for the subcommands.
    for (shell, marker) in [
        ("bash", "_rapport() {"),
        ("zsh", "#compdef rapport"),
        ("fish", "complete -c rapport"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = rapport(dir.path(), &["completions", shell])
            .any_stdout()
            .run();
        assert!(
            out.stdout.lines().any(|l| l.starts_with(marker)),
            "{shell}: {marker}"
        );
        for command in ["init", "new", "note", "check", "report"] {
            // Not pinned: a generated script (see above).
            assert!(out.stdout.contains(command), "{shell} completes {command}");
        }
    }
    rapport(dir.path(), &["completions", "tcsh"])
        .status(2)
        .stderr(
            "error: invalid value 'tcsh' for '<SHELL>'
  [possible values: bash, elvish, fish, powershell, zsh]

  tip: a similar value exists: 'zsh'

For more information, try '--help'.
",
        )
        .run();
    // The page is clap's too: its title and a section per subcommand are pinned, and one option.
    let man = rapport(dir.path(), &["man"]).any_stdout().run();
    let headings: Vec<&str> = man
        .stdout
        .lines()
        .filter(|l| l.starts_with(".TH") || l.starts_with(".SH"))
        .collect();
    assert_eq!(
        headings,
        [
            concat!(
                ".TH rapport 1  \"rapport ",
                env!("CARGO_PKG_VERSION"),
                "\" "
            ),
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH OPTIONS",
            ".SH SUBCOMMANDS",
            ".SH VERSION",
            ".SH \"RAPPORT CHECK\"",
            ".SH \"RAPPORT REPORT\"",
            ".SH \"RAPPORT DEMO\"",
            ".SH \"RAPPORT TIMELINE\"",
            ".SH \"RAPPORT PORTFOLIO\"",
            ".SH \"RAPPORT DIGEST\"",
            ".SH \"RAPPORT SCHEMA\"",
            ".SH \"RAPPORT RULES\"",
            ".SH \"RAPPORT EXPLAIN\"",
            ".SH \"RAPPORT INIT\"",
            ".SH \"RAPPORT NEW\"",
            ".SH \"RAPPORT NOTE\"",
            ".SH \"RAPPORT LSP\"",
            ".SH \"RAPPORT COMPLETIONS\"",
            ".SH \"RAPPORT MAN\"",
            ".SH \"RAPPORT HELP\"",
        ],
        "{}",
        man.stdout
    );
    // Not pinned: a generated page (see above).
    assert!(man.stdout.contains("\\-\\-edit"), "with its options");
}

#[test]
fn note_reads_chinese_owner_labels_and_warns_before_writing_what_check_would_not_read() {
    let script = beifeng_ledger();
    let file = script.path().join("partners/asia/beifeng.md");
    // The team's own labels are read: nothing said, no file warning.
    rapport(
        script.path(),
        &[
            "note",
            "beifeng",
            "--title",
            "双周例会",
            "--date",
            "2025-07-08",
        ],
    )
    .stdin(
        "- [ ] 合作方：发送报价（截止 2025-07-31）\n- [ ] 我方：安排渠道培训（due 2025-07-20）\n",
    )
    .stdout("added `## 2025-07-08 双周例会` to partners/asia/beifeng.md\n")
    .run();
    rapport(
        script.path(),
        &[
            "check",
            "partners/asia/beifeng.md",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--as-of",
            "2025-07-08",
        ],
    )
    .snapshot("chinese_owner_labels_are_read")
    .run();

    // The near miss: an owner and a due date `check` cannot read are said before writing, at
    // their lines, and the note is still added.
    let before = std::fs::read(&file).expect("read");
    rapport(
        script.path(),
        &[
            "note",
            "beifeng",
            "--title",
            "供应链研讨会",
            "--date",
            "2025-07-22",
        ],
    )
    .stdin("- [ ] 伙伴：确认交付计划\n- [ ] ours: 更新预测 (due next Friday)\n")
    .stderr(
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

",
    )
    .stdout("added `## 2025-07-22 供应链研讨会` to partners/asia/beifeng.md\n")
    .run();
    assert!(std::fs::read(&file).expect("read").len() > before.len());
}
