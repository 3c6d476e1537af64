//! The coefficient of determination.
