//! The twelve warning signs: rules that read a partnership's timeline and return findings.
//! A rule is a pure function of a timeline, its settings and "now"; it never touches git.

pub mod finding;
pub mod settings;

pub use finding::{Evidence, Finding, Fingerprint, Severity, Sign};
pub use settings::{Settings, Vocabulary};
