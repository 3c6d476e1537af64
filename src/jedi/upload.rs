//! Recordings from uploaded files.
