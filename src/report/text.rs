//! Text for a terminal, in the style of hledger and rustc: `FILE:LINE:COL`, the offending line
//! quoted with a caret under the column, then what to do. Colour comes from `anstream`, which
//! drops it when the output is not a terminal or `NO_COLOR` is set.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

use super::escape;
use crate::analysis::review::{FileChange, Review, Status};
use crate::ledger::load::LedgerState;
use crate::ledger::{DateWarning, Diagnostic};
use crate::signs::{Acknowledgement, Finding, RuleInfo, Severity};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const BOLD: Style = Style::new().bold();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const INFO: Style = AnsiColor::Cyan.on_default().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Error => ERROR,
        Severity::Warning => WARNING,
        Severity::Info => INFO,
    }
}

/// At most this many date warnings are written on a terminal; the JSON outputs carry them all.
const DATE_WARNINGS_SHOWN: usize = 10;

/// Writes the warnings about commit dates (for standard error): each names its commit, then
/// what to do, once.
pub fn write_date_warnings(out: &mut dyn Write, warnings: &[DateWarning]) -> io::Result<()> {
    for w in warnings.iter().take(DATE_WARNINGS_SHOWN) {
        writeln!(
            out,
            "{WARNING}warning[{}]{WARNING:#}: {}",
            w.code,
            escape::terminal(&w.message)
        )?;
    }
    if warnings.len() > DATE_WARNINGS_SHOWN {
        writeln!(
            out,
            "{WARNING}warning{WARNING:#}: {} more commits with dates that contradict the commit graph or the clock (the JSON output lists them all)",
            warnings.len() - DATE_WARNINGS_SHOWN
        )?;
    }
    if let Some(first) = warnings.first() {
        writeln!(
            out,
            "  {HELP}= help:{HELP:#} {}",
            escape::terminal(&first.help)
        )?;
    }
    Ok(())
}

/// Writes one diagnostic; the file name, message and quoted line are made inert (the caret
/// still lands under the column, measured on the text as shown).
pub fn write_diagnostic(out: &mut dyn Write, d: &Diagnostic) -> io::Result<()> {
    write_located(out, d, "error", ERROR)
}

/// Writes one warning about a valid file (something written in a form rapport does not read),
/// shaped like a diagnostic.
pub fn write_file_warning(out: &mut dyn Write, d: &Diagnostic) -> io::Result<()> {
    write_located(out, d, "warning", WARNING)
}

fn write_located(out: &mut dyn Write, d: &Diagnostic, label: &str, style: Style) -> io::Result<()> {
    let t = |s: &str| escape::terminal(s).into_owned();
    let file = t(&d.file);
    let position = match (d.line, d.column) {
        (0, _) => file,
        (line, 0) => format!("{file}:{line}"),
        (line, column) => format!("{file}:{line}:{column}"),
    };
    writeln!(
        out,
        "{BOLD}{position}{BOLD:#}: {style}{label}[{}]{style:#}: {BOLD}{}{BOLD:#}",
        d.code,
        t(&d.message)
    )?;
    if let Some(source) = &d.source_line {
        let number = d.line.to_string();
        let pad = " ".repeat(number.len());
        let shown = t(&source.replace('\t', "    "));
        writeln!(out, "{GUTTER}{pad} |{GUTTER:#}")?;
        writeln!(out, "{GUTTER}{number} |{GUTTER:#} {shown}")?;
        if d.column > 0 {
            let before: String = source
                .chars()
                .take(d.source_column().saturating_sub(1))
                .collect::<String>()
                .replace('\t', "    ");
            writeln!(
                out,
                "{GUTTER}{pad} |{GUTTER:#} {}{style}^{style:#}",
                " ".repeat(t(&before).width())
            )?;
        }
    }
    if let Some(help) = &d.help {
        let mut lines = help.lines();
        if let Some(first) = lines.next() {
            writeln!(out, "  {HELP}= help:{HELP:#} {}", t(first))?;
        }
        for line in lines {
            writeln!(out, "          {}", t(line))?;
        }
    }
    writeln!(out)
}

/// Writes the result of `check`: every diagnostic, the findings grouped by partnership (worst
/// partnership first, worst finding first), then a summary line.
pub fn write_check(
    out: &mut dyn Write,
    state: &LedgerState,
    findings: &[Finding],
) -> io::Result<()> {
    for diagnostic in &state.diagnostics {
        write_diagnostic(out, diagnostic)?;
    }
    for warning in &state.warnings {
        write_file_warning(out, warning)?;
    }
    // Each partnership's findings written on every core, then in order.
    let written: Vec<io::Result<Vec<u8>>> = {
        use rayon::prelude::*;
        group_by_partnership(findings)
            .par_iter()
            .map(|group| {
                let mut text = Vec::new();
                write_group(&mut text, group)?;
                Ok(text)
            })
            .collect()
    };
    for text in written {
        out.write_all(&text?)?;
    }
    let invalid_files = {
        let mut files: Vec<&str> = state.diagnostics.iter().map(|d| d.file.as_str()).collect();
        files.dedup();
        files.len()
    };
    if state.diagnostics.is_empty() {
        write!(
            out,
            "{BOLD}{} partnership file{} checked: all valid{BOLD:#}",
            state.files,
            plural(state.files)
        )?;
        if !state.warnings.is_empty() {
            write!(
                out,
                " {WARNING}({} part{} not read: see the warnings){WARNING:#}",
                state.warnings.len(),
                plural(state.warnings.len())
            )?;
        }
    } else {
        write!(
            out,
            "{ERROR}{} problem{} in {} of {} file{}{ERROR:#}",
            state.diagnostics.len(),
            plural(state.diagnostics.len()),
            invalid_files,
            state.files,
            plural(state.files)
        )?;
    }
    writeln!(out, "; {}", summary(findings))
}

/// `2 errors, 1 warning (1 acknowledged)` or `no findings`.
pub fn summary(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "no findings".into();
    }
    let open: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.acknowledgement == Acknowledgement::Open)
        .collect();
    let mut parts = Vec::new();
    for (severity, name) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ] {
        let n = open.iter().filter(|f| f.severity == severity).count();
        if n > 0 {
            let s = if severity == Severity::Info {
                ""
            } else {
                plural(n)
            };
            parts.push(format!("{n} {name}{s}"));
        }
    }
    let acknowledged = findings.len() - open.len();
    let mut text = if parts.is_empty() {
        "no open findings".to_string()
    } else {
        parts.join(", ")
    };
    if acknowledged > 0 {
        text.push_str(&format!(" ({acknowledged} acknowledged)"));
    }
    text
}

/// Findings of one partnership, in the order `analyse` sorted them.
pub fn group_by_partnership(findings: &[Finding]) -> Vec<Vec<&Finding>> {
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    // Each partnership's group, by id: a ledger has thousands of findings.
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for finding in findings {
        match at.get(finding.location.partnership.as_str()) {
            Some(&i) => groups[i].push(finding),
            None => {
                at.insert(&finding.location.partnership, groups.len());
                groups.push(vec![finding]);
            }
        }
    }
    // Worst first: by the most severe open finding, then by how many open errors and warnings.
    let weight = |g: &Vec<&Finding>| {
        let open = || {
            g.iter()
                .filter(|f| f.acknowledgement == Acknowledgement::Open)
        };
        let count = |severity| open().filter(|f| f.severity == severity).count();
        (
            open().map(|f| f.severity).max(),
            count(Severity::Error),
            count(Severity::Warning),
        )
    };
    groups.sort_by_cached_key(|g| {
        (
            std::cmp::Reverse(weight(g)),
            g[0].location.partnership.clone(),
        )
    });
    groups
}

fn write_group(out: &mut dyn Write, group: &[&Finding]) -> io::Result<()> {
    let Some(first) = group.first() else {
        return Ok(());
    };
    let t = |s: &str| escape::terminal(s).into_owned();
    writeln!(
        out,
        "{BOLD}{}{BOLD:#} ({}, {}): {} finding{}",
        t(&first.location.name),
        t(&first.location.partnership),
        t(&first.location.file),
        group.len(),
        plural(group.len())
    )?;
    for finding in group {
        write_finding(out, finding)?;
    }
    writeln!(out)
}

/// A finding with every text taken from a ledger file made inert for a terminal.
fn inert(f: &Finding) -> Finding {
    let t = |s: &str| escape::terminal(s).into_owned();
    let mut f = f.clone();
    f.message = t(&f.message);
    f.location.file = t(&f.location.file);
    f.location.name = t(&f.location.name);
    f.location.partnership = t(&f.location.partnership);
    for e in &mut f.evidence {
        e.observed = t(&e.observed);
    }
    if let Acknowledgement::Acknowledged { reason, .. } = &mut f.acknowledgement {
        *reason = t(reason);
    }
    f
}

/// Writes one finding: where, what, the sign, the evidence, the remedy.
pub fn write_finding(out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    let f = &inert(f);
    let style = severity_style(f.severity);
    let acknowledged = match &f.acknowledgement {
        Acknowledgement::Open => String::new(),
        Acknowledgement::Acknowledged { .. } => " (acknowledged)".into(),
    };
    writeln!(
        out,
        "  {BOLD}{}:{}{BOLD:#}: {style}{}[{}]{style:#}{acknowledged}: {}",
        f.location.file, f.location.line, f.severity, f.rule, f.message
    )?;
    // Sign 0 is not one of the numbered signs (ledger hygiene, renewal at risk): its name only.
    if f.sign.number == 0 {
        writeln!(out, "    {GUTTER}={GUTTER:#} {}", f.sign.name)?;
    } else {
        writeln!(
            out,
            "    {GUTTER}= sign {}:{GUTTER:#} {}",
            f.sign.number, f.sign.name
        )?;
    }
    for (i, e) in f.evidence.iter().enumerate() {
        let lead = if i == 0 { "= evidence:" } else { "           " };
        let commit = e
            .commit
            .as_deref()
            .map(|c| format!(" {DIM}{c}{DIM:#}"))
            .unwrap_or_default();
        writeln!(
            out,
            "    {GUTTER}{lead}{GUTTER:#} {}{commit} {}",
            e.date, e.observed
        )?;
    }
    if let Acknowledgement::Acknowledged { reason, until } = &f.acknowledgement {
        let until = until.map(|u| format!(" until {u}")).unwrap_or_default();
        writeln!(out, "    {GUTTER}= acknowledged{until}:{GUTTER:#} {reason}")?;
    }
    writeln!(out, "    {HELP}= fix:{HELP:#} {}", f.remedy)
}

/// Writes the review of a change: what it was compared with, a summary line, the problems in
/// touched files, then each touched partnership with its changes and its findings by status
/// (new and worsened in full, the rest one line each).
pub fn write_review(out: &mut dyn Write, review: &Review) -> io::Result<()> {
    let t = |s: &str| escape::terminal(s).into_owned();
    let counts = review.counts();
    writeln!(
        out,
        "{BOLD}Change {}..{}{BOLD:#} (merge base of {}, from {}; analysed as of {})",
        review.merge_base.short,
        review.head.short,
        t(&review.base.rev),
        t(&review.base.source),
        review.now
    )?;
    if review.config_changed {
        writeln!(
            out,
            "{WARNING}rapport.yaml changed:{WARNING:#} every partnership re-analysed, each side with its own configuration"
        )?;
        for change in &review.config_changes {
            writeln!(out, "  {}", config_change(change))?;
        }
    }
    writeln!(out)?;
    for diagnostic in &review.diagnostics {
        write_diagnostic(out, diagnostic)?;
    }
    for warning in &review.file_warnings {
        write_file_warning(out, warning)?;
    }
    for p in &review.partnerships {
        let file = match (p.file, &p.base_path, &p.path) {
            (FileChange::Moved, Some(from), Some(to)) => format!("moved {} → {}", t(from), t(to)),
            (FileChange::Removed, Some(from), _) => format!("removed {}", t(from)),
            (kind, _, Some(path)) => format!("{} {}", file_change(kind), t(path)),
            (kind, _, None) => file_change(kind).to_string(),
        };
        writeln!(out, "{BOLD}{}{BOLD:#} ({}): {file}", t(&p.name), t(&p.id))?;
        // The file line says where it moved; added meetings are listed with their attendees.
        for change in p.changes.iter().filter(|c| {
            !matches!(c, crate::ledger::changes::Change::Moved { .. })
                && !matches!(c, crate::ledger::changes::Change::MeetingAdded { .. })
        }) {
            super::timeline::write_change(out, change, false)?;
        }
        if p.changes_omitted > 0 {
            writeln!(
                out,
                "  {DIM}and {} more field changes{DIM:#}",
                crate::numbers::count(p.changes_omitted)
            )?;
        }
        for meeting in &p.meetings {
            // A meeting without an attendance line names nobody, not an empty `()`.
            let attendees = if meeting.attendees.is_empty() {
                String::new()
            } else {
                format!(" {DIM}({}){DIM:#}", t(&meeting.attendees.join(", ")))
            };
            writeln!(
                out,
                "  {HELP}+ meeting{HELP:#} {} {}{attendees}",
                meeting.date,
                t(&meeting.title),
            )?;
        }
        for hidden in &p.hidden_meetings {
            writeln!(
                out,
                "  {ERROR}hidden meeting{ERROR:#} {} {} (line {}): read at the merge base, no longer read as a meeting",
                hidden.date,
                t(&hidden.title),
                hidden.line
            )?;
        }
        for reviewed in &p.findings {
            let f = &reviewed.finding;
            let label = match reviewed.status {
                Status::Silenced => format!("{WARNING}silenced{WARNING:#}"),
                Status::New => format!("{ERROR}new{ERROR:#}"),
                Status::Worsened => format!("{ERROR}worsened{ERROR:#}"),
                Status::Reopened => format!("{ERROR}reopened{ERROR:#}"),
                Status::Resolved => format!("{HELP}resolved{HELP:#}"),
                Status::Improved => format!("{HELP}improved{HELP:#}"),
                Status::Acknowledged => format!("{DIM}acknowledged{DIM:#}"),
                Status::Unchanged => format!("{DIM}unchanged{DIM:#}"),
            };
            match reviewed.status {
                Status::New | Status::Worsened => {
                    write!(out, "  {label} ")?;
                    write_finding(out, f)?;
                    if let Some(before) = &reviewed.before {
                        writeln!(
                            out,
                            "    {GUTTER}= was:{GUTTER:#} {}[{}]: {}",
                            before.severity,
                            f.rule,
                            t(&before.message)
                        )?;
                    }
                }
                Status::Silenced => {
                    write!(out, "  {label} ")?;
                    write_finding(out, f)?;
                    for change in &reviewed.silenced_by {
                        writeln!(
                            out,
                            "    {WARNING}= silenced by:{WARNING:#} {}",
                            config_change(change)
                        )?;
                    }
                }
                _ => {
                    let style = severity_style(f.severity);
                    writeln!(
                        out,
                        "  {label} {style}{}[{}]{style:#} {}",
                        f.severity,
                        f.rule,
                        t(&f.message)
                    )?;
                }
            }
        }
        writeln!(out)?;
    }
    let touched = review.partnerships.len();
    let mut parts = Vec::new();
    for status in Status::ALL {
        let n = counts.of(status);
        if n > 0 {
            parts.push(format!("{n} {}", status.as_str()));
        }
    }
    // The counts are of findings, not of partnerships: said so, or "4 partnerships touched: 1
    // new, 1 worsened, 3 unchanged" reads as more partnerships than were touched.
    let findings = if parts.is_empty() {
        "no findings".to_string()
    } else {
        let total: usize = Status::ALL.iter().map(|s| counts.of(*s)).sum();
        format!("finding{}: {}", plural(total), parts.join(", "))
    };
    let hidden = review.hidden_meetings().count();
    let problems = if hidden > 0 {
        format!(
            "{ERROR}{hidden} meeting{} hidden{ERROR:#}; ",
            plural(hidden)
        )
    } else {
        String::new()
    };
    let problems = if review.diagnostics.is_empty() {
        problems
    } else {
        format!(
            "{ERROR}{} problem{} in changed files{ERROR:#}; ",
            review.diagnostics.len(),
            plural(review.diagnostics.len())
        )
    };
    writeln!(
        out,
        "{problems}{BOLD}{touched} partnership{} touched{BOLD:#}; {findings}",
        plural(touched)
    )
}

/// `rapport.yaml:5: rules.payment-terms-slip.enabled: true → false`, escaped for a terminal.
pub fn config_change(change: &crate::analysis::reconfigured::ConfigChange) -> String {
    let at = change
        .line
        .map(|line| format!("rapport.yaml:{line}: "))
        .unwrap_or_else(|| "rapport.yaml: ".into());
    escape::terminal(&format!(
        "{at}{}: {} → {}",
        change.key, change.before, change.after
    ))
    .into_owned()
}

fn file_change(kind: FileChange) -> &'static str {
    match kind {
        FileChange::Added => "added",
        FileChange::Modified => "modified",
        FileChange::Moved => "moved",
        FileChange::Removed => "removed",
        FileChange::Reconfigured => "re-analysed with the new configuration",
        FileChange::Unread => "no longer read: the new configuration leaves out",
    }
}

/// `rapport rules`: one line per rule.
pub fn write_rules(out: &mut dyn Write, rules: &[&RuleInfo]) -> io::Result<()> {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut sign = None;
    for rule in rules {
        if sign != Some((rule.sign.number, rule.sign.name)) {
            sign = Some((rule.sign.number, rule.sign.name));
            let number = match rule.sign.number {
                0 => String::new(),
                n => n.to_string(),
            };
            writeln!(out, "{BOLD}{number:>2}  {}{BOLD:#}", rule.sign.name)?;
        }
        let style = severity_style(rule.default_severity);
        let severity = if rule.escalates {
            format!("{}/error", rule.default_severity)
        } else {
            rule.default_severity.to_string()
        };
        writeln!(
            out,
            "    {:<width$}  {style}{severity:<13}{style:#}  {}",
            rule.id, rule.title
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} rules; `rapport explain RULE` prints one in full",
        rules.len()
    )
}

/// `rapport explain RULE`: the rule's page.
pub fn write_explain(out: &mut dyn Write, rule: &RuleInfo) -> io::Result<()> {
    writeln!(out, "{BOLD}{}{BOLD:#}: {}", rule.id, rule.title)?;
    writeln!(
        out,
        "{}; default severity: {}{}",
        match rule.sign.number {
            0 => rule.sign.name.to_string(),
            n => format!("sign {n}: {}", rule.sign.name),
        },
        rule.default_severity,
        if rule.escalates {
            " (error in the cases below)"
        } else {
            ""
        }
    )?;
    writeln!(
        out,
        "runs on partnerships that are {}",
        crate::signs::statuses_in_words(rule.applies_to()).replace('`', "")
    )?;
    for (heading, text) in [
        ("What it detects", rule.detects().as_str()),
        ("Why it matters", rule.why),
    ] {
        writeln!(out, "\n{BOLD}{heading}{BOLD:#}\n{}", wrap(text, 96))?;
    }
    writeln!(out, "\n{BOLD}Example{BOLD:#}")?;
    for line in rule.example.lines() {
        writeln!(out, "    {line}")?;
    }
    writeln!(out, "\n{BOLD}How to fix it{BOLD:#}\n{}", wrap(rule.fix, 96))?;
    writeln!(
        out,
        "\n{BOLD}Settings{BOLD:#} (rapport.yaml, under `rules: {{ {}: {{ … }} }}`)",
        rule.id
    )?;
    writeln!(out, "    {:<24} run the rule", "enabled: true")?;
    writeln!(
        out,
        "    {:<24} info, warning or error for every finding of the rule",
        format!("severity: {}", rule.default_severity)
    )?;
    for setting in rule.settings() {
        let key = format!("{}: {}", setting.key, setting.default);
        let allowed = Some(setting.bounds)
            .filter(|b| b.is_numeric())
            .map(|b| format!(" ({})", b.range()))
            .unwrap_or_default();
        writeln!(out, "    {key:<24} {}{allowed}", setting.meaning)?;
    }
    Ok(())
}

/// Wraps prose at `width` columns on spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
