//! The digest's markdown as an issue shows it: rendered as GitHub-flavoured Markdown, its Mermaid
//! charts drawn by the real Mermaid library (the npm package) in headless Chromium. The test
//! checks every chart is drawn as an SVG line chart and that Mermaid reports no syntax error.
//! Chromium is Debian's `chromium` and Mermaid the npm package `mermaid`, installed under
//! target/ when missing (as `.ci/run` does); without them the test fails in CI and says loudly
//! that it skipped elsewhere.

mod common;

use std::process::Command;

use common::{Script, partnership, rapport};

/// Northwind's payment terms stretch from net-30 to net-45 and net-75 in one week.
fn stretched() -> Script {
    let text = |days: u32| {
        partnership(
            "Northwind <b>Analytics</b>",
            &format!(
                "since: 2024-01-15\n\
                 contacts:\n  - {{ name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }}\n  \
                 - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}\n\
                 terms: {{ payment_days: {days}, renewal: 2025-09-30 }}\n"
            ),
            "\n## 2024-05-29 Weekly sync\nAttendees: Dana Whitfield, Priya Raman\n\nAll fine.\n",
        )
    };
    Script::new()
        .commit(
            "2024-05-29",
            "Northwind: notes",
            &[("partners/northwind.md", &text(30))],
        )
        .commit(
            "2024-06-10",
            "Northwind: net-45 for the Q3 invoice",
            &[("partners/northwind.md", &text(45))],
        )
        .commit(
            "2024-06-12",
            "Northwind: net-75, finance agreed",
            &[("partners/northwind.md", &text(75))],
        )
}

#[test]
fn the_digests_charts_are_drawn_by_mermaid_in_a_browser() {
    let script = stretched();
    let run = rapport(
        script.path(),
        &[
            "digest",
            "--since",
            "2024-06-07",
            "--until",
            "2024-06-14",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = run.stdout;
    // A browser test: only the line the chart is drawn for is looked for.
    assert!(md.contains("**new** error `payment-terms-slip`"), "{md}");
    assert_eq!(md.matches("```mermaid").count(), 1, "{md}");

    // GitHub-flavoured Markdown to HTML, as the issue page renders it.
    let mut html = String::new();
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::all()),
    );
    assert_eq!(
        html.matches("<code class=\"language-mermaid\">").count(),
        1,
        "{html}"
    );
    // A browser test: the page is pinned elsewhere; here, that ledger HTML stays text.
    assert!(!html.contains("<b>"), "ledger HTML is text: {html}");

    let Some((browser, bundle)) = common::chromium_and_mermaid("the digest's charts") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(&bundle, dir.path().join("mermaid.min.js")).expect("copy mermaid");
    // As GitHub does: each mermaid code block becomes a diagram; the outcome is written into
    // the page for --dump-dom to show.
    let page = format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><script src="mermaid.min.js"></script></head>
<body>{html}
<pre id="outcome">pending</pre>
<script>
mermaid.initialize({{ startOnLoad: false, securityLevel: "strict" }});
const blocks = [...document.querySelectorAll("code.language-mermaid")];
(async () => {{
  const drawn = [];
  for (const [i, block] of blocks.entries()) {{
    try {{
      const {{ svg }} = await mermaid.render("chart" + i, block.textContent);
      const div = document.createElement("div");
      div.className = "drawn";
      div.innerHTML = svg;
      block.parentElement.replaceWith(div);
      drawn.push("ok");
    }} catch (e) {{
      drawn.push("error: " + e);
    }}
  }}
  document.getElementById("outcome").textContent = "done " + JSON.stringify(drawn);
}})();
</script></body></html>"#
    );
    let file = dir.path().join("digest.html");
    std::fs::write(&file, page).expect("write the page");
    let output = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--allow-file-access-from-files",
            "--virtual-time-budget=20000",
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
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        // A browser's DOM: only what the script reports and the chart it drew are looked for.
        dom.contains(r#"<pre id="outcome">done ["ok"]</pre>"#),
        "{dom}"
    );
    // A browser's DOM: the chart Mermaid drew, and no syntax error.
    assert!(dom.contains("aria-roledescription=\"xychart\""), "{dom}");
    assert!(!dom.contains("Syntax error"), "{dom}");
}
