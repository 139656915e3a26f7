//! The committed JSON Schemas are generated from the Rust types; a stale file fails here.

use rapport::cli::SchemaKind;
use rapport::commands::schema::render;

fn assert_fresh(kind: SchemaKind, file: &str) {
    let generated = render(kind).expect("schema renders");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{file} is stale: regenerate it with `cargo run -- schema{} > {file}`",
        match kind {
            SchemaKind::Config => " --of config",
            SchemaKind::Check => " --of check",
            SchemaKind::Report => " --of report",
            SchemaKind::Portfolio => " --of portfolio",
            SchemaKind::Digest => " --of digest",
            SchemaKind::Partnership => "",
        }
    );
}

#[test]
fn partnership_schema_is_fresh() {
    assert_fresh(SchemaKind::Partnership, "schema/partnership.schema.json");
}

#[test]
fn config_schema_is_fresh() {
    assert_fresh(SchemaKind::Config, "schema/rapport.schema.json");
}

#[test]
fn check_output_schema_is_fresh() {
    assert_fresh(SchemaKind::Check, "schema/check.schema.json");
}

#[test]
fn report_output_schema_is_fresh() {
    assert_fresh(SchemaKind::Report, "schema/report.schema.json");
}

#[test]
fn portfolio_output_schema_is_fresh() {
    assert_fresh(SchemaKind::Portfolio, "schema/portfolio.schema.json");
}

#[test]
fn schema_names_every_top_level_field_of_the_format() {
    let schema: serde_json::Value =
        serde_json::from_str(&render(SchemaKind::Partnership).expect("schema")).expect("json");
    let fields: Vec<&str> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    for field in [
        "rapport",
        "id",
        "partner",
        "status",
        "owner",
        "since",
        "launched",
        "plan",
        "contacts",
        "terms",
        "money",
        "effort",
        "kpis",
        "slas",
        "scope",
        "requirements",
        "offers",
        "invoices",
        "support",
        "satisfaction",
        "wins",
        "events",
        "acknowledged",
    ] {
        // A list's membership: the field among the schema's.
        assert!(fields.contains(&field), "{field} missing from the schema");
    }
    assert_eq!(
        schema["required"],
        serde_json::json!(["rapport", "partner", "status", "owner"])
    );
}

#[test]
fn digest_output_schema_is_fresh() {
    assert_fresh(SchemaKind::Digest, "schema/digest.schema.json");
}
