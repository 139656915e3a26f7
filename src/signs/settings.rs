//! Rule settings from `rapport.yaml`: under `rules`, one block per rule id with `enabled`,
//! `severity` and that rule's thresholds; under `vocabulary`, extra words. Every key is checked:
//! a typo is an error with a hint, never a silently disabled rule.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Severity;

/// Declares one rule's settings: `enabled`, `severity`, then its thresholds with their defaults.
macro_rules! rule_settings {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $field:ident : $ty:ty = $default:expr ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            /// Whether the rule runs.
            pub enabled: bool,
            /// Replaces the severity of every finding of this rule.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub severity: Option<Severity>,
            $( $(#[$fdoc])* pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { enabled: true, severity: None, $( $field: $default, )* }
            }
        }
    };
}

rule_settings!(
    /// `stale-acknowledgement`: acknowledgements that expired or match nothing.
    StaleAcknowledgement {}
);

rule_settings!(
    /// `value-gap`.
    ValueGap {
        /// Revenue / investment below this is a gap.
        min_ratio: f64 = 1.0,
        /// The ratio must have improved over this many days to stay silent.
        window_days: i64 = 180,
        /// Below this ratio, one year after `since`, the finding is an error.
        error_ratio: f64 = 0.5,
        /// Days after `since` before the error applies.
        error_after_days: i64 = 365,
    }
);

rule_settings!(
    /// `targets-missed`.
    TargetsMissed {
        /// Attainment (actual against target, direction-aware) below this is a miss.
        min_attainment: f64 = 0.5,
    }
);

rule_settings!(
    /// `no-early-wins`.
    NoEarlyWins {
        /// Days after `launched` within which a win is expected.
        window_days: i64 = 120,
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
        recent_days: i64 = 90,
        /// The recent rate must be at least this multiple of the earlier rate.
        min_factor: f64 = 2.0,
        /// At least this many vocabulary hits in recent meetings.
        min_recent_hits: usize = 3,
        /// At least this many characters of earlier meeting notes to compare with.
        min_earlier_chars: usize = 100,
    }
);

rule_settings!(
    /// `satisfaction-decline`.
    SatisfactionDecline {
        /// Drop from the highest earlier score to the current one.
        min_drop: f64 = 0.5,
    }
);

rule_settings!(
    /// `no-success-metrics`.
    NoSuccessMetrics {
        /// A KPI not updated (as_of, or its value) for more than this many days is stale.
        stale_days: i64 = 120,
    }
);

rule_settings!(
    /// `vendor-centric`.
    VendorCentric {
        /// An open requirement older than this many days counts as unanswered.
        open_days: i64 = 90,
        /// How many offers answering none of them it takes.
        min_offers: usize = 1,
    }
);

rule_settings!(
    /// `partner-unresponsive`.
    PartnerUnresponsive {
        /// A partner action item without due date open longer than this is late.
        open_days: i64 = 30,
        /// Recent median time-to-close at least this multiple of the earlier median.
        close_factor: f64 = 2.0,
        /// Closed partner items needed to compare time-to-close.
        min_closed: usize = 4,
    }
);

rule_settings!(
    /// `partner-turnover`.
    PartnerTurnover {
        /// Window in which departures are counted.
        window_days: i64 = 180,
        /// Partner contacts leaving within the window.
        min_departures: usize = 2,
        /// Changes of the partner's primary contact over the whole history.
        primary_changes: usize = 2,
    }
);

rule_settings!(
    /// `partner-distress`.
    PartnerDistress {
        /// Only events dated within this many days before now count.
        within_days: i64 = 365,
    }
);

rule_settings!(
    /// `support-degrading`.
    SupportDegrading {
        /// Consecutive rising values of `sla_breaches` or `open_tickets`.
        rising_versions: usize = 3,
    }
);

rule_settings!(
    /// `payment-terms-slip`.
    PaymentTermsSlip {
        /// Error at this multiple of the first recorded payment days.
        error_factor: f64 = 2.0,
        /// Error above this many payment days.
        error_days: i64 = 90,
    }
);

rule_settings!(
    /// `price-cut`.
    PriceCut {
        /// Cut from the highest earlier price, as a fraction.
        min_cut: f64 = 0.25,
        /// Error at this cut or more.
        error_cut: f64 = 0.5,
    }
);

rule_settings!(
    /// `late-payment`.
    LatePayment {
        /// Days past due tolerated.
        grace_days: i64 = 0,
        /// Error when an invoice is this many days late.
        error_days: i64 = 90,
    }
);

rule_settings!(
    /// `scope-drift`.
    ScopeDrift {
        /// Commits changing the scope within the window.
        min_commits: usize = 3,
        /// Window in days.
        window_days: i64 = 180,
        /// A summary whose similarity to its previous text is under this is reworded.
        min_similarity: f64 = 0.6,
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
        error_levels: usize = 2,
        /// Partner contacts at this level or above must keep attending.
        senior_level: String = "director".to_string(),
        /// How many latest meetings (with an Attendees line) they must appear in.
        recent_meetings: usize = 3,
    }
);

rule_settings!(
    /// `meeting-cadence-drop`.
    MeetingCadenceDrop {
        /// The latest gap over this multiple of the median earlier gap.
        factor: f64 = 2.0,
        /// Meetings needed before the latest gap to know the cadence.
        min_earlier_meetings: usize = 3,
        /// No meeting for more than this many days.
        max_silence_days: i64 = 90,
    }
);

rule_settings!(
    /// `effort-disproportion`.
    EffortDisproportion {
        /// Rise of `effort.hours_per_month`, as a fraction.
        min_increase: f64 = 0.5,
        /// Compare with the value this many days ago (or the first one).
        window_days: i64 = 180,
    }
);

/// Per-rule settings, keyed by rule id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub struct Settings {
    pub stale_acknowledgement: StaleAcknowledgement,
    pub value_gap: ValueGap,
    pub targets_missed: TargetsMissed,
    pub no_early_wins: NoEarlyWins,
    pub plan_not_agreed: PlanNotAgreed,
    pub tension_rising: TensionRising,
    pub satisfaction_decline: SatisfactionDecline,
    pub no_success_metrics: NoSuccessMetrics,
    pub vendor_centric: VendorCentric,
    pub partner_unresponsive: PartnerUnresponsive,
    pub partner_turnover: PartnerTurnover,
    pub partner_distress: PartnerDistress,
    pub support_degrading: SupportDegrading,
    pub payment_terms_slip: PaymentTermsSlip,
    pub price_cut: PriceCut,
    pub late_payment: LatePayment,
    pub scope_drift: ScopeDrift,
    pub scope_undefined: ScopeUndefined,
    pub contact_downgrade: ContactDowngrade,
    pub meeting_cadence_drop: MeetingCadenceDrop,
    pub effort_disproportion: EffortDisproportion,
}

/// Whether a rule runs and the severity that replaces its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Switch {
    pub enabled: bool,
    pub severity: Option<Severity>,
}

impl Settings {
    /// `enabled` and `severity` of a rule by id (enabled, unchanged for an unknown id).
    pub fn switch(&self, id: &str) -> Switch {
        macro_rules! of {
            ($($id:literal => $field:ident),* $(,)?) => {
                match id {
                    $($id => Switch { enabled: self.$field.enabled, severity: self.$field.severity },)*
                    _ => Switch { enabled: true, severity: None },
                }
            };
        }
        of!(
            "stale-acknowledgement" => stale_acknowledgement,
            "value-gap" => value_gap,
            "targets-missed" => targets_missed,
            "no-early-wins" => no_early_wins,
            "plan-not-agreed" => plan_not_agreed,
            "tension-rising" => tension_rising,
            "satisfaction-decline" => satisfaction_decline,
            "no-success-metrics" => no_success_metrics,
            "vendor-centric" => vendor_centric,
            "partner-unresponsive" => partner_unresponsive,
            "partner-turnover" => partner_turnover,
            "partner-distress" => partner_distress,
            "support-degrading" => support_degrading,
            "payment-terms-slip" => payment_terms_slip,
            "price-cut" => price_cut,
            "late-payment" => late_payment,
            "scope-drift" => scope_drift,
            "scope-undefined" => scope_undefined,
            "contact-downgrade" => contact_downgrade,
            "meeting-cadence-drop" => meeting_cadence_drop,
            "effort-disproportion" => effort_disproportion,
        )
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn every_rule_has_a_settings_block() {
        let value = serde_json::to_value(Settings::default()).unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
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
        .unwrap();
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
        .unwrap_err();
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
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].message.contains("`rules.payment-terms-slip`"));
        assert_eq!(
            errors[0].help.as_deref(),
            Some("did you mean `error_days`?")
        );
    }

    #[test]
    fn extra_vocabulary() {
        let config = Config::parse(
            "rapport.yaml",
            "vocabulary:\n  tension: [stonewalled, 推诿]\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(config.vocabulary.tension, vec!["stonewalled", "推诿"]);
    }
}
