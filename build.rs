// The sample ledger is embedded in the binary (see src/sample.rs): rebuild when it changes.
fn main() {
    println!("cargo:rerun-if-changed=sample-ledger");
}
