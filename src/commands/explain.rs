//! `rapport explain RULE`: one rule's page, as `ruff rule` prints it.

use crate::cli::ExplainArgs;
use crate::error::{Error, Result};
use crate::ledger::yaml;
use crate::report;
use crate::signs;

pub fn run(args: &ExplainArgs) -> Result<u8> {
    let id = args.rule.trim();
    let Some(rule) = signs::find_rule(id) else {
        let ids = signs::catalog().iter().map(|r| r.info().id);
        let hint = match yaml::closest(id, ids) {
            Some(close) => format!("; did you mean `{close}`?"),
            None => "; `rapport rules` lists them".to_string(),
        };
        return Err(Error::Invocation(format!("no rule `{id}`{hint}")));
    };
    let mut out = anstream::stdout().lock();
    report::text::write_explain(&mut out, rule.info())?;
    Ok(crate::exit::CLEAN)
}
