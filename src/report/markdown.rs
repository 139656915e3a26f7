//! The pull-request comment: what a change did to the partnerships it touched, new and worsened
//! findings first, with evidence, remedies and Mermaid charts. The comment is built as blocks of
//! ranked importance, and blocks are left out, least important first, until it fits GitHub's
//! size limit; the comment then says what it left out. Ledger and git text goes through `escape`.

use similar::{ChangeTag, TextDiff};

use super::escape;
use crate::analysis::review::{FileChange, PartnershipReview, Review, Reviewed, Status};
use crate::ledger::changes::Change;
use crate::ledger::model::Side;
use crate::ledger::{Diagnostic, Meeting};
use crate::signs::{Acknowledgement, Finding, Severity};

/// The hidden first line a CI step looks for to update one comment in place.
pub const MARKER: &str = "<!-- rapport-report -->";

/// The most a comment may hold (GitHub's limit is 65,536).
pub const LIMIT: usize = 65_000;

/// Evidence items that stay as long as their finding does; the rest can be left out earlier.
const EVIDENCE_KEPT: usize = 3;

/// Renders the review as a pull-request comment of at most `limit` characters.
pub fn render(review: &Review, limit: usize) -> String {
    let mut doc = Doc::default();
    summary(&mut doc, review);
    problems(&mut doc, &review.diagnostics);
    hidden_meetings(&mut doc, review);
    not_read(&mut doc, &review.file_warnings);
    if review.is_quiet() {
        if !review.partnerships.is_empty() {
            let counts = review.counts();
            let details = doc.group();
            let mut parts = vec![format!(
                "{} touched",
                plural(review.partnerships.len(), "partnership", "partnerships")
            )];
            parts.push(plural(
                counts.unchanged,
                "unchanged finding",
                "unchanged findings",
            ));
            if counts.acknowledged > 0 {
                parts.push(plural(
                    counts.acknowledged,
                    "acknowledged finding",
                    "acknowledged findings",
                ));
            }
            doc.frame(
                details,
                format!("\n<details><summary>{}</summary>\n", parts.join(", ")),
            );
            what_changed(&mut doc, review, &[details]);
            let findings = doc.group();
            doc.frame(findings, "\n**Findings**\n".into());
            settled(&mut doc, review, &[details, findings]);
            doc.frame(details, "\n</details>\n".into());
        }
    } else {
        silenced(&mut doc, review);
        new_and_worsened(&mut doc, review);
        let section = doc.group();
        doc.frame(section, "\n#### What the change did\n".into());
        what_changed(&mut doc, review, &[section]);
        resolved(&mut doc, review);
        let count = review
            .findings()
            .filter(|(_, r)| is_settled(r.status))
            .count();
        let details = doc.group();
        doc.frame(
            details,
            format!(
                "\n<details><summary>Improved, acknowledged and unchanged ({})</summary>\n",
                grouped(count)
            ),
        );
        settled(&mut doc, review, &[details]);
        doc.frame(details, "\n</details>\n".into());
    }
    let footer = doc.unit(Tier::Footer, None, &[]);
    doc.add(
        footer,
        "\n<sub>rapport · explain a rule with `rapport explain RULE`</sub>\n".into(),
    );
    doc.fit(limit, Some(footer))
}

/// How important a block is: blocks are left out lowest tier first, the last of a tier first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    Settled,
    MeetingBody,
    Changes,
    Chart,
    Evidence,
    Resolved,
    Touched,
    Finding,
    Problem,
    Footer,
    Context,
    /// The marker and the summary: never left out.
    Summary,
}

/// What a left-out unit counts as in the cut note, in the note's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Counted {
    Unchanged,
    Acknowledged,
    Improved,
    Meeting,
    Change,
    Chart,
    Evidence,
    Resolved,
    Touched,
    Finding,
    Problem,
}

impl Counted {
    const ALL: [Counted; 11] = [
        Counted::Unchanged,
        Counted::Acknowledged,
        Counted::Improved,
        Counted::Meeting,
        Counted::Change,
        Counted::Chart,
        Counted::Evidence,
        Counted::Resolved,
        Counted::Touched,
        Counted::Finding,
        Counted::Problem,
    ];

    fn describe(self, n: usize) -> String {
        match self {
            Counted::Unchanged => plural(n, "unchanged finding", "unchanged findings"),
            Counted::Acknowledged => plural(n, "acknowledged finding", "acknowledged findings"),
            Counted::Improved => plural(n, "improved finding", "improved findings"),
            Counted::Meeting => format!(
                "the attendees and action items of {}",
                plural(n, "meeting", "meetings")
            ),
            Counted::Change => plural(n, "field change", "field changes"),
            Counted::Chart => plural(n, "chart", "charts"),
            Counted::Evidence => plural(n, "evidence item", "evidence items"),
            Counted::Resolved => plural(n, "resolved finding", "resolved findings"),
            Counted::Touched => plural(n, "partnership summary", "partnership summaries"),
            Counted::Finding => plural(n, "new or worsened finding", "new or worsened findings"),
            Counted::Problem => plural(n, "problem", "problems"),
        }
    }
}

/// A piece of the comment. A unit's blocks are kept or left out together; a frame (a section
/// heading, a `<details>` tag) is shown while any unit of its group is.
struct Block {
    text: String,
    chars: usize,
    unit: Option<usize>,
    frame: Option<usize>,
}

struct Unit {
    tier: Tier,
    counted: Option<(Counted, usize)>,
    groups: Vec<usize>,
    blocks: Vec<usize>,
}

#[derive(Default)]
struct Doc {
    blocks: Vec<Block>,
    units: Vec<Unit>,
    groups: usize,
}

impl Doc {
    fn group(&mut self) -> usize {
        self.groups += 1;
        self.groups - 1
    }

    fn frame(&mut self, group: usize, text: String) {
        self.blocks.push(Block {
            chars: text.chars().count(),
            text,
            unit: None,
            frame: Some(group),
        });
    }

    fn unit(&mut self, tier: Tier, counted: Option<(Counted, usize)>, groups: &[usize]) -> usize {
        self.units.push(Unit {
            tier,
            counted,
            groups: groups.to_vec(),
            blocks: Vec::new(),
        });
        self.units.len() - 1
    }

    fn add(&mut self, unit: usize, text: String) {
        let index = self.blocks.len();
        self.blocks.push(Block {
            chars: text.chars().count(),
            text,
            unit: Some(unit),
            frame: None,
        });
        if let Some(unit) = self.units.get_mut(unit) {
            unit.blocks.push(index);
        }
    }

    /// A unit of one block.
    fn single(
        &mut self,
        tier: Tier,
        counted: Option<(Counted, usize)>,
        groups: &[usize],
        text: String,
    ) {
        let unit = self.unit(tier, counted, groups);
        self.add(unit, text);
    }

    /// The comment in at most `limit` characters: units are left out, lowest tier first and the
    /// last of a tier first, until the rest and the note saying what was left out fit. The note
    /// goes before the `before` unit's blocks (the footer) or last.
    fn fit(self, limit: usize, before: Option<usize>) -> String {
        let unit_chars: Vec<usize> = self
            .units
            .iter()
            .map(|u| u.blocks.iter().map(|&b| self.blocks[b].chars).sum())
            .collect();
        let mut frame_chars = vec![0; self.groups];
        for block in &self.blocks {
            if let Some(group) = block.frame {
                frame_chars[group] += block.chars;
            }
        }
        let mut live = vec![0usize; self.groups];
        for unit in &self.units {
            for &group in &unit.groups {
                live[group] += 1;
            }
        }
        let mut total: usize = unit_chars.iter().sum::<usize>()
            + (0..self.groups)
                .filter(|&g| live[g] > 0)
                .map(|g| frame_chars[g])
                .sum::<usize>();
        let mut order: Vec<usize> = (0..self.units.len())
            .filter(|&u| self.units[u].tier < Tier::Summary)
            .collect();
        order.sort_by_key(|&u| (self.units[u].tier, std::cmp::Reverse(u)));
        let mut kept = vec![true; self.units.len()];
        let mut cut = [0usize; Counted::ALL.len()];
        let mut next = order.into_iter();
        let note = loop {
            let note = cut_note(limit, &cut, true);
            if total + note.chars().count() <= limit {
                break note;
            }
            let Some(u) = next.next() else {
                // Everything that may go has gone: say it shorter, or not at all.
                let short = cut_note(limit, &cut, false);
                break if total + short.chars().count() <= limit {
                    short
                } else {
                    String::new()
                };
            };
            kept[u] = false;
            total -= unit_chars[u];
            for &group in &self.units[u].groups {
                live[group] -= 1;
                if live[group] == 0 {
                    total -= frame_chars[group];
                }
            }
            if let Some((counted, n)) = self.units[u].counted {
                cut[counted as usize] += n;
            }
        };
        let mut out = String::new();
        let mut noted = false;
        for block in &self.blocks {
            let shown = match (block.unit, block.frame) {
                (Some(u), _) => kept[u],
                (None, group) => group.is_some_and(|g| live[g] > 0),
            };
            if !shown {
                continue;
            }
            if !noted && block.unit.is_some() && block.unit == before {
                out.push_str(&note);
                noted = true;
            }
            out.push_str(&block.text);
        }
        if !noted {
            out.push_str(&note);
        }
        // Only when the summary alone is over the limit: whole lines go from the end.
        while out.chars().count() > limit {
            let end = out
                .trim_end_matches('\n')
                .rfind('\n')
                .map_or(0, |at| at + 1);
            out.truncate(end);
        }
        out
    }
}

/// The line saying what was left out, empty when nothing was.
fn cut_note(limit: usize, cut: &[usize], long: bool) -> String {
    if cut.iter().all(|&n| n == 0) {
        return String::new();
    }
    if !long {
        return format!(
            "\n_Cut to fit the {}-character limit; run `rapport report` locally for the whole report._\n",
            grouped(limit)
        );
    }
    let parts: Vec<String> = Counted::ALL
        .iter()
        .filter(|&&c| cut[c as usize] > 0)
        .map(|&c| c.describe(cut[c as usize]))
        .collect();
    format!(
        "\n_Cut to fit the {}-character comment limit: {} left out; run `rapport report` locally for the whole report._\n",
        grouped(limit),
        join_and(&parts)
    )
}

fn summary(doc: &mut Doc, review: &Review) {
    let counts = review.counts();
    let touched = review.partnerships.len();
    let mut text = format!("{MARKER}\n");
    if review.is_quiet() {
        text.push_str("### rapport: all clear\n\n");
        if touched == 0 {
            text.push_str("✅ This change touched no partnership file.\n");
        } else {
            let which = if touched == 1 {
                "the partnership".to_string()
            } else {
                format!("the {} partnerships", grouped(touched))
            };
            text.push_str(&format!(
                "✅ No new or worsened signs in {which} this change touched.\n"
            ));
        }
    } else {
        let mut parts = Vec::new();
        let problems = review.diagnostics.len();
        if problems > 0 {
            parts.push(format!("❌ {}", plural(problems, "problem", "problems")));
        }
        let hidden = review.hidden_meetings().count();
        if hidden > 0 {
            parts.push(format!(
                "❌ {} hidden",
                plural(hidden, "meeting", "meetings")
            ));
        }
        let moved: Vec<String> = [
            Status::Silenced,
            Status::New,
            Status::Worsened,
            Status::Resolved,
            Status::Improved,
        ]
        .into_iter()
        .filter(|&s| counts.of(s) > 0)
        .map(|s| format!("{} {}", grouped(counts.of(s)), s.as_str()))
        .collect();
        if moved.is_empty() {
            parts.push("no new or worsened signs".into());
        } else {
            parts.extend(moved);
        }
        text.push_str(&format!(
            "### rapport: {} in {}\n",
            parts.join(", "),
            plural(touched, "partnership", "partnerships")
        ));
    }
    doc.single(Tier::Summary, None, &[], text);

    let short = |c: &crate::ledger::Commit| {
        escape::code_span(if c.short.is_empty() { &c.id } else { &c.short })
    };
    let mut context = format!(
        "\nCompared {} (merge base of {}, from {}) with {}, analysed as of {}.\n",
        short(&review.merge_base),
        escape::code_span(&review.base.rev),
        escape::code_span(&review.base.source),
        short(&review.head),
        review.now
    );
    if review.config_changed {
        context.push_str(
            "\n`rapport.yaml` changed, so every partnership was analysed again, each side with its own configuration.\n",
        );
    }
    doc.single(Tier::Context, None, &[], context);
}

fn problems(doc: &mut Doc, diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let heading = format!(
        "\n#### ❌ {} in changed files\n\nThese must be fixed before merging: an invalid file is not analysed.\n",
        plural(diagnostics.len(), "problem", "problems")
    );
    located(doc, heading, diagnostics);
}

/// Meetings the base read that the change made unread: they fail the gate.
fn hidden_meetings(doc: &mut Doc, review: &Review) {
    let hidden: Vec<_> = review.hidden_meetings().collect();
    if hidden.is_empty() {
        return;
    }
    let section = doc.group();
    doc.frame(
        section,
        format!(
            "\n#### ❌ {} hidden by the change\n\nRead as meetings at the merge base, these are swallowed at head by something opened above them and not closed (see the parts not read below).\n",
            plural(hidden.len(), "meeting", "meetings")
        ),
    );
    for (i, (p, h)) in hidden.into_iter().enumerate() {
        let line = format!(
            "{} · {} {} · {}",
            partner(p),
            h.date,
            md(&h.title),
            escape::code_span(&format!("{}:{}", file_of(p), h.line))
        );
        doc.single(
            Tier::Problem,
            Some((Counted::Problem, 1)),
            &[section],
            item(i == 0, &line),
        );
    }
}

/// Parts of the changed files rapport does not read: not a reason to block, but the reviewer
/// should know they count for nothing.
fn not_read(doc: &mut Doc, warnings: &[Diagnostic]) {
    if warnings.is_empty() {
        return;
    }
    let heading = format!(
        "\n#### ⚠️ {} of changed files not read\n\nrapport does not read these as written: they count for nothing until rewritten as the help says.\n",
        plural(warnings.len(), "part", "parts")
    );
    located(doc, heading, warnings);
}

fn located(doc: &mut Doc, heading: String, diagnostics: &[Diagnostic]) {
    let section = doc.group();
    doc.frame(section, heading);
    for (i, d) in diagnostics.iter().enumerate() {
        let position = match d.line {
            0 => d.file.clone(),
            line => format!("{}:{line}", d.file),
        };
        let mut line = format!(
            "{} {}: {}",
            escape::code_span(&position),
            escape::code_span(d.code),
            md(&d.message)
        );
        if let Some(source) = d.source_line.as_deref().filter(|s| !s.trim().is_empty()) {
            line.push_str(&format!(" in {}", escape::code_span(source.trim())));
        }
        if let Some(help) = &d.help {
            line.push_str(&format!(" · help: {}", md(help)));
        }
        doc.single(
            Tier::Problem,
            Some((Counted::Problem, 1)),
            &[section],
            item(i == 0, &line),
        );
    }
}

/// Findings the change hid by changing `rapport.yaml`, first and in full: a rule switched off
/// is never shown as good news. Each with the settings that did it.
fn silenced(doc: &mut Doc, review: &Review) {
    if review.counts().silenced == 0 {
        return;
    }
    let section = doc.group();
    let mut heading = "\n#### ⚠️ Silenced by the change to `rapport.yaml`\n\n\
        The ledger at head still shows these as the base's configuration judges them; the change \
        hides them by changing the configuration, not by changing the partnership.\n"
        .to_string();
    for (i, change) in review.config_changes.iter().enumerate() {
        heading.push_str(&item(i == 0, &config_change(change)));
    }
    doc.frame(section, heading);
    for p in &review.partnerships {
        let group = doc.group();
        doc.frame(
            group,
            format!("\n{} · {}\n", partner(p), escape::code_span(file_of(p))),
        );
        for reviewed in p.findings.iter().filter(|r| r.status == Status::Silenced) {
            finding(doc, p, reviewed, &[section, group]);
        }
    }
}

/// `` `rules.payment-terms-slip.enabled`: true → false (`rapport.yaml` line 4) ``: one setting
/// the change replaced.
fn config_change(change: &crate::analysis::reconfigured::ConfigChange) -> String {
    let at = change
        .line
        .map(|l| format!(" (`rapport.yaml` line {l})"))
        .unwrap_or_default();
    // The values can hold text the file controls (vocabulary, globs): escaped, not code spans.
    format!(
        "{}: {} → {}{at}",
        escape::code_span(&change.key),
        md(&change.before),
        md(&change.after)
    )
}

fn new_and_worsened(doc: &mut Doc, review: &Review) {
    let section = doc.group();
    doc.frame(section, "\n#### New and worsened\n".into());
    for p in &review.partnerships {
        let group = doc.group();
        doc.frame(
            group,
            format!("\n{} · {}\n", partner(p), escape::code_span(file_of(p))),
        );
        for reviewed in p
            .findings
            .iter()
            .filter(|r| matches!(r.status, Status::New | Status::Worsened))
        {
            finding(doc, p, reviewed, &[section, group]);
        }
    }
}

fn finding(doc: &mut Doc, p: &PartnershipReview, reviewed: &Reviewed, groups: &[usize]) {
    let f = &reviewed.finding;
    let sign = if f.sign.number > 0 {
        format!("sign {}: {}", f.sign.number, md(f.sign.name))
    } else {
        md(f.sign.name)
    };
    let mut head = format!(
        "\n{} · {} · {} · **{}** · line {}\n\n{}\n",
        badge(f.severity),
        escape::code_span(f.rule),
        sign,
        reviewed.status.as_str(),
        f.location.line,
        md(&f.message)
    );
    if reviewed.status == Status::Worsened
        && let Some(before) = &reviewed.before
    {
        head.push_str(&format!(
            "\n_was: {} ({})_\n",
            md(&before.message),
            before.severity
        ));
    }
    if reviewed.status == Status::Silenced {
        let by: Vec<String> = reviewed.silenced_by.iter().map(config_change).collect();
        if !by.is_empty() {
            head.push_str(&format!("\n_Silenced by {}_\n", by.join("; ")));
        }
    }
    let evidence: Vec<String> = f
        .evidence
        .iter()
        .map(|e| {
            let commit = e
                .commit
                .as_deref()
                .map(|c| format!(" · {}", escape::code_span(c)))
                .unwrap_or_default();
            format!("- {}{commit} · {}\n", e.date, md(&e.observed))
        })
        .collect();
    if !evidence.is_empty() {
        head.push('\n');
    }
    for line in evidence.iter().take(EVIDENCE_KEPT) {
        head.push_str(line);
    }
    let unit = doc.unit(Tier::Finding, Some((Counted::Finding, 1)), groups);
    doc.add(unit, head);
    if evidence.len() > EVIDENCE_KEPT {
        let rest = &evidence[EVIDENCE_KEPT..];
        doc.single(
            Tier::Evidence,
            Some((Counted::Evidence, rest.len())),
            groups,
            rest.concat(),
        );
    }
    if !f.remedy.is_empty() {
        doc.add(unit, format!("\n_Fix: {}_\n", md(f.remedy)));
    }
    if let Some(chart) = chart(&p.name, f) {
        doc.single(Tier::Chart, Some((Counted::Chart, 1)), groups, chart);
    }
}

/// The chart's configuration: the colours of its lines, in order the measured values (GitHub's
/// accent blue) and the target (grey). Set explicitly, because Mermaid's default theme draws
/// the first line in `#ECECFF`, all but invisible on GitHub's white; these read on light and
/// dark backgrounds alike.
const CHART_CONFIG: &str =
    r##"%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0969DA, #6E7781"}}}}%%"##;

/// The most ticks a chart's time axis has: its unit is the shortest of day, week, month,
/// quarter and year that spans the series in at most this many.
const CHART_TICKS: i64 = 36;

/// A Mermaid line chart of the finding's numbers over time (and its target), when it has two
/// or more; masked values have none and are not drawn. The x axis is time to scale: one tick
/// per day, week, month, quarter or year from the first value to the last, each showing the
/// value recorded last by the tick's end, so two changes a year apart sit a year apart.
pub(crate) fn chart(partner: &str, f: &Finding) -> Option<String> {
    let mut points: Vec<(crate::ledger::Date, f64)> = f
        .evidence
        .iter()
        .filter_map(|e| Some((e.date, e.value.filter(|v| v.is_finite())?)))
        .collect();
    if points.len() < 2 {
        return None;
    }
    points.sort_by_key(|&(date, _)| date);
    let measured = f
        .measure
        .as_ref()
        .map_or(f.subject.as_str(), |m| m.name.as_str());
    let ticks = time_axis(points[0].0, points[points.len() - 1].0);
    let labels: Vec<String> = ticks
        .iter()
        .map(|(label, _)| format!("\"{}\"", escape::mermaid_label(label)))
        .collect();
    // Every tick ends on or after the first value's date, so each has a value.
    let values: Vec<String> = ticks
        .iter()
        .filter_map(|&(_, end)| points.iter().rev().find(|(date, _)| *date <= end))
        .map(|&(_, v)| number(v))
        .collect();
    let mut out = format!(
        "\n```mermaid\n{CHART_CONFIG}\nxychart-beta\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"{}\"\n    line [{}]\n",
        escape::mermaid_label(&format!("{} · {partner}", f.subject)),
        labels.join(", "),
        escape::mermaid_label(measured),
        values.join(", ")
    );
    let target = f
        .measure
        .as_ref()
        .and_then(|m| m.target)
        .filter(|t| t.is_finite());
    if let Some(target) = target {
        let line = vec![number(target); ticks.len()];
        out.push_str(&format!("    line [{}]\n", line.join(", ")));
    }
    out.push_str("```\n");
    if let Some(target) = target {
        out.push_str(&format!(
            "\n_The flat line is the target, {}._\n",
            prose_number(target)
        ));
    }
    Some(out)
}

/// The ticks of a time axis from `first` to `last`: each tick's label and its last day, in the
/// shortest unit that needs at most `CHART_TICKS` ticks.
fn time_axis(
    first: crate::ledger::Date,
    last: crate::ledger::Date,
) -> Vec<(String, crate::ledger::Date)> {
    use crate::ledger::Date;
    use chrono::Datelike;
    let days = first.days_until(last).max(0);
    if days < CHART_TICKS {
        return (0..=days)
            .map(|d| {
                let day = first.add_days(d);
                (day.to_string(), day)
            })
            .collect();
    }
    if days < 7 * CHART_TICKS {
        return (0..=days / 7)
            .map(|w| {
                let start = first.add_days(7 * w);
                (start.to_string(), start.add_days(6))
            })
            .collect();
    }
    // Months counted from year 0: month `m` is year `m / 12`, month `m % 12 + 1`.
    let month = |d: Date| i64::from(d.0.year()) * 12 + i64::from(d.0.month0());
    let (from, to) = (month(first), month(last));
    let months = |unit: i64, label: &dyn Fn(i32, u32) -> String| -> Vec<(String, Date)> {
        (from.div_euclid(unit)..=to.div_euclid(unit))
            .filter_map(|u| {
                let start = u * unit;
                let (year, month0) = (
                    i32::try_from(start.div_euclid(12)).ok()?,
                    u32::try_from(start.rem_euclid(12)).ok()?,
                );
                let next = start + unit;
                let next = Date::from_ymd(
                    i32::try_from(next.div_euclid(12)).ok()?,
                    u32::try_from(next.rem_euclid(12)).ok()? + 1,
                    1,
                )?;
                Some((label(year, month0), next.sub_days(1)))
            })
            .collect()
    };
    if to - from < CHART_TICKS {
        months(1, &|year, month0| format!("{year}-{:02}", month0 + 1))
    } else if to.div_euclid(3) - from.div_euclid(3) < CHART_TICKS {
        months(3, &|year, month0| format!("{year} Q{}", month0 / 3 + 1))
    } else {
        months(12, &|year, _| year.to_string())
    }
}

/// Per touched partnership: how its file changed, its field changes and the meetings added.
fn what_changed(doc: &mut Doc, review: &Review, groups: &[usize]) {
    for p in &review.partnerships {
        let mut line = format!(
            "\n{} · {} · {}",
            partner(p),
            escape::code_span(file_of(p)),
            file_change(p)
        );
        let tally = tally(p);
        if !tally.is_empty() {
            line.push_str(&format!(" · {tally}"));
        }
        line.push('\n');
        doc.single(Tier::Touched, Some((Counted::Touched, 1)), groups, line);
        for change in &p.changes {
            if let Some(text) = change_line(p, change) {
                doc.single(
                    Tier::Changes,
                    Some((Counted::Change, 1)),
                    groups,
                    format!("- {text}\n"),
                );
            }
        }
        for meeting in &p.meetings {
            doc.single(
                Tier::Changes,
                Some((Counted::Change, 1)),
                groups,
                format!(
                    "- meeting added: **{}** {} (line {})\n",
                    meeting.date,
                    md(&meeting.title),
                    meeting.line
                ),
            );
            if let Some(body) = meeting_body(meeting) {
                doc.single(Tier::MeetingBody, Some((Counted::Meeting, 1)), groups, body);
            }
        }
    }
}

/// The attendees and action items of an added meeting, as a list nested under its line.
fn meeting_body(meeting: &Meeting) -> Option<String> {
    let mut out = String::new();
    if !meeting.attendees.is_empty() {
        let names: Vec<String> = meeting.attendees.iter().map(|a| md(a)).collect();
        out.push_str(&format!("  - attendees: {}\n", names.join(", ")));
    }
    for item in &meeting.items {
        let due = item.due.map(|d| format!(" (due {d})")).unwrap_or_default();
        out.push_str(&format!(
            "  - {} {}{}{due}\n",
            if item.done { "☑" } else { "☐" },
            owner(item.owner),
            md(&item.text)
        ));
    }
    (!out.is_empty()).then_some(out)
}

/// One field-level change as list item text; `None` for what is shown elsewhere (the move in
/// the file line, added meetings with their sections).
fn change_line(p: &PartnershipReview, change: &Change) -> Option<String> {
    let in_added_meeting = |text: &str, owner: Option<Side>| {
        p.meetings
            .iter()
            .any(|m| m.items.iter().any(|i| i.text == text && i.owner == owner))
    };
    let level = |level: &Option<String>| level.as_deref().map_or("no level".into(), md);
    Some(match change {
        Change::Created | Change::Moved { .. } => return None,
        Change::Field { path, from, to } => {
            let path = escape::code_span(path);
            match (from, to) {
                (Some(from), Some(to)) => format!(
                    "{path}: {} → {}",
                    escape::code_span(from),
                    escape::code_span(to)
                ),
                (None, Some(to)) => format!("{path} added: {}", escape::code_span(to)),
                (Some(from), None) => format!("{path} removed (was {})", escape::code_span(from)),
                (None, None) => format!("{path} changed"),
            }
        }
        Change::ContactAdded {
            name,
            side,
            level: l,
        } => format!(
            "{} contact added: **{}** ({})",
            side_name(*side),
            md(name),
            level(l)
        ),
        Change::ContactRemoved {
            name,
            side,
            level: l,
        } => format!(
            "{} contact removed: **{}** ({})",
            side_name(*side),
            md(name),
            level(l)
        ),
        Change::ContactLevelChanged {
            name,
            side,
            from,
            to,
        } => format!(
            "{} contact **{}**: {} → {}",
            side_name(*side),
            md(name),
            level(from),
            level(to)
        ),
        Change::ScopeAdded { id, summary } => {
            format!("scope {} added: {}", escape::code_span(id), md(summary))
        }
        Change::ScopeRemoved { id, summary } => {
            format!("scope {} removed: {}", escape::code_span(id), md(summary))
        }
        Change::ScopeReworded { id, from, to, .. } => format!(
            "scope {} reworded: {}",
            escape::code_span(id),
            word_diff(from, to)
        ),
        Change::MeetingAdded { date, title } => {
            if p.meetings
                .iter()
                .any(|m| m.date == *date && &m.title == title)
            {
                return None;
            }
            format!("meeting added: **{date}** {}", md(title))
        }
        Change::MeetingRemoved { date, title } => {
            format!("meeting removed: **{date}** {}", md(title))
        }
        Change::ItemOpened {
            text,
            owner: o,
            due,
        } => {
            if in_added_meeting(text, *o) {
                return None;
            }
            let due = due.map(|d| format!(" (due {d})")).unwrap_or_default();
            format!("action item opened: {}{}{due}", owner(*o), md(text))
        }
        Change::ItemChecked { text, owner: o } => {
            format!("action item done: {}{}", owner(*o), md(text))
        }
        Change::ItemUnchecked { text, owner: o } => {
            format!("action item reopened: {}{}", owner(*o), md(text))
        }
        Change::ItemRemoved { text, owner: o } => {
            format!("action item removed: {}{}", owner(*o), md(text))
        }
    })
}

/// A reworded text as runs of ~~removed~~ and **added** words, each run escaped.
fn word_diff(from: &str, to: &str) -> String {
    // A diff's cost grows with the product of the lengths: texts longer than any summary is
    // written are shown whole, removed then added.
    if from.len() + to.len() > 8_000 {
        return format!("~~{}~~ **{}**", md(from.trim()), md(to.trim()));
    }
    let diff = TextDiff::from_words(from, to);
    let mut runs: Vec<(ChangeTag, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        match runs.last_mut() {
            Some((tag, text)) if *tag == change.tag() => text.push_str(change.value()),
            _ => runs.push((change.tag(), change.value().to_string())),
        }
    }
    let mut out = String::new();
    for (tag, text) in &runs {
        let core = text.trim();
        let (lead, trail) = (
            text.starts_with(char::is_whitespace),
            text.ends_with(char::is_whitespace),
        );
        if lead || (tag != &ChangeTag::Equal && !out.is_empty()) {
            out.push(' ');
        }
        if !core.is_empty() {
            match tag {
                ChangeTag::Equal => out.push_str(&md(core)),
                ChangeTag::Delete => out.push_str(&format!("~~{}~~", md(core))),
                ChangeTag::Insert => out.push_str(&format!("**{}**", md(core))),
            }
        }
        if trail {
            out.push(' ');
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for c in out.trim().chars() {
        if !(c == ' ' && collapsed.ends_with(' ')) {
            collapsed.push(c);
        }
    }
    collapsed
}

fn resolved(doc: &mut Doc, review: &Review) {
    let section = doc.group();
    doc.frame(section, "\n#### Resolved\n".into());
    let resolved = review
        .findings()
        .filter(|(_, r)| r.status == Status::Resolved);
    for (i, (p, r)) in resolved.enumerate() {
        let line = format!(
            "✅ {} · {} · {}",
            escape::code_span(r.finding.rule),
            md(&r.finding.message),
            partner(p)
        );
        doc.single(
            Tier::Resolved,
            Some((Counted::Resolved, 1)),
            &[section],
            item(i == 0, &line),
        );
    }
}

fn is_settled(status: Status) -> bool {
    matches!(
        status,
        Status::Improved | Status::Acknowledged | Status::Unchanged
    )
}

/// Improved, acknowledged and unchanged findings, one line each.
fn settled(doc: &mut Doc, review: &Review, groups: &[usize]) {
    let mut first = true;
    for status in [Status::Improved, Status::Acknowledged, Status::Unchanged] {
        let counted = match status {
            Status::Improved => Counted::Improved,
            Status::Acknowledged => Counted::Acknowledged,
            _ => Counted::Unchanged,
        };
        for (p, r) in review.findings().filter(|(_, r)| r.status == status) {
            let f = &r.finding;
            let mut line = format!(
                "{} · {} · {} · {}",
                status.as_str(),
                escape::code_span(f.rule),
                md(&f.message),
                partner(p)
            );
            if status == Status::Improved
                && let Some(before) = &r.before
            {
                line.push_str(&format!(
                    " · was: {} ({})",
                    md(&before.message),
                    before.severity
                ));
            }
            if let Acknowledgement::Acknowledged { reason, until } = &f.acknowledgement {
                line.push_str(&format!(" · reason: {}", md(reason)));
                if let Some(until) = until {
                    line.push_str(&format!(" (until {until})"));
                }
            }
            doc.single(
                Tier::Settled,
                Some((counted, 1)),
                groups,
                item(first, &line),
            );
            first = false;
        }
    }
}

/// A list item; the first of a list starts after a blank line. Within a tier units go last
/// first, so a list's first item is the last of it to go and the blank line stays with the list.
fn item(first: bool, text: &str) -> String {
    let blank = if first { "\n" } else { "" };
    format!("{blank}- {text}\n")
}

/// `**Partner name** (`id`)`.
fn partner(p: &PartnershipReview) -> String {
    format!("**{}** ({})", md(&p.name), escape::code_span(&p.id))
}

fn file_of(p: &PartnershipReview) -> &str {
    p.path
        .as_deref()
        .or(p.base_path.as_deref())
        .unwrap_or(p.id.as_str())
}

fn file_change(p: &PartnershipReview) -> String {
    let what = match p.file {
        FileChange::Added => "added".to_string(),
        FileChange::Modified => "modified".to_string(),
        FileChange::Moved => match &p.base_path {
            Some(from) => format!("moved from {}", escape::code_span(from)),
            None => "moved".to_string(),
        },
        FileChange::Removed => "removed".to_string(),
        FileChange::Reconfigured => {
            "file unchanged, analysed again with the changed configuration".to_string()
        }
        FileChange::Unread => {
            "file unchanged, no longer read: the changed configuration leaves it out".to_string()
        }
    };
    if p.valid {
        what
    } else {
        format!("{what}, **invalid**: not analysed until the problems above are fixed")
    }
}

/// How many of the partnership's findings have each status, such as `1 new, 2 unchanged`.
fn tally(p: &PartnershipReview) -> String {
    Status::ALL
        .iter()
        .map(|&s| (s, p.findings.iter().filter(|r| r.status == s).count()))
        .filter(|&(_, n)| n > 0)
        .map(|(s, n)| format!("{} {}", grouped(n), s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn badge(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "🔴 **error**",
        Severity::Warning => "🟠 **warning**",
        Severity::Info => "🔵 **info**",
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Partner => "partner",
        Side::Ours => "our",
    }
}

fn owner(owner: Option<Side>) -> &'static str {
    match owner {
        Some(Side::Partner) => "partner: ",
        Some(Side::Ours) => "ours: ",
        None => "",
    }
}

/// Inline Markdown text from a ledger file or git, trimmed so emphasis around it closes.
fn md(text: &str) -> String {
    escape::markdown(text).trim().to_string()
}

use crate::numbers::{count as grouped, plain as number, prose as prose_number};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { one } else { many })
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Event, Options, Parser, Tag};

    use super::*;
    use crate::report::fixture::{self, HOSTILE};
    use crate::signs::Fingerprint;

    fn events(markdown: &str) -> Vec<Event<'_>> {
        let options =
            Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
        Parser::new_ext(markdown, options).collect()
    }

    /// The HTML the renderer writes itself, and nothing else; no link or image at all.
    fn assert_inert(out: &str) {
        let mut html = std::collections::BTreeSet::new();
        for event in events(out) {
            match event {
                Event::Html(h) | Event::InlineHtml(h) => {
                    html.insert(h.trim().to_string());
                }
                Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                    panic!("link or image in:\n{out}")
                }
                _ => {}
            }
        }
        for h in &html {
            let ours = [MARKER, "</details>", "<sub>", "</sub>"].contains(&h.as_str())
                || (h.starts_with("<details><summary>")
                    && h.ends_with("</summary>")
                    && !h["<details><summary>".len()..h.len() - "</summary>".len()]
                        .contains(['<', '>', '&']));
            assert!(ours, "unexpected HTML {h:?} in:\n{out}");
        }
        assert!(
            !out.lines().any(|l| l.trim_start().starts_with("::")),
            "{out}"
        );
        assert!(!out.contains("::error::"), "{out}");
        assert!(!out.contains(['\u{1b}', '\u{202e}']), "{out}");
        assert!(!out.contains("\n\n\n"), "two blank lines in:\n{out}");
        assert!(!out.contains("@octocat"), "{out}");
        assert!(!out.contains("<script"), "{out}");
        assert_eq!(
            out.matches("<details>").count(),
            out.matches("</details>").count()
        );
        let fences = out.lines().filter(|l| l.starts_with("```")).count();
        assert_eq!(fences % 2, 0, "unclosed fence in:\n{out}");
        assert_mermaid_quotes(out);
    }

    /// Every quoted Mermaid label holds no quote of its own.
    fn assert_mermaid_quotes(out: &str) {
        let mut inside = false;
        for line in out.lines() {
            match line {
                "```mermaid" => inside = true,
                "```" => inside = false,
                // The chart's own configuration, the one line that is not the ledger's.
                _ if inside && line == CHART_CONFIG => {}
                _ if inside => {
                    let line = line.trim();
                    if let Some(label) = line
                        .strip_prefix("title ")
                        .or_else(|| line.strip_prefix("y-axis "))
                    {
                        assert_eq!(label.matches('"').count(), 2, "{line}");
                        assert!(label.starts_with('"') && label.ends_with('"'), "{line}");
                    } else if let Some(list) = line.strip_prefix("x-axis ") {
                        let categories = list.split(", ").count();
                        assert_eq!(list.matches('"').count(), 2 * categories, "{line}");
                    } else {
                        assert!(!line.contains('"'), "{line}");
                    }
                }
                _ => {}
            }
        }
    }

    /// The mermaid blocks of a comment, each without its fences.
    fn charts(out: &str) -> Vec<String> {
        out.split("```mermaid\n")
            .skip(1)
            .filter_map(|rest| rest.split("```").next().map(str::to_string))
            .collect()
    }

    /// The fixture with many more findings, for the size limit.
    fn inflated(unchanged: usize, new: usize) -> Review {
        let mut review = fixture::review();
        let kestrel = &mut review.partnerships[0];
        let template = |status: Status| {
            kestrel
                .findings
                .iter()
                .find(|r| r.status == status)
                .cloned()
                .expect("the fixture has every status")
        };
        let (fresh, same) = (template(Status::New), template(Status::Unchanged));
        let mut more = Vec::new();
        for i in 0..new {
            let mut r = fresh.clone();
            r.finding.subject = format!("terms.payment_days.{i}");
            r.finding.fingerprint = Fingerprint::new(r.finding.rule, "kestrel", &r.finding.subject);
            more.push(r);
        }
        for i in 0..unchanged {
            let mut r = same.clone();
            r.finding.subject = format!("meetings.{i}");
            r.finding.message = format!("no meeting for {} days {HOSTILE}", 100 + i);
            more.push(r);
        }
        kestrel.findings.extend(more);
        review
    }

    #[test]
    fn full_review() {
        let out = render(&fixture::review(), LIMIT);
        insta::assert_snapshot!(out);
    }

    #[test]
    fn silenced_findings_come_first_with_the_settings_that_silenced_them() {
        let out = render(&fixture::silenced_review(), LIMIT);
        let section = out.find("#### ⚠️ Silenced by the change to `rapport.yaml`");
        let new = out.find("#### New and worsened");
        assert!(section.is_some() && section < new, "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn quiet_review() {
        let out = render(&fixture::quiet_review(), LIMIT);
        assert!(
            out.contains("✅ No new or worsened signs in the partnership this change touched.")
        );
        insta::assert_snapshot!(out);
    }

    #[test]
    fn invalid_review() {
        let out = render(&fixture::invalid_review(), LIMIT);
        assert!(out.contains("#### ❌ 1 problem in changed files"));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn starts_with_the_marker() {
        for review in [
            fixture::review(),
            fixture::silenced_review(),
            fixture::quiet_review(),
            fixture::invalid_review(),
        ] {
            assert!(render(&review, LIMIT).starts_with(&format!("{MARKER}\n### rapport")));
        }
    }

    #[test]
    fn hostile_text_is_inert() {
        for review in [
            fixture::review(),
            fixture::quiet_review(),
            fixture::invalid_review(),
        ] {
            assert_inert(&render(&review, LIMIT));
        }
        // Quotes, brackets and newlines where a chart puts the partner's name and the subject.
        let mut review = fixture::review();
        let kestrel = &mut review.partnerships[0];
        kestrel.name = format!("{HOSTILE} \"]\n    line [1, 2]\n```\n<b>");
        for r in &mut kestrel.findings {
            r.finding.subject = "x\" ]; %%{init: {}}%% `".into();
            if let Some(measure) = &mut r.finding.measure {
                measure.name = "\"days\"\n```".into();
            }
        }
        let out = render(&review, LIMIT);
        assert_eq!(charts(&out).len(), 2, "{out}");
        assert_inert(&out);
    }

    #[test]
    fn the_payment_terms_series_is_charted() {
        let out = render(&fixture::review(), LIMIT);
        let charts = charts(&out);
        let slip = charts
            .iter()
            .find(|c| c.contains("y-axis \"terms.payment_days\""))
            .unwrap_or_else(|| panic!("no payment terms chart in:\n{out}"));
        // The line's colour is set: Mermaid's default is all but invisible on white.
        assert!(
            slip.starts_with(&format!("{CHART_CONFIG}\nxychart-beta\n")),
            "{slip}"
        );
        // To scale in time: net-30 from 2023-09-12, net-45 from 2024-08-07, net-60 from
        // 2025-02-03, net-120 from 2025-04-19, one tick a month.
        let months: Vec<String> = (2023 * 12 + 8..=2025 * 12 + 3)
            .map(|m| format!("\"{}-{:02}\"", m / 12, m % 12 + 1))
            .collect();
        assert!(
            slip.contains(&format!("    x-axis [{}]\n", months.join(", "))),
            "{slip}"
        );
        let values = [(30, 11), (45, 6), (60, 2), (120, 1)]
            .iter()
            .flat_map(|&(v, n)| std::iter::repeat_n(v.to_string(), n))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(slip.contains(&format!("    line [{values}]\n")), "{slip}");
        assert_eq!(slip.matches("    line ").count(), 1, "no target: {slip}");
    }

    #[test]
    fn the_worsened_kpi_is_charted_against_its_target() {
        let out = render(&fixture::review(), LIMIT);
        let kpi = charts(&out)
            .into_iter()
            .find(|c| c.contains("line [150000, "))
            .unwrap_or_else(|| panic!("no KPI chart in:\n{out}"));
        // 2025-03-31 to 2025-06-30: a tick a week, the drop at the last.
        assert!(
            kpi.contains(&format!(
                "    line [{}, 90000]\n",
                vec!["150000"; 13].join(", ")
            )),
            "{kpi}"
        );
        assert!(
            kpi.contains(&format!("    line [{}]\n", vec!["400000"; 14].join(", "))),
            "{kpi}"
        );
        assert!(
            kpi.contains("x-axis [\"2025-03-31\", \"2025-04-07\", "),
            "{kpi}"
        );
    }

    #[test]
    fn the_time_axis_picks_the_unit_that_fits() {
        let date = |s: &str| crate::ledger::Date::parse(s).expect("a date");
        let axis = |a: &str, b: &str| time_axis(date(a), date(b));
        let labels = |ticks: Vec<(String, crate::ledger::Date)>| {
            ticks.into_iter().map(|(l, _)| l).collect::<Vec<_>>()
        };
        assert_eq!(
            labels(axis("2024-02-27", "2024-03-02")),
            [
                "2024-02-27",
                "2024-02-28",
                "2024-02-29",
                "2024-03-01",
                "2024-03-02"
            ]
        );
        let quarters = axis("2019-11-20", "2025-01-05");
        assert_eq!(quarters.first().map(|t| t.0.as_str()), Some("2019 Q4"));
        assert_eq!(quarters.last().map(|t| t.0.as_str()), Some("2025 Q1"));
        assert_eq!(quarters[0].1, date("2019-12-31"));
        assert_eq!(quarters.len(), 22);
        let years = axis("2001-06-01", "2024-06-01");
        assert_eq!(years.len(), 24);
        assert_eq!(years[23], ("2024".to_string(), date("2024-12-31")));
        // Every axis ends on or after its last day, so the last value is drawn.
        let months = axis("2024-01-31", "2024-12-01");
        assert_eq!(months.len(), 12);
        assert_eq!(months[1], ("2024-02".to_string(), date("2024-02-29")));
    }

    #[test]
    fn masked_values_are_not_drawn() {
        let mut review = fixture::review();
        let slip = &mut review.partnerships[0].findings[0].finding;
        for evidence in slip.evidence.iter_mut().skip(1) {
            evidence.value = None;
        }
        let out = render(&review, LIMIT);
        assert!(!out.contains("line [30"), "{out}");
        assert_eq!(charts(&out).len(), 1);
    }

    #[test]
    fn a_summary_too_long_to_diff_is_shown_whole() {
        let (from, to) = ("alpha bravo ".repeat(5_000), "charlie delta ".repeat(5_000));
        let shown = word_diff(&from, &to);
        assert!(shown.starts_with("~~alpha bravo alpha"), "{}", &shown[..40]);
        assert!(shown.contains("~~ **charlie delta charlie"));
        assert_eq!(word_diff("a b c", "a x c"), "a ~~b~~ **x** c");
    }

    #[test]
    fn a_huge_review_is_cut_to_the_limit() {
        let review = inflated(2_000, 300);
        let out = render(&review, LIMIT);
        assert!(out.chars().count() <= LIMIT, "{}", out.chars().count());
        assert!(out.starts_with(&format!("{MARKER}\n### rapport: 301 new, 1 worsened")));
        assert!(
            out.contains(
                "_Cut to fit the 65,000-character comment limit: 2,002 unchanged findings"
            ),
            "{out}"
        );
        assert!(out.contains("run `rapport report` locally"));
        assert!(out.contains("<sub>rapport"));
        assert_inert(&out);
    }

    #[test]
    fn a_tiny_limit_keeps_the_marker_and_the_summary() {
        let review = inflated(2_000, 300);
        for limit in [800, 500] {
            let out = render(&review, limit);
            assert!(out.chars().count() <= limit, "{limit}: {out}");
            assert!(
                out.starts_with(&format!("{MARKER}\n### rapport: 301 new")),
                "{out}"
            );
            assert!(out.contains("_Cut to fit the"), "{out}");
            assert_inert(&out);
        }
    }

    #[test]
    fn every_limit_holds() {
        let review = fixture::review();
        let whole = render(&review, LIMIT);
        let size = whole.chars().count();
        for limit in (0..size + 40).step_by(5).chain(size - 3..=size) {
            let out = render(&review, limit);
            assert!(out.chars().count() <= limit, "{limit}: {out}");
            if limit >= 300 {
                assert!(out.starts_with(MARKER), "{limit}: {out}");
                assert_inert(&out);
            }
            if limit >= size {
                assert_eq!(out, whole);
            }
        }
    }

    #[test]
    fn cuts_go_least_important_first() {
        let review = fixture::review();
        let size = render(&review, LIMIT).chars().count();
        let out = render(&review, size - 1);
        assert!(out.contains("left out"), "{out}");
        assert!(
            out.contains("2 unchanged findings left out"),
            "the settled findings go first, unchanged ones before the rest: {out}"
        );
        assert!(!out.contains("unchanged · "), "{out}");
        assert!(out.contains("acknowledged · "), "{out}");
        assert!(out.contains("```mermaid"), "{out}");
        assert!(out.contains("meeting added"), "{out}");
    }

    #[test]
    fn rewording_is_a_word_diff() {
        assert_eq!(
            word_diff(
                "Managed hosting for EU tenants",
                "Managed hosting for all EU tenants"
            ),
            "Managed hosting for **all** EU tenants"
        );
        assert_eq!(
            word_diff("Level one support", "Level two support"),
            "Level ~~one~~ **two** support"
        );
        assert_eq!(word_diff("a <b>", "a *c*"), "a ~~&lt;b&gt;~~ **\\*c\\***");
    }
}
