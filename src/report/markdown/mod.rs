//! The pull-request comment: what a change did to the partnerships it touched, new and worsened
//! findings first, with evidence, remedies and Mermaid charts. The comment is built as blocks of
//! ranked importance, and blocks are left out, least important first, until it fits GitHub's
//! size limit; the comment then says what it left out. Ledger and git text goes through `escape`.

mod budget;
mod charts;
mod sections;

use budget::{Doc, Tier};
pub(crate) use charts::chart;
use sections::{
    hidden_meetings, is_settled, new_and_worsened, not_read, plural, problems, resolved, settled,
    silenced, summary, what_changed,
};

use crate::analysis::review::Review;
use crate::numbers::count as grouped;

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

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Event, Options, Parser, Tag};

    use super::charts::*;
    use super::sections::*;
    use super::*;
    use crate::analysis::review::Status;
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
