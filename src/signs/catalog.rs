//! The one list of rules. Each entry names a rule's id, its block of settings and its code; the
//! catalog, the `rules:` section of `rapport.yaml` and the enable switch are all generated from
//! it, so a rule cannot run without settings or be switched off without effect.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::rules::*;
use super::settings::*;
use super::{Phase, Rule, Severity};
use crate::ledger::model::Status::{self, *};

/// Whether a rule runs and the severity that replaces its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Switch {
    pub enabled: bool,
    pub severity: Option<Severity>,
}

/// Declares the rules: `"id" => settings_field: SettingsBlock = RuleValue, [statuses]` in
/// catalog order (by sign, then id), followed by `after findings` for a rule of the
/// [`Phase::Findings`] (one that reads the other rules' findings). The statuses are those of
/// the partnerships the rule runs on (read from the current version); `docs/rules.md` prints
/// them as one table.
macro_rules! rule_list {
    ($( $id:literal => $field:ident : $block:ident = $rule:expr, [$($status:ident),* $(,)?] $(after $phase:ident)? ),* $(,)?) => {
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

        /// The statuses each rule runs on, in catalog order.
        static APPLIES: &[&[Status]] = &[$( &[$($status),*], )*];

        /// The phase each rule runs in, in catalog order.
        pub(super) static PHASES: &[Phase] = &[$( phase!($($phase)?), )*];

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

            /// Each rule of the catalog with its switch and the statuses it runs on.
            pub fn switches(&self) -> Vec<(&'static dyn Rule, Switch, &'static [Status])> {
                let switches = [$( self.$field.switch(), )*];
                CATALOG
                    .iter()
                    .zip(switches)
                    .zip(APPLIES)
                    .map(|((rule, switch), applies)| (*rule, switch, *applies))
                    .collect()
            }
        }
    };
}

/// A rule's phase: [`Phase::Timeline`] unless declared `after findings`.
macro_rules! phase {
    () => {
        Phase::Timeline
    };
    (findings) => {
        Phase::Findings
    };
}

rule_list! {
    // The findings phase runs in catalog order: the renewal reads the signs before
    // acknowledgements mark them, and the acknowledgements then cover the renewal too.
    "renewal-at-risk" => renewal_at_risk: RenewalAtRisk = renewal::RenewalAtRisk,
        [Prospect, Onboarding, Active, Paused] after findings,
    "stale-acknowledgement" => stale_acknowledgement: StaleAcknowledgement = acknowledgements::StaleAcknowledgement,
        [Prospect, Onboarding, Active, Paused, Ending, Ended] after findings,
    "value-gap" => value_gap: ValueGap = value::ValueGap,
        [Onboarding, Active, Paused, Ending],
    "no-early-wins" => no_early_wins: NoEarlyWins = goals::NoEarlyWins,
        [Onboarding, Active],
    "plan-not-agreed" => plan_not_agreed: PlanNotAgreed = goals::PlanNotAgreed,
        [Onboarding, Active, Paused],
    "targets-missed" => targets_missed: TargetsMissed = goals::TargetsMissed,
        [Onboarding, Active, Paused],
    "tension-rising" => tension_rising: TensionRising = tension::TensionRising,
        [Prospect, Onboarding, Active, Paused, Ending],
    "satisfaction-decline" => satisfaction_decline: SatisfactionDecline = satisfaction::SatisfactionDecline,
        [Onboarding, Active, Paused, Ending],
    "no-success-metrics" => no_success_metrics: NoSuccessMetrics = metrics::NoSuccessMetrics,
        [Prospect, Onboarding, Active, Paused, Ending],
    "vendor-centric" => vendor_centric: VendorCentric = vendor::VendorCentric,
        [Prospect, Onboarding, Active, Paused],
    "partner-distress" => partner_distress: PartnerDistress = partner::PartnerDistress,
        [Prospect, Onboarding, Active, Paused, Ending],
    "partner-turnover" => partner_turnover: PartnerTurnover = partner::PartnerTurnover,
        [Onboarding, Active, Paused, Ending],
    "partner-unresponsive" => partner_unresponsive: PartnerUnresponsive = partner::PartnerUnresponsive,
        [Onboarding, Active],
    "support-degrading" => support_degrading: SupportDegrading = support::SupportDegrading,
        [Onboarding, Active, Paused, Ending],
    "late-payment" => late_payment: LatePayment = payments::LatePayment,
        [Onboarding, Active, Paused, Ending, Ended],
    "payment-terms-slip" => payment_terms_slip: PaymentTermsSlip = payments::PaymentTermsSlip,
        [Onboarding, Active, Paused, Ending],
    "price-cut" => price_cut: PriceCut = payments::PriceCut,
        [Onboarding, Active, Paused, Ending],
    "scope-drift" => scope_drift: ScopeDrift = scope::ScopeDrift,
        [Onboarding, Active, Paused],
    "scope-undefined" => scope_undefined: ScopeUndefined = scope::ScopeUndefined,
        [Onboarding, Active, Paused],
    "contact-downgrade" => contact_downgrade: ContactDowngrade = communication::ContactDowngrade,
        [Onboarding, Active],
    "meeting-cadence-drop" => meeting_cadence_drop: MeetingCadenceDrop = communication::MeetingCadenceDrop,
        [Onboarding, Active],
    "effort-disproportion" => effort_disproportion: EffortDisproportion = effort::EffortDisproportion,
        [Onboarding, Active, Paused, Ending],
}

/// The statuses of the partnerships the rule `id` runs on (none for an unknown id).
pub fn applies_to(id: &str) -> &'static [Status] {
    CATALOG
        .iter()
        .position(|rule| rule.info().id == id)
        .and_then(|i| APPLIES.get(i).copied())
        .unwrap_or(&[])
}

/// The phase the rule `id` runs in (the timeline phase for an unknown id).
pub fn phase(id: &str) -> Phase {
    CATALOG
        .iter()
        .position(|rule| rule.info().id == id)
        .and_then(|i| PHASES.get(i).copied())
        .unwrap_or(Phase::Timeline)
}

/// The rules of the findings phase, in the order they run.
pub fn findings_phase() -> impl Iterator<Item = &'static dyn Rule> {
    CATALOG
        .iter()
        .zip(PHASES)
        .filter(|(_, phase)| **phase == Phase::Findings)
        .map(|(rule, _)| *rule)
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
            .map(|(r, _, _)| r.info().id)
            .collect();
        assert_eq!(switched, rules);
    }

    #[test]
    fn onboarding_and_active_partnerships_run_every_rule() {
        // The statuses where a partnership is expected to show everything the rules read.
        for (rule, _, applies) in Settings::default().switches() {
            assert!(
                applies.contains(&Onboarding) && applies.contains(&Active),
                "{}",
                rule.info().id
            );
        }
    }
}
