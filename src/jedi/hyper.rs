//! The hypernetwork: a 3-layer perceptron e → tanh → tanh → linear that maps a context vector
//! to the generated RNN's weights (JEDI Eq. 2). Its parameters are one flat vector, layer by
//! layer: the weight (outputs × inputs, row-major, PyTorch's `nn.Linear` layout), then the bias.

use crate::nonlinearity::tanh;
use crate::rng::{stream, Rng};

/// Layer sizes: context, hidden, hidden, outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Mlp {
    /// Widths of the input, both hidden layers and the output.
    pub sizes: [usize; 4],
}

/// What a forward pass keeps for the backward pass: the input and each layer's output.
pub struct Activations {
    /// a[0] is the context, a[1] and a[2] the hidden layers (after tanh), a[3] the output.
    pub a: [Vec<f64>; 4],
}

impl Mlp {
    /// Offsets of layer `l`'s weight and bias in the flat vector.
    pub fn offsets(&self, l: usize) -> (usize, usize) {
        let mut off = 0;
        for k in 0..l {
            off += self.sizes[k + 1] * (self.sizes[k] + 1);
        }
        (off, off + self.sizes[l + 1] * self.sizes[l])
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        (0..3).map(|l| self.sizes[l + 1] * (self.sizes[l] + 1)).sum()
    }

    /// Whether there are no parameters (never, for positive sizes).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Initial parameters: weights and hidden biases U(−1/√in, 1/√in) as PyTorch's `nn.Linear`;
    /// the output bias N(0, 1), so that a zero context already generates a random network
    /// whose weights have the scale the output layout gives them ([`super::student`]).
    pub fn init(&self, seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed, stream::JEDI_INIT);
        let mut theta = vec![0.0; self.len()];
        for l in 0..3 {
            let (w, b) = self.offsets(l);
            let bound = 1.0 / (self.sizes[l] as f64).sqrt();
            let end = b + self.sizes[l + 1];
            for v in &mut theta[w..b] {
                *v = bound * (2.0 * rng.uniform() - 1.0);
            }
            for v in &mut theta[b..end] {
                *v = if l == 2 { rng.normal() } else { bound * (2.0 * rng.uniform() - 1.0) };
            }
        }
        theta
    }

    /// The forward pass for context `e`.
    pub fn forward(&self, theta: &[f64], e: &[f64]) -> Activations {
        let mut a: [Vec<f64>; 4] = [e.to_vec(), vec![], vec![], vec![]];
        for l in 0..3 {
            let (w, b) = self.offsets(l);
            let (inputs, outputs) = (self.sizes[l], self.sizes[l + 1]);
            let x = &a[l];
            let mut y = vec![0.0; outputs];
            for (o, yo) in y.iter_mut().enumerate() {
                let row = &theta[w + o * inputs..w + (o + 1) * inputs];
                *yo = crate::lowrank::lane_dot(row, x) + theta[b + o];
                if l < 2 {
                    *yo = tanh(*yo);
                }
            }
            a[l + 1] = y;
        }
        Activations { a }
    }

    /// The backward pass: adds ∂L/∂θ to `grad` (when given) and returns ∂L/∂e, for the
    /// output gradient `d_out`.
    pub fn backward(&self, theta: &[f64], acts: &Activations, d_out: &[f64], mut grad: Option<&mut [f64]>) -> Vec<f64> {
        let mut delta = d_out.to_vec();
        for l in (0..3).rev() {
            let (w, b) = self.offsets(l);
            let (inputs, outputs) = (self.sizes[l], self.sizes[l + 1]);
            let x = &acts.a[l];
            if let Some(g) = grad.as_deref_mut() {
                for (o, d) in delta.iter().enumerate() {
                    for (gw, xi) in g[w + o * inputs..w + (o + 1) * inputs].iter_mut().zip(x) {
                        *gw += d * xi;
                    }
                    g[b + o] += d;
                }
            }
            let mut back = vec![0.0; inputs];
            for (o, d) in delta.iter().enumerate().take(outputs) {
                for (bi, wi) in back.iter_mut().zip(&theta[w + o * inputs..w + (o + 1) * inputs]) {
                    *bi += d * wi;
                }
            }
            if l > 0 {
                // The input of layer l is tanh of the layer below: tanh′ = 1 − a².
                for (bi, ai) in back.iter_mut().zip(x) {
                    *bi *= 1.0 - ai * ai;
                }
            }
            delta = back;
        }
        delta
    }
}
