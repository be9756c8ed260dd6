//! Criterion benches of the instagram-webhook workspace.
//!
//! Run them all from the workspace root with `cargo bench`, or one with
//! `cargo bench --bench signature`. Every bench measures a baseline in the same
//! run, so read the ratios, not the absolute times.
