//! The Markdown body of a partnership file: dated meeting sections, their `Attendees:` lines and
//! task-list action items, each with the line it stands on.

use std::sync::Arc;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use super::date::Date;
use super::model::Side;
use super::written_date::{self, Leading};

/// What the body of a partnership file says, in structured form.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Body {
    pub meetings: Vec<Meeting>,
    /// Action items outside any meeting section.
    pub loose_items: Vec<ActionItem>,
    /// Dated level-2 headings Markdown does not read as headings (inside an HTML comment or
    /// block, a code block): meetings that are not read. Those swallowed by something not
    /// closed (an unclosed `<!--` or fence, an HTML block, an indented code block) also give a
    /// located warning.
    #[serde(skip)]
    pub hidden: Vec<HiddenMeeting>,
}

/// A meeting heading Markdown reads as part of something else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HiddenMeeting {
    pub date: Date,
    pub title: String,
    /// 1-based line of the heading in the file.
    pub line: usize,
}

/// A level-2 heading that starts with a date, and everything up to the next level-2 heading.
/// Read through [`MeetingData`]; cloning it is cheap, so the versions of a file share the
/// meetings they have in common instead of each holding its own copy.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Meeting(Arc<MeetingData>);

impl std::ops::Deref for Meeting {
    type Target = MeetingData;

    fn deref(&self) -> &MeetingData {
        &self.0
    }
}

impl From<MeetingData> for Meeting {
    fn from(data: MeetingData) -> Meeting {
        Meeting(Arc::new(data))
    }
}

impl Meeting {
    /// The same meeting `by` lines lower (higher when negative) in the file: shared when it
    /// does not move.
    pub(crate) fn moved(&self, by: isize) -> Meeting {
        if by == 0 {
            return self.clone();
        }
        let mut data = MeetingData::clone(&self.0);
        data.line = data.line.saturating_add_signed(by);
        for item in &mut data.items {
            item.line = item.line.saturating_add_signed(by);
        }
        Meeting::from(data)
    }
}

/// What a [`Meeting`] holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeetingData {
    pub date: Date,
    /// The heading text after the date.
    pub title: String,
    /// 1-based line of the heading in the file.
    pub line: usize,
    pub attendees: Vec<String>,
    pub items: Vec<ActionItem>,
    /// The section's prose (headings, paragraphs and list text), for vocabulary rules.
    pub text: Arc<str>,
}

/// A task-list item, optionally owned by one side and with a due date.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ActionItem {
    pub text: String,
    pub owner: Option<Side>,
    pub due: Option<Date>,
    pub done: bool,
    /// 1-based line in the file.
    pub line: usize,
}

impl Body {
    /// Every action item, meeting items first in order, then loose ones.
    pub fn items(&self) -> impl Iterator<Item = &ActionItem> {
        self.meetings
            .iter()
            .flat_map(|m| m.items.iter())
            .chain(self.loose_items.iter())
    }
}

/// A problem found in the body, with its 1-based line: an impossible meeting or due date (an
/// error), or something written in a form rapport does not read (a warning: the file stays
/// valid, and the user hears what was not counted).
#[derive(Clone, Debug, PartialEq)]
pub struct BodyProblem {
    pub line: usize,
    pub column: usize,
    pub code: &'static str,
    pub message: String,
    pub help: String,
    pub warning: bool,
}

impl BodyProblem {
    fn error(line: usize, column: usize, message: String, help: &str) -> BodyProblem {
        BodyProblem {
            line,
            column,
            code: "invalid-date",
            message,
            help: help.to_string(),
            warning: false,
        }
    }

    fn warning(
        line: usize,
        column: usize,
        code: &'static str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> BodyProblem {
        BodyProblem {
            line,
            column,
            code,
            message: message.into(),
            help: help.into(),
            warning: true,
        }
    }
}

/// Parses a body whose first line is line `first_line` of the file.
pub fn parse_body(text: &str, first_line: usize) -> (Body, Vec<BodyProblem>) {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| -> usize {
        first_line
            + line_starts
                .partition_point(|&start| start <= offset)
                .saturating_sub(1)
    };

    let mut body = Body::default();
    let mut problems = Vec::new();
    let mut current: Option<MeetingData> = None;
    // The prose of the current meeting, moved into it when the meeting ends.
    let mut prose = String::new();
    // A level-2 heading being read, its text and line.
    let mut heading: Option<(String, usize)> = None;
    // The task item being read: done flag, text so far, line.
    let mut item: Option<(bool, String, usize)> = None;
    // The paragraph being read, where an `Attendees:` line may stand.
    let mut paragraph: Option<String> = None;
    // The lines of the level-2 headings Markdown read, and the blocks that can swallow one.
    let mut read_headings: Vec<usize> = Vec::new();
    let mut swallowing: Vec<Swallowing> = Vec::new();

    let flush_item = |item: (bool, String, usize),
                      current: &mut Option<MeetingData>,
                      body: &mut Body,
                      problems: &mut Vec<BodyProblem>| {
        let (done, text, line) = item;
        let parsed = parse_item(text.trim(), done, line, problems);
        match current {
            Some(meeting) => meeting.items.push(parsed),
            None => body.loose_items.push(parsed),
        }
    };

    let parser = Parser::new_ext(
        text,
        Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => {
                if let Some(done) = item.take() {
                    flush_item(done, &mut current, &mut body, &mut problems);
                }
                if let Some(mut meeting) = current.take() {
                    meeting.text = std::mem::take(&mut prose).into();
                    body.meetings.push(meeting.into());
                }
                heading = Some((String::new(), line_of(range.start)));
                read_headings.push(line_of(range.start));
            }
            Event::Start(Tag::HtmlBlock) => swallowing.push(Swallowing {
                kind: if text[range.clone()].trim_start().starts_with("<!--") {
                    Swallower::Comment
                } else {
                    Swallower::Html
                },
                range,
            }),
            Event::Start(Tag::CodeBlock(kind)) => swallowing.push(Swallowing {
                kind: match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(_) => Swallower::Fence,
                    pulldown_cmark::CodeBlockKind::Indented => Swallower::Indented,
                },
                range,
            }),
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((title, line)) = heading.take() {
                    current = start_meeting(title.trim(), line, &mut problems);
                }
            }
            Event::End(TagEnd::Heading(_)) if current.is_some() => prose.push('\n'),
            Event::TaskListMarker(done) => {
                if let Some(open) = item.take() {
                    flush_item(open, &mut current, &mut body, &mut problems);
                }
                item = Some((done, String::new(), line_of(range.start)));
            }
            Event::End(TagEnd::Item) => {
                if let Some(done) = item.take() {
                    flush_item(done, &mut current, &mut body, &mut problems);
                }
            }
            Event::Start(Tag::Item) => {
                // A nested list item ends the text of its parent task.
                if let Some(open) = item.take() {
                    flush_item(open, &mut current, &mut body, &mut problems);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((title, _)) = heading.as_mut() {
                    title.push_str(&t);
                    continue;
                }
                if let Some((_, text, _)) = item.as_mut() {
                    text.push_str(&t);
                }
                if let Some(paragraph) = paragraph.as_mut() {
                    paragraph.push_str(&t);
                }
                if current.is_some() {
                    prose.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((title, _)) = heading.as_mut() {
                    title.push(' ');
                    continue;
                }
                if let Some((_, text, _)) = item.as_mut() {
                    text.push(' ');
                }
                if let Some(paragraph) = paragraph.as_mut() {
                    paragraph.push('\n');
                }
                if current.is_some() {
                    prose.push('\n');
                }
            }
            Event::Start(Tag::Paragraph) => paragraph = Some(String::new()),
            Event::End(TagEnd::Paragraph) => {
                let text = paragraph.take().unwrap_or_default();
                if let Some(meeting) = current.as_mut() {
                    for line in text.lines() {
                        if let Some(names) = attendees_line(line) {
                            meeting.attendees.extend(names);
                        }
                    }
                    prose.push('\n');
                }
            }
            _ => {}
        }
    }
    if let Some(open) = item.take() {
        flush_item(open, &mut current, &mut body, &mut problems);
    }
    if let Some(mut meeting) = current.take() {
        meeting.text = prose.into();
        body.meetings.push(meeting.into());
    }
    body.hidden = hidden_meetings(text, &read_headings, &swallowing, &line_of, &mut problems);
    (body, problems)
}

/// A meeting's title: the heading after its date (the first `len` bytes), without the
/// separator written after the date.
fn meeting_title(heading: &str, len: usize) -> String {
    heading[len..]
        .trim_start_matches([':', '：', '-', '–', '—', '|', '·'])
        .trim()
        .to_string()
}

/// Whether a fenced code block's text ends with a closing fence: a line of at least as many of
/// the opening fence's character, and nothing else.
fn fence_closed(block: &str) -> bool {
    let mut lines = block.trim_end().lines();
    let opening = lines.next().unwrap_or_default().trim_start();
    let Some(mark) = opening.chars().next().filter(|c| matches!(c, '`' | '~')) else {
        return false;
    };
    let width = opening.chars().take_while(|c| *c == mark).count();
    lines.next_back().is_some_and(|last| {
        let last = last.trim();
        last.chars().all(|c| c == mark) && last.chars().count() >= width
    })
}

/// What can swallow a meeting heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Swallower {
    /// An HTML comment, `<!--` up to `-->` (or the end of the file).
    Comment,
    /// Another HTML block, up to the next blank line.
    Html,
    /// A fenced code block, up to its closing fence (or the end of the file).
    Fence,
    /// Lines indented four spaces or more.
    Indented,
}

struct Swallowing {
    kind: Swallower,
    range: std::ops::Range<usize>,
}

/// The dated level-2 headings written at the start of a line that Markdown did not read as
/// headings, each with a warning naming what swallowed it and where that began. A fenced code
/// block or an HTML comment closed after the heading is an example or a note the writer meant
/// (a meeting template in a code block): no warning, but the heading is still listed.
fn hidden_meetings(
    text: &str,
    read: &[usize],
    swallowing: &[Swallowing],
    line_of: &dyn Fn(usize) -> usize,
    problems: &mut Vec<BodyProblem>,
) -> Vec<HiddenMeeting> {
    let mut hidden = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let at = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start_matches(' ').len();
        let Some(title) = line[indent..]
            .strip_prefix("##")
            .filter(|rest| rest.starts_with([' ', '\t']))
            .map(str::trim)
        else {
            continue;
        };
        let Leading::Read { date, len } = written_date::leading(title) else {
            continue;
        };
        let number = line_of(at);
        if read.contains(&number) {
            continue;
        }
        let Some(block) = swallowing
            .iter()
            .find(|b| b.range.start <= at && at < b.range.end)
        else {
            continue;
        };
        let block_text = &text[block.range.clone()];
        let closed = match block.kind {
            Swallower::Comment => block_text.contains("-->"),
            Swallower::Fence => fence_closed(block_text),
            Swallower::Html | Swallower::Indented => false,
        };
        let meeting = HiddenMeeting {
            date,
            title: meeting_title(title, len),
            line: number,
        };
        // Kept either way: a change that comments out a meeting the base read still hides it.
        hidden.push(meeting);
        if closed {
            continue;
        }
        let began = line_of(block.range.start);
        let (what, help) = match block.kind {
            Swallower::Comment => (
                format!("an HTML comment opened at line {began} and not closed before it"),
                "close the comment with `-->` before this heading (or delete the stray `<!--`)",
            ),
            Swallower::Html => (
                format!("an HTML block that begins at line {began}"),
                "leave a blank line between the HTML and this heading",
            ),
            Swallower::Fence => (
                format!("a code block opened at line {began} and not closed before it"),
                "close the code block with its fence (```) before this heading",
            ),
            Swallower::Indented => (
                format!("an indented code block at line {began}"),
                "start the heading at the beginning of the line",
            ),
        };
        problems.push(BodyProblem::warning(
            number,
            indent + 1,
            "hidden-meeting",
            format!(
                "this meeting heading is inside {what}, so Markdown does not read it as a heading: the meeting, its attendees and action items count for nothing"
            ),
            help,
        ));
    }
    hidden
}

fn start_meeting(title: &str, line: usize, problems: &mut Vec<BodyProblem>) -> Option<MeetingData> {
    match written_date::leading(title) {
        Leading::Read { date, len } => Some(MeetingData {
            date,
            title: meeting_title(title, len),
            line,
            attendees: Vec::new(),
            items: Vec::new(),
            text: "".into(),
        }),
        Leading::Impossible { message } => {
            problems.push(BodyProblem::error(
                line,
                4,
                format!("meeting heading: {message}"),
                "a meeting is a level-2 heading starting with a real date, like `## 2024-06-12 Quarterly business review`",
            ));
            None
        }
        Leading::Unread { written, meanings } => {
            let rest = title[written.len()..].trim();
            let help = match Leading::rewrite(&meanings) {
                Some(rewrite) => format!(
                    "write the date as {rewrite}: `## {}{}{rest}`",
                    meanings.first().map(Date::to_string).unwrap_or_default(),
                    if rest.is_empty() { "" } else { " " }
                ),
                None => {
                    "no such day: write the meeting's real date as YYYY-MM-DD (or 2024年6月12日)"
                        .to_string()
                }
            };
            problems.push(BodyProblem::warning(
                line,
                4,
                "unread-meeting-date",
                format!(
                    "`{written}` is not a date form rapport reads, so this section is not read as a meeting: its attendees, action items and notes count for nothing"
                ),
                help,
            ));
            None
        }
        Leading::Nothing => None,
    }
}

fn attendees_line(line: &str) -> Option<Vec<String>> {
    let line = line.trim();
    let rest = line
        .strip_prefix("Attendees:")
        .or_else(|| line.strip_prefix("attendees:"))
        .or_else(|| line.strip_prefix("参会人员："))
        .or_else(|| line.strip_prefix("参会人员:"))?;
    Some(
        rest.split([',', '，', '、', ';'])
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// The owner sides an item may start with, in any case, and the Chinese labels teams write
/// for them (合作方, the partner side; 我方, our side).
const OWNERS: [(&str, Side); 4] = [
    ("partner", Side::Partner),
    ("ours", Side::Ours),
    ("合作方", Side::Partner),
    ("我方", Side::Ours),
];

/// Labels that mean one side but are not written the way rapport reads it.
fn owner_meant(label: &str) -> Option<&'static str> {
    let label = label.to_lowercase();
    if ["our", "us", "we", "ourselves", "我们"].contains(&label.as_str()) {
        return Some("ours");
    }
    if ["合作伙伴", "伙伴", "对方"].contains(&label.as_str()) {
        return Some("partner");
    }
    let typo = label.chars().count() >= 5 && strsim::levenshtein(&label, "partner") <= 2;
    typo.then_some("partner")
}

/// Splits an owner label (`partner:`, `PARTNER：`) off the front of an item's text.
fn owner_label(text: &str) -> Option<(&str, &str)> {
    let colon = text.find([':', '：'])?;
    let label = &text[..colon];
    let separator = text[colon..].chars().next().map_or(1, char::len_utf8);
    (!label.is_empty() && label.chars().count() <= 12 && !label.contains(char::is_whitespace))
        .then(|| (label, text[colon + separator..].trim_start()))
}

fn parse_item(text: &str, done: bool, line: usize, problems: &mut Vec<BodyProblem>) -> ActionItem {
    let mut owner = None;
    let mut rest = text;
    if let Some((label, after)) = owner_label(text) {
        match OWNERS
            .iter()
            .find(|(name, _)| label.eq_ignore_ascii_case(name))
        {
            Some((_, side)) => {
                owner = Some(*side);
                rest = after;
            }
            None => {
                if let Some(meant) = owner_meant(label) {
                    problems.push(BodyProblem::warning(
                        line,
                        1,
                        "unread-item-owner",
                        format!("`{label}:` is not an owner rapport reads, so this action item counts as nobody's"),
                        format!("did you mean `{meant}:`? an item's owner is `partner:` or `ours:` (any case), or `合作方：` or `我方：`"),
                    ));
                }
            }
        }
    }
    let (due, text) = read_due(rest, line, problems);
    ActionItem {
        text,
        owner,
        due,
        done,
        line,
    }
}

/// The markers that open a due date, in half- or full-width parentheses, and whether a date may
/// follow without a space (`（截止2024-07-01）`; `(due2024` is not a marker).
const DUE_MARKERS: [(&str, bool); 6] = [
    ("(due", false),
    ("（due", false),
    ("(截止", true),
    ("（截止", true),
    ("(截止日期", true),
    ("（截止日期", true),
];

/// The due date of an item's text, `(due 2024-06-30)`, `(Due: 2024年6月30日)`,
/// `（due 2024-06-30）`, `（截止 2024-06-30）`, and the text without it. A due date written another
/// way is left in the text, with a warning.
fn read_due(text: &str, line: usize, problems: &mut Vec<BodyProblem>) -> (Option<Date>, String) {
    let lower = text.to_ascii_lowercase();
    let marker = DUE_MARKERS
        .iter()
        .filter_map(|(marker, joined)| {
            lower.rmatch_indices(marker).find(|(at, _)| {
                lower[at + marker.len()..].chars().next().is_some_and(|c| {
                    c == ':' || c == '：' || c.is_whitespace() || (*joined && c.is_ascii_digit())
                })
            })
        })
        .max_by_key(|(at, _)| *at);
    let Some((start, marker)) = marker else {
        let loose_due = lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == "due" || w == "deadline")
            || text.contains("截止")
            || text.contains("到期");
        if loose_due && written_date::mentions_date(text) {
            problems.push(BodyProblem::warning(
                line,
                1,
                "unread-due-date",
                "this action item mentions a due date rapport does not read, so it counts as having none",
                "write the due date as `(due YYYY-MM-DD)` at the end of the item",
            ));
        }
        return (None, text.to_string());
    };
    let Some(len) = text[start..].find([')', '）']) else {
        problems.push(BodyProblem::warning(
            line,
            1,
            "unread-due-date",
            "this action item's `(due …` is never closed, so rapport does not read its due date",
            "write the due date as `(due YYYY-MM-DD)` with the closing parenthesis",
        ));
        return (None, text.to_string());
    };
    let close = text[start + len..].chars().next().map_or(1, char::len_utf8);
    let inner = text[start + marker.len()..start + len]
        .trim_start_matches([':', '：'])
        .trim();
    let without = || {
        format!("{}{}", &text[..start], &text[start + len + close..])
            .trim()
            .to_string()
    };
    match written_date::leading(inner) {
        Leading::Read { date, len } if inner[len..].trim().is_empty() => (Some(date), without()),
        Leading::Impossible { message } => {
            problems.push(BodyProblem::error(
                line,
                1,
                format!("action item due date: {message}"),
                "write the due date as `(due YYYY-MM-DD)` with a real date",
            ));
            (None, text.to_string())
        }
        Leading::Unread { meanings, .. } => {
            let help = match Leading::rewrite(&meanings) {
                Some(rewrite) => format!(
                    "write the due date as {rewrite}: `(due {})`",
                    meanings.first().map(Date::to_string).unwrap_or_default()
                ),
                None => "no such day: write a real due date as `(due YYYY-MM-DD)`".to_string(),
            };
            problems.push(BodyProblem::warning(
                line,
                1,
                "unread-due-date",
                format!("the due date `{inner}` is not a date form rapport reads, so this action item counts as having none"),
                help,
            ));
            (None, text.to_string())
        }
        _ => {
            problems.push(BodyProblem::warning(
                line,
                1,
                "unread-due-date",
                format!("the due date `{inner}` is not a date rapport reads, so this action item counts as having none"),
                "write the due date as `(due YYYY-MM-DD)`",
            ));
            (None, text.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "# Northwind Analytics

Intro paragraph.

- [ ] ours: a loose item

## 2024-06-12 Quarterly business review
Attendees: Dana Whitfield, Priya Raman

Pipeline is behind plan.

- [ ] partner: send revised enablement plan (due 2024-06-30)
- [x] ours: share the Q3 forecast
- [ ] follow up on `SSO`

## Background

Not a meeting.

## 2024-07-01 Escalation call
Attendees: Dana Whitfield

- [X] partner: fix the P1 backlog
";

    #[test]
    fn reads_meetings_attendees_and_items() {
        let (body, problems) = parse_body(BODY, 10);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(body.meetings.len(), 2);
        let qbr = &body.meetings[0];
        assert_eq!(qbr.date.to_string(), "2024-06-12");
        assert_eq!(qbr.title, "Quarterly business review");
        assert_eq!(qbr.line, 16);
        assert_eq!(qbr.attendees, vec!["Dana Whitfield", "Priya Raman"]);
        assert_eq!(qbr.items.len(), 3);
        assert_eq!(qbr.items[0].owner, Some(Side::Partner));
        assert_eq!(qbr.items[0].text, "send revised enablement plan");
        assert_eq!(
            qbr.items[0].due.map(|d| d.to_string()).as_deref(),
            Some("2024-06-30")
        );
        assert!(!qbr.items[0].done);
        assert_eq!(qbr.items[0].line, 21);
        assert_eq!(qbr.items[1].owner, Some(Side::Ours));
        assert!(qbr.items[1].done);
        assert_eq!(qbr.items[2].owner, None);
        assert_eq!(qbr.items[2].text, "follow up on SSO");
        assert!(qbr.text.contains("Pipeline is behind plan."));
        assert!(
            !qbr.text.contains("Not a meeting"),
            "a non-dated heading ends the meeting"
        );
        let call = &body.meetings[1];
        assert!(call.items[0].done, "an upper-case X is checked too");
        assert_eq!(body.loose_items.len(), 1);
        assert_eq!(body.loose_items[0].line, 14);
    }

    #[test]
    fn reports_impossible_dates_in_the_body() {
        let (body, problems) = parse_body(
            "## 2024-02-30 Call\n\n- [ ] partner: x (due 2024-13-01)\n",
            1,
        );
        assert!(body.meetings.is_empty());
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].line, 1);
        assert!(problems[0].message.contains("February 2024 has 29 days"));
        assert_eq!(problems[1].line, 3);
        assert!(problems[1].message.contains("no month 13"));
    }

    #[test]
    fn reads_chinese_attendees() {
        let (body, _) = parse_body("## 2024-06-12 季度业务回顾\n参会人员：王伟、李娜\n", 1);
        assert_eq!(body.meetings[0].attendees, vec!["王伟", "李娜"]);
    }

    #[test]
    fn reads_chinese_meeting_headings() {
        let (body, problems) = parse_body(
            "## 2024年9月12日 季度业务回顾\n参会人员：王伟、李娜\n\n- [ ] 合作方的渠道计划\n",
            1,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(body.meetings[0].date.to_string(), "2024-09-12");
        assert_eq!(body.meetings[0].title, "季度业务回顾");
        assert_eq!(body.meetings[0].items.len(), 1);
    }

    #[test]
    fn warns_of_date_like_headings_with_the_iso_rewrite() {
        let text = "## 2024/06/12 QBR\n\n- [ ] partner: send plan\n\n## 12.06.2024 Sync\n\n## June 12, 2024\n\n## 2024 roadmap\n\n## Background\n";
        let (body, problems) = parse_body(text, 10);
        assert!(body.meetings.is_empty());
        let shown: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.line, p.code, p.help.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    10,
                    "unread-meeting-date",
                    "write the date as `2024-06-12`: `## 2024-06-12 QBR`"
                ),
                (
                    14,
                    "unread-meeting-date",
                    "write the date as `2024-06-12`: `## 2024-06-12 Sync`"
                ),
                (
                    16,
                    "unread-meeting-date",
                    "write the date as `2024-06-12`: `## 2024-06-12`"
                ),
            ]
        );
        assert!(problems.iter().all(|p| p.warning));
    }

    #[test]
    fn reads_owners_in_any_case_and_due_dates_with_a_colon() {
        let (body, problems) = parse_body(
            "## 2024-06-12 Call\n\n- [ ] Partner: send plan (due: 2024-06-30)\n- [ ] PARTNER: name a lead (Due 2024-07-15)\n- [ ] Ours： share forecast (due 2024年7月1日)\n",
            1,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let items = &body.meetings[0].items;
        let read: Vec<(Option<Side>, &str, String)> = items
            .iter()
            .map(|i| {
                (
                    i.owner,
                    i.text.as_str(),
                    i.due.map(|d| d.to_string()).unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                (Some(Side::Partner), "send plan", "2024-06-30".to_string()),
                (Some(Side::Partner), "name a lead", "2024-07-15".to_string()),
                (Some(Side::Ours), "share forecast", "2024-07-01".to_string()),
            ]
        );
    }

    #[test]
    fn reads_chinese_owner_labels_and_full_width_due_dates() {
        let (body, problems) = parse_body(
            "## 2024-06-12 双周例会\n\n- [ ] 合作方：提交联合方案（截止 2024-07-01）\n- [ ] 我方：安排渠道培训（due 2024-07-15）\n- [x] 合作方: 确认报价(截止日期：2024年6月30日)\n- [ ] 我方：更新预测（截止2024-08-01）\n",
            1,
        );
        assert_eq!(problems, []);
        let items: Vec<(Option<Side>, String, &str)> = body.meetings[0]
            .items
            .iter()
            .map(|i| {
                (
                    i.owner,
                    i.due.map(|d| d.to_string()).unwrap_or_default(),
                    i.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            items,
            [
                (Some(Side::Partner), "2024-07-01".into(), "提交联合方案"),
                (Some(Side::Ours), "2024-07-15".into(), "安排渠道培训"),
                (Some(Side::Partner), "2024-06-30".into(), "确认报价"),
                (Some(Side::Ours), "2024-08-01".into(), "更新预测"),
            ]
        );
    }

    #[test]
    fn warns_of_owners_and_due_dates_it_cannot_read() {
        let (body, problems) = parse_body(
            "## 2024-06-12 Call\n\n- [ ] Partnr: send plan\n- [ ] partner: name a lead (due next Friday)\n- [ ] ours: share forecast (due 30/06/2024)\n- [ ] partner: sign the SOW, due 2024/07/01\n- [ ] partner: 提交渠道计划，截止2024年7月1日\n- [ ] 合作伙伴：提交联合方案\n",
            1,
        );
        let shown: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            shown,
            [
                (3, "unread-item-owner"),
                (4, "unread-due-date"),
                (5, "unread-due-date"),
                (6, "unread-due-date"),
                (7, "unread-due-date"),
                (8, "unread-item-owner"),
            ]
        );
        assert!(problems[0].help.contains("did you mean `partner:`?"));
        assert!(
            problems[2].help.contains("`2024-06-30`"),
            "{}",
            problems[2].help
        );
        let items = &body.meetings[0].items;
        assert_eq!(items[0].owner, None);
        assert!(items.iter().all(|i| i.due.is_none()));
    }

    #[test]
    fn headings_swallowed_by_html_or_code_are_named_with_what_swallowed_them() {
        // A `<details>` with no blank line before the meeting: one HTML block.
        let text = "<details>\n## 2024年6月12日 季度业务回顾\n参会人员：王磊\n</details>\n\n## 2024-07-01 Sync\n";
        let (body, problems) = parse_body(text, 10);
        assert_eq!(body.meetings.len(), 1);
        assert_eq!(
            body.hidden,
            [HiddenMeeting {
                date: Date::parse("2024-06-12").expect("a date"),
                title: "季度业务回顾".into(),
                line: 11,
            }]
        );
        let found: Vec<(usize, usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column, p.code, p.message.as_str()))
            .collect();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].0, found[0].1, found[0].2),
            (11, 1, "hidden-meeting")
        );
        assert!(
            found[0].3.contains("an HTML block that begins at line 10"),
            "{found:?}"
        );
        // A closed comment and a closed fence: listed as not read, no warning.
        let text = "<!--\n## 2024-05-01 Draft\n-->\n\n~~~~\n## 2024-05-02 Example\n~~~~\n";
        let (body, problems) = parse_body(text, 1);
        assert_eq!(body.hidden.len(), 2);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn near_misses_stay_silent() {
        let (body, problems) = parse_body(
            "## 2024-06-12 Call\n\n- [ ] Note: the SSO work slipped\n- [ ] ours: send the due diligence pack\n- [ ] partner: review the 2024-06-12 minutes\n- [ ] Hours: log the workshop\n",
            1,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(body.meetings[0].items[0].text, "Note: the SSO work slipped");
    }
}
