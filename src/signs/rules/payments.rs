//! Sign 9, payments: terms stretching, prices cut, invoices paid late.

use super::{changes, history};
use crate::ledger::Timeline;
use crate::ledger::model::Side;
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse,
    currency_fact, finding, sign, span,
};

pub struct PaymentTermsSlip;
pub struct PriceCut;
pub struct LatePayment;

static PAYMENT_TERMS_SLIP: RuleInfo = RuleInfo {
    id: "payment-terms-slip",
    sign: sign::PAYMENTS,
    title: "Payment terms are stretching",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "`terms.payment_days` now greater than the first value recorded in history. Error \
        when it is at least {error_factor} times the first value, or above {error_days}. Terms \
        that went up and came back (30 → 45 → 30) say nothing. The span is from the \
        first version to the version that set the current value.",
    why: "Sign 9: payments delayed, payment terms stretched (net-30 becoming net-180). A partner \
        that keeps asking for longer terms is financing itself on your cash, often because it is \
        short of its own.",
    example: "2024-01-15  terms: { payment_days: 30 }\n2024-06-01  terms: { payment_days: 60 }\n2025-03-20  terms: { payment_days: 120 }\n→ error: payment terms went from net-30 to net-120 in 14 months",
    fix: "Renegotiate: tie longer terms to something you get in return (a discount, volume), put \
        the terms back on the agenda of the next contract review, and check the partner's \
        financial health.",
};

impl Rule for PaymentTermsSlip {
    fn info(&self) -> &'static RuleInfo {
        &PAYMENT_TERMS_SLIP
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.payment_terms_slip;
        let versions = history(timeline, cx.now);
        let Some(&(_, current)) = versions.last() else {
            return Vec::new();
        };
        let days = |s: &crate::ledger::Snapshot| s.front.terms.as_ref()?.payment_days;
        let Some(now) = days(current) else {
            return Vec::new();
        };
        let series = changes(timeline, cx.now, days);
        let (Some(&(first_version, first)), Some(&(set_version, _))) =
            (series.first(), series.last())
        else {
            return Vec::new();
        };
        if now <= first {
            return Vec::new();
        }
        let severity = if now as f64 >= set.error_factor * first as f64 || now > set.error_days {
            Severity::Error
        } else {
            Severity::Warning
        };
        let field = "terms.payment_days";
        let facts = vec![
            Fact::new("first", FactValue::Number(first as f64)).of(field),
            Fact::new("now", FactValue::Number(now as f64)).of(field),
            Fact::new("from", FactValue::Date(first_version.date())),
            Fact::new("to", FactValue::Date(set_version.date())),
            Fact::new(
                "span",
                FactValue::Text(span(first_version.date(), set_version.date())),
            ),
        ];
        let evidence = series
            .iter()
            .map(|(v, d)| Evidence::field(v, field, *d as f64))
            .collect();
        vec![
            finding(&PAYMENT_TERMS_SLIP, current, field, "")
                .stating(
                    "payment terms went from net-{first} to net-{now} {span}",
                    facts,
                )
                .severity(severity)
                .at_path("terms.payment_days")
                .evidence(evidence)
                .measure(Measure::new(
                    "terms.payment_days",
                    now as f64,
                    Worse::Higher,
                )),
        ]
    }
}

static PRICE_CUT: RuleInfo = RuleInfo {
    id: "price-cut",
    sign: sign::PAYMENTS,
    title: "The price was cut sharply",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "`terms.price` now at least {min_cut:%} below the highest value recorded in an \
        earlier version in the same `terms.currency`. Prices in different currencies are never \
        compared: after a change of currency the cut is measured from the first price in the new \
        currency, and the message names the price before the change in its own currency. A price \
        written without a currency is not a change of currency. Error at {error_cut:%} or more: \
        the price was cut in half.",
    why: "Sign 9: prices cut in half. A sharp cut in what the partnership is worth per year means \
        the value, or the bargaining power, has moved; the rest of the terms rarely stay healthy \
        for long after.",
    example: "2024-01-15  terms: { price: 120000, currency: EUR }\n2024-09-01  terms: { price: 60000, currency: EUR }\n→ error: the price was cut 50%, from EUR 120,000 (2024-01-15) to EUR 60,000 (2024-09-01)",
    fix: "Find out why the price fell and what was given up for it; renegotiate scope, SLAs and \
        effort to match the new price, or reconsider the partnership.",
};

impl Rule for PriceCut {
    fn info(&self) -> &'static RuleInfo {
        &PRICE_CUT
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.price_cut;
        let versions = history(timeline, cx.now);
        let Some(&(_, current)) = versions.last() else {
            return Vec::new();
        };
        let priced = |s: &crate::ledger::Snapshot| {
            let terms = s.front.terms.as_ref()?;
            Some((terms.price?, terms.currency.clone()))
        };
        let Some((now, _)) = priced(current) else {
            return Vec::new();
        };
        let all = changes(timeline, cx.now, priced);
        // Prices compare within one currency: the series runs back from the current price to
        // the last change of currency. A price without a currency is not a change of currency.
        let mut known = all.last().and_then(|(_, (_, c))| c.clone());
        let mut start = all.len();
        while let Some((_, (_, currency))) = start.checked_sub(1).and_then(|i| all.get(i)) {
            match (currency, &known) {
                (Some(c), Some(k)) if c != k => break,
                (Some(c), None) => known = Some(c.clone()),
                _ => {}
            }
            start -= 1;
        }
        let before_change = start.checked_sub(1).and_then(|i| all.get(i));
        let mut series: Vec<(&crate::ledger::Version, f64)> = Vec::new();
        for (version, (p, _)) in all.iter().skip(start) {
            if series.last().is_none_or(|(_, last)| last != p) {
                series.push((*version, *p));
            }
        }
        let Some(&(set_version, _)) = series.last() else {
            return Vec::new();
        };
        let Some(&(peak_version, peak)) = series.iter().fold(
            None::<&(&crate::ledger::Version, f64)>,
            |best, x| match best {
                Some(b) if b.1 >= x.1 => Some(b),
                _ => Some(x),
            },
        ) else {
            return Vec::new();
        };
        if peak <= 0.0 {
            return Vec::new();
        }
        let cut = (peak - now) / peak;
        if cut < set.min_cut - 1e-9 {
            return Vec::new();
        }
        let (currency, before_amount) = currency_fact(current);
        let mut facts = vec![
            Fact::new("cut", FactValue::Percent(cut)),
            Fact::new("peak", FactValue::Number(peak)).of("terms.price"),
            Fact::new("peak_date", FactValue::Date(peak_version.date())),
            Fact::new("now", FactValue::Number(now)).of("terms.price"),
            Fact::new("now_date", FactValue::Date(set_version.date())),
        ];
        let names_currency = currency.is_some();
        // After the ratio or cut, where the sentence first names it.
        if let Some(currency) = currency {
            facts.insert(1, currency);
        }
        let mut template = format!(
            "the price was cut {{cut}}, from {before_amount}{{peak}} ({{peak_date}}) to \
             {before_amount}{{now}} ({{now_date}})"
        );
        // The price before a change of currency, in its own currency: what the cut is not
        // measured from, and why.
        if let (true, Some((_, (old_price, Some(old_currency)))), Some((changed, _))) =
            (names_currency, before_change, all.get(start))
        {
            template.push_str(
                "; priced in {currency} since {changed_date}, {old_currency} {old_price} before",
            );
            facts.push(Fact::new("changed_date", FactValue::Date(changed.date())));
            facts.push(
                Fact::new("old_currency", FactValue::Text(old_currency.clone()))
                    .of("terms.currency"),
            );
            facts.push(Fact::new("old_price", FactValue::Number(*old_price)).of("terms.price"));
        }
        let evidence = series
            .iter()
            .map(|(v, p)| Evidence::field(v, "terms.price", *p))
            .collect();
        vec![
            finding(&PRICE_CUT, current, "terms.price", "")
                .stating(&template, facts)
                .severity(if cut >= set.error_cut - 1e-9 {
                    Severity::Error
                } else {
                    Severity::Warning
                })
                .at_path("terms.price")
                .evidence(evidence)
                // The cut from the peak, not the price itself: what the message and the
                // thresholds speak of, and the same whatever the currency or the peak.
                .measure(Measure::new("terms.price.cut", cut, Worse::Higher)),
        ]
    }
}

static LATE_PAYMENT: RuleInfo = RuleInfo {
    id: "late-payment",
    sign: sign::PAYMENTS,
    title: "Invoices are paid late",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "Invoices of the current version paid more than {grace_days} after `due`, or \
        unpaid with `due` more than `grace_days` before now; one finding per payer (the partner, \
        or us) listing the invoices and days late. Error when one is {error_days} or more \
        late.",
    why: "Sign 9: payments delayed. A partner paying late is short of cash or of commitment; our \
        own late payments damage the relationship from our side.",
    example: "invoices:\n  - { id: INV-2024-07, payer: partner, amount: 30000, due: 2024-07-31, paid: 2024-09-15 }\n→ the partner is late on 1 invoice: INV-2024-07 paid 46 days late",
    fix: "Chase the open invoices, agree a payment plan for arrears, and make payment discipline a \
        standing item of the governance meeting; if we are the late payer, fix our process first.",
};

impl Rule for LatePayment {
    fn info(&self) -> &'static RuleInfo {
        &LATE_PAYMENT
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.late_payment;
        let versions = history(timeline, cx.now);
        let Some(&(_, current)) = versions.last() else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for payer in [Side::Partner, Side::Ours] {
            let mut late = Vec::new();
            let mut evidence = Vec::new();
            let mut worst = 0;
            let mut total = 0;
            let mut path = None;
            let mut facts = Vec::new();
            for (i, invoice) in current.front.invoices.iter().enumerate() {
                if invoice.payer != payer {
                    continue;
                }
                let Some(due) = invoice.due else { continue };
                let (days, what, date) = match invoice.paid {
                    Some(paid) => (due.days_until(paid), "paid", paid),
                    None => (due.days_until(cx.now), "unpaid", cx.now),
                };
                if days <= set.grace_days {
                    continue;
                }
                worst = worst.max(days);
                total += days;
                path.get_or_insert(format!(
                    "invoices[{i}].{}",
                    if invoice.paid.is_some() {
                        "paid"
                    } else {
                        "due"
                    }
                ));
                // One sentence part per invoice, its facts numbered by their place in it.
                let k = late.len();
                late.push(match what {
                    "paid" => format!("{{id{k}}} paid {{days{k}}} days late"),
                    _ => format!("{{id{k}}} unpaid, {{days{k}}} days past due"),
                });
                facts.push(
                    Fact::new(&format!("id{k}"), FactValue::Text(invoice.id.clone()))
                        .of("invoices.id"),
                );
                facts.push(Fact::new(
                    &format!("days{k}"),
                    FactValue::Number(days as f64),
                ));
                let mut observed = "{id}: due {due}, ".to_string();
                let mut observed_facts = vec![
                    Fact::new("id", FactValue::Text(invoice.id.clone())).of("invoices.id"),
                    Fact::new("due", FactValue::Date(due)).of("invoices.due"),
                ];
                match invoice.paid {
                    Some(paid) => {
                        observed.push_str("paid {paid}");
                        observed_facts
                            .push(Fact::new("paid", FactValue::Date(paid)).of("invoices.paid"));
                    }
                    None => observed.push_str("unpaid"),
                }
                if let Some(amount) = invoice.amount {
                    observed.push_str(", amount {amount}");
                    observed_facts
                        .push(Fact::new("amount", FactValue::Number(amount)).of("invoices.amount"));
                }
                evidence.push(Evidence::dated(date, "", Some(days as f64)).stating(
                    &observed,
                    observed_facts,
                    None,
                ));
            }
            if late.is_empty() {
                continue;
            }
            let (who, subject, side) = match payer {
                Side::Partner => ("the partner is", "invoices:partner", "partner"),
                Side::Ours => ("we are", "invoices:ours", "ours"),
            };
            let template = format!(
                "{who} late on {{count}} invoice{}: {}",
                if late.len() == 1 { "" } else { "s" },
                crate::signs::finding::list(&late, ", ")
            );
            facts.push(Fact::new("count", FactValue::Number(late.len() as f64)));
            let mut f = finding(&LATE_PAYMENT, current, subject, "")
                .stating(&template, facts)
                .severity(if worst >= set.error_days {
                    Severity::Error
                } else {
                    Severity::Warning
                })
                .evidence(evidence)
                // The days late of all the late invoices together: one more late invoice, or
                // one left unpaid longer, is worse; one paid is better.
                .measure(Measure::new(
                    format!("invoices.{side}.days_late"),
                    total as f64,
                    Worse::Higher,
                ));
            if let Some(path) = path {
                f = f.at_path(path);
            }
            findings.push(f);
        }
        findings
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

    fn terms(days: u32) -> String {
        front(&format!(
            "terms: {{ payment_days: {days}, price: 120000, currency: EUR }}\n"
        ))
    }

    #[test]
    fn terms_stretching_to_net_120_is_an_error() {
        let timeline = History::new()
            .version("2024-01-15", &terms(30))
            .version("2024-06-01", &terms(60))
            .version("2024-09-01", &terms(60))
            .version("2025-03-20", &terms(120))
            .build();
        let findings = run(&PaymentTermsSlip, &timeline, "2025-04-01");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].message,
            "payment terms went from net-30 to net-120 in 14 months"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-01-15 c000000 terms.payment_days = 30",
                "2024-06-01 c000001 terms.payment_days = 60",
                "2025-03-20 c000003 terms.payment_days = 120"
            ]
        );
        assert_eq!(findings[0].fingerprint.0.len(), 16);
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("terms.payment_days", 120.0, Worse::Higher))
        );
    }

    #[test]
    fn small_increase_is_a_warning() {
        let timeline = History::new()
            .version("2024-01-15", &terms(30))
            .version("2024-03-01", &terms(45))
            .build();
        let findings = run(&PaymentTermsSlip, &timeline, "2024-04-01");
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(
            findings[0].message,
            "payment terms went from net-30 to net-45 in 1 month"
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("terms.payment_days", 45.0, Worse::Higher))
        );
    }

    #[test]
    fn terms_stretched_further_measure_worse() {
        let to = |days: &[u32]| {
            let mut history = History::new();
            for (i, d) in days.iter().enumerate() {
                history = history.version(&format!("2024-0{}-01", i + 1), &terms(*d));
            }
            measure(&PaymentTermsSlip, &history.build(), "2024-09-01")
        };
        let (milder, further) = (to(&[30, 60]), to(&[30, 90]));
        assert_eq!(further.since(&milder), Movement::Worse);
        assert_eq!(milder.since(&further), Movement::Better);
        // The same net-60, reached in two steps: nothing moved.
        assert_eq!(to(&[30, 45, 60]).since(&milder), Movement::Same);
    }

    #[test]
    fn terms_that_came_back_stay_silent() {
        let timeline = History::new()
            .version("2024-01-15", &terms(30))
            .version("2024-03-01", &terms(45))
            .version("2024-05-01", &terms(30))
            .build();
        assert!(run(&PaymentTermsSlip, &timeline, "2024-06-01").is_empty());
    }

    fn price(p: u32) -> String {
        front(&format!("terms: {{ price: {p}, currency: EUR }}\n"))
    }

    #[test]
    fn price_cut_in_half() {
        let timeline = History::new()
            .version("2024-01-15", &price(100000))
            .version("2024-03-01", &price(120000))
            .version("2024-09-01", &price(60000))
            .build();
        let findings = run(&PriceCut, &timeline, "2024-09-02");
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].message,
            "the price was cut 50%, from EUR 120,000 (2024-03-01) to EUR 60,000 (2024-09-01)"
        );
        assert_eq!(evidence(&findings[0]).len(), 3);
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("terms.price.cut", 0.5, Worse::Higher))
        );
    }

    #[test]
    fn price_cut_further_measures_worse() {
        let to = |prices: &[u32]| {
            let mut history = History::new();
            for (i, p) in prices.iter().enumerate() {
                history = history.version(&format!("2024-0{}-01", i + 1), &price(*p));
            }
            measure(&PriceCut, &history.build(), "2024-09-01")
        };
        let milder = to(&[120000, 60000]);
        assert_eq!(to(&[120000, 60000, 48000]).since(&milder), Movement::Worse);
        assert_eq!(to(&[120000, 80000]).since(&milder), Movement::Better);
        // Cut in half either way, from a different first price.
        assert_eq!(to(&[100000, 120000, 60000]).since(&milder), Movement::Same);
    }

    #[test]
    fn small_cut_stays_silent() {
        let timeline = History::new()
            .version("2024-01-15", &price(120000))
            .version("2024-09-01", &price(96000))
            .build();
        assert!(run(&PriceCut, &timeline, "2024-09-02").is_empty());
    }

    #[test]
    fn late_invoices_per_payer() {
        let text = front(
            "invoices:\n  - { id: INV-7, payer: partner, amount: 30000, due: 2024-07-31, paid: 2024-09-15 }\n  - { id: INV-9, payer: partner, due: 2024-08-31 }\n  - { id: INV-10, payer: partner, due: 2024-09-30 }\n  - { id: PO-1, payer: ours, due: 2024-08-01, paid: 2024-08-01 }\n",
        );
        let timeline = History::new().version("2024-09-15", &text).build();
        let findings = run(&LatePayment, &timeline, "2024-09-20");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "the partner is late on 2 invoices: INV-7 paid 46 days late, INV-9 unpaid, 20 days past due"
        );
        assert_eq!(findings[0].subject, "invoices:partner");
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-09-15 INV-7: due 2024-07-31, paid 2024-09-15, amount 30,000",
                "2024-09-20 INV-9: due 2024-08-31, unpaid"
            ]
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new(
                "invoices.partner.days_late",
                66.0,
                Worse::Higher
            ))
        );
    }

    #[test]
    fn more_late_invoices_measure_worse() {
        const INVOICES: &str =
            "invoices:\n  - { id: INV-7, payer: ours, due: 2024-07-31, paid: 2024-09-15 }\n";
        let with = |more: &str| {
            let timeline = History::new()
                .version("2024-09-15", &front(&format!("{INVOICES}{more}")))
                .build();
            measure(&LatePayment, &timeline, "2024-09-20")
        };
        let milder = with("");
        assert_eq!(milder.name, "invoices.ours.days_late");
        assert_eq!(
            with("  - { id: INV-9, payer: ours, due: 2024-08-31 }\n").since(&milder),
            Movement::Worse
        );
        // An invoice paid on time adds nothing.
        assert_eq!(
            with("  - { id: INV-9, payer: ours, due: 2024-08-31, paid: 2024-08-30 }\n")
                .since(&milder),
            Movement::Same
        );
    }

    #[test]
    fn invoices_paid_on_time_stay_silent() {
        let text = front(
            "invoices:\n  - { id: INV-7, payer: partner, due: 2024-07-31, paid: 2024-07-31 }\n  - { id: INV-9, payer: ours, due: 2024-09-30 }\n",
        );
        let timeline = History::new().version("2024-09-15", &text).build();
        assert!(run(&LatePayment, &timeline, "2024-09-20").is_empty());
    }
}
