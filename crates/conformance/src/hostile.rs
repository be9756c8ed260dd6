//! Hostile cases.
