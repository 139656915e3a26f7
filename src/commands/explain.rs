//! `rapport explain RULE`: one rule's page, as `ruff rule` prints it; `rapport explain gate`: how
//! the pre-merge gate judges merges, configuration and hidden meetings.

use crate::cli::ExplainArgs;
use crate::error::{Error, Result};
use crate::ledger::yaml;
use crate::report;
use crate::signs;

/// How the pre-merge gate judges a change: `rapport explain gate`.
const GATE: &str = include_str!("../../docs/gate.md");

pub fn run(args: &ExplainArgs) -> Result<u8> {
    let id = args.rule.trim();
    if id == "gate" {
        let mut out = anstream::stdout().lock();
        std::io::Write::write_all(&mut out, GATE.as_bytes())?;
        return Ok(crate::exit::CLEAN);
    }
    let Some(rule) = signs::find_rule(id) else {
        let ids = signs::catalog().iter().map(|r| r.info().id);
        let hint = match yaml::closest(id, ids) {
            Some(close) => format!("; did you mean `{close}`?"),
            None => "; `rapport rules` lists them (`rapport explain gate`: how the pre-merge gate judges a change)".to_string(),
        };
        return Err(Error::Invocation(format!("no rule `{id}`{hint}")));
    };
    let mut out = anstream::stdout().lock();
    report::text::write_explain(&mut out, rule.info())?;
    Ok(crate::exit::CLEAN)
}
