//! The Markdown body of a partnership file: dated meeting sections, their `Attendees:` lines and
//! task-list action items, each with the line it stands on.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use super::date::Date;
use super::model::Side;

/// What the body of a partnership file says, in structured form.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Body {
    pub meetings: Vec<Meeting>,
    /// Action items outside any meeting section.
    pub loose_items: Vec<ActionItem>,
}

/// A level-2 heading that starts with a date, and everything up to the next level-2 heading.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Meeting {
    pub date: Date,
    /// The heading text after the date.
    pub title: String,
    /// 1-based line of the heading in the file.
    pub line: usize,
    pub attendees: Vec<String>,
    pub items: Vec<ActionItem>,
    /// The section's prose (headings, paragraphs and list text), for vocabulary rules. Shared:
    /// every later version of the file holds the same text.
    pub text: std::sync::Arc<str>,
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

/// A problem found in the body (an impossible meeting or due date), with its 1-based line.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: String,
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
    let mut current: Option<Meeting> = None;
    // The prose of the current meeting, moved into it when the meeting ends.
    let mut prose = String::new();
    // A level-2 heading being read, its text and line.
    let mut heading: Option<(String, usize)> = None;
    // The task item being read: done flag, text so far, line.
    let mut item: Option<(bool, String, usize)> = None;
    // The paragraph being read, where an `Attendees:` line may stand.
    let mut paragraph: Option<String> = None;

    let flush_item = |item: (bool, String, usize),
                      current: &mut Option<Meeting>,
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
                    body.meetings.push(meeting);
                }
                heading = Some((String::new(), line_of(range.start)));
            }
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
        body.meetings.push(meeting);
    }
    (body, problems)
}

fn start_meeting(title: &str, line: usize, problems: &mut Vec<BodyProblem>) -> Option<Meeting> {
    let head = title.split_whitespace().next()?;
    if !looks_like_date(head) {
        return None;
    }
    match Date::parse(head) {
        Ok(date) => Some(Meeting {
            date,
            title: title[head.len()..].trim().to_string(),
            line,
            attendees: Vec::new(),
            items: Vec::new(),
            text: "".into(),
        }),
        Err(message) => {
            problems.push(BodyProblem {
                line,
                column: 4,
                message: format!("meeting heading: {message}"),
                help: "a meeting is a level-2 heading starting with a real date, like `## 2024-06-12 Quarterly business review`".into(),
            });
            None
        }
    }
}

/// `NNNN-NN-NN`: the shape of a date, whether or not the date exists.
fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
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

fn parse_item(text: &str, done: bool, line: usize, problems: &mut Vec<BodyProblem>) -> ActionItem {
    let (owner, rest) = if let Some(rest) = text.strip_prefix("partner:") {
        (Some(Side::Partner), rest.trim_start())
    } else if let Some(rest) = text.strip_prefix("ours:") {
        (Some(Side::Ours), rest.trim_start())
    } else {
        (None, text)
    };
    let mut due = None;
    let mut text = rest.to_string();
    if let Some(start) = rest.rfind("(due ")
        && let Some(len) = rest[start..].find(')')
    {
        let inner = rest[start + 5..start + len].trim();
        match Date::parse(inner) {
            Ok(date) => {
                due = Some(date);
                text = format!("{}{}", &rest[..start], &rest[start + len + 1..])
                    .trim()
                    .to_string();
            }
            Err(message) => problems.push(BodyProblem {
                line,
                column: 1,
                message: format!("action item due date: {message}"),
                help: "write the due date as `(due YYYY-MM-DD)` with a real date".into(),
            }),
        }
    }
    ActionItem {
        text,
        owner,
        due,
        done,
        line,
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
}
