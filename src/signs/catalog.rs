//! The one list of rules. Each entry names a rule's id, its block of settings and its code; the
//! catalog, the `rules:` section of `rapport.yaml` and the enable switch are all generated from
//! it, so a rule cannot run without settings or be switched off without effect.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::rules::*;
use super::settings::*;
use super::{Rule, Severity};

/// Whether a rule runs and the severity that replaces its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Switch {
    pub enabled: bool,
    pub severity: Option<Severity>,
}

/// Declares the rules: `"id" => settings_field: SettingsBlock = RuleValue,` in catalog order
/// (by sign, then id).
macro_rules! rule_list {
    ($( $id:literal => $field:ident : $block:ident = $rule:expr ),* $(,)?) => {
        /// Per-rule settings, keyed by rule id.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields, default)]
        pub struct Settings {
            $(
                #[serde(rename = $id)]
                pub $field: $block,
            )*
        }

        /// Every rule, ordered by sign then id.
        pub(super) static CATALOG: &[&dyn Rule] = &[$( &$rule, )*];

        impl Settings {
            /// Each rule's id with its settings block, in catalog order.
            pub(crate) fn blocks(&self) -> Vec<(&'static str, &dyn RuleBlock)> {
                vec![$( ($id, &self.$field as &dyn RuleBlock), )*]
            }

            /// Each rule's id with its settings block, to change them.
            #[allow(dead_code)] // read by tests
            pub(crate) fn blocks_mut(&mut self) -> Vec<(&'static str, &mut dyn RuleBlock)> {
                vec![$( ($id, &mut self.$field as &mut dyn RuleBlock), )*]
            }

            /// Each rule of the catalog with its switch.
            pub fn switches(&self) -> Vec<(&'static dyn Rule, Switch)> {
                vec![$( (&$rule as &'static dyn Rule, self.$field.switch()), )*]
            }
        }
    };
}

rule_list! {
    "stale-acknowledgement" => stale_acknowledgement: StaleAcknowledgement = acknowledgements::StaleAcknowledgement,
    "value-gap" => value_gap: ValueGap = value::ValueGap,
    "no-early-wins" => no_early_wins: NoEarlyWins = goals::NoEarlyWins,
    "plan-not-agreed" => plan_not_agreed: PlanNotAgreed = goals::PlanNotAgreed,
    "targets-missed" => targets_missed: TargetsMissed = goals::TargetsMissed,
    "tension-rising" => tension_rising: TensionRising = tension::TensionRising,
    "satisfaction-decline" => satisfaction_decline: SatisfactionDecline = satisfaction::SatisfactionDecline,
    "no-success-metrics" => no_success_metrics: NoSuccessMetrics = metrics::NoSuccessMetrics,
    "vendor-centric" => vendor_centric: VendorCentric = vendor::VendorCentric,
    "partner-distress" => partner_distress: PartnerDistress = partner::PartnerDistress,
    "partner-turnover" => partner_turnover: PartnerTurnover = partner::PartnerTurnover,
    "partner-unresponsive" => partner_unresponsive: PartnerUnresponsive = partner::PartnerUnresponsive,
    "support-degrading" => support_degrading: SupportDegrading = support::SupportDegrading,
    "late-payment" => late_payment: LatePayment = payments::LatePayment,
    "payment-terms-slip" => payment_terms_slip: PaymentTermsSlip = payments::PaymentTermsSlip,
    "price-cut" => price_cut: PriceCut = payments::PriceCut,
    "scope-drift" => scope_drift: ScopeDrift = scope::ScopeDrift,
    "scope-undefined" => scope_undefined: ScopeUndefined = scope::ScopeUndefined,
    "contact-downgrade" => contact_downgrade: ContactDowngrade = communication::ContactDowngrade,
    "meeting-cadence-drop" => meeting_cadence_drop: MeetingCadenceDrop = communication::MeetingCadenceDrop,
    "effort-disproportion" => effort_disproportion: EffortDisproportion = effort::EffortDisproportion,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_entry_names_its_own_rule() {
        let settings = Settings::default();
        let ids: Vec<&str> = settings.blocks().iter().map(|(id, _)| *id).collect();
        let rules: Vec<&str> = CATALOG.iter().map(|r| r.info().id).collect();
        assert_eq!(ids, rules);
        let switched: Vec<&str> = settings
            .switches()
            .iter()
            .map(|(r, _)| r.info().id)
            .collect();
        assert_eq!(switched, rules);
    }
}
