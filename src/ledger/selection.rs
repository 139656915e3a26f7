//! Which files of a ledger are partnerships: Markdown files under the partnership folders, less
//! the ones `exclude:` in `rapport.yaml` names. The one predicate both the working-tree listing
//! and the history walk ask, so a file is a partnership in both or in neither.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// What `exclude:` holds when `rapport.yaml` does not set it: a folder's `README.md`, and files
/// (or folders) whose names start with `_`, such as `_template.md` or `_archive/`.
pub const DEFAULT_EXCLUDE: [&str; 2] = ["README.md", "_*"];

/// The default `exclude:` list, owned.
pub fn default_exclude() -> Vec<String> {
    DEFAULT_EXCLUDE.iter().map(|p| p.to_string()).collect()
}

/// The partnership folders and the exclusions, ready to match paths. As far as walking trees
/// goes a selection is its folders, so it dereferences to them.
#[derive(Clone, Debug)]
pub struct Selection {
    /// Folders relative to the base of the paths matched (the ledger root, or the repository's
    /// top for a ledger in a subfolder), without surrounding slashes; empty for the base itself.
    folders: Vec<String>,
    /// The ledger root relative to that base, `/`-terminated or empty: stripped from a path
    /// before the patterns with a `/` are matched, since they are written from the ledger root.
    prefix: String,
    /// Patterns without a `/`, matched against every name below a partnership folder.
    names: GlobSet,
    /// Patterns with a `/`, matched against the path from the ledger root.
    paths: GlobSet,
    /// The patterns as written, in `names` then `paths` order, for saying which one excluded.
    written: (Vec<String>, Vec<String>),
}

/// A pattern of `exclude:` that is not a glob.
#[derive(Debug)]
pub struct BadPattern {
    /// Its index in the `exclude:` list.
    pub index: usize,
    pub message: String,
}

impl Selection {
    /// A selection of `folders` (relative to the ledger root) less `exclude` (globs written from
    /// the ledger root; one without a `/` matches a file or folder name at any depth).
    pub fn new(folders: &[String], exclude: &[String]) -> Result<Selection, BadPattern> {
        let mut names = (GlobSetBuilder::new(), Vec::new());
        let mut paths = (GlobSetBuilder::new(), Vec::new());
        for (index, pattern) in exclude.iter().enumerate() {
            let glob = compile(pattern).map_err(|error| BadPattern {
                index,
                message: error.kind().to_string(),
            })?;
            let (set, written) = if pattern.trim_start_matches('/').contains('/') {
                &mut paths
            } else {
                &mut names
            };
            set.add(glob);
            written.push(pattern.clone());
        }
        let build = |set: GlobSetBuilder| {
            set.build().map_err(|error| BadPattern {
                index: 0,
                message: error.to_string(),
            })
        };
        Ok(Selection {
            folders: folders
                .iter()
                .map(|f| match f.trim_matches('/') {
                    "." => String::new(),
                    f => f.to_string(),
                })
                .collect(),
            prefix: String::new(),
            names: build(names.0)?,
            paths: build(paths.0)?,
            written: (names.1, paths.1),
        })
    }

    /// `folders` with the default exclusions.
    pub fn with_default_exclude(folders: &[String]) -> Selection {
        // The defaults are plain names, which always compile.
        Selection::new(folders, &default_exclude()).unwrap_or_else(|_| Selection {
            folders: folders.to_vec(),
            prefix: String::new(),
            names: GlobSet::empty(),
            paths: GlobSet::empty(),
            written: Default::default(),
        })
    }

    /// The same selection for paths relative to the repository's top, the ledger root being
    /// `prefix` (`/`-terminated, or empty at the top).
    pub fn within(&self, prefix: &str) -> Selection {
        let folders = self
            .folders
            .iter()
            .map(|f| {
                if f.is_empty() {
                    prefix.trim_end_matches('/').to_string()
                } else {
                    format!("{prefix}{f}")
                }
            })
            .collect();
        Selection {
            folders,
            prefix: format!("{}{prefix}", self.prefix),
            ..self.clone()
        }
    }

    /// Everything that decides which paths the selection selects, as one string: two
    /// selections with the same one select the same paths (what the walk finds in a commit is
    /// kept between runs under it).
    pub fn fingerprint(&self) -> String {
        format!(
            "{:?}\0{}\0{:?}\0{:?}",
            self.folders, self.prefix, self.written.0, self.written.1
        )
    }

    /// The folders, relative to the base of the paths matched.
    pub fn folders(&self) -> &[String] {
        &self.folders
    }

    /// Whether a path (`/`-separated, relative to the base) is a partnership file.
    pub fn selects(&self, path: &str) -> bool {
        self.below_folder(path)
            .is_some_and(|rest| self.exclusion(path, rest).is_none())
    }

    /// The `exclude:` pattern that keeps a Markdown file under a partnership folder from being
    /// a partnership, or `.` for a hidden name; `None` when it is one, or is no such file.
    pub fn excluded_by(&self, path: &str) -> Option<&str> {
        self.exclusion(path, self.below_folder(path)?)
    }

    /// The part of a Markdown file's path below the partnership folder holding it.
    fn below_folder<'p>(&self, path: &'p str) -> Option<&'p str> {
        if !path.ends_with(".md") {
            return None;
        }
        self.folders.iter().find_map(|folder| {
            if folder.is_empty() {
                Some(path)
            } else {
                path.strip_prefix(folder.as_str())?.strip_prefix('/')
            }
        })
    }

    fn exclusion(&self, path: &str, rest: &str) -> Option<&str> {
        // Hidden names (`.git`, `.obsidian/`, editor swap files) are never partnerships.
        if rest.split('/').any(|name| name.starts_with('.')) {
            return Some(".");
        }
        for name in rest.split('/') {
            if let Some(&i) = self.names.matches(name).first() {
                return self.written.0.get(i).map(String::as_str);
            }
        }
        let from_root = path.strip_prefix(&self.prefix).unwrap_or(path);
        let &i = self.paths.matches(from_root).first()?;
        self.written.1.get(i).map(String::as_str)
    }
}

/// A pattern as a glob: `*` and `?` stay within one name, `**` crosses folders, and a leading `/`
/// (anchoring it at the ledger root, as in `.gitignore`) is implied.
fn compile(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern.trim_start_matches('/'))
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

impl std::ops::Deref for Selection {
    type Target = [String];

    fn deref(&self) -> &[String] {
        &self.folders
    }
}

impl<'a> IntoIterator for &'a Selection {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.folders.iter()
    }
}

/// Whether a path (relative, `/`-separated) is a partnership file of `selection`: the predicate
/// every listing of partnership files calls.
pub fn is_partnership_path(path: &str, selection: &Selection) -> bool {
    selection.selects(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(exclude: &[&str]) -> Selection {
        let exclude: Vec<String> = exclude.iter().map(|p| p.to_string()).collect();
        Selection::new(&["partners".to_string()], &exclude).expect("valid patterns")
    }

    #[test]
    fn by_default_readmes_underscores_and_hidden_names_are_not_partnerships() {
        let default = Selection::with_default_exclude(&["partners".to_string()]);
        assert!(default.selects("partners/northwind.md"));
        assert!(default.selects("partners/emea/北风.md"));
        assert!(!default.selects("partners/README.md"));
        assert!(!default.selects("partners/emea/README.md"));
        assert!(!default.selects("partners/_template.md"));
        assert!(!default.selects("partners/_archive/old.md"));
        assert!(!default.selects("partners/.draft.md"));
        assert!(!default.selects("partners/.obsidian/notes.md"));
        assert!(!default.selects("partners/northwind.txt"));
        assert!(!default.selects("docs/northwind.md"));
        assert_eq!(default.excluded_by("partners/README.md"), Some("README.md"));
        assert_eq!(default.excluded_by("partners/_archive/old.md"), Some("_*"));
        assert_eq!(default.excluded_by("partners/.draft.md"), Some("."));
        assert_eq!(default.excluded_by("partners/northwind.md"), None);
        // A README somewhere else in the name is a partnership like any other.
        assert!(default.selects("partners/readme-systems.md"));
    }

    #[test]
    fn patterns_with_a_slash_are_written_from_the_ledger_root() {
        let archive = selection(&["partners/archive/**", "/partners/*/drafts/*.md"]);
        assert!(!archive.selects("partners/archive/2019/old.md"));
        assert!(!archive.selects("partners/emea/drafts/new.md"));
        assert!(archive.selects("partners/emea/northwind.md"));
        // The list replaces the defaults.
        assert!(archive.selects("partners/README.md"));
        // In a ledger below the repository's top, the patterns still start at the ledger root.
        let nested = archive.within("ledger/");
        assert!(!nested.selects("ledger/partners/archive/old.md"));
        assert!(nested.selects("ledger/partners/northwind.md"));
        assert_eq!(nested.folders(), ["ledger/partners"]);
    }

    #[test]
    fn a_pattern_that_is_no_glob_is_refused_with_its_index() {
        let exclude = vec!["README.md".to_string(), "partners/[z-a].md".to_string()];
        let error = Selection::new(&["partners".to_string()], &exclude)
            .expect_err("an invalid glob is refused");
        assert_eq!(error.index, 1);
        assert!(error.message.contains("range"), "{}", error.message);
    }
}
