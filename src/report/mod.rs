//! Rendering: turns diagnostics and findings into text for a terminal or JSON for machines.
//! Renderers only format data; they never re-run a stage.

pub mod demo;
pub mod digest;
pub mod errors;
pub use crate::escape;
#[cfg(test)]
pub(crate) mod fixture;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod lsp;
pub mod markdown;
pub mod portfolio;
pub mod progress;
pub use crate::analysis::redact;
pub mod sarif;
pub mod text;
pub mod timeline;
