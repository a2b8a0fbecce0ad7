//! A timing run of the engine for development (`cargo test -p careerdock-domain --lib
//! anonymity::perf -- --ignored --nocapture`, with ANONYMITY_PEOPLE=N); `careerdock bench
//! anonymity` is the benchmark.

use super::*;
use std::time::Instant;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
}

/// Section (of 200), age band, tenure band, grade, attributes.
type Employee = (usize, usize, usize, usize, Vec<bool>);

#[test]
#[ignore]
fn time_a_realistic_release() {
    let people: usize = std::env::var("ANONYMITY_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let measures: usize = std::env::var("ANONYMITY_MEASURES").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let mut rng = Rng(88172645463325252);
    // (section of 200, age 6, tenure 5, grade 6, attributes)
    let org: Vec<Employee> = (0..people)
        .map(|_| {
            let s = rng.below(200) as usize;
            let a = rng.below(6) as usize;
            let t = rng.below(5) as usize;
            let g = rng.below(6) as usize;
            let attrs = (0..measures).map(|m| rng.chance(0.02 + 0.38 * m as f64 / measures.max(1) as f64)).collect();
            (s, a, t, g, attrs)
        })
        .collect();
    let keys: Vec<fn(&Employee) -> usize> = vec![
        |_| 0,
        |p| p.0 / 20,
        |p| p.0 / 4,
        |p| p.0,
        |p| p.1,
        |p| p.2,
        |p| p.3,
        |p| p.0 / 20 * 10 + p.1,
        |p| p.0 / 20 * 10 + p.2,
        |p| p.0 / 20 * 10 + p.3,
        |p| p.0 / 4 * 10 + p.1,
        |p| p.0 / 4 * 10 + p.2,
        |p| p.0 / 4 * 10 + p.3,
        |p| p.1 * 10 + p.2,
        |p| p.1 * 10 + p.3,
        |p| p.2 * 10 + p.3,
    ];
    let make = |pop: &[bool]| -> Vec<Candidate> {
        let mut out = Vec::new();
        for key in &keys {
            let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
            for (i, p) in org.iter().enumerate() {
                if pop[i] {
                    groups.entry(key(p)).or_default().push(i);
                }
            }
            for members in groups.values() {
                let g: Vec<i64> = members.iter().map(|&i| i as i64).collect();
                out.push(Candidate::people(g.clone()));
                for m in 0..measures {
                    out.push(Candidate::attribute(g.clone(), members.iter().filter(|&&i| org[i].4[m]).map(|&i| i as i64).collect()));
                }
            }
        }
        out
    };
    let pop1: Vec<bool> = (0..people).map(|_| rng.chance(0.3)).collect();
    let pop2: Vec<bool> = pop1.iter().map(|&p| p || rng.chance(0.03)).collect();
    let c1 = make(&pop1);
    let t = Instant::now();
    let d1 = decide_release_detailed(10, &c1, &[]);
    let shown = d1.verdicts.iter().filter(|v| v.is_shown()).count();
    println!("release 1: {} cells, {} shown, {:.3} s, {:?}", c1.len(), shown, t.elapsed().as_secs_f64(), d1.stats);
    let h = vec![PriorRelease::from_decision(1, &c1, &d1.verdicts)];
    let c2 = make(&pop2);
    let t = Instant::now();
    let d2 = decide_release_detailed(10, &c2, &h);
    let shown = d2.verdicts.iter().filter(|v| v.is_shown()).count();
    println!("release 2: {} cells, {} shown, {:.3} s, {:?}", c2.len(), shown, t.elapsed().as_secs_f64(), d2.stats);
}
