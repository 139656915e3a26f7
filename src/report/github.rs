//! GitHub Actions workflow commands: an annotation on the line of each finding a change
//! introduced or worsened and of each problem in its files, kept within GitHub's quota, and the
//! job summary. Every value from a ledger file or git goes through the workflow-command escapes,
//! so no text can end a command or start another.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use super::escape;
use crate::analysis::review::{Review, Status};
use crate::ledger::Diagnostic;
use crate::signs::Severity;

/// GitHub shows at most this many annotations of each level per step and drops the rest.
pub const PER_LEVEL: usize = 10;

/// The level of an annotation, as its command is named. Ordered as the quota summary lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    const ALL: [Level; 3] = [Level::Error, Level::Warning, Level::Notice];

    fn of(severity: Severity) -> Level {
        match severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Info => Level::Notice,
        }
    }

    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One annotation before escaping: a place in a file, a title and a message of any lines.
struct Annotation {
    level: Level,
    file: String,
    /// 1-based; 0 for a whole file.
    line: usize,
    /// 1-based; 0 when unknown.
    column: usize,
    title: String,
    message: String,
}

impl Annotation {
    /// The workflow command: one line whatever the text holds.
    fn command(&self) -> String {
        let mut properties = vec![format!("file={}", escape::workflow_property(&self.file))];
        if self.line > 0 {
            properties.push(format!("line={}", self.line));
            if self.column > 0 {
                properties.push(format!("col={}", self.column));
            }
        }
        properties.push(format!("title={}", escape::workflow_property(&self.title)));
        format!(
            "::{} {}::{}",
            self.level.command(),
            properties.join(","),
            escape::workflow_data(&self.message)
        )
    }
}

/// Writes the annotations of `review`, with paths as the review has them: relative to the
/// ledger root, which is the repository's top in the usual layout.
pub fn write(out: &mut dyn Write, review: &Review) -> io::Result<()> {
    write_under(out, review, "")
}

/// Writes an annotation for each diagnostic (as an error) and each new or worsened finding, at
/// most [`PER_LEVEL`] of each level, then one notice counting the ones left out. `prefix` is the
/// ledger's folder relative to the repository's top, `/`-terminated, or empty.
pub fn write_under(out: &mut dyn Write, review: &Review, prefix: &str) -> io::Result<()> {
    let annotations = annotations(review, prefix);
    let total = |level: Level| annotations.iter().filter(|a| a.level == level).count();
    let overflows = total(Level::Error) > PER_LEVEL
        || total(Level::Warning) > PER_LEVEL
        || total(Level::Notice) > PER_LEVEL;
    // The summary is a notice too: it takes the last notice slot so GitHub shows it.
    let mut room = [PER_LEVEL; 3];
    if overflows {
        room[Level::Notice.index()] = PER_LEVEL - 1;
    }
    let mut left_out = [0usize; 3];
    for annotation in &annotations {
        let slot = annotation.level.index();
        if room[slot] > 0 {
            room[slot] -= 1;
            writeln!(out, "{}", annotation.command())?;
        } else {
            left_out[slot] += 1;
        }
    }
    let hidden: usize = left_out.iter().sum();
    if hidden > 0 {
        let parts: Vec<String> = Level::ALL
            .iter()
            .filter(|level| left_out[level.index()] > 0)
            .map(|level| {
                let n = left_out[level.index()];
                let s = if n == 1 { "" } else { "s" };
                format!("{n} {}{s}", level.command())
            })
            .collect();
        let message = format!(
            "{hidden} more not annotated ({}): GitHub shows {PER_LEVEL} annotations of each \
             level per step. Read the job summary for every finding.",
            parts.join(", ")
        );
        writeln!(
            out,
            "::notice title={}::{}",
            escape::workflow_property("rapport"),
            escape::workflow_data(&message)
        )?;
    }
    Ok(())
}

/// Appends `markdown` to the job summary file (the path in `$GITHUB_STEP_SUMMARY`), creating it
/// if needed and never truncating it: other steps write there too.
pub fn append_summary(markdown: &str, path: &Path) -> io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(markdown.as_bytes())?;
    if !markdown.ends_with('\n') {
        file.write_all(b"\n")?;
    }
    file.flush()
}

/// Diagnostics first (they block the change whatever else it does), then the findings in the
/// review's order, worst partnership first.
fn annotations(review: &Review, prefix: &str) -> Vec<Annotation> {
    let mut annotations: Vec<Annotation> = review
        .diagnostics
        .iter()
        .map(|d| diagnostic(d, prefix))
        .collect();
    for (_, reviewed) in review.findings() {
        if !matches!(
            reviewed.status,
            Status::New | Status::Worsened | Status::Silenced
        ) {
            continue;
        }
        let finding = &reviewed.finding;
        let mut message = format!("{}: {}", finding.location.name, finding.message);
        if let (Status::Worsened, Some(before)) = (reviewed.status, &reviewed.before) {
            message.push_str(&format!(
                "\nAt the merge base ({}): {}",
                before.severity, before.message
            ));
        }
        if reviewed.status == Status::Silenced {
            message.push_str(&silenced_by(reviewed));
        }
        if !finding.remedy.is_empty() {
            message.push_str(&format!("\nRemedy: {}", finding.remedy));
        }
        annotations.push(Annotation {
            level: Level::of(finding.severity),
            file: format!("{prefix}{}", finding.location.file),
            line: finding.location.line,
            column: 0,
            title: format!("rapport {} ({})", finding.rule, reviewed.status.as_str()),
            message,
        });
    }
    annotations
}

/// What silenced a finding, for a message: the settings of `rapport.yaml` the change replaced.
pub(crate) fn silenced_by(reviewed: &crate::analysis::review::Reviewed) -> String {
    let mut text = String::from(
        "\nSilenced by the change to rapport.yaml (the base's configuration still finds it)",
    );
    for change in &reviewed.silenced_by {
        let at = change
            .line
            .map(|l| format!(" (line {l})"))
            .unwrap_or_default();
        text.push_str(&format!(
            "\n{}: {} → {}{at}",
            change.key, change.before, change.after
        ));
    }
    text
}

fn diagnostic(diagnostic: &Diagnostic, prefix: &str) -> Annotation {
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push('\n');
        message.push_str(help);
    }
    Annotation {
        level: Level::Error,
        file: format!("{prefix}{}", diagnostic.file),
        line: diagnostic.line,
        column: diagnostic.column,
        title: format!("rapport invalid-ledger-file ({})", diagnostic.code),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{self, HOSTILE};
    use crate::signs::Fingerprint;

    fn render(review: &Review) -> String {
        let mut out = Vec::new();
        write(&mut out, review).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("UTF-8")
    }

    /// The runner's decoding of a command's message (`unescapeData`).
    fn decode(text: &str) -> String {
        text.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%25", "%")
    }

    /// A parsed command line: its name, its `key=value` properties and its message.
    type Parsed = (String, Vec<(String, String)>, String);

    /// Checks that `output` is exactly `count` workflow commands of the shapes this module
    /// writes, one per line, and returns their (command, properties, message) parts.
    fn commands(output: &str, count: usize) -> Vec<Parsed> {
        assert!(
            !output.contains(['\r', '\u{1b}', '\u{202e}', '\u{9b}']),
            "{output:?}"
        );
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(lines.len(), count, "{output}");
        assert!(output.is_empty() || output.ends_with('\n'));
        lines
            .into_iter()
            .map(|line| {
                for (at, _) in line.match_indices('%') {
                    let rest = &line[at..];
                    assert!(
                        ["%25", "%0A", "%0D", "%3A", "%2C"]
                            .iter()
                            .any(|e| rest.starts_with(e)),
                        "raw % in {line:?}"
                    );
                }
                let rest = line.strip_prefix("::").expect("a command line");
                let (head, message) = rest.split_once("::").expect("properties end");
                let (command, properties) = head.split_once(' ').unwrap_or((head, ""));
                assert!(
                    ["error", "warning", "notice"].contains(&command),
                    "{line:?}"
                );
                let properties: Vec<(String, String)> = properties
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (key, value) = p.split_once('=').expect("key=value");
                        assert!(["file", "line", "col", "title"].contains(&key), "{line:?}");
                        assert!(!value.contains(':'), "{line:?}");
                        (key.to_string(), value.to_string())
                    })
                    .collect();
                (command.to_string(), properties, message.to_string())
            })
            .collect()
    }

    /// The fixture with `n` new errors in one partnership, each its own finding.
    fn with_new(severity: Severity, n: usize, review: &mut Review) {
        let template = review.partnerships[0].findings[0].clone();
        for i in 0..n {
            let mut reviewed = template.clone();
            reviewed.status = Status::New;
            reviewed.finding.severity = severity;
            reviewed.finding.subject = format!("{severity}-{i}");
            reviewed.finding.fingerprint =
                Fingerprint::new(reviewed.finding.rule, "kestrel", &reviewed.finding.subject);
            review.partnerships[0].findings.push(reviewed);
        }
    }

    #[test]
    fn annotations_of_the_fixture_review() {
        insta::assert_snapshot!(render(&fixture::review()));
    }

    #[test]
    fn a_silenced_finding_is_annotated_with_what_silenced_it() {
        let output = render(&fixture::silenced_review());
        // The silenced warning, the new error and the worsened warning.
        let parsed = commands(&output, 3);
        let levels: Vec<&str> = parsed.iter().map(|(c, _, _)| c.as_str()).collect();
        assert_eq!(levels, ["warning", "error", "warning"]);
        insta::assert_snapshot!(output);
    }

    #[test]
    fn annotations_of_an_invalid_file() {
        insta::assert_snapshot!(render(&fixture::invalid_review()));
    }

    #[test]
    fn hostile_text_cannot_inject_a_command() {
        let mut review = fixture::review();
        let hostile_file = format!("partners/{HOSTILE},line=1,title=x::.md");
        for p in &mut review.partnerships {
            for r in &mut p.findings {
                r.finding.location.file = hostile_file.clone();
                r.finding.message = format!("{HOSTILE}\r\n::warning::second 100%");
            }
        }
        review.diagnostics = fixture::invalid_review().diagnostics;
        review.diagnostics[0].file = hostile_file.clone();
        review.diagnostics[0].help = Some(HOSTILE.into());
        let output = render(&review);
        // One diagnostic, one new error, one worsened warning: three commands, nothing else.
        let parsed = commands(&output, 3);
        let levels: Vec<&str> = parsed.iter().map(|(c, _, _)| c.as_str()).collect();
        assert_eq!(levels, ["error", "error", "warning"]);
        for (_, properties, message) in &parsed {
            let keys: Vec<&str> = properties.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(keys.first(), Some(&"file"));
            assert_eq!(keys.last(), Some(&"title"));
            let decoded = decode(message);
            assert!(decoded.contains("::error::injected"), "{decoded:?}");
        }
        assert!(output.contains("%0A::error::injected %250A"));
        assert!(output.contains("\\u{1b}[31mred"));
        assert!(output.contains("\\u{202e}gnp.exe"));
    }

    #[test]
    fn at_most_ten_annotations_per_level_then_one_notice() {
        let mut review = fixture::review();
        review.partnerships[0]
            .findings
            .retain(|r| r.status != Status::Worsened);
        review.partnerships[0].findings[0].status = Status::Unchanged;
        with_new(Severity::Error, 25, &mut review);
        let parsed = commands(&render(&review), 11);
        let errors = parsed.iter().filter(|(c, _, _)| c == "error").count();
        let notices: Vec<&String> = parsed
            .iter()
            .filter(|(c, _, _)| c == "notice")
            .map(|(_, _, m)| m)
            .collect();
        assert_eq!(errors, 10);
        assert_eq!(notices.len(), 1);
        assert!(
            notices[0].starts_with("15 more not annotated (15 errors)"),
            "{}",
            notices[0]
        );
        assert!(notices[0].contains("job summary"));
    }

    #[test]
    fn diagnostics_count_in_the_error_quota_and_the_summary_keeps_a_notice_slot() {
        let mut review = fixture::review();
        review.diagnostics = fixture::invalid_review().diagnostics;
        with_new(Severity::Error, 10, &mut review);
        with_new(Severity::Info, 12, &mut review);
        let parsed = commands(&render(&review), 10 + 1 + 10);
        let count = |level: &str| parsed.iter().filter(|(c, _, _)| c == level).count();
        assert_eq!(
            (count("error"), count("warning"), count("notice")),
            (10, 1, 10)
        );
        let (_, properties, summary) = parsed.last().expect("a summary");
        assert_eq!(properties, &[("title".to_string(), "rapport".to_string())]);
        // 1 diagnostic + 11 errors = 12 errors, 2 left; 12 notices, 9 shown, 3 left.
        assert!(
            summary.starts_with("5 more not annotated (2 errors, 3 notices)"),
            "{summary}"
        );
        assert!(
            parsed[0].2.starts_with("unknown field"),
            "diagnostics come first"
        );
    }

    #[test]
    fn nothing_to_annotate_writes_nothing() {
        assert_eq!(render(&fixture::quiet_review()), "");
    }

    #[test]
    fn whole_file_problems_have_no_line_and_prefix_is_prepended() {
        let review = fixture::invalid_review();
        let mut out = Vec::new();
        write_under(&mut out, &review, "ledger/").expect("Vec");
        let output = String::from_utf8(out).expect("UTF-8");
        assert!(
            output.starts_with(
                "::error file=ledger/partners/resellers/kestrel.md,title=rapport invalid-ledger-file (unknown-field)::"
            ),
            "{output}"
        );
    }

    #[test]
    fn the_summary_is_appended_never_truncated() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("summary.md");
        std::fs::write(&path, "# earlier step\n").expect("write");
        append_summary("## rapport\nno change", &path).expect("append");
        append_summary("again\n", &path).expect("append");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text, "# earlier step\n## rapport\nno change\nagain\n");
    }
}
