//! Text for a terminal, in the style of hledger and rustc: `FILE:LINE:COL`, the offending line
//! quoted with a caret under the column, then what to do. Colour comes from `anstream`, which
//! drops it when the output is not a terminal or `NO_COLOR` is set.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

use crate::ledger::Diagnostic;
use crate::ledger::load::LedgerState;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const BOLD: Style = Style::new().bold();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();

/// Writes one diagnostic.
pub fn write_diagnostic(out: &mut dyn Write, d: &Diagnostic) -> io::Result<()> {
    let position = match (d.line, d.column) {
        (0, _) => d.file.clone(),
        (line, 0) => format!("{}:{line}", d.file),
        (line, column) => format!("{}:{line}:{column}", d.file),
    };
    writeln!(
        out,
        "{BOLD}{position}{BOLD:#}: {ERROR}error[{}]{ERROR:#}: {BOLD}{}{BOLD:#}",
        d.code, d.message
    )?;
    if let Some(source) = &d.source_line {
        let number = d.line.to_string();
        let pad = " ".repeat(number.len());
        let shown = source.replace('\t', "    ");
        writeln!(out, "{GUTTER}{pad} |{GUTTER:#}")?;
        writeln!(out, "{GUTTER}{number} |{GUTTER:#} {shown}")?;
        if d.column > 0 {
            let before: String = source
                .chars()
                .take(d.column - 1)
                .collect::<String>()
                .replace('\t', "    ");
            writeln!(
                out,
                "{GUTTER}{pad} |{GUTTER:#} {}{ERROR}^{ERROR:#}",
                " ".repeat(before.width())
            )?;
        }
    }
    if let Some(help) = &d.help {
        let mut lines = help.lines();
        if let Some(first) = lines.next() {
            writeln!(out, "  {HELP}= help:{HELP:#} {first}")?;
        }
        for line in lines {
            writeln!(out, "          {line}")?;
        }
    }
    writeln!(out)
}

/// Writes the result of `check`: every diagnostic, then a summary line.
pub fn write_check(out: &mut dyn Write, state: &LedgerState) -> io::Result<()> {
    for diagnostic in &state.diagnostics {
        write_diagnostic(out, diagnostic)?;
    }
    let invalid_files = {
        let mut files: Vec<&str> = state.diagnostics.iter().map(|d| d.file.as_str()).collect();
        files.dedup();
        files.len()
    };
    if state.diagnostics.is_empty() {
        writeln!(
            out,
            "{BOLD}{} partnership file{} checked: all valid{BOLD:#}",
            state.files,
            plural(state.files)
        )
    } else {
        writeln!(
            out,
            "{ERROR}{} problem{} in {} of {} file{}{ERROR:#}",
            state.diagnostics.len(),
            plural(state.diagnostics.len()),
            invalid_files,
            state.files,
            plural(state.files)
        )
    }
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
