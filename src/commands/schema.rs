//! `rapport schema`: the JSON Schema of the front matter (or of rapport.yaml), generated from the
//! Rust types so the two cannot disagree.

use std::io::Write;

use crate::cli::{SchemaArgs, SchemaKind};
use crate::error::Result;

/// The schema text exactly as committed under `schema/`.
pub fn render(kind: SchemaKind) -> Result<String> {
    let schema = match kind {
        SchemaKind::Partnership => crate::ledger::parse::schema(),
        SchemaKind::Config => crate::config::schema(),
        SchemaKind::Check => crate::report::json::check_schema(),
        SchemaKind::Report => crate::report::json::review_schema(),
        SchemaKind::Portfolio => crate::report::portfolio::schema(),
        SchemaKind::Digest => crate::report::digest::schema(),
    };
    Ok(serde_json::to_string_pretty(&schema)? + "\n")
}

pub fn run(args: &SchemaArgs) -> Result<u8> {
    let text = render(args.of)?;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(crate::exit::CLEAN)
}
