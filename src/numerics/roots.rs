//! Roots of a scalar function by bisection, carried on until the bracket's ends are adjacent
//! floats, so the answer is as exact as the function's own rounding allows and needs no
//! tolerance.

/// Which side of the root a trial point lies on.
enum Side {
    /// On the side of the bracket's left end.
    Left,
    /// On the side of the bracket's right end.
    Right,
    /// Exactly on the root.
    Root,
}

/// Halves [lo, hi] until no float lies strictly between its ends (at most 200 halvings, more
/// than any finite f64 bracket needs), then returns the midpoint.
fn bisect_by(mut lo: f64, mut hi: f64, mut side: impl FnMut(f64) -> Side) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        match side(mid) {
            Side::Left => lo = mid,
            Side::Right => hi = mid,
            Side::Root => {
                lo = mid;
                hi = mid;
                break;
            }
        }
    }
    0.5 * (lo + hi)
}

/// Root of `f` in [lo, hi] given f(lo) > 0 ≥ f(hi): the point where f stops being positive,
/// bisected until lo and hi are adjacent floats. A zero counts as the non-positive side, so
/// the search goes on past an exact zero towards the last positive value.
pub fn bisect(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    bisect_by(lo, hi, |x| if f(x) > 0.0 { Side::Left } else { Side::Right })
}

/// Root of `g` between a < b where g(a) = `ga` and g(b) have strictly opposite signs,
/// bisected to adjacent floats; a trial point where g is exactly zero is returned at once.
pub fn bisect_sign_change(g: impl Fn(f64) -> f64, a: f64, b: f64, ga: f64) -> f64 {
    bisect_by(a, b, |x| {
        let gx = g(x);
        if gx == 0.0 {
            Side::Root
        } else if (gx < 0.0) == (ga < 0.0) {
            Side::Left
        } else {
            Side::Right
        }
    })
}

/// Roots of `g` from its samples `gs` at increasing `xs`: every sample that is exactly zero,
/// and every sign change between neighbouring non-zero samples refined by
/// [`bisect_sign_change`], in increasing order. Roots that come in pairs within one sample
/// interval cancel and are missed: the grid must resolve them.
pub fn sign_change_roots(g: impl Fn(f64) -> f64, xs: &[f64], gs: &[f64]) -> Vec<f64> {
    let mut roots = vec![];
    for i in 0..xs.len() {
        if gs[i] == 0.0 {
            roots.push(xs[i]);
        }
        if i + 1 < xs.len() && gs[i] != 0.0 && gs[i + 1] != 0.0 && (gs[i] < 0.0) != (gs[i + 1] < 0.0) {
            roots.push(bisect_sign_change(&g, xs[i], xs[i + 1], gs[i]));
        }
    }
    roots
}
