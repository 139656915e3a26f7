//! `rapport init [DIR]`: makes a folder a ledger. A commented `rapport.yaml`, `partners/` with
//! an example partnership, the JSON Schemas, the pull-request workflow, the weekly digest workflow
//! and the pre-commit hooks; editors are pointed at `rapport lsp` instead of a schema mapping. A
//! file already there is never overwritten: it is skipped,
//! and said so. The folder becomes a git repository only when it is not inside one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::ledger::write::{self, Refusal};
use crate::ledger::{Date, template};
use crate::report::escape::terminal;

/// The pull-request workflow, as `ci/github/rapport.yml` ships it.
const WORKFLOW: &str = include_str!("../../ci/github/rapport.yml");

/// The weekly digest workflow, as `ci/github/digest.yml` ships it.
const DIGEST_WORKFLOW: &str = include_str!("../../ci/github/digest.yml");

pub fn run(args: &InitArgs) -> Result<u8> {
    let io = |source| Error::Io {
        path: args.dir.clone(),
        source,
    };
    // A git folder need not be named `.git` (`git init --separate-git-dir`): its refs and
    // objects are no place for a ledger, nor for a folder made on the way to one.
    if let Some(existing) = args.dir.ancestors().find(|a| a.is_dir()) {
        super::refuse_git_dirs(existing, &args.dir)?;
    }
    std::fs::create_dir_all(&args.dir).map_err(io)?;
    let root = args.dir.canonicalize().map_err(io)?;
    if root.components().any(|c| c.as_os_str() == ".git") {
        return Err(Error::Invocation(format!(
            "{} is inside a .git folder, which rapport never writes to",
            root.display()
        )));
    }
    let mut out = anstream::stdout().lock();
    let top = match crate::history::discover(&root)? {
        Some(repo) => match repo.workdir() {
            Some(top) => top.canonicalize().map_err(io)?,
            None => {
                return Err(Error::BareRepository {
                    path: repo.path().to_path_buf(),
                });
            }
        },
        None => {
            crate::history::init(&root)?;
            writeln!(out, "initialised a git repository in {}", shown(&root))?;
            root.clone()
        }
    };
    let prefix = match root.strip_prefix(&top) {
        Ok(sub) if !sub.as_os_str().is_empty() => {
            format!("{}/", sub.to_string_lossy().replace('\\', "/"))
        }
        _ => String::new(),
    };
    let today = Date::today();
    let partnership_schema = json(&crate::ledger::parse::schema())?;
    let config_schema = json(&crate::config::schema())?;
    // Paths relative to the ledger root; the CI files belong at the repository's top, where
    // GitHub and pre-commit look for them.
    let files: Vec<(PathBuf, String, String)> = vec![
        (
            root.clone(),
            crate::config::FILE_NAME.into(),
            crate::config::commented_default(),
        ),
        (
            root.clone(),
            "partners/northwind.md".into(),
            template::example(today),
        ),
        (
            root.clone(),
            "schema/partnership.schema.json".into(),
            partnership_schema,
        ),
        (
            root.clone(),
            "schema/rapport.schema.json".into(),
            config_schema,
        ),
        (
            top.clone(),
            ".github/workflows/rapport.yml".into(),
            workflow(&prefix),
        ),
        (
            top.clone(),
            ".github/workflows/rapport-digest.yml".into(),
            digest_workflow(&prefix),
        ),
        (
            top.clone(),
            ".pre-commit-config.yaml".into(),
            pre_commit(&prefix),
        ),
    ];
    let mut skipped = 0;
    for (base, relative, text) in &files {
        let path = shown(&base.join(relative));
        match write::create(base, relative, text.as_bytes()) {
            Ok(_) => writeln!(out, "created  {path}")?,
            Err(Refusal::Exists { .. }) => {
                skipped += 1;
                writeln!(out, "skipped  {path}: exists already, left as it is")?;
            }
            Err(refusal) => {
                skipped += 1;
                writeln!(out, "skipped  {path}: {}", terminal(&refusal.to_string()))?;
            }
        }
    }
    writeln!(out)?;
    if skipped > 0 {
        writeln!(
            out,
            "{skipped} file(s) skipped: rapport never overwrites; compare them with `rapport init` in an empty folder"
        )?;
    }
    writeln!(out, "next:")?;
    writeln!(out, "  rapport check {}", shown(&root))?;
    writeln!(
        out,
        "  git add . && git commit -m \"Start the partnership ledger\""
    )?;
    writeln!(
        out,
        "  in .github/workflows/rapport.yml and rapport-digest.yml, replace OWNER with the account that hosts rapport"
    )?;
    writeln!(
        out,
        "  pre-commit install --hook-type pre-commit --hook-type pre-push"
    )?;
    // A schema mapping does not reach front matter inside Markdown (the YAML extension reads
    // YAML files only); the language server checks the files themselves.
    writeln!(
        out,
        "  in your editor, start `rapport lsp` for the partnership files: editors/vscode in rapport's sources builds the VS Code extension; docs/editors.md shows Neovim, Helix and Zed"
    )?;
    Ok(crate::exit::CLEAN)
}

fn shown(path: &Path) -> String {
    terminal(&path.display().to_string()).into_owned()
}

fn json(schema: &schemars::Schema) -> Result<String> {
    Ok(serde_json::to_string_pretty(schema)? + "\n")
}

/// The workflow for a ledger `prefix` below the repository's top (`/`-terminated, or empty).
fn workflow(prefix: &str) -> String {
    if prefix.is_empty() {
        return WORKFLOW.to_string();
    }
    let folder = prefix.trim_end_matches('/');
    WORKFLOW
        .replace("\"partners/**\"", &format!("\"{prefix}partners/**\""))
        .replace("\"rapport.yaml\"", &format!("\"{prefix}rapport.yaml\""))
        .replace(
            "          fail-on: error",
            &format!("          path: {folder}\n          fail-on: error"),
        )
}

/// The weekly digest workflow for a ledger `prefix` below the repository's top.
fn digest_workflow(prefix: &str) -> String {
    if prefix.is_empty() {
        return DIGEST_WORKFLOW.to_string();
    }
    let folder = prefix.trim_end_matches('/');
    DIGEST_WORKFLOW.replace(
        "rapport digest . --since",
        &format!("rapport digest {folder} --since"),
    )
}

/// The pre-commit hooks, run with the rapport on `PATH`: on commit, `rapport check` on the
/// staged partnership files alone (each with its own history: milliseconds on a large ledger);
/// on push, the gate on what the pushed commits do.
fn pre_commit(prefix: &str) -> String {
    let escaped = prefix.replace('.', "\\.");
    format!(
        r#"# pre-commit hooks for this ledger (https://pre-commit.com), using the rapport on PATH.
# Install them with: pre-commit install --hook-type pre-commit --hook-type pre-push
repos:
  - repo: local
    hooks:
      - id: rapport-check
        name: rapport check
        description: Validate the staged partnership files; fail on an error-level warning sign.
        entry: rapport check --fail-on error
        language: system
        files: '^{escaped}(partners/.*\.md|rapport\.yaml)$'
      - id: rapport-report
        name: rapport pre-push gate
        description: >-
          Fail on error-level warning signs the pushed commits introduce or worsen, compared
          with origin/HEAD, else the branch's upstream, else origin/main or origin/master.
        entry: rapport check {path} --base
        language: system
        pass_filenames: false
        files: '^{escaped}(partners/.*\.md|rapport\.yaml)$'
        stages: [pre-push]
"#,
        path = if prefix.is_empty() {
            "."
        } else {
            prefix.trim_end_matches('/')
        }
    )
}
