//! Training leaky firing-rate RNNs: the trainable model ([`model`]), its loss gradient by
//! hand-written backpropagation through time ([`bptt`]), training tasks ([`tasks`], [`sequence`]) and the
//! epoch loop with Adam, a plateau schedule and clipping ([`trainer`]). Adam itself is a
//! numerical method (`numerics::adam`).

pub mod bptt;
pub mod model;
pub mod sequence;
pub mod store;
pub mod tasks;
pub mod trainer;
