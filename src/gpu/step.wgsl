// One Euler step of a batch of low-rank rate networks (with an optional dense part), in f32:
// `dense_product` (W r, before the step), `step` (currents, noise, φ, leak, and each
// workgroup's partial latent sums) and `reduce` (z = Nᵀ r from the partial sums in a fixed
// order, and the output row). The host writes K, I, OBS, DENSE and PHI into this text.
//
// Every reduction is a fixed tree over a fixed grouping, so an adapter repeats its own bits.

const K: u32 = {K}u;
const I: u32 = {I}u;
const OBS: bool = {OBS};
const DENSE: bool = {DENSE};
const WG: u32 = 256u;

struct Dims {
    n: u32,
    batch: u32,
    groups: u32,
    observed: u32,
    recorded: u32,
    width: u32,
    trial0: u32,
    seed_lo: u32,
    seed_hi: u32,
    alpha: f32,
    noise: f32,
    obs_scale: f32,
}

struct Step {
    t: u32,
    row: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<uniform> step_at: Step;
// M (K columns), N (K columns), B (I columns), bias: each column N long.
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> rates: array<f32>;
// z (batch × K), then the partial sums (batch × groups × K), then the observed ones.
@group(0) @binding(4) var<storage, read_write> state: array<f32>;
// u for this block's rows: rows × batch × I; then the recorded neurons' indices (bit casts).
@group(0) @binding(5) var<storage, read> inputs: array<f32>;
// The block's output rows: rows × batch × width (z, ẑ, recorded rates).
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
// Wᵀ (column j of W contiguous), N × N, and W r of the current step (batch × N).
@group(0) @binding(7) var<storage, read_write> dense: array<f32>;

fn phi(x: f32) -> f32 {
    {PHI}
}

// Philox4x32-10 (Salmon et al., SC 2011; the Random123 constants).
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
    let al = a & 0xffffu;
    let ah = a >> 16u;
    let bl = b & 0xffffu;
    let bh = b >> 16u;
    let ll = al * bl;
    let hl = ah * bl;
    let lh = al * bh;
    let cross = (ll >> 16u) + (hl & 0xffffu) + lh;
    return vec2<u32>(ah * bh + (hl >> 16u) + (cross >> 16u), a * b);
}

fn philox(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    var c = counter;
    var k = key;
    for (var round = 0u; round < 10u; round++) {
        if round > 0u {
            k = k + vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
        }
        let p0 = mulhilo(0xD2511F53u, c.x);
        let p1 = mulhilo(0xCD9E8D57u, c.z);
        c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    }
    return c;
}

// A standard normal from counter (neuron, trial, step, 0): Box–Muller of the first two words.
fn gauss(i: u32, trial: u32, t: u32) -> f32 {
    let w = philox(vec4<u32>(i, trial, t, 0u), vec2<u32>(dims.seed_lo, dims.seed_hi));
    let u1 = f32((w.x >> 8u) + 1u) * (1.0 / 16777216.0);
    let u2 = f32(w.y >> 8u) * (1.0 / 16777216.0);
    return sqrt(-2.0 * log(u1)) * cos(6.2831853071795864 * u2);
}


@compute @workgroup_size(256)
fn dense_product(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let n = dims.n;
    let b = wg.y;
    let i = wg.x * WG + lid;
    let base = n * n;
    var acc = 0.0;
    for (var j0 = 0u; j0 < n; j0 += WG) {
        workgroupBarrier();
        let j = j0 + lid;
        sh[lid] = select(0.0, rates[b * n + min(j, n - 1u)], j < n);
        workgroupBarrier();
        let len = min(WG, n - j0);
        if i < n {
            for (var jj = 0u; jj < len; jj++) {
                acc = acc + dense[(j0 + jj) * n + i] * sh[jj];
            }
        }
    }
    if i < n {
        dense[base + b * n + i] = acc;
    }
}

@compute @workgroup_size(256)
fn step(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    lid_ = lid;
    let n = dims.n;
    let b = wg.y;
    let i = wg.x * WG + lid;
    let live = i < n;
    var r = 0.0;
    if live {
        var x = weights[(2u * K + I) * n + i];
        for (var k = 0u; k < K; k++) {
            x = x + weights[k * n + i] * state[b * K + k];
        }
        for (var c = 0u; c < I; c++) {
            x = x + weights[(2u * K + c) * n + i] * inputs[(step_at.row * dims.batch + b) * I + c];
        }
        if DENSE {
            x = x + dense[n * n + b * n + i];
        }
        if dims.noise > 0.0 {
            x = x + dims.noise * gauss(i, dims.trial0 + b, step_at.t);
        }
        r = rates[b * n + i];
        r = (1.0 - dims.alpha) * r + dims.alpha * phi(x);
        rates[b * n + i] = r;
    }
    let parts = dims.batch * K;
    for (var k = 0u; k < K; k++) {
        sh[lid] = select(0.0, weights[(K + k) * n + min(i, n - 1u)] * r, live);
        tree();
        if lid == 0u {
            state[parts + (b * dims.groups + wg.x) * K + k] = sh[0];
        }
    }
    if OBS {
        for (var k = 0u; k < K; k++) {
            sh[lid] = select(0.0, weights[(K + k) * n + min(i, n - 1u)] * r, live && i < dims.observed);
            tree();
            if lid == 0u {
                state[parts + dims.batch * dims.groups * K + (b * dims.groups + wg.x) * K + k] = sh[0];
            }
        }
    }
}

@compute @workgroup_size(256)
fn reduce(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    lid_ = lid;
    let b = wg.x;
    let g = dims.groups;
    let parts = dims.batch * K;
    let row = (step_at.row * dims.batch + b) * dims.width;
    for (var k = 0u; k < K; k++) {
        var s = 0.0;
        for (var q = lid; q < g; q += WG) {
            s = s + state[parts + (b * g + q) * K + k];
        }
        sh[lid] = s;
        tree();
        if lid == 0u {
            state[b * K + k] = sh[0];
            out[row + k] = sh[0];
        }
    }
    if OBS {
        for (var k = 0u; k < K; k++) {
            var s = 0.0;
            for (var q = lid; q < g; q += WG) {
                s = s + state[parts + dims.batch * g * K + (b * g + q) * K + k];
            }
            sh[lid] = s;
            tree();
            if lid == 0u {
                out[row + K + k] = sh[0] * dims.obs_scale;
            }
        }
    }
    let first = select(K, 2u * K, OBS);
    let rec0 = arrayLength(&inputs) - dims.recorded;
    for (var q = lid; q < dims.recorded; q += WG) {
        out[row + first + q] = rates[b * dims.n + bitcast<u32>(inputs[rec0 + q])];
    }
}

// The generator's normals for counters (i, trial0 + b, t = step_at.t): a check against the
// host's reference, not part of a run.
@compute @workgroup_size(256)
fn noise_sample(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < dims.n {
        out[id.y * dims.n + id.x] = gauss(id.x, dims.trial0 + id.y, step_at.t);
    }
}
