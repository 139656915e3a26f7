//! Checks a well-typed front matter for what types cannot say: values out of range, references
//! to nothing, two primary contacts on one side, duplicate ids inside a file, dates out of order.

use std::collections::HashSet;

use super::ladder::Ladder;
use super::model::{FrontMatter, Metric, Side};
use super::yaml::closest;

/// One problem in a front matter, at a path such as `terms.payment_days` or `scope[1].sla`.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub path: String,
    pub code: &'static str,
    pub message: String,
    pub help: String,
}

fn problem(
    path: impl Into<String>,
    code: &'static str,
    message: impl Into<String>,
    help: impl Into<String>,
) -> Problem {
    Problem {
        path: path.into(),
        code,
        message: message.into(),
        help: help.into(),
    }
}

pub fn validate(front: &FrontMatter, ladder: &Ladder) -> Vec<Problem> {
    let mut problems = Vec::new();
    let p = &mut problems;
    if front.rapport != 1 {
        p.push(problem(
            "rapport",
            "unsupported-version",
            format!("format version {} is not supported", front.rapport),
            "this version of rapport reads format version 1: write `rapport: 1`",
        ));
    }
    if let Some(id) = &front.id
        && !is_slug(id)
    {
        p.push(problem("id", "invalid-id", format!("`{id}` is not a valid id"), "ids are lower-case letters, digits and dashes, starting with a letter or digit, like `northwind-analytics`"));
    }
    for (path, value) in [("partner", &front.partner), ("owner", &front.owner)] {
        if value.trim().is_empty() {
            p.push(problem(
                path,
                "empty-value",
                format!("`{path}` is empty"),
                format!("write the {path}'s name"),
            ));
        }
    }
    for side in [Side::Partner, Side::Ours] {
        let primaries: Vec<usize> = front
            .contacts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.side == side && c.primary)
            .map(|(i, _)| i)
            .collect();
        if let [first, rest @ ..] = primaries.as_slice() {
            for &i in rest {
                let side_name = if side == Side::Partner {
                    "partner"
                } else {
                    "ours"
                };
                p.push(problem(
                    format!("contacts[{i}].primary"),
                    "two-primaries",
                    format!(
                        "a second primary contact on the {side_name} side ({} is already primary)",
                        front.contacts[*first].name
                    ),
                    "keep `primary: true` on one contact per side",
                ));
            }
        }
    }
    for (i, contact) in front.contacts.iter().enumerate() {
        if let Some(level) = &contact.level
            && ladder.rank(level).is_none()
        {
            let hint = closest(level, ladder.levels())
                .map(|l| format!("did you mean `{l}`? "))
                .unwrap_or_default();
            p.push(problem(
                    format!("contacts[{i}].level"),
                    "unknown-level",
                    format!("`{level}` is not a level on the ladder"),
                    format!("{hint}levels, most senior first: {} (the ladder can be changed in rapport.yaml)", ladder.0.join(", ")),
                ));
        }
    }
    if let Some(terms) = &front.terms {
        if let Some(days) = terms.payment_days
            && !(0..=3650).contains(&days)
        {
            p.push(problem(
                "terms.payment_days",
                "out-of-range",
                format!(
                    "payment terms of {days} days are out of range: they are from 0 to 3650 days"
                ),
                "write the net payment days as a number from 0 to 3650 (net-30 is `30`)",
            ));
        }
        if let Some(days) = terms.notice_days
            && !(0..=3650).contains(&days)
        {
            p.push(problem(
                "terms.notice_days",
                "out-of-range",
                format!("a notice period of {days} days is out of range: it is from 0 to 3650 days"),
                "write the days before `renewal` by which notice must be given, from 0 to 3650 (three months is `90`)",
            ));
        }
        non_negative(p, "terms.price", terms.price);
        if let Some(currency) = &terms.currency
            && !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()))
        {
            let upper = currency.trim().to_ascii_uppercase();
            let help = if upper.len() == 3 && upper.bytes().all(|b| b.is_ascii_uppercase()) {
                format!("did you mean `{upper}`? ISO 4217 codes are three capital letters")
            } else {
                "write a three-letter code such as EUR, USD or CNY".to_string()
            };
            p.push(problem(
                "terms.currency",
                "invalid-currency",
                format!("`{currency}` is not an ISO 4217 currency code"),
                help,
            ));
        }
    }
    if let Some(money) = &front.money {
        non_negative(p, "money.revenue", money.revenue);
        non_negative(p, "money.invested", money.invested);
    }
    if let Some(effort) = &front.effort {
        non_negative(p, "effort.hours_per_month", effort.hours_per_month);
    }
    metrics(p, "kpis", &front.kpis);
    metrics(p, "slas", &front.slas);
    let slas: HashSet<&str> = front.slas.iter().map(|s| s.id.as_str()).collect();
    unique(p, "scope", front.scope.iter().map(|s| s.id.as_str()));
    for (i, item) in front.scope.iter().enumerate() {
        if let Some(sla) = &item.sla
            && !slas.contains(sla.as_str())
        {
            let hint = closest(sla, slas.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            p.push(problem(
                format!("scope[{i}].sla"),
                "broken-reference",
                format!(
                    "scope item `{}` names SLA `{sla}`, which is not in `slas`",
                    item.id
                ),
                format!("{hint}add an `slas` entry with `id: {sla}`, or correct the name"),
            ));
        }
    }
    let requirements: HashSet<&str> = front.requirements.iter().map(|r| r.id.as_str()).collect();
    unique(
        p,
        "requirements",
        front.requirements.iter().map(|r| r.id.as_str()),
    );
    for (i, offer) in front.offers.iter().enumerate() {
        if let Some(answers) = &offer.answers
            && !requirements.contains(answers.as_str())
        {
            let hint = closest(answers, requirements.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            p.push(problem(
                format!("offers[{i}].answers"),
                "broken-reference",
                format!(
                    "offer \"{}\" answers requirement `{answers}`, which is not in `requirements`",
                    offer.summary
                ),
                format!("{hint}name the id of a `requirements` entry"),
            ));
        }
    }
    unique(p, "invoices", front.invoices.iter().map(|i| i.id.as_str()));
    for (i, invoice) in front.invoices.iter().enumerate() {
        non_negative(p, &format!("invoices[{i}].amount"), invoice.amount);
        if let (Some(issued), Some(due)) = (invoice.issued, invoice.due)
            && due < issued
        {
            p.push(problem(
                format!("invoices[{i}].due"),
                "date-order",
                format!(
                    "invoice {} is due ({due}) before it was issued ({issued})",
                    invoice.id
                ),
                "check the `issued` and `due` dates",
            ));
        }
        if let (Some(issued), Some(paid)) = (invoice.issued, invoice.paid)
            && paid < issued
        {
            p.push(problem(
                format!("invoices[{i}].paid"),
                "date-order",
                format!(
                    "invoice {} was paid ({paid}) before it was issued ({issued})",
                    invoice.id
                ),
                "check the `issued` and `paid` dates",
            ));
        }
    }
    if let Some(support) = &front.support {
        for (name, value) in [
            ("open_tickets", support.open_tickets),
            ("sla_breaches", support.sla_breaches),
            ("reopened", support.reopened),
        ] {
            if value.is_some_and(|v| v < 0) {
                p.push(problem(
                    format!("support.{name}"),
                    "out-of-range",
                    format!("`support.{name}` cannot be negative"),
                    "write a count of zero or more",
                ));
            }
        }
    }
    if let Some(score) = front.satisfaction.as_ref().and_then(|s| s.score)
        && !(1.0..=5.0).contains(&score)
    {
        p.push(problem(
            "satisfaction.score",
            "out-of-range",
            format!("satisfaction score {score} is outside 1 to 5"),
            "score satisfaction from 1 (very unhappy) to 5 (very happy)",
        ));
    }
    if let (Some(since), Some(launched)) = (front.since, front.launched)
        && launched < since
    {
        p.push(problem(
            "launched",
            "date-order",
            format!("launched ({launched}) before the relationship started ({since})"),
            "check `since` and `launched`",
        ));
    }
    for (i, ack) in front.acknowledged.iter().enumerate() {
        if ack.reason.trim().is_empty() {
            p.push(problem(
                format!("acknowledged[{i}].reason"),
                "empty-value",
                "an acknowledgement needs a reason",
                "say why the team accepts this sign, so reviewers can judge it",
            ));
        }
    }
    problems
}

fn is_slug(id: &str) -> bool {
    let mut bytes = id.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
}

fn non_negative(p: &mut Vec<Problem>, path: &str, value: Option<f64>) {
    if value.is_some_and(|v| v < 0.0 || !v.is_finite()) {
        p.push(problem(
            path,
            "out-of-range",
            format!("`{path}` cannot be negative"),
            "write an amount of zero or more",
        ));
    }
}

fn metrics(p: &mut Vec<Problem>, list: &str, metrics: &[Metric]) {
    unique(p, list, metrics.iter().map(|m| m.id.as_str()));
    for (i, metric) in metrics.iter().enumerate() {
        for (name, value) in [("target", metric.target), ("actual", metric.actual)] {
            if value.is_some_and(|v| !v.is_finite()) {
                p.push(problem(
                    format!("{list}[{i}].{name}"),
                    "out-of-range",
                    format!("`{name}` of `{}` is not a finite number", metric.id),
                    "write a plain number",
                ));
            }
        }
        match (list, metric.from, metric.by) {
            ("kpis", Some(from), Some(by)) if from >= by => p.push(problem(
                format!("{list}[{i}].by"),
                "out-of-range",
                format!(
                    "`by` ({by}) of `{}` is not after its `from` ({from})",
                    metric.id
                ),
                "write the date the whole target is due, after the start of its period",
            )),
            ("kpis", Some(_), None) => p.push(problem(
                format!("{list}[{i}].from"),
                "missing-field",
                format!(
                    "`{}` has a `from` but no `by`: its period has no end",
                    metric.id
                ),
                "add `by: YYYY-MM-DD`, the date the whole target is due, or remove `from`",
            )),
            ("kpis", ..) | (_, None, None) => {}
            _ => p.push(problem(
                format!(
                    "{list}[{i}].{}",
                    if metric.from.is_some() { "from" } else { "by" }
                ),
                "unknown-field",
                format!(
                    "`{}` of `{list}` has a period (`from`, `by`): only KPIs have one",
                    metric.id
                ),
                "remove `from` and `by`: a service level holds at all times",
            )),
        }
    }
}

fn unique<'a>(p: &mut Vec<Problem>, list: &str, ids: impl Iterator<Item = &'a str>) {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        if !seen.insert(id) {
            p.push(problem(
                format!("{list}[{i}].id"),
                "duplicate-id",
                format!("`{id}` appears twice in `{list}`"),
                "give each entry its own id: findings and history follow entries by id",
            ));
        }
    }
}
