//! The pull-request comment's Mermaid chart drawn by the real Mermaid library in headless
//! Chromium, as GitHub draws it: the line has the colour the chart sets (not Mermaid's default
//! `#ECECFF`, all but invisible on white) and its points sit to scale in time. Mermaid comes from
//! the npm registry (`npm install` into target/npm, as `.ci/run` does), Chromium is Debian's
//! `chromium`; without either the test fails in CI and says loudly that it skipped elsewhere.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Script, northwind_front, partnership, rapport};

/// The values' line colour the chart sets (GitHub's accent blue).
const LINE: &str = "#0969DA";

/// A ledger whose pull request stretches Northwind's payment terms twice, months apart from the
/// net-30 the partnership started on: net-30 in January, net-45 in September, net-60 in October.
fn stretched_over_months() -> Script {
    let northwind = |days| partnership("Northwind Analytics", &northwind_front(days, ""), "");
    Script::new()
        .commit(
            "2024-01-15",
            "Start the ledger with Northwind",
            &[("partners/northwind.md", &northwind(30))],
        )
        .branch("terms")
        .commit(
            "2024-09-02",
            "Northwind: net-45 from the Q4 invoice",
            &[("partners/northwind.md", &northwind(45))],
        )
        .commit(
            "2024-10-01",
            "Northwind: net-60, as Finance agreed",
            &[("partners/northwind.md", &northwind(60))],
        )
}

/// The Mermaid blocks of a markdown report.
fn charts(markdown: &str) -> Vec<String> {
    markdown
        .split("```mermaid\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next().map(str::to_string))
        .collect()
}

/// The chart drawn by Mermaid in Chromium: the DOM after rendering, and the console messages.
fn draw(browser: &Path, mermaid: &Path, chart: &str) -> (String, Vec<String>) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let escaped = chart
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let page = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head>\
         <body style=\"background:#ffffff\">\
         <pre class=\"mermaid\">{escaped}</pre>\
         <script src=\"file://{}\"></script>\
         <script>\
           mermaid.initialize({{ startOnLoad: false, theme: 'default' }});\
           mermaid.run().then(() => document.body.setAttribute('data-drawn', 'yes'))\
             .catch((e) => console.error('mermaid: ' + e));\
         </script></body></html>",
        mermaid.display()
    );
    let file = dir.path().join("chart.html");
    std::fs::write(&file, page).expect("write the page");
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--allow-file-access-from-files",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        // Not an assertion: the browser's console lines, picked out of its log.
        .filter(|l| l.contains("CONSOLE"))
        .map(str::to_string)
        .collect();
    (
        String::from_utf8(output.stdout).expect("UTF-8 DOM"),
        console,
    )
}

/// The points of the first `<path>` drawn with `stroke="COLOUR"`: its `M`/`L` coordinates.
fn line_points(dom: &str, colour: &str) -> Vec<(f64, f64)> {
    let lower = dom.to_ascii_lowercase();
    let stroke = format!("stroke=\"{}\"", colour.to_ascii_lowercase());
    let at = lower
        .match_indices("<path")
        .map(|(i, _)| i)
        .find(|&i| {
            lower[i..]
                .split('>')
                .next()
                // A browser's SVG: the line drawn in this colour.
                .is_some_and(|tag| tag.contains(&stroke))
        })
        .unwrap_or_else(|| panic!("no path stroked {colour} in the chart:\n{dom}"));
    let tag = dom[at..].split('>').next().expect("a tag");
    let d = tag
        .split(" d=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the path's d");
    let numbers: Vec<f64> = d
        .split(|c: char| c.is_ascii_alphabetic() || c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("a coordinate"))
        .collect();
    numbers.chunks(2).map(|p| (p[0], p[1])).collect()
}

#[test]
fn the_comment_chart_draws_a_visible_line_to_scale_in_time() {
    let Some((browser, mermaid)) = common::chromium_and_mermaid("the report's Mermaid chart")
    else {
        return;
    };
    let ledger = stretched_over_months();
    let run = rapport(
        ledger.path(),
        &["report", "--base", "main", "--format", "markdown"],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let charts = charts(&run.stdout);
    assert_eq!(charts.len(), 1, "{}", run.stdout);

    let (dom, console) = draw(&browser, &mermaid, &charts[0]);
    assert!(
        // A browser's DOM: the chart drawn, with its title, in the line colours set.
        dom.contains("data-drawn=\"yes\""),
        "not drawn: {console:#?}\n{dom}"
    );
    assert_eq!(console, Vec::<String>::new(), "console messages");
    // A browser's DOM: the chart's title.
    assert!(dom.contains("Northwind Analytics"), "the title: {dom}");

    // The line is drawn in the colour the chart sets, not in Mermaid's default.
    let points = line_points(&dom, LINE);
    assert!(
        // A browser's DOM: Mermaid's default line colour is not used.
        !dom.to_ascii_lowercase().contains("stroke=\"#ececff\""),
        "a line in the default colour"
    );
    // To scale in time: from January 2024 to October 2024, the step to net-45 (2 September)
    // sits 8 months of 9 along the axis, the step to net-60 (1 October) at its end; evenly
    // spaced dates would put them at a half and at the end.
    let (first, last) = (points[0].0, points[points.len() - 1].0);
    let along = |x: f64| (x - first) / (last - first);
    let steps: Vec<f64> = points
        .windows(2)
        .filter(|w| (w[0].1 - w[1].1).abs() > 0.5)
        .map(|w| along(w[1].0))
        .collect();
    assert_eq!(steps.len(), 2, "{points:?}");
    assert!((steps[0] - 8.0 / 9.0).abs() < 0.02, "{steps:?} {points:?}");
    assert!((steps[1] - 1.0).abs() < 0.02, "{steps:?}");
    // Higher terms are drawn higher (SVG's y grows downwards).
    assert!(points[0].1 > points[points.len() - 1].1, "{points:?}");
}
