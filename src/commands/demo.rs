//! `rapport demo`: replays the bundled sample ledger's scripted history, with a pull-request
//! branch on top, into a git repository; shows the pull-request report first (what the change
//! does to the partnerships it touches), then what the whole ledger holds and where to go next.

use std::io::Write;
use std::path::Path;

use crate::analysis::sample;
use crate::cli::{DemoArgs, Format};
use crate::error::{Error, Result};
use crate::report;

pub fn run(args: &DemoArgs) -> Result<u8> {
    // A throwaway repository leaves nothing behind, a cache of parsed versions included.
    crate::history::store::disable();
    let temporary;
    let dir = match &args.keep {
        Some(dir) => {
            if dir.exists()
                && std::fs::read_dir(dir)
                    .map(|mut d| d.next().is_some())
                    .unwrap_or(true)
            {
                return Err(Error::Invocation(format!(
                    "{} already exists and is not empty; name a new folder for the sample repository",
                    dir.display()
                )));
            }
            dir.clone()
        }
        None => {
            temporary =
                tempfile::TempDir::with_prefix("rapport-demo-").map_err(|source| Error::Io {
                    path: std::env::temp_dir(),
                    source,
                })?;
            temporary.path().to_path_buf()
        }
    };
    let replayed = sample::replay(&dir)?;
    let mut out = anstream::stdout().lock();
    match args.format {
        Format::Json => {
            let document = serde_json::json!({
                "pull_request": replayed.review.as_ref().map(report::json::review),
                "ledger": report::json::check(
                    &replayed.analysis.state,
                    &replayed.analysis.findings,
                    replayed.analysis.now,
                ),
            });
            serde_json::to_writer_pretty(&mut out, &document)?;
            writeln!(out)?;
        }
        Format::Text => {
            report::demo::write(&mut out, &replayed, args.keep.as_deref(), &invocation())?
        }
    }
    Ok(crate::exit::CLEAN)
}

/// How the user can run rapport again, for the commands the demo closes with: `rapport` when it
/// is on `PATH`; `cargo run --release --` when this binary is a build in a cargo `target/`
/// folder (the quick start's `cargo run --release -- demo`), where `rapport` alone would not be
/// found; else this binary's own path.
fn invocation() -> String {
    let on_path = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            ["rapport", "rapport.exe"]
                .iter()
                .any(|name| dir.join(name).is_file())
        })
    });
    if on_path {
        return "rapport".into();
    }
    let Ok(exe) = std::env::current_exe() else {
        return "rapport".into();
    };
    let profile = exe.parent();
    let in_target = profile
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .is_some_and(|name| name == "target");
    if in_target {
        "cargo run --release --".into()
    } else {
        report::escape::terminal(&exe.display().to_string()).into_owned()
    }
}
