//! Problems with the input itself (a file that cannot be read, YAML that does not parse, a field
//! that does not exist, a date that cannot be), each pointing at a file, line and column.

use serde::Serialize;

/// One problem in one ledger file, in the shape hledger and compilers use:
/// `FILE:LINE:COL: message`, the offending line, then what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    /// The file, relative to the ledger root where possible.
    pub file: String,
    /// 1-based line; 0 when the problem concerns the file as a whole.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    /// A stable name for the kind of problem, such as `unknown-field`.
    pub code: &'static str,
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The text of the offending line, for quoting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A problem with a whole file (unreadable, binary, too large).
    pub fn file(
        file: &str,
        code: &'static str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            code,
            message: message.into(),
            help: Some(help.into()),
            source_line: None,
        }
    }

    /// A problem at a position of `text`, quoting the line.
    pub fn at(
        file: &str,
        text: &str,
        (line, column): (usize, usize),
        code: &'static str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        let source_line = line
            .checked_sub(1)
            .and_then(|i| text.lines().nth(i))
            .map(|l| l.trim_end_matches('\r').to_string());
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            code,
            message: message.into(),
            help,
            source_line,
        }
    }
}
