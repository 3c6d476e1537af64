//! JEDI (SCIENCE §8): a hypernetwork maps a learned context vector per trial to the weights of
//! a current-form RNN that reproduces the trial's recorded activity.

pub mod recording;
pub mod upload;
