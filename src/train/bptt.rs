//! The loss of a batch of trials and its gradient with respect to every parameter, by
//! backpropagation through time written out by hand for this one model family (the adjoint of
//! the Euler map). Trials are taken in fixed blocks of [`TRIALS_PER_BLOCK`]; blocks run in
//! parallel natively and their gradients are summed in block order, so the result is the same
//! bytes whatever the thread count, and the same natively and in wasm.

use super::model::{Part, TrainModel};
use crate::lowrank::lane_dot;
use crate::network::Model;
use crate::nonlinearity::Phi;
use serde::{Deserialize, Serialize};

/// Trials whose gradients one task accumulates before the blocks are summed in order.
pub const TRIALS_PER_BLOCK: usize = 4;

/// The loss on each scored output value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Loss {
    /// (y − target)².
    Mse,
    /// Binary cross-entropy of p = (1 + y)/2 against q = (1 + target)/2, for outputs and
    /// targets in (−1, 1) such as tanh rates (p is clamped to [1e-12, 1 − 1e-12]). Its value is
    /// given less the entropy of q (which no parameter changes), so it is the Kullback–Leibler
    /// divergence KL(q‖p) ≥ 0, which is 0 at a perfect fit; the gradient is the cross-entropy's.
    Logistic,
}

impl Loss {
    /// ℓ(y, target) and dℓ/dy.
    #[inline]
    pub fn value_and_slope(self, y: f64, target: f64) -> (f64, f64) {
        match self {
            Loss::Mse => {
                let d = y - target;
                (d * d, 2.0 * d)
            }
            Loss::Logistic => {
                const EPS: f64 = 1e-12;
                let raw = 0.5 * (1.0 + y);
                let p = raw.clamp(EPS, 1.0 - EPS);
                let q = 0.5 * (1.0 + target);
                let term = |a: f64, b: f64| if a > 0.0 { a * libm::log(a / b) } else { 0.0 };
                let value = term(q, p) + term(1.0 - q, 1.0 - p);
                let slope = if raw == p { 0.5 * ((1.0 - q) / (1.0 - p) - q / p) } else { 0.0 };
                (value, slope)
            }
        }
    }
}

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

/// The forward pass of one trial: what the backward pass needs.
struct Trace {
    /// (T + 1) × N states (r or x).
    state: Vec<f64>,
    /// T × N: φ′ of the rate form's currents, or (T + 1) × N φ(x) for the current form.
    aux: Vec<f64>,
    /// (T + 1) × N φ′(x) for the current form (empty for the rate form).
    slope: Vec<f64>,
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
fn recurrent_block(m: &TrainModel, hs: &[&[f64]], outs: &mut [Vec<f64>], kappa: &mut [f64]) {
    let n = m.arch.neurons;
    match m.arch.rank {
        None => {
            let w = m.part(Part::Recurrent);
            for i in 0..n {
                let row = &w[i * n..(i + 1) * n];
                for (h, out) in hs.iter().zip(outs.iter_mut()) {
                    out[i] = lane_dot(row, h);
                }
            }
        }
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
    forward_block(m, &[(inputs, noise)], steps).pop().expect("one trial")
}

/// The forward passes of a block of trials (inputs, noise), stepped together so that a dense
/// W is read once a step for all of them; each trial's numbers are those of its own pass.
fn forward_block(m: &TrainModel, trials: &[(&[f64], &[f64])], steps: usize) -> Vec<Trace> {
    let a = &m.arch;
    let n = a.neurons;
    let alpha = a.dt / a.tau;
    let i_count = a.inputs;
    let mut traces: Vec<Trace> = trials
        .iter()
        .map(|_| {
            let mut state = vec![0.0; (steps + 1) * n];
            state[..n].copy_from_slice(m.part(Part::Initial));
            match a.model {
                Model::Rate => Trace { state, aux: vec![0.0; steps * n], slope: vec![] },
                Model::Current => Trace { state, aux: vec![0.0; (steps + 1) * n], slope: vec![0.0; (steps + 1) * n] },
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
            recurrent_block(m, &hs, &mut cur, &mut kappa);
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

/// The readout's input at state row t: r (rate form) or φ(x) (current form).
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

/// Adds one trial's loss gradient (each term already divided by `weight`) into `grad`, from
/// its forward pass `tr`; returns the trial's loss sum divided by `weight`.
fn trial_gradient(
    m: &TrainModel,
    loss: Loss,
    batch: &Batch,
    (trial, tr): (usize, &Trace),
    weight: f64,
    grad: &mut [f64],
) -> f64 {
    let a = &m.arch;
    let (n, steps, i_count) = (a.neurons, batch.steps, a.inputs);
    let alpha = a.dt / a.tau;
    let o_count = a.outputs.unwrap_or(n);
    let (inputs, targets, mask) = (&batch.inputs[trial], &batch.targets[trial], &batch.mask[trial]);
    let lay = &m.layout;
    let k = a.rank.unwrap_or(0);
    let mut total = 0.0;
    // g: dL/d(state_{t+1}) flowing back; gy: dL/dy at a step.
    let mut g = vec![0.0; n];
    let mut gh = vec![0.0; n];
    let mut y = vec![0.0; o_count];
    let mut delta = vec![0.0; n];
    let mut back = vec![0.0; n];
    let mut dkappa = vec![0.0; k];
    let mut kappa = vec![0.0; k];
    for t in (0..steps).rev() {
        // The loss on the output after step t (state row t + 1).
        let h = observed(m, tr, t + 1);
        read(m, h, &mut y);
        gh.iter_mut().for_each(|v| *v = 0.0);
        let mut any = false;
        for o in 0..o_count {
            let w = mask[t * o_count + o];
            if w == 0.0 {
                continue;
            }
            any = true;
            let (v, s) = loss.value_and_slope(y[o], targets[t * o_count + o]);
            total += w * v / weight;
            let gy = w * s / weight;
            match a.outputs {
                None => gh[o] += gy,
                Some(_) => {
                    let rr = lay.range(Part::Readout);
                    let (row, grow) = (o * n..(o + 1) * n, rr.start + o * n);
                    let readout = &m.theta[rr.clone()][row];
                    for j in 0..n {
                        gh[j] += readout[j] * gy;
                        grad[grow + j] += gy * h[j];
                    }
                }
            }
        }
        // dL/d state_{t+1} gets the output's part: directly (rate) or through φ′(x) (current).
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
        // δ = dL/d(pre-activation drive of step t), and the input to W at step t.
        let hin: &[f64] = match a.model {
            Model::Rate => {
                let d = &tr.aux[t * n..(t + 1) * n];
                for j in 0..n {
                    delta[j] = alpha * d[j] * g[j];
                }
                &tr.state[t * n..(t + 1) * n]
            }
            Model::Current => {
                for j in 0..n {
                    delta[j] = alpha * g[j];
                }
                &tr.aux[t * n..(t + 1) * n]
            }
        };
        // Input weights and bias.
        let u = &inputs[t * i_count..(t + 1) * i_count];
        let ir = lay.range(Part::Input);
        for (c, uc) in u.iter().enumerate() {
            if *uc != 0.0 {
                let gb = &mut grad[ir.start + c * n..ir.start + (c + 1) * n];
                for j in 0..n {
                    gb[j] += delta[j] * uc;
                }
            }
        }
        let br = lay.range(Part::Bias);
        for (gb, d) in grad[br].iter_mut().zip(&delta) {
            *gb += d;
        }
        // Recurrent weights, and back = Wᵀ δ.
        match a.rank {
            None => {
                let wr = lay.range(Part::Recurrent);
                let w = &m.theta[wr.clone()];
                back.iter_mut().for_each(|v| *v = 0.0);
                for i in 0..n {
                    let di = delta[i];
                    if di == 0.0 {
                        continue;
                    }
                    let gw = &mut grad[wr.start + i * n..wr.start + (i + 1) * n];
                    for j in 0..n {
                        gw[j] += di * hin[j];
                    }
                    let wi = &w[i * n..(i + 1) * n];
                    for j in 0..n {
                        back[j] += wi[j] * di;
                    }
                }
            }
            Some(_) => {
                let (er, nr) = (lay.range(Part::Embedding), lay.range(Part::Encoding));
                let (em, en) = (&m.theta[er.clone()], &m.theta[nr.clone()]);
                for c in 0..k {
                    kappa[c] = lane_dot(&en[c * n..(c + 1) * n], hin) / n as f64;
                    dkappa[c] = lane_dot(&em[c * n..(c + 1) * n], &delta);
                }
                back.iter_mut().for_each(|v| *v = 0.0);
                for c in 0..k {
                    let gm = &mut grad[er.start + c * n..er.start + (c + 1) * n];
                    for j in 0..n {
                        gm[j] += delta[j] * kappa[c];
                    }
                    let s = dkappa[c] / n as f64;
                    let gn = &mut grad[nr.start + c * n..nr.start + (c + 1) * n];
                    for j in 0..n {
                        gn[j] += hin[j] * s;
                    }
                    let col = &en[c * n..(c + 1) * n];
                    for j in 0..n {
                        back[j] += col[j] * s;
                    }
                }
            }
        }
        // dL/d state_t: the leak, plus Wᵀδ directly (rate) or through φ′(x_t) (current).
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
    let xr = lay.range(Part::Initial);
    for (gx, v) in grad[xr].iter_mut().zip(&g) {
        *gx += v;
    }
    total
}

/// The batch's loss — the mask-weighted mean of ℓ over scored outputs — and its gradient
/// (same layout as `m.theta`).
pub fn loss_and_gradient(m: &TrainModel, loss: Loss, batch: &Batch) -> (f64, Vec<f64>) {
    let weight: f64 = batch.mask.iter().map(|v| v.iter().sum::<f64>()).sum::<f64>().max(f64::MIN_POSITIVE);
    let trials: Vec<usize> = (0..batch.len()).collect();
    let blocks: Vec<&[usize]> = trials.chunks(TRIALS_PER_BLOCK).collect();
    let parts = crate::parallel::map(&blocks, |block| {
        // The block's forward passes share each read of a dense W; the backward passes run
        // trial by trial, each summing into the block's gradient in turn.
        let io: Vec<(&[f64], &[f64])> = block
            .iter()
            .map(|&trial| (batch.inputs[trial].as_slice(), batch.noise.get(trial).map_or(&[][..], |v| v.as_slice())))
            .collect();
        let traces = forward_block(m, &io, batch.steps);
        let mut grad = vec![0.0; m.theta.len()];
        let mut total = 0.0;
        for (&trial, tr) in block.iter().zip(&traces) {
            total += trial_gradient(m, loss, batch, (trial, tr), weight, &mut grad);
        }
        (total, grad)
    });
    let mut total = 0.0;
    let mut grad = vec![0.0; m.theta.len()];
    for (t, g) in parts {
        total += t;
        grad.iter_mut().zip(&g).for_each(|(a, b)| *a += b);
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
