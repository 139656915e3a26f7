//! `rapport completions SHELL` and `rapport man`: the shell completion scripts and the manual
//! page, generated from the argument definitions in `cli.rs`, so they never fall behind them.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Result;

pub fn run(args: &CompletionsArgs) -> Result<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "rapport", &mut out);
    std::io::stdout().lock().write_all(&out)?;
    Ok(crate::exit::CLEAN)
}

/// The manual page of `rapport`, with a section for each subcommand (its synopsis and options),
/// so `man rapport` holds everything `--help` says.
pub fn man() -> Result<u8> {
    let mut command = Cli::command();
    command.build();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("rapport {}", sub.get_name());
        writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
        let page = clap_mangen::Man::new(sub.clone().bin_name(name.clone()));
        let mut section = Vec::new();
        page.render_synopsis_section(&mut section)?;
        page.render_description_section(&mut section)?;
        page.render_options_section(&mut section)?;
        // The subcommand's parts are subsections of its section.
        let section = String::from_utf8_lossy(&section).replace(".SH ", ".SS ");
        out.extend_from_slice(section.as_bytes());
    }
    std::io::stdout().lock().write_all(&out)?;
    Ok(crate::exit::CLEAN)
}
