//! Batch simulation of the Euler-discretised network (SCIENCE §1, LCF Eq. M83):
//!
//! ```text
//!   r[t+1] = (1 − α) r[t] + α φ(M z[t] + W_rand r[t] + B u[t] + b + σ ξ[t]),  z = Nᵀ r.
//! ```
//!
//! Cost per step is O(N K) (+ O(N²) with a random part); W = M Nᵀ is never formed. Neurons are
//! processed in fixed chunks of [`CHUNK`] and every reduction is summed in a fixed order, so the
//! result does not depend on the thread count and is bit-identical in wasm (single-threaded).
//! The weights and the current kernel are [`crate::lowrank`]'s, shared with the latent flow.
//!
//! [`Simulator`] holds a run's state between calls, so a caller can step, inspect and set the
//! state and stop early; [`Cpu`] runs one to the end.

use crate::gradient::GradJob;
use crate::lowrank::{combine, lane_accumulate, LowRank, FUSED_RANK, LANES, PIECE};
pub use crate::lowrank::{lane_dot, CHUNK};
use crate::network::Network;
use crate::nonlinearity::Phi;
use crate::rng::{stream, Rng};

/// One simulation request: `batch` independent trials of `steps` Euler steps.
#[derive(Clone, Copy)]
pub struct SimJob<'a> {
    /// Initial rates, batch × N (trial-major).
    pub initial: &'a [f64],
    /// Independent trials run side by side.
    pub batch: usize,
    /// Euler steps per trial.
    pub steps: usize,
    /// Inputs `u[t]`, batch × steps × I; empty means all zero.
    pub inputs: &'a [f64],
    /// Added to every input at every step (I values, or empty), e.g. for bifurcations.
    pub constant_input: &'a [f64],
    /// σ of the current noise (0 = deterministic).
    pub noise: f64,
    /// Seed of the current noise (one stream per trial and chunk).
    pub seed: u64,
    /// Neurons whose rates are recorded at every time point.
    pub record: &'a [usize],
    /// If > 0, also read the latent from the first `observed` neurons only:
    /// ẑ = (N/n_obs) Σ_{i<n_obs} n_i r_i (SCIENCE §5).
    pub observed: usize,
}

impl<'a> SimJob<'a> {
    /// One trial of `steps` steps from `initial`: no inputs, no noise, nothing recorded, the
    /// latent read from all neurons. Set other fields with `SimJob { noise, ..SimJob::trial(..) }`.
    pub fn trial(initial: &'a [f64], steps: usize) -> Self {
        SimJob {
            initial,
            batch: 1,
            steps,
            inputs: &[],
            constant_input: &[],
            noise: 0.0,
            seed: 0,
            record: &[],
            observed: 0,
        }
    }
}

/// What a [`SimJob`] returns; every array is trial-major.
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

/// The backend seam: everything that runs a batch simulation takes a `&dyn Compute` (or a
/// generic one) and hands it a [`SimJob`], getting back a [`SimOutput`]. [`Cpu`] is the
/// reference implementation, bit-exact natively and in wasm whatever the thread count. A
/// later asynchronous f32 GPU backend implements the same job → output contract, with the
/// same shapes and meaning of every field, but its numbers agree with [`Cpu`]'s only within a
/// stated tolerance (f32 rounding and its own reduction order), not bit for bit; anything
/// that must reproduce exactly (tests, share links, golden results) runs on [`Cpu`].
pub trait Compute: Sync {
    /// Runs `job` on `net`.
    fn simulate(&self, net: &Network, job: &SimJob) -> SimOutput;

    /// Whether this backend computes training gradients of `work` multiply-adds per step
    /// ([`crate::gradient::work_per_step`]) itself, on a GPU: a training's kept state is then
    /// told apart from the CPU's. The CPU: never.
    fn trains_on_gpu(&self, _work: f64) -> bool {
        false
    }

    /// The loss and gradient of `job` when this backend computes them itself; `None`: the
    /// caller computes them on the CPU (`train::bptt`), the exact reference.
    fn loss_and_gradient(&self, _job: &GradJob) -> Option<(f64, Vec<f64>)> {
        None
    }

    /// The states after every step of `job`'s trials (T × N each; its targets unused) when this
    /// backend computes them itself; `None`: the caller's CPU path (`train::bptt::states`).
    fn states(&self, _job: &GradJob) -> Option<Vec<Vec<f64>>> {
        None
    }
}

/// The CPU backend: a [`Simulator`] run to the end in one call.
pub struct Cpu;

impl Compute for Cpu {
    fn simulate(&self, net: &Network, job: &SimJob) -> SimOutput {
        simulate_cpu(net, job)
    }
}

fn simulate_cpu(net: &Network, job: &SimJob) -> SimOutput {
    let mut sim = Simulator::new(net, job);
    sim.advance(job.steps);
    sim.finish()
}

/// A batch run in progress: the state (rates, latent, noise streams) of [`SimJob`]'s trials
/// after [`steps_done`](Simulator::steps_done) of its `steps`, and the output rows so far.
///
/// Stepping is exact: advancing k steps and then k more gives the same bits as 2k in one go,
/// because every step draws from the same per-(trial, chunk) noise streams in the same order
/// whichever call it falls in. [`Cpu`]'s one-shot `simulate` is `new`, `advance(steps)`,
/// `finish`.
pub struct Simulator<'a> {
    job: SimJob<'a>,
    low: LowRank,
    /// The dense random part, laid out for its product.
    wt: Option<crate::dense::Packed>,
    params: StepParams,
    neurons: usize,
    chunks: usize,
    /// `job.observed` clipped to N.
    observed: usize,
    obs_scale: f64,
    rates: Vec<f64>,
    z: Vec<f64>,
    u: Vec<f64>,
    rngs: Vec<Rng>,
    partial: Vec<f64>,
    partial_obs: Vec<f64>,
    /// The output rows so far; `final_rates` stays empty until `finish`.
    out: SimOutput,
    t: usize,
}

impl<'a> Simulator<'a> {
    /// Sets up `job` on `net` at t = 0: copies the weights into the streaming layout, seeds
    /// the noise streams and records the initial row of the output.
    pub fn new(net: &Network, job: &SimJob<'a>) -> Self {
        let (n, k, ni) = (net.neurons, net.rank, net.inputs);
        let batch = job.batch;
        assert_eq!(job.initial.len(), batch * n, "initial rates must be batch × N");
        assert!(job.inputs.is_empty() || job.inputs.len() == batch * job.steps * ni);
        assert!(job.constant_input.is_empty() || job.constant_input.len() == ni);
        let chunks = n.div_ceil(CHUNK);
        let observed = job.observed.min(n);
        let rows = job.steps + 1;
        let mut sim = Simulator {
            job: *job,
            low: LowRank::new(net),
            wt: net.random.as_ref().map(|w| crate::dense::Packed::new(w, n)),
            params: StepParams { alpha: net.alpha(), noise: job.noise, phi: net.phi },
            neurons: n,
            chunks,
            observed,
            obs_scale: if observed > 0 { n as f64 / observed as f64 } else { 0.0 },
            rates: job.initial.to_vec(),
            z: vec![0.0; batch * k],
            u: vec![0.0; batch * ni],
            rngs: (0..batch * chunks)
                .map(|t| Rng::new(job.seed, stream::NOISE_BASE + (t / chunks) as u64 * (1 << 20) + (t % chunks) as u64))
                .collect(),
            partial: vec![0.0; batch * chunks * k],
            partial_obs: vec![0.0; if observed > 0 { batch * chunks * k } else { 0 }],
            out: SimOutput {
                latent: vec![0.0; batch * rows * k],
                recorded: vec![0.0; batch * rows * job.record.len()],
                final_rates: vec![],
                observed_latent: vec![0.0; if observed > 0 { batch * rows * k } else { 0 }],
            },
            t: 0,
        };
        sim.load_state();
        sim
    }

    /// Runs up to `steps` Euler steps, never past the job's `steps`, and returns how many ran.
    ///
    /// About 100 times per job (at the steps where progress is reported) it asks
    /// [`crate::progress::cancelled`] and returns early if the run has been cancelled; output
    /// rows not reached stay zero.
    pub fn advance(&mut self, steps: usize) -> usize {
        let total = self.job.steps;
        let end = total.min(self.t.saturating_add(steps));
        let report_every = (total / 100).max(1);
        let start = self.t;
        while self.t < end {
            if self.t.is_multiple_of(report_every) {
                crate::progress::report(self.t as f64 / total as f64);
                if crate::progress::cancelled() {
                    break;
                }
            }
            // The steps up to the next report in one hop onto the pool: each step's parallel
            // loops then start there instead of waking it from this thread (progress is this
            // thread's, so it stays here).
            let until = end.min((self.t / report_every + 1) * report_every);
            crate::parallel::on_pool(|| {
                while self.t < until {
                    self.step();
                }
            });
        }
        self.t - start
    }

    /// The rates now, batch × N (trial-major).
    pub fn rates(&self) -> &[f64] {
        &self.rates
    }

    /// Replaces the rates now (batch × N, trial-major) and rewrites the current output row
    /// (latent, recorded rates, observed latent) to describe the new state. The step count,
    /// the inputs still to come and the noise streams' positions are unchanged, so at t = 0
    /// this is the same run as a fresh one started from `rates`.
    pub fn set_rates(&mut self, rates: &[f64]) {
        assert_eq!(rates.len(), self.rates.len(), "rates must be batch × N");
        self.rates.copy_from_slice(rates);
        self.load_state();
    }

    /// The latent z = Nᵀ r now, batch × K (trial-major).
    pub fn latent(&self) -> &[f64] {
        &self.z
    }

    /// Steps taken so far (0 ..= the job's `steps`).
    pub fn steps_done(&self) -> usize {
        self.t
    }

    /// The output. If the run stopped before the job's `steps`, rows after
    /// [`steps_done`](Simulator::steps_done) are zero and `final_rates` are the rates reached.
    pub fn finish(self) -> SimOutput {
        SimOutput { final_rates: self.rates, ..self.out }
    }

    /// Reads z (and ẑ) from the rates in the readout's fixed order and writes row t.
    fn load_state(&mut self) {
        let (n, k) = (self.neurons, self.low.rank);
        for b in 0..self.job.batch {
            let trial = &self.rates[b * n..(b + 1) * n];
            self.z[b * k..(b + 1) * k].copy_from_slice(&self.low.encode(trial));
            if self.observed > 0 {
                let row = (b * (self.job.steps + 1) + self.t) * k;
                for (o, v) in
                    self.out.observed_latent[row..row + k].iter_mut().zip(self.low.encode(&trial[..self.observed]))
                {
                    *o = v * self.obs_scale;
                }
            }
        }
        self.save();
    }

    /// Copies z and the recorded rates into output row t.
    fn save(&mut self) {
        let (n, k, rows) = (self.neurons, self.low.rank, self.job.steps + 1);
        let rec = self.job.record.len();
        for b in 0..self.job.batch {
            let row = b * rows + self.t;
            self.out.latent[row * k..(row + 1) * k].copy_from_slice(&self.z[b * k..(b + 1) * k]);
            for (q, &i) in self.job.record.iter().enumerate() {
                self.out.recorded[row * rec + q] = self.rates[b * n + i];
            }
        }
    }

    fn step(&mut self) {
        let Simulator { job, low, wt, params, rates, z, u, rngs, partial, partial_obs, .. } = self;
        let (n, k, ni) = (self.neurons, low.rank, low.inputs);
        let (batch, chunks, observed, t) = (job.batch, self.chunks, self.observed, self.t);
        for b in 0..batch {
            for c in 0..ni {
                let mut v = if job.inputs.is_empty() { 0.0 } else { job.inputs[(b * job.steps + t) * ni + c] };
                if !job.constant_input.is_empty() {
                    v += job.constant_input[c];
                }
                u[b * ni + c] = v;
            }
        }
        let dense = wt.as_ref().map(|w| w.product(rates, batch));
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
        let (low, params) = (&*low, &*params);
        run_tasks(tasks, |task| step_chunk(low, params, task));
        z.fill(0.0);
        for b in 0..batch {
            for c in 0..chunks {
                for kk in 0..k {
                    z[b * k + kk] += partial[(b * chunks + c) * k + kk];
                }
            }
        }
        self.t += 1;
        if observed > 0 {
            let rows = job.steps + 1;
            for b in 0..batch {
                for kk in 0..k {
                    let mut s = 0.0;
                    for c in 0..chunks {
                        s += partial_obs[(b * chunks + c) * k + kk];
                    }
                    self.out.observed_latent[(b * rows + self.t) * k + kk] = s * self.obs_scale;
                }
            }
        }
        self.save();
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

fn step_chunk(low: &LowRank, p: &StepParams, task: Task) {
    #[cfg(target_arch = "x86_64")]
    {
        if crate::simd::avx512() {
            // SAFETY: AVX-512F is present; the body uses no FMA, so results are unchanged.
            unsafe { step_chunk_avx512(low, p, task) };
            return;
        }
        if crate::simd::avx2() {
            // SAFETY: AVX2 is present; the body uses no FMA, so results are unchanged.
            unsafe { step_chunk_avx2(low, p, task) };
            return;
        }
    }
    step_chunk_body(low, p, task)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn step_chunk_avx512(low: &LowRank, p: &StepParams, task: Task) {
    step_chunk_body(low, p, task)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn step_chunk_avx2(low: &LowRank, p: &StepParams, task: Task) {
    step_chunk_body(low, p, task)
}

#[inline(always)]
fn step_chunk_body(low: &LowRank, p: &StepParams, task: Task) {
    if low.rank > FUSED_RANK {
        return step_chunk_unfused(low, p, task);
    }
    // The chunk piece by piece, each piece's currents kept in L1 from the sum of their terms
    // to the readout: the sums, noise draws and lane order of the unfused kernel, so the same
    // bits.
    let len = task.rates.len();
    let mut acc = [[0.0f64; LANES]; FUSED_RANK];
    let mut buf = [0.0f64; PIECE];
    for p0 in (0..len).step_by(PIECE) {
        let p1 = (p0 + PIECE).min(len);
        let rates = &mut task.rates[p0..p1];
        let dense = task.dense.map(|d| &d[p0..p1]);
        relax(low, p, task.start + p0, dense, task.z, task.u, task.rng, rates, &mut buf[..p1 - p0]);
        for (kk, a) in acc.iter_mut().enumerate().take(low.rank) {
            lane_accumulate(a, &low.n(kk)[task.start + p0..task.start + p1], rates);
        }
    }
    for (o, a) in task.partial.iter_mut().zip(&acc) {
        *o = combine(a);
    }
    low.encode_chunk(task.start, &task.rates[..task.observed], task.partial_observed);
}

/// [`step_chunk_body`] for ranks above [`FUSED_RANK`]: whole-chunk passes.
#[inline(always)]
fn step_chunk_unfused(low: &LowRank, p: &StepParams, task: Task) {
    let mut current = [0.0f64; CHUNK];
    let len = task.rates.len();
    relax(low, p, task.start, task.dense, task.z, task.u, task.rng, task.rates, &mut current[..len]);
    low.encode_chunk(task.start, task.rates, task.partial);
    low.encode_chunk(task.start, &task.rates[..task.observed], task.partial_observed);
}

/// One Euler step of neurons `start..start + rates.len()`: their currents into `current`
/// (plus the noise, drawn in neuron order), then r ← (1 − α) r + α φ(current).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn relax(
    low: &LowRank,
    p: &StepParams,
    start: usize,
    dense: Option<&[f64]>,
    z: &[f64],
    u: &[f64],
    rng: &mut Rng,
    rates: &mut [f64],
    current: &mut [f64],
) {
    low.currents(start, dense, z, u, current);
    if p.noise > 0.0 {
        for c in current.iter_mut() {
            *c += p.noise * rng.normal_fast();
        }
    }
    let (keep, alpha) = (1.0 - p.alpha, p.alpha);
    match p.phi {
        Phi::Tanh => {
            for (r, c) in rates.iter_mut().zip(current.iter()) {
                *r = at_rest(keep * *r + alpha * crate::nonlinearity::tanh(*c));
            }
        }
        phi => {
            for (r, c) in rates.iter_mut().zip(current.iter()) {
                *r = at_rest(keep * *r + alpha * phi.apply(*c));
            }
        }
    }
}

/// A rate below 2⁻⁴⁰⁰ (4e-121) in size is 0. A network decaying to rest otherwise ends with
/// rates stuck in subnormal numbers ((1 − α) r rounds back to r there), and on the way its tanh
/// squares arguments below 1e-154 into them: each such operation costs several times more on
/// Intel CPUs, every step from then on (measured: a decaying N = 10⁴, K = 3 network stepped at
/// 75 M/s instead of 480 on one thread after 12,000 steps). Far below any rate a result shows,
/// the same natively and in wasm, and 2–4 % of a step's time.
#[inline(always)]
pub(crate) fn at_rest(r: f64) -> f64 {
    const REST: f64 = f64::from_bits((1023 - 400) << 52);
    if r.abs() < REST {
        0.0
    } else {
        r
    }
}

/// The exactly closed latent dynamics of the low-rank part (SCIENCE §1):
/// `z[t+1] = (1−α) z[t] + α Nᵀ φ(M z[t] + B u[t] + b)`. Returns z at t = 0..=steps (steps+1 × K).
pub fn simulate_latent(net: &Network, z0: &[f64], steps: usize, inputs: &[f64], constant_input: &[f64]) -> Vec<f64> {
    let low = LowRank::new(net);
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
        let drive = low.drive(&z, &u);
        for kk in 0..k {
            z[kk] = (1.0 - alpha) * z[kk] + alpha * drive[kk];
        }
        out.extend_from_slice(&z);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fused step of one chunk against the whole-chunk passes, on the same task: rates,
    /// readouts and the noise stream's position, bit for bit.
    #[test]
    fn the_fused_step_is_the_unfused_one_bit_for_bit() {
        for (neurons, rank, noise, dense, observed) in
            [(4_000, 3, 0.3, true, 1_000), (4_096, 1, 0.0, false, 0), (1_234, 8, 0.1, false, 1_234)]
        {
            let net = crate::lowrank::tests::network(neurons, rank, Phi::Tanh);
            let low = LowRank::new(&net);
            let p = StepParams { alpha: 0.1, noise, phi: Phi::Tanh };
            let mut draw = Rng::new(9, 0);
            let rates: Vec<f64> = (0..neurons).map(|_| 0.5 * draw.normal()).collect();
            let extra: Vec<f64> = (0..neurons).map(|_| 0.2 * draw.normal()).collect();
            let z: Vec<f64> = (0..rank).map(|k| 0.3 + 0.1 * k as f64).collect();
            let u: Vec<f64> = (0..rank).map(|k| if k == 0 { -0.5 } else { 0.0 }).collect();
            let run = |fused: bool| {
                let (mut r, mut rng) = (rates.clone(), Rng::new(5, 6));
                let (mut partial, mut partial_observed) = (vec![0.0; rank], vec![0.0; rank]);
                let task = Task {
                    rates: &mut r,
                    start: 0,
                    rng: &mut rng,
                    partial: &mut partial,
                    partial_observed: if observed > 0 { &mut partial_observed } else { &mut [] },
                    observed,
                    z: &z,
                    u: &u,
                    dense: dense.then_some(&extra[..]),
                };
                if fused {
                    step_chunk_body(&low, &p, task)
                } else {
                    step_chunk_unfused(&low, &p, task)
                }
                let next = rng.normal_fast();
                [r, partial, partial_observed, vec![next]].concat().iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            };
            assert_eq!(run(true), run(false), "N={neurons} K={rank} noise={noise} dense={dense}");
        }
    }
}
