//! JEDI (SCIENCE §8): a hypernetwork maps a learned context vector per trial to the weights of
//! a current-form RNN that reproduces the trial's recorded activity.

pub mod analyses;
pub mod file;
pub mod fit;
pub mod hyper;
pub mod recording;
pub mod student;
pub mod teacher;
pub mod upload;
pub mod uploaded;
