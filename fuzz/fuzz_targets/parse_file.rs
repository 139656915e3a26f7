//! Arbitrary bytes as a partnership file: the parser must return a snapshot or diagnostics,
//! never panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapport::ledger::Ladder;
use rapport::ledger::parse::parse_partnership;

fuzz_target!(|data: &[u8]| {
    let ladder = Ladder::default();
    if let Err(diagnostics) = parse_partnership("partners/fuzz.md", data, &ladder) {
        assert!(!diagnostics.is_empty(), "a refused file always says why");
    }
});
