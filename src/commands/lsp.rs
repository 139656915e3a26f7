//! `rapport lsp`: the language server on standard input and output, until the client says exit.

use crate::cli::LspArgs;
use crate::error::Result;

pub fn run(args: &LspArgs) -> Result<u8> {
    crate::lsp::serve_stdio(args.as_of)?;
    Ok(crate::exit::CLEAN)
}
