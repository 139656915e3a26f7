//! Arbitrary bytes as `rapport.yaml`; when they parse, every rule runs with that configuration
//! over the sample ledger's timelines (built in memory from its scripted history), at "now"s
//! from the calendar's first day to its last and with commits dated at its ends: findings or
//! nothing, never a panic.
#![no_main]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use rapport::config::Config;
use rapport::ledger::parse::parse_partnership;
use rapport::ledger::{Commit, Content, Date, Ladder, Timeline, Version};
use rapport::sample::{SAMPLE, Source, script};

/// The sample's file versions in commit order: (ledger path, bytes, commit date).
fn versions() -> &'static Vec<(String, Vec<u8>, Date)> {
    static VERSIONS: OnceLock<Vec<(String, Vec<u8>, Date)>> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        let script = script(&SAMPLE).expect("the sample has a script");
        let mut out = Vec::new();
        for commit in &script.commits {
            let date = chrono::DateTime::parse_from_rfc3339(&commit.date)
                .map(|t| Date(t.date_naive()))
                .expect("the sample's dates are RFC 3339");
            for (path, from) in &commit.write {
                if path.ends_with(".md") {
                    let bytes = SAMPLE.read(from).expect("the sample's files exist");
                    out.push((path.clone(), bytes, date));
                }
            }
        }
        out
    })
}

/// The sample's timelines, one per path, with each version dated by `date(n, real date)`.
fn timelines(ladder: &Ladder, date: impl Fn(usize, Date) -> Date) -> Vec<Timeline> {
    let mut by_path: BTreeMap<&str, Timeline> = BTreeMap::new();
    for (n, (path, bytes, real)) in versions().iter().enumerate() {
        let day = date(n, *real);
        let commit = Arc::new(Commit {
            id: format!("{n:040x}"),
            short: format!("{n:08x}"),
            author: "Fuzz".into(),
            time: 0,
            date: day,
            summary: "a version".into(),
        });
        let content = Content::from_parse(parse_partnership(path, bytes, ladder));
        let timeline = by_path.entry(path).or_insert_with(|| Timeline {
            id: path.clone(),
            versions: Vec::new(),
            ..Default::default()
        });
        let parent = timeline.versions.len().checked_sub(1);
        timeline.versions.push(Version {
            commit,
            path: path.clone(),
            content,
            parent,
            date: day,
        });
    }
    by_path.into_values().collect()
}

fn day(y: i32, m: u32, d: u32) -> Date {
    Date(NaiveDate::from_ymd_opt(y, m, d).expect("a real day"))
}

fuzz_target!(|data: &[u8]| {
    let config = match Config::parse("rapport.yaml", data) {
        Ok(config) => config,
        Err(diagnostics) => {
            assert!(
                !diagnostics.is_empty(),
                "a refused configuration always says why"
            );
            return;
        }
    };
    let histories = [
        // As committed.
        timelines(&config.ladder, |_, real| real),
        // Every commit at the calendar's first day (a commit time chrono cannot place).
        timelines(&config.ladder, |_, _| Date(NaiveDate::MIN)),
        // Climbing to the calendar's last day.
        timelines(&config.ladder, |n, _| {
            Date(NaiveDate::MAX - chrono::Days::new(100 - n.min(100) as u64))
        }),
    ];
    let nows = [
        Date(NaiveDate::MIN),
        day(0, 1, 1),
        day(1, 1, 1),
        day(2024, 6, 30),
        day(2025, 7, 1),
        day(9999, 12, 31),
        Date(NaiveDate::MAX),
    ];
    let texts: BTreeMap<&str, String> = versions()
        .iter()
        .map(|(path, bytes, _)| (path.as_str(), String::from_utf8_lossy(bytes).into_owned()))
        .collect();
    let source = |path: &str| texts.get(path).cloned();
    for timelines in &histories {
        for now in nows {
            let findings = rapport::analysis::run_rules(timelines, &config, now, &source);
            for finding in &findings {
                assert!(!finding.message.is_empty(), "a finding always says what");
            }
        }
    }
});
