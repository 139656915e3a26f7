//! The numeric series of a partnership over time (payment days, price, KPI actuals,
//! satisfaction, hours) behind trend rules and charts.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ledger::Timeline;
use crate::ledger::date::Date;

/// A numeric value of a partnership over time, one point per change of value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// Such as `terms.payment_days` or `kpis.sourced-pipeline.actual`.
    pub name: String,
    /// `(date, value)`, the date being the field's own (`as_of`) where it has one, else the
    /// version's commit date.
    pub points: Vec<(Date, f64)>,
}

/// The series the timeline shows: payment days, price, KPI actuals, satisfaction and hours.
pub fn series(timeline: &Timeline) -> Vec<Series> {
    let mut all: BTreeMap<String, Vec<(Date, f64)>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut push = |name: String, date: Date, value: f64| {
        let points = all.entry(name.clone()).or_insert_with(|| {
            order.push(name);
            Vec::new()
        });
        if points.last().is_none_or(|&(_, last)| last != value) {
            points.push((date, value));
        }
    };
    for (version, snapshot) in timeline.valid() {
        let date = version.date();
        let front = &snapshot.front;
        if let Some(terms) = &front.terms {
            if let Some(days) = terms.payment_days {
                push("terms.payment_days".into(), date, days as f64);
            }
            if let Some(price) = terms.price {
                push("terms.price".into(), date, price);
            }
        }
        for kpi in &front.kpis {
            if let Some(actual) = kpi.actual {
                push(
                    format!("kpis.{}.actual", kpi.id),
                    kpi.as_of.unwrap_or(date),
                    actual,
                );
            }
        }
        if let Some(satisfaction) = &front.satisfaction
            && let Some(score) = satisfaction.score
        {
            push(
                "satisfaction.score".into(),
                satisfaction.as_of.unwrap_or(date),
                score,
            );
        }
        if let Some(hours) = front.effort.as_ref().and_then(|e| e.hours_per_month) {
            push("effort.hours_per_month".into(), date, hours);
        }
    }
    order
        .into_iter()
        .filter_map(|name| {
            let points = all.remove(&name)?;
            Some(Series { name, points })
        })
        .collect()
}
