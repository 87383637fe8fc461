//! The wasm boundary: converts values and does I/O, nothing else. Every decision lives in
//! [`crate::api`].

mod client;
mod convert;
mod error;
mod fetch;
mod functions;
mod host;
mod iter;
mod types;
