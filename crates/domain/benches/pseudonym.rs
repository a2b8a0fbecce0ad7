//! The pseudonymizer at the scale of a large company, timed and printed (never asserted):
//!
//! ```sh
//! cargo bench -p careerdock-domain --bench pseudonym            # 1,200 and 100,000 people
//! cargo bench -p careerdock-domain --bench pseudonym -- 20000   # other sizes
//! ```
//!
//! For each size: the name index built from a synthetic register (many shared family and given
//! names) and from one whose every name is distinct (the automaton's worst case), with and
//! without the demo's department tree (one department for forty people); then the mean time to
//! mask a report of about 1,500 characters that names people, one that also names departments
//! and ages, and one that names people in Latin letters, by employee number and by e-mail
//! address. What these texts produce is checked by the unit tests of `pseudonym::tests::scale`
//! on the same synthetic company at a small size.

use careerdock_domain::pseudonym::{KnownPerson, MaskLabels, NameIndex};
use std::time::{Duration, Instant};

#[path = "../src/pseudonym/tests/synthetic.rs"]
mod synthetic;
use synthetic::*;

const REPORTS: usize = 500;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.replace(['_', ','], "").parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_200, 100_000] } else { sizes };
    for size in sizes {
        run(size.max(1));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Mean time to mask one text, and the characters out (so that nothing is optimized away).
fn mask_each(index: &NameIndex, texts: &[String]) -> (Duration, usize) {
    let labels = MaskLabels::ja("K-BNCH-0001");
    let start = Instant::now();
    let mut chars = 0;
    for (i, text) in texts.iter().enumerate() {
        chars += index.mask(text, Some(i as i64 + 1), Some(i as i64 + 2), &labels).len();
    }
    (start.elapsed() / texts.len().max(1) as u32, chars)
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn run(size: usize) {
    let mut rng = Lcg(20_261_125);
    let departments = demo_departments((size / 40).max(30));
    println!("pseudonymizer, {size} people, {} departments, {REPORTS} reports of ~1,500 characters", departments.len());
    let companies: [(&str, Vec<KnownPerson>); 2] =
        [("synthetic register", synthetic_people(size, &mut rng)), ("every name distinct", distinct_people(size, &mut rng))];
    for (what, people) in &companies {
        let names: Vec<String> = (0..REPORTS).map(|_| names_text(people, 1_500, &mut rng).0).collect();
        let rich: Vec<String> = (0..REPORTS).map(|_| rich_text(people, &departments, 1_500, &mut rng).0).collect();
        let identifiers: Vec<String> = (0..REPORTS).map(|_| identifiers_text(people, 1_500, &mut rng).0).collect();
        let (names_only, names_build) = timed(|| NameIndex::new(people));
        let (with_departments, departments_build) = timed(|| NameIndex::with_departments(people, &departments));
        let (a, out_a) = mask_each(&names_only, &names);
        let (b, out_b) = mask_each(&with_departments, &names);
        let (c, out_c) = mask_each(&with_departments, &rich);
        let (d, out_d) = mask_each(&with_departments, &identifiers);
        println!("  {what}: {names_only:?}");
        println!("    index build, names only:          {:>9.1} ms", ms(names_build));
        println!("    index build, with departments:    {:>9.1} ms", ms(departments_build));
        println!("    mask one report, names only:      {:>9.3} ms", ms(a));
        println!("    mask one report, with departments:{:>9.3} ms", ms(b));
        println!("    mask one report naming departments and ages too: {:>9.3} ms", ms(c));
        println!("    mask one report naming people in Latin letters, by number and address: {:>9.3} ms", ms(d));
        println!("    ({} bytes out)", out_a + out_b + out_c + out_d);
    }
}
