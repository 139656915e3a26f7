//! JSON for machines: versioned documents whose shape is stable.

use serde::Serialize;

use crate::ledger::load::LedgerState;
use crate::ledger::{Date, Diagnostic};
use crate::signs::{Acknowledgement, Evidence, Finding, RuleInfo, Severity, Sign};

/// The version of the JSON documents rapport prints.
pub const JSON_VERSION: u32 = 1;

/// What `rapport check --format json` prints. Its JSON Schema is `schema/check.schema.json`.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    title = "rapport check output",
    description = "What `rapport check --format json` prints, version 1"
)]
pub struct CheckDocument<'a> {
    pub version: u32,
    /// The date the rules were evaluated at: the analysed commit's date, `--as-of`, or today.
    pub as_of: Date,
    pub files: usize,
    pub valid: bool,
    pub diagnostics: &'a [Diagnostic],
    pub findings: Vec<FindingView<'a>>,
}

/// One finding, flat, with every field a consumer needs.
#[derive(Serialize, schemars::JsonSchema)]
pub struct FindingView<'a> {
    pub fingerprint: &'a str,
    pub rule: &'a str,
    pub sign: Sign,
    pub severity: Severity,
    pub partnership: &'a str,
    pub name: &'a str,
    pub file: &'a str,
    pub line: usize,
    pub subject: &'a str,
    pub message: &'a str,
    pub evidence: &'a [Evidence],
    pub remedy: &'a str,
    /// `open` or `acknowledged`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<AcknowledgedView<'a>>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct AcknowledgedView<'a> {
    pub reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
}

pub fn finding(f: &Finding) -> FindingView<'_> {
    let (status, acknowledged) = match &f.acknowledgement {
        Acknowledgement::Open => ("open", None),
        Acknowledgement::Acknowledged { reason, until } => (
            "acknowledged",
            Some(AcknowledgedView {
                reason,
                until: *until,
            }),
        ),
    };
    FindingView {
        fingerprint: &f.fingerprint.0,
        rule: f.rule,
        sign: f.sign,
        severity: f.severity,
        partnership: &f.location.partnership,
        name: &f.location.name,
        file: &f.location.file,
        line: f.location.line,
        subject: &f.subject,
        message: &f.message,
        evidence: &f.evidence,
        remedy: f.remedy,
        status,
        acknowledged,
    }
}

pub fn check<'a>(
    state: &'a LedgerState,
    findings: &'a [Finding],
    as_of: Date,
) -> CheckDocument<'a> {
    CheckDocument {
        version: JSON_VERSION,
        as_of,
        files: state.files,
        valid: state.diagnostics.is_empty(),
        diagnostics: &state.diagnostics,
        findings: findings.iter().map(finding).collect(),
    }
}

#[derive(Serialize)]
pub struct RulesDocument<'a> {
    pub version: u32,
    pub rules: &'a [&'a RuleInfo],
}

pub fn rules<'a>(infos: &'a [&'a RuleInfo]) -> RulesDocument<'a> {
    RulesDocument {
        version: JSON_VERSION,
        rules: infos,
    }
}

/// The JSON Schema of [`CheckDocument`].
pub fn check_schema() -> schemars::Schema {
    schemars::schema_for!(CheckDocument<'static>)
}
