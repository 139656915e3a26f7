//! Scripted repositories for tests: each step writes files and commits them with a fixed
//! identity and date, so a history reads the same on every machine.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use git2::build::CheckoutBuilder;
use git2::{Commit, Oid, Repository, Signature, Time};
use tempfile::TempDir;

mod test;
#[allow(unused_imports)]
pub use test::{Output, Test, placeholders};

pub struct Script {
    dir: TempDir,
    pub repo: Repository,
}

/// Noon UTC of a `YYYY-MM-DD` date, as git time.
pub fn time(date: &str) -> Time {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("test dates are valid");
    let noon = day.and_hms_opt(12, 0, 0).expect("noon exists");
    Time::new(noon.and_utc().timestamp(), 0)
}

fn signature(date: &str) -> Signature<'static> {
    Signature::new("Priya Raman", "priya@example.com", &time(date)).expect("a valid signature")
}

impl Default for Script {
    fn default() -> Self {
        Script::new()
    }
}

impl Script {
    pub fn new() -> Script {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let repo = Repository::init(dir.path()).expect("git init");
        repo.set_head("refs/heads/main").expect("main branch");
        Script { dir, repo }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn path_buf(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    fn write(&self, files: &[(&str, &str)]) {
        let mut index = self.repo.index().expect("index");
        for (path, text) in files {
            let full = self.dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&full, text).expect("write");
            index.add_path(Path::new(path)).expect("git add");
        }
        index.write().expect("write index");
    }

    fn head(&self) -> Option<Commit<'_>> {
        self.repo.head().ok().and_then(|h| h.peel_to_commit().ok())
    }

    fn commit_index(&self, date: &str, message: &str, extra_parent: Option<Oid>) -> Oid {
        let mut index = self.repo.index().expect("index");
        let tree = self
            .repo
            .find_tree(index.write_tree().expect("tree"))
            .expect("tree");
        let mut parents: Vec<Commit<'_>> = self.head().into_iter().collect();
        if let Some(oid) = extra_parent {
            parents.push(self.repo.find_commit(oid).expect("parent"));
        }
        let parents: Vec<&Commit<'_>> = parents.iter().collect();
        let sig = signature(date);
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .expect("commit")
    }

    /// Writes files and commits them.
    pub fn commit(self, date: &str, message: &str, files: &[(&str, &str)]) -> Script {
        self.write(files);
        self.commit_index(date, message, None);
        self
    }

    /// Deletes files and commits.
    pub fn remove(self, date: &str, message: &str, paths: &[&str]) -> Script {
        let mut index = self.repo.index().expect("index");
        for path in paths {
            std::fs::remove_file(self.dir.path().join(path)).expect("rm");
            index.remove_path(Path::new(path)).expect("git rm");
        }
        index.write().expect("write index");
        self.commit_index(date, message, None);
        self
    }

    /// Moves a file (optionally changing its text) and commits.
    pub fn rename(
        self,
        date: &str,
        message: &str,
        from: &str,
        to: &str,
        text: Option<&str>,
    ) -> Script {
        let old = std::fs::read_to_string(self.dir.path().join(from)).expect("read");
        let mut index = self.repo.index().expect("index");
        std::fs::remove_file(self.dir.path().join(from)).expect("rm");
        index.remove_path(Path::new(from)).expect("git rm");
        index.write().expect("write index");
        self.write(&[(to, text.unwrap_or(&old))]);
        self.commit_index(date, message, None);
        self
    }

    /// Commits a gitlink at `path`: a submodule entry (mode 160000) pointing at `target`, a
    /// commit of another repository, as `git submodule add` records it.
    pub fn gitlink(self, date: &str, message: &str, path: &str, target: Oid) -> Script {
        let mut index = self.repo.index().expect("index");
        let never = git2::IndexTime::new(0, 0);
        index
            .add(&git2::IndexEntry {
                ctime: never,
                mtime: never,
                dev: 0,
                ino: 0,
                mode: 0o160000,
                uid: 0,
                gid: 0,
                file_size: 0,
                id: target,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            })
            .expect("a gitlink entry");
        index.write().expect("write index");
        self.commit_index(date, message, None);
        self
    }

    /// Starts a branch at the current commit and switches to it.
    pub fn branch(self, name: &str) -> Script {
        let head = self.head().expect("a commit to branch from");
        self.repo.branch(name, &head, false).expect("branch");
        drop(head);
        self.switch(name)
    }

    pub fn switch(self, name: &str) -> Script {
        self.repo
            .set_head(&format!("refs/heads/{name}"))
            .expect("switch");
        self.repo
            .checkout_head(Some(CheckoutBuilder::new().force()))
            .expect("checkout");
        self
    }

    /// Merges branch `other` into the current branch; `resolved` gives the text of files the
    /// merge resolves by hand (conflicting ones must be listed).
    pub fn merge(
        self,
        date: &str,
        message: &str,
        other: &str,
        resolved: &[(&str, &str)],
    ) -> Script {
        let theirs = self
            .repo
            .find_branch(other, git2::BranchType::Local)
            .expect("branch")
            .get()
            .peel_to_commit()
            .expect("commit")
            .id();
        {
            let ours = self.head().expect("head");
            let their = self.repo.find_commit(theirs).expect("commit");
            let mut merged = self.repo.merge_commits(&ours, &their, None).expect("merge");
            for (path, _) in resolved {
                merged.conflict_remove(Path::new(path)).ok();
            }
            let tree = merged.write_tree_to(&self.repo).expect("merged tree");
            let tree = self.repo.find_tree(tree).expect("tree");
            let mut index = self.repo.index().expect("index");
            index.read_tree(&tree).expect("read tree");
            index.write().expect("write index");
            self.repo
                .checkout_index(Some(&mut index), Some(CheckoutBuilder::new().force()))
                .expect("checkout");
        }
        self.write(resolved);
        self.commit_index(date, message, Some(theirs));
        self
    }

    /// A `git` command that commits, run as the script's author on `date` (noon UTC): for what
    /// git2 does not do, such as `git merge -s ours`.
    pub fn git_on(self, date: &str, args: &[&str]) -> Script {
        let when = format!("{date}T12:00:00Z");
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(self.dir.path())
            .env("GIT_AUTHOR_NAME", "Priya Raman")
            .env("GIT_AUTHOR_EMAIL", "priya@example.com")
            .env("GIT_COMMITTER_NAME", "Priya Raman")
            .env("GIT_COMMITTER_EMAIL", "priya@example.com")
            .env("GIT_AUTHOR_DATE", &when)
            .env("GIT_COMMITTER_DATE", &when)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.dir.path())
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self
    }

    /// A `git` command in the repository, for what git2 does not do (shallow clones).
    pub fn git(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new("git")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("git runs")
    }
}

/// A clone of the scripted repository holding only its last commit (`git clone --depth 1`),
/// inside `into`.
pub fn shallow_clone(script: &Script, into: &Path) -> PathBuf {
    let url = format!("file://{}", script.path().display());
    let clone = into.join("clone");
    let out = script.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &url,
        &clone.to_string_lossy(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    clone
}

/// A bare clone of the scripted repository (`git clone --bare`), inside `into`.
pub fn bare_clone(script: &Script, into: &Path) -> PathBuf {
    let clone = into.join("ledger.git");
    let out = script.git(&[
        "clone",
        "-q",
        "--bare",
        &script.path().to_string_lossy(),
        &clone.to_string_lossy(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    clone
}

/// A partnership file with the given extra front matter lines and body.
pub fn partnership(partner: &str, front: &str, body: &str) -> String {
    format!(
        "---\nrapport: 1\npartner: {partner}\nstatus: active\nowner: Priya Raman\n{front}---\n\n# {partner}\n{body}"
    )
}

/// Northwind Analytics' front matter as an alliance team keeps it: a plan, three contacts on two
/// sides, terms at net-`days`, a KPI behind target and a first win; `extra` adds lines.
pub fn northwind_front(days: u32, extra: &str) -> String {
    format!(
        "since: 2024-01-15\nlaunched: 2024-03-01\nplan: {{ agreed: 2024-02-10, segments: [EU healthcare] }}\n\
         contacts:\n  - {{ name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }}\n  \
         - {{ name: Omar Haddad, side: partner, role: Partner Manager, level: manager }}\n  \
         - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}\n\
         terms: {{ payment_days: {days}, price: 120000, currency: EUR, renewal: 2025-01-15 }}\n\
         kpis:\n  - {{ id: sourced-pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: 310000, as_of: 2024-06-30 }}\n\
         wins:\n  - {{ date: 2024-04-30, summary: Helsinki University Hospital, value: 80000 }}\n{extra}"
    )
}

/// What one run of the binary did, read by the tests that check it themselves.
pub type Run = Output;

/// `rapport ARGS` in `dir`, without colour and without the CI variables that choose a base,
/// with nothing expected and paths left as they are: for the tests that compare real paths
/// and check the run themselves. Everything else goes through [`Test`].
pub fn rapport(dir: &Path, args: &[&str]) -> Run {
    // A cache of parsed versions of the run's own, never the user's.
    let cache = tempfile::tempdir().expect("a temporary folder for the cache");
    assert_cmd::Command::cargo_bin("rapport")
        .expect("the binary is built")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_BASE_REF")
        .env_remove("CI_MERGE_REQUEST_DIFF_BASE_SHA")
        .env_remove("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("RAPPORT_CACHE_DIR", cache.path())
        .output()
        .expect("rapport runs")
        .into()
}

/// Debian's Chromium, for tests that look at a page as a browser draws it.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The Mermaid release the chart tests draw with (npm, under `target/npm`, as `.ci/run` installs it).
pub const MERMAID: &str = "11.17.2";

/// Whether `program arg` runs and succeeds.
pub fn works(program: &str, arg: &str) -> bool {
    std::process::Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Chromium and mermaid.min.js, installed when missing and allowed (apt-get as root, npm), or
/// `None` after a loud message outside CI; in CI a missing one fails.
pub fn chromium_and_mermaid(what: &str) -> Option<(PathBuf, PathBuf)> {
    if !works(CHROMIUM, "--version") && Path::new("/usr/bin/apt-get").exists() {
        eprintln!("installing chromium with apt-get");
        let _ = std::process::Command::new("apt-get")
            .args(["update", "-qq"])
            .status();
        let _ = std::process::Command::new("apt-get")
            .args(["install", "-y", "-qq", "chromium"])
            .status();
    }
    let prefix = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/npm");
    let package = prefix.join("node_modules/mermaid/package.json");
    let installed = |package: &Path| {
        std::fs::read_to_string(package)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|p| p["version"] == MERMAID)
    };
    if !installed(&package) && works("npm", "--version") {
        eprintln!("installing mermaid@{MERMAID} with npm");
        let _ = std::process::Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
            ])
            .arg(&prefix)
            .arg(format!("mermaid@{MERMAID}"))
            .status();
    }
    let script = prefix.join("node_modules/mermaid/dist/mermaid.min.js");
    if works(CHROMIUM, "--version") && installed(&package) && script.is_file() {
        return Some((PathBuf::from(CHROMIUM), script));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} needs Debian's chromium and mermaid@{MERMAID} from npm (.ci/run installs both)"
    );
    eprintln!(
        "\n\n*** SKIPPED: {what} was NOT drawn in a browser: install chromium (apt-get) and npm. ***\n\n"
    );
    None
}

/// Northwind's file after a QBR (the writing tests' ledger), with Chinese and English notes: several contacts, months of
/// history.
pub fn northwind_after_qbr() -> String {
    partnership(
        "Northwind Analytics",
        &northwind_front(45, ""),
        "\n## 2024-06-12 Quarterly business review\nAttendees: Dana Whitfield, Priya Raman\n\n\
         Pipeline is behind plan. 王伟 joins the next call for the Shenzhen rollout.\n\n\
         - [ ] partner: send the revised enablement plan (due 2024-06-30)\n",
    )
}

/// Northwind started on net-30, then its QBR: the ledger the writing tests add notes to.
pub fn northwind_team_ledger() -> Script {
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
            "2024-06-12",
            "Northwind: QBR",
            &[("partners/northwind.md", &northwind_after_qbr())],
        )
}
