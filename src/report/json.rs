//! JSON for machines: versioned documents whose shape is stable.

use serde::Serialize;

use crate::ledger::Diagnostic;
use crate::ledger::load::LedgerState;

/// The version of the JSON documents rapport prints.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct CheckDocument<'a> {
    pub version: u32,
    pub files: usize,
    pub valid: bool,
    pub diagnostics: &'a [Diagnostic],
}

pub fn check(state: &LedgerState) -> CheckDocument<'_> {
    CheckDocument {
        version: JSON_VERSION,
        files: state.files,
        valid: state.diagnostics.is_empty(),
        diagnostics: &state.diagnostics,
    }
}
