//! Errors that stop a command, printed on standard error.

use std::io::Write;

use anstyle::{AnsiColor, Style};

use crate::error::Error;

const ERROR: Style = AnsiColor::Red.on_default().bold();
const HELP: Style = AnsiColor::Cyan.on_default().bold();

pub fn print_error(error: &Error) {
    let mut err = anstream::stderr().lock();
    if let Error::InvalidConfig(diagnostics) = error {
        for diagnostic in diagnostics {
            let _ = super::text::write_diagnostic(&mut err, diagnostic);
        }
    }
    let _ = writeln!(err, "{ERROR}error:{ERROR:#} {error}");
    if let Some(help) = error.help() {
        for (i, line) in help.lines().enumerate() {
            let lead = if i == 0 {
                format!("{HELP}help:{HELP:#} ")
            } else {
                "      ".to_string()
            };
            let _ = writeln!(err, "{lead}{line}");
        }
    }
}
