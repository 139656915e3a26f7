//! `rapport init [DIR]`: makes a folder a ledger. A commented `rapport.yaml`, `partners/` with
//! an example partnership, the JSON Schemas, the pull-request workflow, the weekly digest workflow
//! and the pre-commit hooks; editors are pointed at `rapport lsp` instead of a schema mapping. A
//! file already there is never overwritten: it is skipped,
//! and said so. The folder becomes a git repository only when it is not inside one.

use std::io::Write;
use std::path::Path;

use crate::cli::InitArgs;
use crate::error::{Error, Result};
use crate::ledger::Date;
use crate::ledger::template::{self, Generated, Place};
use crate::ledger::write::{self, Refusal};
use crate::report::escape::terminal;

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
    let generated = Generated {
        config: (crate::config::FILE_NAME, crate::config::commented_default()),
        partnership_schema: json(&crate::ledger::parse::schema())?,
        config_schema: json(&crate::config::schema())?,
    };
    let files = template::init_files(&prefix, Date::today(), generated);
    let mut skipped = 0;
    for (place, relative, text) in &files {
        let base = match place {
            Place::Ledger => &root,
            Place::Top => &top,
        };
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
