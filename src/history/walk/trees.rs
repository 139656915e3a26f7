//! Tree comparison: the partnership files that differ between two trees, found by descending
//! only into the ledger folders and only into subtrees whose ids differ, and what a change did
//! to them between two commits.

use std::path::Path;

use git2::{ObjectType, Oid, Repository, Tree};

use super::super::repo::{LedgerRepo, is_regular};
use super::renames::renames;
use super::*;
use crate::error::{Error, Result};
use crate::ledger::selection::{Selection, is_partnership_path};

/// A partnership file that differs between two trees: `(path, old blob, new blob)`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Difference {
    /// Relative to the repository's top.
    pub path: String,
    /// The blob in the old tree (`None`: absent there).
    pub old: Option<Oid>,
    /// The blob in the new tree (`None`: absent there).
    pub new: Option<Oid>,
}

/// A tree entry as the walk compares it: its id, its type, and whether it is a regular file.
/// Only regular files are partnership files: a link (a blob of mode 120000) or a submodule is
/// never read, as if nothing were there.
pub(super) type Seen = (Oid, Option<ObjectType>, bool);

pub(super) fn seen(entry: &git2::TreeEntry<'_>) -> Seen {
    (entry.id(), entry.kind(), is_regular(entry.filemode()))
}

/// Whether an entry is a link or a submodule: something rapport refuses to read.
pub(super) fn is_refused((_, kind, regular): Seen) -> bool {
    (kind == Some(ObjectType::Blob) && !regular) || kind == Some(ObjectType::Commit)
}

/// The partnership files that differ between two commits' trees, found by descending only
/// into the ledger folders and only into subtrees that differ (an unchanged folder is one
/// comparison, whatever it holds).
pub(super) fn differences(
    repo: &Repository,
    folders: &Selection,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<Vec<Difference>> {
    Ok(differences_and_refused(repo, folders, old, new)?.0)
}

/// [`differences`], and the paths where `new` holds a link or a submodule, not in `old`, in
/// place of a partnership file or a ledger folder.
pub(super) fn differences_and_refused(
    repo: &Repository,
    folders: &Selection,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<(Vec<Difference>, Vec<String>)> {
    let found = compare(repo, folders, old, new)?;
    Ok((found.differences, found.refused))
}

/// What [`compare`] finds between two trees.
pub(super) struct Compared {
    /// The partnership files that differ.
    pub differences: Vec<Difference>,
    /// Links and submodules in `new` where a partnership file or a ledger folder goes.
    pub refused: Vec<String>,
    /// Every file under the ledger folders, partnership file or not, that one tree has and
    /// the other does not: what git's rename detection pairs moves among.
    pub added_or_deleted: Vec<String>,
}

/// [`differences_and_refused`], with the files added or deleted under the ledger folders.
pub(super) fn compare(
    repo: &Repository,
    folders: &Selection,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<Compared> {
    let mut out = Vec::new();
    let mut refused = Vec::new();
    let mut added_or_deleted = Vec::new();
    for folder in folders {
        if !folder.is_empty() {
            let entry = |tree: &Tree<'_>| {
                tree.get_path(Path::new(folder))
                    .ok()
                    .map(|e| seen(&e))
                    .filter(|e| is_refused(*e))
            };
            if let Some(link) = entry(new)
                && old.and_then(entry) != Some(link)
            {
                refused.push(folder.clone());
            }
        }
        let at = |tree: &Tree<'_>| -> Option<Oid> {
            if folder.is_empty() {
                return Some(tree.id());
            }
            tree.get_path(Path::new(folder))
                .ok()
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .map(|e| e.id())
        };
        let base = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        let depth = base.matches('/').count();
        descend(
            repo,
            old.and_then(at),
            at(new),
            &base,
            depth,
            folders,
            (&mut out, &mut refused, &mut added_or_deleted),
        )?;
    }
    out.sort();
    out.dedup();
    refused.sort();
    refused.dedup();
    added_or_deleted.sort();
    added_or_deleted.dedup();
    Ok(Compared {
        differences: out,
        refused,
        added_or_deleted,
    })
}

/// The partnership files that differ between two trees at `base`, `depth` folders below the
/// repository's top.
fn descend(
    repo: &Repository,
    old: Option<Oid>,
    new: Option<Oid>,
    base: &str,
    depth: usize,
    folders: &Selection,
    (out, refused, added_or_deleted): (&mut Vec<Difference>, &mut Vec<String>, &mut Vec<String>),
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let old = old.map(|oid| repo.find_tree(oid)).transpose()?;
    let new = new.map(|oid| repo.find_tree(oid)).transpose()?;
    // Each entry of either tree, looked up in the other by name (a binary search).
    let mut visit = |name: &[u8], was: Option<Seen>, is: Option<Seen>| -> Result<()> {
        if was == is {
            return Ok(());
        }
        let path = format!("{base}{}", String::from_utf8_lossy(name));
        let tree = |e: Option<Seen>| {
            e.filter(|(_, k, _)| *k == Some(ObjectType::Tree))
                .map(|(id, ..)| id)
        };
        let blob = |e: Option<Seen>| {
            e.filter(|(_, k, regular)| *k == Some(ObjectType::Blob) && *regular)
                .map(|(id, ..)| id)
        };
        if tree(was).is_some() || tree(is).is_some() {
            if depth >= MAX_DEPTH {
                return Err(Error::too_deep(&path, MAX_DEPTH));
            }
            descend(
                repo,
                tree(was),
                tree(is),
                &format!("{path}/"),
                depth + 1,
                folders,
                (&mut *out, &mut *refused, &mut *added_or_deleted),
            )?;
        }
        let any_blob = |e: Option<Seen>| e.is_some_and(|(_, k, _)| k == Some(ObjectType::Blob));
        if any_blob(was) != any_blob(is) {
            added_or_deleted.push(path.clone());
        }
        let (old_blob, new_blob) = (blob(was), blob(is));
        if !is_partnership_path(&path, folders) {
            return Ok(());
        }
        if old_blob != new_blob {
            out.push(Difference {
                path: path.clone(),
                old: old_blob,
                new: new_blob,
            });
        }
        if is.is_some_and(is_refused) {
            refused.push(path);
        }
        Ok(())
    };
    let lookup = |tree: &Option<Tree<'_>>, name: &[u8]| {
        let name = std::str::from_utf8(name).ok()?;
        tree.as_ref()
            .and_then(|t| t.get_name(name).map(|e| seen(&e)))
    };
    if let Some(new_tree) = &new {
        for entry in new_tree.iter() {
            let was = lookup(&old, entry.name_bytes());
            visit(entry.name_bytes(), was, Some(seen(&entry)))?;
        }
    }
    if let Some(old_tree) = &old {
        for entry in old_tree.iter() {
            if lookup(&new, entry.name_bytes()).is_none() {
                visit(entry.name_bytes(), Some(seen(&entry)), None)?;
            }
        }
    }
    Ok(())
}

/// One partnership file as a change left it: its path before and after (both set and
/// different for a move; one absent for an addition or a deletion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Moved {
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The partnership files that differ between two commits, moves paired as git pairs renames.
/// Paths are relative to the repository's top.
pub(crate) fn changed_between(ledger: &LedgerRepo, old: Oid, new: Oid) -> Result<Vec<Moved>> {
    let repo = &ledger.repo;
    let (old, new) = (
        repo.find_commit(old)?.tree()?,
        repo.find_commit(new)?.tree()?,
    );
    let Compared {
        differences: found,
        refused,
        added_or_deleted,
    } = compare(repo, &ledger.folders, Some(&old), &new)?;
    let added = found.iter().any(|d| d.old.is_none());
    let deleted = found.iter().any(|d| d.new.is_none());
    let renames = if added && deleted {
        renames(repo, &ledger.folders, &added_or_deleted, Some(&old), &new)?
    } else {
        Vec::new()
    };
    let mut out: Vec<Moved> = renames
        .iter()
        .map(|(from, to)| Moved {
            before: Some(from.clone()),
            after: Some(to.clone()),
        })
        .collect();
    for Difference {
        path,
        old: was,
        new: is,
    } in found
    {
        if renames
            .iter()
            .any(|(from, to)| *from == path || *to == path)
        {
            continue;
        }
        out.push(Moved {
            before: was.map(|_| path.clone()),
            after: is.map(|_| path),
        });
    }
    // A link or a submodule the change put where a partnership file (or a ledger folder) is
    // expected is there at the head, to be refused when read, not left out of the review.
    for path in refused {
        match out
            .iter_mut()
            .find(|m| m.after.is_none() && m.before.as_deref() == Some(path.as_str()))
        {
            Some(deleted) => deleted.after = Some(path),
            None => out.push(Moved {
                before: None,
                after: Some(path),
            }),
        }
    }
    Ok(out)
}
