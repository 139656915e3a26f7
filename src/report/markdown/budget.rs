//! The comment's size budget: blocks of ranked importance (`Tier`), left out least important
//! first until the comment fits, and the note that says what was left out.

use super::sections::{join_and, plural};
use crate::numbers::count as grouped;

/// How important a block is: blocks are left out lowest tier first, the last of a tier first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Tier {
    Settled,
    MeetingBody,
    Changes,
    Chart,
    Evidence,
    Resolved,
    Touched,
    Finding,
    Problem,
    Footer,
    Context,
    /// The marker and the summary: never left out.
    Summary,
}

/// What a left-out unit counts as in the cut note, in the note's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Counted {
    Unchanged,
    Acknowledged,
    Improved,
    Meeting,
    Change,
    Chart,
    Evidence,
    Resolved,
    Touched,
    Finding,
    Problem,
}

impl Counted {
    const ALL: [Counted; 11] = [
        Counted::Unchanged,
        Counted::Acknowledged,
        Counted::Improved,
        Counted::Meeting,
        Counted::Change,
        Counted::Chart,
        Counted::Evidence,
        Counted::Resolved,
        Counted::Touched,
        Counted::Finding,
        Counted::Problem,
    ];

    pub(super) fn describe(self, n: usize) -> String {
        match self {
            Counted::Unchanged => plural(n, "unchanged finding", "unchanged findings"),
            Counted::Acknowledged => plural(n, "acknowledged finding", "acknowledged findings"),
            Counted::Improved => plural(n, "improved finding", "improved findings"),
            Counted::Meeting => format!(
                "the attendees and action items of {}",
                plural(n, "meeting", "meetings")
            ),
            Counted::Change => plural(n, "field change", "field changes"),
            Counted::Chart => plural(n, "chart", "charts"),
            Counted::Evidence => plural(n, "evidence item", "evidence items"),
            Counted::Resolved => plural(n, "resolved finding", "resolved findings"),
            Counted::Touched => plural(n, "partnership summary", "partnership summaries"),
            Counted::Finding => plural(n, "new or worsened finding", "new or worsened findings"),
            Counted::Problem => plural(n, "problem", "problems"),
        }
    }
}

/// A piece of the comment. A unit's blocks are kept or left out together; a frame (a section
/// heading, a `<details>` tag) is shown while any unit of its group is.
pub(super) struct Block {
    text: String,
    chars: usize,
    unit: Option<usize>,
    frame: Option<usize>,
}

pub(super) struct Unit {
    tier: Tier,
    counted: Option<(Counted, usize)>,
    groups: Vec<usize>,
    blocks: Vec<usize>,
}

#[derive(Default)]
pub(super) struct Doc {
    blocks: Vec<Block>,
    units: Vec<Unit>,
    groups: usize,
}

impl Doc {
    pub(super) fn group(&mut self) -> usize {
        self.groups += 1;
        self.groups - 1
    }

    pub(super) fn frame(&mut self, group: usize, text: String) {
        self.blocks.push(Block {
            chars: text.chars().count(),
            text,
            unit: None,
            frame: Some(group),
        });
    }

    pub(super) fn unit(
        &mut self,
        tier: Tier,
        counted: Option<(Counted, usize)>,
        groups: &[usize],
    ) -> usize {
        self.units.push(Unit {
            tier,
            counted,
            groups: groups.to_vec(),
            blocks: Vec::new(),
        });
        self.units.len() - 1
    }

    pub(super) fn add(&mut self, unit: usize, text: String) {
        let index = self.blocks.len();
        self.blocks.push(Block {
            chars: text.chars().count(),
            text,
            unit: Some(unit),
            frame: None,
        });
        if let Some(unit) = self.units.get_mut(unit) {
            unit.blocks.push(index);
        }
    }

    /// A unit of one block.
    pub(super) fn single(
        &mut self,
        tier: Tier,
        counted: Option<(Counted, usize)>,
        groups: &[usize],
        text: String,
    ) {
        let unit = self.unit(tier, counted, groups);
        self.add(unit, text);
    }

    /// The comment in at most `limit` characters: units are left out, lowest tier first and the
    /// last of a tier first, until the rest and the note saying what was left out fit. The note
    /// goes before the `before` unit's blocks (the footer) or last.
    pub(super) fn fit(self, limit: usize, before: Option<usize>) -> String {
        let unit_chars: Vec<usize> = self
            .units
            .iter()
            .map(|u| u.blocks.iter().map(|&b| self.blocks[b].chars).sum())
            .collect();
        let mut frame_chars = vec![0; self.groups];
        for block in &self.blocks {
            if let Some(group) = block.frame {
                frame_chars[group] += block.chars;
            }
        }
        let mut live = vec![0usize; self.groups];
        for unit in &self.units {
            for &group in &unit.groups {
                live[group] += 1;
            }
        }
        let mut total: usize = unit_chars.iter().sum::<usize>()
            + (0..self.groups)
                .filter(|&g| live[g] > 0)
                .map(|g| frame_chars[g])
                .sum::<usize>();
        let mut order: Vec<usize> = (0..self.units.len())
            .filter(|&u| self.units[u].tier < Tier::Summary)
            .collect();
        order.sort_by_key(|&u| (self.units[u].tier, std::cmp::Reverse(u)));
        let mut kept = vec![true; self.units.len()];
        let mut cut = [0usize; Counted::ALL.len()];
        let mut next = order.into_iter();
        let note = loop {
            let note = cut_note(limit, &cut, true);
            if total + note.chars().count() <= limit {
                break note;
            }
            let Some(u) = next.next() else {
                // Everything that may go has gone: say it shorter, or not at all.
                let short = cut_note(limit, &cut, false);
                break if total + short.chars().count() <= limit {
                    short
                } else {
                    String::new()
                };
            };
            kept[u] = false;
            total -= unit_chars[u];
            for &group in &self.units[u].groups {
                live[group] -= 1;
                if live[group] == 0 {
                    total -= frame_chars[group];
                }
            }
            if let Some((counted, n)) = self.units[u].counted {
                cut[counted as usize] += n;
            }
        };
        let mut out = String::new();
        let mut noted = false;
        for block in &self.blocks {
            let shown = match (block.unit, block.frame) {
                (Some(u), _) => kept[u],
                (None, group) => group.is_some_and(|g| live[g] > 0),
            };
            if !shown {
                continue;
            }
            if !noted && block.unit.is_some() && block.unit == before {
                out.push_str(&note);
                noted = true;
            }
            out.push_str(&block.text);
        }
        if !noted {
            out.push_str(&note);
        }
        // Only when the summary alone is over the limit: whole lines go from the end.
        while out.chars().count() > limit {
            let end = out
                .trim_end_matches('\n')
                .rfind('\n')
                .map_or(0, |at| at + 1);
            out.truncate(end);
        }
        out
    }
}

/// The line saying what was left out, empty when nothing was.
pub(super) fn cut_note(limit: usize, cut: &[usize], long: bool) -> String {
    if cut.iter().all(|&n| n == 0) {
        return String::new();
    }
    if !long {
        return format!(
            "\n_Cut to fit the {}-character limit; run `rapport report` locally for the whole report._\n",
            grouped(limit)
        );
    }
    let parts: Vec<String> = Counted::ALL
        .iter()
        .filter(|&&c| cut[c as usize] > 0)
        .map(|&c| c.describe(cut[c as usize]))
        .collect();
    format!(
        "\n_Cut to fit the {}-character comment limit: {} left out; run `rapport report` locally for the whole report._\n",
        grouped(limit),
        join_and(&parts)
    )
}
