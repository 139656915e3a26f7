//! `rapport rules`: the rule catalog, one line per rule.

use std::io::Write;

use crate::cli::{Format, RulesArgs};
use crate::error::Result;
use crate::report;
use crate::signs;

pub fn run(args: &RulesArgs) -> Result<u8> {
    let mut out = anstream::stdout().lock();
    let infos: Vec<&signs::RuleInfo> = signs::catalog().iter().map(|r| r.info()).collect();
    match args.format {
        Format::Text => report::text::write_rules(&mut out, &infos)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report::json::rules(&infos))?;
            writeln!(out)?;
        }
    }
    Ok(crate::exit::CLEAN)
}
