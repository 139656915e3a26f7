//! Finding the ledger and refusing to pass when there is nothing to check: a folder inside the
//! ledger finds its root, named files keep their history and their paths from the root, and a
//! missing folder, a submodule, a bare repository or an empty ledger exit 2 with what to do.

mod common;

use std::path::Path;

use common::{Run, Script, Test, partnership, rapport};

impl Run {
    /// Exit 2, nothing on standard output, and exactly this on standard error.
    fn refused(&self, stderr: &str) {
        assert_eq!(
            (self.code, self.stdout.as_str(), self.stderr.as_str()),
            (2, "", stderr),
            "stderr:\n{}",
            self.stderr
        );
    }

    fn ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The folder as rapport names it in messages.
fn shown(dir: &Path) -> String {
    dir.canonicalize().expect("canonical").display().to_string()
}

fn terms(partner: &str, days: u32) -> String {
    partnership(
        partner,
        &format!("terms: {{ payment_days: {days}, price: 120000, currency: EUR }}\n"),
        "",
    )
}

/// Three partnerships, two of which stretched their payment terms in a later commit: findings
/// that only the history shows.
fn three() -> Script {
    Script::new()
        .commit(
            "2024-01-15",
            "Start the ledger",
            &[
                ("partners/sub/xylo.md", &terms("Xylo Systems", 30)),
                ("partners/yarrow.md", &terms("Yarrow Data", 30)),
                ("partners/zinc.md", &terms("Zinc Cloud", 30)),
            ],
        )
        .commit(
            "2024-06-15",
            "Terms stretched",
            &[
                ("partners/sub/xylo.md", &terms("Xylo Systems", 90)),
                ("partners/yarrow.md", &terms("Yarrow Data", 60)),
            ],
        )
}

const AS_OF: [&str; 4] = ["--as-of", "2024-07-01", "--fail-on", "never"];

fn check(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&AS_OF);
    rapport(dir, &all)
}

#[test]
fn an_empty_folder_is_not_a_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    rapport(dir.path(), &["check"]).refused(&format!(
        "error: the partnership folder partners/ does not exist in {}\n\
         help: rapport looks for partnership files under partners/ by default: add one there \
         (such as partners/northwind.md), or set `paths:` in rapport.yaml to the folders that hold them\n",
        shown(dir.path())
    ));
    std::fs::create_dir(dir.path().join("partners")).expect("mkdir");
    std::fs::write(dir.path().join("partners/notes.txt"), "not a partnership").expect("write");
    rapport(dir.path(), &["check"]).refused(&format!(
        "error: no partnership file under partners/ in {}\n\
         help: add one, such as partners/northwind.md: a Markdown file that starts with front matter \
         (`rapport: 1`, `partner:`, `status:`, `owner:` between two `---` lines); \
         or set `paths:` in rapport.yaml to the folders that hold them\n",
        shown(dir.path())
    ));
    // JSON is no way around it.
    assert_eq!(rapport(dir.path(), &["check", "--format", "json"]).code, 2);
}

#[test]
fn a_configured_folder_that_does_not_exist() {
    let script = Script::new().commit(
        "2024-01-15",
        "Start the ledger",
        &[
            ("rapport.yaml", "paths: [vendors]\n"),
            ("partners/xylo.md", &terms("Xylo Systems", 30)),
        ],
    );
    let help = "help: create vendors/ and add a partnership file to it, or correct `paths:` in rapport.yaml\n";
    rapport(script.path(), &["check"]).refused(&format!(
        "error: the partnership folder vendors/ does not exist in {}\n{help}",
        shown(script.path())
    ));
    rapport(script.path(), &["check", "--rev", "HEAD"]).refused(&format!(
        "error: the partnership folder vendors/ does not exist at HEAD\n{help}"
    ));
    // The pull-request report: a change that touches no partnership file is quiet, but a
    // ledger whose folder is gone at head has nothing to report on.
    let script =
        three()
            .branch("docs")
            .commit("2024-07-01", "Notes", &[("README.md", "The ledger.\n")]);
    rapport(
        script.path(),
        &["report", ".", "--base", "main", "--head", "docs"],
    )
    .ok();
    let script = script.switch("main").branch("pr").commit(
        "2024-07-02",
        "Partnerships move to vendors/",
        &[("rapport.yaml", "paths: [vendors]\n")],
    );
    rapport(
        script.path(),
        &["report", ".", "--base", "main", "--head", "pr"],
    )
    .refused(&format!(
        "error: the partnership folder vendors/ does not exist at pr\n{help}"
    ));
    assert_eq!(
        rapport(script.path(), &["check", "--base", "main", "--rev", "pr"]).code,
        2
    );
}

#[test]
fn a_submodule_is_not_an_empty_ledger() {
    let other = Script::new().commit(
        "2024-01-15",
        "Elsewhere",
        &[("xylo.md", &terms("Xylo Systems", 30))],
    );
    let target = other.repo.head().expect("head").target().expect("a commit");
    let script = Script::new()
        .commit("2024-01-15", "Start", &[("README.md", "The ledger.\n")])
        .gitlink(
            "2024-01-16",
            "Partnerships as a submodule",
            "partners",
            target,
        )
        .branch("pr")
        .commit("2024-02-01", "Notes", &[("README.md", "More.\n")]);
    let help = "help: run rapport in the submodule's own repository (cd partners && rapport check), \
                with `paths: [.]` in a rapport.yaml there when the files are at its top; \
                or make partners/ an ordinary folder of this repository\n";
    let message = "partners/ is a git submodule at HEAD: its files and their history live in a \
                   repository of their own, which rapport does not read from here";
    rapport(script.path(), &["check"]).refused(&format!("error: {message}\n{help}"));
    rapport(script.path(), &["check", "--rev", "HEAD"])
        .refused(&format!("error: {message}\n{help}"));
    rapport(script.path(), &["timeline", "xylo"]).refused(&format!("error: {message}\n{help}"));
    rapport(
        script.path(),
        &["report", ".", "--base", "main", "--head", "pr"],
    )
    .refused(&format!(
        "error: {}\n{help}",
        message.replace("at HEAD", "at pr")
    ));

    // A folder with a repository of its own in the working tree, not committed.
    let script = Script::new().commit("2024-01-15", "Start", &[("README.md", "The ledger.\n")]);
    git2::Repository::init(script.path().join("partners")).expect("git init partners");
    std::fs::write(
        script.path().join("partners/xylo.md"),
        terms("Xylo Systems", 30),
    )
    .expect("write");
    rapport(script.path(), &["check"]).refused(&format!(
        "error: partners/ is a git submodule in {}: its files and their history live in a \
         repository of their own, which rapport does not read from here\n{help}",
        shown(script.path())
    ));
}

#[test]
fn a_bare_repository_needs_a_revision() {
    let script = three();
    let target = tempfile::tempdir().expect("tempdir");
    let bare = common::bare_clone(&script, target.path());
    rapport(&bare, &["check"]).refused(&format!(
        "error: {} is a bare repository: it has no working tree to check\n\
         help: name the commit to check: rapport check --rev HEAD (or a branch, tag or commit id)\n",
        shown(&bare)
    ));
    Test::in_dir(&bare)
        .args(["check", "--rev", "HEAD", "--fail-on", "never"])
        .snapshot("a_bare_repository_checked_at_head")
        .run();
    Test::in_dir(&bare)
        .args(["timeline", "xylo"])
        .snapshot("a_bare_repository_timeline")
        .run();
}

#[test]
fn a_folder_inside_the_ledger_checks_the_ledger_from_its_root() {
    let script = three();
    let root = check(script.path(), &[]);
    root.ok();
    assert_eq!(root.stderr, "");
    insta::assert_snapshot!("the_ledger_checked_from_its_root", root.stdout);
    for (dir, args) in [
        ("", vec!["partners/"]),
        ("", vec!["partners/sub"]),
        ("partners", vec![]),
        ("partners/sub", vec![]),
        ("partners/sub", vec!["."]),
        ("partners/sub", vec![".."]),
    ] {
        let run = check(&script.path().join(dir), &args);
        assert_eq!(
            (run.code, &run.stdout, &run.stderr),
            (0, &root.stdout, &root.stderr),
            "from {dir:?} with {args:?}"
        );
    }
    // At a revision too.
    let at_head = rapport(
        script.path(),
        &["check", "--rev", "HEAD", "--fail-on", "never"],
    );
    let inside = rapport(
        &script.path().join("partners/sub"),
        &["check", "--rev", "HEAD", "--fail-on", "never"],
    );
    at_head.ok();
    assert_eq!(inside.stdout, at_head.stdout);
    // The timeline and the report find the root from a folder inside it.
    let story = rapport(script.path(), &["timeline", "xylo"]);
    let from_inside = rapport(
        script.path(),
        &["timeline", "xylo", "--path", "partners/sub"],
    );
    story.ok();
    assert_eq!(from_inside.stdout, story.stdout);
    let script = script.branch("pr").commit(
        "2024-07-01",
        "Zinc asks for net-60",
        &[("partners/zinc.md", &terms("Zinc Cloud", 60))],
    );
    Test::in_dir(script.path())
        .args(["report", ".", "--base", "main"])
        .current_dir("partners")
        .snapshot("the_report_from_a_folder_inside_the_ledger")
        .run();
}

#[test]
fn named_files_keep_their_history_and_their_paths_from_the_root() {
    let script = three();
    let root = check(script.path(), &[]);
    // The lines of one partnership's findings in the whole ledger's report.
    let block = |stdout: &str, header: &str| -> String {
        stdout
            .split("\n\n")
            .find(|b| b.starts_with(header))
            .unwrap_or_else(|| panic!("no {header:?} in:\n{stdout}"))
            .to_string()
    };
    let xylo = block(&root.stdout, "Xylo Systems (xylo, partners/sub/xylo.md)");
    let yarrow = block(&root.stdout, "Yarrow Data (yarrow, partners/yarrow.md)");

    // One file: its history-based finding is still there, and nothing else.
    for (dir, file) in [
        ("", "partners/sub/xylo.md"),
        ("partners", "sub/xylo.md"),
        ("partners/sub", "xylo.md"),
    ] {
        let run = check(&script.path().join(dir), &[file]);
        run.ok();
        assert_eq!(
            run.stdout,
            format!("{xylo}\n\n1 partnership file checked: all valid; 1 error, 1 warning\n"),
            "{file} from {dir:?}"
        );
    }

    // Several files, as a pre-commit hook passes them: each keeps its history.
    let run = check(
        script.path(),
        &["partners/yarrow.md", "partners/sub/xylo.md"],
    );
    run.ok();
    assert_eq!(
        run.stdout,
        format!(
            "{xylo}\n\n{yarrow}\n\n2 partnership files checked: all valid; 2 errors, 2 warnings\n"
        )
    );
    // Zinc, not named, is not in it: the whole output is pinned above.

    // At a revision, the same.
    let run = rapport(
        script.path(),
        &[
            "check",
            "--rev",
            "HEAD",
            "--fail-on",
            "never",
            "partners/sub/xylo.md",
        ],
    );
    run.ok();
    assert!(
        run.stdout
            .starts_with("Xylo Systems (xylo, partners/sub/xylo.md)")
            && run
                .stdout
                .ends_with("1 partnership file checked: all valid; 1 error, 1 warning\n"),
        "{}",
        run.stdout
    );
    // Only an invalid named file makes the check fail.
    std::fs::write(
        script.path().join("partners/zinc.md"),
        terms("Zinc Cloud", 30).replace("status: active", "status: actve"),
    )
    .expect("write");
    assert_eq!(check(script.path(), &["partners/yarrow.md"]).code, 0);
    assert_eq!(check(script.path(), &["partners/zinc.md"]).code, 2);
}

#[test]
fn files_that_are_not_the_ledgers_partnership_files_are_refused() {
    let script = three().commit("2024-07-01", "Notes", &[("notes/plan.md", "# Plan\n")]);
    rapport(script.path(), &["check", "notes/plan.md"]).refused(&format!(
        "error: notes/plan.md is not a partnership file of the ledger at {}\n\
         help: partnership files are Markdown files (.md, not hidden) under partners/; name one of \
         those, or set `paths:` in rapport.yaml to the folders that hold them\n",
        shown(script.path())
    ));
    std::fs::write(script.path().join("partners/new.md"), terms("New Co", 30)).expect("write");
    rapport(
        script.path(),
        &["check", "--rev", "HEAD", "partners/new.md"],
    )
    .refused(
        "error: partners/new.md is not in HEAD\n\
         help: name a file the revision has (git ls-tree -r --name-only REV lists them), or leave \
         out --rev to check the working tree\n",
    );
}

#[test]
fn files_from_two_ledgers_are_refused() {
    let (one, two) = (three(), three());
    let a = one.path().join("partners/yarrow.md");
    let b = two.path().join("partners/zinc.md");
    let run = rapport(
        one.path(),
        &["check", &a.to_string_lossy(), &b.to_string_lossy()],
    );
    run.refused(&format!(
        "error: {} and {} belong to different ledgers ({} and {})\n\
         help: check each ledger in its own run: rapport check {} …, then rapport check {} …\n",
        a.display(),
        b.display(),
        shown(one.path()),
        shown(two.path()),
        shown(one.path()),
        shown(two.path()),
    ));
}
