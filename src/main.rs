use std::process::ExitCode;

use clap::Parser;

// Reading a history allocates and frees millions of small values (one per field of every
// version); mimalloc does that markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = rapport::cli::Cli::parse();
    rapport::run(cli)
}
