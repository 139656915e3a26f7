//! Hover: a rule id explained as `rapport explain` explains it; a front-matter key's meaning
//! from the format's schema; a name in `Attendees:` said as the contact it is (side, role,
//! level). Text from the ledger is escaped for Markdown: it is shown, never interpreted.

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use super::text::{Lines, word_at};
use super::{Document, Kind, Server, front};
use crate::ledger::model::Contact;
use crate::report::escape::{code_span, markdown};
use crate::signs;

impl Server {
    pub(super) fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let place = &params.text_document_position_params;
        let document = self.document(&place.text_document.uri)?;
        let lines = Lines::new(&document.text);
        let line = place.position.line as usize;
        let at = lines.chars_at(place.position);
        let text = lines.get(line);
        let value = match document.schema_at(&lines, line) {
            Some(schema) => front_hover(schema.as_value(), &lines, line, at)?,
            None if document.kind == Kind::Other => return None,
            None => match attendee_at(text, at) {
                Some(name) => contact_hover(document, &name)?,
                None => rule_hover(&word_at(text, at)?.0)?,
            },
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: None,
        })
    }
}

/// A rule's page, short: title, sign, what it detects, why, the fix.
pub fn rule_hover(id: &str) -> Option<String> {
    let info = signs::find_rule(id)?.info();
    Some(format!(
        "**{}**: {}\n\nSign {}: {}. Default severity: {}{}.\n\n**What it detects.** {}\n\n**Why it matters.** {}\n\n**How to fix it.** {}\n\n(`rapport explain {}` prints the whole page.)",
        info.id,
        info.title,
        info.sign.number,
        info.sign.name,
        info.default_severity,
        if info.escalates { " / error" } else { "" },
        info.detects(),
        info.why,
        info.fix,
        info.id
    ))
}

/// On a key: its meaning and what it holds. On a value of `rule:`: the rule.
fn front_hover(
    root: &serde_json::Value,
    lines: &Lines<'_>,
    line: usize,
    at: usize,
) -> Option<String> {
    let text = lines.get(line);
    let (word, _, end) = word_at(text, at)?;
    let after: String = text.chars().skip(end).collect();
    // A rule id, as the value of `rule:` or as a key under `rules:` in rapport.yaml.
    if !after.starts_with(':') || signs::find_rule(&word).is_some() {
        return rule_hover(&word);
    }
    let parents = front::parents(lines, line, at);
    let Some(node) = front::property(root, &parents, &word) else {
        // `rules:` in rapport.yaml is keyed by rule id.
        return rule_hover(&word);
    };
    let mut path = parents.join(".");
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(&word);
    let mut shown = format!("{}: {}", code_span(&path), front::kind(root, node));
    if let Some(description) = front::description(root, node) {
        shown.push_str("\n\n");
        shown.push_str(&description);
    }
    Some(shown)
}

/// The name under the cursor on an `Attendees:` / `参会人员：` line.
pub(super) fn attendee_at(line: &str, at: usize) -> Option<String> {
    let trimmed = line.trim_start();
    let indent = line.chars().count() - trimmed.chars().count();
    let label = ["Attendees:", "attendees:", "参会人员：", "参会人员:"]
        .into_iter()
        .find(|l| trimmed.starts_with(l))?;
    let mut start = indent + label.chars().count();
    if at < start {
        return None;
    }
    for name in trimmed[label.len()..].split([',', '，', '、', ';']) {
        let end = start + name.chars().count();
        if at >= start && at <= end {
            let name = name.trim();
            return (!name.is_empty()).then(|| name.to_string());
        }
        start = end + 1;
    }
    None
}

fn contact_hover(document: &Document, name: &str) -> Option<String> {
    let snapshot = document
        .analysed
        .as_ref()
        .and_then(|a| a.snapshot.as_ref())
        .or(document.last_valid.as_ref())?;
    let contact = snapshot.front.contacts.iter().find(|c| c.name == name)?;
    Some(contact_text(contact))
}

/// `**Dana Whitfield**: partner side, VP Alliances, executive, primary contact`.
pub fn contact_text(contact: &Contact) -> String {
    let side = match contact.side {
        crate::ledger::model::Side::Partner => "partner side",
        crate::ledger::model::Side::Ours => "our side",
    };
    let mut parts = vec![side.to_string()];
    if let Some(role) = &contact.role {
        parts.push(markdown(role));
    }
    if let Some(level) = &contact.level {
        parts.push(format!("level {}", markdown(level)));
    }
    if contact.primary {
        parts.push("primary contact".into());
    }
    format!("**{}**: {}", markdown(&contact.name), parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attendee_under_the_cursor_is_found_in_english_and_chinese_lines() {
        let line = "Attendees: Dana Whitfield, Priya Raman";
        assert_eq!(attendee_at(line, 14).as_deref(), Some("Dana Whitfield"));
        assert_eq!(attendee_at(line, 30).as_deref(), Some("Priya Raman"));
        assert_eq!(attendee_at(line, 3), None);
        let chinese = "参会人员：王芳、李强";
        assert_eq!(attendee_at(chinese, 6).as_deref(), Some("王芳"));
        assert_eq!(attendee_at(chinese, 9).as_deref(), Some("李强"));
    }

    #[test]
    fn a_rule_id_is_explained() {
        let shown = rule_hover("payment-terms-slip").expect("a rule");
        assert!(shown.starts_with("**payment-terms-slip**: "), "{shown}");
        assert!(shown.contains("How to fix it"), "{shown}");
        assert_eq!(rule_hover("payment-terms-slipp"), None);
    }
}
