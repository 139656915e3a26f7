//! SARIF 2.1.0 for code-scanning upload: the findings a change introduced or worsened and the
//! problems in its files, each with a stable fingerprint, plus the documentation of every rule
//! they come from. Built from `serde-sarif`'s types, which are generated from the SARIF schema.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, PhysicalLocation,
    PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use super::escape;
use crate::analysis::review::{PartnershipReview, Review, Reviewed, Status};
use crate::ledger::Diagnostic;
use crate::signs::{Fingerprint, RuleInfo, Severity, find_rule};

/// Where SARIF viewers find the schema; the one GitHub's documentation uses.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The rule id of results that are problems in a ledger file rather than warning signs.
pub const INVALID_FILE_RULE: &str = "invalid-ledger-file";

/// The key of rapport's fingerprint in `partialFingerprints`; a new version would start new
/// alerts, so it changes only when fingerprints do.
pub const FINGERPRINT_KEY: &str = "rapport/v1";

/// Everything but RFC 3986's unreserved characters and the path separator: file names become
/// valid URI references (`a b.md` → `a%20b.md`, `北.md` → `%E5%8C%97.md`).
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Writes the SARIF log of `review`, with paths as the review has them: relative to the ledger
/// root, which is the repository's top in the usual layout.
pub fn write(out: &mut dyn Write, review: &Review) -> io::Result<()> {
    write_under(out, review, "")
}

/// Writes the SARIF log of `review` for a ledger in a folder of its repository: `prefix` is that
/// folder relative to the repository's top, `/`-terminated (`ledger/`), or empty.
pub fn write_under(out: &mut dyn Write, review: &Review, prefix: &str) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(review, prefix))?;
    writeln!(out)
}

/// The SARIF log: one run whose results are the new and worsened findings and the diagnostics.
/// Only those: code scanning compares each upload with the branch's earlier ones itself, and
/// the others are not what the change did.
pub fn log(review: &Review, prefix: &str) -> Sarif {
    let introduced: Vec<(&PartnershipReview, &Reviewed)> = review
        .findings()
        .filter(|(_, r)| matches!(r.status, Status::New | Status::Worsened | Status::Silenced))
        .collect();
    let mut rule_ids: Vec<&str> = introduced.iter().map(|(_, r)| r.finding.rule).collect();
    if !review.diagnostics.is_empty() {
        rule_ids.push(INVALID_FILE_RULE);
    }
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let index = |id: &str| rule_ids.binary_search(&id).ok().map(to_i64);

    let mut results: Vec<SarifResult> = Vec::new();
    for (diagnostic, fingerprint) in review
        .diagnostics
        .iter()
        .zip(diagnostic_fingerprints(&review.diagnostics))
    {
        results.push(diagnostic_result(
            diagnostic,
            &fingerprint,
            index(INVALID_FILE_RULE),
            prefix,
        ));
    }
    for (partnership, reviewed) in &introduced {
        results.push(finding_result(
            partnership,
            reviewed,
            index(reviewed.finding.rule),
            prefix,
        ));
    }
    let rules: Vec<ReportingDescriptor> = rule_ids.iter().map(|id| rule(id)).collect();

    let driver = ToolComponent::builder()
        .name("rapport")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::from(driver))
        .invocations(vec![
            Invocation::builder().execution_successful(true).build(),
        ])
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// One fingerprint per diagnostic, stable while the problem stays (file, code and message, not
/// the line) and unique in the list: the second identical problem in a file gets its own.
/// Shared with the Code Quality report, whose fingerprints must be unique too.
pub fn diagnostic_fingerprints(diagnostics: &[Diagnostic]) -> Vec<Fingerprint> {
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let count = seen
                .entry((d.file.as_str(), d.code, d.message.as_str()))
                .or_default();
            let subject = format!("{}\0{}\0{count}", d.code, d.message);
            *count += 1;
            Fingerprint::new(INVALID_FILE_RULE, &d.file, &subject)
        })
        .collect()
}

fn finding_result(
    partnership: &PartnershipReview,
    reviewed: &Reviewed,
    rule_index: Option<i64>,
    prefix: &str,
) -> SarifResult {
    let finding = &reviewed.finding;
    let mut text = format!(
        "{}: {}",
        escape::sarif_text(&finding.location.name),
        escape::sarif_text(&finding.message)
    );
    if let (Status::Worsened, Some(before)) = (reviewed.status, &reviewed.before) {
        text.push_str(&format!(
            " (worse than at the merge base: {}, {})",
            before.severity,
            escape::sarif_text(&before.message)
        ));
    }
    if reviewed.status == Status::Silenced {
        text.push_str(&escape::sarif_text(&super::github::silenced_by(reviewed)));
    }
    let properties = bag([
        ("status", json!(reviewed.status.as_str())),
        ("partnership", json!(partnership.id)),
        ("sign", json!(finding.sign.name)),
    ]);
    let mut result = SarifResult::builder()
        .rule_id(finding.rule)
        .level(level(finding.severity))
        .message(Message::from(text.as_str()))
        .locations(vec![location(
            prefix,
            &finding.location.file,
            finding.location.line,
            0,
        )])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            finding.fingerprint.0.clone(),
        )]))
        // SARIF's own words for what a change did to a result, for viewers that compare runs.
        .baseline_state(json!(match (reviewed.status, &reviewed.before) {
            (Status::Worsened, _) => "updated",
            (Status::Silenced, Some(_)) => "unchanged",
            _ => "new",
        }))
        .properties(properties)
        .build();
    result.rule_index = rule_index;
    result
}

fn diagnostic_result(
    diagnostic: &Diagnostic,
    fingerprint: &Fingerprint,
    rule_index: Option<i64>,
    prefix: &str,
) -> SarifResult {
    let mut text = escape::sarif_text(&diagnostic.message);
    if let Some(help) = &diagnostic.help {
        text.push_str(" — ");
        text.push_str(&escape::sarif_text(help));
    }
    let mut result = SarifResult::builder()
        .rule_id(INVALID_FILE_RULE)
        .level(ResultLevel::Error)
        .message(Message::from(text.as_str()))
        .locations(vec![location(
            prefix,
            &diagnostic.file,
            diagnostic.line,
            diagnostic.column,
        )])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            fingerprint.0.clone(),
        )]))
        .properties(bag([("code", json!(diagnostic.code))]))
        .build();
    result.rule_index = rule_index;
    result
}

/// A line in a file of the repository. A problem with the whole file (line 0) points at its
/// first line: code scanning needs a line to show an alert on.
fn location(prefix: &str, file: &str, line: usize, column: usize) -> Location {
    let uri = utf8_percent_encode(&format!("{prefix}{file}"), URI_PATH).to_string();
    let mut region = Region::builder().start_line(to_i64(line.max(1))).build();
    if line > 0 && column > 0 {
        region.start_column = Some(to_i64(column));
    }
    let physical = PhysicalLocation::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(uri)
                .uri_base_id("%SRCROOT%")
                .build(),
        )
        .region(region)
        .build();
    Location::builder().physical_location(physical).build()
}

/// A rule's documentation, from the catalog; the rule behind invalid files is documented here.
fn rule(id: &str) -> ReportingDescriptor {
    if id == INVALID_FILE_RULE {
        return invalid_file_rule();
    }
    let Some(info) = find_rule(id).map(|r| r.info()) else {
        // Not in this build's catalog: still a valid, if undocumented, rule.
        return ReportingDescriptor::builder()
            .id(id)
            .name(pascal_case(id))
            .build();
    };
    ReportingDescriptor::builder()
        .id(info.id)
        .name(pascal_case(info.id))
        .short_description(text(info.title))
        .full_description(text(&info.detects()))
        .help(
            MultiformatMessageString::builder()
                .text(info.fix)
                .markdown(help_markdown(info))
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(info.default_severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec![info.sign.name.to_string()])
                .build(),
        )
        .build()
}

fn invalid_file_rule() -> ReportingDescriptor {
    let help = "Fix the file as the message says; `rapport check` shows every problem with the \
        offending line quoted. Until the file is valid, its partnership is not analysed.";
    ReportingDescriptor::builder()
        .id(INVALID_FILE_RULE)
        .name(pascal_case(INVALID_FILE_RULE))
        .short_description(text("A partnership file is invalid"))
        .full_description(text(
            "A partnership file that cannot be read: YAML that does not parse, a field that is \
             unknown or has the wrong type, a value out of range.",
        ))
        .help(text(help))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(Severity::Error)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec!["ledger hygiene".to_string()])
                .build(),
        )
        .build()
}

/// Why it matters, an example history and the fix, as GitHub shows a rule's help.
fn help_markdown(info: &RuleInfo) -> String {
    format!(
        "{}\n\n**Example**\n\n```text\n{}\n```\n\n**How to fix it**\n\n{}",
        info.why, info.example, info.fix
    )
}

fn text(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text).build()
}

fn bag<const N: usize>(entries: [(&str, Value); N]) -> PropertyBag {
    PropertyBag::builder()
        .additional_properties(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        )
        .build()
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `payment-terms-slip` → `PaymentTermsSlip`, the readable name SARIF asks for.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .chain(chars)
        })
        .collect()
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn render(review: &Review) -> String {
        let mut out = Vec::new();
        write(&mut out, review).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }

    fn schema_validator() -> jsonschema::Validator {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sarif-schema-2.1.0.json"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            panic!("{path}: {e} (the official SARIF 2.1.0 schema, see tests/fixtures/README.md)")
        });
        let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles")
    }

    fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
        validator
            .iter_errors(document)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }

    /// Every review the fixture has, plus one whose paths need percent-encoding.
    fn reviews() -> Vec<Review> {
        let mut odd_paths = fixture::invalid_review();
        odd_paths.diagnostics[0].file = "partners/a b,c:d/北风 #1?.md".into();
        odd_paths.diagnostics[0].line = 3;
        odd_paths.diagnostics[0].column = 7;
        vec![
            fixture::review(),
            fixture::quiet_review(),
            fixture::invalid_review(),
            odd_paths,
        ]
    }

    #[test]
    fn sarif_of_the_fixture_review() {
        insta::assert_snapshot!(render(&fixture::review()));
    }

    #[test]
    fn sarif_carries_a_silenced_finding_and_stays_valid() {
        let output = render(&fixture::silenced_review());
        let document: Value = serde_json::from_str(&output).expect("valid JSON");
        assert!(schema_errors(&schema_validator(), &document).is_empty());
        assert_eq!(
            document["runs"][0]["results"][0]["properties"]["status"],
            "silenced"
        );
        insta::assert_snapshot!(output);
    }

    #[test]
    fn sarif_of_an_invalid_file() {
        insta::assert_snapshot!(render(&fixture::invalid_review()));
    }

    #[test]
    fn output_follows_the_official_sarif_schema() {
        let validator = schema_validator();
        for review in reviews() {
            let document: Value = serde_json::from_str(&render(&review)).expect("valid JSON");
            let errors = schema_errors(&validator, &document);
            assert!(errors.is_empty(), "{errors:#?}");
        }
    }

    #[test]
    fn the_schema_check_rejects_a_broken_log() {
        // Guards the test above against a validator that accepts anything.
        let validator = schema_validator();
        let mut document: Value =
            serde_json::from_str(&render(&fixture::review())).expect("valid JSON");
        document["runs"][0]["results"][0]["level"] = json!("fatal");
        document["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
            json!(0);
        document["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["rank"] =
            json!(101);
        // Formats are checked too (`uri`; the draft-04 schema has no `uri-reference`).
        document["$schema"] = json!("not a uri");
        document["runs"][0]["tool"]["driver"]["rules"][0]["id"] = json!(7);
        let errors = schema_errors(&validator, &document);
        assert_eq!(errors.len(), 5, "{errors:#?}");
    }

    #[test]
    fn results_are_the_new_and_worsened_findings_and_the_diagnostics() {
        let log = serde_json::to_value(log(&fixture::review(), "")).expect("serialises");
        let results = log["runs"][0]["results"].as_array().expect("results");
        let statuses: Vec<&str> = results
            .iter()
            .filter_map(|r| r["properties"]["status"].as_str())
            .collect();
        assert_eq!(statuses, ["new", "worsened"]);
        for result in results {
            let id = result["ruleId"].as_str().expect("ruleId");
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(log["runs"][0]["tool"]["driver"]["rules"][index]["id"], id);
        }

        let log =
            serde_json::to_value(super::log(&fixture::invalid_review(), "")).expect("serialises");
        let results = log["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), 1);
        assert_eq!(results[0]["ruleId"], INVALID_FILE_RULE);
        assert_eq!(results[0]["level"], "error");
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"][0]["id"],
            INVALID_FILE_RULE
        );
    }

    #[test]
    fn fingerprints_do_not_depend_on_lines_or_wording() {
        let fingerprints = |review: &Review| -> Vec<Value> {
            let log = serde_json::to_value(log(review, "")).expect("serialises");
            log["runs"][0]["results"]
                .as_array()
                .expect("results")
                .iter()
                .map(|r| r["partialFingerprints"][FINGERPRINT_KEY].clone())
                .collect()
        };
        let before = fixture::review();
        let mut after = fixture::review();
        for p in &mut after.partnerships {
            for r in &mut p.findings {
                r.finding.location.line += 17;
                r.finding.message.push_str(", reworded");
            }
        }
        assert_eq!(fingerprints(&before), fingerprints(&after));
        assert_eq!(
            fingerprints(&before)[0],
            json!(before.partnerships[0].findings[0].finding.fingerprint.0)
        );
    }

    #[test]
    fn identical_diagnostics_get_distinct_fingerprints() {
        let mut review = fixture::invalid_review();
        let mut twin = review.diagnostics[0].clone();
        twin.line = 9;
        review.diagnostics.push(twin);
        let fingerprints = diagnostic_fingerprints(&review.diagnostics);
        assert_ne!(fingerprints[0], fingerprints[1]);
        assert_eq!(fingerprints, diagnostic_fingerprints(&review.diagnostics));
    }

    #[test]
    fn paths_become_uri_references_under_the_prefix() {
        let mut review = fixture::invalid_review();
        review.diagnostics[0].file = "partners/a b,北.md".into();
        let log = serde_json::to_value(log(&review, "ledger/")).expect("serialises");
        let artifact =
            &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uri"], "ledger/partners/a%20b%2C%E5%8C%97.md");
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    }

    #[test]
    fn hostile_text_stays_on_one_visible_line() {
        let log = serde_json::to_value(log(&fixture::review(), "")).expect("serialises");
        for result in log["runs"][0]["results"].as_array().expect("results") {
            let text = result["message"]["text"].as_str().expect("text");
            assert!(
                !text.contains(['\n', '\r', '\u{1b}', '\u{202e}']),
                "{text:?}"
            );
        }
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal_case("payment-terms-slip"), "PaymentTermsSlip");
        assert_eq!(pascal_case(INVALID_FILE_RULE), "InvalidLedgerFile");
    }
}
