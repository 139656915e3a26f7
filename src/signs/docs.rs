//! `docs/rules.md` is generated from the catalog, so the page and `rapport explain` cannot
//! disagree. Regenerate with `RAPPORT_UPDATE_DOCS=1 cargo test docs_rules_page`.

use std::fmt::Write;

use super::catalog;

fn page() -> String {
    let mut md = String::from(
        "# Rules\n\nGenerated from the rule catalog (`src/signs/rules/`); `rapport rules` lists the same rules and `rapport explain RULE` prints one page. Every setting lives in `rapport.yaml` under `rules.<id>`, next to `enabled` (default `true`) and `severity` (replaces the severity of every finding of the rule).\n\n| sign | rule | default severity | title |\n| --- | --- | --- | --- |\n",
    );
    for rule in catalog() {
        let i = rule.info();
        let _ = writeln!(
            md,
            "| {} {} | [`{}`](#{}) | {}{} | {} |",
            i.sign.number,
            i.sign.name,
            i.id,
            i.id,
            i.default_severity,
            if i.escalates { " / error" } else { "" },
            i.title
        );
    }
    for rule in catalog() {
        let i = rule.info();
        let _ = write!(
            md,
            "\n## {}\n\n{}. Sign {}: {}. Default severity: {}.\n\n### What it detects\n\n{}\n\n### Why it matters\n\n{}\n\n### Example\n\n```text\n{}\n```\n\n### How to fix it\n\n{}\n",
            i.id,
            i.title,
            i.sign.number,
            i.sign.name,
            i.default_severity,
            i.detects,
            i.why,
            i.example,
            i.fix
        );
        if !i.settings.is_empty() {
            md.push_str(
                "\n### Settings\n\n| key | default | meaning | allowed |\n| --- | --- | --- | --- |\n",
            );
            for s in i.settings {
                let allowed = super::Settings::bounds_of(i.id, s.key).map_or_else(
                    || "a level on the ladder".to_string(),
                    |b| {
                        if b.is_numeric() {
                            b.range()
                        } else {
                            b.what.to_string()
                        }
                    },
                );
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
        std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/docs")).unwrap();
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date: run RAPPORT_UPDATE_DOCS=1 cargo test docs_rules_page"
    );
}

#[test]
fn settings_docs_match_the_defaults() {
    // Every documented key exists in the rule's settings block with the documented default.
    let defaults = serde_json::to_value(super::Settings::default()).unwrap();
    for rule in catalog() {
        let info = rule.info();
        let block = &defaults[info.id];
        let keys: Vec<&String> = block.as_object().unwrap().keys().collect();
        for doc in info.settings {
            let value = &block[doc.key];
            assert!(!value.is_null(), "{}: no setting `{}`", info.id, doc.key);
            let shown = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(shown, doc.default, "{}.{}", info.id, doc.key);
        }
        // enabled, severity (skipped when unset) and the documented keys.
        assert_eq!(
            keys.len(),
            info.settings.len() + 1,
            "{}: undocumented settings",
            info.id
        );
    }
}
