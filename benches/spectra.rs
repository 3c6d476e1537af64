//! Seconds for all eigenvalues of a dense N = 1000 matrix (faer) and for 20 Lyapunov exponents
//! of an N = 200 network over 1 s of simulated time (exp=lyapunov's QR method), beside NumPy
//! doing the same in the same invocation (benches/spectra_numpy.py). Run:
//! `cargo bench --bench spectra -- [repeats=N]`
mod common;

use lpu::numerics::eig::eigenvalues_dense;
use lpu::rng::Rng;
use std::time::Instant;

fn main() {
    let (_, repeats) = common::args();
    println!(
        "{:<40} {} {} {:>7}   (seconds over {repeats} interleaved runs; spread (max − min) / median; ratio of medians, NumPy / ours)",
        "case",
        common::titles("ours", 9),
        common::titles("numpy", 9),
        "ratio"
    );
    let n = 1000;
    let mut rng = Rng::new(0, 0);
    let a: Vec<f64> = (0..n * n).map(|_| rng.normal() / (n as f64).sqrt()).collect();
    let eig = || {
        let t = Instant::now();
        assert_eq!(eigenvalues_dense(&a, n).len(), n);
        t.elapsed().as_secs_f64()
    };
    let query = "exp=lyapunov&source=random&neurons=200&g=2&exponents=20&time=1&warmup=0&reorth=10";
    let lyap = || {
        let t = Instant::now();
        lpu::run_query(query).expect("the query runs");
        t.elapsed().as_secs_f64()
    };
    type Timed<'a> = &'a dyn Fn() -> f64;
    let cases: [(&str, Timed, Vec<&str>); 2] = [
        ("eigenvalues, dense N = 1000", &eig, vec!["eig", "1000"]),
        ("20 Lyapunov exponents, N = 200, 1 s", &lyap, vec!["lyapunov", "200", "20", "1000"]),
    ];
    for (name, ours, reference) in cases {
        let (mut a, mut b) = (vec![], vec![]);
        for _ in 0..repeats {
            a.push(ours());
            b.push(common::python("benches/spectra_numpy.py", &reference));
        }
        let (a, b) = (common::summary(a), common::summary(b));
        println!("{name:<40} {} {} {:>7.2}", a.cells(9, 3), b.cells(9, 3), b.median / a.median);
    }
}
