// Training's forward and backward passes (backpropagation through time, the adjoint of the
// Euler map, as train/bptt.rs writes it) for a group of trials, in f32:
//
//   init_state                      state row 0, the adjoint g = 0
//   for t = 0 … T−1:  fwd_kappa (low rank: κ = Nᵀh/N), fwd_step (row t + 1)
//   for t = T−1 … 0:  bwd_out (y, ℓ, dℓ/dy), bwd_delta (g += ∂ℓ/∂state, δ),
//                     bwd_scale (low rank: Mᵀδ/N), bwd_back (g = dL/d state_t)
//   grad_w (dense: ∂L/∂W = Σ δ hᵀ), grad_vec (every other part, one neuron per invocation)
//
// The host writes K, I, O, READOUT, CURRENT, DENSE, LOGISTIC, PHI and SLOPE into this text.
// Every sum runs in a fixed order, so an adapter repeats its own bits.

const K: u32 = {K}u;
const I: u32 = {I}u;
// Readout rows (1 when there is no readout and the output is h itself).
const O: u32 = {O}u;
const READOUT: bool = {READOUT};
const CURRENT: bool = {CURRENT};
const DENSE: bool = {DENSE};
const LOGISTIC: bool = {LOGISTIC};
const WG: u32 = 256u;
const TILE: u32 = 16u;

// Offsets in floats: the parameters (as in `theta`, from 0) and the group's data in `data`,
// the work arrays in `work`.
struct Dims {
    n: u32,
    steps: u32,
    trials: u32,
    outputs: u32,
    w: u32,
    m: u32,
    enc: u32,
    b: u32,
    bias: u32,
    r: u32,
    init: u32,
    wt: u32,
    u: u32,
    tgt: u32,
    mask: u32,
    noise: u32,
    s: u32,
    aux: u32,
    slope: u32,
    kappa: u32,
    scale: u32,
    d: u32,
    gy: u32,
    g: u32,
    loss: u32,
    has_noise: u32,
    alpha: f32,
    inv_n: f32,
    weight: f32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

struct Step {
    t: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<uniform> step_at: Step;
// θ (W, M, N, B, bias, R, x₀), Wᵀ (dense), then the group's inputs, targets, mask, noise.
@group(0) @binding(2) var<storage, read> data: array<f32>;
// State rows, h / φ′ rows, φ′(x) rows (current form), κ, Mᵀδ/N, δ, dℓ/dy, the adjoint g,
// the loss of each (trial, step).
@group(0) @binding(3) var<storage, read_write> work: array<f32>;
// The group's gradient, laid out as θ.
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

var<workgroup> ta: array<f32, 256>;
var<workgroup> tb: array<f32, 256>;

fn phi(x: f32) -> f32 {
    {PHI}
}

// φ′ at x, given y = φ(x).
fn slope(x: f32, y: f32) -> f32 {
    {SLOPE}
}

fn row(b: u32, t: u32) -> u32 {
    return b * (dims.steps + 1u) + t;
}

fn pair(b: u32, t: u32) -> u32 {
    return b * dims.steps + t;
}

// Where the row that W multiplies at state row t and the readout reads lies in `work`: r
// (rate form) or φ(x) (current form).
fn h_at(b: u32, t: u32) -> u32 {
    if CURRENT {
        return dims.aux + row(b, t) * dims.n;
    }
    return dims.s + row(b, t) * dims.n;
}

fn h(b: u32, t: u32, i: u32) -> f32 {
    return work[h_at(b, t) + i];
}

// Σ_j data[mat + j N + i] · work[v + j] for invocation i (0 when i ≥ N): an N × N matrix
// stored with index j major against a vector in `work`, read in tiles the workgroup shares.
// Every invocation of the workgroup calls it (it has barriers).
fn mat_vec(mat: u32, v: u32, i: u32, lid: u32) -> f32 {
    let n = dims.n;
    var acc = 0.0;
    for (var j0 = 0u; j0 < n; j0 += WG) {
        workgroupBarrier();
        let j = j0 + lid;
        sh[lid] = select(0.0, work[v + min(j, n - 1u)], j < n);
        workgroupBarrier();
        let len = min(WG, n - j0);
        if i < n {
            for (var jj = 0u; jj < len; jj++) {
                acc = acc + data[mat + (j0 + jj) * n + i] * sh[jj];
            }
        }
    }
    return acc;
}

// (ℓ, dℓ/dy) as `Loss::value_and_slope`; the logistic loss clamps p to [1e-6, 1 − 1e-6]
// (1 − 1e-12 is 1 in f32).
fn loss_of(y: f32, goal: f32) -> vec2<f32> {
    if LOGISTIC {
        let eps = 1e-6;
        let raw = 0.5 * (1.0 + y);
        let p = clamp(raw, eps, 1.0 - eps);
        let q = 0.5 * (1.0 + goal);
        var v = 0.0;
        if q > 0.0 {
            v = v + q * log(q / p);
        }
        if 1.0 - q > 0.0 {
            v = v + (1.0 - q) * log((1.0 - q) / (1.0 - p));
        }
        var s = 0.0;
        if raw == p {
            s = 0.5 * ((1.0 - q) / (1.0 - p) - q / p);
        }
        return vec2<f32>(v, s);
    }
    let d = y - goal;
    return vec2<f32>(d * d, 2.0 * d);
}

@compute @workgroup_size(256)
fn init_state(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let n = dims.n;
    let b = wg.y;
    let i = wg.x * WG + lid;
    if i >= n {
        return;
    }
    let x = data[dims.init + i];
    work[dims.s + row(b, 0u) * n + i] = x;
    if CURRENT {
        let y = phi(x);
        work[dims.aux + row(b, 0u) * n + i] = y;
        work[dims.slope + row(b, 0u) * n + i] = slope(x, y);
    }
    work[dims.g + b * n + i] = 0.0;
}

// κ_c = Σ_j N_cj h_j / N at step t, one workgroup per trial.
@compute @workgroup_size(256)
fn fwd_kappa(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    lid_ = lid;
    let n = dims.n;
    let b = wg.x;
    let t = step_at.t;
    for (var c = 0u; c < K; c++) {
        var acc = 0.0;
        for (var j = lid; j < n; j += WG) {
            acc = acc + data[dims.enc + c * n + j] * h(b, t, j);
        }
        sh[lid] = acc;
        tree();
        if lid == 0u {
            work[dims.kappa + pair(b, t) * K + c] = sh[0] * dims.inv_n;
        }
    }
}

@compute @workgroup_size(256)
fn fwd_step(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let n = dims.n;
    let b = wg.y;
    let t = step_at.t;
    let i = wg.x * WG + lid;
    let live = i < n;
    var cur = 0.0;
    if DENSE {
        // W h, from Wᵀ (column-contiguous, so neighbours' reads are adjacent).
        cur = mat_vec(dims.wt, h_at(b, t), i, lid);
    }
    if !live {
        return;
    }
    if !DENSE {
        for (var c = 0u; c < K; c++) {
            cur = cur + data[dims.m + c * n + i] * work[dims.kappa + pair(b, t) * K + c];
        }
    }
    for (var c = 0u; c < I; c++) {
        cur = cur + data[dims.b + c * n + i] * data[dims.u + pair(b, t) * I + c];
    }
    cur = cur + data[dims.bias + i];
    let prev = work[dims.s + row(b, t) * n + i];
    var next: f32;
    if CURRENT {
        next = (1.0 - dims.alpha) * prev + dims.alpha * cur;
    } else {
        let y = phi(cur);
        next = (1.0 - dims.alpha) * prev + dims.alpha * y;
        work[dims.aux + row(b, t) * n + i] = slope(cur, y);
    }
    if dims.has_noise != 0u {
        next = next + data[dims.noise + pair(b, t) * n + i];
    }
    work[dims.s + row(b, t + 1u) * n + i] = next;
    if CURRENT {
        let y = phi(next);
        work[dims.aux + row(b, t + 1u) * n + i] = y;
        work[dims.slope + row(b, t + 1u) * n + i] = slope(next, y);
    }
}

// The loss on the output after step t and dℓ/dy (weighted, over the batch's total weight),
// one workgroup per trial.
@compute @workgroup_size(256)
fn bwd_out(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    lid_ = lid;
    let n = dims.n;
    let b = wg.x;
    let t = step_at.t;
    let no = dims.outputs;
    let p = pair(b, t);
    if READOUT {
        var total = 0.0;
        for (var o = 0u; o < O; o++) {
            var acc = 0.0;
            for (var j = lid; j < n; j += WG) {
                acc = acc + data[dims.r + o * n + j] * h(b, t + 1u, j);
            }
            sh[lid] = acc;
            tree();
            if lid == 0u {
                let w = data[dims.mask + p * no + o];
                var gy = 0.0;
                if w != 0.0 {
                    let ls = loss_of(sh[0], data[dims.tgt + p * no + o]);
                    total = total + w * ls.x / dims.weight;
                    gy = w * ls.y / dims.weight;
                }
                work[dims.gy + p * no + o] = gy;
            }
        }
        if lid == 0u {
            work[dims.loss + p] = total;
        }
    } else {
        var total = 0.0;
        for (var o = lid; o < n; o += WG) {
            let w = data[dims.mask + p * no + o];
            var gy = 0.0;
            if w != 0.0 {
                let ls = loss_of(h(b, t + 1u, o), data[dims.tgt + p * no + o]);
                total = total + w * ls.x / dims.weight;
                gy = w * ls.y / dims.weight;
            }
            work[dims.gy + p * no + o] = gy;
        }
        sh[lid] = total;
        tree();
        if lid == 0u {
            work[dims.loss + p] = sh[0];
        }
    }
}

// g += dℓ/d state_{t+1}; δ = dL/d(drive of step t).
@compute @workgroup_size(256)
fn bwd_delta(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let n = dims.n;
    let b = wg.y;
    let t = step_at.t;
    let i = wg.x * WG + lid;
    if i >= n {
        return;
    }
    let p = pair(b, t);
    var gh = 0.0;
    if READOUT {
        for (var o = 0u; o < O; o++) {
            gh = gh + data[dims.r + o * n + i] * work[dims.gy + p * dims.outputs + o];
        }
    } else {
        gh = work[dims.gy + p * n + i];
    }
    var g = work[dims.g + b * n + i];
    var delta: f32;
    if CURRENT {
        g = g + gh * work[dims.slope + row(b, t + 1u) * n + i];
        delta = dims.alpha * g;
    } else {
        g = g + gh;
        delta = dims.alpha * work[dims.aux + row(b, t) * n + i] * g;
    }
    work[dims.g + b * n + i] = g;
    work[dims.d + p * n + i] = delta;
}

// Mᵀδ / N at step t, one workgroup per trial.
@compute @workgroup_size(256)
fn bwd_scale(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    lid_ = lid;
    let n = dims.n;
    let b = wg.x;
    let t = step_at.t;
    let p = pair(b, t);
    for (var c = 0u; c < K; c++) {
        var acc = 0.0;
        for (var j = lid; j < n; j += WG) {
            acc = acc + data[dims.m + c * n + j] * work[dims.d + p * n + j];
        }
        sh[lid] = acc;
        tree();
        if lid == 0u {
            work[dims.scale + p * K + c] = sh[0] * dims.inv_n;
        }
    }
}

// g = dL/d state_t: the leak plus Wᵀδ, directly (rate form) or through φ′(x_t) (current).
@compute @workgroup_size(256)
fn bwd_back(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let n = dims.n;
    let b = wg.y;
    let t = step_at.t;
    let i = wg.x * WG + lid;
    let live = i < n;
    let p = pair(b, t);
    var back = 0.0;
    if DENSE {
        // Wᵀδ, from W row-major.
        back = mat_vec(dims.w, dims.d + p * n, i, lid);
    }
    if !live {
        return;
    }
    if !DENSE {
        for (var c = 0u; c < K; c++) {
            back = back + data[dims.enc + c * n + i] * work[dims.scale + p * K + c];
        }
    }
    var g = work[dims.g + b * n + i];
    if CURRENT {
        g = (1.0 - dims.alpha) * g + back * work[dims.slope + row(b, t) * n + i];
    } else {
        g = (1.0 - dims.alpha) * g + back;
    }
    work[dims.g + b * n + i] = g;
}

// ∂L/∂W[i][j] = Σ over (trial, step) of δ_i h_j, in 16 × 16 tiles of W and 16 pairs at a time.
@compute @workgroup_size(16, 16)
fn grad_w(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
    let n = dims.n;
    let j = wg.x * TILE + l.x;
    let i = wg.y * TILE + l.y;
    let pairs = dims.trials * dims.steps;
    var acc = 0.0;
    for (var p0 = 0u; p0 < pairs; p0 += TILE) {
        workgroupBarrier();
        // Pair p0 + l.y: its δ at row i0 + l.x into ta, its h at column j0 + l.x into tb.
        let p = p0 + l.y;
        let pb = p / dims.steps;
        let pt = p % dims.steps;
        let ii = wg.y * TILE + l.x;
        let jj = wg.x * TILE + l.x;
        var dv = 0.0;
        var hv = 0.0;
        if p < pairs {
            if ii < n {
                dv = work[dims.d + p * n + ii];
            }
            if jj < n {
                hv = h(pb, pt, jj);
            }
        }
        ta[l.y * TILE + l.x] = dv;
        tb[l.y * TILE + l.x] = hv;
        workgroupBarrier();
        let len = min(TILE, pairs - p0);
        for (var q = 0u; q < len; q++) {
            acc = acc + ta[q * TILE + l.y] * tb[q * TILE + l.x];
        }
    }
    if i < n && j < n {
        grad[dims.w + i * n + j] = acc;
    }
}

// Every part but W for neuron j, each a sum over (trial, step) in order.
@compute @workgroup_size(256)
fn grad_vec(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let n = dims.n;
    let j = wg.x * WG + lid;
    if j >= n {
        return;
    }
    let pairs = dims.trials * dims.steps;
    var bias = 0.0;
    for (var p = 0u; p < pairs; p++) {
        bias = bias + work[dims.d + p * n + j];
    }
    grad[dims.bias + j] = bias;
    for (var c = 0u; c < I; c++) {
        var acc = 0.0;
        for (var p = 0u; p < pairs; p++) {
            acc = acc + work[dims.d + p * n + j] * data[dims.u + p * I + c];
        }
        grad[dims.b + c * n + j] = acc;
    }
    if !DENSE {
        for (var c = 0u; c < K; c++) {
            var gm = 0.0;
            var gn = 0.0;
            for (var p = 0u; p < pairs; p++) {
                let pb = p / dims.steps;
                let pt = p % dims.steps;
                gm = gm + work[dims.d + p * n + j] * work[dims.kappa + p * K + c];
                gn = gn + h(pb, pt, j) * work[dims.scale + p * K + c];
            }
            grad[dims.m + c * n + j] = gm;
            grad[dims.enc + c * n + j] = gn;
        }
    }
    if READOUT {
        for (var o = 0u; o < O; o++) {
            var acc = 0.0;
            for (var p = 0u; p < pairs; p++) {
                let pb = p / dims.steps;
                let pt = p % dims.steps;
                acc = acc + work[dims.gy + p * dims.outputs + o] * h(pb, pt + 1u, j);
            }
            grad[dims.r + o * n + j] = acc;
        }
    }
    var x0 = 0.0;
    for (var b = 0u; b < dims.trials; b++) {
        x0 = x0 + work[dims.g + b * n + j];
    }
    grad[dims.init + j] = x0;
}
