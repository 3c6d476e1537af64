//! The launched latent trajectory of a large flip-flop: `simulate_latent`, which lays out the
//! low-rank columns once, beside the reference that rebuilds them at every step (what
//! `simulate_latent` did before the shared kernel). Both give the same bits; the bench checks
//! that before timing.
//!
//! Run: cargo bench --bench launch [-- STEPS [REPEATS]]   (defaults 300 and 7)
use lpu::analysis::flow::latent_drive;
use lpu::design::FlipFlop;
use lpu::network::Network;
use lpu::simulate::simulate_latent;
use std::time::Instant;

/// The old `simulate_latent` without inputs: `latent_drive` builds a fresh layout each call.
fn reference(net: &Network, z0: &[f64], steps: usize) -> Vec<f64> {
    let alpha = net.alpha();
    let u = vec![0.0; net.inputs];
    let mut z = z0.to_vec();
    let mut out = z.clone();
    for _ in 0..steps {
        let drive = latent_drive(net, &z, &u);
        for (zk, dk) in z.iter_mut().zip(drive) {
            *zk = (1.0 - alpha) * *zk + alpha * dk;
        }
        out.extend_from_slice(&z);
    }
    out
}

fn seconds(f: impl FnOnce() -> Vec<f64>) -> (f64, Vec<f64>) {
    let t = Instant::now();
    let out = f();
    (t.elapsed().as_secs_f64(), out)
}

fn summary(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    let median = if times.len() % 2 == 1 { times[mid] } else { 0.5 * (times[mid - 1] + times[mid]) };
    (times[0], median)
}

fn main() {
    let numbers: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let steps = numbers.first().copied().unwrap_or(300);
    let repeats = numbers.get(1).copied().unwrap_or(7).max(1);
    let net = FlipFlop::standard(2, 200_000).network(1);
    let z0 = [0.5, -0.3];
    println!(
        "launched trajectory, N = {}, K = {}, {steps} steps, {repeats} repeats (interleaved)",
        net.neurons, net.rank
    );
    let (mut ours, mut theirs) = (vec![], vec![]);
    for _ in 0..repeats {
        let (a, za) = seconds(|| simulate_latent(&net, &z0, steps, &[], &[]));
        let (b, zb) = seconds(|| reference(&net, &z0, steps));
        let same = za.len() == zb.len() && za.iter().zip(&zb).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same, "simulate_latent and the reference differ");
        ours.push(a);
        theirs.push(b);
    }
    let (ours_min, ours_median) = summary(ours);
    let (ref_min, ref_median) = summary(theirs);
    println!("{:<32} {:>10} {:>10}", "", "min (s)", "median (s)");
    println!("{:<32} {:>10.4} {:>10.4}", "simulate_latent (layout once)", ours_min, ours_median);
    println!("{:<32} {:>10.4} {:>10.4}", "reference (layout every step)", ref_min, ref_median);
    println!("ratio of medians (reference / ours): {:.2}", ref_median / ours_median);
}
