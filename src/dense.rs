//! Deterministic dense products: X = R Wᵀ for a batch of rate vectors ([`Packed::product`], on
//! all threads) and out += A B for any shapes ([`accumulate`], on one; training's Wᵀδ and ∂L/∂W).
//!
//! Every output is summed in plain column order j = 0, 1, …, N−1 starting from 0, whatever the
//! blocking, tiling, thread count or SIMD width, and without fused multiply-adds, so the result
//! is bit-identical to the naive loop natively and in wasm. The blocking only keeps W's tiles
//! in cache and the accumulators in registers.

use crate::lowrank::{combine, lane_dot, LANES};

/// A square W (n × n, row-major) laid out once for [`Packed::product`]: its rows cut into
/// panels of PW = 4 TI, each panel stored k-major over the whole row length (panel p holds
/// W[p·PW + c][k] at k · PW + c, rows past n zero). A batch of one then reads each panel as
/// one stream in order, a larger batch reads each TI-wide tile of it with stride PW (one cache
/// line per k), and the per-call packing of [`accumulate`] is done once for the network.
pub struct Packed {
    n: usize,
    panels: Vec<f64>,
    /// Products so far: their blocks are walked forwards on even calls and backwards on odd
    /// ones (see [`Packed::product`]).
    calls: std::sync::atomic::AtomicUsize,
}

const PW: usize = 4 * TI;

impl Packed {
    /// Lays out the row-major n × n `w`.
    pub fn new(w: &[f64], n: usize) -> Self {
        assert_eq!(w.len(), n * n);
        let count = n.div_ceil(PW);
        let mut panels = vec![0.0; count * n * PW];
        for (p, panel) in panels.chunks_exact_mut((n * PW).max(1)).enumerate().take(count) {
            for c in 0..PW.min(n - p * PW) {
                let row = &w[(p * PW + c) * n..(p * PW + c + 1) * n];
                for (k, v) in row.iter().enumerate() {
                    panel[k * PW + c] = *v;
                }
            }
        }
        Packed { n, panels, calls: Default::default() }
    }

    /// X = R Wᵀ on all threads: `rates` and the result are batch × n, trial-major, so row b of
    /// the result is W r_b, each entry summed over j = 0, 1, … in order from 0.
    pub fn product(&self, rates: &[f64], batch: usize) -> Vec<f64> {
        let n = self.n;
        assert_eq!(rates.len(), n * batch);
        let mut out = vec![0.0; batch * n];
        // Block `i0`'s columns of every row, computed with padding into a per-thread buffer
        // and copied into `dst` (row b at b · stride).
        let columns = |i0: usize, dst: &mut [f64], stride: usize| {
            let width = IB.min(n - i0);
            let panels = width.div_ceil(PW);
            let at = i0 / PW * n * PW;
            let data = &self.panels[at..at + panels * n * PW];
            LOCAL.with_borrow_mut(|local| {
                local.clear();
                local.resize(batch * panels * PW, 0.0);
                packed_dispatch(&Operands { a: rates, lda: n, rows: batch, kdim: n }, data, panels, local);
                for (b, src) in local.chunks_exact(panels * PW).enumerate() {
                    dst[b * stride..b * stride + width].copy_from_slice(&src[..width]);
                }
            });
        };
        // Blocks of IB rows of W, walked forwards and backwards on alternate calls by threads
        // that keep to the same blocks (`parallel::owned_blocks`): the blocks a thread read
        // last are still in its L2 cache when it starts again, so W (8 MB at N = 1000) is only
        // partly re-read from L3. No sum depends on the order of the blocks.
        let backwards = self.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 2 == 1;
        let blocks = n.div_ceil(IB);
        #[cfg(not(target_arch = "wasm32"))]
        {
            use std::sync::Mutex;
            if batch == 1 {
                // One row: each block owns its slice of the output.
                let slots: Vec<Mutex<&mut [f64]>> = out.chunks_mut(IB).map(Mutex::new).collect();
                crate::parallel::owned_blocks(blocks, backwards, |b| columns(b * IB, &mut slots[b].lock().unwrap(), 0));
            } else {
                let parts: Vec<Mutex<Vec<f64>>> = (0..blocks).map(|_| Mutex::new(Vec::new())).collect();
                crate::parallel::owned_blocks(blocks, backwards, |blk| {
                    let width = IB.min(n - blk * IB);
                    let mut part = vec![0.0; batch * width];
                    columns(blk * IB, &mut part, width);
                    *parts[blk].lock().unwrap() = part;
                });
                for (blk, part) in parts.into_iter().enumerate() {
                    let (i0, part) = (blk * IB, part.into_inner().unwrap());
                    let width = IB.min(n - i0);
                    for b in 0..batch {
                        out[b * n + i0..b * n + i0 + width].copy_from_slice(&part[b * width..(b + 1) * width]);
                    }
                }
            }
        }
        #[cfg(target_arch = "wasm32")]
        {
            // One thread: the same alternation, for the same cache.
            for i in 0..blocks {
                let b = if backwards { blocks - 1 - i } else { i };
                columns(b * IB, &mut out[b * IB..], n);
            }
        }
        out
    }
}

fn packed_dispatch(a: &Operands, data: &[f64], panels: usize, out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if crate::simd::avx512() {
            // SAFETY: the CPU supports AVX-512F; the body has no FMA, so results are unchanged.
            unsafe { packed_avx512(a, data, panels, out) };
            return;
        }
        if crate::simd::avx2() {
            // SAFETY: the CPU supports AVX2; the body has no FMA, so results are unchanged.
            unsafe { packed_avx2(a, data, panels, out) };
            return;
        }
    }
    packed_kernel::<TI>(a, data, panels, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn packed_avx512(a: &Operands, data: &[f64], panels: usize, out: &mut [f64]) {
    // 32 registers of 8: a whole panel row (4 tiles) per k keeps 16 sums in flight (measured
    // 24 G multiply-adds/s on one thread, against 21 with two tiles and 8 sums).
    packed_kernel::<PW>(a, data, panels, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn packed_avx2(a: &Operands, data: &[f64], panels: usize, out: &mut [f64]) {
    packed_kernel::<TI>(a, data, panels, out)
}

/// out (rows × panels·PW) accumulates the products of the left factor's rows with `panels`
/// consecutive panels of [`Packed`] (`data`), padding columns included. Up to TB rows go
/// through [`packed_few`] over the whole inner dimension; more go through [`micro`] block by
/// block of PJB, W columns (one tile of TI with AVX2 or in wasm, a whole panel row of PW with
/// AVX-512) at a time, each block read where it lies.
#[inline(always)]
fn packed_kernel<const W: usize>(a: &Operands, data: &[f64], panels: usize, out: &mut [f64]) {
    let kdim = a.kdim;
    let tiles = panels * 4;
    let ldo = panels * PW;
    // Tile t starts at column (t mod 4) TI of panel t / 4 and steps PW per k.
    let start = |t: usize| t / 4 * kdim * PW + t % 4 * TI;
    // Plain loops, not iterator closures: a closure may be compiled outside the AVX2 caller.
    if a.rows <= TB {
        let mut t = 0;
        while t < tiles {
            match a.rows {
                1 => packed_few::<1, 4>(a, data, start(t), t, out, ldo),
                2 => packed_few::<2, 2>(a, data, start(t), t, out, ldo),
                3 => packed_few::<3, 1>(a, data, start(t), t, out, ldo),
                _ => packed_few::<4, 1>(a, data, start(t), t, out, ldo),
            }
            t += [0, 4, 2, 1, 1][a.rows];
        }
        return;
    }
    let Operands { a, lda, rows, .. } = *a;
    let zeros = [0.0f64; PJB];
    for k0 in (0..kdim).step_by(PJB) {
        let k1 = (k0 + PJB).min(kdim);
        let kb = k1 - k0;
        // Tiles outside, rows inside: a tile's block (PJB · W values) stays in L1 while every
        // row of the batch passes over it.
        let mut t = 0;
        while t < tiles {
            let (from, col) = (start(t) + k0 * PW, t * TI);
            let bp = &data[from..from + (kb - 1) * PW + W];
            for r in (0..rows).step_by(TB) {
                let kept = TB.min(rows - r);
                let lhs = row_block(a, lda, r, kept, k0..k1, &zeros);
                let mut acc = [[0.0f64; W]; TB];
                for (rr, row) in acc.iter_mut().enumerate().take(kept) {
                    row.copy_from_slice(&out[(r + rr) * ldo + col..(r + rr) * ldo + col + W]);
                }
                let acc = micro::<W, PW>(acc, bp, &lhs);
                for (rr, row) in acc.iter().enumerate().take(kept) {
                    out[(r + rr) * ldo + col..(r + rr) * ldo + col + W].copy_from_slice(row);
                }
            }
            t += W / TI;
        }
    }
}

/// R ≤ TB rows against C adjacent tiles of one panel, the first at `from` in `data` and
/// output tile `t0`, over the whole inner dimension: R · C tiles of accumulators fill the
/// registers, and with C = 4 each k reads one panel row of PW values in order.
#[inline(always)]
fn packed_few<const R: usize, const C: usize>(
    a: &Operands,
    data: &[f64],
    from: usize,
    t0: usize,
    out: &mut [f64],
    ldo: usize,
) {
    let Operands { a, lda, kdim, .. } = *a;
    let lhs: [&[f64]; R] = std::array::from_fn(|r| &a[r * lda..r * lda + kdim]);
    tile_sums::<R, C>(&lhs, data, from, PW, out, ldo, t0 * TI);
}

/// out += A B on one thread: `a` is rows × kdim, `b` is kdim × cols and `out` rows × cols, all
/// row-major. Each out[r][c] adds a[r][k] · b[k][c] for k = 0, 1, … in turn onto its value, as
/// the naive loop does (a zero product leaves a sum unchanged, so a loop that skips a[r][k] = 0
/// gives the same bits).
pub fn accumulate(a: &[f64], b: &[f64], rows: usize, kdim: usize, cols: usize, out: &mut [f64]) {
    assert_eq!(a.len(), rows * kdim);
    assert_eq!(b.len(), kdim * cols);
    assert_eq!(out.len(), rows * cols);
    let ops = Operands { a, lda: kdim, rows, kdim };
    for c0 in (0..cols).step_by(IB) {
        let width = IB.min(cols - c0);
        kernel_dispatch(&ops, &Panel { b, ldb: cols, c0, width }, &mut out[c0..], cols);
    }
}

/// outs[b][i] = [`lane_dot`] of row i of the row-major `w` (rows of `cols`) with hs[b], bit for
/// bit, each row read once for four vectors at a time: W h for a few vectors without Wᵀ.
pub fn lane_dots(w: &[f64], cols: usize, hs: &[&[f64]], outs: &mut [Vec<f64>]) {
    assert_eq!(hs.len(), outs.len());
    assert!(hs.iter().all(|h| h.len() == cols) && w.len().is_multiple_of(cols.max(1)));
    #[cfg(target_arch = "x86_64")]
    {
        if crate::simd::avx2() {
            // SAFETY: the CPU supports AVX2; the body has no FMA, so results are unchanged.
            unsafe { lane_dots_avx2(w, cols, hs, outs) };
            return;
        }
    }
    lane_dots_body(w, cols, hs, outs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn lane_dots_avx2(w: &[f64], cols: usize, hs: &[&[f64]], outs: &mut [Vec<f64>]) {
    lane_dots_body(w, cols, hs, outs)
}

#[inline(always)]
fn lane_dots_body(w: &[f64], cols: usize, hs: &[&[f64]], outs: &mut [Vec<f64>]) {
    fn chunks(v: &[f64], full: usize) -> std::slice::ChunksExact<'_, f64> {
        v[..full].chunks_exact(LANES)
    }
    let full = cols / LANES * LANES;
    let quads = hs.len() / 4 * 4;
    for (i, row) in w.chunks_exact(cols.max(1)).enumerate() {
        for b in (0..quads).step_by(4) {
            let h: [&[f64]; 4] = [hs[b], hs[b + 1], hs[b + 2], hs[b + 3]];
            let mut acc = [[0.0f64; LANES]; 4];
            let rows = chunks(row, full).zip(chunks(h[0], full)).zip(chunks(h[1], full));
            for ((((wc, h0), h1), h2), h3) in rows.zip(chunks(h[2], full)).zip(chunks(h[3], full)) {
                for (a, hc) in acc.iter_mut().zip([h0, h1, h2, h3]) {
                    for l in 0..LANES {
                        a[l] += wc[l] * hc[l];
                    }
                }
            }
            for j in full..cols {
                for (a, hq) in acc.iter_mut().zip(h) {
                    a[j - full] += row[j] * hq[j];
                }
            }
            for (q, a) in acc.iter().enumerate() {
                outs[b + q][i] = combine(a);
            }
        }
        for b in quads..hs.len() {
            outs[b][i] = lane_dot(row, hs[b]);
        }
    }
}

/// A row-major matrix split by [`lane_dot`]'s lanes, for products with many vectors at once:
/// lane l's partial sum over the columns j ≡ l (mod LANES) is an ordinary product with the
/// columns l, l + LANES, … in order, so the whole batch goes through [`accumulate`] and the
/// lanes are then combined as [`lane_dot`] combines them: the same bits, at the speed of a
/// blocked product instead of one dot product per row and vector.
pub struct LaneSplit {
    rows: usize,
    cols: usize,
    /// chunks = ⌈cols / LANES⌉; lane l is rows × chunks, row i holding w[i][l], w[i][l + LANES],
    /// …, zero-padded (a zero term leaves a partial sum unchanged).
    lanes: Vec<Vec<f64>>,
}

impl LaneSplit {
    /// Splits the row-major `w` (rows of `cols`).
    pub fn new(w: &[f64], cols: usize) -> Self {
        let rows = w.len().checked_div(cols).unwrap_or(0);
        let chunks = cols.div_ceil(LANES);
        let lanes = (0..LANES)
            .map(|l| {
                let mut lane = vec![0.0; rows * chunks];
                for (row, dst) in w.chunks_exact(cols.max(1)).zip(lane.chunks_exact_mut(chunks.max(1))) {
                    for (c, d) in dst.iter_mut().enumerate() {
                        if let Some(v) = row.get(c * LANES + l) {
                            *d = *v;
                        }
                    }
                }
                lane
            })
            .collect();
        LaneSplit { rows, cols, lanes }
    }

    /// outs[b][i] = [`lane_dot`] of row i with hs[b], bit for bit.
    pub fn dots(&self, hs: &[&[f64]], outs: &mut [Vec<f64>]) {
        let (rows, chunks, count) = (self.rows, self.cols.div_ceil(LANES), hs.len());
        let mut rhs = vec![0.0; chunks * count];
        SCRATCH.with_borrow_mut(|partial| {
            partial.clear();
            partial.resize(LANES * rows * count, 0.0);
            for (l, (lane, part)) in self.lanes.iter().zip(partial.chunks_exact_mut(rows * count)).enumerate() {
                for (b, h) in hs.iter().enumerate() {
                    for c in 0..chunks {
                        rhs[c * count + b] = h.get(c * LANES + l).copied().unwrap_or(0.0);
                    }
                }
                accumulate(lane, &rhs, rows, chunks, count, part);
            }
            for (b, out) in outs.iter_mut().enumerate() {
                for (i, o) in out.iter_mut().enumerate().take(rows) {
                    let acc: [f64; LANES] = std::array::from_fn(|l| partial[(l * rows + i) * count + b]);
                    *o = combine(&acc);
                }
            }
        });
    }
}

const IB: usize = 64; // output columns per task
const JB: usize = 256; // inner-dimension block kept in cache
const PJB: usize = 128; // the same for a packed tile: 128 k of a panel row (32 values) is 32 KiB
const TB: usize = 4; // rows per register tile
const TI: usize = 8; // columns per register tile

/// The left factor: `rows` rows of `kdim` values, row stride `lda`.
struct Operands<'a> {
    a: &'a [f64],
    lda: usize,
    rows: usize,
    kdim: usize,
}

/// Columns c0 … c0 + width of the right factor (row stride `ldb`).
struct Panel<'a> {
    b: &'a [f64],
    ldb: usize,
    c0: usize,
    width: usize,
}

fn kernel_dispatch(a: &Operands, p: &Panel, out: &mut [f64], ldo: usize) {
    PACKED.with_borrow_mut(|packed| kernel_any(a, p, out, ldo, packed))
}

fn kernel_any(a: &Operands, p: &Panel, out: &mut [f64], ldo: usize, packed: &mut Vec<f64>) {
    #[cfg(target_arch = "x86_64")]
    {
        if crate::simd::avx2() {
            // SAFETY: the CPU supports AVX2; the body has no FMA, so results are unchanged.
            unsafe { kernel_avx2(a, p, out, ldo, packed) };
            return;
        }
    }
    kernel(a, p, out, ldo, packed)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn kernel_avx2(a: &Operands, p: &Panel, out: &mut [f64], ldo: usize, packed: &mut Vec<f64>) {
    kernel(a, p, out, ldo, packed)
}

/// out[r][l] (row stride `ldo`) accumulates Σ_k a[r][k] · b[k][c0 + l].
///
/// Per block of k, the panel's column tiles are copied into one contiguous run each (k-major,
/// TI wide, the last one padded with zeros), so the inner loop reads memory in order and the
/// copy is reused by every tile of rows. A last tile of fewer than TB rows reads zeros for the
/// missing ones. Padded rows and columns are computed and thrown away, so every tile takes the
/// same vectorised path, and each kept value gets exactly its own sum.
#[inline(always)]
fn kernel(a: &Operands, p: &Panel, out: &mut [f64], ldo: usize, packed: &mut Vec<f64>) {
    match a.rows {
        1 => return few::<1, 4>(a, p, out, ldo),
        2 => return few::<2, 2>(a, p, out, ldo),
        3 => return few::<3, 1>(a, p, out, ldo),
        4 => return few::<4, 1>(a, p, out, ldo),
        _ => {}
    }
    let Operands { a, lda, rows, kdim } = *a;
    let Panel { b, ldb, c0, width } = *p;
    let tiles = width.div_ceil(TI);
    let zeros = [0.0f64; JB];
    packed.resize(tiles * TI * JB.min(kdim), 0.0);
    for k0 in (0..kdim).step_by(JB) {
        let k1 = (k0 + JB).min(kdim);
        let kb = k1 - k0;
        let packed = &mut packed[..tiles * TI * kb];
        for (tile, dst) in packed.chunks_exact_mut(kb * TI).enumerate() {
            let (col, valid) = (c0 + tile * TI, TI.min(width - tile * TI));
            for (k, d) in (k0..k1).zip(dst.chunks_exact_mut(TI)) {
                d[..valid].copy_from_slice(&b[k * ldb + col..k * ldb + col + valid]);
                d[valid..].iter_mut().for_each(|v| *v = 0.0);
            }
        }
        for r in (0..rows).step_by(TB) {
            let kept = TB.min(rows - r);
            let lhs = row_block(a, lda, r, kept, k0..k1, &zeros);
            for (tile, bp) in packed.chunks_exact(kb * TI).enumerate() {
                let (l, valid) = (tile * TI, TI.min(width - tile * TI));
                let mut acc = [[0.0f64; TI]; TB];
                for (rr, row) in acc.iter_mut().enumerate().take(kept) {
                    row[..valid].copy_from_slice(&out[(r + rr) * ldo + l..(r + rr) * ldo + l + valid]);
                }
                let acc = micro::<TI, TI>(acc, bp, &lhs);
                for (rr, row) in acc.iter().enumerate().take(kept) {
                    out[(r + rr) * ldo + l..(r + rr) * ldo + l + valid].copy_from_slice(&row[..valid]);
                }
            }
        }
    }
}

/// The kernel for R ≤ TB rows (a batch of 1 to 4 vectors): the right factor is read where it
/// lies, since packing would copy it once to use it R times, and C column tiles go together so
/// that R · C tiles of accumulators fill the registers.
#[inline(always)]
fn few<const R: usize, const C: usize>(a: &Operands, p: &Panel, out: &mut [f64], ldo: usize) {
    let Operands { a, lda, kdim, .. } = *a;
    let Panel { b, ldb, c0, width } = *p;
    let lhs: [&[f64]; R] = std::array::from_fn(|r| &a[r * lda..r * lda + kdim]);
    let span = TI * C;
    let full = width / span * span;
    for l in (0..full).step_by(span) {
        tile_sums::<R, C>(&lhs, b, c0 + l, ldb, out, ldo, l);
    }
    for (r, x) in lhs.iter().enumerate() {
        for l in full..width {
            let mut acc = out[r * ldo + l];
            for (k, s) in x.iter().enumerate() {
                acc += s * b[k * ldb + c0 + l];
            }
            out[r * ldo + l] = acc;
        }
    }
}

/// Columns `ks` of rows r … r + TB of the row-major `a` (stride `lda`); rows past the `kept`
/// real ones read zeros, so a last tile of fewer rows takes the same path.
#[inline(always)]
fn row_block<'a>(
    a: &'a [f64],
    lda: usize,
    r: usize,
    kept: usize,
    ks: std::ops::Range<usize>,
    zeros: &'a [f64],
) -> [&'a [f64]; TB] {
    std::array::from_fn(|rr| {
        if rr < kept {
            &a[(r + rr) * lda + ks.start..(r + rr) * lda + ks.end]
        } else {
            &zeros[..ks.len()]
        }
    })
}

/// R rows times C · TI columns in registers: out[r][col + t] (row stride `ldo`) accumulates
/// lhs[r][k] · src[base + k · stride + t] for k in order, the shared body of [`few`] and
/// [`packed_few`].
#[inline(always)]
fn tile_sums<const R: usize, const C: usize>(
    lhs: &[&[f64]; R],
    src: &[f64],
    base: usize,
    stride: usize,
    out: &mut [f64],
    ldo: usize,
    col: usize,
) {
    let mut acc = [[[0.0f64; TI]; C]; R];
    for (r, row) in acc.iter_mut().enumerate() {
        for (c, tile) in row.iter_mut().enumerate() {
            let at = r * ldo + col + c * TI;
            tile.copy_from_slice(&out[at..at + TI]);
        }
    }
    for k in 0..lhs[0].len() {
        let at = base + k * stride;
        let w = &src[at..at + C * TI];
        for (row, x) in acc.iter_mut().zip(lhs) {
            let s = x[k];
            for (tile, wc) in row.iter_mut().zip(w.chunks_exact(TI)) {
                for t in 0..TI {
                    tile[t] += s * wc[t];
                }
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        for (c, tile) in row.iter().enumerate() {
            let at = r * ldo + col + c * TI;
            out[at..at + TI].copy_from_slice(tile);
        }
    }
}

/// One register tile of TB rows and W columns: acc[rr][t] += lhs[rr][k] · bp[k · STRIDE + t]
/// for k in order.
#[inline(always)]
fn micro<const W: usize, const STRIDE: usize>(
    mut acc: [[f64; W]; TB],
    bp: &[f64],
    lhs: &[&[f64]; TB],
) -> [[f64; W]; TB] {
    let kb = lhs[0].len();
    // Every row cut to the same length, so that the compiler drops the bounds checks.
    let lhs: [&[f64]; TB] = std::array::from_fn(|r| &lhs[r][..kb]);
    for k in 0..kb {
        let w = &bp[k * STRIDE..k * STRIDE + W];
        for (row, x) in acc.iter_mut().zip(&lhs) {
            let s = x[k];
            for t in 0..W {
                row[t] += s * w[t];
            }
        }
    }
    acc
}

thread_local! {
    /// The kernel's packed panel, kept per thread: a fresh one per call costs page faults.
    static PACKED: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
    /// [`Packed::product`]'s block of output columns, padding included, kept per thread.
    static LOCAL: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
    /// [`LaneSplit::dots`]' partial sums, kept per thread for the same reason.
    static SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The transpose of the n × n row-major matrix `w` (training's Wᵀ, the right factor of W h).
pub fn transpose(w: &[f64], n: usize) -> Vec<f64> {
    let mut t = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            t[j * n + i] = w[i * n + j];
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn blocked_product_equals_the_naive_sum_bit_for_bit() {
        let mut rng = Rng::new(5, 0);
        for (n, batch) in [(1, 1), (7, 3), (70, 5), (300, 9), (513, 4), (100, 1), (33, 2), (200, 64), (777, 1)] {
            let w: Vec<f64> = (0..n * n).map(|_| rng.normal()).collect();
            let r: Vec<f64> = (0..n * batch).map(|_| rng.normal()).collect();
            let packed = Packed::new(&w, n);
            // The blocks go forwards, backwards, forwards (every batch): the same bits each time.
            let got = packed.product(&r, batch);
            for _ in 0..2 {
                assert_eq!(packed.product(&r, batch), got, "n={n} batch={batch}");
            }
            for b in 0..batch {
                for i in 0..n {
                    let mut s = 0.0;
                    for j in 0..n {
                        s += r[b * n + j] * w[i * n + j];
                    }
                    assert_eq!(got[b * n + i].to_bits(), s.to_bits(), "n={n} b={b} i={i}");
                }
            }
        }
    }

    #[test]
    fn lane_dots_and_the_lane_split_give_lane_dot_bit_for_bit() {
        let mut rng = Rng::new(7, 0);
        for (rows, cols, count) in [(1, 1, 1), (5, 7, 3), (40, 64, 9), (33, 301, 16), (300, 260, 5)] {
            let w: Vec<f64> = (0..rows * cols).map(|_| rng.normal()).collect();
            let hs: Vec<Vec<f64>> = (0..count).map(|_| (0..cols).map(|_| rng.normal()).collect()).collect();
            let refs: Vec<&[f64]> = hs.iter().map(|h| h.as_slice()).collect();
            let (mut a, mut b) = (vec![vec![0.0; rows]; count], vec![vec![0.0; rows]; count]);
            lane_dots(&w, cols, &refs, &mut a);
            LaneSplit::new(&w, cols).dots(&refs, &mut b);
            for (q, h) in hs.iter().enumerate() {
                for i in 0..rows {
                    let want = lane_dot(&w[i * cols..(i + 1) * cols], h).to_bits();
                    assert_eq!(a[q][i].to_bits(), want, "lane_dots {rows}×{cols}, vector {q}, row {i}");
                    assert_eq!(b[q][i].to_bits(), want, "lane split {rows}×{cols}, vector {q}, row {i}");
                }
            }
        }
    }

    #[test]
    fn accumulate_equals_the_naive_sum_onto_out_bit_for_bit() {
        let mut rng = Rng::new(6, 0);
        for (rows, kdim, cols) in
            [(1, 1, 1), (1, 9, 100), (2, 40, 70), (3, 5, 7), (9, 300, 70), (4, 513, 129), (37, 20, 8)]
        {
            // Zeros in A, as training's δ has where nothing is scored.
            let a: Vec<f64> = (0..rows * kdim).map(|_| if rng.uniform() < 0.3 { 0.0 } else { rng.normal() }).collect();
            let b: Vec<f64> = (0..kdim * cols).map(|_| rng.normal()).collect();
            let start: Vec<f64> = (0..rows * cols).map(|_| rng.normal()).collect();
            let mut got = start.clone();
            accumulate(&a, &b, rows, kdim, cols, &mut got);
            for r in 0..rows {
                for c in 0..cols {
                    let mut s = start[r * cols + c];
                    for k in 0..kdim {
                        if a[r * kdim + k] != 0.0 {
                            s += a[r * kdim + k] * b[k * cols + c];
                        }
                    }
                    assert_eq!(got[r * cols + c].to_bits(), s.to_bits(), "{rows}×{kdim}×{cols} at ({r}, {c})");
                }
            }
        }
    }
}
