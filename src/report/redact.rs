//! Masks the values of the fields listed under `redact` in `rapport.yaml` (such as
//! `terms.price`) wherever they appear in findings (messages, evidence and chart values), in
//! field changes and in the timeline's series. A finding that states its facts is masked by
//! the field each fact was read from; other text is searched for the values the fields held in
//! any version of the partnership, so a past price is masked too.

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
    let dates_hidden = ["terms.renewal", "terms.notice_days"]
        .into_iter()
        .any(redacted);
    for finding in findings {
        // A renewal finding is about the contract's dates: its deadline and days left would
        // tell them, even where the dates themselves are masked.
        if dates_hidden && finding.rule == crate::signs::rules::renewal::ID {
            if let Some((_, open)) = finding.message.split_once(", while ") {
                finding.message =
                    format!("the renewal or notice deadline ({MASK}) is close, while {open}");
            }
            finding
                .evidence
                .retain(|e| !e.observed.starts_with("terms."));
            finding.measure = None;
        }
        let secret = secrets
            .get(finding.location.partnership.as_str())
            .unwrap_or(&none);
        // A finding that states its facts is masked by field; a sentence without facts can
        // only be searched for the values the fields held.
        match &finding.template {
            Some(template) => {
                if finding::mask(&mut finding.facts, &redacted) {
                    finding.message = finding::render(template, &finding.facts);
                }
            }
            None => finding.message = secret.mask(&finding.message),
        }
        if finding.measure.as_ref().is_some_and(|m| {
            redacted(&m.name)
                || secret.numbers.iter().any(|n| same(*n, m.value))
                || m.target
                    .is_some_and(|t| secret.numbers.iter().any(|n| same(*n, t)))
        }) {
            finding.measure = None;
        }
        for evidence in &mut finding.evidence {
            match &evidence.template {
                Some(template) => {
                    if finding::mask(&mut evidence.facts, &redacted) {
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
        self.texts
            .iter()
            .filter(|t| !t.is_empty())
            .fold(out, |text, secret| text.replace(secret.as_str(), MASK))
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
        let mut findings = crate::signs::analyse(std::slice::from_ref(&timeline), &cx, &|_| None);
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
        let timeline = History::new().version("2024-09-01", &text).build();
        let setup = Setup::default();
        let cx = setup.context("2024-09-02");
        let mut findings = crate::signs::analyse(std::slice::from_ref(&timeline), &cx, &|_| None);
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
}
