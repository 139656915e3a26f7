//! Arbitrary bytes as `rapport.yaml`: a configuration or diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapport::config::Config;

fuzz_target!(|data: &[u8]| {
    if let Err(diagnostics) = Config::parse("rapport.yaml", data) {
        assert!(
            !diagnostics.is_empty(),
            "a refused configuration always says why"
        );
    }
});
