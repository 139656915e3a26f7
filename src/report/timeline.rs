//! `rapport timeline` for a person (each version with what changed, open action items, the
//! numeric series as sparklines) and for machines (JSON). Only formats what it is given.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

pub use crate::analysis::timeline::{FindingChange, TimelineView, VersionView};
use crate::ledger::changes::{Change, ItemHistory, display_number};
use crate::ledger::model::Side;
use crate::signs::Severity;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const ADDED: Style = AnsiColor::Green.on_default();
const REMOVED: Style = AnsiColor::Red.on_default();
const CHANGED: Style = AnsiColor::Yellow.on_default();
const ERROR: Style = AnsiColor::Red.on_default().bold();

/// Writes a timeline for a terminal; every text from the ledger or from commits (names, paths,
/// authors, summaries, messages, items, series names) made inert.
pub fn write_text(out: &mut dyn Write, view: &TimelineView) -> io::Result<()> {
    let t = |s: &str| super::escape::terminal(s).into_owned();
    let name = t(view.partner.as_deref().unwrap_or(&view.id));
    writeln!(
        out,
        "{BOLD}{name}{BOLD:#} ({}) {DIM}{}{DIM:#}",
        t(&view.id),
        t(&view.path)
    )?;
    if let (Some(first), Some(last)) = (view.versions.first(), view.versions.last()) {
        writeln!(
            out,
            "{} version{} from {} to {}, history read up to {}",
            view.versions.len(),
            super::text::plural(view.versions.len()),
            first.commit.date,
            last.commit.date,
            view.head.short
        )?;
    }
    for (i, version) in view.versions.iter().enumerate() {
        writeln!(out)?;
        let c = &version.commit;
        writeln!(
            out,
            "{BOLD}{}{BOLD:#}  {CHANGED}{}{CHANGED:#}  {}  {}",
            c.date,
            c.short,
            t(&c.author),
            t(&c.summary)
        )?;
        match version.state {
            "removed" => writeln!(
                out,
                "  {REMOVED}× file deleted{REMOVED:#} ({})",
                t(&version.path)
            )?,
            "invalid" => {
                let shown = version.diagnostics.first();
                let more = version.diagnostics.len().saturating_sub(1);
                match shown {
                    Some(d) => {
                        write!(
                            out,
                            "  {ERROR}! invalid:{ERROR:#} {}:{}: {}",
                            t(&d.file),
                            d.line,
                            t(&d.message)
                        )?;
                        if more > 0 {
                            write!(out, " (and {more} more)")?;
                        }
                        writeln!(out)?;
                    }
                    None => writeln!(out, "  {ERROR}! invalid{ERROR:#}")?,
                }
            }
            _ => {}
        }
        for change in &version.changes {
            write_change(out, change, i > 0)?;
        }
        for finding in &version.findings {
            let style = match (finding.word(), finding.severity) {
                ("resolved", _) => ADDED,
                ("acknowledged", _) => DIM,
                (_, Severity::Error) => ERROR,
                _ => CHANGED,
            };
            let mark = match finding.word() {
                "resolved" => "✓ resolved",
                "acknowledged" => "◌ acknowledged",
                "changed" => "! now",
                "reopened" => "! back",
                _ => "! new",
            };
            writeln!(
                out,
                "  {style}{mark} {}[{}]{style:#} {}",
                finding.severity,
                finding.rule,
                t(&finding.message)
            )?;
        }
    }
    let open: Vec<&ItemHistory> = view.items.iter().filter(|i| i.is_open()).collect();
    let closed = view.items.iter().filter(|i| i.closed.is_some()).count();
    if !view.items.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{BOLD}Action items{BOLD:#}: {} open, {closed} checked",
            open.len()
        )?;
        for item in open {
            let due = item.due.map(|d| format!(", due {d}")).unwrap_or_default();
            writeln!(
                out,
                "  [ ] {}{}  {DIM}opened {}{due}{DIM:#}",
                owner(item.owner),
                t(&item.text),
                item.opened
            )?;
        }
    }
    if !view.series.is_empty() {
        writeln!(out)?;
        writeln!(out, "{BOLD}Series{BOLD:#}")?;
        let names: Vec<String> = view.series.iter().map(|s| t(&s.name)).collect();
        let width = names.iter().map(|n| n.width()).max().unwrap_or(0);
        for (series, name) in view.series.iter().zip(&names) {
            let pad = " ".repeat(width - name.width());
            let values: Vec<f64> = series.points.iter().map(|p| p.1).collect();
            let (Some(first), Some(last)) = (series.points.first(), series.points.last()) else {
                continue;
            };
            if series.points.len() == 1 {
                writeln!(
                    out,
                    "  {name}{pad}  {}  {} unchanged since {}",
                    sparkline(&values),
                    display_number(first.1),
                    first.0
                )?;
                continue;
            }
            writeln!(
                out,
                "  {name}{pad}  {}  {} → {}  {DIM}({} to {}){DIM:#}",
                sparkline(&values),
                display_number(first.1),
                display_number(last.1),
                first.0,
                last.0
            )?;
        }
    }
    Ok(())
}

/// Writes one change, its texts made inert for a terminal.
pub(crate) fn write_change(out: &mut dyn Write, change: &Change, again: bool) -> io::Result<()> {
    let change = &change.map_text(&|t| super::escape::terminal(t).into_owned());
    match change {
        Change::Created if again => writeln!(out, "  {ADDED}+ file added again{ADDED:#}"),
        Change::Created => writeln!(out, "  {ADDED}+ created{ADDED:#}"),
        Change::Moved { from, to } => writeln!(out, "  {CHANGED}→ moved{CHANGED:#} {from} → {to}"),
        Change::Field { path, from, to } => match (from, to) {
            (Some(from), Some(to)) => {
                writeln!(out, "  {CHANGED}~{CHANGED:#} {path}: {from} → {to}")
            }
            (None, Some(to)) => writeln!(out, "  {ADDED}+{ADDED:#} {path}: {to}"),
            (Some(from), None) => writeln!(out, "  {REMOVED}-{REMOVED:#} {path}: {from}"),
            (None, None) => Ok(()),
        },
        Change::ContactAdded { name, side, level } => writeln!(
            out,
            "  {ADDED}+ contact{ADDED:#} {name} ({}{})",
            side_name(*side),
            level.as_ref().map(|l| format!(", {l}")).unwrap_or_default()
        ),
        Change::ContactRemoved { name, side, .. } => writeln!(
            out,
            "  {REMOVED}- contact{REMOVED:#} {name} ({})",
            side_name(*side)
        ),
        Change::ContactLevelChanged { name, from, to, .. } => writeln!(
            out,
            "  {CHANGED}~ contact{CHANGED:#} {name}: {} → {}",
            from.as_deref().unwrap_or("no level"),
            to.as_deref().unwrap_or("no level")
        ),
        Change::ScopeAdded { id, summary } => {
            writeln!(out, "  {ADDED}+ scope{ADDED:#} {id}: {summary}")
        }
        Change::ScopeRemoved { id, summary } => {
            writeln!(out, "  {REMOVED}- scope{REMOVED:#} {id}: {summary}")
        }
        Change::ScopeReworded {
            id,
            from,
            to,
            similarity,
        } => writeln!(
            out,
            "  {CHANGED}~ scope{CHANGED:#} {id} reworded ({:.0}% similar): \"{from}\" → \"{to}\"",
            similarity * 100.0
        ),
        Change::MeetingAdded { date, title } => {
            writeln!(out, "  {ADDED}+ meeting{ADDED:#} {date} {title}")
        }
        Change::MeetingRemoved { date, title } => {
            writeln!(out, "  {REMOVED}- meeting{REMOVED:#} {date} {title}")
        }
        Change::ItemOpened {
            text,
            owner: o,
            due,
        } => writeln!(
            out,
            "  {ADDED}+ item{ADDED:#} {}{text}{}",
            owner(*o),
            due.map(|d| format!(" (due {d})")).unwrap_or_default()
        ),
        Change::ItemChecked { text, owner: o } => {
            writeln!(out, "  {ADDED}✓ item{ADDED:#} {}{text}", owner(*o))
        }
        Change::ItemUnchecked { text, owner: o } => {
            writeln!(
                out,
                "  {CHANGED}↺ item unchecked{CHANGED:#} {}{text}",
                owner(*o)
            )
        }
        Change::ItemRemoved { text, owner: o } => {
            writeln!(out, "  {REMOVED}- item{REMOVED:#} {}{text}", owner(*o))
        }
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Partner => "partner",
        Side::Ours => "ours",
    }
}

fn owner(side: Option<Side>) -> String {
    side.map(|s| format!("{}: ", side_name(s)))
        .unwrap_or_default()
}

/// The most cells a sparkline takes: a series of thousands of versions is drawn in this many,
/// each the value at the end of its run of versions, so the line fits a terminal.
const SPARK_CELLS: usize = 60;

/// Values drawn with the eight block heights, lowest to highest, in at most [`SPARK_CELLS`]
/// cells (a blank where no value is a number).
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (min, max) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let cells = values.len().min(SPARK_CELLS);
    (0..cells)
        .map(|cell| {
            // The run of values the cell stands for, and the last number in it.
            let run = &values[cell * values.len() / cells..(cell + 1) * values.len() / cells];
            match run.iter().rev().find(|v| v.is_finite()) {
                None => ' ',
                Some(&v) if max > min => {
                    let step = ((v - min) / (max - min) * 7.0).round() as usize;
                    BARS[step.min(7)]
                }
                Some(_) => BARS[3],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_span_the_range() {
        assert_eq!(sparkline(&[30.0, 45.0, 60.0]), "▁▅█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
        assert_eq!(sparkline(&[]), "");
        assert_eq!(sparkline(&[1.0, f64::NAN, 3.0]), "▁ █");
    }

    #[test]
    fn a_long_series_fits_a_terminal() {
        // 2,000 versions whose value climbs, then falls back at the very end.
        let mut values: Vec<f64> = (0..2_000).map(f64::from).collect();
        values.push(0.0);
        let line = sparkline(&values);
        assert_eq!(line.chars().count(), SPARK_CELLS);
        assert!(line.starts_with('▁'), "{line}");
        // The last cell shows where the series ended, not the peak it passed.
        assert!(line.ends_with('▁'), "{line}");
        assert_eq!(line.chars().rev().nth(1), Some('█'), "{line}");
        // Sixty values or fewer are drawn one each.
        assert_eq!(sparkline(&vec![2.0; 60]).chars().count(), 60);
    }
}
