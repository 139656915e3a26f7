//! Rule settings from `rapport.yaml`: thresholds, severity overrides, disabled rules, vocabulary.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Per-rule settings, keyed by rule id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {}

/// Extra words for the vocabulary rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// Extra conflict and emotion words for `tension-rising`, in any language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tension: Vec<String>,
}
