//! The employee register import (`careerdock import employees`, the HR upload): any bytes.
//! Besides not panicking: errors are sorted by line and say something in both languages; a
//! file that parses writes back (UTF-8, both header languages) to a file that parses to the
//! same records; the import plan over an empty register orders every boss before the people
//! reporting to them.
#![no_main]

use careerdock_fuzz::today;
use domain::import::{parse_employee_csv, parse_employee_csv_partial, write_employee_csv, RowError, SourceEncoding};
use domain::register::plan_import;
use domain::Locale;
use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeSet, HashMap};

fn check_errors(errors: &[RowError]) {
    assert!(errors.windows(2).all(|w| w[0].line <= w[1].line), "errors not sorted by line");
    for e in errors {
        assert!(!e.describe(Locale::Ja).is_empty() && !e.describe(Locale::En).is_empty());
    }
}

fuzz_target!(|bytes: &[u8]| {
    let partial = parse_employee_csv_partial(bytes, today());
    let full = parse_employee_csv(bytes, today());
    match (&partial, &full) {
        (Err(a), Err(b)) => {
            assert!(!a.is_empty());
            assert_eq!(a, b, "the whole-file errors differ between the two readers");
        }
        (Ok(p), Err(e)) => {
            assert!(!p.errors.is_empty(), "the partial reader found no problem, the full one did");
            assert_eq!(&p.errors, e);
            check_errors(&p.errors);
        }
        (Ok(p), Ok(f)) => {
            assert!(p.errors.is_empty());
            assert_eq!(p.rows, f.rows);
        }
        (Err(_), Ok(_)) => panic!("the full reader accepted what the partial one refused as a whole"),
    }
    let Ok(parsed) = full else { return };
    assert!(!parsed.rows.is_empty());
    let records: Vec<_> = parsed.rows.iter().map(|r| r.record.clone()).collect();
    for japanese in [true, false] {
        let written = write_employee_csv(&records, SourceEncoding::Utf8, japanese);
        let again = match parse_employee_csv(&written, today()) {
            Ok(p) => p,
            Err(e) => panic!("a written register does not read back: {:?}", e.iter().map(|e| e.describe(Locale::En)).collect::<Vec<_>>()),
        };
        let back: Vec<_> = again.rows.into_iter().map(|r| r.record).collect();
        assert_eq!(back, records, "a register changed on its way through a file");
    }
    if let Ok(plan) = plan_import(&HashMap::new(), &BTreeSet::new(), &parsed.rows) {
        assert_eq!(plan.created(), parsed.rows.len());
        let mut placed = std::collections::HashSet::new();
        for row in &plan.rows {
            if let Some(boss) = &row.record.boss_number {
                let in_file = records.iter().any(|r| &r.number == boss);
                assert!(!in_file || placed.contains(boss), "a boss comes after someone reporting to them");
            }
            placed.insert(row.record.number.clone());
        }
    }
});
