//! Errors that stop a command (as opposed to problems in ledger files, which are collected and
//! reported as diagnostics). Each says what to do.

use std::path::PathBuf;

use crate::ledger::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{path} does not exist")]
    NoSuchPath { path: PathBuf },

    #[error("the configuration is invalid")]
    InvalidConfig(Vec<Diagnostic>),

    #[error("{0}")]
    Invocation(String),

    #[error("git: {0}")]
    Git(#[from] git2::Error),

    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),

    #[error("cannot encode JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// What the user can do about it, when there is something to say.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::NoSuchPath { .. } => {
                Some("pass the folder that holds rapport.yaml (or `partners/`)".into())
            }
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
