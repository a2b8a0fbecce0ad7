//! Automatic assignment of a cycle's targets to consultants without conflicts of interest.
//!
//! A consultant who is also an employee (the user's account is linked to the register) is never
//! given a target of their own department, one of their bosses (up the boss chain), one of their
//! reports (down the chain, direct or indirect), or themselves. Among the consultants who may take
//! a target, the one with the fewest targets so far gets it (ties by the order given); targets
//! with fewer possible consultants are placed first, so that the constraints cost as little
//! balance as possible. A target nobody may take is left unassigned, with the reason.

use std::collections::{BTreeMap, HashMap};

/// Longest boss chain followed; a longer (or looping) chain is cut there.
pub const MAX_CHAIN: usize = 64;

/// Why a consultant may not take a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Conflict {
    /// The target is the consultant.
    Oneself,
    /// The target is the consultant's boss, or a boss further up.
    Superior,
    /// The target reports to the consultant, directly or further down.
    Report,
    /// The target works in the consultant's department.
    SameDepartment,
}

impl Conflict {
    pub const ALL: [Conflict; 4] = [Conflict::Oneself, Conflict::Superior, Conflict::Report, Conflict::SameDepartment];

    pub fn as_str(self) -> &'static str {
        match self {
            Conflict::Oneself => "oneself",
            Conflict::Superior => "superior",
            Conflict::Report => "report",
            Conflict::SameDepartment => "same_department",
        }
    }
}

/// Where an employee stands in the register: department (any stable key, such as the path)
/// and direct boss (an employee id).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub department: String,
    pub boss: Option<i64>,
}

/// The register as the conflict rule sees it: employee id → place.
#[derive(Clone, Debug, Default)]
pub struct Org {
    places: HashMap<i64, Place>,
}

impl Org {
    pub fn new(places: HashMap<i64, Place>) -> Self {
        Org { places }
    }

    pub fn insert(&mut self, employee: i64, place: Place) {
        self.places.insert(employee, place);
    }

    /// Whether `upper` is above `lower` in the boss chain (boss, boss's boss, …).
    pub fn is_above(&self, upper: i64, lower: i64) -> bool {
        let mut at = lower;
        for _ in 0..MAX_CHAIN {
            match self.places.get(&at).and_then(|p| p.boss) {
                Some(b) if b == upper => return true,
                Some(b) if b == lower => return false,
                Some(b) => at = b,
                None => return false,
            }
        }
        false
    }

    /// The conflict between a consultant who is the employee `consultant` and `target`, if any.
    /// When several hold, the first of [`Conflict::ALL`] is named.
    pub fn conflict(&self, consultant: i64, target: i64) -> Option<Conflict> {
        if consultant == target {
            return Some(Conflict::Oneself);
        }
        if self.is_above(target, consultant) {
            return Some(Conflict::Superior);
        }
        if self.is_above(consultant, target) {
            return Some(Conflict::Report);
        }
        match (self.places.get(&consultant), self.places.get(&target)) {
            (Some(c), Some(t)) if c.department == t.department => Some(Conflict::SameDepartment),
            _ => None,
        }
    }
}

/// A consultant who may be given targets: the user, and the employee they are (if linked).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seat {
    pub consultant: i64,
    pub employee: Option<i64>,
}

/// What automatic assignment decided.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assignment {
    /// (target, consultant), most constrained targets first.
    pub assigned: Vec<(i64, i64)>,
    /// Targets no consultant may take, each with the reason (of the first consultant, in
    /// [`Conflict::ALL`] order of precedence over all consultants).
    pub left: Vec<(i64, Conflict)>,
}

impl Assignment {
    /// How many targets were left for each reason.
    pub fn left_by_reason(&self) -> BTreeMap<Conflict, usize> {
        let mut out = BTreeMap::new();
        for (_, why) in &self.left {
            *out.entry(*why).or_insert(0) += 1;
        }
        out
    }
}

/// The conflict of `seat` with `target`, if any.
pub fn seat_conflict(org: &Org, seat: &Seat, target: i64) -> Option<Conflict> {
    seat.employee.and_then(|e| org.conflict(e, target))
}

/// Shares `targets` among `seats` without conflicts, starting from the `current` loads.
/// Without any conflict this is the plain balance: loads end up differing by at most one.
pub fn assign_without_conflicts(targets: &[i64], seats: &[Seat], current: &HashMap<i64, usize>, org: &Org) -> Assignment {
    let mut out = Assignment::default();
    if seats.is_empty() {
        return out;
    }
    // For each target, which seats may take it (indices into `seats`).
    let mut open: Vec<(i64, Vec<usize>)> = Vec::with_capacity(targets.len());
    for t in targets {
        let mut may = Vec::with_capacity(seats.len());
        let mut why: Option<Conflict> = None;
        for (i, s) in seats.iter().enumerate() {
            match seat_conflict(org, s, *t) {
                None => may.push(i),
                Some(c) => why = Some(why.map_or(c, |w| w.min(c))),
            }
        }
        match (may.is_empty(), why) {
            (true, Some(why)) => out.left.push((*t, why)),
            _ => open.push((*t, may)),
        }
    }
    // Most constrained first; the sort is stable, so unconstrained targets keep their order.
    open.sort_by_key(|(_, may)| may.len());
    let mut load: Vec<usize> = seats.iter().map(|s| current.get(&s.consultant).copied().unwrap_or(0)).collect();
    out.assigned.reserve(open.len());
    for (t, may) in open {
        if let Some(&i) = may.iter().min_by_key(|i| (load[**i], **i)) {
            load[i] += 1;
            out.assigned.push((t, seats[i].consultant));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn place(dept: &str, boss: Option<i64>) -> Place {
        Place { department: dept.into(), boss }
    }

    /// 人事部: 1 (head) ← 2 ← 3 (the HR consultant) ← 4; 営業部: 10 ← 11; 5 in 人事部 under 1.
    fn org() -> Org {
        let mut o = Org::default();
        o.insert(1, place("管理本部/人事部", None));
        o.insert(2, place("管理本部/人事部/人事課", Some(1)));
        o.insert(3, place("管理本部/人事部/人材開発課", Some(2)));
        o.insert(4, place("管理本部/人事部/人材開発課", Some(3)));
        o.insert(5, place("管理本部/人事部/人材開発課", Some(2)));
        o.insert(10, place("営業本部/営業部", None));
        o.insert(11, place("営業本部/営業部", Some(10)));
        o
    }

    #[test]
    fn conflicts_of_an_in_house_consultant() {
        let o = org();
        assert_eq!(o.conflict(3, 3), Some(Conflict::Oneself));
        assert_eq!(o.conflict(3, 2), Some(Conflict::Superior));
        assert_eq!(o.conflict(3, 1), Some(Conflict::Superior), "a boss further up counts too");
        assert_eq!(o.conflict(3, 4), Some(Conflict::Report));
        assert_eq!(o.conflict(2, 4), Some(Conflict::Report), "an indirect report counts too");
        assert_eq!(o.conflict(3, 5), Some(Conflict::SameDepartment));
        assert_eq!(o.conflict(3, 11), None);
        assert_eq!(o.conflict(3, 99), None, "someone not in the register");
    }

    #[test]
    fn a_looping_chain_ends() {
        let mut o = Org::default();
        o.insert(1, place("A", Some(2)));
        o.insert(2, place("B", Some(1)));
        o.insert(3, place("C", Some(3)));
        assert!(o.is_above(2, 1) && o.is_above(1, 2));
        assert!(!o.is_above(9, 1) && !o.is_above(9, 3));
    }

    #[test]
    fn the_hr_consultant_gets_nobody_of_their_department() {
        let o = org();
        let seats = [Seat { consultant: 100, employee: Some(3) }, Seat { consultant: 200, employee: None }];
        let a = assign_without_conflicts(&[1, 2, 4, 5, 10, 11], &seats, &HashMap::new(), &o);
        assert!(a.left.is_empty());
        for (t, c) in &a.assigned {
            if [1, 2, 4, 5].contains(t) {
                assert_eq!(*c, 200, "target {t}");
            }
        }
        assert_eq!(a.assigned.iter().filter(|(_, c)| *c == 100).count(), 2, "the rest goes to the HR consultant");
    }

    #[test]
    fn targets_nobody_may_take_are_left_with_the_reason() {
        let o = org();
        let seats = [Seat { consultant: 100, employee: Some(3) }, Seat { consultant: 101, employee: Some(2) }];
        let a = assign_without_conflicts(&[1, 4, 5, 11], &seats, &HashMap::new(), &o);
        assert_eq!(a.assigned, vec![(11, 100)]);
        // 1: boss of both; 4: report of both; 5: same department as 3, report of 2.
        assert_eq!(a.left, vec![(1, Conflict::Superior), (4, Conflict::Report), (5, Conflict::Report)]);
        let by = a.left_by_reason();
        assert_eq!((by.get(&Conflict::Superior), by.get(&Conflict::Report)), (Some(&1), Some(&2)));
        assert_eq!(assign_without_conflicts(&[1], &[], &HashMap::new(), &o), Assignment::default());
    }

    fn loads(a: &Assignment, seats: &[Seat], current: &HashMap<i64, usize>) -> HashMap<i64, usize> {
        let mut load: HashMap<i64, usize> =
            seats.iter().map(|s| (s.consultant, current.get(&s.consultant).copied().unwrap_or(0))).collect();
        for (_, c) in &a.assigned {
            *load.entry(*c).or_default() += 1;
        }
        load
    }

    /// A random register of `n` employees: boss ids below one's own (so no loops), a few departments.
    fn arb_org(n: usize) -> impl Strategy<Value = Org> {
        proptest::collection::vec((0usize..4, proptest::option::of(0usize..1000)), n).prop_map(|rows| {
            let mut o = Org::default();
            for (i, (dept, boss)) in rows.into_iter().enumerate() {
                let boss = boss.filter(|_| i > 0).map(|b| (b % i.max(1)) as i64);
                o.insert(i as i64, Place { department: format!("部署{dept}"), boss });
            }
            o
        })
    }

    proptest! {
        #[test]
        fn no_assignment_holds_a_conflict_and_nobody_assignable_is_left(
            (n, o) in (1usize..60).prop_flat_map(|n| (Just(n), arb_org(n))),
            linked in proptest::collection::vec(proptest::option::of(0usize..1000), 1..6),
            picked in proptest::collection::vec(any::<bool>(), 60),
        ) {
            let seats: Vec<Seat> = linked.iter().enumerate()
                .map(|(i, e)| Seat { consultant: 1000 + i as i64, employee: e.map(|e| (e % n) as i64) })
                .collect();
            let targets: Vec<i64> = (0..n as i64).filter(|t| picked[*t as usize]).collect();
            let a = assign_without_conflicts(&targets, &seats, &HashMap::new(), &o);
            prop_assert_eq!(a.assigned.len() + a.left.len(), targets.len());
            for (t, c) in &a.assigned {
                let seat = seats.iter().find(|s| s.consultant == *c);
                prop_assert!(seat.is_some());
                prop_assert_eq!(seat.and_then(|s| seat_conflict(&o, s, *t)), None, "target {} to {}", t, c);
            }
            for (t, why) in &a.left {
                prop_assert!(seats.iter().all(|s| seat_conflict(&o, s, *t).is_some()), "target {} was assignable", t);
                prop_assert!(seats.iter().any(|s| seat_conflict(&o, s, *t) == Some(*why)));
            }
            // Consultants with no conflict at all share as evenly as before: within one.
            let free: Vec<i64> = seats.iter().filter(|s| targets.iter().all(|t| seat_conflict(&o, s, *t).is_none())).map(|s| s.consultant).collect();
            let load = loads(&a, &seats, &HashMap::new());
            let free_loads: Vec<usize> = free.iter().map(|c| load.get(c).copied().unwrap_or(0)).collect();
            if let (Some(max), Some(min)) = (free_loads.iter().max(), free_loads.iter().min()) {
                prop_assert!(max - min <= 1, "{:?}", free_loads);
            }
        }

        #[test]
        fn without_conflicts_it_is_the_plain_balance(n in 0usize..300, k in 1usize..12, start in proptest::collection::vec(0usize..5, 12)) {
            let targets: Vec<i64> = (0..n as i64).collect();
            let seats: Vec<Seat> = (0..k as i64).map(|i| Seat { consultant: 100 + i, employee: None }).collect();
            let consultants: Vec<i64> = seats.iter().map(|s| s.consultant).collect();
            let current: HashMap<i64, usize> = consultants.iter().zip(&start).map(|(c, n)| (*c, *n)).collect();
            let a = assign_without_conflicts(&targets, &seats, &current, &Org::default());
            prop_assert!(a.left.is_empty());
            prop_assert_eq!(a.assigned, super::super::balance(&targets, &consultants, &current));
        }
    }
}
