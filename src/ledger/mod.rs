//! The ledger: the partnership file format (front matter and body), its validation, and the
//! types every later stage shares: a [`Snapshot`] of one file, a [`Version`] of it in history,
//! and a partnership's [`Timeline`]. Nothing here knows about git.

pub mod body;
pub mod changes;
pub mod date;
pub mod diagnostic;
mod front_fields;
pub mod ladder;
pub mod load;
pub mod model;
pub mod parse;
pub mod parse_cache;
pub mod schema_check;
pub mod selection;
pub mod stored;
pub mod template;
pub mod validate;
pub mod write;
pub mod written_date;
pub mod yaml;

use std::sync::{Arc, OnceLock};

use serde::Serialize;

pub use body::{ActionItem, Body, Meeting};
pub use date::Date;
pub use diagnostic::Diagnostic;
pub use ladder::Ladder;
pub use model::FrontMatter;
pub use parse_cache::ParseCache;

/// One valid partnership file, parsed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    /// The partnership's identity: `id` from the front matter, else the file stem.
    pub id: String,
    /// The file's path, relative to the repository (or folder) root.
    pub path: String,
    pub front: Arc<FrontMatter>,
    pub body: Body,
    /// What the file writes in a form rapport does not read (a meeting dated `2024/06/12`, an
    /// item due "next Friday"), each located: the file is valid, but these parts count for
    /// nothing until rewritten.
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

/// The commit a version comes from. For a working tree, a stand-in dated "now".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Commit {
    /// Full object id (hex); empty for the working tree.
    pub id: String,
    /// Abbreviated id, as shown to people.
    pub short: String,
    pub author: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// The author date as a calendar date (in the author's time zone).
    pub date: Date,
    /// The first line of the message.
    pub summary: String,
}

/// A commit whose author date contradicts the commit graph or the clock, named with the date
/// rapport counts it at instead (history keeps the commit in its place either way).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DateWarning {
    /// Full object id (hex).
    pub commit: String,
    /// Abbreviated id, as shown to people.
    pub short: String,
    /// The author date the commit records.
    pub date: Date,
    /// The date rapport counts it at.
    pub counted: Date,
    /// `date-in-future` (after the clock), `date-after-now` (after the latest plausible date of
    /// the history that follows it) or `date-before-parent` (before what it descends from).
    pub code: &'static str,
    pub message: String,
    /// What to do about it.
    pub help: String,
}

/// What a file held in one commit.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Content {
    Valid {
        snapshot: Arc<Snapshot>,
    },
    /// The file did not parse in this commit; it stays in the timeline, trend rules skip it.
    Invalid {
        diagnostics: Arc<Vec<Diagnostic>>,
    },
    /// The file was deleted in this commit, ending the partnership's history until a re-add.
    Removed,
}

impl Content {
    /// The content of a file version, from the result of parsing it.
    pub fn from_parse(parsed: Result<Snapshot, Vec<Diagnostic>>) -> Content {
        match parsed {
            Ok(snapshot) => Content::Valid {
                snapshot: Arc::new(snapshot),
            },
            Err(diagnostics) => Content::Invalid {
                diagnostics: Arc::new(diagnostics),
            },
        }
    }
}

/// One version of a partnership file in history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Version {
    pub commit: Arc<Commit>,
    /// The file's path in this commit (it changes on renames).
    pub path: String,
    pub content: Content,
    /// The index, in its timeline, of the version this one descends from: the one that
    /// recorded the file as the commit's first parent had it. Two branches' versions each
    /// descend from the version they started from, never from one another; a version after a
    /// deletion descends from the deletion. `None` for the first version.
    pub parent: Option<usize>,
    /// When the version counts as having happened: its commit's author date, kept between the
    /// date of the version it descends from and "now" when the commit's date contradicts the
    /// commit graph or the clock (see `history`).
    pub date: Date,
}

impl Version {
    pub fn snapshot(&self) -> Option<&Snapshot> {
        match &self.content {
            Content::Valid { snapshot } => Some(snapshot),
            _ => None,
        }
    }

    /// When the version happened, as rules count time: the `date` field.
    pub fn date(&self) -> Date {
        self.date
    }
}

/// Every version of one partnership, oldest first: parents before the versions that descend
/// from them (the branches of a merge one after the other).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Timeline {
    pub id: String,
    pub versions: Vec<Version>,
    /// The action items followed through these versions, once asked for; shared with the
    /// timelines [`Timeline::upto`] cuts from this one. Not part of what the timeline is.
    #[serde(skip)]
    pub items: ItemMemo,
}

/// A timeline's action items followed once ([`changes::ItemTrack`]), shared by its cuts.
#[derive(Clone, Default)]
pub struct ItemMemo(Arc<OnceLock<changes::ItemTrack>>);

impl PartialEq for ItemMemo {
    /// What the versions say, read again: two timelines with the same versions are the same.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for ItemMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ItemMemo")
    }
}

impl Timeline {
    /// A timeline of `versions`.
    pub fn new(id: String, versions: Vec<Version>) -> Timeline {
        Timeline {
            id,
            versions,
            items: ItemMemo::default(),
        }
    }

    /// The history up to version `index` (included), as analysing it as of that version's date
    /// reads it. Its action items are read from this timeline's, followed once for all cuts.
    pub fn upto(&self, index: usize) -> Timeline {
        self.items
            .0
            .get_or_init(|| changes::ItemTrack::follow(self));
        Timeline {
            id: self.id.clone(),
            versions: self.versions[..=index.min(self.versions.len().saturating_sub(1))].to_vec(),
            items: self.items.clone(),
        }
    }

    /// Every action item of the timeline with when it was opened and closed
    /// ([`changes::action_items`]): read from the items followed for the timeline it was cut
    /// from, if it was; else followed for this timeline alone.
    pub fn action_items(&self) -> Vec<changes::ItemHistory> {
        self.items
            .0
            .get()
            .and_then(|track| track.of(self))
            .unwrap_or_else(|| changes::action_items(self))
    }

    /// The version at the end of history, whatever its state.
    pub fn last(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// The current snapshot: the last version, if it is valid.
    pub fn current(&self) -> Option<&Snapshot> {
        self.last().and_then(Version::snapshot)
    }

    /// Valid versions with their snapshots, oldest first (what trend rules read).
    pub fn valid(&self) -> impl Iterator<Item = (&Version, &Snapshot)> {
        self.versions
            .iter()
            .filter_map(|v| v.snapshot().map(|s| (v, s)))
    }

    /// Whether the partnership exists at the end of history (not deleted).
    pub fn is_present(&self) -> bool {
        self.last()
            .is_some_and(|v| !matches!(v.content, Content::Removed))
    }

    /// The nearest valid version that version `index` descends from (through invalid versions
    /// and deletions), with its index.
    pub fn valid_ancestor(&self, index: usize) -> Option<(usize, &Version, &Snapshot)> {
        let mut at = self.versions.get(index)?.parent;
        while let Some(i) = at {
            let version = self.versions.get(i)?;
            if let Some(snapshot) = version.snapshot() {
                return Some((i, version, snapshot));
            }
            // Indices only go back; a link that does not is ignored rather than followed.
            at = version.parent.filter(|p| *p < i);
        }
        None
    }

    /// Each valid version after the first with the valid version it descends from:
    /// `(before, after)`, oldest first. What rules that compare one version with the one
    /// before it read, so that two branches merged are each compared with where they started,
    /// never with each other.
    pub fn pairs(&self) -> impl Iterator<Item = ((&Version, &Snapshot), (&Version, &Snapshot))> {
        self.versions.iter().enumerate().filter_map(|(i, after)| {
            let snapshot = after.snapshot()?;
            let (_, before, was) = self.valid_ancestor(i)?;
            Some(((before, was), (after, snapshot)))
        })
    }
}
