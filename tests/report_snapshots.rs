//! Snapshots of what people and machines read, on the sample ledger replayed into a repository:
//! the text report, the JSON document and a partnership's timeline. The replay is deterministic
//! (fixed authors, dates and contents), so commit ids are too. Review a changed snapshot like code.

mod common;

use std::path::Path;

use common::Test;

fn replayed() -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let sample = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/sample-ledger"));
    let script = rapport::sample::script(&rapport::sample::Folder(sample)).expect("history.yaml");
    rapport::sample::replay(&rapport::sample::Folder(sample), &script, dir.path()).expect("replay");
    dir
}

/// Standard output of `rapport ARGS`, which must exit 0 with nothing on standard error; the
/// snapshots (which predate the whole-run ones) hold standard output alone.
#[track_caller]
fn run(dir: &Path, args: &[&str]) -> String {
    Test::in_dir(dir).args(args).any_stdout().run().stdout
}

#[test]
fn check_text_on_the_sample() {
    let dir = replayed();
    insta::assert_snapshot!(run(
        dir.path(),
        &["check", "--rev", "HEAD", "--fail-on", "never"]
    ));
}

#[test]
fn check_json_on_the_sample() {
    let dir = replayed();
    insta::assert_snapshot!(run(
        dir.path(),
        &[
            "check",
            "--rev",
            "HEAD",
            "--fail-on",
            "never",
            "--format",
            "json"
        ]
    ));
}

#[test]
fn timeline_text_of_a_troubled_partnership() {
    let dir = replayed();
    insta::assert_snapshot!(run(dir.path(), &["timeline", "kestrel"]));
}

#[test]
fn timeline_json_of_a_chinese_partnership() {
    let dir = replayed();
    insta::assert_snapshot!(run(dir.path(), &["timeline", "huaxin", "--format", "json"]));
}

/// The pull-request report of the sample's branch in one format.
fn pull_request(format: &str) -> String {
    let dir = replayed();
    run(
        dir.path(),
        &[
            "report",
            "--base",
            "main",
            "--head",
            "q3-partner-updates",
            "--format",
            format,
        ],
    )
}

#[test]
fn report_text_of_the_sample_pull_request() {
    insta::assert_snapshot!(pull_request("text"));
}

#[test]
fn report_markdown_of_the_sample_pull_request() {
    insta::assert_snapshot!(pull_request("markdown"));
}

#[test]
fn report_json_of_the_sample_pull_request() {
    insta::assert_snapshot!(pull_request("json"));
}

#[test]
fn report_sarif_of_the_sample_pull_request() {
    insta::assert_snapshot!(pull_request("sarif"));
}

#[test]
fn report_github_of_the_sample_pull_request() {
    insta::assert_snapshot!(pull_request("github"));
}

#[test]
fn report_gitlab_of_the_sample_pull_request() {
    insta::assert_snapshot!(pull_request("gitlab"));
}

#[test]
fn every_output_file_is_the_same_report_as_its_format_on_stdout() {
    let dir = replayed();
    let out = tempfile::TempDir::new().expect("temp dir");
    let mut args: Vec<String> = ["report", "--base", "main", "--head", "q3-partner-updates"]
        .map(String::from)
        .to_vec();
    for format in ["text", "markdown", "json", "sarif", "github", "gitlab"] {
        args.push("--output".into());
        args.push(format!("{format}={}", out.path().join(format).display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(dir.path(), &args);
    for format in ["text", "markdown", "json", "sarif", "github", "gitlab"] {
        let written = std::fs::read_to_string(out.path().join(format)).expect("written");
        assert_eq!(written, pull_request(format), "{format}");
    }
}

#[test]
fn portfolio_text_of_the_sample() {
    let dir = replayed();
    insta::assert_snapshot!(run(dir.path(), &["portfolio", "--rev", "HEAD"]));
}

#[test]
fn portfolio_scores_of_the_sample_are_ordered_by_the_weight_of_their_findings() {
    // The score is 100 halved for every `halving` points the open findings weigh (each its
    // severity's points, each sign with one `per_sign` more): the heavier a partnership's
    // trouble, the lower its score, with no floor where partnerships stop being told apart.
    let dir = replayed();
    let doc: serde_json::Value = serde_json::from_str(&run(
        dir.path(),
        &["portfolio", "--rev", "HEAD", "--format", "json"],
    ))
    .expect("JSON");
    let formula = &doc["formula"];
    let weight = |key: &str| formula[key].as_f64().expect("a weight");
    let mut scored: Vec<(f64, u64, String)> = doc["partnerships"]
        .as_array()
        .expect("partnerships")
        .iter()
        .map(|p| {
            let findings = p["findings"].as_array().expect("findings");
            let points: f64 = findings
                .iter()
                .map(|f| weight(f["severity"].as_str().expect("severity")))
                .sum::<f64>()
                + weight("per_sign") * p["signs"].as_array().expect("signs").len() as f64;
            let score = p["score"].as_u64().expect("score");
            let sentence = 100.0 * 0.5_f64.powf(points / weight("halving"));
            assert_eq!(score, sentence.round() as u64, "{}", p["id"]);
            (points, score, p["id"].to_string())
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(
        scored.len() >= 8 && scored.last().is_some_and(|s| s.1 > 0),
        "{scored:?}"
    );
    for pair in scored.windows(2) {
        let ((lighter, a, _), (heavier, b, _)) = (&pair[0], &pair[1]);
        if heavier > lighter {
            assert!(a > b, "{scored:?}");
        } else {
            assert_eq!(a, b, "{scored:?}");
        }
    }
}

#[test]
fn portfolio_markdown_of_the_sample() {
    let dir = replayed();
    insta::assert_snapshot!(run(
        dir.path(),
        &["portfolio", "--rev", "HEAD", "--format", "markdown"]
    ));
}
