//! Runnable examples of the instagram-webhook workspace.
//!
//! Run one from the workspace root with `cargo run --example <name>`:
//!
//! - `sign_and_verify`: signs a delivery the way Meta does, verifies it with
//!   the App Secret, and shows that the same content re-serialized does not
//!   verify.
