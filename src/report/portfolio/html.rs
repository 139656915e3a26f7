//! The portfolio as one self-contained HTML page: the table worst first, then per partnership
//! its score over time and its numeric series as inline SVG, with its findings marked on the
//! time axis. No script, no stylesheet or font fetched (a Content-Security-Policy forbids
//! both); it reads on a phone; every ledger string goes through [`escape::html`].

use std::fmt::Write;

use super::{band_counts, change_text, renewal_text, scores_with_now, top_rules};
use crate::analysis::portfolio::{Health, Marked, Points, Portfolio};
use crate::ledger::Date;
use crate::report::escape;
use crate::report::text::plural;
use crate::signs::Severity;
use crate::signs::health::Band;

const STYLE: &str = "
:root { color-scheme: light; --at-risk: #c62828; --watch: #b26a00; --healthy: #2e7d32; --ink: #1d2430; --muted: #5d6675; --line: #d9dee5; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', sans-serif; color: var(--ink); background: #f6f7f9; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 0.5rem 0; }
h2 { font-size: 1.15rem; margin: 0 0 0.25rem; overflow-wrap: anywhere; }
h3 { font-size: 0.95rem; margin: 0.75rem 0 0.25rem; color: var(--muted); font-weight: 600; }
p.summary { color: var(--muted); margin-top: 0; }
.table { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); }
td.partner { overflow-wrap: anywhere; min-width: 9rem; }
.band { display: inline-block; padding: 1px 8px; border-radius: 999px; color: #fff; font-weight: 600; font-size: 0.85rem; white-space: nowrap; }
.band.at-risk { background: var(--at-risk); } .band.watch { background: var(--watch); } .band.healthy { background: var(--healthy); }
.muted { color: var(--muted); }
code { font-size: 0.85em; background: #eef1f5; padding: 0 4px; border-radius: 4px; overflow-wrap: anywhere; }
section.partnership { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px; margin: 16px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
figure { margin: 0; }
figcaption { font-size: 0.85rem; color: var(--muted); overflow-wrap: anywhere; }
svg.chart { width: 100%; height: auto; display: block; }
svg.spark { width: 120px; height: 28px; display: inline-block; vertical-align: middle; }
ul.findings { padding-left: 1.1rem; margin: 0.25rem 0; }
ul.findings li { margin: 0.2rem 0; overflow-wrap: anywhere; }
.error { color: var(--at-risk); font-weight: 600; } .warning { color: var(--watch); font-weight: 600; } .info { color: var(--muted); font-weight: 600; }
@media (max-width: 640px) {
  main { padding: 10px; }
  thead { display: none; }
  table, tbody, tr, td { display: block; width: 100%; }
  tr { border-bottom: 1px solid var(--line); padding: 6px 0; }
  td { border: 0; padding: 3px 10px; }
  td[data-label]::before { content: attr(data-label) ': '; color: var(--muted); font-size: 0.8rem; }
}
";

pub fn render(portfolio: &Portfolio) -> String {
    let mut page = String::with_capacity(64 * 1024);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>Partnership portfolio, {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        portfolio.as_of
    );
    let _ = writeln!(
        page,
        "<h1>Partnership portfolio</h1>\n<p class=\"summary\">As of {}: {} partnership{}, {}.</p>",
        portfolio.as_of,
        portfolio.partnerships.len(),
        plural(portfolio.partnerships.len()),
        band_counts(portfolio)
    );
    table(&mut page, portfolio);
    for h in &portfolio.partnerships {
        section(&mut page, portfolio, h);
    }
    if !portfolio.invalid.is_empty() {
        page.push_str("<section class=\"partnership\"><h2>Not scored</h2><p>These files do not parse (see <code>rapport check</code>):</p><ul>");
        for file in &portfolio.invalid {
            let _ = write!(page, "<li><code>{}</code></li>", escape::html(file));
        }
        page.push_str("</ul></section>\n");
    }
    let _ = writeln!(
        page,
        "<p class=\"muted\">{} The trend is the score at each of the last {} month-ends, from the findings of the version in force then, and now. Acknowledged findings are shown apart and not scored. Made by rapport.</p>",
        escape::html(&super::formula(portfolio)),
        portfolio.months.len()
    );
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

fn badge(band: Band, score: u32) -> String {
    format!(
        "<span class=\"band {}\">{} {score}</span>",
        band.as_str(),
        band.as_str()
    )
}

fn table(page: &mut String, portfolio: &Portfolio) {
    page.push_str("<div class=\"table\"><table>\n<thead><tr><th>Partner</th><th>Owner</th><th>Health</th><th>Trend</th><th>Next deadline</th><th>Top signs</th></tr></thead>\n<tbody>\n");
    for h in &portfolio.partnerships {
        let deadline = h
            .renewal
            .as_ref()
            .map(|r| {
                format!(
                    "{} <span class=\"muted\">({})</span>",
                    renewal_text(r),
                    r.deadline
                )
            })
            .unwrap_or_else(|| "<span class=\"muted\">none</span>".to_string());
        let (rules, rest) = top_rules(h, 3);
        let mut signs = rules
            .iter()
            .map(|r| format!("<code>{}</code>", escape::html(r)))
            .collect::<Vec<_>>()
            .join(" ");
        if rest > 0 {
            let _ = write!(signs, " <span class=\"muted\">+{rest}</span>");
        }
        let _ = writeln!(
            page,
            "<tr><td class=\"partner\" data-label=\"Partner\"><a href=\"#p-{id}\">{partner}</a></td><td data-label=\"Owner\">{owner}</td><td data-label=\"Health\">{badge}</td><td data-label=\"Trend\">{spark} <span class=\"muted\">{change}</span></td><td data-label=\"Next deadline\">{deadline}</td><td data-label=\"Top signs\">{signs}</td></tr>",
            id = escape::html(&h.id),
            partner = escape::html(&h.partner),
            owner = escape::html(&h.owner),
            badge = badge(h.band, h.score),
            spark = spark(&scores_with_now(h)),
            change = change_text(h),
        );
    }
    page.push_str("</tbody>\n</table></div>\n");
}

/// A small line of the scores on the fixed 0 to 100 scale.
fn spark(scores: &[Option<u32>]) -> String {
    let n = scores.len().max(2) - 1;
    let mut path = String::new();
    let mut pen_up = true;
    for (i, score) in scores.iter().enumerate() {
        match score {
            Some(s) => {
                let x = 2.0 + 116.0 * i as f64 / n as f64;
                let y = 26.0 - 24.0 * f64::from((*s).min(100)) / 100.0;
                let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_up { "M" } else { "L" });
                pen_up = false;
            }
            None => pen_up = true,
        }
    }
    let last = scores.last().copied().flatten().unwrap_or(0);
    let colour = if last >= 90 {
        "#2e7d32"
    } else if last >= 60 {
        "#b26a00"
    } else {
        "#c62828"
    };
    format!(
        "<svg class=\"spark\" viewBox=\"0 0 120 28\" role=\"img\" aria-label=\"score over the last months\"><path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/></svg>",
        path.trim_end()
    )
}

fn section(page: &mut String, portfolio: &Portfolio, h: &Health) {
    let _ = writeln!(
        page,
        "<section class=\"partnership\" id=\"p-{}\">\n<h2>{}</h2>\n<p class=\"muted\">{} · owner {} · <code>{}</code>{}</p>",
        escape::html(&h.id),
        escape::html(&h.partner),
        badge(h.band, h.score),
        escape::html(&h.owner),
        escape::html(&h.file),
        h.renewal
            .as_ref()
            .map(|r| format!(" · {} ({})", renewal_text(r), r.deadline))
            .unwrap_or_default()
    );
    page.push_str("<div class=\"charts\">\n");
    // The score chart spans the trend's month-ends and now.
    let mut scores: Vec<(Date, f64)> = portfolio
        .months
        .iter()
        .zip(&h.trend)
        .filter_map(|(m, s)| s.map(|s| (*m, f64::from(s))))
        .collect();
    scores.push((portfolio.as_of, f64::from(h.score)));
    let start = portfolio.months.first().copied().unwrap_or(portfolio.as_of);
    chart(
        page,
        "Health score (0 to 100)",
        &scores,
        (start, portfolio.as_of),
        Some((0.0, 100.0)),
        &h.findings,
        &portfolio.formula,
    );
    for series in &h.series {
        let first = series.points.first().map_or(start, |p| p.0).min(start);
        chart(
            page,
            &series_title(series),
            &series.points,
            (first, portfolio.as_of),
            None,
            &h.findings,
            &portfolio.formula,
        );
    }
    page.push_str("</div>\n");
    if !h.findings.is_empty() {
        page.push_str("<h3>Open findings</h3>\n<ul class=\"findings\">\n");
        for f in &h.findings {
            finding(page, f);
        }
        page.push_str("</ul>\n");
    }
    if !h.acknowledged.is_empty() {
        page.push_str("<h3>Acknowledged (not scored)</h3>\n<ul class=\"findings\">\n");
        for f in &h.acknowledged {
            finding(page, f);
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</section>\n");
}

fn finding(page: &mut String, f: &Marked) {
    let _ = writeln!(
        page,
        "<li><span class=\"{sev}\">{sev}</span> <code>{rule}</code> {message} <span class=\"muted\">(since {since})</span></li>",
        sev = f.severity,
        rule = escape::html(&f.rule),
        message = escape::html(&f.message),
        since = f.since
    );
}

/// `Payment days`, `KPI pipeline: attainment (% of target)`.
fn series_title(series: &Points) -> String {
    match series.name.as_str() {
        "terms.payment_days" => "Payment days (net)".to_string(),
        "terms.price" => "Price per year".to_string(),
        "satisfaction.score" => "Satisfaction (1 to 5)".to_string(),
        name => match name
            .strip_prefix("kpis.")
            .and_then(|n| n.strip_suffix(".attainment"))
        {
            Some(id) => format!("KPI {id}: attainment (% of target)"),
            None => name.to_string(),
        },
    }
}

const W: f64 = 320.0;
const H: f64 = 150.0;
const LEFT: f64 = 6.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 22.0;

/// A line chart of dated values over `span`, with `findings` marked where they start (a tick
/// on the time axis in the colour of their severity, its message as a tooltip). The score
/// chart gets the bands' thresholds as shaded areas.
fn chart(
    page: &mut String,
    title: &str,
    points: &[(Date, f64)],
    span: (Date, Date),
    fixed: Option<(f64, f64)>,
    findings: &[Marked],
    formula: &crate::signs::health::HealthFormula,
) {
    let (from, to) = span;
    let days = from.days_until(to).max(1) as f64;
    let x =
        |d: Date| LEFT + (W - LEFT - RIGHT) * (from.days_until(d) as f64 / days).clamp(0.0, 1.0);
    let (lo, hi) = fixed.unwrap_or_else(|| {
        let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() || !hi.is_finite() {
            return (0.0, 1.0);
        }
        let pad = if hi - lo < 1e-9 {
            (hi.abs() * 0.1).max(1.0)
        } else {
            (hi - lo) * 0.1
        };
        // Counts, days and amounts do not go below zero: neither does their axis.
        let floor = if lo >= 0.0 { 0.0 } else { f64::NEG_INFINITY };
        ((lo - pad).max(floor), hi + pad)
    });
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - ((v - lo) / (hi - lo)).clamp(0.0, 1.0));
    let _ = write!(
        page,
        "<figure><svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{label}\">",
        label = escape::html(title)
    );
    if fixed.is_some() {
        // The bands behind the score.
        let bands = [
            (formula.healthy_from, 100.0, "#e8f5e9"),
            (formula.at_risk_below, formula.healthy_from, "#fff3e0"),
            (0.0, formula.at_risk_below, "#ffebee"),
        ];
        for (low, high, fill) in bands {
            let _ = write!(
                page,
                "<rect x=\"{LEFT}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"/>",
                y(high),
                W - LEFT - RIGHT,
                (y(low) - y(high)).max(0.0)
            );
        }
    }
    // Axes and labels: the value range on the left, the first and last dates below.
    let _ = write!(
        page,
        "<line x1=\"{LEFT}\" y1=\"{b:.1}\" x2=\"{r:.1}\" y2=\"{b:.1}\" stroke=\"#9aa3af\"/>\
         <text x=\"{lx:.1}\" y=\"{ty:.1}\" font-size=\"10\" fill=\"#5d6675\">{hi}</text>\
         <text x=\"{lx:.1}\" y=\"{by:.1}\" font-size=\"10\" fill=\"#5d6675\">{lo}</text>\
         <text x=\"{LEFT}\" y=\"{dy:.1}\" font-size=\"10\" fill=\"#5d6675\">{from}</text>\
         <text x=\"{r:.1}\" y=\"{dy:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#5d6675\">{to}</text>",
        b = H - BOTTOM,
        r = W - RIGHT,
        lx = LEFT + 3.0,
        ty = TOP + 9.0,
        by = H - BOTTOM - 3.0,
        dy = H - 6.0,
        hi = crate::signs::number(round(hi)),
        lo = crate::signs::number(round(lo)),
    );
    for f in findings {
        let colour = match f.severity {
            Severity::Error => "#c62828",
            Severity::Warning => "#b26a00",
            Severity::Info => "#5d6675",
        };
        let at = x(f.since.max(from));
        let _ = write!(
            page,
            "<g class=\"marker\"><title>{since} {sev} {rule}: {message}</title><line x1=\"{at:.1}\" y1=\"{TOP}\" x2=\"{at:.1}\" y2=\"{b:.1}\" stroke=\"{colour}\" stroke-dasharray=\"3 3\" stroke-width=\"1\"/><path d=\"M{at:.1},{b:.1} l-4,7 h8 z\" fill=\"{colour}\"/></g>",
            since = f.since,
            sev = f.severity,
            rule = escape::html(&f.rule),
            message = escape::html(&f.message),
            b = H - BOTTOM,
        );
    }
    // A step line: a value holds until the next one.
    let mut path = String::new();
    for (i, (date, value)) in points.iter().enumerate() {
        let (px, py) = (x(*date), y(*value));
        if i == 0 {
            let _ = write!(path, "M{px:.1},{py:.1}");
        } else {
            let _ = write!(path, " H{px:.1} V{py:.1}");
        }
    }
    if let Some((_, last)) = points.last() {
        let _ = write!(path, " H{:.1} V{:.1}", x(to), y(*last));
    }
    let _ = write!(
        page,
        "<path class=\"series\" d=\"{path}\" fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\"/>"
    );
    for (date, value) in points {
        let _ = write!(
            page,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#1f5fbf\"><title>{date}: {}</title></circle>",
            x(*date),
            y(*value),
            crate::signs::number(*value)
        );
    }
    let _ = writeln!(
        page,
        "</svg><figcaption>{}</figcaption></figure>",
        escape::html(title)
    );
}

fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
