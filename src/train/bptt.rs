//! The loss of a batch of trials and its gradient with respect to every parameter, by
//! backpropagation through time written out by hand for this one model family (the adjoint of
//! the Euler map). Trials are taken in fixed blocks of [`TRIALS_PER_BLOCK`]; blocks run in
//! parallel natively and their gradients are summed in block order, so the result is the same
//! bytes whatever the thread count, and the same natively and in wasm.

use super::model::{Part, TrainModel};
use crate::dense::{self, LaneSplit};
use crate::lowrank::lane_dot;
use crate::network::Model;
use crate::nonlinearity::Phi;
use crate::scratch;

/// Trials whose gradients one task accumulates before the blocks are summed in order.
pub const TRIALS_PER_BLOCK: usize = 4;

/// Blocks stepped together by one task: they share each read of a dense W (which is what a
/// dense step waits for), and each keeps its own gradient, so the bits do not depend on it.
const BLOCKS_PER_GROUP: usize = 4;
/// Groups each thread takes in one wave of [`loss_and_gradient`]: enough to balance the
/// threads, few enough that a wave's block gradients stay small.
const GROUPS_PER_WAVE_PER_THREAD: usize = 2;

use crate::gradient::GradJob;
pub use crate::gradient::Loss;

/// Trials of equal length, flat and step-major.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    /// Euler steps per trial T.
    pub steps: usize,
    /// Per trial, T × I inputs (row t drives step t).
    pub inputs: Vec<Vec<f64>>,
    /// Per trial, T × O targets (row t is the target of the state after step t).
    pub targets: Vec<Vec<f64>>,
    /// Per trial, T × O weights of each target (0: not scored).
    pub mask: Vec<Vec<f64>>,
    /// Per trial, T × N noise added to the state after each step, or empty for none.
    pub noise: Vec<Vec<f64>>,
}

impl Batch {
    /// Number of trials.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }
    /// Whether the batch has no trials.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }
}

/// A dense W laid out once per batch for the products of every step: split by lanes for W h
/// (forward) and transposed for Wᵀδ (backward).
struct Prepared {
    /// Below [`SPLIT_FROM`] neurons the rows' dot products are as fast (measured at 100–400).
    split: Option<LaneSplit>,
    wt: Vec<f64>,
}

const SPLIT_FROM: usize = 256;

impl Prepared {
    fn new(m: &TrainModel) -> Option<Self> {
        let (n, w) = (m.arch.neurons, m.part(Part::Recurrent));
        m.arch
            .rank
            .is_none()
            .then(|| Prepared { split: (n >= SPLIT_FROM).then(|| LaneSplit::new(w, n)), wt: dense::transpose(w, n) })
    }
}

/// The forward pass of one trial: what the backward pass needs.
struct Trace {
    /// (T + 1) × N states (r or x).
    state: Vec<f64>,
    /// T × N: φ′ of the rate form's currents, or (T + 1) × N φ(x) for the current form.
    aux: Vec<f64>,
    /// (T + 1) × N φ′(x) for the current form (empty for the rate form).
    slope: Vec<f64>,
}

impl Trace {
    fn recycle(self) {
        scratch::give(self.state);
        scratch::give(self.aux);
        scratch::give(self.slope);
    }
}

/// out[i] = (W h)_i for the model's dense or low-rank W.
fn recurrent(m: &TrainModel, h: &[f64], out: &mut [f64], kappa: &mut [f64]) {
    let n = m.arch.neurons;
    match m.arch.rank {
        None => {
            let w = m.part(Part::Recurrent);
            for (i, o) in out.iter_mut().enumerate() {
                *o = lane_dot(&w[i * n..(i + 1) * n], h);
            }
        }
        Some(k) => {
            let (em, en) = (m.part(Part::Embedding), m.part(Part::Encoding));
            for (c, kc) in kappa.iter_mut().enumerate().take(k) {
                *kc = lane_dot(&en[c * n..(c + 1) * n], h) / n as f64;
            }
            out.iter_mut().for_each(|o| *o = 0.0);
            for (c, kc) in kappa.iter().enumerate().take(k) {
                for (o, mi) in out.iter_mut().zip(&em[c * n..(c + 1) * n]) {
                    *o += mi * kc;
                }
            }
        }
    }
}

/// outs[b] = W hs[b] for the trials of a block: a dense W is read once for all of them (the
/// product is memory-bound), each row's dot product in the same order as for one trial.
fn recurrent_block(m: &TrainModel, split: Option<&LaneSplit>, hs: &[&[f64]], outs: &mut [Vec<f64>], kappa: &mut [f64]) {
    let n = m.arch.neurons;
    match m.arch.rank {
        None => match split {
            Some(split) => split.dots(hs, outs),
            None => dense::lane_dots(m.part(Part::Recurrent), n, hs, outs),
        },
        Some(_) => {
            for (h, out) in hs.iter().zip(outs.iter_mut()) {
                recurrent(m, h, out, kappa);
            }
        }
    }
}

/// out += B u + b.
fn drive(m: &TrainModel, u: &[f64], out: &mut [f64]) {
    let n = m.arch.neurons;
    let b = m.part(Part::Input);
    for (c, uc) in u.iter().enumerate() {
        if *uc != 0.0 {
            for (o, bi) in out.iter_mut().zip(&b[c * n..(c + 1) * n]) {
                *o += bi * uc;
            }
        }
    }
    for (o, bi) in out.iter_mut().zip(m.part(Part::Bias)) {
        *o += bi;
    }
}

fn forward(m: &TrainModel, inputs: &[f64], noise: &[f64], steps: usize) -> Trace {
    forward_block(m, None, &[(inputs, noise)], steps).pop().expect("one trial")
}

/// The forward passes of a block of trials (inputs, noise), stepped together so that a dense
/// W is read once a step for all of them; each trial's numbers are those of its own pass.
fn forward_block(m: &TrainModel, split: Option<&LaneSplit>, trials: &[(&[f64], &[f64])], steps: usize) -> Vec<Trace> {
    let a = &m.arch;
    let n = a.neurons;
    let alpha = a.dt / a.tau;
    let i_count = a.inputs;
    let mut traces: Vec<Trace> = trials
        .iter()
        .map(|_| {
            let mut state = scratch::zeroed((steps + 1) * n);
            state[..n].copy_from_slice(m.part(Part::Initial));
            match a.model {
                Model::Rate => Trace { state, aux: scratch::zeroed(steps * n), slope: vec![] },
                Model::Current => {
                    Trace { state, aux: scratch::zeroed((steps + 1) * n), slope: scratch::zeroed((steps + 1) * n) }
                }
            }
        })
        .collect();
    let mut cur = vec![vec![0.0; n]; trials.len()];
    let mut kappa = vec![0.0; a.rank.unwrap_or(0)];
    // tanh′ from the tanh just computed: the same bits as `derivative`, one evaluation
    // instead of two.
    let slope_of = |x: f64, y: f64| if a.phi == Phi::Tanh { 1.0 - y * y } else { a.phi.derivative(x) };
    for t in 0..=steps {
        if a.model == Model::Current {
            for tr in traces.iter_mut() {
                for i in 0..n {
                    let x = tr.state[t * n + i];
                    let y = a.phi.apply(x);
                    tr.aux[t * n + i] = y;
                    tr.slope[t * n + i] = slope_of(x, y);
                }
            }
        }
        if t == steps {
            break;
        }
        {
            let hs: Vec<&[f64]> = traces
                .iter()
                .map(|tr| match a.model {
                    Model::Rate => &tr.state[t * n..(t + 1) * n],
                    Model::Current => &tr.aux[t * n..(t + 1) * n],
                })
                .collect();
            recurrent_block(m, split, &hs, &mut cur, &mut kappa);
        }
        for ((tr, c), &(inputs, noise)) in traces.iter_mut().zip(cur.iter_mut()).zip(trials) {
            drive(m, &inputs[t * i_count..(t + 1) * i_count], c);
            let Trace { state, aux, .. } = tr;
            let (past, future) = state.split_at_mut((t + 1) * n);
            let prev = &past[t * n..];
            let next = &mut future[..n];
            match a.model {
                Model::Rate => {
                    for i in 0..n {
                        let y = a.phi.apply(c[i]);
                        next[i] = (1.0 - alpha) * prev[i] + alpha * y;
                        aux[t * n + i] = slope_of(c[i], y);
                    }
                }
                Model::Current => {
                    for i in 0..n {
                        next[i] = (1.0 - alpha) * prev[i] + alpha * c[i];
                    }
                }
            }
            if !noise.is_empty() {
                next.iter_mut().zip(&noise[t * n..(t + 1) * n]).for_each(|(s, z)| *s += z);
            }
        }
    }
    traces
}

/// What the readout reads at state row t, and W multiplies in step t: r (rate form) or φ(x)
/// (current form).
fn observed<'a>(m: &TrainModel, tr: &'a Trace, t: usize) -> &'a [f64] {
    let n = m.arch.neurons;
    match m.arch.model {
        Model::Rate => &tr.state[t * n..(t + 1) * n],
        Model::Current => &tr.aux[t * n..(t + 1) * n],
    }
}

/// The outputs after every step of one trial: T × O (or T × N without a readout).
pub fn outputs(m: &TrainModel, inputs: &[f64], steps: usize) -> Vec<f64> {
    let tr = forward(m, inputs, &[], steps);
    let n = m.arch.neurons;
    let o = m.arch.outputs.unwrap_or(n);
    let mut out = vec![0.0; steps * o];
    for t in 0..steps {
        let h = observed(m, &tr, t + 1);
        read(m, h, &mut out[t * o..(t + 1) * o]);
    }
    out
}

/// The states after every step of one trial (T × N), without noise.
pub fn states(m: &TrainModel, inputs: &[f64], steps: usize) -> Vec<f64> {
    let n = m.arch.neurons;
    forward(m, inputs, &[], steps).state[n..].to_vec()
}

/// The states after every step of one trial (T × N) with `noise` (T × N, as [`Batch::noise`])
/// added to the state after each step.
pub fn noisy_states(m: &TrainModel, inputs: &[f64], noise: &[f64], steps: usize) -> Vec<f64> {
    let n = m.arch.neurons;
    forward(m, inputs, noise, steps).state[n..].to_vec()
}

fn read(m: &TrainModel, h: &[f64], y: &mut [f64]) {
    let n = m.arch.neurons;
    match m.arch.outputs {
        None => y.copy_from_slice(h),
        Some(_) => {
            let r = m.part(Part::Readout);
            for (o, yo) in y.iter_mut().enumerate() {
                *yo = lane_dot(&r[o * n..(o + 1) * n], h);
            }
        }
    }
}

/// The backward passes of a block of trials from their forward passes `traces`: the block's
/// loss sum and gradient, each term already divided by `weight`.
///
/// The trials step back together so that a dense W is read once a step for all of them (Wᵀδ),
/// and ∂L/∂W is then one product over the block's (trial, step) pairs ([`dense::accumulate`]).
/// Every parameter's gradient still adds its terms trial by trial and, within a trial, from the
/// last step to the first, so the bits do not depend on how many trials step together.
fn backward_group(
    m: &TrainModel,
    prepared: Option<&Prepared>,
    loss: Loss,
    batch: &Batch,
    blocks: &[&[usize]],
    traces: &[Trace],
    weight: f64,
) -> Vec<(f64, Vec<f64>)> {
    let block: Vec<usize> = blocks.concat();
    let a = &m.arch;
    let (n, steps, i_count) = (a.neurons, batch.steps, a.inputs);
    let alpha = a.dt / a.tau;
    let o_count = a.outputs.unwrap_or(n);
    let k = a.rank.unwrap_or(0);
    let lay = &m.layout;
    let count = block.len();
    // Row s of the per-pair records below is (trial b of the block, step t), trial-major with
    // the steps reversed: the order in which each gradient adds its terms.
    let pair = |b: usize, t: usize| b * steps + (steps - 1 - t);
    let pairs = count * steps;
    let mut deltas = scratch::zeroed(pairs * n); // δ = dL/d(drive of step t)
    let mut slopes_y = vec![0.0; pairs * o_count]; // dL/dy after step t, 0 where unscored
    let mut kappas = vec![0.0; pairs * k]; // low rank: κ = Nᵀh / N at step t
    let mut kappa_slopes = vec![0.0; pairs * k]; // low rank: Mᵀδ / N
    let mut g = vec![vec![0.0; n]; count]; // dL/d(state_{t+1}) flowing back, per trial
    let mut totals = vec![0.0; count];
    let mut gh = vec![0.0; n];
    let mut y = vec![0.0; o_count];
    let mut step_deltas = vec![0.0; count * n]; // dense: this step's δ's as columns (N × trials)
    let mut back_t = vec![0.0; count * n];
    let mut back = vec![0.0; count * n]; // Wᵀδ per trial
    for t in (0..steps).rev() {
        for (b, (&trial, tr)) in block.iter().zip(traces).enumerate() {
            let s = pair(b, t);
            let (targets, mask) = (&batch.targets[trial], &batch.mask[trial]);
            // The loss on the output after step t (state row t + 1).
            read(m, observed(m, tr, t + 1), &mut y);
            gh.iter_mut().for_each(|v| *v = 0.0);
            let mut any = false;
            for o in 0..o_count {
                let w = mask[t * o_count + o];
                if w == 0.0 {
                    continue;
                }
                any = true;
                let (v, slope) = loss.value_and_slope(y[o], targets[t * o_count + o]);
                totals[b] += w * v / weight;
                let gy = w * slope / weight;
                slopes_y[s * o_count + o] = gy;
                match a.outputs {
                    None => gh[o] += gy,
                    Some(_) => {
                        let readout = &m.part(Part::Readout)[o * n..(o + 1) * n];
                        for j in 0..n {
                            gh[j] += readout[j] * gy;
                        }
                    }
                }
            }
            // dL/d state_{t+1} gets the output's part: directly (rate) or through φ′(x) (current).
            let g = &mut g[b];
            if any {
                match a.model {
                    Model::Rate => g.iter_mut().zip(&gh).for_each(|(gi, v)| *gi += v),
                    Model::Current => {
                        let sl = &tr.slope[(t + 1) * n..(t + 2) * n];
                        for j in 0..n {
                            g[j] += gh[j] * sl[j];
                        }
                    }
                }
            }
            let delta = &mut deltas[s * n..(s + 1) * n];
            match a.model {
                Model::Rate => {
                    let d = &tr.aux[t * n..(t + 1) * n];
                    for j in 0..n {
                        delta[j] = alpha * d[j] * g[j];
                    }
                }
                Model::Current => {
                    for j in 0..n {
                        delta[j] = alpha * g[j];
                    }
                }
            }
            if let Some(k) = a.rank {
                let (em, en) = (m.part(Part::Embedding), m.part(Part::Encoding));
                let hin = observed(m, tr, t);
                let back = &mut back[b * n..(b + 1) * n];
                back.iter_mut().for_each(|v| *v = 0.0);
                for c in 0..k {
                    kappas[s * k + c] = lane_dot(&en[c * n..(c + 1) * n], hin) / n as f64;
                    let scale = lane_dot(&em[c * n..(c + 1) * n], delta) / n as f64;
                    kappa_slopes[s * k + c] = scale;
                    let col = &en[c * n..(c + 1) * n];
                    for j in 0..n {
                        back[j] += col[j] * scale;
                    }
                }
            } else {
                for (i, d) in delta.iter().enumerate() {
                    step_deltas[i * count + b] = *d;
                }
            }
        }
        if let Some(prepared) = prepared {
            // (Wᵀδ)ᵀ for all trials at once: Wᵀ (N × N) times the δ's as columns (N × trials).
            back_t.iter_mut().for_each(|v| *v = 0.0);
            dense::accumulate(&prepared.wt, &step_deltas, n, n, count, &mut back_t);
            for (b, back) in back.chunks_exact_mut(n).enumerate() {
                for (j, v) in back.iter_mut().enumerate() {
                    *v = back_t[j * count + b];
                }
            }
        }
        // dL/d state_t: the leak, plus Wᵀδ directly (rate) or through φ′(x_t) (current).
        for (b, tr) in traces.iter().enumerate() {
            let (g, back) = (&mut g[b], &back[b * n..(b + 1) * n]);
            match a.model {
                Model::Rate => {
                    for j in 0..n {
                        g[j] = (1.0 - alpha) * g[j] + back[j];
                    }
                }
                Model::Current => {
                    let sl = &tr.slope[t * n..(t + 1) * n];
                    for j in 0..n {
                        g[j] = (1.0 - alpha) * g[j] + back[j] * sl[j];
                    }
                }
            }
        }
    }
    let (rr, ir, br) = (lay.range(Part::Readout), lay.range(Part::Input), lay.range(Part::Bias));
    let (er, nr) = (lay.range(Part::Embedding), lay.range(Part::Encoding));
    let mut first = 0;
    let mut out = Vec::with_capacity(blocks.len());
    for trials in blocks {
        let members = first..first + trials.len();
        first = members.end;
        let mut grad = scratch::zeroed(m.theta.len());
        for b in members.clone() {
            let (trial, tr) = (block[b], &traces[b]);
            for t in (0..steps).rev() {
                let s = pair(b, t);
                let delta = &deltas[s * n..(s + 1) * n];
                if a.outputs.is_some() {
                    let h = observed(m, tr, t + 1);
                    for (o, &gy) in slopes_y[s * o_count..(s + 1) * o_count].iter().enumerate() {
                        if gy != 0.0 {
                            let gr = &mut grad[rr.start + o * n..rr.start + (o + 1) * n];
                            for j in 0..n {
                                gr[j] += gy * h[j];
                            }
                        }
                    }
                }
                for (c, &uc) in batch.inputs[trial][t * i_count..(t + 1) * i_count].iter().enumerate() {
                    if uc != 0.0 {
                        let gb = &mut grad[ir.start + c * n..ir.start + (c + 1) * n];
                        for j in 0..n {
                            gb[j] += delta[j] * uc;
                        }
                    }
                }
                for (gb, d) in grad[br.clone()].iter_mut().zip(delta) {
                    *gb += d;
                }
                if k > 0 {
                    let hin = observed(m, tr, t);
                    for c in 0..k {
                        let (kappa, scale) = (kappas[s * k + c], kappa_slopes[s * k + c]);
                        let gm = &mut grad[er.start + c * n..er.start + (c + 1) * n];
                        for j in 0..n {
                            gm[j] += delta[j] * kappa;
                        }
                        let gn = &mut grad[nr.start + c * n..nr.start + (c + 1) * n];
                        for j in 0..n {
                            gn[j] += hin[j] * scale;
                        }
                    }
                }
            }
            let xr = lay.range(Part::Initial);
            for (gx, v) in grad[xr].iter_mut().zip(&g[b]) {
                *gx += v;
            }
        }
        if a.rank.is_none() {
            // ∂L/∂W[i][j] = Σ_s δ_s[i] h_s[j] over the block's pairs: δ transposed (N × pairs)
            // times the inputs (pairs × N).
            let rows = members.start * steps..members.end * steps;
            let count = rows.len();
            let mut dt = scratch::zeroed(n * count);
            let mut hs = scratch::zeroed(count * n);
            for b in members.clone() {
                for t in 0..steps {
                    let s = pair(b, t);
                    let local = s - rows.start;
                    hs[local * n..(local + 1) * n].copy_from_slice(observed(m, &traces[b], t));
                    for (i, d) in deltas[s * n..(s + 1) * n].iter().enumerate() {
                        dt[i * count + local] = *d;
                    }
                }
            }
            let wr = lay.range(Part::Recurrent);
            dense::accumulate(&dt, &hs, n, count, n, &mut grad[wr]);
            scratch::give(dt);
            scratch::give(hs);
        }
        let total = totals[members].iter().fold(0.0, |acc, v| acc + v);
        out.push((total, grad));
    }
    scratch::give(deltas);
    out
}

/// The batch's loss — the mask-weighted mean of ℓ over scored outputs — and its gradient
/// (same layout as `m.theta`).
pub fn loss_and_gradient(m: &TrainModel, loss: Loss, batch: &Batch) -> (f64, Vec<f64>) {
    let weight: f64 = batch.mask.iter().map(|v| v.iter().sum::<f64>()).sum::<f64>().max(f64::MIN_POSITIVE);
    let trials: Vec<usize> = (0..batch.len()).collect();
    let blocks: Vec<&[usize]> = trials.chunks(TRIALS_PER_BLOCK).collect();
    // Only a dense W gains from wider groups; low-rank blocks stay small and hot in cache.
    let per_group = if m.arch.rank.is_none() { BLOCKS_PER_GROUP } else { 1 };
    let groups: Vec<&[&[usize]]> = blocks.chunks(per_group).collect();
    let prepared = Prepared::new(m);
    let mut total = 0.0;
    let mut grad = vec![0.0; m.theta.len()];
    // Groups run in waves of a few per thread, and each wave's block gradients are added before
    // the next starts: the sum is the same left fold in block order, and only a wave's gradients
    // are held (all of a batch's at once took 1 GiB for N = 1000, batch 512).
    for wave in groups.chunks(GROUPS_PER_WAVE_PER_THREAD * crate::parallel::threads()) {
        let parts = crate::parallel::map(wave, |group| {
            // The group's trials step together forward and back, sharing each read of a dense W.
            let io: Vec<(&[f64], &[f64])> = group
                .iter()
                .flat_map(|block| block.iter())
                .map(|&trial| {
                    (batch.inputs[trial].as_slice(), batch.noise.get(trial).map_or(&[][..], |v| v.as_slice()))
                })
                .collect();
            let traces = forward_block(m, prepared.as_ref().and_then(|p| p.split.as_ref()), &io, batch.steps);
            let parts = backward_group(m, prepared.as_ref(), loss, batch, group, &traces, weight);
            traces.into_iter().for_each(Trace::recycle);
            parts
        });
        for (t, g) in parts.into_iter().flatten() {
            total += t;
            grad.iter_mut().zip(&g).for_each(|(a, b)| *a += b);
            scratch::give(g);
        }
    }
    (total, grad)
}

/// The batch's loss alone (forward passes only), summed in the same order.
pub fn loss(m: &TrainModel, loss: Loss, batch: &Batch) -> f64 {
    let weight: f64 = batch.mask.iter().map(|v| v.iter().sum::<f64>()).sum::<f64>().max(f64::MIN_POSITIVE);
    let n = m.arch.neurons;
    let o_count = m.arch.outputs.unwrap_or(n);
    let mut total = 0.0;
    let mut y = vec![0.0; o_count];
    for trial in 0..batch.len() {
        let noise: &[f64] = batch.noise.get(trial).map_or(&[], |v| v.as_slice());
        let tr = forward(m, &batch.inputs[trial], noise, batch.steps);
        let mut s = 0.0;
        for t in 0..batch.steps {
            read(m, observed(m, &tr, t + 1), &mut y);
            for (o, yo) in y.iter().enumerate() {
                let w = batch.mask[trial][t * o_count + o];
                if w != 0.0 {
                    s += w * loss.value_and_slope(*yo, batch.targets[trial][t * o_count + o]).0 / weight;
                }
            }
        }
        total += s;
    }
    total
}

/// The batch's loss and gradient as a job for a compute backend ([`GradJob`]): the same
/// numbers as [`loss_and_gradient`], asked of a GPU.
pub fn grad_job<'a>(m: &'a TrainModel, loss: Loss, batch: &'a Batch) -> GradJob<'a> {
    let a = &m.arch;
    GradJob {
        model: a.model,
        phi: a.phi,
        neurons: a.neurons,
        rank: a.rank,
        inputs: a.inputs,
        outputs: a.outputs,
        alpha: a.dt / a.tau,
        theta: &m.theta,
        loss,
        steps: batch.steps,
        trial_inputs: &batch.inputs,
        targets: &batch.targets,
        mask: &batch.mask,
        noise: &batch.noise,
    }
}
