//! Errors that stop a command, printed on standard error. They echo what the user or the ledger
//! gave (paths, revisions, ids, git's messages), so every line is made inert for a terminal.

use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::error::Error;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();

pub fn print_error(error: &Error) {
    let mut err = anstream::stderr().lock();
    if let Error::InvalidConfig(diagnostics) | Error::InvalidFile { diagnostics, .. } = error {
        for diagnostic in diagnostics {
            let _ = super::text::write_diagnostic(&mut err, diagnostic);
        }
    }
    let message = error.to_string();
    let _ = writeln!(
        err,
        "{ERROR}error:{ERROR:#} {}",
        super::escape::terminal(&message)
    );
    if let Some(help) = error.help() {
        // Help spans lines on purpose; what it quotes from the ledger is escaped where it is
        // written, and each line again here.
        for (i, line) in help.lines().enumerate() {
            let line = super::escape::terminal(line);
            let lead = if i == 0 {
                format!("{HELP}help:{HELP:#} ")
            } else {
                "      ".to_string()
            };
            let _ = writeln!(err, "{lead}{line}");
        }
    }
}
