//! Rendering: turns diagnostics and findings into text for a terminal or JSON for machines.
//! Renderers only format data; they never re-run a stage.

pub mod errors;
pub mod json;
pub mod progress;
pub mod redact;
pub mod text;
pub mod timeline;
