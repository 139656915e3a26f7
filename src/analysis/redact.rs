//! Masks the values of the fields listed under `redact` in `rapport.yaml` (such as
//! `terms.price`) wherever they appear in findings (messages, evidence and chart values), in
//! field changes and in the timeline's series. Findings state their facts and are masked by the
//! field each fact was read or derived from; ledger words stated as facts are searched for the
//! redacted words they quote. Only text without facts, a list entry added or removed whole in
//! the field changes (`kpis.pipeline: {actual: 90000, …}`) or a sentence a rule did not state, is
//! searched for the numbers the fields held in any version, so a past price is masked too.

use std::collections::HashMap;

use serde_json::Value;

use crate::ledger::Timeline;
use crate::ledger::changes::{Change, Series};
use crate::signs::Finding;
use crate::signs::finding;

/// What a masked value is shown as.
pub const MASK: &str = finding::REDACTED;

/// Masks, in place, every value any version of a partnership held in one of `fields`.
pub fn redact<'f>(
    findings: impl IntoIterator<Item = &'f mut Finding>,
    timelines: &[Timeline],
    fields: &[String],
) {
    if fields.is_empty() {
        return;
    }
    let secrets = secrets(timelines, fields);
    let redacted = |path: &str| fields.iter().any(|f| covers(f, path));
    let none = Secrets::default();
    for finding in findings {
        let secret = secrets
            .get(finding.location.partnership.as_str())
            .unwrap_or(&none);
        // The numbers of the facts about to be masked: a measure stating one tells it too.
        let hidden: Vec<f64> = finding
            .facts
            .iter()
            .filter(|f| f.is_redacted(&redacted))
            .filter_map(finding::Fact::number)
            .collect();
        // A finding that states its facts is masked by field; a sentence without facts can
        // only be searched for the values the fields held.
        match &finding.template {
            Some(template) => {
                let masked = finding::mask(&mut finding.facts, &redacted);
                if secret.mask_quoted(&mut finding.facts) || masked {
                    finding.message = finding::render(template, &finding.facts);
                }
            }
            None => finding.message = secret.mask(&finding.message),
        }
        // Evidence dated by a redacted field (the renewal date) would tell it by its date.
        finding
            .evidence
            .retain(|e| !e.date_from.iter().any(|f| redacted(f)));
        // A measure tells a redacted value when it is one of the field's, or states the same
        // number as a masked fact (the days left to a redacted renewal); without facts, only
        // equal numbers can tell.
        let told = if finding.template.is_some() {
            &hidden
        } else {
            &secret.numbers
        };
        if finding.measure.as_ref().is_some_and(|m| {
            redacted(&m.name)
                || told.iter().any(|n| same(*n, m.value))
                || m.target.is_some_and(|t| told.iter().any(|n| same(*n, t)))
        }) {
            finding.measure = None;
        }
        for evidence in &mut finding.evidence {
            match &evidence.template {
                Some(template) => {
                    let masked = finding::mask(&mut evidence.facts, &redacted);
                    if secret.mask_quoted(&mut evidence.facts) || masked {
                        evidence.observed = finding::render(template, &evidence.facts);
                    }
                    if evidence.value_field.as_deref().is_some_and(redacted) {
                        evidence.value = None;
                    }
                }
                None => {
                    evidence.observed = secret.mask(&evidence.observed);
                    if evidence
                        .value
                        .is_some_and(|v| secret.numbers.iter().any(|n| same(*n, v)))
                    {
                        evidence.value = None;
                    }
                }
            }
        }
    }
}

/// The values each partnership's versions held in `fields`, by partnership id.
fn secrets<'a>(timelines: &'a [Timeline], fields: &[String]) -> HashMap<&'a str, Secrets> {
    let mut secrets: HashMap<&str, Secrets> = HashMap::new();
    for timeline in timelines {
        let entry = secrets.entry(timeline.id.as_str()).or_default();
        for (_, snapshot) in timeline.valid() {
            let Ok(front) = serde_json::to_value(&snapshot.front) else {
                continue;
            };
            for field in fields {
                collect(&front, &field.split('.').collect::<Vec<_>>(), entry);
            }
        }
    }
    secrets
}

/// Masks the values of changes to redacted fields (`terms.price: 180,000 → 96,000`), and the
/// redacted values inside list entries added or removed whole (`kpis.pipeline: {actual: …}`),
/// given the `timelines` of the partnership the changes belong to.
pub fn redact_changes(changes: &mut [Change], timelines: &[Timeline], fields: &[String]) {
    if fields.is_empty() {
        return;
    }
    let mut secret = Secrets::default();
    for found in secrets(timelines, fields).into_values() {
        secret.numbers.extend(found.numbers);
        secret.texts.extend(found.texts);
    }
    // A change in the block of a redacted field (`kpis`, for `kpis.actual`) may show it inside
    // its value: a list entry added or removed whole.
    let block = |path: &str| {
        path.split(['.', '['])
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let blocks: Vec<String> = fields.iter().map(|f| block(f)).collect();
    for change in changes.iter_mut() {
        let Change::Field { path, from, to } = change else {
            continue;
        };
        let whole = fields.iter().any(|f| covers(f, path));
        let inside = blocks.contains(&block(path));
        for value in [from, to].into_iter().flatten() {
            if whole {
                *value = MASK.to_string();
            } else if inside {
                *value = secret.mask(value);
            }
        }
    }
}

/// Drops the series of redacted fields (`terms.price`, `kpis.pipeline.actual`): their points
/// are the values themselves.
pub fn redact_series(series: &mut Vec<Series>, fields: &[String]) {
    series.retain(|s| !fields.iter().any(|f| covers(f, &s.name)));
}

/// Whether any of the redacted `fields` covers the field `path` (`terms.renewal`,
/// `kpis.pipeline.target`): values of it must not be shown.
pub fn is_redacted(path: &str, fields: &[String]) -> bool {
    fields.iter().any(|f| covers(f, path))
}

/// Whether a redacted field (`terms.price`, `kpis.actual`, `terms`) covers a field path as
/// changes and measures name it (`terms.price`, `kpis.sourced-pipeline.actual`): the same path,
/// a path under it, or the path of one list entry's field.
fn covers(field: &str, path: &str) -> bool {
    let field: Vec<&str> = field.split('.').collect();
    let path: Vec<&str> = path.split('.').collect();
    let under = |path: &[&str]| path.len() >= field.len() && path[..field.len()] == field[..];
    under(&path)
        || (path.len() > field.len()
            && path.first() == field.first()
            && under(&[&path[..1], &path[2..]].concat()))
}

#[derive(Default)]
struct Secrets {
    numbers: Vec<f64>,
    texts: Vec<String>,
}

impl Secrets {
    /// Masks, in the ledger words stated as facts not read from a redacted field (a meeting
    /// title, an attendance line, a note), the redacted words they quote, such as a contact's
    /// email; whether any was. Numbers in them are left alone: a fact that is a redacted number
    /// is masked by its field.
    fn mask_quoted(&self, facts: &mut [finding::Fact]) -> bool {
        let mut masked = false;
        for fact in facts {
            if let finding::FactValue::Text(text) = &mut fact.value {
                let quoted = self.mask_texts(text.clone());
                if quoted != *text {
                    *text = quoted;
                    masked = true;
                }
            }
        }
        masked
    }

    /// The text with each redacted word value replaced by the mask.
    fn mask_texts(&self, text: String) -> String {
        self.texts
            .iter()
            .filter(|t| !t.is_empty())
            .fold(text, |text, secret| text.replace(secret.as_str(), MASK))
    }

    fn mask(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        // Numbers as rules write them: digits with thousands separators and a decimal part.
        while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
            let len = rest[start..]
                .char_indices()
                .take_while(|(i, c)| {
                    c.is_ascii_digit()
                        || ((*c == ',' || *c == '.')
                            && rest[start + i + 1..].starts_with(|d: char| d.is_ascii_digit()))
                })
                .map(|(i, c)| i + c.len_utf8())
                .last()
                .unwrap_or(0);
            let token = &rest[start..start + len];
            out.push_str(&rest[..start]);
            let value: Option<f64> = token.replace(',', "").parse().ok();
            if value.is_some_and(|v| self.numbers.iter().any(|n| same(*n, v))) {
                out.push_str(MASK);
            } else {
                out.push_str(token);
            }
            rest = &rest[start + len..];
        }
        out.push_str(rest);
        self.mask_texts(out)
    }
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Collects the values at `path` (`terms.price`; list fields such as `kpis.actual` apply to
/// every item).
fn collect(value: &Value, path: &[&str], into: &mut Secrets) {
    match (value, path.split_first()) {
        (Value::Array(items), _) => items.iter().for_each(|item| collect(item, path, into)),
        (Value::Object(map), Some((head, tail))) => {
            if let Some(next) = map.get(*head) {
                collect(next, tail, into);
            }
        }
        (Value::Number(n), None) => into.numbers.extend(n.as_f64()),
        (Value::String(s), None) => into.texts.push(s.clone()),
        (Value::Object(_), None) => {
            if let Value::Object(map) = value {
                map.values().for_each(|v| collect(v, &[], into));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::FactValue;

    #[test]
    fn covers_fields_and_list_entries() {
        assert!(covers("terms.price", "terms.price"));
        assert!(covers("terms", "terms.price"));
        assert!(covers("kpis.actual", "kpis.sourced-pipeline.actual"));
        assert!(covers("contacts.email", "contacts.Dana Whitfield.email"));
        assert!(!covers("terms.price", "terms.payment_days"));
        assert!(!covers("kpis.actual", "kpis.sourced-pipeline.target"));
    }

    #[test]
    fn masks_numbers_as_rules_write_them() {
        let secrets = Secrets {
            numbers: vec![180000.0, 96000.0],
            texts: vec!["dana@example.com".into()],
        };
        assert_eq!(
            secrets.mask(
                "price cut from 180,000 to 96,000 (-47%), sent to dana@example.com on 2025-04-19"
            ),
            "price cut from [redacted] to [redacted] (-47%), sent to [redacted] on 2025-04-19"
        );
        assert_eq!(secrets.mask("net-30 to net-120"), "net-30 to net-120");
    }

    #[test]
    fn stated_facts_are_masked_by_their_field_not_by_equal_digits() {
        use crate::signs::testing::{History, Setup, front};
        // Revenue and invested are 60 and 120 thousand; the payment days go from 60 to 120.
        // Masking digit runs equal to a revenue figure would hide the terms too.
        let version = |days: u32, price: u32| {
            front(&format!(
                "terms: {{ payment_days: {days}, price: {price}, currency: EUR }}\nmoney: {{ revenue: 60, invested: 120 }}\n"
            ))
        };
        let timeline = History::new()
            .version("2024-01-15", &version(60, 120))
            .version("2024-09-01", &version(120, 60))
            .build();
        let setup = Setup::default();
        let cx = setup.context("2024-09-02");
        let mut findings = crate::signs::analyse(std::slice::from_ref(&timeline), &cx);
        redact(
            findings.iter_mut(),
            std::slice::from_ref(&timeline),
            &["money.revenue".to_string(), "terms.price".to_string()],
        );
        let by_rule = |rule: &str| {
            findings
                .iter()
                .find(|f| f.rule == rule)
                .unwrap_or_else(|| panic!("no {rule}: {findings:#?}"))
        };
        let slip = by_rule("payment-terms-slip");
        assert_eq!(
            slip.message,
            "payment terms went from net-60 to net-120 in 7 months"
        );
        assert_eq!(slip.evidence[0].observed, "terms.payment_days = 60");
        assert_eq!(slip.evidence[0].value, Some(60.0));
        let cut = by_rule("price-cut");
        assert_eq!(
            cut.message,
            "the price was cut 50%, from EUR [redacted] (2024-01-15) to EUR [redacted] (2024-09-01)"
        );
        assert_eq!(cut.evidence[1].observed, "terms.price = [redacted]");
        assert_eq!(cut.evidence[1].value, None);
        let price: Vec<&crate::signs::FactValue> = cut
            .facts
            .iter()
            .filter(|f| f.field.as_deref() == Some("terms.price"))
            .map(|f| &f.value)
            .collect();
        assert_eq!(price, vec![&crate::signs::FactValue::Redacted; 2]);
        let gap = by_rule("value-gap");
        assert_eq!(
            gap.message,
            "revenue is 0.50× investment (EUR [redacted] against 120) and not improving over the last 180 days"
        );
    }

    #[test]
    fn a_redacted_kpi_actual_hides_its_attainment_and_keeps_its_target() {
        use crate::signs::testing::{History, Setup, front};
        // The target of the missed KPI equals the actual of another: searching the sentence for
        // redacted values would hide the target too; masking by field does not.
        let text = front(
            "kpis:\n  - { id: pipeline, unit: EUR, target: 400000, actual: 90000, as_of: 2024-08-31 }\n  - { id: wins, target: 300000, actual: 400000, as_of: 2024-08-31 }\n",
        );
        let first = text.replace(
            "actual: 90000, as_of: 2024-08-31",
            "actual: 0, as_of: 2024-01-31",
        );
        let timeline = History::new()
            .version("2024-02-01", &first)
            .version("2024-09-01", &text)
            .build();
        let setup = Setup::default();
        let cx = setup.context("2024-09-02");
        let mut findings = crate::signs::analyse(std::slice::from_ref(&timeline), &cx);
        findings.retain(|f| f.rule == "targets-missed");
        redact(
            findings.iter_mut(),
            std::slice::from_ref(&timeline),
            &["kpis.actual".to_string()],
        );
        assert_eq!(
            findings[0].message,
            "pipeline is at [redacted] of target ([redacted] EUR against a target of 400,000 EUR) as of 2024-08-31"
        );
        assert_eq!(
            findings[0].evidence[0].observed,
            "pipeline as of 2024-08-31: [redacted] EUR against a target of 400,000 EUR"
        );
        assert_eq!(findings[0].evidence[0].value, None);
    }

    /// The findings of the whole catalog on `timeline` at `now`, with `fields` redacted.
    fn redacted_findings(timeline: &Timeline, now: &str, fields: &[&str]) -> Vec<Finding> {
        let setup = crate::signs::testing::Setup::default();
        let cx = setup.context(now);
        let mut findings = crate::signs::analyse(std::slice::from_ref(timeline), &cx);
        let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        redact(findings.iter_mut(), std::slice::from_ref(timeline), &fields);
        findings
    }

    fn the<'a>(findings: &'a [Finding], rule: &str) -> &'a Finding {
        findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("no {rule}: {findings:#?}"))
    }

    #[test]
    fn a_redacted_notice_period_hides_the_deadline_it_sets_and_keeps_equal_terms() {
        use crate::signs::testing::{History, front};
        // Notice is 90 days and the payment terms went to net-90: the terms stay visible in
        // the renewal's own evidence, the notice period and the deadline it sets do not.
        let version = |days: u32| {
            front(&format!(
                "terms: {{ payment_days: {days}, currency: EUR, renewal: 2025-11-28, notice_days: 90 }}\n"
            ))
        };
        let timeline = History::new()
            .version("2024-09-12", &version(30))
            .version("2025-04-19", &version(90))
            .build();
        let findings = redacted_findings(&timeline, "2025-06-30", &["terms.notice_days"]);
        let renewal = the(&findings, crate::signs::rules::renewal::ID);
        assert_eq!(
            renewal.message,
            "notice is due by [redacted] ([redacted] days before the renewal on 2025-11-28), \
             [redacted], while 1 error-level sign is open: payment-terms-slip"
        );
        let observed: Vec<&str> = renewal
            .evidence
            .iter()
            .map(|e| e.observed.as_str())
            .collect();
        // The notice deadline's evidence is dated by it, so it goes; the renewal date stays.
        assert_eq!(
            observed,
            vec![
                "terms.renewal = 2025-11-28",
                "open error[payment-terms-slip]: payment terms went from net-30 to net-90 in 7 months"
            ]
        );
        assert_eq!(renewal.measure, None);
        let facts: Vec<(&str, &FactValue)> = renewal
            .facts
            .iter()
            .map(|f| (f.name.as_str(), &f.value))
            .collect();
        assert!(
            facts.contains(&("days_left", &FactValue::Redacted)),
            "{facts:?}"
        );
        assert!(
            facts.contains(&("notice", &FactValue::Redacted)),
            "{facts:?}"
        );
    }

    #[test]
    fn a_redacted_renewal_date_hides_every_date_and_day_of_the_deadline() {
        use crate::signs::testing::{History, front};
        let version = |days: u32| {
            front(&format!(
                "terms: {{ payment_days: {days}, currency: EUR, renewal: 2025-07-01 }}\n"
            ))
        };
        let timeline = History::new()
            .version("2024-09-12", &version(30))
            .version("2025-04-19", &version(120))
            .build();
        let findings = redacted_findings(&timeline, "2025-06-30", &["terms.renewal"]);
        let renewal = the(&findings, crate::signs::rules::renewal::ID);
        // "in 1 day" would tell the date as well as the date itself.
        assert_eq!(
            renewal.message,
            "the renewal on [redacted] is [redacted], while 1 error-level sign is open: \
             payment-terms-slip"
        );
        assert!(
            renewal
                .evidence
                .iter()
                .all(|e| !e.observed.starts_with("terms.")),
            "{:#?}",
            renewal.evidence
        );
        assert_eq!(renewal.measure, None);
    }

    #[test]
    fn a_redacted_note_is_masked_and_equal_days_stay() {
        use crate::signs::testing::{History, front};
        // Revenue is 45 (redacted) and an item is 45 days overdue: the days are no revenue.
        let text = front(
            "money: { revenue: 45, invested: 30 }\nevents:\n  - { date: 2024-08-01, kind: layoffs, note: Northwind cut 10% of its EU staff }\n",
        ) + "## 2024-06-12 Quarterly business review\nAttendees: Ana Lima, Priya Raman\n- [ ] partner: send revised enablement plan (due 2024-06-30)\n";
        let timeline = History::new().version("2024-06-12", &text).build();
        let findings =
            redacted_findings(&timeline, "2024-08-14", &["events.note", "money.revenue"]);
        let distress = the(&findings, "partner-distress");
        assert_eq!(
            distress.message,
            "the partner had layoffs on 2024-08-01: [redacted]"
        );
        assert_eq!(distress.evidence[0].observed, "event: layoffs: [redacted]");
        assert_eq!(distress.evidence[1].observed, "recorded layoffs event");
        let late = the(&findings, "partner-unresponsive");
        assert_eq!(
            late.message,
            "1 partner action item overdue: \"send revised enablement plan\" (due 2024-06-30, 45 days overdue)"
        );
        assert_eq!(
            late.measure.as_ref().map(|m| m.value),
            Some(1.0),
            "the count of overdue items tells no revenue"
        );
    }

    #[test]
    fn a_redacted_kpi_actual_leaves_the_days_since_its_update() {
        use crate::signs::testing::{History, front};
        // The actual is 150 and the KPI was last updated 150 days ago.
        let text =
            front("kpis:\n  - { id: pipeline, target: 100, actual: 150, as_of: 2024-03-01 }\n");
        let timeline = History::new().version("2024-03-01", &text).build();
        let findings = redacted_findings(&timeline, "2024-07-29", &["kpis.actual"]);
        let stale = the(&findings, "no-success-metrics");
        assert_eq!(
            stale.message,
            "KPI pipeline was last updated on 2024-03-01, 150 days ago"
        );
        assert_eq!(
            stale.evidence[0].observed,
            "pipeline: actual [redacted] as of 2024-03-01"
        );
        assert_eq!(stale.evidence[0].value, None);
        assert_eq!(stale.measure.as_ref().map(|m| m.value), Some(150.0));
    }

    #[test]
    fn redacted_contact_names_are_masked_where_the_lead_and_its_meetings_name_them() {
        use crate::signs::testing::{History, front};
        // The last meeting's title quotes the first lead's name.
        let contacts = |lead: &str, level: &str| {
            front(&format!(
                "contacts:\n  - {{ name: {lead}, side: partner, level: {level}, primary: true }}\n  - {{ name: Priya Raman, side: ours, level: manager }}\n"
            )) + "## 2024-01-20 Kick-off with Dana Whitfield\nAttendees: Dana Whitfield, Priya Raman\n"
        };
        let timeline = History::new()
            .version("2024-01-15", &contacts("Dana Whitfield", "executive"))
            .version("2024-06-01", &contacts("Tom Ng", "manager"))
            .build();
        let findings = redacted_findings(&timeline, "2024-06-02", &["contacts.name"]);
        let downgrade = the(&findings, "contact-downgrade");
        assert_eq!(
            downgrade.message,
            "[redacted] (executive) was replaced as primary contact by [redacted] (manager): down two levels"
        );
        let observed: Vec<&str> = downgrade
            .evidence
            .iter()
            .map(|e| e.observed.as_str())
            .collect();
        assert_eq!(
            observed,
            vec![
                "primary contact: [redacted] (executive)",
                "primary contact: [redacted] (manager)"
            ]
        );
        // The levels are not names: the measure stays.
        assert_eq!(downgrade.measure.as_ref().map(|m| m.value), Some(2.0));
        let cadence = the(&findings, "meeting-cadence-drop");
        assert_eq!(
            cadence.message,
            "no meeting for 134 days (the last was on 2024-01-20)"
        );
        assert_eq!(
            cadence.evidence[0].observed,
            "meeting: Kick-off with [redacted]"
        );
    }
}
