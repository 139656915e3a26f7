//! Completion: front-matter keys where a key goes and the values an enumeration allows (status,
//! level from the ladder, side, better, payer, a rule id); in the body, the contacts' names on an
//! `Attendees:` / `参会人员：` line and the owner of an action item.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Documentation, MarkupContent, MarkupKind, TextEdit,
};

use super::text::{Lines, word_char};
use super::{Kind, Server, front};
use crate::report::escape::plain_line;
use crate::signs;

impl Server {
    pub(super) fn complete(&self, params: &CompletionParams) -> Option<CompletionResponse> {
        let place = &params.text_document_position;
        let document = self
            .document(&place.text_document.uri)
            .filter(|d| d.kind != Kind::Other)?;
        let lines = Lines::new(&document.text);
        let line = place.position.line as usize;
        let at = lines.chars_at(place.position);
        let before: String = lines.get(line).chars().take(at).collect();
        let partial: String = {
            let mut chars: Vec<char> = before.chars().rev().take_while(|c| word_char(*c)).collect();
            chars.reverse();
            chars.into_iter().collect()
        };
        let start = at - partial.chars().count();
        let head: String = before.chars().take(start).collect();
        let replace = lines.range(line, start, at);
        let item = |label: &str, kind: CompletionItemKind, detail: Option<String>| CompletionItem {
            label: plain_line(label),
            kind: Some(kind),
            detail,
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: replace,
                new_text: label.to_string(),
            })),
            ..CompletionItem::default()
        };
        let items: Vec<CompletionItem> = match document.schema_at(&lines, line) {
            Some(schema) => {
                let root = schema.as_value();
                let parents = front::parents(&lines, line, at);
                if let Some(key) = value_of(&head) {
                    let values: Vec<String> = match key.as_str() {
                        "level" => self.config_of(document).map_or_else(
                            || crate::ledger::Ladder::default().0,
                            |c| c.ladder.0.clone(),
                        ),
                        "rule" => signs::catalog()
                            .iter()
                            .map(|r| r.info().id.to_string())
                            .collect(),
                        key => front::property(root, &parents, key)
                            .map(|node| front::choices(root, node))
                            .unwrap_or_default(),
                    };
                    values
                        .iter()
                        .map(|v| {
                            let detail = (key == "rule")
                                .then(|| signs::find_rule(v).map(|r| r.info().title.to_string()))
                                .flatten();
                            item(v, CompletionItemKind::ENUM_MEMBER, detail)
                        })
                        .collect()
                } else if at_key(&head) {
                    let object = front::object(root, &parents);
                    let properties = object
                        .and_then(|o| o.get("properties"))
                        .and_then(|p| p.as_object());
                    properties
                        .into_iter()
                        .flatten()
                        .map(|(key, node)| {
                            let mut it = item(
                                &format!("{key}: "),
                                CompletionItemKind::PROPERTY,
                                Some(front::kind(root, node)),
                            );
                            it.label = key.clone();
                            it.documentation = front::description(root, node).map(|d| {
                                Documentation::MarkupContent(MarkupContent {
                                    kind: MarkupKind::PlainText,
                                    value: d,
                                })
                            });
                            it
                        })
                        .collect()
                } else {
                    Vec::new()
                }
            }
            _ => {
                if let Some(named) = attendees_so_far(&head) {
                    let snapshot = document
                        .analysed
                        .as_ref()
                        .and_then(|a| a.snapshot.as_ref())
                        .or(document.last_valid.as_ref());
                    snapshot
                        .into_iter()
                        .flat_map(|s| s.front.contacts.iter())
                        .filter(|c| !named.contains(&c.name))
                        .map(|c| {
                            let side = match c.side {
                                crate::ledger::model::Side::Partner => "partner",
                                crate::ledger::model::Side::Ours => "ours",
                            };
                            let role = c.role.as_deref().map(plain_line);
                            let detail = match role {
                                Some(role) => format!("{side}: {role}"),
                                None => side.to_string(),
                            };
                            item(&c.name, CompletionItemKind::VALUE, Some(detail))
                        })
                        .collect()
                } else if task_start(&head) {
                    [
                        ("partner: ", "the partner owns it"),
                        ("ours: ", "we own it"),
                        ("合作方：", "the partner owns it"),
                        ("我方：", "we own it"),
                    ]
                    .into_iter()
                    .map(|(owner, detail)| {
                        let mut it = item(owner, CompletionItemKind::KEYWORD, Some(detail.into()));
                        it.label = owner.trim_end().to_string();
                        it
                    })
                    .collect()
                } else {
                    Vec::new()
                }
            }
        };
        Some(CompletionResponse::Array(items))
    }
}

/// Every context the line so far can be, for tests that throw any text at them.
#[cfg(test)]
pub(super) fn contexts(head: &str) -> (Option<String>, bool, Option<Vec<String>>, bool) {
    (
        value_of(head),
        at_key(head),
        attendees_so_far(head),
        task_start(head),
    )
}

/// The key whose value is being written: `status` in `status: ac`, `level` in
/// `- { name: Dana, level: `.
fn value_of(head: &str) -> Option<String> {
    let head = head.trim_end();
    let before = head.strip_suffix(':')?;
    let key: String = {
        let mut chars: Vec<char> = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        chars.reverse();
        chars.into_iter().collect()
    };
    (!key.is_empty()).then_some(key)
}

/// Whether a key goes here: the line so far is indentation, a list dash or the inside of a
/// flow mapping after `{` or `,`.
fn at_key(head: &str) -> bool {
    let trimmed = head.trim_end();
    trimmed.is_empty()
        || trimmed.trim_start() == "-"
        || trimmed.ends_with('{')
        || (trimmed.ends_with(',') && head.contains('{'))
}

/// The names already on an `Attendees:` line when the cursor is in it.
fn attendees_so_far(head: &str) -> Option<Vec<String>> {
    let trimmed = head.trim_start();
    let label = ["Attendees:", "attendees:", "参会人员：", "参会人员:"]
        .into_iter()
        .find(|l| trimmed.starts_with(l))?;
    Some(
        trimmed[label.len()..]
            .split([',', '，', '、', ';'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// Whether the cursor is where an action item's owner goes: right after `- [ ] `.
fn task_start(head: &str) -> bool {
    let trimmed = head.trim_start();
    let rest = ["- ", "* ", "+ "]
        .into_iter()
        .find_map(|bullet| trimmed.strip_prefix(bullet));
    rest.is_some_and(|rest| {
        ["[ ] ", "[x] ", "[X] "]
            .into_iter()
            .any(|box_| rest == box_)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_told_apart() {
        assert_eq!(value_of("status: ").as_deref(), Some("status"));
        assert_eq!(
            value_of("  - { name: Dana, level: ").as_deref(),
            Some("level")
        );
        assert_eq!(value_of("partner: Acme, "), None);
        assert!(at_key("  "));
        assert!(at_key("  - { name: Dana, "));
        assert!(!at_key("partner: "));
        assert_eq!(
            attendees_so_far("参会人员：王芳、"),
            Some(vec!["王芳".to_string()])
        );
        assert!(task_start("- [ ] "));
        assert!(!task_start("- [ ] ours: send"));
    }
}
