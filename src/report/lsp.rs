//! Language server messages: what an editor shows under the text. `check`'s errors and warnings
//! at the words they are about, the fix as related information, and the partnership's findings
//! with their rule linked to its page; positions as the protocol counts them (0-based lines,
//! UTF-16 units). Every text from the ledger is made one plain line, hidden characters shown.

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};

use crate::ledger::Diagnostic;
use crate::report::escape::plain_line;
use crate::signs::{Acknowledgement, Finding, Severity};

/// A buffer split into lines, `\r` kept out.
pub struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        let lines = text
            .split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line))
            .collect();
        Lines { lines }
    }

    /// Line `index` (0-based), empty past the end.
    pub fn get(&self, index: usize) -> &'a str {
        self.lines.get(index).copied().unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The position of character `chars` (0-based) of line `line` (0-based).
    pub fn position(&self, line: usize, chars: usize) -> Position {
        let text = self.get(line);
        let units: usize = text.chars().take(chars).map(char::len_utf16).sum();
        Position::new(to_u32(line), to_u32(units))
    }

    /// The character index (0-based) in its line of a protocol position.
    pub fn chars_at(&self, position: Position) -> usize {
        let text = self.get(position.line as usize);
        let mut units = 0usize;
        for (i, c) in text.chars().enumerate() {
            if units >= position.character as usize {
                return i;
            }
            units += c.len_utf16();
        }
        text.chars().count()
    }

    /// The byte offset in its line of a protocol position.
    pub fn byte_at(&self, position: Position) -> usize {
        let text = self.get(position.line as usize);
        let chars = self.chars_at(position);
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i)
    }

    /// Characters `start..end` (0-based) of line `line`.
    pub fn range(&self, line: usize, start: usize, end: usize) -> Range {
        Range::new(self.position(line, start), self.position(line, end))
    }

    /// Line `line` from its first to its last non-blank character.
    pub fn trimmed(&self, line: usize) -> Range {
        let text = self.get(line);
        let start = text.chars().take_while(|c| c.is_whitespace()).count();
        let end = text.trim_end().chars().count().max(start);
        self.range(line, start, end)
    }

    /// The 0-based line index of the front matter's closing `---`, when the buffer has front
    /// matter.
    pub fn front_end(&self) -> Option<usize> {
        if self.get(0).trim_end() != "---" {
            return None;
        }
        (1..self.len()).find(|&i| matches!(self.get(i).trim_end(), "---" | "..."))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Everything to show for a buffer of `text`: its errors and warnings, then its findings.
pub fn diagnostics(
    uri: &Uri,
    text: &str,
    errors: &[Diagnostic],
    warnings: &[Diagnostic],
    findings: &[Finding],
    rules_page: &str,
) -> Vec<lsp_types::Diagnostic> {
    let lines = Lines::new(text);
    let mut shown: Vec<lsp_types::Diagnostic> = errors
        .iter()
        .map(|d| problem(uri, &lines, d, DiagnosticSeverity::ERROR))
        .collect();
    shown.extend(
        warnings
            .iter()
            .map(|d| problem(uri, &lines, d, DiagnosticSeverity::WARNING)),
    );
    shown.extend(findings.iter().map(|f| finding(uri, &lines, f, rules_page)));
    shown
}

/// Where a problem is: the word its message quotes first, where it stands on the line at or
/// after the column (`executiv` after `level:`); else the word at the column; else the line.
pub fn problem_range(lines: &Lines<'_>, d: &Diagnostic) -> Range {
    let Some(line) = d.line.checked_sub(1) else {
        return lines.trimmed(0);
    };
    let text = lines.get(line);
    let Some(column) = d.column.checked_sub(1) else {
        return lines.trimmed(line);
    };
    let rest: String = text.chars().skip(column).collect();
    if let Some(word) = quoted(&d.message).filter(|w| !w.is_empty())
        && let Some(at) = rest.find(word)
    {
        let start = column + rest[..at].chars().count();
        return lines.range(line, start, start + word.chars().count());
    }
    let len = rest
        .chars()
        .take_while(|c| !matches!(c, ':' | ',' | '{' | '}' | '[' | ']' | '#') && !c.is_whitespace())
        .count();
    if len == 0 {
        return lines.trimmed(line);
    }
    lines.range(line, column, column + len)
}

/// The first text a message quotes in backticks.
pub fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

fn problem(
    uri: &Uri,
    lines: &Lines<'_>,
    d: &Diagnostic,
    severity: DiagnosticSeverity,
) -> lsp_types::Diagnostic {
    let range = problem_range(lines, d);
    let related = d.help.as_ref().map(|help| {
        vec![DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range,
            },
            message: format!("help: {}", plain_line(help)),
        }]
    });
    lsp_types::Diagnostic {
        range,
        severity: Some(severity),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("rapport".into()),
        message: plain_line(&d.message),
        related_information: related,
        ..lsp_types::Diagnostic::default()
    }
}

/// The line a finding points at.
pub fn finding_range(lines: &Lines<'_>, f: &Finding) -> Range {
    lines.trimmed(f.location.line.saturating_sub(1))
}

fn finding(uri: &Uri, lines: &Lines<'_>, f: &Finding, rules_page: &str) -> lsp_types::Diagnostic {
    let range = finding_range(lines, f);
    let at = |message: String| DiagnosticRelatedInformation {
        location: Location {
            uri: uri.clone(),
            range,
        },
        message,
    };
    let mut related = Vec::new();
    for evidence in &f.evidence {
        let commit = evidence
            .commit
            .as_deref()
            .map_or(String::new(), |c| format!(" {}", plain_line(c)));
        related.push(at(format!(
            "evidence: {}{commit}: {}",
            evidence.date,
            plain_line(&evidence.observed)
        )));
    }
    related.push(at(format!("fix: {}", plain_line(f.remedy))));
    let (severity, message) = match &f.acknowledgement {
        Acknowledgement::Open => {
            let severity = match f.severity {
                Severity::Error | Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Info => DiagnosticSeverity::HINT,
            };
            (
                severity,
                format!("{}: {}", f.severity, plain_line(&f.message)),
            )
        }
        Acknowledgement::Acknowledged { reason, until } => {
            let until = until.map_or(String::new(), |u| format!(" until {u}"));
            (
                DiagnosticSeverity::HINT,
                format!(
                    "{} (acknowledged{until}: {})",
                    plain_line(&f.message),
                    plain_line(reason)
                ),
            )
        }
    };
    let href = format!("{rules_page}#{}", f.rule).parse::<Uri>().ok();
    lsp_types::Diagnostic {
        range,
        severity: Some(severity),
        code: Some(NumberOrString::String(f.rule.to_string())),
        code_description: href.map(|href| CodeDescription { href }),
        source: Some("rapport".into()),
        message,
        related_information: Some(related),
        data: Some(serde_json::json!({ "finding": f.fingerprint.0 })),
        ..lsp_types::Diagnostic::default()
    }
}
