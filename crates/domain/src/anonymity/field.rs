//! Exact arithmetic for the elimination: every number is kept modulo two primes at once
//! (p₁ = 2⁶¹ − 1 and p₂ = 2⁶² − 57), so that a value is zero only when it is zero modulo both.
//! docs/anonymity.md argues why this is exact for the membership matrices the engine sees.

/// p₁ = 2⁶¹ − 1 (a Mersenne prime).
const P1: u64 = (1 << 61) - 1;
/// p₂ = 2⁶² − 57 (the largest prime below 2⁶²).
const P2: u64 = 4_611_686_018_427_387_847;

/// A number as its residues modulo p₁ and p₂.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Fp {
    a: u64,
    b: u64,
}

fn mul_mod(x: u64, y: u64, p: u64) -> u64 {
    ((u128::from(x) * u128::from(y)) % u128::from(p)) as u64
}

/// x·y mod p₁ without a division: 2⁶¹ ≡ 1.
fn mul_p1(x: u64, y: u64) -> u64 {
    let prod = u128::from(x) * u128::from(y);
    let mut r = ((prod as u64) & P1) + ((prod >> 61) as u64);
    while r >= P1 {
        r -= P1;
    }
    r
}

/// x·y mod p₂ without a division: 2⁶² ≡ 57.
fn mul_p2(x: u64, y: u64) -> u64 {
    const MASK: u128 = (1 << 62) - 1;
    let prod = u128::from(x) * u128::from(y);
    let t = (prod & MASK) + (prod >> 62) * 57;
    let mut r = ((t & MASK) + (t >> 62) * 57) as u64;
    while r >= P2 {
        r -= P2;
    }
    r
}

fn pow_mod(mut x: u64, mut e: u64, p: u64) -> u64 {
    let mut r = 1u64;
    while e > 0 {
        if e & 1 == 1 {
            r = mul_mod(r, x, p);
        }
        x = mul_mod(x, x, p);
        e >>= 1;
    }
    r
}

impl Fp {
    pub(crate) const ZERO: Fp = Fp { a: 0, b: 0 };
    pub(crate) const ONE: Fp = Fp { a: 1, b: 1 };

    pub(crate) fn is_zero(self) -> bool {
        self.a == 0 && self.b == 0
    }

    pub(crate) fn is_one(self) -> bool {
        self == Fp::ONE
    }

    /// Invertible modulo both primes. A value that is zero modulo exactly one of them is a
    /// non-zero rational whose numerator that prime divides: the engine never divides by it.
    pub(crate) fn is_unit(self) -> bool {
        self.a != 0 && self.b != 0
    }

    pub(crate) fn add(self, o: Fp) -> Fp {
        let a = self.a + o.a;
        let b = self.b + o.b;
        Fp { a: if a >= P1 { a - P1 } else { a }, b: if b >= P2 { b - P2 } else { b } }
    }

    pub(crate) fn neg(self) -> Fp {
        Fp { a: if self.a == 0 { 0 } else { P1 - self.a }, b: if self.b == 0 { 0 } else { P2 - self.b } }
    }

    pub(crate) fn sub(self, o: Fp) -> Fp {
        self.add(o.neg())
    }

    pub(crate) fn mul(self, o: Fp) -> Fp {
        Fp { a: mul_p1(self.a, o.a), b: mul_p2(self.b, o.b) }
    }

    /// The inverse, when the value is a unit modulo both primes.
    pub(crate) fn inv(self) -> Option<Fp> {
        if !self.is_unit() {
            return None;
        }
        Some(Fp { a: pow_mod(self.a, P1 - 2, P1), b: pow_mod(self.b, P2 - 2, P2) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_consistent() {
        let two = Fp::ONE.add(Fp::ONE);
        let three = two.add(Fp::ONE);
        let six = two.mul(three);
        assert_eq!(six.sub(three).sub(three), Fp::ZERO);
        let inv = three.inv().unwrap_or(Fp::ZERO);
        assert!(inv.mul(three).is_one());
        assert!(Fp::ONE.neg().add(Fp::ONE).is_zero());
        assert_eq!(Fp::ZERO.inv(), None);
        // A value zero modulo one prime only is not a unit.
        assert!(!Fp { a: 0, b: 5 }.is_unit());
        assert!(!Fp { a: 0, b: 5 }.is_zero());
    }

    #[test]
    fn the_fast_reductions_agree_with_division() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let edges = [0, 1, 2, 56, 57, 58, P1 - 1, P1 - 2, P2 - 1, P2 - 2, 1 << 60, (1 << 61) - 2];
        let mut values: Vec<u64> = edges.to_vec();
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x);
        }
        for w in values.windows(2) {
            let (a, b) = (w[0] % P1, w[1] % P1);
            assert_eq!(mul_p1(a, b), mul_mod(a, b, P1));
            let (a, b) = (w[0] % P2, w[1] % P2);
            assert_eq!(mul_p2(a, b), mul_mod(a, b, P2));
        }
        for &e in &edges {
            assert_eq!(mul_p1(e % P1, (P1 - 1) % P1), mul_mod(e % P1, P1 - 1, P1));
            assert_eq!(mul_p2(e % P2, P2 - 1), mul_mod(e % P2, P2 - 1, P2));
        }
    }
}
