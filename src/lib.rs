//! rapport reads the git history of a ledger of partnership files and finds the warning signs of
//! a strategic partnership going wrong. Data flows one way:
//! history (git) → ledger (typed snapshots, timelines) → signs (findings) → report (formats).

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod escape;
pub mod history;
pub mod ledger;
pub mod lsp;
pub mod numbers;
pub mod report;
pub mod sample;
pub mod signs;

use std::process::ExitCode;

pub use error::Error;

/// Exit codes with meaning, as in ripgrep: 0 clean, 1 findings at or above the failing
/// severity, 2 the input or the invocation is wrong.
pub mod exit {
    pub const CLEAN: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const INVALID: u8 = 2;
}

/// Runs a parsed command line, printing its output and any error, and returns the exit code.
pub fn run(cli: cli::Cli) -> ExitCode {
    // Past the file-size limit (`ulimit -f`) a write fails with an error the writing commands
    // handle (the file is left as it was), instead of the signal ending the process mid-write.
    #[cfg(unix)]
    // SAFETY: ignoring a signal changes no memory; it is done before any thread starts.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    if cli.no_cache {
        history::store::disable();
    }
    match commands::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        // A closed pipe (`rapport check | head`) is the reader's choice, not an error.
        Err(Error::Output(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(exit::CLEAN)
        }
        // The same pipe closed while JSON is written (`rapport check --format json | head`).
        Err(Error::Json(error))
            if error.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::from(exit::CLEAN)
        }
        Err(error) => {
            report::errors::print_error(&error);
            ExitCode::from(exit::INVALID)
        }
    }
}
