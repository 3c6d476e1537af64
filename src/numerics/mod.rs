//! Numerical methods, one file per method, free of model vocabulary so that every domain module
//! can share them (this module sits on the floor: it imports nothing else from the crate).
//!
//! Each routine keeps one fixed order of floating-point operations, uses `libm` for
//! transcendental functions and never fuses a multiply-add, so its results are bit-identical
//! natively and in wasm.

pub mod adam;
pub mod eig;
pub mod fit;
pub mod grid;
pub mod naive_bayes;
pub mod orthogonal;
pub mod pca;
pub mod qr;
pub mod quadrature;
pub mod r_squared;
pub mod rank_correlation;
pub mod ridge;
pub mod roots;
pub mod sigmoid;
pub mod solve;
