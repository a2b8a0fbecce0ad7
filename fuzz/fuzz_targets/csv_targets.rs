//! A cycle's target list (an uploaded file of employee numbers): any bytes. Besides not
//! panicking: every number read is a valid employee number, read at most once, at a line of
//! the file; the plan against a register accounts for every number (planned, already a
//! target, or refused with its line) and refuses a file without numbers.
#![no_main]

use domain::cycle::list::{read_number_list, Listed};
use domain::employee::EmployeeNumber;
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

fuzz_target!(|bytes: &[u8]| {
    let Ok(list) = read_number_list(bytes) else { return };
    let lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
    let mut seen = HashSet::new();
    for (line, n) in &list.numbers {
        assert!(*line >= 1 && *line <= lines, "line {line} of a file of {lines}");
        assert_eq!(EmployeeNumber::parse(n.as_str()).as_ref(), Ok(n), "a listed number does not read as itself");
        assert!(seen.insert(n.as_str().to_string()), "a number listed twice");
    }
    for e in &list.errors {
        assert!(e.line >= 1 && e.line <= lines);
    }
    // A register holding the numbers whose last byte is even; of those, the ones ending in 0
    // have retired, and those ending in 2 are targets already.
    let last = |n: &str| n.bytes().last().unwrap_or(b'1');
    let lookup = |n: &str| (last(n) % 2 == 0).then(|| Listed { employee: i64::from(last(n)), retired: last(n) == b'0' });
    match list.plan(lookup, |e| e == i64::from(b'2')) {
        Ok(plan) => {
            assert!(list.errors.is_empty() && !list.numbers.is_empty());
            assert_eq!(plan.new.len() + plan.already, list.numbers.len());
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors.windows(2).all(|w| w[0].line <= w[1].line));
            assert!(errors.len() >= list.errors.len());
        }
    }
});
