//! Sign 6, the solution serves the seller: the partner pushes offers while our needs wait.

use super::history;
use crate::ledger::model::RequirementStatus;
use crate::ledger::{Date, Timeline};
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding,
    sign,
};

pub struct VendorCentric;

static VENDOR_CENTRIC: RuleInfo = RuleInfo {
    id: "vendor-centric",
    sign: sign::VENDOR,
    title: "The partner pushes offers while our requirements wait",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "In the current version, the unanswered requirements are those `declined`, and those \
        `open` and raised more than {open_days} before now. Fires when at least \
        {min_offers} offers dated after the earliest of them (an offer without `date` is \
        dated by the version where it first appeared) answer none of them.",
    why: "Sign 6: the solution serves the seller. A partner that keeps proposing its own products \
        while what you asked for stays open is selling to you, not building with you.",
    example: "requirements: [{ id: sso, status: open, raised: 2024-02-01 }]\noffers: [{ summary: Premium analytics bundle, date: 2024-05-02 }]\n(analysed on 2024-09-01)\n→ 1 requirement unanswered (sso open for 213 days) while the partner added 1 offer answering none of them",
    fix: "Put the open requirements on the agenda of the next leadership review, ask the partner for \
        a dated answer to each, and decline offers that answer none of them until they do.",
};

impl Rule for VendorCentric {
    fn info(&self) -> &'static RuleInfo {
        &VENDOR_CENTRIC
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.vendor_centric;
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        let front = &current.front;
        let unanswered: Vec<_> = front
            .requirements
            .iter()
            .filter(|r| match r.status {
                RequirementStatus::Declined => true,
                RequirementStatus::Open => r
                    .raised
                    .is_some_and(|raised| raised.days_until(cx.now) > set.open_days),
                RequirementStatus::Met => false,
            })
            .collect();
        if unanswered.is_empty() {
            return Vec::new();
        }
        let since: Option<Date> = unanswered.iter().filter_map(|r| r.raised).min();
        // The date of the first version holding each offer, in one pass over the versions.
        let mut seen: std::collections::HashMap<&str, Date> = std::collections::HashMap::new();
        for (version, snapshot) in &versions {
            for offer in &snapshot.front.offers {
                seen.entry(offer.summary.as_str())
                    .or_insert_with(|| version.date());
            }
        }
        let first_seen =
            |summary: &str| -> Date { seen.get(summary).copied().unwrap_or(now_version.date()) };
        let ids: std::collections::HashSet<&str> =
            unanswered.iter().map(|r| r.id.as_str()).collect();
        let offers: Vec<(Date, &str)> = front
            .offers
            .iter()
            .filter(|o| o.answers.as_deref().is_none_or(|a| !ids.contains(&a)))
            .map(|o| {
                (
                    o.date.unwrap_or_else(|| first_seen(&o.summary)),
                    o.summary.as_str(),
                )
            })
            .filter(|(date, _)| since.is_none_or(|since| *date > since) && *date <= cx.now)
            .collect();
        if offers.len() < set.min_offers.max(1) {
            return Vec::new();
        }
        let mut facts = vec![
            Fact::new("unanswered", FactValue::Number(unanswered.len() as f64)),
            Fact::new("offers", FactValue::Number(offers.len() as f64)),
        ];
        let mut described = Vec::new();
        for (k, r) in unanswered.iter().enumerate() {
            // Each requirement's id and days numbered by its place in the sentence.
            facts.push(
                Fact::new(&format!("id{k}"), FactValue::Text(r.id.clone())).of("requirements.id"),
            );
            described.push(match (r.status, r.raised) {
                (RequirementStatus::Declined, _) => format!("{{id{k}}} declined"),
                (_, Some(raised)) => {
                    facts.push(Fact::new(
                        &format!("days{k}"),
                        FactValue::Number(raised.days_until(cx.now) as f64),
                    ));
                    format!("{{id{k}}} open for {{days{k}}} days")
                }
                _ => format!("{{id{k}}} open"),
            });
        }
        let template = format!(
            "{{unanswered}} requirement{} unanswered ({}) while the partner added {{offers}} \
             offer{} answering none of them",
            if unanswered.len() == 1 { "" } else { "s" },
            crate::signs::finding::list(&described, ", "),
            if offers.len() == 1 { "" } else { "s" },
        );
        let mut evidence: Vec<Evidence> = unanswered
            .iter()
            .map(|r| {
                Evidence::dated(r.raised.unwrap_or(now_version.date()), "", None).stating(
                    &format!(
                        "requirement {{id}}: {{need}} ({})",
                        match r.status {
                            RequirementStatus::Open => "open",
                            RequirementStatus::Met => "met",
                            RequirementStatus::Declined => "declined",
                        }
                    ),
                    vec![
                        Fact::new("id", FactValue::Text(r.id.clone())).of("requirements.id"),
                        Fact::new("need", FactValue::Text(r.need.clone())).of("requirements.need"),
                    ],
                    None,
                )
            })
            .collect();
        evidence.extend(offers.iter().map(|(date, summary)| {
            Evidence::dated(*date, "", None).stating(
                "offer: {summary}",
                vec![
                    Fact::new("summary", FactValue::Text((*summary).to_string()))
                        .of("offers.summary"),
                ],
                None,
            )
        }));
        vec![
            finding(&VENDOR_CENTRIC, current, "requirements", "")
                .stating(&template, facts)
                .at_path("offers")
                .evidence(evidence)
                // The offers answering none of the unanswered requirements, the count the rule
                // fires on: one more pushed offer is worse. (A share of all offers would stay at
                // 100% while the partner pushes more.)
                .measure(Measure::new(
                    "offers.answering_none",
                    offers.len() as f64,
                    Worse::Higher,
                )),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::Movement;
    use crate::signs::testing::{History, evidence, front, run};

    /// The measure of the only finding of `rule` on `timeline` at `now`.
    fn measure(rule: &dyn Rule, timeline: &Timeline, now: &str) -> Measure {
        let findings = run(rule, timeline, now);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        findings[0].measure.clone().expect("a measure")
    }

    const REQ: &str = "requirements:\n  - { id: sso, need: SAML single sign-on, status: open, raised: 2024-02-01 }\n";

    #[test]
    fn offers_that_ignore_old_requirements() {
        let text = front(&format!(
            "{REQ}offers:\n  - {{ summary: Premium analytics bundle, date: 2024-05-02 }}\n  - {{ summary: Old brochure, date: 2024-01-10 }}\n"
        ));
        let timeline = History::new().version("2024-05-03", &text).build();
        let findings = run(&VendorCentric, &timeline, "2024-09-01");
        assert_eq!(
            findings[0].message,
            "1 requirement unanswered (sso open for 213 days) while the partner added 1 offer answering none of them"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-02-01 requirement sso: SAML single sign-on (open)",
                "2024-05-02 offer: Premium analytics bundle"
            ]
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("offers.answering_none", 1.0, Worse::Higher))
        );
    }

    #[test]
    fn more_pushed_offers_measure_worse() {
        let with = |more: &str| {
            let text = front(&format!(
                "{REQ}offers:\n  - {{ summary: Premium analytics bundle, date: 2024-05-02 }}\n{more}"
            ));
            let timeline = History::new().version("2024-08-01", &text).build();
            measure(&VendorCentric, &timeline, "2024-09-01")
        };
        let milder = with("");
        assert_eq!(
            with("  - { summary: AI add-on, date: 2024-07-15 }\n").since(&milder),
            Movement::Worse
        );
        // An offer from before the requirement was raised is not pushed past it.
        assert_eq!(
            with("  - { summary: Old brochure, date: 2024-01-10 }\n").since(&milder),
            Movement::Same
        );
    }

    #[test]
    fn an_offer_answering_the_requirement_stays_silent() {
        let text = front(&format!(
            "{REQ}offers:\n  - {{ summary: SSO connector, date: 2024-05-02, answers: sso }}\n"
        ));
        let timeline = History::new().version("2024-05-03", &text).build();
        assert!(run(&VendorCentric, &timeline, "2024-09-01").is_empty());
        // A requirement only 60 days old is not yet unanswered.
        let text = front(&format!(
            "{REQ}offers:\n  - {{ summary: Premium analytics bundle, date: 2024-03-02 }}\n"
        ));
        let timeline = History::new().version("2024-03-03", &text).build();
        assert!(run(&VendorCentric, &timeline, "2024-04-01").is_empty());
    }
}
