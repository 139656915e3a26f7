//! One place: every output format escapes ledger text here. Partner names, titles, notes, ids and
//! file names come from files anyone can commit, so each renderer passes them through the function
//! for its format, and the hidden-character policy (controls, bidi, invisibles) lives once below.

use std::borrow::Cow;

/// Zero-width space as an HTML entity: splits `@team`, `#12` and `https://` for the platform's
/// reference and autolink scanners while the reader sees the same text.
const ZWSP_ENTITY: &str = "&#8203;";

/// The same split in Mermaid's own entity syntax, which Mermaid turns into `&#8203;` in the SVG.
const ZWSP_MERMAID: &str = "#8203;";

/// Longest Mermaid label in characters: longer ones overlap neighbouring categories in a chart.
const MERMAID_LABEL_MAX: usize = 60;

/// Terminal and log lines: every control character (C0, C1, DEL), escape sequence introducer and
/// bidi/invisible format character becomes a visible escape such as `\u{1b}` or `\u{202e}`;
/// newline, carriage return and tab become `\n`, `\r`, `\t`, so one line stays one line.
/// Printable text (CJK, emoji, accents, backslashes) is returned unchanged and unallocated.
pub fn terminal(text: &str) -> Cow<'_, str> {
    neutralise(text, Breaks::Escape, Hidden::Show)
}

/// Markdown inline text for GitHub/GitLab comments: placed anywhere in a paragraph, list item,
/// heading or table cell it renders as the literal characters. `<` `>` `&` `"` become entities,
/// every other ASCII punctuation character but `,` and a `%` before neither a letter, a digit nor
/// `"` is backslash-escaped, `@` and issue/merge-request
/// sigils before a number get a zero-width space so nobody is notified and nothing is linked,
/// `://` and `www.` are split so no URL is autolinked, runs of whitespace and line breaks become
/// one space, and hidden characters are shown as `\u{202e}`.
pub fn markdown(text: &str) -> String {
    let chars: Vec<char> = neutralise(text, Breaks::Space, Hidden::Show)
        .chars()
        .collect();
    let mut out = String::with_capacity(chars.len() * 2);
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let before = |n: usize| i.checked_sub(n).and_then(|at| chars.get(at)).copied();
        match c {
            // A run of spaces could indent the line into a code block after a list marker.
            ' ' if before(1) == Some(' ') => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // No Markdown syntax; the zero-width space pushed after it is what stops a mention.
            '@' => out.push('@'),
            '.' if is_www(before(3), before(2), before(1)) => {
                out.push_str(ZWSP_ENTITY);
                out.push_str("\\.");
            }
            // Neither has a meaning GitHub or GitLab renders in text: `54%, up` stays as written
            // (a `%` before a name or number is a GitLab milestone, escaped below).
            ',' => out.push(','),
            '%' if !next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '"') => out.push('%'),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        let split_after = match c {
            '@' => true,
            ':' => next == Some('/') && chars.get(i + 2) == Some(&'/'),
            // GitHub `#12`; GitLab `!12` merge requests, `$12` snippets, `&12` epics, `%12` and
            // `%name` milestones, `~12` and `~name` labels.
            '#' | '!' | '$' | '&' => next.is_some_and(|n| n.is_ascii_digit()),
            '%' | '~' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '"'),
            // GitHub's `GH-12` issue shorthand.
            '-' => {
                next.is_some_and(|n| n.is_ascii_digit())
                    && before(2).is_some_and(|g| g.eq_ignore_ascii_case(&'g'))
                    && before(1).is_some_and(|h| h.eq_ignore_ascii_case(&'h'))
            }
            _ => false,
        };
        if split_after {
            out.push_str(ZWSP_ENTITY);
        }
    }
    out
}

/// A Markdown code span, backticks included: the fence is one backtick longer than any run in
/// the text, and a space pads both sides where CommonMark would otherwise eat a backtick or a
/// space. Line breaks become one space, hidden characters are shown as `\u{202e}`. Empty text
/// gives `` ` ` `` (a code span cannot be empty). Not for GFM table cells when the text holds
/// `|`: tables split cells on it even inside code spans; use [`markdown`] there.
pub fn code_span(text: &str) -> String {
    let content = neutralise(text, Breaks::Space, Hidden::Show);
    if content.is_empty() {
        return "` `".to_owned();
    }
    let longest_run = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let all_spaces = content.chars().all(|c| c == ' ');
    // CommonMark strips one space from each side when both are present, so pad to keep them.
    let pad = content.starts_with('`')
        || content.ends_with('`')
        || (content.starts_with(' ') && content.ends_with(' ') && !all_spaces);
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{content}{space}{fence}")
}

/// HTML text and quoted attribute values: `&` `<` `>` `"` `'` become entities, hidden characters
/// are shown as `\u{202e}`. Line breaks stay (as `\n`) and tabs stay, since both are inert in HTML.
pub fn html(text: &str) -> String {
    let shown = neutralise(text, Breaks::Keep, Hidden::Show);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The message of a GitHub workflow command (`::error file=..::MESSAGE`): GitHub's `escapeData`
/// (`%` → `%25`, `\r` → `%0D`, `\n` → `%0A`), then the remaining controls (tab included) and
/// bidi/invisible characters shown as `\t` / `\u{1b}`, so no line break and no ESC reaches the log.
pub fn workflow_data(text: &str) -> String {
    github_command_escape(text, false)
}

/// A property value of a workflow command (`file=`, `title=`): [`workflow_data`] plus GitHub's
/// `escapeProperty` additions `:` → `%3A` and `,` → `%2C`.
pub fn workflow_property(text: &str) -> String {
    github_command_escape(text, true)
}

/// A label inside a Mermaid chart (xychart-beta title, axis labels, categories), without quotes
/// but safe inside double quotes. Line breaks become spaces and hidden characters are dropped (a
/// chart has no room for `\u{202e}`); the text is cut to 60 characters (the last one `…`) before
/// Mermaid entity codes replace `"` `#` `;` `[` `]` `<` `>` `&` `` ` `` `%` and the first of two
/// colons, so the output may be longer than 60 bytes or chars but renders at most 60.
/// `@` gets a zero-width space like in [`markdown`].
pub fn mermaid_label(text: &str) -> String {
    let plain = neutralise(text, Breaks::Space, Hidden::Drop);
    let mut chars: Vec<char> = plain.chars().collect();
    if chars.len() > MERMAID_LABEL_MAX {
        chars.truncate(MERMAID_LABEL_MAX - 1);
        chars.push('…');
    }
    let mut out = String::with_capacity(chars.len() * 2);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '[' => out.push_str("#91;"),
            ']' => out.push_str("#93;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '&' => out.push_str("#38;"),
            '`' => out.push_str("#96;"),
            // Every `%` rather than `%%` alone: `%%{init: ...}%%` directives are found anywhere.
            '%' => out.push_str("#37;"),
            // `:::` attaches a class to a node; encoding a colon that precedes another breaks it.
            ':' if chars.get(i + 1) == Some(&':') => out.push_str("#58;"),
            '@' => {
                out.push('@');
                out.push_str(ZWSP_MERMAID);
            }
            c => out.push(c),
        }
    }
    out
}

/// One line of plain text for SARIF or Code Quality `message.text` and file names in logs: line
/// breaks (a run counts once) and tabs become spaces, hidden characters are shown as `\u{202e}`,
/// nothing else changes; JSON encoding is the serializer's job.
pub fn plain_line(text: &str) -> String {
    neutralise(text, Breaks::Space, Hidden::Show).into_owned()
}

/// SARIF `message.text`: as [`plain_line`], with `\`, `[` and `]` backslash-escaped, because
/// SARIF viewers turn `[text](uri)` in a plain-text message into a link (SARIF 2.1.0, 3.11.6).
pub fn sarif_text(text: &str) -> String {
    let line = plain_line(text);
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn github_command_escape(text: &str, property: bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => encoded.push_str("%25"),
            '\r' => encoded.push_str("%0D"),
            '\n' => encoded.push_str("%0A"),
            ':' if property => encoded.push_str("%3A"),
            ',' if property => encoded.push_str("%2C"),
            c => encoded.push(c),
        }
    }
    // After the runner's own encoding, so `\r` and `\n` are already `%0D`/`%0A`, not `\r`/`\n`.
    neutralise(&encoded, Breaks::Escape, Hidden::Show).into_owned()
}

/// What happens to line breaks and tabs: the controls some formats can carry as themselves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Breaks {
    /// Spelled `\n`, `\r`, `\t` (others `\u{2028}`): one log line stays one line.
    Escape,
    /// A run of line breaks becomes one space, each tab one space.
    Space,
    /// Each line break becomes `\n` (CRLF counts once), tabs stay.
    Keep,
}

/// What happens to the other controls and to bidi and invisible format characters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hidden {
    /// Spelled `\u{1b}`, so a reviewer sees that something was there.
    Show,
    /// Removed, where there is no room to show them.
    Drop,
}

/// The one place that decides which characters are unsafe to pass through and how they look.
/// Returns the text borrowed when nothing in it needs changing.
fn neutralise(text: &str, breaks: Breaks, hidden: Hidden) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| is_line_break(c) || c == '\t' || may_hide(c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev: Option<char> = None;
    let mut in_break_run = false;
    // Tag characters are invisible ASCII look-alikes, allowed only as the tail of a flag (🏴 + tags).
    let mut in_flag_tags = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        in_flag_tags = c == '\u{1F3F4}' || (in_flag_tags && is_tag(c));
        if is_line_break(c) {
            match breaks {
                Breaks::Escape => push_escape(&mut out, c),
                Breaks::Space if !in_break_run => out.push(' '),
                Breaks::Space => {}
                Breaks::Keep if c == '\r' && next == Some('\n') => {}
                Breaks::Keep => out.push('\n'),
            }
            in_break_run = true;
            prev = Some(c);
            continue;
        }
        in_break_run = false;
        if c == '\t' {
            match breaks {
                Breaks::Escape => push_escape(&mut out, c),
                Breaks::Space => out.push(' '),
                Breaks::Keep => out.push('\t'),
            }
        } else if is_hidden(c, prev, next, in_flag_tags) {
            if hidden == Hidden::Show {
                push_escape(&mut out, c);
            }
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    Cow::Owned(out)
}

fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
    }
}

/// Line breaks in CommonMark, Unicode (NEL, line and paragraph separators) or terminals (VT, FF).
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Characters that are hidden unless context (an emoji sequence, a flag) makes them legitimate.
fn may_hide(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Soft hyphen, Arabic letter mark, Mongolian vowel separator.
            '\u{AD}' | '\u{61C}' | '\u{180E}'
            // Zero-width space, non-joiner, joiner; left-to-right and right-to-left marks.
            | '\u{200B}'..='\u{200F}'
            // Bidi embeddings and overrides.
            | '\u{202A}'..='\u{202E}'
            // Word joiner, invisible operators, bidi isolates, deprecated format controls.
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            // Byte order mark, interlinear annotation controls.
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            // Language tag and tag characters (invisible copies of ASCII).
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
        )
}

fn is_hidden(c: char, prev: Option<char>, next: Option<char>, in_flag_tags: bool) -> bool {
    if !may_hide(c) {
        return false;
    }
    // A joiner between two emoji builds one glyph (👩‍💻); anywhere else it only hides things.
    if c == '\u{200D}' && prev.is_some_and(is_emoji_part) && next.is_some_and(is_emoji_part) {
        return false;
    }
    !(in_flag_tags && is_tag(c))
}

fn is_tag(c: char) -> bool {
    matches!(c, '\u{E0020}'..='\u{E007F}')
}

/// Pictographs, dingbats, symbols and the emoji variation selector: what a ZWJ sequence joins.
fn is_emoji_part(c: char) -> bool {
    matches!(
        c,
        '\u{A9}'
            | '\u{AE}'
            | '\u{203C}'
            | '\u{2049}'
            | '\u{2122}'
            | '\u{2139}'
            | '\u{2190}'..='\u{21FF}'
            | '\u{2300}'..='\u{23FF}'
            | '\u{2600}'..='\u{27BF}'
            | '\u{2B00}'..='\u{2BFF}'
            | '\u{FE0F}'
            | '\u{1F000}'..='\u{1FAFF}'
    )
}

fn is_www(a: Option<char>, b: Option<char>, c: Option<char>) -> bool {
    [a, b, c]
        .iter()
        .all(|x| x.is_some_and(|x| x.eq_ignore_ascii_case(&'w')))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sarif_text_leaves_no_embedded_link() {
        assert_eq!(
            super::sarif_text("see [win](https://evil.example) \\ ok"),
            "see \\[win\\](https://evil.example) \\\\ ok"
        );
    }

    use super::*;
    use proptest::prelude::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    const HOSTILE: &[&str] = &[
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](https://evil.example)",
        "![x](https://evil.example/p.png)",
        "<https://evil.example>",
        "@octocat and @org/team",
        "mail me@evil.example",
        "#12 closes #13, GH-14, org/repo#15",
        "!12 $13 &14 %15 ~16 ~bug %\"v1\"",
        "Acme\n::error::injected",
        "Acme\r\n::error::injected",
        "50%0A::warning::x",
        "\x1b[31mred\x1b[0m",
        "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
        "\x1b]0;title\x07",
        "\u{9b}31m c1 \u{85}nel \x7f del \0 nul",
        "\u{202e}gnp.exe",
        "a\u{2066}b\u{2069}c\u{200e}\u{200f}\u{61c}",
        "zero\u{200b}width\u{200c}\u{200d}\u{feff}\u{2028}\u{2029}end",
        "tags\u{e0041}\u{e0042}",
        "line\rreturn",
        "tab\there",
        "**bold** _em_ ~~s~~ `code` ``two``",
        "| pipe | table |",
        "| --- |",
        "# heading\n- item\n1. one\n> quote\n    indented",
        "---\n===\n***",
        "    four spaces",
        "a  \nhard break",
        "trailing backslash \\",
        "\\*not em\\*",
        "&lt;b&gt; &amp; &#8203; &#x3C;",
        "$x^2$ and $$y$$",
        "[^1] [[wiki]] ^sup^ ~sub~ :smile:",
        "> [!WARNING]",
        "- [ ] task",
        "{#id .class}",
        "%% mermaid comment",
        "%%{init: {\"theme\": \"dark\"}}%%",
        "a:::b",
        "\" ; # ]",
        "华鑫云联 <b>合作</b>",
        "https://evil.example",
        "HTTPS://EVIL.EXAMPLE/x",
        "www.evil.example",
        "WWW.EVIL.EXAMPLE",
        "",
        " ",
        "`",
        "`starts and ends`",
        " spaced ",
    ];

    const CJK: &str = "华鑫云联 合作伙伴，季度回顾";

    fn options() -> Options {
        Options::all() - Options::ENABLE_SMART_PUNCTUATION
    }

    fn events(source: &str) -> Vec<Event<'static>> {
        Parser::new_ext(source, options())
            .map(Event::into_static)
            .collect()
    }

    /// No control, C1, DEL, bidi or invisible format character from the brief's list.
    fn is_forbidden(c: char) -> bool {
        let n = u32::from(c);
        n < 0x20
            || n == 0x7f
            || (0x80..0xa0).contains(&n)
            || matches!(
                c,
                '\u{202A}'..='\u{202E}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{200B}'..='\u{200F}'
                    | '\u{61C}'
                    | '\u{FEFF}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{E0001}'..='\u{E007F}'
            )
    }

    /// What a reader should see for `markdown(input)`: hidden characters spelled out, whitespace
    /// collapsed, trimmed like a paragraph.
    fn visible_text(input: &str) -> String {
        let mut out = String::new();
        for c in neutralise(input, Breaks::Space, Hidden::Show).chars() {
            if !(c == ' ' && out.ends_with(' ')) {
                out.push(c);
            }
        }
        out.trim_matches(' ').to_owned()
    }

    fn allowed_markdown_event(event: &Event<'_>) -> bool {
        match event {
            Event::Text(_) | Event::SoftBreak => true,
            Event::Start(tag) => matches!(
                tag,
                Tag::Paragraph
                    | Tag::Heading { .. }
                    | Tag::List(_)
                    | Tag::Item
                    | Tag::BlockQuote(None)
                    | Tag::Table(_)
                    | Tag::TableHead
                    | Tag::TableRow
                    | Tag::TableCell
            ),
            Event::End(tag) => matches!(
                tag,
                TagEnd::Paragraph
                    | TagEnd::Heading(_)
                    | TagEnd::List(_)
                    | TagEnd::Item
                    | TagEnd::BlockQuote(None)
                    | TagEnd::Table
                    | TagEnd::TableHead
                    | TagEnd::TableRow
                    | TagEnd::TableCell
            ),
            _ => false,
        }
    }

    fn check_markdown(input: &str) {
        let out = markdown(input);
        assert!(!out.contains(['\n', '\r']), "{input:?} -> {out:?}");
        assert!(!out.contains("://"), "{input:?} -> {out:?}");
        assert!(!out.contains(is_forbidden), "{input:?} -> {out:?}");
        for (at, _) in out.match_indices('@') {
            assert!(
                out[at + 1..].starts_with(ZWSP_ENTITY),
                "{input:?} -> {out:?}"
            );
        }
        let split = out.replace(ZWSP_ENTITY, "\u{200B}");
        let bytes = split.as_bytes();
        for (i, pair) in bytes.windows(2).enumerate() {
            let reference = matches!(pair[0], b'#' | b'!' | b'$') && pair[1].is_ascii_digit();
            assert!(!reference, "{input:?} -> {out:?} at {i}");
        }
        assert!(
            !out.to_ascii_lowercase().contains("www\\."),
            "{input:?} -> {out:?}"
        );

        let contexts = [
            "{}",
            "- {}",
            "# {}",
            "> {}",
            "1. {}",
            "x\n{}",
            "| h |\n| --- |\n| {} |",
        ];
        for context in contexts {
            let source = context.replace("{}", &out);
            let rendered = events(&source);
            for event in &rendered {
                assert!(
                    allowed_markdown_event(event),
                    "{input:?} in {context:?} -> {out:?} gave {event:?}"
                );
            }
            if context.starts_with('|') {
                let cells = rendered
                    .iter()
                    .filter(|e| matches!(e, Event::Start(Tag::TableCell)))
                    .count();
                assert_eq!(cells, 2, "{input:?} split a table cell: {out:?}");
            }
        }

        let text: String = events(&out)
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) => Some(t.to_string()),
                _ => None,
            })
            .collect::<String>()
            .replace('\u{200B}', "");
        assert_eq!(text.trim_matches(' '), visible_text(input), "{out:?}");
    }

    fn check_code_span(input: &str) {
        let out = code_span(input);
        let expected = neutralise(input, Breaks::Space, Hidden::Show);
        let expected = if expected.is_empty() { " " } else { &expected };
        for context in ["{}", "x {} y", "- {}"] {
            let source = context.replace("{}", &out);
            let codes: Vec<String> = events(&source)
                .into_iter()
                .filter_map(|e| match e {
                    Event::Code(code) => Some(code.to_string()),
                    Event::Start(Tag::Paragraph | Tag::List(_) | Tag::Item)
                    | Event::End(TagEnd::Paragraph | TagEnd::List(_) | TagEnd::Item)
                    | Event::Text(_) => None,
                    other => panic!("{input:?} -> {out:?} gave {other:?}"),
                })
                .collect();
            assert_eq!(codes, [expected], "{input:?} in {context:?} -> {out:?}");
        }
    }

    fn check_terminal(input: &str) {
        let out = terminal(input);
        assert!(!out.contains(is_forbidden), "{input:?} -> {out:?}");
        assert_eq!(out.lines().count().max(1), 1, "{input:?} -> {out:?}");
    }

    /// The runner's side of `escapeData`/`escapeProperty`, to prove the encoding round-trips.
    fn github_unescape(text: &str) -> String {
        text.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    }

    fn check_workflow(input: &str) {
        for (out, property) in [
            (workflow_data(input), false),
            (workflow_property(input), true),
        ] {
            assert!(!out.contains(is_forbidden), "{input:?} -> {out:?}");
            assert!(!out.contains(['\n', '\r']), "{input:?} -> {out:?}");
            if property {
                assert!(!out.contains([':', ',']), "{input:?} -> {out:?}");
            }
            let only_breaks = input.chars().all(|c| {
                c == '\n'
                    || c == '\r'
                    || !neutralise(&c.to_string(), Breaks::Escape, Hidden::Show).starts_with('\\')
            });
            if only_breaks {
                assert_eq!(github_unescape(&out), input, "{out:?}");
            }
        }
    }

    fn check_html(input: &str) {
        let out = html(input);
        assert!(!out.contains(['<', '>', '"', '\'']), "{input:?} -> {out:?}");
        assert!(
            !out.contains(|c| is_forbidden(c) && c != '\n' && c != '\t'),
            "{out:?}"
        );
        for (at, _) in out.match_indices('&') {
            let rest = &out[at..];
            let entity = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                .iter()
                .any(|e| rest.starts_with(e));
            assert!(entity, "{input:?} -> {out:?}");
        }
    }

    /// The label with each Mermaid entity code counted as the one character it stands for
    /// (`#8203;`, the mention breaker, as none), or None when a stray `#` is left.
    fn mermaid_visible(label: &str) -> Option<String> {
        let mut visible = String::new();
        let mut rest = label;
        while let Some(at) = rest.find('#') {
            visible.push_str(&rest[..at]);
            let code = &rest[at + 1..];
            let end = code.find(';')?;
            let name = &code[..end];
            if name != "quot" && (name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit())) {
                return None;
            }
            if name != "8203" {
                visible.push('□');
            }
            rest = &code[end + 1..];
        }
        visible.push_str(rest);
        Some(visible)
    }

    fn check_mermaid(input: &str) {
        let out = mermaid_label(input);
        let visible = mermaid_visible(&out).unwrap_or_else(|| panic!("stray #: {out:?}"));
        assert!(
            !visible.contains(['"', ';', '#', '%', '[', ']', '<', '>', '&', '`', '\n', '\r']),
            "{input:?} -> {out:?}"
        );
        assert!(!visible.contains("::"), "{input:?} -> {out:?}");
        assert!(!out.contains(is_forbidden), "{input:?} -> {out:?}");
        assert!(visible.chars().count() <= MERMAID_LABEL_MAX, "{out:?}");
        for (at, _) in out.match_indices('@') {
            assert!(out[at + 1..].starts_with(ZWSP_MERMAID), "{out:?}");
        }
    }

    fn check_plain_line(input: &str) {
        let out = plain_line(input);
        assert!(!out.contains(is_forbidden), "{input:?} -> {out:?}");
        assert_eq!(out.lines().count().max(1), 1, "{input:?} -> {out:?}");
    }

    fn check_all(input: &str) {
        check_terminal(input);
        check_markdown(input);
        check_code_span(input);
        check_html(input);
        check_workflow(input);
        check_mermaid(input);
        check_plain_line(input);
    }

    #[test]
    fn hostile_strings_are_inert_in_every_format() {
        for input in HOSTILE {
            check_all(input);
        }
    }

    #[test]
    fn cjk_text_survives_every_format() {
        assert!(matches!(terminal(CJK), Cow::Borrowed(_)));
        assert_eq!(markdown(CJK), CJK);
        assert_eq!(code_span(CJK), format!("`{CJK}`"));
        assert_eq!(html(CJK), CJK);
        assert_eq!(workflow_data(CJK), CJK);
        assert_eq!(workflow_property("华鑫云联 合作伙伴"), "华鑫云联 合作伙伴");
        assert_eq!(mermaid_label(CJK), CJK);
        assert_eq!(plain_line(CJK), CJK);
        check_all(CJK);
    }

    #[test]
    fn terminal_spells_out_escape_sequences_and_breaks() {
        assert_eq!(terminal("\x1b[31mred\x1b[0m"), "\\u{1b}[31mred\\u{1b}[0m");
        assert_eq!(
            terminal("\x1b]8;;https://evil.example\x07link\x1b]8;;\x07"),
            "\\u{1b}]8;;https://evil.example\\u{7}link\\u{1b}]8;;\\u{7}"
        );
        assert_eq!(terminal("tab\there\r\nx"), "tab\\there\\r\\nx");
        assert_eq!(terminal("\u{202e}gnp.exe"), "\\u{202e}gnp.exe");
        assert_eq!(terminal("\u{9b}\u{7f}\u{2028}"), "\\u{9b}\\u{7f}\\u{2028}");
        assert_eq!(terminal("café ñ \\ ok"), "café ñ \\ ok");
    }

    #[test]
    fn emoji_sequences_keep_their_joiners_and_tags() {
        let emoji = [
            "👩\u{200D}💻",
            "❤\u{FE0F}\u{200D}🔥",
            "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
        ];
        for e in emoji {
            assert!(matches!(terminal(e), Cow::Owned(ref s) if s == e), "{e:?}");
            assert_eq!(plain_line(e), e);
        }
        assert_eq!(terminal("a\u{200D}b"), "a\\u{200d}b");
        assert_eq!(terminal("x\u{E0041}"), "x\\u{e0041}");
        assert_eq!(terminal("🏴x\u{E0041}"), "🏴x\\u{e0041}");
    }

    #[test]
    fn markdown_examples() {
        assert_eq!(markdown("a <b> @x"), "a &lt;b&gt; @&#8203;x");
        assert_eq!(
            markdown("#12 closes #13"),
            "\\#&#8203;12 closes \\#&#8203;13"
        );
        assert_eq!(markdown("GH-7"), "GH\\-&#8203;7");
        assert_eq!(
            markdown("https://evil.example"),
            "https\\:&#8203;\\/\\/evil\\.example"
        );
        assert_eq!(markdown("www.evil.example"), "www&#8203;\\.evil\\.example");
        assert_eq!(markdown("**b** | c"), "\\*\\*b\\*\\* \\| c");
        assert_eq!(markdown("Acme\r\n\n  x"), "Acme x");
        assert_eq!(markdown("a\u{202e}b"), "a\\\\u\\{202e\\}b");
        assert_eq!(markdown("R&D \"x\""), "R&amp;D &quot;x&quot;");
    }

    #[test]
    fn code_span_examples() {
        assert_eq!(code_span("kpis[0].id"), "`kpis[0].id`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span(" x "), "`  x  `");
        assert_eq!(code_span("a\nb"), "`a b`");
        assert_eq!(code_span("a\x1bb"), "`a\\u{1b}b`");
        assert_eq!(code_span(""), "` `");
    }

    #[test]
    fn html_examples() {
        assert_eq!(
            html("<a href='x' title=\"y\">&</a>"),
            "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(html("a\r\nb\tc\u{2028}d\x1b"), "a\nb\tc\nd\\u{1b}");
    }

    #[test]
    fn workflow_commands_use_githubs_exact_encodings() {
        assert_eq!(workflow_data("%\r\n:,"), "%25%0D%0A:,");
        assert_eq!(workflow_property("%\r\n:,"), "%25%0D%0A%3A%2C");
        assert_eq!(
            workflow_data("Acme\n::error::injected"),
            "Acme%0A::error::injected"
        );
        assert_eq!(workflow_data("50%0A::warning::x"), "50%250A::warning::x");
        assert_eq!(
            workflow_property("ledger/a b,c:d.md"),
            "ledger/a b%2Cc%3Ad.md"
        );
        assert_eq!(
            workflow_data("\x1b[31m\tx\u{202e}"),
            "\\u{1b}[31m\\tx\\u{202e}"
        );
    }

    #[test]
    fn mermaid_label_examples() {
        assert_eq!(mermaid_label("\" ; # ]"), "#quot; #59; #35; #93;");
        assert_eq!(
            mermaid_label("%% c a:::x @y"),
            "#37;#37; c a#58;#58;:x @#8203;y"
        );
        assert_eq!(mermaid_label("a\nb\u{202e}c\x1b"), "a bc");
        let long = "x".repeat(61);
        let cut = mermaid_label(&long);
        assert_eq!(cut.chars().count(), 60);
        assert!(cut.ends_with('…'));
        assert_eq!(mermaid_label(&"x".repeat(60)), "x".repeat(60));
    }

    #[test]
    fn plain_line_examples() {
        assert_eq!(plain_line("a\r\nb\tc\x1b <b>"), "a b c\\u{1b} <b>");
        assert_eq!(plain_line("ledger/北风.md"), "ledger/北风.md");
    }

    const ALPHABET: &[char] = &[
        'a',
        'w',
        'W',
        '1',
        ' ',
        '.',
        ':',
        '/',
        '\\',
        '@',
        '#',
        '!',
        '$',
        '%',
        '&',
        '~',
        '^',
        '*',
        '_',
        '`',
        '[',
        ']',
        '(',
        ')',
        '<',
        '>',
        '"',
        '\'',
        '|',
        '-',
        '+',
        '=',
        '{',
        '}',
        ';',
        ',',
        '\n',
        '\r',
        '\t',
        '\x1b',
        '\x07',
        '\u{9b}',
        '\u{7f}',
        '\u{85}',
        '\u{202e}',
        '\u{2066}',
        '\u{200b}',
        '\u{200d}',
        '\u{2028}',
        '\u{feff}',
        '\u{e0041}',
        '华',
        '…',
    ];

    proptest! {
        // No regression file: this module's tests must not write into the source tree.
        #![proptest_config(ProptestConfig {
            cases: 400,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn any_mix_of_hostile_characters_is_inert(
            chars in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..48)
        ) {
            let input: String = chars.into_iter().collect();
            check_all(&input);
        }

        #[test]
        fn arbitrary_unicode_never_panics_and_stays_on_one_line(input in any::<String>()) {
            check_terminal(&input);
            check_plain_line(&input);
            check_workflow(&input);
            check_html(&input);
            check_mermaid(&input);
            check_markdown(&input);
            check_code_span(&input);
        }
    }
}
