//! The digest as the JSON an incoming webhook takes, for `curl`: Slack's Block Kit message
//! (`text` plus `blocks`) and a Microsoft Teams message carrying one Adaptive Card. Each escapes
//! its own markup: Slack's `&` `<` `>` (the only characters its mrkdwn decodes, and `<` is how a
//! link or a mention starts), Teams' CommonMark subset, `<at>` tags and `{{…}}` functions. The
//! only mentions are `notify:` handles; `@` in ledger text is split so it notifies nobody.

use serde_json::{Value, json};

use crate::analysis::digest::{Digest, Entry};
use crate::report::escape;
use crate::report::text::plural;

/// Slack: at most 50 blocks in a message and 3,000 characters in a section's text; a header's
/// text at most 150.
const SLACK_BLOCKS: usize = 50;
const SLACK_SECTION: usize = 3000;
const SLACK_HEADER: usize = 150;

/// Teams: webhook messages are refused over about 28 KB; the card's text stays well under it.
const TEAMS_TEXT: usize = 20_000;

const ZERO_WIDTH: char = '\u{200b}';

/// Text from the ledger or a commit, inert in Slack mrkdwn: one line, `&` `<` `>` as the
/// entities Slack decodes, `@` and `://` split with a zero-width space so nothing notifies or
/// links.
pub fn slack_text(text: &str) -> String {
    let line = escape::plain_line(text);
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => {
                out.push('@');
                out.push(ZERO_WIDTH);
            }
            _ => out.push(c),
        }
    }
    out.replace("://", ":\u{200b}//")
}

/// Text from the ledger or a commit, inert in an Adaptive Card `TextBlock`: one line, CommonMark
/// punctuation backslash-escaped, `<` split so no `<at>` tag forms, `{{` split so no date
/// function runs, `@` and `://` split.
pub fn teams_text(text: &str) -> String {
    let line = escape::plain_line(text);
    let mut out = String::with_capacity(line.len());
    let mut last = '\0';
    for c in line.chars() {
        match c {
            '\\' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.' | '!' | '`' | '~'
            | '|' => {
                out.push('\\');
                out.push(c);
            }
            '<' | '@' => {
                out.push(c);
                out.push(ZERO_WIDTH);
            }
            '{' if last == '{' => {
                out.push(ZERO_WIDTH);
                out.push(c);
            }
            _ => out.push(c),
        }
        last = c;
    }
    out.replace("://", ":\u{200b}//")
}

/// Cuts a text to at most `max` characters at a line break, ending with `…`.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for line in text.lines() {
        if out.chars().count() + line.chars().count() + 2 > max {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    if out.is_empty() {
        out = text.chars().take(max.saturating_sub(1)).collect();
    }
    out.push('…');
    out
}

/// The lines of one partnership, each ledger string escaped by `esc`, bold by `bold`.
fn entry_lines(entry: &Entry, esc: &dyn Fn(&str) -> String, bold: &str) -> Vec<String> {
    let mut lines = vec![format!(
        "{bold}{}{bold} ({})",
        esc(&entry.partner),
        esc(&entry.file)
    )];
    if !entry.valid {
        lines.push("- broken: the file no longer parses".to_string());
    }
    for reviewed in &entry.findings {
        let f = &reviewed.finding;
        lines.push(format!(
            "- {} {} {}: {}",
            reviewed.status.as_str(),
            f.severity.as_str(),
            esc(f.rule),
            esc(&f.message)
        ));
    }
    for alert in &entry.alerts {
        lines.push(format!("- {}", esc(&super::alert_text(alert))));
    }
    let n = entry.commits.len();
    if n > 0 {
        lines.push(format!("- {n} commit{} this period", plural(n)));
    }
    lines
}

/// The Slack incoming-webhook payload: `text` (the notification's fallback) and `blocks`.
pub fn slack(digest: &Digest) -> Value {
    let title = format!(
        "rapport digest {}: {}",
        super::period(digest),
        super::summary(digest)
    );
    let mut blocks = vec![json!({
        "type": "header",
        "text": { "type": "plain_text", "text": cut(&title, SLACK_HEADER), "emoji": true }
    })];
    if digest.is_quiet() {
        blocks.push(json!({
            "type": "section",
            "text": { "type": "mrkdwn", "text": format!("Quiet: {}.", super::summary(digest)) }
        }));
    }
    let mut hidden = 0;
    for group in digest.by_owner() {
        for (i, entry) in group.entries.iter().enumerate() {
            // Room for the note on what was left out.
            if blocks.len() + 2 > SLACK_BLOCKS {
                hidden += 1;
                continue;
            }
            let mut lines = Vec::new();
            if i == 0 {
                let mut owner = format!("*{}*", slack_text(super::owner_label(group.owner)));
                if let Some(member) = digest
                    .owner_handles(group.owner)
                    .and_then(|h| h.slack.as_deref())
                {
                    owner.push_str(&format!(" <@{member}>"));
                }
                lines.push(owner);
            }
            lines.extend(entry_lines(entry, &slack_text, "*"));
            let others: Vec<String> = digest
                .handles(entry)
                .into_iter()
                .filter(|(name, _)| *name != entry.owner)
                .filter_map(|(_, h)| h.slack.as_deref().map(|m| format!("<@{m}>")))
                .collect();
            if !others.is_empty() {
                lines.push(format!("cc {}", others.join(" ")));
            }
            blocks.push(json!({
                "type": "section",
                "text": { "type": "mrkdwn", "text": cut(&lines.join("\n"), SLACK_SECTION) }
            }));
        }
    }
    if hidden > 0 {
        blocks.push(json!({
            "type": "context",
            "elements": [{
                "type": "mrkdwn",
                "text": format!(
                    "{hidden} more partnership{} not shown: `rapport digest --since {} --until {}`",
                    plural(hidden),
                    digest.since.date,
                    digest.until.date
                )
            }]
        }));
    }
    json!({ "text": slack_text(&title), "blocks": blocks })
}

/// The Teams incoming-webhook payload: a `message` with one Adaptive Card attachment, its
/// mentions as `<at>` tags in the text with a `msteams.entities` entry each.
pub fn teams(digest: &Digest) -> Value {
    let title = format!(
        "rapport digest {}: {}",
        super::period(digest),
        super::summary(digest)
    );
    let mut body = vec![json!({
        "type": "TextBlock",
        "text": teams_text(&title),
        "weight": "Bolder",
        "size": "Medium",
        "wrap": true
    })];
    let mut entities: Vec<Value> = Vec::new();
    let mut mention = |name: &str, upn: &str| -> String {
        // The name comes from rapport.yaml; brackets are kept out of the tag all the same.
        let name: String = name.chars().filter(|c| !matches!(c, '<' | '>')).collect();
        let tag = format!("<at>{name}</at>");
        if !entities.iter().any(|e| e["text"] == tag.as_str()) {
            entities.push(json!({
                "type": "mention",
                "text": tag,
                "mentioned": { "id": upn, "name": name }
            }));
        }
        tag
    };
    let mut size = 0;
    let mut hidden = 0;
    for group in digest.by_owner() {
        let mut owner = format!("**{}**", teams_text(super::owner_label(group.owner)));
        if let Some(upn) = digest
            .owner_handles(group.owner)
            .and_then(|h| h.teams.as_deref())
        {
            owner.push_str(&format!(" {}", mention(group.owner, upn)));
        }
        let mut shown_owner = false;
        for entry in &group.entries {
            let mut lines = entry_lines(entry, &teams_text, "**");
            let others: Vec<String> = digest
                .handles(entry)
                .into_iter()
                .filter(|(name, _)| *name != entry.owner)
                .filter_map(|(name, h)| h.teams.as_deref().map(|upn| mention(name, upn)))
                .collect();
            if !others.is_empty() {
                lines.push(format!("cc {}", others.join(" ")));
            }
            let text = lines.join("\r");
            if size + text.len() > TEAMS_TEXT {
                hidden += 1;
                continue;
            }
            size += text.len();
            if !shown_owner {
                body.push(
                    json!({ "type": "TextBlock", "text": owner, "wrap": true, "separator": true }),
                );
                shown_owner = true;
            }
            body.push(json!({ "type": "TextBlock", "text": text, "wrap": true }));
        }
    }
    if hidden > 0 {
        body.push(json!({
            "type": "TextBlock",
            "text": format!(
                "{hidden} more partnership{} not shown: rapport digest \\-\\-since {} \\-\\-until {}",
                plural(hidden),
                digest.since.date,
                digest.until.date
            ),
            "isSubtle": true,
            "wrap": true
        }));
    }
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body
    });
    if !entities.is_empty() {
        card["msteams"] = json!({ "entities": entities });
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_text_leaves_no_markup_live() {
        assert_eq!(
            slack_text("<!channel> & <@U1> <https://x|y> @here"),
            "&lt;!channel&gt; &amp; &lt;@\u{200b}U1&gt; &lt;https:\u{200b}//x|y&gt; @\u{200b}here"
        );
        assert_eq!(slack_text("line\nbreak"), "line break");
    }

    #[test]
    fn teams_text_leaves_no_markup_live() {
        assert_eq!(
            teams_text("**b** [l](https://x) <at>P</at> {{DATE(x)}}"),
            "\\*\\*b\\*\\* \\[l\\]\\(https:\u{200b}//x\\) <\u{200b}at>P<\u{200b}/at> {\u{200b}{DATE\\(x\\)}}"
        );
    }
}
