//! One file per subcommand, each wiring the stages together. Nothing below prints but these.

pub mod check;
pub mod demo;
pub mod explain;
pub mod rules;
pub mod schema;
pub mod timeline;

use crate::cli::{Cli, Command};
use crate::error::Result;

/// Runs a command and returns its exit code.
pub fn dispatch(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Timeline(args) => timeline::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Explain(args) => explain::run(&args),
    }
}
