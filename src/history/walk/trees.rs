//! Tree comparison: the partnership files that differ between two trees, found by descending
//! only into the ledger folders and only into subtrees whose ids differ, and what a change did
//! to them between two commits.

use git2::{ObjectType, Oid, Repository};

use super::super::objects::Objects;
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

/// A tree's entries as the walk compares them, in the order of their names' bytes.
#[derive(Default)]
pub(super) struct Entries {
    names: Vec<u8>,
    /// Each entry's name (as a range of `names`) and what it is.
    items: Vec<(std::ops::Range<usize>, Seen)>,
}

impl Entries {
    fn push(&mut self, name: &[u8], seen: Seen) {
        let start = self.names.len();
        self.names.extend_from_slice(name);
        self.items.push((start..self.names.len(), seen));
    }

    /// Sorts the entries by name, keeping the first of a name written twice (a damaged tree)
    /// as a lookup by name in libgit2 finds one.
    fn sorted(mut self) -> Entries {
        let names = &self.names;
        self.items
            .sort_by(|(a, _), (b, _)| names[a.clone()].cmp(&names[b.clone()]));
        self.items
            .dedup_by(|(a, _), (b, _)| names[a.clone()] == names[b.clone()]);
        self
    }

    fn iter(&self) -> impl Iterator<Item = (&[u8], Seen)> {
        self.items
            .iter()
            .map(|(name, seen)| (&self.names[name.clone()], *seen))
    }

    pub(super) fn get(&self, name: &[u8]) -> Option<Seen> {
        self.items
            .binary_search_by(|(at, _)| self.names[at.clone()].cmp(name))
            .ok()
            .map(|i| self.items[i].1)
    }
}

/// Where the walk reads trees from: libgit2, or a reader through gitoxide's pack cache.
pub(super) trait Trees {
    fn entries(&mut self, tree: Oid) -> Result<Entries>;
}

/// The entries of `tree` read through libgit2.
fn entries_git2(repo: &Repository, tree: Oid) -> Result<Entries> {
    let tree = repo.find_tree(tree)?;
    let mut entries = Entries::default();
    for entry in tree.iter() {
        entries.push(entry.name_bytes(), seen(&entry));
    }
    Ok(entries.sorted())
}

impl Trees for &Repository {
    fn entries(&mut self, tree: Oid) -> Result<Entries> {
        entries_git2(self, tree)
    }
}

impl Trees for Objects<'_> {
    fn entries(&mut self, tree: Oid) -> Result<Entries> {
        let mut entries = Entries::default();
        let read = self.tree_through_gix(tree, |name, id, mode| {
            let kind = match mode {
                0o40000 => ObjectType::Tree,
                0o160000 => ObjectType::Commit,
                _ => ObjectType::Blob,
            };
            entries.push(name, (id, Some(kind), matches!(mode, 0o100644 | 0o100755)));
        });
        match read {
            Some(()) => Ok(entries.sorted()),
            None => entries_git2(self.git2()?, tree),
        }
    }
}

/// The entry at `path` (`/`-separated, not empty) under tree `root`; `None` when there is none
/// or a tree on the way cannot be read.
fn entry_at(trees: &mut impl Trees, root: Oid, path: &str) -> Option<Seen> {
    let mut at = (root, Some(ObjectType::Tree), false);
    for name in path.split('/').filter(|n| !n.is_empty()) {
        if at.1 != Some(ObjectType::Tree) {
            return None;
        }
        at = trees.entries(at.0).ok()?.get(name.as_bytes())?;
    }
    Some(at)
}

/// The partnership files that differ between two commits' trees, found by descending only
/// into the ledger folders and only into subtrees that differ (an unchanged folder is one
/// comparison, whatever it holds).
pub(super) fn differences(
    trees: &mut impl Trees,
    folders: &Selection,
    old: Option<Oid>,
    new: Oid,
) -> Result<Vec<Difference>> {
    Ok(compare(trees, folders, old, new)?.differences)
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

/// The partnership files that differ between trees `old` and `new`, the links and submodules
/// `new` holds where they go, and the files added or deleted under the ledger folders.
pub(super) fn compare(
    trees: &mut impl Trees,
    folders: &Selection,
    old: Option<Oid>,
    new: Oid,
) -> Result<Compared> {
    let mut out = Vec::new();
    let mut refused = Vec::new();
    let mut added_or_deleted = Vec::new();
    for folder in folders {
        if !folder.is_empty() {
            let mut entry = |tree: Oid| entry_at(trees, tree, folder).filter(|e| is_refused(*e));
            if let Some(link) = entry(new)
                && old.and_then(&mut entry) != Some(link)
            {
                refused.push(folder.clone());
            }
        }
        let mut at = |tree: Oid| -> Option<Oid> {
            if folder.is_empty() {
                return Some(tree);
            }
            entry_at(trees, tree, folder)
                .filter(|e| e.1 == Some(ObjectType::Tree))
                .map(|e| e.0)
        };
        let (was, is) = (old.and_then(&mut at), at(new));
        let base = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        let depth = base.matches('/').count();
        descend(
            trees,
            was,
            is,
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
    trees: &mut impl Trees,
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
    let old = old.map(|oid| trees.entries(oid)).transpose()?;
    let new = new.map(|oid| trees.entries(oid)).transpose()?;
    // Each entry of either tree, looked up in the other by name (a binary search).
    let mut visit =
        |trees: &mut _, name: &[u8], was: Option<Seen>, is: Option<Seen>| -> Result<()> {
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
                    trees,
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
    if let Some(new_tree) = &new {
        for (name, is) in new_tree.iter() {
            let was = old.as_ref().and_then(|t| t.get(name));
            visit(trees, name, was, Some(is))?;
        }
    }
    if let Some(old_tree) = &old {
        for (name, was) in old_tree.iter() {
            if new.as_ref().and_then(|t| t.get(name)).is_none() {
                visit(trees, name, Some(was), None)?;
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
    } = compare(&mut &*repo, &ledger.folders, Some(old.id()), new.id())?;
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

#[cfg(test)]
mod tests {
    use super::super::super::objects::tests::git;
    use super::*;

    fn listed(entries: &Entries) -> Vec<(Vec<u8>, Seen)> {
        entries.iter().map(|(n, s)| (n.to_vec(), s)).collect()
    }

    /// Trees read through gitoxide's pack cache list what libgit2 lists: regular and executable
    /// files, a link, a submodule, a folder, a name that is not UTF-8, in a packed repository;
    /// a tree written with a mode git does not write (100664) is left to libgit2, and an
    /// object that is not a tree gives libgit2's error.
    #[test]
    fn trees_read_through_the_pack_cache_are_the_trees_libgit2_reads() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let repo_dir = dir.path();
        git(repo_dir, &["init", "-q", "-b", "main"], None);
        std::fs::create_dir_all(repo_dir.join("partners/emea")).expect("folders");
        std::fs::write(repo_dir.join("partners/emea/northwind.md"), "---\n").expect("a file");
        std::fs::write(repo_dir.join("partners/tool.sh"), "#!/bin/sh\n").expect("a file");
        std::fs::write(repo_dir.join("partners/\u{e9}t\u{e9}.md"), "---\n").expect("a file");
        git(repo_dir, &["add", "."], None);
        git(
            repo_dir,
            &["update-index", "--chmod=+x", "partners/tool.sh"],
            None,
        );
        let blob = git(repo_dir, &["hash-object", "-w", "--stdin"], Some(b"target"));
        git(
            repo_dir,
            &[
                "update-index",
                "--add",
                "--cacheinfo",
                &format!("120000,{blob},partners/link.md"),
            ],
            None,
        );
        let head = git(repo_dir, &["hash-object", "-w", "-t", "commit", "--stdin"], Some(
            "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\n\nsub\n".as_bytes(),
        ));
        git(
            repo_dir,
            &[
                "update-index",
                "--add",
                "--cacheinfo",
                &format!("160000,{head},partners/vendor"),
            ],
            None,
        );
        git(repo_dir, &["commit", "-q", "-m", "Ledger"], None);
        // A name that is not UTF-8, and a mode git does not write, in trees of their own.
        let mut odd_name = b"100644 caf\xe9.md\0".to_vec();
        odd_name.extend(Oid::from_str(&blob).expect("an id").as_bytes());
        let odd_name = git(
            repo_dir,
            &["hash-object", "-w", "-t", "tree", "--literally", "--stdin"],
            Some(&odd_name),
        );
        let mut odd_mode = b"100664 plan.md\0".to_vec();
        odd_mode.extend(Oid::from_str(&blob).expect("an id").as_bytes());
        let odd_mode = git(
            repo_dir,
            &["hash-object", "-w", "-t", "tree", "--literally", "--stdin"],
            Some(&odd_mode),
        );
        git(repo_dir, &["gc", "-q"], None);

        let repo = Repository::open(repo_dir).expect("the repository opens");
        let root = repo
            .head()
            .and_then(|h| h.peel_to_tree())
            .expect("the head's tree")
            .id();
        let partners = (&repo)
            .entries(root)
            .expect("read")
            .get(b"partners")
            .expect("the folder")
            .0;
        let git_dir = repo.path().to_path_buf();
        let mut objects = Objects::new(&git_dir);
        for tree in [root, partners, Oid::from_str(&odd_name).expect("an id")] {
            let ours = objects.entries(tree).expect("read");
            let theirs = (&repo).entries(tree).expect("read");
            assert_eq!(listed(&ours), listed(&theirs), "tree {tree}");
            assert!(
                objects.tree_through_gix(tree, |_, _, _| ()).is_some(),
                "tree {tree} read through gitoxide"
            );
        }
        let kinds: Vec<(String, Option<ObjectType>, bool)> =
            listed(&objects.entries(partners).expect("read"))
                .into_iter()
                .map(|(name, (_, kind, regular))| {
                    (String::from_utf8_lossy(&name).into_owned(), kind, regular)
                })
                .collect();
        assert_eq!(
            kinds,
            [
                ("emea".to_string(), Some(ObjectType::Tree), false),
                ("link.md".to_string(), Some(ObjectType::Blob), false),
                ("tool.sh".to_string(), Some(ObjectType::Blob), true),
                ("vendor".to_string(), Some(ObjectType::Commit), false),
                ("\u{e9}t\u{e9}.md".to_string(), Some(ObjectType::Blob), true),
            ]
        );
        let odd_mode = Oid::from_str(&odd_mode).expect("an id");
        assert!(objects.tree_through_gix(odd_mode, |_, _, _| ()).is_none());
        assert_eq!(
            listed(&objects.entries(odd_mode).expect("read by libgit2")),
            listed(&(&repo).entries(odd_mode).expect("read"))
        );
        let not_a_tree = Oid::from_str(&blob).expect("an id");
        let error = objects
            .entries(not_a_tree)
            .err()
            .expect("a blob is not a tree");
        assert_eq!(
            error.to_string(),
            (&repo)
                .entries(not_a_tree)
                .err()
                .expect("an error")
                .to_string()
        );
    }
}
