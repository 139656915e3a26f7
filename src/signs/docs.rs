//! `docs/rules.md` is generated from the catalog, so the page and `rapport explain` cannot
//! disagree. Regenerate with `RAPPORT_UPDATE_DOCS=1 cargo test docs_rules_page`.

use std::fmt::Write;

use super::catalog;
use super::{status_name, statuses_in_words};
use crate::ledger::model::Status;

fn page() -> String {
    let mut md = String::from(
        "# Rules\n\nGenerated from the rule catalog (`src/signs/rules/`); `rapport rules` lists the same rules and `rapport explain RULE` prints one page. Every setting lives in `rapport.yaml` under `rules.<id>`, next to `enabled` (default `true`) and `severity` (replaces the severity of every finding of the rule).\n\n| sign | rule | default severity | title |\n| --- | --- | --- | --- |\n",
    );
    for rule in catalog() {
        let i = rule.info();
        let _ = writeln!(
            md,
            "| {} | [`{}`](#{}) | {}{} | {} |",
            match i.sign.number {
                0 => i.sign.name.to_string(),
                n => format!("{n} {}", i.sign.name),
            },
            i.id,
            i.id,
            i.default_severity,
            if i.escalates { " / error" } else { "" },
            i.title
        );
    }
    md.push_str(
        "\n## Which rules run on which partnerships\n\nA rule runs on a partnership when the `status` of its current version is marked below. `onboarding` and `active` partnerships run every rule. A `prospect` has signed nothing yet: only the signs that show before a contract (tension, missing success metrics, offers that answer nothing, distress) apply. A `paused` partnership is expected to go quiet, so rules that expect activity (meetings, answers, early wins, senior attendance) stop. An `ending` partnership is winding down: plans, targets and scope no longer matter, money, support and people still do. An `ended` one only keeps its unpaid invoices and its acknowledgements.\n\n| rule |",
    );
    let statuses = Status::ALL;
    for status in statuses {
        let _ = write!(md, " `{}` |", status_name(status));
    }
    md.push_str("\n| --- |");
    for _ in statuses {
        md.push_str(" --- |");
    }
    md.push('\n');
    for rule in catalog() {
        let i = rule.info();
        let _ = write!(md, "| [`{}`](#{}) |", i.id, i.id);
        for status in statuses {
            md.push_str(if i.applies_to().contains(&status) {
                " yes |"
            } else {
                " no |"
            });
        }
        md.push('\n');
    }
    for rule in catalog() {
        let i = rule.info();
        let _ = write!(
            md,
            "\n## {}\n\n{}. {}. Default severity: {}. Runs on partnerships that are {}.\n\n### What it detects\n\n{}\n\n### Why it matters\n\n{}\n\n### Example\n\n```text\n{}\n```\n\n### How to fix it\n\n{}\n",
            i.id,
            i.title,
            match i.sign.number {
                0 => format!("Not a numbered sign: {}", i.sign.name),
                n => format!("Sign {n}: {}", i.sign.name),
            },
            i.default_severity,
            statuses_in_words(i.applies_to()),
            i.detects(),
            i.why,
            i.example,
            i.fix
        );
        let settings = i.settings();
        if !settings.is_empty() {
            md.push_str(
                "\n### Settings\n\n| key | default | meaning | allowed |\n| --- | --- | --- | --- |\n",
            );
            for s in settings {
                let allowed = if s.bounds.is_numeric() {
                    s.bounds.range()
                } else {
                    s.bounds.what.to_string()
                };
                let _ = writeln!(
                    md,
                    "| `{}` | `{}` | {} | {allowed} |",
                    s.key, s.default, s.meaning
                );
            }
        }
    }
    md
}

#[test]
fn docs_rules_page_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    let expected = page();
    if std::env::var_os("RAPPORT_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/docs"))
            .expect("create docs/");
        std::fs::write(path, &expected).expect("write docs/rules.md");
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date: run RAPPORT_UPDATE_DOCS=1 cargo test docs_rules_page"
    );
}

#[test]
fn prose_names_every_threshold_with_its_default() {
    // Thresholds are written `{key}` in the prose and shown with the declared default, so a
    // changed default changes the prose; a number written by hand next to a key would not.
    for rule in catalog() {
        let info = rule.info();
        let detects = info.detects();
        assert!(
            !detects.contains('{') && !detects.contains('}'),
            "{}: a placeholder names no threshold: {detects}",
            info.id
        );
        for setting in info.settings() {
            assert!(
                info.detects.contains(&format!("{{{}}}", setting.key))
                    || info.detects.contains(&format!("{{{}:%}}", setting.key)),
                "{}: the prose never states `{}`",
                info.id,
                setting.key
            );
            assert!(!setting.meaning.is_empty(), "{}.{}", info.id, setting.key);
        }
    }
}

#[test]
fn prose_shows_the_declared_default() {
    let info = super::find_rule("effort-disproportion").map(|r| r.info());
    let detects = info.map(|i| i.detects()).unwrap_or_default();
    assert!(detects.contains("`window_days` (180)"), "{detects}");
}
