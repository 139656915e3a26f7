//! Parsing many versions of the same files: a version usually repeats most of the one before it
//! (the same front matter, the same meeting sections plus a new one), so the parts already seen
//! are reused instead of parsed again. The result is exactly what a fresh parse gives.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Snapshot;
use super::body::{Body, BodyProblem, parse_body};
use super::diagnostic::Diagnostic;
use super::front_fields::{self, Field};
use super::ladder::Ladder;
use super::model::FrontMatter;
use super::parse::parse_reusing;

type Front = (Option<std::sync::Arc<FrontMatter>>, Vec<Diagnostic>);

/// The last parsed front matter and body sections of each file, shared between threads.
/// Versions of a file mostly repeat the version before them, so remembering one version per
/// file finds most repeats while keeping memory to one version's worth per file.
/// Each thread has its own: threads read a file's history in runs of versions far apart, and
/// one shared entry, replaced by each in turn, would hold a version far from the one the
/// other thread reads next (a 2,000-version timeline parsed every meeting again, 300 MB).
/// One cache serves one ladder, since validation depends on it.
pub struct ParseCache {
    ladder: Ladder,
    fronts: Mutex<HashMap<Slot, (String, Front)>>,
    fields: Mutex<Fields>,
    sections: Mutex<HashMap<Slot, Sections>>,
}

/// Top-level front matter fields read alone (see `front_fields`), by their lines. Shared by
/// every file and thread: a field reads the same whichever file writes it, and most are
/// written alike across a ledger (`rapport: 1`, `status: active`, an owner); a file's next
/// version finds the fields it did not change. Emptied when it reaches [`MAX_FIELDS`].
type Fields = foldhash::HashMap<String, Arc<Field>>;

/// The most fields [`Fields`] holds: a few hundred versions' worth.
const MAX_FIELDS: usize = 4096;

/// A file, and the thread that read it last (`usize::MAX` outside the thread pool).
type Slot = (String, usize);

fn slot(file: &str) -> Slot {
    (
        file.to_string(),
        rayon::current_thread_index().unwrap_or(usize::MAX),
    )
}

/// Parsed body sections by their text, as they stood in the last version.
type Sections = foldhash::HashMap<String, Placed>;

impl ParseCache {
    pub fn new(ladder: Ladder) -> ParseCache {
        ParseCache {
            ladder,
            fronts: Mutex::default(),
            fields: Mutex::default(),
            sections: Mutex::default(),
        }
    }

    /// The ladder versions are validated against.
    pub fn ladder(&self) -> &Ladder {
        &self.ladder
    }

    /// Forgets what was remembered of `file`: a reader done with a file's history calls it, so
    /// the cache holds only the files being read, not the whole ledger.
    pub fn forget(&self, file: &str) {
        lock(&self.fronts).retain(|(f, _), _| f != file);
        lock(&self.sections).retain(|(f, _), _| f != file);
    }

    /// Parses one partnership file like [`super::parse::parse_partnership`].
    pub fn parse(&self, file: &str, bytes: &[u8]) -> Result<Snapshot, Vec<Diagnostic>> {
        parse_reusing(file, bytes, &self.ladder, Some(self))
    }

    /// The front matter of `file` with this text; its lines do not depend on anything after it,
    /// so a remembered result is exact. `parse` is given the front matter read field by field,
    /// the fields read before taken as they were, when it can be read so.
    pub(crate) fn front(
        &self,
        file: &str,
        text: &str,
        parse: impl FnOnce(Option<super::FrontMatter>) -> Front,
    ) -> Front {
        let slot = slot(file);
        if let Some((seen, front)) = lock(&self.fronts).get(&slot)
            && seen == text
        {
            return front.clone();
        }
        let parsed = parse(self.read_alone(text));
        lock(&self.fronts).insert(slot, (text.to_string(), parsed.clone()));
        parsed
    }

    /// The front matter read one field at a time (see `front_fields`), each field read before
    /// taken as it was.
    fn read_alone(&self, text: &str) -> Option<super::FrontMatter> {
        front_fields::assemble(text, |lines| {
            if let Some(field) = lock(&self.fields).get(lines) {
                return Some(field.clone());
            }
            let field = Arc::new(front_fields::read_field(lines)?);
            let mut fields = lock(&self.fields);
            if fields.len() >= MAX_FIELDS {
                fields.clear();
            }
            fields.insert(lines.to_string(), field.clone());
            Some(field)
        })
    }

    /// The body of `file`, parsed one level-2 section at a time; sections seen in the file's
    /// last version are reused, their meetings shared when they stand on the same lines and
    /// moved to where they now stand otherwise.
    pub(crate) fn body(
        &self,
        file: &str,
        text: &str,
        first_line: usize,
    ) -> (Body, Vec<BodyProblem>) {
        let Some(sections) = sections(text) else {
            return parse_body(text, first_line);
        };
        let slot = slot(file);
        let mut known = lock(&self.sections).remove(&slot).unwrap_or_default();
        let mut now = Sections::with_capacity_and_hasher(sections.len(), Default::default());
        let mut body = Body {
            meetings: Vec::with_capacity(sections.len()),
            ..Body::default()
        };
        let mut problems = Vec::new();
        for (offset, section) in sections {
            let shift = first_line + offset - 1;
            // A section seen before keeps its key: no copy of its text per version.
            let (key, seen) = match known.remove_entry(section) {
                Some((key, seen)) => (Some(key), Some(seen)),
                None => (None, now.get(section).cloned()),
            };
            let placed = match seen {
                Some(seen) => seen.moved_to(shift),
                None => {
                    let (part, part_problems) = parse_body(section, 1);
                    Placed {
                        shift: 0,
                        body: part,
                        problems: part_problems,
                    }
                    .moved_to(shift)
                }
            };
            body.meetings.extend(placed.body.meetings.iter().cloned());
            body.loose_items
                .extend(placed.body.loose_items.iter().cloned());
            body.hidden.extend(placed.body.hidden.iter().cloned());
            problems.extend(placed.problems.iter().cloned());
            now.insert(key.unwrap_or_else(|| section.to_string()), placed);
        }
        lock(&self.sections).insert(slot, now);
        // Every version of a file keeps its list of meetings: no room to spare in each.
        body.meetings.shrink_to_fit();
        (body, problems)
    }
}

/// A parsed section as it stood in a version: its lines moved down by `shift` from where they
/// stand in the section alone.
#[derive(Clone)]
struct Placed {
    shift: usize,
    body: Body,
    problems: Vec<BodyProblem>,
}

impl Placed {
    /// The same section moved so that its lines are `shift` lower than in the section alone.
    fn moved_to(self, shift: usize) -> Placed {
        if shift == self.shift {
            return self;
        }
        let by = shift.cast_signed() - self.shift.cast_signed();
        let line = |line: usize| line.saturating_add_signed(by);
        let Placed { body, problems, .. } = self;
        Placed {
            shift,
            body: Body {
                meetings: body.meetings.iter().map(|m| m.moved(by)).collect(),
                loose_items: body
                    .loose_items
                    .into_iter()
                    .map(|mut item| {
                        item.line = line(item.line);
                        item
                    })
                    .collect(),
                hidden: body
                    .hidden
                    .into_iter()
                    .map(|mut hidden| {
                        hidden.line = line(hidden.line);
                        hidden
                    })
                    .collect(),
            },
            problems: problems
                .into_iter()
                .map(|mut problem| {
                    problem.line = line(problem.line);
                    problem
                })
                .collect(),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a half-written entry: inserts are single calls.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Splits a body before each level-2 ATX heading at the start of a line, with each section's
/// line offset (0-based). `None` when the body holds constructs that could span such a line
/// (fenced code, HTML blocks, link reference definitions): those are parsed whole.
fn sections(text: &str) -> Option<Vec<(usize, &str)>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut start_line = 0;
    let mut offset = 0;
    for (line_no, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() <= 3
            && (trimmed.starts_with("```")
                || trimmed.starts_with("~~~")
                || trimmed.starts_with('<')
                || (trimmed.starts_with('[') && trimmed.contains("]:")))
        {
            return None;
        }
        if is_h2(line) && offset > start {
            out.push((start_line, &text[start..offset]));
            start = offset;
            start_line = line_no;
        }
        offset += line.len();
    }
    out.push((start_line, &text[start..]));
    Some(out)
}

fn is_h2(line: &str) -> bool {
    line.strip_prefix("##")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::parse::parse_partnership;

    const FILE: &str = "---
rapport: 1
partner: Northwind Analytics
status: active
owner: Priya Raman
terms: { payment_days: 30 }
---

# Northwind

- [ ] ours: a loose item

## 2024-06-12 Quarterly business review
Attendees: Dana Whitfield

- [ ] partner: send revised plan (due 2024-06-30)
- [x] ours: share the forecast

## Background

- [ ] not in a meeting

## 2024-07-01 Escalation call

- [ ] partner: fix it (due 2024-02-30)
";

    #[test]
    fn a_cached_parse_equals_a_fresh_one() {
        let cache = ParseCache::new(Ladder::default());
        let first = cache.parse("partners/nw.md", FILE.as_bytes());
        assert_eq!(
            first,
            parse_partnership("partners/nw.md", FILE.as_bytes(), &Ladder::default())
        );
        // The same sections again, shifted by a longer front matter and a new first section.
        let longer = FILE
            .replace(
                "terms: { payment_days: 30 }\n",
                "terms:\n  payment_days: 60\n",
            )
            .replace(
                "# Northwind\n",
                "# Northwind\n\n## 2024-05-01 Kick-off\n\n- [ ] ours: book a room\n",
            );
        let second = cache.parse("partners/nw.md", longer.as_bytes());
        let fresh = parse_partnership("partners/nw.md", longer.as_bytes(), &Ladder::default());
        assert_eq!(second, fresh);
        assert!(second.is_err(), "the impossible due date is reported");
    }

    #[test]
    fn fenced_code_is_parsed_whole() {
        assert!(sections("## 2024-01-01 A\n```\n## not a heading\n```\n").is_none());
        let parts = sections("intro\n## 2024-01-01 A\ntext\n##\n").unwrap_or_default();
        assert_eq!(parts.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 1, 3]);
    }
}
