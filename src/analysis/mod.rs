//! Reading an LPU (SCIENCE §2): flows, fixed points, Jacobians, readouts and tuning curves.
pub mod fixed_points;
pub mod fixed_points_full;
pub mod flow;
pub mod jacobian;
pub mod lyapunov;
pub mod readout;
pub mod tuning;
