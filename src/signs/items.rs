//! When each action item of the current file was opened and closed, read from the timeline: an
//! item is the same across versions when its owner matches and its text is similar. Kept in one
//! place so it can give way to the history engine's own change tracking.

use crate::ledger::model::Side;
use crate::ledger::{ActionItem, Timeline, Version};

/// Texts at least this similar (normalised Levenshtein) are the same item, lightly edited.
const SAME_ITEM: f64 = 0.8;

/// An action item of the current version and its history.
#[derive(Clone, Debug)]
pub struct TrackedItem<'a> {
    pub item: &'a ActionItem,
    /// The first version whose body holds the item.
    pub opened: Option<&'a Version>,
    /// The first version where it is checked.
    pub closed: Option<&'a Version>,
}

fn same(a: &ActionItem, b: &ActionItem) -> bool {
    a.owner == b.owner && {
        let (x, y) = (a.text.trim().to_lowercase(), b.text.trim().to_lowercase());
        x == y || strsim::normalized_levenshtein(&x, &y) >= SAME_ITEM
    }
}

/// Every action item of the current version (optionally only one side's), with the versions
/// that opened and closed it. Invalid versions are skipped.
pub fn track(timeline: &Timeline, owner: Option<Side>) -> Vec<TrackedItem<'_>> {
    let Some(current) = timeline.current() else {
        return Vec::new();
    };
    current
        .body
        .items()
        .filter(|item| owner.is_none() || item.owner == owner)
        .map(|item| {
            let mut opened = None;
            let mut closed = None;
            for (version, snapshot) in timeline.valid() {
                let found = snapshot
                    .body
                    .items()
                    .find(|other| {
                        other.owner == item.owner && other.text.trim() == item.text.trim()
                    })
                    .or_else(|| snapshot.body.items().find(|other| same(item, other)));
                if let Some(found) = found {
                    opened.get_or_insert(version);
                    if found.done && closed.is_none() {
                        closed = Some(version);
                    }
                }
            }
            TrackedItem {
                item,
                opened,
                closed: if item.done { closed } else { None },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::testing::{History, front};

    #[test]
    fn opened_and_closed_dates_come_from_versions() {
        let timeline = History::new()
            .version("2024-01-10", &front(""))
            .version(
                "2024-02-01",
                &(front("") + "## 2024-02-01 Kick-off\n- [ ] partner: send the plan\n"),
            )
            .version(
                "2024-03-05",
                &(front("") + "## 2024-02-01 Kick-off\n- [x] partner: send the plan.\n"),
            )
            .build();
        let items = track(&timeline, Some(Side::Partner));
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].opened.map(|v| v.date().to_string()).as_deref(),
            Some("2024-02-01")
        );
        assert_eq!(
            items[0].closed.map(|v| v.date().to_string()).as_deref(),
            Some("2024-03-05")
        );
    }
}
