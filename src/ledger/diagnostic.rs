//! Problems with the input itself (a file that cannot be read, YAML that does not parse, a field
//! that does not exist, a date that cannot be), each pointing at a file, line and column. What a
//! diagnostic holds is bounded whatever the file: long lines are quoted in part, long messages
//! cut, and a file shows at most [`MAX_PER_FILE`] problems.

use serde::Serialize;

/// The most problems shown for one file; one more diagnostic counts the rest.
pub const MAX_PER_FILE: usize = 50;

/// The most characters of a line quoted: an excerpt around the column beyond that.
const SOURCE_WIDTH: usize = 200;

/// The most characters of a message: messages quote values from the file, which can be long.
const MESSAGE_WIDTH: usize = 400;

/// One problem in one ledger file, in the shape hledger and compilers use:
/// `FILE:LINE:COL: message`, the offending line, then what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    /// The file, relative to the ledger root where possible.
    pub file: String,
    /// 1-based line; 0 when the problem concerns the file as a whole.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    /// A stable name for the kind of problem, such as `unknown-field`.
    pub code: &'static str,
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The text of the offending line, for quoting: at most 200 characters of it, around
    /// `column`, with `…` where it was cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
    /// When `source_line` was cut from a longer line, the 1-based column of the problem in it
    /// (`column` is the column in the file's line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_column: Option<usize>,
}

impl Diagnostic {
    /// A problem with a whole file (unreadable, binary, too large).
    pub fn file(
        file: &str,
        code: &'static str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            code,
            message: cut(message.into(), MESSAGE_WIDTH),
            help: Some(help.into()),
            source_line: None,
            source_column: None,
        }
    }

    /// A problem at a position of `text`, quoting the line.
    pub fn at(
        file: &str,
        text: &str,
        position: (usize, usize),
        code: &'static str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::unquoted(file, position, code, message, help);
        let line = position.0.checked_sub(1).and_then(|i| text.lines().nth(i));
        diagnostic.quote(line);
        diagnostic
    }

    /// A problem at a position, its line not quoted yet: [`finish`] quotes the ones a file
    /// shows, in one pass over its text.
    pub fn unquoted(
        file: &str,
        (line, column): (usize, usize),
        code: &'static str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            code,
            message: cut(message.into(), MESSAGE_WIDTH),
            help,
            source_line: None,
            source_column: None,
        }
    }

    /// The column of the problem in `source_line` (1-based; 0 when unknown), where the caret
    /// goes.
    pub fn source_column(&self) -> usize {
        self.source_column.unwrap_or(self.column)
    }

    /// Quotes `line` (the text of the diagnostic's line), cut around the column when long.
    fn quote(&mut self, line: Option<&str>) {
        let Some(line) = line else {
            return;
        };
        let line = line.trim_end_matches('\r');
        let length = line.chars().count();
        if length <= SOURCE_WIDTH {
            self.source_line = Some(line.to_string());
            return;
        }
        let at = self.column.saturating_sub(1).min(length);
        let end = (at.saturating_sub(SOURCE_WIDTH / 2) + SOURCE_WIDTH).min(length);
        let start = end - SOURCE_WIDTH;
        let mut excerpt = String::with_capacity(SOURCE_WIDTH * 4 + 6);
        if start > 0 {
            excerpt.push('…');
        }
        excerpt.extend(line.chars().skip(start).take(end - start));
        if end < length {
            excerpt.push('…');
        }
        self.source_line = Some(excerpt);
        self.source_column = (self.column > 0).then(|| at - start + 1 + usize::from(start > 0));
    }
}

/// The diagnostics of one file (of text `text`) as shown: ordered by position, at most
/// [`MAX_PER_FILE`] of them and then one counting the rest, each quoting its line. Quoting
/// scans the text once, so a file with many problems costs no more than its length.
pub fn finish(file: &str, text: &str, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by_key(|d| (d.line, d.column));
    if diagnostics.len() > MAX_PER_FILE {
        let rest = diagnostics.len() - MAX_PER_FILE;
        let next = &diagnostics[MAX_PER_FILE];
        let more = Diagnostic::unquoted(
            file,
            (next.line, next.column),
            "too-many-problems",
            format!(
                "and {rest} more problem{} in this file, from here on",
                if rest == 1 { "" } else { "s" }
            ),
            Some("fix the problems shown and run rapport again to see the rest".into()),
        );
        diagnostics.truncate(MAX_PER_FILE);
        diagnostics.push(more);
    }
    let mut lines = text.lines().enumerate();
    let mut current: Option<(usize, &str)> = None;
    let last = diagnostics.len().saturating_sub(1);
    for (i, diagnostic) in diagnostics.iter_mut().enumerate() {
        if diagnostic.source_line.is_some() || diagnostic.line == 0 {
            continue;
        }
        // The count of the rest points at a line it does not quote.
        if i == last && diagnostic.code == "too-many-problems" {
            continue;
        }
        let wanted = diagnostic.line - 1;
        while current.is_none_or(|(n, _)| n < wanted) {
            match lines.next() {
                Some(found) => current = Some(found),
                None => break,
            }
        }
        let line = current.filter(|(n, _)| *n == wanted).map(|(_, l)| l);
        diagnostic.quote(line);
    }
    diagnostics
}

/// `text` cut to `width` characters, with `…` where it was cut.
fn cut(text: String, width: usize) -> String {
    match text.char_indices().nth(width) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_line_is_quoted_whole() {
        let d = Diagnostic::at("a.md", "one\ntwo three\n", (2, 5), "x", "m", None);
        assert_eq!(d.source_line.as_deref(), Some("two three"));
        assert_eq!(d.source_column, None);
        assert_eq!(d.source_column(), 5);
    }

    #[test]
    fn a_long_line_is_quoted_around_the_column() {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let d = Diagnostic::at("a.md", &line, (1, 5001), "x", "m", None);
        let quoted = d.source_line.clone().unwrap_or_default();
        assert!(quoted.starts_with('…') && quoted.ends_with('…'), "{quoted}");
        assert_eq!(quoted.chars().count(), SOURCE_WIDTH + 2);
        let caret = d.source_column();
        assert_eq!(quoted.chars().nth(caret - 1), Some('X'));
        assert_eq!(d.column, 5001, "the file's column is kept");
    }

    #[test]
    fn a_long_line_keeps_its_start_or_end_when_the_column_is_near_them() {
        let line = format!("X{}", "a".repeat(1000));
        let d = Diagnostic::at("a.md", &line, (1, 1), "x", "m", None);
        let quoted = d.source_line.clone().unwrap_or_default();
        assert!(quoted.starts_with('X') && quoted.ends_with('…'));
        assert_eq!(quoted.chars().nth(d.source_column() - 1), Some('X'));

        let line = format!("{}X", "é".repeat(1000));
        let d = Diagnostic::at("a.md", &line, (1, 1001), "x", "m", None);
        let quoted = d.source_line.clone().unwrap_or_default();
        assert!(quoted.starts_with('…') && quoted.ends_with('X'));
        assert_eq!(quoted.chars().nth(d.source_column() - 1), Some('X'));
    }

    #[test]
    fn long_messages_are_cut() {
        let d = Diagnostic::file("a.md", "x", "v".repeat(10_000), "h");
        assert_eq!(d.message.chars().count(), MESSAGE_WIDTH + 1);
    }

    #[test]
    fn a_file_shows_at_most_fifty_problems_and_counts_the_rest() {
        let text: String = (1..=500).map(|i| format!("field{i}: 1\n")).collect();
        let many = (1..=500)
            .rev()
            .map(|line| Diagnostic::unquoted("a.md", (line, 1), "unknown-field", "m", None))
            .collect();
        let shown = finish("a.md", &text, many);
        assert_eq!(shown.len(), MAX_PER_FILE + 1);
        assert_eq!(shown[0].source_line.as_deref(), Some("field1: 1"));
        assert_eq!(shown[49].source_line.as_deref(), Some("field50: 1"));
        let last = &shown[MAX_PER_FILE];
        assert_eq!(last.code, "too-many-problems");
        assert_eq!(
            last.message,
            "and 450 more problems in this file, from here on"
        );
        assert_eq!((last.line, last.source_line.as_deref()), (51, None));
    }

    #[test]
    fn finishing_quotes_like_at() {
        let text = "a\nbb\r\nccc\n";
        let unquoted = vec![
            Diagnostic::unquoted("f", (3, 2), "x", "m", None),
            Diagnostic::unquoted("f", (2, 1), "x", "m", None),
            Diagnostic::unquoted("f", (9, 1), "x", "m", None),
            Diagnostic::unquoted("f", (2, 2), "x", "m", None),
        ];
        let expected: Vec<Diagnostic> = [(2, 1), (2, 2), (3, 2), (9, 1)]
            .into_iter()
            .map(|p| Diagnostic::at("f", text, p, "x", "m", None))
            .collect();
        assert_eq!(finish("f", text, unquoted), expected);
    }
}
