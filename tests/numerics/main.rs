//! The numerics home, one test file per method, each checked against an independent truth:
//! a closed form, a hand-solved case, or a second method (nalgebra's).
mod adam;
mod eig;
mod fit;
mod grid;
mod naive_bayes;
mod orthogonal;
mod pca;
mod qr;
mod quadrature;
mod r_squared;
mod rank_correlation;
mod ridge;
mod roots;
mod sigmoid;
mod solve;
