use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = rapport::cli::Cli::parse();
    rapport::run(cli)
}
