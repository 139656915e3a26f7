//! Which action item is which across versions: items matched by text (edits of at least
//! [`SAME_ITEM`] similarity are the same item) and owner, and each item's history across a
//! timeline, from added to checked or removed.

use serde::Serialize;
use similar::TextDiff;

use crate::ledger::body::ActionItem;
use crate::ledger::date::Date;
use crate::ledger::model::Side;
use std::sync::Arc;

use crate::ledger::{Commit, Snapshot, Timeline};

use super::diff::Change;

/// Two action item texts at least this similar (0 to 1) are the same item, edited.
pub const SAME_ITEM: f32 = 0.8;

/// Texts longer than this (in characters) are not diffed: a diff's cost grows with the product
/// of the lengths, and no action item or scope summary is written this long.
const DIFF_LIMIT: usize = 2_000;

/// The work one pairing of action items may spend on fuzzy matches, in units of compared
/// characters squared (a diff's worst case): far more than a meeting's worth of edited items
/// needs, and a bound on a file of thousands of items all rewritten in one commit, which would
/// otherwise take hours. Items left when it runs out count as removed and added.
pub(super) const PAIRING_BUDGET: usize = 1 << 25;

/// Character-level similarity of two action item texts (0 to 1), when it can reach `SAME_ITEM`
/// and `budget` allows the diff; `None` otherwise. The diff's cost is taken from `budget`.
pub(super) fn item_similarity(a: &str, b: &str, budget: &mut usize) -> Option<f32> {
    if a == b {
        return Some(1.0);
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    // Matching characters are at most the shorter text: a ratio of at most 2·min / (la + lb).
    let reachable = 2.0 * la.min(lb) as f32 / (la + lb).max(1) as f32;
    if reachable < SAME_ITEM || la > DIFF_LIMIT || lb > DIFF_LIMIT {
        return None;
    }
    let cost = (la + lb) * (la + lb);
    *budget = budget.checked_sub(cost)?;
    Some(TextDiff::from_chars(a, b).ratio())
}

/// Word-level similarity of two scope summaries (0 to 1). Summaries too long to diff are
/// compared by what they share at both ends.
pub(super) fn summary_similarity(a: &str, b: &str) -> f32 {
    if a.chars().count() <= DIFF_LIMIT && b.chars().count() <= DIFF_LIMIT {
        return TextDiff::from_words(a, b).ratio();
    }
    let prefix = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let suffix = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (la, lb) = (a.chars().count(), b.chars().count());
    let shared = (prefix + suffix).min(la.min(lb));
    (2.0 * shared as f32 / (la + lb).max(1) as f32).min(1.0)
}

/// Which of `count` earlier items `pairs` continues.
fn paired(pairs: &[Option<usize>], count: usize) -> Vec<bool> {
    let mut paired = vec![false; count];
    for j in pairs.iter().flatten() {
        if let Some(slot) = paired.get_mut(*j) {
            *slot = true;
        }
    }
    paired
}

/// Pairs each item of `after` with an item of `before` it continues, if any: exact texts first,
/// then the most similar remaining item of the same owner (within [`PAIRING_BUDGET`]).
pub(super) fn match_items(before: &[&ActionItem], after: &[&ActionItem]) -> Vec<Option<usize>> {
    let same = |a: &ActionItem, b: &ActionItem| a.owner == b.owner && a.text == b.text;
    // A version mostly lists its parent's items again, in order, and adds some: each listed
    // again is the first unpaired one of its owner and text, so the pairing below gives the
    // same; the added ones find every earlier item taken.
    if before.len() <= after.len() && before.iter().zip(after).all(|(b, a)| same(b, a)) {
        let mut pairs: Vec<Option<usize>> = (0..before.len()).map(Some).collect();
        pairs.resize(after.len(), None);
        return pairs;
    }
    let mut taken = vec![false; before.len()];
    let mut pairs = vec![None; after.len()];
    // Exact texts, each to the first unpaired item with that owner and text, in one pass: the
    // items of one owner and text chained in order (`next`), the chain's head by key.
    let mut next = vec![usize::MAX; before.len()];
    let mut heads: foldhash::HashMap<(Option<Side>, &str), (usize, usize)> =
        foldhash::HashMap::with_capacity_and_hasher(before.len(), Default::default());
    for (j, item) in before.iter().enumerate() {
        match heads.entry((item.owner, item.text.as_str())) {
            std::collections::hash_map::Entry::Occupied(mut chain) => {
                let (_, tail) = chain.get_mut();
                next[*tail] = j;
                *tail = j;
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert((j, j));
            }
        }
    }
    for (i, item) in after.iter().enumerate() {
        if let Some((head, _)) = heads.get_mut(&(item.owner, item.text.as_str()))
            && *head != usize::MAX
        {
            let j = *head;
            *head = next[j];
            taken[j] = true;
            pairs[i] = Some(j);
        }
    }
    pair_closest(before, after, &mut taken, &mut pairs);
    pairs
}

/// Pairs each item of `after` not paired yet in `pairs` with the most similar item of `before`
/// of the same owner not `taken` yet, within [`PAIRING_BUDGET`].
pub(super) fn pair_closest(
    before: &[&ActionItem],
    after: &[&ActionItem],
    taken: &mut [bool],
    pairs: &mut [Option<usize>],
) {
    let mut budget = PAIRING_BUDGET;
    for (i, item) in after.iter().enumerate() {
        if pairs[i].is_some() {
            continue;
        }
        let mut best: Option<(usize, f32)> = None;
        for j in (0..before.len()).filter(|&j| !taken[j] && before[j].owner == item.owner) {
            // Looking costs too, so thousands of items cannot loop for long either.
            let Some(left) = budget.checked_sub(1) else {
                return;
            };
            budget = left;
            let Some(s) = item_similarity(&before[j].text, &item.text, &mut budget) else {
                continue;
            };
            if s >= SAME_ITEM && best.is_none_or(|(_, b)| s >= b) {
                best = Some((j, s));
            }
        }
        if let Some((j, _)) = best {
            taken[j] = true;
            pairs[i] = Some(j);
        }
    }
}

/// The action items of a snapshot, each once, with the date of the meeting it was first written
/// under. Teams carry open items over by listing them again under the next meeting: the same
/// owner and text (in any case and spacing) listed again while the earlier listing is open is
/// one item, written under its earliest meeting, standing on the line of its latest listing,
/// and checked when a later listing is. Listed again after it was checked, it is asked again: a
/// new item. Listings are read in the order of their meetings' dates (items outside a meeting
/// last), whatever the order of the meetings in the file, and items come out in that order.
pub fn distinct_items(snapshot: &Snapshot) -> Vec<(ActionItem, Option<Date>)> {
    let mut listed: Vec<(&ActionItem, Option<Date>)> = snapshot
        .body
        .meetings
        .iter()
        .flat_map(|m| m.items.iter().map(move |i| (i, Some(m.date))))
        .chain(snapshot.body.loose_items.iter().map(|i| (i, None)))
        .collect();
    // By date, items outside a meeting after every meeting; stable, so a meeting's items and
    // meetings of one day keep the file's order.
    listed.sort_by_key(|(_, meeting)| (meeting.is_none(), *meeting));
    let key = |item: &ActionItem| (item.owner, folded(&item.text));
    let mut distinct: Vec<(ActionItem, Option<Date>)> = Vec::new();
    // The latest item of each owner and text.
    let mut latest: foldhash::HashMap<(Option<Side>, String), usize> = Default::default();
    for (item, meeting) in listed {
        match latest.entry(key(item)) {
            // Carried over: the earlier listing is still open.
            std::collections::hash_map::Entry::Occupied(at) if !distinct[*at.get()].0.done => {
                let kept = &mut distinct[*at.get()].0;
                kept.done = item.done;
                kept.due = item.due.or(kept.due);
                kept.line = item.line;
            }
            // New, or asked again after the earlier one was checked.
            std::collections::hash_map::Entry::Occupied(mut at) => {
                at.insert(distinct.len());
                distinct.push((item.clone(), meeting));
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(distinct.len());
                distinct.push((item.clone(), meeting));
            }
        }
    }
    distinct
}

/// An item's text as [`distinct_items`] compares it: in lower case, its spacing collapsed to
/// single spaces.
pub(super) fn folded(text: &str) -> String {
    let mut words = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !words.is_empty() {
            words.push(' ');
        }
        if word.is_ascii() {
            words.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            // As a whole word: a final sigma lowers differently at the end of a word.
            words.push_str(&word.to_lowercase());
        }
    }
    words
}

pub(super) fn item_changes(before: &Snapshot, after: &Snapshot, out: &mut Vec<Change>) {
    let (old, new) = (distinct_items(before), distinct_items(after));
    let old: Vec<&ActionItem> = old.iter().map(|(i, _)| i).collect();
    let new: Vec<&ActionItem> = new.iter().map(|(i, _)| i).collect();
    let pairs = match_items(&old, &new);
    for (item, pair) in new.iter().zip(&pairs) {
        let (text, owner) = (item.text.clone(), item.owner);
        match pair.map(|j| old[j].done) {
            None => {
                out.push(Change::ItemOpened {
                    text: text.clone(),
                    owner,
                    due: item.due,
                });
                if item.done {
                    out.push(Change::ItemChecked { text, owner });
                }
            }
            Some(false) if item.done => out.push(Change::ItemChecked { text, owner }),
            Some(true) if !item.done => out.push(Change::ItemUnchecked { text, owner }),
            Some(_) => {}
        }
    }
    let paired = paired(&pairs, old.len());
    for (j, item) in old.iter().enumerate() {
        if !paired[j] {
            out.push(Change::ItemRemoved {
                text: item.text.clone(),
                owner: item.owner,
            });
        }
    }
}

/// One action item across a timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemHistory {
    /// The text in the last version that had the item.
    pub text: String,
    pub owner: Option<Side>,
    pub due: Option<Date>,
    /// The date of the meeting the item was written under, if any.
    pub meeting: Option<Date>,
    /// The date of the commit where the item first appeared.
    pub opened: Date,
    /// That commit's short id.
    pub opened_in: String,
    /// The date of the commit where it was checked (and stayed checked), if it was.
    pub closed: Option<Date>,
    /// That commit's short id.
    pub closed_in: Option<String>,
    /// Its line in the last version that had it.
    pub line: usize,
    /// The date of the commit where it disappeared from the file, if it did.
    pub removed: Option<Date>,
}

impl ItemHistory {
    pub fn is_open(&self) -> bool {
        self.closed.is_none() && self.removed.is_none()
    }
}

/// Every action item of a timeline with when it was opened and closed, in order of appearance.
/// Items are followed from each valid version to the valid versions that descend from it
/// (invalid versions are skipped); an item a merge brings from another branch continues that
/// branch's item rather than opening it again.
pub fn action_items(timeline: &Timeline) -> Vec<ItemHistory> {
    let mut follower = Follower::new(timeline);
    for index in 0..timeline.versions.len() {
        follower.step(index);
    }
    follower.items
}

/// The action items of a timeline as of each of its versions, followed once: what
/// [`action_items`] gives for the timeline cut after any version, without following the
/// versions before it again for each cut. Each item keeps only the states it went through,
/// so memory follows the changes, not the versions times the items.
#[derive(Debug, Default)]
pub struct ItemTrack {
    /// Each item's states but its line, in order of appearance: the version from which the
    /// state holds, and the state, oldest first.
    states: Vec<Vec<(usize, ItemHistory)>>,
    /// Each item's lines, apart: a meeting added or removed above an item moves it at every
    /// version, and nothing else about it changes.
    lines: Vec<Vec<(u32, u32)>>,
    /// The commit of each version followed, to tell a cut of this timeline from another one.
    commits: Vec<Arc<Commit>>,
}

impl ItemTrack {
    /// Follows the action items of every version of `timeline`.
    pub fn follow(timeline: &Timeline) -> ItemTrack {
        let mut follower = Follower::new(timeline);
        let mut track = ItemTrack::default();
        for index in 0..timeline.versions.len() {
            follower.step(index);
            let mut touched = std::mem::take(&mut follower.touched);
            touched.sort_unstable();
            touched.dedup();
            for item in touched {
                let Some(state) = follower.items.get(item) else {
                    continue;
                };
                if track.states.len() <= item {
                    track.states.resize_with(item + 1, Vec::new);
                    track.lines.resize_with(item + 1, Vec::new);
                }
                let kept = &mut track.states[item];
                let changed = kept
                    .last()
                    .is_none_or(|(_, last)| !same_but_line(last, state));
                if changed {
                    kept.push((index, state.clone()));
                }
                let (at, line) = (to_u32(index), to_u32(state.line));
                let lines = &mut track.lines[item];
                if lines.last().is_none_or(|(_, last)| *last != line) {
                    lines.push((at, line));
                }
            }
        }
        track.commits = timeline
            .versions
            .iter()
            .map(|v| Arc::clone(&v.commit))
            .collect();
        track
    }

    /// What [`action_items`] gives for `timeline` when it is this track's timeline cut after
    /// one of its versions (or whole); `None` when it is not.
    pub fn of(&self, timeline: &Timeline) -> Option<Vec<ItemHistory>> {
        let Some(last) = timeline.versions.len().checked_sub(1) else {
            return Some(Vec::new());
        };
        let same = |v: &crate::ledger::Version, c: &Arc<Commit>| Arc::ptr_eq(&v.commit, c);
        if !same(&timeline.versions[last], self.commits.get(last)?)
            || !same(&timeline.versions[0], &self.commits[0])
        {
            return None;
        }
        Some(self.at(last))
    }

    /// The items as of version `index`: each item that had appeared by then, in its state then.
    fn at(&self, index: usize) -> Vec<ItemHistory> {
        let until = to_u32(index);
        self.states
            .iter()
            .zip(&self.lines)
            // Items appear in version order: the first to appear later ends the list.
            .map_while(|(states, lines)| {
                let held = states.partition_point(|(from, _)| *from <= index);
                let state = &states.get(held.checked_sub(1)?)?.1;
                let line = lines.partition_point(|(from, _)| *from <= until);
                Some(ItemHistory {
                    line: lines
                        .get(line.wrapping_sub(1))
                        .map_or(state.line, |(_, line)| *line as usize),
                    ..state.clone()
                })
            })
            .collect()
    }
}

/// Whether two states of an item differ in nothing but their line.
fn same_but_line(a: &ItemHistory, b: &ItemHistory) -> bool {
    let ItemHistory {
        text,
        owner,
        due,
        meeting,
        opened,
        opened_in,
        closed,
        closed_in,
        line: _,
        removed,
    } = a;
    *text == b.text
        && *owner == b.owner
        && *due == b.due
        && *meeting == b.meeting
        && *opened == b.opened
        && *opened_in == b.opened_in
        && *closed == b.closed
        && *closed_in == b.closed_in
        && *removed == b.removed
}

/// A version index or line number as stored by [`ItemTrack`] (files are capped far below).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The items followed to a version, each with its index in [`Follower::items`].
type Live = Arc<Vec<(ActionItem, usize)>>;

/// Follows action items through a timeline, one version at a time, in the timeline's order.
struct Follower<'t> {
    timeline: &'t Timeline,
    items: Vec<ItemHistory>,
    /// For each version followed, the items followed to it: its own when it parses, else those
    /// of the version it descends from; `None` once no later version can read them.
    live_at: Vec<Option<Live>>,
    /// Versions no later version descends from (yet): the ends of branches a merge may bring in.
    ends: Vec<usize>,
    /// For each version, the last version that descends from it directly (itself if none).
    last_child: Vec<usize>,
    /// The items the last step opened or changed.
    touched: Vec<usize>,
}

impl<'t> Follower<'t> {
    fn new(timeline: &'t Timeline) -> Self {
        let count = timeline.versions.len();
        let mut last_child: Vec<usize> = (0..count).collect();
        for (i, version) in timeline.versions.iter().enumerate() {
            if let Some(p) = version.parent.filter(|p| *p < i) {
                last_child[p] = i;
            }
        }
        Follower {
            timeline,
            items: Vec::new(),
            live_at: Vec::with_capacity(count),
            ends: Vec::new(),
            last_child,
            touched: Vec::new(),
        }
    }

    /// Follows the items into version `i`, the next one.
    fn step(&mut self, i: usize) {
        let version = &self.timeline.versions[i];
        let parent = version.parent.filter(|p| *p < i);
        let live: Live = parent
            .and_then(|p| self.live_at.get(p).cloned().flatten())
            .unwrap_or_default();
        self.ends.retain(|e| Some(*e) != parent);
        let Some(snapshot) = version.snapshot() else {
            self.live_at.push(Some(live));
            self.ends.push(i);
            self.release(parent, i);
            return;
        };
        let date = version.date();
        let current = distinct_items(snapshot);
        let old: Vec<&ActionItem> = live.iter().map(|(i, _)| i).collect();
        let new: Vec<&ActionItem> = current.iter().map(|(i, _)| i).collect();
        let pairs = match_items(&old, &new);
        let mut indices: Vec<Option<usize>> = pairs.iter().map(|p| p.map(|j| live[j].1)).collect();
        // Items the version it descends from did not have may come from another branch's end.
        let unmatched: Vec<usize> = (0..new.len()).filter(|k| pairs[*k].is_none()).collect();
        let mut merged = Vec::new();
        if !unmatched.is_empty() && !self.ends.is_empty() {
            let others: Vec<(&ActionItem, usize, usize)> = self
                .ends
                .iter()
                .filter_map(|e| {
                    self.live_at
                        .get(*e)
                        .and_then(Option::as_ref)
                        .map(|l| (*e, l))
                })
                .flat_map(|(e, l)| l.iter().map(move |(item, index)| (item, *index, e)))
                .filter(|(_, index, _)| !live.iter().any(|(_, own)| own == index))
                .collect();
            let candidates: Vec<&ActionItem> = others.iter().map(|(item, ..)| *item).collect();
            let wanted: Vec<&ActionItem> = unmatched.iter().map(|k| new[*k]).collect();
            for (k, pair) in unmatched.iter().zip(match_items(&candidates, &wanted)) {
                if let Some((_, index, end)) = pair.and_then(|j| others.get(j)) {
                    indices[*k] = Some(*index);
                    merged.push(*end);
                }
            }
            // A branch merged here: its items the merge left out are removed here.
            for (_, index, _) in others
                .iter()
                .filter(|(_, index, end)| merged.contains(end) && !indices.contains(&Some(*index)))
            {
                if let Some(history) = self.items.get_mut(*index) {
                    history.removed = Some(date);
                    self.touched.push(*index);
                }
            }
            self.ends.retain(|e| !merged.contains(e));
        }
        let mut next = Vec::with_capacity(current.len());
        for ((item, meeting), index) in current.iter().zip(&indices) {
            let index = match index {
                Some(index) => *index,
                None => {
                    self.items.push(ItemHistory {
                        text: item.text.clone(),
                        owner: item.owner,
                        due: item.due,
                        meeting: *meeting,
                        opened: date,
                        opened_in: version.commit.short.clone(),
                        closed: None,
                        closed_in: None,
                        line: item.line,
                        removed: None,
                    });
                    self.items.len() - 1
                }
            };
            if let Some(history) = self.items.get_mut(index) {
                history.text.clone_from(&item.text);
                history.due = item.due;
                history.meeting = *meeting;
                history.line = item.line;
                history.removed = None;
                match (item.done, history.closed) {
                    (true, None) => {
                        history.closed = Some(date);
                        history.closed_in = Some(version.commit.short.clone());
                    }
                    (false, Some(_)) => {
                        history.closed = None;
                        history.closed_in = None;
                    }
                    _ => {}
                }
                self.touched.push(index);
            }
            next.push((item.clone(), index));
        }
        let paired = paired(&pairs, live.len());
        for (j, (_, index)) in live.iter().enumerate() {
            if !paired[j]
                && let Some(history) = self.items.get_mut(*index)
            {
                history.removed = Some(date);
                self.touched.push(*index);
            }
        }
        self.live_at.push(Some(Arc::new(next)));
        self.ends.push(i);
        self.release(parent, i);
        for end in merged {
            self.release(Some(end), i);
        }
    }

    /// Forgets the items followed to `version` once no version after `i` can read them: none
    /// descends from it directly, and it is no branch's end a merge may bring in.
    fn release(&mut self, version: Option<usize>, i: usize) {
        if let Some(v) = version
            && self.last_child.get(v).is_some_and(|last| *last <= i)
            && !self.ends.contains(&v)
            && let Some(slot) = self.live_at.get_mut(v)
        {
            *slot = None;
        }
    }
}
