//! Which revision a change is compared with when `--base` names none: the pull or merge
//! request's target from the CI's environment (GitHub Actions, GitLab CI), else `origin/HEAD`,
//! else the upstream of the current branch, else `origin/main` or `origin/master`. A clone sets
//! `origin/HEAD` but `git remote add` and `git push -u` do not, so a repository pushed from
//! where it was started has only the later ones. The choice is always said, so a report never
//! compares with something unexpected in silence; with none, the error lists what was tried.

use crate::error::{Error, Result};
use crate::history::{LedgerRepo, Upstream};

/// The base revision and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base {
    /// A revision git can resolve, such as `origin/main` or a commit id.
    pub rev: String,
    /// How it was chosen: `--base`, `GITHUB_BASE_REF`, `CI_MERGE_REQUEST_DIFF_BASE_SHA`,
    /// `CI_MERGE_REQUEST_TARGET_BRANCH_NAME`, `origin/HEAD`, `the upstream of BRANCH`, or
    /// `origin/main` / `origin/master` (the remote's usual default branches).
    pub source: String,
}

impl Base {
    /// The base the user named.
    pub fn given(rev: &str) -> Base {
        Base {
            rev: rev.to_string(),
            source: "--base".into(),
        }
    }
}

/// The base from the environment (`env` reads a variable; empty values count as unset), checked
/// against the repository: a target branch is tried as `origin/BRANCH`, then `BRANCH`; then the
/// repository's own: `origin/HEAD`, the current branch's upstream, `origin/main`, `origin/master`.
pub fn from_environment(repo: &LedgerRepo, env: &dyn Fn(&str) -> Option<String>) -> Result<Base> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let resolves = |rev: &str| repo.resolve(rev).is_ok();
    let branch = |name: &str, source: &str| -> Option<Base> {
        [format!("origin/{name}"), name.to_string()]
            .into_iter()
            .find(|rev| resolves(rev))
            .map(|rev| Base {
                rev,
                source: source.into(),
            })
    };
    let mut tried = Vec::new();
    // GitHub sets GITHUB_BASE_REF only for pull_request events: the target branch's name.
    if let Some(name) = var("GITHUB_BASE_REF") {
        if let Some(base) = branch(&name, "GITHUB_BASE_REF") {
            return Ok(base);
        }
        tried.push(format!(
            "GITHUB_BASE_REF={name} (neither origin/{name} nor {name} exists here)"
        ));
    }
    if let Some(sha) = var("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
        if resolves(&sha) {
            return Ok(Base {
                rev: sha,
                source: "CI_MERGE_REQUEST_DIFF_BASE_SHA".into(),
            });
        }
        tried.push(format!(
            "CI_MERGE_REQUEST_DIFF_BASE_SHA={sha} (not in this clone)"
        ));
    }
    if let Some(name) = var("CI_MERGE_REQUEST_TARGET_BRANCH_NAME") {
        if let Some(base) = branch(&name, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME") {
            return Ok(base);
        }
        tried.push(format!(
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME={name} (neither origin/{name} nor {name} exists here)"
        ));
    }
    if resolves("origin/HEAD") {
        return Ok(Base {
            rev: "origin/HEAD".into(),
            source: "origin/HEAD".into(),
        });
    }
    tried.push("origin/HEAD (not set in this clone)".into());
    match repo.upstream() {
        Upstream::Found { branch, upstream } if resolves(&upstream) => {
            return Ok(Base {
                rev: upstream,
                source: format!("the upstream of {branch}"),
            });
        }
        Upstream::Found { branch, upstream } => tried.push(format!(
            "the upstream of {branch} ({upstream} is not fetched here)"
        )),
        Upstream::None { branch } => {
            tried.push(format!("the upstream of {branch} (it has none)"));
        }
        Upstream::Detached => {
            tried.push("the upstream of the current branch (HEAD is detached)".into())
        }
    }
    for name in ["origin/main", "origin/master"] {
        if resolves(name) {
            return Ok(Base {
                rev: name.into(),
                source: name.into(),
            });
        }
        tried.push(format!("{name} (not here)"));
    }
    Err(Error::NoBase { tried })
}
