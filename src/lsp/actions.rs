//! Code actions: rewrite an unread meeting date to ISO; take the "did you mean" of a misspelt
//! key, level, owner or rule; acknowledge a finding with a reason to fill in and an expiry
//! (today plus [`ACKNOWLEDGE_DAYS`]). Each is an edit the editor applies; the server writes
//! nothing.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Position, Range, TextEdit,
    Uri, WorkspaceEdit,
};

use super::text::Lines;
use super::{ACKNOWLEDGE_DAYS, Server};
use crate::ledger::Diagnostic;
use crate::ledger::written_date::{self, Leading};
use crate::report::escape::plain_line;
use crate::report::lsp::{finding_range, problem_range, quoted};
use crate::signs::{Acknowledgement, Finding};

impl Server {
    pub(super) fn actions(&self, params: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
        let uri = &params.text_document.uri;
        let document = self.document(uri)?;
        let analysed = document.analysed.as_ref();
        let lines = Lines::new(&document.text);
        let wanted = params.range;
        let mut actions = Vec::new();
        let problems = analysed
            .into_iter()
            .flat_map(|a| a.diagnostics.iter().chain(&a.warnings))
            .chain(&document.problems);
        for d in problems {
            let range = problem_range(&lines, d);
            if !overlaps(range, wanted) {
                continue;
            }
            if d.code == "unread-meeting-date" {
                actions.extend(iso_heading(uri, &lines, d));
            } else if let Some(action) = did_you_mean(uri, &lines, d, range) {
                actions.push(action);
            }
        }
        if let Some(analysed) = analysed {
            let until = analysed.now.0 + chrono::Days::new(ACKNOWLEDGE_DAYS);
            let mut offered = Vec::new();
            for f in &analysed.findings {
                if f.acknowledgement != Acknowledgement::Open
                    || !overlaps(finding_range(&lines, f), wanted)
                    || offered.contains(&f.rule)
                {
                    continue;
                }
                offered.push(f.rule);
                actions.extend(acknowledge(uri, &lines, f, until));
            }
        }
        Some(
            actions
                .into_iter()
                .map(CodeActionOrCommand::CodeAction)
                .collect(),
        )
    }
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn fix(uri: &Uri, title: String, edits: Vec<TextEdit>, preferred: bool) -> CodeAction {
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    }
}

/// `## 2024/06/12 QBR` → `## 2024-06-12 QBR`; both readings of an ambiguous date, the first
/// preferred.
fn iso_heading(uri: &Uri, lines: &Lines<'_>, d: &Diagnostic) -> Vec<CodeAction> {
    let Some(line) = d.line.checked_sub(1) else {
        return Vec::new();
    };
    let text = lines.get(line);
    let title = text.trim_start_matches('#').trim_start();
    let Leading::Unread { written, meanings } = written_date::leading(title) else {
        return Vec::new();
    };
    let Some(at) = text.find(&written) else {
        return Vec::new();
    };
    let start = text[..at].chars().count();
    let range = lines.range(line, start, start + written.chars().count());
    meanings
        .iter()
        .enumerate()
        .map(|(i, date)| {
            fix(
                uri,
                format!("Write the date as {date}"),
                vec![TextEdit {
                    range,
                    new_text: date.to_string(),
                }],
                i == 0,
            )
        })
        .collect()
}

/// The word a problem quotes replaced with the one its help suggests, when the help says
/// "did you mean `X`?" and the word stands where the problem points.
fn did_you_mean(uri: &Uri, lines: &Lines<'_>, d: &Diagnostic, range: Range) -> Option<CodeAction> {
    let help = d.help.as_deref()?;
    let suggestion = quoted(&help[help.find("did you mean")?..])?;
    let wrong = quoted(&d.message)?;
    let line = lines.get(range.start.line as usize);
    let start = lines.byte_at(range.start);
    let end = lines.byte_at(range.end);
    if line.get(start..end) != Some(wrong) || suggestion.contains(['\n', '\r']) {
        return None;
    }
    Some(fix(
        uri,
        format!(
            "Change `{}` to `{}`",
            plain_line(wrong),
            plain_line(suggestion)
        ),
        vec![TextEdit {
            range,
            new_text: suggestion.to_string(),
        }],
        true,
    ))
}

/// An `acknowledged` entry for a finding's rule, at the end of the front matter's list (the
/// list started when there is none), with a reason to write and an expiry.
fn acknowledge(
    uri: &Uri,
    lines: &Lines<'_>,
    f: &Finding,
    until: chrono::NaiveDate,
) -> Option<CodeAction> {
    let end = lines.front_end()?;
    let entry = format!(
        "{{ rule: {}, reason: \"TODO: why the team accepts this\", until: {until} }}",
        f.rule
    );
    let key = (1..end).find(|&i| {
        let l = lines.get(i);
        l.starts_with("acknowledged:")
    });
    let (at, new_text) = match key {
        None => (end, format!("acknowledged:\n  - {entry}\n")),
        Some(i) => {
            let rest = lines.get(i)["acknowledged:".len()..].trim();
            if !(rest.is_empty() || rest.starts_with('#')) {
                // A flow list (`acknowledged: [...]`): rewriting it is left to the user.
                return None;
            }
            // After the list's last item: the lines below the key that are indented or items.
            let mut last = i;
            let mut indent = "  ".to_string();
            for j in i + 1..end {
                let l = lines.get(j);
                if l.trim().is_empty() || l.starts_with(' ') || l.starts_with('-') {
                    if l.trim_start().starts_with('-') {
                        indent = l[..l.len() - l.trim_start().len()].to_string();
                    }
                    if !l.trim().is_empty() {
                        last = j;
                    }
                } else {
                    break;
                }
            }
            (last + 1, format!("{indent}- {entry}\n"))
        }
    };
    let position = Position::new(u32::try_from(at).ok()?, 0);
    Some(fix(
        uri,
        format!("Acknowledge `{}` until {until}", f.rule),
        vec![TextEdit {
            range: Range::new(position, position),
            new_text,
        }],
        false,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Ladder;
    use crate::ledger::parse::parse_partnership;

    fn acknowledged(text: &str) -> String {
        let snapshot = parse_partnership("partners/acme.md", text.as_bytes(), &Ladder::default())
            .expect("a valid partnership");
        let info = crate::signs::find_rule("payment-terms-slip")
            .expect("a rule")
            .info();
        let finding = crate::signs::finding(info, &snapshot, "terms", "net-30 became net-90");
        let uri: Uri = "file:///ledger/partners/acme.md".parse().expect("a uri");
        let until = chrono::NaiveDate::from_ymd_opt(2024, 11, 30).expect("a date");
        let action = acknowledge(&uri, &Lines::new(text), &finding, until).expect("an action");
        let edits = &action.edit.expect("an edit").changes.expect("changes")[&uri];
        let [edit] = edits.as_slice() else {
            panic!("one edit: {edits:?}")
        };
        assert_eq!(edit.range.start, edit.range.end, "an insertion");
        let at: usize = text
            .split_inclusive('\n')
            .take(edit.range.start.line as usize)
            .map(str::len)
            .sum();
        let mut text = text.to_string();
        text.insert_str(at, &edit.new_text);
        let snapshot = parse_partnership("partners/acme.md", text.as_bytes(), &Ladder::default())
            .expect("still valid");
        assert!(
            snapshot
                .front
                .acknowledged
                .iter()
                .any(|a| a.rule == "payment-terms-slip"),
            "{text}"
        );
        text
    }

    #[test]
    fn an_acknowledgement_joins_the_list_already_there() {
        let front = "---\nrapport: 1\npartner: Acme\nstatus: active\nowner: Priya Raman\nacknowledged:\n    - rule: no-success-metrics\n      reason: KPIs agreed next quarter\nterms: { payment_days: 90 }\n---\n\n# Acme\n";
        assert_eq!(
            acknowledged(front),
            front.replace(
                "next quarter\n",
                "next quarter\n    - { rule: payment-terms-slip, reason: \"TODO: why the team accepts this\", until: 2024-11-30 }\n"
            )
        );
    }

    #[test]
    fn an_acknowledgement_starts_the_list_at_the_end_of_the_front_matter() {
        let front =
            "---\nrapport: 1\npartner: Acme\nstatus: active\nowner: Priya Raman\n---\n\n# Acme\n";
        assert_eq!(
            acknowledged(front),
            front.replace(
                "Raman\n---",
                "Raman\nacknowledged:\n  - { rule: payment-terms-slip, reason: \"TODO: why the team accepts this\", until: 2024-11-30 }\n---"
            )
        );
    }
}
