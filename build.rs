// The sample ledger is embedded in the binary (see src/sample.rs): rebuild when it changes.
fn main() {
    println!("cargo:rerun-if-changed=sample-ledger");
    parser_id();
}

/// A hash of what parsing a partnership file and walking the history depend on (the `ledger`
/// sources, `numbers.rs`, the walk, the store and the locked dependencies), so the cache kept
/// between runs (see `history::store`) never hands one build what another build's parser or
/// walk wrote.
fn parser_id() {
    use std::hash::{Hash, Hasher};
    let mut files = vec![
        std::path::PathBuf::from("src/numbers.rs"),
        std::path::PathBuf::from("src/history/store.rs"),
        std::path::PathBuf::from("Cargo.lock"),
    ];
    let mut folders = vec![
        std::path::PathBuf::from("src/ledger"),
        std::path::PathBuf::from("src/history/walk"),
    ];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        file.hash(&mut hasher);
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    println!("cargo:rustc-env=RAPPORT_PARSER_ID={:016x}", hasher.finish());
}
