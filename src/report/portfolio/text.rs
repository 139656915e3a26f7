//! The portfolio as a terminal table: one line per partnership, worst first, with its score's
//! sparkline over the last twelve month-ends and now. Colour is written as ANSI styles; the
//! caller's stream drops them when it is not a terminal or `NO_COLOR` is set.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

use super::{band_counts, change_text, renewal_text, scores_with_now, sparkline, top_rules};
use crate::analysis::portfolio::Portfolio;
use crate::report::escape;
use crate::report::text::plural;
use crate::signs::health::Band;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn band_style(band: Band) -> Style {
    match band {
        Band::AtRisk => AnsiColor::Red.on_default().bold(),
        Band::Watch => AnsiColor::Yellow.on_default().bold(),
        Band::Healthy => AnsiColor::Green.on_default(),
    }
}

/// Longest partner name or owner shown, in columns; longer ones end with `…`.
const NAME_MAX: usize = 32;

fn cut(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) + 1 > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

pub fn write(out: &mut dyn Write, portfolio: &Portfolio) -> io::Result<()> {
    let shown = |s: &str| cut(&escape::terminal(s), NAME_MAX);
    let rows: Vec<[String; 2]> = portfolio
        .partnerships
        .iter()
        .map(|h| [shown(&h.partner), shown(&h.owner)])
        .collect();
    let width = |i: usize, title: &str| {
        rows.iter()
            .map(|r| r[i].width())
            .max()
            .unwrap_or(0)
            .max(title.width())
    };
    let (partner_w, owner_w) = (width(0, "partner"), width(1, "owner"));
    let renewals: Vec<String> = portfolio
        .partnerships
        .iter()
        .map(|h| h.renewal.as_ref().map(renewal_text).unwrap_or_default())
        .collect();
    let renewal_w = renewals
        .iter()
        .map(|r| r.width())
        .max()
        .unwrap_or(0)
        .max("next deadline".len());
    writeln!(
        out,
        "{BOLD}Portfolio as of {}{BOLD:#}: {} partnership{}, {}",
        portfolio.as_of,
        portfolio.partnerships.len(),
        plural(portfolio.partnerships.len()),
        band_counts(portfolio)
    )?;
    writeln!(out)?;
    let trend_w = portfolio.months.len() + 1;
    writeln!(
        out,
        "{DIM}{}  {}  {:<12}  {}  {:<4}  {}  top signs{DIM:#}",
        pad("partner", partner_w),
        pad("owner", owner_w),
        "health",
        pad("trend", trend_w),
        "",
        pad("next deadline", renewal_w),
    )?;
    for ((h, row), renewal) in portfolio.partnerships.iter().zip(&rows).zip(&renewals) {
        let style = band_style(h.band);
        let health = format!("{:<8}{:>4}", h.band.as_str(), h.score);
        let (rules, rest) = top_rules(h, 3);
        let mut signs = rules
            .iter()
            .map(|r| escape::terminal(r).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        if rest > 0 {
            signs.push_str(&format!(" +{rest}"));
        }
        let line = format!(
            "{}  {}  {style}{health}{style:#}  {}  {:<4}  {}  {signs}",
            pad(&row[0], partner_w),
            pad(&row[1], owner_w),
            pad(&sparkline(&scores_with_now(h)), trend_w),
            change_text(h),
            pad(renewal, renewal_w),
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let acknowledged: Vec<_> = portfolio
        .partnerships
        .iter()
        .filter(|h| !h.acknowledged.is_empty())
        .collect();
    if !acknowledged.is_empty() {
        writeln!(out)?;
        writeln!(out, "{BOLD}Acknowledged{BOLD:#} (not scored):")?;
        for h in acknowledged {
            let rules: Vec<String> = h
                .acknowledged
                .iter()
                .map(|m| escape::terminal(&m.rule).into_owned())
                .collect();
            writeln!(
                out,
                "  {}: {}",
                escape::terminal(&h.partner),
                rules.join(", ")
            )?;
        }
    }
    if !portfolio.invalid.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{} file{} not scored because {} not parse (see `rapport check`):",
            portfolio.invalid.len(),
            plural(portfolio.invalid.len()),
            if portfolio.invalid.len() == 1 {
                "it does"
            } else {
                "they do"
            },
        )?;
        for file in &portfolio.invalid {
            writeln!(out, "  {}", escape::terminal(file))?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "{DIM}{} Trend: the last {} month-ends, then now.{DIM:#}",
        super::formula(portfolio),
        portfolio.months.len(),
    )?;
    Ok(())
}
