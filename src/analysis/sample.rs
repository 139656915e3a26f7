//! The sample ledger replayed into a new repository and analysed, as `rapport demo` shows it:
//! the review of its pull request and the analysis of the whole ledger at the main branch.

use std::path::Path;

use crate::analysis::base::Base;
use crate::analysis::review::{self, Review, ReviewRequest};
use crate::analysis::{self, Analysis, Request, Revision};
use crate::error::Result;
use crate::history::Quiet;
use crate::sample::{self, SAMPLE};

/// The main branch of the replayed sample.
pub const MAIN: &str = "main";

/// The sample replayed into `dir`: its script, the review of its pull request and the
/// analysis of the whole ledger at the main branch.
pub struct Replayed {
    pub script: sample::Script,
    pub review: Option<Review>,
    pub analysis: Analysis,
}

/// Replays the sample into `dir`, reviews its pull request and analyses the main branch.
pub fn replay(dir: &Path) -> Result<Replayed> {
    let script = sample::script(&SAMPLE)?;
    sample::replay(&SAMPLE, &script, dir)?;
    let ledger = analysis::open(&[dir.to_path_buf()])?;
    let review = match &script.pull_request {
        Some(pull) => Some(review::review(&ReviewRequest {
            ledger: &ledger,
            base: Base::given(MAIN),
            head: pull.branch.clone(),
            progress: &Quiet,
        })?),
        None => None,
    };
    let analysis = analysis::analyse(&Request {
        ledger: &ledger,
        revision: Revision::Commit(MAIN.into()),
        as_of: None,
        progress: &Quiet,
        health: true,
        dated: true,
    })?;
    Ok(Replayed {
        script,
        review,
        analysis,
    })
}
