//! The portfolio page in a real browser: headless Chromium renders it, takes a screenshot, and
//! the test checks the charts are drawn (in the DOM and in the pixels), that the browser logs no
//! console error, and that a hostile partner name stays text. Chromium is Debian's `chromium`,
//! installed here when missing (as `.ci/run` does); without it the test fails in CI and says
//! loudly that it skipped elsewhere.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Script, partnership};

const CHROMIUM: &str = "/usr/bin/chromium";

fn works(path: &str) -> bool {
    Command::new(path)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Chromium, installed with apt when missing and allowed (root on Debian).
fn chromium() -> Option<PathBuf> {
    if works(CHROMIUM) {
        return Some(PathBuf::from(CHROMIUM));
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if root && Path::new("/usr/bin/apt-get").exists() {
        eprintln!("portfolio_browser: installing chromium with apt-get");
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        let _ = Command::new("apt-get")
            .args(["install", "-y", "-qq", "chromium"])
            .status();
    }
    works(CHROMIUM).then(|| PathBuf::from(CHROMIUM))
}

/// Chromium, or `None` after a loud message outside CI; in CI a missing browser fails.
fn require_chromium() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "headless Chromium is required in CI: install Debian's `chromium` (.ci/run does)"
        );
        eprintln!(
            "\n\n*** SKIPPED: the portfolio page was NOT tested in a browser: {CHROMIUM} is missing \
             and could not be installed (apt-get install chromium as root). ***\n\n"
        );
    }
    found
}

/// What the browser made of a page: its DOM after loading, its console messages, a screenshot.
struct Rendered {
    dom: String,
    console: Vec<String>,
    png: Vec<u8>,
}

fn render(browser: &Path, html: &str, width: u32, height: u32) -> Rendered {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let page = dir.path().join("portfolio.html");
    std::fs::write(&page, html).expect("write the page");
    let url = format!("file://{}", page.display());
    let shot = dir.path().join("shot.png");
    let run = |extra: &[String]| {
        let output = Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--disable-extensions",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs");
        assert!(
            output.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    };
    let dumped = run(&["--dump-dom".to_string()]);
    let shown = run(&[
        format!("--window-size={width},{height}"),
        format!("--screenshot={}", shot.display()),
    ]);
    // Console messages, CSP violations among them, are logged as `CONSOLE` lines.
    let console = [&dumped.stderr, &shown.stderr]
        .iter()
        .flat_map(|e| {
            String::from_utf8_lossy(e)
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        // Not an assertion: the browser's console lines, picked out of its log.
        .filter(|l| l.contains("CONSOLE"))
        .collect();
    Rendered {
        dom: String::from_utf8(dumped.stdout).expect("UTF-8 DOM"),
        console,
        png: std::fs::read(&shot).expect("the screenshot"),
    }
}

/// How many pixels of the screenshot are close to `rgb`.
fn pixels_like(png: &[u8], rgb: [u8; 3]) -> usize {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buffer).expect("a frame");
    let channels = info.color_type.samples();
    buffer[..info.buffer_size()]
        .chunks(channels)
        .filter(|p| p.len() >= 3 && p[..3].iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 24))
        .count()
}

fn sample_page() -> String {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let sample = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/sample-ledger"));
    let script = rapport::sample::script(&rapport::sample::Folder(sample)).expect("history.yaml");
    rapport::sample::replay(&rapport::sample::Folder(sample), &script, dir.path()).expect("replay");
    let output = assert_cmd::Command::cargo_bin("rapport")
        .expect("binary")
        .args(["portfolio", "--rev", "HEAD", "--format", "html"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8(output.stdout).expect("UTF-8 page")
}

#[test]
fn the_sample_portfolio_page_draws_its_charts_without_errors() {
    let Some(browser) = require_chromium() else {
        return;
    };
    let html = sample_page();
    let page = render(&browser, &html, 1000, 1250);
    assert_eq!(page.console, Vec::<String>::new(), "console messages");
    // The table and one section per partnership, each with its score chart and series.
    assert_eq!(page.dom.matches("<tr>").count(), 12, "a header and 11 rows");
    assert_eq!(page.dom.matches("class=\"partnership\"").count(), 11);
    assert_eq!(page.dom.matches("<svg class=\"spark\"").count(), 11);
    let charts = page.dom.matches("<svg class=\"chart\"").count();
    assert!(charts >= 11 * 3, "{charts} charts");
    assert!(
        // A browser's DOM: no chart drawn empty.
        !page.dom.contains("class=\"series\" d=\"\""),
        "an empty line"
    );
    // The pixels show the series' blue and the at-risk red, not a blank page.
    assert!(
        pixels_like(&page.png, [0x1f, 0x5f, 0xbf]) > 500,
        "no series drawn"
    );
    assert!(
        pixels_like(&page.png, [0xc6, 0x28, 0x28]) > 200,
        "no at-risk band drawn"
    );
    if std::env::var_os("RAPPORT_UPDATE_DOCS").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/docs/portfolio.png"),
            &page.png,
        )
        .expect("write docs/portfolio.png");
    }
}

#[test]
fn a_hostile_partner_name_stays_text_in_the_browser() {
    let Some(browser) = require_chromium() else {
        return;
    };
    let hostile = "\"Evil <script>document.title='pwned';console.error('ran')</script><img src=x onerror=\\\"console.error('img')\\\"><svg onload=alert(1)>\"";
    let file = partnership(
        hostile,
        "terms: { payment_days: 30, currency: EUR, renewal: 2025-03-01 }\n",
        "",
    );
    let script = Script::new().commit(
        "2025-01-10",
        "Add a partner",
        &[("partners/evil.md", &file)],
    );
    let output = assert_cmd::Command::cargo_bin("rapport")
        .expect("binary")
        .args(["portfolio", "--rev", "main", "--format", "html"])
        .current_dir(script.path())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    let html = String::from_utf8(output.stdout).expect("UTF-8");
    let page = render(&browser, &html, 390, 844);
    assert_eq!(page.console, Vec::<String>::new(), "console messages");
    assert!(
        page.dom
            // A browser's DOM: its title, and no live script, image or handler from the ledger.
            .contains("<title>Partnership portfolio, 2025-01-10</title>")
    );
    assert!(!page.dom.contains("<script"), "{}", page.dom);
    assert!(!page.dom.contains("<img"), "{}", page.dom);
    assert!(!page.dom.contains("onload=\"alert"), "{}", page.dom);
    // A browser's DOM: the hostile name as text.
    assert!(page.dom.contains("Evil &lt;script&gt;document.title="));
}

#[test]
fn a_script_in_the_page_would_be_caught() {
    // The checks above can fail: a page that runs a script is refused by the page's policy,
    // and the browser reports it on its console.
    let Some(browser) = require_chromium() else {
        return;
    };
    let html = sample_page().replace("<main>", "<main><script>console.error('ran')</script>");
    let page = render(&browser, &html, 600, 400);
    assert!(
        page.console
            .iter()
            // A browser's console: no Content Security Policy refusal.
            .any(|l| l.contains("Content Security Policy")),
        "{:?}",
        page.console
    );
}
