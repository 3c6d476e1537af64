//! Designed LPUs (SCIENCE §3): no training, weights drawn from distributions whose mean-field
//! flow is known.

use crate::meanfield;
use crate::network::Network;
use crate::nonlinearity::Phi;
use crate::rng::{stream, Rng};

/// A 1-D bistable LPU with latent time scale τ_z (LCF A1–A4): (m_i, ñ_i) zero-mean bivariate
/// Gaussian with correlation ρ and covariance σ_mn = 1 + τ/τ_z, rescaled so that the
/// mean-field attractors sit at ±1.
#[derive(Clone, Debug)]
pub struct Bistable {
    /// Neuron time constant τ, s.
    pub tau: f64,
    /// Target latent time scale τ_z at the origin, s.
    pub tau_latent: f64,
    /// Correlation of (m, ñ).
    pub rho: f64,
    /// The nonlinearity.
    pub phi: Phi,
}

/// The connectivity statistics of a [`Bistable`] design.
#[derive(Clone, Debug)]
pub struct BistableStats {
    /// After rescaling: standard deviations and covariance of (m, ñ).
    pub sigma_m: f64,
    /// Standard deviation of ñ after rescaling.
    pub sigma_n: f64,
    /// Covariance of (m, ñ) after rescaling.
    pub sigma_mn: f64,
    /// Mean-field attractor before rescaling (the rescale factor).
    pub unscaled_attractor: f64,
}

impl Bistable {
    /// The covariance σ_mn = 1 + τ/τ_z that gives the target growth rate.
    pub fn sigma_mn(&self) -> f64 {
        1.0 + self.tau / self.tau_latent
    }

    /// Target growth rate at the origin, λ = (σ_mn − 1)/τ = 1/τ_z.
    pub fn target_growth_rate(&self) -> f64 {
        1.0 / self.tau_latent
    }

    /// The statistics of (m, ñ), rescaled so that the mean-field attractors sit at ±1.
    pub fn stats(&self) -> BistableStats {
        let c = self.sigma_mn();
        // Before rescaling σ_m = 1 and σ_n = σ_mn / ρ; z* scales m by z* and ñ by 1/z*.
        let zstar = meanfield::positive_attractor(self.phi, 1.0, c).unwrap_or(1.0);
        BistableStats { sigma_m: zstar, sigma_n: c / self.rho / zstar, sigma_mn: c, unscaled_attractor: zstar }
    }

    /// Predicted s.d. of the normalised growth-rate error (λ̂ − λ)/λ with N neurons (A9).
    pub fn predicted_error(&self, neurons: usize) -> f64 {
        let s = self.stats();
        (self.tau_latent / self.tau)
            * ((s.sigma_m * s.sigma_m * s.sigma_n * s.sigma_n + s.sigma_mn * s.sigma_mn) / neurons as f64).sqrt()
    }

    /// Draws (m_i, ñ_i) for `neurons` neurons.
    pub fn sample(&self, neurons: usize, rng: &mut Rng) -> (Vec<f64>, Vec<f64>) {
        self.sample_with(&self.stats(), neurons, rng)
    }

    /// As [`Bistable::sample`], with the (costly) mean-field statistics computed once.
    pub fn sample_with(&self, s: &BistableStats, neurons: usize, rng: &mut Rng) -> (Vec<f64>, Vec<f64>) {
        let mut m = Vec::with_capacity(neurons);
        let mut nt = Vec::with_capacity(neurons);
        let resid = (1.0 - self.rho * self.rho).max(0.0).sqrt();
        for _ in 0..neurons {
            let (x, y) = (rng.normal(), rng.normal());
            m.push(s.sigma_m * x);
            nt.push(s.sigma_n * (self.rho * x + resid * y));
        }
        (m, nt)
    }

    /// The network: rank 1, no inputs, encoding ñ/N.
    pub fn network(&self, neurons: usize, dt: f64, seed: u64) -> Network {
        let mut rng = Rng::new(seed, stream::DESIGN);
        let (m, nt) = self.sample(neurons, &mut rng);
        self.network_from(m, &nt, dt)
    }

    /// The network of drawn pairs (m_i, ñ_i), as [`Bistable::network`] builds it from its own
    /// draws (so that `network_from(sample(rng))` is `network` with that rng).
    pub fn network_from(&self, m: Vec<f64>, nt: &[f64], dt: f64) -> Network {
        let neurons = m.len();
        Network {
            neurons,
            rank: 1,
            inputs: 0,
            tau: self.tau,
            dt,
            phi: self.phi,
            embedding: m,
            encoding: nt.iter().map(|x| x / neurons as f64).collect(),
            input: vec![],
            bias: vec![0.0; neurons],
            random: None,
            model: crate::network::Model::Rate,
            readout: None,
        }
    }
}

/// The designed K-bit flip-flop (SCIENCE §3): neuron i belongs to population i mod K, which is
/// a bistable 1-D LPU on latent k; input channel k enters along m^(k) with gain β.
/// Each population is normalised at its finite size so that its own flow has growth rate
/// exactly 1/τ_z at the origin and attractors exactly at ±1: the LPU does not depend on the
/// seed or N beyond the shape of the flow between the fixed points.
#[derive(Clone, Debug)]
pub struct FlipFlop {
    /// Bits K: latent dimensions and input channels.
    pub bits: usize,
    /// Neurons N (population k holds neurons i with i mod K = k).
    pub neurons: usize,
    /// Neuron time constant τ, s.
    pub tau: f64,
    /// Euler step Δt, s.
    pub dt: f64,
    /// Latent time scale τ_z of each bit at the origin, s.
    pub tau_latent: f64,
    /// Correlation of (m, ñ) within a population.
    pub rho: f64,
    /// Input gain β: channel k enters along β m^(k).
    pub gain: f64,
    /// The nonlinearity.
    pub phi: Phi,
}

impl FlipFlop {
    /// The flip-flop with the explorer's defaults: τ = 10 ms, Δt = 1 ms, τ_z = τ, ρ = 1,
    /// β = 2, tanh (the design every experiment but `exp=flipflop`'s own controls uses).
    pub fn standard(bits: usize, neurons: usize) -> Self {
        FlipFlop { bits, neurons, tau: 0.01, dt: 0.001, tau_latent: 0.01, rho: 1.0, gain: 2.0, phi: Phi::Tanh }
    }

    /// Draws the network for `seed`.
    pub fn network(&self, seed: u64) -> Network {
        let (n, k) = (self.neurons, self.bits);
        let mut rng = Rng::new(seed, stream::DESIGN);
        let design = Bistable { tau: self.tau, tau_latent: self.tau_latent, rho: self.rho, phi: self.phi };
        let sigma_mn = design.sigma_mn();
        let stats = design.stats();
        let mut embedding = vec![0.0; n * k];
        let mut encoding = vec![0.0; n * k];
        let mut input = vec![0.0; n * k];
        for pop in 0..k {
            let members: Vec<usize> = (pop..n).step_by(k).collect();
            let size = members.len();
            let (mut m, mut nt) = design.sample_with(&stats, size, &mut rng);
            // Exact growth rate: scale ñ so the sample covariance is σ_mn.
            let cov = m.iter().zip(&nt).map(|(a, b)| a * b).sum::<f64>() / size as f64;
            let scale = if cov > 0.0 { sigma_mn / cov } else { 1.0 };
            nt.iter_mut().for_each(|x| *x *= scale);
            // Exact attractor: rescale (m, ñ) → (z* m, ñ / z*) with z* the finite-N root.
            let flow =
                |z: f64| -z + m.iter().zip(&nt).map(|(a, b)| b * self.phi.apply(a * z)).sum::<f64>() / size as f64;
            if let Some(zstar) = positive_root(flow) {
                m.iter_mut().for_each(|x| *x *= zstar);
                nt.iter_mut().for_each(|x| *x /= zstar);
            }
            for (q, &i) in members.iter().enumerate() {
                embedding[i * k + pop] = m[q];
                encoding[i * k + pop] = nt[q] / size as f64;
                input[i * k + pop] = self.gain * m[q];
            }
        }
        Network {
            neurons: n,
            rank: k,
            inputs: k,
            tau: self.tau,
            dt: self.dt,
            phi: self.phi,
            embedding,
            encoding,
            input,
            bias: vec![0.0; n],
            random: None,
            model: crate::network::Model::Rate,
            readout: None,
        }
    }
}

/// Largest positive root of a 1-D flow that is positive just above 0 and negative far out.
fn positive_root(f: impl Fn(f64) -> f64) -> Option<f64> {
    let mut hi = 1.0;
    while f(hi) > 0.0 {
        hi *= 2.0;
        if hi > 1e6 {
            return None;
        }
    }
    let mut lo = hi / 2.0;
    while f(lo) <= 0.0 {
        lo /= 2.0;
        if lo < 1e-9 {
            return None;
        }
    }
    Some(crate::numerics::roots::bisect(f, lo, hi))
}

/// Grows (or shrinks) a network to `neurons` by resampling neurons with replacement
/// (m_i, n_i, B_i, b_i, readout column) and rescaling the encoding and readout by N_old/N_new, which keeps the expected
/// latent flow unchanged (LCF drift methods). A random dense part is not resampled.
pub fn resample(net: &Network, neurons: usize, seed: u64) -> Network {
    let mut rng = Rng::new(seed, stream::RESAMPLE);
    let (k, ni) = (net.rank, net.inputs);
    let scale = net.neurons as f64 / neurons as f64;
    let mut out = Network {
        neurons,
        embedding: Vec::with_capacity(neurons * k),
        encoding: Vec::with_capacity(neurons * k),
        input: Vec::with_capacity(neurons * ni),
        bias: Vec::with_capacity(neurons),
        random: None,
        readout: None,
        ..net.clone()
    };
    let mut sources = Vec::with_capacity(neurons);
    for _ in 0..neurons {
        let src = rng.below(net.neurons as u64) as usize;
        sources.push(src);
        out.embedding.extend_from_slice(&net.embedding[src * k..(src + 1) * k]);
        out.encoding.extend(net.encoding[src * k..(src + 1) * k].iter().map(|x| x * scale));
        out.input.extend_from_slice(&net.input[src * ni..(src + 1) * ni]);
        out.bias.push(net.bias[src]);
    }
    // A trained network's readout R r is a sum over neurons like the encoding: rescaled alike.
    out.readout = net.readout.as_ref().map(|r| {
        let outputs = r.len() / net.neurons;
        (0..outputs).flat_map(|o| sources.iter().map(move |&s| r[o * net.neurons + s] * scale)).collect()
    });
    out
}
