//! One stage of training: a model, Adam, the plateau schedule and the loss curve, advanced one
//! epoch (one minibatch step) at a time so that a caller can report progress, stop, and keep
//! or serialise the state between any two epochs.

use super::bptt::{grad_job, loss_and_gradient, Batch, Loss};
use super::model::TrainModel;
use crate::numerics::adam::{Adam, AdamConfig, Plateau};
use crate::simulate::{Compute, Cpu};
use serde::{Deserialize, Serialize};

/// A stage of training and everything needed to continue it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// The model being trained.
    pub model: TrainModel,
    /// The optimiser's state.
    pub adam: Adam,
    /// The learning-rate schedule's state.
    pub plateau: Plateau,
    /// The loss trained on.
    pub loss: Loss,
    /// The minibatch loss of each epoch done.
    pub losses: Vec<f64>,
    /// Epochs to train.
    pub epochs: usize,
}

impl Stage {
    /// A stage of `epochs` epochs training `model` on `loss` with Adam and a plateau schedule of
    /// `patience` epochs.
    pub fn new(model: TrainModel, loss: Loss, adam: AdamConfig, patience: usize, epochs: usize) -> Self {
        let len = model.theta.len();
        Stage { model, adam: Adam::new(adam, len), plateau: Plateau::new(patience), loss, losses: vec![], epochs }
    }

    /// Epochs done.
    pub fn epoch(&self) -> usize {
        self.losses.len()
    }

    /// Whether every epoch is done.
    pub fn finished(&self) -> bool {
        self.epoch() >= self.epochs
    }

    /// One epoch: the gradient of `batch`'s loss and one Adam step; returns the loss before
    /// the step.
    pub fn step(&mut self, batch: &Batch) -> f64 {
        self.step_on(batch, &Cpu)
    }

    /// [`step`](Self::step) with the loss and gradient from `backend` when it computes them
    /// (a GPU), else from the CPU's BPTT.
    pub fn step_on(&mut self, batch: &Batch, backend: &dyn Compute) -> f64 {
        let (loss, mut grad) = backend
            .loss_and_gradient(&grad_job(&self.model, self.loss, batch))
            .unwrap_or_else(|| loss_and_gradient(&self.model, self.loss, batch));
        self.adam.step(&mut self.model.theta, &mut grad, None);
        self.adam.config.lr = self.plateau.update(loss, self.adam.config.lr);
        self.losses.push(loss);
        loss
    }
}
