//! Rule settings from `rapport.yaml`: under `rules`, one block per rule id with `enabled`,
//! `severity` and that rule's thresholds; under `vocabulary`, extra words. Every key is checked:
//! a typo is an error with a hint, never a silently disabled rule. Each threshold is declared
//! once here, with its default, its bounds and its meaning; docs and prose read them from here.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Severity;
use crate::ledger::Ladder;

pub use super::catalog::{Settings, Switch};

/// Declares one rule's settings: `enabled`, `severity`, then its thresholds, each with its
/// meaning (its doc comment, shown in `rapport explain` and `docs/rules.md`), its default and the
/// values it may take (`/// meaning` then `key: type = default; BOUNDS`).
macro_rules! rule_settings {
    ($(#[$doc:meta])* $name:ident { $( $(#[doc = $fdoc:literal])* $field:ident : $ty:ty = $default:expr ; $bounds:expr ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            /// Whether the rule runs.
            pub enabled: bool,
            /// Replaces the severity of every finding of this rule.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub severity: Option<Severity>,
            $( $(#[doc = $fdoc])* pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { enabled: true, severity: None, $( $field: $default, )* }
            }
        }

        impl RuleBlock for $name {
            fn switch(&self) -> Switch {
                Switch { enabled: self.enabled, severity: self.severity }
            }

            fn thresholds(&self) -> &'static [ThresholdDoc] {
                &[$( ThresholdDoc {
                    key: stringify!($field),
                    bounds: $bounds,
                    meaning: concat!($($fdoc),*),
                }, )*]
            }

            fn default_of(&self, key: &str) -> Option<DefaultValue> {
                let defaults = $name::default();
                #[allow(unused_variables)] // rules without thresholds
                let _ = &defaults;
                match key {
                    $( stringify!($field) => Some(DefaultValue::of(&defaults.$field)), )*
                    _ => None,
                }
            }

            fn out_of_bounds(&self) -> Vec<(&'static str, Bounds, String)> {
                #[allow(unused_mut)] // rules without thresholds
                let mut out = Vec::new();
                $(
                    if let Some(value) = Threshold::outside(&self.$field, &$bounds) {
                        out.push((stringify!($field), $bounds, value));
                    }
                )*
                out
            }

            #[cfg(test)]
            fn set_extreme(&mut self, pick: usize) {
                #[allow(unused_mut, unused_variables)] // rules without thresholds
                let mut pick = pick;
                $(
                    pick = pick.wrapping_mul(31).wrapping_add(7);
                    Extreme::set_extreme(&mut self.$field, pick);
                )*
            }
        }
    };
}

/// One rule's block of settings, whatever its thresholds: what the rule list, the checks of
/// `rapport.yaml` and the documentation read.
pub(crate) trait RuleBlock: Sync {
    /// `enabled` and `severity`.
    fn switch(&self) -> Switch;
    /// Every threshold with its bounds and meaning, in declaration order.
    fn thresholds(&self) -> &'static [ThresholdDoc];
    /// The default of threshold `key`.
    fn default_of(&self, key: &str) -> Option<DefaultValue>;
    /// Each threshold outside its bounds: its key, its bounds and its value as written.
    fn out_of_bounds(&self) -> Vec<(&'static str, Bounds, String)>;
    /// Every threshold set to one of its type's extreme values, chosen by `pick`.
    #[cfg(test)]
    fn set_extreme(&mut self, pick: usize);
}

/// A threshold as declared: its key, the values it may take and what it means.
#[derive(Clone, Copy, Debug)]
pub struct ThresholdDoc {
    pub key: &'static str,
    pub bounds: Bounds,
    /// The doc comment of the field, as written (leading spaces of each line included).
    pub meaning: &'static str,
}

/// A threshold's default, to show in documentation: a number or a level.
#[derive(Clone, Debug, PartialEq)]
pub enum DefaultValue {
    Number(f64),
    /// Written with a decimal point in `rapport.yaml` (`2.0`), even when whole.
    Fraction(f64),
    Text(String),
}

impl DefaultValue {
    fn of<T: Into<DefaultValue> + Clone>(value: &T) -> DefaultValue {
        value.clone().into()
    }

    /// As it would be written in `rapport.yaml`: `180`, `2.0`, `0.5`, `director`.
    pub fn as_written(&self) -> String {
        match self {
            DefaultValue::Number(n) => super::number(*n),
            DefaultValue::Fraction(n) if n.fract() == 0.0 => format!("{n:.1}"),
            DefaultValue::Fraction(n) => n.to_string(),
            DefaultValue::Text(t) => t.clone(),
        }
    }

    /// As prose reads it: `180`, `2`, `0.5` or, as a percentage, `50%`.
    pub fn in_prose(&self, as_percent: bool) -> String {
        match self {
            DefaultValue::Number(n) | DefaultValue::Fraction(n) if as_percent => super::percent(*n),
            DefaultValue::Number(n) | DefaultValue::Fraction(n) => super::number(*n),
            DefaultValue::Text(t) => t.clone(),
        }
    }
}

impl From<f64> for DefaultValue {
    fn from(value: f64) -> Self {
        DefaultValue::Fraction(value)
    }
}

impl From<i64> for DefaultValue {
    fn from(value: i64) -> Self {
        DefaultValue::Number(value as f64)
    }
}

impl From<usize> for DefaultValue {
    fn from(value: usize) -> Self {
        DefaultValue::Number(value as f64)
    }
}

impl From<String> for DefaultValue {
    fn from(value: String) -> Self {
        DefaultValue::Text(value)
    }
}

/// Values at and past every end of a threshold's type, for tests that no setting makes a rule
/// panic (settings can be built in code, past the checks of `rapport.yaml`).
#[cfg(test)]
trait Extreme {
    fn set_extreme(&mut self, pick: usize);
}

#[cfg(test)]
impl Extreme for i64 {
    fn set_extreme(&mut self, pick: usize) {
        const VALUES: [i64; 7] = [i64::MIN, -36_501, -1, 0, 1, 36_501, i64::MAX];
        *self = VALUES[pick % VALUES.len()];
    }
}

#[cfg(test)]
impl Extreme for usize {
    fn set_extreme(&mut self, pick: usize) {
        const VALUES: [usize; 5] = [0, 1, 2, 10_001, usize::MAX];
        *self = VALUES[pick % VALUES.len()];
    }
}

#[cfg(test)]
impl Extreme for f64 {
    fn set_extreme(&mut self, pick: usize) {
        const VALUES: [f64; 9] = [
            f64::NAN,
            f64::NEG_INFINITY,
            f64::MIN,
            -1.0,
            0.0,
            1e-300,
            1.0,
            f64::MAX,
            f64::INFINITY,
        ];
        *self = VALUES[pick % VALUES.len()];
    }
}

#[cfg(test)]
impl Extreme for String {
    fn set_extreme(&mut self, pick: usize) {
        const VALUES: [&str; 3] = ["", "DIRECTOR", "nobody"];
        *self = VALUES[pick % VALUES.len()].to_string();
    }
}

/// The values a threshold may take: a number from `min` to `max` (more than `min` when
/// `min_excluded`), described for people as `what`. A window of a million years, a negative day
/// count or a fraction above one is a typo, refused with its range, never run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    pub min: f64,
    pub min_excluded: bool,
    pub max: f64,
    /// What the number counts, such as "a number of days".
    pub what: &'static str,
}

impl Bounds {
    const fn new(min: f64, max: f64, what: &'static str) -> Bounds {
        Bounds {
            min,
            min_excluded: false,
            max,
            what,
        }
    }

    const fn above(min: f64, max: f64, what: &'static str) -> Bounds {
        Bounds {
            min,
            min_excluded: true,
            max,
            what,
        }
    }

    /// Whether the threshold is a number (a level is checked against the ladder instead).
    pub fn is_numeric(&self) -> bool {
        self.max > self.min
    }

    /// Whether a (finite) number is allowed.
    pub fn allows(&self, value: f64) -> bool {
        let low = if self.min_excluded {
            value > self.min
        } else {
            value >= self.min
        };
        value.is_finite() && low && value <= self.max
    }

    /// `from 0 to 36,500`, `more than 0 and at most 1,000`.
    pub fn range(&self) -> String {
        let (min, max) = (super::number(self.min), super::number(self.max));
        if self.min_excluded {
            format!("more than {min} and at most {max}")
        } else {
            format!("from {min} to {max}")
        }
    }

    /// `a number of days from 0 to 36,500`.
    pub fn describe(&self) -> String {
        format!("{} {}", self.what, self.range())
    }
}

/// Whole days: a window, an age, a grace period. Up to a hundred years.
const DAYS: Bounds = Bounds::new(0.0, 36_500.0, "a number of days");
/// Net payment days, as `terms.payment_days` allows them.
const PAYMENT_DAYS: Bounds = Bounds::new(0.0, 3_650.0, "a number of payment days");
/// A share of something that is there: 0.25 is 25%; zero would flag nothing at all.
const SHARE: Bounds = Bounds::above(0.0, 1.0, "a fraction (0.25 is 25%)");
/// A fraction from nothing to all of it.
const FRACTION: Bounds = Bounds::new(0.0, 1.0, "a fraction (0.5 is 50%)");
/// A rise as a fraction of where it started: 0.5 is 50%, 2 is three times as much.
const RISE: Bounds = Bounds::above(0.0, 100.0, "a fraction (0.5 is a rise of 50%)");
/// Revenue over investment.
const RATIO: Bounds = Bounds::new(0.0, 1_000.0, "a ratio (1 is revenue equal to investment)");
/// How fast one thing grew against another.
const GROWTH_RATIO: Bounds =
    Bounds::above(0.0, 100.0, "a ratio of growth rates (0.5 is half as fast)");
/// How many times one number is another.
const FACTOR: Bounds = Bounds::above(0.0, 1_000.0, "a multiple");
/// A drop in a satisfaction score, scored 1 to 5.
const SCORE_DROP: Bounds = Bounds::above(0.0, 4.0, "a drop in score (scores run 1 to 5)");
/// How many of something it takes.
const COUNT: Bounds = Bounds::new(1.0, 10_000.0, "a count");
/// How many of something it takes to see a trend: two at least.
const TREND: Bounds = Bounds::new(2.0, 10_000.0, "a count");
/// Words of meeting notes.
const WORDS: Bounds = Bounds::new(1.0, 10_000_000.0, "a number of words");
/// Steps down the contact ladder.
const LEVELS: Bounds = Bounds::new(1.0, 100.0, "a number of ladder levels");
/// A contact level: checked against the configured ladder, not as a number.
const LEVEL: Bounds = Bounds::new(0.0, 0.0, "a level on the ladder");

/// A threshold's value, checked against its bounds.
trait Threshold {
    /// The value as written, when it is outside `bounds`.
    fn outside(&self, bounds: &Bounds) -> Option<String>;
}

impl Threshold for f64 {
    fn outside(&self, bounds: &Bounds) -> Option<String> {
        (!bounds.allows(*self)).then(|| {
            if self.is_finite() && self.abs() < 1e15 {
                self.to_string()
            } else {
                format!("{self:e}")
            }
        })
    }
}

impl Threshold for i64 {
    fn outside(&self, bounds: &Bounds) -> Option<String> {
        (!bounds.allows(*self as f64)).then(|| self.to_string())
    }
}

impl Threshold for usize {
    fn outside(&self, bounds: &Bounds) -> Option<String> {
        (!bounds.allows(*self as f64)).then(|| self.to_string())
    }
}

impl Threshold for String {
    /// Levels are checked against the ladder in [`Settings::problems`].
    fn outside(&self, _: &Bounds) -> Option<String> {
        None
    }
}

rule_settings!(
    /// `stale-acknowledgement`: acknowledgements that expired or match nothing.
    StaleAcknowledgement {}
);

rule_settings!(
    /// `renewal-at-risk`.
    RenewalAtRisk {
        /// Error when the next deadline is this close with an error-level sign open.
        error_days: i64 = 90; DAYS,
        /// Warning when the next deadline is this close with any sign open.
        warning_days: i64 = 30; DAYS,
    }
);

rule_settings!(
    /// `value-gap`.
    ValueGap {
        /// Revenue / investment below this is a gap.
        min_ratio: f64 = 1.0; RATIO,
        /// The ratio must have improved over this many days to stay silent.
        window_days: i64 = 180; DAYS,
        /// Below this ratio, one year after `since`, the finding is an error.
        error_ratio: f64 = 0.5; RATIO,
        /// Days after `since` before the error applies.
        error_after_days: i64 = 365; DAYS,
    }
);

rule_settings!(
    /// `targets-missed`.
    TargetsMissed {
        /// Attainment (actual against target, direction-aware) below this is a miss.
        min_attainment: f64 = 0.5; FRACTION,
    }
);

rule_settings!(
    /// `no-early-wins`.
    NoEarlyWins {
        /// Days after `launched` within which a win is expected.
        window_days: i64 = 120; DAYS,
    }
);

rule_settings!(
    /// `plan-not-agreed`.
    PlanNotAgreed {}
);

rule_settings!(
    /// `tension-rising`.
    TensionRising {
        /// Meetings dated within this many days before now are "recent".
        recent_days: i64 = 90; DAYS,
        /// The recent rate must be at least this multiple of the earlier rate.
        min_factor: f64 = 2.0; FACTOR,
        /// At least this many vocabulary hits in recent meetings.
        min_recent_hits: usize = 3; COUNT,
        /// At least this many words of earlier meeting notes to compare with (each Chinese
        /// character counts as a word).
        min_earlier_words: usize = 20; WORDS,
    }
);

rule_settings!(
    /// `satisfaction-decline`.
    SatisfactionDecline {
        /// Drop from the highest earlier score to the current one.
        min_drop: f64 = 0.5; SCORE_DROP,
    }
);

rule_settings!(
    /// `no-success-metrics`.
    NoSuccessMetrics {
        /// A KPI not updated (as_of, or its value) for more than this many days is stale.
        stale_days: i64 = 120; DAYS,
    }
);

rule_settings!(
    /// `vendor-centric`.
    VendorCentric {
        /// An open requirement older than this many days counts as unanswered.
        open_days: i64 = 90; DAYS,
        /// How many offers answering none of them it takes.
        min_offers: usize = 1; COUNT,
    }
);

rule_settings!(
    /// `partner-unresponsive`.
    PartnerUnresponsive {
        /// A partner action item without due date open longer than this is late.
        open_days: i64 = 30; DAYS,
        /// Recent median time-to-close at least this multiple of the earlier median.
        close_factor: f64 = 2.0; FACTOR,
        /// Closed partner items needed to compare time-to-close.
        min_closed: usize = 4; TREND,
    }
);

rule_settings!(
    /// `partner-turnover`.
    PartnerTurnover {
        /// Window in which departures are counted.
        window_days: i64 = 180; DAYS,
        /// Partner contacts leaving within the window.
        min_departures: usize = 2; COUNT,
        /// Changes of the partner's primary contact over the whole history.
        primary_changes: usize = 2; COUNT,
    }
);

rule_settings!(
    /// `partner-distress`.
    PartnerDistress {
        /// Only events dated within this many days before now count.
        within_days: i64 = 365; DAYS,
    }
);

rule_settings!(
    /// `support-degrading`.
    SupportDegrading {
        /// Consecutive rising values of `sla_breaches` or `open_tickets`.
        rising_versions: usize = 3; TREND,
    }
);

rule_settings!(
    /// `payment-terms-slip`.
    PaymentTermsSlip {
        /// Error at this multiple of the first recorded payment days.
        error_factor: f64 = 2.0; FACTOR,
        /// Error above this many payment days.
        error_days: i64 = 90; PAYMENT_DAYS,
    }
);

rule_settings!(
    /// `price-cut`.
    PriceCut {
        /// Cut from the highest earlier price, as a fraction.
        min_cut: f64 = 0.25; SHARE,
        /// Error at this cut or more.
        error_cut: f64 = 0.5; SHARE,
    }
);

rule_settings!(
    /// `late-payment`.
    LatePayment {
        /// Days past due tolerated.
        grace_days: i64 = 0; DAYS,
        /// Error when an invoice is this many days late.
        error_days: i64 = 90; DAYS,
    }
);

rule_settings!(
    /// `scope-drift`.
    ScopeDrift {
        /// Commits changing the scope within the window.
        min_commits: usize = 3; COUNT,
        /// Window in days.
        window_days: i64 = 180; DAYS,
        /// A summary whose similarity to its previous text is under this is reworded.
        min_similarity: f64 = 0.6; FRACTION,
    }
);

rule_settings!(
    /// `scope-undefined`.
    ScopeUndefined {}
);

rule_settings!(
    /// `contact-downgrade`.
    ContactDowngrade {
        /// A drop of this many levels or more is an error.
        error_levels: usize = 2; LEVELS,
        /// Drops whose steps began within this many days of the latest one add up.
        window_days: i64 = 180; DAYS,
        /// Partner contacts at this level or above must keep attending.
        senior_level: String = "director".to_string(); LEVEL,
        /// Absent for more than this multiple of their own usual interval between meetings they
        /// attended (the median gap), counted up to now.
        absence_factor: f64 = 2.0; FACTOR,
        /// Meetings they must have attended to have a usual interval.
        min_attended: usize = 2; TREND,
        /// Meetings (with an `Attendees:` line) held without them since they last attended: one
        /// missed meeting is a diary clash, not a pattern.
        min_missed: usize = 2; COUNT,
    }
);

rule_settings!(
    /// `meeting-cadence-drop`.
    MeetingCadenceDrop {
        /// The latest gap over this multiple of the median earlier gap.
        factor: f64 = 2.0; FACTOR,
        /// Meetings needed before the latest gap to know the cadence.
        min_earlier_meetings: usize = 3; TREND,
        /// No meeting for more than this many days.
        max_silence_days: i64 = 90; DAYS,
    }
);

rule_settings!(
    /// `effort-disproportion`.
    EffortDisproportion {
        /// Rise of `effort.hours_per_month`, as a fraction.
        min_increase: f64 = 0.5; RISE,
        /// Compare with the value this many days ago (or the first one).
        window_days: i64 = 180; DAYS,
        /// Returns are flat when they grew less than this fraction of the effort's growth: a
        /// ratio of 0.5 means revenue (cumulative) and KPI attainment must grow at least half as fast as the
        /// hours.
        min_return_ratio: f64 = 0.5; GROWTH_RATIO,
    }
);

/// A setting that cannot be: its path in `rapport.yaml` (`rules.value-gap.window_days`), what is
/// wrong, and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingProblem {
    pub path: String,
    pub message: String,
    pub help: String,
}

impl Settings {
    /// `enabled` and `severity` of a rule by id (enabled, unchanged for an unknown id).
    pub fn switch(&self, id: &str) -> Switch {
        self.block(id).map_or(
            Switch {
                enabled: true,
                severity: None,
            },
            |block| block.switch(),
        )
    }

    /// The settings block of the rule `id`.
    pub(crate) fn block(&self, id: &str) -> Option<&dyn RuleBlock> {
        self.blocks()
            .into_iter()
            .find(|(rule, _)| *rule == id)
            .map(|(_, block)| block)
    }

    /// Every rule id with its thresholds and the values each may take.
    pub fn bounds() -> Vec<(&'static str, Vec<(&'static str, Bounds)>)> {
        Settings::default()
            .blocks()
            .into_iter()
            .map(|(id, block)| {
                let keys = block.thresholds().iter().map(|t| (t.key, t.bounds));
                (id, keys.collect())
            })
            .collect()
    }

    /// Every threshold of every rule set to an extreme value, chosen by `pick`.
    #[cfg(test)]
    pub(crate) fn set_extreme(&mut self, pick: usize) {
        for (id, block) in self.blocks_mut() {
            block.set_extreme(pick.wrapping_add(id.len()));
        }
    }

    /// The values the threshold `key` of rule `rule` may take.
    pub fn bounds_of(rule: &str, key: &str) -> Option<Bounds> {
        Settings::default()
            .block(rule)?
            .thresholds()
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.bounds)
    }

    /// The documented thresholds of rule `rule`: key, default, meaning, bounds.
    pub fn docs(rule: &str) -> Vec<super::SettingDoc> {
        let defaults = Settings::default();
        let Some(block) = defaults.block(rule) else {
            return Vec::new();
        };
        block
            .thresholds()
            .iter()
            .filter_map(|t| {
                let default = block.default_of(t.key)?;
                Some(super::SettingDoc {
                    key: t.key,
                    default: default.as_written(),
                    // One line without the closing full stop, to sit in a table or before a range.
                    meaning: t
                        .meaning
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .trim_end_matches('.')
                        .to_string(),
                    bounds: t.bounds,
                    in_prose: default,
                })
            })
            .collect()
    }

    /// Every threshold outside its bounds, and a `senior_level` not on `ladder` when `written`
    /// says the file sets it (the default level is not the user's to misspell).
    pub fn problems(&self, ladder: &Ladder, written: &dyn Fn(&str) -> bool) -> Vec<SettingProblem> {
        let mut problems = Vec::new();
        for (rule, block) in self.blocks() {
            for (key, bounds, value) in block.out_of_bounds() {
                problems.push(SettingProblem {
                    path: format!("rules.{rule}.{key}"),
                    message: format!("`{key}` of {rule} is {value}, out of range"),
                    help: format!("write {}", bounds.describe()),
                });
            }
        }
        let path = "rules.contact-downgrade.senior_level";
        let level = &self.contact_downgrade.senior_level;
        if written(path) && ladder.rank(level).is_none() {
            let levels = ladder.0.join(", ");
            problems.push(SettingProblem {
                path: path.to_string(),
                message: format!(
                    "`senior_level` of contact-downgrade is `{level}`, not a level on the ladder"
                ),
                help: match crate::ledger::yaml::closest(level, ladder.levels()) {
                    Some(near) => {
                        format!("did you mean `{near}`? levels, most senior first: {levels}")
                    }
                    None => format!("name a level of the ladder, most senior first: {levels}"),
                },
            });
        }
        problems
    }
}

/// Extra words for the vocabulary rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// Extra conflict and emotion words for `tension-rising`, in any language, added to the
    /// built-in English and Chinese lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tension: Vec<String>,
    /// Extra negations for `tension-rising`, in any language, added to the built-in English and
    /// Chinese lists: a conflict word after one of them in the same clause does not count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negation: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn every_rule_has_a_settings_block() {
        let value = serde_json::to_value(Settings::default()).expect("the settings serialize");
        let keys: Vec<&String> = value
            .as_object()
            .expect("the settings are an object")
            .keys()
            .collect();
        for rule in crate::signs::catalog() {
            let id = rule.info().id.to_string();
            assert!(keys.contains(&&id), "no settings for {id}");
        }
        assert_eq!(keys.len(), crate::signs::catalog().len());
    }

    #[test]
    fn severity_override_and_threshold() {
        let config = Config::parse(
            "rapport.yaml",
            b"rules:\n  payment-terms-slip: { severity: warning, error_days: 120 }\n  tension-rising: { enabled: false }\n",
        )
        .expect("the test configuration is valid");
        assert_eq!(config.rules.payment_terms_slip.error_days, 120);
        assert_eq!(config.rules.payment_terms_slip.error_factor, 2.0);
        let slip = config.rules.switch("payment-terms-slip");
        assert_eq!(slip.severity, Some(Severity::Warning));
        assert!(slip.enabled);
        assert!(!config.rules.switch("tension-rising").enabled);
    }

    #[test]
    fn unknown_rule_id_gets_a_hint() {
        let errors = Config::parse(
            "rapport.yaml",
            b"rules:\n  payment-term-slip: { enabled: false }\n",
        )
        .expect_err("the test configuration is refused");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
        assert!(
            errors[0]
                .message
                .contains("unknown key `payment-term-slip`")
        );
        assert_eq!(
            errors[0].help.as_deref(),
            Some("did you mean `payment-terms-slip`?")
        );
    }

    #[test]
    fn unknown_threshold_gets_a_hint() {
        let errors = Config::parse(
            "rapport.yaml",
            b"rules:\n  payment-terms-slip:\n    error_dayz: 60\n",
        )
        .expect_err("the test configuration is refused");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].message.contains("`rules.payment-terms-slip`"));
        assert_eq!(
            errors[0].help.as_deref(),
            Some("did you mean `error_days`?")
        );
    }

    #[test]
    fn every_threshold_has_bounds_that_allow_its_default() {
        let defaults = serde_json::to_value(Settings::default()).expect("the settings serialize");
        let bounds = Settings::bounds();
        assert_eq!(bounds.len(), crate::signs::catalog().len());
        for (rule, keys) in bounds {
            let block = defaults[rule]
                .as_object()
                .expect("a rule's settings are an object");
            // Every threshold (all keys but `enabled`; `severity` is absent by default).
            assert_eq!(keys.len(), block.len() - 1, "{rule}");
            for (key, range) in keys {
                match &block[key] {
                    serde_json::Value::Number(n) => {
                        let value = n.as_f64().expect("a finite number");
                        assert!(range.allows(value), "{rule}.{key} = {value}");
                        assert!(
                            !range.allows(-1.0) && !range.allows(f64::NAN),
                            "{rule}.{key}"
                        );
                        assert!(
                            !range.allows(f64::INFINITY) && !range.allows(1e9),
                            "{rule}.{key}"
                        );
                    }
                    serde_json::Value::String(_) => assert!(!range.is_numeric(), "{rule}.{key}"),
                    other => panic!("{rule}.{key} = {other}"),
                }
            }
        }
        let written = |_: &str| true;
        assert_eq!(
            Settings::default().problems(&Ladder::default(), &written),
            vec![]
        );
    }

    #[test]
    fn thresholds_out_of_range_say_so_at_their_key() {
        let errors = Config::parse(
            "rapport.yaml",
            b"rules:\n  late-payment:\n    grace_days: -1\n    error_days: 36501\n  price-cut: { error_cut: -0.001 }\n",
        )
        .expect_err("the test configuration is refused");
        let shown: Vec<(usize, usize, &str, Option<&str>)> = errors
            .iter()
            .map(|e| (e.line, e.column, e.message.as_str(), e.help.as_deref()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (
                    3,
                    5,
                    "`grace_days` of late-payment is -1, out of range",
                    Some("write a number of days from 0 to 36,500")
                ),
                (
                    4,
                    5,
                    "`error_days` of late-payment is 36501, out of range",
                    Some("write a number of days from 0 to 36,500")
                ),
                (
                    5,
                    16,
                    "`error_cut` of price-cut is -0.001, out of range",
                    Some("write a fraction (0.25 is 25%) more than 0 and at most 1")
                ),
            ]
        );
    }

    #[test]
    fn the_default_senior_level_is_not_checked_against_a_custom_ladder() {
        // The user never wrote `director`: a ladder without it only turns the attendance check off.
        Config::parse("rapport.yaml", b"ladder: [chief, head, lead]\n")
            .expect("a custom ladder is valid");
        let errors = Config::parse(
            "rapport.yaml",
            b"ladder: [chief, head, lead]\nrules:\n  contact-downgrade: { senior_level: director }\n",
        )
        .expect_err("the test configuration is refused");
        assert_eq!(errors[0].line, 3);
        assert_eq!(
            errors[0].help.as_deref(),
            Some("name a level of the ladder, most senior first: chief, head, lead")
        );
    }

    #[test]
    fn extra_vocabulary() {
        let config = Config::parse(
            "rapport.yaml",
            "vocabulary:\n  tension: [stonewalled, 推诿]\n".as_bytes(),
        )
        .expect("the test configuration is valid");
        assert_eq!(config.vocabulary.tension, vec!["stonewalled", "推诿"]);
    }
}
