//! Batch simulation of the Euler-discretised network (SCIENCE §1, LCF Eq. M83):
//!
//!   r[t+1] = (1 − α) r[t] + α φ(M z[t] + W_rand r[t] + B u[t] + b + σ ξ[t]),  z = Nᵀ r.
//!
//! Cost per step is O(N K) (+ O(N²) with a random part); W = M Nᵀ is never formed. Neurons are
//! processed in fixed chunks of [`CHUNK`] and every reduction is summed in a fixed order, so the
//! result does not depend on the thread count and is bit-identical in wasm (single-threaded).

use crate::network::Network;
use crate::nonlinearity::Phi;
use crate::rng::{stream, Rng};

pub const CHUNK: usize = 4096;
const LANES: usize = 8;

/// One simulation request: `batch` independent trials of `steps` Euler steps.
pub struct SimJob<'a> {
    /// Initial rates, batch × N (trial-major).
    pub initial: &'a [f64],
    pub batch: usize,
    pub steps: usize,
    /// Inputs u[t], batch × steps × I; empty means all zero.
    pub inputs: &'a [f64],
    /// Added to every input at every step (I values, or empty), e.g. for bifurcations.
    pub constant_input: &'a [f64],
    /// σ of the current noise (0 = deterministic).
    pub noise: f64,
    pub seed: u64,
    /// Neurons whose rates are recorded at every time point.
    pub record: &'a [usize],
    /// If > 0, also read the latent from the first `observed` neurons only:
    /// ẑ = (N/n_obs) Σ_{i<n_obs} n_i r_i (SCIENCE §5).
    pub observed: usize,
}

pub struct SimOutput {
    /// z = Nᵀ r at t = 0..=steps, batch × (steps+1) × K.
    pub latent: Vec<f64>,
    /// Recorded rates at t = 0..=steps, batch × (steps+1) × record.len().
    pub recorded: Vec<f64>,
    /// Rates after the last step, batch × N.
    pub final_rates: Vec<f64>,
    /// ẑ from the first `observed` neurons at t = 0..=steps, batch × (steps+1) × K (empty if
    /// `observed` is 0).
    pub observed_latent: Vec<f64>,
}

/// The compute interface: the CPU implementation below; a GPU one can take its place for
/// large networks as long as it returns the same quantities.
pub trait Compute {
    fn simulate(&self, net: &Network, job: &SimJob) -> SimOutput;
}

pub struct Cpu;

impl Compute for Cpu {
    fn simulate(&self, net: &Network, job: &SimJob) -> SimOutput {
        simulate_cpu(net, job)
    }
}

/// Column-major copies of the weights the chunk kernel streams through.
struct Columns {
    m: Vec<Vec<f64>>,
    n: Vec<Vec<f64>>,
    b: Vec<Vec<f64>>,
    wt: Option<Vec<f64>>,
}

impl Columns {
    fn new(net: &Network) -> Self {
        let col =
            |v: &[f64], width: usize, c: usize| -> Vec<f64> { (0..net.neurons).map(|i| v[i * width + c]).collect() };
        Columns {
            m: (0..net.rank).map(|k| col(&net.embedding, net.rank, k)).collect(),
            n: (0..net.rank).map(|k| col(&net.encoding, net.rank, k)).collect(),
            b: (0..net.inputs).map(|c| col(&net.input, net.inputs, c)).collect(),
            wt: net.random.as_ref().map(|w| crate::dense::transpose(w, net.neurons)),
        }
    }
}

/// Per-(trial, chunk) work item for one step.
struct Task<'a> {
    rates: &'a mut [f64],
    start: usize,
    rng: &'a mut Rng,
    partial: &'a mut [f64],
    partial_observed: &'a mut [f64],
    observed: usize,
    z: &'a [f64],
    u: &'a [f64],
    dense: Option<&'a [f64]>,
}

fn simulate_cpu(net: &Network, job: &SimJob) -> SimOutput {
    let (n, k, ni) = (net.neurons, net.rank, net.inputs);
    let batch = job.batch;
    assert_eq!(job.initial.len(), batch * n, "initial rates must be batch × N");
    assert!(job.inputs.is_empty() || job.inputs.len() == batch * job.steps * ni);
    assert!(job.constant_input.is_empty() || job.constant_input.len() == ni);
    let cols = Columns::new(net);
    let chunks = n.div_ceil(CHUNK);
    let mut rates = job.initial.to_vec();
    let mut rngs: Vec<Rng> = (0..batch * chunks)
        .map(|t| Rng::new(job.seed, stream::NOISE_BASE + (t / chunks) as u64 * (1 << 20) + (t % chunks) as u64))
        .collect();
    let mut partial = vec![0.0; batch * chunks * k];
    let observed = job.observed.min(n);
    let mut partial_obs = vec![0.0; if observed > 0 { batch * chunks * k } else { 0 }];
    let obs_scale = if observed > 0 { n as f64 / observed as f64 } else { 0.0 };
    let encode_obs = |rates: &[f64]| -> Vec<f64> {
        if observed == 0 {
            return vec![];
        }
        (0..batch)
            .flat_map(|b| encode_fixed_order(&cols, &rates[b * n..b * n + observed]).into_iter().map(|v| v * obs_scale))
            .collect()
    };
    let mut observed_latent = encode_obs(&rates);
    let mut z: Vec<f64> = (0..batch).flat_map(|b| encode_fixed_order(&cols, &rates[b * n..(b + 1) * n])).collect();
    let mut u = vec![0.0; batch * ni];
    let per_t = k * (job.steps + 1);
    let rec = job.record.len();
    let mut latent = vec![0.0; batch * per_t];
    let mut recorded = vec![0.0; batch * rec * (job.steps + 1)];
    let save = |t: usize, z: &[f64], rates: &[f64], latent: &mut [f64], recorded: &mut [f64]| {
        for b in 0..batch {
            latent[b * per_t + t * k..b * per_t + (t + 1) * k].copy_from_slice(&z[b * k..(b + 1) * k]);
            for (q, &i) in job.record.iter().enumerate() {
                recorded[(b * (job.steps + 1) + t) * rec + q] = rates[b * n + i];
            }
        }
    };
    save(0, &z, &rates, &mut latent, &mut recorded);
    let params = StepParams { alpha: net.alpha(), noise: job.noise, phi: net.phi };
    let report_every = (job.steps / 100).max(1);
    for t in 0..job.steps {
        if t % report_every == 0 {
            crate::progress::report(t as f64 / job.steps as f64);
        }
        for b in 0..batch {
            for c in 0..ni {
                let mut v = if job.inputs.is_empty() { 0.0 } else { job.inputs[(b * job.steps + t) * ni + c] };
                if !job.constant_input.is_empty() {
                    v += job.constant_input[c];
                }
                u[b * ni + c] = v;
            }
        }
        let dense = cols.wt.as_ref().map(|wt| crate::dense::product(wt, n, &rates, batch));
        let mut tasks: Vec<Task> = Vec::with_capacity(batch * chunks);
        {
            let mut rate_chunks = rates.chunks_mut(n).flat_map(|trial| trial.chunks_mut(CHUNK));
            let mut partials = partial.chunks_mut(k.max(1));
            let mut partials_obs = partial_obs.chunks_mut(k.max(1));
            for (idx, rng) in rngs.iter_mut().enumerate() {
                let (b, c) = (idx / chunks, idx % chunks);
                tasks.push(Task {
                    rates: rate_chunks.next().unwrap(),
                    start: c * CHUNK,
                    rng,
                    partial: if k == 0 { &mut [] } else { partials.next().unwrap() },
                    partial_observed: if k == 0 || observed == 0 { &mut [] } else { partials_obs.next().unwrap() },
                    observed: observed.saturating_sub(c * CHUNK).min(CHUNK),
                    z: &z[b * k..(b + 1) * k],
                    u: &u[b * ni..(b + 1) * ni],
                    dense: dense.as_ref().map(|d| &d[b * n + c * CHUNK..b * n + (c * CHUNK + CHUNK).min(n)]),
                });
            }
        }
        // Chunk-major order: the trials that share a chunk of M, N and B run back to back, so
        // those columns stay in cache across a large batch instead of streaming once per trial.
        let mut slots: Vec<Option<Task>> = tasks.into_iter().map(Some).collect();
        let tasks: Vec<Task> = (0..chunks)
            .flat_map(|c| (0..batch).map(move |b| b * chunks + c))
            .map(|i| slots[i].take().unwrap())
            .collect();
        run_tasks(tasks, |task| step_chunk(&cols, net, &params, task));
        let mut z_next = vec![0.0; batch * k];
        for b in 0..batch {
            for c in 0..chunks {
                for kk in 0..k {
                    z_next[b * k + kk] += partial[(b * chunks + c) * k + kk];
                }
            }
        }
        z = z_next;
        if observed > 0 {
            for b in 0..batch {
                for kk in 0..k {
                    let mut s = 0.0;
                    for c in 0..chunks {
                        s += partial_obs[(b * chunks + c) * k + kk];
                    }
                    observed_latent.push(s * obs_scale);
                }
            }
        }
        save(t + 1, &z, &rates, &mut latent, &mut recorded);
    }
    if observed > 0 {
        // Rows were appended time-major (t, then trial); return them trial-major like `latent`.
        let rows = job.steps + 1;
        let mut by_trial = vec![0.0; observed_latent.len()];
        for t in 0..rows {
            for b in 0..batch {
                let src = (t * batch + b) * k;
                let dst = (b * rows + t) * k;
                by_trial[dst..dst + k].copy_from_slice(&observed_latent[src..src + k]);
            }
        }
        observed_latent = by_trial;
    }
    SimOutput { latent, recorded, final_rates: rates, observed_latent }
}

#[cfg(not(target_arch = "wasm32"))]
fn run_tasks<F: Fn(Task) + Sync + Send>(tasks: Vec<Task>, f: F) {
    use rayon::prelude::*;
    if tasks.len() == 1 {
        tasks.into_iter().for_each(f);
    } else {
        tasks.into_par_iter().for_each(f);
    }
}

#[cfg(target_arch = "wasm32")]
fn run_tasks<F: Fn(Task)>(tasks: Vec<Task>, f: F) {
    tasks.into_iter().for_each(f);
}

struct StepParams {
    alpha: f64,
    noise: f64,
    phi: Phi,
}

/// z = Nᵀ r with the same chunk-and-lane order the step kernel uses.
fn encode_fixed_order(cols: &Columns, rates: &[f64]) -> Vec<f64> {
    cols.n
        .iter()
        .map(|ncol| {
            let mut s = 0.0;
            for (c, r) in rates.chunks(CHUNK).enumerate() {
                s += lane_dot(&ncol[c * CHUNK..c * CHUNK + r.len()], r);
            }
            s
        })
        .collect()
}

/// Σ a_i b_i in LANES interleaved partial sums, combined pairwise: a fixed order the compiler
/// can vectorise without reassociating anything.
#[inline(always)]
pub fn lane_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; LANES];
    let full = a.len() / LANES * LANES;
    for (ca, cb) in a[..full].chunks_exact(LANES).zip(b[..full].chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += ca[l] * cb[l];
        }
    }
    for i in full..a.len() {
        acc[i - full] += a[i] * b[i];
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

fn step_chunk(cols: &Columns, net: &Network, p: &StepParams, task: Task) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is present; the body uses no FMA, so results are unchanged.
            unsafe { step_chunk_avx2(cols, net, p, task) };
            return;
        }
    }
    step_chunk_body(cols, net, p, task)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn step_chunk_avx2(cols: &Columns, net: &Network, p: &StepParams, task: Task) {
    step_chunk_body(cols, net, p, task)
}

#[inline(always)]
fn step_chunk_body(cols: &Columns, net: &Network, p: &StepParams, task: Task) {
    let len = task.rates.len();
    let range = task.start..task.start + len;
    let mut current = [0.0f64; CHUNK];
    let current = &mut current[..len];
    current.copy_from_slice(&net.bias[range.clone()]);
    if let Some(d) = task.dense {
        for (c, x) in current.iter_mut().zip(d) {
            *c += x;
        }
    }
    for (k, &zk) in task.z.iter().enumerate() {
        for (c, m) in current.iter_mut().zip(&cols.m[k][range.clone()]) {
            *c += m * zk;
        }
    }
    for (ci, &uc) in task.u.iter().enumerate() {
        if uc != 0.0 {
            for (c, bw) in current.iter_mut().zip(&cols.b[ci][range.clone()]) {
                *c += bw * uc;
            }
        }
    }
    if p.noise > 0.0 {
        for c in current.iter_mut() {
            *c += p.noise * task.rng.normal_fast();
        }
    }
    let (keep, alpha) = (1.0 - p.alpha, p.alpha);
    match p.phi {
        Phi::Tanh => {
            for (r, c) in task.rates.iter_mut().zip(current.iter()) {
                *r = keep * *r + alpha * crate::nonlinearity::tanh(*c);
            }
        }
        phi => {
            for (r, c) in task.rates.iter_mut().zip(current.iter()) {
                *r = keep * *r + alpha * phi.apply(*c);
            }
        }
    }
    for (k, out) in task.partial.iter_mut().enumerate() {
        *out = lane_dot(&cols.n[k][range.clone()], task.rates);
    }
    let obs = task.observed;
    for (k, out) in task.partial_observed.iter_mut().enumerate() {
        *out = lane_dot(&cols.n[k][task.start..task.start + obs], &task.rates[..obs]);
    }
}

/// The exactly closed latent dynamics of the low-rank part (SCIENCE §1):
/// z[t+1] = (1−α) z[t] + α Nᵀ φ(M z[t] + B u[t] + b). Returns z at t = 0..=steps (steps+1 × K).
pub fn simulate_latent(net: &Network, z0: &[f64], steps: usize, inputs: &[f64], constant_input: &[f64]) -> Vec<f64> {
    let k = net.rank;
    let ni = net.inputs;
    let alpha = net.alpha();
    let mut z = z0.to_vec();
    let mut out = z.clone();
    let mut u = vec![0.0; ni];
    for t in 0..steps {
        for c in 0..ni {
            u[c] = if inputs.is_empty() { 0.0 } else { inputs[t * ni + c] }
                + constant_input.get(c).copied().unwrap_or(0.0);
        }
        let drive = crate::analysis::flow::latent_drive(net, &z, &u);
        for kk in 0..k {
            z[kk] = (1.0 - alpha) * z[kk] + alpha * drive[kk];
        }
        out.extend_from_slice(&z);
    }
    out
}
