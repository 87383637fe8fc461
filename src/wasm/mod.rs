//! The wasm boundary: converts values and does I/O, nothing else. Every decision lives in
//! [`crate::api`]. Public so that the boundary's own tests can drive it.

pub mod chain;
pub mod client;
mod convert;
mod error;
mod fetch;
pub mod functions;
mod host;
mod inner;
pub mod iter;
mod json;
mod ops;
pub mod resource;
pub mod rules;
mod types;
