//! The contact level ladder: `executive > director > manager > staff` by default, replaceable in
//! `rapport.yaml` for organisations that name their levels differently.

use serde::{Deserialize, Serialize};

/// Contact levels from most to least senior.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ladder(pub Vec<String>);

impl Default for Ladder {
    fn default() -> Self {
        Ladder(
            ["executive", "director", "manager", "staff"]
                .map(String::from)
                .to_vec(),
        )
    }
}

impl Ladder {
    /// Position on the ladder, 0 being the most senior; `None` for a level not on it.
    pub fn rank(&self, level: &str) -> Option<usize> {
        self.0
            .iter()
            .position(|l| l.eq_ignore_ascii_case(level.trim()))
    }

    pub fn levels(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}
