//! Property tests over wide input: whatever a person (or a bad merge) writes into a partnership
//! file, parsing returns a snapshot or positioned diagnostics, and never panics.

use proptest::prelude::*;
use rapport::ledger::Ladder;
use rapport::ledger::parse::parse_partnership;

const VALID: &str = "---
rapport: 1
partner: Northwind Analytics
status: active
owner: Priya Raman
terms: { payment_days: 30, price: 120000, currency: EUR }
kpis:
  - { id: pipeline, target: 400000, actual: 90000, as_of: 2024-06-30 }
---
## 2024-06-12 QBR
Attendees: Dana Whitfield

- [ ] partner: send the plan (due 2024-06-30)
";

fn check(bytes: &[u8]) {
    let line_count = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    match parse_partnership("partners/p.md", bytes, &Ladder::default()) {
        Ok(snapshot) => assert_eq!(snapshot.path, "partners/p.md"),
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty());
            for d in diagnostics {
                assert!(
                    d.line <= line_count + 1,
                    "line {} beyond the file ({line_count} lines): {d:?}",
                    d.line
                );
                assert!(!d.message.is_empty());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_text_after_a_fence_never_panics(text in "\\PC{0,400}") {
        check(format!("---\n{text}\n---\n").as_bytes());
    }

    #[test]
    fn a_valid_file_with_one_line_replaced_never_panics(line in 0usize..14, replacement in "[ -~]{0,60}") {
        let mut lines: Vec<String> = VALID.lines().map(str::to_string).collect();
        if line < lines.len() {
            lines[line] = replacement;
        }
        check(lines.join("\n").as_bytes());
    }

    #[test]
    fn a_valid_file_cut_anywhere_never_panics(cut in 0usize..400) {
        let cut = cut.min(VALID.len());
        check(&VALID.as_bytes()[..cut]);
    }
}
