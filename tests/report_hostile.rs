//! Text from ledger files is hostile: a partner name, a meeting title and an action item carry
//! HTML, a Markdown link and image, @-mentions, a newline followed by a workflow command, a
//! terminal escape sequence and a bidirectional override. Every format of the pull-request report
//! must hand them to its reader inert.

mod common;

use common::{Script, Test, partnership};

/// YAML double-quoted: `\n` a newline, `\e` ESC, `\u202E` a right-to-left override.
const NAME: &str = r#""Acme <img src=x onerror=alert(1)> ![p](https://evil.example/p.png) [win](https://evil.example) @octocat #12\n::error file=x::injected %0A::warning::y \e[31mred\e[0m \e]8;;https://evil.example\alink\e]8;;\a \u202Egnp.exe""#;

const MEETING: &str = "\n## 2024-07-11 Sync <script>alert(1)</script> @org/team [x](https://evil.example) \u{1b}[2J \u{202e}txt\n\
Attendees: Dana Whitfield, Priya Raman\n\nNotes with <b>HTML</b> and ::error::inline.\n\n\
- [ ] partner: send <img src=x> @octocat plan \u{1b}]0;title\u{7} (due 2024-07-30)\n";

fn script() -> Script {
    let front = |days: u32| {
        format!(
            "since: 2024-01-15\ncontacts:\n  - {{ name: Dana Whitfield, side: partner, role: VP, level: executive, primary: true }}\n  \
             - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}\n\
             terms: {{ payment_days: {days}, price: 120000, currency: EUR }}\n"
        )
    };
    let file = |days: u32, body: &str| {
        partnership("PLACEHOLDER", &front(days), body)
            .replace("partner: PLACEHOLDER", &format!("partner: {NAME}"))
    };
    Script::new()
        .commit(
            "2024-01-15",
            "Start",
            &[("partners/acme.md", &file(30, ""))],
        )
        .commit(
            "2024-06-20",
            "June",
            &[(
                "partners/acme.md",
                &file(
                    30,
                    "\n## 2024-06-20 Review\nAttendees: Dana Whitfield\n\nFine.\n",
                ),
            )],
        )
        .branch("pr")
        .commit(
            "2024-07-12",
            "Acme: net-60",
            &[(
                "partners/acme.md",
                &file(
                    60,
                    &format!(
                        "\n## 2024-06-20 Review\nAttendees: Dana Whitfield\n\nFine.\n{MEETING}"
                    ),
                ),
            )],
        )
}

/// The report of `pr` against `main` in `format`, pinned whole in the snapshot
/// `report_hostile__FORMAT`, and returned for the checks of what each reader makes of it.
#[track_caller]
fn report(script: &Script, format: &str) -> String {
    Test::in_dir(script.path())
        .args([
            "report", "--base", "main", "--head", "pr", "--format", format,
        ])
        .snapshot(format)
        .run()
        .stdout
}

/// No terminal control, escape sequence or bidi override reaches any output raw.
fn assert_no_hidden(format: &str, text: &str) {
    for c in text.chars() {
        let hidden = (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        assert!(!hidden, "{format}: raw {:?} in\n{text}", c);
    }
}

#[test]
fn the_hostile_partner_is_reported() {
    let json: serde_json::Value = serde_json::from_str(&report(&script(), "json")).expect("JSON");
    assert_eq!(json["counts"]["new"], 1, "{json:#}");
    // The JSON report is data: the name as the file wrote it.
    assert_eq!(
        json["partnerships"][0]["name"],
        "Acme <img src=x onerror=alert(1)> ![p](https://evil.example/p.png) [win](https://evil.example) \
         @octocat #12\n::error file=x::injected %0A::warning::y \u{1b}[31mred\u{1b}[0m \
         \u{1b}]8;;https://evil.example\u{7}link\u{1b}]8;;\u{7} \u{202e}gnp.exe",
        "{json:#}"
    );
}

#[test]
fn text_is_inert() {
    let text = report(&script(), "text");
    assert_no_hidden("text", &text);
    assert!(!text.lines().any(|l| l.starts_with("::")), "{text}");
}

#[test]
fn markdown_is_inert() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let markdown = report(&script(), "markdown");
    assert_no_hidden("markdown", &markdown);
    let mut html = Vec::new();
    for event in Parser::new_ext(&markdown, Options::all()) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link to {dest_url}"),
            Event::Start(Tag::Image { dest_url, .. }) => panic!("an image from {dest_url}"),
            Event::Html(h) | Event::InlineHtml(h) => html.push(h.trim().to_string()),
            _ => {}
        }
    }
    let ours = [
        "<!-- rapport-report -->",
        "<details>",
        "</details>",
        "<sub>",
        "</sub>",
        "<summary>",
        "</summary>",
    ];
    for h in &html {
        assert!(
            ours.iter().any(|o| h.starts_with(o) || h == o) || h.starts_with("<details><summary>"),
            "HTML from the ledger: {h}"
        );
    }
    // Beside the snapshot, so that accepting a changed one cannot let a live mention in.
    assert!(!markdown.contains("@octocat"), "a mention would notify");
    assert!(
        // Beside the snapshot: no live team mention.
        !markdown.contains("@org/team"),
        "a team mention would notify"
    );
}

#[test]
fn workflow_commands_cannot_be_injected() {
    let github = report(&script(), "github");
    assert_no_hidden("github", &github);
    let lines: Vec<&str> = github.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice"),
            "an injected line: {line}"
        );
    }
    // The injected line and a literal %0A (as %250A) are encoded: see the snapshot.
}

#[test]
fn sarif_and_code_quality_hold_no_live_markup() {
    // Display formats (SARIF and Code Quality messages) make hidden characters visible; the JSON
    // report is data and keeps the text as written, with JSON's own escapes for controls.
    for format in ["sarif", "gitlab", "json"] {
        let out = report(&script(), format);
        if format != "json" {
            assert_no_hidden(format, &out);
        }
        let value: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        // JSON escapes what its reader interprets; the text itself keeps no raw control.
        let flat = value.to_string();
        assert!(!flat.chars().any(|c| c == '\u{1b}'), "{format}");
    }
    // No embedded SARIF link (`[win](https…)`): see the snapshot.
}
